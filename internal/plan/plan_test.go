package plan_test

import (
	"context"
	"math"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/plan"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

var (
	planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}
	viewer  = &auth.Principal{ID: 2, Username: "viewer", Role: auth.Viewer}
)

func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: not computed, want %.9f", what, want)
		return
	}
	if math.Abs(*got-want) > 1e-8*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.9f, want %.9f", what, *got, want)
	}
}

func byCode(o plan.Overview) map[string]plan.TargetView {
	out := map[string]plan.TargetView{}
	for _, t := range o.Targets() {
		out[t.Code] = t
	}
	return out
}

// The article's targets on the default dataset, against hand-computed numbers (see
// progress_test.go): nothing after the baseline is on the targets' own bases, so no
// status is guessed; the growth each target requires is stated; the share-of-GDP target
// keeps the share-of-industry figures apart.
func TestArticleTargetsOnTheDefaultDataset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		svc := &plan.Service{DB: db}
		o, err := svc.Overview(ctx, planner, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Stages) != 3 || len(o.Targets()) != 14 || o.Counts[plan.NoData] != 14 || len(o.Goals) != 5 || len(o.Layout) != 12 {
			t.Fatalf("overview: %d stages, %d targets, counts %v, %d goals, %d zones", len(o.Stages), len(o.Targets()), o.Counts, len(o.Goals), len(o.Layout))
		}
		ts := byCode(o)

		sales := ts["t2015-nev-sales"]
		if !sales.SameBasis || sales.Progress.Baseline == nil || sales.Progress.Baseline.Value != 321 || sales.Progress.Reason != plan.ReasonOnlyBase {
			t.Errorf("NEV sales: %+v", sales.Progress)
		}
		near(t, "NEV sales required", sales.Progress.Required, 0.460489108)
		if sales.Progress.Observed != nil || sales.Progress.Forecast.OK || sales.Progress.Forecast.N != 1 {
			t.Errorf("NEV sales: an observed rate or a forecast from one point: %+v", sales.Progress)
		}
		near(t, "2017 revenue required", ts["t2017-revenue"].Progress.Required, 0.105729573)
		near(t, "motors required", ts["t2017-pm-motor"].Progress.Required, 0.495348781)
		if p := ts["t2017-pm-motor"].Path; len(p) != 5 || p[0].Value != 2e6 || p[4].Value != 1e7 {
			t.Errorf("motor path: %+v", p)
		}

		// Output targets: the article's baseline is revenue, another indicator.
		for _, code := range []string{"t2015-rew-output", "t2015-nev-output", "t2015-hem-output"} {
			v := ts[code]
			if !v.BasisMismatch() || v.Stated == nil || v.StatedInd.Code != "REV" || v.Progress.Required != nil || v.Progress.Reason != plan.ReasonNoActual {
				t.Errorf("%s: mismatch %v, stated %+v, progress %+v", code, v.BasisMismatch(), v.Stated, v.Progress)
			}
		}
		if hem := ts["t2015-hem-output"]; hem.Stated.Qualifier != "over" {
			t.Errorf("高端装备's 超100亿 lost its qualifier: %+v", hem.Stated)
		}

		// Share of GDP: no figure on that basis; the two share-of-industry figures apart.
		gdp := ts["t2020-va-gdp"]
		if len(gdp.Actuals) != 0 || gdp.Progress.Status != plan.NoData || gdp.OtherInd.Code != "VA_SHARE_IND" || len(gdp.Other) != 2 ||
			gdp.Other[0].Value != 29.3 || gdp.Other[0].Source != "article" || gdp.Other[1].Value != 37.6 || gdp.Other[1].Source != "G9" {
			t.Errorf("share of GDP: actuals %v, status %s, other %+v", gdp.Actuals, gdp.Progress.Status, gdp.Other)
		}
	})
}

// County figures entered through the statistics core reach a city target through the
// roll-ups (the city has no figure of its own for those years): the status band, the
// growth rates and the forecast follow, against hand-computed values. A viewer sees
// approved figures only.
func TestTargetProgressThroughCountyRollups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		st := &stats.Service{DB: db, Now: time.Now}
		for _, e := range []struct{ region, period, value string }{
			{"360702", "2014", "250"}, {"360703", "2014", "50"}, // 3,000,000 in all
			{"360702", "2015", "400"},                            // 4,000,000
			{"360702", "2016", "350"}, {"360783", "2016", "250"}, // 6,000,000
		} {
			if _, err := st.Enter(ctx, planner, stats.Input{Indicator: "CAP_PM_MOTOR", Region: e.region, Industry: "NEV-MOTOR",
				Period: e.period, Value: e.value, Unit: "万台", Source: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		svc := &plan.Service{DB: db}
		v, _, err := svc.Target(ctx, planner, "t2017-pm-motor")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Actuals) != 4 || v.Actuals[0].Origin != "fact" || v.Actuals[1].Origin != "r" || v.Actuals[1].N != 2 ||
			v.Actuals[1].Value != 3e6 || v.Actuals[3].Value != 6e6 || v.Actuals[3].Status != "unapproved" {
			t.Fatalf("motor series: %+v", v.Actuals)
		}
		// Observed (6/2)^(1/3) − 1 = 0.442249570; required 5^(1/4) − 1 = 0.495348781;
		// ratio 0.892804398 → acceleration needed; still required 10/6 − 1 in one year.
		pr := v.Progress
		if pr.Status != plan.Acceleration {
			t.Errorf("status %s, want %s", pr.Status, plan.Acceleration)
		}
		near(t, "observed", pr.Observed, 0.442249570)
		near(t, "required", pr.Required, 0.495348781)
		near(t, "ratio", pr.Ratio, 0.892804398)
		near(t, "still required", pr.StillRequired, 0.666666667)
		// Log-linear trend on 2, 3, 4, 6 million (2013–2016) to 2017, t(0.9, 2) = 1.885618083:
		// 8,485,281.37 [7,593,450.87, 9,481,854.98], trend growth 43.10% a year.
		f := pr.Forecast
		if !f.OK || f.N != 4 {
			t.Fatalf("forecast %+v", f)
		}
		for _, c := range []struct {
			what      string
			got, want float64
		}{{"forecast", f.Value, 8485281.37423857}, {"lo", f.Lo, 7593450.872932517}, {"hi", f.Hi, 9481854.983305426}, {"growth", f.Growth, 0.430969081}} {
			near(t, c.what, &c.got, c.want)
		}
		// Drafts are not published.
		v, _, err = svc.Target(ctx, viewer, "t2017-pm-motor")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Actuals) != 1 || v.Progress.Status != plan.NoData {
			t.Errorf("a viewer sees unapproved figures: %+v", v.Actuals)
		}
		// The dashboard's map reads the same county figures; the city's own line does not
		// turn into a county.
		d, err := svc.Dashboard(ctx, planner, plan.MapQuery{Indicator: "CAP_PM_MOTOR", Industry: "NEV-MOTOR"})
		if err != nil {
			t.Fatal(err)
		}
		if d.Map.Period != "2016" || d.Map.WithData != 2 || len(d.Map.Counties) != 18 {
			t.Errorf("map: period %s, %d of %d counties", d.Map.Period, d.Map.WithData, len(d.Map.Counties))
		}
		// An unknown indicator falls back to 主营业务收入, not to an error.
		d, err = svc.Dashboard(ctx, planner, plan.MapQuery{Indicator: "NOPE", Industry: "NEV-MOTOR"})
		if err != nil || d.Map.Ind.Code != "REV" || d.Map.WithData != 0 {
			t.Errorf("fallback indicator: %s %v", d.Map.Ind.Code, err)
		}
	})
}
