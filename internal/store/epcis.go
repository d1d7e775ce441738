package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The EPCIS repository's SQL: locations, captures, events with their EPCs and quantities,
// and the Merkle log's stored hashes and head. The rules (who may capture where, what is
// valid, how the log hashes) live in internal/trace.

// EPCISLocation is a row of epcis_locations.
type EPCISLocation struct {
	ID           int64
	URI          string
	NameZh       string
	NameEn       string
	Kind         string
	RegionCode   string
	EnterpriseID int64
	ParentURI    string
	CreatedAt    time.Time
}

const locationCols = "id, uri, name_zh, name_en, kind, region_code, enterprise_id, COALESCE(parent_uri, ''), created_at"

func scanLocation(r interface{ Scan(...any) error }) (EPCISLocation, error) {
	var l EPCISLocation
	var at int64
	err := r.Scan(&l.ID, &l.URI, &l.NameZh, &l.NameEn, &l.Kind, &l.RegionCode, &l.EnterpriseID, &l.ParentURI, &at)
	l.CreatedAt = time.UnixMilli(at).UTC()
	return l, err
}

// InsertEPCISLocation adds a location.
func (t *Tx) InsertEPCISLocation(ctx context.Context, l EPCISLocation) (int64, error) {
	var parent any
	if l.ParentURI != "" {
		parent = l.ParentURI
	}
	return t.insertID(ctx, `INSERT INTO epcis_locations(uri, name_zh, name_en, kind, region_code, enterprise_id, parent_uri, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, l.URI, l.NameZh, l.NameEn, l.Kind, l.RegionCode, l.EnterpriseID, parent, l.CreatedAt.UnixMilli())
}

// EPCISLocations returns every location (a region's master data is thousands of rows at
// most, so capture loads them whole instead of querying per event).
func (db *DB) EPCISLocations(ctx context.Context) ([]EPCISLocation, error) {
	rows, err := db.query(ctx, "SELECT "+locationCols+" FROM epcis_locations ORDER BY uri")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EPCISLocation
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// EPCISCapture is a row of epcis_captures (without the document unless asked).
type EPCISCapture struct {
	ID           int64
	UserID       int64
	EnterpriseID int64
	Behaviour    string
	Success      bool
	Events       int
	Stored       int
	Duplicates   int
	Errors       string // JSON array
	ContentType  string
	Document     []byte
	CreatedAt    time.Time
	FinishedAt   time.Time
}

// EPCISEventRow is a row of epcis_events with its items.
type EPCISEventRow struct {
	LogIndex         int64
	HashID           string
	Declaration      bool
	ErrorDeclared    bool
	EventID          string
	EventType        string
	EventTime        int64 // Unix ms
	RecordTime       int64 // Unix ms
	Action           string
	BizStep          string
	Disposition      string
	ReadPoint        string
	BizLocation      string
	TransformationID string
	EnterpriseID     int64 // 0: none
	CaptureID        int64
	Doc              string
	Items            []EPCISItem
}

// EPCISItem is a row of epcis_event_items.
type EPCISItem struct {
	Role     string
	Value    string
	Quantity *float64
	UOM      string
}

// LockEPCISLog reads the log head, locking it until the transaction ends so that appends
// from several servers are serialised (SQLite's single IMMEDIATE writer already is).
func (t *Tx) LockEPCISLog(ctx context.Context) (size int64, root []byte, err error) {
	err = t.queryRow(ctx, "SELECT size, root FROM epcis_log_head WHERE id = 1"+t.d.forUpdate()).Scan(&size, &root)
	return size, root, err
}

// SetEPCISLogHead records the new size and root.
func (t *Tx) SetEPCISLogHead(ctx context.Context, size int64, root []byte, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE epcis_log_head SET size = ?, root = ?, updated_at = ? WHERE id = 1", size, root, at.UnixMilli())
	return err
}

// EPCISLogHead reads the head without locking.
func (db *DB) EPCISLogHead(ctx context.Context) (size int64, root []byte, err error) {
	err = db.queryRow(ctx, "SELECT size, root FROM epcis_log_head WHERE id = 1").Scan(&size, &root)
	return size, root, err
}

// ExistingEPCISHashes returns which of the hashes are stored, as hash → declaration flags
// present (bit 0: the event itself, bit 1: a declaration of it).
func (t *Tx) ExistingEPCISHashes(ctx context.Context, hashes []string) (map[string]int, error) {
	out := map[string]int{}
	for start := 0; start < len(hashes); start += 500 {
		chunk := hashes[start:min(start+500, len(hashes))]
		args := make([]any, len(chunk))
		for i, h := range chunk {
			args[i] = h
		}
		rows, err := t.query(ctx, "SELECT hash_id, declaration FROM epcis_events WHERE hash_id IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h string
			var decl int
			if err := rows.Scan(&h, &decl); err != nil {
				rows.Close()
				return nil, err
			}
			out[h] |= 1 << decl
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InsertEPCISCapture records a capture request.
func (t *Tx) InsertEPCISCapture(ctx context.Context, c EPCISCapture) (int64, error) {
	return t.insertID(ctx, `INSERT INTO epcis_captures(user_id, enterprise_id, behaviour, success, events, stored, duplicates, errors,
		content_type, document, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(c.UserID), nullID(c.EnterpriseID), c.Behaviour, boolInt(c.Success), c.Events, c.Stored, c.Duplicates, c.Errors,
		c.ContentType, c.Document, c.CreatedAt.UnixMilli(), c.FinishedAt.UnixMilli())
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// EPCISCaptureByID reads a capture without its document.
func (db *DB) EPCISCaptureByID(ctx context.Context, id int64) (EPCISCapture, error) {
	var c EPCISCapture
	var uid, eid sql.NullInt64
	var ok int
	var at, fin int64
	err := db.queryRow(ctx, `SELECT id, user_id, enterprise_id, behaviour, success, events, stored, duplicates, errors, content_type,
		created_at, finished_at FROM epcis_captures WHERE id = ?`, id).Scan(&c.ID, &uid, &eid, &c.Behaviour, &ok, &c.Events,
		&c.Stored, &c.Duplicates, &c.Errors, &c.ContentType, &at, &fin)
	c.UserID, c.EnterpriseID, c.Success = uid.Int64, eid.Int64, ok == 1
	c.CreatedAt, c.FinishedAt = time.UnixMilli(at).UTC(), time.UnixMilli(fin).UTC()
	return c, notFound(err)
}

// InsertEPCISEvents writes events and their items with multi-row INSERTs (a capture of
// thousands of events must cost a handful of statements, not thousands).
func (t *Tx) InsertEPCISEvents(ctx context.Context, evs []EPCISEventRow) error {
	const cols = 17
	const per = 50 // 850 parameters: under SQLite's and PostgreSQL's limits
	for start := 0; start < len(evs); start += per {
		chunk := evs[start:min(start+per, len(evs))]
		args := make([]any, 0, len(chunk)*cols)
		for _, e := range chunk {
			args = append(args, e.LogIndex, e.HashID, boolInt(e.Declaration), boolInt(e.ErrorDeclared), e.EventID, e.EventType,
				e.EventTime, e.RecordTime, e.Action, e.BizStep, e.Disposition, e.ReadPoint, e.BizLocation, e.TransformationID,
				nullID(e.EnterpriseID), e.CaptureID, e.Doc)
		}
		q := `INSERT INTO epcis_events(log_index, hash_id, declaration, error_declared, event_id, event_type, event_time, record_time,
			action, biz_step, disposition, read_point, biz_location, transformation_id, enterprise_id, capture_id, doc) VALUES ` +
			rowsOf(len(chunk), cols)
		if _, err := t.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	var items []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := t.exec(ctx, "INSERT INTO epcis_event_items(log_index, role, value, quantity, uom) VALUES "+rowsOf(n, 5), items...)
		items, n = items[:0], 0
		return err
	}
	for _, e := range evs {
		for _, it := range e.Items {
			var q any
			if it.Quantity != nil {
				q = *it.Quantity
			}
			items = append(items, e.LogIndex, it.Role, it.Value, q, it.UOM)
			if n++; n == 150 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

func rowsOf(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// MarkEPCISErrorDeclared flags the events that an error declaration names.
func (t *Tx) MarkEPCISErrorDeclared(ctx context.Context, hashes []string) error {
	for start := 0; start < len(hashes); start += 500 {
		chunk := hashes[start:min(start+500, len(hashes))]
		args := make([]any, len(chunk))
		for i, h := range chunk {
			args[i] = h
		}
		if _, err := t.exec(ctx, "UPDATE epcis_events SET error_declared = 1 WHERE declaration = 0 AND hash_id IN ("+
			placeholders(len(chunk))+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// InsertEPCISLogHashes stores tree hashes by their tlog stored-hash index.
func (t *Tx) InsertEPCISLogHashes(ctx context.Context, start int64, hashes [][]byte) error {
	const per = 400
	for off := 0; off < len(hashes); off += per {
		chunk := hashes[off:min(off+per, len(hashes))]
		args := make([]any, 0, 2*len(chunk))
		for i, h := range chunk {
			args = append(args, start+int64(off+i), h)
		}
		if _, err := t.exec(ctx, "INSERT INTO epcis_log_hashes(idx, hash) VALUES "+rowsOf(len(chunk), 2), args...); err != nil {
			return err
		}
	}
	return nil
}

// EPCISLogHashes reads stored hashes by index, in the order asked; a missing one is an error.
func (t *Tx) EPCISLogHashes(ctx context.Context, idx []int64) ([][]byte, error) {
	return readLogHashes(ctx, t.query, idx)
}

// EPCISLogHashes reads stored hashes by index from the read pool.
func (db *DB) EPCISLogHashes(ctx context.Context, idx []int64) ([][]byte, error) {
	return readLogHashes(ctx, db.query, idx)
}

func readLogHashes(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), idx []int64) ([][]byte, error) {
	got := make(map[int64][]byte, len(idx))
	for start := 0; start < len(idx); start += 500 {
		chunk := idx[start:min(start+500, len(idx))]
		args := make([]any, len(chunk))
		for i, x := range chunk {
			args[i] = x
		}
		rows, err := query(ctx, "SELECT idx, hash FROM epcis_log_hashes WHERE idx IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var i int64
			var h []byte
			if err := rows.Scan(&i, &h); err != nil {
				rows.Close()
				return nil, err
			}
			got[i] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, len(idx))
	for i, x := range idx {
		h, ok := got[x]
		if !ok {
			return nil, fmt.Errorf("epcis log: stored hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// EPCISEventFilter is the store's form of an EPCIS query: every condition is ANDed.
type EPCISEventFilter struct {
	EnterpriseID     int64 // >0: only this enterprise's events (enterprise users)
	EventTypes       []string
	GEEventTime      *int64
	LTEventTime      *int64
	GERecordTime     *int64
	LTRecordTime     *int64
	Actions          []string
	BizSteps         []string // each in every spelling the event may have been stored in
	Dispositions     []string
	ReadPoints       []string
	BizLocations     []string
	TransformationID []string
	EventIDs         []string
	// Items: each entry is one MATCH_ parameter: any of Values (exact) or Prefixes (an
	// idpat with *) in any of Roles.
	Items []EPCISItemMatch
	// Quantity comparisons: op is one of = > >= < <=.
	Quantity []EPCISQuantityCond
	OrderBy  string // "eventTime" (default) or "recordTime"
	Desc     bool
	// Keyset paging: continue after the event at (AfterKey, After) in the sort order.
	HasAfter bool
	After    int64 // log index
	AfterKey int64 // event or record time
	Limit    int
}

// EPCISItemMatch is one MATCH_ parameter.
type EPCISItemMatch struct {
	Roles    []string
	Values   []string
	Prefixes []string
}

// EPCISQuantityCond is one quantity filter.
type EPCISQuantityCond struct {
	Op    string
	Value float64
}

// QueryEPCISEvents returns events matching f in order, at most f.Limit+1 (so the caller
// knows whether there is a next page).
func (db *DB) QueryEPCISEvents(ctx context.Context, f EPCISEventFilter) ([]EPCISEventRow, error) {
	var conds []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		conds = append(conds, col+" IN ("+placeholders(len(vals))+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if f.EnterpriseID > 0 {
		conds = append(conds, "e.enterprise_id = ?")
		args = append(args, f.EnterpriseID)
	}
	in("e.event_type", f.EventTypes)
	in("e.action", f.Actions)
	in("e.biz_step", f.BizSteps)
	in("e.disposition", f.Dispositions)
	in("e.read_point", f.ReadPoints)
	in("e.biz_location", f.BizLocations)
	in("e.transformation_id", f.TransformationID)
	if len(f.EventIDs) > 0 {
		ph := placeholders(len(f.EventIDs))
		conds = append(conds, "(e.event_id IN ("+ph+") OR e.hash_id IN ("+ph+"))")
		for range 2 {
			for _, v := range f.EventIDs {
				args = append(args, v)
			}
		}
	}
	cmp := func(col, op string, v *int64) {
		if v != nil {
			conds = append(conds, col+" "+op+" ?")
			args = append(args, *v)
		}
	}
	cmp("e.event_time", ">=", f.GEEventTime)
	cmp("e.event_time", "<", f.LTEventTime)
	cmp("e.record_time", ">=", f.GERecordTime)
	cmp("e.record_time", "<", f.LTRecordTime)
	for _, m := range f.Items {
		var ors []string
		var vals []any
		for _, v := range m.Values {
			ors = append(ors, "i.value = ?")
			vals = append(vals, v)
		}
		for _, p := range m.Prefixes {
			ors = append(ors, "i.value LIKE ? ESCAPE '\\'")
			vals = append(vals, escapeLike(p)+"%")
		}
		conds = append(conds, "EXISTS (SELECT 1 FROM epcis_event_items i WHERE i.log_index = e.log_index AND i.role IN ("+
			placeholders(len(m.Roles))+") AND ("+strings.Join(ors, " OR ")+"))")
		for _, r := range m.Roles {
			args = append(args, r)
		}
		args = append(args, vals...)
	}
	for _, q := range f.Quantity {
		conds = append(conds, "EXISTS (SELECT 1 FROM epcis_event_items i WHERE i.log_index = e.log_index AND i.quantity "+q.Op+" ?)")
		args = append(args, q.Value)
	}
	key := "e.event_time"
	if f.OrderBy == "recordTime" {
		key = "e.record_time"
	}
	dir, op := "ASC", ">"
	if f.Desc {
		dir, op = "DESC", "<"
	}
	if f.HasAfter {
		conds = append(conds, fmt.Sprintf("(%s %s ? OR (%s = ? AND e.log_index %s ?))", key, op, key, op))
		args = append(args, f.AfterKey, f.AfterKey, f.After)
	}
	q := `SELECT e.log_index, e.hash_id, e.declaration, e.error_declared, e.event_id, e.event_type, e.event_time, e.record_time,
		e.action, e.biz_step, e.disposition, e.read_point, e.biz_location, e.transformation_id, COALESCE(e.enterprise_id, 0),
		e.capture_id, e.doc FROM epcis_events e`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY %s %s, e.log_index %s LIMIT %d", key, dir, dir, f.Limit+1)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EPCISEventRow
	for rows.Next() {
		var e EPCISEventRow
		var decl, declared int
		if err := rows.Scan(&e.LogIndex, &e.HashID, &decl, &declared, &e.EventID, &e.EventType, &e.EventTime, &e.RecordTime,
			&e.Action, &e.BizStep, &e.Disposition, &e.ReadPoint, &e.BizLocation, &e.TransformationID, &e.EnterpriseID,
			&e.CaptureID, &e.Doc); err != nil {
			return nil, err
		}
		e.Declaration, e.ErrorDeclared = decl == 1, declared == 1
		out = append(out, e)
	}
	return out, rows.Err()
}

// EPCISLeaf is what the log's leaf of an event is computed from.
type EPCISLeaf struct {
	LogIndex    int64
	HashID      string
	Declaration bool
	RecordTime  int64
	Doc         string
}

// EachEPCISLeaf calls fn for every stored event in log order (for verify).
func (db *DB) EachEPCISLeaf(ctx context.Context, fn func(EPCISLeaf) error) error {
	rows, err := db.query(ctx, "SELECT log_index, hash_id, declaration, record_time, doc FROM epcis_events ORDER BY log_index")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l EPCISLeaf
		var decl int
		if err := rows.Scan(&l.LogIndex, &l.HashID, &decl, &l.RecordTime, &l.Doc); err != nil {
			return err
		}
		l.Declaration = decl == 1
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountEPCISEvents counts stored event rows.
func (db *DB) CountEPCISEvents(ctx context.Context) (int64, error) {
	var n int64
	err := db.queryRow(ctx, "SELECT COUNT(*) FROM epcis_events").Scan(&n)
	return n, err
}

// EPCISEdge is one step of provenance: event HashID turned From into To (a transformation's
// input into its output, by EPC or EPC class).
type EPCISEdge struct {
	From, To string
	HashID   string
}

// EPCISEdgeClosure returns every transformation edge reachable from the given lots, going
// back (towards inputs) or forward (towards outputs), over any number of hops, in one
// recursive query: a walk hop by hop from the application costs a round trip per hop, which
// on PostgreSQL was most of the time. Declared-erroneous events and the declarations
// themselves are left out, so a corrected transformation never links lots. UNION (not
// UNION ALL) makes a cycle in mis-captured data terminate. At most limit edges are returned.
func (db *DB) EPCISEdgeClosure(ctx context.Context, lots []string, back bool, limit int) ([]EPCISEdge, error) {
	known, other := "'input', 'input_quantity'", "'output', 'output_quantity'"
	if back {
		known, other = other, known
	}
	const step = ` AND k.role IN (%s) AND x.log_index = k.log_index AND x.role IN (%s)
		AND e.log_index = k.log_index AND e.declaration = 0 AND e.error_declared = 0`
	args := make([]any, len(lots))
	for i, l := range lots {
		args[i] = l
	}
	q := `WITH RECURSIVE edge(k, x, h) AS (
			SELECT k.value, x.value, e.hash_id FROM epcis_event_items k
			CROSS JOIN epcis_event_items x CROSS JOIN epcis_events e
			WHERE k.value IN (` + placeholders(len(lots)) + `)` + fmt.Sprintf(step, known, other) + `
			UNION
			SELECT k.value, x.value, e.hash_id FROM edge
			CROSS JOIN epcis_event_items k CROSS JOIN epcis_event_items x CROSS JOIN epcis_events e
			WHERE k.value = edge.x` + fmt.Sprintf(step, known, other) + `
		) SELECT k, x, h FROM edge LIMIT ` + fmt.Sprint(limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EPCISEdge
	for rows.Next() {
		var e EPCISEdge
		var k, x string
		if err := rows.Scan(&k, &x, &e.HashID); err != nil {
			return nil, err
		}
		if back {
			e.From, e.To = x, k
		} else {
			e.From, e.To = k, x
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EPCISCommissioned returns, for each of the lots commissioned (ObjectEvent ADD with bizStep
// commissioning), where: lot → business location.
func (db *DB) EPCISCommissioned(ctx context.Context, lots []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(lots); start += 500 {
		chunk := lots[start:min(start+500, len(lots))]
		args := make([]any, 0, len(chunk)+1)
		for _, l := range chunk {
			args = append(args, l)
		}
		args = append(args, "https://ref.gs1.org/cbv/BizStep-commissioning")
		rows, err := db.query(ctx, `SELECT i.value, e.biz_location FROM epcis_event_items i
			CROSS JOIN epcis_events e
			WHERE i.value IN (`+placeholders(len(chunk))+`) AND i.role IN ('epc', 'quantity')
			AND e.log_index = i.log_index AND e.declaration = 0 AND e.error_declared = 0
			AND e.event_type = 'ObjectEvent' AND e.action = 'ADD' AND e.biz_step = ?`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var lot, loc string
			if err := rows.Scan(&lot, &loc); err != nil {
				rows.Close()
				return nil, err
			}
			out[lot] = loc
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EPCISLotsAt returns the lots commissioned at the given business locations.
func (db *DB) EPCISLotsAt(ctx context.Context, locations []string) ([]string, error) {
	args := []any{"https://ref.gs1.org/cbv/BizStep-commissioning"}
	for _, l := range locations {
		args = append(args, l)
	}
	rows, err := db.query(ctx, `SELECT DISTINCT i.value FROM epcis_events e
		JOIN epcis_event_items i ON i.log_index = e.log_index AND i.role IN ('epc', 'quantity')
		WHERE e.event_type = 'ObjectEvent' AND e.action = 'ADD' AND e.biz_step = ? AND e.declaration = 0 AND e.error_declared = 0
		AND e.biz_location IN (`+placeholders(len(locations))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EPCISAncestorsCTE is the reference for provenance: every lot upstream of lot, in one
// recursive CTE, the way a database alone would answer. (Benchmarks compare the
// hop-by-hop walk against it.)
func (db *DB) EPCISAncestorsCTE(ctx context.Context, lot string) ([]string, error) {
	rows, err := db.query(ctx, `WITH RECURSIVE up(lot) AS (
			SELECT ?
			UNION
			SELECT i.value FROM up
			JOIN epcis_event_items o ON o.value = up.lot AND o.role IN ('output', 'output_quantity')
			JOIN epcis_event_items i ON i.log_index = o.log_index AND i.role IN ('input', 'input_quantity')
			JOIN epcis_events e ON e.log_index = o.log_index AND e.declaration = 0 AND e.error_declared = 0
		) SELECT lot FROM up`, lot)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EPCISCaptureDocument returns the document of a capture exactly as it was received.
func (db *DB) EPCISCaptureDocument(ctx context.Context, id int64) (doc []byte, contentType string, err error) {
	err = db.queryRow(ctx, "SELECT document, content_type FROM epcis_captures WHERE id = ?", id).Scan(&doc, &contentType)
	return doc, contentType, notFound(err)
}

// EPCISVocabulary names a listing of the REST binding's discovery resources: the distinct
// values stored in one column of events (or, for EPCs, in the EPC items).
type EPCISVocabulary string

// The listable resources.
const (
	EPCISEventTypes   EPCISVocabulary = "event_type"
	EPCISBizSteps     EPCISVocabulary = "biz_step"
	EPCISDispositions EPCISVocabulary = "disposition"
	EPCISBizLocations EPCISVocabulary = "biz_location"
	EPCISReadPoints   EPCISVocabulary = "read_point"
	EPCISEPCs         EPCISVocabulary = "epc"
)

// EPCISDistinct lists the distinct non-empty values of a resource in ascending order, after
// the value after (keyset paging), at most limit+1 of them so the caller knows whether there
// is more; enterpriseID > 0 restricts it to that enterprise's events.
func (db *DB) EPCISDistinct(ctx context.Context, what EPCISVocabulary, enterpriseID int64, after string, limit int) ([]string, error) {
	var q string
	switch what {
	case EPCISEventTypes, EPCISBizSteps, EPCISDispositions, EPCISBizLocations, EPCISReadPoints:
		col := "e." + string(what)
		q = "SELECT DISTINCT " + col + " FROM epcis_events e WHERE " + col + " <> '' AND " + col + " > ?"
	case EPCISEPCs:
		q = `SELECT DISTINCT i.value FROM epcis_event_items i JOIN epcis_events e ON e.log_index = i.log_index
			WHERE i.role IN ('epc', 'parent', 'child', 'input', 'output') AND i.value > ?`
	default:
		return nil, fmt.Errorf("store: no EPCIS listing %q", what)
	}
	args := []any{after}
	if enterpriseID > 0 {
		q += " AND e.enterprise_id = ?"
		args = append(args, enterpriseID)
	}
	q += " ORDER BY 1 LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
