package resource_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

var regulator = &auth.Principal{ID: 1, Username: "reg", Role: auth.Regulator}

type fixture struct {
	svc        *resource.Service
	db         *store.DB
	now        time.Time
	e1, e2     int64
	ent1, ent2 *auth.Principal
	cat        *i18n.Catalog
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	now := time.Date(2024, 6, 1, 10, 0, 0, 0, ledger.ChinaTime)
	f := &fixture{db: db, now: now}
	f.svc = &resource.Service{DB: db, Now: func() time.Time { return f.now }}
	var err error
	if f.cat, err = i18n.Load(); err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "t"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "360783", NameZh: "龙南市", NameEn: "Longnan", Kind: "county", ParentCode: "360700", Source: "t"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		full := int64(1000000)
		if err := tx.UpsertProduct(ctx, store.Product{Code: "ionic_re", NameZh: "离子型稀土", NameEn: "ionic RE", Kind: "mineral",
			Commodity: "reo_ionic", UnitZh: "t REO", UnitEn: "t REO", Oxide: "REO", OxidePPM: &full}); err != nil {
			return err
		}
		if f.e1, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "国有稀土矿业", Source: "test", CreatedAt: now}); err != nil {
			return err
		}
		f.e2, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "民营矿业", Source: "test", CreatedAt: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ent1 = &auth.Principal{ID: 2, Username: "e1", Role: auth.Enterprise, EnterpriseID: f.e1}
	f.ent2 = &auth.Principal{ID: 3, Username: "e2", Role: auth.Enterprise, EnterpriseID: f.e2}
	return f
}

func fieldNames(err error) []string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Name)
	}
	return out
}

func TestDepositsWithReservesAndCitedElements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		d, err := f.svc.CreateDeposit(ctx, regulator, resource.NewDeposit{Code: "LN-1", NameZh: "龙南足洞", RegionCode: "360783",
			Mineral: "ionic_re", Type: "ionic_clay", ProvenT: "12,000.5", RemainingT: "8000", Source: "测试勘查报告", SourceStatus: "E"})
		if err != nil {
			t.Fatal(err)
		}
		if *d.ProvenG != 12_000_500_000 || *d.RemainingG != 8000_000_000 || d.GradePPM != nil || d.NationalShareBP != nil {
			t.Fatalf("deposit %+v", d)
		}
		// Partial distribution from REFERENCE.md §5 (Longnan high-Y type, S2): Y2O3 64.83%.
		err = f.svc.SetElements(ctx, regulator, d.ID, []resource.Element{{Element: "Y2O3", SharePct: "64.83", Source: "S2"}})
		if err != nil {
			t.Fatal(err)
		}
		det, err := f.svc.Deposit(ctx, f.ent1, d.ID)
		if err != nil || len(det.Elements) != 1 || det.Elements[0].SharePPM != 648300 || det.RegionName != "龙南市" {
			t.Fatalf("detail %+v %v", det, err)
		}
		if resource.FormatPercent(648300) != "64.83%" || resource.FormatPercent(400000) != "40%" {
			t.Fatal("FormatPercent")
		}
		// Bad input: each named, nothing written.
		for _, c := range []struct {
			n      resource.NewDeposit
			fields []string
		}{
			{resource.NewDeposit{Code: "x y", NameZh: "", RegionCode: "360783", Mineral: "ionic_re", Type: "lode", ProvenT: "-1",
				RemainingT: "1.00000001", GradePct: "101", NationalShare: "abc", Source: "", SourceStatus: "maybe"},
				[]string{"code", "name_zh", "type", "source", "source_status", "proven_t", "remaining_t", "grade_pct", "national_share_pct"}},
			{resource.NewDeposit{Code: "A", NameZh: "a", RegionCode: "360783", Mineral: "ionic_re", Type: "rock", ProvenT: "10",
				RemainingT: "20", Source: "s", SourceStatus: "V"}, []string{"remaining_t"}},
			{resource.NewDeposit{Code: "B", NameZh: "b", RegionCode: "999999", Mineral: "ionic_re", Type: "rock", Source: "s", SourceStatus: "V"},
				[]string{"region_code"}},
			{resource.NewDeposit{Code: "C", NameZh: "c", RegionCode: "360783", Mineral: "gold", Type: "rock", Source: "s", SourceStatus: "V"},
				[]string{"mineral"}},
		} {
			_, err := f.svc.CreateDeposit(ctx, regulator, c.n)
			if got := fieldNames(err); strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Errorf("%+v: fields %v, want %v (%v)", c.n, got, c.fields, err)
			}
		}
		for _, es := range [][]resource.Element{
			{{Element: "Y2O3", SharePct: "64.83", Source: ""}},
			{{Element: "Xx2O3", SharePct: "1", Source: "s"}},
			{{Element: "Y2O3", SharePct: "70", Source: "s"}, {Element: "La2O3", SharePct: "40", Source: "s"}},
			{{Element: "Y2O3", SharePct: "10", Source: "s"}, {Element: "Y2O3", SharePct: "10", Source: "s"}},
		} {
			if err := f.svc.SetElements(ctx, regulator, d.ID, es); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%+v accepted: %v", es, err)
			}
		}
		det, _ = f.svc.Deposit(ctx, regulator, d.ID)
		if len(det.Elements) != 1 {
			t.Fatal("a refused distribution replaced the stored one")
		}
		pg, _ := f.svc.Deposits(ctx, regulator, store.ListQuery{})
		if pg.Total != 1 {
			t.Fatalf("%d deposits after refused input", pg.Total)
		}
		if _, err := f.svc.CreateDeposit(ctx, f.ent1, resource.NewDeposit{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise created a deposit: %v", err)
		}
		if _, err := f.svc.Deposits(ctx, &auth.Principal{Role: auth.Viewer}, store.ListQuery{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer read deposits: %v", err)
		}
	})
}

func TestRightsFlagsAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		if _, err := f.svc.CreateDeposit(ctx, regulator, resource.NewDeposit{Code: "LN-1", NameZh: "龙南足洞", RegionCode: "360783",
			Mineral: "ionic_re", Type: "ionic_clay", Source: "s", SourceStatus: "E"}); err != nil {
			t.Fatal(err)
		}
		base := resource.NewRight{Kind: "mining", HolderID: f.e1, HolderStateControlled: true, DepositCode: "LN-1", AreaKm2: "2.5",
			GrantedOn: "2020-01-01", ValidFrom: "2020-01-01", ValidTo: "2026-12-31", CapacityT: "1,500", Source: "采矿许可证"}
		mk := func(permit string, change func(*resource.NewRight)) resource.RightView {
			n := base
			n.PermitNo = permit
			change(&n)
			r, err := f.svc.CreateRight(ctx, regulator, n)
			if err != nil {
				t.Fatal(permit, err)
			}
			return r
		}
		held := mk("C3600002020011110000001", func(*resource.NewRight) {})
		private := mk("C3600002021011110000002", func(n *resource.NewRight) { n.HolderID, n.HolderStateControlled = f.e2, false })
		expired := mk("T3600002015011110000003", func(n *resource.NewRight) { n.Kind, n.ValidTo = "exploration", "2023-12-31" })
		if *held.AreaM2 != 2_500_000 || *held.CapacityG != 1500*1_000_000 {
			t.Fatalf("units %+v", held.Right)
		}
		// A state-held mining right with no report in 12 months is idle; the private one is
		// recorded and warned about, not refused; the expired exploration right is flagged.
		if held.Flags != (resource.Flags{Idle: true}) {
			t.Fatalf("held %+v", held.Flags)
		}
		if private.Flags != (resource.Flags{Idle: true, NotStateHeld: true}) {
			t.Fatalf("private %+v", private.Flags)
		}
		if expired.Flags != (resource.Flags{Expired: true}) {
			t.Fatalf("expired %+v", expired.Flags)
		}
		// A production report of the deposit's commodity in the last 12 months clears idle.
		l := ledger.New(db, func() time.Time { return f.now })
		led, _ := l.CreateLedger(ctx, regulator, ledger.REOIonic, ledger.Mining, 2024)
		for _, a := range []ledger.NewAccount{
			{Code: "i", LedgerID: led.ID, Name: "i", Holder: ledger.Nation},
			{Code: "e1", LedgerID: led.ID, Name: "e1", Holder: ledger.EnterpriseHolder, EnterpriseID: f.e1, Flags: ledger.DebitsMustNotExceedCredits},
			{Code: "c", LedgerID: led.ID, Name: "c", Holder: ledger.Sink, SinkKind: ledger.Consumed},
		} {
			if _, err := l.CreateAccount(ctx, regulator, a); err != nil {
				t.Fatal(err)
			}
		}
		q := quota.New(db, func() time.Time { return f.now })
		if _, err := q.Grant(ctx, regulator, quota.NewGrant{From: "i", To: "e1", AmountT: "100", Batch: "1", GrantedOn: "2024-01-02", Source: "s"}); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Report(ctx, f.ent1, quota.NewReport{EnterpriseID: f.e1, Commodity: "reo_ionic", Period: "2024-04", AmountT: "1"}); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Right(ctx, regulator, held.ID)
		if err != nil || r.Flags.Idle || r.LastReport != "2024-04" {
			t.Fatalf("after a report: %+v %v", r, err)
		}
		// An enterprise sees its own rights only, and another's by id is "not found".
		own, err := f.svc.Rights(ctx, f.ent2, store.ListQuery{})
		if err != nil || own.Total != 1 || own.Rows[0].ID != private.ID {
			t.Fatalf("enterprise 2 lists %+v %v", own, err)
		}
		if _, err := f.svc.Right(ctx, f.ent2, held.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("enterprise 2 read enterprise 1's right: %v", err)
		}
		// Bad input.
		n := base
		n.PermitNo, n.Kind, n.HolderID, n.AreaKm2, n.ValidFrom, n.ValidTo, n.CapacityT, n.Status, n.Source =
			"bad permit", "quarry", f.e1, "-3", "2020-02-30", "2019-01-01", "0", "sleeping", ""
		_, err = f.svc.CreateRight(ctx, regulator, n)
		want := "permit_no,kind,status,valid_from,area_km2,capacity_t,source"
		if got := strings.Join(fieldNames(err), ","); got != want {
			t.Fatalf("fields %s, want %s (%v)", got, want, err)
		}
		n = base
		n.PermitNo, n.HolderID = "X1", 99999
		if _, err := f.svc.CreateRight(ctx, regulator, n); strings.Join(fieldNames(err), ",") != "holder_id" {
			t.Fatalf("unknown holder: %v", err)
		}
		n.PermitNo, n.HolderID = held.PermitNo, f.e1
		if _, err := f.svc.CreateRight(ctx, regulator, n); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate permit: %v", err)
		}
		all, _ := f.svc.Rights(ctx, regulator, store.ListQuery{})
		if all.Total != 3 {
			t.Fatalf("%d rights after refused input", all.Total)
		}
	})
}
