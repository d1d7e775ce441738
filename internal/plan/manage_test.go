package plan_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/i18n"
	"zhanxin/internal/plan"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func goodPlan(changes ...string) plan.PlanInput {
	in := plan.PlanInput{Code: "gz-sei-2025", NameZh: "赣州市战略性新兴产业“十四五”规划", NameEn: "Ganzhou SEI plan 2021–2025",
		Region: "360700", BaseYear: "2020", EndYear: "2025", Source: "planner"}
	for i := 0; i+1 < len(changes); i += 2 {
		v := changes[i+1]
		switch changes[i] {
		case "code":
			in.Code = v
		case "name_zh":
			in.NameZh = v
		case "region":
			in.Region = v
		case "base_year":
			in.BaseYear = v
		case "end_year":
			in.EndYear = v
		case "source":
			in.Source = v
		case "sort_order":
			in.SortOrder = v
		default:
			panic(changes[i])
		}
	}
	return in
}

// plansState is every plan, the default plan's stages and the audit log's size.
func plansState(t *testing.T, db *store.DB) string {
	t.Helper()
	plans, err := db.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v\n%s", plans, planState(t, db))
}

// TestPlanManagementRefusesBadInputAndWritesNothing: each rule of a plan is refused at its
// field, named in Chinese and English; a plan with stages or goals is not deleted; roles
// without plans.manage are refused; nothing (plans, stages, audit) changes.
func TestPlanManagementRefusesBadInputAndWritesNothing(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		svc := &plan.Service{DB: db, Now: time.Now}
		before := plansState(t, db)
		check := func(name string, err error, kind apperr.Kind, code, field, names string) {
			t.Helper()
			e := apperr.From(err)
			if e.Kind != kind || e.Code != code {
				t.Errorf("%s: %v (%v/%s), want %v/%s", name, err, e.Kind, e.Code, kind, code)
				return
			}
			key, args := e.Key, e.Args
			if field != "" {
				found := false
				for _, f := range e.Fields {
					if f.Name == field {
						found, key, args = true, f.Key, f.Args
					}
				}
				if !found {
					t.Errorf("%s: no problem at %s: %+v", name, field, e.Fields)
					return
				}
			}
			zh, en := cat.T(i18n.Zh, key, args...), cat.T(i18n.En, key, args...)
			for _, m := range []string{zh, en} {
				if strings.HasPrefix(m, "[") || strings.Contains(m, "%!") || !strings.Contains(m, names) {
					t.Errorf("%s: message %q does not name %q", name, m, names)
				}
			}
			if zh == en {
				t.Errorf("%s: one message for both languages: %q", name, zh)
			}
			if after := plansState(t, db); after != before {
				t.Fatalf("%s wrote something", name)
			}
		}
		for _, c := range []struct {
			name        string
			in          plan.PlanInput
			code, field string
			names       string
		}{
			{"duplicate code", goodPlan("code", "gz-sei-2020"), "duplicate_code", "code", "gz-sei-2020"},
			{"malformed code", goodPlan("code", "规划 1"), "bad_code", "code", "规划 1"},
			{"no name", goodPlan("name_zh", "  "), "name_required", "name_zh", ""},
			{"unknown region", goodPlan("region", "369999"), "unknown_region", "region", "369999"},
			{"base year text", goodPlan("base_year", "二〇二〇"), "bad_year", "base_year", "二〇二〇"},
			{"end year out of range", goodPlan("end_year", "20250"), "bad_year", "end_year", "20250"},
			{"end before base", goodPlan("end_year", "2019"), "end_not_after_base", "end_year", "2019"},
			{"end equal to base", goodPlan("end_year", "2020"), "end_not_after_base", "end_year", "2020"},
			{"no source", goodPlan("source", ""), "source_required", "source", ""},
			{"order not a number", goodPlan("sort_order", "一"), "bad_number", "sort_order", "一"},
		} {
			_, err := svc.SavePlan(ctx, planner, c.in, true)
			check(c.name, err, apperr.Invalid, c.code, c.field, c.names)
		}
		// Shrinking the article's plan would leave 八年大跨越 (2020) outside it.
		_, err := svc.SavePlan(ctx, planner, goodPlan("code", "gz-sei-2020", "base_year", "2012", "end_year", "2019"), false)
		check("span shrunk under a stage", err, apperr.Invalid, "stages_outside_plan", "base_year", "s2020")
		_, err = svc.SavePlan(ctx, planner, goodPlan("code", "gz-none"), false)
		check("edit a missing plan", err, apperr.NotFound, "not_found", "", "")
		check("delete a missing plan", svc.DeletePlan(ctx, planner, "gz-none"), apperr.NotFound, "not_found", "", "")
		check("delete a plan with stages and goals", svc.DeletePlan(ctx, planner, "gz-sei-2020"), apperr.Conflict, "plan_not_empty", "", "gz-sei-2020")
		e := apperr.From(svc.DeletePlan(ctx, planner, "gz-sei-2020"))
		if m := cat.T(i18n.Zh, e.Key, e.Args...); !strings.Contains(m, "3 个阶段和 5 个命名目标") {
			t.Errorf("refused delete does not count what the plan holds: %q", m)
		}
		for _, p := range []*auth.Principal{viewer, {ID: 7, Username: "county", Role: auth.County, RegionCode: "360702"},
			{ID: 8, Username: "reg", Role: auth.Regulator}, {ID: 9, Username: "ent", Role: auth.Enterprise, EnterpriseID: 1}} {
			_, err := svc.SavePlan(ctx, p, goodPlan(), true)
			check(string(p.Role)+" creates a plan", err, apperr.Forbidden, "forbidden", "", "")
			check(string(p.Role)+" deletes a plan", svc.DeletePlan(ctx, p, "gz-sei-2020"), apperr.Forbidden, "forbidden", "", "")
			if _, err := svc.ManagedPlans(ctx, p); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s lists plans for editing: %v", p.Role, err)
			}
		}
	})
}

// TestPlanManagementCreatesChangesAndDeletesAudited: a plan is created, gets a stage,
// is changed, refuses deletion while it holds the stage, and is deleted once empty; each
// step is one audit record with the state before and after.
func TestPlanManagementCreatesChangesAndDeletesAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		svc := &plan.Service{DB: db, Now: time.Now}
		pl, err := svc.SavePlan(ctx, planner, goodPlan(), true)
		if err != nil || pl.BaseYear != 2020 || pl.EndYear != 2025 || pl.RegionCode != "360700" {
			t.Fatalf("create: %+v %v", pl, err)
		}
		if _, err := svc.SaveStage(ctx, planner, plan.StageInput{Code: "s2025", PlanCode: pl.Code, NameZh: "收官", Year: "2025"}, true); err != nil {
			t.Fatal(err)
		}
		pl, err = svc.SavePlan(ctx, planner, goodPlan("name_zh", "十四五规划", "end_year", "2026", "sort_order", "2"), false)
		if err != nil || pl.NameZh != "十四五规划" || pl.EndYear != 2026 || pl.SortOrder != 2 {
			t.Fatalf("change: %+v %v", pl, err)
		}
		if got, _ := db.PlanByCode(ctx, pl.Code); got != pl {
			t.Fatalf("stored %+v, want %+v", got, pl)
		}
		if err := svc.DeletePlan(ctx, planner, pl.Code); apperr.From(err).Code != "plan_not_empty" {
			t.Fatalf("delete with a stage: %v", err)
		}
		if err := svc.DeleteStage(ctx, planner, "s2025"); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeletePlan(ctx, planner, pl.Code); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PlanByCode(ctx, pl.Code); err != store.ErrNotFound {
			t.Fatalf("plan still there: %v", err)
		}
		a, err := db.ListAudit(ctx, store.AuditFilter{Entity: "plan"}, store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(a.Rows) - 1; i >= 0; i-- {
			if r := a.Rows[i]; r.EntityID == pl.Code {
				got = append(got, r.Action+" "+r.Actor)
			}
		}
		if fmt.Sprint(got) != "[plan.create planner plan.update planner plan.delete planner]" {
			t.Fatalf("audit %v", got)
		}
		for _, r := range a.Rows {
			if r.Action == "plan.update" && (!strings.Contains(r.Before, "2025") || !strings.Contains(r.After, "十四五规划")) {
				t.Errorf("update audit lacks before/after: %s → %s", r.Before, r.After)
			}
			if r.Action == "plan.delete" && (!strings.Contains(r.Before, "十四五规划") || r.After != "") {
				t.Errorf("delete audit: %s → %s", r.Before, r.After)
			}
		}
	})
}
