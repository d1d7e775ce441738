package api_test

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

const ssPath = "/api/v1/relatedness/shift-share?indicator=RELV&period=2012&parent=369900"

// TestShiftShareAPI: with relAPISeed's 2012 as base and a 2013 in which only 甲区's 行业甲
// doubles, the reference growth is 17/16 − 1 = 1/16 and 行业甲's 4/3 − 1 = 1/3, so 甲区's
// 行业甲 (base 1, change 1) splits into 1/16 + (1/3 − 1/16) + 2/3 and its 行业乙 into
// 1/16 − 1/16 + 0. With no period given the endpoint takes the latest against the one
// before it, as the page does, and its numbers equal the page's export cell for cell.
// A missing base period, an unknown region and an enterprise user are refused.
func TestShiftShareAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		relAPISeed(t, db)
		ent := seedEnterprise(t, db, "偏离份额测试企业", "369901")
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("ent", auth.Enterprise, "", ent)
		pl := env.Token("pl")
		const path = "/api/v1/relatedness/shift-share?indicator=RELV&parent=369900"

		// Only 2012 so far: no base period before it, named in both languages.
		for _, c := range []struct{ lang, want string }{{"zh", "在 2012 之前没有任何时期的数据"}, {"en", "has no period with figures before 2012"}} {
			st, h, b := call(t, env, http.MethodGet, path+"&region=369901", pl, "", nil, "Accept-Language", c.lang)
			e := wantError(t, "no base "+c.lang, st, h, b, http.StatusUnprocessableEntity, "no_base_period")
			if !strings.Contains(e.Error.Message, c.want) || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "base" {
				t.Errorf("no base (%s): %s", c.lang, b)
			}
		}

		st := &stats.Service{DB: db, Now: time.Now}
		vals := map[string][]string{"369901": {"2", "1", "1"}, "369902": {"1", "1", "2"}, "369903": {"1", "4", "4"}}
		for region, vs := range vals {
			for i, ind := range []string{"RX", "RY", "RZ"} {
				if _, err := st.Enter(context.Background(), auth.CLI("t"), stats.Input{Indicator: "RELV", Region: region, Industry: ind, Period: "2013",
					Value: vs[i], Source: "test"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		var got api.ShiftShare
		getJSON(t, env, path+"&region=369901", pl, http.StatusOK, &got)
		if got.Region != "369901" || got.Base != "2012" || got.Period != "2013" || got.Unit != "亿元" || len(got.Industries) != 3 {
			t.Fatalf("shift-share %+v", got)
		}
		x, y := got.Industries[0], got.Industries[1]
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
		if x.Industry != "RX" || x.NameZh != "行业甲" || x.Base != 1 || x.End != 2 || x.Change != 1 || !near(x.National, 1.0/16) ||
			!near(x.Mix, 1.0/3-1.0/16) || !near(x.Regional, 2.0/3) {
			t.Errorf("行业甲 %+v", x)
		}
		if y.Industry != "RY" || y.Change != 0 || !near(y.National, 1.0/16) || !near(y.Mix, -1.0/16) || !near(y.Regional, 0) {
			t.Errorf("行业乙 %+v", y)
		}

		// The page's export of the same split, cell for cell.
		env.AddUser("pl-web", auth.Planner, "", 0)
		c := env.Login("pl-web")
		resp := c.Get("/relatedness/shift-share?indicator=RELV&parent=369900&region=369901&format=xlsx")
		b := webtest.ReadBody(resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page export: %d", resp.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(b)))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(xr) != 1+len(got.Industries) {
			t.Fatalf("page rows %q, API %d industries", xr, len(got.Industries))
		}
		for i, r := range got.Industries {
			row := xr[1+i]
			if row[0] != r.NameZh {
				t.Errorf("row %d: page %q, API %s", i, row[0], r.NameZh)
			}
			for j, v := range []float64{r.Base, r.End, r.Change, r.National, r.Mix, r.Regional} {
				if pv, err := strconv.ParseFloat(row[1+j], 64); err != nil || math.Abs(pv-v) > 1e-9 {
					t.Errorf("%s column %d: page %q, API %v", r.Industry, 1+j, row[1+j], v)
				}
			}
		}

		for _, q := range []struct{ path, code string }{{path + "&region=999999", "unknown_region"}, {path, "missing_region"}} {
			st, h, b := call(t, env, http.MethodGet, q.path, pl, "", nil)
			wantError(t, q.code, st, h, b, http.StatusUnprocessableEntity, q.code)
		}
		for _, r := range []string{"369901", "369902"} {
			st, h, b := call(t, env, http.MethodGet, path+"&region="+r, env.Token("ent"), "", nil)
			wantError(t, "enterprise "+r, st, h, b, http.StatusForbidden, "forbidden")
		}
	})
}
