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

var benchLine = regexp.MustCompile(`^Benchmark(Import\w+)-\d+\s+\d+\s+\d+ ns/op\s+(.*)$`)

// parseImportBench reads the metrics of each benchmark line ("12262 rows/s 0.047 ratio …").
func parseImportBench(b []byte) []resultRow {
	var rows []resultRow
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
		name, ref, r := m[1], "", ""
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
		rows = append(rows, resultRow{name: name, zx: fmt.Sprintf("%.0f", metrics["rows/s"]), ref: ref, ratio: r})
	}
	return rows
}
