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

// srdiSeed adds the 专精特新 class decided by its designation list alone.
func srdiSeed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertEnterpriseClass(ctx, store.EnterpriseClass{Code: "srdi", NameZh: "专精特新", Combine: "all", Source: "test", SortOrder: 3}); err != nil {
			return err
		}
		_, err := tx.InsertClassCriterion(ctx, store.ClassCriterion{ClassCode: "srdi", Kind: "designated", Source: "test"})
		return err
	})
	if err != nil {
		t.Fatalf("seed srdi: %v", err)
	}
}

func srdiResult(t *testing.T, env *webtest.Env, id int64, token string) api.ClassResult {
	t.Helper()
	var cl api.Classification
	getJSON(t, env, fmt.Sprintf("/api/v1/enterprises/%d/classification", id), token, 200, &cl)
	for _, c := range cl.Classes {
		if c.Class == "srdi" {
			return c
		}
	}
	t.Fatalf("classification of %d has no srdi class: %+v", id, cl)
	return api.ClassResult{}
}

func countDesignations(t *testing.T, db *store.DB) int {
	t.Helper()
	ds, err := db.Designations(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(ds)
}

func auditActions(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	p, err := db.ListAudit(context.Background(), store.AuditFilter{Action: action}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// TestDesignationAPIReclassifies: designating an enterprise makes it 专精特新 at once with
// the source as the reason; removing it undoes that; both are audited.
func TestDesignationAPIReclassifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		own := seedEnterprise(t, db, "认定企业甲", "360702")
		other := seedEnterprise(t, db, "认定企业乙", "360703")
		cultSeed(t, db, other)
		srdiSeed(t, db)
		env.AddUser("de-p", auth.Planner, "", 0)
		env.AddUser("de-e", auth.Enterprise, "", own)
		planner, entTok := env.Token("de-p"), env.Token("de-e")

		if r := srdiResult(t, env, own, planner); r.State == "qualifies" {
			t.Fatalf("before designation: %+v", r)
		}
		const src = "工业和信息化部第五批专精特新“小巨人”企业名单"
		status, _, b := postJSON(t, env, "/api/v1/enterprise-classes/srdi/designations", planner,
			map[string]any{"enterprise_id": own, "source": src, "period": "2023", "quote": "赣州某企业"})
		if status != 201 {
			t.Fatalf("designate: %d %s", status, b)
		}
		var d api.ClassDesignation
		if err := json.Unmarshal(b, &d); err != nil || d.EnterpriseID != own || d.Source != src || d.Period == nil || *d.Period != "2023" {
			t.Fatalf("designation: %+v %v", d, err)
		}
		r := srdiResult(t, env, own, planner)
		if r.State != "qualifies" || len(r.Criteria) != 1 || r.Criteria[0].Designation == nil ||
			r.Criteria[0].Designation.Source != src || r.Criteria[0].Source == nil || *r.Criteria[0].Source != src {
			t.Fatalf("after designation: %+v", r)
		}
		if n := auditActions(t, db, "cultivation.designation.set"); n != 1 {
			t.Errorf("audit of designation: %d entries", n)
		}

		// Listing: the planner sees both; the enterprise user only its own.
		postJSON(t, env, "/api/v1/enterprise-classes/srdi/designations", planner, map[string]any{"enterprise_id": other, "source": "另一名单"})
		var all, mine []api.ClassDesignation
		getJSON(t, env, "/api/v1/enterprise-classes/srdi/designations", planner, 200, &all)
		getJSON(t, env, "/api/v1/enterprise-classes/srdi/designations", entTok, 200, &mine)
		if len(all) != 2 || all[0].EnterpriseID != own || all[1].EnterpriseID != other || all[1].Period != nil {
			t.Errorf("planner's list: %+v", all)
		}
		if len(mine) != 1 || mine[0].EnterpriseID != own {
			t.Errorf("enterprise user's list: %+v", mine)
		}
		getJSON(t, env, "/api/v1/enterprise-classes/nope/designations", planner, 404, nil)

		status, _, b = call(t, env, http.MethodDelete, fmt.Sprintf("/api/v1/enterprise-classes/srdi/designations/%d", own), planner, "", nil)
		if status != 204 {
			t.Fatalf("remove: %d %s", status, b)
		}
		if r := srdiResult(t, env, own, planner); r.State == "qualifies" || r.Criteria[0].Designation != nil {
			t.Errorf("after removal: %+v", r)
		}
		if n := auditActions(t, db, "cultivation.designation.remove"); n != 1 {
			t.Errorf("audit of removal: %d entries", n)
		}
		status, hdr, b := call(t, env, http.MethodDelete, fmt.Sprintf("/api/v1/enterprise-classes/srdi/designations/%d", own), planner, "", nil)
		wantError(t, "remove again", status, hdr, b, 404, "not_found")
	})
}

// TestDesignationAPIBadInputAndRoles: unknown class or enterprise, a missing source or a
// bad date is refused with each field named in Chinese and English, and nothing is
// written; an enterprise user may neither designate nor remove, not even itself.
func TestDesignationAPIBadInputAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		own := seedEnterprise(t, db, "认定企业甲", "360702")
		other := seedEnterprise(t, db, "认定企业乙", "360703")
		cultSeed(t, db, other)
		srdiSeed(t, db)
		env.AddUser("db-p", auth.Planner, "", 0)
		env.AddUser("db-e", auth.Enterprise, "", own)
		planner, entTok := env.Token("db-p"), env.Token("db-e")
		d0, a0 := countDesignations(t, db), countAudit(t, db)

		body := `{"enterprise_id":987654,"source":"  ","period":"去年"}`
		status, hdr, b := call(t, env, "POST", "/api/v1/enterprise-classes/srdi/designations", planner, "application/json", strings.NewReader(body))
		e := wantError(t, "bad designation zh", status, hdr, b, 422, "invalid_designation")
		if !sameStrings(e.fieldNames(), []string{"enterprise_id", "source", "period"}) {
			t.Errorf("fields: %v", e.fieldNames())
		}
		zh := string(b)
		if !strings.Contains(zh, "987654") || !strings.Contains(zh, "缺少来源文件") || !strings.Contains(zh, "去年") {
			t.Errorf("Chinese message does not name what is wrong: %s", zh)
		}
		status, hdr, b = call(t, env, "POST", "/api/v1/enterprise-classes/srdi/designations", planner, "application/json", strings.NewReader(body),
			"Accept-Language", "en")
		wantError(t, "bad designation en", status, hdr, b, 422, "invalid_designation")
		if !strings.Contains(string(b), "Source document is missing") || !strings.Contains(string(b), "987654") {
			t.Errorf("English message does not name what is wrong: %s", b)
		}
		status, hdr, b = postJSON(t, env, "/api/v1/enterprise-classes/nope/designations", planner, map[string]any{"enterprise_id": own, "source": "s"})
		wantError(t, "unknown class", status, hdr, b, 404, "not_found")
		status, hdr, b = postJSON(t, env, "/api/v1/enterprise-classes/srdi/designations", entTok, map[string]any{"enterprise_id": own, "source": "s"})
		wantError(t, "enterprise user designates itself", status, hdr, b, 403, "forbidden")
		if d, a := countDesignations(t, db), countAudit(t, db); d != d0 || a != a0 {
			t.Errorf("refused input wrote: designations %d→%d audit %d→%d", d0, d, a0, a)
		}
		// The enterprise user may not remove another enterprise's designation either.
		status, hdr, b = call(t, env, http.MethodDelete, fmt.Sprintf("/api/v1/enterprise-classes/leader/designations/%d", other), entTok, "", nil)
		wantError(t, "enterprise user removes", status, hdr, b, 403, "forbidden")
		if d := countDesignations(t, db); d != d0 {
			t.Errorf("refused removal wrote: %d→%d", d0, d)
		}
	})
}

// TestCultivationListAPI: planners put enterprises on and off a cultivation list through
// the API, the classification shows it, bad input and enterprise users are refused.
func TestCultivationListAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		own := seedEnterprise(t, db, "培育库企业甲", "360702")
		other := seedEnterprise(t, db, "培育库企业乙", "360703")
		cultSeed(t, db, other)
		srdiSeed(t, db)
		env.AddUser("cl-p", auth.Planner, "", 0)
		env.AddUser("cl-e", auth.Enterprise, "", own)
		planner, entTok := env.Token("cl-p"), env.Token("cl-e")
		entries := func() int {
			es, err := db.CultivationEntries(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}

		status, _, b := postJSON(t, env, "/api/v1/enterprise-classes/srdi/list", planner, map[string]any{"enterprise_id": other, "note": "2026 年重点培育"})
		if status != 204 {
			t.Fatalf("add to list: %d %s", status, b)
		}
		if r := srdiResult(t, env, other, planner); !r.OnList {
			t.Errorf("not on list after adding: %+v", r)
		}
		if n := auditActions(t, db, "cultivation.list.add"); n != 1 {
			t.Errorf("audit of list add: %d", n)
		}

		n0, a0 := entries(), countAudit(t, db)
		status, hdr, b := postJSON(t, env, "/api/v1/enterprise-classes/srdi/list", planner, map[string]any{"enterprise_id": 987654})
		e := wantError(t, "unknown enterprise", status, hdr, b, 422, "unknown_enterprise")
		if !sameStrings(e.fieldNames(), []string{"enterprise_id"}) || !strings.Contains(e.Error.Message, "987654") {
			t.Errorf("unknown enterprise: %+v", e)
		}
		status, hdr, b = postJSON(t, env, "/api/v1/enterprise-classes/nope/list", planner, map[string]any{"enterprise_id": other})
		wantError(t, "unknown class", status, hdr, b, 404, "not_found")
		// An enterprise user may not put itself on a list nor take another enterprise off.
		status, hdr, b = postJSON(t, env, "/api/v1/enterprise-classes/srdi/list", entTok, map[string]any{"enterprise_id": own})
		wantError(t, "enterprise user adds", status, hdr, b, 403, "forbidden")
		status, hdr, b = call(t, env, http.MethodDelete, fmt.Sprintf("/api/v1/enterprise-classes/srdi/list/%d", other), entTok, "", nil)
		wantError(t, "enterprise user removes", status, hdr, b, 403, "forbidden")
		if n, a := entries(), countAudit(t, db); n != n0 || a != a0 {
			t.Errorf("refused requests wrote: entries %d→%d audit %d→%d", n0, n, a0, a)
		}

		status, _, b = call(t, env, http.MethodDelete, fmt.Sprintf("/api/v1/enterprise-classes/srdi/list/%d", other), planner, "", nil)
		if status != 204 {
			t.Fatalf("remove from list: %d %s", status, b)
		}
		if r := srdiResult(t, env, other, planner); r.OnList {
			t.Errorf("still on list after removal: %+v", r)
		}
		status, hdr, b = call(t, env, http.MethodDelete, fmt.Sprintf("/api/v1/enterprise-classes/srdi/list/%d", other), planner, "", nil)
		wantError(t, "remove again", status, hdr, b, 404, "not_found")
	})
}
