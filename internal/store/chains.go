package store

import "context"

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
	return t.insertID(ctx, `INSERT INTO chain_links(chain_code, code, name_zh, name_en, industry_code, stage, note, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, l.ChainCode, l.Code, l.NameZh, l.NameEn, l.IndustryCode, l.Stage, l.Note, l.Source)
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

func scanChainLink(r interface{ Scan(...any) error }) (ChainLink, error) {
	var l ChainLink
	err := r.Scan(&l.ID, &l.ChainCode, &l.Code, &l.NameZh, &l.NameEn, &l.IndustryCode, &l.Stage, &l.Note, &l.Source)
	return l, err
}

// ChainLinkByID reads a link.
func (db *DB) ChainLinkByID(ctx context.Context, id int64) (ChainLink, error) {
	l, err := scanChainLink(db.queryRow(ctx, "SELECT "+chainLinkColumns+" FROM chain_links WHERE id = ?", id))
	return l, notFound(err)
}
