package web_test

import (
	"bytes"
	"encoding/csv"
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

// The innovation page on the default dataset: the article's counts with period and
// source, the named platforms with their quotes, the form, and the CSV export.
func TestInnovationPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("in-planner", auth.Planner, "", 0)
		env.AddUser("in-viewer", auth.Viewer, "", 0)
		planner, viewer := env.Login("in-planner"), env.Login("in-viewer")
		doc := cuGet(t, viewer, "/innovation", 200)
		counts := plCells(doc.Find("[data-testid=count]"))
		want := []string{"国家级工程中心、技术中心数：2 个（2013，来源：文章）", "博士后工作站数：1 个（2013，来源：文章）", "省级工程技术中心数：8 个（2013，来源：文章）"}
		if strings.Join(counts, "|") != strings.Join(want, "|") {
			t.Errorf("counts %q", counts)
		}
		if doc.Find("[data-testid=unit-form]").Length() != 0 {
			t.Errorf("a viewer is offered the form")
		}
		resp := planner.PostForm("/innovation/units", url.Values{"name_zh": {"风电永磁电机产业技术联盟"}, "category": {"alliance"}, "level": {""},
			"status": {"building"}, "source": {"市工信局"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add unit: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		resp = planner.PostForm("/innovation/units", url.Values{"name_zh": {"风电永磁电机产业技术联盟"}, "category": {"alliance"}, "status": {"building"},
			"source": {"x"}, "link_ids": {"abc"}})
		if body := webtest.ReadBody(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "已存在") ||
			!strings.Contains(body, "产业链环节编号 0 不存在") {
			t.Errorf("duplicate unit: %d\n%s", resp.StatusCode, body)
		}
		c, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cuDownload(t, planner, "/innovation?format=csv"), []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 11 || c[0][1] != "名称" || c[1][1] != "国家离子型稀土资源高效开发利用工程研究中心" || c[1][3] != "国家级" || c[1][4] != "已建成" ||
			!strings.Contains(c[1][8], "建立了国家离子型稀土资源高效开发利用工程研究中心") || c[10][2] != "产业技术联盟" {
			t.Errorf("CSV: %q", c)
		}
	})
}
