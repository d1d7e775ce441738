package plan_test

import (
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

// TestShareOfGDPIsDerivedNotStored: the 2020 target (value added ≥ 25% of GDP) on the
// default dataset, with strategic emerging industries' value added entered for 2018–2020.
// Each year with both inputs gets a share derived from them (GDP is the dataset's G1
// series, under the whole economy), labelled derived with both inputs and their sources;
// a lower bound in the numerator gives a lower bound; a reported share of the same year
// wins over the derivation; nothing derived is written to the database; the share of
// above-scale industrial value added stays apart; and a viewer, who sees approved figures
// only, gets no share derived from a draft.
func TestShareOfGDPIsDerivedNotStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		st := &stats.Service{DB: db, Now: time.Now}
		for _, in := range []stats.Input{
			{Indicator: "VA", Region: "360700", Industry: "SEI", Period: "2018", Value: "400"},
			{Indicator: "VA", Region: "360700", Industry: "SEI", Period: "2019", Value: "500", Qualifier: "over"},
			{Indicator: "VA", Region: "360700", Industry: "SEI", Period: "2020", Value: "700"},
			{Indicator: "VA_SHARE_GDP", Region: "360700", Industry: "SEI", Period: "2020", Value: "20"},
		} {
			in.Source = "测试公报"
			if _, err := st.Enter(ctx, planner, in); err != nil {
				t.Fatalf("enter %+v: %v", in, err)
			}
		}
		stored, err := db.ListFacts(ctx, store.FactFilter{Indicator: "VA_SHARE_GDP", Scope: store.FactScope{All: true}}, store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		svc := &plan.Service{DB: db}
		v, _, err := svc.Target(ctx, planner, "t2020-va-gdp")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Actuals) != 3 {
			t.Fatalf("actuals %+v, want 2018 and 2019 derived, 2020 reported", v.Actuals)
		}
		d18, d19, r20 := v.Actuals[0], v.Actuals[1], v.Actuals[2]
		if d18.Year != 2018 || d18.Origin != plan.OriginDerived || d18.Derived == nil || d18.Qualifier != "" ||
			math.Abs(d18.Value-400/3170.28*100) > 1e-9 {
			t.Errorf("2018: %+v, want 400 ÷ 3170.28 × 100 derived", d18)
		}
		if d := d18.Derived; d == nil || d.NumIndicator != "VA" || d.NumIndustry != "SEI" || d.DenIndicator != "GDP" || d.DenIndustry != "ALL" ||
			d.Num.Source != "测试公报" || d.Den.Source != "G1" || d.Den.Micro != 3_170_280_000 {
			t.Errorf("2018 inputs: %+v", d)
		}
		if d19.Year != 2019 || d19.Origin != plan.OriginDerived || d19.Qualifier != "over" || math.Abs(d19.Value-500/3466.05*100) > 1e-9 {
			t.Errorf("2019: %+v, want a lower bound 500 ÷ 3466.05 × 100", d19)
		}
		if r20.Year != 2020 || r20.Origin != "fact" || r20.Value != 20 || r20.Derived != nil {
			t.Errorf("2020: %+v, want the reported 20%%", r20)
		}
		if len(stored.Rows) != 1 || stored.Rows[0].Period != "2020" {
			t.Fatalf("derived shares were stored: %+v", stored.Rows)
		}
		// 20% in the target year against ≥ 25%: missed. The share of above-scale
		// industrial value added is not part of it.
		if v.Progress.Status != plan.Missed || v.Progress.Latest.Year != 2020 {
			t.Errorf("progress %+v", v.Progress)
		}
		for _, p := range v.Actuals {
			if p.Value == 29.3 || p.Value == 37.6 {
				t.Errorf("a share of above-scale industry among the actuals: %+v", p)
			}
		}
		if v.OtherInd.Code != "VA_SHARE_IND" || len(v.Other) != 2 {
			t.Errorf("other basis: %s %+v", v.OtherInd.Code, v.Other)
		}
		// The viewer: the entered figures are drafts, so nothing is derived or shown.
		vv, _, err := svc.Target(ctx, viewer, "t2020-va-gdp")
		if err != nil {
			t.Fatal(err)
		}
		if len(vv.Actuals) != 0 {
			t.Fatalf("viewer sees %+v", vv.Actuals)
		}
	})
}
