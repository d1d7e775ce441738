package store

import (
	"context"
)

// Counts of current facts per region × period, by status, kept on write (table
// region_period_counts, migration 0008) so that the approvals list never counts facts.
// The stats use cases change them in the same transaction as the facts they count.

// PairCounts are the counts of one region's period, or changes to them.
type PairCounts struct {
	Region, Period                        string
	Draft, Submitted, Approved, Published int64
}

// Count adds (sign +1) or removes (sign −1) one current fact of the given status; a
// region-level (enterprise 0) approved fact is also published.
func (c *PairCounts) Count(status string, enterpriseID int64, sign int64) {
	switch status {
	case "draft":
		c.Draft += sign
	case "submitted":
		c.Submitted += sign
	case "approved":
		c.Approved += sign
		if enterpriseID == 0 {
			c.Published += sign
		}
	}
}

func (c PairCounts) zero() bool {
	return c.Draft == 0 && c.Submitted == 0 && c.Approved == 0 && c.Published == 0
}

// AddRegionPeriodCounts adds each change to its pair's counts, creating rows as needed.
func (t *Tx) AddRegionPeriodCounts(ctx context.Context, cs []PairCounts) error {
	live := cs[:0:0]
	for _, c := range cs {
		if !c.zero() {
			live = append(live, c)
		}
	}
	const cols, chunk = 6, 500
	for i := 0; i < len(live); i += chunk {
		part := live[i:min(i+chunk, len(live))]
		args := make([]any, 0, len(part)*cols)
		for _, c := range part {
			args = append(args, c.Region, c.Period, c.Draft, c.Submitted, c.Approved, c.Published)
		}
		if _, err := t.exec(ctx, `INSERT INTO region_period_counts(region_code, period, draft_n, submitted_n, approved_n, published_n)
			VALUES `+valuesList(len(part), cols)+` ON CONFLICT (region_code, period) DO UPDATE SET
			draft_n = region_period_counts.draft_n + excluded.draft_n,
			submitted_n = region_period_counts.submitted_n + excluded.submitted_n,
			approved_n = region_period_counts.approved_n + excluded.approved_n,
			published_n = region_period_counts.published_n + excluded.published_n`, args...); err != nil {
			return err
		}
	}
	return nil
}

// RegionPeriodCounts returns the stored counts of every pair that has any.
func (db *DB) RegionPeriodCounts(ctx context.Context) (map[[2]string]PairCounts, error) {
	return db.pairCounts(ctx, `SELECT region_code, period, draft_n, submitted_n, approved_n, published_n FROM region_period_counts
		WHERE draft_n <> 0 OR submitted_n <> 0 OR approved_n <> 0 OR published_n <> 0`)
}

// RecountRegionPeriods counts fact_current afresh, for checking the stored counts.
func (db *DB) RecountRegionPeriods(ctx context.Context) (map[[2]string]PairCounts, error) {
	return db.pairCounts(ctx, `SELECT region_code, period,
		SUM(CASE WHEN status = 'draft' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'approved' AND enterprise_id = 0 THEN 1 ELSE 0 END)
		FROM fact_current GROUP BY region_code, period`)
}

func (db *DB) pairCounts(ctx context.Context, q string) (map[[2]string]PairCounts, error) {
	rows, err := db.query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]PairCounts{}
	for rows.Next() {
		var c PairCounts
		if err := rows.Scan(&c.Region, &c.Period, &c.Draft, &c.Submitted, &c.Approved, &c.Published); err != nil {
			return nil, err
		}
		out[[2]string{c.Region, c.Period}] = c
	}
	return out, rows.Err()
}
