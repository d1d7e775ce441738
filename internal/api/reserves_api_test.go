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
	"zhanxin/internal/webtest"
)

// reservesDocChecks exercises every reserve operation against its documented schema, for
// TestResponsesMatchDocument, with the answers' figures and the enterprise scope.
func reservesDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	op := seedEnterprise(t, db, "储备运营企业", "360702")
	seller := seedEnterprise(t, db, "储备供货企业", "360702")
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertProduct(context.Background(), store.Product{Code: "ox_dy2o3", NameZh: "氧化镝", NameEn: "dysprosium oxide", Kind: "product",
			UnitZh: "吨 Dy2O3", UnitEn: "t Dy2O3", Source: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	env.AddUser("rv-reg", auth.Regulator, "", 0)
	env.AddUser("rv-op", auth.Enterprise, "", op)
	env.AddUser("rv-seller", auth.Enterprise, "", seller)
	reg, tOp, tSeller := env.Token("rv-reg"), env.Token("rv-op"), env.Token("rv-seller")

	depot := map[string]any{"code": "GZ-W1", "name_zh": "赣州实物储备库", "kind": "physical", "region_code": "360702", "operator_id": op, "source": "批复"}
	var d api.DepotDetail
	json.Unmarshal(check("POST", "/api/v1/reserves/depots", "/api/v1/reserves/depots", reg, depot, 201), &d)
	check("POST", "/api/v1/reserves/depots", "/api/v1/reserves/depots", reg, depot, 409)
	check("POST", "/api/v1/reserves/depots", "/api/v1/reserves/depots", reg, map[string]any{"code": "x y", "kind": "cave"}, 422)
	check("POST", "/api/v1/reserves/depots", "/api/v1/reserves/depots", reg, map[string]any{"cod": "x"}, 400)
	check("POST", "/api/v1/reserves/depots", "/api/v1/reserves/depots", tOp, depot, 403)

	buy := map[string]any{"depot_id": d.ID, "kind": "purchase", "product": "ox_dy2o3", "enterprise_id": seller, "amount_t": "120.5",
		"date": "2024-03-05", "doc_no": "赣储〔2024〕1号", "reason": "收储"}
	var o api.ReserveOp
	json.Unmarshal(check("POST", "/api/v1/reserves/operations", "/api/v1/reserves/operations", reg, buy, 201), &o)
	if o.InG != 120_500_000 || len(o.TransferIDs) != 1 {
		t.Errorf("purchase %+v", o)
	}
	rot := map[string]any{"depot_id": d.ID, "kind": "rotation", "product": "ox_dy2o3", "enterprise_id": seller, "amount_t": "20", "in_t": "20",
		"date": "2024-06-05", "doc_no": "轮换单", "reason": "轮换"}
	json.Unmarshal(check("POST", "/api/v1/reserves/operations", "/api/v1/reserves/operations", reg, rot, 201), &o)
	if len(o.TransferIDs) != 2 {
		t.Errorf("rotation %+v", o)
	}
	over := map[string]any{"depot_id": d.ID, "kind": "release", "product": "ox_dy2o3", "enterprise_id": seller, "amount_t": "500",
		"date": "2024-06-05", "doc_no": "投放单", "reason": "投放"}
	b := check("POST", "/api/v1/reserves/operations", "/api/v1/reserves/operations", reg, over, 422)
	if !json.Valid(b) || !strings.Contains(string(b), "120.5 t") {
		t.Errorf("over-release answer lacks the balance: %s", b)
	}
	over["depot_id"] = 999999
	check("POST", "/api/v1/reserves/operations", "/api/v1/reserves/operations", reg, over, 404)
	check("POST", "/api/v1/reserves/operations", "/api/v1/reserves/operations", tOp, buy, 403)
	check("POST", "/api/v1/reserves/operations", "/api/v1/reserves/operations", reg, map[string]any{"x": 1}, 400)

	path := fmt.Sprintf("/api/v1/reserves/depots/%d", d.ID)
	shares := map[string]any{"shares": []map[string]any{{"region_code": "360000", "percent": "30"}, {"enterprise_id": seller, "percent": "10"}}}
	check("PUT", path+"/shares", "/api/v1/reserves/depots/{id}/shares", reg, shares, 200)
	check("PUT", path+"/shares", "/api/v1/reserves/depots/{id}/shares", reg, map[string]any{"shares": []map[string]any{{"region_code": "360000", "percent": "101"}}}, 422)
	check("PUT", "/api/v1/reserves/depots/999999/shares", "/api/v1/reserves/depots/{id}/shares", reg, shares, 404)
	check("PUT", path+"/shares", "/api/v1/reserves/depots/{id}/shares", tOp, shares, 403)

	json.Unmarshal(check("GET", path, "/api/v1/reserves/depots/{id}", tSeller, nil, 200), &d) // a partner sees it
	if len(d.Stocks) != 1 || d.Stocks[0].BalanceT != "120.5" || len(d.Shares) != 2 || d.Shares[0].HoldingsT["ox_dy2o3"] != "36.15" || d.OwnPct != "60" {
		t.Errorf("depot %+v", d)
	}
	check("GET", "/api/v1/reserves/depots", "/api/v1/reserves/depots", tOp, nil, 200)
	check("GET", "/api/v1/reserves/depots/999999", "/api/v1/reserves/depots/{id}", reg, nil, 404)
	check("GET", "/api/v1/reserves/depots", "/api/v1/reserves/depots", "", nil, 401)

	var card api.StockCard
	json.Unmarshal(check("GET", path+"/stock-card?product=ox_dy2o3&from=2020-01-01&to=2099-12-31", "/api/v1/reserves/depots/{id}/stock-card", tOp, nil, 200), &card)
	if card.OpeningG != 0 || card.ClosingG != 120_500_000 || len(card.Lines) != 3 || len(card.Ops) != 2 {
		t.Errorf("stock card %+v", card)
	}
	check("GET", path+"/stock-card?product=ox_dy2o3&from=2024-13-01&to=2024-12-31", "/api/v1/reserves/depots/{id}/stock-card", reg, nil, 422)
	check("GET", path+"/stock-card?product=ox_tb4o7&from=2024-01-01&to=2024-12-31", "/api/v1/reserves/depots/{id}/stock-card", reg, nil, 404)
}
