package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestStatsEntryQualifier: the entry form offers exact / 约 / 超; a value entered as 超 is
// shown as "超1000.00 亿元" in the success message, the list and the history, in Chinese and
// English; exports carry the number and name the qualifier in its own column; a qualifier
// the form does not offer is refused at its field and writes nothing.
func TestStatsEntryQualifier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := swSetup(t, db)
		planner := f.login("planner")
		doc := swGet(t, planner, "/stats/entry", http.StatusOK)
		var offered []string
		doc.Find(`select[name=qualifier] option`).Each(func(_ int, o *goquery.Selection) {
			offered = append(offered, o.AttrOr("value", "?"))
		})
		if strings.Join(offered, ",") != ",about,over" {
			t.Fatalf("qualifier choices %q", offered)
		}
		doc = admExpect(t, planner.PostForm("/stats/entry", swEntryForm("value", "1000", "qualifier", "over")), http.StatusOK, "entry over")
		if got := swText(doc.Find(`[data-testid=flash]`)); !strings.Contains(got, "超1000.00 亿元") {
			t.Fatalf("success message %q does not say 超1000.00 亿元", got)
		}
		rows := swRows(swGet(t, planner, "/stats/facts", http.StatusOK), "facts-table")
		if len(rows) != 1 || rows[0][5] != "超1000.00 亿元" || rows[0][12] != swZh(f, "statsweb.qualifier.over") {
			t.Fatalf("facts list %v", rows)
		}
		en := f.env.Cat.T(i18n.En, "plan.qualifier.over") + "1000.00 亿元"
		req, _ := http.NewRequest(http.MethodGet, f.env.HTTP.URL+"/stats/facts", nil)
		req.Header.Set("Accept-Language", "en")
		enDoc := admExpect(t, planner.Do(req), http.StatusOK, "facts in English")
		if rows := swRows(enDoc, "facts-table"); len(rows) != 1 || rows[0][5] != en {
			t.Fatalf("English facts list %v, want %q", rows, en)
		}
		hist := swRows(swGet(t, planner, "/stats/facts/history?indicator=REV&region=360700&industry=RE&enterprise=0&period=2013", http.StatusOK), "history-table")
		if len(hist) != 1 || hist[0][1] != "超1000.00 亿元" {
			t.Fatalf("history %v", hist)
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, b := expGet(t, planner, "/stats/facts?format="+format, false)
			recs := swExportRows(t, format, resp, b)
			if len(recs) != 2 || recs[1][5] != "1000" || recs[1][12] != swZh(f, "statsweb.qualifier.over") {
				t.Fatalf("%s export %v: the number and its qualifier apart", format, recs)
			}
		}
		facts, entries, audits := f.counts(t)
		doc = admExpect(t, planner.PostForm("/stats/entry", swEntryForm("period", "2014", "qualifier", "大约")), http.StatusUnprocessableEntity, "bad qualifier")
		if got := strings.TrimSpace(doc.Find(`.field-error[data-field=qualifier]`).Text()); got != swZh(f, "stats.err.qualifier", "大约") {
			t.Fatalf("bad qualifier message %q", got)
		}
		if f2, e2, a2 := f.counts(t); f2 != facts || e2 != entries || a2 != audits {
			t.Fatal("a refused qualifier wrote something")
		}
	})
}
