package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The cultivation pages on the default dataset: the article's 17 enterprises with 未知 for
// their unknown codes, the reason behind each class, the rule forms, exports opened back,
// and an enterprise user who guesses another enterprise's ids.

func cuIDs(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ents, err := db.AllEnterprises(context.Background(), store.EnterpriseScope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, e := range ents {
		out[e.NameZh] = e.ID
	}
	return out
}

func cuGet(t *testing.T, c *webtest.Client, path string, want int) *goquery.Document {
	t.Helper()
	resp := c.Get(path)
	body := webtest.ReadBody(resp)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, want, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func cuDownload(t *testing.T, c *webtest.Client, path string) []byte {
	t.Helper()
	resp := c.Get(path)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return b
}

var articleEnterprises = []string{"虔东稀土", "章源钨业", "中瑞科技", "江钨控股", "孚能科技", "科慧", "金力永磁", "赣发集团", "江压",
	"格特克拉(江西)", "青峰药业", "海欣药业", "九华药业", "谱赛科", "研创光电", "五矿稀土", "赣州稀土集团"}

func TestCultivationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		ids := cuIDs(t, db)
		env.AddUser("cu-planner", auth.Planner, "", 0)
		planner := env.Login("cu-planner")

		// Each of the article's enterprises: its note from the article, and 未知 for the code.
		for _, n := range articleEnterprises {
			if ids[n] == 0 {
				t.Errorf("%s is not in the default dataset", n)
				continue
			}
			doc := cuGet(t, planner, fmt.Sprintf("/cultivation/enterprises/%d", ids[n]), 200)
			if got := plText(doc, "[data-testid=uscc]"); got != "未知" {
				t.Errorf("%s: USCC shown as %q, want 未知", n, got)
			}
			if plText(doc, "[data-testid=note]") == "" {
				t.Errorf("%s: no note of what the article says", n)
			}
		}
		// 虔东稀土 is a 龙头 on the article's word, with the sentence; 规上 has no rule.
		doc := cuGet(t, planner, fmt.Sprintf("/cultivation/enterprises/%d", ids["虔东稀土"]), 200)
		rows := doc.Find("[data-testid=classification] tbody tr")
		var leader, above []string
		rows.Each(func(_ int, r *goquery.Selection) {
			cells := plCells(r.Find("td"))
			switch cells[0] {
			case "龙头企业":
				leader = cells
			case "规模以上工业企业（规上）":
				above = cells
			}
		})
		if len(leader) != 5 || leader[1] != "符合" || !strings.Contains(leader[3], "龙头企业虔东稀土拥有最完整的稀土产业链条") ||
			!strings.Contains(leader[3], "文章") || leader[4] != "满足" {
			t.Errorf("龙头 row: %q", leader)
		}
		if len(above) != 5 || above[1] != "未设规则（不作判断）" {
			t.Errorf("规上 row: %q", above)
		}

		// A planner adds 规上's rule through the form; a figure makes the reason concrete.
		resp := planner.PostForm("/cultivation/criteria", url.Values{"class": {"above_scale"}, "kind": {"indicator"}, "indicator": {"REV"},
			"comparison": {">="}, "threshold": {"2000"}, "unit": {"万元"}, "source": {"测试口径"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add rule: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		doc = cuGet(t, planner, "/cultivation/classes/above_scale", 200)
		if got := plText(doc, "[data-testid=rule]"); !strings.Contains(got, "主营业务收入 (REV) >= 0.2 亿元，最近一期") {
			t.Errorf("rule shown as %q", got)
		}
		// A bad rule is refused with the reason, and nothing is added.
		resp = planner.PostForm("/cultivation/criteria", url.Values{"class": {"above_scale"}, "kind": {"indicator"}, "indicator": {"NO_SUCH"},
			"comparison": {">="}, "threshold": {"1"}})
		body := webtest.ReadBody(resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "指标“NO_SUCH”不存在") {
			t.Errorf("bad rule: %d\n%s", resp.StatusCode, body)
		}
		doc = cuGet(t, planner, "/cultivation/classes/above_scale", 200)
		if n := doc.Find("[data-testid=rule]").Length(); n != 1 {
			t.Errorf("%d rules after a refused one, want 1", n)
		}
		// The register says why each enterprise is undecided: no data.
		var why string
		doc.Find("[data-testid=register] tbody tr").Each(func(_ int, r *goquery.Selection) {
			if c := plCells(r.Find("td")); c[1] == "章源钨业" {
				why = c[3] + " | " + c[4]
			}
		})
		if !strings.Contains(why, "数据不足，无法判断") || !strings.Contains(why, "无数据") {
			t.Errorf("章源钨业 in the 规上 register: %q", why)
		}

		// Register export: XLSX opened back with excelize, CSV parsed, in English.
		x := cuDownload(t, planner, "/cultivation/classes/above_scale?format=xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(xr) != 1+len(ids) || xr[0][0] != "编号" || len(xr[0]) != 6 {
			t.Errorf("XLSX: %d rows, header %q", len(xr), xr[0])
		}
		found := false
		for _, r := range xr[1:] {
			if r[1] == "虔东稀土" && r[2] == "未知" && r[3] == "数据不足，无法判断" {
				found = true
			}
		}
		if !found {
			t.Errorf("XLSX lacks 虔东稀土 with 未知 and its decision: %q", xr)
		}
		planner.HTTP.Jar.SetCookies(mustURL(t, env.HTTP.URL), []*http.Cookie{{Name: "zx_lang", Value: "en", Path: "/"}})
		c, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cuDownload(t, planner, "/cultivation?format=csv"), []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 10 || c[0][0] != "Class" || c[2][0] != "Leading enterprise" || c[2][2] != "all must hold" {
			t.Errorf("classes CSV: %q", c)
		}
		doc = cuGet(t, planner, "/cultivation", 200)
		if got := doc.Find("h1").First().Text(); got != "Enterprise classes" {
			t.Errorf("English title %q", got)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCultivationSupportPagesAndBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		ids := cuIDs(t, db)
		a, b := ids["虔东稀土"], ids["章源钨业"]
		env.AddUser("cu-planner", auth.Planner, "", 0)
		env.AddUser("cu-ent", auth.Enterprise, "", a)
		planner, ent := env.Login("cu-planner"), env.Login("cu-ent")

		post := func(c *webtest.Client, path string, v url.Values, want int) string {
			t.Helper()
			resp := c.PostForm(path, v)
			body := webtest.ReadBody(resp)
			if resp.StatusCode != want {
				t.Fatalf("POST %s: %d, want %d\n%s", path, resp.StatusCode, want, body)
			}
			return body
		}
		post(planner, "/cultivation/support", url.Values{"enterprise_id": {fmt.Sprint(a)}, "measure": {"协调用地指标"}, "department": {"市自然资源局"},
			"due_date": {"2020-06-30"}, "status": {"planned"}}, http.StatusSeeOther)
		post(planner, "/cultivation/support", url.Values{"enterprise_id": {fmt.Sprint(b)}, "measure": {"上市辅导"}, "department": {"市金融办"},
			"due_date": {"2099-12-31"}, "status": {"in_progress"}}, http.StatusSeeOther)
		body := post(planner, "/cultivation/support", url.Values{"enterprise_id": {fmt.Sprint(a)}, "measure": {"x"}, "department": {""},
			"due_date": {"2020-02-30"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "请填写责任部门") || !strings.Contains(body, "完成期限“2020-02-30”无效") {
			t.Errorf("bad measure page:\n%s", body)
		}
		doc := cuGet(t, planner, "/cultivation/support", 200)
		if n := doc.Find("[data-testid=measures] tbody tr").Length(); n != 2 {
			t.Fatalf("%d measures, want 2", n)
		}
		doc = cuGet(t, planner, "/cultivation/support?overdue=1", 200)
		cells := plCells(doc.Find("[data-testid=measures] tbody tr").First().Find("td"))
		if doc.Find("[data-testid=measures] tbody tr").Length() != 1 || cells[1] != "虔东稀土" || cells[6] != "逾期" {
			t.Errorf("overdue list: %q", cells)
		}
		doc = cuGet(t, planner, fmt.Sprintf("/cultivation/enterprises/%d", a), 200)
		if got := plText(doc, "[data-testid=measures-link]"); got != "共 1 项措施，其中逾期 1 项" {
			t.Errorf("measures summary %q", got)
		}
		x := cuDownload(t, planner, "/cultivation/support?format=xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(xr) != 3 || len(xr[0]) != 8 || xr[1][2] != "协调用地指标" || xr[1][3] != "市自然资源局" || xr[1][4] != "2020-06-30" || xr[1][6] != "逾期" {
			t.Errorf("support XLSX: %q", xr)
		}

		// The enterprise user: its own plan and classification; another enterprise's are
		// 404 exactly like ids that do not exist; no forms to change anything.
		doc = cuGet(t, ent, "/cultivation/support", 200)
		if n := doc.Find("[data-testid=measures] tbody tr").Length(); n != 1 || doc.Find("[data-testid=measure-form]").Length() != 0 {
			t.Errorf("enterprise user sees %d measures (want its 1) or the form", n)
		}
		cuGet(t, ent, fmt.Sprintf("/cultivation/support?enterprise_id=%d", b), 404)
		cuGet(t, ent, fmt.Sprintf("/cultivation/enterprises/%d", b), 404)
		cuGet(t, ent, "/cultivation/enterprises/99999999", 404)
		cuGet(t, ent, fmt.Sprintf("/cultivation/enterprises/%d", a), 200)
		x = cuDownload(t, ent, "/cultivation/support?format=csv")
		if bytes.Contains(x, []byte("上市辅导")) || !bytes.Contains(x, []byte("协调用地指标")) {
			t.Errorf("enterprise user's export:\n%s", x)
		}
		doc = cuGet(t, ent, "/cultivation/classes/leader", 200)
		if n := doc.Find("[data-testid=register] tbody tr").Length(); n != 1 {
			t.Errorf("enterprise user's register has %d rows, want its own", n)
		}
		post(ent, "/cultivation/support", url.Values{"enterprise_id": {fmt.Sprint(a)}, "measure": {"m"}, "department": {"d"}, "due_date": {"2030-01-01"}},
			http.StatusForbidden)
		post(ent, "/cultivation/criteria", url.Values{"class": {"leader"}, "kind": {"chain_leader"}}, http.StatusForbidden)
		doc = cuGet(t, planner, "/cultivation/support", 200)
		if n := doc.Find("[data-testid=measures] tbody tr").Length(); n != 2 {
			t.Errorf("%d measures after refused posts, want 2", n)
		}
		// The planner moves a measure on; it is no longer overdue once done.
		var id string
		doc.Find("[data-testid=measures] tbody tr").Each(func(_ int, r *goquery.Selection) {
			if c := plCells(r.Find("td")); c[1] == "虔东稀土" {
				id = c[0]
			}
		})
		post(planner, "/cultivation/support/"+id+"/status", url.Values{"status": {"done"}}, http.StatusSeeOther)
		doc = cuGet(t, planner, "/cultivation/support?overdue=1", 200)
		if n := doc.Find("[data-testid=measures] tbody tr td.empty").Length(); n != 1 {
			t.Errorf("overdue list not empty after done")
		}
		// The cultivation list through the page.
		post(planner, "/cultivation/classes/srdi/list", url.Values{"enterprise_id": {fmt.Sprint(ids["孚能科技"])}}, http.StatusSeeOther)
		doc = cuGet(t, planner, "/cultivation/classes/srdi?on_list=1", 200)
		if c := plCells(doc.Find("[data-testid=register] tbody tr").First().Find("td")); len(c) < 6 || c[1] != "孚能科技" || c[5] != "是" {
			t.Errorf("srdi list: %q", c)
		}
	})
}
