package project_test

import (
	"context"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/project"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

var (
	planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}
	viewer  = &auth.Principal{ID: 2, Username: "viewer", Role: auth.Viewer}
)

type fixture struct {
	db    *store.DB
	svc   *project.Service
	now   time.Time
	link  int64
	entA  int64
	entB  int64
	clock *time.Time
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, now: time.Date(2014, 3, 1, 9, 0, 0, 0, time.UTC)}
	clock := f.now
	f.clock = &clock
	f.svc = &project.Service{DB: db, Now: func() time.Time { return *f.clock }, StallDays: 90}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertChain(ctx, store.Chain{Code: "re", NameZh: "稀土产业链", IndustryCode: "RE", Acyclic: true, Source: "t"}); err != nil {
			return err
		}
		var err error
		if f.link, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "re", Code: "pm", NameZh: "永磁材料", IndustryCode: "RE", Stage: 5, Source: "t"}); err != nil {
			return err
		}
		if f.entA, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "甲磁材", RegionCode: "360704", Source: "t", CreatedAt: f.now}); err != nil {
			return err
		}
		f.entB, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "乙电机", RegionCode: "360702", Source: "t", CreatedAt: f.now})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) input(name string, ent int64, region string) project.Input {
	return project.Input{NameZh: name, IndustryCode: "RE", LinkID: f.link, RegionCode: region, ParkCode: "base:ganxian-wre",
		EnterpriseID: ent, Unit: "亿元", InvestPlanned: "13.5", InvestCompleted: "0.0001", StartPlanned: "2014-01-01",
		FinishPlanned: "2015-12-31", JobsPlanned: 300, Support: "用地指标 120 亩", Source: "test",
		Years: []project.YearInput{{Year: 2014, Planned: "5", Completed: "0.0001"}, {Year: 2015, Planned: "8.5"}}}
}

func (f *fixture) create(t *testing.T, in project.Input) int64 {
	t.Helper()
	id, err := f.svc.Create(ctx, planner, in)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func counts(t *testing.T, db *store.DB) (projects, audits int) {
	t.Helper()
	p, err := db.ListProjects(ctx, store.ProjectFilter{Scope: store.ProjectScope{All: true}}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total, a.Total
}

func TestCreateProjectKeepsMoneyExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		id := f.create(t, f.input("年产5000吨钕铁硼项目", f.entA, "360704"))
		d, err := f.svc.Get(ctx, planner, id)
		if err != nil {
			t.Fatal(err)
		}
		p := d.Project
		// 13.5 亿元 = 135000 万元 and 0.0001 亿元 = 1 万元, in millionths of 万元.
		if p.InvestPlanned != 135_000_000_000 || p.InvestCompleted != 1_000_000 {
			t.Fatalf("investment %d / %d millionths of 万元", p.InvestPlanned, p.InvestCompleted)
		}
		if len(d.Years) != 2 || d.Years[0].Planned != 50_000_000_000 || d.Years[1].Planned != 85_000_000_000 || d.Years[0].Completed != 1_000_000 {
			t.Fatalf("years %+v", d.Years)
		}
		if p.Stage != "planning" || p.ParkName != "赣县钨和稀土产业配套基地" || p.EnterpriseName != "甲磁材" || p.LinkName != "永磁材料" ||
			p.JobsPlanned != 300 || p.Support != "用地指标 120 亩" || p.FinishPlanned != "2015-12-31" {
			t.Fatalf("project %+v", p)
		}
		if len(d.Log) != 1 || d.Log[0].To != "planning" || d.Log[0].Actor != "planner" {
			t.Fatalf("stage log %+v", d.Log)
		}
		a, err := db.ListAudit(ctx, store.AuditFilter{Entity: "project"}, store.ListQuery{})
		if err != nil || a.Total != 1 || a.Rows[0].Action != "project.create" {
			t.Fatalf("audit %+v %v", a, err)
		}
	})
}

// Every refusal names its field, and writes neither the project nor an audit entry.
func TestProjectBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		id := f.create(t, f.input("已有项目", f.entA, "360704"))
		if err := f.svc.Move(ctx, planner, id, "signed", ""); err != nil {
			t.Fatal(err)
		}
		projects, audits := counts(t, db)
		bad := map[string]struct {
			field string
			in    func(project.Input) project.Input
		}{
			"negative investment": {"invest_planned", func(in project.Input) project.Input { in.InvestPlanned = "-1"; return in }},
			"negative annual":     {"years[1].completed", func(in project.Input) project.Input { in.Years[1].Completed = "-0.5"; return in }},
			"unknown park":        {"park_code", func(in project.Input) project.Input { in.ParkCode = "park:nowhere"; return in }},
			"unknown region":      {"region_code", func(in project.Input) project.Input { in.RegionCode = "369999"; return in }},
			"unknown link":        {"link_id", func(in project.Input) project.Input { in.LinkID = 987654; return in }},
			"unknown industry":    {"industry_code", func(in project.Input) project.Input { in.IndustryCode = "NOPE"; return in }},
			"unknown enterprise":  {"enterprise_id", func(in project.Input) project.Input { in.EnterpriseID = 987654; return in }},
			"unknown unit":        {"unit", func(in project.Input) project.Input { in.Unit = "美元"; return in }},
			"not a number":        {"invest_completed", func(in project.Input) project.Input { in.InvestCompleted = "十亿"; return in }},
			"bad date":            {"finish_planned", func(in project.Input) project.Input { in.FinishPlanned = "2015-02-30"; return in }},
			"finish before start": {"finish_planned", func(in project.Input) project.Input { in.FinishPlanned = "2013-12-31"; return in }},
			"negative jobs":       {"jobs_planned", func(in project.Input) project.Input { in.JobsPlanned = -3; return in }},
			"no name":             {"name_zh", func(in project.Input) project.Input { in.NameZh = " "; return in }},
			"no source":           {"source", func(in project.Input) project.Input { in.Source = ""; return in }},
			"unknown stage":       {"stage", func(in project.Input) project.Input { in.Stage = "dreaming"; return in }},
		}
		for name, c := range bad {
			_, err := f.svc.Create(ctx, planner, c.in(f.input("新项目", f.entA, "360704")))
			e := apperr.From(err)
			if e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != c.field {
				t.Errorf("%s: %v %+v, want Invalid naming %s", name, err, e.Fields, c.field)
			}
			if c.field == "stage" {
				continue // an update never sets the stage
			}
			err = f.svc.Update(ctx, planner, id, c.in(f.input("改名", f.entA, "360704")))
			if e := apperr.From(err); e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != c.field {
				t.Errorf("%s on update: %v %+v", name, err, e.Fields)
			}
		}
		// Backwards without a reason: refused, naming the reason field.
		err := f.svc.Move(ctx, planner, id, "planning", "  ")
		if e := apperr.From(err); e.Kind != apperr.Invalid || e.Code != "backwards_without_reason" || len(e.Fields) != 1 || e.Fields[0].Name != "reason" {
			t.Fatalf("backwards without reason: %v %+v", err, e.Fields)
		}
		if err := f.svc.Move(ctx, planner, id, "signed", ""); apperr.From(err).Code != "same_stage" {
			t.Fatalf("a move to the same stage: %v", err)
		}
		if p, a := counts(t, db); p != projects || a != audits {
			t.Fatalf("refusals wrote: projects %d→%d, audit %d→%d", projects, p, audits, a)
		}
		d, _ := f.svc.Get(ctx, planner, id)
		if d.Project.Stage != "signed" || d.Project.NameZh != "已有项目" || len(d.Log) != 2 || d.Project.InvestPlanned != 135_000_000_000 {
			t.Fatalf("the project changed: %+v, log %+v", d.Project, d.Log)
		}
		// With a reason the same move goes through, and the log keeps the reason.
		if err := f.svc.Move(ctx, planner, id, "planning", "投资方撤回签约，重新谋划"); err != nil {
			t.Fatal(err)
		}
		d, _ = f.svc.Get(ctx, planner, id)
		if last := d.Log[len(d.Log)-1]; d.Project.Stage != "planning" || last.From != "signed" || last.Reason != "投资方撤回签约，重新谋划" {
			t.Fatalf("after the backwards move: %+v %+v", d.Project.Stage, last)
		}
		if err := f.svc.Move(ctx, viewer, id, "signed", ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer moved a project: %v", err)
		}
	})
}

func TestBlockersOverdueAndStalled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		in := f.input("项目A", f.entA, "360704")
		in.FinishPlanned = ""
		a := f.create(t, in)
		b := f.create(t, in)
		bid, err := f.svc.AddBlocker(ctx, planner, a, project.BlockerInput{Kind: "land", Description: "用地指标未落实", Owner: "市自然资源局", DueDate: "2014-03-15"})
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			field string
			in    project.BlockerInput
		}{
			"kind":  {"kind", project.BlockerInput{Kind: "weather", Description: "x", Owner: "y", DueDate: "2014-03-15"}},
			"owner": {"owner", project.BlockerInput{Kind: "finance", Description: "x", DueDate: "2014-03-15"}},
			"due":   {"due_date", project.BlockerInput{Kind: "finance", Description: "x", Owner: "y", DueDate: "15/03/2014"}},
		} {
			if _, err := f.svc.AddBlocker(ctx, planner, a, c.in); apperr.From(err).Kind != apperr.Invalid || apperr.From(err).Fields[0].Name != c.field {
				t.Errorf("blocker without a good %s: %v", name, err)
			}
		}
		flagged := func(flag string) []int64 {
			p, err := f.svc.List(ctx, planner, project.Filter{Flag: flag}, store.ListQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range p.Rows {
				ids = append(ids, r.ID)
			}
			return ids
		}
		if got := flagged("overdue"); len(got) != 0 {
			t.Fatalf("overdue before the due date: %v", got)
		}
		*f.clock = f.now.AddDate(0, 0, 20) // 2014-03-21: the blocker is 6 days late
		if got := flagged("overdue"); len(got) != 1 || got[0] != a {
			t.Fatalf("overdue: %v, want [%d]", got, a)
		}
		d, _ := f.svc.Get(ctx, planner, a)
		if !d.Flags.Overdue || d.Flags.OverdueReasons[0] != "blocker" || d.Flags.Stalled {
			t.Fatalf("flags %+v", d.Flags)
		}
		if err := f.svc.CloseBlocker(ctx, planner, b, bid, "resolved", "x"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("closing a blocker through another project: %v", err)
		}
		if err := f.svc.CloseBlocker(ctx, planner, a, bid, "resolved", ""); apperr.From(err).Fields[0].Name != "resolution" {
			t.Fatalf("closing without a resolution: %v", err)
		}
		if err := f.svc.CloseBlocker(ctx, planner, a, bid, "resolved", "市里调剂用地指标"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.CloseBlocker(ctx, planner, a, bid, "closed", "again"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("closing twice: %v", err)
		}
		if got := flagged("overdue"); len(got) != 0 {
			t.Fatalf("overdue after the blocker was resolved: %v", got)
		}
		au, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "project_blocker"}, store.ListQuery{})
		if au.Total != 2 || au.Rows[0].Action != "project.blocker.resolved" && au.Rows[1].Action != "project.blocker.resolved" {
			t.Fatalf("blocker audit %+v", au.Rows)
		}
		// A planned finish passed before 投产 is overdue as well.
		in.FinishPlanned = "2014-03-01"
		late := f.create(t, in)
		if got := flagged("overdue"); len(got) != 1 || got[0] != late {
			t.Fatalf("overdue by finish: %v, want [%d]", got, late)
		}
		// Stalled: 90 days without a stage move; a move clears it.
		*f.clock = f.now.AddDate(0, 0, 91)
		if got := flagged("stalled"); len(got) != 2 {
			t.Fatalf("stalled after 91 days: %v, want a and b", got)
		}
		if err := f.svc.Move(ctx, planner, a, "signed", ""); err != nil {
			t.Fatal(err)
		}
		if got := flagged("stalled"); len(got) != 1 || got[0] != b {
			t.Fatalf("stalled after a moved: %v, want [%d]", got, b)
		}
		if _, err := f.svc.List(ctx, planner, project.Filter{Flag: "late"}, store.ListQuery{}); apperr.From(err).Fields[0].Name != "flag" {
			t.Fatalf("unknown flag: %v", err)
		}
	})
}

// An enterprise user sees its own enterprise's projects only, and another enterprise's
// project id answers exactly like one that does not exist; a county user sees its region's.
func TestProjectScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		mine := f.create(t, f.input("甲的项目", f.entA, "360704"))
		theirs := f.create(t, f.input("乙的项目", f.entB, "360702"))
		entA := &auth.Principal{ID: 5, Username: "a", Role: auth.Enterprise, EnterpriseID: f.entA}
		list, err := f.svc.List(ctx, entA, project.Filter{}, store.ListQuery{})
		if err != nil || list.Total != 1 || list.Rows[0].ID != mine {
			t.Fatalf("enterprise list: %+v %v", list, err)
		}
		_, errTheirs := f.svc.Get(ctx, entA, theirs)
		_, errNone := f.svc.Get(ctx, entA, 999999)
		if !apperr.Is(errTheirs, apperr.NotFound) || apperr.From(errTheirs).Key != apperr.From(errNone).Key {
			t.Fatalf("guessing another enterprise's id: %v (none: %v)", errTheirs, errNone)
		}
		county := &auth.Principal{ID: 6, Username: "c", Role: auth.County, RegionCode: "360702"}
		list, err = f.svc.List(ctx, county, project.Filter{}, store.ListQuery{})
		if err != nil || list.Total != 1 || list.Rows[0].ID != theirs {
			t.Fatalf("county list: %+v %v", list, err)
		}
		if _, err := f.svc.Get(ctx, county, mine); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("county reads another county's project: %v", err)
		}
		// The free-text filter finds a project by its investor's name, within the scope.
		if l, err := f.svc.List(ctx, planner, project.Filter{}, store.ListQuery{Filter: "乙电"}); err != nil || l.Total != 1 || l.Rows[0].ID != theirs {
			t.Fatalf("filter by investor: %+v %v", l, err)
		}
		if l, err := f.svc.List(ctx, entA, project.Filter{}, store.ListQuery{Filter: "乙电"}); err != nil || l.Total != 0 {
			t.Fatalf("an enterprise user's filter finds another's project: %+v %v", l, err)
		}
		if _, err := f.svc.List(ctx, viewer, project.Filter{}, store.ListQuery{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer lists projects: %v", err)
		}
		if _, err := f.svc.Create(ctx, entA, f.input("自报项目", f.entA, "360704")); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise user creates a project: %v", err)
		}
	})
}
