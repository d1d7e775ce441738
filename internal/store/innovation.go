package store

import "context"

// This file holds the SQL of the innovation system (migration 0010): platforms, alliances
// and talent programmes, and the chain links and enterprises each serves.

// InnovationUnit is a platform, alliance or talent programme.
type InnovationUnit struct {
	ID          int64
	NameZh      string
	NameEn      string
	Category    string // platform, alliance, talent
	Level       string // national, provincial, city, or ""
	Status      string // proposed, building, operating
	Note        string
	Quote       string
	Source      string
	SortOrder   int
	Links       []ChainLink  // filled by InnovationUnits
	Enterprises []Enterprise // filled by InnovationUnits
}

const unitColumns = "id, name_zh, name_en, category, level, status, note, quote, source, sort_order"

func scanUnit(r rowScanner) (InnovationUnit, error) {
	var u InnovationUnit
	err := r.Scan(&u.ID, &u.NameZh, &u.NameEn, &u.Category, &u.Level, &u.Status, &u.Note, &u.Quote, &u.Source, &u.SortOrder)
	return u, err
}

// InsertInnovationUnit adds a unit and returns its id.
func (t *Tx) InsertInnovationUnit(ctx context.Context, u InnovationUnit) (int64, error) {
	return t.insertID(ctx, `INSERT INTO innovation_units(name_zh, name_en, category, level, status, note, quote, source, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.NameZh, u.NameEn, u.Category, u.Level, u.Status, u.Note, u.Quote, u.Source, u.SortOrder)
}

// UpdateInnovationUnit writes the mutable columns of u.
func (t *Tx) UpdateInnovationUnit(ctx context.Context, u InnovationUnit) error {
	_, err := t.exec(ctx, `UPDATE innovation_units SET name_en = ?, category = ?, level = ?, status = ?, note = ?, quote = ?, source = ?,
		sort_order = ? WHERE id = ?`, u.NameEn, u.Category, u.Level, u.Status, u.Note, u.Quote, u.Source, u.SortOrder, u.ID)
	return err
}

// InnovationUnitByName reads a unit by its Chinese name inside a write transaction.
func (t *Tx) InnovationUnitByName(ctx context.Context, name string) (InnovationUnit, error) {
	u, err := scanUnit(t.queryRow(ctx, "SELECT "+unitColumns+" FROM innovation_units WHERE name_zh = ?", name))
	return u, notFound(err)
}

// InnovationUnitByID reads a unit inside a write transaction.
func (t *Tx) InnovationUnitByID(ctx context.Context, id int64) (InnovationUnit, error) {
	u, err := scanUnit(t.queryRow(ctx, "SELECT "+unitColumns+" FROM innovation_units WHERE id = ?", id))
	return u, notFound(err)
}

// LinkUnitToChainLink records that a unit serves a chain link; it reports whether the
// pair is new.
func (t *Tx) LinkUnitToChainLink(ctx context.Context, unit, link int64) (bool, error) {
	res, err := t.exec(ctx, "INSERT INTO innovation_unit_links(unit_id, link_id) VALUES (?, ?) ON CONFLICT DO NOTHING", unit, link)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// LinkUnitToEnterprise records that a unit serves (or is formed by) an enterprise.
func (t *Tx) LinkUnitToEnterprise(ctx context.Context, unit, enterprise int64) (bool, error) {
	res, err := t.exec(ctx, "INSERT INTO innovation_unit_enterprises(unit_id, enterprise_id) VALUES (?, ?) ON CONFLICT DO NOTHING", unit, enterprise)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// InnovationUnits lists every unit with its chain links and enterprises.
func (db *DB) InnovationUnits(ctx context.Context) ([]InnovationUnit, error) {
	// Rows added by hand (sort_order 0) follow the dataset's ordered ones, newest last.
	units, err := all(ctx, db, scanUnit, "SELECT "+unitColumns+" FROM innovation_units ORDER BY CASE WHEN sort_order = 0 THEN 1 ELSE 0 END, sort_order, id")
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, u := range units {
		at[u.ID] = i
	}
	type linkRow struct {
		unit int64
		l    ChainLink
	}
	links, err := all(ctx, db, func(r rowScanner) (linkRow, error) {
		var x linkRow
		err := r.Scan(&x.unit, &x.l.ID, &x.l.ChainCode, &x.l.Code, &x.l.NameZh, &x.l.NameEn, &x.l.IndustryCode, &x.l.Stage, &x.l.Note, &x.l.Source)
		return x, err
	}, `SELECT u.unit_id, l.id, l.chain_code, l.code, l.name_zh, l.name_en, l.industry_code, l.stage, l.note, l.source
		FROM innovation_unit_links u JOIN chain_links l ON l.id = u.link_id ORDER BY u.unit_id, l.id`)
	if err != nil {
		return nil, err
	}
	for _, x := range links {
		units[at[x.unit]].Links = append(units[at[x.unit]].Links, x.l)
	}
	type entRow struct {
		unit int64
		e    Enterprise
	}
	ents, err := all(ctx, db, func(r rowScanner) (entRow, error) {
		var x entRow
		var c int64
		err := r.Scan(&x.unit, &x.e.ID, &x.e.NameZh, &x.e.NameEn, &x.e.USCC, &x.e.RegionCode, &x.e.Note, &x.e.Source, &c)
		return x, err
	}, `SELECT u.unit_id, e.id, e.name_zh, e.name_en, COALESCE(e.uscc, ''), COALESCE(e.region_code, ''), e.note, e.source, e.created_at
		FROM innovation_unit_enterprises u JOIN enterprises e ON e.id = u.enterprise_id ORDER BY u.unit_id, e.id`)
	if err != nil {
		return nil, err
	}
	for _, x := range ents {
		units[at[x.unit]].Enterprises = append(units[at[x.unit]].Enterprises, x.e)
	}
	return units, nil
}
