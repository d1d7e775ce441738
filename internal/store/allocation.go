package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"
)

// AllocRound is a supply allocation round.
type AllocRound struct {
	ID          int64
	Code        string
	Name        string
	LedgerID    int64
	PoolAccount string
	SupplyG     int64
	Status      string // draft, applied
	Note        string
	CreatedBy   string
	CreatedAt   time.Time
	AppliedAt   time.Time // zero until applied
	LedgerKey   string    // read only
}

// AllocTier names a tier of a round.
type AllocTier struct {
	Tier   int
	NameZh string
	NameEn string
}

// AllocRequest is an enterprise's request with its rules.
type AllocRequest struct {
	EnterpriseID   int64
	EnterpriseName string // read only
	Account        string
	Tier           int
	RequestedG     int64
	MinG           int64
	CapG           int64
	Reason         string
}

// AllocResult is what an applied round gave an enterprise.
type AllocResult struct {
	EnterpriseID int64
	GotG         int64
	TransferID   string
	Explanation  string
}

const roundColumns = `r.id, r.code, r.name, r.ledger_id, r.pool_account, r.supply_g, r.status, r.note, r.created_by, r.created_at,
	COALESCE(r.applied_at, 0), l.commodity, l.kind, l.year`

func scanRound(r rowScanner) (AllocRound, error) {
	var x AllocRound
	var c, a int64
	var com, kind string
	var year int
	err := r.Scan(&x.ID, &x.Code, &x.Name, &x.LedgerID, &x.PoolAccount, &x.SupplyG, &x.Status, &x.Note, &x.CreatedBy, &c, &a, &com, &kind, &year)
	x.CreatedAt = time.UnixMilli(c).UTC()
	if a != 0 {
		x.AppliedAt = time.UnixMilli(a).UTC()
	}
	x.LedgerKey = com + "/" + kind + "/" + strconv.Itoa(year)
	return x, err
}

// InsertAllocRound adds a round.
func (t *Tx) InsertAllocRound(ctx context.Context, x AllocRound) (int64, error) {
	return t.insertID(ctx, `INSERT INTO alloc_rounds(code, name, ledger_id, pool_account, supply_g, status, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?)`, x.Code, x.Name, x.LedgerID, x.PoolAccount, x.SupplyG, x.Note, x.CreatedBy, x.CreatedAt.UnixMilli())
}

// AllocRoundByID reads a round inside a write transaction, locking it on PostgreSQL so
// that two applications of one round cannot both pass the status check.
func (t *Tx) AllocRoundByID(ctx context.Context, id int64) (AllocRound, error) {
	q := "SELECT " + roundColumns + " FROM alloc_rounds r JOIN ledger_ledgers l ON l.id = r.ledger_id WHERE r.id = ?"
	if t.d == Postgres {
		q += " FOR UPDATE OF r"
	}
	x, err := scanRound(t.queryRow(ctx, q, id))
	return x, notFound(err)
}

// AllocRoundByID reads a round.
func (db *DB) AllocRoundByID(ctx context.Context, id int64) (AllocRound, error) {
	x, err := scanRound(db.queryRow(ctx, "SELECT "+roundColumns+" FROM alloc_rounds r JOIN ledger_ledgers l ON l.id = r.ledger_id WHERE r.id = ?", id))
	return x, notFound(err)
}

// AllocRounds lists every round, newest first.
func (db *DB) AllocRounds(ctx context.Context) ([]AllocRound, error) {
	return all(ctx, db, scanRound, "SELECT "+roundColumns+" FROM alloc_rounds r JOIN ledger_ledgers l ON l.id = r.ledger_id ORDER BY r.id DESC")
}

// MarkAllocRoundApplied sets a round applied.
func (t *Tx) MarkAllocRoundApplied(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE alloc_rounds SET status = 'applied', applied_at = ? WHERE id = ?", at.UnixMilli(), id)
	return err
}

// ReplaceAllocRules replaces a round's tiers and requests.
func (t *Tx) ReplaceAllocRules(ctx context.Context, roundID int64, tiers []AllocTier, reqs []AllocRequest) error {
	for _, q := range []string{"DELETE FROM alloc_requests WHERE round_id = ?", "DELETE FROM alloc_tiers WHERE round_id = ?"} {
		if _, err := t.exec(ctx, q, roundID); err != nil {
			return err
		}
	}
	for _, x := range tiers {
		if _, err := t.exec(ctx, "INSERT INTO alloc_tiers(round_id, tier, name_zh, name_en) VALUES (?, ?, ?, ?)", roundID, x.Tier, x.NameZh, x.NameEn); err != nil {
			return err
		}
	}
	for _, x := range reqs {
		if _, err := t.exec(ctx, `INSERT INTO alloc_requests(round_id, enterprise_id, account, tier, requested_g, min_g, cap_g, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, roundID, x.EnterpriseID, x.Account, x.Tier, x.RequestedG, x.MinG, x.CapG, x.Reason); err != nil {
			return err
		}
	}
	return nil
}

func scanAllocRequest(r rowScanner) (AllocRequest, error) {
	var x AllocRequest
	err := r.Scan(&x.EnterpriseID, &x.EnterpriseName, &x.Account, &x.Tier, &x.RequestedG, &x.MinG, &x.CapG, &x.Reason)
	return x, err
}

const allocRequestQuery = `SELECT q.enterprise_id, e.name_zh, q.account, q.tier, q.requested_g, q.min_g, q.cap_g, q.reason
	FROM alloc_requests q JOIN enterprises e ON e.id = q.enterprise_id WHERE q.round_id = ? ORDER BY q.tier, q.enterprise_id`

// AllocRules reads a round's tiers and requests.
func (db *DB) AllocRules(ctx context.Context, roundID int64) ([]AllocTier, []AllocRequest, error) {
	tiers, err := all(ctx, db, func(r rowScanner) (AllocTier, error) {
		var x AllocTier
		err := r.Scan(&x.Tier, &x.NameZh, &x.NameEn)
		return x, err
	}, "SELECT tier, name_zh, name_en FROM alloc_tiers WHERE round_id = ? ORDER BY tier", roundID)
	if err != nil {
		return nil, nil, err
	}
	reqs, err := all(ctx, db, scanAllocRequest, allocRequestQuery, roundID)
	return tiers, reqs, err
}

// AllocRequests reads a round's requests inside a write transaction.
func (t *Tx) AllocRequests(ctx context.Context, roundID int64) ([]AllocRequest, error) {
	return all(ctx, t, scanAllocRequest, allocRequestQuery, roundID)
}

// InsertAllocResults records an applied round's results.
func (t *Tx) InsertAllocResults(ctx context.Context, roundID int64, rs []AllocResult) error {
	for _, x := range rs {
		var tid any
		if x.TransferID != "" {
			tid = x.TransferID
		}
		if _, err := t.exec(ctx, "INSERT INTO alloc_results(round_id, enterprise_id, got_g, transfer_id, explanation) VALUES (?, ?, ?, ?, ?)",
			roundID, x.EnterpriseID, x.GotG, tid, x.Explanation); err != nil {
			return err
		}
	}
	return nil
}

// AllocResults reads an applied round's results.
func (db *DB) AllocResults(ctx context.Context, roundID int64) ([]AllocResult, error) {
	return all(ctx, db, func(r rowScanner) (AllocResult, error) {
		var x AllocResult
		var tid sql.NullString
		err := r.Scan(&x.EnterpriseID, &x.GotG, &tid, &x.Explanation)
		x.TransferID = tid.String
		return x, err
	}, "SELECT enterprise_id, got_g, transfer_id, explanation FROM alloc_results WHERE round_id = ? ORDER BY enterprise_id", roundID)
}

// AllocTiers reads a round's tiers inside a write transaction.
func (t *Tx) AllocTiers(ctx context.Context, roundID int64) ([]AllocTier, error) {
	return all(ctx, t, func(r rowScanner) (AllocTier, error) {
		var x AllocTier
		err := r.Scan(&x.Tier, &x.NameZh, &x.NameEn)
		return x, err
	}, "SELECT tier, name_zh, name_en FROM alloc_tiers WHERE round_id = ? ORDER BY tier", roundID)
}
