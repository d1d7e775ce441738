package park_test

import (
	"fmt"
	"strings"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/park"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func goalsState(t *testing.T, db *store.DB) string {
	t.Helper()
	goals, err := db.PlanGoals(ctx, "gz-sei-2020")
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := db.GoalTargets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v\n%+v\naudit=%d", goals, pairs, audits(t, db))
}

// TestGoalEditingRefusesBadInputAndWritesNothing: a goal's fields, a link without a reason
// or to a target of another plan or to no target, an unlink without a reason, and roles
// without plans.manage are refused with messages naming the problem in zh and en; the
// goals, their links and the audit log are unchanged.
func TestGoalEditingRefusesBadInputAndWritesNothing(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		s := svc(db)
		// A second plan with a target, to link across plans.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertPlan(ctx, store.Plan{Code: "other", NameZh: "另一规划", RegionCode: "360700", BaseYear: 2020, EndYear: 2025, Source: "t"}); err != nil {
				return err
			}
			if err := tx.UpsertPlanStage(ctx, store.PlanStage{Code: "o2025", PlanCode: "other", NameZh: "x", Year: 2025}); err != nil {
				return err
			}
			return tx.UpsertPlanTarget(ctx, store.PlanTarget{Code: "o-t", StageCode: "o2025", NameZh: "x", Indicator: "REV", Region: "360700",
				Industry: "SEI", Comparison: ">=", Target: 1, TargetEntered: "1", TargetYear: 2025, Source: "t"})
		}); err != nil {
			t.Fatal(err)
		}
		before := goalsState(t, db)
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
			if after := goalsState(t, db); after != before {
				t.Fatalf("%s wrote something", name)
			}
		}
		good := park.GoalInput{Code: "g-new", PlanCode: "gz-sei-2020", NameZh: "新基地", Industry: "REW"}
		with := func(f func(*park.GoalInput)) park.GoalInput { g := good; f(&g); return g }
		for _, c := range []struct {
			name, code, field, names string
			in                       park.GoalInput
		}{
			{"duplicate code", "duplicate_code", "code", "g-base-rew", with(func(g *park.GoalInput) { g.Code = "g-base-rew" })},
			{"malformed code", "bad_code", "code", "目标 1", with(func(g *park.GoalInput) { g.Code = "目标 1" })},
			{"unknown plan", "unknown_plan", "plan", "gz-none", with(func(g *park.GoalInput) { g.PlanCode = "gz-none" })},
			{"no name", "name_required", "name_zh", "", with(func(g *park.GoalInput) { g.NameZh = " " })},
			{"unknown industry", "unknown_industry", "industry", "UFO", with(func(g *park.GoalInput) { g.Industry = "UFO" })},
			{"order not a number", "bad_number", "sort_order", "x", with(func(g *park.GoalInput) { g.SortOrder = "x" })},
		} {
			_, err := s.SaveGoal(ctx, planner, c.in, true)
			check(c.name, err, apperr.Invalid, c.code, c.field, c.names)
		}
		_, err := s.SaveGoal(ctx, planner, with(func(g *park.GoalInput) { g.Code = "g-none" }), false)
		check("edit a missing goal", err, apperr.NotFound, "not_found", "", "")
		_, err = s.LinkTarget(ctx, planner, "g-base-rew", "t2017-magnet", " ")
		check("link without a reason", err, apperr.Invalid, "reason_required", "reason", "")
		_, err = s.LinkTarget(ctx, planner, "g-base-rew", "t-none", "因为")
		check("link to no target", err, apperr.Invalid, "unknown_target", "target", "t-none")
		_, err = s.LinkTarget(ctx, planner, "g-base-rew", "o-t", "因为")
		check("link to another plan's target", err, apperr.Invalid, "target_of_other_plan", "target", "o-t")
		_, err = s.LinkTarget(ctx, planner, "g-none", "t2017-magnet", "因为")
		check("link to a missing goal", err, apperr.NotFound, "not_found", "", "")
		check("unlink without a reason", s.UnlinkTarget(ctx, planner, "g-base-rew", "t2015-rew-output", ""), apperr.Invalid, "reason_required", "reason", "")
		check("unlink a pair that is not linked", s.UnlinkTarget(ctx, planner, "g-base-rew", "t2017-magnet", "x"), apperr.NotFound, "not_found", "", "")
		for _, p := range []*auth.Principal{viewer, {ID: 7, Username: "county", Role: auth.County, RegionCode: "360702"},
			{ID: 8, Username: "reg", Role: auth.Regulator}, {ID: 9, Username: "ent", Role: auth.Enterprise, EnterpriseID: 1}} {
			_, err := s.SaveGoal(ctx, p, good, true)
			check(string(p.Role)+" creates a goal", err, apperr.Forbidden, "forbidden", "", "")
			_, err = s.LinkTarget(ctx, p, "g-base-rew", "t2017-magnet", "因为")
			check(string(p.Role)+" links", err, apperr.Forbidden, "forbidden", "", "")
			check(string(p.Role)+" unlinks", s.UnlinkTarget(ctx, p, "g-base-rew", "t2015-rew-output", "x"), apperr.Forbidden, "forbidden", "", "")
			if _, err := s.EditGoal(ctx, p, "g-base-rew"); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s opens a goal for editing: %v", p.Role, err)
			}
		}
	})
}

// TestGoalEditingLinksAndUnlinksAudited: a goal is created and changed, a target linked
// with its reason, relinked with another, unlinked with a reason; the positioning on the
// layout follows; each step is audited with before and after and the unlink keeps why.
func TestGoalEditingLinksAndUnlinksAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		s := svc(db)
		g, err := s.SaveGoal(ctx, planner, park.GoalInput{Code: "g-new", PlanCode: "gz-sei-2020", NameZh: "新基地", Industry: "REW"}, true)
		if err != nil || g.IndustryCode != "REW" {
			t.Fatalf("create: %+v %v", g, err)
		}
		if g, err = s.SaveGoal(ctx, planner, park.GoalInput{Code: "g-new", NameZh: "稀土新基地", SortOrder: "9"}, false); err != nil ||
			g.NameZh != "稀土新基地" || g.PlanCode != "gz-sei-2020" || g.IndustryCode != "" || g.SortOrder != 9 {
			t.Fatalf("change: %+v %v", g, err)
		}
		if _, err := s.LinkTarget(ctx, planner, "g-new", "t2017-magnet", "磁性材料产能衡量基地规模"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkTarget(ctx, planner, "g-new", "t2017-magnet", "产能是基地的量化目标"); err != nil {
			t.Fatal(err)
		}
		e, err := s.EditGoal(ctx, planner, "g-new")
		if err != nil || len(e.Links) != 1 || e.Links[0].Note != "产能是基地的量化目标" {
			t.Fatalf("links: %+v %v", e, err)
		}
		l, err := s.Layout(ctx, planner)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, pos := range l.Positioning {
			if pos.Goal.Code == "g-new" {
				found = len(pos.Targets) == 1 && pos.Targets[0].Code == "t2017-magnet" && pos.Notes[0] == "产能是基地的量化目标"
			}
		}
		if !found {
			t.Fatalf("layout positioning does not show the new link: %+v", l.Positioning)
		}
		if err := s.UnlinkTarget(ctx, planner, "g-new", "t2017-magnet", "改由专项指标衡量"); err != nil {
			t.Fatal(err)
		}
		if e, _ := s.EditGoal(ctx, planner, "g-new"); len(e.Links) != 0 {
			t.Fatalf("still linked: %+v", e.Links)
		}
		a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(a.Rows) - 1; i >= 0; i-- {
			if r := a.Rows[i]; strings.HasPrefix(r.Action, "plan.goal.") {
				got = append(got, r.Action+" "+r.EntityID)
				if r.Action == "plan.goal.unlink" && (!strings.Contains(r.Before, "产能是基地的量化目标") || !strings.Contains(r.After, "改由专项指标衡量")) {
					t.Errorf("unlink audit: %s → %s", r.Before, r.After)
				}
				if r.Action == "plan.goal.relink" && (!strings.Contains(r.Before, "磁性材料产能") || !strings.Contains(r.After, "量化目标")) {
					t.Errorf("relink audit: %s → %s", r.Before, r.After)
				}
			}
		}
		want := "[plan.goal.create g-new plan.goal.update g-new plan.goal.link g-new/t2017-magnet plan.goal.relink g-new/t2017-magnet plan.goal.unlink g-new/t2017-magnet]"
		if fmt.Sprint(got) != want {
			t.Fatalf("audit %v\nwant %s", got, want)
		}
	})
}
