package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The quota ledger's SQL. The rules (what a transfer may do) live in internal/ledger; this
// file only reads and writes rows, in batches, because a ledger batch of 1,000 transfers
// must cost a handful of statements, not thousands.

// Ledger is a row of ledger_ledgers: one commodity × kind × year.
type Ledger struct {
	ID        int64
	Commodity string
	Kind      string
	Year      int
	CreatedAt time.Time
}

// LedgerAccount is a row of ledger_accounts with its current balances.
type LedgerAccount struct {
	ID             int64
	Code           string
	LedgerID       int64
	Name           string
	HolderKind     string
	SinkKind       string // "" unless HolderKind is "sink"
	EnterpriseID   int64  // 0 unless HolderKind is "enterprise"
	RegionCode     string
	Flags          int64
	DebitsPending  int64
	DebitsPosted   int64
	CreditsPending int64
	CreditsPosted  int64
	LastTS         int64 // Unix ms of the last transfer touching the account
	CreatedAt      time.Time
}

// LedgerTransfer is a row of ledger_transfers. ID and PendingID are 16-byte big-endian
// 128-bit ids (ID is nil on a system row releasing an expired pending transfer).
type LedgerTransfer struct {
	Seq             int64
	ID              []byte
	LedgerID        int64
	DebitAccountID  int64
	CreditAccountID int64
	Amount          int64
	PendingID       []byte
	Code            int64
	Flags           int64
	Timeout         int64 // seconds
	TS              int64 // Unix ms
	Ref             string
}

// OpenPending is a row of ledger_pending_open. ExpiresAt is 0 for "never".
type OpenPending struct {
	Seq       int64
	ExpiresAt int64
}

// LedgerHistory is a row of ledger_history: an account's balances after a batch, with the
// seqs of the account's transfers in that batch.
type LedgerHistory struct {
	AccountID      int64
	TS             int64
	Seq            int64 // the last of Seqs
	DebitsPending  int64
	DebitsPosted   int64
	CreditsPending int64
	CreditsPosted  int64
	Seqs           []int64
}

// encodeSeqs writes ascending seqs as unsigned varints: the first, then the differences.
// A batch's rows have consecutive or nearly consecutive seqs, so most take one byte.
func encodeSeqs(seqs []int64) []byte {
	b := make([]byte, 0, len(seqs)+8)
	prev := int64(0)
	for _, s := range seqs {
		b = binary.AppendUvarint(b, uint64(s-prev))
		prev = s
	}
	return b
}

// decodeSeqs reads what encodeSeqs wrote; ok is false for a malformed list.
func decodeSeqs(b []byte) ([]int64, bool) {
	var out []int64
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 || d > math.MaxInt64 || (len(out) > 0 && d == 0) {
			return nil, false
		}
		prev += int64(d)
		out = append(out, prev)
		b = b[n:]
	}
	return out, len(out) > 0
}

// forUpdate locks the selected rows until the transaction ends on PostgreSQL. SQLite has no
// row locks and needs none: zhanxin's SQLite writer is one connection whose transactions
// begin IMMEDIATE, so a write transaction already excludes every other writer. (A dialect
// helper kept here because only the ledger locks rows.)
func (d Dialect) forUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// marks returns "?, ?, …" with n placeholders.
func marks(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// chunk is how many values an IN list or a multi-row INSERT takes at once: well under
// SQLite's 32,766 and PostgreSQL's 65,535 bind parameters even at 16 columns a row.
const chunk = 1000

// Ledgers.

const ledgerColumns = "id, commodity, kind, year, created_at"

func scanLedger(r interface{ Scan(...any) error }) (Ledger, error) {
	var l Ledger
	var c int64
	err := r.Scan(&l.ID, &l.Commodity, &l.Kind, &l.Year, &c)
	l.CreatedAt = time.UnixMilli(c)
	return l, err
}

// InsertLedger adds a ledger and returns its id.
func (t *Tx) InsertLedger(ctx context.Context, l Ledger) (int64, error) {
	return t.insertID(ctx, "INSERT INTO ledger_ledgers(commodity, kind, year, created_at) VALUES (?, ?, ?, ?)",
		l.Commodity, l.Kind, l.Year, l.CreatedAt.UnixMilli())
}

// LedgerByID reads a ledger inside a write transaction.
func (t *Tx) LedgerByID(ctx context.Context, id int64) (Ledger, error) {
	l, err := scanLedger(t.queryRow(ctx, "SELECT "+ledgerColumns+" FROM ledger_ledgers WHERE id = ?", id))
	return l, notFound(err)
}

// LedgerByKey reads the ledger of a commodity, kind and year.
func (db *DB) LedgerByKey(ctx context.Context, commodity, kind string, year int) (Ledger, error) {
	l, err := scanLedger(db.queryRow(ctx, "SELECT "+ledgerColumns+" FROM ledger_ledgers WHERE commodity = ? AND kind = ? AND year = ?",
		commodity, kind, year))
	return l, notFound(err)
}

// Ledgers lists every ledger by year, commodity and kind.
func (db *DB) Ledgers(ctx context.Context) ([]Ledger, error) {
	return ledgers(ctx, db.read, db.Dialect)
}

func ledgers(ctx context.Context, q Querier, d Dialect) ([]Ledger, error) {
	rows, err := q.QueryContext(ctx, d.rebind("SELECT "+ledgerColumns+" FROM ledger_ledgers ORDER BY year, commodity, kind"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ledger
	for rows.Next() {
		l, err := scanLedger(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Accounts.

const ledgerAccountColumns = `id, code, ledger_id, name, holder_kind, COALESCE(sink_kind, ''), COALESCE(enterprise_id, 0),
	COALESCE(region_code, ''), flags, debits_pending, debits_posted, credits_pending, credits_posted, last_ts, created_at`

func scanLedgerAccount(r interface{ Scan(...any) error }) (LedgerAccount, error) {
	var a LedgerAccount
	var c int64
	err := r.Scan(&a.ID, &a.Code, &a.LedgerID, &a.Name, &a.HolderKind, &a.SinkKind, &a.EnterpriseID, &a.RegionCode,
		&a.Flags, &a.DebitsPending, &a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted, &a.LastTS, &c)
	a.CreatedAt = time.UnixMilli(c)
	return a, err
}

// InsertLedgerAccount adds an account with zero balances and returns its id.
func (t *Tx) InsertLedgerAccount(ctx context.Context, a LedgerAccount) (int64, error) {
	return t.insertID(ctx, `INSERT INTO ledger_accounts(code, ledger_id, name, holder_kind, sink_kind, enterprise_id, region_code, flags, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Code, a.LedgerID, a.Name, a.HolderKind, nullStr(a.SinkKind), nullInt(a.EnterpriseID),
		nullStr(a.RegionCode), a.Flags, a.CreatedAt.UnixMilli())
}

// LedgerAccountByCode reads an account and its current balances.
func (db *DB) LedgerAccountByCode(ctx context.Context, code string) (LedgerAccount, error) {
	a, err := scanLedgerAccount(db.queryRow(ctx, "SELECT "+ledgerAccountColumns+" FROM ledger_accounts WHERE code = ?", code))
	return a, notFound(err)
}

// LedgerAccountFilter narrows an account list. Zero fields do not filter.
type LedgerAccountFilter struct {
	LedgerID     int64
	EnterpriseID int64
}

var ledgerAccountList = listSpec{
	from:        "ledger_accounts",
	columns:     ledgerAccountColumns,
	sorts:       map[string]string{"code": "code", "name": "name", "holder": "holder_kind", "ledger": "ledger_id"},
	defaultSort: "ledger_id, code",
	filterCols:  []string{"code", "name"},
	tiebreak:    "id",
}

// ListLedgerAccounts lists accounts.
func (db *DB) ListLedgerAccounts(ctx context.Context, f LedgerAccountFilter, q ListQuery) (Page[LedgerAccount], error) {
	var conds []string
	var args []any
	if f.LedgerID != 0 {
		conds, args = append(conds, "ledger_id = ?"), append(args, f.LedgerID)
	}
	if f.EnterpriseID != 0 {
		conds, args = append(conds, "enterprise_id = ?"), append(args, f.EnterpriseID)
	}
	return list(ctx, db, ledgerAccountList, q, conds, args, scanLedgerAccount)
}

// LockLedgerAccounts reads the accounts with the given codes or ids and, on PostgreSQL,
// locks them until the transaction ends. Rows are locked in id order, the same order in
// every transaction, so that two batches touching the same accounts queue instead of
// deadlocking. Codes and ids that do not exist are simply absent from the result.
func (t *Tx) LockLedgerAccounts(ctx context.Context, codes []string, ids []int64) ([]LedgerAccount, error) {
	if len(codes) == 0 && len(ids) == 0 {
		return nil, nil
	}
	if len(codes)+len(ids) <= chunk {
		var conds []string
		args := make([]any, 0, len(codes)+len(ids))
		if len(codes) > 0 {
			conds = append(conds, "code IN ("+marks(len(codes))+")")
			for _, c := range codes {
				args = append(args, c)
			}
		}
		if len(ids) > 0 {
			conds = append(conds, "id IN ("+marks(len(ids))+")")
			for _, id := range ids {
				args = append(args, id)
			}
		}
		rows, err := t.query(ctx, "SELECT "+ledgerAccountColumns+" FROM ledger_accounts WHERE "+strings.Join(conds, " OR ")+
			" ORDER BY id"+t.d.forUpdate(), args...)
		if err != nil {
			return nil, err
		}
		return appendAccounts(nil, rows)
	}
	// Too many for one statement: find the ids with a plain read, then lock them in
	// ascending id order chunk by chunk, which keeps the order global.
	all, err := t.ledgerAccountIDs(ctx, codes)
	if err != nil {
		return nil, err
	}
	all = append(all, ids...)
	slices.Sort(all)
	all = slices.Compact(all)
	var out []LedgerAccount
	for i := 0; i < len(all); i += chunk {
		part := all[i:min(i+chunk, len(all))]
		args := make([]any, len(part))
		for j, id := range part {
			args[j] = id
		}
		rows, err := t.query(ctx, "SELECT "+ledgerAccountColumns+" FROM ledger_accounts WHERE id IN ("+marks(len(part))+") ORDER BY id"+t.d.forUpdate(), args...)
		if err != nil {
			return nil, err
		}
		if out, err = appendAccounts(out, rows); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tx) ledgerAccountIDs(ctx context.Context, codes []string) ([]int64, error) {
	var ids []int64
	for i := 0; i < len(codes); i += chunk {
		part := codes[i:min(i+chunk, len(codes))]
		args := make([]any, len(part))
		for j, c := range part {
			args[j] = c
		}
		rows, err := t.query(ctx, "SELECT id FROM ledger_accounts WHERE code IN ("+marks(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func appendAccounts(out []LedgerAccount, rows *sql.Rows) ([]LedgerAccount, error) {
	defer rows.Close()
	for rows.Next() {
		a, err := scanLedgerAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateLedgerAccountBalances writes the balances and last_ts of accounts, once per account
// per batch, not once per transfer.
func (t *Tx) UpdateLedgerAccountBalances(ctx context.Context, accts []LedgerAccount) error {
	if len(accts) == 0 {
		return nil
	}
	if t.d == Postgres { // one statement over arrays, as in unnestInsert: a statement per account is a round trip each
		n := len(accts)
		id, dpe, dpo, cpe, cpo, last := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, a := range accts {
			id[i], dpe[i], dpo[i], cpe[i], cpo[i], last[i] = a.ID, a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted, a.LastTS
		}
		_, err := t.exec(ctx, `UPDATE ledger_accounts SET debits_pending = v.dpe, debits_posted = v.dpo, credits_pending = v.cpe,
			credits_posted = v.cpo, last_ts = v.last
			FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]),
				CAST(? AS BIGINT[])) AS v(id, dpe, dpo, cpe, cpo, last)
			WHERE ledger_accounts.id = v.id`, id, dpe, dpo, cpe, cpo, last)
		return err
	}
	// SQLite: one prepared UPDATE run per account. (A single UPDATE … FROM (VALUES …) was
	// measured slower here: parsing it costs more than the executions it saves.)
	st, err := t.tx.PrepareContext(ctx, `UPDATE ledger_accounts SET debits_pending = ?, debits_posted = ?,
		credits_pending = ?, credits_posted = ?, last_ts = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, a := range accts {
		if _, err := st.ExecContext(ctx, a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted, a.LastTS, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// Transfers.

const ledgerTransferColumns = `seq, id, ledger_id, debit_account_id, credit_account_id, amount, pending_id, code, flags,
	timeout, ts, ref`

func scanLedgerTransfer(r interface{ Scan(...any) error }) (LedgerTransfer, error) {
	var x LedgerTransfer
	err := r.Scan(&x.Seq, &x.ID, &x.LedgerID, &x.DebitAccountID, &x.CreditAccountID, &x.Amount, &x.PendingID, &x.Code,
		&x.Flags, &x.Timeout, &x.TS, &x.Ref)
	return x, err
}

func collectTransfers(out []LedgerTransfer, rows *sql.Rows) ([]LedgerTransfer, error) {
	defer rows.Close()
	for rows.Next() {
		x, err := scanLedgerTransfer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// transfersWhereIn runs "SELECT … WHERE col IN (…)" over keys in chunks.
func (t *Tx) transfersWhereIn(ctx context.Context, col string, keys [][]byte) ([]LedgerTransfer, error) {
	var out []LedgerTransfer
	for i := 0; i < len(keys); i += chunk {
		part := keys[i:min(i+chunk, len(keys))]
		args := make([]any, len(part))
		for j, k := range part {
			args[j] = k
		}
		// "IS NOT NULL" lets SQLite use the partial index on pending_id.
		rows, err := t.query(ctx, "SELECT "+ledgerTransferColumns+" FROM ledger_transfers WHERE "+col+" IS NOT NULL AND "+col+" IN ("+marks(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		if out, err = collectTransfers(out, rows); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LedgerTransfersByID returns the stored transfers whose client ids are in ids.
func (t *Tx) LedgerTransfersByID(ctx context.Context, ids [][]byte) ([]LedgerTransfer, error) {
	return t.transfersWhereIn(ctx, "id", ids)
}

// LedgerResolutions returns the transfers (post, void or expiry) that resolved any of the
// pending transfers with the given ids.
func (t *Tx) LedgerResolutions(ctx context.Context, pendingIDs [][]byte) ([]LedgerTransfer, error) {
	return t.transfersWhereIn(ctx, "pending_id", pendingIDs)
}

// ExpiredLedgerPendings returns the open pending transfers whose expiry is at or before
// nowMS, oldest expiry first, at most limit of them.
func (t *Tx) ExpiredLedgerPendings(ctx context.Context, nowMS int64, limit int) ([]LedgerTransfer, error) {
	rows, err := t.query(ctx, "SELECT "+prefixCols("p.", ledgerTransferColumns)+` FROM ledger_pending_open o
		JOIN ledger_transfers p ON p.seq = o.pending_seq
		WHERE o.expires_at IS NOT NULL AND o.expires_at <= ? ORDER BY o.expires_at, o.pending_seq LIMIT ?`, nowMS, limit)
	if err != nil {
		return nil, err
	}
	return collectTransfers(nil, rows)
}

func prefixCols(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// LedgerSeqBlock is how many seqs one batch may take on PostgreSQL (the sequence's
// increment): more than MaxBatch transfers plus the expiry releases of one batch.
const LedgerSeqBlock = 16384

// ReserveLedgerSeqs returns n increasing sequence numbers for new transfer rows. On SQLite
// they follow MAX(seq), which is safe because the caller holds the only write transaction;
// on PostgreSQL they are a block drawn from a sequence, and since the caller already holds
// the locks of every account it touches, any later transfer of those accounts draws a
// later block.
func (t *Tx) ReserveLedgerSeqs(ctx context.Context, n int) ([]int64, error) {
	if n > LedgerSeqBlock {
		return nil, fmt.Errorf("ledger: %d rows in one batch exceed the seq block of %d", n, LedgerSeqBlock)
	}
	var first int64
	if t.d == Postgres {
		if err := t.queryRow(ctx, "SELECT nextval('ledger_transfer_seq')").Scan(&first); err != nil {
			return nil, err
		}
	} else {
		if err := t.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger_transfers").Scan(&first); err != nil {
			return nil, err
		}
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out, nil
}

const ledgerInsertCols = 12

func transferArgs(args []any, x LedgerTransfer) []any {
	return append(args, x.Seq, nullBytes(x.ID), x.LedgerID, x.DebitAccountID, x.CreditAccountID, x.Amount, nullBytes(x.PendingID),
		x.Code, x.Flags, x.Timeout, x.TS, x.Ref)
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// valuesSQL is "(?, …), (?, …)" for n rows of cols columns.
func valuesSQL(n, cols int) string {
	row := "(" + marks(cols) + ")"
	return strings.Repeat(row+", ", n-1) + row
}

// InsertLedgerTransfers inserts rows (their Seq already reserved): prepared multi-row
// INSERTs on SQLite, one INSERT over unnested arrays on PostgreSQL.
func (t *Tx) InsertLedgerTransfers(ctx context.Context, rows []LedgerTransfer) error {
	return insertTransferRows(ctx, t, "ledger_transfers", rows)
}

// rowsPerInsert is how many rows one prepared INSERT carries on SQLite. modernc's SQLite
// has no statement cache, and parsing a 1,000-row VALUES list costs more than executing
// it, so a short statement is prepared once per transaction and run repeatedly: measured
// on the ledger benchmark, 20–50 rows per execution inserts about 3× faster than one
// statement per 1,000 rows, and 1 row per execution is slower again.
const rowsPerInsert = 32

const insertTransferSQL = "(seq, id, ledger_id, debit_account_id, credit_account_id, amount, pending_id, code, flags, timeout, ts, ref) VALUES "

// On SQLite the seq column is the rowid and is left out of the INSERT: SQLite then gives
// each row MAX(rowid)+1 — the very seqs ReserveLedgerSeqs handed out, which LastInsertId
// confirms after every statement — and takes its append path instead of seeking to check
// an explicit rowid, which measured about a fifth faster.
const insertTransferSQLNoSeq = "(id, ledger_id, debit_account_id, credit_account_id, amount, pending_id, code, flags, timeout, ts, ref) VALUES "

// unnestInsert is PostgreSQL's bulk insert inside a transaction: one array parameter per
// column, unnested into rows. A 1,000-row VALUES list has 12,000 parameters that the server
// plans and binds one by one (measured 43 ms per batch, against 7 ms for COPY); twelve
// arrays plan once and bind in bulk. (A dialect helper kept here because only the ledger
// inserts in bulk; SQLite has no arrays and takes the prepared multi-row path.)
func unnestInsert(ctx context.Context, t *Tx, table string, cols []string, types []string, arrays []any) error {
	casts := make([]string, len(arrays))
	for i, ty := range types {
		casts[i] = "CAST(? AS " + ty + "[])"
	}
	_, err := t.exec(ctx, "INSERT INTO "+table+"("+strings.Join(cols, ", ")+") SELECT * FROM unnest("+strings.Join(casts, ", ")+")", arrays...)
	return err
}

var transferCols = []string{"seq", "id", "ledger_id", "debit_account_id", "credit_account_id", "amount", "pending_id", "code", "flags", "timeout", "ts", "ref"}

func insertTransferRowsPG(ctx context.Context, t *Tx, table string, rows []LedgerTransfer) error {
	n := len(rows)
	seq, ledger, dr, cr, amount, code, flags, timeout, ts := make([]int64, n), make([]int64, n), make([]int64, n),
		make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	id, pending := make([][]byte, n), make([][]byte, n)
	ref := make([]string, n)
	for i, x := range rows {
		seq[i], id[i], ledger[i], dr[i], cr[i], amount[i], pending[i] = x.Seq, x.ID, x.LedgerID, x.DebitAccountID, x.CreditAccountID, x.Amount, x.PendingID
		code[i], flags[i], timeout[i], ts[i], ref[i] = x.Code, x.Flags, x.Timeout, x.TS, x.Ref
	}
	return unnestInsert(ctx, t, table, transferCols,
		[]string{"BIGINT", "BYTEA", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BYTEA", "INTEGER", "INTEGER", "BIGINT", "BIGINT", "TEXT"},
		[]any{seq, id, ledger, dr, cr, amount, pending, code, flags, timeout, ts, ref})
}

func insertTransferRows(ctx context.Context, t *Tx, table string, rows []LedgerTransfer) error {
	if t.d == Postgres {
		return insertTransferRowsPG(ctx, t, table, rows)
	}
	k := rowsPerInsert
	cols, head := ledgerInsertCols, insertTransferSQL
	autoSeq := t.d == SQLite && table == "ledger_transfers"
	if autoSeq {
		cols, head = ledgerInsertCols-1, insertTransferSQLNoSeq
	}
	add := func(args []any, x LedgerTransfer) []any {
		n := len(args)
		args = transferArgs(args, x)
		if autoSeq { // drop this row's seq
			args = append(args[:n], args[n+1:]...)
		}
		return args
	}
	check := func(res sql.Result, last int64) error {
		if !autoSeq {
			return nil
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if id != last {
			return fmt.Errorf("ledger_transfers: SQLite gave rowid %d where seq %d was reserved", id, last)
		}
		return nil
	}
	args := make([]any, 0, k*ledgerInsertCols)
	full := len(rows) / k * k
	if full > 0 {
		st, err := t.tx.PrepareContext(ctx, t.d.rebind("INSERT INTO "+table+head+valuesSQL(k, cols)))
		if err != nil {
			return err
		}
		defer st.Close()
		for i := 0; i < full; i += k {
			args = args[:0]
			for _, x := range rows[i : i+k] {
				args = add(args, x)
			}
			res, err := st.ExecContext(ctx, args...)
			if err != nil {
				return err
			}
			if err := check(res, rows[i+k-1].Seq); err != nil {
				return err
			}
		}
	}
	if rest := rows[full:]; len(rest) > 0 {
		args = args[:0]
		for _, x := range rest {
			args = add(args, x)
		}
		res, err := t.exec(ctx, "INSERT INTO "+table+head+valuesSQL(len(rest), cols), args...)
		if err != nil {
			return err
		}
		if err := check(res, rest[len(rest)-1].Seq); err != nil {
			return err
		}
	}
	return nil
}

// InsertLedgerHistory writes the history rows of a batch, several rows per prepared
// statement as for transfers.
func (t *Tx) InsertLedgerHistory(ctx context.Context, hs []LedgerHistory) error {
	if len(hs) == 0 {
		return nil
	}
	if t.d == Postgres {
		n := len(hs)
		acct, ts, seq, dpe, dpo, cpe, cpo := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n),
			make([]int64, n), make([]int64, n), make([]int64, n)
		seqs := make([][]byte, n)
		for i, h := range hs {
			acct[i], ts[i], seq[i], dpe[i], dpo[i], cpe[i], cpo[i], seqs[i] = h.AccountID, h.TS, h.Seq, h.DebitsPending,
				h.DebitsPosted, h.CreditsPending, h.CreditsPosted, encodeSeqs(h.Seqs)
		}
		return unnestInsert(ctx, t, "ledger_history",
			[]string{"account_id", "ts", "seq", "debits_pending", "debits_posted", "credits_pending", "credits_posted", "seqs"},
			[]string{"BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BYTEA"},
			[]any{acct, ts, seq, dpe, dpo, cpe, cpo, seqs})
	}
	const cols = 8
	head := "INSERT INTO ledger_history(account_id, ts, seq, debits_pending, debits_posted, credits_pending, credits_posted, seqs) VALUES "
	k := rowsPerInsert
	args := make([]any, 0, min(k, len(hs))*cols)
	add := func(h LedgerHistory) {
		args = append(args, h.AccountID, h.TS, h.Seq, h.DebitsPending, h.DebitsPosted, h.CreditsPending, h.CreditsPosted, encodeSeqs(h.Seqs))
	}
	full := len(hs) / k * k
	if full > 0 {
		st, err := t.tx.PrepareContext(ctx, t.d.rebind(head+valuesSQL(k, cols)))
		if err != nil {
			return err
		}
		defer st.Close()
		for i := 0; i < full; i += k {
			args = args[:0]
			for _, h := range hs[i : i+k] {
				add(h)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
	}
	if rest := hs[full:]; len(rest) > 0 {
		args = args[:0]
		for _, h := range rest {
			add(h)
		}
		if _, err := t.exec(ctx, head+valuesSQL(len(rest), cols), args...); err != nil {
			return err
		}
	}
	return nil
}

// OpenLedgerPendings records new pending transfers as open.
func (t *Tx) OpenLedgerPendings(ctx context.Context, ps []OpenPending) error {
	for i := 0; i < len(ps); i += chunk {
		part := ps[i:min(i+chunk, len(ps))]
		args := make([]any, 0, 2*len(part))
		for _, p := range part {
			args = append(args, p.Seq, nullInt(p.ExpiresAt))
		}
		if _, err := t.exec(ctx, "INSERT INTO ledger_pending_open(pending_seq, expires_at) VALUES "+valuesSQL(len(part), 2), args...); err != nil {
			return err
		}
	}
	return nil
}

// CloseLedgerPendings removes pending transfers from the open set and returns how many
// were still open. The caller holds the locks of their accounts, so a count below
// len(seqs) means another transaction resolved one first.
func (t *Tx) CloseLedgerPendings(ctx context.Context, seqs []int64) (int64, error) {
	var n int64
	for i := 0; i < len(seqs); i += chunk {
		part := seqs[i:min(i+chunk, len(seqs))]
		args := make([]any, len(part))
		for j, s := range part {
			args[j] = s
		}
		res, err := t.exec(ctx, "DELETE FROM ledger_pending_open WHERE pending_seq IN ("+marks(len(part))+")", args...)
		if err != nil {
			return n, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// IsLedgerRetryable reports whether err is a PostgreSQL serialisation failure or deadlock,
// or a unique violation from two batches inserting the same new transfer id at once: in
// each case the whole batch can be run again and will then see the other's result.
func IsLedgerRetryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01" || pg.Code == "23505"
	}
	return false
}

// Balances and statements.

// LedgerBalanceAt returns an account's balances after the last batch that touched it
// with ts ≤ atMS (ok false when there is none): one probe of ledger_history's key.
func (db *DB) LedgerBalanceAt(ctx context.Context, accountID, atMS int64) (h LedgerHistory, ok bool, err error) {
	err = db.queryRow(ctx, `SELECT account_id, ts, seq, debits_pending, debits_posted, credits_pending, credits_posted
		FROM ledger_history WHERE account_id = ? AND ts <= ? ORDER BY ts DESC, seq DESC LIMIT 1`, accountID, atMS).
		Scan(&h.AccountID, &h.TS, &h.Seq, &h.DebitsPending, &h.DebitsPosted, &h.CreditsPending, &h.CreditsPosted)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	return h, err == nil, err
}

// LedgerStatement returns the transfers touching an account with fromMS ≤ ts ≤ toMS, in
// order, at most limit of them (0: all); more reports that there were more. The account's
// history rows in the period name the transfers; these are then read by seq.
func (db *DB) LedgerStatement(ctx context.Context, accountID, fromMS, toMS int64, limit int) (out []LedgerTransfer, more bool, err error) {
	rows, err := db.query(ctx, `SELECT seqs FROM ledger_history WHERE account_id = ? AND ts >= ? AND ts <= ? ORDER BY ts, seq`,
		accountID, fromMS, toMS)
	if err != nil {
		return nil, false, err
	}
	var seqs []int64
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, false, err
		}
		s, ok := decodeSeqs(b)
		if !ok {
			rows.Close()
			return nil, false, fmt.Errorf("ledger_history of account %d holds a malformed seq list", accountID)
		}
		seqs = append(seqs, s...)
		if limit > 0 && len(seqs) > limit {
			break
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if limit > 0 && len(seqs) > limit {
		seqs, more = seqs[:limit], true
	}
	for i := 0; i < len(seqs); i += chunk {
		part := seqs[i:min(i+chunk, len(seqs))]
		args := make([]any, len(part))
		for j, s := range part {
			args[j] = s
		}
		rows, err := db.query(ctx, "SELECT "+ledgerTransferColumns+" FROM ledger_transfers WHERE seq IN ("+marks(len(part))+") ORDER BY seq", args...)
		if err != nil {
			return nil, false, err
		}
		if out, err = collectTransfers(out, rows); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}

// LedgerTransfersAfter returns up to limit transfers with seq > after, in seq order (for
// exports, replays and the simulation test's model).
func (db *DB) LedgerTransfersAfter(ctx context.Context, after int64, limit int) ([]LedgerTransfer, error) {
	rows, err := db.query(ctx, "SELECT "+ledgerTransferColumns+" FROM ledger_transfers WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	return collectTransfers(nil, rows)
}

// LedgerTransferByID reads one transfer by its client id.
func (db *DB) LedgerTransferByID(ctx context.Context, id []byte) (LedgerTransfer, error) {
	x, err := scanLedgerTransfer(db.queryRow(ctx, "SELECT "+ledgerTransferColumns+" FROM ledger_transfers WHERE id = ?", id))
	return x, notFound(err)
}

// Reconciliation.

// LedgerSums is what the transfers say an account's balances must be.
type LedgerSums struct {
	DebitsPending, DebitsPosted, CreditsPending, CreditsPosted int64
}

// LedgerHistoryMismatch is a history row whose balances differ from the sums of the
// account's transfers up to the row's last one (Computed; Found false when that transfer
// does not touch the account at all).
type LedgerHistoryMismatch struct {
	Stored   LedgerHistory
	Computed LedgerHistory
	Found    bool
}

// LedgerReconcileData is everything reconciliation compares, read from one snapshot.
type LedgerReconcileData struct {
	Ledgers        []Ledger
	Accounts       []LedgerAccount
	Sums           map[int64]LedgerSums // by account id, from the transfers
	TransferCounts map[int64]int64      // by ledger id
	// BadResolutions are post/void/expiry rows that do not match their pending transfer
	// (missing, not pending, other accounts, larger amount, or a void/expiry of a different
	// amount).
	BadResolutions []LedgerRowRef
	// WrongLedger are transfers whose ledger is not that of both accounts, or whose account
	// does not exist.
	WrongLedger []LedgerRowRef
	// OpenSet counts, per ledger, rows of ledger_pending_open that are not an unresolved
	// pending transfer (ledger 0 when the row names no transfer at all), and unresolved
	// pending transfers missing from it.
	OpenSet []LedgerOpenSetError
	// HistoryLast is each account's latest history row (Seqs not kept).
	HistoryLast map[int64]LedgerHistory
	// HistoryLegs and TransferLegs count, per account, the transfers the history lists and
	// the transfers that touch it, with the sum of their seqs as a checksum.
	HistoryLegs, TransferLegs map[int64]LedgerLegs
	// HistoryMalformed are history rows whose seq list cannot be read or does not end at
	// the row's seq.
	HistoryMalformed []LedgerHistory
	// HistoryWrong are history rows whose balances are not what the account's transfers
	// up to the row's last one add up to, or whose last transfer has another timestamp.
	HistoryWrong []LedgerHistoryMismatch
}

// LedgerRowRef names a transfer row and the ledger it is recorded in.
type LedgerRowRef struct {
	Seq, LedgerID int64
}

// LedgerOpenSetError is a ledger's disagreement between open reservations and their index.
type LedgerOpenSetError struct {
	LedgerID                       int64
	OpenNotPending, PendingNotOpen int64
}

// LedgerLegs counts an account's transfers: how many, and the sum of their seqs.
type LedgerLegs struct {
	Count, SeqSum int64
}

// flag bits the reconciliation queries need (the ledger package owns their meaning).
const (
	ledgerFlagPending = 2
	ledgerFlagPost    = 4
	ledgerFlagVoid    = 8
	ledgerFlagExpire  = 4096
	// rows that move posted balances are plain transfers and posts
	ledgerNotPosted = ledgerFlagPending | ledgerFlagVoid | ledgerFlagExpire
)

// readSnapshot runs fn in a read-only transaction that sees one consistent state of the
// database even while batches commit: REPEATABLE READ on PostgreSQL, and on SQLite (WAL) the
// snapshot a read transaction takes at its first read.
func (db *DB) readSnapshot(ctx context.Context, fn func(q Querier) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// LedgerReconcile reads, in one snapshot, the stored balances and what the transfers say
// they must be. maxRows bounds the lists of offending rows.
func (db *DB) LedgerReconcile(ctx context.Context, maxRows int) (LedgerReconcileData, error) {
	d := db.Dialect
	var r LedgerReconcileData
	err := db.readSnapshot(ctx, func(q Querier) error {
		var err error
		if r.Ledgers, err = ledgers(ctx, q, d); err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, "SELECT "+ledgerAccountColumns+" FROM ledger_accounts ORDER BY ledger_id, id")
		if err != nil {
			return err
		}
		if r.Accounts, err = appendAccounts(nil, rows); err != nil {
			return err
		}
		r.Sums = map[int64]LedgerSums{}
		add := func(query string, set func(s *LedgerSums, v int64)) error {
			rows, err := q.QueryContext(ctx, d.rebind(query))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, v int64
				if err := rows.Scan(&id, &v); err != nil {
					return err
				}
				s := r.Sums[id]
				set(&s, v)
				r.Sums[id] = s
			}
			return rows.Err()
		}
		posted := fmt.Sprintf("(flags & %d) = 0", ledgerNotPosted)
		open := fmt.Sprintf("(p.flags & %d) <> 0 AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = p.id)", ledgerFlagPending)
		for _, s := range []struct {
			q   string
			set func(s *LedgerSums, v int64)
		}{
			{"SELECT debit_account_id, SUM(amount) FROM ledger_transfers WHERE " + posted + " GROUP BY debit_account_id",
				func(s *LedgerSums, v int64) { s.DebitsPosted = v }},
			{"SELECT credit_account_id, SUM(amount) FROM ledger_transfers WHERE " + posted + " GROUP BY credit_account_id",
				func(s *LedgerSums, v int64) { s.CreditsPosted = v }},
			{"SELECT p.debit_account_id, SUM(p.amount) FROM ledger_transfers p WHERE " + open + " GROUP BY p.debit_account_id",
				func(s *LedgerSums, v int64) { s.DebitsPending = v }},
			{"SELECT p.credit_account_id, SUM(p.amount) FROM ledger_transfers p WHERE " + open + " GROUP BY p.credit_account_id",
				func(s *LedgerSums, v int64) { s.CreditsPending = v }},
		} {
			if err := add(s.q, s.set); err != nil {
				return err
			}
		}
		r.TransferCounts = map[int64]int64{}
		rows, err = q.QueryContext(ctx, "SELECT ledger_id, COUNT(*) FROM ledger_transfers GROUP BY ledger_id")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			r.TransferCounts[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		refs := func(query string) ([]LedgerRowRef, error) {
			rows, err := q.QueryContext(ctx, d.rebind(query))
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []LedgerRowRef
			for rows.Next() {
				var x LedgerRowRef
				if err := rows.Scan(&x.Seq, &x.LedgerID); err != nil {
					return nil, err
				}
				out = append(out, x)
			}
			return out, rows.Err()
		}
		if r.BadResolutions, err = refs(fmt.Sprintf(`SELECT r.seq, r.ledger_id FROM ledger_transfers r
			LEFT JOIN ledger_transfers p ON p.id = r.pending_id
			WHERE r.pending_id IS NOT NULL AND (p.seq IS NULL OR (p.flags & %[1]d) = 0 OR p.seq >= r.seq
				OR p.debit_account_id <> r.debit_account_id OR p.credit_account_id <> r.credit_account_id
				OR ((r.flags & %[2]d) <> 0 AND r.amount > p.amount)
				OR ((r.flags & %[3]d) <> 0 AND r.amount <> p.amount)
				OR (r.flags & %[4]d) = 0)
			ORDER BY r.seq LIMIT %[5]d`, ledgerFlagPending, ledgerFlagPost, ledgerFlagVoid|ledgerFlagExpire,
			ledgerFlagPost|ledgerFlagVoid|ledgerFlagExpire, maxRows)); err != nil {
			return err
		}
		if r.WrongLedger, err = refs(fmt.Sprintf(`SELECT t.seq, t.ledger_id FROM ledger_transfers t
			LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id
			LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
			WHERE d.id IS NULL OR c.id IS NULL OR d.ledger_id <> t.ledger_id OR c.ledger_id <> t.ledger_id
			ORDER BY t.seq LIMIT %d`, maxRows)); err != nil {
			return err
		}
		openSet := map[int64]*LedgerOpenSetError{}
		count := func(query string, set func(e *LedgerOpenSetError, n int64)) error {
			rows, err := q.QueryContext(ctx, query)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, n int64
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				if openSet[id] == nil {
					openSet[id] = &LedgerOpenSetError{LedgerID: id}
				}
				set(openSet[id], n)
			}
			return rows.Err()
		}
		if err := count(fmt.Sprintf(`SELECT COALESCE(x.ledger_id, 0), COUNT(*) FROM ledger_pending_open o
				LEFT JOIN ledger_transfers x ON x.seq = o.pending_seq
				WHERE NOT EXISTS (SELECT 1 FROM ledger_transfers p WHERE p.seq = o.pending_seq AND %s)
				GROUP BY COALESCE(x.ledger_id, 0)`, open),
			func(e *LedgerOpenSetError, n int64) { e.OpenNotPending = n }); err != nil {
			return err
		}
		if err := count(fmt.Sprintf(`SELECT p.ledger_id, COUNT(*) FROM ledger_transfers p WHERE %s
				AND NOT EXISTS (SELECT 1 FROM ledger_pending_open o WHERE o.pending_seq = p.seq) GROUP BY p.ledger_id`, open),
			func(e *LedgerOpenSetError, n int64) { e.PendingNotOpen = n }); err != nil {
			return err
		}
		for _, e := range openSet {
			r.OpenSet = append(r.OpenSet, *e)
		}
		slices.SortFunc(r.OpenSet, func(a, b LedgerOpenSetError) int { return int(a.LedgerID - b.LedgerID) })
		return ledgerHistoryChecks(ctx, q, d, &r, maxRows)
	})
	return r, err
}

// ledgerHistoryChecks reads what proves ledger_history: every row (streamed, to count and
// decode its seq lists), the legs of every account's transfers, and the rows whose last
// transfer disagrees with them.
func ledgerHistoryChecks(ctx context.Context, q Querier, d Dialect, r *LedgerReconcileData, maxRows int) error {
	r.HistoryLast = map[int64]LedgerHistory{}
	r.HistoryLegs = map[int64]LedgerLegs{}
	r.TransferLegs = map[int64]LedgerLegs{}
	rows, err := q.QueryContext(ctx, `SELECT account_id, ts, seq, debits_pending, debits_posted, credits_pending, credits_posted, seqs
		FROM ledger_history ORDER BY account_id, ts, seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h LedgerHistory
		var b []byte
		if err := rows.Scan(&h.AccountID, &h.TS, &h.Seq, &h.DebitsPending, &h.DebitsPosted, &h.CreditsPending, &h.CreditsPosted, &b); err != nil {
			return err
		}
		seqs, ok := decodeSeqs(b)
		if !ok || seqs[len(seqs)-1] != h.Seq {
			if len(r.HistoryMalformed) < maxRows {
				r.HistoryMalformed = append(r.HistoryMalformed, h)
			}
		}
		l := r.HistoryLegs[h.AccountID]
		for _, s := range seqs {
			l.Count++
			l.SeqSum += s
		}
		r.HistoryLegs[h.AccountID] = l
		r.HistoryLast[h.AccountID] = h
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, col := range []string{"debit_account_id", "credit_account_id"} {
		rows, err := q.QueryContext(ctx, "SELECT "+col+", COUNT(*), SUM(seq) FROM ledger_transfers GROUP BY "+col)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, n, sum int64
			if err := rows.Scan(&id, &n, &sum); err != nil {
				rows.Close()
				return err
			}
			l := r.TransferLegs[id]
			l.Count += n
			l.SeqSum += sum
			r.TransferLegs[id] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	// Every history row against a window sum over the account's own transfers: this proves
	// what balance-at-date and statements read, all four balances, at every batch.
	legs := func(col string, side int) string {
		return fmt.Sprintf(`SELECT t.%s AS acct, t.seq, t.ts,
			CASE WHEN (t.flags & %d) = 0 THEN t.amount ELSE 0 END AS posted,
			CASE WHEN (t.flags & %d) <> 0 THEN t.amount WHEN (t.flags & %d) <> 0 THEN -COALESCE(p.amount, 0) ELSE 0 END AS pending,
			%d AS side
		FROM ledger_transfers t LEFT JOIN ledger_transfers p ON t.pending_id IS NOT NULL AND p.id = t.pending_id`,
			col, ledgerNotPosted, ledgerFlagPending, ledgerFlagPost|ledgerFlagVoid|ledgerFlagExpire, side)
	}
	query := fmt.Sprintf(`WITH legs AS (%s UNION ALL %s),
		run AS (
			SELECT acct, seq, ts,
				SUM(CASE WHEN side = 0 THEN pending ELSE 0 END) OVER w AS dpe,
				SUM(CASE WHEN side = 0 THEN posted ELSE 0 END) OVER w AS dpo,
				SUM(CASE WHEN side = 1 THEN pending ELSE 0 END) OVER w AS cpe,
				SUM(CASE WHEN side = 1 THEN posted ELSE 0 END) OVER w AS cpo
			FROM legs
			WINDOW w AS (PARTITION BY acct ORDER BY seq ROWS UNBOUNDED PRECEDING)
		)
		SELECT h.account_id, h.ts, h.seq, h.debits_pending, h.debits_posted, h.credits_pending, h.credits_posted,
			COALESCE(run.ts, 0), COALESCE(run.dpe, 0), COALESCE(run.dpo, 0), COALESCE(run.cpe, 0), COALESCE(run.cpo, 0), run.seq IS NOT NULL
		FROM ledger_history h LEFT JOIN run ON run.acct = h.account_id AND run.seq = h.seq
		WHERE run.seq IS NULL OR run.ts <> h.ts OR run.dpe <> h.debits_pending OR run.dpo <> h.debits_posted
			OR run.cpe <> h.credits_pending OR run.cpo <> h.credits_posted
		ORDER BY h.account_id, h.ts, h.seq LIMIT %d`,
		legs("debit_account_id", 0), legs("credit_account_id", 1), maxRows)
	rows, err = q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m LedgerHistoryMismatch
		h, c := &m.Stored, &m.Computed
		if err := rows.Scan(&h.AccountID, &h.TS, &h.Seq, &h.DebitsPending, &h.DebitsPosted, &h.CreditsPending, &h.CreditsPosted,
			&c.TS, &c.DebitsPending, &c.DebitsPosted, &c.CreditsPending, &c.CreditsPosted, &m.Found); err != nil {
			return err
		}
		c.AccountID, c.Seq = h.AccountID, h.Seq
		r.HistoryWrong = append(r.HistoryWrong, m)
	}
	return rows.Err()
}

// Benchmark ceilings. The ledger benchmarks compare CreateTransfers against the fastest
// way to put the same rows into the database with no rules at all; these functions are
// that ceiling and nothing in the platform uses them.

// CreateBareLedgerTable creates ledger_bare: ledger_transfers' columns, no key but the
// implicit row id, no index, no constraint.
func (db *DB) CreateBareLedgerTable(ctx context.Context) error {
	blob := "BLOB"
	if db.Dialect == Postgres {
		blob = "BYTEA"
	}
	return db.Write(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, "DROP TABLE IF EXISTS ledger_bare"); err != nil {
			return err
		}
		_, err := t.exec(ctx, `CREATE TABLE ledger_bare (seq BIGINT, id `+blob+`, ledger_id BIGINT, debit_account_id BIGINT,
			credit_account_id BIGINT, amount BIGINT, pending_id `+blob+`, code INTEGER, flags INTEGER, timeout BIGINT, ts BIGINT,
			ref TEXT)`)
		return err
	})
}

// InsertBareLedgerRows inserts rows into ledger_bare in one transaction with the same
// prepared multi-row INSERT statements the ledger uses.
func (db *DB) InsertBareLedgerRows(ctx context.Context, rows []LedgerTransfer) error {
	return db.Write(ctx, func(t *Tx) error { return insertTransferRows(ctx, t, "ledger_bare", rows) })
}

// CopyBareLedgerRows loads rows into ledger_bare with PostgreSQL's COPY (pgx CopyFrom),
// the fastest bulk path PostgreSQL has.
func (db *DB) CopyBareLedgerRows(ctx context.Context, rows []LedgerTransfer) error {
	if db.Dialect != Postgres {
		return errors.New("COPY is PostgreSQL only")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		src := make([][]any, len(rows))
		for i, x := range rows {
			src[i] = transferArgs(make([]any, 0, ledgerInsertCols), x)
		}
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"ledger_bare"}, []string{"seq", "id", "ledger_id", "debit_account_id",
			"credit_account_id", "amount", "pending_id", "code", "flags", "timeout", "ts", "ref"}, pgx.CopyFromRows(src))
		return err
	})
}
