package web_test

import (
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

// TestDesignationSection: on the default dataset a planner designates 章源钨业 as 专精特新
// through the class page, its classification then names the source, a form without a
// source is refused with nothing added, removal asks for confirmation, and an enterprise
// user sees no form and is refused when posting anyway.
func TestDesignationSection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		ids := cuIDs(t, db)
		env.AddUser("dz-planner", auth.Planner, "", 0)
		env.AddUser("dz-ent", auth.Enterprise, "", ids["虔东稀土"])
		planner, ent := env.Login("dz-planner"), env.Login("dz-ent")
		zy := ids["章源钨业"]
		srdiRow := func() []string {
			doc := cuGet(t, planner, fmt.Sprintf("/cultivation/enterprises/%d", zy), 200)
			var row []string
			doc.Find("[data-testid=classification] tbody tr").Each(func(_ int, r *goquery.Selection) {
				if c := plCells(r.Find("td")); c[0] == "专精特新企业" {
					row = c
				}
			})
			return row
		}
		if r := srdiRow(); len(r) < 2 || r[1] == "符合" {
			t.Fatalf("专精特新 before designation: %q", r)
		}
		doc := cuGet(t, planner, "/cultivation/classes/srdi", 200)
		if doc.Find("[data-testid=designation-form]").Length() != 1 {
			t.Fatalf("planner sees no designation form")
		}
		n0 := doc.Find("[data-testid=designation]").Length()

		resp := planner.PostForm("/cultivation/classes/srdi/designations", url.Values{"enterprise_id": {fmt.Sprint(zy)}, "source": {" "}})
		body := webtest.ReadBody(resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "缺少来源文件") {
			t.Errorf("designation without source: %d\n%s", resp.StatusCode, body)
		}
		if n := cuGet(t, planner, "/cultivation/classes/srdi", 200).Find("[data-testid=designation]").Length(); n != n0 {
			t.Errorf("refused designation added a row: %d→%d", n0, n)
		}

		const src = "测试：工信部专精特新“小巨人”名单"
		resp = planner.PostForm("/cultivation/classes/srdi/designations", url.Values{"enterprise_id": {fmt.Sprint(zy)}, "source": {src}, "period": {"2023"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("designate: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		if r := srdiRow(); len(r) != 5 || r[1] != "符合" || !strings.Contains(r[3], src) {
			t.Errorf("专精特新 after designation: %q", r)
		}
		doc = cuGet(t, planner, "/cultivation/classes/srdi", 200)
		var li *goquery.Selection
		doc.Find("[data-testid=designation]").Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Text(), "章源钨业") {
				li = s
			}
		})
		if li == nil || !strings.Contains(li.Text(), src) || !strings.Contains(li.Text(), "2023") {
			t.Fatalf("designation not listed on the class page")
		}
		if c, _ := li.Find("form").Attr("data-confirm"); !strings.Contains(c, "章源钨业") {
			t.Errorf("removal asks no confirmation naming the enterprise: %q", c)
		}

		// The enterprise user: no form, and posting anyway is refused.
		if cuGet(t, ent, "/cultivation/classes/srdi", 200).Find("[data-testid=designation-form]").Length() != 0 {
			t.Errorf("enterprise user sees the designation form")
		}
		for _, path := range []string{"/cultivation/classes/srdi/designations", fmt.Sprintf("/cultivation/classes/srdi/designations/%d/remove", zy)} {
			resp = ent.PostForm(path, url.Values{"enterprise_id": {fmt.Sprint(ids["虔东稀土"])}, "source": {"自称"}})
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("enterprise user POST %s: %d", path, resp.StatusCode)
			}
		}

		resp = planner.PostForm(fmt.Sprintf("/cultivation/classes/srdi/designations/%d/remove", zy), url.Values{})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		if r := srdiRow(); len(r) < 2 || r[1] == "符合" {
			t.Errorf("专精特新 after removal: %q", r)
		}
	})
}
