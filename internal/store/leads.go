package store

import (
	"context"
	"time"
)

// This file holds the SQL of investment-attraction leads (招商线索, migration 0009).

// Lead is a target enterprise outside the region and the chain link whose gap it would
// fill. ProjectID is set once the signed lead became a project.
type Lead struct {
	ID         int64
	TargetName string
	TargetUSCC string
	Origin     string // where the enterprise is now (a city or country, free text)
	LinkID     int64
	RegionCode string // the region it would invest in
	ParkCode   string
	Stage      string // lead, contact, negotiation, signed
	Owner      string
	Note       string
	ProjectID  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LinkName   string // read only
	ChainCode  string // read only
	RegionName string // read only
}

// InsertLead adds a lead and returns its id.
func (t *Tx) InsertLead(ctx context.Context, l Lead) (int64, error) {
	return t.insertID(ctx, `INSERT INTO leads(target_name, target_uscc, origin, link_id, region_code, park_code, stage, owner, note,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.TargetName, l.TargetUSCC, l.Origin, l.LinkID, l.RegionCode, nullStr(l.ParkCode), l.Stage, l.Owner, l.Note,
		l.CreatedAt.UnixMilli(), l.UpdatedAt.UnixMilli())
}

// SetLeadStage moves a lead, and points it at its project when projectID is not zero.
func (t *Tx) SetLeadStage(ctx context.Context, id int64, stage string, projectID int64, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE leads SET stage = ?, project_id = COALESCE(?, project_id), updated_at = ? WHERE id = ?",
		stage, nullInt(projectID), at.UnixMilli(), id)
	return err
}

const leadFrom = `leads l JOIN chain_links cl ON cl.id = l.link_id LEFT JOIN regions rg ON rg.code = l.region_code`

const leadColumns = `l.id, l.target_name, l.target_uscc, l.origin, l.link_id, l.region_code, COALESCE(l.park_code, ''), l.stage,
	l.owner, l.note, COALESCE(l.project_id, 0), l.created_at, l.updated_at, cl.name_zh, cl.chain_code, COALESCE(rg.name_zh, '')`

func scanLead(r rowScanner) (Lead, error) {
	var l Lead
	var c, u int64
	err := r.Scan(&l.ID, &l.TargetName, &l.TargetUSCC, &l.Origin, &l.LinkID, &l.RegionCode, &l.ParkCode, &l.Stage,
		&l.Owner, &l.Note, &l.ProjectID, &c, &u, &l.LinkName, &l.ChainCode, &l.RegionName)
	l.CreatedAt, l.UpdatedAt = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
	return l, err
}

// LeadByID reads a lead.
func (db *DB) LeadByID(ctx context.Context, id int64) (Lead, error) {
	l, err := scanLead(db.queryRow(ctx, "SELECT "+leadColumns+" FROM "+leadFrom+" WHERE l.id = ?", id))
	return l, notFound(err)
}

// LeadByID reads a lead inside a write transaction.
func (t *Tx) LeadByID(ctx context.Context, id int64) (Lead, error) {
	l, err := scanLead(t.queryRow(ctx, "SELECT "+leadColumns+" FROM "+leadFrom+" WHERE l.id = ?", id))
	return l, notFound(err)
}

var leadList = listSpec{
	from:    leadFrom,
	columns: leadColumns,
	sorts: map[string]string{"id": "l.id", "target": "l.target_name", "link": "cl.name_zh", "region": "l.region_code",
		"stage":   "CASE l.stage WHEN 'lead' THEN 1 WHEN 'contact' THEN 2 WHEN 'negotiation' THEN 3 ELSE 4 END",
		"updated": "l.updated_at"},
	defaultSort: "l.id",
	filterCols:  []string{"l.target_name", "l.target_uscc", "l.origin", "l.owner", "l.note", "cl.name_zh"},
	tiebreak:    "l.id",
}

// ListLeads lists leads, in one stage when stage is not empty.
func (db *DB) ListLeads(ctx context.Context, stage string, q ListQuery) (Page[Lead], error) {
	var conds []string
	var args []any
	if stage != "" {
		conds, args = []string{"l.stage = ?"}, []any{stage}
	}
	return list(ctx, db, leadList, q, conds, args, scanLead)
}

// EnterprisesMatching returns the registered enterprises with the given name, or with the
// given USCC when it is not empty: the candidates for "this enterprise is already here".
func (t *Tx) EnterprisesMatching(ctx context.Context, name, uscc string) ([]Enterprise, error) {
	return enterprisesMatching(ctx, t, name, uscc)
}

// EnterprisesMatching is the same read outside a write, for a lead's warnings.
func (db *DB) EnterprisesMatching(ctx context.Context, name, uscc string) ([]Enterprise, error) {
	return enterprisesMatching(ctx, db, name, uscc)
}

func enterprisesMatching(ctx context.Context, on querier, name, uscc string) ([]Enterprise, error) {
	return all(ctx, on, scanEnterprise, "SELECT "+enterpriseColumns+" FROM enterprises WHERE name_zh = ? OR (? <> '' AND uscc = ?) ORDER BY id",
		name, uscc, uscc)
}

// LinkChoices returns every chain link in chain and stage order, for the forms that pick
// the link a project or a lead sits on.
func (db *DB) LinkChoices(ctx context.Context) ([]ChainLink, error) {
	return all(ctx, db, scanChainLinkQ, "SELECT "+chainLinkColumnsQ+" FROM chain_links ORDER BY chain_code, stage, code")
}
