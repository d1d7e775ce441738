// Command testreport reads `go test -json` on stdin and prints what a person needs from a
// whole-suite run: one line per package, the full output of every failing test, the
// reasons tests were skipped (grouped), the counts of leaf tests run on SQLite and on
// PostgreSQL (the subtests named "sqlite" and "postgres" by storetest.Each), and a final
// "N passed, N failed, N skipped" line. It exits 1 when any test or package failed.
//
//	go test -json ./... | go run ./scripts/testreport -raw out/test.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

type event struct {
	Time        time.Time
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Output      string
	Elapsed     float64
	FailedBuild string
}

type testKey struct{ pkg, name string }

type result struct {
	action string
	output []string
}

func main() {
	raw := flag.String("raw", "", "also write the raw JSON stream to this file")
	summary := flag.String("summary", "", "also write the final \"N passed, N failed, N skipped\" line to this file")
	flag.Parse()
	var in io.Reader = os.Stdin
	if *raw != "" {
		f, err := os.Create(*raw)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = io.TeeReader(os.Stdin, f)
	}
	code, last := run(in, os.Stdout)
	if *summary != "" {
		if err := os.WriteFile(*summary, []byte(last+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// run reports on the stream and returns the exit code and the final counts line.
func run(in io.Reader, out io.Writer) (int, string) {
	tests := map[testKey]*result{}
	var order []testKey
	pkgFailed := 0
	var failedPkgs []string
	buildOut := map[string][]string{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not JSON (e.g. a build error printed by the go command): show it as is.
			fmt.Fprintln(out, string(line))
			continue
		}
		switch {
		case e.Action == "build-output":
			buildOut[e.ImportPath] = append(buildOut[e.ImportPath], e.Output)
		case e.Action == "build-fail":
			fmt.Fprintf(out, "BUILD FAILED %s\n%s", e.ImportPath, strings.Join(buildOut[e.ImportPath], ""))
		case e.Test == "":
			// Package-level lines: "ok  pkg 1.2s", "FAIL pkg", "? pkg [no test files]",
			// and whatever a package prints outside any test (a panic in TestMain, …).
			if e.Action == "output" {
				s := e.Output
				if s == "PASS\n" || s == "FAIL\n" || strings.HasPrefix(s, "coverage:") {
					continue
				}
				fmt.Fprint(out, s)
			}
			if e.Action == "fail" {
				pkgFailed++
				failedPkgs = append(failedPkgs, e.Package)
			}
		default:
			k := testKey{e.Package, e.Test}
			r := tests[k]
			if r == nil {
				r = &result{}
				tests[k] = r
				order = append(order, k)
			}
			switch e.Action {
			case "output":
				r.output = append(r.output, e.Output)
			case "pass", "fail", "skip":
				r.action = e.Action
				if e.Action == "fail" {
					fmt.Fprintf(out, "\n=== FAILED %s %s\n%s\n", e.Package, e.Test, strings.Join(r.output, ""))
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(out, "testreport: reading go test output:", err)
		return 1, "0 passed, 1 failed"
	}

	// Leaf tests only: a test with subtests is counted through them.
	parent := map[testKey]bool{}
	for _, k := range order {
		if i := strings.LastIndex(k.name, "/"); i > 0 {
			for n := k.name[:i]; ; {
				parent[testKey{k.pkg, n}] = true
				j := strings.LastIndex(n, "/")
				if j < 0 {
					break
				}
				n = n[:j]
			}
		}
	}
	type counts struct{ pass, fail, skip int }
	var all counts
	byDB := map[string]*counts{"sqlite": {}, "postgres": {}}
	skips := map[string][]string{}
	for _, k := range order {
		if parent[k] {
			continue
		}
		r := tests[k]
		c := []*counts{&all}
		if db := dbOf(k.name); db != "" {
			c = append(c, byDB[db])
		}
		for _, c := range c {
			switch r.action {
			case "pass":
				c.pass++
			case "fail", "": // a test that never finished (panic, timeout) failed
				c.fail++
			case "skip":
				c.skip++
			}
		}
		if r.action == "skip" {
			reason := skipReason(r.output)
			skips[reason] = append(skips[reason], k.pkg+" "+k.name)
		}
	}
	if len(skips) > 0 {
		reasons := make([]string, 0, len(skips))
		for r := range skips {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		fmt.Fprintln(out, "\nSKIPPED:")
		for _, r := range reasons {
			names := skips[r]
			fmt.Fprintf(out, "  %d× %s\n     e.g. %s\n", len(names), r, names[0])
		}
	}
	fmt.Fprintf(out, "\ntests on SQLite:     %d passed, %d failed, %d skipped\n", byDB["sqlite"].pass, byDB["sqlite"].fail, byDB["sqlite"].skip)
	fmt.Fprintf(out, "tests on PostgreSQL: %d passed, %d failed, %d skipped\n", byDB["postgres"].pass, byDB["postgres"].fail, byDB["postgres"].skip)
	if pkgFailed > 0 {
		fmt.Fprintf(out, "packages failed: %d (%s)\n", pkgFailed, strings.Join(failedPkgs, ", "))
		// A package that failed with no failing test (build error, panic outside a test,
		// TestMain) counts as one failure, so that the counts line never reads all green.
		failing := map[string]bool{}
		for _, k := range order {
			if !parent[k] && tests[k].action != "pass" && tests[k].action != "skip" {
				failing[k.pkg] = true
			}
		}
		for _, p := range failedPkgs {
			if !failing[p] {
				all.fail++
			}
		}
	}
	last := fmt.Sprintf("%d passed, %d failed, %d skipped", all.pass, all.fail, all.skip)
	fmt.Fprintln(out, last)
	if all.fail > 0 || pkgFailed > 0 || all.pass == 0 {
		return 1, last
	}
	return 0, last
}

// dbOf names the database a test ran on from its "sqlite"/"postgres" path segment.
func dbOf(name string) string {
	for _, seg := range strings.Split(name, "/") {
		if i := strings.IndexByte(seg, '#'); i >= 0 {
			seg = seg[:i]
		}
		if seg == "sqlite" || seg == "postgres" {
			return seg
		}
	}
	return ""
}

// skipReason is the message a skipped test printed (the lines before "--- SKIP"),
// without its "file.go:12: " prefix so that equal reasons group together.
func skipReason(lines []string) string {
	end := len(lines)
	for i, l := range lines {
		if strings.Contains(l, "--- SKIP") {
			end = i
			break
		}
	}
	for i := end - 1; i >= 0; i-- {
		s := strings.TrimSpace(lines[i])
		if s == "" || strings.HasPrefix(s, "=== ") || strings.HasPrefix(s, "--- ") {
			continue
		}
		if f, rest, ok := strings.Cut(s, ": "); ok && strings.Contains(f, ".go:") && !strings.Contains(f, " ") {
			s = rest
		}
		return s
	}
	return "(no reason given)"
}
