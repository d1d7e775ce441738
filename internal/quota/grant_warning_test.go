package quota_test

import (
	"strings"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestGrantWarnsOfLastYearsViolationsBeforeConfirming: E2 goes 160 t over its 2024
// quota (two reports recorded as violations). A 2025 grant of 900 t to E2 is refused
// until confirmed, naming the 160 t excess, the two reports and the proposed cut of 160 t
// (900 → 740 t), and writes nothing; the warning is readable before submitting; the
// confirmed grant is recorded with the violation in its audit entry. E1, with no
// violation, is granted without a warning, as is E2 in tungsten (another commodity).
func TestGrantWarnsOfLastYearsViolationsBeforeConfirming(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t) // E2 holds 1,000 t of 2024
		f.clk.Set(day("2024-02-05 10:00"))
		if err := f.q.SetReportRule(ctx, regulator, "reo_ionic/mining/2024", true); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct{ period, t string }{{"2024-01", "1,150"}, {"2024-02", "10"}} {
			if _, err := f.q.Report(ctx, f.ent2, quota.NewReport{EnterpriseID: f.e2, Commodity: "reo_ionic", Period: r.period, AmountT: r.t}); err != nil {
				t.Fatal(err)
			}
		}
		// The 2025 ledger with the same chart.
		l25, err := f.l.CreateLedger(ctx, regulator, ledger.REOIonic, ledger.Mining, 2025)
		if err != nil {
			t.Fatal(err)
		}
		flag := ledger.DebitsMustNotExceedCredits
		for _, a := range []ledger.NewAccount{
			{Code: "ion25.issue", LedgerID: l25.ID, Name: "issuance", Holder: ledger.Nation},
			{Code: "ion25.360700", LedgerID: l25.ID, Name: "赣州", Holder: ledger.City, RegionCode: "360700", Flags: flag},
			{Code: "ion25.E1", LedgerID: l25.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.e1, Flags: flag},
			{Code: "ion25.E2", LedgerID: l25.ID, Name: "二厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.e2, Flags: flag},
		} {
			if _, err := f.l.CreateAccount(ctx, regulator, a); err != nil {
				t.Fatal(a.Code, err)
			}
		}
		f.clk.Set(day("2025-01-10 10:00"))
		f.grant(t, "ion25.issue", "ion25.360700", "5,000", "2025-1", "2025-01-05")

		w, err := f.q.GrantWarning(ctx, regulator, "ion25.E2")
		if err != nil || w == nil || w.Year != 2024 || w.NextYear != 2025 || w.Reports != 2 || w.OverG != 160*tonne || w.CutNextYearG != 160*tonne ||
			w.EnterpriseID != f.e2 || w.Commodity != "reo_ionic" {
			t.Fatalf("warning %+v %v", w, err)
		}
		if w, err := f.q.GrantWarning(ctx, regulator, "ion25.E1"); err != nil || w != nil {
			t.Fatalf("E1 warned: %+v %v", w, err)
		}
		if w, err := f.q.GrantWarning(ctx, regulator, wE1); err != nil || w != nil {
			t.Fatalf("tungsten warned: %+v %v", w, err)
		}
		if _, err := f.q.GrantWarning(ctx, f.ent2, "ion25.E2"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise reads the warning: %v", err)
		}
		_, err = f.q.GrantWarning(ctx, regulator, "ion25.E9")
		f.wantErr(t, err, apperr.Invalid, "unknown_account", "to", "ion25.E9")

		before := f.state(t)
		n := quota.NewGrant{From: "ion25.360700", To: "ion25.E2", AmountT: "900", Batch: "2025-1", GrantedOn: "2025-01-10", Source: "测试通知"}
		_, err = f.q.Grant(ctx, regulator, n)
		f.wantErr(t, err, apperr.Conflict, "grantee_violations", "confirm_violations", "160 t", "2024", "2025", "900 t", "740 t")
		if f.state(t) != before || f.available(t, "ion25.E2") != 0 {
			t.Fatal("an unconfirmed grant wrote something")
		}
		n.ConfirmViolations = true
		g, err := f.q.Grant(ctx, regulator, n)
		if err != nil || g.AmountG != 900*tonne || f.available(t, "ion25.E2") != 900*tonne {
			t.Fatalf("confirmed grant %+v %v", g, err)
		}
		a, err := db.ListAudit(ctx, store.AuditFilter{Action: "quota.grant"}, store.ListQuery{Limit: 1})
		if err != nil || len(a.Rows) != 1 || !strings.Contains(a.Rows[0].After, `"confirmed_violation"`) || !strings.Contains(a.Rows[0].After, `"over_g":160000000`) {
			t.Fatalf("audit of the confirmed grant %+v %v", a.Rows, err)
		}
		// No violation, no warning: granted at once.
		f.grant(t, "ion25.360700", "ion25.E1", "1,000", "2025-1", "2025-01-10")
	})
}
