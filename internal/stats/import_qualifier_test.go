package stats_test

import (
	"strings"
	"testing"

	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

const qualHeader = "指标代码,行政区代码,产业代码,企业统一社会信用代码,报告期,数值,单位,来源,来源状态,原文/备注,更正原因,数值说明\n"

func qualCSV(lines ...string) []byte {
	return []byte(qualHeader + strings.Join(lines, "\n") + "\n")
}

// TestImportQualifiersLikeEnter: the 数值说明 column is read as the entry form's qualifier.
// A lower bound (超), in the file or in force, exempts a year-on-year pair from the growth
// bounds exactly as Enter does; restating a stored 超 as the same number but exact is a new
// revision; an unknown word is refused at its row and column in Chinese and English and
// nothing is written.
func TestImportQualifiersLikeEnter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// REV allows −50 % … +200 % a year. 2015 "超100" and 2016's 400 (+300 % over the
		// bound) in one file: the base is the file's own lower bound, so no growth check.
		rep, err := importBytes(t, f.svc, f.planner, "a.csv", qualCSV(
			"REV,360700,RE,,2015,100,亿元,t,,,,超",
			"REV,360700,RE,,2016,400,亿元,t,,,,",
		), stats.ImportOptions{})
		if err != nil || rep.New != 2 {
			t.Fatalf("bound then +300%%: %v %+v", err, rep)
		}
		// The base 400 is now stored and exact: an exact 1300 (+225 %) is refused, as Enter
		// refuses it, and writes nothing.
		before := snapshot(t, db)
		rep, err = importBytes(t, f.svc, f.planner, "b.csv", qualCSV("REV,360700,RE,,2017,1300,亿元,t,,,,精确"), stats.ImportOptions{})
		if err == nil || len(rep.Problems) != 1 || rep.Problems[0].Code != "growth_out_of_bounds" || rep.Problems[0].Column != "数值" {
			t.Fatalf("exact growth out of bounds: %v %+v", err, rep.Problems)
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("a refused import wrote:\nbefore %s\nafter  %s", before, after)
		}
		// The same number as a lower bound is no growth rate: accepted.
		if rep, err = importBytes(t, f.svc, f.planner, "c.csv", qualCSV("REV,360700,RE,,2017,1300,亿元,t,,,,超"), stats.ImportOptions{}); err != nil || rep.New != 1 {
			t.Fatalf("bound 1300: %v %+v", err, rep)
		}
		// 2018 from the stored bound 1300: 4000 (+208 %) is exempt, the stored 超 being read
		// by the preload.
		if rep, err = importBytes(t, f.svc, f.planner, "d.csv", qualCSV("REV,360700,RE,,2018,4000,亿元,t,,,,about"), stats.ImportOptions{}); err != nil || rep.New != 1 {
			t.Fatalf("growth from a stored bound: %v %+v", err, rep)
		}
		pg, err := f.svc.List(ctx, f.planner, store.FactFilter{Indicator: "REV", Region: "360700"}, store.ListQuery{Sort: "period"})
		if err != nil || len(pg.Rows) != 4 {
			t.Fatalf("list %+v %v", pg.Rows, err)
		}
		var got []string
		for _, r := range pg.Rows {
			got = append(got, r.Period+"="+r.Qualifier)
		}
		if strings.Join(got, " ") != "2015=over 2016= 2017=over 2018=about" {
			t.Fatalf("stored qualifiers: %v", got)
		}
		// The same 100 for 2015, now exact: a new revision, not unchanged.
		rep, err = importBytes(t, f.svc, f.planner, "e.csv", qualCSV("REV,360700,RE,,2015,100,亿元,t,,,,"), stats.ImportOptions{})
		if err != nil || rep.Revised != 1 || rep.Unchanged != 0 {
			t.Fatalf("restating 超 as exact: %v %+v", err, rep)
		}
		hist, err := f.svc.History(ctx, f.planner, store.FactKey{Indicator: "REV", Region: "360700", Industry: "RE", Period: "2015"})
		if err != nil || len(hist) != 2 || hist[0].Qualifier != "" || hist[0].Revision != 2 || hist[1].Qualifier != "over" {
			t.Fatalf("history %+v %v", hist, err)
		}
		// Again, written as 精确: unchanged, nothing written.
		before = snapshot(t, db)
		rep, err = importBytes(t, f.svc, f.planner, "f.csv", qualCSV("REV,360700,RE,,2015,100,亿元,t,,,,精确"), stats.ImportOptions{})
		if err != nil || rep.Unchanged != 1 || rep.ToWrite() != 0 {
			t.Fatalf("restating the value in force: %v %+v", err, rep)
		}
		if after := snapshot(t, db); strings.Count(after, "audit_log=") != 1 || stripAudit(after) != stripAudit(before) {
			t.Fatalf("an unchanged import wrote facts:\nbefore %s\nafter  %s", before, after)
		}

		// An unknown word: refused at its row and column, naming the allowed words.
		before = snapshot(t, db)
		rep, err = importBytes(t, f.svc, f.planner, "g.csv", qualCSV(
			"REV,360700,RE,,2019,1,亿元,t,,,,超",
			"REV,360702,RE,,2019,1,亿元,t,,,,大约",
		), stats.ImportOptions{})
		if err == nil || len(rep.Problems) != 1 {
			t.Fatalf("bad qualifier: %v %+v", err, rep)
		}
		p := rep.Problems[0]
		zh, en := f.cat().T("zh", p.Key, p.Args...), f.cat().T("en", p.Key, p.Args...)
		if p.Row != 3 || p.Column != "数值说明" || p.Letter != "L" || p.Code != "bad_qualifier" ||
			!strings.Contains(zh, "大约") || !strings.Contains(zh, "“超”") || !strings.Contains(en, "大约") || !strings.Contains(en, "over") || zh == en {
			t.Fatalf("bad qualifier problem %+v: %q / %q", p, zh, en)
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("a refused import wrote:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// stripAudit drops the audit count: an import that writes no fact still records itself.
func stripAudit(s string) string {
	var keep []string
	for _, w := range strings.Fields(s) {
		if !strings.HasPrefix(w, "audit_log=") {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}
