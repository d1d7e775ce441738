package store

import (
	"context"
	"database/sql"
)

// PreviousPeriod returns the latest period of indicator before period with any current
// value, "" if none: the default base of a shift-share split.
func (db *DB) PreviousPeriod(ctx context.Context, indicator, period string) (string, error) {
	var p sql.NullString
	err := db.queryRow(ctx, "SELECT MAX(period) FROM fact_current WHERE indicator_code = ? AND period < ?", indicator, period).Scan(&p)
	return p.String, err
}
