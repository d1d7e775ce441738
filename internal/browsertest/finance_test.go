package browsertest

import (
	"strings"
	"testing"
)

// TestBrowserFinance opens the finance pages in Chromium on the default dataset: the
// funds with the article's combined 41 亿元 (2013, quoted), the proposed 稀土钨产业发展基金,
// and the other finance tables rendering — with no console error.
func TestBrowserFinance(t *testing.T) {
	s := Open(t)
	s.Login("admin")

	s.Open("/finance/funds")
	var raised string
	s.Eval("raised", `document.querySelector('[data-testid=raised]').innerText`, &raised)
	for _, want := range []string{"41 亿元", "2013", "设立红石、盛虔等股权投资基金"} {
		if !strings.Contains(raised, want) {
			t.Errorf("raised figure lacks %q: %q", want, raised)
		}
	}
	var funds [][]string
	s.Eval("funds", rowsJS("funds"), &funds)
	all := ""
	for _, r := range funds {
		all += strings.Join(r, " ") + "\n"
	}
	if len(funds) != 3 || !strings.Contains(all, "红石") || !strings.Contains(all, "盛虔") || !strings.Contains(all, "稀土钨产业发展基金") {
		t.Errorf("funds: %q", funds)
	}
	s.Shot("finance-funds.png", 1366)
	s.Check("/finance/funds")

	for _, p := range []struct{ path, table string }{{"/finance/investments", "investments"}, {"/finance/financings", "financings"},
		{"/finance/listing", "listing"}} {
		s.Open(p.path)
		var n int
		s.Eval(p.table, `document.querySelectorAll('table[data-testid="`+p.table+`"]').length`, &n)
		if n != 1 {
			t.Errorf("%s: no %s table", p.path, p.table)
		}
		var exports int
		s.Eval("exports", `document.querySelectorAll('[data-testid=export-xlsx],[data-testid=export-csv]').length`, &exports)
		if exports < 2 {
			t.Errorf("%s: %d export links", p.path, exports)
		}
		s.Check(p.path)
	}
	s.Shot("finance-listing.png", 1366)
}
