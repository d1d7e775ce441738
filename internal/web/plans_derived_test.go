package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestShareOfGDPTargetShowsDerivedShares: on the 2020 target's page the share of GDP
// derived from entered value added and the dataset's GDP is shown as derived, naming both
// inputs, their periods and sources, in Chinese and English; the share of above-scale
// industrial value added stays in its own table under the basis warning.
func TestShareOfGDPTargetShowsDerivedShares(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		plLoad(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		svc := &stats.Service{DB: db, Now: time.Now}
		if _, err := svc.Enter(context.Background(), &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner},
			stats.Input{Indicator: "VA", Region: "360700", Industry: "SEI", Period: "2018", Value: "400", Source: "测试公报"}); err != nil {
			t.Fatal(err)
		}
		c := env.Login("planner")
		doc := plDoc(t, c.Get("/plans/targets/t2020-va-gdp"), "share of GDP target")
		rows := plCells(doc.Find(`table[data-testid="target-actuals"] tbody tr`))
		// 400 ÷ 3,170.28 × 100 = 12.617 → 12.6 (the indicator shows one decimal).
		if len(rows) != 1 || !strings.HasPrefix(rows[0], "2018") || !strings.Contains(rows[0], "12.6 %") || !strings.Contains(rows[0], "派生") ||
			!strings.Contains(rows[0], "派生值，不是报告数") || !strings.Contains(rows[0], "测试公报") || !strings.Contains(rows[0], "G1") ||
			!strings.Contains(rows[0], "400.00 亿元") || !strings.Contains(rows[0], "3,170.28 亿元") {
			t.Fatalf("actuals %q", rows)
		}
		plWant(t, doc, `[data-testid="target-latest"] .fig-source`, "派生")
		other := plCells(doc.Find(`table[data-testid="target-other-basis"] tbody tr`))
		if len(other) != 2 || !strings.Contains(other[0], "29.3") || doc.Find(`[data-testid="other-basis-warning"]`).Length() != 1 {
			t.Fatalf("other basis %q", other)
		}
		// The actuals export: the share as a number, marked derived with its inputs.
		for _, format := range []string{"csv", "xlsx"} {
			href := doc.Find(`[data-testid=export-`+format+`]`).AttrOr("href", "")
			resp, b := expGet(t, c, href, false)
			recs := swExportRows(t, format, resp, b)
			if len(recs) != 2 || recs[1][0] != "2018" || recs[1][1] != "12.6" || recs[1][3] != "%" || recs[1][4] != "派生" ||
				!strings.Contains(recs[1][8], "G1") || !strings.Contains(recs[1][8], "测试公报") {
				t.Fatalf("%s export %q", format, recs)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, env.HTTP.URL+"/plans/targets/t2020-va-gdp", nil)
		req.Header.Set("Accept-Language", "en")
		doc = plDoc(t, c.Do(req), "share of GDP target in English")
		rows = plCells(doc.Find(`table[data-testid="target-actuals"] tbody tr`))
		if len(rows) != 1 || !strings.Contains(rows[0], "Derived, not a reported figure") || !strings.Contains(rows[0], "source: G1") {
			t.Fatalf("English actuals %q", rows)
		}
	})
}
