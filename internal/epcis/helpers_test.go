package epcis_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/epcistest"
	"zhanxin/internal/epcis/eventhash"
	"zhanxin/internal/epcis/schema"
	"zhanxin/internal/epcis/xmltree"
)

var (
	validatorOnce sync.Once
	validator     *schema.Validator
	validatorErr  error
)

// newReader returns a reader with the real schema and the default rules.
func newReader(t testing.TB) *epcis.Reader {
	t.Helper()
	validatorOnce.Do(func() { validator, validatorErr = schema.New() })
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return epcis.NewReader(validator, epcis.Limits{}, epcis.Rules{})
}

// corpusFiles lists the files under gs1/<dir> with the given extension, sorted, as paths
// relative to gs1/<dir>.
func corpusFiles(t *testing.T, dir, ext string) []string {
	t.Helper()
	root := epcistest.Path(t, "gs1", dir)
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ext {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// problemsBySource splits a reader error's problems by source.
func problemsBySource(err error) map[epcis.Source][]epcis.Problem {
	out := map[epcis.Source][]epcis.Problem{}
	if err == nil {
		return out
	}
	e, ok := err.(*epcis.Error)
	if !ok {
		out["other"] = []epcis.Problem{{Message: err.Error()}}
		return out
	}
	for _, p := range e.Problems {
		out[p.Source] = append(out[p.Source], p)
	}
	return out
}

// segmentsJSON returns, per event, the pre-hash segments (see eventhash.Segments) of a
// JSON-LD document, computed straight from the JSON, independently of the model.
func segmentsJSON(t testing.TB, b []byte) [][]eventhash.Segment {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	evs, prefixes, err := eventhash.JSONEvents(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]eventhash.Segment
	for _, e := range evs {
		out = append(out, eventhash.Segments(eventhash.FromJSON(e, prefixes)))
	}
	return out
}

// segmentsXML is segmentsJSON for XML.
func segmentsXML(t testing.TB, b []byte) [][]eventhash.Segment {
	t.Helper()
	root, err := xmltree.Parse(bytes.NewReader(b), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]eventhash.Segment
	for _, el := range eventhash.XMLEvents(root) {
		out = append(out, eventhash.Segments(eventhash.FromXML(el)))
	}
	return out
}

func join(segs []eventhash.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// differingFields returns the sorted names of the top-level fields whose canonical
// (pre-hash) renderings differ between two events: the fields that do not mean the same.
func differingFields(a, b []eventhash.Segment) []string {
	count := map[string]int{}
	for _, s := range a {
		count[s.Field+"\x00"+s.Text]++
	}
	for _, s := range b {
		count[s.Field+"\x00"+s.Text]--
	}
	set := map[string]bool{}
	for k, n := range count {
		if n != 0 {
			set[strings.SplitN(k, "\x00", 2)[0]] = true
		}
	}
	out := []string{}
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
