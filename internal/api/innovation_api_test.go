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

// innoDocChecks runs every innovation operation against the document's schemas.
func innoDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	ctx := context.Background()
	ent := seedEnterprise(t, db, "创新测试企业", "360702")
	var link int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertChain(ctx, store.Chain{Code: "T-RE", NameZh: "稀土", IndustryCode: "RE", Source: "test"}); err != nil {
			return err
		}
		var err error
		link, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "T-RE", Code: "sep", NameZh: "分离冶炼", IndustryCode: "RE", Source: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.AddUser("in-planner", auth.Planner, "", 0)
	env.AddUser("in-viewer", auth.Viewer, "", 0)
	planner, viewer := env.Token("in-planner"), env.Token("in-viewer")
	var u api.InnovationUnit
	json.Unmarshal(check("POST", "/api/v1/innovation-units", "/api/v1/innovation-units", planner, map[string]any{"name_zh": "江西钨与稀土研究院",
		"category": "platform", "status": "operating", "source": "article", "link_ids": []int64{link}}, 201), &u)
	if len(u.Links) != 1 || u.Links[0].NameZh != "分离冶炼" || u.Level != nil {
		t.Errorf("unit: %+v", u)
	}
	check("POST", "/api/v1/innovation-units", "/api/v1/innovation-units", planner, map[string]any{"name_zh": "江西钨与稀土研究院",
		"category": "platform", "status": "operating", "source": "article"}, 422)
	check("POST", "/api/v1/innovation-units", "/api/v1/innovation-units", planner, map[string]any{"nam_zh": "x"}, 400)
	check("POST", "/api/v1/innovation-units", "/api/v1/innovation-units", viewer, map[string]any{"name_zh": "x", "category": "platform",
		"status": "operating", "source": "x"}, 403)
	check("POST", fmt.Sprintf("/api/v1/innovation-units/%d/links", u.ID), "/api/v1/innovation-units/{id}/links", planner, map[string]any{"enterprise_id": ent}, 204)
	check("POST", fmt.Sprintf("/api/v1/innovation-units/%d/links", u.ID), "/api/v1/innovation-units/{id}/links", planner, map[string]any{"enterprise_id": 987654}, 422)
	check("POST", "/api/v1/innovation-units/987654/links", "/api/v1/innovation-units/{id}/links", planner, map[string]any{"link_id": link}, 404)
	var o api.InnovationOverview
	json.Unmarshal(check("GET", "/api/v1/innovation-units", "/api/v1/innovation-units", planner, nil, 200), &o)
	if len(o.Data) != 1 || len(o.Data[0].Enterprises) != 1 {
		t.Errorf("units: %+v", o)
	}
	json.Unmarshal(check("GET", "/api/v1/innovation-units", "/api/v1/innovation-units", viewer, nil, 200), &o)
	if len(o.Data[0].Enterprises) != 0 {
		t.Errorf("a viewer sees linked enterprises: %+v", o.Data[0])
	}
}
