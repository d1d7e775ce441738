package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"zhanxin/internal/epcis/epcistest"
)

// enumsFirst reorders anyOf alternatives, which must change no verdict and no reported
// problem. Every event of the 47 GS1 JSON examples is validated by the schema as published
// and as reordered, unchanged and with each member in turn broken three ways (its value
// replaced by a string that is neither a URI nor a standard term, its name replaced by an
// unnamespaced one, the member removed): the two must report exactly the same problems.
func TestEnumsFirstChangesNothing(t *testing.T) {
	plain, fast := &Validator{}, &Validator{}
	if err := plain.compile(false); err != nil {
		t.Fatal(err)
	}
	if err := fast.compile(true); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, sub := range []string{"", "*/"} {
		f, _ := filepath.Glob(filepath.Join(epcistest.Path(t, "gs1", "JSON"), sub+"*.jsonld"))
		files = append(files, f...)
	}
	cases, rejected := 0, 0
	same := func(name string, ev any) {
		cases++
		a, b := plain.ValidateEvent(ev), fast.ValidateEvent(ev)
		if len(a) > 0 {
			rejected++
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: published order %v, reordered %v", name, a, b)
		}
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var doc map[string]any
		if err := d.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		body, _ := doc["epcisBody"].(map[string]any)
		list, _ := body["eventList"].([]any)
		for i, e := range list {
			ev, ok := e.(map[string]any)
			if !ok {
				continue
			}
			name := filepath.Base(f) + "#" + string(rune('0'+i%10))
			same(name, ev)
			for k := range ev {
				mut := func(change func(m map[string]any)) map[string]any {
					m := make(map[string]any, len(ev))
					for kk, vv := range ev {
						m[kk] = vv
					}
					change(m)
					return m
				}
				same(name+" bad value of "+k, mut(func(m map[string]any) { m[k] = "not a uri or term" }))
				same(name+" renamed "+k, mut(func(m map[string]any) { m["x"+k] = m[k]; delete(m, k) }))
				same(name+" without "+k, mut(func(m map[string]any) { delete(m, k) }))
			}
		}
	}
	if cases < 1000 || rejected < cases/2 {
		t.Errorf("only %d cases, %d rejected: the comparison is too thin", cases, rejected)
	}
	t.Logf("%d events compared, %d rejected by both", cases, rejected)
}
