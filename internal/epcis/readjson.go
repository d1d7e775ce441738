package epcis

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"zhanxin/internal/epcis/eventhash"
	"zhanxin/internal/epcis/schema"
)

// Reader reads EPCIS documents in either binding. It holds the compiled schema and is safe
// for concurrent use; make one at start-up.
type Reader struct {
	schema *schema.Validator
	limits Limits
	rules  Rules
}

// NewReader returns a reader. v validates JSON input; rules are the platform's checks.
func NewReader(v *schema.Validator, lim Limits, rules Rules) *Reader {
	return &Reader{schema: v, limits: lim, rules: rules}
}

// ReadJSON reads a JSON-LD EPCISDocument, EPCISQueryDocument or single event.
//
// In one pass it enforces the limits, validates against the official schema, reads the model,
// applies the platform rules and computes each event's hash ID. If anything is wrong the
// error is an *Error listing every problem, each with its event's index. The document is
// returned whenever it could be read at all, so a capture that keeps the valid events of a
// partly invalid document can; it is nil only when err.(*Error).Fatal().
func (r *Reader) ReadJSON(in io.Reader) (*Document, error) {
	b, p := readAll(in, r.limits.bytes())
	if p != nil {
		return nil, &Error{Problems: []Problem{*p}}
	}
	return r.ReadJSONBytes(b)
}

// ReadJSONBytes is ReadJSON on a document already in memory.
func (r *Reader) ReadJSONBytes(b []byte) (*Document, error) {
	if int64(len(b)) > r.limits.bytes() {
		return nil, &Error{Problems: []Problem{*tooLarge(r.limits.bytes())}}
	}
	v, p := decodeJSON(b, r.limits.depth())
	if p != nil {
		return nil, &Error{Problems: []Problem{*p}}
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, notEPCIS("the document is not a JSON object")
	}
	doc, raw, listPtr, fatal := readJSONDocument(root)
	if fatal != nil {
		return nil, &Error{Problems: []Problem{*fatal}}
	}
	var probs []Problem
	if r.schema != nil {
		// The document without its events, then each event on its own: the same checks as
		// the whole document against the root schema (see schema.ValidateEvent), but
		// events can be checked in parallel and their problems are located as they are found.
		for _, e := range r.schema.Validate(envelope(root, doc.Type)) {
			probs = append(probs, Problem{Event: eventIndex(e.Pointer, listPtr, doc.Type), Pointer: e.Pointer,
				Source: SourceSchema, Code: "schema." + e.Keyword, Message: e.Message})
		}
	}
	doc.Events = make([]*Event, len(raw))
	perEvent := make([][]Problem, len(raw))
	r.each(len(raw), func(i int) {
		ptr := listPtr + "/" + strconv.Itoa(i)
		if doc.Type == SingleEvent {
			ptr = ""
		}
		doc.Events[i], perEvent[i] = r.readEvent(raw[i], i, ptr, doc)
	})
	for _, ps := range perEvent {
		probs = append(probs, ps...)
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return doc, &Error{Problems: probs}
	}
	return doc, nil
}

// readEvent does everything to one event: schema, model, rules, hash ID.
func (r *Reader) readEvent(m map[string]any, i int, ptr string, doc *Document) (*Event, []Problem) {
	var probs []Problem
	if r.schema != nil && doc.Type != SingleEvent {
		for _, e := range r.schema.ValidateEvent(m) {
			probs = append(probs, Problem{Event: i, Pointer: ptr + e.Pointer,
				Source: SourceSchema, Code: "schema." + e.Keyword, Message: e.Message})
		}
	}
	d := &jdec{ns: doc.Namespaces, event: i}
	ev := d.readEvent(m, ptr)
	probs = append(probs, d.probs...)
	if !ev.Type.Valid() {
		probs = append(probs, Problem{Event: i, Pointer: ptr + "/type", Source: SourceModel, Code: CodeEventType,
			Value: string(ev.Type), Message: "the event type must be one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent"})
	}
	ev.HashID = eventhash.ID(eventhash.PreHash(eventhash.FromJSON(m, hashPrefixes(doc.Namespaces))))
	probs = append(probs, r.rules.Check(ev, i, ptr, false)...)
	return ev, probs
}

// each runs f(0) … f(n-1) on up to Limits.Workers goroutines. Events are independent, and a
// large capture document should use every core the process has.
func (r *Reader) each(n int, f func(i int)) {
	w := r.limits.workers()
	if w > n/16 {
		w = n / 16 // small documents: goroutines cost more than they save
	}
	if w <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// envelope returns the document with an empty event list, for validating everything but the
// events. Only the maps on the path to the list are copied; the input is not changed. A
// single event is returned as it is: it is validated whole, against the root schema.
func envelope(root map[string]any, t DocType) any {
	cp := func(m any) map[string]any {
		src, _ := m.(map[string]any)
		out := make(map[string]any, len(src))
		for k, v := range src {
			out[k] = v
		}
		return out
	}
	switch t {
	case EPCISDocument:
		doc, body := cp(root), cp(root["epcisBody"])
		if _, ok := body["eventList"]; ok {
			body["eventList"] = []any{}
		}
		doc["epcisBody"] = body
		return doc
	case EPCISQueryDocument:
		doc, body := cp(root), cp(root["epcisBody"])
		qr := cp(body["queryResults"])
		rb := cp(qr["resultsBody"])
		if _, ok := rb["eventList"]; ok {
			rb["eventList"] = []any{}
		}
		qr["resultsBody"], body["queryResults"], doc["epcisBody"] = rb, qr, body
		return doc
	}
	return root
}

// hashPrefixes adds the always-declared gs1 and cbv prefixes (EVENT-HASH.md §10 D11).
func hashPrefixes(ns map[string]string) eventhash.Prefixes {
	return eventhash.ContextPrefixes(nil, ns)
}

func notEPCIS(msg string) error {
	return &Error{Problems: []Problem{{Event: -1, Source: SourceSyntax, Code: CodeNotEPCIS, Message: msg}}}
}

// readJSONDocument reads the document header and finds the event list. listPtr is the JSON
// pointer of the event list.
func readJSONDocument(root map[string]any) (doc *Document, events []map[string]any, listPtr string, fatal *Problem) {
	notDoc := func(msg string) *Problem {
		return &Problem{Event: -1, Source: SourceSyntax, Code: CodeNotEPCIS, Message: msg}
	}
	typ, _ := root["type"].(string)
	doc = &Document{Type: DocType(typ), Binding: JSONBinding, Namespaces: contextPrefixes(root["@context"], nil)}
	d := &jdec{ns: doc.Namespaces, event: -1}
	var list any
	switch doc.Type {
	case EPCISDocument:
		body, _ := root["epcisBody"].(map[string]any)
		if body == nil {
			return nil, nil, "", notDoc("an EPCISDocument needs an epcisBody")
		}
		list, listPtr = body["eventList"], "/epcisBody/eventList"
	case EPCISQueryDocument:
		body, _ := root["epcisBody"].(map[string]any)
		qr, _ := body["queryResults"].(map[string]any)
		if qr == nil {
			return nil, nil, "", notDoc("an EPCISQueryDocument needs epcisBody.queryResults")
		}
		doc.QueryName, _ = qr["queryName"].(string)
		doc.SubscriptionID, _ = qr["subscriptionID"].(string)
		rb, _ := qr["resultsBody"].(map[string]any)
		list, listPtr = rb["eventList"], "/epcisBody/queryResults/resultsBody/eventList"
		if vl, ok := rb["vocabularyList"]; ok {
			doc.MasterData = []Field{d.ext("vocabularyList", vl)}
		}
	default:
		if _, ok := root["eventTime"]; !ok && !EventType(typ).Valid() {
			return nil, nil, "", notDoc("the document is neither an EPCISDocument, an EPCISQueryDocument nor an event")
		}
		ev := make(map[string]any, len(root))
		for k, v := range root {
			if k != "@context" {
				ev[k] = v
			}
		}
		doc.Type = SingleEvent
		return doc, []map[string]any{ev}, "", nil
	}
	if list == nil {
		list = []any{}
	}
	arr, ok := list.([]any)
	if !ok {
		return nil, nil, "", notDoc("the event list is not an array")
	}
	for i, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, nil, "", &Problem{Event: i, Pointer: listPtr + "/" + strconv.Itoa(i), Source: SourceSyntax,
				Code: CodeNotEPCIS, Message: "an event must be a JSON object"}
		}
		events = append(events, m)
	}
	for _, k := range sortedKeys(root) {
		v, p := root[k], ptrJoin("", k)
		switch k {
		case "@context", "type", "epcisBody":
		case "id":
			doc.ID = d.str(v, p)
		case "schemaVersion":
			doc.SchemaVersion = d.str(v, p)
		case "creationDate":
			doc.CreationDate = d.time(v, p)
		case "instanceIdentifier":
			doc.InstanceIdentifier = d.str(v, p)
		case "sender":
			doc.Sender = d.str(v, p)
		case "receiver":
			doc.Receiver = d.str(v, p)
		case "epcisHeader":
			doc.Header = d.value(v).Fields
		default:
			doc.Extensions = append(doc.Extensions, d.ext(k, v))
		}
	}
	// Header problems (a creationDate that does not parse) are the schema's to report; the
	// model keeps what it could read.
	return doc, events, listPtr, nil
}

// eventIndex maps a JSON pointer to the index of the event it is in, or -1.
func eventIndex(ptr, listPtr string, t DocType) int {
	if t == SingleEvent {
		return 0
	}
	rest, ok := strings.CutPrefix(ptr, listPtr+"/")
	if !ok {
		return -1
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return -1
	}
	return n
}
