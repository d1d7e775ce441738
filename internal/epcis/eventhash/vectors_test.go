package eventhash_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zhanxin/internal/epcis/epcistest"
	"zhanxin/internal/epcis/eventhash"
	"zhanxin/internal/epcis/xmltree"
)

// lines splits an expected-output file tolerantly: one of them has no final newline (§11).
func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// prehashesJSON returns the pre-hash strings of every event of a JSON-LD document.
func prehashesJSON(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	events, prefixes, err := eventhash.JSONEvents(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range events {
		out = append(out, eventhash.PreHash(eventhash.FromJSON(ev, prefixes)))
	}
	return out
}

func prehashesXML(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root, err := xmltree.Parse(f, xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range eventhash.XMLEvents(root) {
		out = append(out, eventhash.PreHash(eventhash.FromXML(ev)))
	}
	return out
}

// TestVectors checks every input of event-hash/ against its expected hashes and pre-hash
// strings (§11): the .hashes are authoritative; the pre-hash strings come from derived/ where
// the upstream file is corrupt or missing.
func TestVectors(t *testing.T) {
	dir := epcistest.Path(t, "event-hash")
	inputs, _ := filepath.Glob(filepath.Join(dir, "*.jsonld"))
	xmls, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	inputs = append(inputs, xmls...)
	if len(inputs) != 14 {
		t.Fatalf("found %d vector inputs, want 14 (9 cases, 5 of them in both bindings)", len(inputs))
	}
	var hashes, prehashes int
	for _, in := range inputs {
		ext := filepath.Ext(in)
		name := strings.TrimSuffix(filepath.Base(in), ext)
		t.Run(name+ext, func(t *testing.T) {
			var got []string
			if ext == ".xml" {
				got = prehashesXML(t, in)
			} else {
				got = prehashesJSON(t, in)
			}
			wantHash := lines(t, filepath.Join(dir, name+".hashes"))
			if len(got) != len(wantHash) {
				t.Fatalf("%d events, want %d", len(got), len(wantHash))
			}
			phFile := filepath.Join(dir, name+".prehashes")
			if d := filepath.Join(dir, "derived", name+".prehashes"); exists(d) {
				phFile = d
			}
			wantPre := lines(t, phFile)
			for i := range got {
				if i < len(wantPre) {
					if got[i] != wantPre[i] {
						t.Errorf("event %d pre-hash:\n got %s\nwant %s", i, got[i], wantPre[i])
					} else {
						prehashes++
					}
				}
				if id := eventhash.ID(got[i]); id != wantHash[i] {
					t.Errorf("event %d hash: got %s, want %s", i, id, wantHash[i])
				} else {
					hashes++
				}
			}
			if len(wantPre) != len(got) {
				t.Errorf("%s has %d lines for %d events", filepath.Base(phFile), len(wantPre), len(got))
			}
		})
	}
	t.Logf("matched %d hashes and %d pre-hash strings over %d inputs", hashes, prehashes, len(inputs))
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// Segments, joined, must be PreHash: the twin comparisons rely on it.
func TestSegmentsJoinToPreHash(t *testing.T) {
	dir := epcistest.Path(t, "event-hash")
	inputs, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, in := range inputs {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		root, err := xmltree.Parse(f, xmltree.Limits{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range eventhash.XMLEvents(root) {
			var joined strings.Builder
			for _, s := range eventhash.Segments(eventhash.FromXML(ev)) {
				joined.WriteString(s.Text)
			}
			if want := eventhash.PreHash(eventhash.FromXML(ev)); joined.String() != want {
				t.Errorf("%s: segments join to\n%s\nwant\n%s", filepath.Base(in), joined.String(), want)
			}
		}
	}
}
