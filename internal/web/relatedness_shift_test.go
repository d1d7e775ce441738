package web_test

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
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

// The hand-worked split: relSeed's 2012 as base; in 2013 章贡区's 行业甲 doubles to 2 and
// nothing else moves. Reference growth g = 17/16 − 1 = 1/16, 行业甲's growth 4/3 − 1 = 1/3,
// so 章贡区's 行业甲 (base 1, change 1) splits into 1/16 + (1/3 − 1/16) + 2/3, and its 行业乙
// (base 1, change 0) into 1/16 − 1/16 + 0.
func TestShiftSharePageSplitsTheChangeAndExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		relSeed(t, db)
		st := &stats.Service{DB: db, Now: time.Now}
		vals := map[string][]string{"360702": {"2", "1", "1"}, "360703": {"1", "1", "2"}, "360704": {"1", "4", "4"}}
		for region, vs := range vals {
			for i, ind := range []string{"X", "Y", "Z"} {
				if _, err := st.Enter(ctx, auth.CLI("t"), stats.Input{Indicator: "REV", Region: region, Industry: ind, Period: "2013", Value: vs[i], Source: "t"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("vw", auth.Viewer, "", 0)
		c := env.Login("pl")
		// No period given: the latest (2013) against the one before it (2012).
		doc := admExpect(t, c.Get("/relatedness/shift-share?region=360702"), http.StatusOK, "shift-share")
		var rows [][]string
		doc.Find(`[data-testid=shift-share] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
			rows = append(rows, tr.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) }))
		})
		if len(rows) != 3 || rows[0][0] != "行业甲" || rows[0][3] != "1.00" || rows[0][4] != "0.06" || rows[0][5] != "0.27" || rows[0][6] != "0.67" ||
			rows[1][0] != "行业乙" || rows[1][5] != "-0.06" || rows[1][6] != "0.00" {
			t.Fatalf("shift-share rows %q", rows)
		}
		if s := doc.Find(`[data-testid=shift-summary]`).Text(); !strings.Contains(s, "2012") || !strings.Contains(s, "2013") || !strings.Contains(s, "亿元") {
			t.Errorf("summary %q", s)
		}
		if rel := admExpect(t, c.Get("/relatedness?region=360702"), http.StatusOK, "relatedness"); rel.Find(`[data-testid=rel-shift-link]`).Length() != 1 {
			t.Error("no link from /relatedness to the shift-share page")
		}

		_, b := expGet(t, c, "/relatedness/shift-share?region=360702&format=xlsx", false)
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := f.GetRows(f.GetSheetList()[0])
		if len(xr) != 4 || xr[1][0] != "行业甲" {
			t.Fatalf("xlsx %q", xr)
		}
		want := []float64{1, 2, 1, 1.0 / 16, 1.0/3 - 1.0/16, 2.0 / 3}
		for i, w := range want {
			if got, err := strconv.ParseFloat(xr[1][i+1], 64); err != nil || math.Abs(got-w) > 1e-9 {
				t.Errorf("xlsx column %d = %q, want %v", i+1, xr[1][i+1], w)
			}
		}
		_, b = expGet(t, c, "/relatedness/shift-share?region=360702&format=csv", true)
		cr := expCSV(t, b)
		if len(cr) != 4 || cr[0][6] != "Regional shift" || cr[2][0] != "行业乙" {
			t.Errorf("csv %q", cr)
		}

		// A base period with no figures: refused, the period named.
		doc = admExpect(t, c.Get("/relatedness/shift-share?region=360702&base=1999"), http.StatusUnprocessableEntity, "no base")
		if msg := doc.Find(`[data-testid=shift-error]`).Text(); !strings.Contains(msg, "基期“1999”没有") {
			t.Errorf("no-base message %q", msg)
		}
		// No figures under the parent at all: a note, not an error.
		doc = admExpect(t, c.Get("/relatedness/shift-share?parent=360000"), http.StatusOK, "no data")
		if doc.Find(`[data-testid=shift-nodata]`).Length() != 1 {
			t.Error("no-data note missing")
		}
		// A county zero throughout the base: refused, named.
		if _, err := st.Enter(ctx, auth.CLI("t"), stats.Input{Indicator: "REV", Region: "360705", Industry: "X", Period: "2012", Value: "0", Source: "t"}); err != nil {
			t.Fatal(err)
		}
		doc = admExpect(t, c.Get("/relatedness/shift-share?region=360702"), http.StatusUnprocessableEntity, "zero row")
		if msg := doc.Find(`[data-testid=shift-error]`).Text(); !strings.Contains(msg, "360705") || !strings.Contains(msg, "都为 0") {
			t.Errorf("zero-row message %q", msg)
		}
		if resp := env.Login("vw").Get("/relatedness/shift-share"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer: %d", resp.StatusCode)
		}
	})
}
