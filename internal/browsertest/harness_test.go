package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// Session is one headless Chromium tab on a real server with the default dataset and an
// admin user; every browser test in this package starts from one, so each page family
// can keep its own test file.
type Session struct {
	T     *testing.T
	Env   *webtest.Env
	Tab   context.Context
	Base  string
	Probs *problems
	shots string
}

// Open starts the server on a fresh SQLite database with the default dataset, adds the
// user admin, starts Chromium (Accept-Language zh-CN, 1366×768) and returns the tab, not
// yet logged in. Every step of a test gets at most two minutes in all.
func Open(t *testing.T) *Session {
	t.Helper()
	chromium := requireChromium(t)
	ctx := context.Background()
	env := webtest.Start(t, storetest.SQLite(t), web.Config{Version: "browsertest"})
	if _, err := dataset.Load(ctx, env.DB, auth.CLI("browsertest"), time.Now(), dataset.Default()); err != nil {
		t.Fatalf("load the default dataset: %v", err)
	}
	env.AddUser("admin", auth.Admin, "", 0)

	// Debian's chromium, headless, with no network of its own beyond the test server.
	var chromeOut bytes.Buffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
		chromedp.CombinedOutput(&chromeOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc) // registered after TempDir, so it runs before the profile is removed
	probs := newProblems()
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(probs.listen))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // starts the browser, bound to allocCtx
		t.Fatalf("start %s: %v\n%s", chromium, err, chromeOut.String())
	}
	tab, cancelTimeout := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	s := &Session{T: t, Env: env, Tab: tab, Base: env.HTTP.URL, Probs: probs, shots: screenshotDir(t)}
	// A browser in China asks for Chinese; the platform's default language.
	if _, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9"}}); err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	s.Do("desktop viewport", chromedp.EmulateViewport(1366, 768))
	return s
}

// Login signs in through the login form as username (webtest.Password) and fails the
// test unless the browser ends up on the home page.
func (s *Session) Login(username string) {
	s.T.Helper()
	s.Do("open the login page", chromedp.Navigate(s.Base+"/login"))
	s.Settled("login page")
	s.Do("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), webtest.Password),
	)
	resp, err := chromedp.RunResponse(s.Tab, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)))
	if err != nil {
		s.T.Fatalf("submit the login form: %v", err)
	}
	if resp.Status != 200 {
		s.T.Fatalf("after login: HTTP %d for %s", resp.Status, resp.URL)
	}
	var loc string
	s.Eval("location", `location.pathname`, &loc)
	if loc != "/" {
		s.T.Fatalf("after login the browser is on %q, want /", loc)
	}
}

// Open navigates to path and waits until the page has settled.
func (s *Session) Open(path string) {
	s.T.Helper()
	s.Do("open "+path, chromedp.Navigate(s.Base+path))
	s.Settled(path)
}

// Do runs browser actions and fails the test on the first error.
func (s *Session) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.T.Helper()
	if err := chromedp.Do(s.Tab, steps...); err != nil {
		s.T.Fatalf("%s: %v", what, err)
	}
}

// Eval runs js in the page and decodes its JSON result into out.
func (s *Session) Eval(what, js string, out any) {
	s.T.Helper()
	raw, err := chromedp.Run(s.Tab, chromedp.Evaluate[[]byte](js))
	if err != nil {
		s.T.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		s.T.Fatalf("%s: decode %s: %v", what, raw, err)
	}
}

// Shot saves a full-page PNG under the screenshot directory and checks its width.
func (s *Session) Shot(name string, width int) {
	s.T.Helper()
	buf, err := chromedp.Run(s.Tab, chromedp.FullScreenshot(100))
	if err != nil {
		s.T.Fatalf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		s.T.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	if w := img.Bounds().Dx(); w != width {
		s.T.Errorf("screenshot %s is %d px wide, want %d", name, w, width)
	}
	p := filepath.Join(s.shots, name)
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		s.T.Fatal(err)
	}
	s.T.Logf("screenshot %s (%dx%d)", p, img.Bounds().Dx(), img.Bounds().Dy())
}

// Settled waits until the page has loaded and its deferred scripts (htmx) have run.
func (s *Session) Settled(what string) {
	s.T.Helper()
	// Under load the page's first execution context can be replaced (a navigation still
	// committing) while the poll runs; polling again in the new context is the fix.
	for attempt := 1; ; attempt++ {
		_, err := chromedp.Run(s.Tab, chromedp.Poll[bool](`document.readyState === "complete"`,
			chromedp.WithPollingTimeout(20*time.Second)))
		if err == nil {
			break
		}
		if attempt < 3 && strings.Contains(err.Error(), "Cannot find context") {
			continue
		}
		s.T.Fatalf("%s: page did not finish loading: %v", what, err)
	}
	var hasHTMX bool
	s.Eval(what+": window.htmx", `typeof window.htmx !== "undefined" && window.htmx !== null`, &hasHTMX)
	if !hasHTMX {
		s.T.Errorf("%s: window.htmx is not defined: vendor/htmx.min.js did not load (run make assets)", what)
	}
}

// WaitDrawn waits until the chart element sel carries data-rendered="1" (set by the
// page's script after ECharts has drawn).
func (s *Session) WaitDrawn(what, sel string) {
	s.T.Helper()
	if _, err := chromedp.Run(s.Tab, chromedp.Poll[bool](`(() => { const e = document.querySelector('`+sel+`');
		return !!e && e.getAttribute("data-rendered") === "1"; })()`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		s.T.Fatalf("%s: the chart was not drawn: %v", what, err)
	}
}

// Check fails the test with every console error or failed request seen since the last check.
func (s *Session) Check(where string) {
	s.T.Helper()
	s.Probs.check(s.T, where)
}

// chromiumPath is Debian's chromium; ZHANXIN_CHROMIUM may name another binary.
func chromiumPath() string {
	if p := os.Getenv("ZHANXIN_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// requireChromium skips the test loudly when there is no browser, but fails it in CI.
func requireChromium(t *testing.T) string {
	t.Helper()
	p := chromiumPath()
	if _, err := os.Stat(p); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found: the browser test needs Debian's chromium (apt-get install -y chromium)", p)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI=%s, so a missing browser is a failure", msg, os.Getenv("CI"))
	}
	fmt.Fprintf(os.Stderr, "\n*** %s: the BROWSER TEST IS SKIPPED ***\n\n", msg)
	t.Skipf("*** BROWSER TEST SKIPPED: %s ***", msg)
	return ""
}

// screenshotDir is $ZHANXIN_SCREENSHOT_DIR (make test sets out/), else a temporary dir.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ZHANXIN_SCREENSHOT_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// problems collects what a person would see as broken in DevTools: console errors,
// uncaught exceptions, browser log errors, failed requests and 4xx/5xx responses.
type problems struct {
	mu   sync.Mutex
	urls map[network.RequestID]string
	list []string
}

func newProblems() *problems { return &problems{urls: map[network.RequestID]string{}} }

// listen runs in the tab's message loop: it must return fast and run no command.
func (p *problems) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			p.list = append(p.list, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		p.list = append(p.list, fmt.Sprintf("uncaught exception at %s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, text))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			p.list = append(p.list, fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		p.urls[ev.RequestID] = ev.Request.URL
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			hint := ""
			if strings.HasSuffix(ev.Response.URL, "/favicon.ico") {
				hint = " (every browser asks for it: serve /favicon.ico or declare <link rel=\"icon\"> in the layout)"
			}
			p.list = append(p.list, fmt.Sprintf("HTTP %d for %s %s%s", ev.Response.Status, ev.Type, ev.Response.URL, hint))
		}
	case *network.EventLoadingFailed:
		// A request the page itself abandoned (a navigation away) is not a failure.
		if !ev.Canceled {
			p.list = append(p.list, fmt.Sprintf("request failed: %s %s: %s %s", ev.Type, p.urls[ev.RequestID], ev.ErrorText, ev.BlockedReason))
		}
	}
}

// check fails the test with every problem seen since the last check.
func (p *problems) check(t *testing.T, where string) {
	t.Helper()
	p.mu.Lock()
	got := p.list
	p.list = nil
	p.mu.Unlock()
	for _, s := range got {
		t.Errorf("%s: %s", where, s)
	}
}
