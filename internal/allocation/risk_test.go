package allocation_test

import (
	"math"
	"testing"
	"time"

	"zhanxin/internal/allocation"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/ledger"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestQuotaCutPutsPlanTargetsAtRiskWithHandWorkedNumbers: on the default dataset, a
// round of 1,000 t ionic REO between 磁材一厂 (稀土磁性材料, 600 t) and 发光二厂 (发光材料,
// 400 t) in one tier, run at 90% (900 t, pro rata: 540 t and 360 t).
//
//   - 磁性材料年产能4万吨 (CAP_MAGNET, RE-MAGNETIC): 磁材一厂 loses 60 t of 600 t (10%). Its
//     own 2016 capacity is 5,000 t, so 5,000 × 60 ÷ 600 = 500 t of capacity is at risk;
//     the city's 2016 capacity is 30,000 t, the gap 40,000 − 30,000 = 10,000 t, and the
//     cut is 500 ÷ 10,000 = 5% of it.
//   - 荧光粉 (RE-LUM): 发光二厂 loses 40 t of 400 t, but has no capacity figure: named, no share.
//   - 稀土钨 output (REW, both enterprises): 100 t of 1,000 t; 磁材一厂 has no output figure.
//   - share of GDP (SEI): not additive over enterprises.
//   - no target of another industry (新能源汽车, 钨) is listed.
func TestQuotaCutPutsPlanTargetsAtRiskWithHandWorkedNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2024, 3, 1, 9, 0, 0, 0, ledger.ChinaTime)
		var e1, e2 int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			if e1, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "磁材一厂", RegionCode: "360702", Source: "test", CreatedAt: now}); err != nil {
				return err
			}
			if e2, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "发光二厂", Source: "test", CreatedAt: now}); err != nil {
				return err
			}
			return tx.UpsertEnterpriseIndustry(ctx, store.EnterpriseIndustry{EnterpriseID: e2, IndustryCode: "RE-LUM", Source: "test"})
		}); err != nil {
			t.Fatal(err)
		}
		st := &stats.Service{DB: db, Now: time.Now}
		for _, in := range []stats.Input{
			{Indicator: "CAP_MAGNET", Region: "360700", Industry: "RE-MAGNETIC", Period: "2016", Value: "30000", Source: "test"},
			{Indicator: "CAP_MAGNET", Region: "360702", Industry: "RE-MAGNETIC", EnterpriseID: e1, Period: "2016", Value: "5000", Source: "企业年报"},
		} {
			if _, err := st.Enter(ctx, planner, in); err != nil {
				t.Fatal(err)
			}
		}
		l := ledger.New(db, func() time.Time { return now })
		reg := &auth.Principal{Username: "reg", Role: auth.Regulator}
		led, err := l.CreateLedger(ctx, reg, ledger.REOIonic, ledger.SupplyAllocation, 2024)
		if err != nil {
			t.Fatal(err)
		}
		flag := ledger.DebitsMustNotExceedCredits
		for _, a := range []ledger.NewAccount{{Code: "p.src", LedgerID: led.ID, Name: "src", Holder: ledger.Nation},
			{Code: "p.pool", LedgerID: led.ID, Name: "pool", Holder: ledger.City, RegionCode: "360700", Flags: flag},
			{Code: "p.E1", LedgerID: led.ID, Name: "e1", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: flag},
			{Code: "p.E2", LedgerID: led.ID, Name: "e2", Holder: ledger.EnterpriseHolder, EnterpriseID: e2, Flags: flag}} {
			if _, err := l.CreateAccount(ctx, reg, a); err != nil {
				t.Fatal(err)
			}
		}
		svc := allocation.New(db, func() time.Time { return now })
		r, err := svc.CreateRound(ctx, planner, allocation.NewRound{Code: "risk", Name: "风险", Ledger: "reo_ionic/supply_allocation/2024",
			PoolAccount: "p.pool", SupplyT: "1000", Tiers: []allocation.TierIn{{Tier: 1, NameZh: "同一档"}},
			Requests: []allocation.RequestIn{{EnterpriseID: e1, Account: "p.E1", Tier: 1, RequestedT: "600"},
				{EnterpriseID: e2, Account: "p.E2", Tier: 1, RequestedT: "400"}}})
		if err != nil {
			t.Fatal(err)
		}
		risk, err := svc.TargetsAtRisk(ctx, planner, r.ID, 90)
		if err != nil {
			t.Fatal(err)
		}
		if risk.Commodity != "reo_ionic" || risk.Plan != "gz-sei-2020" {
			t.Fatalf("risk %+v", risk)
		}
		got := map[string]allocation.TargetRisk{}
		var order []string
		for _, x := range risk.Targets {
			got[x.Code] = x
			order = append(order, x.Code)
		}
		if len(got) != 5 {
			t.Fatalf("targets at risk %v, want the magnet, phosphor, 稀土钨 output and revenue, and share of GDP targets", order)
		}
		near := func(what string, v *float64, want float64) {
			t.Helper()
			if v == nil || math.Abs(*v-want) > 1e-9 {
				t.Errorf("%s = %v, want %v", what, v, want)
			}
		}
		const tn = 1_000_000
		m := got["t2017-magnet"]
		if m.CutG != 60*tn || m.BaseG != 600*tn || m.SupplyLost != 0.1 || m.Reason != "" || len(m.Enterprises) != 1 || m.LatestPeriod != "2016" {
			t.Fatalf("magnet %+v", m)
		}
		near("magnet latest", m.Latest, 30000)
		near("magnet gap", m.Gap, 10000)
		near("magnet enterprise figure", m.Enterprises[0].Figure, 5000)
		near("magnet output at risk", m.OutputAtRisk, 500)
		near("magnet share of gap", m.ShareOfGap, 0.05)
		if m.Enterprises[0].Source != "企业年报" || m.Enterprises[0].Period != "2016" {
			t.Errorf("magnet figure's source %+v", m.Enterprises[0])
		}
		p := got["t2017-phosphor"]
		if p.CutG != 40*tn || p.BaseG != 400*tn || p.Reason != allocation.RiskNoFigure || p.ReasonArg != "发光二厂" || p.ShareOfGap != nil || p.OutputAtRisk != nil {
			t.Fatalf("phosphor %+v", p)
		}
		o := got["t2015-rew-output"]
		if o.CutG != 100*tn || o.BaseG != 1000*tn || o.Reason != allocation.RiskNoFigure || o.ReasonArg != "磁材一厂" || o.ShareOfGap != nil {
			t.Fatalf("稀土钨 output %+v", o)
		}
		if g := got["t2020-va-gdp"]; g.Reason != allocation.RiskNotAdditive || g.ShareOfGap != nil || g.CutG != 100*tn {
			t.Fatalf("share of GDP %+v", g)
		}
		if _, ok := got["t2017-revenue"]; !ok {
			t.Fatal("稀土钨 revenue (REW) not listed")
		}
		// As entered (100%), nothing is lost and no target is at risk.
		if risk, err := svc.TargetsAtRisk(ctx, planner, r.ID, 100); err != nil || len(risk.Targets) != 0 {
			t.Fatalf("at 100%%: %+v %v", risk.Targets, err)
		}
		// An enterprise user gets its own share and no targets.
		if risk, err := svc.TargetsAtRisk(ctx, &auth.Principal{Username: "e1", Role: auth.Enterprise, EnterpriseID: e1}, r.ID, 90); err != nil || len(risk.Targets) != 0 {
			t.Fatalf("enterprise: %+v %v", risk.Targets, err)
		}
	})
}
