package store

import (
	"context"
	"time"
)

// This file holds the SQL of parks and of the project pipeline's core row (migration
// 0006). The project module keeps investment, dates, jobs, support and blockers in its
// own tables keyed by projects.id.

// Park is a row of parks.
type Park struct {
	Code       string
	NameZh     string
	NameEn     string
	Kind       string // provincial_base, national_park, featured_park, park
	RegionCode string
	Status     string // planned, under_construction, operating
	Note       string
	Source     string
	Quote      string // the source's sentence the row is built from
	SortOrder  int
}

// UpsertPark inserts or replaces a park by code.
func (t *Tx) UpsertPark(ctx context.Context, p Park) error {
	_, err := t.exec(ctx, `INSERT INTO parks(code, name_zh, name_en, kind, region_code, status, note, source, quote, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind,
		region_code = excluded.region_code, status = excluded.status, note = excluded.note, source = excluded.source,
		quote = excluded.quote, sort_order = excluded.sort_order`,
		p.Code, p.NameZh, p.NameEn, p.Kind, nullStr(p.RegionCode), p.Status, p.Note, p.Source, p.Quote, p.SortOrder)
	return err
}

const parkColumns = "code, name_zh, name_en, kind, COALESCE(region_code, ''), status, note, source, quote, sort_order"

func scanPark(r interface{ Scan(...any) error }) (Park, error) {
	var p Park
	err := r.Scan(&p.Code, &p.NameZh, &p.NameEn, &p.Kind, &p.RegionCode, &p.Status, &p.Note, &p.Source, &p.Quote, &p.SortOrder)
	return p, err
}

// ParkByCode reads a park.
func (db *DB) ParkByCode(ctx context.Context, code string) (Park, error) {
	p, err := scanPark(db.queryRow(ctx, "SELECT "+parkColumns+" FROM parks WHERE code = ?", code))
	return p, notFound(err)
}

// Project is the core row of a project. Empty strings and zero ids stand for "none".
type Project struct {
	ID           int64
	NameZh       string
	NameEn       string
	Stage        string // planning, signed, started, building, operating
	IndustryCode string
	LinkID       int64
	RegionCode   string
	ParkCode     string
	EnterpriseID int64
	Note         string
	Source       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// InsertProject adds a project and returns its id.
func (t *Tx) InsertProject(ctx context.Context, p Project) (int64, error) {
	return t.insertID(ctx, `INSERT INTO projects(name_zh, name_en, stage, industry_code, link_id, region_code, park_code,
		enterprise_id, note, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.NameZh, p.NameEn, p.Stage, nullStr(p.IndustryCode), nullInt(p.LinkID), nullStr(p.RegionCode), nullStr(p.ParkCode),
		nullInt(p.EnterpriseID), p.Note, p.Source, p.CreatedAt.UnixMilli(), p.UpdatedAt.UnixMilli())
}

const projectColumns = `id, name_zh, name_en, stage, COALESCE(industry_code, ''), COALESCE(link_id, 0), COALESCE(region_code, ''),
	COALESCE(park_code, ''), COALESCE(enterprise_id, 0), note, source, created_at, updated_at`

func scanProject(r interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var c, u int64
	err := r.Scan(&p.ID, &p.NameZh, &p.NameEn, &p.Stage, &p.IndustryCode, &p.LinkID, &p.RegionCode, &p.ParkCode,
		&p.EnterpriseID, &p.Note, &p.Source, &c, &u)
	p.CreatedAt, p.UpdatedAt = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
	return p, err
}

// ProjectByID reads a project.
func (db *DB) ProjectByID(ctx context.Context, id int64) (Project, error) {
	p, err := scanProject(db.queryRow(ctx, "SELECT "+projectColumns+" FROM projects WHERE id = ?", id))
	return p, notFound(err)
}

// ParkByCode reads a park inside a write transaction.
func (t *Tx) ParkByCode(ctx context.Context, code string) (Park, error) {
	p, err := scanPark(t.queryRow(ctx, "SELECT "+parkColumns+" FROM parks WHERE code = ?", code))
	return p, notFound(err)
}

// Parks returns every park in display order.
func (db *DB) Parks(ctx context.Context) ([]Park, error) {
	return all(ctx, db, scanPark, "SELECT "+parkColumns+" FROM parks ORDER BY sort_order, code")
}

var parkList = listSpec{
	from:    "parks",
	columns: parkColumns,
	sorts: map[string]string{"code": "code", "name": "name_zh", "kind": "kind", "region": "region_code",
		"status": "status", "order": "sort_order"},
	defaultSort: "sort_order",
	filterCols:  []string{"code", "name_zh", "name_en", "note", "quote"},
	tiebreak:    "code",
}

// ListParks lists parks, of one kind when kind is not empty.
func (db *DB) ListParks(ctx context.Context, kind string, q ListQuery) (Page[Park], error) {
	var conds []string
	var args []any
	if kind != "" {
		conds, args = []string{"kind = ?"}, []any{kind}
	}
	return list(ctx, db, parkList, q, conds, args, scanPark)
}

// SetParkIndustries replaces the industries of a park.
func (t *Tx) SetParkIndustries(ctx context.Context, park string, industries []string) error {
	if _, err := t.exec(ctx, "DELETE FROM park_industries WHERE park_code = ?", park); err != nil {
		return err
	}
	for _, c := range industries {
		if _, err := t.exec(ctx, "INSERT INTO park_industries(park_code, industry_code) VALUES (?, ?)", park, c); err != nil {
			return err
		}
	}
	return nil
}

// SetParkEnterprises replaces the enterprises of a park.
func (t *Tx) SetParkEnterprises(ctx context.Context, park string, ids []int64) error {
	if _, err := t.exec(ctx, "DELETE FROM park_enterprises WHERE park_code = ?", park); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := t.exec(ctx, "INSERT INTO park_enterprises(park_code, enterprise_id) VALUES (?, ?)", park, id); err != nil {
			return err
		}
	}
	return nil
}

func scanString(r rowScanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

func scanInt64(r rowScanner) (int64, error) {
	var i int64
	err := r.Scan(&i)
	return i, err
}

// ParkIndustryCodes returns the industries of a park, by code.
func (t *Tx) ParkIndustryCodes(ctx context.Context, park string) ([]string, error) {
	return all(ctx, t, scanString, "SELECT industry_code FROM park_industries WHERE park_code = ? ORDER BY industry_code", park)
}

// ParkEnterpriseIDs returns the enterprises of a park, by id.
func (t *Tx) ParkEnterpriseIDs(ctx context.Context, park string) ([]int64, error) {
	return all(ctx, t, scanInt64, "SELECT enterprise_id FROM park_enterprises WHERE park_code = ? ORDER BY enterprise_id", park)
}

// ParkIndustries returns the industries of a park.
func (db *DB) ParkIndustries(ctx context.Context, park string) ([]Industry, error) {
	return all(ctx, db, scanIndustry, `SELECT i.code, i.name_zh, i.name_en, COALESCE(i.parent_code, ''), i.sei_code, i.sei_note, i.sunrise, i.sort_order, i.source
		FROM park_industries pi
		JOIN industries i ON i.code = pi.industry_code WHERE pi.park_code = ? ORDER BY i.sort_order, i.code`, park)
}

// ParkEnterprises returns the enterprises of a park.
func (db *DB) ParkEnterprises(ctx context.Context, park string) ([]Enterprise, error) {
	return all(ctx, db, scanEnterprise, `SELECT e.id, e.name_zh, e.name_en, COALESCE(e.uscc, ''), COALESCE(e.region_code, ''), e.note, e.source, e.created_at
		FROM park_enterprises pe
		JOIN enterprises e ON e.id = pe.enterprise_id WHERE pe.park_code = ? ORDER BY e.name_zh, e.id`, park)
}

// GoalTarget pairs a named goal of the positioning with a plan target that measures it.
type GoalTarget struct {
	GoalCode   string
	TargetCode string
	Note       string
}

// UpsertGoalTarget inserts or replaces a pairing.
func (t *Tx) UpsertGoalTarget(ctx context.Context, g GoalTarget) error {
	_, err := t.exec(ctx, `INSERT INTO goal_targets(goal_code, target_code, note) VALUES (?, ?, ?)
		ON CONFLICT (goal_code, target_code) DO UPDATE SET note = excluded.note`, g.GoalCode, g.TargetCode, g.Note)
	return err
}

func scanGoalTarget(r rowScanner) (GoalTarget, error) {
	var g GoalTarget
	err := r.Scan(&g.GoalCode, &g.TargetCode, &g.Note)
	return g, err
}

// GoalTargetByKey reads a pairing inside a write transaction.
func (t *Tx) GoalTargetByKey(ctx context.Context, goal, target string) (GoalTarget, error) {
	g, err := scanGoalTarget(t.queryRow(ctx, "SELECT goal_code, target_code, note FROM goal_targets WHERE goal_code = ? AND target_code = ?", goal, target))
	return g, notFound(err)
}

// GoalTargets returns every pairing.
func (db *DB) GoalTargets(ctx context.Context) ([]GoalTarget, error) {
	return all(ctx, db, scanGoalTarget, "SELECT goal_code, target_code, note FROM goal_targets ORDER BY goal_code, target_code")
}

// RegionLevelFigures returns every region-level figure in force of a region (the
// indicators shown on a park's page are those of the region or zone it lies in).
func (db *DB) RegionLevelFigures(ctx context.Context, region string, approvedOnly bool) ([]FactDetail, error) {
	return all(ctx, db, scanDetail, "SELECT "+detailColumns+` FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.region_code = ? AND c.enterprise_id = 0`+statusCond(approvedOnly)+`
		ORDER BY c.indicator_code, c.industry_code, c.period`, region)
}
