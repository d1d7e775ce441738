package api_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// relAPISeed enters the hand-worked 3 × 3 of internal/relatedness (regions A B C =
// 369901–369903 under the test city 369900; industries RX RY RZ) as figures of the test
// indicator RELV for 2012, so that no other test's figures enter the matrix.
func relAPISeed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{{Code: "369900", NameZh: "测试市", Kind: "city", Source: "test"},
			{Code: "369901", NameZh: "甲区", Kind: "county", ParentCode: "369900", Source: "test"},
			{Code: "369902", NameZh: "乙区", Kind: "county", ParentCode: "369900", Source: "test"},
			{Code: "369903", NameZh: "丙区", Kind: "county", ParentCode: "369900", Source: "test"},
			{Code: "369904", NameZh: "丁县", Kind: "county", ParentCode: "369900", Source: "test"}} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		for _, i := range []store.Industry{{Code: "RSEI", NameZh: "关联测试产业", Source: "test"},
			{Code: "RX", NameZh: "行业甲", NameEn: "Industry x", ParentCode: "RSEI", Source: "test"},
			{Code: "RY", NameZh: "行业乙", NameEn: "Industry y", ParentCode: "RSEI", Source: "test"},
			{Code: "RZ", NameZh: "行业丙", NameEn: "Industry z", ParentCode: "RSEI", Source: "test"}} {
			if err := tx.UpsertIndustry(ctx, i); err != nil {
				return err
			}
		}
		return tx.UpsertIndicator(ctx, store.Indicator{Code: "RELV", NameZh: "关联测试值", Unit: "亿元", PeriodType: "year", Aggregation: "sum", Source: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	st := &stats.Service{DB: db, Now: time.Now}
	vals := map[string][]string{"369901": {"1", "1", "1"}, "369902": {"1", "1", "2"}, "369903": {"1", "4", "4"}}
	for region, vs := range vals {
		for i, ind := range []string{"RX", "RY", "RZ"} {
			if _, err := st.Enter(ctx, auth.CLI("t"), stats.Input{Indicator: "RELV", Region: region, Industry: ind, Period: "2012", Value: vs[i], Source: "test"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

const relPath = "/api/v1/relatedness?indicator=RELV&period=2012&parent=369900"

// relDocChecks exercises the relatedness endpoint against the document (called from
// TestResponsesMatchDocument).
func relDocChecks(t *testing.T, env *webtest.Env, db *store.DB, check func(method, path, docPath, token string, body any, wantStatus int) []byte) {
	t.Helper()
	relAPISeed(t, db)
	ent := seedEnterprise(t, db, "关联度测试企业", "")
	env.AddUser("rel-planner", auth.Planner, "", 0)
	env.AddUser("rel-ent", auth.Enterprise, "", ent)
	pl, en := env.Token("rel-planner"), env.Token("rel-ent")
	check("GET", relPath+"&region=369901", "/api/v1/relatedness", pl, nil, 200)
	check("GET", relPath+"&region=999999", "/api/v1/relatedness", pl, nil, 422)
	check("GET", relPath, "/api/v1/relatedness", pl, nil, 422)
	check("GET", relPath+"&region=369901", "/api/v1/relatedness", en, nil, 403)
	check("GET", relPath+"&region=369901", "/api/v1/relatedness", "", nil, 401)
	// Base equal to the end period: a valid (all-zero) split of the seeded year.
	check("GET", ssPath+"&base=2012&region=369901", "/api/v1/relatedness/shift-share", pl, nil, 200)
	check("GET", ssPath+"&region=369901", "/api/v1/relatedness/shift-share", pl, nil, 422)
	check("GET", ssPath+"&base=2012&region=369901", "/api/v1/relatedness/shift-share", en, nil, 403)
	check("GET", ssPath+"&base=2012&region=369901", "/api/v1/relatedness/shift-share", "", nil, 401)
}

// The API gives the hand-worked example's figures, refuses an unknown region and a matrix
// with an all-zero row naming the region in Chinese and English, and refuses an enterprise
// user whatever region it asks for.
func TestRelatednessAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		relAPISeed(t, db)
		ent := seedEnterprise(t, db, "关联度测试企业", "369901")
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("ent", auth.Enterprise, "", ent)
		pl := env.Token("pl")

		var got api.Relatedness
		getJSON(t, env, relPath+"&region=369901", pl, http.StatusOK, &got)
		// Region A lacks y and z; z has density ¼, y 0; ECI of A = −√5/2 (see the hand-worked
		// example in internal/relatedness).
		if got.Region != "369901" || got.Period != "2012" || len(got.Opportunities) != 2 {
			t.Fatalf("relatedness %+v", got)
		}
		z, y := got.Opportunities[0], got.Opportunities[1]
		if z.Industry != "RZ" || z.NameZh != "行业丙" || math.Abs(z.Density-0.25) > 1e-12 || y.Industry != "RY" || y.Density != 0 {
			t.Errorf("opportunities %+v", got.Opportunities)
		}
		if math.Abs(got.ECI+math.Sqrt(5)/2) > 1e-9 {
			t.Errorf("ECI %v, want −√5/2", got.ECI)
		}
		if !strings.Contains(z.Reason, "密度 0.250") || z.RCA >= 1 {
			t.Errorf("reason %q rca %v", z.Reason, z.RCA)
		}
		_, _, b := call(t, env, http.MethodGet, relPath+"&region=369901", pl, "", nil, "Accept-Language", "en")
		if !strings.Contains(string(b), "Density 0.250") {
			t.Errorf("English reason missing: %s", b)
		}

		// Unknown region: named, in both languages.
		for _, c := range []struct{ lang, want string }{{"zh", "地区“999999”不在"}, {"en", "Region 999999 is not in"}} {
			st, h, b := call(t, env, http.MethodGet, relPath+"&region=999999", pl, "", nil, "Accept-Language", c.lang)
			e := wantError(t, "unknown region "+c.lang, st, h, b, http.StatusUnprocessableEntity, "unknown_region")
			if !strings.Contains(e.Error.Message, c.want) || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "region" {
				t.Errorf("unknown region (%s): %s", c.lang, b)
			}
		}
		st, h, b := call(t, env, http.MethodGet, relPath, pl, "", nil)
		wantError(t, "no region", st, h, b, http.StatusUnprocessableEntity, "missing_region")

		// Enterprise user: refused, whether it asks for its own region or another's.
		for _, r := range []string{"369901", "369902", "999999"} {
			st, h, b := call(t, env, http.MethodGet, relPath+"&region="+r, env.Token("ent"), "", nil)
			wantError(t, "enterprise "+r, st, h, b, http.StatusForbidden, "forbidden")
		}

		// A county whose figures are all zero: the whole matrix is refused, the county named.
		if _, err := (&stats.Service{DB: db, Now: time.Now}).Enter(context.Background(), auth.CLI("t"), stats.Input{Indicator: "RELV",
			Region: "369904", Industry: "RX", Period: "2012", Value: "0", Source: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ lang, want string }{{"zh", "地区“369904”在所有行业上的数值都为 0"}, {"en", "Region 369904 is zero in every industry"}} {
			st, h, b := call(t, env, http.MethodGet, relPath+"&region=369901", pl, "", nil, "Accept-Language", c.lang)
			e := wantError(t, "zero row "+c.lang, st, h, b, http.StatusUnprocessableEntity, "zero_region")
			if !strings.Contains(e.Error.Message, c.want) {
				t.Errorf("zero row (%s): %s", c.lang, b)
			}
		}
	})
}
