package store

import (
	"context"
	"time"
)

// Region is a row of regions: the nation, a province, a city, a county or a zone.
type Region struct {
	Code       string
	NameZh     string
	NameEn     string
	Kind       string
	ParentCode string
	Aliases    string // comma-separated former names
	Source     string
}

const regionColumns = "code, name_zh, name_en, kind, COALESCE(parent_code, ''), aliases, source"

func scanRegion(r interface{ Scan(...any) error }) (Region, error) {
	var g Region
	err := r.Scan(&g.Code, &g.NameZh, &g.NameEn, &g.Kind, &g.ParentCode, &g.Aliases, &g.Source)
	return g, err
}

// RegionByCode reads a region inside a write transaction.
func (t *Tx) RegionByCode(ctx context.Context, code string) (Region, error) {
	g, err := scanRegion(t.queryRow(ctx, "SELECT "+regionColumns+" FROM regions WHERE code = ?", code))
	return g, notFound(err)
}

// RegionByCode reads a region.
func (db *DB) RegionByCode(ctx context.Context, code string) (Region, error) {
	g, err := scanRegion(db.queryRow(ctx, "SELECT "+regionColumns+" FROM regions WHERE code = ?", code))
	return g, notFound(err)
}

// UpsertRegion inserts or replaces a region.
func (t *Tx) UpsertRegion(ctx context.Context, g Region) error {
	_, err := t.exec(ctx, `INSERT INTO regions(code, name_zh, name_en, kind, parent_code, aliases, source) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind,
		parent_code = excluded.parent_code, aliases = excluded.aliases, source = excluded.source`,
		g.Code, g.NameZh, g.NameEn, g.Kind, nullStr(g.ParentCode), g.Aliases, g.Source)
	return err
}

var regionList = listSpec{
	from:        "regions",
	columns:     regionColumns,
	sorts:       map[string]string{"code": "code", "name": "name_zh", "kind": "kind", "parent": "parent_code"},
	defaultSort: "code",
	filterCols:  []string{"code", "name_zh", "name_en", "aliases"},
	tiebreak:    "code",
}

// ListRegions lists regions.
func (db *DB) ListRegions(ctx context.Context, q ListQuery) (Page[Region], error) {
	return list(ctx, db, regionList, q, nil, nil, scanRegion)
}

// Enterprise is a row of enterprises. USCC is "" when the code is not known.
type Enterprise struct {
	ID         int64
	NameZh     string
	NameEn     string
	USCC       string
	RegionCode string
	Note       string
	Source     string
	CreatedAt  time.Time
}

const enterpriseColumns = "id, name_zh, name_en, COALESCE(uscc, ''), COALESCE(region_code, ''), note, source, created_at"

func scanEnterprise(r interface{ Scan(...any) error }) (Enterprise, error) {
	var e Enterprise
	var c int64
	err := r.Scan(&e.ID, &e.NameZh, &e.NameEn, &e.USCC, &e.RegionCode, &e.Note, &e.Source, &c)
	e.CreatedAt = time.UnixMilli(c)
	return e, err
}

// EnterpriseByID reads an enterprise.
func (db *DB) EnterpriseByID(ctx context.Context, id int64) (Enterprise, error) {
	e, err := scanEnterprise(db.queryRow(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE id = ?", id))
	return e, notFound(err)
}

// EnterpriseByName reads an enterprise by its Chinese name inside a write transaction.
func (t *Tx) EnterpriseByName(ctx context.Context, name string) (Enterprise, error) {
	e, err := scanEnterprise(t.queryRow(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE name_zh = ?", name))
	return e, notFound(err)
}

// EnterpriseByID reads an enterprise inside a write transaction.
func (t *Tx) EnterpriseByID(ctx context.Context, id int64) (Enterprise, error) {
	e, err := scanEnterprise(t.queryRow(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE id = ?", id))
	return e, notFound(err)
}

// InsertEnterprise adds an enterprise and returns its id.
func (t *Tx) InsertEnterprise(ctx context.Context, e Enterprise) (int64, error) {
	return t.insertID(ctx, `INSERT INTO enterprises(name_zh, name_en, uscc, region_code, note, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.NameZh, e.NameEn, nullStr(e.USCC), nullStr(e.RegionCode), e.Note, e.Source, e.CreatedAt.UnixMilli())
}

// UpdateEnterprise writes the mutable columns of e.
func (t *Tx) UpdateEnterprise(ctx context.Context, e Enterprise) error {
	_, err := t.exec(ctx, `UPDATE enterprises SET name_en = ?, uscc = ?, region_code = ?, note = ?, source = ? WHERE id = ?`,
		e.NameEn, nullStr(e.USCC), nullStr(e.RegionCode), e.Note, e.Source, e.ID)
	return err
}

var enterpriseList = listSpec{
	from:        "enterprises",
	columns:     enterpriseColumns,
	sorts:       map[string]string{"name": "name_zh", "uscc": "uscc", "region": "region_code", "id": "id"},
	defaultSort: "id",
	filterCols:  []string{"name_zh", "name_en", "uscc"},
	tiebreak:    "id",
}

// EnterpriseScope limits an enterprise list: all, one region, or one enterprise.
type EnterpriseScope struct {
	All          bool
	RegionCode   string
	EnterpriseID int64
}

// ListEnterprises lists the enterprises within scope.
func (db *DB) ListEnterprises(ctx context.Context, s EnterpriseScope, q ListQuery) (Page[Enterprise], error) {
	var conds []string
	var args []any
	switch {
	case s.All:
	case s.EnterpriseID != 0:
		conds, args = []string{"id = ?"}, []any{s.EnterpriseID}
	case s.RegionCode != "":
		conds, args = []string{"region_code = ?"}, []any{s.RegionCode}
	default:
		conds = []string{"1 = 0"}
	}
	return list(ctx, db, enterpriseList, q, conds, args, scanEnterprise)
}
