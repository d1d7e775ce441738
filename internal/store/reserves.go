package store

import (
	"context"
	"database/sql"
	"time"
)

// Strategic reserves: depots, partner shares, stock cards (one ledger account per depot ×
// product) and the operations' records. The stock itself lives in the ledger.

// ReserveDepot is a 储备矿区 (in_ground, on a deposit) or a 实物储备库 (physical, run by an
// operator enterprise).
type ReserveDepot struct {
	ID         int64
	Code       string
	NameZh     string
	NameEn     string
	Kind       string
	RegionCode string
	OperatorID int64
	DepositID  int64
	Source     string
	Note       string
	CreatedBy  string
	CreatedAt  time.Time
	// read only: from joins
	RegionName   string
	OperatorName string
	DepositCode  string
	DepositName  string
}

const depotColumns = `d.id, d.code, d.name_zh, d.name_en, d.kind, d.region_code, d.operator_id, d.deposit_id, d.source, d.note,
	d.created_by, d.created_at, g.name_zh, e.name_zh, x.code, x.name_zh`

const depotFrom = `reserve_depots d JOIN regions g ON g.code = d.region_code LEFT JOIN enterprises e ON e.id = d.operator_id
	LEFT JOIN res_deposits x ON x.id = d.deposit_id`

func scanDepot(r rowScanner) (ReserveDepot, error) {
	var d ReserveDepot
	var op, dep sql.NullInt64
	var on, dc, dn sql.NullString
	var c int64
	err := r.Scan(&d.ID, &d.Code, &d.NameZh, &d.NameEn, &d.Kind, &d.RegionCode, &op, &dep, &d.Source, &d.Note, &d.CreatedBy, &c,
		&d.RegionName, &on, &dc, &dn)
	d.OperatorID, d.DepositID = op.Int64, dep.Int64
	d.OperatorName, d.DepositCode, d.DepositName = on.String, dc.String, dn.String
	d.CreatedAt = time.UnixMilli(c).UTC()
	return d, err
}

// rowQuerier reads one row: the read pool (*DB) or a write transaction (*Tx).
type rowQuerier interface {
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
}

func depotByID(ctx context.Context, on rowQuerier, id int64) (ReserveDepot, error) {
	d, err := scanDepot(on.queryRow(ctx, "SELECT "+depotColumns+" FROM "+depotFrom+" WHERE d.id = ?", id))
	return d, notFound(err)
}

// ReserveDepotByID reads a depot.
func (db *DB) ReserveDepotByID(ctx context.Context, id int64) (ReserveDepot, error) {
	return depotByID(ctx, db, id)
}

// ReserveDepotByID reads a depot inside a write transaction.
func (t *Tx) ReserveDepotByID(ctx context.Context, id int64) (ReserveDepot, error) {
	return depotByID(ctx, t, id)
}

// ReserveDepotByCode reads a depot by its code inside a write transaction.
func (t *Tx) ReserveDepotByCode(ctx context.Context, code string) (ReserveDepot, error) {
	d, err := scanDepot(t.queryRow(ctx, "SELECT "+depotColumns+" FROM "+depotFrom+" WHERE d.code = ?", code))
	return d, notFound(err)
}

// InsertReserveDepot adds a depot.
func (t *Tx) InsertReserveDepot(ctx context.Context, d ReserveDepot) (int64, error) {
	return t.insertID(ctx, `INSERT INTO reserve_depots(code, name_zh, name_en, kind, region_code, operator_id, deposit_id, source, note,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.Code, d.NameZh, d.NameEn, d.Kind, d.RegionCode,
		nullInt(d.OperatorID), nullInt(d.DepositID), d.Source, d.Note, d.CreatedBy, d.CreatedAt.UnixMilli())
}

// ReserveDepots lists the depots, all of them (enterpriseID 0) or those an enterprise
// operates or holds a share of.
func (db *DB) ReserveDepots(ctx context.Context, enterpriseID int64) ([]ReserveDepot, error) {
	q := "SELECT " + depotColumns + " FROM " + depotFrom
	var args []any
	if enterpriseID != 0 {
		q += " WHERE d.operator_id = ? OR EXISTS (SELECT 1 FROM reserve_shares s WHERE s.depot_id = d.id AND s.enterprise_id = ?)"
		args = append(args, enterpriseID, enterpriseID)
	}
	return all(ctx, db, scanDepot, q+" ORDER BY d.code", args...)
}

// ReserveShare is a partner's share of a depot, in millionths.
type ReserveShare struct {
	DepotID      int64
	Partner      string // "R:<region code>" or "E:<enterprise id>"
	RegionCode   string
	EnterpriseID int64
	SharePPM     int64
	Note         string
	PartnerName  string // read only
}

func scanShare(r rowScanner) (ReserveShare, error) {
	var s ReserveShare
	var rc, gn, en sql.NullString
	var e sql.NullInt64
	err := r.Scan(&s.DepotID, &s.Partner, &rc, &e, &s.SharePPM, &s.Note, &gn, &en)
	s.RegionCode, s.EnterpriseID = rc.String, e.Int64
	s.PartnerName = gn.String + en.String
	return s, err
}

// ReserveShares lists a depot's partner shares, largest first.
func (db *DB) ReserveShares(ctx context.Context, depotID int64) ([]ReserveShare, error) {
	return all(ctx, db, scanShare, `SELECT s.depot_id, s.partner, s.region_code, s.enterprise_id, s.share_ppm, s.note, g.name_zh, e.name_zh
		FROM reserve_shares s LEFT JOIN regions g ON g.code = s.region_code LEFT JOIN enterprises e ON e.id = s.enterprise_id
		WHERE s.depot_id = ? ORDER BY s.share_ppm DESC, s.partner`, depotID)
}

// ReplaceReserveShares sets a depot's partner shares.
func (t *Tx) ReplaceReserveShares(ctx context.Context, depotID int64, ss []ReserveShare) error {
	if _, err := t.exec(ctx, "DELETE FROM reserve_shares WHERE depot_id = ?", depotID); err != nil {
		return err
	}
	for _, s := range ss {
		if _, err := t.exec(ctx, `INSERT INTO reserve_shares(depot_id, partner, region_code, enterprise_id, share_ppm, note)
			VALUES (?, ?, ?, ?, ?, ?)`, depotID, s.Partner, nullStr(s.RegionCode), nullInt(s.EnterpriseID), s.SharePPM, s.Note); err != nil {
			return err
		}
	}
	return nil
}

// ReserveStock is a stock card: the ledger account of one product in one depot, with its
// current balances.
type ReserveStock struct {
	DepotID       int64
	Product       string
	AccountID     int64
	AccountCode   string
	ProductName   string
	ProductNameEn string
	ProductUnit   string
	CreditsPosted int64
	DebitsPosted  int64
	DebitsPending int64
}

// Balance is the stock on hand: received less issued.
func (s ReserveStock) Balance() int64 { return s.CreditsPosted - s.DebitsPosted }

const stockSelect = `SELECT k.depot_id, k.product, k.account_id, a.code, p.name_zh, p.name_en, p.unit_zh, a.credits_posted, a.debits_posted,
	a.debits_pending FROM reserve_stock k JOIN ledger_accounts a ON a.id = k.account_id JOIN res_products p ON p.code = k.product`

func scanStock(r rowScanner) (ReserveStock, error) {
	var s ReserveStock
	err := r.Scan(&s.DepotID, &s.Product, &s.AccountID, &s.AccountCode, &s.ProductName, &s.ProductNameEn, &s.ProductUnit,
		&s.CreditsPosted, &s.DebitsPosted, &s.DebitsPending)
	return s, err
}

// ReserveStocks lists a depot's stock cards.
func (db *DB) ReserveStocks(ctx context.Context, depotID int64) ([]ReserveStock, error) {
	return all(ctx, db, scanStock, stockSelect+" WHERE k.depot_id = ? ORDER BY p.sort_order, k.product", depotID)
}

// ReserveStock reads one stock card.
func (db *DB) ReserveStock(ctx context.Context, depotID int64, product string) (ReserveStock, error) {
	s, err := scanStock(db.queryRow(ctx, stockSelect+" WHERE k.depot_id = ? AND k.product = ?", depotID, product))
	return s, notFound(err)
}

// ReserveStock reads one stock card inside a write transaction.
func (t *Tx) ReserveStock(ctx context.Context, depotID int64, product string) (ReserveStock, error) {
	s, err := scanStock(t.queryRow(ctx, stockSelect+" WHERE k.depot_id = ? AND k.product = ?", depotID, product))
	return s, notFound(err)
}

// InsertReserveStock links a depot × product to its ledger account.
func (t *Tx) InsertReserveStock(ctx context.Context, depotID int64, product string, accountID int64) error {
	_, err := t.exec(ctx, "INSERT INTO reserve_stock(depot_id, product, account_id) VALUES (?, ?, ?)", depotID, product, accountID)
	return err
}

// InGroundReserved is the tonnage of a deposit now held in in-ground depots.
func (t *Tx) InGroundReserved(ctx context.Context, depositID int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(SUM(a.credits_posted - a.debits_posted), 0) FROM reserve_stock k
		JOIN reserve_depots d ON d.id = k.depot_id JOIN ledger_accounts a ON a.id = k.account_id WHERE d.deposit_id = ?`, depositID).Scan(&n)
	return n, err
}

// ReserveLedger finds a product's reserve ledger (there is at most one: package reserve
// opens it under LockProduct).
func (t *Tx) ReserveLedger(ctx context.Context, product string) (Ledger, error) {
	l, err := scanLedger(t.queryRow(ctx, "SELECT "+ledgerColumns+" FROM ledger_ledgers WHERE commodity = ? AND kind = 'reserve' ORDER BY year LIMIT 1", product))
	return l, notFound(err)
}

// LockProduct serialises, on PostgreSQL, the transactions opening a product's reserve
// ledger, whose uniqueness (one per product, whatever the year) no constraint states.
// SQLite's write transactions are already exclusive.
func (t *Tx) LockProduct(ctx context.Context, code string) error {
	if t.d != Postgres {
		return nil
	}
	_, err := t.exec(ctx, "SELECT code FROM res_products WHERE code = ? FOR UPDATE", code)
	return err
}

// ReserveOp is an operation's record.
type ReserveOp struct {
	ID           int64
	DepotID      int64
	Product      string
	Kind         string
	EnterpriseID int64
	InG          int64
	OutG         int64
	OpDate       string
	DocNo        string
	Reason       string
	TransferIDs  string
	CreatedBy    string
	CreatedAt    time.Time
	// read only
	EnterpriseName string
}

// InsertReserveOp records an operation.
func (t *Tx) InsertReserveOp(ctx context.Context, o ReserveOp) (int64, error) {
	return t.insertID(ctx, `INSERT INTO reserve_ops(depot_id, product, kind, enterprise_id, in_g, out_g, op_date, doc_no, reason,
		transfer_ids, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.DepotID, o.Product, o.Kind,
		nullInt(o.EnterpriseID), o.InG, o.OutG, o.OpDate, o.DocNo, o.Reason, o.TransferIDs, o.CreatedBy, o.CreatedAt.UnixMilli())
}

func scanOp(r rowScanner) (ReserveOp, error) {
	var o ReserveOp
	var e sql.NullInt64
	var en sql.NullString
	var c int64
	err := r.Scan(&o.ID, &o.DepotID, &o.Product, &o.Kind, &e, &o.InG, &o.OutG, &o.OpDate, &o.DocNo, &o.Reason, &o.TransferIDs,
		&o.CreatedBy, &c, &en)
	o.EnterpriseID, o.EnterpriseName, o.CreatedAt = e.Int64, en.String, time.UnixMilli(c).UTC()
	return o, err
}

// ReserveOps lists a depot's operations, of one product or all (""), oldest first.
func (db *DB) ReserveOps(ctx context.Context, depotID int64, product string) ([]ReserveOp, error) {
	q := `SELECT o.id, o.depot_id, o.product, o.kind, o.enterprise_id, o.in_g, o.out_g, o.op_date, o.doc_no, o.reason, o.transfer_ids,
		o.created_by, o.created_at, e.name_zh FROM reserve_ops o LEFT JOIN enterprises e ON e.id = o.enterprise_id WHERE o.depot_id = ?`
	args := []any{depotID}
	if product != "" {
		q += " AND o.product = ?"
		args = append(args, product)
	}
	return all(ctx, db, scanOp, q+" ORDER BY o.id", args...)
}
