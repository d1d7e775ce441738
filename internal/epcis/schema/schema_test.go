package schema_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"zhanxin/internal/epcis/epcistest"
	"zhanxin/internal/epcis/schema"
)

// The embedded schema must be the corpus schema, byte for byte: validation is against the
// official schema, not a copy that drifted.
func TestEmbeddedIsOfficial(t *testing.T) {
	want, err := os.ReadFile(epcistest.Path(t, "gs1", "EPCIS-JSON-Schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(schema.Source, want) {
		t.Fatal("embedded EPCIS-JSON-Schema.json differs from the conformance corpus copy")
	}
}

// Why regexp2: Go's RE2 cannot compile the schema's look-ahead patterns.
func TestNeedsECMAScript(t *testing.T) {
	const p = `^(?!(urn:epcglobal:cbv|https?:\/\/ns\.gs1\.org/cbv\/))`
	if !strings.Contains(string(schema.Source), `^(?!(urn:epcglobal:cbv`) {
		t.Fatal("pattern not in the schema any more")
	}
	//lint:ignore SA1000 the point of the test is that RE2 refuses this pattern
	if _, err := regexp.Compile(p); err == nil {
		t.Fatal("Go regexp compiled a look-ahead; the dependency on regexp2 may be unnecessary")
	}
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	ev := func(bizStep string) any {
		var m any
		d := json.NewDecoder(strings.NewReader(`{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE","epcList":[],"bizStep":"` + bizStep + `"}`))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if errs := v.Validate(ev("https://example.com/step")); errs != nil {
		t.Errorf("private URI refused: %v", errs)
	}
	errs := v.Validate(ev("urn:epcglobal:cbv:bizstep:shipping"))
	if len(errs) != 1 || errs[0].Pointer != "/bizStep" || errs[0].Keyword != "anyOf" {
		t.Errorf("CBV URN in JSON: got %v", errs)
	}
}

// Every GS1 JSON example validates (the reader tests check more; this one is the schema alone).
func TestCorpusValid(t *testing.T) {
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range []string{"", "*/"} {
		files, _ := globJSON(t, dir)
		for _, f := range files {
			b, _ := os.ReadFile(f)
			d := json.NewDecoder(bytes.NewReader(b))
			d.UseNumber()
			var doc any
			if err := d.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			if errs := v.Validate(doc); errs != nil {
				t.Errorf("%s: %v", f, errs)
			}
			n++
		}
	}
	if n != 47 {
		t.Errorf("validated %d examples, want 47", n)
	}
}

// The property-name errors of jsonschema v6.0.3 carry a damaged location (see locate); the
// repaired pointer must name the right member of the right event.
func TestPropertyNamesPointer(t *testing.T) {
	v, _ := schema.New()
	var doc any
	d := json.NewDecoder(strings.NewReader(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[
	 {"type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE","epcList":[]},
	 {"type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE","epcList":[],"foo":1}]}}`))
	d.UseNumber()
	d.Decode(&doc)
	errs := v.Validate(doc)
	if len(errs) != 1 || errs[0].Pointer != "/epcisBody/eventList/1/foo" || errs[0].Keyword != "propertyNames" {
		t.Errorf("got %v", errs)
	}
}

func globJSON(t *testing.T, sub string) ([]string, error) {
	return filepath.Glob(filepath.Join(epcistest.Path(t, "gs1", "JSON"), sub+"*.jsonld"))
}

// A lazy validator compiles nothing until asked, then compiles once while many goroutines
// validate at the same moment, and every one of them gets the right answer: a good event
// passes, a bad bizStep fails (run under -race to check the once).
func TestLazyCompileConcurrent(t *testing.T) {
	v := schema.Lazy()
	if v.Compiled() {
		t.Fatal("Lazy compiled the schema before first use")
	}
	good := map[string]any{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": []any{}}
	bad := map[string]any{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": []any{}, "bizStep": "not a uri"}
	const n = 16
	errs := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e := v.ValidateEvent(good); e != nil {
				errs <- fmt.Sprintf("good event refused: %v", e)
			}
			if e := v.ValidateEvent(bad); len(e) == 0 || e[0].Pointer != "/bizStep" {
				errs <- fmt.Sprintf("bad bizStep not reported at /bizStep: %v", e)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if !v.Compiled() {
		t.Fatal("validator did not record its compilation")
	}
}

// The two sensor types the XML examples use, gs1:EffectiveDoseRate and
// gs1:Molar_concentration, are not GS1 measurement types in the conformance material: the
// official JSON schema's measurementType is its enum of 72 GS1 Web Vocabulary terms (which
// has neither) or a URI outside the GS1 Web Vocabulary (which excludes
// https://gs1.org/voc/…). Neither appears in the EPCIS ontology or the REST binding either.
// So an event using them cannot be written in the JSON binding, and the platform refuses
// them in XML as well; this test keeps that decision tied to the schema.
func TestSensorTypesOfXMLExamplesNotInSchema(t *testing.T) {
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	ev := func(typ string) any {
		return map[string]any{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "OBSERVE", "epcList": []any{},
			"sensorElementList": []any{map[string]any{"sensorReport": []any{map[string]any{"type": typ, "value": json.Number("0.005"), "uom": "P71"}}}}}
	}
	for _, ok := range []string{"AbsorbedDoseRate", "DoseEquivalentRate", "MolalityOfSolute", "https://example.com/voc/EffectiveDoseRate"} {
		if errs := v.ValidateEvent(ev(ok)); errs != nil {
			t.Errorf("%s refused: %v", ok, errs)
		}
	}
	for _, bad := range []string{"EffectiveDoseRate", "Molar_concentration", "https://gs1.org/voc/EffectiveDoseRate", "https://gs1.org/voc/Molar_concentration"} {
		errs := v.ValidateEvent(ev(bad))
		if len(errs) != 1 || errs[0].Pointer != "/sensorElementList/0/sensorReport/0/type" {
			t.Errorf("%s: %v, want one error at the sensor report's type", bad, errs)
		}
	}
}
