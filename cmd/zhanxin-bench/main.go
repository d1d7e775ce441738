// Command zhanxin-bench runs zhanxin's benchmarks and prints one table: each figure, the
// reference it is measured against in the same run on the same machine, and the ratio.
//
// It builds nothing itself (`make bench` builds ./zhanxin first). For the HTTP baseline it
// makes a fresh SQLite database in a temporary directory, runs `zhanxin migrate up`,
// `zhanxin load` and `zhanxin user add`, starts `zhanxin serve` on 127.0.0.1, logs in
// through the form for a session cookie, and loads GET /healthz and GET / with
// `wrk -t2 -c32 -d20s --latency`. The reference is a bare net/http server in this process
// answering "ok\n", loaded the same way. Everything stays on the loopback interface.
//
//	go run ./cmd/zhanxin-bench -bin ./zhanxin [-duration 20s]
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

type options struct {
	bin       string
	duration  time.Duration
	warmup    time.Duration
	threads   int
	conns     int
	keep      bool
	imports   bool
	dashboard bool
	ledger    bool
	batches   int
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "./zhanxin", "the zhanxin binary to measure")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long wrk loads each target")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "a wrk run before each measurement, not counted (0: none)")
	flag.IntVar(&o.threads, "threads", 2, "wrk threads (-t)")
	flag.IntVar(&o.conns, "connections", 32, "wrk connections (-c)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (database, server log)")
	flag.BoolVar(&o.imports, "imports", true, "also run the statistics import benchmarks (go test -bench Import ./internal/stats)")
	flag.BoolVar(&o.dashboard, "dashboard", true, "also run the dashboard and target-page benchmarks (go test -bench Dashboard ./internal/web)")
	flag.BoolVar(&o.ledger, "ledger", true, "also run the quota ledger's long simulation and throughput benchmark (go test ./internal/ledger)")
	flag.IntVar(&o.batches, "ledger-batches", 200, "batches of 1,000 transfers in the ledger throughput benchmark")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "zhanxin-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	loadBefore := loadAvg()
	wrkPath, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk not found: apt-get install -y wrk (make bench installs it)")
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %v (run make build, or make bench)", o.bin, err)
	}
	dir, err := os.MkdirTemp("", "zhanxin-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(out, "working directory (kept):", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	db := "sqlite:" + filepath.Join(dir, "zhanxin.db")

	// A populated database and a user to log in as.
	const user, password = "bench", "bench-password-0123"
	steps := [][]string{
		{"migrate", "up", "--db", db},
		{"load", "--db", db},
		{"user", "add", "--db", db, "--username", user, "--role", "admin", "--password", password, "--must-change=false"},
	}
	for _, args := range steps {
		if b, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("zhanxin %s: %v\n%s", strings.Join(args[:1], " "), err, b)
		}
	}
	version, _ := exec.CommandContext(ctx, bin, "version").Output()

	// zhanxin serve on a free loopback port; its log goes to a file.
	port, err := freePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	serve := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:"+strconv.Itoa(port))
	serve.Stdout, serve.Stderr = logFile, logFile
	if err := serve.Start(); err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- serve.Wait() }()
	defer func() {
		serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-served:
		case <-time.After(20 * time.Second):
			serve.Process.Kill()
			<-served
		}
	}()
	if err := waitReady(base+"/readyz", served, 30*time.Second); err != nil {
		b, _ := os.ReadFile(logFile.Name())
		return fmt.Errorf("zhanxin serve did not get ready: %v\n%s", err, b)
	}
	cookie, err := login(base, user, password)
	if err != nil {
		return err
	}

	// The reference: a bare net/http server in this process.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ref := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})}
	go ref.Serve(ln)
	defer ref.Close()
	refURL := "http://" + ln.Addr().String() + "/"

	type target struct {
		url     string
		headers []string
	}
	rows := []struct {
		name      string
		zx, refer target
	}{
		{"GET /healthz", target{url: base + "/healthz"}, target{url: refURL}},
		{"GET / (home page, logged in)", target{url: base + "/", headers: []string{"Cookie: " + cookie}}, target{url: refURL}},
	}
	fmt.Fprintf(out, "wrk -t%d -c%d -d%s --latency, each target in turn (warm-up %s)\n", o.threads, o.conns, o.duration, o.warmup)
	var table []resultRow
	for _, r := range rows {
		var res [2]wrkResult
		for i, tg := range []target{r.zx, r.refer} {
			if o.warmup > 0 {
				if _, err := runWrk(ctx, wrkPath, o, o.warmup, tg.url, tg.headers); err != nil {
					return err
				}
			}
			wr, err := runWrk(ctx, wrkPath, o, o.duration, tg.url, tg.headers)
			if err != nil {
				return err
			}
			if wr.non2xx > 0 {
				return fmt.Errorf("%s: %d non-2xx/3xx responses: the figure would be meaningless", tg.url, wr.non2xx)
			}
			if wr.socketErrors != "" {
				fmt.Fprintf(out, "  note: %s: wrk socket errors: %s\n", tg.url, wr.socketErrors)
			}
			res[i] = wr
		}
		fmt.Fprintf(out, "  %s: zhanxin %d requests, reference %d requests\n", r.name, res[0].requests, res[1].requests)
		table = append(table,
			resultRow{r.name + " p50", fmtDur(res[0].p50), fmtDur(res[1].p50), ratio(res[0].p50.Seconds(), res[1].p50.Seconds())},
			resultRow{r.name + " p99", fmtDur(res[0].p99), fmtDur(res[1].p99), ratio(res[0].p99.Seconds(), res[1].p99.Seconds())},
			resultRow{r.name + " req/s", fmt.Sprintf("%.0f", res[0].rps), fmt.Sprintf("%.0f", res[1].rps), ratio(res[0].rps, res[1].rps)},
		)
	}

	if o.imports {
		rows, err := importBench(ctx, out)
		if err != nil {
			return err
		}
		table = append(table, rows...)
	}
	if o.dashboard {
		rows, err := dashboardBench(ctx, out)
		if err != nil {
			return err
		}
		table = append(table, rows...)
	}

	if o.ledger {
		rows, err := ledgerBench(ctx, out, o.batches)
		if err != nil {
			return err
		}
		table = append(table, rows...)
	}

	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tzhanxin\treference\tratio")
	fmt.Fprintln(tw, "---------\t-------\t---------\t-----")
	for _, r := range table {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.name, r.zx, r.ref, r.ratio)
	}
	tw.Flush()
	fmt.Fprintln(out, "\nreference: a bare Go net/http server answering \"ok\\n\" (in the driver's process); ratio = zhanxin / reference")
	fmt.Fprintf(out, "zhanxin: SQLite (%s), %s", db, strings.TrimSpace(string(version)))
	fmt.Fprintf(out, "\nmachine: %d cores (nproc), %s, driver %s %s/%s, load and server on one machine over 127.0.0.1\n",
		runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(out, "load average before / after: %s / %s (other work on the machine skews both columns)\n", loadBefore, loadAvg())
	return nil
}

// loadAvg is the 1-minute load average from /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

type resultRow struct{ name, zx, ref, ratio string }

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(u string, exited <-chan error, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("it exited: %v", err)
		default:
		}
		if resp, err := c.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within %s", u, limit)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs in through the form, as a browser does, and returns the session cookie as a
// Cookie header value; it checks that the home page then answers 200.
func login(base, user, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("GET /login: HTTP %d, no CSRF token in the form", resp.StatusCode)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"username": {user}, "password": {password}, "csrf": {string(m[1])}})
	if err != nil {
		return "", err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("POST /login: HTTP %d, want 303\n%s", resp.StatusCode, body)
	}
	u, _ := url.Parse(base)
	var session string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "zx_session" {
			session = ck.Name + "=" + ck.Value
		}
	}
	if session == "" {
		return "", errors.New("POST /login set no zx_session cookie")
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Header.Set("Cookie", session)
	resp, err = (&http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return "", err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET / with the session cookie: HTTP %d, want 200", resp.StatusCode)
	}
	if !bytes.Contains(body, []byte(user)) {
		return "", errors.New("GET / with the session cookie does not show the logged-in user")
	}
	return session, nil
}

type wrkResult struct {
	p50, p99     time.Duration
	rps          float64
	requests     int64
	non2xx       int64
	socketErrors string
}

var (
	reLatency  = regexp.MustCompile(`^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$`)
	reRPS      = regexp.MustCompile(`^Requests/sec:\s+([\d.]+)`)
	reRequests = regexp.MustCompile(`^\s*(\d+) requests in`)
	reNon2xx   = regexp.MustCompile(`^\s*Non-2xx or 3xx responses:\s+(\d+)`)
	reSocket   = regexp.MustCompile(`^\s*Socket errors:\s+(.*)$`)
)

func runWrk(ctx context.Context, wrk string, o options, d time.Duration, u string, headers []string) (wrkResult, error) {
	secs := int(d.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(o.conns), "-d" + strconv.Itoa(secs) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, u)
	b, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v\n%s", u, err, b)
	}
	r, err := parseWrk(b)
	if err != nil {
		return r, fmt.Errorf("wrk %s: %v\n%s", u, err, b)
	}
	return r, nil
}

func parseWrk(b []byte) (wrkResult, error) {
	var r wrkResult
	var have50, have99, haveRPS bool
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if m := reLatency.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			unit := map[string]float64{"us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9}[m[3]]
			d := time.Duration(v * unit)
			if m[1] == "50" {
				r.p50, have50 = d, true
			} else {
				r.p99, have99 = d, true
			}
		} else if m := reRPS.FindStringSubmatch(line); m != nil {
			r.rps, _ = strconv.ParseFloat(m[1], 64)
			haveRPS = true
		} else if m := reRequests.FindStringSubmatch(line); m != nil {
			r.requests, _ = strconv.ParseInt(m[1], 10, 64)
		} else if m := reNon2xx.FindStringSubmatch(line); m != nil {
			r.non2xx, _ = strconv.ParseInt(m[1], 10, 64)
		} else if m := reSocket.FindStringSubmatch(line); m != nil {
			r.socketErrors = m[1]
		}
	}
	if !have50 || !have99 || !haveRPS {
		return r, errors.New("could not read p50, p99 and Requests/sec from wrk's output")
	}
	return r, nil
}

// cpuModel is the "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
