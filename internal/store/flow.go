package store

import (
	"context"
	"database/sql"
	"time"
)

// The rare earth and tungsten flow layer's SQL: the class → product mapping, the events a
// check reads, the licences and quota reports it compares with, and the anomalies with
// their comments. The checks themselves live in internal/flow.

// FlowProduct maps a GTIN (every lot of it) to a product with its oxide content.
type FlowProduct struct {
	GTIN        string
	ProductCode string
	ProductZh   string // read only
	ProductEn   string // read only
	Stage       string
	Oxide       string // REO or WO3
	ContentPPM  int64
	YieldMinPPM *int64
	YieldMaxPPM *int64
	Source      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const flowProductCols = `f.gtin, f.product_code, p.name_zh, p.name_en, f.stage, f.oxide, f.content_ppm, f.yield_min_ppm, f.yield_max_ppm,
	f.source, f.created_at, f.updated_at`

func scanFlowProduct(r rowScanner) (FlowProduct, error) {
	var f FlowProduct
	var lo, hi sql.NullInt64
	var at, up int64
	err := r.Scan(&f.GTIN, &f.ProductCode, &f.ProductZh, &f.ProductEn, &f.Stage, &f.Oxide, &f.ContentPPM, &lo, &hi, &f.Source, &at, &up)
	if lo.Valid {
		f.YieldMinPPM = &lo.Int64
	}
	if hi.Valid {
		f.YieldMaxPPM = &hi.Int64
	}
	f.CreatedAt, f.UpdatedAt = time.UnixMilli(at).UTC(), time.UnixMilli(up).UTC()
	return f, err
}

// UpsertFlowProduct adds or replaces a GTIN's mapping.
func (t *Tx) UpsertFlowProduct(ctx context.Context, f FlowProduct) error {
	_, err := t.exec(ctx, `INSERT INTO flow_products(gtin, product_code, stage, oxide, content_ppm, yield_min_ppm, yield_max_ppm, source,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (gtin) DO UPDATE SET product_code = excluded.product_code, stage = excluded.stage, oxide = excluded.oxide,
		content_ppm = excluded.content_ppm, yield_min_ppm = excluded.yield_min_ppm, yield_max_ppm = excluded.yield_max_ppm,
		source = excluded.source, updated_at = excluded.updated_at`,
		f.GTIN, f.ProductCode, f.Stage, f.Oxide, f.ContentPPM, nullPtr(f.YieldMinPPM), nullPtr(f.YieldMaxPPM), f.Source,
		f.CreatedAt.UnixMilli(), f.UpdatedAt.UnixMilli())
	return err
}

// FlowProductByGTIN reads one mapping inside a write transaction.
func (t *Tx) FlowProductByGTIN(ctx context.Context, gtin string) (FlowProduct, error) {
	f, err := scanFlowProduct(t.queryRow(ctx, "SELECT "+flowProductCols+
		" FROM flow_products f JOIN res_products p ON p.code = f.product_code WHERE f.gtin = ?", gtin))
	return f, notFound(err)
}

// FlowProducts returns every mapping (a few hundred at most: checks load them whole).
func (db *DB) FlowProducts(ctx context.Context) ([]FlowProduct, error) {
	return all(ctx, db, scanFlowProduct, "SELECT "+flowProductCols+
		" FROM flow_products f JOIN res_products p ON p.code = f.product_code ORDER BY f.gtin")
}

// FlowEventFilter selects the events a flow check reads: not error declarations, not
// events declared erroneous (a corrected event never counts twice).
type FlowEventFilter struct {
	From, To int64 // event time, Unix ms, [From, To)
	Sites    []string
	BizSteps []string
}

// FlowEvents returns the selected events in event-time order, with their documents.
func (db *DB) FlowEvents(ctx context.Context, f FlowEventFilter) ([]EPCISEventRow, error) {
	q := `SELECT log_index, hash_id, event_id, event_type, event_time, record_time, action, biz_step, read_point, biz_location,
		COALESCE(enterprise_id, 0), doc FROM epcis_events WHERE declaration = 0 AND error_declared = 0 AND event_time >= ? AND event_time < ?`
	args := []any{f.From, f.To}
	if len(f.Sites) > 0 {
		q += " AND biz_location IN (" + placeholders(len(f.Sites)) + ")"
		for _, s := range f.Sites {
			args = append(args, s)
		}
	}
	if len(f.BizSteps) > 0 {
		q += " AND biz_step IN (" + placeholders(len(f.BizSteps)) + ")"
		for _, s := range f.BizSteps {
			args = append(args, s)
		}
	}
	q += " ORDER BY event_time, log_index"
	return all(ctx, db, func(r rowScanner) (EPCISEventRow, error) {
		var e EPCISEventRow
		err := r.Scan(&e.LogIndex, &e.HashID, &e.EventID, &e.EventType, &e.EventTime, &e.RecordTime, &e.Action, &e.BizStep,
			&e.ReadPoint, &e.BizLocation, &e.EnterpriseID, &e.Doc)
		return e, err
	}, q, args...)
}

// EnterprisesWithGrant returns the enterprises granted quota of a ledger kind in a year
// (kind "" : of any kind): the platform's record of who is licensed.
func (db *DB) EnterprisesWithGrant(ctx context.Context, kind string, year int) (map[int64]bool, error) {
	ids, err := all(ctx, db, func(r rowScanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT DISTINCT a.enterprise_id FROM quota_grants g
		JOIN ledger_accounts a ON a.code = g.to_account
		JOIN ledger_ledgers l ON l.id = g.ledger_id
		WHERE (l.kind = ? OR CAST(? AS TEXT) = '') AND l.year = ? AND a.enterprise_id IS NOT NULL`, kind, kind, year)
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// QuotaReported returns, per enterprise, the production it reported against mining quota
// for a period ("2026-03"), in grams of the ledger's base unit.
func (db *DB) QuotaReported(ctx context.Context, period string) (map[int64]int64, error) {
	type row struct{ ent, g int64 }
	rows, err := all(ctx, db, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.ent, &x.g)
	}, `SELECT r.enterprise_id, SUM(r.amount_g) FROM quota_reports r
		JOIN ledger_ledgers l ON l.id = r.ledger_id
		WHERE l.kind = 'mining' AND r.period = ? GROUP BY r.enterprise_id`, period)
	out := make(map[int64]int64, len(rows))
	for _, x := range rows {
		out[x.ent] = x.g
	}
	return out, err
}

// RegionParents returns every region's parent code ("" at the top) and kind.
func (db *DB) RegionParents(ctx context.Context) (map[string][2]string, error) {
	type row struct{ code, parent, kind string }
	rows, err := all(ctx, db, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.code, &x.parent, &x.kind)
	}, "SELECT code, COALESCE(parent_code, ''), kind FROM regions")
	out := make(map[string][2]string, len(rows))
	for _, x := range rows {
		out[x.code] = [2]string{x.parent, x.kind}
	}
	return out, err
}

// FlowAnomaly is a row of flow_anomalies.
type FlowAnomaly struct {
	ID           int64
	DedupKey     string
	Kind         string
	SiteURI      string
	SiteZh       string // read only: the location's name, "" when the site is not registered
	EnterpriseID int64
	Enterprise   string // read only
	Period       string
	ExpectedG    *int64
	ActualG      *int64
	DetailZh     string
	DetailEn     string
	Evidence     string // JSON array of event hash ids
	Status       string
	AssigneeID   int64
	Assignee     string // read only
	CloseReason  string
	FoundAt      time.Time
	UpdatedAt    time.Time
}

const flowAnomalyFrom = `flow_anomalies a
	LEFT JOIN epcis_locations l ON l.uri = a.site_uri
	LEFT JOIN enterprises e ON e.id = a.enterprise_id
	LEFT JOIN users u ON u.id = a.assignee_id`

const flowAnomalyCols = `a.id, a.dedup_key, a.kind, a.site_uri, COALESCE(l.name_zh, ''), COALESCE(a.enterprise_id, 0), COALESCE(e.name_zh, ''),
	a.period, a.expected_g, a.actual_g, a.detail_zh, a.detail_en, a.evidence, a.status, COALESCE(a.assignee_id, 0),
	COALESCE(u.username, ''), a.close_reason, a.found_at, a.updated_at`

func scanFlowAnomaly(r rowScanner) (FlowAnomaly, error) {
	var a FlowAnomaly
	var exp, act sql.NullInt64
	var found, up int64
	err := r.Scan(&a.ID, &a.DedupKey, &a.Kind, &a.SiteURI, &a.SiteZh, &a.EnterpriseID, &a.Enterprise, &a.Period, &exp, &act,
		&a.DetailZh, &a.DetailEn, &a.Evidence, &a.Status, &a.AssigneeID, &a.Assignee, &a.CloseReason, &found, &up)
	if exp.Valid {
		a.ExpectedG = &exp.Int64
	}
	if act.Valid {
		a.ActualG = &act.Int64
	}
	a.FoundAt, a.UpdatedAt = time.UnixMilli(found).UTC(), time.UnixMilli(up).UTC()
	return a, err
}

// UpsertFlowAnomaly records a finding. A finding already recorded under the same key keeps
// its id, status, assignee and comments; only what was measured is refreshed. created
// tells the two apart.
func (t *Tx) UpsertFlowAnomaly(ctx context.Context, a FlowAnomaly) (id int64, created bool, err error) {
	err = t.queryRow(ctx, "SELECT id FROM flow_anomalies WHERE dedup_key = ?", a.DedupKey).Scan(&id)
	if err == nil {
		_, err = t.exec(ctx, `UPDATE flow_anomalies SET expected_g = ?, actual_g = ?, detail_zh = ?, detail_en = ?, evidence = ?
			WHERE id = ?`, nullPtr(a.ExpectedG), nullPtr(a.ActualG), a.DetailZh, a.DetailEn, a.Evidence, id)
		return id, false, err
	}
	if err != sql.ErrNoRows {
		return 0, false, err
	}
	id, err = t.insertID(ctx, `INSERT INTO flow_anomalies(dedup_key, kind, site_uri, enterprise_id, period, expected_g, actual_g,
		detail_zh, detail_en, evidence, status, found_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
		a.DedupKey, a.Kind, a.SiteURI, nullID(a.EnterpriseID), a.Period, nullPtr(a.ExpectedG), nullPtr(a.ActualG), a.DetailZh,
		a.DetailEn, a.Evidence, a.FoundAt.UnixMilli(), a.FoundAt.UnixMilli())
	return id, true, err
}

// FlowAnomalyFilter narrows the anomaly list; EnterpriseID > 0 is an enterprise user's scope.
type FlowAnomalyFilter struct {
	Kind, Site, Status string
	EnterpriseID       int64
}

var flowAnomalyList = listSpec{
	from:    flowAnomalyFrom,
	columns: flowAnomalyCols,
	sorts: map[string]string{"id": "a.id", "kind": "a.kind", "site": "a.site_uri", "period": "a.period", "status": "a.status",
		"enterprise": "e.name_zh"},
	defaultSort: "a.id DESC",
	filterCols:  []string{"a.site_uri", "l.name_zh", "e.name_zh", "a.detail_zh", "a.detail_en", "a.period"},
	tiebreak:    "a.id",
}

// ListFlowAnomalies lists anomalies.
func (db *DB) ListFlowAnomalies(ctx context.Context, f FlowAnomalyFilter, q ListQuery) (Page[FlowAnomaly], error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.Kind != "" {
		add("a.kind = ?", f.Kind)
	}
	if f.Site != "" {
		add("a.site_uri = ?", f.Site)
	}
	if f.Status != "" {
		add("a.status = ?", f.Status)
	}
	if f.EnterpriseID > 0 {
		add("a.enterprise_id = ?", f.EnterpriseID)
	}
	return list(ctx, db, flowAnomalyList, q, conds, args, scanFlowAnomaly)
}

// FlowAnomalyByID reads one anomaly.
func (db *DB) FlowAnomalyByID(ctx context.Context, id int64) (FlowAnomaly, error) {
	a, err := scanFlowAnomaly(db.queryRow(ctx, "SELECT "+flowAnomalyCols+" FROM "+flowAnomalyFrom+" WHERE a.id = ?", id))
	return a, notFound(err)
}

// FlowAnomalyForUpdate reads one anomaly inside a write transaction.
func (t *Tx) FlowAnomalyForUpdate(ctx context.Context, id int64) (FlowAnomaly, error) {
	a, err := scanFlowAnomaly(t.queryRow(ctx, "SELECT "+flowAnomalyCols+" FROM "+flowAnomalyFrom+" WHERE a.id = ?", id))
	return a, notFound(err)
}

// SetFlowAnomalyState writes the workflow columns.
func (t *Tx) SetFlowAnomalyState(ctx context.Context, a FlowAnomaly) error {
	_, err := t.exec(ctx, "UPDATE flow_anomalies SET status = ?, assignee_id = ?, close_reason = ?, updated_at = ? WHERE id = ?",
		a.Status, nullID(a.AssigneeID), a.CloseReason, a.UpdatedAt.UnixMilli(), a.ID)
	return err
}

// FlowComment is a row of flow_anomaly_comments.
type FlowComment struct {
	ID        int64
	AnomalyID int64
	UserID    int64
	Author    string
	Body      string
	CreatedAt time.Time
}

// InsertFlowComment adds a comment.
func (t *Tx) InsertFlowComment(ctx context.Context, c FlowComment) (int64, error) {
	return t.insertID(ctx, "INSERT INTO flow_anomaly_comments(anomaly_id, user_id, author, body, created_at) VALUES (?, ?, ?, ?, ?)",
		c.AnomalyID, nullID(c.UserID), c.Author, c.Body, c.CreatedAt.UnixMilli())
}

// FlowComments lists an anomaly's comments, oldest first.
func (db *DB) FlowComments(ctx context.Context, anomalyID int64) ([]FlowComment, error) {
	return all(ctx, db, func(r rowScanner) (FlowComment, error) {
		var c FlowComment
		var at int64
		err := r.Scan(&c.ID, &c.AnomalyID, &c.UserID, &c.Author, &c.Body, &at)
		c.CreatedAt = time.UnixMilli(at).UTC()
		return c, err
	}, "SELECT id, anomaly_id, COALESCE(user_id, 0), author, body, created_at FROM flow_anomaly_comments WHERE anomaly_id = ? ORDER BY id", anomalyID)
}

// CountFlowAnomalies counts anomaly rows (tests: bad input writes nothing).
func (db *DB) CountFlowAnomalies(ctx context.Context) (int, int, error) {
	var a, c int
	if err := db.queryRow(ctx, "SELECT COUNT(*) FROM flow_anomalies").Scan(&a); err != nil {
		return 0, 0, err
	}
	err := db.queryRow(ctx, "SELECT COUNT(*) FROM flow_anomaly_comments").Scan(&c)
	return a, c, err
}

// FlowSiteSpan is when a site's first and last counted events happened.
type FlowSiteSpan struct {
	Site        string
	First, Last int64 // Unix ms
}

// FlowSiteSpans returns every business location's first and last event time.
func (db *DB) FlowSiteSpans(ctx context.Context) ([]FlowSiteSpan, error) {
	return all(ctx, db, func(r rowScanner) (FlowSiteSpan, error) {
		var s FlowSiteSpan
		return s, r.Scan(&s.Site, &s.First, &s.Last)
	}, `SELECT biz_location, MIN(event_time), MAX(event_time) FROM epcis_events
		WHERE declaration = 0 AND error_declared = 0 AND biz_location <> '' GROUP BY biz_location`)
}
