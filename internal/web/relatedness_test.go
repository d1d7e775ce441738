package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// relSeed enters the hand-worked 3 × 3 of internal/relatedness (regions A B C = 章贡区,
// 南康区, 赣县区; industries x y z) as county figures of REV for 2012.
func relSeed(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{{Code: "360700", NameZh: "赣州市", Kind: "city", Source: "t"},
			{Code: "360702", NameZh: "章贡区", Kind: "county", ParentCode: "360700", Source: "t"},
			{Code: "360703", NameZh: "南康区", Kind: "county", ParentCode: "360700", Source: "t"},
			{Code: "360704", NameZh: "赣县区", Kind: "county", ParentCode: "360700", Source: "t"},
			{Code: "360705", NameZh: "信丰县", Kind: "county", ParentCode: "360700", Source: "t"}} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		for _, i := range []store.Industry{{Code: "SEI", NameZh: "战略性新兴产业", Source: "t"}, {Code: "X", NameZh: "行业甲", ParentCode: "SEI", Source: "t"},
			{Code: "Y", NameZh: "行业乙", ParentCode: "SEI", Source: "t"}, {Code: "Z", NameZh: "行业丙", ParentCode: "SEI", Source: "t"}} {
			if err := tx.UpsertIndustry(ctx, i); err != nil {
				return err
			}
		}
		return tx.UpsertIndicator(ctx, store.Indicator{Code: "REV", NameZh: "主营业务收入", Unit: "亿元", PeriodType: "year", Aggregation: "sum", Source: "t"})
	})
	if err != nil {
		t.Fatal(err)
	}
	st := &stats.Service{DB: db, Now: time.Now}
	vals := map[string][]string{"360702": {"1", "1", "1"}, "360703": {"1", "1", "2"}, "360704": {"1", "4", "4"}}
	for region, vs := range vals {
		for i, ind := range []string{"X", "Y", "Z"} {
			if _, err := st.Enter(ctx, auth.CLI("t"), stats.Input{Indicator: "REV", Region: region, Industry: ind, Period: "2012", Value: vs[i], Source: "t"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestRelatednessPageShowsOpportunitiesWithReasons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		relSeed(t, db)
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("vw", auth.Viewer, "", 0)
		c := env.Login("pl")
		doc := admExpect(t, c.Get("/relatedness?region=360702"), http.StatusOK, "relatedness")
		var rows [][]string
		doc.Find(`[data-testid=opportunities] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
			rows = append(rows, tr.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) }))
		})
		// 章贡区 (A) lacks y and z; z has density ¼, y 0 (see the hand-worked example).
		if len(rows) != 2 || rows[0][0] != "行业丙" || rows[0][1] != "0.250" || rows[1][0] != "行业乙" || rows[1][1] != "0.000" ||
			!strings.Contains(rows[0][5], "0.250") {
			t.Fatalf("opportunities %q", rows)
		}
		// ECI of A = −√5/2 = −1.118…
		if s := doc.Find(`[data-testid=rel-summary]`).Text(); !strings.Contains(s, "-1.12") {
			t.Errorf("summary %q", s)
		}
		if raw, ok := doc.Find(`[data-testid=rel-chart]`).Attr("data-chart"); !ok || !strings.Contains(raw, `"density"`) {
			t.Errorf("no chart data")
		}
		_, b := expGet(t, c, "/relatedness?region=360702&format=xlsx", false)
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := f.GetRows(f.GetSheetList()[0])
		if len(xr) != 3 || xr[1][0] != "行业丙" || xr[1][1] != "0.25" {
			t.Errorf("xlsx %q", xr)
		}
		// A county whose figures are all zero: refused, named, nothing computed.
		if _, err := (&stats.Service{DB: db, Now: time.Now}).Enter(ctx, auth.CLI("t"), stats.Input{Indicator: "REV", Region: "360705",
			Industry: "X", Period: "2012", Value: "0", Source: "t"}); err != nil {
			t.Fatal(err)
		}
		doc = admExpect(t, c.Get("/relatedness"), http.StatusUnprocessableEntity, "zero row")
		if msg := doc.Find(`[data-testid=rel-error]`).Text(); !strings.Contains(msg, "360705") {
			t.Errorf("zero-row message %q", msg)
		}
		if resp := env.Login("vw").Get("/relatedness"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer: %d", resp.StatusCode)
		}
		// No figures for the chosen parent: a note, not an error.
		doc = admExpect(t, c.Get("/relatedness?parent=360000"), http.StatusOK, "no data")
		if doc.Find(`[data-testid=rel-nodata]`).Length() != 1 {
			t.Error("no-data note missing")
		}
	})
}
