package store

import (
	"context"
	"database/sql"
	"time"
)

// Product is a mineral or a product with its base unit and oxide content. OxidePPM is nil
// when no source gives the content.
type Product struct {
	Code      string
	NameZh    string
	NameEn    string
	Kind      string // mineral, product
	Commodity string // the ledger commodity it counts against, "" none
	UnitZh    string
	UnitEn    string
	Oxide     string
	OxidePPM  *int64
	Basis     string
	Source    string
	SortOrder int
}

const productColumns = "code, name_zh, name_en, kind, commodity, unit_zh, unit_en, oxide, oxide_ppm, basis, source, sort_order"

func scanProduct(r rowScanner) (Product, error) {
	var p Product
	var ox sql.NullInt64
	err := r.Scan(&p.Code, &p.NameZh, &p.NameEn, &p.Kind, &p.Commodity, &p.UnitZh, &p.UnitEn, &p.Oxide, &ox, &p.Basis, &p.Source, &p.SortOrder)
	p.OxidePPM = ptrOf(ox)
	return p, err
}

// ProductByCode reads a product inside a write transaction.
func (t *Tx) ProductByCode(ctx context.Context, code string) (Product, error) {
	p, err := scanProduct(t.queryRow(ctx, "SELECT "+productColumns+" FROM res_products WHERE code = ?", code))
	return p, notFound(err)
}

// UpsertProduct inserts or replaces a product.
func (t *Tx) UpsertProduct(ctx context.Context, p Product) error {
	_, err := t.exec(ctx, `INSERT INTO res_products(`+productColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind,
		commodity = excluded.commodity, unit_zh = excluded.unit_zh, unit_en = excluded.unit_en, oxide = excluded.oxide,
		oxide_ppm = excluded.oxide_ppm, basis = excluded.basis, source = excluded.source, sort_order = excluded.sort_order`,
		p.Code, p.NameZh, p.NameEn, p.Kind, p.Commodity, p.UnitZh, p.UnitEn, p.Oxide, nullPtr(p.OxidePPM), p.Basis, p.Source, p.SortOrder)
	return err
}

var productList = listSpec{
	from:        "res_products",
	columns:     productColumns,
	sorts:       map[string]string{"code": "code", "name": "name_zh", "kind": "kind", "oxide": "oxide"},
	defaultSort: "sort_order",
	filterCols:  []string{"code", "name_zh", "name_en", "oxide"},
	tiebreak:    "code",
}

// ListProducts lists minerals and products.
func (db *DB) ListProducts(ctx context.Context, q ListQuery) (Page[Product], error) {
	return list(ctx, db, productList, q, nil, nil, scanProduct)
}

// Deposit is a deposit, or a region's total where a source gives only that. Reserves are
// grams of the mineral's base unit; nil is "not known".
type Deposit struct {
	ID              int64
	Code            string
	NameZh          string
	NameEn          string
	RegionCode      string
	Mineral         string
	Type            string
	ProvenG         *int64
	RemainingG      *int64
	GradePPM        *int64
	NationalShareBP *int64
	ShareQualifier  string
	Source          string
	SourceStatus    string
	Quote           string
	Note            string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// read only: from joins
	MineralName string
	MineralUnit string
	RegionName  string
}

const depositColumns = `d.id, d.code, d.name_zh, d.name_en, d.region_code, d.mineral, d.deposit_type, d.proven_g, d.remaining_g,
	d.grade_ppm, d.national_share_bp, d.share_qualifier, d.source, d.source_status, d.quote, d.note, d.created_at, d.updated_at,
	p.name_zh, p.unit_zh, g.name_zh`

const depositFrom = "res_deposits d JOIN res_products p ON p.code = d.mineral JOIN regions g ON g.code = d.region_code"

func scanDeposit(r rowScanner) (Deposit, error) {
	var d Deposit
	var pr, rem, gr, sh sql.NullInt64
	var c, u int64
	err := r.Scan(&d.ID, &d.Code, &d.NameZh, &d.NameEn, &d.RegionCode, &d.Mineral, &d.Type, &pr, &rem, &gr, &sh, &d.ShareQualifier,
		&d.Source, &d.SourceStatus, &d.Quote, &d.Note, &c, &u, &d.MineralName, &d.MineralUnit, &d.RegionName)
	d.ProvenG, d.RemainingG, d.GradePPM, d.NationalShareBP = ptrOf(pr), ptrOf(rem), ptrOf(gr), ptrOf(sh)
	d.CreatedAt, d.UpdatedAt = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
	return d, err
}

// DepositByCode reads a deposit inside a write transaction.
func (t *Tx) DepositByCode(ctx context.Context, code string) (Deposit, error) {
	d, err := scanDeposit(t.queryRow(ctx, "SELECT "+depositColumns+" FROM "+depositFrom+" WHERE d.code = ?", code))
	return d, notFound(err)
}

// DepositByID reads a deposit.
func (db *DB) DepositByID(ctx context.Context, id int64) (Deposit, error) {
	d, err := scanDeposit(db.queryRow(ctx, "SELECT "+depositColumns+" FROM "+depositFrom+" WHERE d.id = ?", id))
	return d, notFound(err)
}

// InsertDeposit adds a deposit.
func (t *Tx) InsertDeposit(ctx context.Context, d Deposit) (int64, error) {
	return t.insertID(ctx, `INSERT INTO res_deposits(code, name_zh, name_en, region_code, mineral, deposit_type, proven_g, remaining_g,
		grade_ppm, national_share_bp, share_qualifier, source, source_status, quote, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Code, d.NameZh, d.NameEn, d.RegionCode, d.Mineral, d.Type, nullPtr(d.ProvenG), nullPtr(d.RemainingG), nullPtr(d.GradePPM),
		nullPtr(d.NationalShareBP), d.ShareQualifier, d.Source, d.SourceStatus, d.Quote, d.Note, d.CreatedAt.UnixMilli(), d.UpdatedAt.UnixMilli())
}

// UpdateDeposit rewrites a deposit's mutable columns (by id).
func (t *Tx) UpdateDeposit(ctx context.Context, d Deposit) error {
	_, err := t.exec(ctx, `UPDATE res_deposits SET name_zh = ?, name_en = ?, region_code = ?, mineral = ?, deposit_type = ?,
		proven_g = ?, remaining_g = ?, grade_ppm = ?, national_share_bp = ?, share_qualifier = ?, source = ?, source_status = ?,
		quote = ?, note = ?, updated_at = ? WHERE id = ?`,
		d.NameZh, d.NameEn, d.RegionCode, d.Mineral, d.Type, nullPtr(d.ProvenG), nullPtr(d.RemainingG), nullPtr(d.GradePPM),
		nullPtr(d.NationalShareBP), d.ShareQualifier, d.Source, d.SourceStatus, d.Quote, d.Note, d.UpdatedAt.UnixMilli(), d.ID)
	return err
}

var depositList = listSpec{
	from:    depositFrom,
	columns: depositColumns,
	sorts: map[string]string{"code": "d.code", "name": "d.name_zh", "region": "d.region_code", "mineral": "d.mineral",
		"type": "d.deposit_type", "proven": "d.proven_g", "remaining": "d.remaining_g"},
	defaultSort: "d.code",
	filterCols:  []string{"d.code", "d.name_zh", "d.name_en", "d.mineral", "g.name_zh", "d.source"},
	tiebreak:    "d.id",
}

// ListDeposits lists deposits.
func (db *DB) ListDeposits(ctx context.Context, q ListQuery) (Page[Deposit], error) {
	return list(ctx, db, depositList, q, nil, nil, scanDeposit)
}

// DepositElement is one element's share of a deposit's rare earth oxide, with its source.
type DepositElement struct {
	DepositID int64
	Element   string
	SharePPM  int64
	Source    string
	Quote     string
}

// ReplaceDepositElements replaces a deposit's element distribution.
func (t *Tx) ReplaceDepositElements(ctx context.Context, depositID int64, es []DepositElement) error {
	if _, err := t.exec(ctx, "DELETE FROM res_deposit_elements WHERE deposit_id = ?", depositID); err != nil {
		return err
	}
	for _, e := range es {
		if _, err := t.exec(ctx, "INSERT INTO res_deposit_elements(deposit_id, element, share_ppm, source, quote) VALUES (?, ?, ?, ?, ?)",
			depositID, e.Element, e.SharePPM, e.Source, e.Quote); err != nil {
			return err
		}
	}
	return nil
}

// DepositElements lists a deposit's element distribution.
func (db *DB) DepositElements(ctx context.Context, depositID int64) ([]DepositElement, error) {
	return all(ctx, db, func(r rowScanner) (DepositElement, error) {
		var e DepositElement
		err := r.Scan(&e.DepositID, &e.Element, &e.SharePPM, &e.Source, &e.Quote)
		return e, err
	}, "SELECT deposit_id, element, share_ppm, source, quote FROM res_deposit_elements WHERE deposit_id = ? ORDER BY share_ppm DESC, element", depositID)
}

// Right is an exploration or mining right. Dates are YYYY-MM-DD.
type Right struct {
	ID                    int64
	PermitNo              string
	Kind                  string
	HolderID              int64
	HolderStateControlled bool
	DepositID             int64 // 0: none recorded
	AreaM2                *int64
	GrantedOn             string
	ValidFrom             string
	ValidTo               string
	CapacityG             *int64
	Status                string
	Source                string
	Note                  string
	CreatedAt             time.Time
	UpdatedAt             time.Time
	// read only
	HolderName  string
	DepositName string
	Commodity   string // of the deposit's mineral, "" when no deposit
	// LastReport is the period of the holder's latest production report in the deposit's
	// commodity ("" none): what the idle flag is computed from.
	LastReport string
}

const rightColumns = `r.id, r.permit_no, r.kind, r.holder_id, r.holder_state_controlled, COALESCE(r.deposit_id, 0), r.area_m2,
	r.granted_on, r.valid_from, r.valid_to, r.capacity_g, r.status, r.source, r.note, r.created_at, r.updated_at,
	e.name_zh, COALESCE(d.name_zh, ''), COALESCE(p.commodity, ''),
	COALESCE((SELECT MAX(q.period) FROM quota_reports q JOIN ledger_ledgers l ON l.id = q.ledger_id
		WHERE q.enterprise_id = r.holder_id AND l.commodity = p.commodity), '')`

const rightFrom = `res_rights r JOIN enterprises e ON e.id = r.holder_id LEFT JOIN res_deposits d ON d.id = r.deposit_id
	LEFT JOIN res_products p ON p.code = d.mineral`

func scanRight(r rowScanner) (Right, error) {
	var x Right
	var area, capG sql.NullInt64
	var sc int
	var c, u int64
	err := r.Scan(&x.ID, &x.PermitNo, &x.Kind, &x.HolderID, &sc, &x.DepositID, &area, &x.GrantedOn, &x.ValidFrom, &x.ValidTo,
		&capG, &x.Status, &x.Source, &x.Note, &c, &u, &x.HolderName, &x.DepositName, &x.Commodity, &x.LastReport)
	x.HolderStateControlled = sc == 1
	x.AreaM2, x.CapacityG = ptrOf(area), ptrOf(capG)
	x.CreatedAt, x.UpdatedAt = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
	return x, err
}

// RightByPermit reads a right inside a write transaction.
func (t *Tx) RightByPermit(ctx context.Context, permit string) (Right, error) {
	x, err := scanRight(t.queryRow(ctx, "SELECT "+rightColumns+" FROM "+rightFrom+" WHERE r.permit_no = ?", permit))
	return x, notFound(err)
}

// RightByID reads a right.
func (db *DB) RightByID(ctx context.Context, id int64) (Right, error) {
	x, err := scanRight(db.queryRow(ctx, "SELECT "+rightColumns+" FROM "+rightFrom+" WHERE r.id = ?", id))
	return x, notFound(err)
}

// InsertRight adds a right.
func (t *Tx) InsertRight(ctx context.Context, x Right) (int64, error) {
	return t.insertID(ctx, `INSERT INTO res_rights(permit_no, kind, holder_id, holder_state_controlled, deposit_id, area_m2, granted_on,
		valid_from, valid_to, capacity_g, status, source, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		x.PermitNo, x.Kind, x.HolderID, b2i(x.HolderStateControlled), nullInt(x.DepositID), nullPtr(x.AreaM2), x.GrantedOn,
		x.ValidFrom, x.ValidTo, nullPtr(x.CapacityG), x.Status, x.Source, x.Note, x.CreatedAt.UnixMilli(), x.UpdatedAt.UnixMilli())
}

// RightFilter limits a list of rights; HolderID 0 is every holder.
type RightFilter struct{ HolderID int64 }

var rightList = listSpec{
	from:    rightFrom,
	columns: rightColumns,
	sorts: map[string]string{"permit": "r.permit_no", "kind": "r.kind", "holder": "e.name_zh", "valid_to": "r.valid_to",
		"status": "r.status", "granted_on": "r.granted_on"},
	defaultSort: "r.permit_no",
	filterCols:  []string{"r.permit_no", "e.name_zh", "d.name_zh", "r.note"},
	tiebreak:    "r.id",
}

// ListRights lists rights.
func (db *DB) ListRights(ctx context.Context, f RightFilter, q ListQuery) (Page[Right], error) {
	var conds []string
	var args []any
	if f.HolderID != 0 {
		conds, args = []string{"r.holder_id = ?"}, []any{f.HolderID}
	}
	return list(ctx, db, rightList, q, conds, args, scanRight)
}
