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

// peState is the plan's stages and targets and the audit log's size, straight from the
// store, to check that a refused form writes nothing.
func peState(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	st, err := db.PlanStages(ctx, "gz-sei-2020")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := db.AllPlanTargets(ctx, "gz-sei-2020")
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v %v %d", st, tg, a.Total)
}

func peTargetForm(changes ...string) url.Values {
	v := url.Values{"code": {"t2020-nev-out"}, "stage": {"s2020"}, "name_zh": {"新能源汽车整车产量30万辆"}, "indicator": {"OUT_NEV"},
		"region": {"360700"}, "industry": {"NEV"}, "comparison": {">="}, "target_value": {"300000"}, "target_unit": {""},
		"target_year": {"2020"}, "baseline_indicator": {""}, "baseline_period": {""}, "source": {"planner"}}
	for i := 0; i+1 < len(changes); i += 2 {
		v.Set(changes[i], changes[i+1])
	}
	return v
}

// TestPlanEditingPages: a planner reaches the editing lists from the plan page, exports
// them, creates a target through the form (a refused one shows its reasons at the fields
// and writes nothing), changes it, is refused deleting a stage that has targets, deletes
// the target after confirming, and every step is audited; a county officer gets neither
// the link nor the pages nor the posts.
func TestPlanEditingPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		plLoad(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("county", auth.County, "360702", 0)
		planner := env.Login("planner")
		doc := swGet(t, planner, "/plans", http.StatusOK)
		if href := doc.Find(`[data-testid=plan-edit-link]`).AttrOr("href", ""); href != "/plans/edit?plan=gz-sei-2020" {
			t.Fatalf("edit link %q", href)
		}
		doc = swGet(t, planner, "/plans/edit?plan=gz-sei-2020", http.StatusOK)
		rows := swRows(doc, "plan-stages-table")
		if len(rows) != 3 || rows[0][0] != "s2015" || rows[0][4] != "8" || rows[2][4] != "1" {
			t.Fatalf("stages %v", rows)
		}
		if doc.Find(`form[action="/plans/stages/s2015/delete"][data-confirm]`).Length() != 1 {
			t.Fatal("no delete button with a confirmation for s2015")
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, b := expGet(t, planner, "/plans/edit?plan=gz-sei-2020&format="+format, false)
			recs := swExportRows(t, format, resp, b)
			if len(recs) != 4 || recs[0][0] != admZh(env, "planedit.col.code") || recs[3][3] != "2020" || len(recs[0]) != 6 {
				t.Fatalf("%s export of stages %v", format, recs)
			}
			resp, b = expGet(t, planner, "/plans/edit/targets?plan=gz-sei-2020&format="+format, false)
			if recs := swExportRows(t, format, resp, b); len(recs) != 15 {
				t.Fatalf("%s export of targets: %d rows", format, len(recs))
			}
		}

		// A refused target: each reason at its field, nothing written.
		swGet(t, planner, "/plans/targets/new?plan=gz-sei-2020", http.StatusOK)
		before := peState(t, db)
		doc = admExpect(t, planner.PostForm("/plans/targets/new", peTargetForm("target_year", "2017", "target_unit", "亿元",
			"baseline_indicator", "OUT_NEV", "baseline_period", "2021")), http.StatusUnprocessableEntity, "bad target")
		for field, want := range map[string]string{
			"target_year":     admZh(env, "planedit.err.target_year", 2017, "八年大跨越（s2020）", 2018, 2020),
			"target_unit":     admZh(env, "stats.err.unit", "亿元", "OUT_NEV", "辆、万辆"),
			"baseline_period": admZh(env, "planedit.err.baseline_before", 2021, 2017),
		} {
			if got := strings.TrimSpace(doc.Find(`.field-error[data-field="` + field + `"]`).Text()); got != want {
				t.Errorf("%s: %q, want %q", field, got, want)
			}
		}
		if v, _ := doc.Find(`input[name=name_zh]`).Attr("value"); v != "新能源汽车整车产量30万辆" {
			t.Errorf("the form lost what was typed: %q", v)
		}
		if peState(t, db) != before {
			t.Fatal("a refused target was written")
		}
		loc := admSeeOther(t, planner.PostForm("/plans/targets/new", peTargetForm()), "/plans/edit/targets?plan=gz-sei-2020", "create target")
		doc = swGet(t, planner, loc, http.StatusOK)
		if got := swText(doc.Find(`[data-testid=flash]`)); got != admZh(env, "planedit.saved_target", "t2020-nev-out") {
			t.Fatalf("flash %q", got)
		}
		rows = swRows(doc, "plan-targets-table")
		if len(rows) != 15 {
			t.Fatalf("%d targets after create", len(rows))
		}
		// The new target has its page, assessed like the others.
		doc = swGet(t, planner, "/plans/targets/t2020-nev-out", http.StatusOK)
		if !strings.Contains(doc.Find("h1").Text(), "新能源汽车整车产量30万辆") {
			t.Fatalf("target page title %q", doc.Find("h1").Text())
		}
		// Change it: the form comes back filled in.
		doc = swGet(t, planner, "/plans/targets/t2020-nev-out/edit", http.StatusOK)
		if v, _ := doc.Find(`input[name=target_value]`).Attr("value"); v != "300000" {
			t.Fatalf("edit form target %q", v)
		}
		if _, ro := doc.Find(`input[name=code]`).Attr("readonly"); !ro {
			t.Error("the code can be edited")
		}
		admSeeOther(t, planner.PostForm("/plans/targets/t2020-nev-out/edit", peTargetForm("comparison", ">", "target_value", "250000")),
			"/plans/edit/targets", "change target")
		if tg, err := db.PlanTargetByCode(context.Background(), "t2020-nev-out"); err != nil || tg.Comparison != ">" || tg.Target != 250000*1_000_000 {
			t.Fatalf("after change %+v %v", tg, err)
		}
		// A stage with targets is not deleted; the list says why.
		before = peState(t, db)
		doc = admExpect(t, planner.PostForm("/plans/stages/s2020/delete", url.Values{}), http.StatusConflict, "delete stage with targets")
		if got := swText(doc.Find(`[data-testid=form-error]`)); got != admZh(env, "planedit.err.stage_has_targets", "s2020", 2) {
			t.Fatalf("refused delete %q", got)
		}
		if peState(t, db) != before {
			t.Fatal("a refused delete changed something")
		}
		admSeeOther(t, planner.PostForm("/plans/targets/t2020-nev-out/delete", url.Values{}), "/plans/edit/targets", "delete target")
		if _, err := db.PlanTargetByCode(context.Background(), "t2020-nev-out"); err != store.ErrNotFound {
			t.Fatalf("target still there: %v", err)
		}
		// A stage: created, then deleted (it has no targets).
		swGet(t, planner, "/plans/stages/new?plan=gz-sei-2020", http.StatusOK)
		doc = admExpect(t, planner.PostForm("/plans/stages/new", url.Values{"plan": {"gz-sei-2020"}, "code": {"s2019"}, "name_zh": {"七年"},
			"year": {"2030"}}), http.StatusUnprocessableEntity, "stage after the plan")
		if got := strings.TrimSpace(doc.Find(`.field-error[data-field=year]`).Text()); got != admZh(env, "planedit.err.stage_year", 2030, 2012, 2020) {
			t.Fatalf("stage year message %q", got)
		}
		admSeeOther(t, planner.PostForm("/plans/stages/new", url.Values{"plan": {"gz-sei-2020"}, "code": {"s2019"}, "name_zh": {"七年"},
			"year": {"2019"}}), "/plans/edit?plan=gz-sei-2020", "create stage")
		admSeeOther(t, planner.PostForm("/plans/stages/s2019/delete", url.Values{}), "/plans/edit?plan=gz-sei-2020", "delete stage")
		var actions []string
		for _, a := range admAudit(t, db, store.AuditFilter{}) {
			if strings.HasPrefix(a.Action, "plan.") {
				actions = append([]string{a.Action + " " + a.EntityID}, actions...)
			}
		}
		if fmt.Sprint(actions) != "[plan.target.create t2020-nev-out plan.target.update t2020-nev-out plan.target.delete t2020-nev-out "+
			"plan.stage.create s2019 plan.stage.delete s2019]" {
			t.Fatalf("audit %v", actions)
		}

		// The county officer: no link, no pages, no posts.
		county := env.Login("county")
		if swGet(t, county, "/plans", http.StatusOK).Find(`[data-testid=plan-edit-link]`).Length() != 0 {
			t.Error("the county sees the edit link")
		}
		for _, path := range []string{"/plans/edit", "/plans/edit/targets", "/plans/stages/new", "/plans/targets/new",
			"/plans/targets/t2020-va-gdp/edit", "/plans/stages/s2020/edit", "/plans/edit?format=csv"} {
			swGet(t, county, path, http.StatusForbidden)
		}
		before = peState(t, db)
		for _, path := range []string{"/plans/targets/new", "/plans/targets/t2020-va-gdp/edit", "/plans/targets/t2020-va-gdp/delete",
			"/plans/stages/s2020/delete", "/plans/stages/new"} {
			admExpect(t, county.PostForm(path, peTargetForm("code", "t-county")), http.StatusForbidden, "county posts "+path)
		}
		if peState(t, db) != before {
			t.Fatal("the county's posts changed the plan")
		}
	})
}
