package finance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/finance"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}

type fixture struct {
	db       *store.DB
	s        *finance.Service
	ids      map[string]int64
	project  int64
	otherPrj int64
}

// setup loads the default dataset, places 虔东稀土 in 章贡区 and 章源钨业 in 南康区, and adds one
// project of each (the projects module's own rows, written through its store function).
func setup(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
		t.Fatal(err)
	}
	ents, _ := db.AllEnterprises(ctx, store.EnterpriseScope{All: true})
	f := fixture{db: db, s: &finance.Service{DB: db, Now: time.Now}, ids: map[string]int64{}}
	for _, e := range ents {
		f.ids[e.NameZh] = e.ID
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for name, region := range map[string]string{"虔东稀土": "360702", "章源钨业": "360703"} {
			e, err := tx.EnterpriseByID(ctx, f.ids[name])
			if err != nil {
				return err
			}
			e.RegionCode = region
			if err := tx.UpdateEnterprise(ctx, e); err != nil {
				return err
			}
		}
		var err error
		now := time.Now()
		if f.project, err = tx.InsertProject(ctx, store.Project{NameZh: "稀土永磁扩产项目", Stage: "building", EnterpriseID: f.ids["虔东稀土"],
			RegionCode: "360702", Source: "test", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		f.otherPrj, err = tx.InsertProject(ctx, store.Project{NameZh: "硬质合金项目", Stage: "signed", EnterpriseID: f.ids["章源钨业"],
			RegionCode: "360703", Source: "test", CreatedAt: now, UpdatedAt: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	p, err := db.ListAudit(context.Background(), store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestFundsFromTheArticle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		o, err := f.s.Funds(context.Background(), planner)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Funds) != 3 || o.Funds[0].NameZh != "红石" || o.Funds[1].NameZh != "盛虔" || o.Funds[2].Status != "proposed" {
			t.Fatalf("funds: %+v", o.Funds)
		}
		for _, fd := range o.Funds {
			if fd.Size != nil || fd.Source != "article" || fd.Quote == "" {
				t.Errorf("%s: size %v (the article gives none per fund), source %q", fd.NameZh, fd.Size, fd.Source)
			}
		}
		// 41亿 is the funds' total, held once as a fact, not split between them.
		if len(o.Raised) != 1 || o.Raised[0].Value != 41_000_000 || o.Raised[0].Period != "2013" || !strings.Contains(o.Raised[0].Quote, "41亿元") {
			t.Errorf("raised: %+v", o.Raised)
		}
	})
}

func TestInvestmentsFinancingsAndBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a, b := f.ids["虔东稀土"], f.ids["章源钨业"]
		add := func(in finance.NewInvestment) store.FundInvestment {
			t.Helper()
			v, err := f.s.AddInvestment(ctx, planner, in)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		v1 := add(finance.NewInvestment{FundCode: "hongshi", Kind: "commitment", EnterpriseID: a, Amount: "1.2345", Unit: "亿元", Date: "2013-05-01", Source: "基金公告"})
		if v1.Amount != 12_345_000_000 || v1.Target != "虔东稀土" {
			t.Errorf("1.2345 亿元 = %d micro 万元, want 12345 万元", v1.Amount)
		}
		add(finance.NewInvestment{FundCode: "hongshi", Kind: "investment", ProjectID: f.project, Amount: "3000", Date: "2013-06-01", Source: "基金公告"})
		add(finance.NewInvestment{FundCode: "shengqian", Kind: "investment", EnterpriseID: b, Amount: "500", Date: "2013-07-01", Source: "基金公告"})
		add(finance.NewInvestment{FundCode: "shengqian", Kind: "investment", ProjectID: f.otherPrj, Amount: "800", Date: "2013-08-01", Source: "基金公告"})

		all, err := f.s.Investments(ctx, planner, store.InvestmentFilter{}, store.ListQuery{})
		if err != nil || all.Total != 4 {
			t.Fatalf("planner sees %d investments: %v", all.Total, err)
		}
		// An enterprise user sees investments into itself and its own projects only.
		ea := &auth.Principal{ID: 5, Username: "a", Role: auth.Enterprise, EnterpriseID: a}
		own, err := f.s.Investments(ctx, ea, store.InvestmentFilter{}, store.ListQuery{})
		if err != nil || own.Total != 2 {
			t.Fatalf("enterprise user sees %d investments: %v", own.Total, err)
		}
		for _, v := range own.Rows {
			if v.Target != "虔东稀土" && v.Target != "稀土永磁扩产项目" {
				t.Errorf("enterprise user sees an investment into %s", v.Target)
			}
		}
		// Guessing another enterprise's id: the same 404 as an id that does not exist.
		_, e1 := f.s.Investments(ctx, ea, store.InvestmentFilter{EnterpriseID: b}, store.ListQuery{})
		_, e2 := f.s.Investments(ctx, ea, store.InvestmentFilter{EnterpriseID: 99999999}, store.ListQuery{})
		if !apperr.Is(e1, apperr.NotFound) || apperr.From(e1).Key != apperr.From(e2).Key {
			t.Errorf("guessing ids: %v / %v", e1, e2)
		}
		_, e1 = f.s.Financings(ctx, ea, b, store.ListQuery{})
		if !apperr.Is(e1, apperr.NotFound) {
			t.Errorf("guessing another enterprise's financings: %v", e1)
		}
		// A county user: its region's enterprises and projects.
		cty := &auth.Principal{ID: 6, Username: "c", Role: auth.County, RegionCode: "360703"}
		cv, _ := f.s.Investments(ctx, cty, store.InvestmentFilter{}, store.ListQuery{})
		if cv.Total != 2 {
			t.Errorf("南康区 sees %d investments, want 2", cv.Total)
		}
		if _, err := f.s.AddInvestment(ctx, ea, finance.NewInvestment{FundCode: "hongshi", Kind: "investment", EnterpriseID: a, Amount: "1",
			Date: "2013-01-01", Source: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise user recording an investment: %v", err)
		}

		fin, err := f.s.AddFinancing(ctx, planner, finance.NewFinancing{EnterpriseID: a, Kind: "mtn", Amount: "5", Unit: "亿元",
			IssuedOn: "2014-03-01", MaturesOn: "2019-03-01", Source: "发行公告"})
		if err != nil || fin.Amount != 50_000_000_000 {
			t.Fatalf("financing: %+v %v", fin, err)
		}
		if _, err := f.s.AddFinancing(ctx, planner, finance.NewFinancing{EnterpriseID: b, Kind: "scf", Amount: "200", IssuedOn: "2014-04-01",
			Source: "银行"}); err != nil {
			t.Fatal(err)
		}
		mine, _ := f.s.Financings(ctx, ea, 0, store.ListQuery{})
		if mine.Total != 1 || mine.Rows[0].Kind != "mtn" {
			t.Errorf("enterprise user's financings: %+v", mine.Rows)
		}
	})
}

func TestBadFinanceInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a := f.ids["虔东稀土"]
		audits := auditCount(t, db)
		fields := func(err error) string {
			var out []string
			for _, x := range apperr.From(err).Fields {
				out = append(out, x.Name)
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			in   finance.NewInvestment
			want string
		}{
			{finance.NewInvestment{FundCode: "hongshi", Kind: "investment", EnterpriseID: a, Amount: "-100", Date: "2013-01-01", Source: "x"}, "amount"},
			{finance.NewInvestment{FundCode: "hongshi", Kind: "investment", EnterpriseID: a, Amount: "0", Date: "2013-01-01", Source: "x"}, "amount"},
			{finance.NewInvestment{FundCode: "hongshi", Kind: "investment", EnterpriseID: 99999999, Amount: "1", Date: "2013-01-01", Source: "x"}, "enterprise_id"},
			{finance.NewInvestment{FundCode: "hongshi", Kind: "investment", ProjectID: 99999999, Amount: "1", Date: "2013-01-01", Source: "x"}, "project_id"},
			{finance.NewInvestment{FundCode: "hongshi", Kind: "investment", EnterpriseID: a, ProjectID: f.project, Amount: "1", Date: "2013-01-01", Source: "x"}, "target"},
			{finance.NewInvestment{FundCode: "nope", Kind: "gift", EnterpriseID: a, Amount: "1", Unit: "美元", Date: "13/1/1"}, "fund,kind,amount,date,source"},
		} {
			_, err := f.s.AddInvestment(ctx, planner, c.in)
			if !apperr.Is(err, apperr.Invalid) || fields(err) != c.want {
				t.Errorf("%+v: %v fields %s, want %s", c.in, err, fields(err), c.want)
			}
		}
		for _, c := range []struct {
			in   finance.NewFinancing
			want string
		}{
			{finance.NewFinancing{EnterpriseID: a, Kind: "bond", Amount: "-1", IssuedOn: "2014-01-01", Source: "x"}, "amount"},
			{finance.NewFinancing{EnterpriseID: 99999999, Kind: "bond", Amount: "1", IssuedOn: "2014-01-01", Source: "x"}, "enterprise_id"},
			{finance.NewFinancing{EnterpriseID: a, Kind: "bond", Amount: "1", IssuedOn: "2014-01-01", MaturesOn: "2013-01-01", Source: "x"}, "matures_on"},
		} {
			_, err := f.s.AddFinancing(ctx, planner, c.in)
			if !apperr.Is(err, apperr.Invalid) || fields(err) != c.want {
				t.Errorf("%+v: %v fields %s, want %s", c.in, err, fields(err), c.want)
			}
		}
		inv, _ := f.s.Investments(ctx, planner, store.InvestmentFilter{}, store.ListQuery{})
		fin, _ := f.s.Financings(ctx, planner, 0, store.ListQuery{})
		if inv.Total != 0 || fin.Total != 0 || auditCount(t, db) != audits {
			t.Errorf("refused input wrote: %d investments, %d financings, audit %d → %d", inv.Total, fin.Total, audits, auditCount(t, db))
		}
	})
}

func TestListingPipeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a, b := f.ids["虔东稀土"], f.ids["章源钨业"]
		step := func(ent int64, stage, date, reason string) error {
			_, err := f.s.SetStage(ctx, planner, finance.NewStage{EnterpriseID: ent, Stage: stage, Date: date, Reason: reason, Source: "金融办"})
			return err
		}
		for _, s := range []struct{ stage, date string }{{"reserve", "2013-01-10"}, {"tutoring", "2013-06-01"}, {"filed", "2014-02-01"}} {
			if err := step(a, s.stage, s.date, ""); err != nil {
				t.Fatal(err)
			}
		}
		// Back without a reason, the same stage again, and a date before the current one are refused.
		if err := step(a, "tutoring", "2014-09-01", ""); !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields[0].Name != "reason" {
			t.Errorf("back without reason: %v", err)
		}
		if err := step(a, "filed", "2014-09-01", ""); !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields[0].Name != "stage" {
			t.Errorf("same stage: %v", err)
		}
		if err := step(a, "listed", "2013-12-31", ""); !apperr.Is(err, apperr.Invalid) || apperr.From(err).Fields[0].Name != "date" {
			t.Errorf("date before the current stage: %v", err)
		}
		if err := step(a, "tutoring", "2014-09-01", "申报材料撤回"); err != nil {
			t.Fatal(err)
		}
		if err := step(b, "reserve", "2013-03-01", ""); err != nil {
			t.Fatal(err)
		}
		pl, err := f.s.Pipelines(ctx, planner, store.ListQuery{})
		if err != nil || pl.Total != 2 {
			t.Fatalf("pipelines: %+v %v", pl, err)
		}
		qa := pl.Rows[0]
		if qa.EnterpriseID != a {
			qa = pl.Rows[1]
		}
		if qa.Current.Stage != "tutoring" || len(qa.History) != 4 || qa.History[3].Reason != "申报材料撤回" {
			t.Errorf("虔东稀土 pipeline: %+v", qa)
		}
		ea := &auth.Principal{ID: 5, Username: "a", Role: auth.Enterprise, EnterpriseID: b}
		mine, _ := f.s.Pipelines(ctx, ea, store.ListQuery{})
		if mine.Total != 1 || mine.Rows[0].EnterpriseID != b {
			t.Errorf("enterprise user's pipeline: %+v", mine)
		}
	})
}
