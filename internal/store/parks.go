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
	SortOrder  int
}

// UpsertPark inserts or replaces a park by code.
func (t *Tx) UpsertPark(ctx context.Context, p Park) error {
	_, err := t.exec(ctx, `INSERT INTO parks(code, name_zh, name_en, kind, region_code, status, note, source, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind,
		region_code = excluded.region_code, status = excluded.status, note = excluded.note, source = excluded.source,
		sort_order = excluded.sort_order`,
		p.Code, p.NameZh, p.NameEn, p.Kind, nullStr(p.RegionCode), p.Status, p.Note, p.Source, p.SortOrder)
	return err
}

const parkColumns = "code, name_zh, name_en, kind, COALESCE(region_code, ''), status, note, source, sort_order"

func scanPark(r interface{ Scan(...any) error }) (Park, error) {
	var p Park
	err := r.Scan(&p.Code, &p.NameZh, &p.NameEn, &p.Kind, &p.RegionCode, &p.Status, &p.Note, &p.Source, &p.SortOrder)
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
