package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/store"
)

// Binding of a capture body.
const (
	JSON = "json"
	XML  = "xml"
)

// Capture error behaviours (GS1-Capture-Error-Behaviour).
const (
	Rollback = "rollback"
	Proceed  = "proceed"
)

// CaptureRequest is one capture: a document (or a single event) and how to treat errors.
type CaptureRequest struct {
	Body        []byte
	Binding     string // JSON or XML
	ContentType string // as sent, kept with the document
	Behaviour   string // Rollback (default) or Proceed
	// MaxProofs: if at most this many events are stored, the result carries an inclusion
	// proof for each (a proof costs a few stored-hash reads; a 10,000-event capture's
	// clients fetch the ones they need from the event endpoint instead).
	MaxProofs int
}

// Problem is one thing wrong with one event, in both languages.
type Problem struct {
	Event   int    `json:"event"` // index in the document's event list; -1: the document
	Pointer string `json:"pointer,omitempty"`
	Line    int    `json:"line,omitempty"`
	Code    string `json:"code"`
	Value   string `json:"value,omitempty"`
	Key     string `json:"-"`
	Args    []any  `json:"-"`
	Message string `json:"message"` // English detail from the checker
}

// CapturedEvent is the outcome for one event of the document.
type CapturedEvent struct {
	Index     int        `json:"index"`
	HashID    string     `json:"hashID"`
	LogIndex  int64      `json:"logIndex"`
	Duplicate bool       `json:"duplicate"`
	Proof     *Inclusion `json:"-"`
}

// CaptureResult is an accepted capture.
type CaptureResult struct {
	Capture    store.EPCISCapture
	Events     []CapturedEvent
	Problems   []Problem // events left out under Proceed
	Checkpoint Checkpoint
}

// captured is one event ready to store.
type captured struct {
	index int
	ev    *epcis.Event
	row   store.EPCISEventRow
	leaf  []byte
}

// Capture validates a document, checks the caller's right to every location it names, and
// stores its new events with their log entries, all in one transaction. Under Rollback any
// problem stores nothing and is returned as an *apperr.Error naming every event at fault;
// under Proceed the good events are stored and the others reported in the result.
func (s *Service) Capture(ctx context.Context, p *auth.Principal, req CaptureRequest) (CaptureResult, error) {
	var res CaptureResult
	if err := auth.Require(p, auth.CaptureEvents); err != nil {
		return res, err
	}
	if req.Behaviour == "" {
		req.Behaviour = Rollback
	}
	var doc *epcis.Document
	var err error
	if req.Binding == XML {
		doc, err = s.reader.ReadXML(bytes.NewReader(req.Body))
	} else {
		doc, err = s.reader.ReadJSONBytes(req.Body)
	}
	var probs []Problem
	if err != nil {
		e, ok := err.(*epcis.Error)
		if !ok {
			return res, err
		}
		if e.Fatal() || doc == nil {
			return res, documentError(e.Problems)
		}
		for _, pr := range e.Problems {
			probs = append(probs, fromEPCIS(pr))
		}
	}
	if doc.Type != epcis.EPCISDocument && doc.Type != epcis.SingleEvent {
		return res, apperr.New(apperr.Invalid, "epcis_not_capture_document", "epcis.err.doc_type", string(doc.Type))
	}
	if len(doc.Events) > CaptureEventLimit {
		return res, apperr.New(apperr.TooLarge, "epcis_capture_limit", "epcis.err.capture_limit", len(doc.Events), CaptureEventLimit)
	}
	locs, err := s.locations(ctx)
	if err != nil {
		return res, err
	}
	bad := map[int]bool{}
	for _, pr := range probs {
		bad[pr.Event] = true
	}
	for i, ev := range doc.Events {
		for _, pr := range locs.check(p, ev, i, doc.Binding) {
			probs = append(probs, pr)
			bad[i] = true
		}
	}
	if bad[-1] || (len(probs) > 0 && req.Behaviour == Rollback) {
		return res, eventsError(probs, len(doc.Events))
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	todo := make([]captured, 0, len(doc.Events))
	for i, ev := range doc.Events {
		if !bad[i] {
			todo = append(todo, captured{index: i, ev: ev})
		}
	}
	// Writing each event's JSON-LD and its leaf is a tenth of capture's CPU and independent
	// per event, so it uses every core, as the reader does.
	err = eachParallel(len(todo), func(k int) error {
		c := &todo[k]
		c.ev.RecordTime = now
		var buf bytes.Buffer
		if err := epcis.WriteJSON(&buf, &epcis.Document{Type: epcis.SingleEvent, Events: []*epcis.Event{c.ev}, Namespaces: c.ev.Namespaces}); err != nil {
			return err
		}
		c.row = eventRow(c.ev, buf.String(), now)
		c.row.EnterpriseID = locs.owner(p, c.ev)
		c.leaf = LeafData(store.EPCISLeaf{HashID: c.row.HashID, Declaration: c.row.Declaration, RecordTime: c.row.RecordTime, Doc: c.row.Doc})
		return nil
	})
	if err != nil {
		return res, err
	}
	errJSON, _ := json.Marshal(problemsJSON(probs))
	res.Capture = store.EPCISCapture{UserID: p.ID, EnterpriseID: p.EnterpriseID, Behaviour: req.Behaviour, Success: len(probs) == 0,
		Events: len(doc.Events), Errors: string(errJSON), ContentType: req.ContentType, Document: req.Body,
		CreatedAt: now, FinishedAt: now}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		size, oldRoot, err := tx.LockEPCISLog(ctx)
		if err != nil {
			return err
		}
		hashes := make([]string, len(todo))
		for i, c := range todo {
			hashes[i] = c.row.HashID
		}
		have, err := tx.ExistingEPCISHashes(ctx, hashes)
		if err != nil {
			return err
		}
		res.Events = make([]CapturedEvent, 0, len(todo))
		var rows []store.EPCISEventRow
		var leaves [][]byte
		var declared []string
		for _, c := range todo {
			bit := 1
			if c.row.Declaration {
				bit = 2
			}
			if have[c.row.HashID]&bit != 0 {
				res.Capture.Duplicates++
				res.Events = append(res.Events, CapturedEvent{Index: c.index, HashID: c.row.HashID, LogIndex: -1, Duplicate: true})
				continue
			}
			have[c.row.HashID] |= bit
			c.row.LogIndex = size + int64(len(rows))
			if c.row.Declaration {
				declared = append(declared, c.row.HashID)
			} else if have[c.row.HashID]&2 != 0 {
				c.row.ErrorDeclared = true // its declaration arrived first
			}
			rows = append(rows, c.row)
			leaves = append(leaves, c.leaf)
			res.Events = append(res.Events, CapturedEvent{Index: c.index, HashID: c.row.HashID, LogIndex: c.row.LogIndex})
		}
		res.Capture.Stored = len(rows)
		id, err := tx.InsertEPCISCapture(ctx, res.Capture)
		if err != nil {
			return err
		}
		res.Capture.ID = id
		for i := range rows {
			rows[i].CaptureID = id
		}
		if err := tx.InsertEPCISEvents(ctx, rows); err != nil {
			return err
		}
		if err := tx.MarkEPCISErrorDeclared(ctx, declared); err != nil {
			return err
		}
		r := newHashReader(ctx, tx.EPCISLogHashes)
		root := rootOf(size, oldRoot)
		newSize := size + int64(len(rows))
		if len(rows) > 0 {
			if root, err = appendLeaves(ctx, tx, r, size, leaves); err != nil {
				return err
			}
			if err := tx.SetEPCISLogHead(ctx, newSize, root[:], now); err != nil {
				return err
			}
		}
		if len(rows) <= req.MaxProofs {
			k := 0
			for i := range res.Events {
				if res.Events[i].Duplicate {
					continue
				}
				inc, err := proveInclusion(r, leaves[k], res.Events[i].LogIndex, newSize, root)
				if err != nil {
					return err
				}
				res.Events[i].Proof = &inc
				k++
			}
		}
		if res.Checkpoint, err = s.sign(newSize, root); err != nil {
			return err
		}
		first, last := int64(-1), int64(-1)
		if len(rows) > 0 {
			first, last = rows[0].LogIndex, rows[len(rows)-1].LogIndex
		}
		return audit.Record(ctx, tx, now, p, "epcis.capture", "epcis_capture", strconv.FormatInt(id, 10), nil, map[string]any{
			"events": res.Capture.Events, "stored": res.Capture.Stored, "duplicates": res.Capture.Duplicates,
			"rejected": len(bad), "behaviour": req.Behaviour, "first_log_index": first, "last_log_index": last,
			"tree_size": newSize, "root": HashesB64([]tlog.Hash{root})[0]})
	})
	if err != nil {
		return CaptureResult{}, err
	}
	res.Problems = probs
	return res, nil
}

// eventRow extracts the indexed columns and items of an event.
func eventRow(ev *epcis.Event, doc string, now time.Time) store.EPCISEventRow {
	row := store.EPCISEventRow{HashID: ev.HashID, Declaration: ev.ErrorDeclaration != nil, EventID: ev.EventID,
		EventType: string(ev.Type), EventTime: ev.EventTime.UnixMilli(), RecordTime: now.UnixMilli(), Action: string(ev.Action),
		BizStep: normVocab(cbv.BizStep, ev.BizStep), Disposition: normVocab(cbv.Disposition, ev.Disposition),
		TransformationID: ev.TransformationID, Doc: doc}
	if ev.ReadPoint != nil {
		row.ReadPoint = CanonLocation(ev.ReadPoint.ID)
	}
	if ev.BizLocation != nil {
		row.BizLocation = CanonLocation(ev.BizLocation.ID)
	}
	epcs := func(role string, list []string) {
		for _, v := range list {
			row.Items = append(row.Items, store.EPCISItem{Role: role, Value: v})
		}
	}
	qty := func(role string, list []epcis.Quantity) {
		for _, q := range list {
			it := store.EPCISItem{Role: role, Value: q.EPCClass, UOM: q.UOM}
			if f, err := q.Quantity.Float64(); err == nil {
				it.Quantity = &f
			}
			row.Items = append(row.Items, it)
		}
	}
	if ev.ParentID != "" {
		epcs("parent", []string{ev.ParentID})
	}
	epcs("epc", ev.EPCList)
	epcs("child", ev.ChildEPCs)
	epcs("input", ev.InputEPCList)
	epcs("output", ev.OutputEPCList)
	qty("quantity", ev.QuantityList)
	qty("child_quantity", ev.ChildQuantityList)
	qty("input_quantity", ev.InputQuantityList)
	qty("output_quantity", ev.OutputQuantityList)
	return row
}

// fromEPCIS gives a reader's problem its catalogue message.
func fromEPCIS(p epcis.Problem) Problem {
	out := Problem{Event: p.Event, Pointer: p.Pointer, Line: p.Line, Code: p.Code, Value: p.Value, Message: p.Message}
	where := p.Pointer
	if where == "" {
		where = "/"
	}
	if p.Line > 0 {
		where += " (line " + strconv.Itoa(p.Line) + ")"
	}
	switch {
	case p.Code == epcis.CodeJSONSyntax:
		out.Key, out.Args = "epcis.err.json_syntax", []any{p.Message}
	case p.Code == epcis.CodeXMLSyntax:
		out.Key, out.Args = "epcis.err.xml_syntax", []any{p.Message}
	case p.Code == epcis.CodeTooDeep:
		out.Key, out.Args = "epcis.err.too_deep", []any{p.Message}
	case p.Code == epcis.CodeTooLarge:
		out.Key, out.Args = "epcis.err.too_large", []any{p.Message}
	case p.Code == epcis.CodeNotEPCIS:
		out.Key, out.Args = "epcis.err.not_epcis", []any{p.Message}
	case p.Code == epcis.CodeCBVUnknown:
		out.Key, out.Args = "epcis.err.cbv_unknown", []any{p.Event, where, p.Value}
	case p.Code == epcis.CodeUOMMissing:
		out.Key, out.Args = "epcis.err.uom_missing", []any{p.Event, where}
	case p.Code == epcis.CodeUOMInvalid:
		out.Key, out.Args = "epcis.err.uom_invalid", []any{p.Event, where, p.Value}
	case p.Source == epcis.SourceSchema:
		out.Key, out.Args = "epcis.err.schema", []any{p.Event, where, p.Message}
	default:
		out.Key, out.Args = "epcis.err.model", []any{p.Event, where, p.Message}
	}
	return out
}

// documentError is a document that cannot be read at all: 400, nothing stored.
func documentError(ps []epcis.Problem) error {
	e := apperr.New(apperr.BadRequest, "epcis_unreadable", "epcis.err.unreadable")
	for _, p := range ps {
		pr := fromEPCIS(p)
		e.With("document", pr.Key, pr.Args...)
	}
	return e
}

// eventsError lists every event at fault, each under its pointer: nothing was stored.
func eventsError(ps []Problem, n int) error {
	events := map[int]bool{}
	for _, p := range ps {
		events[p.Event] = true
	}
	e := apperr.New(apperr.Invalid, "epcis_invalid_events", "epcis.err.invalid_events", len(events), n)
	for _, p := range ps {
		name := p.Pointer
		if name == "" {
			name = fmt.Sprintf("event %d", p.Event)
		}
		e.With(name, p.Key, p.Args...)
	}
	return e
}

type problemJSON struct {
	Event   int    `json:"event"`
	Pointer string `json:"pointer,omitempty"`
	Code    string `json:"code"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

func problemsJSON(ps []Problem) []problemJSON {
	out := make([]problemJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, problemJSON{Event: p.Event, Pointer: p.Pointer, Code: p.Code, Value: p.Value, Message: p.Message})
	}
	return out
}

// eachParallel runs f(0) … f(n-1) on GOMAXPROCS goroutines (inline for small n) and returns
// the first error.
func eachParallel(n int, f func(i int) error) error {
	w := min(runtime.GOMAXPROCS(0), n/64)
	if w <= 1 {
		for i := 0; i < n; i++ {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, w)
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || errs[k] != nil {
					return
				}
				errs[k] = f(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
