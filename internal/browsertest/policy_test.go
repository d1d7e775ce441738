package browsertest

import (
	"fmt"
	"strings"
	"testing"
)

// TestBrowserPolicy opens the policy pages in Chromium on the default dataset: the three
// documents (工信部规〔2013〕69号 with its 19 areas), the 15% income-tax instrument with its
// rates, an enterprise's instruments with the eligibility reason and an estimate or the
// input it lacks, and the editing form — with no console error.
func TestBrowserPolicy(t *testing.T) {
	s := Open(t)
	s.Login("admin")

	s.Open("/policy")
	var docs [][]string
	s.Eval("documents", rowsJS("documents"), &docs)
	if len(docs) != 3 {
		t.Fatalf("%d documents, want the article's 3: %q", len(docs), docs)
	}
	var miit []string
	for _, r := range docs {
		if r[1] == "工信部规〔2013〕69号" {
			miit = r
		}
	}
	if miit == nil || !strings.Contains(miit[4], "19") || miit[9] != "有效" {
		t.Errorf("工信部规〔2013〕69号 row: %q", miit)
	}
	s.Shot("policy.png", 1366)
	s.Check("/policy")

	s.Open("/policy/instruments/cit_15")
	var rates string
	s.Eval("rates", `document.querySelector('[data-testid=rates]').innerText`, &rates)
	if !strings.Contains(rates, "25%") || !strings.Contains(rates, "15%") {
		t.Errorf("rates %q", rates)
	}
	var bens [][]string
	s.Eval("beneficiaries", rowsJS("beneficiaries"), &bens)
	if len(bens) < 17 {
		t.Errorf("%d beneficiaries, want every article enterprise", len(bens))
	}
	s.Shot("policy-instrument.png", 1366)
	s.Check("/policy/instruments/cit_15")

	s.Open(fmt.Sprintf("/policy/enterprises/%d", enterpriseID(s, "章源钨业")))
	var ben [][]string
	s.Eval("benefits", rowsJS("benefits"), &ben)
	if len(ben) != 1 || ben[0][1] != "税率优惠" || ben[0][2] == "" || ben[0][4] == "" {
		t.Errorf("章源钨业's instruments: %q", ben)
	}
	s.Shot("policy-enterprise.png", 1366)
	s.Check("policy enterprise page")

	s.Open("/policy/instruments/new")
	var fields int
	s.Eval("instrument form", `document.querySelectorAll('form[data-testid=pol-inst-form] [name]').length`, &fields)
	if fields < 14 {
		t.Errorf("instrument form has %d fields", fields)
	}
	s.Check("/policy/instruments/new")
}
