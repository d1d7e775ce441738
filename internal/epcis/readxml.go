package epcis

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/epcis/eventhash"
	"zhanxin/internal/epcis/xmltree"
)

// ReadXML reads an XML EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument (which
// has no events). As ReadJSON, it reads the model, applies the rules (plus the structural
// checks the JSON schema would make, as there is no XML schema here) and computes each
// event's hash ID from the XML itself.
func (r *Reader) ReadXML(in io.Reader) (*Document, error) {
	root, err := xmltree.Parse(in, xmltree.Limits{MaxDepth: r.limits.depth(), MaxBytes: r.limits.bytes()})
	if err != nil {
		p := Problem{Event: -1, Source: SourceSyntax, Code: CodeXMLSyntax, Message: "malformed XML: " + err.Error()}
		switch {
		case errors.Is(err, xmltree.ErrDepth):
			p.Code, p.Message = CodeTooDeep, err.Error()
		case errors.Is(err, xmltree.ErrTooLarge):
			p.Code, p.Message = CodeTooLarge, err.Error()
		}
		return nil, &Error{Problems: []Problem{p}}
	}
	doc := &Document{Type: DocType(root.Local), Binding: XMLBinding}
	var list *xmltree.Element
	listPtr := "/EPCISBody/EventList"
	body := root.Child("EPCISBody")
	switch doc.Type {
	case EPCISDocument:
		if body != nil {
			list = body.Child("EventList")
		}
	case EPCISQueryDocument:
		qr := body.Child("QueryResults")
		if qr == nil && body != nil {
			// The query schema puts QueryResults in its own namespace (epcisq:QueryResults).
			for _, k := range body.Kids {
				if k.Local == "QueryResults" && k.Space == xmlNSEPCISQuery {
					qr = k
				}
			}
		}
		if qr == nil {
			return nil, notEPCIS("an EPCISQueryDocument needs EPCISBody/QueryResults")
		}
		doc.QueryName = text(qr.Child("queryName"))
		doc.SubscriptionID = text(qr.Child("subscriptionID"))
		if rb := qr.Child("resultsBody"); rb != nil {
			list = rb.Child("EventList")
		}
		listPtr = "/EPCISBody/QueryResults/resultsBody/EventList"
	case EPCISMasterDataDocument:
	default:
		return nil, notEPCIS(fmt.Sprintf("<%s> is not an EPCIS document: expected EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument", root.Local))
	}
	d := &xdec{prefix: prefixHints(root), event: -1}
	if v, ok := root.Attr("schemaVersion"); ok {
		doc.SchemaVersion = strings.TrimSpace(v)
	}
	if v, ok := root.Attr("creationDate"); ok {
		doc.CreationDate = d.time(strings.TrimSpace(v), "/creationDate", root.Line)
	}
	if h := root.Child("EPCISHeader"); h != nil {
		doc.Header = d.field(h).Value.Fields
	}
	if body != nil && doc.Type == EPCISMasterDataDocument {
		for _, k := range body.Kids {
			doc.MasterData = append(doc.MasterData, d.field(k))
		}
	}
	probs := d.probs
	if list != nil {
		for i, el := range list.Kids {
			ed := &xdec{prefix: d.prefix, event: i}
			ptr := listPtr + "/" + strconv.Itoa(i)
			ev := ed.readEvent(el, ptr)
			probs = append(probs, ed.probs...)
			if !ev.Type.Valid() {
				probs = append(probs, Problem{Event: i, Pointer: ptr, Line: el.Line, Source: SourceModel, Code: CodeEventType,
					Value: el.Name(), Message: "the event type must be one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent"})
			}
			ev.HashID = eventhash.ID(eventhash.PreHash(eventhash.FromXML(el)))
			probs = append(probs, r.rules.Check(ev, i, ptr, true)...)
			doc.Events = append(doc.Events, ev)
		}
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return doc, &Error{Problems: probs}
	}
	return doc, nil
}

// prefixHints maps each namespace IRI to the first prefix the document declared for it, so
// that JSON output can reuse the document's prefixes. Iterative, like every walk over input.
func prefixHints(root *xmltree.Element) map[string]string {
	hints := map[string]string{}
	stack := []*xmltree.Element{root}
	for len(stack) > 0 {
		el := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range el.Decls {
			if _, ok := hints[d.Value]; !ok && d.Local != "" {
				hints[d.Value] = d.Local
			}
		}
		stack = append(stack, el.Kids...)
	}
	return hints
}

func text(el *xmltree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text)
}

// xdec reads XML elements into the model, collecting problems.
type xdec struct {
	prefix map[string]string
	event  int
	probs  []Problem
}

func (d *xdec) bad(ptr string, line int, value, format string, args ...any) {
	d.probs = append(d.probs, Problem{Event: d.event, Pointer: ptr, Line: line, Source: SourceModel,
		Code: CodeBadValue, Value: value, Message: fmt.Sprintf(format, args...)})
}

func (d *xdec) name(space, local string) Name {
	return Name{Space: space, Local: local, Prefix: d.prefix[space]}
}

// field reads an extension element: a plain value if it has neither attributes nor
// children, else an object of its attributes and children (and its text, if any).
func (d *xdec) field(el *xmltree.Element) Field {
	f := Field{Name: d.name(el.Space, el.Local)}
	if len(el.Attrs) == 0 && len(el.Kids) == 0 {
		f.Value = Value{Kind: String, Text: strings.TrimSpace(el.Text)}
		return f
	}
	f.Value = Value{Kind: Object, Text: strings.TrimSpace(el.Text)}
	for _, a := range el.Attrs {
		f.Value.Fields = append(f.Value.Fields, d.attrField(a))
	}
	for _, k := range el.Kids {
		f.Value.Fields = append(f.Value.Fields, d.field(k))
	}
	return f
}

func (d *xdec) attrField(a xmltree.Attr) Field {
	return Field{Name: d.name(a.Space, a.Local), Value: Value{Kind: String, Text: a.Value}, Attr: true}
}

func (d *xdec) time(s, ptr string, line int) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		d.bad(ptr, line, s, "%q is not a date and time with a zone (2006-01-02T15:04:05.000+08:00)", s)
	}
	return t
}

// xmlNumber is an xsd:decimal or xsd:double without the special values.
var xmlNumber = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)

func (d *xdec) num(s, ptr string, line int) Decimal {
	if s != "" && !xmlNumber.MatchString(s) {
		d.bad(ptr, line, s, "%q is not a number", s)
	}
	return Decimal(s)
}

func (d *xdec) readEvent(el *xmltree.Element, ptr string) *Event {
	e := &Event{Type: EventType(el.Name())}
	for _, a := range el.Attrs {
		e.Extensions = append(e.Extensions, d.attrField(a))
	}
	for _, k := range el.Kids {
		p := ptr + "/" + k.Local
		if k.Space != "" {
			e.Extensions = append(e.Extensions, d.field(k))
			continue
		}
		t := text(k)
		switch k.Local {
		case "eventTime":
			e.EventTime = d.time(t, p, k.Line)
		case "recordTime":
			e.RecordTime = d.time(t, p, k.Line)
		case "eventTimeZoneOffset":
			e.EventTimeZoneOffset = t
		case "eventID":
			e.EventID = t
		case "certificationInfo":
			e.CertificationInfo = append(e.CertificationInfo, t)
		case "errorDeclaration":
			e.ErrorDeclaration = d.errorDeclaration(k, p)
		case "parentID":
			e.ParentID = t
		case "epcList":
			e.EPCList = d.epcs(k)
		case "childEPCs":
			e.ChildEPCs = d.epcs(k)
		case "inputEPCList":
			e.InputEPCList = d.epcs(k)
		case "outputEPCList":
			e.OutputEPCList = d.epcs(k)
		case "quantityList":
			e.QuantityList = d.quantities(k, p)
		case "childQuantityList":
			e.ChildQuantityList = d.quantities(k, p)
		case "inputQuantityList":
			e.InputQuantityList = d.quantities(k, p)
		case "outputQuantityList":
			e.OutputQuantityList = d.quantities(k, p)
		case "action":
			e.Action = Action(t)
		case "transformationID":
			e.TransformationID = t
		case "bizStep":
			e.BizStep = t
		case "disposition":
			e.Disposition = t
		case "persistentDisposition":
			pd := &PersistentDisposition{}
			for _, c := range k.Kids {
				switch c.Local {
				case "set":
					pd.Set = append(pd.Set, text(c))
				case "unset":
					pd.Unset = append(pd.Unset, text(c))
				default:
					d.bad(p+"/"+c.Local, c.Line, c.Local, "persistentDisposition has only set and unset")
				}
			}
			e.PersistentDisposition = pd
		case "readPoint":
			e.ReadPoint = d.location(k)
		case "bizLocation":
			e.BizLocation = d.location(k)
		case "bizTransactionList":
			e.BizTransactionList = []BizTransaction{}
			for _, c := range k.Kids {
				typ, _ := c.Attr("type")
				e.BizTransactionList = append(e.BizTransactionList, BizTransaction{Type: strings.TrimSpace(typ), ID: text(c)})
			}
		case "sourceList":
			e.SourceList = d.sourceDests(k)
		case "destinationList":
			e.DestinationList = d.sourceDests(k)
		case "sensorElementList":
			e.SensorElementList = []SensorElement{}
			for i, c := range k.Kids {
				e.SensorElementList = append(e.SensorElementList, d.sensorElement(c, p+"/"+strconv.Itoa(i)))
			}
		case "ilmd":
			e.ILMD = &ILMD{Fields: d.field(k).Value.Fields}
			if e.ILMD.Fields == nil {
				e.ILMD.Fields = []Field{}
			}
		default:
			// An unknown unqualified element: kept as an extension, so nothing is lost; the
			// event hash counts it too.
			e.Extensions = append(e.Extensions, d.field(k))
		}
	}
	return e
}

func (d *xdec) epcs(el *xmltree.Element) []string {
	out := make([]string, 0, len(el.Kids))
	for _, c := range el.Kids {
		out = append(out, text(c))
	}
	return out
}

func (d *xdec) quantities(el *xmltree.Element, ptr string) []Quantity {
	out := make([]Quantity, 0, len(el.Kids))
	for i, qe := range el.Kids {
		var q Quantity
		for _, c := range qe.Kids {
			switch {
			case c.Space != "":
				q.Extensions = append(q.Extensions, d.field(c))
			case c.Local == "epcClass":
				q.EPCClass = text(c)
			case c.Local == "quantity":
				q.Quantity = d.num(text(c), ptr+"/"+strconv.Itoa(i)+"/quantity", c.Line)
			case c.Local == "uom":
				q.UOM = text(c)
			default:
				q.Extensions = append(q.Extensions, d.field(c))
			}
		}
		out = append(out, q)
	}
	return out
}

func (d *xdec) errorDeclaration(el *xmltree.Element, ptr string) *ErrorDeclaration {
	ed := &ErrorDeclaration{}
	for _, c := range el.Kids {
		switch {
		case c.Space != "":
			ed.Extensions = append(ed.Extensions, d.field(c))
		case c.Local == "declarationTime":
			ed.DeclarationTime = d.time(text(c), ptr+"/declarationTime", c.Line)
		case c.Local == "reason":
			ed.Reason = text(c)
		case c.Local == "correctiveEventIDs":
			ed.CorrectiveEventIDs = []string{}
			for _, id := range c.Kids {
				ed.CorrectiveEventIDs = append(ed.CorrectiveEventIDs, text(id))
			}
		default:
			ed.Extensions = append(ed.Extensions, d.field(c))
		}
	}
	return ed
}

func (d *xdec) location(el *xmltree.Element) *Location {
	l := &Location{}
	for _, c := range el.Kids {
		if c.Space == "" && c.Local == "id" {
			l.ID = text(c)
		} else {
			l.Extensions = append(l.Extensions, d.field(c))
		}
	}
	return l
}

func (d *xdec) sourceDests(el *xmltree.Element) []SourceDest {
	out := make([]SourceDest, 0, len(el.Kids))
	for _, c := range el.Kids {
		typ, _ := c.Attr("type")
		out = append(out, SourceDest{Type: strings.TrimSpace(typ), ID: text(c)})
	}
	return out
}
