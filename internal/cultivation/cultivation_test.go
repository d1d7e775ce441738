package cultivation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/cultivation"
	"zhanxin/internal/dataset"
	"zhanxin/internal/i18n"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The rules are judged on real facts entered through the statistics use case into real
// SQLite and PostgreSQL databases loaded with the default dataset.

var planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}

func load(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
		t.Fatalf("load: %v", err)
	}
	ents, err := db.AllEnterprises(ctx, store.EnterpriseScope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, e := range ents {
		ids[e.NameZh] = e.ID
	}
	return ids
}

func svc(db *store.DB) *cultivation.Service {
	return &cultivation.Service{DB: db, Now: func() time.Time { return time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC) }}
}

// enter records an enterprise's 主营业务收入; the article's enterprises have no county, so
// the test places them in 章贡区 first (a figure needs a region).
func enter(t *testing.T, db *store.DB, ent int64, region, industry, period, value, unit string) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		e, err := tx.EnterpriseByID(ctx, ent)
		if err != nil || e.RegionCode == region {
			return err
		}
		e.RegionCode = region
		return tx.UpdateEnterprise(ctx, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&stats.Service{DB: db, Now: time.Now}).Enter(context.Background(), auth.CLI("test"), stats.Input{Indicator: "REV",
		Region: region, Industry: industry, EnterpriseID: ent, Period: period, Value: value, Unit: unit, Source: "企业年报"})
	if err != nil {
		t.Fatalf("enter %s %s: %v", period, value, err)
	}
}

func classOf(t *testing.T, ev cultivation.Evaluation, code string) cultivation.ClassResult {
	t.Helper()
	for _, c := range ev.Classes {
		if c.Class.Code == code {
			return c
		}
	}
	t.Fatalf("class %s not evaluated", code)
	return cultivation.ClassResult{}
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	p, err := db.ListAudit(context.Background(), store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestDefaultClassesAndDesignations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ids := load(t, db)
		ctx := context.Background()
		ev, err := svc(db).Evaluate(ctx, planner, ids["虔东稀土"])
		if err != nil {
			t.Fatal(err)
		}
		// The 8 of the issue, and 鼓励类产业企业 on which the 15% income tax depends.
		if len(ev.Classes) != 9 {
			t.Fatalf("%d classes, want 9", len(ev.Classes))
		}
		lead := classOf(t, ev, "leader")
		if lead.State != cultivation.Qualifies || lead.Criteria[0].Designation == nil ||
			!strings.Contains(lead.Criteria[0].Designation.Quote, "龙头企业虔东稀土") || lead.Criteria[0].Designation.Source != "article" {
			t.Errorf("虔东稀土 as 龙头: %+v", lead)
		}
		// 规上 ships without a rule: no threshold is citable from the material on the machine.
		if c := classOf(t, ev, "above_scale"); c.State != cultivation.NoRules || len(c.Criteria) != 0 {
			t.Errorf("规上 = %+v, want no rules", c)
		}
		if c := classOf(t, ev, "chain_leader"); c.State != cultivation.NotQualify || c.Criteria[0].LeaderLinks != 0 {
			t.Errorf("链主 without a link = %+v", c)
		}
		// 孚能科技 is not called a 龙头 by the article.
		ev2, err := svc(db).Evaluate(ctx, planner, ids["孚能科技"])
		if err != nil {
			t.Fatal(err)
		}
		if c := classOf(t, ev2, "leader"); c.State != cultivation.NotQualify || c.Criteria[0].State != cultivation.Fail {
			t.Errorf("孚能科技 as 龙头 = %+v", c)
		}
		// Becoming the 链主 of a link makes it one, through the chain module's own table.
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertChain(ctx, store.Chain{Code: "T", NameZh: "测试链", IndustryCode: "RE", Source: "test"}); err != nil {
				return err
			}
			l, err := tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "T", Code: "a", NameZh: "环节", IndustryCode: "RE", Source: "test"})
			if err != nil {
				return err
			}
			return tx.PlaceEnterprise(ctx, l, ids["孚能科技"], true, "")
		})
		if err != nil {
			t.Fatal(err)
		}
		ev2, _ = svc(db).Evaluate(ctx, planner, ids["孚能科技"])
		if c := classOf(t, ev2, "chain_leader"); c.State != cultivation.Qualifies || c.Criteria[0].LeaderLinks != 1 {
			t.Errorf("链主 after placing = %+v", c)
		}
		// Loading again changes nothing and does not bring back a deleted default rule.
		cat, _ := svc(db).Classes(ctx, planner)
		before := len(cat.Classes[1].Criteria)
		if err := svc(db).DeleteCriterion(ctx, planner, cat.Classes[1].Criteria[0].ID); err != nil {
			t.Fatal(err)
		}
		sum, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default())
		if err != nil || sum.Created != 0 || sum.Updated != 0 {
			t.Fatalf("reload: %+v %v", sum, err)
		}
		cat, _ = svc(db).Classes(ctx, planner)
		if len(cat.Classes[1].Criteria) != before-1 {
			t.Errorf("reload restored a deleted rule: %d criteria", len(cat.Classes[1].Criteria))
		}
	})
}

func TestIndicatorRuleSaysWhy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ids := load(t, db)
		ctx := context.Background()
		s := svc(db)
		// 2000 万元 written against REV, whose unit is 亿元: stored exactly as 0.2 亿元.
		c, err := s.AddCriterion(ctx, planner, cultivation.NewCriterion{Class: "above_scale", Kind: "indicator", Indicator: "REV",
			Comparison: ">=", Threshold: "2000", Unit: "万元", Source: "测试口径"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Threshold != 200_000 {
			t.Fatalf("threshold = %d micro 亿元, want 200000 (0.2 亿元)", c.Threshold)
		}
		qd, zy, zr := ids["虔东稀土"], ids["章源钨业"], ids["中瑞科技"]
		// 虔东稀土 reports in two industries: 0.15 + 0.2 = 0.35 亿元 in 2013; an older year is ignored.
		enter(t, db, qd, "360702", "RE-SMELT", "2013", "0.15", "")
		enter(t, db, qd, "360702", "RE-PM", "2013", "2000", "万元")
		enter(t, db, qd, "360702", "RE-SMELT", "2012", "0.01", "")
		enter(t, db, zr, "360702", "RE-SMELT", "2013", "1999", "万元")

		ev, err := s.Evaluate(ctx, planner, qd)
		if err != nil {
			t.Fatal(err)
		}
		got := classOf(t, ev, "above_scale")
		cr := got.Criteria[0]
		if got.State != cultivation.Qualifies || cr.State != cultivation.Pass || cr.Value != 350_000 || cr.Period != "2013" ||
			cr.Rows != 2 || cr.Source != "企业年报" {
			t.Errorf("虔东稀土: %+v", got)
		}
		ev, _ = s.Evaluate(ctx, planner, zr)
		if cr := classOf(t, ev, "above_scale").Criteria[0]; cr.State != cultivation.Fail || cr.Value != 199_900 {
			t.Errorf("中瑞科技 0.1999 亿元: %+v", cr)
		}
		ev, _ = s.Evaluate(ctx, planner, zy)
		if got := classOf(t, ev, "above_scale"); got.State != cultivation.Undecided || got.Criteria[0].State != cultivation.NoData {
			t.Errorf("章源钨业 without data: %+v", got)
		}
		// A rule for a named period reads that period only.
		if _, err := s.AddCriterion(ctx, planner, cultivation.NewCriterion{Class: "above_scale", Kind: "indicator", Indicator: "REV",
			Comparison: ">", Threshold: "0.05", Period: "2012"}); err != nil {
			t.Fatal(err)
		}
		ev, _ = s.Evaluate(ctx, planner, qd)
		got = classOf(t, ev, "above_scale")
		if got.State != cultivation.NotQualify || got.Criteria[1].State != cultivation.Fail || got.Criteria[1].Value != 10_000 {
			t.Errorf("all of (2013 ≥ 0.2, 2012 > 0.05): %+v", got)
		}
		if err := s.SetCombine(ctx, planner, "above_scale", "any"); err != nil {
			t.Fatal(err)
		}
		ev, _ = s.Evaluate(ctx, planner, qd)
		if got := classOf(t, ev, "above_scale"); got.State != cultivation.Qualifies {
			t.Errorf("any of: %+v", got)
		}
		// The register judges every enterprise at once, the same way.
		_, page, _, err := s.Register(ctx, planner, "above_scale", cultivation.RegisterFilter{Qualified: true}, store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.Rows[0].Enterprise.ID != qd {
			t.Errorf("qualified register: %+v", page)
		}
	})
}

// TestMissingIndicatorRefused: a rule naming an indicator that does not exist gets a clear
// error in both languages, names the field, and writes nothing.
func TestBadRulesRefused(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		ctx := context.Background()
		s := svc(db)
		before, audits := criteriaCount(t, s), auditCount(t, db)
		cases := []struct {
			in     cultivation.NewCriterion
			code   string
			fields []string
		}{
			{cultivation.NewCriterion{Class: "above_scale", Kind: "indicator", Indicator: "NO_SUCH", Comparison: ">=", Threshold: "1"},
				"unknown_indicator", []string{"indicator"}},
			{cultivation.NewCriterion{Class: "above_scale", Kind: "indicator", Indicator: "REV", Comparison: "≈", Threshold: "abc", Period: "2013Q5"},
				"invalid_criterion", []string{"comparison", "threshold", "period"}},
			{cultivation.NewCriterion{Class: "above_scale", Kind: "indicator", Indicator: "REV", Comparison: ">=", Threshold: "1", Unit: "吨"},
				"invalid_criterion", []string{"threshold"}},
			{cultivation.NewCriterion{Class: "above_scale", Kind: "guess"}, "invalid_criterion", []string{"kind"}},
		}
		for _, c := range cases {
			_, err := s.AddCriterion(ctx, planner, c.in)
			e := apperr.From(err)
			if e.Kind != apperr.Invalid || e.Code != c.code {
				t.Errorf("%+v: %v, want %s", c.in, err, c.code)
				continue
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Name)
			}
			if strings.Join(fields, ",") != strings.Join(c.fields, ",") {
				t.Errorf("%+v: fields %v, want %v", c.in, fields, c.fields)
			}
			zh, en := cat.T(i18n.Zh, e.Fields[0].Key, e.Fields[0].Args...), cat.T(i18n.En, e.Fields[0].Key, e.Fields[0].Args...)
			if strings.HasPrefix(zh, "[") || strings.HasPrefix(en, "[") || zh == en {
				t.Errorf("%s: messages zh %q en %q", c.code, zh, en)
			}
			if c.code == "unknown_indicator" && (!strings.Contains(zh, "NO_SUCH") || !strings.Contains(en, "NO_SUCH") || !strings.Contains(zh, "指标目录")) {
				t.Errorf("missing indicator: zh %q en %q", zh, en)
			}
		}
		if _, err := s.AddCriterion(ctx, planner, cultivation.NewCriterion{Class: "nope", Kind: "designated"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown class: %v", err)
		}
		if err := s.SetCombine(ctx, planner, "leader", "most"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("combine most: %v", err)
		}
		if _, err := s.AddCriterion(ctx, &auth.Principal{ID: 9, Username: "c", Role: auth.County, RegionCode: "360702"},
			cultivation.NewCriterion{Class: "leader", Kind: "designated"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county adding a rule: %v", err)
		}
		if n := criteriaCount(t, s); n != before {
			t.Errorf("criteria %d → %d after refused input", before, n)
		}
		if n := auditCount(t, db); n != audits {
			t.Errorf("audit %d → %d after refused input", audits, n)
		}
	})
}

func criteriaCount(t *testing.T, s *cultivation.Service) int {
	t.Helper()
	c, err := s.Classes(context.Background(), planner)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range c.Classes {
		n += len(k.Criteria)
	}
	return n
}
