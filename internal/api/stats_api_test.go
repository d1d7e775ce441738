package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The statistics endpoints: entry round trip with exact values, row scope, approval
// transitions, and every answer checked against openapi.json.

func stI64(v int64) *int64 { return &v }

// stSeed adds the statistics fixture to the regions of seedRegions: an industry tree and
// four indicators. It returns nothing; enterprises are seeded by the caller.
func stSeed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, i := range []store.Industry{
			{Code: "SEI", NameZh: "战略性新兴产业", Source: "test"},
			{Code: "RE", NameZh: "稀土钨新材料", ParentCode: "SEI", SEICode: "3", Source: "test", SortOrder: 1},
			{Code: "RE-MAG", NameZh: "稀土永磁材料", ParentCode: "RE", Source: "test"},
			{Code: "NEV", NameZh: "新能源汽车", ParentCode: "SEI", SEICode: "5", Source: "test", SortOrder: 2},
		} {
			if err := tx.UpsertIndustry(ctx, i); err != nil {
				return err
			}
		}
		for _, i := range []store.Indicator{
			{Code: "REV", NameZh: "主营业务收入", NameEn: "Revenue", Unit: "亿元", PeriodType: "year", Aggregation: "sum", Decimals: 2,
				Min: stI64(0), GrowthMin: stI64(-50_000_000), GrowthMax: stI64(200_000_000), Source: "test", SortOrder: 1},
			{Code: "PT", NameZh: "利税", Unit: "亿元", PeriodType: "year", Aggregation: "sum", PartOf: "REV", Source: "test", SortOrder: 2},
			{Code: "SHARE", NameZh: "占比", Unit: "%", PeriodType: "year", Aggregation: "none", Min: stI64(0), Max: stI64(100_000_000), Source: "test", SortOrder: 3},
			{Code: "OUT", NameZh: "产量", Unit: "t", PeriodType: "month", Aggregation: "sum", Source: "test", SortOrder: 4},
		} {
			if err := tx.UpsertIndicator(ctx, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed statistics: %v", err)
	}
}

type stFactList struct {
	Data []api.Fact   `json:"data"`
	Page api.PageInfo `json:"page"`
}

type stRevisionList struct {
	Data []api.FactRevision `json:"data"`
	Page api.PageInfo       `json:"page"`
}

func stFact(region, period, value string, extra ...any) map[string]any {
	m := map[string]any{"indicator": "REV", "region": region, "industry": "SEI", "period": period, "value": value, "source": "2012年统计公报"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func stCountFacts(t *testing.T, db *store.DB) (current, entries int) {
	t.Helper()
	ctx := context.Background()
	p, err := db.ListFacts(ctx, store.FactFilter{Scope: store.FactScope{All: true}}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(ctx, store.AuditFilter{Action: "fact.enter"}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total, a.Total
}

func TestStatsAPIEntryRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		stSeed(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		tok := env.Token("planner")

		// 1,662,900 万元 is exactly 166.29 亿元.
		status, _, b := postJSON(t, env, "/api/v1/facts", tok, stFact("360702", "2012", "1,662,900", "unit", "万元", "quote", "……"))
		var got api.EnteredFact
		if status != http.StatusCreated || json.Unmarshal(b, &got) != nil {
			t.Fatalf("POST: %d\n%s", status, b)
		}
		f := got.Fact
		if f.Value != "166.29" || f.Unit != "亿元" || f.Entered != "1,662,900 万元" || f.Revision != 1 || f.Status != "draft" ||
			f.EnterpriseID != nil || f.CreatedBy != "planner" || f.Quote != "……" || got.Unchanged || got.Warnings == nil {
			t.Fatalf("stored %+v", got)
		}
		// The same value again writes nothing and says so.
		status, _, b = postJSON(t, env, "/api/v1/facts", tok, stFact("360702", "2012", "166.29"))
		if status != http.StatusOK || json.Unmarshal(b, &got) != nil || !got.Unchanged || got.Fact.Revision != 1 {
			t.Fatalf("same value: %d\n%s", status, b)
		}
		// A JSON number is read from its digits, not through a float: 170.10000000000001
		// needs more than six decimals, so it is refused rather than rounded to 170.1.
		status, hdr, b := call(t, env, http.MethodPost, "/api/v1/facts", tok, "application/json",
			strings.NewReader(`{"indicator":"REV","region":"360702","industry":"SEI","period":"2012","value":170.10000000000001,"source":"年报修订"}`))
		if e := wantError(t, "17 significant digits", status, hdr, b, 422, "bad_value"); !sameStrings(e.fieldNames(), []string{"value"}) {
			t.Fatalf("fields %v", e.fieldNames())
		}
		status, _, b = call(t, env, http.MethodPost, "/api/v1/facts", tok, "application/json",
			strings.NewReader(`{"indicator":"REV","region":"360702","industry":"SEI","period":"2012","value":170.5,"source":"年报修订"}`))
		if status != http.StatusCreated || json.Unmarshal(b, &got) != nil || got.Fact.Value != "170.5" || got.Fact.Revision != 2 {
			t.Fatalf("number value: %d\n%s", status, b)
		}

		var list stFactList
		getJSON(t, env, "/api/v1/facts?indicator=REV&region=360702&period=2012", tok, http.StatusOK, &list)
		if len(list.Data) != 1 || list.Data[0].Value != "170.5" || list.Data[0].Revision != 2 || list.Page.Total != 1 {
			t.Fatalf("list %+v", list)
		}
		var hist stRevisionList
		getJSON(t, env, "/api/v1/facts/history?indicator=REV&region=360702&industry=SEI&period=2012", tok, http.StatusOK, &hist)
		if len(hist.Data) != 2 || hist.Data[0].Revision != 2 || hist.Data[1].Value != "166.29" || hist.Data[0].Source != "年报修订" {
			t.Fatalf("history %+v", hist)
		}
		getJSON(t, env, "/api/v1/facts/history?indicator=REV&region=360702&industry=SEI&period=2012&per_page=1&page=2", tok, http.StatusOK, &hist)
		if len(hist.Data) != 1 || hist.Data[0].Revision != 1 || hist.Page.Total != 2 {
			t.Fatalf("history page 2 %+v", hist)
		}
	})
}

func TestStatsAPIRefusesBadInputAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		stSeed(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		tok := env.Token("planner")
		if status, _, b := postJSON(t, env, "/api/v1/facts", tok, stFact("360700", "2012", "605", "industry", "RE")); status != http.StatusCreated {
			t.Fatalf("seed: %d %s", status, b)
		}
		current, entries := stCountFacts(t, db)
		for _, c := range []struct {
			name   string
			body   any
			status int
			code   string
			fields []string
		}{
			{"every field problem at once", stFact("360702", "2012Q1", "12", "unit", "台", "source", ""), 422, "", []string{"period", "source", "unit"}},
			{"text in the number", stFact("360702", "2012", "六百"), 422, "bad_value", []string{"value"}},
			{"unknown enterprise", stFact("360702", "2012", "1", "enterprise_id", 999999), 422, "", []string{"enterprise_id"}},
			{"part above its whole", stFact("360700", "2012", "700", "indicator", "PT", "industry", "RE"), 422, "part_exceeds_whole", []string{"value"}},
			{"a boolean value", stFact("360702", "2012", "x", "value", true), 400, "wrong_type", []string{"value"}},
			{"a misspelt field", map[string]any{"indicator": "REV", "valeu": "1"}, 400, "unknown_field", []string{"valeu"}},
		} {
			status, hdr, b := postJSON(t, env, "/api/v1/facts", tok, c.body)
			var e errBody
			if status != c.status || json.Unmarshal(b, &e) != nil {
				t.Fatalf("%s: %d, want %d\n%s", c.name, status, c.status, b)
			}
			if c.code != "" {
				wantError(t, c.name, status, hdr, b, c.status, c.code)
			}
			names := e.fieldNames()
			slices.Sort(names)
			if !sameStrings(names, c.fields) {
				t.Errorf("%s: fields %v, want %v\n%s", c.name, names, c.fields, b)
			}
			for _, f := range e.Error.Fields {
				if f.Message == "" || strings.HasPrefix(f.Message, "[") {
					t.Errorf("%s: field %s has message %q", c.name, f.Field, f.Message)
				}
			}
		}
		if c2, e2 := stCountFacts(t, db); c2 != current || e2 != entries {
			t.Fatalf("refused entries wrote something: %d→%d facts, %d→%d entries", current, c2, entries, e2)
		}
		// Reading: malformed filters and incomplete keys are refused by name.
		var e errBody
		json.Unmarshal(getJSON(t, env, "/api/v1/facts?enterprise_id=x&period=12&status=final&flagged=yes", tok, 422, nil), &e)
		if names := e.fieldNames(); !sameStrings(names, []string{"flagged"}) {
			// flagged is read first and alone; the rest are reported together once it is right.
			t.Errorf("bad flagged: fields %v", names)
		}
		json.Unmarshal(getJSON(t, env, "/api/v1/facts?enterprise_id=x&period=12&status=final", tok, 422, nil), &e)
		if names := e.fieldNames(); !sameStrings(names, []string{"enterprise_id", "period", "status"}) {
			t.Errorf("bad filters: fields %v", names)
		}
		json.Unmarshal(getJSON(t, env, "/api/v1/facts/history?indicator=REV", tok, 422, nil), &e)
		if names := e.fieldNames(); !sameStrings(names, []string{"region", "industry", "period"}) {
			t.Errorf("incomplete key: fields %v", names)
		}
	})
}

func TestStatsAPIRowScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		stSeed(t, db)
		a := seedEnterprise(t, db, "章贡甲磁材", "360702")
		b := seedEnterprise(t, db, "南康乙电机", "360703")
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("ent-a", auth.Enterprise, "", a)
		env.AddUser("ent-b", auth.Enterprise, "", b)
		env.AddUser("viewer", auth.Viewer, "", 0)
		planner, entA, entB, viewer := env.Token("planner"), env.Token("ent-a"), env.Token("ent-b"), env.Token("viewer")

		// Each enterprise enters its own figure without naming a region: it is the enterprise's.
		for _, c := range []struct {
			tok string
			id  int64
			v   string
		}{{entA, a, "3.5"}, {entB, b, "7.25"}} {
			status, _, body := postJSON(t, env, "/api/v1/facts", c.tok, stFact("", "2012", c.v, "industry", "RE-MAG", "enterprise_id", c.id))
			var got api.EnteredFact
			if status != http.StatusCreated || json.Unmarshal(body, &got) != nil || got.Fact.EnterpriseID == nil || *got.Fact.EnterpriseID != c.id {
				t.Fatalf("enterprise %d enters: %d\n%s", c.id, status, body)
			}
		}
		if status, _, body := postJSON(t, env, "/api/v1/facts", planner, stFact("360700", "2012", "605", "industry", "RE")); status != http.StatusCreated {
			t.Fatalf("planner: %d %s", status, body)
		}
		// A asking for B's figure to change gets 403 and nothing is written.
		current, entries := stCountFacts(t, db)
		status, hdr, body := postJSON(t, env, "/api/v1/facts", entA, stFact("", "2012", "1", "industry", "RE-MAG", "enterprise_id", b))
		wantError(t, "A enters for B", status, hdr, body, http.StatusForbidden, "other_enterprise")
		if c2, e2 := stCountFacts(t, db); c2 != current || e2 != entries {
			t.Fatal("A's entry for B was written")
		}

		var list stFactList
		getJSON(t, env, "/api/v1/facts", entA, http.StatusOK, &list)
		if len(list.Data) != 1 || list.Page.Total != 1 || list.Data[0].Value != "3.5" {
			t.Fatalf("A lists %+v, want only its own", list)
		}
		getJSON(t, env, fmt.Sprintf("/api/v1/facts?enterprise_id=%d", b), entA, http.StatusOK, &list)
		if len(list.Data) != 0 || list.Page.Total != 0 {
			t.Fatalf("A filtering for B lists %+v", list)
		}
		// Guessed keys answer exactly as keys that do not exist.
		nothing := getJSON(t, env, "/api/v1/facts/history?indicator=REV&region=360702&industry=RE-MAG&period=2031&enterprise_id="+fmt.Sprint(a), entA, 404, nil)
		for _, q := range []string{
			fmt.Sprintf("indicator=REV&region=360703&industry=RE-MAG&period=2012&enterprise_id=%d", b),
			"indicator=REV&region=360700&industry=RE&period=2012",
		} {
			got := getJSON(t, env, "/api/v1/facts/history?"+q, entA, 404, nil)
			if withoutRequestID(t, got) != withoutRequestID(t, nothing) {
				t.Errorf("history %s answers %s, unlike a missing key's %s", q, got, nothing)
			}
		}
		// The viewer sees nothing unapproved, here nothing at all.
		getJSON(t, env, "/api/v1/facts", viewer, http.StatusOK, &list)
		if len(list.Data) != 0 {
			t.Fatalf("viewer lists %+v", list)
		}
		getJSON(t, env, "/api/v1/facts/history?indicator=REV&region=360700&industry=RE&period=2012", viewer, 404, nil)
		// Once approved, the city's figure is published; the enterprises' never are.
		for _, action := range []string{"submit", "approve"} {
			if status, _, body := call(t, env, http.MethodPost, "/api/v1/periods/360700/2012/"+action, planner, "", nil); status != 200 {
				t.Fatalf("%s: %d %s", action, status, body)
			}
		}
		for _, action := range []string{"submit", "approve"} {
			if status, _, body := call(t, env, http.MethodPost, "/api/v1/periods/360702/2012/"+action, planner, "", nil); status != 200 {
				t.Fatalf("%s: %d %s", action, status, body)
			}
		}
		getJSON(t, env, "/api/v1/facts", viewer, http.StatusOK, &list)
		if len(list.Data) != 1 || list.Data[0].Region != "360700" || list.Data[0].Status != "approved" {
			t.Fatalf("viewer lists %+v, want the city's approved figure only", list)
		}
		getJSON(t, env, "/api/v1/facts?published=true", planner, http.StatusOK, &list)
		if len(list.Data) != 1 || list.Data[0].Region != "360700" {
			t.Fatalf("planner's published view %+v", list)
		}
	})
}

func TestStatsAPIPeriodTransitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		stSeed(t, db)
		a := seedEnterprise(t, db, "章贡甲磁材", "360702")
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("county-a", auth.County, "360702", 0)
		env.AddUser("ent-a", auth.Enterprise, "", a)
		planner, county, entA := env.Token("planner"), env.Token("county-a"), env.Token("ent-a")
		if status, _, body := postJSON(t, env, "/api/v1/facts", county, stFact("360702", "2012", "166.29")); status != http.StatusCreated {
			t.Fatalf("county enters: %d %s", status, body)
		}
		post := func(path, token string, body any) (int, http.Header, []byte) {
			if body == nil {
				return call(t, env, http.MethodPost, path, token, "", nil)
			}
			return postJSON(t, env, path, token, body)
		}
		audits := countAudit(t, db)
		for _, c := range []struct {
			name, path, token string
			body              any
			status            int
			code              string
		}{
			{"county submits another county", "/api/v1/periods/360703/2012/submit", county, nil, 403, "other_region"},
			{"enterprise submits", "/api/v1/periods/360702/2012/submit", entA, nil, 403, "forbidden"},
			{"approve before submit", "/api/v1/periods/360702/2012/approve", planner, nil, 409, "bad_transition"},
			{"malformed period", "/api/v1/periods/360702/20x2/submit", county, nil, 422, "bad_period"},
			{"unknown region", "/api/v1/periods/999999/2012/submit", planner, nil, 422, "unknown_region"},
		} {
			status, hdr, b := post(c.path, c.token, c.body)
			wantError(t, c.name, status, hdr, b, c.status, c.code)
		}
		if n := countAudit(t, db); n != audits {
			t.Fatalf("refused transitions wrote %d audit records", n-audits)
		}

		var st api.PeriodState
		step := func(path, token string, body any, want string) {
			t.Helper()
			status, _, b := post(path, token, body)
			if status != http.StatusOK || json.Unmarshal(b, &st) != nil || st.Status != want {
				t.Fatalf("%s: %d\n%s", path, status, b)
			}
		}
		step("/api/v1/periods/360702/2012/submit", county, nil, "submitted")
		status, hdr, b := post("/api/v1/periods/360702/2012/approve", county, nil)
		wantError(t, "county approves", status, hdr, b, 403, "forbidden")
		// Returning needs a reason in a JSON body.
		status, hdr, b = post("/api/v1/periods/360702/2012/return", planner, nil)
		wantError(t, "return without body", status, hdr, b, 415, "unsupported_media_type")
		status, hdr, b = post("/api/v1/periods/360702/2012/return", planner, map[string]any{"reason": " "})
		if e := wantError(t, "return without reason", status, hdr, b, 422, "reason_required"); !sameStrings(e.fieldNames(), []string{"reason"}) {
			t.Errorf("return without reason: fields %v", e.fieldNames())
		}
		step("/api/v1/periods/360702/2012/return", planner, map[string]any{"reason": "利税口径有误"}, "open")
		step("/api/v1/periods/360702/2012/submit", county, nil, "submitted")
		step("/api/v1/periods/360702/2012/approve", planner, nil, "approved")
		// Locked: entering is refused for everyone.
		status, hdr, b = postJSON(t, env, "/api/v1/facts", planner, stFact("360702", "2012", "170", "reason", "更正"))
		wantError(t, "enter into a locked period", status, hdr, b, 409, "period_locked")
		status, hdr, b = post("/api/v1/periods/360702/2012/submit", county, nil)
		wantError(t, "submit an approved period", status, hdr, b, 409, "bad_transition")
		step("/api/v1/periods/360702/2012/unlock", planner, map[string]any{"reason": "统计局年报修订"}, "open")
		unlocks, err := db.ListAudit(context.Background(), store.AuditFilter{Entity: "period", EntityID: "360702/2012", Action: "stats.unlock"}, store.ListQuery{})
		if err != nil || len(unlocks.Rows) != 1 || !strings.Contains(unlocks.Rows[0].After, "统计局年报修订") || unlocks.Rows[0].Actor != "planner" {
			t.Fatalf("unlock audit %+v %v", unlocks.Rows, err)
		}
		var list stFactList
		getJSON(t, env, "/api/v1/facts?region=360702", planner, http.StatusOK, &list)
		if len(list.Data) != 1 || list.Data[0].Status != "draft" {
			t.Fatalf("after unlock: %+v", list)
		}
		status, _, b = postJSON(t, env, "/api/v1/facts", county, stFact("360702", "2012", "170", "reason", "年报修订"))
		if status != http.StatusCreated {
			t.Fatalf("entry after unlock: %d %s", status, b)
		}
	})
}

// statsDocChecks calls every statistics operation through check, which compares each
// answer with the schema openapi.json gives for its status. TestResponsesMatchDocument
// passes its own check (so its coverage count includes these operations) after its own
// seeding of regions and root; TestStatsResponsesMatchDocument runs it on its own.
func statsDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	stSeed(t, db)
	ent := seedEnterprise(t, db, "文档测试企业", "360702")
	env.AddUser("st-planner", auth.Planner, "", 0)
	env.AddUser("st-county", auth.County, "360702", 0)
	env.AddUser("st-ent", auth.Enterprise, "", ent)
	planner, county, entTok := env.Token("st-planner"), env.Token("st-county"), env.Token("st-ent")

	// Entry: history of values so that the last one is an outlier with a warning.
	for i, v := range []string{"100", "101", "102", "103"} {
		check("POST", "/api/v1/facts", "/api/v1/facts", county, stFact("360702", fmt.Sprint(2008+i), v), 201)
	}
	var entered api.EnteredFact
	json.Unmarshal(check("POST", "/api/v1/facts", "/api/v1/facts", county, stFact("360702", "2012", "250", "quote", "原文"), 201), &entered)
	if len(entered.Warnings) != 1 || entered.Warnings[0].Code != "outlier" || entered.Warnings[0].Field != "value" {
		t.Errorf("outlier entry: warnings %+v", entered.Warnings)
	}
	check("POST", "/api/v1/facts", "/api/v1/facts", county, stFact("360702", "2012", "250"), 200)
	check("POST", "/api/v1/facts", "/api/v1/facts", entTok, stFact("", "2012", "3", "industry", "RE-MAG", "enterprise_id", ent), 201)
	check("POST", "/api/v1/facts", "/api/v1/facts", county, stFact("360703", "2012", "1"), 403)
	check("POST", "/api/v1/facts", "/api/v1/facts", county, stFact("360702", "2012Q1", "x"), 422)
	check("POST", "/api/v1/facts", "/api/v1/facts", county, map[string]any{"indicator": "REV", "vlaue": "1"}, 400)
	check("GET", "/api/v1/facts", "/api/v1/facts", planner, nil, 200)
	check("GET", "/api/v1/facts?flagged=true&status=draft&enterprise_id=0&period=2012", "/api/v1/facts", planner, nil, 200)
	check("GET", "/api/v1/facts?status=final", "/api/v1/facts", planner, nil, 422)
	check("GET", "/api/v1/facts", "/api/v1/facts", "", nil, 401)
	check("GET", "/api/v1/facts/history?indicator=REV&region=360702&industry=SEI&period=2012", "/api/v1/facts/history", planner, nil, 200)
	check("GET", fmt.Sprintf("/api/v1/facts/history?indicator=REV&region=360702&industry=RE-MAG&period=2012&enterprise_id=%d", ent),
		"/api/v1/facts/history", planner, nil, 200)
	check("GET", "/api/v1/facts/history?indicator=REV&region=360702&industry=SEI&period=2031", "/api/v1/facts/history", planner, nil, 404)
	check("GET", "/api/v1/facts/history?indicator=REV", "/api/v1/facts/history", planner, nil, 422)

	// Approval.
	check("POST", "/api/v1/periods/360703/2012/submit", "/api/v1/periods/{region}/{period}/submit", county, nil, 403)
	check("POST", "/api/v1/periods/360702/2012/approve", "/api/v1/periods/{region}/{period}/approve", planner, nil, 409)
	check("POST", "/api/v1/periods/360702/20x2/submit", "/api/v1/periods/{region}/{period}/submit", county, nil, 422)
	check("POST", "/api/v1/periods/360702/2012/submit", "/api/v1/periods/{region}/{period}/submit", county, nil, 200)
	check("POST", "/api/v1/facts", "/api/v1/facts", county, stFact("360702", "2012", "251", "reason", "更正"), 409)
	check("POST", "/api/v1/periods/360702/2012/return", "/api/v1/periods/{region}/{period}/return", planner, map[string]any{"reason": ""}, 422)
	check("POST", "/api/v1/periods/360702/2012/return", "/api/v1/periods/{region}/{period}/return", planner, map[string]any{"why": "x"}, 400)
	check("POST", "/api/v1/periods/360702/2012/return", "/api/v1/periods/{region}/{period}/return", planner, nil, 415)
	check("POST", "/api/v1/periods/360702/2012/return", "/api/v1/periods/{region}/{period}/return", planner, map[string]any{"reason": "请核对"}, 200)
	check("POST", "/api/v1/periods/360702/2012/submit", "/api/v1/periods/{region}/{period}/submit", county, nil, 200)
	check("POST", "/api/v1/periods/360702/2012/approve", "/api/v1/periods/{region}/{period}/approve", county, nil, 403)
	check("POST", "/api/v1/periods/360702/2012/approve", "/api/v1/periods/{region}/{period}/approve", planner, nil, 200)
	check("POST", "/api/v1/periods/360702/2012/unlock", "/api/v1/periods/{region}/{period}/unlock", county, map[string]any{"reason": "x"}, 403)
	check("POST", "/api/v1/periods/360702/2012/unlock", "/api/v1/periods/{region}/{period}/unlock", planner, map[string]any{"reason": "年报修订"}, 200)
	check("POST", "/api/v1/periods/360702/2012/unlock", "/api/v1/periods/{region}/{period}/unlock", planner, map[string]any{"reason": "再次"}, 409)

	// Catalogues.
	var inds struct {
		Data []api.Indicator `json:"data"`
	}
	json.Unmarshal(check("GET", "/api/v1/indicators", "/api/v1/indicators", entTok, nil, 200), &inds)
	if len(inds.Data) != 4 || inds.Data[0].Code != "REV" || fmt.Sprint(inds.Data[0].Units) != "[亿元 万元 元]" ||
		inds.Data[0].GrowthMax == nil || *inds.Data[0].GrowthMax != "200" || inds.Data[2].Max == nil || *inds.Data[2].Max != "100" {
		t.Errorf("indicators %+v", inds.Data)
	}
	check("GET", "/api/v1/indicators?per_page=0", "/api/v1/indicators", planner, nil, 422)
	var inds2 struct {
		Data []api.Industry `json:"data"`
	}
	json.Unmarshal(check("GET", "/api/v1/industries", "/api/v1/industries", county, nil, 200), &inds2)
	var order []string
	for _, i := range inds2.Data {
		order = append(order, fmt.Sprintf("%s@%d", i.Code, i.Depth))
	}
	if fmt.Sprint(order) != "[SEI@0 RE@1 RE-MAG@2 NEV@1]" {
		t.Errorf("industry tree %v", order)
	}
	check("GET", "/api/v1/industries", "/api/v1/industries", "", nil, 401)
}

// TestStatsResponsesMatchDocument runs statsDocChecks with the same comparison as
// TestResponsesMatchDocument, and requires it to reach every statistics operation.
func TestStatsResponsesMatchDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		d := loadDoc(t)
		ops := docOperations(d)
		seedRegions(t, db)
		covered := map[string]bool{}
		check := func(method, path, docPath, token string, body any, wantStatus int) []byte {
			t.Helper()
			var status int
			var b []byte
			if body != nil {
				status, _, b = postJSON(t, env, path, token, body)
			} else {
				status, _, b = call(t, env, method, path, token, "", nil)
			}
			if status != wantStatus {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, path, status, wantStatus, b)
			}
			key := strings.ToLower(method) + " " + docPath
			op, ok := ops[key]
			if !ok {
				t.Fatalf("%s: not in the document", key)
			}
			covered[key] = true
			r, ok := op["responses"].(doc)[fmt.Sprint(status)].(doc)
			if !ok {
				t.Fatalf("%s answered %d, which the document does not list", key, status)
			}
			s := jsonSchema(resolve(t, d, r))
			var v any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v\n%s", key, err, b)
			}
			if errs := validate(t, d, s, v, "$"); len(errs) > 0 {
				t.Fatalf("%s %d does not match the document:\n  %s\n%s", key, status, strings.Join(errs, "\n  "), b)
			}
			return b
		}
		statsDocChecks(t, env, db, check)
		// Every documented sort key of the statistics lists works, both ways; others are refused.
		env.AddUser("st-root", auth.Admin, "", 0)
		tok := env.Token("st-root")
		for key, op := range ops {
			method, path, _ := strings.Cut(key, " ")
			if method != "get" || !(strings.HasSuffix(path, "/facts") || strings.HasSuffix(path, "/indicators") || strings.HasSuffix(path, "/industries")) {
				continue
			}
			sorted := false
			for _, p := range op["parameters"].([]any) {
				p := resolve(t, d, p.(doc))
				if p["name"] != "sort" {
					continue
				}
				sorted = true
				for _, k := range p["schema"].(doc)["enum"].([]any) {
					for _, dir := range []string{"asc", "desc"} {
						check("GET", fmt.Sprintf("%s?sort=%s&dir=%s", path, k, dir), path, tok, nil, 200)
					}
				}
				var e errBody
				json.Unmarshal(check("GET", path+"?sort=no_such_key", path, tok, nil, 422), &e)
				if !sameStrings(e.fieldNames(), []string{"sort"}) {
					t.Errorf("%s?sort=no_such_key: fields %v", path, e.fieldNames())
				}
			}
			if !sorted {
				t.Errorf("%s documents no sort keys", path)
			}
		}
		// dir alone reverses the default order.
		var asc, desc struct {
			Data []api.Industry `json:"data"`
		}
		json.Unmarshal(check("GET", "/api/v1/industries", "/api/v1/industries", tok, nil, 200), &asc)
		json.Unmarshal(check("GET", "/api/v1/industries?dir=desc", "/api/v1/industries", tok, nil, 200), &desc)
		if len(asc.Data) == 0 || len(asc.Data) != len(desc.Data) || asc.Data[0].Code != desc.Data[len(desc.Data)-1].Code {
			t.Errorf("dir=desc does not reverse the tree order: %v / %v", asc.Data, desc.Data)
		}
		for key := range ops {
			if (strings.Contains(key, "/facts") || strings.Contains(key, "/periods/") || strings.Contains(key, "/indicators") ||
				strings.Contains(key, "/industries")) && !covered[key] {
				t.Errorf("%s was not exercised against its schema", key)
			}
		}
	})
}
