package stats_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

const csvHeader = "指标代码,行政区代码,产业代码,企业统一社会信用代码,报告期,数值,单位,来源,来源状态,原文/备注,更正原因\n"

func csvOf(lines ...string) []byte {
	return []byte(csvHeader + strings.Join(lines, "\n") + "\n")
}

// snapshot is everything an import may write, so that "writes nothing" is checked on
// every table, not on one count.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"facts", "fact_current", "rollups", "audit_log"} {
		n, err := db.CountRows(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	r, err := db.AllRollups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, x := range r {
		sum += x.Sum + x.N + x.ApprovedSum + x.ApprovedN
	}
	parts = append(parts, fmt.Sprintf("rollup-sum=%d", sum))
	cur, err := db.AllCurrent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cur {
		parts = append(parts, fmt.Sprintf("%v=%d/%s", c.FactKey, c.Value, c.Status))
	}
	return strings.Join(parts, " ")
}

func mergedHeaderXLSX(t *testing.T) []byte {
	t.Helper()
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "数据")
	for i, h := range strings.Split(strings.TrimSpace(csvHeader), ",") {
		col, _ := excelize.ColumnNumberToName(i + 1)
		x.SetCellValue("数据", col+"1", h)
	}
	row := []any{"REV", "360702", "RE", "", "2017", 1, "亿元", "t"}
	x.SetSheetRow("数据", "A2", &row)
	if err := x.MergeCell("数据", "F1", "G1"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bigCSV is a well-formed file just over 50 MB.
func bigCSV() []byte {
	line := "REV,360702,RE,,2017,1,亿元,填充数据以超过五十兆字节的上限,report,\n"
	n := (50<<20)/len(line) + 2
	return []byte(csvHeader + strings.Repeat(line, n))
}

// TestBadImportsAreRefusedAndWriteNothing: every bad input in issue 3's list gives its
// error naming the row (as Excel shows it), the column (header and letter) and the reason,
// and neither the dry run nor the commit writes anything: facts, fact_current, roll-ups
// and the audit log are exactly as before. Each bad file also carries a good row, to show
// that one bad row stops the whole file.
func TestBadImportsAreRefusedAndWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		usccA := setUSCC(t, db, f.entA, "91360702MA35A")
		usccB := setUSCC(t, db, f.entB, "91360703MA35B")
		good := "REV,360702,RE,,2016,10,亿元,县报,,,"
		// An approved, locked value for 360702/2014.
		f.enter(t, f.countyA, stats.Input{Indicator: "REV", Region: "360702", Industry: "RE", Period: "2014", Value: "10"})
		if err := f.svc.Submit(ctx, f.countyA, "360702", "2014"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.planner, "360702", "2014"); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, db)
		cases := []struct {
			name   string
			p      *auth.Principal
			file   []byte
			fname  string
			code   string // the problem's code
			row    int
			column string // header; "" for the whole row or file
			letter string
			arg    string // something the message must name
			also   int    // other problems the same mistake causes
		}{
			{"wrong USCC check character", f.planner, csvOf(good, "REV,,RE-MAG,"+wrongCheck(usccA)+",2016,1,亿元,企业报表,,,"), "a.csv",
				"invalid_uscc", 3, "企业统一社会信用代码", "D", wrongCheck(usccA), 0},
			{"unknown USCC", f.planner, csvOf(good, "REV,,RE-MAG,"+validUSCC("91360702MA35Y")+",2016,1,亿元,企业报表,,,"), "a.csv",
				"unknown_uscc", 3, "企业统一社会信用代码", "D", validUSCC("91360702MA35Y"), 0},
			{"unknown region", f.planner, csvOf(good, "REV,369999,RE,,2016,1,亿元,县报,,,"), "a.csv",
				"unknown_region", 3, "行政区代码", "B", "369999", 0},
			{"unknown indicator", f.planner, csvOf("XYZ,360702,RE,,2016,1,亿元,县报,,,", good), "a.csv",
				"unknown_indicator", 2, "指标代码", "A", "XYZ", 0},
			{"value in the wrong unit", f.planner, csvOf(good, "REV,360703,RE,,2016,12,台,县报,,,"), "a.csv",
				"wrong_unit", 3, "单位", "G", "台", 0},
			{"text in a number cell", f.planner, csvOf(good, "REV,360703,RE,,2016,六百,亿元,县报,,,"), "a.csv",
				"bad_value", 3, "数值", "F", "六百", 0},
			{"the same row twice", f.planner, csvOf(good, "REV,360703,RE,,2016,1,亿元,县报,,,", "REV,360702,RE,,2016,11,亿元,县报,,,"), "a.csv",
				"duplicate_row", 4, "", "", "2", 0},
			{"period does not fit the indicator", f.planner, csvOf(good, "REV,360703,RE,,2016-07,1,亿元,县报,,,"), "a.csv",
				"period_type", 3, "报告期", "E", "2016-07", 0},
			{"county importing another county's rows", f.countyA, csvOf(good, "REV,360703,RE,,2016,1,亿元,县报,,,"), "a.csv",
				"other_region", 3, "行政区代码", "B", "360703", 0},
			{"enterprise importing another enterprise's rows", f.enterpriseA, csvOf("REV,,RE-MAG,"+usccA+",2016,1,亿元,企业报表,,,",
				"REV,,RE-MAG,"+usccB+",2016,1,亿元,企业报表,,,"), "a.csv", "other_enterprise", 3, "企业统一社会信用代码", "D", "", 0},
			{"a change to an approved, locked value", f.planner, csvOf(good, "REV,360702,RE,,2014,11,亿元,县报,,,更正"), "a.csv",
				"period_locked", 3, "报告期", "E", "2014", 0},
			{"merged header cells", f.planner, mergedHeaderXLSX(t), "a.xlsx", "merged_cells", 1, "", "F", "F1:G1", 0},
			{"a part above its whole in the file", f.planner, csvOf(good, "PT,360702,RE,,2016,12,亿元,县报,,,"), "a.csv",
				"part_exceeds_whole", 3, "数值", "F", "REV", 1}, // and the whole, row 2, is below its part
			{"a GB18030 file with one bad row", f.planner, gb18030(t, csvOf(good, "REV,360702,稀土,,2016,1,亿元,县报,,,")), "gbk.csv",
				"unknown_industry", 3, "产业代码", "C", "稀土", 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, dry := range []bool{true, false} {
					var rep *stats.ImportReport
					var err error
					if dry {
						rep = checkBytes(t, f.svc, c.p, c.fname, c.file)
					} else {
						rep, err = importBytes(t, f.svc, c.p, c.fname, c.file, stats.ImportOptions{})
						if e := apperr.From(err); e.Code != "import_invalid" || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
							t.Fatalf("commit: %v, want import_invalid with fields", err)
						}
					}
					if rep.ProblemCount() != 1+c.also {
						t.Fatalf("dry=%v: %d problems, want %d: %+v", dry, rep.ProblemCount(), 1+c.also, rep.Problems)
					}
					p := rep.Problems[0]
					for _, q := range rep.Problems {
						if q.Code == c.code {
							p = q
						}
					}
					msg := f.cat().T("zh", p.Key, p.Args...) + " / " + f.cat().T("en", p.Key, p.Args...)
					if p.Code != c.code || p.Row != c.row || p.Column != c.column || p.Letter != c.letter || !strings.Contains(msg, c.arg) ||
						strings.Contains(msg, "[") || strings.Contains(msg, "%!") {
						t.Fatalf("dry=%v: problem %+v (%s), want %s at row %d, %s (%s), naming %q", dry, p, msg, c.code, c.row, c.column, c.letter, c.arg)
					}
					if rep.Committed {
						t.Fatal("reported as committed")
					}
					if after := snapshot(t, db); after != before {
						t.Fatalf("dry=%v wrote something:\nbefore %s\nafter  %s", dry, before, after)
					}
				}
			})
		}
		// Over 50 MB: refused before it is read, as too large.
		big := bigCSV()
		for _, dry := range []bool{true, false} {
			var err error
			if dry {
				_, err = f.svc.CheckImport(ctx, f.planner, stats.ImportSource{Name: "big.csv", R: bytes.NewReader(big), Size: int64(len(big))}, stats.ImportOptions{})
			} else {
				_, err = importBytes(t, f.svc, f.planner, "big.csv", big, stats.ImportOptions{})
			}
			if e := apperr.From(err); e.Kind != apperr.TooLarge || e.Code != "import_too_large" {
				t.Fatalf("a %d-byte file: %v", len(big), err)
			}
		}
		// Viewers and regulators may not import at all.
		for _, p := range []*auth.Principal{f.viewer, {ID: 9, Username: "reg", Role: auth.Regulator}} {
			if _, err := importBytes(t, f.svc, p, "a.csv", csvOf(good), stats.ImportOptions{}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("%s importing: %v", p.Role, err)
			}
			if _, err := f.svc.CheckImport(ctx, p, stats.ImportSource{Name: "a.csv", R: bytes.NewReader(csvOf(good)), Size: int64(len(csvOf(good)))}, stats.ImportOptions{}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("%s dry-running: %v", p.Role, err)
			}
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("refused imports wrote something:\nbefore %s\nafter  %s", before, after)
		}
		// And the good row alone, in GB18030, goes in.
		if rep, err := importBytes(t, f.svc, f.countyA, "gbk.csv", gb18030(t, csvOf(good)), stats.ImportOptions{}); err != nil || rep.New != 1 {
			t.Fatalf("good GB18030 file: %v %+v", err, rep)
		}
	})
}

func gb18030(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
