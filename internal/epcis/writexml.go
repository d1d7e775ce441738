package epcis

import (
	"bufio"
	"encoding/xml"
	"io"
	"strings"
	"time"

	"zhanxin/internal/epcis/cbv"
)

// The XML binding on output, for query clients that ask for application/xml (REST binding:
// content negotiation on the Accept header). The model is written the way ReadXML reads it,
// so XML written here reads back as the same events with the same CBV hash IDs (a test
// checks that on the whole conformance corpus). Vocabulary values are written as CBV 2.0 web
// URIs, since a bare term means something only under the JSON-LD context; extension fields
// keep their namespace, declared on the element that uses it.

// XML namespaces of the EPCIS 2.0 XML binding.
const (
	xmlNSEPCIS      = "urn:epcglobal:epcis:xsd:2"
	xmlNSEPCISQuery = "urn:epcglobal:epcis-query:xsd:2"
)

// WriteXML writes doc as an EPCISQueryDocument (doc.Type EPCISQueryDocument) or an
// EPCISDocument (anything else) in the XML binding.
func WriteXML(w io.Writer, doc *Document) error {
	b := bufio.NewWriter(w)
	x := &xw{w: b}
	created := doc.CreationDate
	if created.IsZero() {
		created = time.Now()
	}
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if doc.Type == EPCISQueryDocument {
		x.raw(`<epcisq:EPCISQueryDocument xmlns:epcisq="` + xmlNSEPCISQuery + `" xmlns:epcis="` + xmlNSEPCIS + `" schemaVersion="2.0" creationDate="`)
		x.text(created.Format(time.RFC3339Nano))
		x.raw(`"><EPCISBody><epcisq:QueryResults><queryName>`)
		x.text(doc.QueryName)
		x.raw(`</queryName>`)
		if doc.SubscriptionID != "" {
			x.elem("subscriptionID", doc.SubscriptionID)
		}
		x.raw(`<resultsBody><EventList>`)
	} else {
		x.raw(`<epcis:EPCISDocument xmlns:epcis="` + xmlNSEPCIS + `" schemaVersion="2.0" creationDate="`)
		x.text(created.Format(time.RFC3339Nano))
		x.raw(`"><EPCISBody><EventList>`)
	}
	for _, e := range doc.Events {
		x.event(e)
	}
	if doc.Type == EPCISQueryDocument {
		x.raw(`</EventList></resultsBody></epcisq:QueryResults></EPCISBody></epcisq:EPCISQueryDocument>` + "\n")
	} else {
		x.raw(`</EventList></EPCISBody></epcis:EPCISDocument>` + "\n")
	}
	return b.Flush()
}

type xw struct {
	w  *bufio.Writer
	ns map[string]string // the event's JSON-LD prefixes, to expand CURIE values
}

// curie expands a value written as prefix:rest with a prefix the event declared (JSON-LD
// lets a vocabulary value be a CURIE; in XML it would be read as a URI with that scheme).
func (x *xw) curie(s string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 || strings.HasPrefix(s[i:], "://") {
		return s
	}
	if iri, ok := x.ns[s[:i]]; ok {
		return iri + s[i+1:]
	}
	return s
}

func (x *xw) raw(s string) { x.w.WriteString(s) }

func (x *xw) text(s string) { xml.EscapeText(x.w, []byte(s)) }

func (x *xw) elem(name, v string) {
	if v == "" {
		return
	}
	x.raw("<" + name + ">")
	x.text(v)
	x.raw("</" + name + ">")
}

func (x *xw) attr(name, v string) {
	if v == "" {
		return
	}
	x.raw(" " + name + `="`)
	x.text(v)
	x.raw(`"`)
}

func (x *xw) time(name string, t time.Time) {
	if !t.IsZero() {
		x.elem(name, t.Format(time.RFC3339Nano))
	}
}

func (x *xw) list(name, item string, vs []string) {
	if vs == nil {
		return
	}
	x.raw("<" + name + ">")
	for _, v := range vs {
		x.raw("<" + item + ">")
		x.text(v)
		x.raw("</" + item + ">")
	}
	x.raw("</" + name + ">")
}

func (x *xw) event(e *Event) {
	x.ns = e.Namespaces
	x.raw("<" + string(e.Type) + ">")
	x.time("eventTime", e.EventTime)
	x.time("recordTime", e.RecordTime)
	x.elem("eventTimeZoneOffset", e.EventTimeZoneOffset)
	x.elem("eventID", e.EventID)
	for _, c := range e.CertificationInfo {
		x.elem("certificationInfo", c)
	}
	if ed := e.ErrorDeclaration; ed != nil {
		x.raw("<errorDeclaration>")
		x.time("declarationTime", ed.DeclarationTime)
		x.elem("reason", x.curie(cbv.ErrorReason.Full(ed.Reason)))
		x.list("correctiveEventIDs", "correctiveEventID", ed.CorrectiveEventIDs)
		x.fields(ed.Extensions)
		x.raw("</errorDeclaration>")
	}
	x.elem("parentID", e.ParentID)
	x.list("epcList", "epc", e.EPCList)
	x.list("childEPCs", "epc", e.ChildEPCs)
	x.list("inputEPCList", "epc", e.InputEPCList)
	x.quantities("inputQuantityList", e.InputQuantityList)
	x.list("outputEPCList", "epc", e.OutputEPCList)
	x.quantities("outputQuantityList", e.OutputQuantityList)
	x.elem("transformationID", e.TransformationID)
	x.elem("action", string(e.Action))
	x.elem("bizStep", x.curie(cbv.BizStep.Full(e.BizStep)))
	x.elem("disposition", x.curie(cbv.Disposition.Full(e.Disposition)))
	if pd := e.PersistentDisposition; pd != nil {
		x.raw("<persistentDisposition>")
		for _, s := range pd.Set {
			x.elem("set", x.curie(cbv.Disposition.Full(s)))
		}
		for _, s := range pd.Unset {
			x.elem("unset", x.curie(cbv.Disposition.Full(s)))
		}
		x.raw("</persistentDisposition>")
	}
	x.location("readPoint", e.ReadPoint)
	x.location("bizLocation", e.BizLocation)
	if e.BizTransactionList != nil {
		x.raw("<bizTransactionList>")
		for _, bt := range e.BizTransactionList {
			x.raw("<bizTransaction")
			x.attr("type", x.curie(cbv.BizTransactionType.Full(bt.Type)))
			x.raw(">")
			x.text(bt.ID)
			x.raw("</bizTransaction>")
		}
		x.raw("</bizTransactionList>")
	}
	x.quantities("quantityList", e.QuantityList)
	x.quantities("childQuantityList", e.ChildQuantityList)
	x.sourceDests("sourceList", "source", e.SourceList)
	x.sourceDests("destinationList", "destination", e.DestinationList)
	if e.SensorElementList != nil {
		x.raw("<sensorElementList>")
		for _, se := range e.SensorElementList {
			x.sensorElement(se)
		}
		x.raw("</sensorElementList>")
	}
	if e.ILMD != nil {
		x.raw("<ilmd>")
		x.fields(e.ILMD.Fields)
		x.raw("</ilmd>")
	}
	x.fields(e.Extensions)
	x.raw("</" + string(e.Type) + ">")
}

func (x *xw) quantities(name string, qs []Quantity) {
	if qs == nil {
		return
	}
	x.raw("<" + name + ">")
	for _, q := range qs {
		x.raw("<quantityElement>")
		x.elem("epcClass", q.EPCClass)
		x.elem("quantity", string(q.Quantity))
		x.elem("uom", q.UOM)
		x.fields(q.Extensions)
		x.raw("</quantityElement>")
	}
	x.raw("</" + name + ">")
}

func (x *xw) location(name string, l *Location) {
	if l == nil {
		return
	}
	x.raw("<" + name + ">")
	x.elem("id", l.ID)
	x.fields(l.Extensions)
	x.raw("</" + name + ">")
}

func (x *xw) sourceDests(name, item string, l []SourceDest) {
	if l == nil {
		return
	}
	x.raw("<" + name + ">")
	for _, sd := range l {
		x.raw("<" + item)
		x.attr("type", x.curie(cbv.SourceDestType.Full(sd.Type)))
		x.raw(">")
		x.text(sd.ID)
		x.raw("</" + item + ">")
	}
	x.raw("</" + name + ">")
}

func xmlTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// sensorElement writes metadata and reports as attributes, as the XML binding has them.
func (x *xw) sensorElement(se SensorElement) {
	x.raw("<sensorElement>")
	if m := se.Metadata; m != nil {
		x.raw("<sensorMetadata")
		for _, k := range []string{"time", "startTime", "endTime"} {
			x.attr(k, xmlTime(*metadataTime(m, k)))
		}
		for _, k := range metadataNames {
			x.attr(k, *metadataString(m, k))
		}
		x.attrFields(m.Extensions)
		x.raw(">")
		x.fields(elementFields(m.Extensions))
		x.raw("</sensorMetadata>")
	}
	for i := range se.Reports {
		r := &se.Reports[i]
		x.raw("<sensorReport")
		for _, k := range reportStrings {
			v := *reportString(r, k)
			switch k {
			case "type":
				v = x.curie(gs1Term(cbv.MeasurementType, v))
			case "exception":
				v = x.curie(gs1Term(cbv.SensorAlertType, v))
			case "component":
				v = x.curie(cbv.Component.Full(v))
			}
			x.attr(k, v)
		}
		x.attr("time", xmlTime(r.Time))
		for _, k := range reportDecimals {
			x.attr(k, string(*reportDecimal(r, k)))
		}
		if r.BooleanValue != nil {
			x.attr("booleanValue", map[bool]string{true: "true", false: "false"}[*r.BooleanValue])
		}
		x.attrFields(r.Extensions)
		x.raw(">")
		x.fields(elementFields(r.Extensions))
		x.raw("</sensorReport>")
	}
	x.fields(se.Extensions)
	x.raw("</sensorElement>")
}

// gs1Term writes a GS1 Web Vocabulary term as the XML examples do: gs1:Term.
func gs1Term(v *cbv.Vocab, s string) string {
	if t, _, ok := v.Split(s); ok {
		return "gs1:" + t
	}
	return s
}

const rdfsNS = "http://www.w3.org/2000/01/rdf-schema#"

// elementFields are the fields that are not attributes.
func elementFields(fs []Field) []Field {
	var out []Field
	for _, f := range fs {
		if !f.Attr {
			out = append(out, f)
		}
	}
	return out
}

// attrFields writes the fields read from attributes back as attributes, with a namespace
// declaration each if namespaced.
func (x *xw) attrFields(fs []Field) {
	for i, f := range fs {
		if !f.Attr {
			continue
		}
		name := f.Name.Local
		if f.Name.Space != "" {
			p := xmlPrefix(f.Name, i)
			x.attr("xmlns:"+p, f.Name.Space)
			name = p + ":" + f.Name.Local
		}
		x.attr(name, x.curie(f.Value.Text))
	}
}

// xmlPrefix is the prefix to write a namespaced name with: the source's, else a made-up one.
func xmlPrefix(n Name, i int) string {
	if n.Prefix != "" && !strings.ContainsAny(n.Prefix, ":/") {
		return n.Prefix
	}
	return "ns" + string(rune('a'+i%26))
}

// fields writes extension fields as elements: an array as the element repeated, an object
// as an element of its members (those read from attributes as attributes).
func (x *xw) fields(fs []Field) {
	for i, f := range fs {
		if f.Attr || f.Name.Space == rdfsNS && f.Name.Local == "comment" {
			continue // rdfs:comment annotates the JSON-LD; it is not event data (nor hashed)
		}
		if f.Value.Kind == Array {
			for _, it := range f.Value.Items {
				x.field(Field{Name: f.Name, Value: it}, i)
			}
			continue
		}
		x.field(f, i)
	}
}

func (x *xw) field(f Field, i int) {
	name := f.Name.Local
	decl := ""
	if f.Name.Space != "" {
		p := xmlPrefix(f.Name, i)
		name = p + ":" + f.Name.Local
		decl = p
	}
	x.raw("<" + name)
	if decl != "" {
		x.attr("xmlns:"+decl, f.Name.Space)
	}
	if f.Value.Kind == Object {
		x.attrFields(f.Value.Fields)
		x.raw(">")
		x.text(f.Value.Text)
		x.fields(f.Value.Fields)
	} else {
		x.raw(">")
		switch f.Value.Kind {
		case String:
			x.text(x.curie(f.Value.Text))
		case Null:
		default:
			x.text(f.Value.Text)
		}
	}
	x.raw("</" + name + ">")
}
