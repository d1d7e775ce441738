package trace

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/store"
)

// Paging of event queries.
const (
	DefaultPerPage = 100
	MaxPerPage     = 1000
)

// Query is a parsed EPCIS query (the REST binding's query parameters).
type Query struct {
	filter store.EPCISEventFilter
}

// the parameters this repository understands; any other is refused by name, so a typo
// ("EQ_bizstep") is an error rather than a silently unfiltered answer.
var timeParams = map[string]bool{"GE_eventTime": true, "LT_eventTime": true, "GE_recordTime": true, "LT_recordTime": true}

// ParseQuery reads the standard query parameters. Every bad value is reported under its
// parameter's name.
func (s *Service) ParseQuery(ctx context.Context, v url.Values) (Query, error) {
	e := apperr.New(apperr.Invalid, "invalid_query", "epcis.err.query")
	f := store.EPCISEventFilter{Limit: DefaultPerPage}
	var idx locationIndex
	list := func(name string) []string {
		var out []string
		for _, x := range v[name] {
			for _, part := range strings.Split(x, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out
	}
	for name := range v {
		switch name {
		case "eventType", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "EQ_action", "EQ_bizStep",
			"EQ_disposition", "EQ_readPoint", "WD_readPoint", "EQ_bizLocation", "WD_bizLocation", "MATCH_epc", "MATCH_epcClass",
			"MATCH_anyEPC", "MATCH_anyEPCClass", "MATCH_parentID", "MATCH_inputEPC", "MATCH_outputEPC", "MATCH_inputEPCClass",
			"MATCH_outputEPCClass", "EQ_transformationID", "EQ_eventID", "EQ_quantity", "GT_quantity", "GE_quantity",
			"LT_quantity", "LE_quantity", "orderBy", "orderDirection", "perPage", "nextPageToken":
		default:
			e.With(name, "epcis.err.param_unknown", name)
		}
	}
	for name := range timeParams {
		if s := v.Get(name); s != "" {
			// An unescaped "+08:00" arrives as " 08:00"; take it as meant.
			t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "+", 1))
			if err != nil {
				e.With(name, "epcis.err.param_time", name, s)
				continue
			}
			ms := t.UnixMilli()
			switch name {
			case "GE_eventTime":
				f.GEEventTime = &ms
			case "LT_eventTime":
				f.LTEventTime = &ms
			case "GE_recordTime":
				f.GERecordTime = &ms
			case "LT_recordTime":
				f.LTRecordTime = &ms
			}
		}
	}
	f.EventTypes = list("eventType")
	for _, t := range f.EventTypes {
		switch t {
		case "ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent":
		default:
			e.With("eventType", "epcis.err.param_event_type", t)
		}
	}
	f.Actions = list("EQ_action")
	for _, a := range f.Actions {
		if a != "ADD" && a != "OBSERVE" && a != "DELETE" {
			e.With("EQ_action", "epcis.err.param_action", a)
		}
	}
	for _, b := range list("EQ_bizStep") {
		f.BizSteps = append(f.BizSteps, normVocab(cbv.BizStep, b))
	}
	for _, d := range list("EQ_disposition") {
		f.Dispositions = append(f.Dispositions, normVocab(cbv.Disposition, d))
	}
	locs := func(eq, wd string) []string {
		var out []string
		for _, l := range list(eq) {
			out = append(out, CanonLocation(l))
		}
		if w := list(wd); len(w) > 0 {
			if idx == nil {
				var err error
				if idx, err = s.locations(ctx); err != nil {
					idx = locationIndex{}
				}
			}
			for _, l := range w {
				out = append(out, idx.descendants(CanonLocation(l))...)
			}
		}
		return out
	}
	f.ReadPoints = locs("EQ_readPoint", "WD_readPoint")
	f.BizLocations = locs("EQ_bizLocation", "WD_bizLocation")
	f.TransformationID = list("EQ_transformationID")
	f.EventIDs = list("EQ_eventID")
	match := map[string][]string{
		"MATCH_epc":            {"epc", "parent"},
		"MATCH_parentID":       {"parent"},
		"MATCH_anyEPC":         {"epc", "parent", "child", "input", "output"},
		"MATCH_inputEPC":       {"input"},
		"MATCH_outputEPC":      {"output"},
		"MATCH_epcClass":       {"quantity", "child_quantity"},
		"MATCH_anyEPCClass":    {"quantity", "child_quantity", "input_quantity", "output_quantity"},
		"MATCH_inputEPCClass":  {"input_quantity"},
		"MATCH_outputEPCClass": {"output_quantity"},
	}
	for _, name := range []string{"MATCH_epc", "MATCH_parentID", "MATCH_anyEPC", "MATCH_inputEPC", "MATCH_outputEPC",
		"MATCH_epcClass", "MATCH_anyEPCClass", "MATCH_inputEPCClass", "MATCH_outputEPCClass"} {
		vals := list(name)
		if len(vals) == 0 {
			continue
		}
		m := store.EPCISItemMatch{Roles: match[name]}
		for _, x := range vals {
			// An EPC pattern (urn:epc:idpat:…:*) matches by its fixed prefix.
			if p, ok := strings.CutSuffix(x, "*"); ok {
				p = strings.Replace(p, "urn:epc:idpat:", "urn:epc:id:", 1)
				m.Prefixes = append(m.Prefixes, p)
			} else {
				// The URN and Digital Link spellings of an EPC are one EPC.
				m.Values = append(m.Values, EPCSpellings(x)...)
			}
		}
		f.Items = append(f.Items, m)
	}
	for name, op := range map[string]string{"EQ_quantity": "=", "GT_quantity": ">", "GE_quantity": ">=", "LT_quantity": "<", "LE_quantity": "<="} {
		if s := v.Get(name); s != "" {
			q, err := strconv.ParseFloat(s, 64)
			if err != nil {
				e.With(name, "epcis.err.param_number", name, s)
				continue
			}
			f.Quantity = append(f.Quantity, store.EPCISQuantityCond{Op: op, Value: q})
		}
	}
	switch ob := v.Get("orderBy"); ob {
	case "", "eventTime":
	case "recordTime":
		f.OrderBy = "recordTime"
	default:
		e.With("orderBy", "epcis.err.param_order_by", ob)
	}
	switch od := v.Get("orderDirection"); od {
	case "", "ASC":
	case "DESC":
		f.Desc = true
	default:
		e.With("orderDirection", "epcis.err.param_order_direction", od)
	}
	if pp := v.Get("perPage"); pp != "" {
		n, err := strconv.Atoi(pp)
		if err != nil || n < 1 || n > MaxPerPage {
			e.With("perPage", "epcis.err.param_per_page", pp, MaxPerPage)
		}
		f.Limit = n
	}
	if tok := v.Get("nextPageToken"); tok != "" {
		key, after, ok := decodeToken(tok, f.OrderBy, f.Desc)
		if !ok {
			e.With("nextPageToken", "epcis.err.param_token")
		}
		f.HasAfter, f.AfterKey, f.After = true, key, after
	}
	if len(e.Fields) > 0 {
		return Query{}, e
	}
	return Query{filter: f}, nil
}

// The page token is opaque to clients: the sort key and log index of the last event sent,
// with the order it belongs to, so it cannot be replayed against another ordering.
func encodeToken(key, after int64, order string, desc bool) string {
	d := "a"
	if desc {
		d = "d"
	}
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s|%s|%d|%d", order, d, key, after))
}

func decodeToken(tok, order string, desc bool) (key, after int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, false
	}
	parts := strings.Split(string(b), "|")
	d := "a"
	if desc {
		d = "d"
	}
	if len(parts) != 4 || parts[0] != order || parts[1] != d {
		return 0, 0, false
	}
	key, err1 := strconv.ParseInt(parts[2], 10, 64)
	after, err2 := strconv.ParseInt(parts[3], 10, 64)
	return key, after, err1 == nil && err2 == nil
}

// Result is one page of events.
type Result struct {
	Events        []store.EPCISEventRow
	NextPageToken string // "" on the last page
}

// Events runs a query for p: enterprise users see only their own events.
func (s *Service) Events(ctx context.Context, p *auth.Principal, q Query) (Result, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return Result{}, err
	}
	f := q.filter
	if p.Role == auth.Enterprise {
		f.EnterpriseID = p.EnterpriseID
		if f.EnterpriseID == 0 {
			return Result{}, apperr.Forbid()
		}
	}
	rows, err := s.db.QueryEPCISEvents(ctx, f)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		key := last.EventTime
		if f.OrderBy == "recordTime" {
			key = last.RecordTime
		}
		order := f.OrderBy
		res.NextPageToken = encodeToken(key, last.LogIndex, order, f.Desc)
	}
	res.Events = rows
	return res, nil
}

// Event returns one event by its eventID or hash ID. An event the caller may not see is
// reported exactly like one that does not exist, so ids cannot be probed.
func (s *Service) Event(ctx context.Context, p *auth.Principal, id string) (store.EPCISEventRow, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return store.EPCISEventRow{}, err
	}
	f := store.EPCISEventFilter{EventIDs: []string{id}, Limit: 1}
	if p.Role == auth.Enterprise {
		f.EnterpriseID = p.EnterpriseID
	}
	rows, err := s.db.QueryEPCISEvents(ctx, f)
	if err != nil {
		return store.EPCISEventRow{}, err
	}
	if len(rows) == 0 {
		return store.EPCISEventRow{}, apperr.Missing("epcis_event")
	}
	return rows[0], nil
}

// EventProof proves that an event is in the log at its current size.
func (s *Service) EventProof(ctx context.Context, p *auth.Principal, ev store.EPCISEventRow) (Inclusion, Checkpoint, error) {
	size, root, err := s.db.EPCISLogHead(ctx)
	if err != nil {
		return Inclusion{}, Checkpoint{}, err
	}
	r := newHashReader(ctx, s.db.EPCISLogHashes)
	leaf := LeafData(store.EPCISLeaf{LogIndex: ev.LogIndex, HashID: ev.HashID, Declaration: ev.Declaration, RecordTime: ev.RecordTime, Doc: ev.Doc})
	inc, err := proveInclusion(r, leaf, ev.LogIndex, size, rootOf(size, root))
	if err != nil {
		return inc, Checkpoint{}, err
	}
	cp, err := s.sign(size, rootOf(size, root))
	return inc, cp, err
}

// CaptureJob returns a capture job. Enterprise users see only their own enterprise's.
func (s *Service) CaptureJob(ctx context.Context, p *auth.Principal, id int64) (store.EPCISCapture, error) {
	if err := auth.Require(p, auth.CaptureEvents); err != nil {
		return store.EPCISCapture{}, err
	}
	c, err := s.db.EPCISCaptureByID(ctx, id)
	if err == store.ErrNotFound || (err == nil && p.Role == auth.Enterprise && c.EnterpriseID != p.EnterpriseID) {
		return store.EPCISCapture{}, apperr.Missing("epcis_capture")
	}
	return c, err
}

// QueryDocument writes events as an EPCISQueryDocument. Each stored event is a complete
// JSON-LD object with its own @context, so it is embedded as stored: nothing is re-encoded.
func QueryDocument(rows []store.EPCISEventRow, now time.Time) []byte {
	var b bytes.Buffer
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISQueryDocument","schemaVersion":"2.0","creationDate":`)
	t, _ := json.Marshal(now.UTC().Format(time.RFC3339Nano))
	b.Write(t)
	b.WriteString(`,"epcisBody":{"queryResults":{"queryName":"SimpleEventQuery","resultsBody":{"eventList":[`)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(r.Doc)
	}
	b.WriteString(`]}}}}`)
	return b.Bytes()
}

// CaptureDocument returns the document of a capture byte for byte as the client sent it,
// with its content type, to whoever may see the capture job.
func (s *Service) CaptureDocument(ctx context.Context, p *auth.Principal, id int64) ([]byte, string, error) {
	if _, err := s.CaptureJob(ctx, p, id); err != nil {
		return nil, "", err
	}
	return s.db.EPCISCaptureDocument(ctx, id)
}

// EventRecord is an event with the error declarations that name it.
type EventRecord struct {
	Event        store.EPCISEventRow
	Declarations []store.EPCISEventRow
}

// EventWithDeclarations returns an event by its eventID or hash ID with its error
// declarations (stored under the same hash ID). Like Event, an event the caller may not see
// is reported exactly like a missing one.
func (s *Service) EventWithDeclarations(ctx context.Context, p *auth.Principal, id string) (EventRecord, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return EventRecord{}, err
	}
	f := store.EPCISEventFilter{EventIDs: []string{id}, Limit: MaxPerPage}
	if p.Role == auth.Enterprise {
		f.EnterpriseID = p.EnterpriseID
	}
	rows, err := s.db.QueryEPCISEvents(ctx, f)
	if err != nil {
		return EventRecord{}, err
	}
	var rec EventRecord
	found := false
	for _, r := range rows {
		if r.Declaration {
			rec.Declarations = append(rec.Declarations, r)
		} else if !found {
			rec.Event, found = r, true
		}
	}
	if !found {
		return EventRecord{}, apperr.Missing("epcis_event")
	}
	return rec, nil
}

// Listing is one page of a discovery resource of the REST binding (eventTypes, epcs,
// bizSteps, bizLocations, readPoints, dispositions): the values stored, in order.
type Listing struct {
	Members       []string
	NextPageToken string // "" on the last page
}

// List pages through the distinct values of a resource; an enterprise user sees only the
// values of its own events. The token is the last value sent, opaque to clients.
func (s *Service) List(ctx context.Context, p *auth.Principal, what store.EPCISVocabulary, perPage, token string) (Listing, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return Listing{}, err
	}
	e := apperr.New(apperr.Invalid, "invalid_query", "epcis.err.query")
	limit := DefaultPerPage
	if perPage != "" {
		n, err := strconv.Atoi(perPage)
		if err != nil || n < 1 || n > MaxPerPage {
			e.With("perPage", "epcis.err.param_per_page", perPage, MaxPerPage)
		}
		limit = n
	}
	after := ""
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) < 2 || b[0] != 'v' {
			e.With("nextPageToken", "epcis.err.param_token")
		}
		if len(b) > 0 {
			after = string(b[1:])
		}
	}
	if len(e.Fields) > 0 {
		return Listing{}, e
	}
	var ent int64
	if p.Role == auth.Enterprise {
		if ent = p.EnterpriseID; ent == 0 {
			return Listing{}, apperr.Forbid()
		}
	}
	vals, err := s.db.EPCISDistinct(ctx, what, ent, after, limit)
	if err != nil {
		return Listing{}, err
	}
	var out Listing
	if len(vals) > limit {
		vals = vals[:limit]
		out.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte("v" + vals[len(vals)-1]))
	}
	out.Members = vals
	if out.Members == nil {
		out.Members = []string{}
	}
	return out, nil
}

// modelReader reads stored events back into the model. They were validated on capture, so
// it skips the schema.
var modelReader = epcis.NewReader(nil, epcis.Limits{}, epcis.Rules{})

// QueryDocumentXML writes events as an EPCISQueryDocument in the XML binding, for clients
// that ask for application/xml.
func QueryDocumentXML(rows []store.EPCISEventRow, now time.Time) ([]byte, error) {
	doc := &epcis.Document{Type: epcis.EPCISQueryDocument, QueryName: "SimpleEventQuery", CreationDate: now.UTC()}
	for _, r := range rows {
		d, err := modelReader.ReadJSONBytes([]byte(r.Doc))
		if d == nil || len(d.Events) != 1 {
			return nil, fmt.Errorf("stored event %s does not read back: %v", r.HashID, err)
		}
		doc.Events = append(doc.Events, d.Events[0])
	}
	var b bytes.Buffer
	if err := epcis.WriteXML(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
