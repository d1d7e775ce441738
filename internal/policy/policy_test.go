package policy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/cultivation"
	"zhanxin/internal/dataset"
	"zhanxin/internal/policy"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}

// The 15% income tax for encouraged industries, judged on real facts: eligibility by the
// class rules, the benefit (25% − 15%) × profit computed exactly from the facts.
func TestIncomeTaxInstrument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		s := &policy.Service{DB: db, Now: time.Now}
		cat, err := s.Documents(ctx, &auth.Principal{Role: auth.Viewer})
		if err != nil {
			t.Fatal(err)
		}
		if len(cat.Documents) != 3 || cat.Documents[1].DocNumber != "工信部规〔2013〕69号" || cat.Documents[1].Areas == nil || *cat.Documents[1].Areas != 19 ||
			cat.Documents[0].Issued != "2012-06" || !strings.Contains(cat.Documents[2].TitleZh, "新能源汽车及配套产业招商引资项目优惠政策") {
			t.Fatalf("documents: %+v", cat.Documents)
		}
		in := cat.Instruments[0]
		if in.Code != "cit_15" || *in.StandardRate != 25_000_000 || *in.ReducedRate != 15_000_000 || in.EligibilityClass != "encouraged" ||
			!strings.Contains(in.Quote, "减按15%的税率征收企业所得税") {
			t.Fatalf("instrument: %+v", in)
		}

		ents, _ := db.AllEnterprises(ctx, store.EnterpriseScope{All: true})
		ids := map[string]int64{}
		for _, e := range ents {
			ids[e.NameZh] = e.ID
		}
		a, b := ids["虔东稀土"], ids["章源钨业"]
		err = db.Write(ctx, func(tx *store.Tx) error {
			for _, id := range []int64{a, b} {
				e, err := tx.EnterpriseByID(ctx, id)
				if err != nil {
					return err
				}
				e.RegionCode = "360702"
				if err := tx.UpdateEnterprise(ctx, e); err != nil {
					return err
				}
			}
			return tx.UpsertDesignation(ctx, store.Designation{EnterpriseID: a, ClassCode: "encouraged", Period: "2013", Source: "税务部门确认书"})
		})
		if err != nil {
			t.Fatal(err)
		}
		st := &stats.Service{DB: db, Now: time.Now}
		for _, f := range []stats.Input{
			{Indicator: "PROFIT", Region: "360702", Industry: "RE-SMELT", EnterpriseID: a, Period: "2012", Value: "1", Source: "年报"},
			{Indicator: "PROFIT", Region: "360702", Industry: "RE-SMELT", EnterpriseID: a, Period: "2013", Value: "2.3456", Source: "年报"},
			{Indicator: "PROFIT", Region: "360702", Industry: "RE-PM", EnterpriseID: a, Period: "2013", Value: "1234", Unit: "万元", Source: "年报"},
		} {
			if _, err := st.Enter(ctx, auth.CLI("test"), f); err != nil {
				t.Fatal(err)
			}
		}
		e, bs, err := s.ForEnterprise(ctx, planner, a)
		if err != nil || e.ID != a || len(bs) != 1 {
			t.Fatalf("for 虔东稀土: %v %+v", err, bs)
		}
		est := bs[0].Estimate
		// (25% − 15%) × (2.3456 + 0.1234) 亿元 = 0.2469 亿元, exactly.
		if bs[0].Eligibility.State != cultivation.Qualifies || !est.OK || est.Base != 2_469_000 || est.BasePeriod != "2013" ||
			est.Value != 246_900 || est.Unit != "亿元" || est.BaseSource != "年报" {
			t.Errorf("benefit: %+v %+v", bs[0].Eligibility, est)
		}
		_, bs, _ = s.ForEnterprise(ctx, planner, b)
		if bs[0].Eligibility.State != cultivation.NotQualify || bs[0].Estimate.OK || bs[0].Estimate.Missing != "base_value" {
			t.Errorf("章源钨业: %+v", bs[0])
		}
		_, page, err := s.ForInstrument(ctx, planner, "cit_15", store.ListQuery{Sort: "benefit", Desc: true})
		if err != nil || page.Total != 17 || page.Rows[0].Enterprise.ID != a {
			t.Errorf("per instrument: %d rows, first %+v, %v", page.Total, page.Rows[0].Enterprise, err)
		}
		// An enterprise user sees its own line only; another's is not found.
		eb := &auth.Principal{ID: 7, Username: "b", Role: auth.Enterprise, EnterpriseID: b}
		if _, _, err := s.ForEnterprise(ctx, eb, a); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("enterprise user reading another's benefits: %v", err)
		}
		_, page, _ = s.ForInstrument(ctx, eb, "cit_15", store.ListQuery{})
		if page.Total != 1 || page.Rows[0].Enterprise.ID != b {
			t.Errorf("enterprise user's instrument list: %+v", page)
		}
		if _, _, err := s.ForInstrument(ctx, planner, "nope", store.ListQuery{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown instrument: %v", err)
		}
		if _, _, err := s.ForEnterprise(ctx, &auth.Principal{Role: auth.Viewer}, a); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer reading an enterprise's benefits: %v", err)
		}
	})
}
