package epcis_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/epcistest"
	"zhanxin/internal/epcis/eventhash"
)

// uomMissing lists, per GS1 JSON example, the quantities that have a quantity but no uom
// (found independently of this code, by a script over the raw JSON). EPCIS reads them as
// item counts; the platform rule rejects them, because it converts every quantity to a
// base unit. Nothing else in the 47 examples breaks a platform rule.
var uomMissing = map[string][]string{
	"AssociationEvent/AssociationEvent-e.jsonld":                                  {"/0/childQuantityList/0", "/0/childQuantityList/1"},
	"AssociationEvent/AssociationEvent-f.jsonld":                                  {"/0/childQuantityList/0"},
	"Example-Type-sourceOrDestination,measurement,bizTransaction.jsonld":          {"/0/childQuantityList/0"},
	"Example_9.6.3-AggregationEvent.jsonld":                                       {"/0/childQuantityList/0"},
	"Example_9.6.4-TransformationEvent.jsonld":                                    {"/0/inputQuantityList/1", "/0/inputQuantityList/2"},
	"WithDigitalLinkID/Example_9.6.3-AggregationEventWithDigitalLink.jsonld":      {"/0/childQuantityList/0"},
	"WithDigitalLinkID/Example_9.6.4-TransformationEventWithDigitalLink.jsonld":   {"/0/inputQuantityList/1", "/0/inputQuantityList/2"},
	"WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld":    {"/0/childQuantityList/0"},
	"WithFullCombinationOfFields/association_event_all_possible_fields.jsonld":    {"/0/childQuantityList/0"},
	"WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld": {"/0/inputQuantityList/1", "/0/inputQuantityList/2", "/0/outputQuantityList/1", "/0/outputQuantityList/2"},
}

// TestJSONExamples reads every GS1 JSON-LD example: the schema accepts it, the model reads it
// without a problem, the platform rules find exactly the unit-less quantities, and writing
// it back gives a document that the schema accepts and that means the same.
func TestJSONExamples(t *testing.T) {
	files := corpusFiles(t, "JSON", ".jsonld")
	if len(files) != 47 {
		t.Fatalf("found %d JSON examples, want 47", len(files))
	}
	r := newReader(t)
	var events, roundTrips int
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			in := readFile(t, epcistest.Path(t, "gs1", "JSON", f))
			doc, err := r.ReadJSONBytes(in)
			if doc == nil {
				t.Fatalf("not read: %v", err)
			}
			ps := problemsBySource(err)
			for _, src := range []epcis.Source{epcis.SourceSyntax, epcis.SourceSchema, epcis.SourceModel, "other"} {
				for _, p := range ps[src] {
					t.Errorf("unexpected %s problem: %s", src, p)
				}
			}
			var gotRules []string
			for _, p := range ps[epcis.SourceRule] {
				if p.Code != epcis.CodeUOMMissing {
					t.Errorf("unexpected rule problem: %s", p)
				}
				gotRules = append(gotRules, strings.TrimPrefix(strings.TrimPrefix(p.Pointer, "/epcisBody/eventList"), "/epcisBody/queryResults/resultsBody/eventList"))
			}
			if want := uomMissing[f]; !reflect.DeepEqual(gotRules, want) && (len(gotRules) > 0 || len(want) > 0) {
				t.Errorf("uom-missing at %v, want %v", gotRules, want)
			}
			events += len(doc.Events)

			// The hash ID the reader computed is the hash of the input.
			direct := segmentsJSON(t, in)
			for i, e := range doc.Events {
				if want := eventhash.ID(join(direct[i])); e.HashID != want {
					t.Errorf("event %d: HashID %s, want %s", i, e.HashID, want)
				}
			}
			checkRoundTrip(t, r, doc, in, false)
			roundTrips++
		})
	}
	t.Logf("%d JSON examples with %d events read; %d written back and re-read with the same meaning", len(files), events, roundTrips)
}

// checkRoundTrip writes doc as JSON-LD, reads it back, and checks that the meaning is kept:
// the output passes the schema; every event has the same pre-hash string (all hashed fields,
// after canonicalisation) and hash ID; the model read back equals the model written
// (nothing dropped or changed by the writer or the reader, including the unhashed eventID,
// recordTime and errorDeclaration); and when the input was JSON, the output has exactly the
// input's fields (the same set of key paths, prefixes expanded). schemaFails: the caller
// knows the document breaks the schema and has checked how.
func checkRoundTrip(t *testing.T, r *epcis.Reader, doc *epcis.Document, in []byte, schemaFails bool) {
	t.Helper()
	var out bytes.Buffer
	if err := epcis.WriteJSON(&out, doc); err != nil {
		t.Fatal(err)
	}
	doc2, err := r.ReadJSONBytes(out.Bytes())
	if doc2 == nil {
		t.Fatalf("output not read back: %v\n%s", err, out.String())
	}
	if !schemaFails {
		for _, p := range problemsBySource(err)[epcis.SourceSchema] {
			t.Errorf("output breaks the schema: %s", p)
		}
	}
	if len(doc2.Events) != len(doc.Events) {
		t.Fatalf("%d events written, %d read back", len(doc.Events), len(doc2.Events))
	}
	outSegs := segmentsJSON(t, out.Bytes())
	for i := range doc.Events {
		if doc.Events[i].HashID != doc2.Events[i].HashID {
			t.Errorf("event %d: hash %s after round trip, was %s; output pre-hash %s", i,
				doc2.Events[i].HashID, doc.Events[i].HashID, join(outSegs[i]))
		}
	}
	for i := range doc.Events {
		a, b := *doc.Events[i], *doc2.Events[i]
		a.Namespaces, b.Namespaces = nil, nil // prefixes may be renamed; names are compared by IRI
		clearPrefixes(&a)
		clearPrefixes(&b)
		normaliseVocab(&a)
		normaliseVocab(&b)
		// Compared as encoding/json renders the structs: time.Time values then compare by
		// instant and offset, not by *time.Location pointer.
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("event %d: model changed by the round trip:\n was %s\n now %s", i, ja, jb)
		}
	}
	if in != nil {
		pin, pout := keyPaths(t, in), keyPaths(t, out.Bytes())
		if d := setDiff(pin, pout); len(d) > 0 {
			t.Errorf("fields lost in the round trip: %v", d)
		}
		if d := setDiff(pout, pin); len(d) > 0 {
			t.Errorf("fields added by the round trip: %v", d)
		}
	}
}

// normaliseVocab rewrites standard values to their bare CBV terms, as the writer does: the
// spelling changes, the meaning (and the hash) does not.
func normaliseVocab(e *epcis.Event) { epcis.ShortenVocabulary(e) }

func clearPrefixes(e *epcis.Event) {
	epcis.WalkFields(e, func(f *epcis.Field) { f.Name.Prefix = "" })
}

// keyPaths returns the set of member paths of a JSON document, without array indices, with
// prefixed keys expanded to {IRI}local by the document's @context, and without @context
// itself.
func keyPaths(t *testing.T, b []byte) map[string]bool {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	prefixes := eventhash.ContextPrefixes(doc["@context"], nil)
	set := map[string]bool{}
	var walk func(v any, path string, pf eventhash.Prefixes)
	walk = func(v any, path string, pf eventhash.Prefixes) {
		switch x := v.(type) {
		case map[string]any:
			if ctx, ok := x["@context"]; ok && path != "" {
				pf = eventhash.ContextPrefixes(ctx, pf)
			}
			for k, c := range x {
				if k == "@context" {
					continue
				}
				name := k
				if p, local, ok := strings.Cut(k, ":"); ok {
					if iri, ok := pf[p]; ok && p != "http" && p != "https" && p != "urn" {
						name = "{" + iri + "}" + local
					}
				}
				set[path+"/"+name] = true
				walk(c, path+"/"+name, pf)
			}
		case []any:
			for _, c := range x {
				walk(c, path, pf)
			}
		}
	}
	walk(doc, "", prefixes)
	return set
}

func setDiff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestMergedDocument puts every event of every GS1 JSON example into one document. The
// examples bind the same prefixes to different namespaces (example: is http://…/epcis/ in
// one and https://…/epcis/ in another) and use undeclared prefixes in values, so the writer
// must give some events their own @context. Every event must keep its hash ID and the
// document must pass the schema.
func TestMergedDocument(t *testing.T) {
	r := newReader(t)
	var all []*epcis.Event
	for _, f := range corpusFiles(t, "JSON", ".jsonld") {
		doc, _ := r.ReadJSONBytes(readFile(t, epcistest.Path(t, "gs1", "JSON", f)))
		all = append(all, doc.Events...)
	}
	merged := &epcis.Document{Type: epcis.EPCISDocument, SchemaVersion: "2.0", CreationDate: all[0].EventTime, Events: all}
	var out bytes.Buffer
	if err := epcis.WriteJSON(&out, merged); err != nil {
		t.Fatal(err)
	}
	back, err := r.ReadJSONBytes(out.Bytes())
	for _, p := range problemsBySource(err)[epcis.SourceSchema] {
		t.Errorf("merged document breaks the schema: %s", p)
	}
	own := 0
	for i := range all {
		if back.Events[i].HashID != all[i].HashID {
			t.Errorf("event %d: hash changed in the merged document", i)
		}
	}
	var raw map[string]any
	json.Unmarshal(out.Bytes(), &raw)
	for _, e := range raw["epcisBody"].(map[string]any)["eventList"].([]any) {
		if _, ok := e.(map[string]any)["@context"]; ok {
			own++
		}
	}
	if own == 0 {
		t.Error("no event needed its own @context: the test no longer covers prefix clashes")
	}
	t.Logf("%d events merged; %d carry their own @context", len(all), own)
}
