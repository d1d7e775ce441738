package quota_test

import (
	"fmt"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestProductionReportsConsumeQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t) // E1 holds 3,000 t
		f.clk.Set(day("2024-02-08 10:00"))
		r, err := f.q.Report(ctx, f.ent1, quota.NewReport{EnterpriseID: f.e1, Commodity: "reo_ionic", Period: "2024-01", AmountT: "250.5"})
		if err != nil {
			t.Fatal(err)
		}
		if r.AmountG != 250_500_000 || r.ConsumedG != r.AmountG || r.OverG != 0 || r.Late || r.DueOn != "2024-02-10" || r.Account != e1Acct {
			t.Fatalf("report %+v", r)
		}
		if got := f.available(t, e1Acct); got != 3000*tonne-250_500_000 {
			t.Fatalf("E1 has %d g left", got)
		}
		b, _ := f.l.Balance(ctx, regulator, consumed)
		if b.CreditsPosted != 250_500_000 {
			t.Fatalf("consumed sink %+v", b)
		}
		id, _ := ledger.ParseID(r.TransferID)
		x, err := db.LedgerTransferByID(ctx, id[:])
		if err != nil || x.Code != int64(ledger.CodeConsume) || x.Amount != r.AmountG {
			t.Fatalf("transfer %+v %v", x, err)
		}
		// Reported after the 10th of the following month: recorded, flagged late.
		f.clk.Set(day("2024-03-11 08:00"))
		r2, err := f.q.Report(ctx, f.ent1, quota.NewReport{EnterpriseID: f.e1, Commodity: "reo_ionic", Period: "2024-02", AmountT: "100"})
		if err != nil || !r2.Late || r2.DueOn != "2024-03-10" {
			t.Fatalf("late report %+v %v", r2, err)
		}
		// Tungsten reports quarterly, due the 10th of the month after the quarter.
		f.grant(t, wIssue, wNation, "114,000", "2024-1", "2024-01-05")
		f.grant(t, wNation, wE1, "500", "2024-1", "2024-01-06")
		rw, err := f.q.Report(ctx, f.ent1, quota.NewReport{EnterpriseID: f.e1, Commodity: "wo3_65", Period: "2024Q1", AmountT: "120"})
		if err != nil || rw.DueOn != "2024-04-10" || rw.Late || rw.LedgerKey != "wo3_65/mining/2024" {
			t.Fatalf("tungsten %+v %v", rw, err)
		}
		// Flagged list: only the late one so far.
		fl, err := f.q.Reports(ctx, regulator, true, store.ListQuery{})
		if err != nil || fl.Total != 1 || fl.Rows[0].Period != "2024-02" {
			t.Fatalf("flagged %+v %v", fl, err)
		}
		rep, err := f.l.Reconcile(ctx, regulator)
		if err != nil || !rep.OK() {
			t.Fatalf("reconcile %+v %v", rep, err)
		}
	})
}

func TestOverQuotaReportRefusedWithBalanceOrRecordedAsViolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t) // E2 holds 1,000 t
		f.clk.Set(day("2024-02-05 10:00"))
		if _, err := f.q.Report(ctx, f.ent2, quota.NewReport{EnterpriseID: f.e2, Commodity: "reo_ionic", Period: "2024-01", AmountT: "800"}); err != nil {
			t.Fatal(err)
		}
		before := f.state(t)
		_, err := f.q.Report(ctx, f.ent2, quota.NewReport{EnterpriseID: f.e2, Commodity: "reo_ionic", Period: "2024-02", AmountT: "350"})
		f.wantErr(t, err, apperr.Invalid, "exceeds_quota", "amount_t", "350 t", "200 t", e2Acct)
		if f.state(t) != before || f.available(t, e2Acct) != 200*tonne {
			t.Fatal("a refused report wrote something")
		}
		// The regulator allows over-quota reports on this ledger: the remaining 200 t is
		// consumed and the excess 150 t recorded as a violation.
		if err := f.q.SetReportRule(ctx, regulator, "reo_ionic/mining/2024", true); err != nil {
			t.Fatal(err)
		}
		if err := f.q.SetReportRule(ctx, f.ent2, "reo_ionic/mining/2024", true); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise changed the rule: %v", err)
		}
		r, err := f.q.Report(ctx, f.ent2, quota.NewReport{EnterpriseID: f.e2, Commodity: "reo_ionic", Period: "2024-02", AmountT: "350"})
		if err != nil || r.ConsumedG != 200*tonne || r.OverG != 150*tonne {
			t.Fatalf("over-quota report %+v %v", r, err)
		}
		if f.available(t, e2Acct) != 0 {
			t.Fatal("quota left after an over-quota report")
		}
		// Nothing left at all: the whole report is the violation, and no transfer is made.
		r3, err := f.q.Report(ctx, f.ent2, quota.NewReport{EnterpriseID: f.e2, Commodity: "reo_ionic", Period: "2024-03", AmountT: "10"})
		if err != nil || r3.ConsumedG != 0 || r3.OverG != 10*tonne || r3.TransferID != "" {
			t.Fatalf("report with no quota left %+v %v", r3, err)
		}
		vs, err := f.q.Violations(ctx, regulator, 2024)
		if err != nil || len(vs) != 1 || vs[0].EnterpriseID != f.e2 || vs[0].OverG != 160*tonne || vs[0].Reports != 2 {
			t.Fatalf("violations %+v %v", vs, err)
		}
		if vs[0].CutNextYearG != 160*tonne || vs[0].NextYear != 2025 {
			t.Fatalf("next year's cut %+v", vs[0])
		}
		// An enterprise sees only its own violations.
		own, err := f.q.Violations(ctx, f.ent1, 2024)
		if err != nil || len(own) != 0 {
			t.Fatalf("enterprise 1 sees %+v %v", own, err)
		}
	})
}

func TestReportBadInputAndBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t)
		f.clk.Set(day("2024-02-05 10:00"))
		if err := f.q.ClosePeriod(ctx, regulator, "reo_ionic/mining/2024", "2024-01"); err != nil {
			t.Fatal(err)
		}
		ok := quota.NewReport{EnterpriseID: f.e1, Commodity: "reo_ionic", Period: "2024-02", AmountT: "10"}
		for _, c := range []struct {
			name   string
			change func(*quota.NewReport)
			kind   apperr.Kind
			code   string
			field  string
			want   string
		}{
			{"closed period", func(n *quota.NewReport) { n.Period = "2024-01" }, apperr.Invalid, "period_closed", "period", "2024-01"},
			{"quarter for rare earth", func(n *quota.NewReport) { n.Period = "2024Q1" }, apperr.Invalid, "bad_report", "period", "2024Q1"},
			{"month for tungsten", func(n *quota.NewReport) { n.Commodity, n.Period = "wo3_65", "2024-03" }, apperr.Invalid, "bad_report", "period", "2024-03"},
			{"no rule for fluorite", func(n *quota.NewReport) { n.Commodity = "caf2" }, apperr.Invalid, "bad_report", "commodity", "caf2"},
			{"negative", func(n *quota.NewReport) { n.AmountT = "-1" }, apperr.Invalid, "bad_report", "amount_t", "-1"},
			{"fractional gram", func(n *quota.NewReport) { n.AmountT = "0.0000001" }, apperr.Invalid, "bad_report", "amount_t", "0.0000001"},
			{"no ledger that year", func(n *quota.NewReport) { n.Period = "2023-12" }, apperr.Invalid, "no_quota_ledger", "period", "2023"},
			{"another enterprise", func(n *quota.NewReport) { n.EnterpriseID = f.e2 }, apperr.Forbidden, "other_enterprise", "enterprise_id", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := f.state(t)
				n := ok
				c.change(&n)
				_, err := f.q.Report(ctx, f.ent1, n)
				var want []string
				if c.want != "" {
					want = []string{c.want}
				}
				f.wantErr(t, err, c.kind, c.code, c.field, want...)
				if f.state(t) != before {
					t.Fatal("wrote something")
				}
			})
		}
		// A second report for the same period is a conflict, not a second consumption.
		if _, err := f.q.Report(ctx, f.ent1, ok); err != nil {
			t.Fatal(err)
		}
		before := f.state(t)
		_, err := f.q.Report(ctx, f.ent1, ok)
		f.wantErr(t, err, apperr.Conflict, "report_exists", "period", "2024-02")
		if f.state(t) != before {
			t.Fatal("a duplicate report wrote something")
		}
		// Planners read but do not report; viewers do neither.
		if _, err := f.q.Report(ctx, &auth.Principal{Username: "pl", Role: auth.Planner}, ok); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a planner reported: %v", err)
		}
		if _, err := f.q.Reports(ctx, &auth.Principal{Username: "v", Role: auth.Viewer}, false, store.ListQuery{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer read reports: %v", err)
		}
	})
}

func TestEnterpriseCannotReadAnotherEnterprisesReportByGuessingIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t)
		f.clk.Set(day("2024-02-05 10:00"))
		r1, err := f.q.Report(ctx, f.ent1, quota.NewReport{EnterpriseID: f.e1, Commodity: "reo_ionic", Period: "2024-01", AmountT: "5"})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := f.q.Report(ctx, f.ent2, quota.NewReport{EnterpriseID: f.e2, Commodity: "reo_ionic", Period: "2024-01", AmountT: "7"})
		if err != nil {
			t.Fatal(err)
		}
		// Enterprise 1 walks the id space: it finds its own report and nothing else, and an
		// existing report of another enterprise answers exactly like a missing one.
		found := 0
		for id := int64(1); id <= r2.ID+5; id++ {
			r, err := f.q.ReportByID(ctx, f.ent1, id)
			switch {
			case err == nil:
				if r.EnterpriseID != f.e1 {
					t.Fatalf("enterprise 1 read report %d of enterprise %d", id, r.EnterpriseID)
				}
				found++
			case !apperr.Is(err, apperr.NotFound):
				t.Fatalf("id %d: %v", id, err)
			}
		}
		if found != 1 {
			t.Fatalf("enterprise 1 found %d reports", found)
		}
		_, errOther := f.q.ReportByID(ctx, f.ent1, r2.ID)
		_, errNone := f.q.ReportByID(ctx, f.ent1, r2.ID+1000)
		if fmt.Sprint(apperr.From(errOther).Code) != apperr.From(errNone).Code {
			t.Fatalf("another's report and a missing one differ: %v / %v", errOther, errNone)
		}
		list, err := f.q.Reports(ctx, f.ent1, false, store.ListQuery{})
		if err != nil || list.Total != 1 || list.Rows[0].ID != r1.ID {
			t.Fatalf("enterprise 1 lists %+v %v", list, err)
		}
		all, _ := f.q.Reports(ctx, regulator, false, store.ListQuery{})
		if all.Total != 2 {
			t.Fatalf("regulator lists %d", all.Total)
		}
	})
}
