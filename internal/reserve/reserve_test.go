package reserve_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/ledger/ledgertest"
	"zhanxin/internal/reserve"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) at(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ledger.ChinaTime)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var (
	regulator = &auth.Principal{ID: 1, Username: "reg", Role: auth.Regulator}
	planner   = &auth.Principal{ID: 4, Username: "plan", Role: auth.Planner}
)

const tonne = int64(1_000_000)

type fixture struct {
	db     *store.DB
	clk    *clock
	s      *reserve.Service
	cat    *i18n.Catalog
	e1, e2 int64
	ent1   *auth.Principal
	ent2   *auth.Principal
	wh     store.ReserveDepot // physical, run by e1
	ground store.ReserveDepot // in-ground, on deposit LN-1 (remaining 800 t)
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := &clock{}
	c.at("2024-03-01 09:00")
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clk: c, s: reserve.New(db, c.Now), cat: cat}
	if f.e1, f.e2, err = ledgertest.SeedEnterprises(ctx, db, c.Now()); err != nil {
		t.Fatal(err)
	}
	f.ent1 = &auth.Principal{ID: 2, Username: "e1", Role: auth.Enterprise, EnterpriseID: f.e1}
	f.ent2 = &auth.Principal{ID: 3, Username: "e2", Role: auth.Enterprise, EnterpriseID: f.e2}
	err = db.Write(ctx, func(tx *store.Tx) error {
		full := int64(1_000_000)
		for _, p := range []store.Product{
			{Code: "ionic_re", NameZh: "离子型稀土", NameEn: "ionic RE", Kind: "mineral", Commodity: "reo_ionic", UnitZh: "t REO", UnitEn: "t REO", OxidePPM: &full},
			{Code: "ox_dy2o3", NameZh: "氧化镝", NameEn: "dysprosium oxide", Kind: "product", UnitZh: "吨 Dy2O3", UnitEn: "t Dy2O3"},
			{Code: "ox_tb4o7", NameZh: "氧化铽", NameEn: "terbium oxide", Kind: "product", UnitZh: "吨 Tb4O7", UnitEn: "t Tb4O7"},
		} {
			if err := tx.UpsertProduct(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res := &resource.Service{DB: db, Now: c.Now}
	if _, err := res.CreateDeposit(ctx, regulator, resource.NewDeposit{Code: "LN-1", NameZh: "龙南矿区", RegionCode: "360700", Mineral: "ionic_re",
		Type: "ionic_clay", RemainingT: "800", Source: "勘查报告", SourceStatus: "E"}); err != nil {
		t.Fatal(err)
	}
	if f.wh, err = f.s.CreateDepot(ctx, regulator, reserve.NewDepot{Code: "GZ-W1", NameZh: "赣州实物储备库", Kind: reserve.Physical,
		RegionCode: "360700", OperatorID: f.e1, Source: "批复"}); err != nil {
		t.Fatal(err)
	}
	if f.ground, err = f.s.CreateDepot(ctx, regulator, reserve.NewDepot{Code: "LN-G1", NameZh: "龙南储备矿区", Kind: reserve.InGround,
		DepositCode: "LN-1", Source: "批复"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) op(t *testing.T, n reserve.NewOp) store.ReserveOp {
	t.Helper()
	if n.Date == "" {
		n.Date = f.clk.Now().In(ledger.ChinaTime).Format("2006-01-02")
	}
	if n.DocNo == "" {
		n.DocNo = "赣储〔2024〕1号"
	}
	if n.Reason == "" {
		n.Reason = "测试"
	}
	o, err := f.s.Operate(ctx, regulator, n)
	if err != nil {
		t.Fatalf("%s %s: %v", n.Kind, n.AmountT, err)
	}
	return o
}

func (f *fixture) balance(t *testing.T, depot int64, product string) int64 {
	t.Helper()
	st, err := f.db.ReserveStock(ctx, depot, product)
	if err != nil {
		t.Fatal(err)
	}
	return st.Balance()
}

// state is what "nothing was written" compares: operations, stock cards, shares, ledger
// accounts and transfers, and the audit trail.
func (f *fixture) state(t *testing.T) [6]int {
	t.Helper()
	var out [6]int
	for _, d := range []int64{f.wh.ID, f.ground.ID} {
		ops, err := f.db.ReserveOps(ctx, d, "")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.db.ReserveStocks(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		sh, err := f.db.ReserveShares(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		out[0] += len(ops)
		out[1] += len(st)
		out[2] += len(sh)
	}
	ac, err := f.db.ListLedgerAccounts(ctx, store.LedgerAccountFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := f.db.LedgerTransfersAfter(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	au, err := f.db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	out[3], out[4], out[5] = ac.Total, len(tr), au.Total
	return out
}

// wantErr checks err's kind, code and field, and that its message names each of want in
// both languages.
func (f *fixture) wantErr(t *testing.T, err error, kind apperr.Kind, code, field string, want ...string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("got kind %v code %s, want %v %s (%v)", e.Kind, e.Code, kind, code, err)
	}
	if field != "" {
		found := false
		for _, fe := range e.Fields {
			found = found || fe.Name == field
		}
		if !found {
			t.Fatalf("%s: no field %s in %+v", code, field, e.Fields)
		}
	}
	zh, en := f.cat.T(i18n.Zh, e.Key, e.Args...), f.cat.T(i18n.En, e.Key, e.Args...)
	for _, fe := range e.Fields {
		zh += " | " + f.cat.T(i18n.Zh, fe.Key, fe.Args...)
		en += " | " + f.cat.T(i18n.En, fe.Key, fe.Args...)
	}
	if zh == en || strings.Contains(zh, "%!") || strings.Contains(en, "%!") || strings.Contains(zh, "[reserve.") {
		t.Fatalf("%s: messages not localised: %q / %q", code, zh, en)
	}
	for _, w := range want {
		if !strings.Contains(zh, w) || !strings.Contains(en, w) {
			t.Fatalf("%s: %q missing from %q / %q", code, w, zh, en)
		}
	}
}

// Purchase, rotation and release move stock through the product's reserve ledger; the
// stock card's statement has the opening balance, each movement with the balance after
// it, and the closing balance at any date; the ledger reconciles with the reserve ledger
// in it.
func TestOperationsKeepTheStockCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.clk.at("2024-03-05 10:00")
		f.op(t, reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Purchase, Product: "ox_dy2o3", EnterpriseID: f.e2, AmountT: "120"})
		f.clk.at("2024-06-10 10:00")
		f.op(t, reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Rotation, Product: "ox_dy2o3", EnterpriseID: f.e2, AmountT: "50", InT: "50.5"})
		f.clk.at("2024-09-01 10:00")
		rel := f.op(t, reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Release, Product: "ox_dy2o3", EnterpriseID: f.e1, AmountT: "30.25"})
		if got, want := f.balance(t, f.wh.ID, "ox_dy2o3"), (120+0.5-30.25)*1e6; got != int64(want) {
			t.Fatalf("stock %d g, want %d", got, int64(want))
		}
		if rel.OutG != 30_250_000 || rel.InG != 0 || strings.Count(rel.TransferIDs, ",") != 0 {
			t.Errorf("release record %+v", rel)
		}
		from, _ := time.ParseInLocation("2006-01-02", "2024-06-01", ledger.ChinaTime)
		to, _ := ledger.EndOfDay("2024-06-30")
		card, err := f.s.StockCard(ctx, planner, f.wh.ID, "ox_dy2o3", from, to)
		if err != nil {
			t.Fatal(err)
		}
		st := card.Statement
		if st.Opening.CreditsPosted != 120*tonne || st.Opening.DebitsPosted != 0 {
			t.Errorf("opening %+v", st.Opening)
		}
		if len(st.Lines) != 2 || st.Lines[0].Side != "debit" || st.Lines[0].Amount != 50*tonne || st.Lines[1].Side != "credit" ||
			st.Lines[1].Amount != 50_500_000 || st.Lines[0].Code != ledger.CodeRotate {
			t.Fatalf("rotation lines %+v", st.Lines)
		}
		if b := st.Closing.CreditsPosted - st.Closing.DebitsPosted; b != 120_500_000 {
			t.Errorf("closing at 30 June %d g, want 120.5 t", b)
		}
		if len(card.Ops) != 3 {
			t.Errorf("ops %d", len(card.Ops))
		}
		rep, err := ledger.New(db, f.clk.Now).Reconcile(ctx, regulator)
		if err != nil || !rep.OK() {
			t.Fatalf("reconcile %+v %v", rep, err)
		}
		found := false
		for _, l := range rep.Ledgers {
			if l.Ledger.Kind == ledger.Reserve && l.Ledger.Commodity == "ox_dy2o3" && l.Ledger.Year == 2024 {
				found = l.Transfers == 4 && l.DebitsPosted == l.CreditsPosted
			}
		}
		if !found {
			t.Errorf("reserve ledger not reconciled: %+v", rep.Ledgers)
		}
	})
}

// In-ground reservation sets a deposit's tonnage aside up to its remaining reserves, and
// its release frees it again.
func TestInGroundReservation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.op(t, reserve.NewOp{DepotID: f.ground.ID, Kind: reserve.InGroundReserve, Product: "ionic_re", AmountT: "500"})
		before := f.state(t)
		_, err := f.s.Operate(ctx, regulator, reserve.NewOp{DepotID: f.ground.ID, Kind: reserve.InGroundReserve, Product: "ionic_re",
			AmountT: "300.5", Date: "2024-03-01", DocNo: "x", Reason: "y"})
		f.wantErr(t, err, apperr.Invalid, "over_remaining", "amount_t", "LN-1", "800 t", "500 t", "300.5 t")
		if f.state(t) != before {
			t.Fatal("a refused reservation wrote something")
		}
		f.op(t, reserve.NewOp{DepotID: f.ground.ID, Kind: reserve.InGroundRelease, Product: "ionic_re", AmountT: "200"})
		f.op(t, reserve.NewOp{DepotID: f.ground.ID, Kind: reserve.InGroundReserve, Product: "ionic_re", AmountT: "500"})
		if got := f.balance(t, f.ground.ID, "ionic_re"); got != 800*tonne {
			t.Fatalf("reserved %d g, want 800 t", got)
		}
	})
}

// Partner shares: each partner's holding is its share of the depot's ledger balance.
func TestPartnerHoldings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.op(t, reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Purchase, Product: "ox_tb4o7", EnterpriseID: f.e1, AmountT: "10"})
		if err := f.s.SetShares(ctx, regulator, f.wh.ID, []reserve.ShareIn{{RegionCode: "360000", Percent: "30"},
			{EnterpriseID: f.e2, Percent: "12.5"}}); err != nil {
			t.Fatal(err)
		}
		d, err := f.s.Depot(ctx, f.ent2, f.wh.ID) // e2 sees the depot as a partner
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, h := range d.Holdings {
			got[h.Partner] = h.HoldingG
		}
		if got["R:360000"] != 3*tonne || got["E:"+itoa(f.e2)] != 1_250_000 || d.OwnPPM != 575_000 {
			t.Fatalf("holdings %v own %d", got, d.OwnPPM)
		}
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// Enterprise users see the depots they operate or hold a share of, and nothing else:
// another depot's id answers exactly like a missing one.
func TestEnterpriseScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.op(t, reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Purchase, Product: "ox_dy2o3", EnterpriseID: f.e2, AmountT: "1"})
		ds, err := f.s.Depots(ctx, f.ent1)
		if err != nil || len(ds) != 1 || ds[0].ID != f.wh.ID {
			t.Fatalf("operator sees %+v %v", ds, err)
		}
		if ds, err := f.s.Depots(ctx, f.ent2); err != nil || len(ds) != 0 {
			t.Fatalf("outsider sees %+v %v", ds, err)
		}
		_, errOther := f.s.Depot(ctx, f.ent2, f.wh.ID)
		_, errMissing := f.s.Depot(ctx, f.ent2, 999_999)
		f.wantErr(t, errOther, apperr.NotFound, "unknown_depot", "")
		f.wantErr(t, errMissing, apperr.NotFound, "unknown_depot", "")
		if apperr.From(errOther).Key != apperr.From(errMissing).Key {
			t.Error("another's depot and a missing one answer differently")
		}
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, ledger.ChinaTime)
		if _, err := f.s.StockCard(ctx, f.ent2, f.wh.ID, "ox_dy2o3", from, from.AddDate(1, 0, 0)); apperr.From(err).Kind != apperr.NotFound {
			t.Errorf("outsider's stock card: %v", err)
		}
		card, err := f.s.StockCard(ctx, f.ent1, f.wh.ID, "ox_dy2o3", from, from.AddDate(1, 0, 0))
		if err != nil {
			t.Fatalf("operator's stock card: %v", err)
		}
		// The operator does not learn which other enterprise sold the stock.
		if len(card.Ops) != 1 || card.Ops[0].EnterpriseID != 0 || card.Ops[0].EnterpriseName != "" ||
			len(card.Statement.Lines) != 1 || card.Statement.Lines[0].Counterparty != "—" {
			t.Errorf("operator sees the seller: %+v %+v", card.Ops, card.Statement.Lines)
		}
		if card, err := f.s.StockCard(ctx, regulator, f.wh.ID, "ox_dy2o3", from, from.AddDate(1, 0, 0)); err != nil || card.Ops[0].EnterpriseID != f.e2 {
			t.Errorf("regulator's stock card: %+v %v", card.Ops, err)
		}
		if ds, err := f.s.Depots(ctx, planner); err != nil || len(ds) != 2 {
			t.Errorf("planner sees %d depots, %v", len(ds), err)
		}
	})
}

// Bad input: a clear error in both languages, and nothing written.
func TestBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.op(t, reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Purchase, Product: "ox_dy2o3", EnterpriseID: f.e2, AmountT: "100"})
		good := func() reserve.NewOp {
			return reserve.NewOp{DepotID: f.wh.ID, Kind: reserve.Release, Product: "ox_dy2o3", EnterpriseID: f.e1, AmountT: "10",
				Date: "2024-03-02", DocNo: "单1", Reason: "测试"}
		}
		before := f.state(t)
		for _, c := range []struct {
			name  string
			p     *auth.Principal
			edit  func(*reserve.NewOp)
			kind  apperr.Kind
			code  string
			field string
			want  []string
		}{
			{"release more than the stock", regulator, func(n *reserve.NewOp) { n.AmountT = "100.000001" }, apperr.Invalid, "insufficient_stock", "amount_t",
				[]string{"GZ-W1", "100 t", "100.000001 t"}},
			{"rotation whose out leg overdraws", regulator, func(n *reserve.NewOp) { n.Kind, n.AmountT, n.InT = reserve.Rotation, "150", "200" },
				apperr.Invalid, "insufficient_stock", "amount_t", []string{"100 t", "150 t"}},
			{"unknown product", regulator, func(n *reserve.NewOp) { n.Product = "unobtainium" }, apperr.Invalid, "unknown_product", "product", []string{"unobtainium"}},
			{"wrong depot kind", regulator, func(n *reserve.NewOp) { n.DepotID, n.Kind = f.ground.ID, reserve.Purchase },
				apperr.Invalid, "wrong_depot_kind", "kind", []string{"LN-G1", "in_ground"}},
			{"in-ground op on a physical depot", regulator, func(n *reserve.NewOp) { n.Kind, n.EnterpriseID, n.Product = reserve.InGroundReserve, 0, "ionic_re" },
				apperr.Invalid, "wrong_depot_kind", "kind", []string{"GZ-W1"}},
			{"negative amount", regulator, func(n *reserve.NewOp) { n.AmountT = "-5" }, apperr.Invalid, "bad_operation", "amount_t", []string{"-5"}},
			{"fractional gram", regulator, func(n *reserve.NewOp) { n.AmountT = "1.0000005" }, apperr.Invalid, "bad_operation", "amount_t", []string{"1.0000005"}},
			{"zero", regulator, func(n *reserve.NewOp) { n.AmountT = "0" }, apperr.Invalid, "bad_operation", "amount_t", nil},
			{"rotation with a bad in leg", regulator, func(n *reserve.NewOp) { n.Kind, n.InT = reserve.Rotation, "-1" }, apperr.Invalid, "bad_operation", "in_t", []string{"-1"}},
			{"enterprise user operating a depot", f.ent1, func(n *reserve.NewOp) {}, apperr.Forbidden, "forbidden", "", nil},
			{"planner operating a depot", planner, func(n *reserve.NewOp) {}, apperr.Forbidden, "forbidden", "", nil},
			{"unknown depot", regulator, func(n *reserve.NewOp) { n.DepotID = 424242 }, apperr.NotFound, "unknown_depot", "", nil},
			{"unknown enterprise", regulator, func(n *reserve.NewOp) { n.EnterpriseID = 424242 }, apperr.Invalid, "unknown_enterprise", "enterprise_id", []string{"424242"}},
			{"no document", regulator, func(n *reserve.NewOp) { n.DocNo = " " }, apperr.Invalid, "bad_operation", "doc_no", nil},
			{"bad date", regulator, func(n *reserve.NewOp) { n.Date = "2024-02-30" }, apperr.Invalid, "bad_operation", "date", []string{"2024-02-30"}},
			{"unknown operation", regulator, func(n *reserve.NewOp) { n.Kind = "steal" }, apperr.Invalid, "bad_operation", "kind", []string{"steal"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				n := good()
				c.edit(&n)
				_, err := f.s.Operate(ctx, c.p, n)
				if c.kind == apperr.Forbidden {
					if apperr.From(err).Kind != apperr.Forbidden {
						t.Fatalf("want forbidden, got %v", err)
					}
				} else {
					f.wantErr(t, err, c.kind, c.code, c.field, c.want...)
				}
				if got := f.state(t); got != before {
					t.Fatalf("state %v → %v", before, got)
				}
			})
		}
		if got := f.balance(t, f.wh.ID, "ox_dy2o3"); got != 100*tonne {
			t.Fatalf("stock moved: %d", got)
		}
		// Shares over 100%, and other bad shares.
		for _, c := range []struct {
			name  string
			in    []reserve.ShareIn
			field string
			want  string
		}{
			{"over 100%", []reserve.ShareIn{{RegionCode: "360000", Percent: "60"}, {EnterpriseID: f.e2, Percent: "40.01"}}, "shares", "100.01%"},
			{"both partners", []reserve.ShareIn{{RegionCode: "360000", EnterpriseID: f.e2, Percent: "10"}}, "shares[0].partner", ""},
			{"bad percent", []reserve.ShareIn{{RegionCode: "360000", Percent: "-3"}}, "shares[0].percent", "-3"},
			{"twice", []reserve.ShareIn{{RegionCode: "360000", Percent: "3"}, {RegionCode: "360000", Percent: "4"}}, "shares[1].partner", "R:360000"},
		} {
			err := f.s.SetShares(ctx, regulator, f.wh.ID, c.in)
			var want []string
			if c.want != "" {
				want = []string{c.want}
			}
			f.wantErr(t, err, apperr.Invalid, "bad_shares", c.field, want...)
			if got := f.state(t); got != before {
				t.Fatalf("%s: state %v → %v", c.name, before, got)
			}
		}
		err := f.s.SetShares(ctx, regulator, f.wh.ID, []reserve.ShareIn{{RegionCode: "999999", Percent: "3"}})
		f.wantErr(t, err, apperr.Invalid, "unknown_region", "shares[0].region_code", "999999")
		if err := f.s.SetShares(ctx, f.ent1, f.wh.ID, nil); apperr.From(err).Kind != apperr.Forbidden {
			t.Errorf("enterprise set shares: %v", err)
		}
		if got := f.state(t); got != before {
			t.Fatalf("state %v → %v", before, got)
		}
	})
}
