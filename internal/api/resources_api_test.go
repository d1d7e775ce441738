package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// resSeed opens the 2024 ionic rare earth mining ledger with the city, two enterprise
// accounts and the consumed sink, and the ionic rare earth product.
func resSeed(t *testing.T, db *store.DB, e1, e2 int64) {
	t.Helper()
	ctx := context.Background()
	reg := &auth.Principal{Username: "seed", Role: auth.Regulator}
	l := ledger.New(db, time.Now)
	led, err := l.CreateLedger(ctx, reg, ledger.REOIonic, ledger.Mining, 2024)
	if err != nil {
		t.Fatal(err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	for _, a := range []ledger.NewAccount{
		{Code: "r24.issue", LedgerID: led.ID, Name: "issuance", Holder: ledger.Nation},
		{Code: "r24.360700", LedgerID: led.ID, Name: "赣州", Holder: ledger.City, RegionCode: "360700", Flags: flag},
		{Code: "r24.E1", LedgerID: led.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: flag},
		{Code: "r24.E2", LedgerID: led.ID, Name: "二厂", Holder: ledger.EnterpriseHolder, EnterpriseID: e2, Flags: flag},
		{Code: "r24.consumed", LedgerID: led.ID, Name: "消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
	} {
		if _, err := l.CreateAccount(ctx, reg, a); err != nil {
			t.Fatal(err)
		}
	}
	full := int64(1000000)
	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.UpsertProduct(ctx, store.Product{Code: "ionic_re", NameZh: "离子型稀土", NameEn: "ionic RE", Kind: "mineral",
			Commodity: "reo_ionic", UnitZh: "t REO", UnitEn: "t REO", Oxide: "REO", OxidePPM: &full, Source: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// resourcesDocChecks exercises every resource and quota operation against its documented
// schema, for TestResponsesMatchDocument.
func resourcesDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	e1 := seedEnterprise(t, db, "资源文档企业一", "360702")
	e2 := seedEnterprise(t, db, "资源文档企业二", "360702")
	resSeed(t, db, e1, e2)
	env.AddUser("rs-reg", auth.Regulator, "", 0)
	env.AddUser("rs-e1", auth.Enterprise, "", e1)
	env.AddUser("rs-e2", auth.Enterprise, "", e2)
	reg, t1, t2 := env.Token("rs-reg"), env.Token("rs-e1"), env.Token("rs-e2")

	check("GET", "/api/v1/products", "/api/v1/products", reg, nil, 200)
	check("GET", "/api/v1/products", "/api/v1/products", "", nil, 401)
	dep := map[string]any{"code": "ZD-1", "name_zh": "足洞", "region_code": "360702", "mineral": "ionic_re", "type": "ionic_clay",
		"proven_t": "1200.5", "remaining_t": "800", "national_share_pct": "1", "source": "勘查报告", "source_status": "E"}
	var d api.Deposit
	json.Unmarshal(check("POST", "/api/v1/deposits", "/api/v1/deposits", reg, dep, 201), &d)
	check("POST", "/api/v1/deposits", "/api/v1/deposits", reg, dep, 409)
	check("POST", "/api/v1/deposits", "/api/v1/deposits", reg, map[string]any{"code": "x y"}, 422)
	check("POST", "/api/v1/deposits", "/api/v1/deposits", reg, map[string]any{"cde": "x"}, 400)
	check("POST", "/api/v1/deposits", "/api/v1/deposits", t1, dep, 403)
	check("GET", "/api/v1/deposits", "/api/v1/deposits", t1, nil, 200)
	check("GET", fmt.Sprintf("/api/v1/deposits/%d", d.ID), "/api/v1/deposits/{id}", t1, nil, 200)
	check("GET", "/api/v1/deposits/999999", "/api/v1/deposits/{id}", t1, nil, 404)

	right := map[string]any{"permit_no": "C36-0001", "kind": "mining", "holder_id": e2, "deposit_code": "ZD-1", "area_km2": "1.5",
		"granted_on": "2020-01-01", "valid_from": "2020-01-01", "valid_to": "2030-12-31", "capacity_t": "100", "source": "许可证"}
	var rt api.Right
	json.Unmarshal(check("POST", "/api/v1/rights", "/api/v1/rights", reg, right, 201), &rt)
	if !rt.Flags.NotStateHeld || !rt.Flags.Idle || rt.AreaKm2 == nil || *rt.AreaKm2 != "1.5" {
		t.Errorf("right %+v", rt)
	}
	check("POST", "/api/v1/rights", "/api/v1/rights", reg, right, 409)
	check("POST", "/api/v1/rights", "/api/v1/rights", reg, map[string]any{"permit_no": "P"}, 422)
	check("GET", "/api/v1/rights", "/api/v1/rights", t2, nil, 200)

	grant := map[string]any{"from": "r24.issue", "to": "r24.360700", "amount_t": "1,000", "batch": "2024-1", "granted_on": "2024-01-08",
		"source": "测试通知"}
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, grant, 201)
	grant["from"], grant["to"], grant["amount_t"] = "r24.360700", "r24.E1", "300"
	var g api.Grant
	json.Unmarshal(check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, grant, 201), &g)
	grant["amount_t"] = "800"
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, grant, 422) // over the 700 t left
	grant["id"], grant["amount_t"] = "0190a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b", "10"
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, grant, 201)
	grant["amount_t"] = "11"
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, grant, 409)
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", t1, grant, 403)
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, map[string]any{"form": "x"}, 400)
	check("GET", "/api/v1/quota/grants", "/api/v1/quota/grants", t1, nil, 200)
	gpath := fmt.Sprintf("/api/v1/quota/grants/%d", g.ID)
	check("GET", gpath, "/api/v1/quota/grants/{id}", t1, nil, 200)
	check("GET", gpath, "/api/v1/quota/grants/{id}", t2, nil, 404)

	letter := []byte("%PDF-1.4 责任书")
	var doc api.Doc
	json.Unmarshal(check("POST", gpath+"/documents", "/api/v1/quota/grants/{id}/documents", reg, map[string]any{"kind": "contract",
		"filename": "合同书.pdf", "content_type": "application/pdf", "content_base64": base64.StdEncoding.EncodeToString(letter)}, 201), &doc)
	check("POST", gpath+"/documents", "/api/v1/quota/grants/{id}/documents", reg, map[string]any{"kind": "contract",
		"filename": "a.pdf", "content_type": "application/pdf", "content_base64": "!!"}, 422)
	check("POST", gpath+"/documents", "/api/v1/quota/grants/{id}/documents", reg, map[string]any{"kind": "contract",
		"filename": "big.pdf", "content_type": "application/pdf", "content_base64": base64.StdEncoding.EncodeToString(make([]byte, 8<<20+1))}, 413)
	check("POST", "/api/v1/quota/grants/999999/documents", "/api/v1/quota/grants/{id}/documents", reg, map[string]any{"kind": "contract",
		"filename": "a.pdf", "content_type": "application/pdf", "content_base64": "JVBERg=="}, 404)
	var got api.Doc
	json.Unmarshal(check("GET", fmt.Sprintf("/api/v1/quota/documents/%d", doc.ID), "/api/v1/quota/documents/{id}", t1, nil, 200), &got)
	b, _ := base64.StdEncoding.DecodeString(got.Content)
	sum := sha256.Sum256(letter)
	if !bytes.Equal(b, letter) || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("document round trip: %+v", got)
	}
	check("GET", fmt.Sprintf("/api/v1/quota/documents/%d", doc.ID), "/api/v1/quota/documents/{id}", t2, nil, 404)
	check("POST", gpath+"/reviews", "/api/v1/quota/grants/{id}/reviews", reg, map[string]any{"reviewed_on": "2024-01-05",
		"experts": "张三", "conclusion": "approved"}, 201)
	check("POST", gpath+"/reviews", "/api/v1/quota/grants/{id}/reviews", reg, map[string]any{"reviewed_on": "2024-01-05",
		"experts": "张三", "conclusion": "maybe"}, 422)
	check("POST", "/api/v1/quota/grants/999999/reviews", "/api/v1/quota/grants/{id}/reviews", reg, map[string]any{"reviewed_on": "2024-01-05",
		"experts": "张三", "conclusion": "approved"}, 404)
	check("GET", gpath, "/api/v1/quota/grants/{id}", reg, nil, 200) // with its document and review

	check("POST", "/api/v1/quota/calendar/2024-10-01", "/api/v1/quota/calendar/{day}", reg, map[string]any{"kind": "holiday", "name": "国庆节"}, 200)
	check("POST", "/api/v1/quota/calendar/2024-10-32", "/api/v1/quota/calendar/{day}", reg, map[string]any{"kind": "holiday"}, 422)
	check("GET", "/api/v1/quota/calendar", "/api/v1/quota/calendar", reg, nil, 200)
	check("DELETE", "/api/v1/quota/calendar/2024-10-01", "/api/v1/quota/calendar/{day}", reg, nil, 204)
	check("DELETE", "/api/v1/quota/calendar/2024-10-01", "/api/v1/quota/calendar/{day}", reg, nil, 404)
	check("GET", "/api/v1/quota/deadlines", "/api/v1/quota/deadlines", reg, nil, 200)
	check("GET", "/api/v1/quota/deadlines", "/api/v1/quota/deadlines", t1, nil, 403)

	rep := map[string]any{"enterprise_id": e1, "commodity": "reo_ionic", "period": "2024-01", "amount_t": "100"}
	var rr api.Report
	json.Unmarshal(check("POST", "/api/v1/quota/reports", "/api/v1/quota/reports", t1, rep, 201), &rr)
	check("POST", "/api/v1/quota/reports", "/api/v1/quota/reports", t1, rep, 409)
	rep["enterprise_id"] = e2
	check("POST", "/api/v1/quota/reports", "/api/v1/quota/reports", t1, rep, 403)
	rep["enterprise_id"], rep["period"], rep["amount_t"] = e1, "2024-02", "500" // 210 t left
	check("POST", "/api/v1/quota/reports", "/api/v1/quota/reports", t1, rep, 422)
	check("POST", "/api/v1/quota/rules", "/api/v1/quota/rules", reg, map[string]any{"ledger": "reo_ionic/mining/2024", "allow_over": true}, 200)
	check("POST", "/api/v1/quota/rules", "/api/v1/quota/rules", reg, map[string]any{"ledger": "reo_ionic/mining/1999", "allow_over": true}, 422)
	check("POST", "/api/v1/quota/reports", "/api/v1/quota/reports", t1, rep, 201) // recorded as a violation now
	check("POST", "/api/v1/quota/closed-periods", "/api/v1/quota/closed-periods", reg, map[string]any{"ledger": "reo_ionic/mining/2024", "period": "2024-03"}, 201)
	check("POST", "/api/v1/quota/closed-periods", "/api/v1/quota/closed-periods", reg, map[string]any{"ledger": "reo_ionic/mining/2024", "period": "2024-03"}, 409)
	rep["period"] = "2024-03"
	check("POST", "/api/v1/quota/reports", "/api/v1/quota/reports", t1, rep, 422)
	check("GET", "/api/v1/quota/reports?flagged=true", "/api/v1/quota/reports", reg, nil, 200)
	check("GET", fmt.Sprintf("/api/v1/quota/reports/%d", rr.ID), "/api/v1/quota/reports/{id}", t1, nil, 200)
	check("GET", fmt.Sprintf("/api/v1/quota/reports/%d", rr.ID), "/api/v1/quota/reports/{id}", t2, nil, 404)
	var vs struct {
		Data []struct {
			EnterpriseID int64 `json:"enterprise_id"`
			OverG        int64 `json:"over_g"`
		} `json:"data"`
	}
	json.Unmarshal(check("GET", "/api/v1/quota/violations?year=2024", "/api/v1/quota/violations", reg, nil, 200), &vs)
	if len(vs.Data) != 1 || vs.Data[0].EnterpriseID != e1 || vs.Data[0].OverG != 290*1_000_000 {
		t.Errorf("violations %+v", vs)
	}
	check("GET", "/api/v1/quota/violations?year=x", "/api/v1/quota/violations", reg, nil, 422)

	// A 2025 grant to E1, which went 290 t over in 2024: warned, refused until confirmed.
	l25 := ledger.New(db, time.Now)
	seed := &auth.Principal{Username: "seed", Role: auth.Regulator}
	led25, err25 := l25.CreateLedger(context.Background(), seed, ledger.REOIonic, ledger.Mining, 2025)
	if err25 != nil {
		t.Fatal(err25)
	}
	for _, a := range []ledger.NewAccount{
		{Code: "r25.issue", LedgerID: led25.ID, Name: "issuance", Holder: ledger.Nation},
		{Code: "r25.E1", LedgerID: led25.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: ledger.DebitsMustNotExceedCredits},
	} {
		if _, err := l25.CreateAccount(context.Background(), seed, a); err != nil {
			t.Fatal(err)
		}
	}
	json.Unmarshal(check("GET", "/api/v1/quota/grant-warnings?to=r25.E1", "/api/v1/quota/grant-warnings", reg, nil, 200), &vs)
	if len(vs.Data) != 1 || vs.Data[0].EnterpriseID != e1 || vs.Data[0].OverG != 290*1_000_000 {
		t.Errorf("grant warning %+v", vs)
	}
	check("GET", "/api/v1/quota/grant-warnings?to=r24.E1", "/api/v1/quota/grant-warnings", reg, nil, 200)
	check("GET", "/api/v1/quota/grant-warnings?to=r25.none", "/api/v1/quota/grant-warnings", reg, nil, 422)
	check("GET", "/api/v1/quota/grant-warnings?to=r25.E1", "/api/v1/quota/grant-warnings", t1, nil, 403)
	g25 := map[string]any{"from": "r25.issue", "to": "r25.E1", "amount_t": "500", "batch": "2025-1", "granted_on": "2025-01-08", "source": "测试通知"}
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, g25, 409)
	g25["confirm_violations"] = true
	check("POST", "/api/v1/quota/grants", "/api/v1/quota/grants", reg, g25, 201)

	check("GET", "/api/v1/ledger/accounts", "/api/v1/ledger/accounts", t1, nil, 200)
	var st struct {
		Closing struct {
			AvailableG int64 `json:"available_g"`
		} `json:"closing"`
		Lines []json.RawMessage `json:"lines"`
	}
	today := time.Now().In(ledger.ChinaTime).Format("2006-01-02")
	json.Unmarshal(check("GET", "/api/v1/ledger/statement?account=r24.E1&from=2020-01-01&to="+today, "/api/v1/ledger/statement", t1, nil, 200), &st)
	// 300 + 10 granted, 100 reported, 210 over the rest: nothing left, four lines.
	if st.Closing.AvailableG != 0 || len(st.Lines) != 4 {
		t.Errorf("statement of r24.E1: %+v", st)
	}
	check("GET", "/api/v1/ledger/statement?account=r24.E2&from=2020-01-01&to="+today, "/api/v1/ledger/statement", t1, nil, 404)
	check("GET", "/api/v1/ledger/statement?account=r24.E1&from=2020-13-01&to="+today, "/api/v1/ledger/statement", t1, nil, 422)
	check("GET", "/api/v1/ledger/reconcile", "/api/v1/ledger/reconcile", reg, nil, 200)
	check("GET", "/api/v1/ledger/reconcile", "/api/v1/ledger/reconcile", t1, nil, 403)

	// Supply allocation on a supply_allocation ledger whose pool holds 500 t.
	ctx := context.Background()
	l := ledger.New(db, time.Now)
	seedReg := &auth.Principal{Username: "seed", Role: auth.Regulator}
	led, err := l.CreateLedger(ctx, seedReg, ledger.REOIonic, ledger.SupplyAllocation, 2024)
	if err != nil {
		t.Fatal(err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	for _, a := range []ledger.NewAccount{{Code: "a24.src", LedgerID: led.ID, Name: "src", Holder: ledger.Nation},
		{Code: "a24.pool", LedgerID: led.ID, Name: "pool", Holder: ledger.City, RegionCode: "360700", Flags: flag},
		{Code: "a24.E1", LedgerID: led.ID, Name: "e1", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: flag},
		{Code: "a24.E2", LedgerID: led.ID, Name: "e2", Holder: ledger.EnterpriseHolder, EnterpriseID: e2, Flags: flag}} {
		if _, err := l.CreateAccount(ctx, seedReg, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.CreateTransfers(ctx, seedReg, []ledger.Transfer{{ID: ledger.NewID(time.Now()), DebitAccount: "a24.src", CreditAccount: "a24.pool",
		Amount: 500 * 1_000_000, Code: ledger.CodeIssue}}); err != nil {
		t.Fatal(err)
	}
	env.AddUser("rs-pl", auth.Planner, "", 0)
	pl := env.Token("rs-pl")
	round := map[string]any{"code": "R-2024", "name": "2024年供应配置", "ledger": "reo_ionic/supply_allocation/2024", "pool_account": "a24.pool",
		"supply_t": "500", "tiers": []map[string]any{{"tier": 1, "name_zh": "永磁优先"}, {"tier": 2, "name_zh": "其他"}},
		"requests": []map[string]any{{"enterprise_id": e1, "account": "a24.E1", "tier": 1, "requested_t": "400", "min_t": "100"},
			{"enterprise_id": e2, "account": "a24.E2", "tier": 2, "requested_t": "300", "min_t": "50"}}}
	var rd api.Round
	json.Unmarshal(check("POST", "/api/v1/allocation/rounds", "/api/v1/allocation/rounds", pl, round, 201), &rd)
	check("POST", "/api/v1/allocation/rounds", "/api/v1/allocation/rounds", pl, round, 409)
	check("POST", "/api/v1/allocation/rounds", "/api/v1/allocation/rounds", t1, round, 403)
	check("POST", "/api/v1/allocation/rounds", "/api/v1/allocation/rounds", pl, map[string]any{"code": "R 2"}, 422)
	check("GET", "/api/v1/allocation/rounds", "/api/v1/allocation/rounds", t1, nil, 200)
	rpath := fmt.Sprintf("/api/v1/allocation/rounds/%d", rd.ID)
	var sc api.Round
	json.Unmarshal(check("GET", rpath+"?scale_pct=90", "/api/v1/allocation/rounds/{id}", pl, nil, 200), &sc)
	// 450 t: guarantees 100 + 50, then tier 1 the rest of its 400, which leaves nothing for
	// tier 2 beyond its guarantee: 50 t, where at 500 t it gets 100 t.
	if sc.Run == nil || len(sc.Run.Shares) != 2 || sc.Run.Shares[0].GotG != 400*1_000_000 || sc.Run.Shares[1].GotG != 50*1_000_000 ||
		*sc.Run.Shares[1].LossG != 50*1_000_000 || len(sc.Run.Shares[1].Explanation) == 0 {
		t.Errorf("scenario %+v", sc.Run)
	}
	check("GET", rpath+"?scale_pct=x", "/api/v1/allocation/rounds/{id}", pl, nil, 422)
	check("GET", rpath+"/target-risk", "/api/v1/allocation/rounds/{id}/target-risk", pl, nil, 200)
	check("GET", rpath+"/target-risk?scale_pct=x", "/api/v1/allocation/rounds/{id}/target-risk", pl, nil, 422)
	check("GET", "/api/v1/allocation/rounds/999999/target-risk", "/api/v1/allocation/rounds/{id}/target-risk", pl, nil, 404)
	check("GET", rpath+"/target-risk", "/api/v1/allocation/rounds/{id}/target-risk", "", nil, 401)
	check("GET", "/api/v1/allocation/rounds/999999", "/api/v1/allocation/rounds/{id}", pl, nil, 404)
	rules := map[string]any{"tiers": round["tiers"], "requests": round["requests"]}
	check("POST", rpath+"/rules", "/api/v1/allocation/rounds/{id}/rules", pl, rules, 200)
	check("POST", rpath+"/rules", "/api/v1/allocation/rounds/{id}/rules", pl, map[string]any{"tiers": []any{}, "requests": []map[string]any{{"tier": 3}}}, 422)
	check("POST", "/api/v1/allocation/rounds/999999/rules", "/api/v1/allocation/rounds/{id}/rules", pl, rules, 404)
	check("POST", rpath+"/apply", "/api/v1/allocation/rounds/{id}/apply", t1, nil, 403)
	check("POST", rpath+"/apply", "/api/v1/allocation/rounds/{id}/apply", pl, nil, 200)
	check("POST", rpath+"/apply", "/api/v1/allocation/rounds/{id}/apply", pl, nil, 409)
	check("POST", rpath+"/rules", "/api/v1/allocation/rounds/{id}/rules", pl, rules, 409)
	check("POST", "/api/v1/allocation/rounds/999999/apply", "/api/v1/allocation/rounds/{id}/apply", pl, nil, 404)
	round["code"], round["supply_t"] = "R-big", "5000"
	var big api.Round
	json.Unmarshal(check("POST", "/api/v1/allocation/rounds", "/api/v1/allocation/rounds", pl, round, 201), &big)
	check("POST", fmt.Sprintf("/api/v1/allocation/rounds/%d/apply", big.ID), "/api/v1/allocation/rounds/{id}/apply", pl, nil, 422)
}

func TestResourceAPIAsAnEnterpriseGuessingIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		e1 := seedEnterprise(t, db, "一厂", "360702")
		e2 := seedEnterprise(t, db, "二厂", "360702")
		resSeed(t, db, e1, e2)
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("e1", auth.Enterprise, "", e1)
		env.AddUser("e2", auth.Enterprise, "", e2)
		reg, t1, t2 := env.Token("reg"), env.Token("e1"), env.Token("e2")
		for _, g := range []map[string]any{
			{"from": "r24.issue", "to": "r24.360700", "amount_t": "1000"},
			{"from": "r24.360700", "to": "r24.E1", "amount_t": "100"},
			{"from": "r24.360700", "to": "r24.E2", "amount_t": "100"},
		} {
			g["batch"], g["granted_on"], g["source"] = "1", "2024-01-02", "s"
			if st, _, b := postJSON(t, env, "/api/v1/quota/grants", reg, g); st != 201 {
				t.Fatalf("grant: %d %s", st, b)
			}
		}
		for _, c := range []struct {
			tok string
			ent int64
		}{{t1, e1}, {t2, e2}} {
			if st, _, b := postJSON(t, env, "/api/v1/quota/reports", c.tok, map[string]any{"enterprise_id": c.ent, "commodity": "reo_ionic",
				"period": "2024-01", "amount_t": "5"}); st != 201 {
				t.Fatalf("report: %d %s", st, b)
			}
		}
		// Enterprise 1 walks the ids of grants, documents and reports: it sees its own and
		// gets 404 for everything else, exactly as for ids that do not exist.
		own := map[string]int{}
		for _, kind := range []string{"quota/grants", "quota/reports"} {
			for id := 1; id <= 12; id++ {
				st, _, b := call(t, env, "GET", fmt.Sprintf("/api/v1/%s/%d", kind, id), t1, "", nil)
				switch st {
				case 200:
					own[kind]++
					var x struct {
						EnterpriseID int64  `json:"enterprise_id"`
						To           string `json:"to"`
						From         string `json:"from"`
					}
					json.Unmarshal(b, &x)
					if (kind == "quota/reports" && x.EnterpriseID != e1) || (kind == "quota/grants" && x.To != "r24.E1") {
						t.Fatalf("enterprise 1 read %s %d: %s", kind, id, b)
					}
				case 404:
				default:
					t.Fatalf("%s %d: %d %s", kind, id, st, b)
				}
			}
		}
		if own["quota/grants"] != 1 || own["quota/reports"] != 1 {
			t.Fatalf("enterprise 1 found %v", own)
		}
		var list struct {
			Data []api.Report `json:"data"`
		}
		getJSON(t, env, "/api/v1/quota/reports", t1, 200, &list)
		if len(list.Data) != 1 || list.Data[0].EnterpriseID != e1 {
			t.Fatalf("enterprise 1 lists %+v", list.Data)
		}
		// And it may not report for the other.
		st, hdr, b := postJSON(t, env, "/api/v1/quota/reports", t1, map[string]any{"enterprise_id": e2, "commodity": "reo_ionic",
			"period": "2024-02", "amount_t": "1"})
		wantError(t, "report for another enterprise", st, hdr, b, 403, "other_enterprise")
	})
}
