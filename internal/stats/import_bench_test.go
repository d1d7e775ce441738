package stats_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// Import benchmarks (issue 3, "Speed"): CSV import rate against the database's own bulk
// loader reading the same file into a bare table with the same columns and no
// constraints — `sqlite3 .import --csv` on SQLite, COPY FROM STDIN on PostgreSQL — timed
// in the same run; and XLSX import rows/s. Each reports rows/s, the reference's rows/s and
// the ratio (goal ≥ 0.5 for CSV; ≥ 100,000 rows/s for XLSX).
//
// The reference data is the national registry of the generated dataset (3,000 regions,
// 200 industries, 200,000 enterprises, 10 monthly indicators); the file holds
// ZHANXIN_BENCH_ROWS enterprise facts (default 200,000: one month of 20,000 enterprises).
// ZHANXIN_BENCH_FULL=1 loads 2×10^7 facts — ten months of all 200,000 enterprises, as 40
// files of 500,000 rows — into one growing database and reports the rate over all files.
//
//	go test ./internal/stats -run '^$' -bench Import -benchtime 1x

func benchRows() int64 {
	if os.Getenv("ZHANXIN_BENCH_FULL") == "1" {
		return 20_000_000
	}
	if n, err := strconv.ParseInt(os.Getenv("ZHANXIN_BENCH_ROWS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// benchDataset is the national registry, with the fact rows laid out as monthly report
// files: each file holds one month of up to 50,000 enterprises × 10 indicators (500,000
// rows, under the 50 MB upload limit), the way enterprises' monthly figures arrive.
type benchDataset struct {
	ds    *gen.Dataset
	files []string
	rows  int64
}

func newBenchDataset(b *testing.B, dir string, total int64) *benchDataset {
	b.Helper()
	cfg := gen.National()
	ds := cfg.Reference()
	bd := &benchDataset{ds: ds}
	perMonth := int64(cfg.Enterprises * cfg.Indicators)
	const entPerFile = 50_000
	for m := 0; bd.rows < total && m < cfg.Months; m++ {
		ents := int(min(perMonth, total-bd.rows) / int64(cfg.Indicators))
		for from := 0; from < ents; from += entPerFile {
			name := filepath.Join(dir, fmt.Sprintf("facts-%03d.csv", len(bd.files)))
			f, err := os.Create(name)
			if err != nil {
				b.Fatal(err)
			}
			n, err := ds.WriteFacts(f, gen.Slice{FromEnterprise: from, ToEnterprise: min(from+entPerFile, ents), FromMonth: m, ToMonth: m + 1})
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
			bd.files = append(bd.files, name)
			bd.rows += n
		}
	}
	return bd
}

func (bd *benchDataset) load(b *testing.B, db *store.DB) {
	b.Helper()
	ds := *bd.ds
	ds.Enterprises = append([]store.Enterprise(nil), bd.ds.Enterprises...)
	if err := ds.Load(context.Background(), db); err != nil {
		b.Fatal(err)
	}
}

// phases sums the time an import spends in each phase, over all files of a run.
type phases struct{ read, check, facts, rollups, commit float64 }

func (ph phases) String() string {
	return fmt.Sprintf("read+parse %.2fs, check %.2fs, facts+fact_current %.2fs, roll-ups %.2fs, commit and the rest %.2fs",
		ph.read, ph.check, ph.facts, ph.rollups, ph.commit)
}

func importFile(b *testing.B, svc *stats.Service, p *auth.Principal, name string, ph *phases) int {
	b.Helper()
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	start := time.Now()
	rep, err := svc.Import(context.Background(), p, stats.ImportSource{Name: filepath.Base(name), R: f, Size: st.Size()},
		stats.ImportOptions{}) // the real 50 MB limit: every benchmark file is under it
	if ph != nil && rep != nil {
		sec := rep.Seconds
		ph.read += sec.Read
		ph.check += sec.Check
		ph.facts += sec.Facts
		ph.rollups += sec.Rollups
		ph.commit += time.Since(start).Seconds() - sec.Read - sec.Check - sec.Facts - sec.Rollups
	}
	if err != nil {
		b.Fatalf("import %s: %v (%d problems, first %+v)", name, err, rep.ProblemCount(), first(rep))
	}
	return rep.New + rep.Revised
}

func first(rep *stats.ImportReport) any {
	if rep == nil || len(rep.Problems) == 0 {
		return nil
	}
	return rep.Problems[0]
}

var benchPlanner = &auth.Principal{ID: 1, Username: "bench", Role: auth.Planner}

func report(b *testing.B, rows int64, ours, ref time.Duration, refName string) {
	b.ReportMetric(float64(rows)/ours.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/ref.Seconds(), refName+"_rows/s")
	b.ReportMetric(ref.Seconds()/ours.Seconds(), "ratio")
	b.Logf("%d rows: zhanxin %.2fs (%.0f rows/s), %s %.2fs (%.0f rows/s), ratio %.3f", rows, ours.Seconds(), float64(rows)/ours.Seconds(),
		refName, ref.Seconds(), float64(rows)/ref.Seconds(), ref.Seconds()/ours.Seconds())
}

// BenchmarkImportCSVSQLite: zhanxin's CSV import into SQLite against `sqlite3 .import
// --csv` of the same files into a bare table (the sqlite3 CLI at /usr/bin/sqlite3, C).
func BenchmarkImportCSVSQLite(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 CLI not installed (apt-get install sqlite3)")
	}
	dir := b.TempDir()
	bd := newBenchDataset(b, dir, benchRows())
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// The reference: a bare table with the file's columns, no constraints, loaded by
		// the sqlite3 shell in one process, file by file.
		refDB := filepath.Join(dir, fmt.Sprintf("ref-%d.db", i))
		cols := ""
		for j, c := range store.BareImportColumns {
			if j > 0 {
				cols += ", "
			}
			cols += c + " TEXT"
		}
		if out, err := exec.Command(sqlite3, refDB, "PRAGMA journal_mode=WAL; CREATE TABLE import_bare ("+cols+")").CombinedOutput(); err != nil {
			b.Fatalf("sqlite3: %v %s", err, out)
		}
		refStart := time.Now()
		for _, f := range bd.files {
			if out, err := exec.Command(sqlite3, refDB, ".import --csv --skip 1 "+f+" import_bare").CombinedOutput(); err != nil {
				b.Fatalf("sqlite3 .import: %v %s", err, out)
			}
		}
		ref := time.Since(refStart)
		db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, fmt.Sprintf("zx-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(context.Background(), time.Now); err != nil {
			b.Fatal(err)
		}
		bd.load(b, db)
		svc := &stats.Service{DB: db, Now: time.Now}
		b.StartTimer()
		start := time.Now()
		var written int64
		var ph phases
		for _, f := range bd.files {
			written += int64(importFile(b, svc, benchPlanner, f, &ph))
		}
		ours := time.Since(start)
		b.StopTimer()
		if written != bd.rows {
			b.Fatalf("wrote %d of %d rows", written, bd.rows)
		}
		report(b, bd.rows, ours, ref, "sqlite3_import")
		b.Logf("zhanxin phases: %v; %s", ph, tableSizes(b, db))
		db.Close()
	}
}

// BenchmarkImportCSVPostgres: zhanxin's CSV import into PostgreSQL against COPY FROM STDIN
// of the same files into a bare table, on the same server.
func BenchmarkImportCSVPostgres(b *testing.B) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skip(storetest.EnvPostgres + " is not set")
	}
	dir := b.TempDir()
	bd := newBenchDataset(b, dir, benchRows())
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.Postgres(b)
		if err := db.CreateBareImportTable(context.Background()); err != nil {
			b.Fatal(err)
		}
		refStart := time.Now()
		for _, name := range bd.files {
			f, err := os.Open(name)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.CopyBareImportCSV(context.Background(), f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		ref := time.Since(refStart)
		bd.load(b, db)
		svc := &stats.Service{DB: db, Now: time.Now}
		b.StartTimer()
		start := time.Now()
		var written int64
		var ph phases
		for _, f := range bd.files {
			written += int64(importFile(b, svc, benchPlanner, f, &ph))
		}
		ours := time.Since(start)
		b.StopTimer()
		if written != bd.rows {
			b.Fatalf("wrote %d of %d rows", written, bd.rows)
		}
		report(b, bd.rows, ours, ref, "copy")
		b.Logf("zhanxin phases: %v; %s", ph, tableSizes(b, db))
	}
}

// BenchmarkImportXLSX: XLSX import rows/s into SQLite (goal ≥ 100,000 rows/s), reading
// the sheet with the import's streaming sheet reader. The same rows as the CSV benchmark,
// written as one workbook per file by excelize's stream writer.
func BenchmarkImportXLSX(b *testing.B) {
	dir := b.TempDir()
	bd := newBenchDataset(b, dir, min(benchRows(), 1_000_000))
	var xfiles []string
	for _, name := range bd.files {
		x := name[:len(name)-4] + ".xlsx"
		csvToXLSX(b, name, x)
		xfiles = append(xfiles, x)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, fmt.Sprintf("zx-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(context.Background(), time.Now); err != nil {
			b.Fatal(err)
		}
		bd.load(b, db)
		svc := &stats.Service{DB: db, Now: time.Now}
		b.StartTimer()
		start := time.Now()
		var ph phases
		for _, f := range xfiles {
			importFile(b, svc, benchPlanner, f, &ph)
		}
		d := time.Since(start)
		b.StopTimer()
		// The reading alone, against excelize's row iterator over the same files (what the
		// import used before its own sheet reader), measured in the same run.
		exStart := time.Now()
		var exRows int64
		for _, f := range xfiles {
			exRows += excelizeReadAll(b, f)
		}
		ex := time.Since(exStart)
		b.ReportMetric(float64(bd.rows)/d.Seconds(), "rows/s")
		b.ReportMetric(float64(bd.rows)/d.Seconds()/100_000, "ratio_to_goal")
		b.ReportMetric(float64(bd.rows)/ph.read, "read_rows/s")
		b.ReportMetric(float64(exRows)/ex.Seconds(), "excelize_read_rows/s")
		b.Logf("%d XLSX rows in %.2fs: %.0f rows/s (goal 100,000); phases: %v", bd.rows, d.Seconds(), float64(bd.rows)/d.Seconds(), ph)
		b.Logf("reading alone: %.0f rows/s (%.2f× the goal); excelize's row iterator over the same files: %.0f rows/s; ratio %.2f",
			float64(bd.rows)/ph.read, float64(bd.rows)/ph.read/100_000, float64(exRows)/ex.Seconds(), (float64(bd.rows)/ph.read)/(float64(exRows)/ex.Seconds()))
		db.Close()
	}
}

// excelizeReadAll reads every row of a file's first sheet with excelize's row iterator
// (raw values), as the import did before, and returns the data rows.
func excelizeReadAll(b *testing.B, name string) int64 {
	b.Helper()
	f, err := excelize.OpenFile(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n - 1 // the header
}

func csvToXLSX(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	x := excelize.NewFile()
	defer x.Close()
	x.SetSheetName("Sheet1", "数据")
	sw, err := x.NewStreamWriter("数据")
	if err != nil {
		b.Fatal(err)
	}
	r := csv.NewReader(bufio.NewReader(in))
	for row := 1; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		cells := make([]any, len(rec))
		for i, v := range rec {
			cells[i] = v
			if i == 5 && row > 1 {
				f, _ := strconv.ParseFloat(v, 64)
				cells[i] = f // a number cell, as Excel holds it
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, cells); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := x.SaveAs(to); err != nil {
		b.Fatal(err)
	}
}

// tableSizes says how many rows the import left in each table: the roll-ups it maintains
// are several per fact, which is most of the gap to a bare-table load.
func tableSizes(b *testing.B, db *store.DB) string {
	var parts []string
	for _, t := range []string{"facts", "fact_current", "rollups"} {
		n, err := db.CountRows(context.Background(), t)
		if err != nil {
			b.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s %d rows", t, n))
	}
	return strings.Join(parts, ", ")
}
