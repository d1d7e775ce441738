package ledger_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every message the ledger can produce — each fail("code", …) refusal and each literal
// "ledger.err.…" or "ledger.rec.…" key in its sources — is in the catalogue, in Chinese
// and English with the same number of arguments.
func TestEveryLedgerMessageIsCatalogued(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	failRE := regexp.MustCompile(`fail\("([a-z_]+)"`)
	keyRE := regexp.MustCompile(`"(ledger\.(?:err|rec)\.[a-z_]+)"`)
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range failRE.FindAllStringSubmatch(string(b), -1) {
			keys["ledger.err."+m[1]] = true
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	if len(keys) < 60 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		if !catalog.Has(k) {
			t.Errorf("%s is not in the catalogue", k)
		}
	}
	for _, p := range catalog.Problems() {
		if strings.HasPrefix(p, "ledger.") {
			t.Error(p)
		}
	}
}
