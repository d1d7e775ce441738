package gen

import (
	"bytes"
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"

	"zhanxin/internal/enterprise"
)

// TestDeterministicAndSynthetic: the same configuration gives the same bytes; every code
// is one that cannot be taken for a real GB/T 2260 region code or a real USCC, while the
// USCCs still pass the check-character rule; slices of the fact file add up to the whole.
func TestDeterministicAndSynthetic(t *testing.T) {
	cfg := Small()
	a, b := cfg.Reference(), cfg.Reference()
	var fa, fb bytes.Buffer
	na, err := a.WriteFacts(&fa, Slice{})
	if err != nil {
		t.Fatal(err)
	}
	b.WriteFacts(&fb, Slice{})
	if sha256.Sum256(fa.Bytes()) != sha256.Sum256(fb.Bytes()) || na != cfg.Rows() {
		t.Fatalf("two runs differ, or %d rows written for %d expected", na, cfg.Rows())
	}
	if len(a.Regions) != cfg.Regions || len(a.Industries) != cfg.Industries || len(a.Enterprises) != cfg.Enterprises {
		t.Fatalf("sizes: %d regions, %d industries, %d enterprises", len(a.Regions), len(a.Industries), len(a.Enterprises))
	}
	realRegion := regexp.MustCompile(`^\d{6}$`)
	for _, g := range a.Regions {
		if realRegion.MatchString(g.Code) || !strings.HasPrefix(g.Code, "Z") || !strings.Contains(g.NameZh, "合成") {
			t.Fatalf("region %+v looks real", g)
		}
	}
	for _, e := range a.Enterprises {
		if err := enterprise.ValidateUSCC(e.USCC); err != nil || e.USCC[0] != 'X' || e.USCC[2:8] != "000000" {
			t.Fatalf("USCC %s: %v", e.USCC, err)
		}
	}
	// Slices by enterprise and by month partition the rows.
	var parts int64
	for _, s := range []Slice{{ToEnterprise: 10, ToMonth: 5}, {ToEnterprise: 10, FromMonth: 5}, {FromEnterprise: 10}} {
		var buf bytes.Buffer
		n, err := a.WriteFacts(&buf, s)
		if err != nil {
			t.Fatal(err)
		}
		parts += n
	}
	if parts != na {
		t.Fatalf("slices give %d rows, the whole %d", parts, na)
	}
	// SYN02 (part) never exceeds SYN01 (whole) for the same enterprise and month.
	for e := 0; e < cfg.Enterprises; e++ {
		for m := 0; m < cfg.Months; m++ {
			if w, p := a.value(e, 0, m, 7), a.value(e, 1, m, 7); p > w {
				t.Fatalf("part %d above whole %d", p, w)
			}
		}
	}
}

// TestNationalScale: the national configuration has issue 3's sizes.
func TestNationalScale(t *testing.T) {
	ds := National().Reference()
	if len(ds.Regions) != 3000 || len(ds.Industries) != 200 || len(ds.Enterprises) != 200_000 || len(ds.Indicators) != 10 ||
		National().Rows() != 200_000*10*120 {
		t.Fatalf("national: %d regions, %d industries, %d enterprises, %d indicators, %d rows", len(ds.Regions), len(ds.Industries),
			len(ds.Enterprises), len(ds.Indicators), National().Rows())
	}
}
