package browsertest

import (
	"strings"
	"testing"
	"zhanxin/internal/webtest"

	"github.com/chromedp/chromedp"
)

// TestBrowser logs in through the form, opens the dashboard (county map drawn), the plan
// page, a target with its chart, and the regions table at 1366×768 and at phone width,
// and saves screenshots; any console error or failed request fails it.
func TestBrowser(t *testing.T) {
	s := Open(t)
	tab, base, probs := s.Tab, s.Base, s.Probs
	do, eval, shot, settled := s.Do, s.Eval, s.Shot, s.Settled
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
	waitDrawn := s.WaitDrawn
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
