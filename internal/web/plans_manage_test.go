package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// pmState is every plan, the default plan's goals and links and the audit log's size.
func pmState(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	plans, err := db.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	goals, err := db.PlanGoals(ctx, "gz-sei-2020")
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := db.GoalTargets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v %v %v %s", plans, goals, pairs, peState(t, db))
}

// TestPlanAndGoalManagementPages: a planner lists and exports the plans and the named
// goals, creates a plan through the form (a refused one shows its reasons at the fields
// and writes nothing), changes and deletes it behind a confirmation, is refused deleting
// the article's plan (it holds stages and goals), creates a goal, links a target with a
// reason, unlinks it on the confirmation page (which insists on a reason), and each step
// is audited; a county officer gets none of the pages or posts.
func TestPlanAndGoalManagementPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		plLoad(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("county", auth.County, "360702", 0)
		planner := env.Login("planner")
		doc := swGet(t, planner, "/plans/edit?plan=gz-sei-2020", http.StatusOK)
		if doc.Find(`[data-testid=plan-edit-lists] a[href="/plans/edit/plans"]`).Length() != 1 ||
			doc.Find(`[data-testid=plan-edit-lists] a[href="/plans/edit/goals?plan=gz-sei-2020"]`).Length() != 1 {
			t.Fatal("the stage list does not link to the plans and goals lists")
		}
		doc = swGet(t, planner, "/plans/edit/plans", http.StatusOK)
		if rows := swRows(doc, "plans-table"); len(rows) != 1 || rows[0][0] != "gz-sei-2020" || rows[0][4] != "2012" || rows[0][5] != "2020" {
			t.Fatalf("plans %v", rows)
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, b := expGet(t, planner, "/plans/edit/plans?format="+format, false)
			if recs := swExportRows(t, format, resp, b); len(recs) != 2 || recs[1][0] != "gz-sei-2020" || recs[1][4] != "2012" || len(recs[0]) != 8 {
				t.Fatalf("%s export of plans %v", format, recs)
			}
			resp, b = expGet(t, planner, "/plans/edit/goals?plan=gz-sei-2020&format="+format, false)
			if recs := swExportRows(t, format, resp, b); len(recs) != 6 || recs[0][0] != admZh(env, "planedit.col.code") {
				t.Fatalf("%s export of goals %v", format, recs)
			}
		}
		form := func(changes ...string) url.Values {
			v := url.Values{"code": {"gz-sei-2025"}, "name_zh": {"十四五规划"}, "region": {"360700"}, "base_year": {"2020"}, "end_year": {"2025"},
				"source": {"planner"}}
			for i := 0; i+1 < len(changes); i += 2 {
				v.Set(changes[i], changes[i+1])
			}
			return v
		}
		swGet(t, planner, "/plans/docs/new", http.StatusOK)
		before := pmState(t, db)
		doc = admExpect(t, planner.PostForm("/plans/docs/new", form("end_year", "2019", "region", "369999")), http.StatusUnprocessableEntity, "bad plan")
		for field, want := range map[string]string{
			"end_year": admZh(env, "planmanage.err.end_after_base", 2019, 2020),
			"region":   admZh(env, "stats.err.unknown_region", "369999"),
		} {
			if got := strings.TrimSpace(doc.Find(`.field-error[data-field="` + field + `"]`).Text()); got != want {
				t.Errorf("%s: %q, want %q", field, got, want)
			}
		}
		if pmState(t, db) != before {
			t.Fatal("a refused plan was written")
		}
		admSeeOther(t, planner.PostForm("/plans/docs/new", form()), "/plans/edit/plans", "create plan")
		doc = swGet(t, planner, "/plans/docs/gz-sei-2025/edit", http.StatusOK)
		if v, _ := doc.Find(`input[name=end_year]`).Attr("value"); v != "2025" {
			t.Fatalf("edit form end year %q", v)
		}
		admSeeOther(t, planner.PostForm("/plans/docs/gz-sei-2025/edit", form("end_year", "2026")), "/plans/edit/plans", "change plan")
		if pl, err := db.PlanByCode(context.Background(), "gz-sei-2025"); err != nil || pl.EndYear != 2026 {
			t.Fatalf("after change %+v %v", pl, err)
		}
		doc = swGet(t, planner, "/plans/edit/plans", http.StatusOK)
		if doc.Find(`form[action="/plans/docs/gz-sei-2025/delete"][data-confirm]`).Length() != 1 {
			t.Fatal("no delete button with a confirmation")
		}
		before = pmState(t, db)
		doc = admExpect(t, planner.PostForm("/plans/docs/gz-sei-2020/delete", url.Values{}), http.StatusConflict, "delete the article's plan")
		if got := swText(doc.Find(`[data-testid=form-error]`)); got != admZh(env, "planmanage.err.not_empty", "gz-sei-2020", 3, 5) {
			t.Fatalf("refused delete %q", got)
		}
		if pmState(t, db) != before {
			t.Fatal("a refused delete changed something")
		}
		admSeeOther(t, planner.PostForm("/plans/docs/gz-sei-2025/delete", url.Values{}), "/plans/edit/plans", "delete plan")

		// A goal, a link with its reason, an unlink that insists on one.
		swGet(t, planner, "/plans/goals/new?plan=gz-sei-2020", http.StatusOK)
		admSeeOther(t, planner.PostForm("/plans/goals/new", url.Values{"plan": {"gz-sei-2020"}, "code": {"g-new"}, "name_zh": {"新基地"},
			"industry": {"REW"}}), "/plans/goals/g-new/edit", "create goal")
		before = pmState(t, db)
		doc = admExpect(t, planner.PostForm("/plans/goals/g-new/links", url.Values{"target": {"t2017-magnet"}, "reason": {" "}}),
			http.StatusUnprocessableEntity, "link without a reason")
		if got := strings.TrimSpace(doc.Find(`.field-error[data-field=reason]`).Text()); got != admZh(env, "goaledit.err.reason_link") {
			t.Fatalf("link reason message %q", got)
		}
		if pmState(t, db) != before {
			t.Fatal("a refused link was written")
		}
		admSeeOther(t, planner.PostForm("/plans/goals/g-new/links", url.Values{"target": {"t2017-magnet"}, "reason": {"磁性材料产能衡量基地规模"}}),
			"/plans/goals/g-new/edit", "link")
		doc = swGet(t, planner, "/plans/goals/g-new/edit", http.StatusOK)
		if rows := swRows(doc, "goal-links"); len(rows) != 1 || rows[0][0] != "t2017-magnet" || rows[0][2] != "磁性材料产能衡量基地规模" {
			t.Fatalf("links %v", rows)
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, b := expGet(t, planner, "/plans/goals/g-new/edit?format="+format, false)
			if recs := swExportRows(t, format, resp, b); len(recs) != 2 || recs[1][2] != "磁性材料产能衡量基地规模" {
				t.Fatalf("%s export of links %v", format, recs)
			}
		}
		doc = swGet(t, planner, "/plans/goals/g-new/links/t2017-magnet/unlink", http.StatusOK)
		if doc.Find(`form[data-testid=unlink-form][data-confirm]`).Length() != 1 {
			t.Fatal("the unlink form asks for no confirmation")
		}
		before = pmState(t, db)
		doc = admExpect(t, planner.PostForm("/plans/goals/g-new/links/t2017-magnet/unlink", url.Values{"reason": {""}}),
			http.StatusUnprocessableEntity, "unlink without a reason")
		if got := swText(doc.Find(`[data-testid=form-error]`)); got != admZh(env, "goaledit.err.reason_unlink") {
			t.Fatalf("unlink reason message %q", got)
		}
		if pmState(t, db) != before {
			t.Fatal("a refused unlink changed something")
		}
		admSeeOther(t, planner.PostForm("/plans/goals/g-new/links/t2017-magnet/unlink", url.Values{"reason": {"改由专项指标衡量"}}),
			"/plans/goals/g-new/edit", "unlink")
		swGet(t, planner, "/plans/goals/g-new/links/t2017-magnet/unlink", http.StatusNotFound)
		var actions []string
		for _, a := range admAudit(t, db, store.AuditFilter{}) {
			if strings.HasPrefix(a.Action, "plan.") {
				actions = append([]string{a.Action + " " + a.EntityID}, actions...)
			}
		}
		if fmt.Sprint(actions) != "[plan.create gz-sei-2025 plan.update gz-sei-2025 plan.delete gz-sei-2025 plan.goal.create g-new "+
			"plan.goal.link g-new/t2017-magnet plan.goal.unlink g-new/t2017-magnet]" {
			t.Fatalf("audit %v", actions)
		}

		county := env.Login("county")
		for _, path := range []string{"/plans/edit/plans", "/plans/docs/new", "/plans/docs/gz-sei-2020/edit", "/plans/edit/goals",
			"/plans/goals/new", "/plans/goals/g-base-rew/edit", "/plans/goals/g-base-rew/links/t2015-rew-output/unlink", "/plans/edit/plans?format=csv"} {
			swGet(t, county, path, http.StatusForbidden)
		}
		before = pmState(t, db)
		for _, path := range []string{"/plans/docs/new", "/plans/docs/gz-sei-2020/edit", "/plans/docs/gz-sei-2020/delete", "/plans/goals/new",
			"/plans/goals/g-base-rew/edit", "/plans/goals/g-base-rew/links", "/plans/goals/g-base-rew/links/t2015-rew-output/unlink"} {
			admExpect(t, county.PostForm(path, form("target", "t2017-magnet", "reason", "x", "name_zh", "x")), http.StatusForbidden, "county posts "+path)
		}
		if pmState(t, db) != before {
			t.Fatal("the county's posts changed something")
		}
	})
}
