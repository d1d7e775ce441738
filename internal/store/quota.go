package store

import (
	"context"
	"strconv"
	"time"
)

// QuotaGrant is one grant of quota: the ledger transfer it made (TransferID, hex) and what
// people read about it. Dates are YYYY-MM-DD.
type QuotaGrant struct {
	ID           int64
	LedgerID     int64
	Batch        string
	FromAccount  string
	ToAccount    string
	AmountG      int64
	TransferID   string
	GrantedOn    string
	DocNo        string
	Source       string
	SourceStatus string
	Note         string
	CreatedBy    string
	CreatedAt    time.Time
	// read only
	LedgerKey  string // commodity/kind/year
	ToHolder   string // holder kind of the receiving account
	ToEnterpr  int64  // enterprise of the receiving account, 0 none
	FromEnterp int64  // enterprise of the granting account, 0 none
	Documents  int
	Reviews    int
}

const grantColumns = `g.id, g.ledger_id, g.batch, g.from_account, g.to_account, g.amount_g, g.transfer_id, g.granted_on, g.doc_no,
	g.source, g.source_status, g.note, g.created_by, g.created_at, l.commodity, l.kind, l.year, ta.holder_kind,
	COALESCE(ta.enterprise_id, 0), COALESCE(fa.enterprise_id, 0),
	(SELECT COUNT(*) FROM quota_documents x WHERE x.grant_id = g.id), (SELECT COUNT(*) FROM quota_reviews x WHERE x.grant_id = g.id)`

const grantFrom = `quota_grants g JOIN ledger_ledgers l ON l.id = g.ledger_id JOIN ledger_accounts ta ON ta.code = g.to_account
	JOIN ledger_accounts fa ON fa.code = g.from_account`

func scanGrant(r rowScanner) (QuotaGrant, error) {
	var g QuotaGrant
	var c int64
	var com, kind string
	var year int
	err := r.Scan(&g.ID, &g.LedgerID, &g.Batch, &g.FromAccount, &g.ToAccount, &g.AmountG, &g.TransferID, &g.GrantedOn, &g.DocNo,
		&g.Source, &g.SourceStatus, &g.Note, &g.CreatedBy, &c, &com, &kind, &year, &g.ToHolder, &g.ToEnterpr, &g.FromEnterp,
		&g.Documents, &g.Reviews)
	g.CreatedAt = time.UnixMilli(c).UTC()
	g.LedgerKey = com + "/" + kind + "/" + strconv.Itoa(year)
	return g, err
}

// InsertQuotaGrant records a grant whose transfer the same transaction made.
func (t *Tx) InsertQuotaGrant(ctx context.Context, g QuotaGrant) (int64, error) {
	return t.insertID(ctx, `INSERT INTO quota_grants(ledger_id, batch, from_account, to_account, amount_g, transfer_id, granted_on,
		doc_no, source, source_status, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.LedgerID, g.Batch, g.FromAccount, g.ToAccount, g.AmountG, g.TransferID, g.GrantedOn, g.DocNo, g.Source, g.SourceStatus,
		g.Note, g.CreatedBy, g.CreatedAt.UnixMilli())
}

// QuotaGrantByTransfer reads the grant of a transfer inside a write transaction.
func (t *Tx) QuotaGrantByTransfer(ctx context.Context, transferID string) (QuotaGrant, error) {
	g, err := scanGrant(t.queryRow(ctx, "SELECT "+grantColumns+" FROM "+grantFrom+" WHERE g.transfer_id = ?", transferID))
	return g, notFound(err)
}

// QuotaGrantByID reads a grant.
func (db *DB) QuotaGrantByID(ctx context.Context, id int64) (QuotaGrant, error) {
	g, err := scanGrant(db.queryRow(ctx, "SELECT "+grantColumns+" FROM "+grantFrom+" WHERE g.id = ?", id))
	return g, notFound(err)
}

// QuotaGrantByID reads a grant inside a write transaction.
func (t *Tx) QuotaGrantByID(ctx context.Context, id int64) (QuotaGrant, error) {
	g, err := scanGrant(t.queryRow(ctx, "SELECT "+grantColumns+" FROM "+grantFrom+" WHERE g.id = ?", id))
	return g, notFound(err)
}

// GrantFilter limits a grant list: EnterpriseID keeps the grants to or from that
// enterprise's accounts; LedgerID one ledger.
type GrantFilter struct {
	LedgerID     int64
	EnterpriseID int64
}

var grantList = listSpec{
	from:    grantFrom,
	columns: grantColumns,
	sorts: map[string]string{"granted_on": "g.granted_on", "batch": "g.batch", "from": "g.from_account", "to": "g.to_account",
		"amount": "g.amount_g", "ledger": "l.commodity"},
	defaultSort: "g.granted_on DESC",
	filterCols:  []string{"g.batch", "g.from_account", "g.to_account", "g.doc_no", "g.note"},
	tiebreak:    "g.id",
}

// ListQuotaGrants lists grants.
func (db *DB) ListQuotaGrants(ctx context.Context, f GrantFilter, q ListQuery) (Page[QuotaGrant], error) {
	var conds []string
	var args []any
	if f.LedgerID != 0 {
		conds, args = append(conds, "g.ledger_id = ?"), append(args, f.LedgerID)
	}
	if f.EnterpriseID != 0 {
		conds = append(conds, "(ta.enterprise_id = ? OR fa.enterprise_id = ?)")
		args = append(args, f.EnterpriseID, f.EnterpriseID)
	}
	return list(ctx, db, grantList, q, conds, args, scanGrant)
}

// AllQuotaGrants lists every grant in date order: the input of the deadline tracker.
func (db *DB) AllQuotaGrants(ctx context.Context) ([]QuotaGrant, error) {
	return all(ctx, db, scanGrant, "SELECT "+grantColumns+" FROM "+grantFrom+" ORDER BY g.granted_on, g.id")
}

// QuotaDocument is a signed document attached to a grant. Body is read only by
// QuotaDocumentBody.
type QuotaDocument struct {
	ID          int64
	GrantID     int64
	Kind        string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Body        []byte
	UploadedBy  string
	UploadedAt  time.Time
}

// InsertQuotaDocument stores a document.
func (t *Tx) InsertQuotaDocument(ctx context.Context, d QuotaDocument) (int64, error) {
	return t.insertID(ctx, `INSERT INTO quota_documents(grant_id, kind, filename, content_type, size, sha256, body, uploaded_by, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.GrantID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.Body, d.UploadedBy,
		d.UploadedAt.UnixMilli())
}

const docColumns = "id, grant_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at"

func scanDoc(r rowScanner) (QuotaDocument, error) {
	var d QuotaDocument
	var at int64
	err := r.Scan(&d.ID, &d.GrantID, &d.Kind, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedBy, &at)
	d.UploadedAt = time.UnixMilli(at).UTC()
	return d, err
}

// QuotaDocuments lists a grant's documents (without bodies).
func (db *DB) QuotaDocuments(ctx context.Context, grantID int64) ([]QuotaDocument, error) {
	return all(ctx, db, scanDoc, "SELECT "+docColumns+" FROM quota_documents WHERE grant_id = ? ORDER BY id", grantID)
}

// QuotaDocumentBody reads one document with its body.
func (db *DB) QuotaDocumentBody(ctx context.Context, id int64) (QuotaDocument, error) {
	var d QuotaDocument
	var at int64
	err := db.queryRow(ctx, "SELECT "+docColumns+", body FROM quota_documents WHERE id = ?", id).Scan(&d.ID, &d.GrantID, &d.Kind,
		&d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedBy, &at, &d.Body)
	d.UploadedAt = time.UnixMilli(at).UTC()
	return d, notFound(err)
}

// QuotaReview is the expert review of a grant.
type QuotaReview struct {
	ID         int64
	GrantID    int64
	ReviewedOn string
	Experts    string
	Conclusion string
	Opinion    string
	CreatedBy  string
	CreatedAt  time.Time
}

// InsertQuotaReview records a review.
func (t *Tx) InsertQuotaReview(ctx context.Context, r QuotaReview) (int64, error) {
	return t.insertID(ctx, `INSERT INTO quota_reviews(grant_id, reviewed_on, experts, conclusion, opinion, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.GrantID, r.ReviewedOn, r.Experts, r.Conclusion, r.Opinion, r.CreatedBy, r.CreatedAt.UnixMilli())
}

// QuotaReviews lists a grant's reviews.
func (db *DB) QuotaReviews(ctx context.Context, grantID int64) ([]QuotaReview, error) {
	return all(ctx, db, func(r rowScanner) (QuotaReview, error) {
		var x QuotaReview
		var at int64
		err := r.Scan(&x.ID, &x.GrantID, &x.ReviewedOn, &x.Experts, &x.Conclusion, &x.Opinion, &x.CreatedBy, &at)
		x.CreatedAt = time.UnixMilli(at).UTC()
		return x, err
	}, "SELECT id, grant_id, reviewed_on, experts, conclusion, opinion, created_by, created_at FROM quota_reviews WHERE grant_id = ? ORDER BY id", grantID)
}

// CalendarDay is a day that breaks the Monday–Friday rule: a weekday holiday or a weekend
// workday (调休).
type CalendarDay struct {
	Day  string
	Kind string // holiday, workday
	Name string
}

// UpsertCalendarDay sets a calendar exception.
func (t *Tx) UpsertCalendarDay(ctx context.Context, d CalendarDay) error {
	_, err := t.exec(ctx, `INSERT INTO work_calendar(day, kind, name) VALUES (?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name`, d.Day, d.Kind, d.Name)
	return err
}

// DeleteCalendarDay removes a calendar exception; it reports whether one was there.
func (t *Tx) DeleteCalendarDay(ctx context.Context, day string) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM work_calendar WHERE day = ?", day)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CalendarDays lists every calendar exception.
func (db *DB) CalendarDays(ctx context.Context) ([]CalendarDay, error) {
	return all(ctx, db, func(r rowScanner) (CalendarDay, error) {
		var d CalendarDay
		err := r.Scan(&d.Day, &d.Kind, &d.Name)
		return d, err
	}, "SELECT day, kind, name FROM work_calendar ORDER BY day")
}

// SetReportRule sets whether a ledger records over-quota reports as violations.
func (t *Tx) SetReportRule(ctx context.Context, ledgerID int64, allowOver bool) error {
	_, err := t.exec(ctx, `INSERT INTO quota_report_rules(ledger_id, allow_over) VALUES (?, ?)
		ON CONFLICT (ledger_id) DO UPDATE SET allow_over = excluded.allow_over`, ledgerID, b2i(allowOver))
	return err
}

// ReportRule reads whether a ledger records over-quota reports (false when never set).
func (t *Tx) ReportRule(ctx context.Context, ledgerID int64) (bool, error) {
	var n int
	err := t.queryRow(ctx, "SELECT allow_over FROM quota_report_rules WHERE ledger_id = ?", ledgerID).Scan(&n)
	if err := notFound(err); err == ErrNotFound {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return n == 1, nil
}

// ClosePeriod closes a ledger's reporting period.
func (t *Tx) ClosePeriod(ctx context.Context, ledgerID int64, period, by string, at time.Time) error {
	_, err := t.exec(ctx, "INSERT INTO quota_closed_periods(ledger_id, period, closed_by, closed_at) VALUES (?, ?, ?, ?)",
		ledgerID, period, by, at.UnixMilli())
	return err
}

// PeriodClosed reports whether a ledger's period is closed.
func (t *Tx) PeriodClosed(ctx context.Context, ledgerID int64, period string) (bool, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM quota_closed_periods WHERE ledger_id = ? AND period = ?", ledgerID, period).Scan(&n)
	return n > 0, err
}

// QuotaReport is a production report.
type QuotaReport struct {
	ID           int64
	EnterpriseID int64
	LedgerID     int64
	Account      string
	Period       string
	AmountG      int64
	ConsumedG    int64
	OverG        int64
	TransferID   string // "" when nothing was left to consume
	Late         bool
	DueOn        string
	Note         string
	CreatedBy    string
	CreatedAt    time.Time
	// read only
	EnterpriseName string
	LedgerKey      string
}

const reportColumns = `q.id, q.enterprise_id, q.ledger_id, q.account, q.period, q.amount_g, q.consumed_g, q.over_g,
	COALESCE(q.transfer_id, ''), q.late, q.due_on, q.note, q.created_by, q.created_at, e.name_zh, l.commodity, l.kind, l.year`

const reportFrom = "quota_reports q JOIN enterprises e ON e.id = q.enterprise_id JOIN ledger_ledgers l ON l.id = q.ledger_id"

func scanReport(r rowScanner) (QuotaReport, error) {
	var x QuotaReport
	var late int
	var c int64
	var com, kind string
	var year int
	err := r.Scan(&x.ID, &x.EnterpriseID, &x.LedgerID, &x.Account, &x.Period, &x.AmountG, &x.ConsumedG, &x.OverG, &x.TransferID,
		&late, &x.DueOn, &x.Note, &x.CreatedBy, &c, &x.EnterpriseName, &com, &kind, &year)
	x.Late = late == 1
	x.CreatedAt = time.UnixMilli(c).UTC()
	x.LedgerKey = com + "/" + kind + "/" + strconv.Itoa(year)
	return x, err
}

// InsertQuotaReport records a report.
func (t *Tx) InsertQuotaReport(ctx context.Context, x QuotaReport) (int64, error) {
	return t.insertID(ctx, `INSERT INTO quota_reports(enterprise_id, ledger_id, account, period, amount_g, consumed_g, over_g,
		transfer_id, late, due_on, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		x.EnterpriseID, x.LedgerID, x.Account, x.Period, x.AmountG, x.ConsumedG, x.OverG, nullStr(x.TransferID), b2i(x.Late),
		x.DueOn, x.Note, x.CreatedBy, x.CreatedAt.UnixMilli())
}

// QuotaReportByID reads a report.
func (db *DB) QuotaReportByID(ctx context.Context, id int64) (QuotaReport, error) {
	x, err := scanReport(db.queryRow(ctx, "SELECT "+reportColumns+" FROM "+reportFrom+" WHERE q.id = ?", id))
	return x, notFound(err)
}

// ReportFilter limits a report list.
type ReportFilter struct {
	EnterpriseID int64
	LedgerID     int64
	Flagged      bool // late or over quota only
}

var reportList = listSpec{
	from:    reportFrom,
	columns: reportColumns,
	sorts: map[string]string{"period": "q.period", "enterprise": "e.name_zh", "amount": "q.amount_g", "over": "q.over_g",
		"submitted": "q.created_at"},
	defaultSort: "q.period DESC",
	filterCols:  []string{"e.name_zh", "q.period", "q.account", "q.note"},
	tiebreak:    "q.id",
}

// ListQuotaReports lists reports.
func (db *DB) ListQuotaReports(ctx context.Context, f ReportFilter, q ListQuery) (Page[QuotaReport], error) {
	var conds []string
	var args []any
	if f.EnterpriseID != 0 {
		conds, args = append(conds, "q.enterprise_id = ?"), append(args, f.EnterpriseID)
	}
	if f.LedgerID != 0 {
		conds, args = append(conds, "q.ledger_id = ?"), append(args, f.LedgerID)
	}
	if f.Flagged {
		conds = append(conds, "(q.late = 1 OR q.over_g > 0)")
	}
	return list(ctx, db, reportList, q, conds, args, scanReport)
}

// LedgerAccountByCode reads an account inside a write transaction (no lock: the ledger
// locks what it moves).
func (t *Tx) LedgerAccountByCode(ctx context.Context, code string) (LedgerAccount, error) {
	a, err := scanLedgerAccount(t.queryRow(ctx, "SELECT "+ledgerAccountColumns+" FROM ledger_accounts WHERE code = ?", code))
	return a, notFound(err)
}

// EnterpriseLedgerAccount finds an enterprise's account in a ledger inside a write
// transaction (the first by id when it has several).
func (t *Tx) EnterpriseLedgerAccount(ctx context.Context, ledgerID, enterpriseID int64) (LedgerAccount, error) {
	a, err := scanLedgerAccount(t.queryRow(ctx, "SELECT "+ledgerAccountColumns+
		" FROM ledger_accounts WHERE ledger_id = ? AND enterprise_id = ? AND holder_kind = 'enterprise' ORDER BY id LIMIT 1", ledgerID, enterpriseID))
	return a, notFound(err)
}

// SinkAccount finds a ledger's sink of a kind inside a write transaction.
func (t *Tx) SinkAccount(ctx context.Context, ledgerID int64, sinkKind string) (LedgerAccount, error) {
	a, err := scanLedgerAccount(t.queryRow(ctx, "SELECT "+ledgerAccountColumns+
		" FROM ledger_accounts WHERE ledger_id = ? AND holder_kind = 'sink' AND sink_kind = ? ORDER BY id LIMIT 1", ledgerID, sinkKind))
	return a, notFound(err)
}

// LedgerByKey finds a ledger inside a write transaction.
func (t *Tx) LedgerByKey(ctx context.Context, commodity, kind string, year int) (Ledger, error) {
	l, err := scanLedger(t.queryRow(ctx, "SELECT id, commodity, kind, year, created_at FROM ledger_ledgers WHERE commodity = ? AND kind = ? AND year = ?", commodity, kind, year))
	return l, notFound(err)
}
