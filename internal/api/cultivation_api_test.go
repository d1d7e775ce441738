package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// cultSeed adds two classes of the cultivation module on top of stSeed's indicators.
func cultSeed(t *testing.T, db *store.DB, designated int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i, c := range []store.EnterpriseClass{
			{Code: "above_scale", NameZh: "规模以上工业企业", Combine: "all", Source: "test", SortOrder: 1},
			{Code: "leader", NameZh: "龙头企业", Combine: "all", Source: "test", SortOrder: 2},
		} {
			if err := tx.UpsertEnterpriseClass(ctx, c); err != nil {
				return fmt.Errorf("class %d: %w", i, err)
			}
		}
		if _, err := tx.InsertClassCriterion(ctx, store.ClassCriterion{ClassCode: "leader", Kind: "designated", Source: "article"}); err != nil {
			return err
		}
		return tx.UpsertDesignation(ctx, store.Designation{EnterpriseID: designated, ClassCode: "leader", Period: "2013", Source: "article", Quote: "龙头企业……"})
	})
	if err != nil {
		t.Fatalf("seed classes: %v", err)
	}
}

// cultDocChecks runs every cultivation operation against the document's schemas.
func cultDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	own := seedEnterprise(t, db, "培育测试企业", "360702")
	other := seedEnterprise(t, db, "培育其他企业", "360703")
	cultSeed(t, db, other)
	env.AddUser("cu-planner", auth.Planner, "", 0)
	env.AddUser("cu-ent", auth.Enterprise, "", own)
	planner, entTok := env.Token("cu-planner"), env.Token("cu-ent")
	check("POST", "/api/v1/facts", "/api/v1/facts", planner, stFact("360702", "2012", "3", "industry", "RE-MAG", "enterprise_id", own), 201)

	check("GET", "/api/v1/enterprise-classes", "/api/v1/enterprise-classes", planner, nil, 200)
	check("GET", "/api/v1/enterprise-classes?page=0", "/api/v1/enterprise-classes", planner, nil, 422)
	var c api.Criterion
	json.Unmarshal(check("POST", "/api/v1/enterprise-classes/above_scale/criteria", "/api/v1/enterprise-classes/{code}/criteria", planner,
		map[string]any{"kind": "indicator", "indicator": "REV", "comparison": ">=", "threshold": "2000", "unit": "万元", "source": "测试"}, 201), &c)
	if c.Threshold == nil || *c.Threshold != "0.2" || *c.Unit != "亿元" {
		t.Errorf("criterion: %+v", c)
	}
	var e errBody
	json.Unmarshal(check("POST", "/api/v1/enterprise-classes/above_scale/criteria", "/api/v1/enterprise-classes/{code}/criteria", planner,
		map[string]any{"kind": "indicator", "indicator": "NO_SUCH", "comparison": ">=", "threshold": "1"}, 422), &e)
	if e.Error.Code != "unknown_indicator" || !sameStrings(e.fieldNames(), []string{"indicator"}) || !strings.Contains(e.Error.Message, "NO_SUCH") {
		t.Errorf("missing indicator: %+v", e)
	}
	check("POST", "/api/v1/enterprise-classes/above_scale/criteria", "/api/v1/enterprise-classes/{code}/criteria", planner,
		map[string]any{"kind": "indicator", "indictor": "REV"}, 400)
	check("POST", "/api/v1/enterprise-classes/nope/criteria", "/api/v1/enterprise-classes/{code}/criteria", planner,
		map[string]any{"kind": "designated"}, 404)
	check("POST", "/api/v1/enterprise-classes/above_scale/criteria", "/api/v1/enterprise-classes/{code}/criteria", entTok,
		map[string]any{"kind": "designated"}, 403)
	var spare api.Criterion
	json.Unmarshal(check("POST", "/api/v1/enterprise-classes/leader/criteria", "/api/v1/enterprise-classes/{code}/criteria", planner,
		map[string]any{"kind": "chain_leader"}, 201), &spare)
	check("DELETE", fmt.Sprintf("/api/v1/class-criteria/%d", spare.ID), "/api/v1/class-criteria/{id}", planner, nil, 204)
	check("DELETE", fmt.Sprintf("/api/v1/class-criteria/%d", spare.ID), "/api/v1/class-criteria/{id}", planner, nil, 404)

	var cl api.Classification
	json.Unmarshal(check("GET", fmt.Sprintf("/api/v1/enterprises/%d/classification", own), "/api/v1/enterprises/{id}/classification", entTok, nil, 200), &cl)
	if len(cl.Classes) != 2 || cl.Classes[0].State != "qualifies" || *cl.Classes[0].Criteria[0].Value != "3" ||
		*cl.Classes[0].Criteria[0].Period != "2012" || cl.Enterprise.USCC != nil || cl.Enterprise.USCCStatus != "unknown" {
		t.Errorf("classification: %+v", cl)
	}
	// An enterprise user guessing another enterprise's id learns nothing.
	check("GET", fmt.Sprintf("/api/v1/enterprises/%d/classification", other), "/api/v1/enterprises/{id}/classification", entTok, nil, 404)
	json.Unmarshal(check("GET", fmt.Sprintf("/api/v1/enterprises/%d/classification", other), "/api/v1/enterprises/{id}/classification", planner, nil, 200), &cl)
	if cl.Classes[1].State != "qualifies" || cl.Classes[1].Criteria[0].Designation == nil || cl.Classes[0].State != "undecided" ||
		cl.Classes[0].Criteria[0].Value != nil {
		t.Errorf("designated enterprise: %+v", cl)
	}
	var reg api.List[api.ClassMember]
	json.Unmarshal(check("GET", "/api/v1/class-members?class=above_scale&qualified=true", "/api/v1/class-members",
		planner, nil, 200), &reg)
	// Qualifying: the two enterprises with 主营业务收入 ≥ 0.2 亿元 (this one and the statistics
	// checks' enterprise), not the designated 龙头 without figures.
	if reg.Page.Total != 2 || reg.Data[1].Enterprise.ID != own {
		t.Errorf("register: %+v", reg)
	}
	for _, m := range reg.Data {
		if m.Enterprise.ID == other {
			t.Errorf("register lists an enterprise without figures as qualifying")
		}
	}
	check("GET", "/api/v1/class-members?class=above_scale&on_list=maybe", "/api/v1/class-members", planner, nil, 422)
	check("GET", "/api/v1/class-members?class=nope", "/api/v1/class-members", planner, nil, 404)

	var m api.SupportMeasure
	json.Unmarshal(check("POST", "/api/v1/support-measures", "/api/v1/support-measures", planner, map[string]any{"enterprise_id": other,
		"measure": "协调用地", "department": "市自然资源局", "due_date": "2020-06-30"}, 201), &m)
	if !m.Overdue || m.Status != "planned" {
		t.Errorf("measure: %+v", m)
	}
	json.Unmarshal(check("POST", "/api/v1/support-measures", "/api/v1/support-measures", planner, map[string]any{"enterprise_id": 987654,
		"measure": "", "department": "d", "due_date": "2020-13-01"}, 422), &e)
	if !sameStrings(e.fieldNames(), []string{"enterprise_id", "measure", "due_date"}) {
		t.Errorf("bad measure: fields %v", e.fieldNames())
	}
	check("POST", "/api/v1/support-measures", "/api/v1/support-measures", entTok, map[string]any{"enterprise_id": own,
		"measure": "m", "department": "d", "due_date": "2027-01-01"}, 403)
	check("GET", "/api/v1/support-measures", "/api/v1/support-measures", planner, nil, 200)
	check("GET", "/api/v1/support-measures?overdue=true&enterprise_id="+fmt.Sprint(other), "/api/v1/support-measures", planner, nil, 200)
	check("GET", "/api/v1/support-measures?enterprise_id=x", "/api/v1/support-measures", planner, nil, 422)
	check("GET", "/api/v1/support-measures?enterprise_id="+fmt.Sprint(other), "/api/v1/support-measures", entTok, nil, 404)
	var mine api.List[api.SupportMeasure]
	json.Unmarshal(check("GET", "/api/v1/support-measures", "/api/v1/support-measures", entTok, nil, 200), &mine)
	if mine.Page.Total != 0 {
		t.Errorf("enterprise user sees another enterprise's measures: %+v", mine)
	}
	json.Unmarshal(check("POST", fmt.Sprintf("/api/v1/support-measures/%d/status", m.ID), "/api/v1/support-measures/{id}/status", planner,
		map[string]any{"status": "done"}, 200), &m)
	if m.Overdue || m.Status != "done" {
		t.Errorf("done measure: %+v", m)
	}
	check("POST", fmt.Sprintf("/api/v1/support-measures/%d/status", m.ID), "/api/v1/support-measures/{id}/status", planner, map[string]any{"status": "finished"}, 422)
	check("POST", "/api/v1/support-measures/987654/status", "/api/v1/support-measures/{id}/status", planner, map[string]any{"status": "done"}, 404)
	check("POST", fmt.Sprintf("/api/v1/support-measures/%d/status", m.ID), "/api/v1/support-measures/{id}/status", entTok, map[string]any{"status": "done"}, 403)

	const dp, dpID = "/api/v1/enterprise-classes/{code}/designations", "/api/v1/enterprise-classes/{code}/designations/{id}"
	check("POST", "/api/v1/enterprise-classes/leader/designations", dp, planner, map[string]any{"enterprise_id": own, "source": "测试名单", "period": "2023-07"}, 201)
	check("POST", "/api/v1/enterprise-classes/leader/designations", dp, planner, map[string]any{"enterprise_id": own}, 422)
	check("POST", "/api/v1/enterprise-classes/leader/designations", dp, planner, map[string]any{"enterprise": own}, 400)
	check("POST", "/api/v1/enterprise-classes/leader/designations", dp, entTok, map[string]any{"enterprise_id": own, "source": "s"}, 403)
	check("GET", "/api/v1/enterprise-classes/leader/designations", dp, planner, nil, 200)
	check("GET", "/api/v1/enterprise-classes/nope/designations", dp, planner, nil, 404)
	check("DELETE", fmt.Sprintf("/api/v1/enterprise-classes/leader/designations/%d", own), dpID, entTok, nil, 403)
	check("DELETE", fmt.Sprintf("/api/v1/enterprise-classes/leader/designations/%d", own), dpID, planner, nil, 204)
	check("DELETE", fmt.Sprintf("/api/v1/enterprise-classes/leader/designations/%d", own), dpID, planner, nil, 404)
	const lp, lpID = "/api/v1/enterprise-classes/{code}/list", "/api/v1/enterprise-classes/{code}/list/{id}"
	check("POST", "/api/v1/enterprise-classes/leader/list", lp, planner, map[string]any{"enterprise_id": own, "note": "n"}, 204)
	check("POST", "/api/v1/enterprise-classes/leader/list", lp, planner, map[string]any{"enterprise_id": 987654}, 422)
	check("POST", "/api/v1/enterprise-classes/leader/list", lp, entTok, map[string]any{"enterprise_id": own}, 403)
	check("DELETE", fmt.Sprintf("/api/v1/enterprise-classes/leader/list/%d", own), lpID, entTok, nil, 403)
	check("DELETE", fmt.Sprintf("/api/v1/enterprise-classes/leader/list/%d", own), lpID, planner, nil, 204)
	check("DELETE", fmt.Sprintf("/api/v1/enterprise-classes/leader/list/%d", own), lpID, planner, nil, 404)
}

// TestCultivationBadInputWritesNothing: refused rules and measures leave no row and no
// audit entry behind.
func TestCultivationBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		stSeed(t, db)
		ent := seedEnterprise(t, db, "企业甲", "360702")
		cultSeed(t, db, ent)
		env.AddUser("cu-p", auth.Planner, "", 0)
		tok := env.Token("cu-p")
		count := func() (crit, measures, audits int) {
			ctx := context.Background()
			cs, _ := db.ClassCriteria(ctx)
			ms, _ := db.ListSupportMeasures(ctx, store.EnterpriseScope{All: true}, 0, "", store.ListQuery{})
			as, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
			return len(cs), ms.Total, as.Total
		}
		c0, m0, a0 := count()
		for _, body := range []string{
			`{"kind":"indicator","indicator":"MISSING","comparison":">=","threshold":"1"}`,
			`{"kind":"indicator","indicator":"REV","comparison":">=","threshold":"-"}`,
		} {
			resp := env.API("POST", "/api/v1/enterprise-classes/above_scale/criteria", tok, strings.NewReader(body), nil)
			resp.Body.Close()
			if resp.StatusCode != 422 {
				t.Errorf("%s: %d", body, resp.StatusCode)
			}
		}
		for _, body := range []string{
			fmt.Sprintf(`{"enterprise_id":%d,"measure":"m","department":"","due_date":"2027-01-01"}`, ent),
			`{"enterprise_id":0,"measure":"m","department":"d","due_date":"2027-01-01"}`,
			fmt.Sprintf(`{"enterprise_id":%d,"measure":"m","department":"d","due_date":"明年"}`, ent),
		} {
			resp := env.API("POST", "/api/v1/support-measures", tok, strings.NewReader(body), nil)
			resp.Body.Close()
			if resp.StatusCode != 422 {
				t.Errorf("%s: %d", body, resp.StatusCode)
			}
		}
		if c, m, a := count(); c != c0 || m != m0 || a != a0 {
			t.Errorf("refused input wrote: criteria %d→%d measures %d→%d audit %d→%d", c0, c, m0, m, a0, a)
		}
	})
}
