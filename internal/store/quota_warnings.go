package store

import "context"

// OverQuota is an enterprise's over-quota production in one commodity and year, summed
// over its reports in every ledger of that commodity and year.
type OverQuota struct {
	EnterpriseID   int64
	EnterpriseName string
	Reports        int
	OverG          int64
}

const overQuotaSQL = `SELECT q.enterprise_id, e.name_zh, COUNT(*), SUM(q.over_g) FROM quota_reports q
	JOIN ledger_ledgers l ON l.id = q.ledger_id JOIN enterprises e ON e.id = q.enterprise_id
	WHERE q.enterprise_id = ? AND l.commodity = ? AND l.year = ? AND q.over_g > 0 GROUP BY q.enterprise_id, e.name_zh`

func scanOverQuota(r rowScanner) (OverQuota, error) {
	var o OverQuota
	err := r.Scan(&o.EnterpriseID, &o.EnterpriseName, &o.Reports, &o.OverG)
	return o, err
}

// OverQuotaTx reads an enterprise's over-quota production of a commodity and year inside
// a write transaction (a grant checks it); ok is false when there was none.
func (t *Tx) OverQuotaTx(ctx context.Context, enterprise int64, commodity string, year int) (OverQuota, bool, error) {
	rows, err := all(ctx, t, scanOverQuota, overQuotaSQL, enterprise, commodity, year)
	if err != nil || len(rows) == 0 {
		return OverQuota{}, false, err
	}
	return rows[0], true, nil
}

// OverQuota reads an enterprise's over-quota production of a commodity and year.
func (db *DB) OverQuota(ctx context.Context, enterprise int64, commodity string, year int) (OverQuota, bool, error) {
	rows, err := all(ctx, db, scanOverQuota, overQuotaSQL, enterprise, commodity, year)
	if err != nil || len(rows) == 0 {
		return OverQuota{}, false, err
	}
	return rows[0], true, nil
}

// EnterpriseIndustries returns an enterprise's industries: those assigned to it and those
// of its own facts (as the chain module reads them).
func (db *DB) EnterpriseIndustries(ctx context.Context, ent int64) ([]string, error) {
	return all(ctx, db, func(r rowScanner) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, `SELECT industry_code FROM enterprise_industries WHERE enterprise_id = ?
		UNION SELECT industry_code FROM fact_current WHERE enterprise_id = ? ORDER BY 1`, ent, ent)
}
