package stats_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/stats/gen"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// sameDialect opens a second fresh database of db's engine.
func sameDialect(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	if db.Dialect == store.Postgres {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

func importBytes(t *testing.T, svc *stats.Service, p *auth.Principal, name string, b []byte, opt stats.ImportOptions) (*stats.ImportReport, error) {
	t.Helper()
	return svc.Import(ctx, p, stats.ImportSource{Name: name, R: bytes.NewReader(b), Size: int64(len(b))}, opt)
}

func checkBytes(t *testing.T, svc *stats.Service, p *auth.Principal, name string, b []byte) *stats.ImportReport {
	t.Helper()
	rep, err := svc.CheckImport(ctx, p, stats.ImportSource{Name: name, R: bytes.NewReader(b), Size: int64(len(b))}, stats.ImportOptions{})
	if err != nil {
		t.Fatalf("dry run of %s: %v", name, err)
	}
	return rep
}

// genRollups recomputes every roll-up of a generated dataset from the current facts,
// independently of both write paths, following the documented rule.
func genRollups(t *testing.T, db *store.DB, ds *gen.Dataset) map[string]store.Rollup {
	t.Helper()
	cur, err := db.AllCurrent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parentRegion, kind := map[string]string{}, map[string]string{}
	for _, g := range ds.Regions {
		parentRegion[g.Code], kind[g.Code] = g.ParentCode, g.Kind
	}
	parentInd := map[string]string{}
	for _, i := range ds.Industries {
		parentInd[i.Code] = i.ParentCode
	}
	agg := map[string]string{}
	for _, i := range ds.Indicators {
		agg[i.Code] = i.Aggregation
	}
	out := map[string]store.Rollup{}
	for _, c := range cur {
		if agg[c.Indicator] != "sum" && agg[c.Indicator] != "average" {
			continue
		}
		var basis string
		inds := []string{c.Industry}
		switch {
		case c.EnterpriseID != 0:
			basis = "e"
			for i := parentInd[c.Industry]; i != ""; i = parentInd[i] {
				inds = append(inds, i)
			}
		case kind[c.Region] == "county":
			basis = "r"
		default:
			continue
		}
		for g := c.Region; g != ""; g = parentRegion[g] {
			for _, i := range inds {
				k := fmt.Sprintf("%s|%s|%s|%s|%s", basis, c.Indicator, g, i, c.Period)
				r := out[k]
				r.Sum += c.Value
				r.N++
				if c.Status == "approved" {
					r.ApprovedSum += c.Value
					r.ApprovedN++
				}
				out[k] = r
			}
		}
	}
	return out
}

func rollupDiffs(t *testing.T, db *store.DB, want map[string]store.Rollup) []string {
	t.Helper()
	have, err := db.AllRollups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var diffs []string
	seen := map[string]bool{}
	for _, r := range have {
		k := fmt.Sprintf("%s|%s|%s|%s|%s", r.Basis, r.Indicator, r.Region, r.Industry, r.Period)
		seen[k] = true
		w := want[k]
		if w.Sum != r.Sum || w.N != r.N || w.ApprovedSum != r.ApprovedSum || w.ApprovedN != r.ApprovedN {
			diffs = append(diffs, fmt.Sprintf("%s: stored %+v, recomputed %+v", k, r, w))
		}
	}
	for k := range want {
		if !seen[k] {
			diffs = append(diffs, k+": missing")
		}
	}
	sort.Strings(diffs)
	return diffs
}

// currentState is every current fact with its revision, as comparable text.
func currentState(t *testing.T, db *store.DB) []string {
	t.Helper()
	p, err := db.ListFacts(ctx, store.FactFilter{Scope: store.FactScope{All: true}}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range p.Rows {
		out = append(out, fmt.Sprintf("%s|%s|%s|%d|%s=%d rev%d %s %q %s %s %q q=%q", f.Indicator, f.Region, f.Industry, f.EnterpriseID, f.Period,
			f.Value, f.Revision, f.Status, f.Entered, f.Source, f.SourceStatus, f.Reason, f.Qualifier))
	}
	sort.Strings(out)
	return out
}

func genCSV(t *testing.T, ds *gen.Dataset, s gen.Slice) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := ds.WriteFacts(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// enterEach enters every row of a CSV in the import format through Service.Enter, one
// call per row, in file order.
func enterEach(t *testing.T, svc *stats.Service, p *auth.Principal, ds *gen.Dataset, b []byte, reason string) {
	t.Helper()
	ids := map[string]int64{}
	for _, e := range ds.Enterprises {
		ids[e.USCC] = e.ID
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Read() // header
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		in := stats.Input{Indicator: rec[0], Region: rec[1], Industry: rec[2], EnterpriseID: ids[rec[3]], Period: rec[4],
			Value: rec[5], Unit: rec[6], Source: rec[7], SourceStatus: rec[8], Quote: rec[9], Reason: reason}
		if len(rec) > 10 {
			// The file's 数值说明 word, as the entry form's qualifier code.
			q, ok := map[string]string{"": "", "精确": "", "约": "about", "超": "over", "about": "about", "over": "over"}[rec[10]]
			if !ok {
				t.Fatalf("test file has qualifier %q", rec[10])
			}
			in.Qualifier = q
		}
		if _, err := svc.Enter(ctx, p, in); err != nil {
			t.Fatalf("enter %v: %v", rec, err)
		}
	}
}

// TestImportWritesWhatEnterWrites imports a generated file into one database and enters
// the same rows one by one through Service.Enter into another: the values in force, their
// revisions and statuses, and every roll-up must come out identical, and the roll-ups
// must equal a recomputation from the facts. A second file that changes some values and
// repeats others must do the same again (revisions, unchanged rows writing nothing). A
// third and fourth file repeat stored values with a 数值说明 (qualifier) column: a changed
// qualifier alone is a new revision, the same qualifier is unchanged, on both paths.
func TestImportWritesWhatEnterWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		other := sameDialect(t, db)
		cfg := gen.Small()
		cfg.Enterprises, cfg.Indicators = 10, 3 // Enter costs a dozen queries a row
		dsA, dsB := cfg.Reference(), cfg.Reference()
		if err := dsA.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := dsB.Load(ctx, other); err != nil {
			t.Fatal(err)
		}
		planner := &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}
		now := func() time.Time { return time.Unix(1_750_000_000, 0) }
		svcA, svcB := &stats.Service{DB: db, Now: now}, &stats.Service{DB: other, Now: now}

		first := genCSV(t, dsA, gen.Slice{ToMonth: 12})
		rep, err := importBytes(t, svcA, planner, "first.csv", first, stats.ImportOptions{})
		if err != nil {
			t.Fatalf("import: %v (%+v)", err, rep.Problems)
		}
		wantRows := cfg.Enterprises * cfg.Indicators * 12
		if !rep.Committed || rep.Rows != wantRows || rep.New != wantRows || rep.Revised != 0 {
			t.Fatalf("report %+v, want %d new rows committed", rep, wantRows)
		}
		enterEach(t, svcB, planner, dsB, first, "")
		a, b := currentState(t, db), currentState(t, other)
		if strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) != wantRows {
			t.Fatalf("import and Enter differ (%d vs %d facts):\nimport %v\nenter  %v", len(a), len(b), head(a), head(b))
		}
		if d := rollupDiffs(t, db, genRollups(t, db, dsA)); len(d) > 0 {
			t.Fatalf("import roll-ups differ from a recomputation: %v", head(d))
		}
		if d := rollupDiffs(t, other, genRollups(t, other, dsB)); len(d) > 0 {
			t.Fatalf("Enter roll-ups differ from a recomputation: %v", head(d))
		}

		// The second file: months 6–17 with the overlap (6–11) changed by +1% for SYN01 and
		// repeated unchanged for the other indicators.
		second := genCSV(t, dsA, gen.Slice{FromMonth: 6, ToMonth: 18})
		second = bumpIndicator(t, second, "SYN01")
		rep, err = importBytes(t, svcA, planner, "second.csv", second, stats.ImportOptions{})
		if err != nil {
			t.Fatalf("second import: %v (%+v)", err, rep.Problems)
		}
		if rep.Revised != cfg.Enterprises*6 || rep.Unchanged != cfg.Enterprises*(cfg.Indicators-1)*6 || rep.New != cfg.Enterprises*cfg.Indicators*6 {
			t.Fatalf("second report: new %d revised %d unchanged %d", rep.New, rep.Revised, rep.Unchanged)
		}
		enterEach(t, svcB, planner, dsB, second, "")
		a, b = currentState(t, db), currentState(t, other)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("second import and Enter differ:\nimport %v\nenter  %v", head(a), head(b))
		}
		if d := rollupDiffs(t, db, genRollups(t, db, dsA)); len(d) > 0 {
			t.Fatalf("roll-ups after a revising import differ from a recomputation: %v", head(d))
		}
		// The third file: months 12–17, all stored, the same numbers; SYN02 now "超", SYN03
		// "约", SYN01 (bumped as stored) exact. The fourth: SYN02 restated exact, SYN03 "约"
		// again. Only a changed qualifier makes a revision.
		stored := bumpIndicator(t, genCSV(t, dsA, gen.Slice{FromMonth: 12, ToMonth: 18}), "SYN01")
		for i, words := range []map[string]string{{"SYN01": "精确", "SYN02": "超", "SYN03": "约"}, {"SYN01": "", "SYN02": "", "SYN03": "about"}} {
			file := withQualifiers(t, stored, words)
			rep, err = importBytes(t, svcA, planner, fmt.Sprintf("qual%d.csv", i), file, stats.ImportOptions{})
			if err != nil {
				t.Fatalf("qualifier import %d: %v (%+v)", i, err, rep.Problems)
			}
			wantRevised := cfg.Enterprises * 6 * 2 // SYN02 and SYN03 the first time
			if i == 1 {
				wantRevised = cfg.Enterprises * 6 // SYN02 back to exact
			}
			if rep.New != 0 || rep.Revised != wantRevised || rep.Unchanged != cfg.Enterprises*cfg.Indicators*6-wantRevised {
				t.Fatalf("qualifier import %d: new %d revised %d unchanged %d", i, rep.New, rep.Revised, rep.Unchanged)
			}
			enterEach(t, svcB, planner, dsB, file, "")
			a, b = currentState(t, db), currentState(t, other)
			if strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Fatalf("qualifier import %d and Enter differ:\nimport %v\nenter  %v", i, head(a), head(b))
			}
			if n := strings.Count(strings.Join(a, "\n"), `q="about"`); n != cfg.Enterprises*6 {
				t.Fatalf("qualifier import %d: %d values stored as about, want %d", i, n, cfg.Enterprises*6)
			}
		}
		if d := rollupDiffs(t, db, genRollups(t, db, dsA)); len(d) > 0 {
			t.Fatalf("roll-ups after the qualifier imports differ from a recomputation: %v", head(d))
		}
		// The approvals list's counts, kept on write by import and by Enter, equal a recount;
		// then a submit, approve and unlock on one pair move them as a recount does.
		checkPairCounts(t, db, 10)
		checkPairCounts(t, other, 10)
		region := dsA.Enterprises[0].RegionCode
		period := fmt.Sprintf("%d-01", cfg.StartYear)
		for _, step := range []func() error{
			func() error { return svcA.Submit(ctx, planner, region, period) },
			func() error { return svcA.Approve(ctx, planner, region, period) },
			func() error { return svcA.Unlock(ctx, planner, region, period, "复核") },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
			checkPairCounts(t, db, 10)
		}
		ra, _ := db.AllRollups(ctx)
		rb, _ := other.AllRollups(ctx)
		if len(ra) != len(rb) || len(ra) < 100 {
			t.Fatalf("roll-up rows: import %d, Enter %d", len(ra), len(rb))
		}
		// One audit record per import, with the file's name, hash and counts.
		au, err := db.ListAudit(ctx, store.AuditFilter{Action: "fact.import"}, store.ListQuery{})
		if err != nil || au.Total != 4 || !strings.Contains(au.Rows[0].After, `"file":"qual1.csv"`) ||
			!strings.Contains(au.Rows[0].After, rep.SHA256) || !strings.Contains(au.Rows[0].After, fmt.Sprintf(`"revised":%d`, rep.Revised)) {
			t.Fatalf("audit: %d records, %+v %v", au.Total, au.Rows, err)
		}
	})
}

// withQualifiers adds the 数值说明 column to a file in the import format, with the word
// words gives for each row's indicator.
func withQualifiers(t *testing.T, b []byte, words map[string]string) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i, l := range lines {
		if i == 0 {
			lines[i] = l + ",数值说明"
			continue
		}
		w, ok := words[strings.SplitN(l, ",", 2)[0]]
		if !ok {
			t.Fatalf("no qualifier word for %q", l)
		}
		lines[i] = l + "," + w
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// bumpIndicator raises every value of one indicator by 1%, rounded to hundredths.
func bumpIndicator(t *testing.T, b []byte, code string) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i, l := range lines {
		f := strings.Split(l, ",")
		if f[0] != code {
			continue
		}
		v, err := stats.ParseValue(f[5], "x", "x")
		if err != nil {
			t.Fatal(err)
		}
		v = v * 101 / 100 / 10_000 * 10_000
		f[5] = v.String()
		lines[i] = strings.Join(f, ",")
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

func head(xs []string) []string {
	if len(xs) > 5 {
		return xs[:5]
	}
	return xs
}

// TestTemplateRoundTrip downloads the XLSX template, fills it the way a user does in
// Excel (numbers as numbers, a value in 万元 for a 亿元 indicator, a period typed as a
// date that Excel stores as a serial, 约 and 超 typed in 数值说明), dry-runs it, commits
// it, and reads back the facts with their qualifiers and the roll-ups.
func TestTemplateRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		var tpl bytes.Buffer
		inds, err := db.Indicators(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := stats.WriteImportTemplate(&tpl, "xlsx", inds); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&tpl)
		if err != nil {
			t.Fatal(err)
		}
		head, err := x.GetRows("数据")
		if err != nil || strings.Join(head[0], ",") != "指标代码,行政区代码,产业代码,企业统一社会信用代码,报告期,数值,单位,来源,来源状态,原文/备注,更正原因,数值说明" {
			t.Fatalf("template header: %v %v", head, err)
		}
		usccA := setUSCC(t, db, f.entA, "91360702MA35XXXX")
		fill := [][]any{
			{"REV", "360702", "RE", "", "2015", 40, "亿元", "县统计公报", "verified", "章贡区稀土钨产业收入40亿元", "", "约"},
			{"REV", "360703", "RE", "", "2015", 70000, "万元", "县统计公报", "", ""},
			{"REV", "", "RE-MAG", usccA, "2015", 12.5, "", "企业报表", "report", "", "", "超"},
			{"OUT", "360702", "RE-MAG", "", nil, 1234.5, "吨", "企业报表", "", ""},
		}
		for i, r := range fill {
			if err := x.SetSheetRow("数据", fmt.Sprintf("A%d", i+2), &r); err != nil {
				t.Fatal(err)
			}
		}
		// 2015-03 typed into Excel: a date serial with a month format.
		if err := x.SetCellValue("数据", "E5", time.Date(2015, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		var filled bytes.Buffer
		if err := x.Write(&filled); err != nil {
			t.Fatal(err)
		}
		rep := checkBytes(t, f.svc, f.planner, "filled.xlsx", filled.Bytes())
		if rep.ProblemCount() != 0 || rep.Rows != 4 || rep.New != 4 || rep.Format != "xlsx" {
			t.Fatalf("dry run: %+v", rep)
		}
		if n, _ := db.CountRows(ctx, "facts"); n != 0 {
			t.Fatalf("the dry run wrote %d facts", n)
		}
		rep, err = importBytes(t, f.svc, f.planner, "filled.xlsx", filled.Bytes(), stats.ImportOptions{})
		if err != nil || !rep.Committed {
			t.Fatalf("commit: %v %+v", err, rep)
		}
		got := currentState(t, db)
		want := []string{
			fmt.Sprintf("OUT|360702|RE-MAG|0|2015-03=1234500000 rev1 draft %q 企业报表 report %q q=%q", "1234.5 吨", "", ""),
			fmt.Sprintf("REV|360702|RE-MAG|%d|2015=12500000 rev1 draft %q 企业报表 report %q q=%q", f.entA, "12.5 亿元", "", "over"),
			fmt.Sprintf("REV|360702|RE|0|2015=40000000 rev1 draft %q 县统计公报 verified %q q=%q", "40 亿元", "", "about"),
			fmt.Sprintf("REV|360703|RE|0|2015=7000000 rev1 draft %q 县统计公报 report %q q=%q", "70000 万元", "", ""),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("facts after the round trip:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if d := rollupDiffs(t, db, expectedRollups(t, db)); len(d) > 0 {
			t.Fatalf("roll-ups differ from a recomputation: %v", d)
		}
		r, _ := db.Rollup(ctx, "r", "REV", "360700", "RE", "2015")
		e, _ := db.Rollup(ctx, "e", "REV", "360700", "SEI", "2015")
		if r.Sum != 47_000_000 || r.N != 2 || e.Sum != 12_500_000 {
			t.Fatalf("roll-ups: counties %+v, enterprises %+v", r, e)
		}
	})
}

// setUSCC gives an enterprise a valid code built from a 16-character stem.
func setUSCC(t *testing.T, db *store.DB, id int64, stem string) string {
	t.Helper()
	code := validUSCC(stem)
	err := db.Write(ctx, func(tx *store.Tx) error {
		e, err := tx.EnterpriseByID(ctx, id)
		if err != nil {
			return err
		}
		e.USCC = code
		return tx.UpdateEnterprise(ctx, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	return code
}
