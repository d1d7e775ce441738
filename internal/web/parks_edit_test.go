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

// pkeCounts is what a park edit could touch: parks, and the audit log.
func pkeCounts(t *testing.T, db *store.DB) [2]int {
	t.Helper()
	ctx := context.Background()
	ps, err := db.ListParks(ctx, "", store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{ps.Total, a.Total}
}

// TestParkEditingPages: a planner adds a park with its region, industries and
// enterprises through the form and edits it; each write is audited. Bad input — no name,
// an unknown region, industry or enterprise, a sort order that is not a number, a code
// already taken — comes back at its field in Chinese and English and writes nothing. A
// viewer gets no links and is refused the forms and the posts.
func TestParkEditingPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("pk-planner", auth.Planner, "", 0)
		env.AddUser("pk-viewer", auth.Viewer, "", 0)
		pl, vw := env.Login("pk-planner"), env.Login("pk-viewer")
		ids := cuIDs(t, db)
		inds, err := db.Industries(context.Background())
		if err != nil || len(inds) < 2 {
			t.Fatalf("industries: %v", err)
		}
		indA, indB := inds[0], inds[1]

		if admExpect(t, pl.Get("/parks"), http.StatusOK, "parks").Find("[data-testid=park-new]").Length() != 1 {
			t.Error("planner sees no link to add a park")
		}
		if admExpect(t, vw.Get("/parks"), http.StatusOK, "parks").Find("[data-testid=park-new]").Length() != 0 {
			t.Error("viewer sees the link to add a park")
		}
		good := url.Values{"code": {"park:test-new"}, "name_zh": {"测试新园区"}, "kind": {"featured_park"}, "status": {"planned"},
			"region_code": {"360702"}, "industries": {indA.Code, indB.Code}, "enterprises": {fmt.Sprint(ids["章源钨业"]), fmt.Sprint(ids["虔东稀土"])},
			"source": {"测试"}, "quote": {"测试原文"}, "sort_order": {"90"}}
		with := func(k string, v ...string) url.Values {
			out := url.Values{}
			for kk, vv := range good {
				out[kk] = vv
			}
			out[k] = v
			return out
		}
		for _, path := range []string{"/parks/new", "/parks/base:gzedz-rew/edit"} {
			if resp := vw.Get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer GET %s: %d", path, resp.StatusCode)
			}
			resp := vw.PostForm(path, with("name_zh", "越权"))
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d", path, resp.StatusCode)
			}
		}

		before := pkeCounts(t, db)
		for _, c := range []struct {
			name   string
			form   url.Values
			status int
			field  string
			zh, en string
		}{
			{"no name", with("name_zh", " "), 422, "name_zh", "请填写中文名称", "Enter the Chinese name"},
			{"unknown region", with("region_code", "999999"), 422, "region_code", "地区代码“999999”不存在", "Region code \"999999\" does not exist"},
			{"unknown industry", with("industries", indA.Code, "NOPE"), 422, "industries", "产业代码“NOPE”不存在", "Industry code \"NOPE\" does not exist"},
			{"unknown enterprise", with("enterprises", "987654"), 422, "enterprises", "企业编号 987654 不存在", "Enterprise id 987654 does not exist"},
			{"sort order", with("sort_order", "十"), 422, "sort_order", "排序“十”不是整数", "Sort order \"十\" is not a whole number"},
			{"code taken", with("code", "base:gzedz-rew"), 409, "code", "已被园区", "is already used by park"},
		} {
			for _, lang := range []string{"zh", "en"} {
				pl.HTTP.Jar.SetCookies(mustURL(t, env.HTTP.URL), []*http.Cookie{{Name: "zx_lang", Value: lang, Path: "/"}})
				doc := admExpect(t, pl.PostForm("/parks/new", c.form), c.status, c.name)
				msg := swText(doc.Find(`[data-field="` + c.field + `"]`))
				want := c.zh
				if lang == "en" {
					want = c.en
				}
				if !strings.Contains(msg, want) {
					t.Errorf("%s (%s): field %s says %q, want %q", c.name, lang, c.field, msg, want)
				}
				// The form comes back as typed.
				if v, _ := doc.Find(`input[name=source]`).Attr("value"); v != "测试" {
					t.Errorf("%s: form not refilled (source %q)", c.name, v)
				}
			}
		}
		pl.HTTP.Jar.SetCookies(mustURL(t, env.HTTP.URL), []*http.Cookie{{Name: "zx_lang", Value: "zh", Path: "/"}})
		if got := pkeCounts(t, db); got != before {
			t.Fatalf("refused forms wrote: parks/audit %v → %v", before, got)
		}

		admSeeOther(t, pl.PostForm("/parks/new", with("sort_order", "90")), "/parks/park:test-new?ok=saved", "create")
		doc := admExpect(t, pl.Get("/parks/park:test-new?ok=saved"), http.StatusOK, "new park")
		page := swText(doc.Find("main"))
		for _, want := range []string{"测试新园区", "园区已保存", "章源钨业", "虔东稀土", indA.NameZh, indB.NameZh, "测试原文", "360702"} {
			if !strings.Contains(page, want) {
				t.Errorf("new park page lacks %q", want)
			}
		}
		if got := pkeCounts(t, db); got != [2]int{before[0] + 1, before[1] + 1} {
			t.Errorf("create: parks/audit %v → %v, want one park and one audit entry", before, got)
		}
		au, _ := db.ListAudit(context.Background(), store.AuditFilter{Entity: "park"}, store.ListQuery{})
		if au.Total == 0 || au.Rows[0].Action != "park.create" || au.Rows[0].EntityID != "park:test-new" {
			t.Errorf("audit of the create: %+v", au.Rows)
		}

		// Edit: the form comes filled in; the code cannot be changed; an enterprise removed.
		doc = admExpect(t, pl.Get("/parks/park:test-new/edit"), http.StatusOK, "edit form")
		if v, _ := doc.Find("input[name=name_zh]").Attr("value"); v != "测试新园区" {
			t.Errorf("edit form name %q", v)
		}
		var sel []string
		doc.Find("select[name=industries] option[selected]").Each(func(_ int, o *goquery.Selection) { sel = append(sel, o.AttrOr("value", "")) })
		if len(sel) != 2 {
			t.Errorf("edit form selects industries %q", sel)
		}
		edit := with("name_zh", "测试新园区（改）")
		edit["code"] = []string{"park:hijack"}
		edit["enterprises"] = []string{fmt.Sprint(ids["章源钨业"])}
		edit["status"] = []string{"under_construction"}
		admSeeOther(t, pl.PostForm("/parks/park:test-new/edit", edit), "/parks/park:test-new?ok=saved", "edit")
		page = swText(admExpect(t, pl.Get("/parks/park:test-new"), http.StatusOK, "edited park").Find("main"))
		if !strings.Contains(page, "测试新园区（改）") || strings.Contains(page, "虔东稀土") || !strings.Contains(page, "章源钨业") {
			t.Errorf("edited park page: %s", page)
		}
		if resp := pl.Get("/parks/park:hijack"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the edit form changed the code: %d", resp.StatusCode)
		}
		au, _ = db.ListAudit(context.Background(), store.AuditFilter{Entity: "park"}, store.ListQuery{})
		if au.Rows[0].Action != "park.update" || !strings.Contains(au.Rows[0].Before, "测试新园区") {
			t.Errorf("audit of the edit: %+v", au.Rows[0])
		}
		// An edit of a park that does not exist is a 404, not a create.
		if resp := pl.PostForm("/parks/park:nope/edit", with("sort_order", "1")); resp.StatusCode != http.StatusNotFound {
			t.Errorf("edit of a missing park: %d", resp.StatusCode)
		}
	})
}
