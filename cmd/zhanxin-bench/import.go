package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// importBench runs the statistics import benchmarks of internal/stats (go test -bench,
// one iteration each) and returns their rows for the table: CSV import into SQLite against
// `sqlite3 .import`, into PostgreSQL against COPY (when ZHANXIN_TEST_POSTGRES is set), and
// XLSX import against the 100,000 rows/s goal. ZHANXIN_BENCH_ROWS and ZHANXIN_BENCH_FULL
// pass through to size the file.
func importBench(ctx context.Context, out io.Writer) ([]resultRow, error) {
	fmt.Fprintln(out, "\nstatistics import: go test ./internal/stats -run '^$' -bench Import -benchtime 1x")
	cmd := exec.CommandContext(ctx, "go", "test", "./internal/stats", "-run", "^$", "-bench", "Import", "-benchtime", "1x", "-timeout", "6h")
	cmd.Env = os.Environ()
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&buf, out), io.MultiWriter(&buf, out)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("import benchmarks: %v", err)
	}
	return parseImportBench(buf.Bytes()), nil
}

var benchLine = regexp.MustCompile(`^Benchmark((?:Import|Dashboard)\w+)-\d+\s+\d+\s+\d+ ns/op\s+(.*)$`)

// benchMetrics reads the metrics of each benchmark line ("12262 rows/s 0.047 ratio …"),
// calling fn with the benchmark's name and its metrics.
func benchMetrics(b []byte, fn func(name string, metrics map[string]float64)) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		metrics := map[string]float64{}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				metrics[f[i+1]] = v
			}
		}
		fn(m[1], metrics)
	}
}

// parseImportBench turns the import benchmarks' lines into rows of the table.
func parseImportBench(b []byte) []resultRow {
	var rows []resultRow
	benchMetrics(b, func(name string, metrics map[string]float64) {
		ref, r := "", ""
		switch {
		case metrics["sqlite3_import_rows/s"] > 0:
			name, ref = "CSV import rows/s (SQLite; reference sqlite3 .import)", fmt.Sprintf("%.0f", metrics["sqlite3_import_rows/s"])
			r = fmt.Sprintf("%.3f×", metrics["ratio"])
		case metrics["copy_rows/s"] > 0:
			name, ref = "CSV import rows/s (PostgreSQL; reference COPY)", fmt.Sprintf("%.0f", metrics["copy_rows/s"])
			r = fmt.Sprintf("%.3f×", metrics["ratio"])
		case metrics["ratio_to_goal"] > 0:
			name, ref = "XLSX import rows/s (SQLite; reference the 100,000 rows/s goal)", "100000"
			r = fmt.Sprintf("%.3f×", metrics["ratio_to_goal"])
		}
		if !strings.HasPrefix(name, "Dashboard") {
			rows = append(rows, resultRow{name: name, zx: fmt.Sprintf("%.0f", metrics["rows/s"]), ref: ref, ratio: r})
		}
		if metrics["excelize_read_rows/s"] > 0 {
			rows = append(rows, resultRow{name: "XLSX reading alone rows/s (reference excelize's row iterator, same files)",
				zx: fmt.Sprintf("%.0f", metrics["read_rows/s"]), ref: fmt.Sprintf("%.0f", metrics["excelize_read_rows/s"]),
				ratio: fmt.Sprintf("%.2f×", metrics["read_rows/s"]/metrics["excelize_read_rows/s"])})
		}
	})
	return rows
}

// dashboardBench runs the dashboard and target-page benchmarks of internal/web: the p95
// of the slowest page with ZHANXIN_BENCH_ROWS enterprise facts imported (ZHANXIN_BENCH_FULL=1:
// 2×10^7), against the 50 ms goal, on SQLite and (when ZHANXIN_TEST_POSTGRES is set)
// PostgreSQL.
func dashboardBench(ctx context.Context, out io.Writer) ([]resultRow, error) {
	fmt.Fprintln(out, "\ndashboard and target pages: go test ./internal/web -run '^$' -bench Dashboard -benchtime 1x")
	cmd := exec.CommandContext(ctx, "go", "test", "./internal/web", "-run", "^$", "-bench", "Dashboard", "-benchtime", "1x", "-timeout", "12h")
	cmd.Env = os.Environ()
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&buf, out), io.MultiWriter(&buf, out)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dashboard benchmarks: %v", err)
	}
	return parseDashboardBench(buf.Bytes()), nil
}

// parseDashboardBench turns the dashboard benchmarks' lines into rows of the table.
func parseDashboardBench(b []byte) []resultRow {
	var rows []resultRow
	benchMetrics(b, func(name string, m map[string]float64) {
		if !strings.HasPrefix(name, "Dashboard") || m["worst_p95_ms"] <= 0 {
			return
		}
		engine := strings.TrimPrefix(name, "Dashboard")
		rows = append(rows, resultRow{
			name:  fmt.Sprintf("dashboard/target pages, worst p95 (%s, %.0f enterprise facts; reference the 50 ms goal)", engine, m["facts"]),
			zx:    fmt.Sprintf("%.2f ms", m["worst_p95_ms"]),
			ref:   "50 ms",
			ratio: fmt.Sprintf("%.2f×", m["worst_p95_ms"]/50),
		})
	})
	return rows
}
