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
	"zhanxin/internal/chain"
	"zhanxin/internal/chain/chaintest"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// chDocSeed writes the chain "doc" (a → b, industries RE and RE-MAG of stSeed) and two
// enterprises: one of RE-MAG, one of NEV.
func chDocSeed(t *testing.T, db *store.DB) (a, b, mag, nev int64) {
	t.Helper()
	ctx := context.Background()
	mag = seedEnterprise(t, db, "链测试企业", "")
	nev = seedEnterprise(t, db, "链外企业", "")
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertChain(ctx, store.Chain{Code: "doc", NameZh: "文档链", IndustryCode: "RE", Acyclic: true, Source: "test"}); err != nil {
			return err
		}
		la, err := chain.CreateLinkTx(ctx, tx, "doc", chain.LinkInput{Code: "a", NameZh: "上游", IndustryCode: "RE", Source: "test"})
		if err != nil {
			return err
		}
		lb, err := chain.CreateLinkTx(ctx, tx, "doc", chain.LinkInput{Code: "b", NameZh: "下游", IndustryCode: "RE-MAG", Stage: 1, Source: "test"})
		if err != nil {
			return err
		}
		a, b = la.ID, lb.ID
		for _, x := range []store.EnterpriseIndustry{{EnterpriseID: mag, IndustryCode: "RE-MAG", Source: "test"}, {EnterpriseID: nev, IndustryCode: "NEV", Source: "test"}} {
			if err := tx.UpsertEnterpriseIndustry(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

// chainsDocChecks exercises every chain endpoint against the document (called from
// TestResponsesMatchDocument after the statistics checks).
func chainsDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	a, b, mag, nev := chDocSeed(t, db)
	env.AddUser("ch-planner", auth.Planner, "", 0)
	env.AddUser("ch-viewer", auth.Viewer, "", 0)
	env.AddUser("ch-ent", auth.Enterprise, "", mag)
	pl, vw, en := env.Token("ch-planner"), env.Token("ch-viewer"), env.Token("ch-ent")

	check("GET", "/api/v1/chains", "/api/v1/chains", pl, nil, 200)
	check("GET", "/api/v1/chains?sort=bogus", "/api/v1/chains", pl, nil, 422)
	check("GET", "/api/v1/chains", "/api/v1/chains", en, nil, 403)
	check("GET", "/api/v1/chains", "/api/v1/chains", "", nil, 401)
	check("GET", "/api/v1/chains/nope", "/api/v1/chains/{code}", pl, nil, 404)
	check("GET", "/api/v1/chains/doc", "/api/v1/chains/{code}", en, nil, 403)

	links := "/api/v1/chains/doc/links"
	var made api.ChainLink
	json.Unmarshal(check("POST", links, "/api/v1/chains/{code}/links", pl, map[string]any{"code": "c", "name_zh": "应用",
		"industry_code": "RE", "stage": 2, "source": "test"}, 201), &made)
	check("POST", links, "/api/v1/chains/{code}/links", pl, map[string]any{"code": "c", "name_zh": "应用", "industry_code": "RE", "source": "test"}, 409)
	check("POST", links, "/api/v1/chains/{code}/links", pl, map[string]any{"code": "d", "name_zh": "应用", "industry_code": "NOPE", "source": "test"}, 422)
	check("POST", links, "/api/v1/chains/{code}/links", pl, map[string]any{"cod": "d"}, 400)
	check("POST", links, "/api/v1/chains/{code}/links", vw, map[string]any{"code": "d", "name_zh": "应用", "industry_code": "RE", "source": "test"}, 403)
	check("POST", "/api/v1/chains/nope/links", "/api/v1/chains/{code}/links", pl, map[string]any{"code": "d", "name_zh": "应用", "industry_code": "RE", "source": "test"}, 404)

	edges := "/api/v1/chains/doc/edges"
	check("POST", edges, "/api/v1/chains/{code}/edges", pl, map[string]any{"from": a, "to": b, "kind": "flow"}, 201)
	check("POST", edges, "/api/v1/chains/{code}/edges", pl, map[string]any{"from": a, "to": b, "kind": "flow"}, 409)
	check("POST", edges, "/api/v1/chains/{code}/edges", pl, map[string]any{"from": b, "to": a, "kind": "flow"}, 422)
	check("POST", edges, "/api/v1/chains/{code}/edges", vw, map[string]any{"from": b, "to": a, "kind": "feedback"}, 403)
	check("POST", "/api/v1/chains/other/edges", "/api/v1/chains/{code}/edges", pl, map[string]any{"from": b, "to": a, "kind": "feedback"}, 404)

	place := "/api/v1/chains/doc/placements"
	check("POST", place, "/api/v1/chains/{code}/placements", pl, map[string]any{"link_id": b, "enterprise_id": mag, "leader": true, "source": "test"}, 201)
	check("POST", place, "/api/v1/chains/{code}/placements", pl, map[string]any{"link_id": b, "enterprise_id": mag, "source": "test"}, 409)
	check("POST", place, "/api/v1/chains/{code}/placements", pl, map[string]any{"link_id": b, "enterprise_id": nev, "source": "test"}, 422)
	check("POST", place, "/api/v1/chains/{code}/placements", en, map[string]any{"link_id": b, "enterprise_id": mag, "source": "test"}, 403)

	var g api.ChainGraph
	json.Unmarshal(check("GET", "/api/v1/chains/doc", "/api/v1/chains/{code}", vw, nil, 200), &g)
	if len(g.Links) != 3 || len(g.Edges) != 1 || g.Links[1].Leader == nil || *g.Links[1].Leader != "链测试企业" || g.Links[1].LQ != nil {
		t.Errorf("chain graph %+v", g)
	}
	check("DELETE", fmt.Sprintf("/api/v1/chains/doc/links/%d", made.ID), "/api/v1/chains/{code}/links/{id}", vw, nil, 403)
	check("DELETE", fmt.Sprintf("/api/v1/chains/doc/links/%d", made.ID), "/api/v1/chains/{code}/links/{id}", pl, nil, 204)
	check("DELETE", fmt.Sprintf("/api/v1/chains/doc/links/%d", made.ID), "/api/v1/chains/{code}/links/{id}", pl, nil, 404)
}

// The API shows the computed strength exactly as the chain package computes it, in the
// caller's language, and refuses the bad inputs of the issue writing nothing.
func TestChainAPIStrengthAndBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		s := chaintest.Seed(t, db)
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("ct", auth.County, "360702", 0)
		pl, ct := env.Token("pl"), env.Token("ct")
		var g api.ChainGraph
		getJSON(t, env, "/api/v1/chains/re", pl, http.StatusOK, &g)
		byCode := map[string]api.LinkStrength{}
		for _, l := range g.Links {
			byCode[l.Code] = l
		}
		sep := byCode["sep"]
		if g.Period == nil || *g.Period != "2012" || g.Unit != "亿元" || sep.Status != "strong" || sep.Strategy != "extend" ||
			sep.LQ == nil || *sep.LQ != 4 || sep.Output == nil || *sep.Output != 150 || sep.Enterprises[0].Output == nil {
			t.Errorf("分离冶炼 %+v", sep)
		}
		if rec := byCode["recycle"]; rec.Status != "gap" || rec.LQ != nil || !strings.Contains(strings.Join(rec.Reasons, ""), "缺链") {
			t.Errorf("废料回收 %+v", rec)
		}
		getJSON(t, env, "/api/v1/chains/re", ct, http.StatusOK, &g)
		for _, l := range g.Links {
			for _, e := range l.Enterprises {
				if e.Output != nil {
					t.Errorf("county sees %s's own output", e.NameZh)
				}
			}
		}
		before, _ := db.ChainEdges(context.Background(), "re")
		status, _, body := postJSON(t, env, "/api/v1/chains/re/edges", pl, map[string]any{"from": s.PM, "to": s.Sep, "kind": "flow"})
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "永磁材料 → 分离冶炼 → 永磁材料") {
			t.Errorf("cycle: %d %s", status, body)
		}
		status, _, body = postJSON(t, env, "/api/v1/chains/re/placements", pl, map[string]any{"link_id": s.Sep, "enterprise_id": s.Yi, "source": "t"})
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "enterprise_id") || !strings.Contains(string(body), "NEV-BAT") {
			t.Errorf("other industry: %d %s", status, body)
		}
		after, _ := db.ChainEdges(context.Background(), "re")
		pls, _ := db.ChainPlacements(context.Background(), "re")
		if len(before) != len(after) || len(pls) != 2 {
			t.Error("a refused request wrote something")
		}
	})
}
