package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
)

// This file holds the SQL of industrial chains: chains, their links, the edges between
// links and the enterprises placed on links (migration 0006). Projects, leads and
// innovation platforms point at chain_links.id.

// Chain is a row of chains.
type Chain struct {
	Code         string
	NameZh       string
	NameEn       string
	IndustryCode string
	Acyclic      bool
	Note         string
	Source       string
	SortOrder    int
}

// ChainLink is a link (环节) of a chain.
type ChainLink struct {
	ID           int64
	ChainCode    string
	Code         string
	NameZh       string
	NameEn       string
	IndustryCode string
	Stage        int
	Note         string
	Source       string
	Quote        string // the sentence of the source that names the link (migration 0007)
}

// ChainEdge is a directed edge between two links of one chain; Kind is "flow" or
// "feedback".
type ChainEdge struct {
	From, To int64
	Kind     string
}

// UpsertChain inserts or replaces a chain by code.
func (t *Tx) UpsertChain(ctx context.Context, c Chain) error {
	_, err := t.exec(ctx, `INSERT INTO chains(code, name_zh, name_en, industry_code, acyclic, note, source, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
		industry_code = excluded.industry_code, acyclic = excluded.acyclic, note = excluded.note,
		source = excluded.source, sort_order = excluded.sort_order`,
		c.Code, c.NameZh, c.NameEn, c.IndustryCode, b2i(c.Acyclic), c.Note, c.Source, c.SortOrder)
	return err
}

// InsertChainLink adds a link and returns its id.
func (t *Tx) InsertChainLink(ctx context.Context, l ChainLink) (int64, error) {
	return t.insertID(ctx, `INSERT INTO chain_links(chain_code, code, name_zh, name_en, industry_code, stage, note, source, quote)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ChainCode, l.Code, l.NameZh, l.NameEn, l.IndustryCode, l.Stage, l.Note, l.Source, l.Quote)
}

// InsertChainEdge adds an edge between two links.
func (t *Tx) InsertChainEdge(ctx context.Context, e ChainEdge) error {
	_, err := t.exec(ctx, "INSERT INTO chain_edges(from_link, to_link, kind) VALUES (?, ?, ?)", e.From, e.To, e.Kind)
	return err
}

// PlaceEnterprise puts an enterprise on a link, as its 链主 when leader is true.
func (t *Tx) PlaceEnterprise(ctx context.Context, linkID, enterpriseID int64, leader bool, note string) error {
	_, err := t.exec(ctx, "INSERT INTO link_enterprises(link_id, enterprise_id, leader, note) VALUES (?, ?, ?, ?)",
		linkID, enterpriseID, b2i(leader), note)
	return err
}

const chainLinkColumns = "id, chain_code, code, name_zh, name_en, industry_code, stage, note, source"

// ChainLinkByID reads a link.
func (db *DB) ChainLinkByID(ctx context.Context, id int64) (ChainLink, error) {
	l, err := scanChainLinkQ(db.queryRow(ctx, "SELECT "+chainLinkColumnsQ+" FROM chain_links WHERE id = ?", id))
	return l, notFound(err)
}

// The chain module's reads and edits (migration 0007 adds quotes and enterprise
// industries).

// LinkPlacement is an enterprise on a link, with the enterprise's names and region.
type LinkPlacement struct {
	LinkID       int64
	EnterpriseID int64
	NameZh       string
	NameEn       string
	RegionCode   string
	Leader       bool
	Note         string
	Source       string
	Quote        string
}

const chainColumns = "code, name_zh, name_en, industry_code, acyclic, note, source, sort_order"

func scanChain(r interface{ Scan(...any) error }) (Chain, error) {
	var c Chain
	var acyclic int
	err := r.Scan(&c.Code, &c.NameZh, &c.NameEn, &c.IndustryCode, &acyclic, &c.Note, &c.Source, &c.SortOrder)
	c.Acyclic = acyclic == 1
	return c, err
}

var chainList = listSpec{
	from:        "chains",
	columns:     chainColumns,
	sorts:       map[string]string{"code": "code", "name": "name_zh", "industry": "industry_code", "order": "sort_order"},
	defaultSort: "sort_order",
	filterCols:  []string{"code", "name_zh", "name_en", "industry_code"},
	tiebreak:    "code",
}

// ListChains lists chains.
func (db *DB) ListChains(ctx context.Context, q ListQuery) (Page[Chain], error) {
	return list(ctx, db, chainList, q, nil, nil, scanChain)
}

// ChainByCode reads a chain.
func (db *DB) ChainByCode(ctx context.Context, code string) (Chain, error) {
	c, err := scanChain(db.queryRow(ctx, "SELECT "+chainColumns+" FROM chains WHERE code = ?", code))
	return c, notFound(err)
}

// ChainByCode reads a chain inside a write transaction.
func (t *Tx) ChainByCode(ctx context.Context, code string) (Chain, error) {
	c, err := scanChain(t.queryRow(ctx, "SELECT "+chainColumns+" FROM chains WHERE code = ?", code))
	return c, notFound(err)
}

const chainLinkColumnsQ = chainLinkColumns + ", quote"

func scanChainLinkQ(r interface{ Scan(...any) error }) (ChainLink, error) {
	var l ChainLink
	err := r.Scan(&l.ID, &l.ChainCode, &l.Code, &l.NameZh, &l.NameEn, &l.IndustryCode, &l.Stage, &l.Note, &l.Source, &l.Quote)
	return l, err
}

func chainLinks(ctx context.Context, q querier, chain string) ([]ChainLink, error) {
	return all(ctx, q, scanChainLinkQ, "SELECT "+chainLinkColumnsQ+" FROM chain_links WHERE chain_code = ? ORDER BY stage, id", chain)
}

func chainEdges(ctx context.Context, q querier, chain string) ([]ChainEdge, error) {
	return all(ctx, q, func(r interface{ Scan(...any) error }) (ChainEdge, error) {
		var e ChainEdge
		err := r.Scan(&e.From, &e.To, &e.Kind)
		return e, err
	}, `SELECT e.from_link, e.to_link, e.kind FROM chain_edges e JOIN chain_links l ON l.id = e.from_link
		WHERE l.chain_code = ? ORDER BY e.from_link, e.to_link`, chain)
}

// ChainLinks lists a chain's links by stage.
func (db *DB) ChainLinks(ctx context.Context, chain string) ([]ChainLink, error) {
	return chainLinks(ctx, db, chain)
}

// ChainLinks lists a chain's links inside a write transaction.
func (t *Tx) ChainLinks(ctx context.Context, chain string) ([]ChainLink, error) {
	return chainLinks(ctx, t, chain)
}

// ChainEdges lists a chain's edges.
func (db *DB) ChainEdges(ctx context.Context, chain string) ([]ChainEdge, error) {
	return chainEdges(ctx, db, chain)
}

// ChainEdges lists a chain's edges inside a write transaction.
func (t *Tx) ChainEdges(ctx context.Context, chain string) ([]ChainEdge, error) {
	return chainEdges(ctx, t, chain)
}

// ChainLinkByID reads a link inside a write transaction.
func (t *Tx) ChainLinkByID(ctx context.Context, id int64) (ChainLink, error) {
	l, err := scanChainLinkQ(t.queryRow(ctx, "SELECT "+chainLinkColumnsQ+" FROM chain_links WHERE id = ?", id))
	return l, notFound(err)
}

// UpdateChainLink writes the editable columns of a link.
func (t *Tx) UpdateChainLink(ctx context.Context, l ChainLink) error {
	_, err := t.exec(ctx, `UPDATE chain_links SET name_zh = ?, name_en = ?, industry_code = ?, stage = ?, note = ?, source = ?, quote = ?
		WHERE id = ?`, l.NameZh, l.NameEn, l.IndustryCode, l.Stage, l.Note, l.Source, l.Quote, l.ID)
	return err
}

// DeleteChainLink removes a link with its edges and placements. Projects that point at it
// keep their row and lose the link.
func (t *Tx) DeleteChainLink(ctx context.Context, id int64) error {
	for _, q := range []string{"UPDATE projects SET link_id = NULL WHERE link_id = ?",
		"DELETE FROM chain_edges WHERE from_link = ? OR to_link = ?", "DELETE FROM link_enterprises WHERE link_id = ?",
		"DELETE FROM chain_links WHERE id = ?"} {
		args := []any{id}
		if strings.Count(q, "?") == 2 {
			args = append(args, id)
		}
		if _, err := t.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteChainEdge removes an edge; it reports whether there was one.
func (t *Tx) DeleteChainEdge(ctx context.Context, from, to int64) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM chain_edges WHERE from_link = ? AND to_link = ?", from, to)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// PlaceEnterpriseQuoted puts an enterprise on a link with the source and sentence that
// place it there.
func (t *Tx) PlaceEnterpriseQuoted(ctx context.Context, p LinkPlacement) error {
	_, err := t.exec(ctx, "INSERT INTO link_enterprises(link_id, enterprise_id, leader, note, source, quote) VALUES (?, ?, ?, ?, ?, ?)",
		p.LinkID, p.EnterpriseID, b2i(p.Leader), p.Note, p.Source, p.Quote)
	return err
}

// Unplace removes an enterprise from a link; it reports whether it was there.
func (t *Tx) Unplace(ctx context.Context, linkID, enterpriseID int64) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM link_enterprises WHERE link_id = ? AND enterprise_id = ?", linkID, enterpriseID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ClearLeader takes the 链主 mark off whoever holds it on a link.
func (t *Tx) ClearLeader(ctx context.Context, linkID int64) error {
	_, err := t.exec(ctx, "UPDATE link_enterprises SET leader = 0 WHERE link_id = ?", linkID)
	return err
}

func scanPlacement(r interface{ Scan(...any) error }) (LinkPlacement, error) {
	var p LinkPlacement
	var leader int
	err := r.Scan(&p.LinkID, &p.EnterpriseID, &p.NameZh, &p.NameEn, &p.RegionCode, &leader, &p.Note, &p.Source, &p.Quote)
	p.Leader = leader == 1
	return p, err
}

const placementSelect = `SELECT le.link_id, le.enterprise_id, e.name_zh, e.name_en, COALESCE(e.region_code, ''), le.leader, le.note,
	le.source, le.quote FROM link_enterprises le JOIN enterprises e ON e.id = le.enterprise_id `

// ChainPlacements lists the enterprises on every link of a chain.
func (db *DB) ChainPlacements(ctx context.Context, chain string) ([]LinkPlacement, error) {
	return all(ctx, db, scanPlacement, placementSelect+`JOIN chain_links l ON l.id = le.link_id WHERE l.chain_code = ?
		ORDER BY le.link_id, le.leader DESC, e.name_zh`, chain)
}

// Placement reads one enterprise's placement on a link inside a write transaction.
func (t *Tx) Placement(ctx context.Context, linkID, enterpriseID int64) (LinkPlacement, error) {
	p, err := scanPlacement(t.queryRow(ctx, placementSelect+"WHERE le.link_id = ? AND le.enterprise_id = ?", linkID, enterpriseID))
	return p, notFound(err)
}

// EnterpriseIndustry is an explicit assignment of an enterprise to an industry.
type EnterpriseIndustry struct {
	EnterpriseID int64
	IndustryCode string
	Source       string
	Quote        string
}

// UpsertEnterpriseIndustry assigns an enterprise to an industry.
func (t *Tx) UpsertEnterpriseIndustry(ctx context.Context, a EnterpriseIndustry) error {
	_, err := t.exec(ctx, `INSERT INTO enterprise_industries(enterprise_id, industry_code, source, quote) VALUES (?, ?, ?, ?)
		ON CONFLICT (enterprise_id, industry_code) DO UPDATE SET source = excluded.source, quote = excluded.quote`,
		a.EnterpriseID, a.IndustryCode, a.Source, a.Quote)
	return err
}

// EnterpriseIndustryAssignment reads one assignment inside a write transaction.
func (t *Tx) EnterpriseIndustryAssignment(ctx context.Context, ent int64, industry string) (EnterpriseIndustry, error) {
	var a EnterpriseIndustry
	err := t.queryRow(ctx, "SELECT enterprise_id, industry_code, source, quote FROM enterprise_industries WHERE enterprise_id = ? AND industry_code = ?",
		ent, industry).Scan(&a.EnterpriseID, &a.IndustryCode, &a.Source, &a.Quote)
	return a, notFound(err)
}

// EnterpriseIndustryCodes returns the industries an enterprise belongs to: those assigned
// explicitly and those of its own statistics facts.
func (t *Tx) EnterpriseIndustryCodes(ctx context.Context, ent int64) ([]string, error) {
	return all(ctx, t, func(r interface{ Scan(...any) error }) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, `SELECT industry_code FROM enterprise_industries WHERE enterprise_id = ?
		UNION SELECT industry_code FROM fact_current WHERE enterprise_id = ? ORDER BY 1`, ent, ent)
}

// SetSetting writes a setting.
func (t *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// Setting reads a setting inside a write transaction; ok is false when it is not set.
func (t *Tx) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = t.queryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return value, err == nil, err
}

// EnterpriseFigure is one enterprise's current value of an indicator for one industry.
type EnterpriseFigure struct {
	EnterpriseID int64
	IndustryCode string
	Value        int64 // micro
}

// ChainPlacementFigures reads what the chain page needs of the enterprises on a chain in
// one pass: every placement (as ChainPlacements, in the same order) and, by enterprise,
// its current values of indicator in period under each industry. One LEFT JOIN with no
// ORDER BY replaces a placement query plus a figure query that walked the placements a
// second time through an IN list; sorting 5,000 rows in Go is cheaper than two temporary
// B-trees in SQLite (the chain-page benchmark's profile).
func (db *DB) ChainPlacementFigures(ctx context.Context, chain, indicator, period string) ([]LinkPlacement, map[int64][]EnterpriseFigure, error) {
	rows, err := db.query(ctx, `SELECT le.link_id, le.enterprise_id, e.name_zh, e.name_en, COALESCE(e.region_code, ''), le.leader, le.note,
		le.source, le.quote, fc.industry_code, fc.value_micro
		FROM chain_links l JOIN link_enterprises le ON le.link_id = l.id JOIN enterprises e ON e.id = le.enterprise_id
		LEFT JOIN fact_current fc ON fc.enterprise_id = le.enterprise_id AND fc.indicator_code = ? AND fc.period = ?
		WHERE l.chain_code = ?`, indicator, period, chain)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type key struct{ link, ent int64 }
	var pls []LinkPlacement
	seen := map[key]bool{}
	// An enterprise on two links has the same figures on both: take them from one link.
	firstLink := map[int64]int64{}
	figs := map[int64][]EnterpriseFigure{}
	for rows.Next() {
		var p LinkPlacement
		var leader int
		var ind sql.NullString
		var val sql.NullInt64
		if err := rows.Scan(&p.LinkID, &p.EnterpriseID, &p.NameZh, &p.NameEn, &p.RegionCode, &leader, &p.Note, &p.Source, &p.Quote, &ind, &val); err != nil {
			return nil, nil, err
		}
		p.Leader = leader == 1
		if k := (key{p.LinkID, p.EnterpriseID}); !seen[k] {
			seen[k] = true
			pls = append(pls, p)
		}
		if l, ok := firstLink[p.EnterpriseID]; !ok {
			firstLink[p.EnterpriseID] = p.LinkID
		} else if l != p.LinkID {
			continue
		}
		if ind.Valid {
			figs[p.EnterpriseID] = append(figs[p.EnterpriseID], EnterpriseFigure{EnterpriseID: p.EnterpriseID, IndustryCode: ind.String, Value: val.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(pls, func(a, b LinkPlacement) int {
		if c := cmp.Compare(a.LinkID, b.LinkID); c != 0 {
			return c
		}
		if a.Leader != b.Leader {
			if a.Leader {
				return -1
			}
			return 1
		}
		return strings.Compare(a.NameZh, b.NameZh)
	})
	for _, fs := range figs {
		slices.SortFunc(fs, func(a, b EnterpriseFigure) int { return strings.Compare(a.IndustryCode, b.IndustryCode) })
	}
	return pls, figs, nil
}

// RegionFigure is a region-level current value (not an enterprise's).
type RegionFigure struct {
	RegionCode   string
	IndustryCode string
	Value        int64 // micro
}

// IndicatorFigures returns the region-level current values of indicator in period for the
// given industries (all industries when none is given), in every region.
func (db *DB) IndicatorFigures(ctx context.Context, indicator, period string, industries []string) ([]RegionFigure, error) {
	q := `SELECT region_code, industry_code, value_micro FROM fact_current WHERE enterprise_id = 0 AND indicator_code = ? AND period = ?`
	args := []any{indicator, period}
	if len(industries) > 0 {
		q += " AND industry_code IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(industries)), ", ") + ")"
		for _, i := range industries {
			args = append(args, i)
		}
	}
	return all(ctx, db, func(r interface{ Scan(...any) error }) (RegionFigure, error) {
		var f RegionFigure
		err := r.Scan(&f.RegionCode, &f.IndustryCode, &f.Value)
		return f, err
	}, q+" ORDER BY region_code, industry_code", args...)
}

// LatestPeriod returns the latest period of indicator with any current value, "" if none.
func (db *DB) LatestPeriod(ctx context.Context, indicator string) (string, error) {
	var p sql.NullString
	err := db.queryRow(ctx, "SELECT MAX(period) FROM fact_current WHERE indicator_code = ?", indicator).Scan(&p)
	return p.String, err
}

// EnterpriseByName reads an enterprise by its Chinese name.
func (db *DB) EnterpriseByName(ctx context.Context, name string) (Enterprise, error) {
	e, err := scanEnterprise(db.queryRow(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE name_zh = ?", name))
	return e, notFound(err)
}
