package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/webtest"
)

// polDocChecks runs every policy operation against the document's schemas, on a document
// and instrument written through the store and a profit figure entered through the API.
func polDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	ctx := context.Background()
	own := seedEnterprise(t, db, "政策测试企业", "360702")
	other := seedEnterprise(t, db, "政策其他企业", "360703")
	std, red := int64(25_000_000), int64(15_000_000)
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertEnterpriseClass(ctx, store.EnterpriseClass{Code: "encouraged", NameZh: "鼓励类产业企业", Combine: "all", Source: "test"}); err != nil {
			return err
		}
		if _, err := tx.InsertClassCriterion(ctx, store.ClassCriterion{ClassCode: "encouraged", Kind: "designated"}); err != nil {
			return err
		}
		if err := tx.UpsertDesignation(ctx, store.Designation{EnterpriseID: own, ClassCode: "encouraged", Source: "税务部门"}); err != nil {
			return err
		}
		areas := int64(19)
		if err := tx.UpsertPolicyDocument(ctx, store.PolicyDocument{Code: "miit69", TitleZh: "意见", DocNumber: "工信部规〔2013〕69号", Areas: &areas, Source: "article"}); err != nil {
			return err
		}
		return tx.UpsertPolicyInstrument(ctx, store.PolicyInstrument{Code: "cit_15", DocumentCode: "miit69", NameZh: "15%", Kind: "tax_rate",
			EligibilityClass: "encouraged", StandardRate: &std, ReducedRate: &red, BaseIndicator: "REV", Source: "article"})
	})
	if err != nil {
		t.Fatal(err)
	}
	env.AddUser("pol-planner", auth.Planner, "", 0)
	env.AddUser("pol-ent", auth.Enterprise, "", own)
	planner, entTok := env.Token("pol-planner"), env.Token("pol-ent")
	// REV stands in for the base here (stSeed has no PROFIT): 10 亿元 → (25% − 15%) × 10 = 1 亿元.
	check("POST", "/api/v1/facts", "/api/v1/facts", planner, stFact("360702", "2013", "10", "industry", "RE-MAG", "enterprise_id", own), 201)

	var docs struct{ Data []api.PolicyDocument }
	json.Unmarshal(check("GET", "/api/v1/policy-documents", "/api/v1/policy-documents", planner, nil, 200), &docs)
	if len(docs.Data) != 1 || *docs.Data[0].Areas != 19 || *docs.Data[0].Instruments[0].StandardRate != "25" {
		t.Errorf("documents: %+v", docs)
	}
	var eb api.EnterpriseBenefits
	json.Unmarshal(check("GET", fmt.Sprintf("/api/v1/enterprises/%d/policy-benefits", own), "/api/v1/enterprises/{id}/policy-benefits", entTok, nil, 200), &eb)
	if len(eb.Benefits) != 1 || eb.Benefits[0].Eligibility.State != "qualifies" || eb.Benefits[0].Estimate.Value == nil ||
		*eb.Benefits[0].Estimate.Value != "1" || *eb.Benefits[0].Estimate.BasePeriod != "2013" {
		t.Errorf("benefits: %+v", eb)
	}
	check("GET", fmt.Sprintf("/api/v1/enterprises/%d/policy-benefits", other), "/api/v1/enterprises/{id}/policy-benefits", entTok, nil, 404)
	var list api.List[api.InstrumentBeneficiary]
	json.Unmarshal(check("GET", "/api/v1/policy-beneficiaries?instrument=cit_15&sort=benefit&dir=desc", "/api/v1/policy-beneficiaries", planner, nil, 200), &list)
	if list.Page.Total < 2 || list.Data[0].Enterprise.ID != own || list.Data[len(list.Data)-1].Estimate.Missing == nil {
		t.Errorf("beneficiaries: %+v", list)
	}
	check("GET", "/api/v1/policy-beneficiaries?instrument=nope", "/api/v1/policy-beneficiaries", planner, nil, 404)
	json.Unmarshal(check("GET", "/api/v1/policy-beneficiaries", "/api/v1/policy-beneficiaries", entTok, nil, 200), &list)
	if list.Page.Total != 1 || list.Data[0].Enterprise.ID != own {
		t.Errorf("enterprise user's beneficiaries: %+v", list)
	}

	// Editing: create, edit and retire a document and an instrument, with the refusals.
	newDoc := map[string]any{"code": "doc:test", "title_zh": "测试政策文件", "issued": "2014", "areas": 3, "source": "test"}
	var pd api.PolicyDocument
	json.Unmarshal(check("POST", "/api/v1/policy-documents", "/api/v1/policy-documents", planner, newDoc, 201), &pd)
	if pd.Code != "doc:test" || pd.Retired != nil || *pd.Areas != 3 {
		t.Errorf("created document: %+v", pd)
	}
	check("POST", "/api/v1/policy-documents", "/api/v1/policy-documents", planner, newDoc, 409)
	check("POST", "/api/v1/policy-documents", "/api/v1/policy-documents", planner, map[string]any{"code": "Bad Code", "areas": -1}, 422)
	check("POST", "/api/v1/policy-documents", "/api/v1/policy-documents", entTok, newDoc, 403)
	newDoc["title_zh"] = "测试政策文件（改）"
	check("PUT", "/api/v1/policy-documents/doc:test", "/api/v1/policy-documents/{code}", planner, newDoc, 200)
	check("PUT", "/api/v1/policy-documents/doc:none", "/api/v1/policy-documents/{code}", planner, newDoc, 404)
	check("PUT", "/api/v1/policy-documents/doc:test", "/api/v1/policy-documents/{code}", planner, map[string]any{"title_zh": "", "source": "t"}, 422)
	newInst := map[string]any{"code": "inst:test", "document": "doc:test", "name_zh": "测试工具", "kind": "subsidy", "standard_rate_percent": "25",
		"reduced_rate_percent": "12.5", "base_indicator": "REV", "source": "test"}
	var pi api.PolicyInstrument
	json.Unmarshal(check("POST", "/api/v1/policy-instruments", "/api/v1/policy-instruments", planner, newInst, 201), &pi)
	if pi.Document != "doc:test" || *pi.ReducedRate != "12.5" {
		t.Errorf("created instrument: %+v", pi)
	}
	check("POST", "/api/v1/policy-instruments", "/api/v1/policy-instruments", planner, map[string]any{"code": "inst:bad", "document": "doc:none",
		"name_zh": "x", "kind": "gift", "standard_rate_percent": "15", "reduced_rate_percent": "25", "source": "t"}, 422)
	newInst["name_zh"] = "测试工具（改）"
	check("PUT", "/api/v1/policy-instruments/inst:test", "/api/v1/policy-instruments/{code}", planner, newInst, 200)
	check("PUT", "/api/v1/policy-instruments/inst:none", "/api/v1/policy-instruments/{code}", planner, newInst, 404)
	check("POST", "/api/v1/policy-instruments/inst:test/retire", "/api/v1/policy-instruments/{code}/retire", planner, map[string]any{"reason": " "}, 422)
	json.Unmarshal(check("POST", "/api/v1/policy-instruments/inst:test/retire", "/api/v1/policy-instruments/{code}/retire", planner,
		map[string]any{"reason": "测试废止"}, 200), &pi)
	if pi.Retired == nil || pi.RetiredNote != "测试废止" {
		t.Errorf("retired instrument: %+v", pi)
	}
	check("POST", "/api/v1/policy-instruments/inst:test/retire", "/api/v1/policy-instruments/{code}/retire", planner, map[string]any{"reason": "again"}, 409)
	check("POST", "/api/v1/policy-instruments/inst:none/retire", "/api/v1/policy-instruments/{code}/retire", planner, map[string]any{"reason": "x"}, 404)
	json.Unmarshal(check("POST", "/api/v1/policy-documents/doc:test/retire", "/api/v1/policy-documents/{code}/retire", planner,
		map[string]any{"reason": "被新文件替代"}, 200), &pd)
	if pd.Retired == nil || len(pd.Instruments) != 1 || pd.Instruments[0].Retired == nil {
		t.Errorf("retired document: %+v", pd)
	}
	check("POST", "/api/v1/policy-documents/doc:test/retire", "/api/v1/policy-documents/{code}/retire", planner, map[string]any{"reason": "again"}, 409)
	check("POST", "/api/v1/policy-documents/doc:none/retire", "/api/v1/policy-documents/{code}/retire", planner, map[string]any{"reason": "x"}, 404)
	check("POST", "/api/v1/policy-documents/miit69/retire", "/api/v1/policy-documents/{code}/retire", entTok, map[string]any{"reason": "x"}, 403)
}
