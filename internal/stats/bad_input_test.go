package stats_test

import (
	"fmt"
	"strings"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestIssueBadInputListThroughEnter walks issue 3's "Bad input" list as far as it applies to
// one typed value (the file-only cases are in TestBadImportsAreRefusedAndWriteNothing):
// each case is refused with its code at the field it names, both languages' messages name
// the bad value, and every table an entry may touch (facts, fact_current, roll-ups, the
// audit log) is exactly as before.
func TestIssueBadInputListThroughEnter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// 360702/2014 approved (locked); 360703/2015 submitted; a value in force for B.
		f.enter(t, f.countyA, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2014", Value: "10"})
		if err := f.svc.Submit(ctx, f.countyA, "360702", "2014"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.planner, "360702", "2014"); err != nil {
			t.Fatal(err)
		}
		f.enter(t, f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2015", Value: "20"})
		if err := f.svc.Submit(ctx, f.planner, "360703", "2015"); err != nil {
			t.Fatal(err)
		}
		f.enter(t, f.enterpriseB, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "RE-MAG", Period: "2016", Value: "7.25"})
		countyB := &auth.Principal{ID: 6, Username: "county-b", Role: auth.County, RegionCode: "360703"}
		before := snapshot(t, db)
		for _, c := range []struct {
			name  string
			p     *auth.Principal
			in    stats.Input
			kind  apperr.Kind
			code  string
			field string // "" for a refusal of the whole entry
			names string // what the message must name
		}{
			{"unknown region", f.planner, stats.Input{Indicator: "REV", Region: "369999", Industry: "RE", Period: "2016", Value: "1"},
				apperr.Invalid, "unknown_region", "region", "369999"},
			{"unknown indicator", f.planner, stats.Input{Indicator: "REVX", Region: "360702", Industry: "RE", Period: "2016", Value: "1"},
				apperr.Invalid, "unknown_indicator", "indicator", "REVX"},
			{"value in the wrong unit", f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2016", Value: "5", Unit: "吨"},
				apperr.Invalid, "wrong_unit", "unit", "吨"},
			{"text in a number cell", f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2016", Value: "约五亿"},
				apperr.Invalid, "bad_value", "value", "约五亿"},
			{"a month for an annual indicator", f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2016-07", Value: "1"},
				apperr.Invalid, "period_type", "period", "2016-07"},
			{"a year for a monthly indicator", f.planner, stats.Input{Indicator: "OUT", Region: "360702", Industry: "RE", Period: "2016", Value: "1"},
				apperr.Invalid, "period_type", "period", "2016"},
			{"county entering for another county", f.countyA, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2016", Value: "1"},
				apperr.Forbidden, "other_region", "", "360703"},
			{"county entering for another county's enterprise", f.countyA, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "RE-MAG", Period: "2016", Value: "1"},
				apperr.Forbidden, "other_region", "", "360703"},
			{"enterprise entering over another enterprise's value", f.enterpriseA, stats.Input{Indicator: "REV", EnterpriseID: f.entB, Industry: "RE-MAG", Period: "2016", Value: "1"},
				apperr.Forbidden, "other_enterprise", "", ""},
			{"change to an approved, locked value (the city too)", f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2014", Value: "11", Reason: "更正"},
				apperr.Conflict, "period_locked", "", "2014"},
			{"the locked period spelt with a space", f.planner, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: " 2014 ", Value: "11", Reason: "更正"},
				apperr.Conflict, "period_locked", "", "2014"},
			{"a new key in a locked period", f.countyA, stats.Input{Indicator: "PT", Region: "360702", Industry: "RE", Period: "2014", Value: "1"},
				apperr.Conflict, "period_locked", "", "360702"},
			{"county changing its submitted period", countyB, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2015", Value: "21", Reason: "更正"},
				apperr.Conflict, "period_submitted", "", "2015"},
			{"the city correcting a submitted value without a reason", f.planner, stats.Input{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2015", Value: "21"},
				apperr.Invalid, "reason_required", "reason", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.in.Source == "" {
					c.in.Source = "test"
				}
				_, err := f.svc.Enter(ctx, c.p, c.in)
				e := apperr.From(err)
				if e.Kind != c.kind || e.Code != c.code {
					t.Fatalf("got %v (%v/%s), want %v/%s", err, e.Kind, e.Code, c.kind, c.code)
				}
				key, args := e.Key, e.Args
				if c.field != "" {
					var found bool
					for _, fe := range e.Fields {
						if fe.Name == c.field {
							found, key, args = true, fe.Key, fe.Args
						}
					}
					if !found {
						t.Fatalf("no problem at %s: %+v", c.field, e.Fields)
					}
				}
				zh, en := f.cat().T("zh", key, args...), f.cat().T("en", key, args...)
				for _, m := range []string{zh, en} {
					if m == "" || strings.HasPrefix(m, "[") || strings.Contains(m, "%!") || !strings.Contains(m, c.names) {
						t.Errorf("message %q does not name %q", m, c.names)
					}
				}
				if zh == en {
					t.Errorf("the same message in both languages: %q", zh)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("wrote something:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		// Reading by guessed ids: enterprise A asks for B's value by list filter, by
		// history and by the approval list of B's county, and learns nothing.
		pg, err := f.svc.List(ctx, f.enterpriseA, store.FactFilter{EnterpriseID: f.entB}, store.ListQuery{})
		if err != nil || pg.Total != 0 || len(pg.Rows) != 0 {
			t.Fatalf("A listing B's id: %v %+v", err, pg)
		}
		pg, err = f.svc.List(ctx, f.enterpriseA, store.FactFilter{Region: "360703"}, store.ListQuery{})
		if err != nil || pg.Total != 0 {
			t.Fatalf("A listing B's county: %v %+v", err, pg)
		}
		for _, k := range []store.FactKey{
			{Indicator: "REV", Region: "360703", Industry: "RE-MAG", EnterpriseID: f.entB, Period: "2016"},
			{Indicator: "REV", Region: "360703", Industry: "RE", Period: "2015"},
		} {
			if _, err := f.svc.History(ctx, f.enterpriseA, k); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("A reading history of %+v: %v", k, err)
			}
		}
		ap, err := f.svc.Approvals(ctx, f.enterpriseA, store.ApprovalFilter{Region: "360703"}, store.ListQuery{})
		if err != nil || ap.Total != 0 {
			t.Fatalf("A listing 360703's periods: %v %+v", err, ap)
		}
	})
}

// TestImportDuplicateRowsWrittenDifferently: a file that gives the same key twice in two
// spellings (a period with a space or a lower-case q; an enterprise row with and without
// its region) is refused at the second row, naming the first, and writes nothing: the
// duplicate check runs on the canonical key, not on the text.
func TestImportDuplicateRowsWrittenDifferently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		usccA := setUSCC(t, db, f.entA, "91360702MA35A")
		before := snapshot(t, db)
		for _, c := range []struct {
			name string
			rows []string
		}{
			{"period with a space", []string{"REV,360702,RE,,2016,10,亿元,县报,,,", "REV,360702,RE,, 2016 ,11,亿元,县报,,,"}},
			{"lower-case quarter", []string{"OUTQ,360702,RE,,2016Q3,10,t,县报,,,", "OUTQ,360702,RE,,2016q3,11,t,县报,,,"}},
			{"enterprise with and without its region", []string{"REV,,RE-MAG," + usccA + ",2016,1,亿元,企业报表,,,",
				"REV,360702,RE-MAG," + usccA + ",2016,2,亿元,企业报表,,,"}},
			{"same value in 万元 and 亿元", []string{"REV,360702,RE,,2016,10,亿元,县报,,,", "REV,360702,RE,,2016,100000,万元,县报,,,"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.name == "lower-case quarter" {
					quarterly(t, db)
					before = snapshot(t, db)
				}
				b := csvOf(c.rows...)
				for _, dry := range []bool{true, false} {
					var rep *stats.ImportReport
					if dry {
						rep = checkBytes(t, f.svc, f.planner, "dup.csv", b)
					} else {
						var err error
						rep, err = importBytes(t, f.svc, f.planner, "dup.csv", b, stats.ImportOptions{})
						if e := apperr.From(err); e.Code != "import_invalid" {
							t.Fatalf("commit: %v", err)
						}
					}
					if rep.ProblemCount() != 1 {
						t.Fatalf("dry=%v: %d problems %+v, want the duplicate only", dry, rep.ProblemCount(), rep.Problems)
					}
					p := rep.Problems[0]
					zh, en := f.cat().T("zh", p.Key, p.Args...), f.cat().T("en", p.Key, p.Args...)
					if p.Code != "duplicate_row" || p.Row != 3 || !strings.Contains(zh, "2") || !strings.Contains(en, "2") || zh == en {
						t.Fatalf("dry=%v: %+v (%s / %s), want duplicate_row at row 3 naming row 2", dry, p, zh, en)
					}
					if after := snapshot(t, db); after != before {
						t.Fatalf("dry=%v wrote something:\nbefore %s\nafter  %s", dry, before, after)
					}
				}
			})
		}
	})
}

// quarterly adds a quarterly indicator to the fixture.
func quarterly(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.UpsertIndicator(ctx, store.Indicator{Code: "OUTQ", NameZh: "季度产量", Unit: "t", PeriodType: "quarter", Aggregation: "sum", Source: "t"})
	}); err != nil {
		t.Fatal(fmt.Errorf("quarterly indicator: %w", err))
	}
}
