package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/flow"
)

// TestFlowPagesInTheBrowser: the demonstration year's checks as a regulator sees them —
// the anomaly list with its five findings, one anomaly with its evidence, and the year's
// mass balance — with no console error or failed request, at 1366 px.
func TestFlowPagesInTheBrowser(t *testing.T) {
	s := Open(t)
	ctx := context.Background()
	if _, err := dataset.LoadDemo(ctx, s.Env.DB, auth.CLI("test")); err != nil {
		t.Fatal(err)
	}
	rep, err := (&flow.Service{DB: s.Env.DB, Now: time.Now}).Run(ctx, auth.CLI("test"), "", "2024")
	if err != nil || len(rep.Anomalies) != 5 {
		t.Fatalf("checks: %d, %v", len(rep.Anomalies), err)
	}
	s.Login("admin")
	s.Open("/flow/anomalies")
	var rows int
	s.Eval("anomaly rows", `document.querySelectorAll('table[data-testid="anomalies"] tbody tr').length`, &rows)
	if rows != 5 {
		t.Fatalf("%d anomaly rows", rows)
	}
	s.Shot("flow-anomalies.png", 1366)
	s.Check("/flow/anomalies")
	var href string
	s.Eval("first anomaly link", `document.querySelector('table[data-testid="anomalies"] tbody tr a').getAttribute("href")`, &href)
	s.Open(href)
	var evidence []string
	s.Eval("evidence", `[...document.querySelectorAll('[data-testid="evidence"] a')].map(a => a.textContent)`, &evidence)
	if len(evidence) == 0 || !strings.HasPrefix(evidence[0], "ni:///sha-256;") {
		t.Fatalf("evidence %v", evidence)
	}
	s.Shot("flow-anomaly.png", 1366)
	s.Check(href)
	s.Open("/flow/balance?period=2024")
	var balanced []string
	s.Eval("balance results", `[...document.querySelectorAll('table[data-testid="balance"] tbody tr td:last-child')].map(td => td.textContent.trim())`, &balanced)
	if len(balanced) != 6 || strings.Join(balanced, "") != strings.Repeat("平衡", 6) {
		t.Fatalf("balance %v", balanced)
	}
	s.Shot("flow-balance.png", 1366)
	s.Check("/flow/balance")
}
