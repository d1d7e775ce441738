package stats_test

import (
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/plan"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestQualifierIsEnteredKeptAndNeverAGrowthBase: a value entered as "超" (a lower bound) is
// stored with its qualifier and read back by the list and the history; restating the
// number as exact is a new revision, not "unchanged"; a bad qualifier is refused at its
// field and writes nothing; the growth bounds are not applied across a bound (a bound says
// nothing about the rate), and the plan's progress does not compute growth from it.
func TestQualifierIsEnteredKeptAndNeverAGrowthBase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// REV allows −50 % … +200 % a year. 2015 is "超100亿"; 2016's 400 is +300 % over
		// the bound, which is no growth rate: accepted.
		res := f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2015", Value: "100", Qualifier: "over"})
		if res.Fact.Qualifier != "over" {
			t.Fatalf("entered fact %+v", res.Fact)
		}
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2016", Value: "400"})
		// Entered as a bound, 2017's 1300 is also exempt; from the exact 400 an exact 1300
		// (+225 %) is refused.
		if _, err := f.svc.Enter(ctx, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2017", Value: "1300", Source: "t"}); codeOf(err) != "growth_out_of_bounds" {
			t.Fatalf("exact growth out of bounds: %v", err)
		}
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2017", Value: "1300", Qualifier: "over"})

		pg, err := f.svc.List(ctx, f.planner, store.FactFilter{Indicator: "REV", Region: "360700"}, store.ListQuery{Sort: "period"})
		if err != nil || len(pg.Rows) != 3 || pg.Rows[0].Qualifier != "over" || pg.Rows[1].Qualifier != "" || pg.Rows[2].Qualifier != "over" {
			t.Fatalf("list %+v %v", pg.Rows, err)
		}
		// The same number, now known exactly: a new revision, with both kept.
		res = f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2015", Value: "100"})
		if res.Unchanged || res.Fact.Revision != 2 || res.Fact.Qualifier != "" {
			t.Fatalf("restating as exact: %+v", res)
		}
		hist, err := f.svc.History(ctx, f.planner, store.FactKey{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2015"})
		if err != nil || len(hist) != 2 || hist[0].Qualifier != "" || hist[1].Qualifier != "over" {
			t.Fatalf("history %+v %v", hist, err)
		}
		// The same again: nothing written.
		if res = f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2015", Value: "100"}); !res.Unchanged {
			t.Fatalf("re-entering the value in force wrote %+v", res.Fact)
		}
		before := snapshot(t, db)
		_, err = f.svc.Enter(ctx, f.planner, stats.Input{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2018", Value: "1", Source: "t", Qualifier: "大约"})
		if e := apperr.From(err); e.Code != "bad_qualifier" || len(e.Fields) != 1 || e.Fields[0].Name != "qualifier" ||
			f.cat().T("en", e.Fields[0].Key, e.Fields[0].Args...) == f.cat().T("zh", e.Fields[0].Key, e.Fields[0].Args...) {
			t.Fatalf("bad qualifier: %v %+v", err, e.Fields)
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("a refused qualifier wrote something:\nbefore %s\nafter  %s", before, after)
		}

		// The plan's progress: 2015 exact 100, 2016 400, 2017 "over 1300" against 2000 by
		// 2020. The latest is a bound, so no observed growth, no "still required" growth
		// and no status band are computed from it.
		pts := []plan.Point{}
		for _, r := range pg.Rows {
			pts = append(pts, plan.Point{Year: atoiYear(r.Period), Value: stats.Micro(r.Value).Float(), Qualifier: r.Qualifier})
		}
		pts[0].Qualifier = "" // restated exact above
		pr := plan.Assess(plan.Spec{Comparison: ">=", Target: 2000, TargetYear: 2020}, nil, pts)
		if pr.Status != plan.NoData || pr.Reason != plan.ReasonInexact || pr.Observed != nil || pr.StillRequired != nil {
			t.Fatalf("progress from a lower bound: %+v", pr)
		}
	})
}

func atoiYear(p string) int {
	y := 0
	for _, c := range p {
		y = y*10 + int(c-'0')
	}
	return y
}
