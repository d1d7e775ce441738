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

// TestBrowser logs in through the form, opens the dashboard (county map drawn), the plan
// page, a target with its chart, and the regions table at 1366×768 and at phone width,
// and saves screenshots; any console error or failed request fails it.
func TestBrowser(t *testing.T) {
	chromium := requireChromium(t)
	shots := screenshotDir(t)

	// The real server on a fresh SQLite database with the built-in dataset and one admin.
	ctx := context.Background()
	env := webtest.Start(t, storetest.SQLite(t), web.Config{Version: "browsertest"})
	if _, err := dataset.Load(ctx, env.DB, auth.CLI("browsertest"), time.Now(), dataset.Default()); err != nil {
		t.Fatalf("load the default dataset: %v", err)
	}
	env.AddUser("admin", auth.Admin, "", 0)
	base := env.HTTP.URL // httptest listens on 127.0.0.1 only

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
	defer cancelAlloc() // before t.TempDir's cleanup removes the profile
	probs := newProblems()
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(probs.listen))
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil { // starts the browser, bound to allocCtx
		t.Fatalf("start %s: %v\n%s", chromium, err, chromeOut.String())
	}
	// Every step below gets at most two minutes in all.
	tab, cancelTimeout := context.WithTimeout(tab, 2*time.Minute)
	defer cancelTimeout()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(what, js string, out any) {
		t.Helper()
		raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: decode %s: %v", what, raw, err)
		}
	}
	shot := func(name string, width int) {
		t.Helper()
		buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(buf))
		if err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", name, err)
		}
		if w := img.Bounds().Dx(); w != width {
			t.Errorf("screenshot %s is %d px wide, want %d", name, w, width)
		}
		p := filepath.Join(shots, name)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s (%dx%d)", p, img.Bounds().Dx(), img.Bounds().Dy())
	}
	// settled waits until the page has loaded and its deferred scripts have run.
	settled := func(what string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.readyState === "complete"`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s: page did not finish loading: %v", what, err)
		}
		var hasHTMX bool
		eval(what+": window.htmx", `typeof window.htmx !== "undefined" && window.htmx !== null`, &hasHTMX)
		if !hasHTMX {
			t.Errorf("%s: window.htmx is not defined: vendor/htmx.min.js did not load (run make assets)", what)
		}
	}

	// A browser in China asks for Chinese; the platform's default language.
	if _, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9"}}); err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	do("desktop viewport", chromedp.EmulateViewport(1366, 768))

	// 1. Log in through the form, as a person would.
	do("open the login page", chromedp.Navigate(base+"/"))
	var loc string
	eval("location", `location.pathname`, &loc)
	if loc != "/login" {
		t.Fatalf("an anonymous visit to / landed on %q, want /login", loc)
	}
	settled("login page")
	shot("login.png", 1366)
	probs.check(t, "login page")
	do("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), webtest.Password),
	)
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)))
	if err != nil {
		t.Fatalf("submit the login form: %v", err)
	}
	if resp.Status != 200 {
		t.Fatalf("after login: HTTP %d for %s", resp.Status, resp.URL)
	}

	// 2. The home page.
	eval("location", `location.pathname`, &loc)
	if loc != "/" {
		t.Fatalf("after login the browser is on %q, want /", loc)
	}
	settled("home page")
	var home struct {
		User     string `json:"user"`
		Nav      int    `json:"nav"`
		VA       string `json:"va"`
		Lang     string `json:"lang"`
		Counties int    `json:"counties"`
	}
	eval("home page", `(() => ({
		user: (document.querySelector('[data-testid="current-user"]') || {}).textContent || "",
		nav: document.querySelectorAll('nav.sidenav a').length,
		va: (document.querySelector('[data-testid="fig-VA-SEI"] .fig-value') || {}).textContent || "",
		lang: document.documentElement.lang,
		counties: document.querySelectorAll('[data-testid="county-values"] tbody tr').length,
	}))()`, &home)
	if !strings.Contains(home.User, "admin") {
		t.Errorf("home page: the top bar does not name the user: %q", home.User)
	}
	if home.Nav == 0 {
		t.Errorf("home page: the side navigation has no links")
	}
	if home.VA != "166.29" || home.Counties != 18 {
		t.Errorf("home page: the dashboard shows value added %q and %d counties, want 166.29 and 18", home.VA, home.Counties)
	}
	if home.Lang != "zh-CN" {
		t.Errorf("home page: <html lang=%q>, want zh-CN by default", home.Lang)
	}
	// The county map is drawn: ECharts has the embedded Ganzhou map with its 18 counties, the
	// map series uses it, and the canvas has a size.
	var drawn struct {
		Rendered string `json:"rendered"`
		Features int    `json:"features"`
		Map      string `json:"map"`
		Canvas   int    `json:"canvas"`
	}
	waitDrawn := func(what, sel string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](`(() => { const e = document.querySelector('`+sel+`');
			return !!e && e.getAttribute("data-rendered") === "1"; })()`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s: the chart was not drawn: %v", what, err)
		}
	}
	waitDrawn("home page", "#county-map")
	eval("county map", `(() => {
		const el = document.getElementById("county-map"), inst = echarts.getInstanceByDom(el), m = echarts.getMap("赣州");
		const c = el.querySelector("canvas");
		return {rendered: el.getAttribute("data-rendered"), features: m ? m.geoJSON.features.length : 0,
			map: inst ? inst.getOption().series[0].map : "", canvas: c ? c.width * c.height : 0};
	})()`, &drawn)
	if drawn.Features != 18 || drawn.Map != "赣州" || drawn.Canvas == 0 {
		t.Errorf("county map: %+v, want the 赣州 map with 18 counties drawn on a canvas", drawn)
	}
	shot("home.png", 1366)
	probs.check(t, "home page")

	// 2b. The plan page and a target page with its plan-versus-actual chart.
	do("open /plans", chromedp.Navigate(base+"/plans"))
	settled("plan page")
	var planPage struct {
		Targets int `json:"targets"`
		Charts  int `json:"charts"`
	}
	eval("plan page", `({targets: document.querySelectorAll('table.targets tbody tr').length,
		charts: typeof window.echarts === "undefined" ? 0 : 1})`, &planPage)
	if planPage.Targets != 14 || planPage.Charts != 0 {
		t.Errorf("plan page: %d targets (want 14), ECharts loaded %d (want 0: no chart there)", planPage.Targets, planPage.Charts)
	}
	shot("plans.png", 1366)
	probs.check(t, "plan page")
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`tr[data-target="t2017-pm-motor"] a`))); err != nil {
		t.Fatalf("follow the link to a target: %v", err)
	}
	settled("target page")
	waitDrawn("target page", "#target-chart")
	var chart struct {
		Series int    `json:"series"`
		Path   string `json:"path"`
	}
	eval("target chart", `(() => {
		const o = echarts.getInstanceByDom(document.getElementById("target-chart")).getOption();
		return {series: o.series.length, path: location.pathname};
	})()`, &chart)
	if chart.Series != 5 || chart.Path != "/plans/targets/t2017-pm-motor" {
		t.Errorf("target page: %+v", chart)
	}
	shot("target.png", 1366)
	probs.check(t, "target page")

	// 2c. The layout page: the parks on the Ganzhou county map.
	do("open /parks/layout", chromedp.Navigate(base+"/parks/layout"))
	settled("layout page")
	waitDrawn("layout page", "#park-map")
	var parkMap struct {
		Map    string `json:"map"`
		Data   int    `json:"data"`
		Canvas int    `json:"canvas"`
	}
	eval("park map", `(() => {
		const el = document.getElementById("park-map"), o = echarts.getInstanceByDom(el).getOption(), c = el.querySelector("canvas");
		return {map: o.series[0].map, data: o.series[0].data.length, canvas: c ? c.width * c.height : 0};
	})()`, &parkMap)
	if parkMap.Map != "赣州" || parkMap.Data == 0 || parkMap.Canvas == 0 {
		t.Errorf("park map: %+v, want the 赣州 map with the counties of parks and wings drawn", parkMap)
	}
	shot("parks_layout.png", 1366)
	probs.check(t, "layout page")

	// 2d. The rare earth chain: its 17 links drawn by ECharts as a graph, the links table
	// beside it; a gap (no enterprise) and the feedback edge are there.
	do("open /chains/RE", chromedp.Navigate(base+"/chains/RE"))
	settled("chain page")
	waitDrawn("chain page", "#chain-graph")
	var graph struct {
		Nodes    int  `json:"nodes"`
		Edges    int  `json:"edges"`
		Feedback int  `json:"feedback"`
		Canvas   int  `json:"canvas"`
		Rows     int  `json:"rows"`
		Gap      bool `json:"gap"`
	}
	eval("chain graph", `(() => {
		const el = document.getElementById("chain-graph"), s = echarts.getInstanceByDom(el).getOption().series[0];
		const c = el.querySelector("canvas");
		return {nodes: s.data.length, edges: s.links.length, feedback: s.links.filter(l => l.lineStyle.type === "dashed").length,
			canvas: c ? c.width * c.height : 0, rows: document.querySelectorAll('[data-testid="chain-links"] tbody tr').length,
			gap: document.querySelector('[data-testid="chain-links"] tbody').textContent.includes("缺链")};
	})()`, &graph)
	if graph.Nodes != 17 || graph.Edges != 20 || graph.Feedback != 1 || graph.Canvas == 0 || graph.Rows != 17 || !graph.Gap {
		t.Errorf("chain page: %+v, want 17 links drawn with 20 edges (1 feedback) and 17 table rows with a gap", graph)
	}
	shot("chain.png", 1366)
	probs.check(t, "chain page")

	// 3. A table page.
	do("open /regions", chromedp.Navigate(base+"/regions"))
	settled("regions page")
	var table struct {
		Rows int    `json:"rows"`
		Text string `json:"text"`
	}
	eval("regions table", `(() => ({
		rows: document.querySelectorAll('table.data tbody tr').length,
		text: (document.querySelector('table.data tbody') || {}).textContent || "",
	}))()`, &table)
	if table.Rows == 0 || !strings.Contains(table.Text, "赣州") {
		t.Errorf("regions page: %d rows, and 赣州 in them: %v", table.Rows, strings.Contains(table.Text, "赣州"))
	}
	shot("regions.png", 1366)
	probs.check(t, "regions page")

	// 4. Phone width: the side nav folds away behind the menu button.
	do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	do("open / on a phone", chromedp.Navigate(base+"/"))
	settled("home page on a phone")
	type layout struct {
		Nav         string  `json:"nav"`
		Button      string  `json:"button"`
		ButtonW     float64 `json:"buttonW"`
		ScrollWidth int     `json:"scrollWidth"`
	}
	const measure = `(() => {
		const nav = document.querySelector('nav.sidenav'), btn = document.querySelector('.navbtn');
		const r = btn ? btn.getBoundingClientRect() : {width: 0};
		return {nav: nav ? getComputedStyle(nav).display : "missing",
			button: btn ? getComputedStyle(btn).display : "missing",
			buttonW: r.width, scrollWidth: document.documentElement.scrollWidth};
	})()`
	var phone layout
	eval("phone layout", measure, &phone)
	if phone.Nav != "none" {
		t.Errorf("at 390 px the side nav is displayed (%q), want it hidden", phone.Nav)
	}
	if phone.Button == "none" || phone.Button == "missing" || phone.ButtonW == 0 {
		t.Errorf("at 390 px the menu button is not visible (display %q, width %v)", phone.Button, phone.ButtonW)
	}
	if phone.ScrollWidth > 390 {
		t.Errorf("at 390 px the home page scrolls sideways: %d px wide", phone.ScrollWidth)
	}
	shot("home-phone.png", 390)
	do("open the menu", chromedp.Click(chromedp.CSS(".navbtn")))
	var opened layout
	eval("phone menu", measure, &opened)
	if opened.Nav == "none" {
		t.Errorf("at 390 px the menu button does not open the side nav")
	}
	shot("home-phone-menu.png", 390)
	probs.check(t, "home page on a phone")

	// 5. The language switch in the top bar turns the page into English.
	do("desktop viewport again", chromedp.EmulateViewport(1366, 768))
	do("open /regions", chromedp.Navigate(base+"/regions"))
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`))); err != nil {
		t.Fatalf("click the language switch: %v", err)
	}
	settled("regions page in English")
	var en struct {
		Lang string `json:"lang"`
		Path string `json:"path"`
	}
	eval("language", `({lang: document.documentElement.lang, path: location.pathname})`, &en)
	if en.Lang != "en" || en.Path != "/regions" {
		t.Errorf("after the language switch: lang %q on %q, want en on /regions", en.Lang, en.Path)
	}
	shot("regions-en.png", 1366)
	probs.check(t, "regions page in English")
}
