package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/project"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestProjectYearsEnteredOnThePage: a planner enters a year's planned and completed
// investment on the project page, in 亿元 or 万元, kept exactly (1.2345678 亿元 is
// 12,345.678 万元); entering the year again replaces it, other years stay; each write is
// audited. A bad year, a negative or malformed amount, an unknown unit and an empty entry
// come back at their field in Chinese and English and write nothing; a viewer is refused.
func TestProjectYearsEnteredOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pkSetup(t, db)
		ctx := context.Background()
		svc := &project.Service{DB: db, Now: time.Now}
		id, err := svc.Create(ctx, &auth.Principal{Username: "t", Role: auth.Planner}, project.Input{NameZh: "年度投资测试项目", RegionCode: "360704", Source: "t"})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("py-planner", auth.Planner, "", 0)
		env.AddUser("py-viewer", auth.Viewer, "", 0)
		pl, vw := env.Login("py-planner"), env.Login("py-viewer")
		page := fmt.Sprintf("/projects/%d", id)
		state := func() string {
			ys, err := db.ProjectYears(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "project"}, store.ListQuery{Limit: 1})
			return fmt.Sprint(ys, a.Total)
		}
		years := func() [][]string {
			return swRows(admExpect(t, pl.Get(page), http.StatusOK, "project page"), "project-years")
		}

		doc := admExpect(t, pl.Get(page), http.StatusOK, "project page")
		if doc.Find("[data-testid=year-form]").Length() != 1 || doc.Find("[data-testid=project-years-none]").Length() != 1 {
			t.Fatal("planner sees no year form, or the empty state is missing")
		}
		// Viewers do not read projects at all.
		admExpect(t, vw.Get(page), http.StatusForbidden, "viewer")
		before := state()
		resp := vw.PostForm(page+"/years", url.Values{"year": {"2014"}, "planned": {"1"}, "unit": {"亿元"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer posts a year: %d", resp.StatusCode)
		}
		for _, c := range []struct {
			name   string
			form   url.Values
			field  string
			zh, en string
		}{
			{"bad year", url.Values{"year": {"14"}, "planned": {"1"}}, "year", "年度 14 无效", "Year 14 is not valid"},
			{"negative", url.Values{"year": {"2014"}, "planned": {"-2"}, "unit": {"亿元"}}, "planned", "投资不能为负", "is negative"},
			{"malformed", url.Values{"year": {"2014"}, "completed": {"1.2.3"}, "unit": {"万元"}}, "completed", "金额“1.2.3”", "Amount \"1.2.3\""},
			{"unit", url.Values{"year": {"2014"}, "planned": {"1"}, "unit": {"元"}}, "unit", "元", "元"},
			{"empty", url.Values{"year": {"2014"}}, "planned", "请填写 2014 年的计划投资或完成投资", "Enter the planned or the completed investment of 2014"},
		} {
			for _, lang := range []string{"zh", "en"} {
				pl.HTTP.Jar.SetCookies(mustURL(t, env.HTTP.URL), []*http.Cookie{{Name: "zx_lang", Value: lang, Path: "/"}})
				form := url.Values{}
				for k, v := range c.form {
					form[k] = v
				}
				doc := admExpect(t, pl.PostForm(page+"/years", form), http.StatusUnprocessableEntity, c.name)
				msg := swText(doc.Find(`[data-field="` + c.field + `"]`))
				want := map[string]string{"zh": c.zh, "en": c.en}[lang]
				if !strings.Contains(msg, want) {
					t.Errorf("%s (%s): %s says %q, want %q", c.name, lang, c.field, msg, want)
				}
			}
		}
		pl.HTTP.Jar.SetCookies(mustURL(t, env.HTTP.URL), []*http.Cookie{{Name: "zx_lang", Value: "zh", Path: "/"}})
		if got := state(); got != before {
			t.Fatalf("refused entries wrote: %s → %s", before, got)
		}

		admSeeOther(t, pl.PostForm(page+"/years", url.Values{"year": {"2015"}, "planned": {"1.2345678"}, "unit": {"亿元"}}), page, "2015")
		admSeeOther(t, pl.PostForm(page+"/years", url.Values{"year": {"2014"}, "planned": {"3000"}, "completed": {"2999.5"}, "unit": {"万元"}}), page, "2014")
		if got := fmt.Sprint(years()); got != "[[2014 3,000 万元 2,999.5 万元] [2015 12,345.678 万元 0 万元]]" {
			t.Errorf("years on the page: %s", got)
		}
		// 2015 again: replaced, 2014 kept.
		admSeeOther(t, pl.PostForm(page+"/years", url.Values{"year": {"2015"}, "planned": {"1.2"}, "completed": {"0.75"}, "unit": {"亿元"}}), page, "2015 again")
		if got := fmt.Sprint(years()); got != "[[2014 3,000 万元 2,999.5 万元] [2015 12,000 万元 7,500 万元]]" {
			t.Errorf("years after replacing 2015: %s", got)
		}
		ys, _ := db.ProjectYears(ctx, id)
		if len(ys) != 2 || ys[1].Planned != 12_000_000_000 || ys[1].Completed != 7_500_000_000 {
			t.Errorf("stored years %+v", ys)
		}
		a, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "project"}, store.ListQuery{})
		n := 0
		for _, e := range a.Rows {
			if e.Action == "project.years" && e.EntityID == fmt.Sprint(id) {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d project.years audit entries, want 3", n)
		}
		if resp := pl.PostForm("/projects/987654/years", url.Values{"year": {"2014"}, "planned": {"1"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("year of a missing project: %d", resp.StatusCode)
		}
	})
}
