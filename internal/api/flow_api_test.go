package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/webtest"
)

// flowEvent is one ObjectEvent at loc of 2024-03 with a quantity of oxide in tonnes.
func flowEvent(step, loc, dest, tx, tonnes string, day int) string {
	extra := ""
	if dest != "" {
		extra += fmt.Sprintf(`,"destinationList":[{"type":"location","destination":%q}]`, dest)
	}
	if tx != "" {
		extra += fmt.Sprintf(`,"bizTransactionList":[{"type":"desadv","bizTransaction":"https://example.cn/desadv/%s"}]`, tx)
	}
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2024-03-%02dT08:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE",`+
		`"bizStep":%q,"readPoint":{"id":%q},"bizLocation":{"id":%q},"quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.012346.O","quantity":%s,"uom":"TNE"}]%s}`,
		day, step, loc, loc, tonnes, extra)
}

func flowDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	tok := env.Token("root")
	ent := seedEnterprise(t, db, "流向文档测试厂", "360702")
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertProduct(context.Background(), store.Product{Code: "ox_nd2o3", NameZh: "氧化钕", NameEn: "neodymium oxide", Kind: "product",
			UnitZh: "吨", UnitEn: "t", Oxide: "REO"})
	}); err != nil {
		t.Fatal(err)
	}
	check("POST", "/api/v1/flow/products", "/api/v1/flow/products", tok, map[string]any{"epc_class": "urn:epc:class:lgtin:6901234.012346.O",
		"product_code": "ox_nd2o3", "stage": "oxide", "oxide": "REO", "content_pct": "99.5", "yield_min_pct": "90", "yield_max_pct": "99"}, 200)
	check("POST", "/api/v1/flow/products", "/api/v1/flow/products", tok, map[string]any{"epc_class": "ore", "product_code": "ox_nd2o3",
		"stage": "oxide", "oxide": "REO", "content_pct": "0"}, 422)
	check("GET", "/api/v1/flow/products", "/api/v1/flow/products", tok, nil, 200)
	check("GET", "/api/v1/flow/settings", "/api/v1/flow/settings", tok, nil, 200)
	check("PUT", "/api/v1/flow/settings", "/api/v1/flow/settings", tok, map[string]any{"balance_tolerance_bp": 50, "transit_tolerance_bp": 100,
		"quota_tolerance_bp": 100, "not_received_days": 30}, 200)
	check("PUT", "/api/v1/flow/settings", "/api/v1/flow/settings", tok, map[string]any{"balance_tolerance_bp": -1, "transit_tolerance_bp": 100,
		"quota_tolerance_bp": 100, "not_received_days": 0}, 422)
	a, b := "https://id.gs1.org/414/6901234500011", "https://id.gs1.org/414/6901234500028"
	for _, l := range []map[string]any{{"gln": "6901234500011", "name_zh": "文档分离厂", "kind": "separation_plant", "region_code": "360702", "enterprise_id": ent},
		{"gln": "6901234500028", "name_zh": "文档金属厂", "kind": "metal_plant", "region_code": "360702", "enterprise_id": ent}} {
		if status, _, body := sendJSON(t, env, "POST", "/epcis/locations", tok, l); status != 201 {
			t.Fatalf("location: %d %s", status, body)
		}
	}
	doc := epcisDoc(flowEvent("shipping", a, b, "D1", "20", 5) + "," + flowEvent("receiving", b, "", "D1", "10", 6))
	if status, _, body := sendJSON(t, env, "POST", "/epcis/capture", tok, json.RawMessage(doc)); status != 202 {
		t.Fatalf("capture: %d %s", status, body)
	}
	var run api.FlowCheckRun
	json.Unmarshal(check("POST", "/api/v1/flow/checks", "/api/v1/flow/checks", tok, map[string]any{"period": "2024-03"}, 200), &run)
	if run.Found == 0 {
		t.Fatalf("checks found nothing: %+v", run)
	}
	check("POST", "/api/v1/flow/checks", "/api/v1/flow/checks", tok, map[string]any{"period": "March"}, 422)
	check("GET", "/api/v1/flow/balance?period=2024-03", "/api/v1/flow/balance", tok, nil, 200)
	check("GET", "/api/v1/flow/balance?period=2024-3", "/api/v1/flow/balance", tok, nil, 422)
	check("GET", "/api/v1/flow/balance?period=2024-03&site="+url.QueryEscape("https://id.gs1.org/414/4012345000009"), "/api/v1/flow/balance", tok, nil, 404)
	var list api.List[api.FlowAnomaly]
	json.Unmarshal(check("GET", "/api/v1/flow/anomalies?kind=transit_loss", "/api/v1/flow/anomalies", tok, nil, 200), &list)
	if len(list.Data) != 1 {
		t.Fatalf("transit anomalies %+v", list)
	}
	id := list.Data[0].ID
	check("GET", "/api/v1/flow/anomalies?kind=nope", "/api/v1/flow/anomalies", tok, nil, 422)
	path := fmt.Sprintf("/api/v1/flow/anomalies/%d", id)
	var one api.FlowAnomaly
	json.Unmarshal(check("GET", path, "/api/v1/flow/anomalies/{id}", tok, nil, 200), &one)
	if len(one.Evidence) != 2 || !strings.HasPrefix(one.Evidence[0], "ni:///sha-256;") {
		t.Fatalf("evidence %v", one.Evidence)
	}
	check("GET", "/api/v1/flow/anomalies/999999", "/api/v1/flow/anomalies/{id}", tok, nil, 404)
	reg := env.AddUser("flowreg", auth.Regulator, "", 0)
	check("POST", path+"/assign", "/api/v1/flow/anomalies/{id}/assign", tok, map[string]any{"user_id": reg.ID}, 200)
	check("POST", path+"/assign", "/api/v1/flow/anomalies/{id}/assign", tok, map[string]any{"user_id": 0}, 422)
	check("POST", "/api/v1/flow/anomalies/999999/assign", "/api/v1/flow/anomalies/{id}/assign", tok, map[string]any{"user_id": reg.ID}, 404)
	check("POST", path+"/comments", "/api/v1/flow/anomalies/{id}/comments", tok, map[string]any{"body": "核实中 / checking"}, 201)
	check("POST", path+"/comments", "/api/v1/flow/anomalies/{id}/comments", tok, map[string]any{"body": " "}, 422)
	check("POST", "/api/v1/flow/anomalies/999999/comments", "/api/v1/flow/anomalies/{id}/comments", tok, map[string]any{"body": "x"}, 404)
	check("POST", path+"/close", "/api/v1/flow/anomalies/{id}/close", tok, map[string]any{"reason": ""}, 422)
	check("POST", path+"/close", "/api/v1/flow/anomalies/{id}/close", tok, map[string]any{"reason": "承运方赔付 / carrier compensated"}, 200)
	check("POST", path+"/close", "/api/v1/flow/anomalies/{id}/close", tok, map[string]any{"reason": "again"}, 409)
	check("POST", path+"/assign", "/api/v1/flow/anomalies/{id}/assign", tok, map[string]any{"user_id": reg.ID}, 409)
	check("POST", "/api/v1/flow/anomalies/999999/close", "/api/v1/flow/anomalies/{id}/close", tok, map[string]any{"reason": "x"}, 404)
	// An enterprise user of another enterprise: the same 404 for the anomaly as for a
	// missing one, and no acting.
	other := seedEnterprise(t, db, "流向他厂", "360702")
	env.AddUser("flowent", auth.Enterprise, "", other)
	etok := env.Token("flowent")
	check("GET", path, "/api/v1/flow/anomalies/{id}", etok, nil, 404)
	check("POST", path+"/comments", "/api/v1/flow/anomalies/{id}/comments", etok, map[string]any{"body": "x"}, 404)
	check("POST", "/api/v1/flow/checks", "/api/v1/flow/checks", etok, map[string]any{"period": "2024-03"}, 403)
	json.Unmarshal(check("GET", "/api/v1/flow/anomalies", "/api/v1/flow/anomalies", etok, nil, 200), &list)
	if len(list.Data) != 0 {
		t.Fatalf("another enterprise sees %d anomalies", len(list.Data))
	}
}
