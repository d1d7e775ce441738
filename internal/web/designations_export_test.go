package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestDesignationListExports: the class page's designation list is exported as XLSX
// (opened back with excelize) and CSV, with the same rows the section shows — the
// enterprise, the source document, the period — and the page links to both files.
func TestDesignationListExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		ids := cuIDs(t, db)
		env.AddUser("dx-planner", auth.Planner, "", 0)
		planner := env.Login("dx-planner")
		const src = "测试：工信部专精特新“小巨人”名单"
		for _, n := range []string{"章源钨业", "虔东稀土"} {
			resp := planner.PostForm("/cultivation/classes/srdi/designations", url.Values{"enterprise_id": {fmt.Sprint(ids[n])}, "source": {src},
				"period": {"2023"}, "quote": {n + "入选"}})
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("designate %s: %d", n, resp.StatusCode)
			}
		}
		doc := cuGet(t, planner, "/cultivation/classes/srdi", 200)
		xh, _ := doc.Find("[data-testid=designations-xlsx]").Attr("href")
		ch, _ := doc.Find("[data-testid=designations-csv]").Attr("href")
		if xh != "/cultivation/classes/srdi?table=designations&format=xlsx" || ch != "/cultivation/classes/srdi?table=designations&format=csv" {
			t.Fatalf("export links %q %q", xh, ch)
		}
		f, err := excelize.OpenReader(bytes.NewReader(cuDownload(t, planner, xh)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(rows) != 3 || fmt.Sprint(rows[0]) != "[编号 企业名称 来源文件 文件年份/月份 原文摘录]" {
			t.Fatalf("XLSX rows %q", rows)
		}
		got := map[string][]string{}
		for _, r := range rows[1:] {
			got[r[1]] = r
		}
		for _, n := range []string{"章源钨业", "虔东稀土"} {
			r := got[n]
			if len(r) != 5 || r[0] != fmt.Sprint(ids[n]) || r[3] != "2023" || r[4] != n+"入选" || r[2] != src {
				t.Errorf("XLSX row of %s: %q", n, r)
			}
		}
		c, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cuDownload(t, planner, ch), []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 3 || fmt.Sprint(c) != fmt.Sprint(rows) {
			t.Errorf("CSV %q differs from XLSX %q", c, rows)
		}
	})
}
