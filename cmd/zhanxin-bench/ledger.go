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

// ledgerBench runs the quota ledger's long simulation (TestVOPR with ZHANXIN_VOPR_LONG=1:
// 20,000 seeded steps with every invariant checked after each) and its throughput
// benchmark (BenchmarkRatio: batches of 1,000 transfers over ZHANXIN_BENCH_ACCOUNTS
// accounts, default 200, alternating with the ceiling — bare INSERTs on SQLite, COPY on
// PostgreSQL — so that both are measured under the same load), and returns the throughput
// rows for the table. A failing simulation stops the run with its seed.
func ledgerBench(ctx context.Context, out io.Writer, batches int) ([]resultRow, error) {
	fmt.Fprintln(out, "\nquota ledger: long simulation — ZHANXIN_VOPR_LONG=1 go test ./internal/ledger -run '^TestVOPR$'")
	sim := exec.CommandContext(ctx, "go", "test", "./internal/ledger", "-run", "^TestVOPR$", "-count", "1", "-v", "-timeout", "6h")
	sim.Env = append(os.Environ(), "ZHANXIN_VOPR_LONG=1")
	sim.Stdout, sim.Stderr = out, out
	if err := sim.Run(); err != nil {
		return nil, fmt.Errorf("ledger simulation: %v", err)
	}
	fmt.Fprintf(out, "\nquota ledger throughput: go test ./internal/ledger -run '^$' -bench Ratio -benchtime %dx\n", batches)
	cmd := exec.CommandContext(ctx, "go", "test", "./internal/ledger", "-run", "^$", "-bench", "Ratio", "-benchtime",
		strconv.Itoa(batches)+"x", "-timeout", "6h")
	cmd.Env = os.Environ()
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&buf, out), io.MultiWriter(&buf, out)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ledger benchmark: %v", err)
	}
	accounts := os.Getenv("ZHANXIN_BENCH_ACCOUNTS")
	if accounts == "" {
		accounts = "200"
	}
	return parseLedgerBench(buf.Bytes(), accounts), nil
}

var ledgerLine = regexp.MustCompile(`^BenchmarkRatio/(sqlite|postgres)-\d+\s+\d+\s+\d+ ns/op\s+(.*)$`)

// parseLedgerBench reads "… 64903 ceiling/s 14765 ledger/s 0.2275 ratio" lines.
func parseLedgerBench(b []byte, accounts string) []resultRow {
	var rows []resultRow
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := ledgerLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		metrics := map[string]float64{}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				metrics[f[i+1]] = v
			}
		}
		name := "ledger transfers/s (SQLite, batches of 1,000, " + accounts + " accounts; reference bare INSERT)"
		if m[1] == "postgres" {
			name = "ledger transfers/s (PostgreSQL, batches of 1,000, " + accounts + " accounts; reference COPY)"
		}
		rows = append(rows, resultRow{name: name, zx: fmt.Sprintf("%.0f", metrics["ledger/s"]), ref: fmt.Sprintf("%.0f", metrics["ceiling/s"]),
			ratio: fmt.Sprintf("%.3f×", metrics["ratio"])})
	}
	return rows
}
