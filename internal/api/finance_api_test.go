package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/webtest"
)

// finDocChecks runs every finance operation against the document's schemas, including an
// enterprise user guessing another enterprise's ids and the refused inputs.
func finDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	ctx := context.Background()
	own := seedEnterprise(t, db, "投融资测试企业", "360702")
	other := seedEnterprise(t, db, "投融资其他企业", "360703")
	var prj int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertFund(ctx, store.Fund{Code: "hongshi", NameZh: "红石", Kind: "equity", Status: "operating", Source: "article"}); err != nil {
			return err
		}
		var err error
		prj, err = tx.InsertProject(ctx, store.Project{NameZh: "测试项目", Stage: "building", EnterpriseID: other, Source: "test",
			CreatedAt: time.Now(), UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.AddUser("fin-planner", auth.Planner, "", 0)
	env.AddUser("fin-ent", auth.Enterprise, "", own)
	planner, entTok := env.Token("fin-planner"), env.Token("fin-ent")

	var o api.FundOverview
	json.Unmarshal(check("GET", "/api/v1/funds", "/api/v1/funds", planner, nil, 200), &o)
	if len(o.Data) != 1 || o.Data[0].Size != nil {
		t.Errorf("funds: %+v", o)
	}
	var v api.FundInvestment
	json.Unmarshal(check("POST", "/api/v1/fund-investments", "/api/v1/fund-investments", planner, map[string]any{"fund": "hongshi",
		"kind": "investment", "project_id": prj, "amount": "1.5", "unit": "亿元", "date": "2013-06-01", "source": "公告"}, 201), &v)
	if v.Amount != "15000" || v.ProjectID == nil || *v.ProjectID != prj || v.Target != "测试项目" {
		t.Errorf("investment: %+v", v)
	}
	check("POST", "/api/v1/fund-investments", "/api/v1/fund-investments", planner, map[string]any{"fund": "hongshi",
		"kind": "commitment", "enterprise_id": own, "amount": "800", "date": "2013-07-01", "source": "公告"}, 201)
	var e errBody
	json.Unmarshal(check("POST", "/api/v1/fund-investments", "/api/v1/fund-investments", planner, map[string]any{"fund": "hongshi",
		"kind": "investment", "enterprise_id": 987654, "amount": "-5", "date": "2013-06-01", "source": "公告"}, 422), &e)
	if !sameStrings(e.fieldNames(), []string{"enterprise_id", "amount"}) {
		t.Errorf("negative amount into an unknown enterprise: fields %v", e.fieldNames())
	}
	check("POST", "/api/v1/fund-investments", "/api/v1/fund-investments", planner, map[string]any{"fund": "hongshi", "amout": "1"}, 400)
	check("POST", "/api/v1/fund-investments", "/api/v1/fund-investments", entTok, map[string]any{"fund": "hongshi", "kind": "investment",
		"enterprise_id": own, "amount": "1", "date": "2013-06-01", "source": "x"}, 403)
	check("GET", "/api/v1/fund-investments", "/api/v1/fund-investments", planner, nil, 200)
	check("GET", "/api/v1/fund-investments?enterprise_id=0", "/api/v1/fund-investments", planner, nil, 422)
	check("GET", fmt.Sprintf("/api/v1/fund-investments?enterprise_id=%d", other), "/api/v1/fund-investments", entTok, nil, 404)
	var mine api.List[api.FundInvestment]
	json.Unmarshal(check("GET", "/api/v1/fund-investments", "/api/v1/fund-investments", entTok, nil, 200), &mine)
	if mine.Page.Total != 1 || *mine.Data[0].EnterpriseID != own {
		t.Errorf("enterprise user's investments: %+v", mine)
	}

	check("POST", "/api/v1/financings", "/api/v1/financings", planner, map[string]any{"enterprise_id": own, "kind": "mtn", "amount": "3",
		"unit": "亿元", "issued_on": "2014-01-01", "matures_on": "2019-01-01", "source": "公告"}, 201)
	check("POST", "/api/v1/financings", "/api/v1/financings", planner, map[string]any{"enterprise_id": other, "kind": "scf", "amount": "100",
		"issued_on": "2014-02-01", "source": "银行"}, 201)
	check("POST", "/api/v1/financings", "/api/v1/financings", planner, map[string]any{"enterprise_id": own, "kind": "bond", "amount": "0",
		"issued_on": "2014-01-01", "source": "x"}, 422)
	check("GET", "/api/v1/financings", "/api/v1/financings", planner, nil, 200)
	var fins api.List[api.Financing]
	json.Unmarshal(check("GET", "/api/v1/financings", "/api/v1/financings", entTok, nil, 200), &fins)
	if fins.Page.Total != 1 || fins.Data[0].Amount != "30000" {
		t.Errorf("enterprise user's financings: %+v", fins)
	}
	check("GET", fmt.Sprintf("/api/v1/financings?enterprise_id=%d", other), "/api/v1/financings", entTok, nil, 404)

	check("POST", "/api/v1/listing-pipeline", "/api/v1/listing-pipeline", planner, map[string]any{"enterprise_id": own, "stage": "reserve",
		"date": "2013-01-01", "source": "金融办"}, 201)
	check("POST", "/api/v1/listing-pipeline", "/api/v1/listing-pipeline", planner, map[string]any{"enterprise_id": own, "stage": "tutoring",
		"date": "2013-06-01", "source": "金融办"}, 201)
	json.Unmarshal(check("POST", "/api/v1/listing-pipeline", "/api/v1/listing-pipeline", planner, map[string]any{"enterprise_id": own,
		"stage": "reserve", "date": "2013-07-01", "source": "金融办"}, 422), &e)
	if !sameStrings(e.fieldNames(), []string{"reason"}) {
		t.Errorf("backwards without reason: %v", e.fieldNames())
	}
	var pl api.List[api.ListingPipeline]
	json.Unmarshal(check("GET", "/api/v1/listing-pipeline", "/api/v1/listing-pipeline", planner, nil, 200), &pl)
	if pl.Page.Total != 1 || pl.Data[0].Stage != "tutoring" || len(pl.Data[0].History) != 2 {
		t.Errorf("pipeline: %+v", pl)
	}
}
