package chain_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/chain/chaintest"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

var (
	admin     = &auth.Principal{ID: 1, Username: "root", Role: auth.Admin}
	planner   = &auth.Principal{ID: 2, Username: "pl", Role: auth.Planner}
	regulator = &auth.Principal{ID: 3, Username: "rg", Role: auth.Regulator}
	county    = &auth.Principal{ID: 4, Username: "ct", Role: auth.County, RegionCode: "360702"}
	viewer    = &auth.Principal{ID: 5, Username: "vw", Role: auth.Viewer}
)

func svc(db *store.DB) *chain.Service {
	return &chain.Service{DB: db, Now: func() time.Time { return time.UnixMilli(1_700_000_100_000) }}
}

// snapshot is everything an edit could have touched, to show a refused one wrote nothing.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	links, _ := db.ChainLinks(ctx, "re")
	edges, _ := db.ChainEdges(ctx, "re")
	pl, _ := db.ChainPlacements(ctx, "re")
	au, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []any{links, edges, pl, au.Total} {
		b.WriteString(fmt.Sprintf("%+v", x))
		b.WriteString("|")
	}
	return b.String()
}

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantInvalid checks err is an Invalid error naming field, whose message in both
// languages contains every one of want.
func wantInvalid(t *testing.T, err error, field string, want ...string) {
	t.Helper()
	e := apperr.From(err)
	if e.Kind != apperr.Invalid {
		t.Fatalf("error %v: kind %v, want Invalid", err, e.Kind)
	}
	if len(e.Fields) == 0 || e.Fields[0].Name != field {
		t.Fatalf("error %v names fields %+v, want %s", err, e.Fields, field)
	}
	cat := catalog(t)
	for _, lang := range []i18n.Lang{i18n.Zh, i18n.En} {
		msg := cat.T(lang, e.Key, e.Args...)
		if strings.HasPrefix(msg, "[") {
			t.Fatalf("%s: no catalogue message for %s", lang, e.Key)
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s message %q does not name %q", lang, msg, w)
			}
		}
	}
}

func TestStrengthAndGapsComputedFromFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := chaintest.Seed(t, db)
		a, err := svc(db).Analyse(ctx, planner, "re")
		if err != nil {
			t.Fatal(err)
		}
		if a.Period != "2012" || a.Unit != "亿元" || len(a.Links) != 3 {
			t.Fatalf("period %q unit %q links %d", a.Period, a.Unit, len(a.Links))
		}
		by := map[int64]chain.LinkStrength{}
		for _, l := range a.Links {
			by[l.Link.ID] = l
		}
		sep, pm, rec := by[s.Sep], by[s.PM], by[s.Recycle]
		// 分离冶炼: LQ (200/1000)/(500/10000) = 4; share 0.2 is the highest of four cities.
		if sep.Status != chain.Strong || sep.Strategy() != "extend" || sep.LQ == nil || math.Abs(*sep.LQ-4) > 1e-12 ||
			sep.Quantile == nil || *sep.Quantile != 1 || sep.Peers != 4 || sep.Count != 1 || sep.Leader != "甲" ||
			sep.Output != 150 || sep.Share == nil || math.Abs(*sep.Share-150.0/158) > 1e-12 {
			t.Errorf("分离冶炼: %+v", sep)
		}
		if !sep.Enterprises[0].HasOutput || sep.Enterprises[0].Output != 150 {
			t.Errorf("planner should see 甲's output: %+v", sep.Enterprises)
		}
		// 永磁材料: LQ (10/1000)/(200/10000) = 0.5 < 1; only 赣州 reports RE-PM among cities.
		if pm.Status != chain.Weak || pm.Strategy() != "strengthen" || pm.LQ == nil || math.Abs(*pm.LQ-0.5) > 1e-12 ||
			pm.Quantile != nil || pm.Peers != 1 || pm.Output != 8 {
			t.Errorf("永磁材料: %+v", pm)
		}
		keys := map[string]bool{}
		for _, r := range pm.Reasons {
			keys[r.Key] = true
		}
		if !keys["chain.reason.low_lq"] || !keys["chain.reason.no_peers"] {
			t.Errorf("永磁材料 reasons: %+v", pm.Reasons)
		}
		// 废料回收: no enterprise → 缺链, 补链; its industry RE has no regional figure → no LQ.
		if rec.Status != chain.Gap || rec.Strategy() != "fill" || rec.Count != 0 || rec.LQ != nil || rec.Reasons[0].Key != "chain.reason.gap" {
			t.Errorf("废料回收: %+v", rec)
		}
		if a.Counts[chain.Strong] != 1 || a.Counts[chain.Weak] != 1 || a.Counts[chain.Gap] != 1 {
			t.Errorf("counts %v", a.Counts)
		}

		// A county officer reads the chain and the link totals but no enterprise's own figure.
		ac, err := svc(db).Analyse(ctx, county, "re")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ac.Links {
			if l.Link.ID == s.Sep && (l.Output != 150 || l.Enterprises[0].HasOutput || l.Enterprises[0].Output != 0) {
				t.Errorf("county sees %+v", l)
			}
		}
	})
}

func TestStrengthThresholdsAreEditableAndNoReferenceIsNotZero(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := chaintest.Seed(t, db)
		sv := svc(db)
		in := chain.SettingsInput{Indicator: "REV", Region: "360700", Reference: "360000", TotalIndustry: "IND",
			StrongLQ: "5", StrongQuantile: "0.75", MinEnterprises: "1"}
		if _, err := sv.SaveSettings(ctx, planner, in); err != nil {
			t.Fatal(err)
		}
		a, err := sv.Analyse(ctx, planner, "re")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range a.Links {
			if l.Link.ID == s.Sep && (l.Status != chain.Weak || l.Reasons[0].Key != "chain.reason.low_lq") {
				t.Errorf("with LQ threshold 5, 分离冶炼 (LQ 4) should be weak: %+v", l)
			}
		}
		// A reference region with no figures gives "no reference data", never an LQ of 0.
		in.StrongLQ, in.Reference = "1", "360702"
		if _, err := sv.SaveSettings(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		a, _ = sv.Analyse(ctx, planner, "re")
		for _, l := range a.Links {
			if l.Link.ID == s.Sep && (l.LQ != nil || l.Status != chain.Weak || l.Reasons[0].Key != "chain.reason.no_lq") {
				t.Errorf("no reference: %+v", l)
			}
		}

		before, _ := sv.LoadSettings(ctx)
		au, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		for _, bad := range []struct {
			field string
			in    chain.SettingsInput
		}{
			{"strong_lq", chain.SettingsInput{Indicator: "REV", Region: "360700", Reference: "360000", TotalIndustry: "IND", StrongLQ: "0", StrongQuantile: "0.75", MinEnterprises: "1"}},
			{"strong_quantile", chain.SettingsInput{Indicator: "REV", Region: "360700", Reference: "360000", TotalIndustry: "IND", StrongLQ: "1", StrongQuantile: "1.5", MinEnterprises: "1"}},
			{"min_enterprises", chain.SettingsInput{Indicator: "REV", Region: "360700", Reference: "360000", TotalIndustry: "IND", StrongLQ: "1", StrongQuantile: "0.75", MinEnterprises: "zero"}},
			{"indicator", chain.SettingsInput{Indicator: "NOPE", Region: "360700", Reference: "360000", TotalIndustry: "IND", StrongLQ: "1", StrongQuantile: "0.75", MinEnterprises: "1"}},
			{"reference", chain.SettingsInput{Indicator: "REV", Region: "360700", Reference: "999999", TotalIndustry: "IND", StrongLQ: "1", StrongQuantile: "0.75", MinEnterprises: "1"}},
		} {
			_, err := sv.SaveSettings(ctx, planner, bad.in)
			e := apperr.From(err)
			if e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != bad.field {
				t.Errorf("%s: %v %+v", bad.field, err, e.Fields)
			}
		}
		after, _ := sv.LoadSettings(ctx)
		au2, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if before != after || au.Total != au2.Total {
			t.Errorf("a refused settings change wrote something: %+v → %+v, audit %d → %d", before, after, au.Total, au2.Total)
		}
		for _, p := range []*auth.Principal{regulator, county, viewer} {
			if _, err := sv.SaveSettings(ctx, p, in); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s changed the settings: %v", p.Role, err)
			}
		}
	})
}

func TestCycleRefusedWhereTheChainForbidsOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := chaintest.Seed(t, db)
		sv := svc(db)
		before := snapshot(t, db)
		// 永磁材料 → 分离冶炼 as a flow edge closes a loop with 分离冶炼 → 永磁材料; the feedback
		// edge 废料回收 → 分离冶炼 already there is exempt.
		err := sv.AddEdge(ctx, planner, store.ChainEdge{From: s.PM, To: s.Sep, Kind: "flow"})
		wantInvalid(t, err, "to", "永磁材料 → 分离冶炼 → 永磁材料", "稀土产业链")
		if after := snapshot(t, db); after != before {
			t.Errorf("a refused edge wrote something:\n%s\n%s", before, after)
		}
		// The same way back as feedback is the article's sanctioned loop and is accepted.
		if err := sv.AddEdge(ctx, planner, store.ChainEdge{From: s.PM, To: s.Sep, Kind: "feedback"}); err != nil {
			t.Fatal(err)
		}
		// A chain that allows cycles takes the flow edge.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.UpsertChain(ctx, store.Chain{Code: "re", NameZh: "稀土产业链", IndustryCode: "RE", Acyclic: false, Source: "t"})
		}); err != nil {
			t.Fatal(err)
		}
		if err := sv.AddEdge(ctx, planner, store.ChainEdge{From: s.Recycle, To: s.PM, Kind: "flow"}); err != nil {
			t.Errorf("a chain allowing cycles refused one: %v", err)
		}
		if err := sv.AddEdge(ctx, planner, store.ChainEdge{From: s.Sep, To: s.PM, Kind: "sideways"}); apperr.From(err).Kind != apperr.Invalid {
			t.Errorf("unknown edge kind: %v", err)
		}
	})
}

func TestFindCycleReturnsThePath(t *testing.T) {
	e := func(a, b int64, k string) store.ChainEdge { return store.ChainEdge{From: a, To: b, Kind: k} }
	edges := []store.ChainEdge{e(1, 2, "flow"), e(2, 3, "flow"), e(3, 4, "flow"), e(4, 1, "feedback")}
	if c := chain.FindCycle(append(edges, e(4, 2, "flow")), e(4, 2, "flow")); len(c) != 4 || c[0] != 4 || c[1] != 2 || c[2] != 3 || c[3] != 4 {
		t.Errorf("cycle 4→2→3→4: got %v", c)
	}
	if c := chain.FindCycle(append(edges, e(1, 4, "flow")), e(1, 4, "flow")); c != nil {
		t.Errorf("no cycle expected (feedback is exempt): %v", c)
	}
}

func TestEnterpriseOfAnotherIndustryRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := chaintest.Seed(t, db)
		sv := svc(db)
		before := snapshot(t, db)
		// 乙 makes power batteries (NEV-BAT); 分离冶炼 is rare earth smelting.
		err := sv.Place(ctx, planner, chain.PlaceInput{LinkID: s.Sep, EnterpriseID: s.Yi, Source: "t"})
		wantInvalid(t, err, "enterprise_id", "乙", "NEV-BAT", "分离冶炼", "稀土冶炼分离加工")
		if after := snapshot(t, db); after != before {
			t.Errorf("a refused placement wrote something:\n%s\n%s", before, after)
		}
		// An enterprise with no industry at all is refused too, with its own message.
		var none int64
		if err := db.Write(ctx, func(tx *store.Tx) (err error) {
			none, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "丁", Source: "t", CreatedAt: time.Now()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		before = snapshot(t, db)
		err = sv.Place(ctx, planner, chain.PlaceInput{LinkID: s.Sep, EnterpriseID: none, Source: "t"})
		wantInvalid(t, err, "enterprise_id", "丁", "分离冶炼")
		if after := snapshot(t, db); after != before {
			t.Errorf("a refused placement wrote something:\n%s\n%s", before, after)
		}
		// 丙 is of 稀土产业 as a whole and may sit on 分离冶炼; as 链主 it takes over from 甲.
		if err := sv.Place(ctx, planner, chain.PlaceInput{LinkID: s.Sep, EnterpriseID: s.Bing, Leader: true, Source: "t"}); err != nil {
			t.Fatal(err)
		}
		a, _ := sv.Analyse(ctx, planner, "re")
		for _, l := range a.Links {
			if l.Link.ID == s.Sep && (l.Leader != "丙" || l.Count != 2) {
				t.Errorf("after placing 丙 as 链主: %+v", l)
			}
		}
		// An industry change that no longer fits an enterprise on the link is refused.
		err = sv.UpdateLink(ctx, planner, s.PM, chain.LinkInput{NameZh: "永磁材料", IndustryCode: "NEV-BAT", Stage: 2, Source: "t"})
		wantInvalid(t, err, "enterprise_id", "丙")
	})
}

func TestEditsAreAuditedAndOnlyPlannersAndAdminsEdit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := chaintest.Seed(t, db)
		sv := svc(db)
		l, err := sv.CreateLink(ctx, planner, "re", chain.LinkInput{Code: "metal", NameZh: "稀土金属", IndustryCode: "RE-SMELT", Stage: 2, Source: "issue 4"})
		if err != nil {
			t.Fatal(err)
		}
		steps := []func() error{
			func() error { return sv.AddEdge(ctx, planner, store.ChainEdge{From: s.Sep, To: l.ID, Kind: "flow"}) },
			func() error {
				return sv.UpdateLink(ctx, admin, l.ID, chain.LinkInput{NameZh: "稀土金属冶炼", IndustryCode: "RE-SMELT", Stage: 2, Source: "issue 4"})
			},
			func() error {
				return sv.Place(ctx, planner, chain.PlaceInput{LinkID: l.ID, EnterpriseID: s.Jia, Source: "t"})
			},
			func() error { return sv.Unplace(ctx, planner, l.ID, s.Jia) },
			func() error { return sv.DeleteEdge(ctx, planner, s.Sep, l.ID) },
			func() error { return sv.DeleteLink(ctx, planner, l.ID) },
		}
		for i, f := range steps {
			if err := f(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		for _, action := range []string{"chain.link.create", "chain.edge.create", "chain.link.update", "chain.place", "chain.unplace",
			"chain.edge.delete", "chain.link.delete"} {
			au, err := db.ListAudit(ctx, store.AuditFilter{Action: action}, store.ListQuery{})
			if err != nil || au.Total != 1 {
				t.Errorf("audit %s: %d entries, %v", action, au.Total, err)
			}
		}
		if _, err := db.ChainLinkByID(ctx, l.ID); err == nil {
			t.Error("deleted link still there")
		}
		if _, err := sv.CreateLink(ctx, planner, "re", chain.LinkInput{Code: "sep", NameZh: "x", IndustryCode: "RE", Source: "t"}); apperr.From(err).Kind != apperr.Conflict {
			t.Errorf("duplicate link code: %v", err)
		}

		ent := &auth.Principal{ID: 9, Username: "en", Role: auth.Enterprise, EnterpriseID: s.Jia}
		before := snapshot(t, db)
		for _, p := range []*auth.Principal{regulator, county, viewer, ent, nil} {
			errs := []error{
				func() error {
					_, err := sv.CreateLink(ctx, p, "re", chain.LinkInput{Code: "x", NameZh: "x", IndustryCode: "RE", Source: "t"})
					return err
				}(),
				sv.AddEdge(ctx, p, store.ChainEdge{From: s.Sep, To: s.Recycle, Kind: "flow"}),
				sv.DeleteLink(ctx, p, s.Sep),
				sv.Place(ctx, p, chain.PlaceInput{LinkID: s.Recycle, EnterpriseID: s.Bing, Source: "t"}),
				sv.Unplace(ctx, p, s.Sep, s.Jia),
			}
			for i, err := range errs {
				if k := apperr.From(err).Kind; k != apperr.Forbidden && k != apperr.Unauthenticated {
					t.Errorf("%v edit %d: %v", p, i, err)
				}
			}
		}
		if after := snapshot(t, db); after != before {
			t.Errorf("a refused edit wrote something")
		}
		// An enterprise user sees nothing of other enterprises, so no chain at all.
		if _, err := sv.Graph(ctx, ent, "re"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise user read the chain: %v", err)
		}
		if _, err := sv.Graph(ctx, viewer, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown chain: %v", err)
		}
	})
}
