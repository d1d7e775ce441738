package allocation_test

import (
	"context"
	"testing"
	"time"

	"zhanxin/internal/allocation"
	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

var planner = &auth.Principal{ID: 1, Username: "pl", Role: auth.Planner}

// seed opens the 2024 ionic rare earth supply_allocation ledger with a pool holding 1,000 t
// and three enterprises with accounts.
func seed(t *testing.T, db *store.DB) (ents [3]int64) {
	t.Helper()
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, ledger.ChinaTime)
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i, n := range []string{"磁材一厂", "冶炼二厂", "贸易三公司"} {
			id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: n, Source: "test", CreatedAt: now})
			if err != nil {
				return err
			}
			ents[i] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, func() time.Time { return now })
	reg := &auth.Principal{Username: "reg", Role: auth.Regulator}
	led, err := l.CreateLedger(ctx, reg, ledger.REOIonic, ledger.SupplyAllocation, 2024)
	if err != nil {
		t.Fatal(err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	accts := []ledger.NewAccount{
		{Code: "s24.source", LedgerID: led.ID, Name: "本地产量", Holder: ledger.Nation},
		{Code: "s24.pool", LedgerID: led.ID, Name: "赣州供应池", Holder: ledger.City, RegionCode: "360700", Flags: flag},
	}
	for i, e := range ents {
		accts = append(accts, ledger.NewAccount{Code: "s24.E" + string(rune('1'+i)), LedgerID: led.ID, Name: "e", Holder: ledger.EnterpriseHolder,
			EnterpriseID: e, Flags: flag})
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.UpsertRegion(ctx, store.Region{Code: "360700", NameZh: "赣州市", Kind: "city", Source: "t"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if _, err := l.CreateAccount(ctx, reg, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.CreateTransfers(ctx, reg, []ledger.Transfer{{ID: ledger.NewID(now), DebitAccount: "s24.source", CreditAccount: "s24.pool",
		Amount: 1000 * t1, Code: ledger.CodeIssue}}); err != nil {
		t.Fatal(err)
	}
	return ents
}

func round(ents [3]int64, supply string) allocation.NewRound {
	return allocation.NewRound{Code: "2024-ionic", Name: "2024年离子型稀土供应配置", Ledger: "reo_ionic/supply_allocation/2024",
		PoolAccount: "s24.pool", SupplyT: supply,
		Tiers: []allocation.TierIn{{Tier: 1, NameZh: "战略性新兴产业（永磁材料）优先", NameEn: "strategic emerging industries first"},
			{Tier: 2, NameZh: "本地深加工", NameEn: "deeper local processing"}, {Tier: 3, NameZh: "其他", NameEn: "others"}},
		Requests: []allocation.RequestIn{
			{EnterpriseID: ents[0], Account: "s24.E1", Tier: 1, RequestedT: "600", MinT: "300"},
			{EnterpriseID: ents[1], Account: "s24.E2", Tier: 2, RequestedT: "400", MinT: "100", CapT: "350"},
			{EnterpriseID: ents[2], Account: "s24.E3", Tier: 3, RequestedT: "200"},
		}}
}

func TestRoundScenarioTouchesNothingAndApplyMakesTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ents := seed(t, db)
		svc := allocation.New(db, time.Now)
		r, err := svc.CreateRound(ctx, planner, round(ents, "1,000"))
		if err != nil {
			t.Fatal(err)
		}
		before, _ := db.LedgerTransfersAfter(ctx, 0, 1000)
		// The −10% scenario: 900 t. Guarantees 300 + 100; tier 1 gets its 600; tier 2 the
		// remaining 200 (to 300 of its capped 350); tier 3 nothing. At 1,000 t tier 2 gets
		// 350 and tier 3 50: the cut falls on the lower tiers.
		out, err := svc.Run(ctx, planner, r.ID, 90)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]int64{}
		for _, s := range out.Result.Shares {
			got[s.EnterpriseID] = s.GotG
		}
		if got[ents[0]] != 600*t1 || got[ents[1]] != 300*t1 || got[ents[2]] != 0 {
			t.Fatalf("scenario %v", got)
		}
		if out.LossG[ents[0]] != 0 || out.LossG[ents[1]] != 50*t1 || out.LossG[ents[2]] != 50*t1 {
			t.Fatalf("losses %v", out.LossG)
		}
		after, _ := db.LedgerTransfersAfter(ctx, 0, 1000)
		if len(after) != len(before) {
			t.Fatal("a scenario touched the ledger")
		}
		// An enterprise user sees its own share only.
		mine, err := svc.Run(ctx, &auth.Principal{Role: auth.Enterprise, EnterpriseID: ents[1]}, r.ID, 90)
		if err != nil || len(mine.Result.Shares) != 1 || mine.Result.Shares[0].GotG != 300*t1 {
			t.Fatalf("enterprise view %+v %v", mine.Result.Shares, err)
		}
		// Apply: three transfers out of the pool.
		v, err := svc.Apply(ctx, planner, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != "applied" || len(v.Results) != 3 {
			t.Fatalf("applied %+v", v)
		}
		l := ledger.New(db, time.Now)
		for code, want := range map[string]int64{"s24.pool": 0, "s24.E1": 600, "s24.E2": 350, "s24.E3": 50} {
			b, _ := l.Balance(ctx, planner, code)
			if b.Available() != want*t1 && !(code == "s24.pool" && b.Available() == 0) {
				t.Errorf("%s: %d g", code, b.Available())
			}
			if code != "s24.pool" && b.CreditsPosted != want*t1 {
				t.Errorf("%s credited %d g", code, b.CreditsPosted)
			}
		}
		for _, x := range v.Results {
			if len(allocation.Steps(x.Explanation)) == 0 || (x.GotG > 0) != (x.TransferID != "") {
				t.Errorf("result %+v", x)
			}
		}
		if _, err := svc.Apply(ctx, planner, r.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("applied twice: %v", err)
		}
		if err := svc.SetRules(ctx, planner, r.ID, nil, nil); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("rules of an applied round changed: %v", err)
		}
	})
}

func TestRoundBadInputAndPoolShort(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ents := seed(t, db)
		svc := allocation.New(db, time.Now)
		for _, c := range []struct {
			change func(*allocation.NewRound)
			field  string
		}{
			{func(n *allocation.NewRound) { n.Requests[0].MinT = "700" }, "requests[0].min_t"},
			{func(n *allocation.NewRound) { n.Requests[1].CapT = "50" }, "requests[1].cap_t"},
			{func(n *allocation.NewRound) { n.Requests[2].Tier = 5 }, "requests[2].tier"},
			{func(n *allocation.NewRound) { n.Requests[2].RequestedT = "-1" }, "requests[2].requested_t"},
			{func(n *allocation.NewRound) { n.Requests[2].Account = "s24.E1" }, "requests[2].account"},
			{func(n *allocation.NewRound) { n.Ledger = "reo_ionic/mining/2024" }, "ledger"},
			{func(n *allocation.NewRound) { n.SupplyT = "1.0000001" }, "supply_t"},
			{func(n *allocation.NewRound) { n.Tiers[0].NameZh = "" }, "tiers[0].name_zh"},
		} {
			n := round(ents, "1000")
			n.Requests = append([]allocation.RequestIn(nil), n.Requests...)
			n.Tiers = append([]allocation.TierIn(nil), n.Tiers...)
			c.change(&n)
			_, err := svc.CreateRound(ctx, planner, n)
			e := apperr.From(err)
			found := false
			for _, f := range e.Fields {
				found = found || f.Name == c.field
			}
			if e.Kind != apperr.Invalid || !found {
				t.Errorf("%s: %v %+v", c.field, err, e.Fields)
			}
		}
		if rs, _ := svc.Rounds(ctx, planner); len(rs) != 0 {
			t.Fatalf("%d rounds after refused input", len(rs))
		}
		if _, err := svc.CreateRound(ctx, &auth.Principal{Role: auth.Enterprise, EnterpriseID: ents[0]}, round(ents, "1")); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise created a round: %v", err)
		}
		// A supply larger than the pool holds: applying is refused with the pool's balance.
		r, err := svc.CreateRound(ctx, planner, round(ents, "5,000"))
		if err != nil {
			t.Fatal(err)
		}
		before, _ := db.LedgerTransfersAfter(ctx, 0, 1000)
		_, err = svc.Apply(ctx, planner, r.ID)
		e := apperr.From(err)
		if e.Code != "pool_short" {
			t.Fatalf("pool short: %v", err)
		}
		after, _ := db.LedgerTransfersAfter(ctx, 0, 1000)
		v, _ := svc.Round(ctx, planner, r.ID)
		if len(after) != len(before) || v.Status != "draft" || len(v.Results) != 0 {
			t.Fatal("a refused application wrote something")
		}
	})
}
