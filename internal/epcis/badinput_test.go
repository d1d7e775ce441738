package epcis_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/epcistest"
)

// A valid one-event document to break in different ways. %s are replaced per case.
const goodDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zx": "https://zhanxin.example.cn/epcis/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-03-01T08:00:00+08:00",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2024-03-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"], "action": "OBSERVE",
     "bizStep": "shipping", "disposition": "in_transit",
     "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
     "zx:mine": "赣州-01"},
    {"type": "ObjectEvent", "eventTime": "2024-03-02T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.012345.LOT7", "quantity": 12.5, "uom": "TNE"}],
     "action": "ADD", "bizStep": "%s", "disposition": "active",
     "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"}}
  ]}}`

func doc(bizStep string) []byte { return []byte(fmt.Sprintf(goodDoc, bizStep)) }

func readErr(t *testing.T, b []byte) (*epcis.Document, *epcis.Error) {
	t.Helper()
	d, err := newReader(t).ReadJSONBytes(b)
	if err == nil {
		return d, nil
	}
	var e *epcis.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want *epcis.Error", err, err)
	}
	for _, p := range e.Problems {
		if p.Message == "" || p.Code == "" {
			t.Errorf("problem without a message or code: %+v", p)
		}
	}
	return d, e
}

func TestGoodDocument(t *testing.T) {
	d, e := readErr(t, doc("commissioning"))
	if e != nil {
		t.Fatalf("unexpected problems: %v", e.Problems)
	}
	if len(d.Events) != 2 || d.Events[1].QuantityList[0].UOM != "TNE" {
		t.Fatalf("read %+v", d.Events)
	}
	q, _ := d.Events[1].QuantityList[0].Quantity.Rat()
	if q.RatString() != "25/2" {
		t.Errorf("quantity %s, want exactly 25/2", q.RatString())
	}
	ext := d.Events[0].Extensions[0]
	if ext.Name.Clark() != "{https://zhanxin.example.cn/epcis/}mine" || ext.Value.Text != "赣州-01" {
		t.Errorf("extension %+v", ext)
	}
}

func TestMalformedJSON(t *testing.T) {
	_, e := readErr(t, []byte(`{"type": "EPCISDocument", "epcisBody": {"eventList": [}`))
	if e == nil || !e.Fatal() || e.Problems[0].Code != epcis.CodeJSONSyntax {
		t.Fatalf("want a fatal json.syntax problem, got %v", e)
	}
	if !strings.Contains(e.Problems[0].Message, "line 1, column") {
		t.Errorf("message should locate the error: %q", e.Problems[0].Message)
	}
	for _, b := range []string{``, `{"a":1} {"b":2}`, `[1,2]`, `"x"`} {
		if d, e := readErr(t, []byte(b)); d != nil || e == nil || !e.Fatal() {
			t.Errorf("%q: want a fatal problem", b)
		}
	}
}

// TestSchemaViolation: valid JSON, invalid EPCIS. Each problem names its event and the JSON
// pointer of the offending value.
func TestSchemaViolation(t *testing.T) {
	b := bytes.Replace(doc("commissioning"), []byte(`"action": "OBSERVE"`), []byte(`"action": "LOOK"`), 1)
	b = bytes.Replace(b, []byte(`"eventTime": "2024-03-02T08:00:00+08:00"`), []byte(`"eventTime": "yesterday"`), 1)
	d, e := readErr(t, b)
	if d == nil || e == nil || e.Fatal() {
		t.Fatalf("want per-event problems, got %v", e)
	}
	want := map[string]bool{
		"0 /epcisBody/eventList/0/action schema.enum":      false,
		"1 /epcisBody/eventList/1/eventTime schema.format": false,
	}
	for _, p := range e.Problems {
		k := fmt.Sprintf("%d %s %s", p.Event, p.Pointer, p.Code)
		if _, ok := want[k]; ok {
			want[k] = true
		}
		if p.Source == epcis.SourceSchema && p.Event < 0 {
			t.Errorf("schema problem not tied to an event: %s", p)
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("missing problem %s in %v", k, e.Problems)
		}
	}
}

// TestUnknownVocabulary: a bare word that is not a CBV term. JSON: the schema rejects it and
// so does the platform rule; the rule also catches the URN spelling, which the schema lets
// through as "some other URI", and XML, which has no schema here.
func TestUnknownVocabulary(t *testing.T) {
	for _, v := range []string{"shiping", "urn:epcglobal:cbv:bizstep:shiping", "https://ref.gs1.org/cbv/BizStep-shiping"} {
		_, e := readErr(t, doc(v))
		if e == nil {
			t.Fatalf("%s: accepted", v)
		}
		var rule bool
		for _, p := range e.ForEvent(1) {
			if p.Code == epcis.CodeCBVUnknown && p.Pointer == "/epcisBody/eventList/1/bizStep" && p.Value == v {
				rule = true
			}
		}
		if !rule {
			t.Errorf("%s: no rule.cbv-unknown on event 1: %v", v, e.Problems)
		}
		if len(e.ForEvent(0)) != 0 {
			t.Errorf("%s: event 0 is fine but got %v", v, e.ForEvent(0))
		}
	}
	// Private vocabularies stay allowed.
	if _, e := readErr(t, doc("https://zhanxin.example.cn/bizstep/separating")); e != nil {
		t.Errorf("a private bizStep URI was refused: %v", e.Problems)
	}
	xml := `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-03-01T08:00:00+08:00">
	<EPCISBody><EventList><ObjectEvent><eventTime>2024-03-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
	<epcList><epc>urn:epc:id:sgtin:6901234.012345.1001</epc></epcList><action>OBSERVE</action>
	<bizStep>urn:epcglobal:cbv:bizstep:shiping</bizStep><disposition>cbv:Disp-in_transitt</disposition></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	_, err := newReader(t).ReadXML(strings.NewReader(xml))
	var e *epcis.Error
	if !errors.As(err, &e) || len(e.Problems) != 2 || e.Problems[0].Code != epcis.CodeCBVUnknown || e.Problems[1].Code != epcis.CodeCBVUnknown {
		t.Errorf("XML: want two rule.cbv-unknown, got %v", err)
	}
}

// TestQuantityWithoutUnit: EPCIS allows it (an item count); the platform does not, because it
// converts every quantity to a base unit. The schema passes it, the rule refuses it.
func TestQuantityWithoutUnit(t *testing.T) {
	b := bytes.Replace(doc("commissioning"), []byte(`, "uom": "TNE"`), nil, 1)
	_, e := readErr(t, b)
	if e == nil || len(e.Problems) != 1 {
		t.Fatalf("want exactly one problem, got %v", e)
	}
	p := e.Problems[0]
	if p.Source != epcis.SourceRule || p.Code != epcis.CodeUOMMissing || p.Event != 1 ||
		p.Pointer != "/epcisBody/eventList/1/quantityList/0" || !strings.Contains(p.Message, "base unit") {
		t.Errorf("got %s", p)
	}
	b = bytes.Replace(doc("commissioning"), []byte(`"uom": "TNE"`), []byte(`"uom": "T"`), 1)
	if _, e := readErr(t, b); e == nil {
		t.Error("a one-letter unit was accepted")
	}
	// KnownUnit narrows the accepted codes to those the platform converts.
	r := epcis.NewReader(nil, epcis.Limits{}, epcis.Rules{KnownUnit: func(u string) bool { return u == "KGM" }})
	if _, err := r.ReadJSONBytes(doc("commissioning")); err == nil || !strings.Contains(err.Error(), "rule.uom-invalid") {
		t.Errorf("TNE with only KGM known: %v", err)
	}
}

// TestDeepJSON: JSON nested 10,000 deep is refused quickly and cleanly, before any recursive
// decoder, validator or tree walker sees it.
func TestDeepJSON(t *testing.T) {
	newReader(t) // compile the schema before timing
	for _, open := range []string{"[", `{"a":`} {
		var b strings.Builder
		b.WriteString(`{"type":"EPCISDocument","x":`)
		for i := 0; i < 10000; i++ {
			b.WriteString(open)
		}
		start := time.Now()
		d, e := readErr(t, []byte(b.String()))
		took := time.Since(start)
		if d != nil || e == nil || !e.Fatal() || e.Problems[0].Code != epcis.CodeTooDeep {
			t.Fatalf("want a fatal doc.too-deep, got %v", e)
		}
		// Generous: the scan takes microseconds; a shared CI machine may pause.
		if took > 500*time.Millisecond {
			t.Errorf("took %v", took)
		}
		t.Logf("%q ×10,000 refused in %v: %s", open, took, e.Problems[0].Message)
	}
	// Brackets inside strings do not count.
	s := `{"type":"EPCISDocument","x":"` + strings.Repeat("[", 10000) + `"}`
	if _, e := readErr(t, []byte(s)); e != nil && e.Problems[0].Code == epcis.CodeTooDeep {
		t.Error("brackets in a string counted as nesting")
	}
}

func TestDeepXML(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">`)
	for i := 0; i < 10000; i++ {
		b.WriteString("<a>")
	}
	start := time.Now()
	d, err := newReader(t).ReadXML(strings.NewReader(b.String()))
	var e *epcis.Error
	if d != nil || !errors.As(err, &e) || e.Problems[0].Code != epcis.CodeTooDeep {
		t.Fatalf("want doc.too-deep, got %v", err)
	}
	t.Logf("XML nested 10,000 deep refused in %v", time.Since(start))
}

func TestTooLarge(t *testing.T) {
	r := epcis.NewReader(nil, epcis.Limits{MaxBytes: 500}, epcis.Rules{})
	big := doc("commissioning")
	if len(big) <= 500 {
		t.Fatal("test document too small")
	}
	for name, read := range map[string]func() error{
		"json":       func() error { _, err := r.ReadJSON(bytes.NewReader(big)); return err },
		"json bytes": func() error { _, err := r.ReadJSONBytes(big); return err },
		"xml": func() error {
			_, err := r.ReadXML(strings.NewReader("<a>" + strings.Repeat("x", 2000) + "</a>"))
			return err
		},
	} {
		var e *epcis.Error
		if err := read(); !errors.As(err, &e) || e.Problems[0].Code != epcis.CodeTooLarge {
			t.Errorf("%s: want doc.too-large, got %v", name, err)
		}
	}
}

func TestNotEPCIS(t *testing.T) {
	_, e := readErr(t, []byte(`{"type":"Invoice","total":3}`))
	if e == nil || e.Problems[0].Code != epcis.CodeNotEPCIS {
		t.Errorf("got %v", e)
	}
	_, err := newReader(t).ReadXML(strings.NewReader(`<html><body/></html>`))
	if err == nil || !strings.Contains(err.Error(), "doc.not-epcis") {
		t.Errorf("got %v", err)
	}
	_, err = newReader(t).ReadXML(strings.NewReader(`<a><b></a>`))
	if err == nil || !strings.Contains(err.Error(), "xml.syntax") {
		t.Errorf("got %v", err)
	}
}

// TestEventTwiceSameHash: the hash ID is the idempotency key of capture. The same event sent
// twice, with its members, EPCs and quantities in another order, in another time zone
// spelling of the same instant, with the CBV URN instead of the bare term, or with a
// different eventID and recordTime, gets the same ID; a changed quantity does not.
func TestEventTwiceSameHash(t *testing.T) {
	a := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"ObjectEvent",
	  "eventTime":"2024-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE","bizStep":"shipping",
	  "epcList":["urn:epc:id:sgtin:6901234.012345.1","urn:epc:id:sgtin:6901234.012345.2"],
	  "quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.012345.A","quantity":1.5,"uom":"TNE"},{"epcClass":"urn:epc:class:lgtin:6901234.012345.B","quantity":2,"uom":"TNE"}]}`
	b := `{"type":"ObjectEvent","eventID":"urn:uuid:3f6a1a4e-0000-4000-8000-000000000001","recordTime":"2024-03-05T00:00:00Z",
	  "quantityList":[{"uom":"TNE","quantity":2.0,"epcClass":"https://id.gs1.org/01/06901234123456/10/B"},{"epcClass":"urn:epc:class:lgtin:6901234.012345.A","quantity":1.50,"uom":"TNE"}],
	  "epcList":["https://id.gs1.org/01/06901234123456/21/2","urn:epc:id:sgtin:6901234.012345.1"],
	  "bizStep":"urn:epcglobal:cbv:bizstep:shipping","action":"OBSERVE","eventTimeZoneOffset":"+08:00","eventTime":"2024-03-01T00:00:00.000Z",
	  "@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]}`
	r := epcis.NewReader(nil, epcis.Limits{}, epcis.Rules{})
	da, err := r.ReadJSONBytes([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	db, err := r.ReadJSONBytes([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if da.Events[0].HashID != db.Events[0].HashID {
		t.Errorf("same event, different hash IDs: %s %s", da.Events[0].HashID, db.Events[0].HashID)
	}
	again, _ := r.ReadJSONBytes([]byte(a))
	if again.Events[0].HashID != da.Events[0].HashID {
		t.Error("the same bytes hashed differently")
	}
	c, _ := r.ReadJSONBytes([]byte(strings.Replace(a, `"quantity":2,`, `"quantity":2.1,`, 1)))
	if c.Events[0].HashID == da.Events[0].HashID {
		t.Error("a different quantity gave the same hash ID")
	}
}

// TestSingleEventAndQueryDocument: capture takes a single event; query results come as an
// EPCISQueryDocument. Both read and write back.
func TestSingleEventAndQueryDocument(t *testing.T) {
	r := newReader(t)
	single := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"ObjectEvent",
	  "eventTime":"2024-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE","epcList":[]}`
	d, err := r.ReadJSONBytes([]byte(single))
	if err != nil || d.Type != epcis.SingleEvent || len(d.Events) != 1 {
		t.Fatalf("single event: %v %+v", err, d)
	}
	checkRoundTrip(t, r, d, []byte(single), false)

	q := readFile(t, epcistest.Path(t, "gs1", "JSON", "EPCISQueryDocument.jsonld"))
	d, err = r.ReadJSONBytes(q)
	if err != nil || d.Type != epcis.EPCISQueryDocument || d.QueryName != "SimpleEventQuery" || len(d.Events) != 2 {
		t.Fatalf("query document: %v %+v", err, d)
	}
}

// TestJSONInXMLFolder: gs1/XML/WithEventHashID/event_with_identical_hash_id_7.json writes CBV
// values as URNs, which the JSON binding forbids (the schema's vocab-other-uri pattern). It
// is read, and the schema problems are reported per value.
func TestJSONInXMLFolder(t *testing.T) {
	in := readFile(t, epcistest.Path(t, "gs1", "XML", "WithEventHashID", "event_with_identical_hash_id_7.json"))
	d, e := readErr(t, in)
	if d == nil || e == nil {
		t.Fatalf("want a read document with problems, got %v", e)
	}
	var got []string
	for _, p := range e.Problems {
		if p.Source != epcis.SourceSchema {
			t.Errorf("unexpected %s", p)
		}
		got = append(got, strings.TrimPrefix(p.Pointer, "/epcisBody/eventList/0"))
	}
	want := "/bizStep /bizTransactionList/0/type /destinationList/0/type /destinationList/1/type /destinationList/2/type /disposition /persistentDisposition/set/0 /persistentDisposition/unset/0 /sourceList/0/type /sourceList/1/type /sourceList/2/type"
	if strings.Join(got, " ") != want {
		t.Errorf("schema problems at %v, want %s", got, want)
	}
}

// TestSplitValidationEquivalent: the reader validates a document's envelope and its events
// separately (for speed and parallelism); that must find exactly what validating the whole
// document against the root schema finds.
func TestSplitValidationEquivalent(t *testing.T) {
	r := newReader(t)
	variants := map[string][]byte{
		"good":        doc("commissioning"),
		"bad action":  bytes.Replace(doc("commissioning"), []byte(`"OBSERVE"`), []byte(`"LOOK"`), 1),
		"bad time":    bytes.Replace(doc("commissioning"), []byte(`"2024-03-02T08:00:00+08:00"`), []byte(`"soon"`), 1),
		"bad vocab":   doc("shiping"),
		"urn vocab":   doc("urn:epcglobal:cbv:bizstep:shipping"),
		"extra field": bytes.Replace(doc("commissioning"), []byte(`"zx:mine"`), []byte(`"mine"`), 1),
		"no offset":   bytes.Replace(doc("commissioning"), []byte(`"eventTimeZoneOffset": "+08:00",`), nil, 1),
		"bad header":  bytes.Replace(doc("commissioning"), []byte(`"schemaVersion": "2.0"`), []byte(`"schemaVersion": "two"`), 1),
		"bad uom":     bytes.Replace(doc("commissioning"), []byte(`"TNE"`), []byte(`"tonnes"`), 1),
	}
	for _, f := range []string{"WithSensorData/SensorDataExample8.jsonld", "EPCISQueryDocument.jsonld", "WithFullCombinationOfFields/object_event_all_possible_fields.jsonld"} {
		variants[f] = readFile(t, epcistest.Path(t, "gs1", "JSON", f))
	}
	for name, b := range variants {
		_, err := r.ReadJSONBytes(b)
		var split []string
		for _, p := range problemsBySource(err)[epcis.SourceSchema] {
			split = append(split, p.Pointer+" "+p.Code)
		}
		var whole []string
		for _, e := range validator.Validate(decodeAny(t, b)) {
			whole = append(whole, e.Pointer+" schema."+e.Keyword)
		}
		sort.Strings(split)
		sort.Strings(whole)
		if strings.Join(split, "\n") != strings.Join(whole, "\n") {
			t.Errorf("%s:\nsplit:\n%s\nwhole:\n%s", name, strings.Join(split, "\n"), strings.Join(whole, "\n"))
		}
	}
}

func decodeAny(t *testing.T, b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
