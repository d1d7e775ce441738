package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/chain/chaintest"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

var ctx = context.Background()

// chainRow returns the cells of the chain-links row whose link column is name.
func chainRow(t *testing.T, doc *goquery.Document, name string) []string {
	t.Helper()
	var out []string
	doc.Find(`[data-testid=chain-links] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		cells := tr.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) })
		if len(cells) > 1 && cells[1] == name {
			out = cells
		}
	})
	if out == nil {
		t.Fatalf("no row for %s", name)
	}
	return out
}

func TestChainPageShowsComputedStrengthGraphAndExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		chaintest.Seed(t, db)
		env.AddUser("pl", auth.Planner, "", 0)
		c := env.Login("pl")

		doc := admExpect(t, c.Get("/chains"), http.StatusOK, "chain list")
		if href, _ := doc.Find(`[data-testid=chain-list] tbody a`).Attr("href"); href != "/chains/re" {
			t.Fatalf("chain list links to %q", href)
		}
		doc = admExpect(t, c.Get("/chains/re"), http.StatusOK, "chain page")
		// Columns: stage, link, industry, enterprises, count, leader, output, share, LQ, rank, status, strategy, reason.
		sep := chainRow(t, doc, "分离冶炼")
		if sep[3] != "甲" || sep[4] != "1" || sep[5] != "甲" || sep[6] != "150.00 亿元" || sep[7] != "94.9%" || sep[8] != "4.00" ||
			sep[9] != "100%" || sep[10] != "强链" || sep[11] != "延链" {
			t.Errorf("分离冶炼 row %q", sep)
		}
		rec := chainRow(t, doc, "废料回收")
		if rec[4] != "0" || rec[8] != "无参照数据" || rec[10] != "缺链" || rec[11] != "补链" || !strings.Contains(rec[12], "缺链") {
			t.Errorf("废料回收 row %q", rec)
		}
		if pm := chainRow(t, doc, "永磁材料"); pm[8] != "0.50" || pm[10] != "弱链" || !strings.Contains(pm[12], "低于阈值 1") {
			t.Errorf("永磁材料 row %q", pm)
		}
		if b := doc.Find(`[data-testid=chain-basis]`).Text(); !strings.Contains(b, "REV") || !strings.Contains(b, "2012") || !strings.Contains(b, "江西省") {
			t.Errorf("basis line %q lacks indicator, period or reference", b)
		}
		raw, _ := doc.Find(`[data-testid=chain-graph]`).Attr("data-graph")
		var g struct {
			Nodes []struct{ Name, Status string }
			Edges []struct {
				Feedback bool
			}
		}
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			t.Fatalf("graph JSON: %v\n%s", err, raw)
		}
		fb := 0
		for _, e := range g.Edges {
			if e.Feedback {
				fb++
			}
		}
		if len(g.Nodes) != 3 || len(g.Edges) != 3 || fb != 1 || g.Nodes[0].Status != "strong" {
			t.Errorf("graph %+v", g)
		}
		if doc.Find(`[data-testid=link-form]`).Length() != 1 || doc.Find(`[data-testid=chain-edges] tbody tr`).Length() != 3 {
			t.Error("planner sees no edit forms or not every edge")
		}

		// XLSX of the links, opened back: numbers stay numbers, no reference stays words.
		href, _ := doc.Find(`[data-testid=export-xlsx]`).First().Attr("href")
		resp, b := expGet(t, c, href, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("xlsx %d", resp.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		if len(rows) != 4 || rows[0][8] != "区位熵" || len(rows[0]) != 13 {
			t.Fatalf("xlsx rows %q", rows)
		}
		found := false
		for _, r := range rows[1:] {
			if r[1] == "分离冶炼" {
				found = true
				if r[8] != "4" || r[6] != "150" || r[10] != "强链" {
					t.Errorf("xlsx row %q", r)
				}
			}
			if r[1] == "废料回收" && r[8] != "无参照数据" {
				t.Errorf("xlsx row %q", r)
			}
		}
		if !found {
			t.Error("no 分离冶炼 row in the XLSX")
		}
		// The edge table has its own CSV.
		_, b = expGet(t, c, "/chains/re?table=edges&format=csv", true)
		recs := expCSV(t, b)
		if len(recs) != 4 || strings.Join(recs[0], "|") != "From|To|Kind" || !strings.Contains(fmt.Sprint(recs), "[废料回收 分离冶炼 Feedback]") {
			t.Errorf("edges CSV %q", recs)
		}
	})
}

func TestChainEditsThroughThePagesAndRoleBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		s := chaintest.Seed(t, db)
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("vw", auth.Viewer, "", 0)
		env.AddUser("ct", auth.County, "360702", 0)
		env.AddUser("en", auth.Enterprise, "", s.Jia)
		c := env.Login("pl")
		c.Get("/chains/re").Body.Close()
		edges := func() int { e, _ := db.ChainEdges(ctx, "re"); return len(e) }
		id := func(v int64) string { return fmt.Sprint(v) }

		// A cycle: refused at the field, in Chinese, nothing written.
		doc := admExpect(t, c.PostForm("/chains/re/edges", url.Values{"from": {id(s.PM)}, "to": {id(s.Sep)}, "kind": {"flow"}}),
			http.StatusUnprocessableEntity, "cycle")
		if msg := doc.Find(`#new-edge [data-field=to]`).Text(); !strings.Contains(msg, "永磁材料 → 分离冶炼 → 永磁材料") {
			t.Errorf("cycle message %q", msg)
		}
		if edges() != 3 {
			t.Error("the refused edge was written")
		}
		// An enterprise of another industry: refused at the field.
		doc = admExpect(t, c.PostForm("/chains/re/placements", url.Values{"link_id": {id(s.Sep)}, "enterprise": {"乙"}, "source": {"t"}}),
			http.StatusUnprocessableEntity, "other industry")
		if msg := doc.Find(`#new-placement [data-field=enterprise_id]`).Text(); !strings.Contains(msg, "乙") || !strings.Contains(msg, "分离冶炼") {
			t.Errorf("industry message %q", msg)
		}
		// A link posted to another chain's address changes nothing there.
		if resp := c.PostForm("/chains/other/edges", url.Values{"from": {id(s.Sep)}, "to": {id(s.PM)}, "kind": {"flow"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("cross-chain post: %d", resp.StatusCode)
		}
		// Create, place, edit and delete a link.
		admSeeOther(t, c.PostForm("/chains/re/links", url.Values{"code": {"metal"}, "name_zh": {"稀土金属"}, "industry_code": {"RE-SMELT"},
			"stage": {"2"}, "source": {"issue 4"}}), "/chains/re?ok=link_created", "create link")
		links, _ := db.ChainLinks(ctx, "re")
		var metal int64
		for _, l := range links {
			if l.Code == "metal" {
				metal = l.ID
			}
		}
		admSeeOther(t, c.PostForm("/chains/re/placements", url.Values{"link_id": {id(metal)}, "enterprise": {id(s.Jia)}, "leader": {"1"},
			"source": {"t"}}), "/chains/re?ok=placed", "place")
		doc = admExpect(t, c.Get(fmt.Sprintf("/chains/re/links/%d", metal)), http.StatusOK, "link page")
		if doc.Find(`[data-testid=link-enterprises] tbody tr`).Length() != 1 || !strings.Contains(doc.Find(`[data-testid=link-enterprises]`).Text(), "链主") {
			t.Error("link page does not list 甲 as 链主")
		}
		doc = admExpect(t, c.PostForm(fmt.Sprintf("/chains/re/links/%d", metal), url.Values{"name_zh": {"稀土金属"}, "industry_code": {"RE-SMELT"},
			"stage": {"x"}, "source": {"t"}}), http.StatusUnprocessableEntity, "bad stage")
		if doc.Find(`[data-field=stage]`).Length() != 1 {
			t.Error("bad stage not shown at its field")
		}
		admSeeOther(t, c.PostForm(fmt.Sprintf("/chains/re/links/%d/delete", metal), url.Values{}), "/chains/re?ok=link_deleted", "delete link")

		// A viewer reads but has no forms and may not post; an enterprise user sees nothing.
		v := env.Login("vw")
		doc = admExpect(t, v.Get("/chains/re"), http.StatusOK, "viewer")
		if doc.Find(`form[data-testid=link-form]`).Length() != 0 || doc.Find(`[data-testid=chain-links] button`).Length() != 0 {
			t.Error("viewer sees edit controls")
		}
		if resp := v.PostForm("/chains/re/links/"+id(s.Sep)+"/delete", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer delete: %d", resp.StatusCode)
		}
		if _, err := db.ChainLinkByID(ctx, s.Sep); err != nil {
			t.Error("viewer deleted a link")
		}
		e := env.Login("en")
		for _, p := range []string{"/chains", "/chains/re", "/chains/re/links/" + id(s.Sep), "/chains/re?format=csv"} {
			if resp := e.Get(p); resp.StatusCode != http.StatusForbidden {
				t.Errorf("enterprise user GET %s: %d", p, resp.StatusCode)
			}
		}
		// A county officer sees link totals but no enterprise's own figure.
		doc = admExpect(t, env.Login("ct").Get("/chains/re/links/"+id(s.Sep)), http.StatusOK, "county link page")
		if got := doc.Find(`[data-testid=link-output]`).Text(); !strings.Contains(got, "150.00 亿元") {
			t.Errorf("county link total %q", got)
		}
		if strings.Contains(doc.Find(`[data-testid=link-enterprises]`).Text(), "150.00") {
			t.Error("county sees an enterprise's own output")
		}
	})
}

func TestChainSettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		chaintest.Seed(t, db)
		env.AddUser("pl", auth.Planner, "", 0)
		c := env.Login("pl")
		form := url.Values{"indicator": {"REV"}, "region": {"360700"}, "reference": {"360000"}, "total_industry": {"IND"},
			"strong_lq": {"abc"}, "strong_quantile": {"0.75"}, "min_enterprises": {"1"}}
		doc := admExpect(t, c.PostForm("/chains/settings", form), http.StatusUnprocessableEntity, "bad settings")
		if msg := doc.Find(`[data-field=strong_lq]`).Text(); !strings.Contains(msg, "abc") {
			t.Errorf("strong_lq message %q", msg)
		}
		form.Set("strong_lq", "5")
		admSeeOther(t, c.PostForm("/chains/settings", form), "/chains/settings?ok=saved", "save")
		doc = admExpect(t, c.Get("/chains/re"), http.StatusOK, "chain page")
		if sep := chainRow(t, doc, "分离冶炼"); sep[10] != "弱链" || sep[11] != "强链" {
			t.Errorf("with LQ threshold 5: %q", sep)
		}
	})
}
