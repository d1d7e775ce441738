package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The finance pages on the default dataset: the article's funds and its 41亿 total with
// period and source, investments and instruments entered through the forms and exported,
// the listing pipeline, and an enterprise user who sees its own rows only.
func TestFinancePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		ids := cuIDs(t, db)
		a, b := ids["虔东稀土"], ids["章源钨业"]
		var prj int64
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			var err error
			prj, err = tx.InsertProject(context.Background(), store.Project{NameZh: "稀土永磁扩产项目", Stage: "building", EnterpriseID: b,
				Source: "test", CreatedAt: time.Now(), UpdatedAt: time.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		env.AddUser("fin-planner", auth.Planner, "", 0)
		env.AddUser("fin-ent", auth.Enterprise, "", a)
		planner, ent := env.Login("fin-planner"), env.Login("fin-ent")

		doc := cuGet(t, planner, "/finance/funds", 200)
		if got := plText(doc, "[data-testid=raised]"); !strings.Contains(got, "41 亿元") || !strings.Contains(got, "2013") ||
			!strings.Contains(got, "文章") || !strings.Contains(got, "设立红石、盛虔等股权投资基金") {
			t.Errorf("raised: %q", got)
		}
		var funds [][]string
		doc.Find("[data-testid=funds] tbody tr").Each(func(_ int, r *goquery.Selection) { funds = append(funds, plCells(r.Find("td"))) })
		if len(funds) != 3 || funds[0][0] != "红石" || funds[0][3] != "未给出" || funds[2][0] != "稀土钨产业发展基金" || funds[2][2] != "建议设立" {
			t.Errorf("funds: %q", funds)
		}

		post := func(c *webtest.Client, path string, v url.Values, want int) string {
			t.Helper()
			resp := c.PostForm(path, v)
			body := webtest.ReadBody(resp)
			if resp.StatusCode != want {
				t.Fatalf("POST %s: %d, want %d\n%s", path, resp.StatusCode, want, body)
			}
			return body
		}
		post(planner, "/finance/investments", url.Values{"fund": {"hongshi"}, "kind": {"commitment"}, "enterprise_id": {fmt.Sprint(a)},
			"amount": {"1.2"}, "unit": {"亿元"}, "date": {"2013-05-01"}, "source": {"基金公告"}}, http.StatusSeeOther)
		post(planner, "/finance/investments", url.Values{"fund": {"shengqian"}, "kind": {"investment"}, "project_id": {fmt.Sprint(prj)},
			"amount": {"2500"}, "unit": {"万元"}, "date": {"2013-06-01"}, "source": {"基金公告"}}, http.StatusSeeOther)
		body := post(planner, "/finance/investments", url.Values{"fund": {"hongshi"}, "kind": {"investment"}, "enterprise_id": {fmt.Sprint(a)},
			"amount": {"-3"}, "unit": {"万元"}, "date": {"2013-06-01"}, "source": {"x"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "金额“-3”必须大于零") {
			t.Errorf("negative amount page:\n%s", body)
		}
		doc = cuGet(t, planner, "/finance/investments", 200)
		if n := doc.Find("[data-testid=investments] tbody tr").Length(); n != 2 {
			t.Fatalf("%d investments, want 2", n)
		}
		x := cuDownload(t, planner, "/finance/investments?format=xlsx&sort=date&dir=asc")
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(rows) != 3 || rows[0][4] != "金额（万元）" || rows[1][3] != "企业：虔东稀土" || rows[1][4] != "12000" ||
			rows[2][3] != "项目：稀土永磁扩产项目" || rows[2][4] != "2500" {
			t.Errorf("investments XLSX: %q", rows)
		}
		// The enterprise user sees the investment into itself, not the one into another's project.
		doc = cuGet(t, ent, "/finance/investments", 200)
		if c := plCells(doc.Find("[data-testid=investments] tbody tr td")); doc.Find("[data-testid=investments] tbody tr").Length() != 1 ||
			c[3] != "企业：虔东稀土" || c[4] != "12,000 万元" {
			t.Errorf("enterprise user's investments: %q", c)
		}
		cuGet(t, ent, fmt.Sprintf("/finance/investments?enterprise_id=%d", b), 404)
		if doc.Find("[data-testid=investment-form]").Length() != 0 {
			t.Errorf("enterprise user is offered the investment form")
		}
		post(ent, "/finance/investments", url.Values{"fund": {"hongshi"}, "kind": {"investment"}, "enterprise_id": {fmt.Sprint(a)},
			"amount": {"1"}, "date": {"2013-06-01"}, "source": {"x"}}, http.StatusForbidden)

		post(planner, "/finance/financings", url.Values{"enterprise_id": {fmt.Sprint(a)}, "kind": {"mtn"}, "amount": {"5"}, "unit": {"亿元"},
			"issued_on": {"2014-03-01"}, "matures_on": {"2019-03-01"}, "source": {"发行公告"}}, http.StatusSeeOther)
		doc = cuGet(t, planner, "/finance/financings", 200)
		if c := plCells(doc.Find("[data-testid=financings] tbody tr").First().Find("td")); len(c) < 6 || c[2] != "中期票据" || c[3] != "50,000 万元" {
			t.Errorf("financing row: %q", c)
		}

		post(planner, "/finance/listing", url.Values{"enterprise_id": {fmt.Sprint(a)}, "stage": {"reserve"}, "date": {"2013-01-10"}, "source": {"金融办"}}, http.StatusSeeOther)
		post(planner, "/finance/listing", url.Values{"enterprise_id": {fmt.Sprint(a)}, "stage": {"tutoring"}, "date": {"2013-06-01"}, "source": {"金融办"}}, http.StatusSeeOther)
		body = post(planner, "/finance/listing", url.Values{"enterprise_id": {fmt.Sprint(a)}, "stage": {"reserve"}, "date": {"2013-07-01"}, "source": {"金融办"}},
			http.StatusUnprocessableEntity)
		if !strings.Contains(body, "须填写原因") {
			t.Errorf("backwards page:\n%s", body)
		}
		doc = cuGet(t, planner, "/finance/listing", 200)
		if c := plCells(doc.Find("[data-testid=listing] tbody tr").First().Find("td")); len(c) != 5 || c[1] != "辅导" ||
			c[3] != "2013-01-10 上市后备 → 2013-06-01 辅导" {
			t.Errorf("listing row: %q", c)
		}
	})
}
