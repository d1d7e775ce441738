package browsertest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zhanxin/internal/store"
)

// fill sets form fields by CSS selector, as typing would, and fires their change events.
func (s *Session) fill(what string, fields map[string]string) {
	s.T.Helper()
	b, _ := json.Marshal(fields)
	var missing []string
	s.Eval(what, `(() => { const f = `+string(b)+`; const missing = [];
		for (const [sel, v] of Object.entries(f)) {
			const e = document.querySelector(sel);
			if (!e) { missing.push(sel); continue; }
			e.value = v;
			e.dispatchEvent(new Event("input", {bubbles: true}));
			e.dispatchEvent(new Event("change", {bubbles: true}));
		}
		return missing; })()`, &missing)
	if len(missing) > 0 {
		s.T.Fatalf("%s: no field %v", what, missing)
	}
}

// submit clicks sel and waits for the page the form leads to.
func (s *Session) submit(what, sel string) {
	s.T.Helper()
	resp, err := chromedp.RunResponse(s.Tab, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		s.T.Fatalf("%s: %v", what, err)
	}
	if resp.Status != 200 {
		s.T.Fatalf("%s: HTTP %d for %s", what, resp.Status, resp.URL)
	}
	s.Settled(what)
}

// acceptConfirms answers every window.confirm of the page with yes and keeps its message
// in sessionStorage (which outlives the navigation the form starts), for asked.
func (s *Session) acceptConfirms() {
	s.T.Helper()
	var ok bool
	s.Eval("accept confirmations", `(() => { sessionStorage.removeItem("confirmed");
		window.confirm = m => { sessionStorage.setItem("confirmed", m); return true; }; return true; })()`, &ok)
}

// asked is the message of the last confirmation acceptConfirms answered.
func (s *Session) asked() string {
	s.T.Helper()
	var m string
	s.Eval("confirmation asked", `sessionStorage.getItem("confirmed") || ""`, &m)
	return m
}

func (s *Session) text(sel string) string {
	s.T.Helper()
	var t string
	s.Eval("text of "+sel, `(() => { const e = document.querySelector('`+sel+`'); return e ? e.innerText : ""; })()`, &t)
	return t
}

func (s *Session) path() string {
	s.T.Helper()
	var p string
	s.Eval("location", `location.pathname + location.search`, &p)
	return p
}

// TestPlanEditingInTheBrowser: an admin creates a stage and a target through the forms,
// sees the target on /plans, changes it, deletes the target and then the stage through
// their confirmations; no console error on any page; screenshots of each step.
func TestPlanEditingInTheBrowser(t *testing.T) {
	s := Open(t)
	s.Login("admin")
	ctx := context.Background()

	s.Open("/plans/stages/new?plan=gz-sei-2020")
	s.fill("stage form", map[string]string{`[data-testid=stage-form] input[name=code]`: "s2019",
		`[data-testid=stage-form] input[name=year]`: "2019", `[data-testid=stage-form] input[name=name_zh]`: "七年中期（浏览器测试）"})
	s.Shot("plans-edit-stage-form.png", 1366)
	s.submit("save the stage", `[data-testid=stage-form] button[type=submit]`)
	if p := s.path(); !strings.HasPrefix(p, "/plans/edit?") || !strings.Contains(s.text(`[data-testid=flash]`), "s2019") {
		t.Fatalf("after saving the stage: %s, flash %q", p, s.text(`[data-testid=flash]`))
	}
	s.Check("stage saved")

	const name = "新能源汽车整车产量（浏览器测试）"
	s.Open("/plans/targets/new?plan=gz-sei-2020")
	f := `[data-testid=target-form] `
	s.fill("target form", map[string]string{f + `input[name=code]`: "t2019-nev", f + `select[name=stage]`: "s2019",
		f + `input[name=target_year]`: "2019", f + `input[name=name_zh]`: name, f + `select[name=indicator]`: "OUT_NEV",
		f + `select[name=industry]`: "NEV", f + `input[name=target_value]`: "250000", f + `input[name=source]`: "planner"})
	s.Shot("plans-edit-target-form.png", 1366)
	s.submit("save the target", f+`button[type=submit]`)
	if p := s.path(); !strings.HasPrefix(p, "/plans/edit/targets?") {
		t.Fatalf("after saving the target: %s, errors %q", p, s.text(`main`))
	}
	s.Check("target saved")

	s.Open("/plans")
	if body := s.text("main"); !strings.Contains(body, name) {
		t.Fatalf("/plans does not show the new target")
	}
	s.Shot("plans-with-new-target.png", 1366)
	s.Check("/plans")

	s.Open("/plans/targets/t2019-nev/edit")
	s.fill("edit the target", map[string]string{f + `input[name=target_value]`: "260000"})
	s.submit("save the change", f+`button[type=submit]`)
	if tg, err := s.Env.DB.PlanTargetByCode(ctx, "t2019-nev"); err != nil || tg.Target != 260000*1_000_000 || tg.StageCode != "s2019" {
		t.Fatalf("after the change %+v %v", tg, err)
	}
	s.Check("target changed")

	s.Open("/plans/edit/targets?plan=gz-sei-2020")
	s.acceptConfirms()
	s.submit("delete the target", `form[action="/plans/targets/t2019-nev/delete"] button`)
	if q := s.asked(); !strings.Contains(q, name) || !strings.Contains(q, "t2019-nev") {
		t.Fatalf("the delete asked %q", q)
	}
	if _, err := s.Env.DB.PlanTargetByCode(ctx, "t2019-nev"); err != store.ErrNotFound {
		t.Fatalf("the target is still there: %v", err)
	}
	if !strings.Contains(s.text(`[data-testid=flash]`), "t2019-nev") {
		t.Fatalf("no flash after deleting: %q", s.text(`[data-testid=flash]`))
	}
	s.Shot("plans-target-deleted.png", 1366)
	s.Check("target deleted")

	// The confirmation itself: a dismissed one deletes nothing.
	s.Open("/plans/edit?plan=gz-sei-2020")
	var msg string
	s.Eval("stage delete question", `(() => { const f = document.querySelector('form[action="/plans/stages/s2019/delete"]');
		return f ? f.getAttribute("data-confirm") : ""; })()`, &msg)
	if !strings.Contains(msg, "s2019") {
		t.Fatalf("the stage's delete button asks %q", msg)
	}
	var stayed bool
	s.Eval("dismiss the confirmation", `(() => { window.confirm = () => false;
		document.querySelector('form[action="/plans/stages/s2019/delete"] button').click();
		return true; })()`, &stayed)
	s.Settled("after a dismissed confirmation")
	if _, err := s.Env.DB.PlanStageByCode(ctx, "s2019"); err != nil {
		t.Fatalf("a dismissed confirmation deleted the stage: %v", err)
	}
	s.acceptConfirms()
	s.submit("delete the stage", `form[action="/plans/stages/s2019/delete"] button`)
	if q := s.asked(); q != msg {
		t.Fatalf("the stage delete asked %q, want %q", q, msg)
	}
	if _, err := s.Env.DB.PlanStageByCode(ctx, "s2019"); err != store.ErrNotFound {
		t.Fatalf("the stage is still there: %v", err)
	}
	s.Check("stage deleted")
}
