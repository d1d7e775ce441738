package main

import (
	"strings"
	"testing"
	"time"
)

const wrkOutput = `Running 20s test @ http://127.0.0.1:40123/healthz
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.33us  601.20us  21.04ms   94.12%
    Req/Sec    42.10k     3.01k   48.90k    71.00%
  Latency Distribution
     50%  301.00us
     75%  455.00us
     90%  702.00us
     99%    2.61ms
  1675321 requests in 20.00s, 190.12MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 0, write 0, timeout 2
Requests/sec:  83766.05
Transfer/sec:      9.51MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk([]byte(wrkOutput))
	if err != nil {
		t.Fatal(err)
	}
	if r.p50 != 301*time.Microsecond || r.p99 != 2610*time.Microsecond {
		t.Errorf("p50 %v p99 %v", r.p50, r.p99)
	}
	if r.rps != 83766.05 || r.requests != 1675321 || r.non2xx != 3 || r.socketErrors != "connect 0, read 0, write 0, timeout 2" {
		t.Errorf("got %+v", r)
	}
	if _, err := parseWrk([]byte("unable to connect to 127.0.0.1:1 Connection refused\n")); err == nil {
		t.Error("parseWrk accepted output without figures")
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		301 * time.Microsecond:  "301 µs",
		2610 * time.Microsecond: "2.61 ms",
		1500 * time.Millisecond: "1.50 s",
	} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
	if got := ratio(3, 2); got != "1.50×" {
		t.Errorf("ratio(3, 2) = %q", got)
	}
	if got := ratio(1, 0); got != "—" {
		t.Errorf("ratio(1, 0) = %q", got)
	}
}

func TestParseImportBench(t *testing.T) {
	out := []byte(`BenchmarkImportCSVSQLite-2   	       1	11238080156 ns/op	         0.03813 ratio	     11006 rows/s	    288672 sqlite3_import_rows/s
BenchmarkImportCSVPostgres-2   	       1	17836898373 ns/op	    667473 copy_rows/s	         0.01032 ratio	      6889 rows/s
BenchmarkImportXLSX-2   1	 19870000000 ns/op	 0.05032 ratio_to_goal	 5032 rows/s
`)
	rows := parseImportBench(out)
	if len(rows) != 3 || rows[0].zx != "11006" || rows[0].ref != "288672" || rows[0].ratio != "0.038×" ||
		rows[1].ref != "667473" || rows[1].ratio != "0.010×" || rows[2].zx != "5032" || rows[2].ratio != "0.050×" {
		t.Fatalf("%+v", rows)
	}
}

func TestParseDashboardBench(t *testing.T) {
	out := []byte(`BenchmarkDashboardSQLite-2   	       1	 2938001 ns/op	    200000 facts	         3.1 goal_ratio	        16.13 worst_p95_ms
BenchmarkDashboardPostgres-2   	       1	 4938001 ns/op	    200000 facts	         1.25 goal_ratio	        40.00 worst_p95_ms	        90.00 worst_p95_ms_before_analyze
BenchmarkImportXLSX-2   1	 19870000000 ns/op	 0.05032 ratio_to_goal	 5032 rows/s
`)
	rows := parseDashboardBench(out)
	if len(rows) != 2 || rows[0].zx != "16.13 ms" || rows[0].ratio != "0.32×" || !strings.Contains(rows[0].name, "SQLite, 200000") ||
		rows[1].zx != "40.00 ms" || rows[1].ratio != "0.80×" || !strings.Contains(rows[1].name, "Postgres") {
		t.Fatalf("%+v", rows)
	}
	x := parseImportBench([]byte("BenchmarkImportXLSX-2   1	 19870000000 ns/op	 9164 excelize_read_rows/s	 0.064 ratio_to_goal	 81732 read_rows/s	 6401 rows/s\n"))
	if len(x) != 2 || x[1].zx != "81732" || x[1].ref != "9164" || x[1].ratio != "8.92×" {
		t.Fatalf("%+v", x)
	}
}

func TestParseLedgerBench(t *testing.T) {
	out := []byte(`BenchmarkRatio/sqlite-2         	     200	  83136239 ns/op	     64903 ceiling/s	     14765 ledger/s	         0.2275 ratio
BenchmarkRatio/postgres-2         	     200	  93136239 ns/op	     40000 ceiling/s	     12000 ledger/s	         0.3000 ratio
`)
	rows := parseLedgerBench(out, "200")
	if len(rows) != 2 || rows[0].zx != "14765" || rows[0].ref != "64903" || rows[0].ratio != "0.228×" || !strings.Contains(rows[0].name, "SQLite") ||
		rows[1].ratio != "0.300×" || !strings.Contains(rows[1].name, "COPY") {
		t.Fatalf("%+v", rows)
	}
}
