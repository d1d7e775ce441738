package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhanxin/internal/i18n"
	"zhanxin/internal/stats"
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

// TestStatsEnterpriseGuessingApprovalIDs: an enterprise user asking for another county's
// period by its codes, on the page and through the approvals list and its exports, learns
// nothing: the page answers 404 as for a period that does not exist, and the list and
// exports hold only the periods it has figures in.
func TestStatsEnterpriseGuessingApprovalIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := swSetup(t, db)
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Industry: "RE-MAG", EnterpriseID: f.entA, Period: "2012", Value: "3.5"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Industry: "RE-MAG", EnterpriseID: f.entB, Period: "2013", Value: "7.25"})
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2013", Value: "40"})
		entA := f.login("ent-a")
		missing := swGet(t, entA, "/stats/approvals/360703/2099", http.StatusNotFound).Find(`[data-testid=error-message]`).Text()
		for _, path := range []string{"/stats/approvals/360703/2013", "/stats/approvals/360700/2013", "/stats/approvals/360702/2013"} {
			doc := swGet(t, entA, path, http.StatusNotFound)
			if got := doc.Find(`[data-testid=error-message]`).Text(); got != missing || strings.Contains(doc.Text(), "南康") {
				t.Errorf("%s: %q, unlike a missing period's %q", path, got, missing)
			}
		}
		rows := swRows(swGet(t, entA, "/stats/approvals", http.StatusOK), "approvals-table")
		if len(rows) != 1 || !strings.Contains(rows[0][0], "360702") || rows[0][1] != "2012" || rows[0][3] != "1" {
			t.Fatalf("enterprise A's approvals %v", rows)
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, b := expGet(t, entA, "/stats/approvals?period=2013&format="+format, false)
			if recs := swExportRows(t, format, resp, b); len(recs) != 1 {
				t.Errorf("%s export of 2013 for A: %v", format, recs)
			}
		}
	})
}
