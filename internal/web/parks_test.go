package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// The park, project and lead pages through a real server on a real database with the
// default dataset: rows and counts from the article, exports opened back, the layout map's
// data, forms that refuse bad input in Chinese naming the field, and enterprise users who
// guess another enterprise's project id.

func pkExport(t *testing.T, c *webtest.Client, path, format string) [][]string {
	t.Helper()
	resp := c.Get(path + "&format=" + format)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return swExportRows(t, format, resp, b)
}

func pkHas(rows [][]string, cell string) bool {
	for _, r := range rows {
		for _, c := range r {
			if strings.Contains(c, cell) {
				return true
			}
		}
	}
	return false
}

func TestParkPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("viewer", auth.Viewer, "", 0)
		c := env.Login("viewer")

		doc := admExpect(t, c.Get("/parks"), http.StatusOK, "parks")
		rows := swRows(doc, "parks")
		if len(rows) != 7 {
			t.Fatalf("%d park rows, want the 7 the article names: %v", len(rows), rows)
		}
		counts := swText(doc.Find(`[data-testid="park-counts"]`))
		for _, want := range []string{"省级战略性新兴产业基地数", "6 个", "规划建设的特色产业园区数", "30 个", "2013", "文章"} {
			if !strings.Contains(counts, want) {
				t.Errorf("counts lack %q: %s", want, counts)
			}
		}
		for _, format := range []string{"xlsx", "csv"} {
			x := pkExport(t, c, "/parks?kind=provincial_base", format)
			if len(x) != 4 || !pkHas(x[:1], "名称") || !pkHas(x, "赣县钨和稀土产业配套基地") || !pkHas(x, "6个省级战略性新兴产业基地") {
				t.Errorf("%s export of the provincial bases: %v", format, x)
			}
		}

		doc = admExpect(t, c.Get("/parks/base:ganxian-wre"), http.StatusOK, "park")
		if got := swText(doc.Find(`[data-testid="park-region"]`)); got != "赣县区（360704）" {
			t.Errorf("region %q", got)
		}
		if got := swText(doc.Find(`[data-testid="park-industries"]`)); !strings.Contains(got, "钨产业") || !strings.Contains(got, "稀土产业") {
			t.Errorf("industries %q", got)
		}
		if !strings.Contains(swText(doc.Find(`[data-testid="park-quote"]`)), "赣县钨和稀土产业配套基地") {
			t.Errorf("no quote on the park page")
		}
		doc = admExpect(t, c.Get("/parks/park:national-re-sci"), http.StatusOK, "unplaced park")
		if got := swText(doc.Find(`[data-testid="park-status"]`)); got != "在建" {
			t.Errorf("国家稀土科技产业园 status %q, want 在建", got)
		}
		admExpect(t, c.Get("/parks/park:none"), http.StatusNotFound, "unknown park")

		doc = admExpect(t, c.Get("/parks/layout"), http.StatusOK, "layout")
		if n := len(swRows(doc, "layout-parks")); n != 7 {
			t.Errorf("%d parks in the layout", n)
		}
		if got := swText(doc.Find(`[data-testid="layout-placed"]`)); !strings.HasPrefix(got, "1 个（共 7 个）") {
			t.Errorf("placed: %q", got)
		}
		var m struct {
			Map  string
			Data []struct {
				Name  string
				Value int
				Zones []string
				Parks []string
			}
		}
		raw, _ := doc.Find(`[data-testid="park-map"]`).Attr("data-map")
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("map data: %v: %s", err, raw)
		}
		byName := map[string]int{}
		for i, d := range m.Data {
			byName[d.Name] = i
		}
		gx, ok := byName["赣县区"]
		if m.Map != "赣州" || !ok || m.Data[gx].Value != 1 || m.Data[gx].Parks[0] != "赣县钨和稀土产业配套基地" {
			t.Errorf("map: %+v", m)
		}
		if i, ok := byName["瑞金市"]; !ok || m.Data[i].Value != 0 || !strings.Contains(strings.Join(m.Data[i].Zones, ","), "瑞金兴国至龙岩") {
			t.Errorf("瑞金市 on the map: %+v", m.Data)
		}
		if n := doc.Find(`h3[data-testid="goal"]`).Length(); n != 5 {
			t.Errorf("%d goals of 四基地一工程, want 5", n)
		}
		if doc.Find(`tr[data-target="t2017-pm-motor"]`).Length() != 1 {
			t.Errorf("the permanent-magnet motor target is not linked to its goal")
		}

		resp := c.Get("/lang?to=en&next=/parks/layout")
		resp.Body.Close()
		doc = admExpect(t, c.Get("/parks/layout"), http.StatusOK, "layout in English")
		if got := swText(doc.Find("h1")); got != "Regional layout: one core, two wings and the parks" {
			t.Errorf("English heading %q", got)
		}
	})
}

type pkFixture struct {
	env        *webtest.Env
	link       int64
	entA, entB int64
}

func pkSetup(t *testing.T, db *store.DB) pkFixture {
	t.Helper()
	plLoad(t, db)
	ctx := context.Background()
	var f pkFixture
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertChain(ctx, store.Chain{Code: "re", NameZh: "稀土产业链", IndustryCode: "RE", Acyclic: true, Source: "t"}); err != nil {
			return err
		}
		var err error
		if f.link, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "re", Code: "pm", NameZh: "永磁材料", IndustryCode: "RE", Source: "t"}); err != nil {
			return err
		}
		if f.entA, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "甲磁材", RegionCode: "360704", Source: "t"}); err != nil {
			return err
		}
		f.entB, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "乙电机", RegionCode: "360702", Source: "t"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.env = webtest.Start(t, db, web.Config{})
	f.env.AddUser("planner", auth.Planner, "", 0)
	f.env.AddUser("ent-a", auth.Enterprise, "", f.entA)
	f.env.AddUser("viewer", auth.Viewer, "", 0)
	return f
}

func (f pkFixture) projectForm(name string, ent int64, changes ...string) url.Values {
	v := url.Values{"name_zh": {name}, "stage": {"planning"}, "link_id": {fmt.Sprint(f.link)}, "region_code": {"360704"},
		"park_code": {"base:ganxian-wre"}, "enterprise_id": {fmt.Sprint(ent)}, "unit": {"亿元"}, "invest_planned": {"13.5"},
		"jobs_planned": {"300"}, "source": {"市发改委"}}
	for i := 0; i+1 < len(changes); i += 2 {
		v.Set(changes[i], changes[i+1])
	}
	return v
}

func TestProjectPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pkSetup(t, db)
		c := f.env.Login("planner")
		count := func() int {
			p, _ := db.ListProjects(context.Background(), store.ProjectFilter{Scope: store.ProjectScope{All: true}}, store.ListQuery{Limit: 1})
			return p.Total
		}

		// Bad input: the form comes back with the problem beside its field, in Chinese, and nothing is written.
		for field, change := range map[string][]string{
			"invest_planned": {"invest_planned", "-1"}, "park_code": {"park_code", "park:nowhere"},
			"region_code": {"region_code", "369999"}, "link_id": {"link_id", "987654"},
		} {
			doc := admExpect(t, c.PostForm("/projects", f.projectForm("坏项目", f.entA, change...)), http.StatusUnprocessableEntity, "bad "+field)
			msg := swText(doc.Find(`p.error[data-field="` + field + `"]`))
			if msg == "" || !strings.Contains(msg, change[1]) {
				t.Errorf("%s: error %q should name the value %q", field, msg, change[1])
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("refused forms wrote %d projects", n)
		}

		loc := admSeeOther(t, c.PostForm("/projects", f.projectForm("年产5000吨钕铁硼项目", f.entA)), "/projects/", "create")
		doc := admExpect(t, c.Get(loc), http.StatusOK, "project page")
		if got := swText(doc.Find(`[data-testid="invest-planned"]`)); got != "135,000 万元" {
			t.Errorf("planned investment %q, want 135,000 万元", got)
		}
		// The edit form shows the amounts in 万元 as stored and takes progress figures.
		doc = admExpect(t, c.Get(loc+"/edit"), http.StatusOK, "edit form")
		if v, _ := doc.Find(`input[name="invest_planned"]`).Attr("value"); v != "135000" {
			t.Errorf("edit form investment %q, want 135000 (万元)", v)
		}
		edit := f.projectForm("年产5000吨钕铁硼项目", f.entA, "unit", "万元", "invest_planned", "135000", "invest_completed", "25000.5",
			"jobs_created", "120", "start_actual", "2014-03-18")
		doc = admExpect(t, c.PostForm(loc, f.projectForm("x", f.entA, "jobs_created", "-4")), http.StatusUnprocessableEntity, "negative jobs")
		if doc.Find(`p.error[data-field="jobs_created"]`).Length() != 1 {
			t.Errorf("the edit form does not name jobs_created")
		}
		admSeeOther(t, c.PostForm(loc, edit), loc, "edit")
		doc = admExpect(t, c.Get(loc), http.StatusOK, "project after edit")
		if got := swText(doc.Find(`[data-testid="invest-completed"]`)); got != "25,000.5 万元" {
			t.Errorf("completed investment %q", got)
		}
		admSeeOther(t, c.PostForm(loc+"/stage", url.Values{"stage": {"signed"}}), loc, "move to signed")
		doc = admExpect(t, c.PostForm(loc+"/stage", url.Values{"stage": {"planning"}}), http.StatusUnprocessableEntity, "backwards without reason")
		if msg := swText(doc.Find(`p.error[data-field="reason"]`)); !strings.Contains(msg, "必须说明原因") {
			t.Errorf("backwards error %q", msg)
		}
		if got := swText(doc.Find(`[data-testid="project-stage"]`)); got != "签约" {
			t.Errorf("stage after the refused move %q, want 签约", got)
		}
		admSeeOther(t, c.PostForm(loc+"/blockers", url.Values{"kind": {"land"}, "description": {"用地指标未落实"}, "owner": {"市自然资源局"},
			"due_date": {"2000-01-31"}}), loc, "add blocker")
		doc = admExpect(t, c.PostForm(loc+"/blockers", url.Values{"kind": {"land"}, "description": {"x"}}), http.StatusUnprocessableEntity, "blocker without owner")
		if doc.Find(`p.error[data-field="owner"]`).Length() != 1 || doc.Find(`p.error[data-field="due_date"]`).Length() != 1 {
			t.Errorf("the blocker form does not name owner and due date")
		}
		doc = admExpect(t, c.Get("/projects?flag=overdue"), http.StatusOK, "overdue list")
		if rows := swRows(doc, "projects"); len(rows) != 1 || !strings.Contains(rows[0][11], "逾期") {
			t.Errorf("overdue list %v", rows)
		}
		for _, format := range []string{"csv", "xlsx"} {
			x := pkExport(t, c, "/projects?flag=overdue", format)
			if len(x) != 2 || x[1][1] != "年产5000吨钕铁硼项目" || x[1][7] != "135000" || x[1][2] != "签约" {
				t.Errorf("%s export %v", format, x)
			}
		}

		// An enterprise user: its own project only; another's id is a 404 like a missing one.
		admSeeOther(t, c.PostForm("/projects", f.projectForm("乙的项目", f.entB, "region_code", "360702")), "/projects/", "create B")
		a := f.env.Login("ent-a")
		doc = admExpect(t, a.Get("/projects"), http.StatusOK, "enterprise list")
		if rows := swRows(doc, "projects"); len(rows) != 1 || rows[0][1] != "年产5000吨钕铁硼项目" {
			t.Errorf("enterprise user's list %v", rows)
		}
		x := pkExport(t, a, "/projects?q=", "csv")
		if len(x) != 2 || pkHas(x, "乙的项目") {
			t.Errorf("enterprise user's export %v", x)
		}
		var otherID int64
		p, _ := db.ListProjects(context.Background(), store.ProjectFilter{Scope: store.ProjectScope{EnterpriseID: f.entB}}, store.ListQuery{})
		otherID = p.Rows[0].ID
		other := admExpect(t, a.Get(fmt.Sprintf("/projects/%d", otherID)), http.StatusNotFound, "another enterprise's project")
		missing := admExpect(t, a.Get("/projects/999999"), http.StatusNotFound, "a missing project")
		if m := swText(other.Find(`[data-testid="error-message"]`)); m == "" || m != swText(missing.Find(`[data-testid="error-message"]`)) {
			t.Errorf("another enterprise's project answers differently from a missing one")
		}
		admExpect(t, a.PostForm(fmt.Sprintf("/projects/%d/stage", otherID), url.Values{"stage": {"signed"}}), http.StatusForbidden, "enterprise moves a project")
		admExpect(t, a.Get(loc+"/edit"), http.StatusForbidden, "enterprise user edits its own project")
		admExpect(t, f.env.Login("viewer").Get("/projects"), http.StatusForbidden, "viewer lists projects")
	})
}

func TestLeadPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := pkSetup(t, db)
		c := f.env.Login("planner")
		doc := admExpect(t, c.PostForm("/leads", url.Values{"target_name": {"甲磁材"}, "link_id": {fmt.Sprint(f.link)}, "region_code": {"360700"}}),
			http.StatusUnprocessableEntity, "lead for a local enterprise")
		if msg := swText(doc.Find(`p.error[data-field="target_name"]`)); !strings.Contains(msg, "已在本地") || !strings.Contains(msg, "360704") {
			t.Errorf("local enterprise error %q", msg)
		}
		if l, _ := db.ListLeads(context.Background(), "", store.ListQuery{}); l.Total != 0 {
			t.Fatalf("a refused lead was written")
		}
		loc := admSeeOther(t, c.PostForm("/leads", url.Values{"target_name": {"宁波某磁业"}, "origin": {"宁波"}, "link_id": {fmt.Sprint(f.link)},
			"region_code": {"360700"}, "park_code": {"base:gzedz-rew"}}), "/leads/", "add lead")
		admSeeOther(t, c.PostForm(loc+"/stage", url.Values{"stage": {"negotiation"}}), loc, "advance")
		doc = admExpect(t, c.PostForm(loc+"/convert", url.Values{"unit": {"亿元"}, "invest_planned": {"-5"}}), http.StatusUnprocessableEntity, "negative signing")
		if doc.Find(`p.error[data-field="invest_planned"]`).Length() != 1 {
			t.Errorf("the signing form does not name the investment")
		}
		ploc := admSeeOther(t, c.PostForm(loc+"/convert", url.Values{"project_name": {"磁材项目"}, "unit": {"亿元"}, "invest_planned": {"5"}}), "/projects/", "sign")
		doc = admExpect(t, c.Get(ploc), http.StatusOK, "the lead's project")
		if swText(doc.Find(`[data-testid="project-stage"]`)) != "签约" || swText(doc.Find(`[data-testid="invest-planned"]`)) != "50,000 万元" {
			t.Errorf("project from the lead: %s", swText(doc.Find("main")))
		}
		doc = admExpect(t, c.Get(loc), http.StatusOK, "signed lead")
		if swText(doc.Find(`[data-testid="lead-stage"]`)) != "签约" || doc.Find(`[data-testid="lead-project"] a`).AttrOr("href", "") != ploc {
			t.Errorf("signed lead page: %s", swText(doc.Find("main")))
		}
		x := pkExport(t, c, "/leads?stage=signed", "xlsx")
		if len(x) != 2 || x[1][1] != "宁波某磁业" {
			t.Errorf("lead export %v", x)
		}
		admExpect(t, f.env.Login("ent-a").Get("/leads"), http.StatusForbidden, "enterprise user lists leads")

		// An enterprise in the registry whose place is not recorded does not block a lead; the
		// lead page says why it might be local.
		if err := db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.InsertEnterprise(context.Background(), store.Enterprise{NameZh: "丙电池", Source: "t"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		uloc := admSeeOther(t, c.PostForm("/leads", url.Values{"target_name": {"丙电池"}, "link_id": {fmt.Sprint(f.link)},
			"region_code": {"360700"}}), "/leads/", "lead for an enterprise of unknown place")
		doc = admExpect(t, c.Get(uloc), http.StatusOK, "lead with a warning")
		if w := swText(doc.Find(`[data-testid="lead-warning"]`)); !strings.Contains(w, "丙电池") {
			t.Errorf("lead page warning %q, want one naming 丙电池", w)
		}
		doc = admExpect(t, c.Get(loc), http.StatusOK, "lead without a warning")
		if n := doc.Find(`[data-testid="lead-warning"]`).Length(); n != 0 {
			t.Errorf("a lead for an enterprise from elsewhere shows %d warnings", n)
		}
	})
}

// The stall limit is the server's configuration: the same project, 10 days without a stage
// change, is stalled under a 5-day limit and not under the default.
func TestProjectStallLimitIsConfigured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pkSetup(t, db)
		tenDaysAgo := time.Now().AddDate(0, 0, -10)
		svc := &project.Service{DB: db, Now: func() time.Time { return tenDaysAgo }}
		in := project.Input{NameZh: "十天未动的项目", RegionCode: "360704", Source: "t"}
		if _, err := svc.Create(context.Background(), &auth.Principal{Username: "t", Role: auth.Planner}, in); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			days int
			want int
		}{{0, 0}, {5, 1}} {
			env := webtest.Start(t, db, web.Config{ProjectStallDays: c.days})
			env.AddUser(fmt.Sprint("planner", c.days), auth.Planner, "", 0)
			doc := admExpect(t, env.Login(fmt.Sprint("planner", c.days)).Get("/projects?flag=stalled"), http.StatusOK, "stalled list")
			if rows := swRows(doc, "projects"); len(rows) != c.want {
				t.Errorf("stall limit %d days: %d stalled rows, want %d", c.days, len(rows), c.want)
			}
		}
	})
}
