package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// sendJSON sends v as a JSON body with any method.
func sendJSON(t *testing.T, env *webtest.Env, method, path, token string, v any) (int, http.Header, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, env, method, path, token, "application/json", strings.NewReader(string(b)))
}

// pkLink adds a chain with one link of industry (which must exist) and returns the link.
func pkLink(t *testing.T, db *store.DB, industry string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertChain(ctx, store.Chain{Code: "doc-" + industry, NameZh: "测试链", IndustryCode: industry, Acyclic: true, Source: "test"}); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "doc-" + industry, Code: "l1", NameZh: "永磁材料", IndustryCode: industry, Source: "test"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// parksDocChecks exercises every park, project and lead operation against the document.
func parksDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	env.AddUser("pk-planner", auth.Planner, "", 0)
	planner := env.Token("pk-planner")
	link := pkLink(t, db, "RE")
	ent := seedEnterprise(t, db, "园区文档企业", "360702")

	check("POST", "/api/v1/parks", "/api/v1/parks", planner, map[string]any{"code": "park:doc", "name_zh": "文档园区", "kind": "park",
		"status": "planned", "region_code": "360702", "source": "test", "industries": []string{"RE"}, "enterprises": []int64{ent}}, 200)
	check("POST", "/api/v1/parks", "/api/v1/parks", planner, map[string]any{"code": "park:doc2", "name_zh": "x", "kind": "park",
		"status": "planned", "region_code": "999999", "source": "test"}, 422)
	check("GET", "/api/v1/parks", "/api/v1/parks", planner, nil, 200)
	check("GET", "/api/v1/parks?kind=garden", "/api/v1/parks", planner, nil, 422)
	check("GET", "/api/v1/parks/park:doc", "/api/v1/parks/{code}", planner, nil, 200)
	check("GET", "/api/v1/parks/park:none", "/api/v1/parks/{code}", planner, nil, 404)

	newProject := map[string]any{"name_zh": "文档项目", "link_id": link, "region_code": "360702", "park_code": "park:doc", "enterprise_id": ent,
		"unit": "亿元", "invest_planned": "2.5", "years": []map[string]any{{"year": 2014, "planned": "1"}}, "finish_planned": "2015-06-30", "source": "test"}
	var pd api.ProjectDetail
	json.Unmarshal(check("POST", "/api/v1/projects", "/api/v1/projects", planner, newProject, 201), &pd)
	if pd.InvestPlanned != "25000" || pd.MoneyUnit != "万元" || len(pd.Years) != 1 || pd.Years[0].Planned != "10000" {
		t.Errorf("created project: %+v", pd)
	}
	pid := fmt.Sprint(pd.ID)
	check("POST", "/api/v1/projects", "/api/v1/projects", planner, map[string]any{"name_zh": "x", "invest_planned": "-1", "source": "t"}, 422)
	check("GET", "/api/v1/projects", "/api/v1/projects", planner, nil, 200)
	check("GET", "/api/v1/projects?flag=late", "/api/v1/projects", planner, nil, 422)
	check("GET", "/api/v1/projects/"+pid, "/api/v1/projects/{id}", planner, nil, 200)
	check("GET", "/api/v1/projects/999999", "/api/v1/projects/{id}", planner, nil, 404)
	newProject["name_zh"] = "文档项目（改）"
	check("PUT", "/api/v1/projects/"+pid, "/api/v1/projects/{id}", planner, newProject, 200)
	check("PUT", "/api/v1/projects/"+pid, "/api/v1/projects/{id}", planner, map[string]any{"name_zh": "x", "park_code": "park:none", "source": "t"}, 422)
	check("POST", "/api/v1/projects/"+pid+"/stage", "/api/v1/projects/{id}/stage", planner, map[string]any{"stage": "signed"}, 200)
	check("POST", "/api/v1/projects/"+pid+"/stage", "/api/v1/projects/{id}/stage", planner, map[string]any{"stage": "planning"}, 422)
	json.Unmarshal(check("POST", "/api/v1/projects/"+pid+"/blockers", "/api/v1/projects/{id}/blockers", planner,
		map[string]any{"kind": "environment", "description": "环评批复未下达", "owner": "市生态环境局", "due_date": "2014-06-30"}, 201), &pd)
	check("POST", "/api/v1/projects/"+pid+"/blockers", "/api/v1/projects/{id}/blockers", planner, map[string]any{"kind": "environment"}, 422)
	bpath := fmt.Sprintf("/api/v1/projects/%s/blockers/%d/close", pid, pd.Blockers[0].ID)
	check("POST", bpath, "/api/v1/projects/{id}/blockers/{blocker}/close", planner, map[string]any{"status": "resolved"}, 422)
	check("POST", bpath, "/api/v1/projects/{id}/blockers/{blocker}/close", planner, map[string]any{"status": "resolved", "resolution": "已批复"}, 200)
	check("POST", bpath, "/api/v1/projects/{id}/blockers/{blocker}/close", planner, map[string]any{"status": "closed", "resolution": "again"}, 409)

	var l api.Lead
	json.Unmarshal(check("POST", "/api/v1/leads", "/api/v1/leads", planner, map[string]any{"target_name": "外地磁材公司", "origin": "宁波",
		"link_id": link, "region_code": "360700", "park_code": "park:doc"}, 201), &l)
	check("POST", "/api/v1/leads", "/api/v1/leads", planner, map[string]any{"target_name": "园区文档企业", "link_id": link, "region_code": "360700"}, 422)
	// An enterprise in the registry with no place recorded: taken, with a warning.
	seedEnterprise(t, db, "所在地未登记企业", "")
	var wl api.Lead
	json.Unmarshal(check("POST", "/api/v1/leads", "/api/v1/leads", planner, map[string]any{"target_name": "所在地未登记企业", "link_id": link,
		"region_code": "360700"}, 201), &wl)
	if len(wl.Warnings) != 1 || wl.Warnings[0].Code != "place_unknown" || wl.Warnings[0].Field != "target_name" ||
		!strings.Contains(wl.Warnings[0].Message, "所在地未登记企业") {
		t.Errorf("lead for an enterprise of unknown place: %+v", wl)
	}
	lid := fmt.Sprint(l.ID)
	check("GET", "/api/v1/leads", "/api/v1/leads", planner, nil, 200)
	check("GET", "/api/v1/leads?stage=won", "/api/v1/leads", planner, nil, 422)
	check("GET", "/api/v1/leads/"+lid, "/api/v1/leads/{id}", planner, nil, 200)
	check("GET", "/api/v1/leads/999999", "/api/v1/leads/{id}", planner, nil, 404)
	check("POST", "/api/v1/leads/"+lid+"/stage", "/api/v1/leads/{id}/stage", planner, map[string]any{"stage": "contact"}, 200)
	check("POST", "/api/v1/leads/"+lid+"/stage", "/api/v1/leads/{id}/stage", planner, map[string]any{"stage": "lead"}, 422)
	check("POST", "/api/v1/leads/"+lid+"/convert", "/api/v1/leads/{id}/convert", planner, map[string]any{"invest_planned": "-3"}, 422)
	json.Unmarshal(check("POST", "/api/v1/leads/"+lid+"/convert", "/api/v1/leads/{id}/convert", planner,
		map[string]any{"project_name": "磁材项目", "unit": "亿元", "invest_planned": "5"}, 201), &l)
	if l.Stage != "signed" || l.ProjectID == nil {
		t.Errorf("converted lead: %+v", l)
	}
	check("POST", "/api/v1/leads/"+lid+"/convert", "/api/v1/leads/{id}/convert", planner, map[string]any{}, 409)
	check("POST", "/api/v1/leads/"+lid+"/stage", "/api/v1/leads/{id}/stage", planner, map[string]any{"stage": "negotiation"}, 409)
}

// Through the API an enterprise user reads its own projects only: another enterprise's
// project id is a 404 exactly like an id that does not exist, and its list leaves it out.
func TestProjectsAPIEnterpriseGuessingIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		a := seedEnterprise(t, db, "甲", "360702")
		b := seedEnterprise(t, db, "乙", "360703")
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("ent-a", auth.Enterprise, "", a)
		planner, entA := env.Token("planner"), env.Token("ent-a")
		ids := map[int64]int64{}
		for _, e := range []int64{a, b} {
			var pd api.ProjectDetail
			status, _, body := postJSON(t, env, "/api/v1/projects", planner, map[string]any{"name_zh": fmt.Sprint("项目", e), "enterprise_id": e, "source": "t"})
			if status != http.StatusCreated {
				t.Fatalf("create: %d %s", status, body)
			}
			json.Unmarshal(body, &pd)
			ids[e] = pd.ID
		}
		var list api.List[api.Project]
		getJSON(t, env, "/api/v1/projects", entA, http.StatusOK, &list)
		if list.Page.Total != 1 || list.Data[0].ID != ids[a] {
			t.Fatalf("enterprise list: %+v", list)
		}
		getJSON(t, env, fmt.Sprintf("/api/v1/projects/%d", ids[a]), entA, http.StatusOK, nil)
		s1, _, other := call(t, env, "GET", fmt.Sprintf("/api/v1/projects/%d", ids[b]), entA, "", nil)
		s2, _, none := call(t, env, "GET", "/api/v1/projects/999999", entA, "", nil)
		var e1, e2 errBody
		json.Unmarshal(other, &e1)
		json.Unmarshal(none, &e2)
		if s1 != http.StatusNotFound || s2 != http.StatusNotFound || e1.Error.Message != e2.Error.Message || e1.Error.Code != e2.Error.Code {
			t.Fatalf("another enterprise's project: %d %s; a missing one: %d %s", s1, other, s2, none)
		}
		if s, _, body := postJSON(t, env, fmt.Sprintf("/api/v1/projects/%d/stage", ids[b]), entA, map[string]any{"stage": "signed"}); s != http.StatusForbidden {
			t.Fatalf("an enterprise user moves a project: %d %s", s, body)
		}
		if s, _, body := call(t, env, "GET", "/api/v1/leads", entA, "", nil); s != http.StatusForbidden {
			t.Fatalf("an enterprise user lists leads: %d %s", s, body)
		}
	})
}
