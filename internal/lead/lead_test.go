package lead_test

import (
	"context"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/lead"
	"zhanxin/internal/project"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

var planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}

type fixture struct {
	svc   *lead.Service
	link  int64
	local int64 // an enterprise registered in 赣县区
	now   time.Time
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
		t.Fatal(err)
	}
	f := &fixture{now: time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC)}
	f.svc = &lead.Service{DB: db, Now: func() time.Time { return f.now }}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertChain(ctx, store.Chain{Code: "nev", NameZh: "新能源汽车产业链", IndustryCode: "NEV", Acyclic: true, Source: "t"}); err != nil {
			return err
		}
		var err error
		if f.link, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "nev", Code: "ctrl", NameZh: "电控", IndustryCode: "NEV-CTRL", Stage: 2, Source: "t"}); err != nil {
			return err
		}
		f.local, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "赣县本地电控厂", USCC: "91360721MA35XXXX09", RegionCode: "360704", Source: "t", CreatedAt: f.now})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

func rows(t *testing.T, db *store.DB) (leads, projects, enterprises, audits int) {
	t.Helper()
	l, _ := db.ListLeads(ctx, "", store.ListQuery{Limit: 1})
	p, _ := db.ListProjects(ctx, store.ProjectFilter{Scope: store.ProjectScope{All: true}}, store.ListQuery{Limit: 1})
	e, _ := db.ListEnterprises(ctx, store.EnterpriseScope{All: true}, store.ListQuery{Limit: 1})
	a, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	return l.Total, p.Total, e.Total, a.Total
}

func TestLeadForAnEnterpriseAlreadyInTheRegionIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		before := [4]int{}
		before[0], before[1], before[2], before[3] = rows(t, db)
		for name, c := range map[string]struct {
			field, key string
			in         lead.Input
		}{
			"registered in a county of the city": {"target_name", "lead.err.in_region", lead.Input{TargetName: "赣县本地电控厂", LinkID: f.link, RegionCode: "360700"}},
			"same code under another name":       {"target_uscc", "lead.err.in_region", lead.Input{TargetName: "某电控", TargetUSCC: "91360721MA35XXXX09", LinkID: f.link, RegionCode: "360700"}},
			"unknown link":                       {"link_id", "project.err.link", lead.Input{TargetName: "外地电控", LinkID: 98765, RegionCode: "360700"}},
			"no link":                            {"link_id", "lead.err.link_required", lead.Input{TargetName: "外地电控", RegionCode: "360700"}},
			"unknown region":                     {"region_code", "project.err.region", lead.Input{TargetName: "外地电控", LinkID: f.link, RegionCode: "440399"}},
			"unknown park":                       {"park_code", "project.err.park", lead.Input{TargetName: "外地电控", LinkID: f.link, RegionCode: "360700", ParkCode: "park:nope"}},
			"bad USCC":                           {"target_uscc", "err.uscc.check", lead.Input{TargetName: "外地电控", TargetUSCC: "91440300MA5DXXXXX1", LinkID: f.link, RegionCode: "360700"}},
		} {
			_, err := f.svc.Create(ctx, planner, c.in)
			e := apperr.From(err)
			if e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != c.field || e.Fields[0].Key != c.key {
				t.Errorf("%s: %v %+v, want %s on %s", name, err, e.Fields, c.key, c.field)
			}
		}
		l, p, e, a := rows(t, db)
		if [4]int{l, p, e, a} != before {
			t.Fatalf("refusals wrote rows: %v → %v", before, [4]int{l, p, e, a})
		}
		// The same enterprise is a fine lead for a region it is not in: 赣县区 is not in 章贡区.
		if _, err := f.svc.Create(ctx, planner, lead.Input{TargetName: "赣县本地电控厂", LinkID: f.link, RegionCode: "360702"}); err != nil {
			t.Fatalf("a lead for 章贡区 of an enterprise in 赣县区: %v", err)
		}
	})
}

func TestSignedLeadBecomesAProjectInOneAction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		id, err := f.svc.Create(ctx, planner, lead.Input{TargetName: "深圳某电控公司", Origin: "深圳", LinkID: f.link, RegionCode: "360700",
			ParkCode: "base:gzedz-rew", Owner: "市商务局招商一科"})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"contact", "negotiation"} {
			if err := f.svc.Advance(ctx, planner, id, st); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.Advance(ctx, planner, id, "contact"); apperr.From(err).Code != "lead_not_forward" {
			t.Fatalf("moving back: %v", err)
		}
		if err := f.svc.Advance(ctx, planner, id, "signed"); apperr.From(err).Code != "sign_by_convert" {
			t.Fatalf("signing without a project: %v", err)
		}
		// A refused conversion writes nothing: no enterprise, no project, the lead as it was.
		l0, p0, e0, a0 := rows(t, db)
		if _, err := f.svc.Convert(ctx, planner, id, lead.Signing{Unit: "亿元", InvestPlanned: "-2"}); apperr.From(err).Fields[0].Name != "invest_planned" {
			t.Fatalf("negative investment on signing: %v", err)
		}
		if l, p, e, a := rows(t, db); l != l0 || p != p0 || e != e0 || a != a0 {
			t.Fatalf("a refused conversion wrote rows")
		}
		pid, err := f.svc.Convert(ctx, planner, id, lead.Signing{ProjectName: "电控系统项目", Unit: "亿元", InvestPlanned: "3.2", JobsPlanned: 200})
		if err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.Get(ctx, planner, id)
		if err != nil || l.Stage != "signed" || l.ProjectID != pid {
			t.Fatalf("lead after signing: %+v %v", l, err)
		}
		ps := &project.Service{DB: db, Now: func() time.Time { return f.now }}
		d, err := ps.Get(ctx, planner, pid)
		if err != nil {
			t.Fatal(err)
		}
		pr := d.Project
		if pr.Stage != "signed" || pr.LinkID != f.link || pr.IndustryCode != "NEV-CTRL" || pr.RegionCode != "360700" || pr.ParkCode != "base:gzedz-rew" ||
			pr.EnterpriseName != "深圳某电控公司" || pr.InvestPlanned != 32_000_000_000 || pr.NameZh != "电控系统项目" {
			t.Fatalf("project from the lead: %+v", pr)
		}
		for _, entity := range []string{"lead", "project", "enterprise"} {
			a, _ := db.ListAudit(ctx, store.AuditFilter{Entity: entity, From: f.now.Add(-time.Second)}, store.ListQuery{})
			if a.Total == 0 {
				t.Errorf("no audit of the %s", entity)
			}
		}
		if _, err := f.svc.Convert(ctx, planner, id, lead.Signing{}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("signing twice: %v", err)
		}
		// Now registered, the enterprise is no longer a lead for the city.
		if _, err := f.svc.Create(ctx, planner, lead.Input{TargetName: "深圳某电控公司", LinkID: f.link, RegionCode: "360700"}); apperr.From(err).Kind != apperr.Invalid {
			t.Fatalf("a second lead for the signed enterprise: %v", err)
		}
	})
}

func TestLeadsAreThePlannersOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		id, err := f.svc.Create(ctx, planner, lead.Input{TargetName: "外地企业", LinkID: f.link, RegionCode: "360700"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*auth.Principal{
			{ID: 3, Role: auth.County, RegionCode: "360700"}, {ID: 4, Role: auth.Enterprise, EnterpriseID: f.local},
			{ID: 5, Role: auth.Viewer}, {ID: 6, Role: auth.Regulator},
		} {
			if _, err := f.svc.List(ctx, p, "", store.ListQuery{}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s lists leads: %v", p.Role, err)
			}
			if _, err := f.svc.Get(ctx, p, id); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s reads a lead: %v", p.Role, err)
			}
			if _, err := f.svc.Create(ctx, p, lead.Input{TargetName: "x", LinkID: f.link, RegionCode: "360700"}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s creates a lead: %v", p.Role, err)
			}
		}
	})
}

// TestLeadForAnEnterpriseOfUnknownPlaceIsAllowedWithAWarning: an enterprise in the
// registry with no place recorded is not known to be local, so a lead for it is taken, with
// a warning naming the registry entry. Once its place is recorded inside the region the
// warning is gone and a new lead for it is refused; recorded outside, the lead stands
// with no warning.
func TestLeadForAnEnterpriseOfUnknownPlaceIsAllowedWithAWarning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		var fn store.Enterprise
		if err := db.Write(ctx, func(tx *store.Tx) error {
			ents, err := tx.EnterprisesMatching(ctx, "孚能科技", "")
			if err != nil || len(ents) != 1 || ents[0].RegionCode != "" {
				t.Fatalf("孚能科技 in the default registry: %+v %v", ents, err)
			}
			fn = ents[0]
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		id, err := f.svc.Create(ctx, planner, lead.Input{TargetName: "孚能科技", LinkID: f.link, RegionCode: "360700"})
		if err != nil {
			t.Fatalf("lead for an enterprise of unknown place: %v", err)
		}
		l, err := f.svc.Get(ctx, planner, id)
		if err != nil {
			t.Fatal(err)
		}
		warns, err := f.svc.Warnings(ctx, l)
		if err != nil || len(warns) != 1 || warns[0].Code != "place_unknown" || warns[0].Field != "target_name" ||
			warns[0].Key != "lead.warn.place_unknown" || warns[0].Args[0] != "孚能科技" || warns[0].Args[1] != fn.ID {
			t.Fatalf("warnings: %+v %v", warns, err)
		}
		// Its place is recorded: in 赣县区, inside 赣州市.
		fn.RegionCode = "360704"
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateEnterprise(ctx, fn) }); err != nil {
			t.Fatal(err)
		}
		if warns, err := f.svc.Warnings(ctx, l); err != nil || len(warns) != 0 {
			t.Errorf("warnings after the place is recorded: %+v %v", warns, err)
		}
		before := [4]int{}
		before[0], before[1], before[2], before[3] = rows(t, db)
		_, err = f.svc.Create(ctx, planner, lead.Input{TargetName: "孚能科技", LinkID: f.link, RegionCode: "360700"})
		if e := apperr.From(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Key != "lead.err.in_region" || e.Fields[0].Args[1] != "360704" {
			t.Errorf("lead for an enterprise now known to be local: %v", err)
		}
		l2, p2, e2, a2 := rows(t, db)
		if [4]int{l2, p2, e2, a2} != before {
			t.Errorf("refusal wrote rows: %v → %v", before, [4]int{l2, p2, e2, a2})
		}
		// Recorded outside the region (a Shenzhen district): taken, and no warning.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertRegion(ctx, store.Region{Code: "440300", NameZh: "深圳市", Kind: "city", Source: "t"}); err != nil {
				return err
			}
			fn.RegionCode = "440300"
			return tx.UpdateEnterprise(ctx, fn)
		}); err != nil {
			t.Fatal(err)
		}
		id, err = f.svc.Create(ctx, planner, lead.Input{TargetName: "孚能科技", LinkID: f.link, RegionCode: "360700"})
		if err != nil {
			t.Fatalf("lead for an enterprise outside the region: %v", err)
		}
		l, _ = f.svc.Get(ctx, planner, id)
		if warns, err := f.svc.Warnings(ctx, l); err != nil || len(warns) != 0 {
			t.Errorf("warnings for an enterprise outside: %+v %v", warns, err)
		}
	})
}
