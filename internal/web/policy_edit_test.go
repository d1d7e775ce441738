package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestPolicyEditingPages: on the default dataset a planner adds a document and an
// instrument through the forms, sees a refused instrument come back at its fields, and
// retires the instrument through its confirmation page with a reason; the instrument page
// then shows the retirement and offers no second one. A viewer gets no links and is
// refused the forms.
func TestPolicyEditingPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("pe-planner", auth.Planner, "", 0)
		env.AddUser("pe-viewer", auth.Viewer, "", 0)
		pl, vw := env.Login("pe-planner"), env.Login("pe-viewer")

		doc := admExpect(t, pl.Get("/policy"), http.StatusOK, "policy")
		if doc.Find("[data-testid=pol-new-document]").Length() != 1 || doc.Find(`a[href="/policy/documents/miit_2013_69/edit"]`).Length() != 1 {
			t.Fatal("planner sees no editing links on /policy")
		}
		if d := admExpect(t, vw.Get("/policy"), http.StatusOK, "viewer policy"); d.Find("[data-testid=pol-new-document]").Length() != 0 ||
			d.Find(`a[href$="/edit"]`).Length() != 0 {
			t.Error("viewer sees editing links")
		}
		for _, path := range []string{"/policy/documents/new", "/policy/instruments/cit_15/edit", "/policy/instruments/cit_15/retire"} {
			if resp := vw.Get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer GET %s: %d", path, resp.StatusCode)
			}
		}

		admSeeOther(t, pl.PostForm("/policy/documents/new", url.Values{"code": {"doc:web"}, "title_zh": {"网页测试文件"}, "areas": {"4"},
			"source": {"测试"}}), "/policy?ok=saved", "new document")
		rows := swRows(admExpect(t, pl.Get("/policy"), http.StatusOK, "policy"), "documents")
		found := false
		for _, r := range rows {
			if r[0] == "网页测试文件" && strings.Contains(r[4], "4") && r[9] == "有效" {
				found = true
			}
		}
		if !found {
			t.Errorf("new document not listed in force: %q", rows)
		}

		bad := url.Values{"code": {"inst:web"}, "document_code": {"doc:web"}, "name_zh": {"网页测试工具"}, "kind": {"tax_rate"},
			"standard_rate": {"15"}, "reduced_rate": {"25"}, "source": {"测试"}}
		d := admExpect(t, pl.PostForm("/policy/instruments/new", bad), http.StatusUnprocessableEntity, "reduced above standard")
		if msg := swText(d.Find(`[data-field="reduced_rate"]`)); !strings.Contains(msg, "优惠税率 25% 高于标准税率 15%") {
			t.Errorf("refusal at reduced_rate: %q", msg)
		}
		if v, _ := d.Find("input[name=name_zh]").Attr("value"); v != "网页测试工具" {
			t.Errorf("form not refilled: %q", v)
		}
		good := url.Values{}
		for k, v := range bad {
			good[k] = v
		}
		good["standard_rate"], good["reduced_rate"], good["csrf"] = []string{"25"}, []string{"12.5"}, nil
		admSeeOther(t, pl.PostForm("/policy/instruments/new", good), "/policy/instruments/inst:web?ok=saved", "new instrument")
		page := swText(admExpect(t, pl.Get("/policy/instruments/inst:web?ok=saved"), http.StatusOK, "instrument").Find("main"))
		if !strings.Contains(page, "网页测试工具") || !strings.Contains(page, "已保存") || !strings.Contains(page, "25%") || !strings.Contains(page, "12.5%") {
			t.Errorf("instrument page: %s", page)
		}

		// Retire: the confirmation page names it and asks for a reason.
		rd := admExpect(t, pl.Get("/policy/instruments/inst:web/retire"), http.StatusOK, "retire page")
		if c, _ := rd.Find("[data-testid=pol-retire-form]").Attr("data-confirm"); !strings.Contains(c, "网页测试工具") {
			t.Errorf("retire form confirmation %q", c)
		}
		d = admExpect(t, pl.PostForm("/policy/instruments/inst:web/retire", url.Values{"retired_note": {" "}}), http.StatusUnprocessableEntity, "no reason")
		if msg := swText(d.Find(`[data-field="retired_note"]`)); !strings.Contains(msg, "请填写废止原因") {
			t.Errorf("no reason: %q", msg)
		}
		admSeeOther(t, pl.PostForm("/policy/instruments/inst:web/retire", url.Values{"retired_note": {"测试废止"}}), "/policy/instruments/inst:web", "retire")
		d = admExpect(t, pl.Get("/policy/instruments/inst:web"), http.StatusOK, "retired instrument")
		if r := swText(d.Find("[data-testid=retired]")); !strings.Contains(r, "废止") || !strings.Contains(r, "测试废止") {
			t.Errorf("retired banner %q", r)
		}
		if d.Find("[data-testid=pol-retire]").Length() != 0 {
			t.Error("a retired instrument still offers retirement")
		}
	})
}
