package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
)

// The strategic reserve screens in a real browser on the demonstration year: the depot
// list, a depot with its stock and holdings, a release recorded through the form (its
// confirmation accepted), and the stock card with the new line — no console errors or
// failed requests, nothing wider than the window.
func TestReserveScreens(t *testing.T) {
	s := Open(t)
	if _, err := dataset.LoadDemo(context.Background(), s.Env.DB, auth.CLI("browsertest")); err != nil {
		t.Fatal(err)
	}
	s.Login("admin")
	noOverflow := func(where string) {
		t.Helper()
		var wide bool
		s.Eval(where+": width", `document.documentElement.scrollWidth > window.innerWidth`, &wide)
		if wide {
			t.Errorf("%s is wider than the window", where)
		}
	}

	s.Open("/reserves")
	var n int
	s.Eval("depot rows", `document.querySelectorAll('table[data-testid=depots] tbody tr a').length`, &n)
	if n != 1 {
		t.Fatalf("depot list has %d linked rows, want the demonstration's one", n)
	}
	var navOK bool
	s.Eval("nav entry", `!!document.querySelector('nav a[href="/reserves"]')`, &navOK)
	if !navOK {
		t.Error("no 战略储备 nav entry")
	}
	s.Check("depot list")
	noOverflow("depot list")
	s.Shot("reserves.png", 1366)

	s.click("open the depot", `table[data-testid=depots] tbody tr a`)
	s.Settled("depot")
	var stock string
	s.Eval("stock", `document.querySelector('table[data-testid=stock] tbody tr td:nth-child(5)').textContent.trim()`, &stock)
	if stock != "38 t" {
		t.Fatalf("depot stock %q, want 38 t", stock)
	}
	// Record a release of 3 t to the magnet maker through the form, accepting the question.
	s.Eval("accept confirmations", `window.confirm = () => true; true`, new(bool))
	s.Do("fill the release",
		chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] select[name=kind]`), "release"),
		chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] select[name=product]`), "ox_dy2o3"),
		chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] input[name=amount_t]`), "3"),
		chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] input[name=date]`), "2024-12-01"),
		chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] input[name=doc_no]`), "浏览器测试单"),
		chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] input[name=reason]`), "浏览器测试"),
	)
	var ent string
	s.Eval("an enterprise id", `document.querySelector('form[data-testid=op-form] input[name=enterprise_id]') ? "ok" : ""`, &ent)
	if ent == "" {
		t.Fatal("the physical depot's form has no enterprise field")
	}
	s.Do("enterprise", chromedp.SetValue(chromedp.CSS(`form[data-testid=op-form] input[name=enterprise_id]`), "1"))
	s.click("submit the release", `form[data-testid=op-form] button[type=submit]`)
	s.Settled("after the release")
	var flash string
	s.Eval("flash", `(document.querySelector('[data-testid=flash]') || {textContent: ""}).textContent`, &flash)
	if flash == "" {
		var errText string
		s.Eval("form error", `(document.querySelector('.form-error') || {textContent: ""}).textContent + " " + Array.from(document.querySelectorAll('.field-error')).map(e => e.textContent).join(" | ")`, &errText)
		t.Fatalf("the release was not recorded: %s", errText)
	}
	s.Eval("stock after", `document.querySelector('table[data-testid=stock] tbody tr td:nth-child(5)').textContent.trim()`, &stock)
	if stock != "35 t" {
		t.Fatalf("stock after the release %q, want 35 t", stock)
	}
	s.Check("depot")
	noOverflow("depot")
	s.Shot("reserve-depot.png", 1366)

	s.click("open the stock card", `table[data-testid=stock] tbody tr a`)
	s.Settled("stock card")
	var path string
	s.Eval("card path", `location.pathname`, &path)
	s.Open(path + "?product=ox_dy2o3&from=2024-01-01&to=2099-12-31")
	s.Eval("card lines", `document.querySelectorAll('table[data-testid=card] tbody tr').length`, &n)
	if n != 3 {
		t.Fatalf("stock card has %d lines, want 3", n)
	}
	s.Check("stock card")
	noOverflow("stock card")
	s.Shot("reserve-stock-card.png", 1366)
}

// click follows a link or submits a form and waits for the page it leads to.
func (s *Session) click(what, sel string) {
	s.T.Helper()
	resp, err := chromedp.RunResponse(s.Tab, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		s.T.Fatalf("%s: %v", what, err)
	}
	if resp.Status >= 400 {
		s.T.Fatalf("%s: HTTP %d for %s", what, resp.Status, resp.URL)
	}
	s.Settled(what)
}
