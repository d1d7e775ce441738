package eventhash

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"zhanxin/internal/epcis/cbv"
)

// Prefixes maps a declared JSON-LD prefix to its IRI.
type Prefixes map[string]string

// ContextPrefixes collects the prefixes declared in a JSON-LD @context value (§3.3 step 2):
// every string member of every object in it. gs1 and cbv count as always declared (§10 D11),
// unless the document binds them itself. String entries, such as the standard context's URL,
// add nothing: the reference does not read the prefixes inside the standard context, and
// neither does the hash.
func ContextPrefixes(ctx any, base Prefixes) Prefixes {
	p := Prefixes{"gs1": cbv.GS1Namespace, "cbv": cbv.CBVNamespace}
	for k, v := range base {
		p[k] = v
	}
	add := func(o any) {
		if m, ok := o.(map[string]any); ok {
			for k, v := range m {
				if s, ok := v.(string); ok {
					p[k] = s
				}
			}
		}
	}
	if arr, ok := ctx.([]any); ok {
		for _, o := range arr {
			add(o)
		}
	} else {
		add(ctx)
	}
	return p
}

// JSONEvents finds the events of a decoded JSON-LD EPCIS document (§3.3 step 1):
// epcisBody.eventList, epcisBody.queryResults.resultsBody.eventList, epcisBody.event, or the
// document itself when it is a single event. It also returns the document's prefixes.
func JSONEvents(doc map[string]any) ([]map[string]any, Prefixes, error) {
	prefixes := ContextPrefixes(doc["@context"], nil)
	body, _ := doc["epcisBody"].(map[string]any)
	var list any
	switch {
	case body == nil:
		if _, ok := doc["eventTime"]; ok {
			// A single event sent on its own: its own @context is the document's, already read.
			ev := make(map[string]any, len(doc))
			for k, v := range doc {
				if k != "@context" {
					ev[k] = v
				}
			}
			return []map[string]any{ev}, prefixes, nil
		}
		return nil, nil, errors.New("no epcisBody")
	case body["eventList"] != nil:
		list = body["eventList"]
	case body["event"] != nil:
		list = []any{body["event"]}
	default:
		qr, _ := body["queryResults"].(map[string]any)
		rb, _ := qr["resultsBody"].(map[string]any)
		list = rb["eventList"]
	}
	arr, ok := list.([]any)
	if !ok {
		return nil, nil, errors.New("no event list")
	}
	events := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, nil, errors.New("an event is not a JSON object")
		}
		events = append(events, m)
	}
	return events, prefixes, nil
}

// FromJSON turns one decoded JSON-LD event (numbers as json.Number) into the neutral tree
// (§3.3). prefixes are the document's; prefixes declared in the event's own @context are
// added for this event (§10 D14).
func FromJSON(event map[string]any, prefixes Prefixes) *Node {
	if ctx, ok := event["@context"]; ok {
		prefixes = ContextPrefixes(ctx, prefixes)
	}
	c := jconv{prefixes: prefixes}
	typ, _ := event["type"].(string)
	return &Node{Name: typ, Kids: c.members(event, atEvent)}
}

// loc says where an object sits, for the per-field expansion of bare vocabulary terms
// (§3.3 step 3, the Implement choice of §10 D10).
type loc int

const (
	atOther loc = iota
	atEvent
	atPersistentDisposition
	atSensorElement
	atSensorReport
	atErrorDeclaration
)

type jconv struct{ prefixes Prefixes }

// vocabAt returns the vocabulary whose bare terms a string member key at l expands to.
func vocabAt(l loc, key string) *cbv.Vocab {
	switch l {
	case atEvent:
		switch key {
		case "bizStep":
			return cbv.BizStep
		case "disposition":
			return cbv.Disposition
		}
	case atPersistentDisposition:
		if key == "set" || key == "unset" {
			return cbv.Disposition
		}
	case atSensorReport:
		switch key {
		case "type":
			return cbv.MeasurementType
		case "exception":
			return cbv.SensorAlertType
		case "component":
			return cbv.Component
		}
	case atErrorDeclaration:
		if key == "reason" {
			return cbv.ErrorReason
		}
	}
	return nil
}

// childLoc is where the object value of member key at l sits.
func childLoc(l loc, key string) loc {
	switch {
	case l == atEvent && key == "persistentDisposition":
		return atPersistentDisposition
	case l == atEvent && key == "sensorElementList":
		return atSensorElement
	case l == atEvent && key == "errorDeclaration":
		return atErrorDeclaration
	case l == atSensorElement && key == "sensorReport":
		return atSensorReport
	}
	return atOther
}

// elementNames renames the elements of the standard lists to their XML names (§3.3 step 5).
var elementNames = map[string]string{
	"epcList": "epc", "inputEPCList": "epc", "outputEPCList": "epc", "childEPCs": "epc",
	"quantityList": "quantityElement", "childQuantityList": "quantityElement",
	"inputQuantityList": "quantityElement", "outputQuantityList": "quantityElement",
	"sensorElementList": "sensorElement",
}

var typedLists = map[string]string{
	"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination",
}

// members turns an object's members into nodes.
func (c jconv) members(obj map[string]any, l loc) []*Node {
	var out []*Node
	for key, v := range obj {
		switch key {
		case "#text", "comment", "rdfs:comment", "@context":
			continue
		}
		name := c.expand(key)
		kind, typed := typedLists[key]
		isList := strings.HasSuffix(name, "List") || key == "childEPCs"
		if !isList {
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					out = append(out, c.value(name, key, e, l))
				}
			} else {
				out = append(out, c.value(name, key, v, l))
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok {
			arr = []any{v}
		}
		if len(arr) == 0 {
			continue // an empty list is no list at all
		}
		box := &Node{Name: name}
		elName, ok := elementNames[key]
		if !ok {
			elName = name[:len(name)-len("List")]
		}
		for _, e := range arr {
			if typed {
				box.Kids = append(box.Kids, &Node{Entry: c.entry(kind, e, l == atEvent)})
			} else {
				box.Kids = append(box.Kids, c.value(elName, key, e, l))
			}
		}
		out = append(out, box)
	}
	return out
}

// value turns one JSON value into a node called name. key is the raw key of the member it
// belongs to (for array elements, the array's member) and l is where that member sits.
func (c jconv) value(name, key string, v any, l loc) *Node {
	n := &Node{Name: name}
	switch x := v.(type) {
	case map[string]any:
		if t, ok := x["#text"]; ok {
			n.Value = scalar(t)
		}
		n.Kids = c.members(x, childLoc(l, key))
	case []any:
		for _, e := range x {
			n.Kids = append(n.Kids, c.value(name, key, e, l))
		}
	case string:
		if voc := vocabAt(l, key); voc != nil && voc.Known(x) {
			x = voc.Web + x
		}
		n.Value = c.curie(x)
	default:
		n.Value = scalar(x)
	}
	return n
}

// entry makes a typed entry from an element of bizTransactionList, sourceList or
// destinationList, by member name (§10 D2).
func (c jconv) entry(kind string, v any, eventLevel bool) *Entry {
	e := &Entry{Kind: kind}
	m, ok := v.(map[string]any)
	if !ok {
		e.ID = c.curie(scalar(v))
		return e
	}
	e.ID = c.curie(scalar(m[kind]))
	t, _ := m["type"].(string)
	if eventLevel {
		voc := cbv.BizTransactionType
		if kind != "bizTransaction" {
			voc = cbv.SourceDestType
		}
		if voc.Known(t) {
			t = voc.Web + t
		}
	}
	e.Type = c.curie(t)
	return e
}

// scalar writes a JSON scalar as text: numbers as their literal, booleans as true/false
// (§10 D9), null as the reference's None.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case json.Number:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// expand writes a key p:local with a declared prefix p as {IRI}local (Clark notation).
func (c jconv) expand(key string) string {
	if p, local, ok := c.split(key); ok {
		return "{" + p + "}" + local
	}
	return key
}

// curie expands a string value p:rest with a declared prefix p to IRI+rest.
func (c jconv) curie(s string) string {
	if iri, rest, ok := c.split(s); ok {
		return iri + rest
	}
	return s
}

func (c jconv) split(s string) (iri, rest string, ok bool) {
	p, rest, found := strings.Cut(s, ":")
	if !found {
		return "", "", false
	}
	switch p {
	case "http", "https", "urn": // never a prefix (§10 D11)
		return "", "", false
	}
	iri, ok = c.prefixes[p]
	return iri, rest, ok
}
