package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

func arRules(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	ts, rs, err := db.AllocRules(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(context.Background(), store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v %+v audit=%d", ts, rs, a.Total)
}

// TestAllocationRulesEditedOnThePage: a regulator edits a draft round's rules through the
// form: a minimum above the request is refused at its row and writes nothing; a second
// tier with a guarantee and a cap is saved, and the −10% scenario follows the new rules
// (磁材一厂 600 t, 发光二厂 its 100 t guarantee plus 200 t up to its 300 t cap); a tier in
// use is not deleted; a request and then the tier are deleted behind confirmations; every
// change is audited; a viewer and an enterprise user get neither the page nor the posts.
func TestAllocationRulesEditedOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		id := arSeed(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("viewer", auth.Viewer, "", 0)
		c := env.Login("reg")
		base := fmt.Sprintf("/allocation/%d", id)
		doc := resDoc(t, c.Get(base), 200, "round")
		if href, _ := doc.Find(`[data-testid="rules-edit-link"]`).Attr("href"); href != base+"/rules" {
			t.Fatalf("edit link %q", href)
		}
		doc = resDoc(t, c.Get(base+"/rules"), 200, "rules form")
		if n := doc.Find(`[data-testid="tier-rows"] tbody tr`).Length(); n != 2 {
			t.Fatalf("%d tier rows, want 1 and a blank one", n)
		}
		if n := doc.Find(`[data-testid="request-rows"] tbody tr`).Length(); n != 3 {
			t.Fatalf("%d request rows, want 2 and a blank one", n)
		}
		if v, _ := doc.Find(`[data-testid="request-rows"] tbody tr`).First().Find(`input[name="requested_t"]`).Attr("value"); v != "600" {
			t.Fatalf("first request shows %q", v)
		}
		form := func(min2 string) url.Values {
			return url.Values{"tier": {"1", "2", ""}, "tier_name_zh": {"永磁材料优先", "其他", ""}, "tier_name_en": {"", "others", ""},
				"account": {"p.E1", "p.E2", ""}, "req_tier": {"1", "2", ""}, "requested_t": {"600", "400", ""}, "min_t": {"", min2, ""},
				"cap_t": {"", "300", ""}, "reason": {"战略性新兴产业", "", ""}}
		}
		before := arRules(t, db, id)
		doc = resDoc(t, c.PostForm(base+"/rules", form("500")), http.StatusUnprocessableEntity, "bad rules")
		row := doc.Find(`[data-testid="request-rows"] tbody tr`).Eq(1)
		if got := strings.TrimSpace(row.Find(`[data-field="min_t"]`).Text()); got != admZh(env, "allocation.err.min_over_request", "500", "400") {
			t.Fatalf("min error at row 2: %q", got)
		}
		if got := strings.TrimSpace(row.Find(`[data-field="cap_t"]`).Text()); got != admZh(env, "allocation.err.cap_under_min", "300", "500") {
			t.Fatalf("cap error at row 2: %q", got)
		}
		if v, _ := row.Find(`input[name="min_t"]`).Attr("value"); v != "500" {
			t.Fatalf("the form lost what was typed: %q", v)
		}
		if arRules(t, db, id) != before {
			t.Fatal("refused rules were written")
		}
		resp := c.PostForm(base+"/rules", form("100"))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		doc = resDoc(t, c.Get(base+"?scale=90"), 200, "scenario after the edit")
		if r := resRow(doc, "allocation", "2"); len(r) < 8 || r[1] != "发光二厂" || r[3] != "100 t" || r[5] != "300 t" {
			t.Fatalf("发光二厂 in the scenario %q", r)
		}
		if r := resRow(doc, "allocation", "1"); len(r) < 6 || r[5] != "600 t" {
			t.Fatalf("磁材一厂 in the scenario %q", r)
		}
		// A tier in use is not deleted; the request, then the tier, are.
		doc = resDoc(t, c.Get(base+"/rules"), 200, "rules form")
		if doc.Find(`form[action="`+base+`/tiers/2/delete"][data-confirm]`).Length() != 1 {
			t.Fatal("no confirmed delete for tier 2")
		}
		var e2Delete string
		doc.Find(`[data-testid="request-rows"] form[data-confirm]`).Each(func(_ int, f *goquery.Selection) {
			if strings.Contains(f.AttrOr("data-confirm", ""), "发光二厂") {
				e2Delete = f.AttrOr("action", "")
			}
		})
		if e2Delete == "" {
			t.Fatal("no confirmed delete for 发光二厂's request")
		}
		before = arRules(t, db, id)
		doc = resDoc(t, c.PostForm(base+"/tiers/2/delete", url.Values{}), http.StatusConflict, "delete a tier in use")
		if got := plText(doc, `[data-testid="form-error"]`); got != admZh(env, "allocation.err.tier_in_use", 2, 1) {
			t.Fatalf("tier in use %q", got)
		}
		if arRules(t, db, id) != before {
			t.Fatal("a refused delete changed the rules")
		}
		for _, path := range []string{e2Delete, base + "/tiers/2/delete"} {
			resp := c.PostForm(path, url.Values{})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, webtest.ReadBody(resp))
			}
			resp.Body.Close()
		}
		ts, rs, _ := db.AllocRules(context.Background(), id)
		if len(ts) != 1 || len(rs) != 1 || rs[0].Account != "p.E1" {
			t.Fatalf("after deletes %+v %+v", ts, rs)
		}
		var actions []string
		for _, a := range admAudit(t, db, store.AuditFilter{Entity: "alloc_round"}) {
			actions = append([]string{a.Action}, actions...)
		}
		if fmt.Sprint(actions) != "[allocation.round.create allocation.rules.set allocation.request.delete allocation.tier.delete]" {
			t.Fatalf("audit %v", actions)
		}
		env.AddUser("ent", auth.Enterprise, "", rs[0].EnterpriseID)
		for _, u := range []string{"viewer", "ent"} {
			cl := env.Login(u)
			resDoc(t, cl.Get(base+"/rules"), http.StatusForbidden, u+" opens the form").Find("x")
			before = arRules(t, db, id)
			for _, path := range []string{base + "/rules", base + "/tiers/1/delete", fmt.Sprintf("%s/requests/%d/delete", base, rs[0].EnterpriseID)} {
				resp := cl.PostForm(path, form("100"))
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("%s posts %s: %d", u, path, resp.StatusCode)
				}
				resp.Body.Close()
			}
			if arRules(t, db, id) != before {
				t.Fatalf("%s changed the rules", u)
			}
		}
	})
}
