package stats_test

import (
	"fmt"
	"strings"
	"testing"

	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestImportCorrectionsAndOutliers: correcting a submitted value by import needs a reason,
// exactly as in the entry form — the row says so at 更正原因 when none is given, and the
// reason from the column or the upload form goes into the new revision, which keeps the
// period's status. An outlier is flagged (a warning and the data-quality flag), not
// refused. Roll-ups stay equal to a recomputation throughout.
func TestImportCorrectionsAndOutliers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.enter(t, f.countyA, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2018", Value: "20"})
		if err := f.svc.Submit(ctx, f.countyA, "360702", "2018"); err != nil {
			t.Fatal(err)
		}
		file := csvOf("REV,360702,RE,,2018,21,亿元,县报,,,")
		rep, err := importBytes(t, f.svc, f.planner, "fix.csv", file, stats.ImportOptions{})
		if codeOf(err) != "import_invalid" || rep.ProblemCount() != 1 || rep.Problems[0].Code != "reason_required" ||
			rep.Problems[0].Column != "更正原因" || rep.Problems[0].Letter != "K" || rep.Problems[0].Row != 2 {
			t.Fatalf("correction without a reason: %v %+v", err, rep.Problems)
		}
		// The county may not change a submitted period at all.
		rep, _ = importBytes(t, f.svc, f.countyA, "fix.csv", csvOf("REV,360702,RE,,2018,21,亿元,县报,,,更正"), stats.ImportOptions{})
		if rep.ProblemCount() != 1 || rep.Problems[0].Code != "period_submitted" {
			t.Fatalf("county correcting a submitted period: %+v", rep.Problems)
		}
		rep, err = importBytes(t, f.svc, f.planner, "fix.csv", file, stats.ImportOptions{Reason: "公报修订"})
		if err != nil || rep.Revised != 1 {
			t.Fatalf("correction with the form's reason: %v %+v", err, rep)
		}
		h, err := f.svc.History(ctx, f.planner, store.FactKey{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2018"})
		if err != nil || len(h) != 2 || h[0].Revision != 2 || h[0].Reason != "公报修订" || h[0].Value != 21_000_000 || h[1].Value != 20_000_000 {
			t.Fatalf("history: %+v %v", h, err)
		}
		cur, _ := f.svc.List(ctx, f.planner, store.FactFilter{Region: "360702", Period: "2018"}, store.ListQuery{})
		if cur.Total != 1 || cur.Rows[0].Status != "submitted" {
			t.Fatalf("status after the correction: %+v", cur.Rows)
		}
		// A monthly series of about 100 with one 1000 in the same file: flagged, imported.
		var lines []string
		for i, v := range []string{"100", "104", "98", "101", "103", "1000", "102"} {
			lines = append(lines, fmt.Sprintf("OUT,360702,RE-MAG,,2019-%02d,%s,t,企业报表,,,", i+1, v))
		}
		rep, err = importBytes(t, f.svc, f.planner, "out.csv", csvOf(lines...), stats.ImportOptions{})
		if err != nil || rep.New != 7 || len(rep.Warnings) != 1 || rep.Warnings[0].Row != 7 || rep.Warnings[0].Code != "outlier" ||
			rep.Warnings[0].Column != "数值" {
			t.Fatalf("outlier: %v, warnings %+v", err, rep.Warnings)
		}
		q, _ := f.svc.List(ctx, f.planner, store.FactFilter{FlaggedOnly: true}, store.ListQuery{})
		if q.Total != 1 || q.Rows[0].Period != "2019-06" || !strings.HasPrefix(q.Rows[0].Quality, "outlier") {
			t.Fatalf("data-quality list: %+v", q.Rows)
		}
		if d := rollupDiffs(t, db, expectedRollups(t, db)); len(d) > 0 {
			t.Fatalf("roll-ups differ from a recomputation: %v", d)
		}
	})
}
