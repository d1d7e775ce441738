package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/allocation"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// arSeed adds to the default dataset two enterprises (磁材一厂 in 稀土磁性材料 with its own
// 2016 capacity of 5,000 t; 发光二厂 assigned to 发光材料 with no figure), the city's 2016
// magnet capacity of 30,000 t, and a one-tier round of 1,000 t ionic REO they request
// 600 t and 400 t of. It returns the round's id.
func arSeed(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
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
	planner := &auth.Principal{Username: "seed", Role: auth.Planner}
	st := &stats.Service{DB: db, Now: time.Now}
	for _, in := range []stats.Input{
		{Indicator: "CAP_MAGNET", Region: "360700", Industry: "RE-MAGNETIC", Period: "2016", Value: "30000", Source: "test"},
		{Indicator: "CAP_MAGNET", Region: "360702", Industry: "RE-MAGNETIC", EnterpriseID: e1, Period: "2016", Value: "5000", Source: "企业年报"},
	} {
		if _, err := st.Enter(ctx, planner, in); err != nil {
			t.Fatal(err)
		}
	}
	l := ledger.New(db, time.Now)
	reg := &auth.Principal{Username: "seed", Role: auth.Regulator}
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
	r, err := allocation.New(db, time.Now).CreateRound(ctx, planner, allocation.NewRound{Code: "risk", Name: "2025年离子型稀土供应配置",
		Ledger: "reo_ionic/supply_allocation/2024", PoolAccount: "p.pool", SupplyT: "1000", Tiers: []allocation.TierIn{{Tier: 1, NameZh: "同一档"}},
		Requests: []allocation.RequestIn{{EnterpriseID: e1, Account: "p.E1", Tier: 1, RequestedT: "600"},
			{EnterpriseID: e2, Account: "p.E2", Tier: 1, RequestedT: "400"}}})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// TestRiskPageShowsTargetsWithInputsAndReasons: the −10% scenario links to the targets
// page, which shows the magnet target with 60 t cut, 10%, gap 10,000 t, 500 t at risk and
// 5.0% of the gap, the phosphor target with the reason (no figure of 发光二厂), and exports
// the same numbers; a viewer without quota rights is refused.
func TestRiskPageShowsTargetsWithInputsAndReasons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		id := arSeed(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("viewer", auth.Viewer, "", 0)
		pl := env.Login("pl")
		doc := resDoc(t, pl.Get(fmt.Sprintf("/allocation/%d?scale=90", id)), 200, "scenario")
		href, _ := doc.Find(`[data-testid="risk-link"]`).Attr("href")
		if href != fmt.Sprintf("/allocation/%d/risk?scale=90", id) {
			t.Fatalf("risk link %q", href)
		}
		doc = resDoc(t, pl.Get(href), 200, "risk page")
		m := resRow(doc, "target-risk", "t2017-magnet")
		if len(m) != 11 || m[4] != "60 t" || m[5] != "10.0%" || m[6] != "30,000 t（2016）" || m[7] != "10,000 t" || m[8] != "500 t" || m[9] != "5.0%" {
			t.Fatalf("magnet row %q", m)
		}
		if !strings.Contains(m[10], "磁材一厂 2016 年 5,000 t × 减少 60 t ÷ 原 600 t = 500 t（来源：企业年报）") {
			t.Errorf("magnet reasoning %q", m[10])
		}
		p := resRow(doc, "target-risk", "t2017-phosphor")
		if len(p) != 11 || p[4] != "40 t" || p[8] != "—" || p[9] != "—" || !strings.Contains(p[10], admZh(env, "allocrisk.reason.no_enterprise_figure", "发光二厂", "CAP_PHOSPHOR")) {
			t.Fatalf("phosphor row %q", p)
		}
		if len(resRow(doc, "target-risk", "t2015-nev-vehicles")) != 0 {
			t.Error("a 新能源汽车 target is listed")
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, b := expGet(t, pl, href+"&format="+format, false)
			recs := swExportRows(t, format, resp, b)
			found := false
			for _, rec := range recs {
				if rec[0] == "t2017-magnet" {
					found = rec[4] == "60" && rec[7] == "10000" && rec[8] == "500" && rec[9] == "5"
					if !found {
						t.Errorf("%s magnet export %q", format, rec)
					}
				}
			}
			if !found || len(recs) != 6 {
				t.Fatalf("%s export %d rows", format, len(recs))
			}
		}
		resDoc(t, env.Login("viewer").Get(href), http.StatusForbidden, "viewer")
	})
}
