package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestPlanEditingAPI creates, replaces and deletes a stage and a target on the default
// plan through the API, checks every answer against the OpenAPI document, that refusals
// name their fields (the body's names) and write nothing, and that roles without
// plans.manage get 403.
func TestPlanEditingAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		if _, err := dataset.Load(context.Background(), db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("county", auth.County, "360702", 0)
		planner, county := env.Token("planner"), env.Token("county")
		d := loadDoc(t)
		ops := docOperations(d)
		do := func(method, path, docPath, token string, body any, want int) []byte {
			t.Helper()
			var rd *bytes.Reader
			ct := ""
			if body != nil {
				b, _ := json.Marshal(body)
				rd, ct = bytes.NewReader(b), "application/json"
			} else {
				rd = bytes.NewReader(nil)
			}
			status, _, b := call(t, env, method, path, token, ct, rd)
			if status != want {
				t.Fatalf("%s %s: %d, want %d\n%s", method, path, status, want, b)
			}
			key := strings.ToLower(method) + " " + docPath
			op, ok := ops[key]
			if !ok {
				t.Fatalf("%s is not documented", key)
			}
			r, ok := op["responses"].(doc)[fmt.Sprint(status)].(doc)
			if !ok {
				t.Fatalf("%s answered %d, which the document does not list", key, status)
			}
			if status == http.StatusNoContent {
				return b
			}
			var v any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v\n%s", key, err, b)
			}
			if errs := validate(t, d, jsonSchema(resolve(t, d, r)), v, "$"); len(errs) > 0 {
				t.Fatalf("%s %d does not match the document:\n  %s\n%s", key, status, strings.Join(errs, "\n  "), b)
			}
			return b
		}
		state := func() string {
			st, _ := db.PlanStages(context.Background(), "gz-sei-2020")
			tg, _ := db.AllPlanTargets(context.Background(), "gz-sei-2020")
			a, _ := db.ListAudit(context.Background(), store.AuditFilter{}, store.ListQuery{Limit: 1})
			return fmt.Sprintf("%v %v %d", st, tg, a.Total)
		}
		var st api.PlanStage
		json.Unmarshal(do("POST", "/api/v1/plan-stages", "/api/v1/plan-stages", planner,
			map[string]any{"code": "s2019", "plan": "gz-sei-2020", "name_zh": "七年", "year": 2019}, 201), &st)
		if st.Code != "s2019" || st.Year != 2019 || st.Plan != "gz-sei-2020" {
			t.Fatalf("stage %+v", st)
		}
		target := map[string]any{"code": "t2019-rev", "stage": "s2019", "name_zh": "主营业务收入超1500亿元", "indicator": "REV",
			"region": "360700", "industry": "SEI", "comparison": ">", "target": "15,000,000", "target_unit": "万元", "target_year": 2019,
			"baseline_indicator": "REV", "baseline_period": "2012", "source": "planner"}
		var tg api.PlanTarget
		json.Unmarshal(do("POST", "/api/v1/plan-targets", "/api/v1/plan-targets", planner, target, 201), &tg)
		if tg.Target != "1500" || tg.TargetYear != 2019 || tg.TargetEntered != "> 15,000,000 万元" {
			t.Fatalf("target %+v: 15,000,000 万元 is exactly 1500 亿元", tg)
		}
		// Refused: every field named by the body's names, nothing written.
		before := state()
		bad := map[string]any{"stage": "s2019", "name_zh": "x", "indicator": "REV", "region": "360700", "industry": "SEI",
			"comparison": ">=", "target": "十亿", "target_year": 2020, "baseline_indicator": "REV", "baseline_period": "2021", "source": ""}
		b := do("PUT", "/api/v1/plan-targets/t2019-rev", "/api/v1/plan-targets/{code}", planner, bad, 422)
		var e errBody
		json.Unmarshal(b, &e)
		names := e.fieldNames()
		for _, want := range []string{"target", "target_year", "baseline_period", "source"} {
			found := false
			for _, n := range names {
				found = found || n == want
			}
			if !found {
				t.Errorf("refusal does not name %s: %v\n%s", want, names, b)
			}
		}
		do("DELETE", "/api/v1/plan-stages/s2019", "/api/v1/plan-stages/{code}", planner, nil, 409)
		do("POST", "/api/v1/plan-targets", "/api/v1/plan-targets", county, target, 403)
		do("DELETE", "/api/v1/plan-targets/t2019-rev", "/api/v1/plan-targets/{code}", county, nil, 403)
		do("PUT", "/api/v1/plan-stages/s2019", "/api/v1/plan-stages/{code}", county, map[string]any{"name_zh": "x", "year": 2019}, 403)
		if state() != before {
			t.Fatal("refused requests changed the plan")
		}
		target["comparison"] = ">="
		json.Unmarshal(do("PUT", "/api/v1/plan-targets/t2019-rev", "/api/v1/plan-targets/{code}", planner, target, 200), &tg)
		if tg.Comparison != ">=" {
			t.Fatalf("replaced target %+v", tg)
		}
		do("PUT", "/api/v1/plan-stages/s2019", "/api/v1/plan-stages/{code}", planner, map[string]any{"name_zh": "七年中期", "year": 2019}, 200)
		do("DELETE", "/api/v1/plan-targets/t2019-rev", "/api/v1/plan-targets/{code}", planner, nil, 204)
		do("DELETE", "/api/v1/plan-targets/t2019-rev", "/api/v1/plan-targets/{code}", planner, nil, 404)
		do("DELETE", "/api/v1/plan-stages/s2019", "/api/v1/plan-stages/{code}", planner, nil, 204)
		a, err := db.ListAudit(context.Background(), store.AuditFilter{Entity: "plan_target", EntityID: "t2019-rev"}, store.ListQuery{})
		if err != nil || a.Total != 3 {
			t.Fatalf("target audit: %d entries, %v", a.Total, err)
		}
	})
}

// planDocChecks exercises every plan-editing endpoint for TestResponsesMatchDocument, on
// the statistics fixture of statsDocChecks and a plan of its own.
func planDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.UpsertPlan(ctx, store.Plan{Code: "doc-plan", NameZh: "文档测试规划", RegionCode: "360700", BaseYear: 2012, EndYear: 2020, Source: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	env.AddUser("pl-planner", auth.Planner, "", 0)
	env.AddUser("pl-county", auth.County, "360702", 0)
	planner, county := env.Token("pl-planner"), env.Token("pl-county")
	stage := map[string]any{"code": "doc-s2015", "plan": "doc-plan", "name_zh": "三年", "year": 2015}
	check("POST", "/api/v1/plan-stages", "/api/v1/plan-stages", planner, stage, 201)
	check("POST", "/api/v1/plan-stages", "/api/v1/plan-stages", planner, stage, 422)
	check("POST", "/api/v1/plan-stages", "/api/v1/plan-stages", county, stage, 403)
	check("PUT", "/api/v1/plan-stages/doc-s2015", "/api/v1/plan-stages/{code}", planner, map[string]any{"name_zh": "三年大变样", "year": 2015}, 200)
	check("PUT", "/api/v1/plan-stages/doc-none", "/api/v1/plan-stages/{code}", planner, map[string]any{"name_zh": "x", "year": 2015}, 404)
	target := map[string]any{"code": "doc-t1", "stage": "doc-s2015", "name_zh": "收入", "indicator": "REV", "region": "360700",
		"industry": "SEI", "comparison": ">=", "target": 1000, "target_year": 2015, "source": "test"}
	check("POST", "/api/v1/plan-targets", "/api/v1/plan-targets", planner, target, 201)
	check("POST", "/api/v1/plan-targets", "/api/v1/plan-targets", planner, map[string]any{"code": "doc-t2", "stage": "doc-s2015"}, 422)
	check("POST", "/api/v1/plan-targets", "/api/v1/plan-targets", planner, map[string]any{"cod": "x"}, 400)
	check("PUT", "/api/v1/plan-targets/doc-t1", "/api/v1/plan-targets/{code}", planner, target, 200)
	check("PUT", "/api/v1/plan-targets/doc-t1", "/api/v1/plan-targets/{code}", county, target, 403)
	check("DELETE", "/api/v1/plan-stages/doc-s2015", "/api/v1/plan-stages/{code}", planner, nil, 409)
	check("DELETE", "/api/v1/plan-targets/doc-t1", "/api/v1/plan-targets/{code}", county, nil, 403)
	check("DELETE", "/api/v1/plan-targets/doc-t1", "/api/v1/plan-targets/{code}", planner, nil, 204)
	check("DELETE", "/api/v1/plan-targets/doc-t1", "/api/v1/plan-targets/{code}", planner, nil, 404)
	check("DELETE", "/api/v1/plan-stages/doc-s2015", "/api/v1/plan-stages/{code}", planner, nil, 204)
	check("DELETE", "/api/v1/plan-stages/doc-s2015", "/api/v1/plan-stages/{code}", county, nil, 403)

	// Plans themselves, named goals and their links.
	pl := map[string]any{"code": "doc-plan2", "name_zh": "第二规划", "region": "360700", "base_year": 2020, "end_year": 2025, "source": "test"}
	check("POST", "/api/v1/plans", "/api/v1/plans", planner, pl, 201)
	check("POST", "/api/v1/plans", "/api/v1/plans", planner, pl, 422)
	check("POST", "/api/v1/plans", "/api/v1/plans", county, pl, 403)
	check("POST", "/api/v1/plans", "/api/v1/plans", planner, map[string]any{"cod": "x"}, 400)
	check("PUT", "/api/v1/plans/doc-plan2", "/api/v1/plans/{code}", planner, pl, 200)
	check("PUT", "/api/v1/plans/doc-none", "/api/v1/plans/{code}", planner, pl, 404)
	check("PUT", "/api/v1/plans/doc-plan2", "/api/v1/plans/{code}", county, pl, 403)
	goal := map[string]any{"code": "doc-g1", "plan": "doc-plan", "name_zh": "基地"}
	check("POST", "/api/v1/plan-goals", "/api/v1/plan-goals", planner, goal, 201)
	check("POST", "/api/v1/plan-goals", "/api/v1/plan-goals", planner, goal, 422)
	check("POST", "/api/v1/plan-goals", "/api/v1/plan-goals", county, goal, 403)
	check("PUT", "/api/v1/plan-goals/doc-g1", "/api/v1/plan-goals/{code}", planner, map[string]any{"name_zh": "新基地"}, 200)
	check("PUT", "/api/v1/plan-goals/doc-none", "/api/v1/plan-goals/{code}", planner, map[string]any{"name_zh": "x"}, 404)
	check("PUT", "/api/v1/plan-goals/doc-g1", "/api/v1/plan-goals/{code}", county, map[string]any{"name_zh": "x"}, 403)
	check("POST", "/api/v1/plan-stages", "/api/v1/plan-stages", planner, stage, 201)
	check("POST", "/api/v1/plan-targets", "/api/v1/plan-targets", planner, target, 201)
	link := map[string]any{"target": "doc-t1", "reason": "收入衡量基地规模"}
	check("POST", "/api/v1/plan-goals/doc-g1/links", "/api/v1/plan-goals/{code}/links", planner, link, 200)
	check("POST", "/api/v1/plan-goals/doc-g1/links", "/api/v1/plan-goals/{code}/links", planner, map[string]any{"target": "doc-t1"}, 422)
	check("POST", "/api/v1/plan-goals/doc-none/links", "/api/v1/plan-goals/{code}/links", planner, link, 404)
	check("POST", "/api/v1/plan-goals/doc-g1/links", "/api/v1/plan-goals/{code}/links", county, link, 403)
	for _, c := range []struct {
		path, token string
		status      int
	}{{"/api/v1/plan-goals/doc-g1/links/doc-t1", planner, 422}, {"/api/v1/plan-goals/doc-g1/links/doc-t1?reason=x", county, 403},
		{"/api/v1/plan-goals/doc-g1/links/doc-t1?reason=%E6%94%B9%E7%94%A8", planner, 204},
		{"/api/v1/plan-goals/doc-g1/links/doc-t1?reason=x", planner, 404}} {
		check("DELETE", c.path, "/api/v1/plan-goals/{code}/links/{target}", c.token, nil, c.status)
	}
	check("DELETE", "/api/v1/plans/doc-plan", "/api/v1/plans/{code}", planner, nil, 409)
	check("DELETE", "/api/v1/plans/doc-plan2", "/api/v1/plans/{code}", county, nil, 403)
	check("DELETE", "/api/v1/plans/doc-plan2", "/api/v1/plans/{code}", planner, nil, 204)
	check("DELETE", "/api/v1/plans/doc-plan2", "/api/v1/plans/{code}", planner, nil, 404)
}
