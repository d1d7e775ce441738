package stats_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

func i64(v int64) *int64 { return &v }

type fixture struct {
	db          *store.DB
	svc         *stats.Service
	entA, entB  int64 // enterprises in county A (360702) and county B (360703)
	planner     *auth.Principal
	countyA     *auth.Principal
	enterpriseA *auth.Principal
	enterpriseB *auth.Principal
	viewer      *auth.Principal
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, svc: &stats.Service{DB: db, Now: time.Now}}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", Kind: "province", Source: "t"},
			{Code: "360700", NameZh: "赣州市", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "360702", NameZh: "章贡区", Kind: "county", ParentCode: "360700", Source: "t"},
			{Code: "360703", NameZh: "南康区", Kind: "county", ParentCode: "360700", Source: "t"},
			{Code: "zone:core", NameZh: "一核", Kind: "zone", Source: "t"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		if err := tx.SetZoneMembers(ctx, "zone:core", []string{"360702"}); err != nil {
			return err
		}
		for _, i := range []store.Industry{
			{Code: "SEI", NameZh: "战略性新兴产业", Source: "t"},
			{Code: "RE", NameZh: "稀土钨新材料", ParentCode: "SEI", Source: "t"},
			{Code: "RE-MAG", NameZh: "稀土永磁材料", ParentCode: "RE", Source: "t"},
			{Code: "NEV", NameZh: "新能源汽车", ParentCode: "SEI", Source: "t"},
		} {
			if err := tx.UpsertIndustry(ctx, i); err != nil {
				return err
			}
		}
		for _, i := range []store.Indicator{
			{Code: "REV", NameZh: "主营业务收入", Unit: "亿元", PeriodType: "year", Aggregation: "sum", Min: i64(0),
				GrowthMin: i64(-50_000_000), GrowthMax: i64(200_000_000), Source: "t"},
			{Code: "PT", NameZh: "利税", Unit: "亿元", PeriodType: "year", Aggregation: "sum", PartOf: "REV", Source: "t"},
			{Code: "SHARE", NameZh: "占比", Unit: "%", PeriodType: "year", Aggregation: "none", Min: i64(0), Max: i64(100_000_000), Source: "t"},
			{Code: "OUT", NameZh: "产量", Unit: "t", PeriodType: "month", Aggregation: "sum", Source: "t"},
		} {
			if err := tx.UpsertIndicator(ctx, i); err != nil {
				return err
			}
		}
		var err error
		if f.entA, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "甲", RegionCode: "360702", Source: "t", CreatedAt: time.Now()}); err != nil {
			return err
		}
		f.entB, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "乙", RegionCode: "360703", Source: "t", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}
	f.countyA = &auth.Principal{ID: 2, Username: "county-a", Role: auth.County, RegionCode: "360702"}
	f.enterpriseA = &auth.Principal{ID: 3, Username: "ent-a", Role: auth.Enterprise, EnterpriseID: f.entA}
	f.enterpriseB = &auth.Principal{ID: 4, Username: "ent-b", Role: auth.Enterprise, EnterpriseID: f.entB}
	f.viewer = &auth.Principal{ID: 5, Username: "viewer", Role: auth.Viewer}
	return f
}

func (f *fixture) enter(t *testing.T, p *auth.Principal, in stats.Input) stats.Result {
	t.Helper()
	if in.Source == "" {
		in.Source = "test"
	}
	res, err := f.svc.Enter(ctx, p, in)
	if err != nil {
		t.Fatalf("enter %+v: %v", in, err)
	}
	return res
}

func codeOf(err error) string {
	if err == nil {
		return "nil"
	}
	return apperr.From(err).Code
}

func counts(t *testing.T, db *store.DB) (facts, audits int) {
	t.Helper()
	p, err := db.ListFacts(ctx, store.FactFilter{Scope: store.FactScope{All: true}}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
	return p.Total, a.Total
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012", Value: "605"})
		nf, na := counts(t, db)
		for _, c := range []struct {
			p     *auth.Principal
			in    stats.Input
			code  string
			field string
		}{
			{f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2013", Value: "12", Unit: "台"}, "wrong_unit", "unit"},
			{f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2013", Value: "六百"}, "bad_value", "value"},
			{f.planner, stats.Input{Indicator: "REV", Region: "999999", Industry: "RE", Period: "2013", Value: "1"}, "unknown_region", "region"},
			{f.planner, stats.Input{Indicator: "XYZ", Region: "360700", Industry: "RE", Period: "2013", Value: "1"}, "unknown_indicator", "indicator"},
			{f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "ZZ", Period: "2013", Value: "1"}, "unknown_industry", "industry"},
			{f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2013Q1", Value: "1"}, "period_type", "period"},
			{f.planner, stats.Input{Indicator: "OUT", Region: "360700", Industry: "RE", Period: "2013", Value: "1"}, "period_type", "period"},
			{f.planner, stats.Input{Indicator: "SHARE", Region: "360700", Industry: "SEI", Period: "2012", Value: "129.3"}, "above_max", "value"},
			{f.planner, stats.Input{Indicator: "PT", Region: "360700", Industry: "RE", Period: "2012", Value: "700"}, "part_exceeds_whole", "value"},
			{f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2013", Value: "1", SourceStatus: "rumour"}, "bad_source_status", "source_status"},
		} {
			if c.in.Source == "" {
				c.in.Source = "test"
			}
			_, err := f.svc.Enter(ctx, c.p, c.in)
			e := apperr.From(err)
			if e.Code != c.code || len(e.Fields) == 0 || e.Fields[0].Name != c.field {
				t.Errorf("%+v: got %s %+v, want %s on %s", c.in, e.Code, e.Fields, c.code, c.field)
			}
		}
		// Row rights: another county, another enterprise.
		if _, err := f.svc.Enter(ctx, f.countyA, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2012", Value: "1", Source: "t"}); codeOf(err) != "other_region" {
			t.Errorf("county entering for another county: %s", codeOf(err))
		}
		if _, err := f.svc.Enter(ctx, f.enterpriseA, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "RE", Period: "2012", Value: "1", Source: "t"}); codeOf(err) != "other_enterprise" {
			t.Errorf("enterprise entering for another: %s", codeOf(err))
		}
		if _, err := f.svc.Enter(ctx, f.viewer, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012", Value: "1", Source: "t"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer entering: %v", err)
		}
		if nf2, na2 := counts(t, db); nf2 != nf || na2 != na {
			t.Fatalf("refused entries wrote something: facts %d→%d, audit %d→%d", nf, nf2, na, na2)
		}
	})
}

func TestUnitsConvertExactlyAndRevisionsAreKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		r := f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012", Value: "6,050,000", Unit: "万元", Quote: "实现主营业务收入605亿元"})
		if r.Fact.Value != 605_000_000 || r.Fact.Revision != 1 {
			t.Fatalf("6,050,000 万元 stored as %d (rev %d), want 605 亿元", r.Fact.Value, r.Fact.Revision)
		}
		// The same value again writes nothing.
		if r := f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012", Value: "605"}); !r.Unchanged {
			t.Fatal("re-entering the same value wrote a revision")
		}
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012", Value: "606.5", Reason: "公报修订"})
		k := store.FactKey{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012"}
		h, err := f.svc.History(ctx, f.planner, k)
		if err != nil || len(h) != 2 || h[0].Value != 606_500_000 || h[1].Value != 605_000_000 || h[0].Revision != 2 || h[1].Quote != "实现主营业务收入605亿元" {
			t.Fatalf("history: %+v %v", h, err)
		}
		// A whole may not drop below its part.
		f.enter(t, f.planner, stats.Input{Indicator: "PT", Region: "360700", Industry: "RE", Period: "2012", Value: "74.59"})
		if _, err := f.svc.Enter(ctx, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2012", Value: "70", Source: "t"}); codeOf(err) != "whole_below_part" {
			t.Fatalf("whole below its part: %s", codeOf(err))
		}
		// Growth bounds: 2013 at +300% is refused, +10% accepted.
		if _, err := f.svc.Enter(ctx, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2013", Value: "2426", Source: "t"}); codeOf(err) != "growth_out_of_bounds" {
			t.Fatalf("growth +300%%: %s", codeOf(err))
		}
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2013", Value: "667.15"})
	})
}

func TestOutliersAreFlaggedNotRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		for i, v := range []string{"100", "104", "98", "101", "103"} {
			f.enter(t, f.planner, stats.Input{Indicator: "OUT", Region: "360702", Industry: "RE-MAG", Period: fmt.Sprintf("2013-%02d", i+1), Value: v})
		}
		r := f.enter(t, f.planner, stats.Input{Indicator: "OUT", Region: "360702", Industry: "RE-MAG", Period: "2013-06", Value: "1000"})
		if len(r.Warnings) != 1 || r.Warnings[0].Code != "outlier" {
			t.Fatalf("1000 after ~100s: warnings %+v", r.Warnings)
		}
		f.enter(t, f.planner, stats.Input{Indicator: "OUT", Region: "360702", Industry: "RE-MAG", Period: "2013-07", Value: "102"})
		p, err := f.svc.List(ctx, f.planner, store.FactFilter{FlaggedOnly: true}, store.ListQuery{})
		if err != nil || p.Total != 1 || p.Rows[0].Period != "2013-06" || p.Rows[0].Quality == "" {
			t.Fatalf("data-quality list: %+v %v", p.Rows, err)
		}
	})
}

func TestApprovalLocksAndUnlockIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		in := stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2014", Value: "10"}
		f.enter(t, f.countyA, in)
		if err := f.svc.Submit(ctx, f.countyA, "360703", "2014"); codeOf(err) != "other_region" {
			t.Fatalf("county submitting another county: %s", codeOf(err))
		}
		if err := f.svc.Approve(ctx, f.countyA, "360702", "2014"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("county approving: %v", err)
		}
		if err := f.svc.Submit(ctx, f.countyA, "360702", "2014"); err != nil {
			t.Fatal(err)
		}
		in.Value = "11"
		in.Source = "t"
		if _, err := f.svc.Enter(ctx, f.countyA, in); codeOf(err) != "period_submitted" {
			t.Fatalf("county changing a submitted period: %s", codeOf(err))
		}
		if err := f.svc.Approve(ctx, f.planner, "360702", "2014"); err != nil {
			t.Fatal(err)
		}
		in.Reason = "更正"
		if _, err := f.svc.Enter(ctx, f.planner, in); codeOf(err) != "period_locked" {
			t.Fatalf("changing an approved period: %s", codeOf(err))
		}
		if err := f.svc.Unlock(ctx, f.planner, "360702", "2014", ""); codeOf(err) != "reason_required" {
			t.Fatalf("unlock without a reason: %s", codeOf(err))
		}
		if err := f.svc.Unlock(ctx, f.planner, "360702", "2014", "县里发现录入错误"); err != nil {
			t.Fatal(err)
		}
		f.enter(t, f.countyA, in)
		a, _ := db.ListAudit(ctx, store.AuditFilter{Action: "stats.unlock"}, store.ListQuery{})
		if a.Total != 1 || a.Rows[0].Actor != "planner" || a.Rows[0].EntityID != "360702/2014" {
			t.Fatalf("unlock audit: %+v", a.Rows)
		}
		if err := f.svc.Approve(ctx, f.planner, "360702", "2014"); codeOf(err) != "bad_transition" {
			t.Fatalf("approving an open period: %s", codeOf(err))
		}
	})
}

// expectedRollups recomputes every roll-up from the current facts, independently of the
// incremental updates, following the documented rule.
func expectedRollups(t *testing.T, db *store.DB) map[string]store.Rollup {
	t.Helper()
	cur, err := db.AllCurrent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parentRegion := map[string]string{"360000": "", "360700": "360000", "360702": "360700", "360703": "360700", "zone:core": ""}
	zonesOf := map[string][]string{"360702": {"zone:core"}}
	parentInd := map[string]string{"SEI": "", "RE": "SEI", "RE-MAG": "RE", "NEV": "SEI"}
	kind := map[string]string{"360702": "county", "360703": "county"}
	out := map[string]store.Rollup{}
	for _, c := range cur {
		var basis string
		inds := []string{c.Industry}
		switch {
		case c.EnterpriseID != 0:
			basis = "e"
			for i := parentInd[c.Industry]; i != ""; i = parentInd[i] {
				inds = append(inds, i)
			}
		case kind[c.Region] == "county":
			basis = "r"
		default:
			continue
		}
		var regions []string
		for g := c.Region; g != ""; g = parentRegion[g] {
			regions = append(regions, g)
			regions = append(regions, zonesOf[g]...)
		}
		for _, g := range regions {
			for _, i := range inds {
				k := fmt.Sprintf("%s|%s|%s|%s|%s", basis, c.Indicator, g, i, c.Period)
				r := out[k]
				r.Sum += c.Value
				r.N++
				if c.Status == "approved" {
					r.ApprovedSum += c.Value
					r.ApprovedN++
				}
				out[k] = r
			}
		}
	}
	return out
}

// checkPairCounts fails unless the stored region × period counts equal a recount of
// fact_current and there are at least min pairs.
func checkPairCounts(t *testing.T, db *store.DB, min int) {
	t.Helper()
	have, err := db.RegionPeriodCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.RecountRegionPeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < min {
		t.Fatalf("only %d region periods have facts; the check needs %d", len(want), min)
	}
	for k, w := range want {
		if h := have[k]; h != w {
			t.Errorf("%v: stored %+v, recount %+v", k, h, w)
		}
	}
	for k, h := range have {
		if _, ok := want[k]; !ok {
			t.Errorf("%v: stored %+v, no facts", k, h)
		}
	}
}

func TestRollupsStayConsistentThroughEntriesAndApprovals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.enter(t, f.enterpriseA, stats.Input{Indicator: "REV", EnterpriseID: f.entA, Industry: "RE-MAG", Period: "2015", Value: "12.5"})
		f.enter(t, f.enterpriseB, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "NEV", Period: "2015", Value: "30"})
		f.enter(t, f.countyA, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2015", Value: "40"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2015", Value: "7"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2015", Value: "100"})            // a city total: not summed
		f.enter(t, f.enterpriseA, stats.Input{Indicator: "REV", EnterpriseID: f.entA, Industry: "RE-MAG", Period: "2015", Value: "13"}) // a correction moves the sums
		if err := f.svc.Submit(ctx, f.countyA, "360702", "2015"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.planner, "360702", "2015"); err != nil {
			t.Fatal(err)
		}
		got, err := db.Rollup(ctx, "e", "REV", "360700", "SEI", "2015")
		if err != nil || got.Sum != 43_000_000 || got.N != 2 || got.ApprovedSum != 13_000_000 || got.ApprovedN != 1 {
			t.Fatalf("enterprises under 赣州/SEI: %+v %v", got, err)
		}
		got, _ = db.Rollup(ctx, "r", "REV", "360700", "RE", "2015")
		if got.Sum != 47_000_000 || got.N != 2 {
			t.Fatalf("counties under 赣州/RE: %+v (the city's own 100 must not be added)", got)
		}
		got, _ = db.Rollup(ctx, "e", "REV", "zone:core", "RE", "2015")
		if got.Sum != 13_000_000 {
			t.Fatalf("zone 一核: %+v", got)
		}
		checkPairCounts(t, db, 3)
		if err := f.svc.Unlock(ctx, f.planner, "360702", "2015", "复核"); err != nil {
			t.Fatal(err)
		}
		checkPairCounts(t, db, 3)
		want := expectedRollups(t, db)
		have, err := db.AllRollups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var diffs []string
		seen := map[string]bool{}
		for _, r := range have {
			k := fmt.Sprintf("%s|%s|%s|%s|%s", r.Basis, r.Indicator, r.Region, r.Industry, r.Period)
			seen[k] = true
			w := want[k]
			if w.Sum != r.Sum || w.N != r.N || w.ApprovedSum != r.ApprovedSum || w.ApprovedN != r.ApprovedN {
				diffs = append(diffs, fmt.Sprintf("%s: stored %+v, recomputed %+v", k, r, w))
			}
		}
		for k := range want {
			if !seen[k] {
				diffs = append(diffs, k+": missing")
			}
		}
		sort.Strings(diffs)
		if len(diffs) > 0 || len(want) < 10 {
			t.Fatalf("roll-ups differ from a recomputation (%d expected rows):\n%v", len(want), diffs)
		}
	})
}

func TestReadScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.enter(t, f.enterpriseA, stats.Input{Indicator: "REV", EnterpriseID: f.entA, Industry: "RE", Period: "2016", Value: "1"})
		f.enter(t, f.enterpriseB, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "RE", Period: "2016", Value: "2"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2016", Value: "3"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2016", Value: "4"})
		if err := f.svc.Submit(ctx, f.planner, "360700", "2016"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.planner, "360700", "2016"); err != nil {
			t.Fatal(err)
		}
		values := func(p *auth.Principal) []int64 {
			pg, err := f.svc.List(ctx, p, store.FactFilter{}, store.ListQuery{Sort: "value"})
			if err != nil {
				t.Fatal(err)
			}
			var v []int64
			for _, r := range pg.Rows {
				v = append(v, r.Value/1_000_000)
			}
			return v
		}
		for _, c := range []struct {
			who  string
			p    *auth.Principal
			want string
		}{
			{"enterprise A", f.enterpriseA, "[1]"},
			{"county A", f.countyA, "[1 3 4]"}, // its own enterprise, and every region-level figure
			{"viewer", f.viewer, "[4]"},        // approved region-level figures only
			{"planner", f.planner, "[1 2 3 4]"},
		} {
			if got := fmt.Sprint(values(c.p)); got != c.want {
				t.Errorf("%s sees %s, want %s", c.who, got, c.want)
			}
		}
		// Guessing another enterprise's key gives nothing.
		if _, err := f.svc.History(ctx, f.enterpriseA, store.FactKey{Indicator: "REV", Region: "360703", Industry: "RE", EnterpriseID: f.entB, Period: "2016"}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("enterprise A reading B's history: %v", err)
		}
	})
}

// A period typed with spaces or a lower-case q is the same key as its canonical form, so it
// cannot escape a lock.
func TestPeriodIsCanonicalSoLocksHold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2012", Value: "10"})
		if err := f.svc.Submit(ctx, f.planner, "360702", "2012"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.planner, "360702", "2012"); err != nil {
			t.Fatal(err)
		}
		for _, per := range []string{" 2012", "2012 ", "2012"} {
			_, err := f.svc.Enter(ctx, f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: per, Value: "11", Source: "t", Reason: "x"})
			if codeOf(err) != "period_locked" {
				t.Errorf("period %q on a locked 2012: %s", per, codeOf(err))
			}
		}
		r := f.enter(t, f.planner, stats.Input{Indicator: "OUT", Region: "360702", Industry: "RE", Period: " 2013-01 ", Value: "5"})
		if r.Fact.Period != "2013-01" {
			t.Fatalf("stored period %q, want the canonical 2013-01", r.Fact.Period)
		}
		// A viewer may read the history of approved published figures only.
		if _, err := f.svc.History(ctx, f.viewer, store.FactKey{Indicator: "OUT", Region: "360702", Industry: "RE", Period: "2013-01"}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("viewer reading a draft's history: %v", err)
		}
	})
}

// TestApprovalListCountsPerScope: the approvals list, which reads the counts kept on write,
// gives each caller the pairs and counts of its own scope, as a count of the facts the
// caller may read would.
func TestApprovalListCountsPerScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.enter(t, f.enterpriseA, stats.Input{Indicator: "REV", EnterpriseID: f.entA, Industry: "RE", Period: "2017", Value: "1"})
		f.enter(t, f.enterpriseA, stats.Input{Indicator: "PT", EnterpriseID: f.entA, Industry: "RE", Period: "2017", Value: "0.5"})
		f.enter(t, f.enterpriseB, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "RE", Period: "2017", Value: "2"})
		f.enter(t, f.countyA, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2017", Value: "3"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2017", Value: "4"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2018", Value: "5"})
		for _, step := range []func() error{
			func() error { return f.svc.Submit(ctx, f.planner, "360703", "2017") },
			func() error { return f.svc.Approve(ctx, f.planner, "360703", "2017") },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		list := func(p *auth.Principal) map[string]int {
			scope, err := stats.Scope(p)
			if err != nil {
				t.Fatal(err)
			}
			pg, err := db.ListPeriodApprovals(ctx, store.ApprovalFilter{Scope: scope}, store.ListQuery{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, r := range pg.Rows {
				out[r.Region+"/"+r.Period] = r.Facts
			}
			return out
		}
		for name, c := range map[string]struct {
			p    *auth.Principal
			want map[string]int
		}{
			// Enterprise A (in 360702) has two facts there beside the county's own; enterprise
			// B (in 360703) one beside the planner's; only region-level approved facts are
			// published.
			"planner":      {f.planner, map[string]int{"360702/2017": 3, "360703/2017": 2, "360703/2018": 1}},
			"county A":     {f.countyA, map[string]int{"360702/2017": 3}},
			"enterprise A": {f.enterpriseA, map[string]int{"360702/2017": 2}},
			"viewer":       {&auth.Principal{ID: 99, Username: "v", Role: auth.Viewer}, map[string]int{"360703/2017": 1}},
		} {
			if got := list(c.p); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s sees %v, want %v", name, got, c.want)
			}
		}
		checkPairCounts(t, db, 3)
	})
}
