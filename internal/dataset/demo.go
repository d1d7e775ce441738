package dataset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"zhanxin/internal/allocation"
	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// The demonstration year (示例数据): a synthetic 2024 of the ionic rare earth quota system
// so that a newcomer sees every resource screen working — quota granted down to three
// enterprises, monthly reports, one over-quota report, one late report, an overdue
// pass-down, rights with a state-holding warning, an applied supply allocation round, and
// a strategic reserve depot with a purchase and a release.
// Nothing in it is a fact: every enterprise, account and deposit is named 【示例】, every
// grant has source status S, and it is loaded only on request (zhanxin load --dataset
// demo), after the default dataset, never by the default load. The strategic reserve part
// is in demo_reserves.go.
//
// It is written through the same use cases as a user's work, each step its own
// transaction with the demonstration's date as the clock; loading it again finds its
// first enterprise and does nothing.

// DemoMark starts the name of everything the demonstration creates.
const DemoMark = "【示例】"

const demoSource = "示例数据（虚构，非事实）/ synthetic demonstration data, not facts"

// DemoSummary counts what the demonstration loaded.
type DemoSummary struct {
	AlreadyLoaded bool
	Grants        int
	Reports       int
	Rights        int
	Rounds        int
	ReserveOps    int
}

type demoClock struct{ t time.Time }

func (c *demoClock) now() time.Time { return c.t }

func (c *demoClock) at(day string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", day, ledger.ChinaTime)
	if err != nil {
		panic(err)
	}
	c.t = t
}

// LoadDemo loads the demonstration year. The default dataset (regions) must be there.
func LoadDemo(ctx context.Context, db *store.DB, p *auth.Principal) (DemoSummary, error) {
	var sum DemoSummary
	if err := auth.Require(p, auth.LoadDataset); err != nil {
		return sum, err
	}
	names := []string{DemoMark + "赣南稀土矿业甲公司", DemoMark + "赣南稀土矿业乙公司", DemoMark + "赣州磁材丙公司"}
	var ents [3]int64
	var missing bool
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnterpriseByName(ctx, names[0]); err == nil {
			sum.AlreadyLoaded = true
			return nil
		}
		for _, code := range []string{"360000", "360700", "360783"} {
			if _, err := tx.RegionByCode(ctx, code); errors.Is(err, store.ErrNotFound) {
				missing = true
				return nil
			}
		}
		return demoPreflight(ctx, tx)
	})
	if err != nil || sum.AlreadyLoaded {
		return sum, err
	}
	if missing {
		return sum, apperr.New(apperr.Invalid, "default_dataset_first", "quota.demo.default_first")
	}
	clk := &demoClock{}
	clk.at("2024-01-02 09:00")
	l := ledger.New(db, clk.now)
	q := &quota.Service{DB: db, Now: clk.now, Ledger: l}
	res := &resource.Service{DB: db, Now: clk.now}
	alloc := &allocation.Service{DB: db, Now: clk.now, Ledger: l}

	err = db.Write(ctx, func(tx *store.Tx) error {
		for i, n := range names {
			id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: n, RegionCode: "360783", Note: demoSource, Source: demoSource, CreatedAt: clk.now()})
			if err != nil {
				return err
			}
			ents[i] = id
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	// Two ledgers: the 2024 ionic mining quota and its supply allocation.
	mining, err := l.CreateLedger(ctx, p, ledger.REOIonic, ledger.Mining, 2024)
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	supply, err := l.CreateLedger(ctx, p, ledger.REOIonic, ledger.SupplyAllocation, 2024)
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	accts := []ledger.NewAccount{
		{Code: "demo.m24.issuance", LedgerID: mining.ID, Name: DemoMark + "国家下达", Holder: ledger.Nation},
		{Code: "demo.m24.nation", LedgerID: mining.ID, Name: DemoMark + "全国", Holder: ledger.Nation, Flags: flag},
		{Code: "demo.m24.360000", LedgerID: mining.ID, Name: DemoMark + "江西省", Holder: ledger.Province, RegionCode: "360000", Flags: flag},
		{Code: "demo.m24.360700", LedgerID: mining.ID, Name: DemoMark + "赣州市", Holder: ledger.City, RegionCode: "360700", Flags: flag},
		{Code: "demo.m24.consumed", LedgerID: mining.ID, Name: DemoMark + "已消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
		{Code: "demo.s24.source", LedgerID: supply.ID, Name: DemoMark + "本地产量", Holder: ledger.Nation},
		{Code: "demo.s24.pool", LedgerID: supply.ID, Name: DemoMark + "赣州供应池", Holder: ledger.City, RegionCode: "360700", Flags: flag},
	}
	for i, e := range ents {
		accts = append(accts,
			ledger.NewAccount{Code: fmt.Sprintf("demo.m24.E%d", i+1), LedgerID: mining.ID, Name: names[i], Holder: ledger.EnterpriseHolder, EnterpriseID: e, Flags: flag},
			ledger.NewAccount{Code: fmt.Sprintf("demo.s24.E%d", i+1), LedgerID: supply.ID, Name: names[i], Holder: ledger.EnterpriseHolder, EnterpriseID: e, Flags: flag})
	}
	for _, a := range accts {
		if _, err := l.CreateAccount(ctx, p, a); err != nil {
			return sum, fmt.Errorf("demo account %s: %w", a.Code, err)
		}
	}
	grant := func(day, from, to, amount, batch string) error {
		clk.at(day + " 10:00")
		_, err := q.Grant(ctx, p, quota.NewGrant{From: from, To: to, AmountT: amount, Batch: batch, GrantedOn: day,
			DocNo: DemoMark + "文号", Source: demoSource, SourceStatus: "S"})
		if err == nil {
			sum.Grants++
		}
		return err
	}
	// Ganzhou receives 8,000 t on 25 January and passes on only 6,000 t: its pass-down is
	// flagged overdue after 20 working days.
	for _, g := range [][5]string{
		{"2024-01-05", "demo.m24.issuance", "demo.m24.nation", "20,000", "2024-1"},
		{"2024-01-05", "demo.m24.nation", "demo.m24.360000", "10,000", "2024-1"},
		{"2024-01-25", "demo.m24.360000", "demo.m24.360700", "8,000", "2024-1"},
		{"2024-02-20", "demo.m24.360700", "demo.m24.E1", "3,000", "2024-1"},
		{"2024-02-20", "demo.m24.360700", "demo.m24.E2", "2,000", "2024-1"},
		{"2024-02-20", "demo.m24.360700", "demo.m24.E3", "1,000", "2024-1"},
	} {
		if err := grant(g[0], g[1], g[2], g[3], g[4]); err != nil {
			return sum, fmt.Errorf("demo grant %v: %w", g, err)
		}
	}
	// Over-quota reports are recorded as violations on this ledger.
	if err := q.SetReportRule(ctx, p, "reo_ionic/mining/2024", true); err != nil {
		return sum, err
	}
	report := func(day string, e int, period, amount string) error {
		clk.at(day + " 11:00")
		_, err := q.Report(ctx, p, quota.NewReport{EnterpriseID: ents[e], Commodity: "reo_ionic", Period: period, AmountT: amount,
			Note: DemoMark + demoSource})
		if err == nil {
			sum.Reports++
		}
		return err
	}
	months := []string{"2024-02", "2024-03", "2024-04", "2024-05", "2024-06"}
	for i, m := range months {
		t, _ := time.Parse("2006-01", m)
		onTime := t.AddDate(0, 1, 7).Format("2006-01-02")
		if err := report(onTime, 0, m, fmt.Sprint(420+10*i)); err != nil {
			return sum, fmt.Errorf("demo report: %w", err)
		}
		day := onTime
		if m == "2024-05" {
			day = "2024-06-14" // the late report: after 10 June
		}
		if err := report(day, 1, m, fmt.Sprint(300+5*i)); err != nil {
			return sum, fmt.Errorf("demo report: %w", err)
		}
	}
	// The over-quota report: 1,200 t against 1,000 t granted.
	if err := report("2024-04-08", 2, "2024-03", "1,200"); err != nil {
		return sum, fmt.Errorf("demo report: %w", err)
	}
	// A deposit and rights: one holder not state-controlled, warned about.
	clk.at("2024-07-01 09:00")
	if _, err := res.CreateDeposit(ctx, p, resource.NewDeposit{Code: "DEMO-LN-1", NameZh: DemoMark + "龙南离子型稀土矿区", RegionCode: "360783",
		Mineral: "ionic_re", Type: "ionic_clay", Source: demoSource, SourceStatus: "E", Note: demoSource}); err != nil {
		return sum, fmt.Errorf("demo deposit: %w", err)
	}
	for i, r := range []resource.NewRight{
		{PermitNo: "DEMO-C-0001", Kind: "mining", HolderID: ents[0], HolderStateControlled: true, DepositCode: "DEMO-LN-1", AreaKm2: "3.2",
			GrantedOn: "2019-06-01", ValidFrom: "2019-06-01", ValidTo: "2029-05-31", CapacityT: "5,000", Source: demoSource},
		{PermitNo: "DEMO-C-0002", Kind: "mining", HolderID: ents[1], HolderStateControlled: false, DepositCode: "DEMO-LN-1", AreaKm2: "1.1",
			GrantedOn: "2021-03-01", ValidFrom: "2021-03-01", ValidTo: "2026-02-28", CapacityT: "3,000", Source: demoSource},
		{PermitNo: "DEMO-T-0003", Kind: "exploration", HolderID: ents[0], HolderStateControlled: true, DepositCode: "DEMO-LN-1", AreaKm2: "12",
			GrantedOn: "2018-01-01", ValidFrom: "2018-01-01", ValidTo: "2023-12-31", Source: demoSource},
	} {
		if _, err := res.CreateRight(ctx, p, r); err != nil {
			return sum, fmt.Errorf("demo right %d: %w", i, err)
		}
		sum.Rights++
	}
	// Supply allocation: 2,000 t of local supply, magnets first.
	clk.at("2024-07-10 09:00")
	if _, err := l.CreateTransfers(ctx, p, []ledger.Transfer{{ID: ledger.NewID(clk.now()), DebitAccount: "demo.s24.source",
		CreditAccount: "demo.s24.pool", Amount: 2000 * 1_000_000, Code: ledger.CodeIssue, Ref: DemoMark + "本地供应"}}); err != nil {
		return sum, err
	}
	round, err := alloc.CreateRound(ctx, p, allocation.NewRound{Code: "DEMO-2024-1", Name: DemoMark + "2024年离子型稀土供应配置",
		Ledger: "reo_ionic/supply_allocation/2024", PoolAccount: "demo.s24.pool", SupplyT: "2,000", Note: demoSource,
		Tiers: []allocation.TierIn{{Tier: 1, NameZh: "战略性新兴产业（永磁材料）优先", NameEn: "strategic emerging industries (magnets) first"},
			{Tier: 2, NameZh: "本地深加工", NameEn: "deeper local processing"}},
		Requests: []allocation.RequestIn{
			{EnterpriseID: ents[2], Account: "demo.s24.E3", Tier: 1, RequestedT: "1,200", MinT: "500", Reason: DemoMark + "高性能钕铁硼扩产"},
			{EnterpriseID: ents[0], Account: "demo.s24.E1", Tier: 2, RequestedT: "800", MinT: "200", CapT: "700", Reason: DemoMark + "分离冶炼"},
			{EnterpriseID: ents[1], Account: "demo.s24.E2", Tier: 2, RequestedT: "600", MinT: "100", Reason: DemoMark + "分离冶炼"},
		}})
	if err != nil {
		return sum, fmt.Errorf("demo round: %w", err)
	}
	if _, err := alloc.Apply(ctx, p, round.ID); err != nil {
		return sum, fmt.Errorf("demo round: %w", err)
	}
	sum.Rounds++
	if err := demoReserves(ctx, db, p, clk, ents, &sum); err != nil {
		return sum, err
	}
	if err := loadDemoFlows(ctx, db, p, clk, ents); err != nil {
		return sum, fmt.Errorf("demo flows: %w", err)
	}
	return sum, nil
}
