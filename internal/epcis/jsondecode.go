package epcis

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/epcis/cbv"
)

// jdec reads decoded JSON (from decodeJSON) into the model, collecting problems instead of
// stopping at the first, so that one pass reports everything wrong with an event.
type jdec struct {
	ns    map[string]string // prefixes declared in @context, for names
	event int
	probs []Problem
}

func (d *jdec) bad(ptr, value, format string, args ...any) {
	d.probs = append(d.probs, Problem{Event: d.event, Pointer: ptr, Source: SourceModel,
		Code: CodeBadValue, Value: value, Message: fmt.Sprintf(format, args...)})
}

// contextPrefixes collects prefix declarations from a JSON-LD @context value: the string
// members of its objects. The standard context's URL declares its own prefixes, which the
// event hash does not read either (EVENT-HASH.md §3.3), so they are not added here.
func contextPrefixes(ctx any, base map[string]string) map[string]string {
	out := make(map[string]string, len(base)+2)
	for k, v := range base {
		out[k] = v
	}
	add := func(o any) {
		if m, ok := o.(map[string]any); ok {
			for k, v := range m {
				if s, ok := v.(string); ok {
					out[k] = s
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
	return out
}

// name reads a member key as a Name (see Name for the rules, which are the event hash's).
func (d *jdec) name(key string) Name {
	p, local, ok := strings.Cut(key, ":")
	if !ok {
		return Name{Local: key}
	}
	switch p {
	case "http", "https", "urn":
		return Name{Local: key}
	}
	iri, ok := d.ns[p]
	if !ok {
		switch p {
		case "gs1":
			iri, ok = cbv.GS1Namespace, true
		case "cbv":
			iri, ok = cbv.CBVNamespace, true
		}
	}
	if !ok {
		return Name{Local: key}
	}
	return Name{Space: iri, Local: local, Prefix: p}
}

func ptrJoin(ptr, tok string) string {
	if strings.ContainsAny(tok, "~/") {
		tok = strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
	}
	return ptr + "/" + tok
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (d *jdec) str(v any, ptr string) string {
	s, ok := v.(string)
	if !ok {
		d.bad(ptr, "", "must be a string")
	}
	return s
}

// strs reads an array of strings; a present empty array gives a non-nil empty slice.
func (d *jdec) strs(v any, ptr string) []string {
	arr, ok := v.([]any)
	if !ok {
		d.bad(ptr, "", "must be an array of strings")
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		out = append(out, d.str(e, ptrJoin(ptr, strconv.Itoa(i))))
	}
	return out
}

func (d *jdec) time(v any, ptr string) time.Time {
	s := d.str(v, ptr)
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		d.bad(ptr, s, "%q is not a date and time with a zone (2006-01-02T15:04:05.000+08:00)", s)
	}
	return t
}

// parseTime reads an xsd:dateTime. A value without a zone is taken as UTC, as the event
// hash does; EPCIS requires a zone, and the JSON schema enforces it.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if t2, err2 := time.Parse("2006-01-02T15:04:05.999999999", s); err2 == nil {
		return t2, nil
	}
	return time.Time{}, err
}

func (d *jdec) num(v any, ptr string) Decimal {
	n, ok := v.(json.Number)
	if !ok {
		d.bad(ptr, fmt.Sprint(v), "must be a number")
		return ""
	}
	return Decimal(n)
}

func (d *jdec) obj(v any, ptr string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		d.bad(ptr, "", "must be an object")
	}
	return m
}

// value reads any JSON value as an extension value.
func (d *jdec) value(v any) Value {
	switch x := v.(type) {
	case string:
		return Value{Kind: String, Text: x}
	case json.Number:
		return Value{Kind: Number, Text: string(x)}
	case bool:
		return Value{Kind: Bool, Text: strconv.FormatBool(x)}
	case nil:
		return Value{Kind: Null}
	case []any:
		items := make([]Value, len(x))
		for i, e := range x {
			items[i] = d.value(e)
		}
		return Value{Kind: Array, Items: items}
	case map[string]any:
		out := Value{Kind: Object}
		for _, k := range sortedKeys(x) {
			if k == "#text" {
				out.Text = fmt.Sprint(x[k])
				continue
			}
			out.Fields = append(out.Fields, Field{Name: d.name(k), Value: d.value(x[k])})
		}
		return out
	}
	return Value{Kind: String, Text: fmt.Sprint(v)}
}

func (d *jdec) ext(key string, v any) Field {
	return Field{Name: d.name(key), Value: d.value(v)}
}

// event reads one event object.
func (d *jdec) readEvent(m map[string]any, ptr string) *Event {
	if ctx, ok := m["@context"]; ok {
		d.ns = contextPrefixes(ctx, d.ns)
	}
	e := &Event{Namespaces: d.ns}
	for _, k := range sortedKeys(m) {
		v, p := m[k], ptrJoin(ptr, k)
		switch k {
		case "@context":
		case "type":
			e.Type = EventType(d.str(v, p))
		case "eventTime":
			e.EventTime = d.time(v, p)
		case "eventTimeZoneOffset":
			e.EventTimeZoneOffset = d.str(v, p)
		case "recordTime":
			e.RecordTime = d.time(v, p)
		case "eventID":
			e.EventID = d.str(v, p)
		case "errorDeclaration":
			e.ErrorDeclaration = d.errorDeclaration(v, p)
		case "certificationInfo":
			if s, ok := v.(string); ok {
				e.CertificationInfo = []string{s}
			} else {
				e.CertificationInfo = d.strs(v, p)
			}
		case "parentID":
			e.ParentID = d.str(v, p)
		case "epcList":
			e.EPCList = d.strs(v, p)
		case "childEPCs":
			e.ChildEPCs = d.strs(v, p)
		case "inputEPCList":
			e.InputEPCList = d.strs(v, p)
		case "outputEPCList":
			e.OutputEPCList = d.strs(v, p)
		case "quantityList":
			e.QuantityList = d.quantities(v, p)
		case "childQuantityList":
			e.ChildQuantityList = d.quantities(v, p)
		case "inputQuantityList":
			e.InputQuantityList = d.quantities(v, p)
		case "outputQuantityList":
			e.OutputQuantityList = d.quantities(v, p)
		case "action":
			e.Action = Action(d.str(v, p))
		case "transformationID":
			e.TransformationID = d.str(v, p)
		case "bizStep":
			e.BizStep = d.str(v, p)
		case "disposition":
			e.Disposition = d.str(v, p)
		case "persistentDisposition":
			e.PersistentDisposition = d.persistentDisposition(v, p)
		case "readPoint":
			e.ReadPoint = d.location(v, p)
		case "bizLocation":
			e.BizLocation = d.location(v, p)
		case "bizTransactionList":
			e.BizTransactionList = d.bizTransactions(v, p)
		case "sourceList":
			e.SourceList = d.sourceDests(v, p, "source")
		case "destinationList":
			e.DestinationList = d.sourceDests(v, p, "destination")
		case "sensorElementList":
			e.SensorElementList = d.sensorElements(v, p)
		case "ilmd":
			if o := d.obj(v, p); o != nil {
				e.ILMD = &ILMD{Fields: d.value(o).Fields}
				if e.ILMD.Fields == nil {
					e.ILMD.Fields = []Field{}
				}
			}
		default:
			e.Extensions = append(e.Extensions, d.ext(k, v))
		}
	}
	return e
}

func (d *jdec) errorDeclaration(v any, ptr string) *ErrorDeclaration {
	m := d.obj(v, ptr)
	if m == nil {
		return nil
	}
	ed := &ErrorDeclaration{}
	for _, k := range sortedKeys(m) {
		v, p := m[k], ptrJoin(ptr, k)
		switch k {
		case "declarationTime":
			ed.DeclarationTime = d.time(v, p)
		case "reason":
			ed.Reason = d.str(v, p)
		case "correctiveEventIDs":
			ed.CorrectiveEventIDs = d.strs(v, p)
		default:
			ed.Extensions = append(ed.Extensions, d.ext(k, v))
		}
	}
	return ed
}

func (d *jdec) quantities(v any, ptr string) []Quantity {
	arr, ok := v.([]any)
	if !ok {
		d.bad(ptr, "", "must be an array of quantity elements")
		return nil
	}
	out := make([]Quantity, 0, len(arr))
	for i, e := range arr {
		p := ptrJoin(ptr, strconv.Itoa(i))
		m := d.obj(e, p)
		var q Quantity
		for _, k := range sortedKeys(m) {
			v, p := m[k], ptrJoin(p, k)
			switch k {
			case "epcClass":
				q.EPCClass = d.str(v, p)
			case "quantity":
				q.Quantity = d.num(v, p)
			case "uom":
				q.UOM = d.str(v, p)
			default:
				q.Extensions = append(q.Extensions, d.ext(k, v))
			}
		}
		out = append(out, q)
	}
	return out
}

func (d *jdec) persistentDisposition(v any, ptr string) *PersistentDisposition {
	m := d.obj(v, ptr)
	if m == nil {
		return nil
	}
	pd := &PersistentDisposition{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "set":
			pd.Set = d.strs(m[k], ptrJoin(ptr, k))
		case "unset":
			pd.Unset = d.strs(m[k], ptrJoin(ptr, k))
		default:
			d.bad(ptrJoin(ptr, k), k, "persistentDisposition has only set and unset")
		}
	}
	return pd
}

func (d *jdec) location(v any, ptr string) *Location {
	m := d.obj(v, ptr)
	if m == nil {
		return nil
	}
	l := &Location{}
	for _, k := range sortedKeys(m) {
		if k == "id" {
			l.ID = d.str(m[k], ptrJoin(ptr, k))
		} else {
			l.Extensions = append(l.Extensions, d.ext(k, m[k]))
		}
	}
	return l
}

func (d *jdec) bizTransactions(v any, ptr string) []BizTransaction {
	arr, ok := v.([]any)
	if !ok {
		d.bad(ptr, "", "must be an array")
		return nil
	}
	out := make([]BizTransaction, 0, len(arr))
	for i, e := range arr {
		p := ptrJoin(ptr, strconv.Itoa(i))
		m := d.obj(e, p)
		var bt BizTransaction
		for _, k := range sortedKeys(m) {
			switch k {
			case "type":
				bt.Type = d.str(m[k], ptrJoin(p, k))
			case "bizTransaction":
				bt.ID = d.str(m[k], ptrJoin(p, k))
			default:
				d.bad(ptrJoin(p, k), k, "a business transaction has only type and bizTransaction")
			}
		}
		out = append(out, bt)
	}
	return out
}

func (d *jdec) sourceDests(v any, ptr, kind string) []SourceDest {
	arr, ok := v.([]any)
	if !ok {
		d.bad(ptr, "", "must be an array")
		return nil
	}
	out := make([]SourceDest, 0, len(arr))
	for i, e := range arr {
		p := ptrJoin(ptr, strconv.Itoa(i))
		m := d.obj(e, p)
		var sd SourceDest
		for _, k := range sortedKeys(m) {
			switch k {
			case "type":
				sd.Type = d.str(m[k], ptrJoin(p, k))
			case kind:
				sd.ID = d.str(m[k], ptrJoin(p, k))
			default:
				d.bad(ptrJoin(p, k), k, "a %s has only type and %s", kind, kind)
			}
		}
		out = append(out, sd)
	}
	return out
}
