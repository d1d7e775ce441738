package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk SQL for statistics imports. An import checks a whole file against maps preloaded in
// a few queries, then writes every fact, fact_current row and roll-up delta in one
// transaction: multi-row prepared INSERTs on SQLite, COPY into a staging table and
// INSERT … SELECT on PostgreSQL. Nothing here decides what is valid; the stats package does.

// BulkTx is a transaction on one dedicated connection, so that PostgreSQL's COPY (which
// database/sql cannot express) runs inside the same transaction as the ordinary
// statements of the embedded Tx (and its audit record).
type BulkTx struct {
	*Tx
	conn *sql.Conn
}

// WriteBulk runs fn in one write transaction on a dedicated connection, committing if fn
// returns nil. Like Write, it is all or nothing.
func (db *DB) WriteBulk(ctx context.Context, fn func(*BulkTx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk conn: %w", err)
	}
	defer conn.Close()
	if db.Dialect == SQLite {
		// A bulk write touches far more pages than SQLite's default 2 MB page cache holds;
		// with a larger cache they stay in memory until commit instead of being written to
		// the WAL and read back mid-transaction. The default is restored afterwards, since
		// the connection is the one shared writer.
		// Each multi-row INSERT keeps a statement journal (to undo a half-done statement);
		// in memory rather than a temporary file it costs no write system calls.
		// Foreign keys are not enforced during the bulk write: the import checks every
		// code and enterprise id against maps it read inside this same transaction, which
		// holds SQLite's only write lock, and zhanxin never deletes a region, industry,
		// indicator, enterprise or fact; the engine's check would be a second B-tree probe
		// per reference per row (five per fact) proving the same thing. PRAGMA
		// foreign_keys takes effect only outside a transaction, hence here.
		if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA foreign_keys = ON")
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&BulkTx{Tx: &Tx{tx: tx, d: db.Dialect}, conn: conn}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ReadBulk runs fn in a read-only transaction, so that a dry run sees one consistent
// snapshot of the database without taking SQLite's write lock.
func (db *DB) ReadBulk(ctx context.Context, fn func(*BulkTx) error) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk conn: %w", err)
	}
	defer conn.Close()
	var opts *sql.TxOptions
	if db.Dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(&BulkTx{Tx: &Tx{tx: tx, d: db.Dialect}, conn: conn})
}

// Dialect is the engine behind the transaction.
func (t *Tx) Dialect() Dialect { return t.d }

// AllRegions returns every region.
func (t *Tx) AllRegions(ctx context.Context) ([]Region, error) {
	return collect(ctx, t, "SELECT "+regionColumns+" FROM regions", scanRegion)
}

// AllZoneMembers returns every (zone, member) pair.
func (t *Tx) AllZoneMembers(ctx context.Context) ([][2]string, error) {
	return collect(ctx, t, "SELECT zone_code, member_code FROM region_members", func(r interface{ Scan(...any) error }) ([2]string, error) {
		var p [2]string
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
}

// AllIndustries returns every industry.
func (t *Tx) AllIndustries(ctx context.Context) ([]Industry, error) {
	return collect(ctx, t, "SELECT "+industryColumns+" FROM industries", scanIndustry)
}

// AllIndicators returns every indicator.
func (t *Tx) AllIndicators(ctx context.Context) ([]Indicator, error) {
	return collect(ctx, t, "SELECT "+indicatorColumns+" FROM indicators", scanIndicator)
}

// PeriodStatusRow is the approval state of one region's period.
type PeriodStatusRow struct{ Region, Period, Status string }

// PeriodStatuses returns every region period that is not open (an absent row is open).
func (t *Tx) PeriodStatuses(ctx context.Context) ([]PeriodStatusRow, error) {
	return collect(ctx, t, "SELECT region_code, period, status FROM period_approvals WHERE status <> 'open'",
		func(r interface{ Scan(...any) error }) (PeriodStatusRow, error) {
			var p PeriodStatusRow
			err := r.Scan(&p.Region, &p.Period, &p.Status)
			return p, err
		})
}

// EnterprisesByUSCC returns the enterprises whose code is among codes (upper case).
func (t *Tx) EnterprisesByUSCC(ctx context.Context, codes []string) ([]Enterprise, error) {
	var out []Enterprise
	const chunk = 500
	for i := 0; i < len(codes); i += chunk {
		part := codes[i:min(i+chunk, len(codes))]
		args := make([]any, len(part))
		for j, c := range part {
			args[j] = c
		}
		es, err := collect(ctx, t, "SELECT "+enterpriseColumns+" FROM enterprises WHERE uscc IN ("+placeholders(len(part))+")",
			scanEnterprise, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func collect[T any](ctx context.Context, t *Tx, q string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SeriesKey names a series: one indicator × region × industry × enterprise, every period.
type SeriesKey struct {
	Indicator, Region, Industry string
	EnterpriseID                int64
}

// CurrentOfSeries calls fn with every current value of the given series. When the series
// are many compared with the whole table it reads the table once and filters, which is
// faster than one probe per series; otherwise it probes by primary-key prefix.
func (t *Tx) CurrentOfSeries(ctx context.Context, keys []SeriesKey, fn func(CurrentFact) error) error {
	if len(keys) == 0 {
		return nil
	}
	var total int64
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM fact_current").Scan(&total); err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	// The qualifier lives on the revision, not on fact_current: the join on the fact's
	// primary key brings it along, so that an import treats a stored lower bound as Enter
	// does (no growth check from it; restating it as exact is a new revision).
	const cols = `SELECT c.fact_id, c.indicator_code, c.region_code, c.industry_code, c.enterprise_id, c.period, c.value_micro,
		c.status, f.qualifier FROM fact_current c JOIN facts f ON f.id = c.fact_id`
	var want map[SeriesKey]bool // nil: every row read is wanted
	scan := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var c CurrentFact
			if err := rows.Scan(&c.FactID, &c.Indicator, &c.Region, &c.Industry, &c.EnterpriseID, &c.Period, &c.Value,
				&c.Status, &c.Qualifier); err != nil {
				return err
			}
			if want != nil && !want[SeriesKey{c.Indicator, c.Region, c.Industry, c.EnterpriseID}] {
				continue
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// A scanned row costs about a quarter of a probe.
	if total <= int64(len(keys))*4 {
		want = make(map[SeriesKey]bool, len(keys))
		for _, k := range keys {
			want[k] = true
		}
		rows, err := t.query(ctx, cols)
		if err != nil {
			return err
		}
		return scan(rows)
	}
	if t.d == Postgres {
		// One query per 5,000 series, the keys passed as arrays and joined with unnest.
		const chunk = 5000
		for i := 0; i < len(keys); i += chunk {
			part := keys[i:min(i+chunk, len(keys))]
			inds, regs, ins := make([]string, len(part)), make([]string, len(part)), make([]string, len(part))
			ents := make([]int64, len(part))
			for j, k := range part {
				inds[j], regs[j], ins[j], ents[j] = k.Indicator, k.Region, k.Industry, k.EnterpriseID
			}
			rows, err := t.query(ctx, cols+` JOIN unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) AS k(i, r, n, e)
				ON c.indicator_code = k.i AND c.region_code = k.r AND c.industry_code = k.n AND c.enterprise_id = k.e`,
				inds, regs, ins, ents)
			if err != nil {
				return err
			}
			if err := scan(rows); err != nil {
				return err
			}
		}
		return nil
	}
	// SQLite answers a primary-key probe in-process in microseconds; in key order the
	// probes walk the index forwards.
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b SeriesKey) int {
		return cmp.Or(cmp.Compare(a.Indicator, b.Indicator), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Industry, b.Industry),
			cmp.Compare(a.EnterpriseID, b.EnterpriseID))
	})
	stmt, err := t.tx.PrepareContext(ctx, cols+` WHERE c.indicator_code = ? AND c.region_code = ? AND c.industry_code = ?
		AND c.enterprise_id = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, k := range keys {
		rows, err := stmt.QueryContext(ctx, k.Indicator, k.Region, k.Industry, k.EnterpriseID)
		if err != nil {
			return err
		}
		if err := scan(rows); err != nil {
			return err
		}
	}
	return nil
}

// Revisions returns the revision number of each fact id (a value in force is always its
// key's highest revision: every write makes its new revision current).
func (t *Tx) Revisions(ctx context.Context, ids []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(ids))
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, len(part))
		for j, id := range part {
			args[j] = id
		}
		rows, err := t.query(ctx, "SELECT id, revision FROM facts WHERE id IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var rev int
			if err := rows.Scan(&id, &rev); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = rev
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ImportFact is one new revision written by an import: the fact, the status and quality
// its fact_current row gets, and the fact it replaces (0 for a new key).
type ImportFact struct {
	Fact
	PrevFactID int64
}

// ErrConcurrentChange is returned when a value an import checked was changed by someone
// else before the import wrote (PostgreSQL, where writers run side by side).
var ErrConcurrentChange = errors.New("a value changed while the import was running")

// InsertImportedFacts appends every fact of rows as a new revision and makes it current.
// createdBy and at are the same for the whole import. It sets rows[i].ID.
func (t *BulkTx) InsertImportedFacts(ctx context.Context, rows []ImportFact, createdBy string, at time.Time, progress func(done int)) error {
	if len(rows) == 0 {
		return nil
	}
	if t.d == Postgres {
		return t.insertFactsPostgres(ctx, rows, createdBy, at, progress)
	}
	return t.insertFactsSQLite(ctx, rows, createdBy, at, progress)
}

// The bulk statements on SQLite say OR ROLLBACK: a failing statement then ends the whole
// transaction, which an all-or-nothing import does anyway, and SQLite no longer keeps a
// statement journal (a copy of every page a multi-row statement touches, so that it could
// undo just that statement) — a fifth of the time of writing facts. Every caller returns
// at the first error, so nothing runs after SQLite has rolled back.

// sqliteBatch is the rows per multi-row INSERT: large enough to amortise the statement,
// small enough to stay under SQLite's 32,766 bound variables.
const sqliteBatch = 128

func (t *BulkTx) insertFactsSQLite(ctx context.Context, rows []ImportFact, createdBy string, at time.Time, progress func(int)) error {
	// The single SQLite writer holds the write lock (BEGIN IMMEDIATE), so ids after the
	// current maximum are ours to assign.
	var maxID int64
	if err := t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM facts").Scan(&maxID); err != nil {
		return err
	}
	for i := range rows {
		rows[i].ID = maxID + int64(i) + 1
	}
	const factCols = 16
	factSQL := func(n int) string {
		return "INSERT OR ROLLBACK INTO facts(id, indicator_code, region_code, industry_code, enterprise_id, period, value_micro, entered, source, " +
			"source_status, quote, revision, reason, created_by, created_at, qualifier) VALUES " + valuesList(n, factCols)
	}
	const curCols = 9
	curSQL := func(n int) string {
		return "INSERT OR ROLLBACK INTO fact_current(fact_id, indicator_code, region_code, industry_code, enterprise_id, period, value_micro, status, quality) VALUES " +
			valuesList(n, curCols)
	}
	fullFact, err := t.tx.PrepareContext(ctx, factSQL(sqliteBatch))
	if err != nil {
		return err
	}
	defer fullFact.Close()
	fullCur, err := t.tx.PrepareContext(ctx, curSQL(sqliteBatch))
	if err != nil {
		return err
	}
	defer fullCur.Close()
	upd, err := t.tx.PrepareContext(ctx, `UPDATE OR ROLLBACK fact_current SET fact_id = ?, value_micro = ?, status = ?, quality = ? WHERE fact_id = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	atMs := at.UnixMilli()
	fargs := make([]any, 0, sqliteBatch*factCols)
	cargs := make([]any, 0, sqliteBatch*curCols)
	for start := 0; start < len(rows); start += sqliteBatch {
		batch := rows[start:min(start+sqliteBatch, len(rows))]
		fargs, cargs = fargs[:0], cargs[:0]
		nNew := 0
		for i := range batch {
			f := &batch[i]
			fargs = append(fargs, f.ID, f.Indicator, f.Region, f.Industry, nullInt(f.EnterpriseID), f.Period, f.Value, f.Entered,
				f.Source, f.SourceStatus, f.Quote, f.Revision, f.Reason, createdBy, atMs, f.Qualifier)
			if f.PrevFactID == 0 {
				cargs = append(cargs, f.ID, f.Indicator, f.Region, f.Industry, f.EnterpriseID, f.Period, f.Value, f.Status, f.Quality)
				nNew++
			}
		}
		if err := execBatch(ctx, t, fullFact, len(batch), sqliteBatch, factSQL, fargs); err != nil {
			return err
		}
		if nNew > 0 {
			if err := execBatch(ctx, t, fullCur, nNew, sqliteBatch, curSQL, cargs); err != nil {
				return err
			}
		}
		for i := range batch {
			f := &batch[i]
			if f.PrevFactID == 0 {
				continue
			}
			res, err := upd.ExecContext(ctx, f.ID, f.Value, f.Status, f.Quality, f.PrevFactID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return ErrConcurrentChange
			}
		}
		if progress != nil {
			progress(start + len(batch))
		}
	}
	return nil
}

// execBatch runs the prepared full-size statement, or a one-off statement for the last,
// shorter batch.
func execBatch(ctx context.Context, t *BulkTx, full *sql.Stmt, n, size int, sqlFor func(int) string, args []any) error {
	if n == size {
		_, err := full.ExecContext(ctx, args...)
		return err
	}
	_, err := t.tx.ExecContext(ctx, sqlFor(n), args...)
	return err
}

func valuesList(rows, cols int) string {
	one := "(" + placeholders(cols) + ")"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// pgConn runs fn with the pgx connection under this transaction's connection.
func (t *BulkTx) pgConn(fn func(*pgx.Conn) error) error {
	return t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		return fn(sc.Conn())
	})
}

func (t *BulkTx) insertFactsPostgres(ctx context.Context, rows []ImportFact, createdBy string, at time.Time, progress func(int)) error {
	// Ids come from facts' own sequence, drawn in one query (not necessarily contiguous:
	// other writers may draw at the same time, which is fine), so that facts and
	// fact_current are filled by COPY straight into the tables, without a staging table
	// and an INSERT … SELECT per table.
	var seq string
	if err := t.queryRow(ctx, "SELECT pg_get_serial_sequence('facts', 'id')").Scan(&seq); err != nil {
		return err
	}
	idRows, err := t.query(ctx, "SELECT nextval(?::regclass) FROM generate_series(1, ?)", seq, len(rows))
	if err != nil {
		return err
	}
	ids, err := scanIDs(idRows)
	if err != nil {
		return err
	}
	if len(ids) != len(rows) {
		return fmt.Errorf("drew %d fact ids for %d rows", len(ids), len(rows))
	}
	// In key order the ids ascend, as on SQLite, so both tables' indexes are appended to.
	slices.Sort(ids)
	for i := range rows {
		rows[i].ID = ids[i]
	}
	atMs := at.UnixMilli()
	i := 0
	factSrc := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= len(rows) {
			return nil, nil
		}
		f := &rows[i]
		i++
		if progress != nil && i%50000 == 0 {
			progress(i / 2)
		}
		var ent any
		if f.EnterpriseID != 0 {
			ent = f.EnterpriseID
		}
		return []any{f.ID, f.Indicator, f.Region, f.Industry, ent, f.Period, f.Value, f.Entered, f.Source, f.SourceStatus,
			f.Quote, int32(f.Revision), f.Reason, createdBy, atMs, f.Qualifier}, nil
	})
	j, revised := 0, 0
	curSrc := pgx.CopyFromFunc(func() ([]any, error) {
		for j < len(rows) && rows[j].PrevFactID != 0 {
			j++
			revised++
		}
		if j >= len(rows) {
			return nil, nil
		}
		f := &rows[j]
		j++
		if progress != nil && j%50000 == 0 {
			progress((len(rows) + j) / 2)
		}
		return []any{f.ID, f.Indicator, f.Region, f.Industry, f.EnterpriseID, f.Period, f.Value, f.Status, f.Quality}, nil
	})
	if err := t.pgConn(func(c *pgx.Conn) error {
		if _, err := c.CopyFrom(ctx, pgx.Identifier{"facts"}, []string{"id", "indicator_code", "region_code", "industry_code",
			"enterprise_id", "period", "value_micro", "entered", "source", "source_status", "quote", "revision", "reason",
			"created_by", "created_at", "qualifier"}, factSrc); err != nil {
			return err
		}
		_, err := c.CopyFrom(ctx, pgx.Identifier{"fact_current"}, []string{"fact_id", "indicator_code", "region_code",
			"industry_code", "enterprise_id", "period", "value_micro", "status", "quality"}, curSrc)
		return err
	}); err != nil {
		return err
	}
	if revised > 0 {
		// Revised keys move their fact_current row to the new fact: the changes go through
		// a staging table and one UPDATE … FROM.
		if _, err := t.exec(ctx, `CREATE TEMP TABLE zx_import_revised (id BIGINT, prev_fact_id BIGINT, value_micro BIGINT,
			status TEXT, quality TEXT) ON COMMIT DROP`); err != nil {
			return err
		}
		k := 0
		revSrc := pgx.CopyFromFunc(func() ([]any, error) {
			for k < len(rows) && rows[k].PrevFactID == 0 {
				k++
			}
			if k >= len(rows) {
				return nil, nil
			}
			f := &rows[k]
			k++
			return []any{f.ID, f.PrevFactID, f.Value, f.Status, f.Quality}, nil
		})
		if err := t.pgConn(func(c *pgx.Conn) error {
			_, err := c.CopyFrom(ctx, pgx.Identifier{"zx_import_revised"}, []string{"id", "prev_fact_id", "value_micro", "status",
				"quality"}, revSrc)
			return err
		}); err != nil {
			return err
		}
		// Statistics for the join's plan: without them PostgreSQL guesses the staging
		// table's size.
		if _, err := t.exec(ctx, "ANALYZE zx_import_revised"); err != nil {
			return err
		}
		res, err := t.exec(ctx, `UPDATE fact_current c SET fact_id = s.id, value_micro = s.value_micro, status = s.status,
			quality = s.quality FROM zx_import_revised s WHERE c.fact_id = s.prev_fact_id`)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != int64(revised) {
			return ErrConcurrentChange
		}
		if _, err := t.exec(ctx, "DROP TABLE zx_import_revised"); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(len(rows))
	}
	return nil
}

// ApplyRollupsBulk adds every delta to its roll-up row, creating rows as needed. Deltas
// must be one per key (the caller aggregates); all-zero deltas are skipped.
func (t *BulkTx) ApplyRollupsBulk(ctx context.Context, ds []RollupDelta) error {
	live := ds[:0:0]
	for _, d := range ds {
		if d.Sum != 0 || d.N != 0 || d.ApprovedSum != 0 || d.ApprovedN != 0 {
			live = append(live, d)
		}
	}
	if len(live) == 0 {
		return nil
	}
	const upsert = ` ON CONFLICT (basis, indicator_code, region_code, industry_code, period) DO UPDATE SET
		sum_micro = rollups.sum_micro + excluded.sum_micro, n = rollups.n + excluded.n,
		approved_micro = rollups.approved_micro + excluded.approved_micro, approved_n = rollups.approved_n + excluded.approved_n`
	if t.d == Postgres {
		if _, err := t.exec(ctx, `CREATE TEMP TABLE zx_rollup_stage (basis TEXT, indicator_code TEXT, region_code TEXT,
			industry_code TEXT, period TEXT, sum_micro BIGINT, n BIGINT, approved_micro BIGINT, approved_n BIGINT) ON COMMIT DROP`); err != nil {
			return err
		}
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(live) {
				return nil, nil
			}
			d := &live[i]
			i++
			return []any{d.Basis, d.Indicator, d.Region, d.Industry, d.Period, d.Sum, d.N, d.ApprovedSum, d.ApprovedN}, nil
		})
		if err := t.pgConn(func(c *pgx.Conn) error {
			_, err := c.CopyFrom(ctx, pgx.Identifier{"zx_rollup_stage"}, []string{"basis", "indicator_code", "region_code",
				"industry_code", "period", "sum_micro", "n", "approved_micro", "approved_n"}, src)
			return err
		}); err != nil {
			return err
		}
		// One INSERT … ON CONFLICT DO UPDATE: each delta finds its row by the primary key,
		// in key order (the staging table was filled in that order). An UPDATE … FROM
		// followed by an INSERT … WHERE NOT EXISTS is cheaper per row, but both are joins
		// planned on the roll-up table's statistics, and right after the default dataset
		// (statistics of a tiny table) the NOT EXISTS of a 500,000-row file ran for over ten
		// minutes, most likely a nested loop over sequential scans; this statement has no
		// join to plan. A key another writer creates meanwhile is added to, not lost.
		if _, err := t.exec(ctx, `INSERT INTO rollups(basis, indicator_code, region_code, industry_code, period, sum_micro, n,
			approved_micro, approved_n) SELECT * FROM zx_rollup_stage`+upsert); err != nil {
			return err
		}
		_, err := t.exec(ctx, "DROP TABLE zx_rollup_stage")
		return err
	}
	const cols = 9
	sqlFor := func(n int) string {
		return "INSERT OR ROLLBACK INTO rollups(basis, indicator_code, region_code, industry_code, period, sum_micro, n, approved_micro, approved_n) VALUES " +
			valuesList(n, cols) + upsert
	}
	full, err := t.tx.PrepareContext(ctx, sqlFor(sqliteBatch))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, sqliteBatch*cols)
	for start := 0; start < len(live); start += sqliteBatch {
		batch := live[start:min(start+sqliteBatch, len(live))]
		args = args[:0]
		for _, d := range batch {
			args = append(args, d.Basis, d.Indicator, d.Region, d.Industry, d.Period, d.Sum, d.N, d.ApprovedSum, d.ApprovedN)
		}
		if err := execBatch(ctx, t, full, len(batch), sqliteBatch, sqlFor, args); err != nil {
			return err
		}
	}
	return nil
}

// InsertEnterprisesBulk adds enterprises with multi-row INSERTs (generated datasets load
// 200,000 of them) and returns their ids in order. IDs in es are ignored.
func (t *Tx) InsertEnterprisesBulk(ctx context.Context, es []Enterprise, at time.Time) ([]int64, error) {
	ids := make([]int64, 0, len(es))
	const chunk = 500
	for i := 0; i < len(es); i += chunk {
		part := es[i:min(i+chunk, len(es))]
		args := make([]any, 0, len(part)*7)
		for _, e := range part {
			args = append(args, e.NameZh, e.NameEn, nullStr(e.USCC), nullStr(e.RegionCode), e.Note, e.Source, at.UnixMilli())
		}
		rows, err := t.query(ctx, `INSERT INTO enterprises(name_zh, name_en, uscc, region_code, note, source, created_at) VALUES `+
			valuesList(len(part), 7)+" RETURNING id", args...)
		if err != nil {
			return nil, err
		}
		got, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		if len(got) != len(part) {
			return nil, fmt.Errorf("inserted %d enterprises, got %d ids", len(part), len(got))
		}
		// RETURNING gives no order guarantee; ids are ascending in insertion order.
		slices.Sort(got)
		ids = append(ids, got...)
	}
	return ids, nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Import jobs: an uploaded file kept server-side between its dry run and its commit, with
// the progress of whichever is running, in the database so that any server of a cluster
// can answer the progress poll and run the commit.

// ImportJob is one uploaded file and what has been done with it.
type ImportJob struct {
	ID          string
	UserID      int64
	SessionHash string
	FileName    string
	Format      string
	Size        int64
	SHA256      string
	Reason      string
	State       string // checking, checked, importing, done, failed
	Total, Done int64
	Report      string // JSON written by the stats package
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ExpiresAt   time.Time
}

const importJobColumns = `id, user_id, session_hash, file_name, format, size_bytes, sha256, reason, state, rows_total, rows_done,
	report, created_at, updated_at, expires_at`

func scanImportJob(r interface{ Scan(...any) error }) (ImportJob, error) {
	var j ImportJob
	var c, u, e int64
	err := r.Scan(&j.ID, &j.UserID, &j.SessionHash, &j.FileName, &j.Format, &j.Size, &j.SHA256, &j.Reason, &j.State, &j.Total,
		&j.Done, &j.Report, &c, &u, &e)
	j.CreatedAt, j.UpdatedAt, j.ExpiresAt = time.UnixMilli(c), time.UnixMilli(u), time.UnixMilli(e)
	return j, err
}

// CreateImportJob stores an uploaded file and its job row, and deletes expired jobs.
func (db *DB) CreateImportJob(ctx context.Context, j ImportJob, content []byte) error {
	return db.Write(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, "DELETE FROM import_jobs WHERE expires_at < ?", j.CreatedAt.UnixMilli()); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO import_jobs(`+importJobColumns+`, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			j.ID, j.UserID, j.SessionHash, j.FileName, j.Format, j.Size, j.SHA256, j.Reason, j.State, j.Total, j.Done, j.Report,
			j.CreatedAt.UnixMilli(), j.UpdatedAt.UnixMilli(), j.ExpiresAt.UnixMilli(), content)
		return err
	})
}

// ImportJobByID reads a job without its file.
func (db *DB) ImportJobByID(ctx context.Context, id string) (ImportJob, error) {
	j, err := scanImportJob(db.queryRow(ctx, "SELECT "+importJobColumns+" FROM import_jobs WHERE id = ?", id))
	return j, notFound(err)
}

// ImportJobContent reads a job's file.
func (db *DB) ImportJobContent(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := db.queryRow(ctx, "SELECT content FROM import_jobs WHERE id = ?", id).Scan(&b)
	return b, notFound(err)
}

// ClaimImportJob moves a job from one state to another and reports whether it did, so
// that two clicks (or two servers) never run the same commit twice.
func (db *DB) ClaimImportJob(ctx context.Context, id, from, to string, at time.Time) (bool, error) {
	var n int64
	err := db.Write(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, "UPDATE import_jobs SET state = ?, rows_done = 0, updated_at = ? WHERE id = ? AND state = ?",
			to, at.UnixMilli(), id, from)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

// UpdateImportJob records progress, and the state and report when given (non-empty).
func (db *DB) UpdateImportJob(ctx context.Context, id, state string, total, done int64, report string, at time.Time) error {
	return db.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `UPDATE import_jobs SET rows_total = ?, rows_done = ?, updated_at = ?,
			state = CASE WHEN ? = '' THEN state ELSE ? END, report = CASE WHEN ? = '' THEN report ELSE ? END WHERE id = ?`,
			total, done, at.UnixMilli(), state, state, report, report, id)
		return err
	})
}

// Benchmark references: the same CSV file loaded by the database's own bulk loader into a
// bare table with the same columns and no constraints.

// BareImportColumns are the columns of the import file, as the bare reference table has them.
var BareImportColumns = []string{"indicator", "region", "industry", "uscc", "period", "value", "unit", "source", "source_status", "note"}

// CreateBareImportTable (re)creates import_bare, the reference table of the import benchmark.
func (db *DB) CreateBareImportTable(ctx context.Context) error {
	return db.Write(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, "DROP TABLE IF EXISTS import_bare"); err != nil {
			return err
		}
		_, err := t.exec(ctx, "CREATE TABLE import_bare ("+strings.Join(BareImportColumns, " TEXT, ")+" TEXT)")
		return err
	})
}

// CopyBareImportCSV loads a CSV file (with a header line) into import_bare with
// PostgreSQL's COPY FROM STDIN and returns the rows loaded.
func (db *DB) CopyBareImportCSV(ctx context.Context, r io.Reader) (int64, error) {
	if db.Dialect != Postgres {
		return 0, errors.New("COPY is PostgreSQL only")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		tag, err := dc.(*stdlib.Conn).Conn().PgConn().CopyFrom(ctx, r, "COPY import_bare FROM STDIN WITH (FORMAT csv, HEADER true)")
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// AnalyzeStats refreshes the query planner's statistics of the fact and roll-up tables.
// After a bulk import the planner otherwise plans on the sizes it saw before (PostgreSQL
// until autovacuum comes round; SQLite until someone runs ANALYZE) and may pick a scan
// where an index probe is right. SQLite's analysis_limit keeps it to a sample of each
// index, as PostgreSQL's ANALYZE samples, so it costs well under a second at any size.
func (db *DB) AnalyzeStats(ctx context.Context) error {
	q := "ANALYZE facts, fact_current, rollups"
	if db.Dialect == SQLite {
		q = "PRAGMA analysis_limit = 1000; ANALYZE facts; ANALYZE fact_current; ANALYZE rollups"
	}
	_, err := db.write.ExecContext(ctx, q)
	return err
}

// PlannerRowEstimate is the row count the query planner believes facts has, from its
// last ANALYZE: PostgreSQL's pg_class.reltuples (-1 before any), SQLite's sqlite_stat1
// (-1 when facts was never analysed). Tests use it to prove a loader refreshed them.
func (db *DB) PlannerRowEstimate(ctx context.Context) (int64, error) {
	if db.Dialect == Postgres {
		var n float64
		err := db.queryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'facts'::regclass").Scan(&n)
		return int64(n), err
	}
	var stat string
	err := db.queryRow(ctx, "SELECT stat FROM sqlite_stat1 WHERE tbl = 'facts' LIMIT 1").Scan(&stat)
	if errors.Is(err, sql.ErrNoRows) || err != nil && isMissingTable(err) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(stat, " ")
	return strconv.ParseInt(first, 10, 64)
}

// CountRows counts the rows of one of the statistics tables (benchmarks and tests).
func (db *DB) CountRows(ctx context.Context, table string) (int64, error) {
	switch table {
	case "facts", "fact_current", "rollups", "audit_log", "import_bare", "import_jobs":
	default:
		return 0, errors.New("CountRows: unknown table " + strconv.Quote(table))
	}
	var n int64
	err := db.queryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	return n, err
}
