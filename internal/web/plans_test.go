package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The dashboard and the plan pages, rendered through a real server on a real database with
// the default dataset, checked by selector: the article's figures with their units,
// periods and sources; 无数据 where there is none; the status bands and growth rates of
// the targets; the basis warning of the share-of-GDP target.

func plLoad(t testing.TB, db *store.DB) {
	t.Helper()
	if _, err := dataset.Load(context.Background(), db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
		t.Fatalf("load the default dataset: %v", err)
	}
}

func plDoc(t *testing.T, resp *http.Response, what string) *goquery.Document {
	t.Helper()
	body := webtest.ReadBody(resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", what, resp.StatusCode, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// plCells is the text of each element sel matches, spaces collapsed.
func plCells(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, c *goquery.Selection) { out = append(out, strings.Join(strings.Fields(c.Text()), " ")) })
	return out
}

func plText(doc *goquery.Document, sel string) string {
	return strings.Join(strings.Fields(doc.Find(sel).First().Text()), " ")
}

func plWant(t *testing.T, doc *goquery.Document, sel, want string) {
	t.Helper()
	if got := plText(doc, sel); got != want {
		t.Errorf("%s: %q, want %q", sel, got, want)
	}
}

// plFig checks one figure: value, unit, period and source.
func plFig(t *testing.T, doc *goquery.Document, scope, value, unit, period, source string) {
	t.Helper()
	plWant(t, doc, scope+" .fig-value", value)
	plWant(t, doc, scope+" .fig-unit", unit)
	plWant(t, doc, scope+" .fig-period", period)
	plWant(t, doc, scope+" .fig-source", source)
}

func TestDashboardShowsTheArticleFiguresWithPeriodAndSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		plLoad(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		doc := plDoc(t, env.Login("planner").Get("/"), "dashboard")

		plFig(t, doc, `[data-testid="fig-VA-SEI"]`, "166.29", "亿元", "2012", "文章")
		plFig(t, doc, `[data-testid="fig-VA_GROWTH-SEI"]`, "22.2", "%", "2012", "文章")
		// The latest share is REFERENCE's 2021 figure, labelled with its own basis.
		plFig(t, doc, `[data-testid="fig-VA_SHARE_IND-SEI"]`, "37.6", "%", "2021", "G9")
		if l := plText(doc, `[data-testid="fig-VA_SHARE_IND-SEI"] .card-label`); !strings.Contains(l, "规模以上工业增加值") {
			t.Errorf("the share card does not say its basis: %q", l)
		}
		plFig(t, doc, `[data-testid="fig-ENT_ABOVE-SEI"]`, "221", "家", "2013", "文章")
		plFig(t, doc, `[data-testid="fig-GDP-ALL"]`, "4,606.2", "亿元", "2023", "G1")
		plFig(t, doc, `[data-testid="fig-ENT_ABOVE-IND"]`, "2,898", "家", "2023", "G10")

		// The four industries side by side; 超100 stays a bound; a missing one says so.
		four := doc.Find(`[data-testid="four-industries"]`)
		if got := plCells(four.Find("thead th")); strings.Join(got, "|") != "指标|稀土钨新材料及其应用|新能源汽车|高端装备制造|生物医药" {
			t.Errorf("four industries header: %v", got)
		}
		rev := four.Find("tbody tr").First().Find("td")
		for i, want := range []string{"605", "321", "超100", ""} {
			if got := strings.TrimSpace(rev.Eq(i).Find(".fig-value").Text()); got != want {
				t.Errorf("revenue of industry %d: %q, want %q", i, got, want)
			}
		}
		if got := strings.TrimSpace(rev.Eq(3).Text()); got != "无数据" {
			t.Errorf("biomedicine revenue: %q, want 无数据", got)
		}

		// The county map: every county listed, none with data in the default dataset, and
		// none shown as zero; the old map name 龙南县 is mapped to the dataset's 龙南市.
		rows := doc.Find(`[data-testid="county-values"] tbody tr`)
		if rows.Length() != 18 {
			t.Fatalf("%d counties in the map table, want 18", rows.Length())
		}
		rows.Each(func(_ int, r *goquery.Selection) {
			if v := strings.TrimSpace(r.Find("td").Eq(1).Text()); v != "无数据" {
				t.Errorf("county %s: %q, want 无数据", r.Find("td").First().Text(), v)
			}
		})
		if doc.Find(`[data-testid="map-nodata"]`).Length() != 1 {
			t.Error("no note that the map has no county figures")
		}
		var m struct {
			Map     string            `json:"map"`
			NameMap map[string]string `json:"nameMap"`
			Data    []any             `json:"data"`
		}
		raw, _ := doc.Find(`[data-testid="county-map"]`).Attr("data-map")
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("map data %q: %v", raw, err)
		}
		if m.Map != "赣州" || m.NameMap["龙南县"] != "龙南市" || len(m.Data) != 0 {
			t.Errorf("map data: %+v", m)
		}
		// ECharts only where there is a chart.
		if doc.Find(`script[src*="vendor/echarts"]`).Length() != 1 || doc.Find(`script[src*="vendor/ganzhou"]`).Length() != 1 {
			t.Error("the dashboard does not load ECharts and the Ganzhou map")
		}

		// Targets at a glance: all 14, each linking to its page, with its status.
		glance := doc.Find(`[data-testid="target-glance"] tbody tr`)
		if glance.Length() != 14 {
			t.Errorf("%d targets at a glance, want 14", glance.Length())
		}
		if href, _ := glance.First().Find("a").Attr("href"); href != "/plans/targets/t2015-rew-output" {
			t.Errorf("first target links to %q", href)
		}
		plWant(t, doc, `[data-testid="status-t2015-nev-sales"]`, "无可比数据")
		plWant(t, doc, `[data-testid="status-counts"]`, "无可比数据 14")
	})
}

func TestDashboardOnAnEmptyDatabaseAndForEveryRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("viewer", auth.Viewer, "", 0)
		doc := plDoc(t, env.Login("viewer").Get("/"), "empty dashboard")
		if doc.Find(`[data-testid="dash-empty"]`).Length() != 1 || doc.Find(`script[src*="echarts"]`).Length() != 0 {
			t.Error("an empty database does not say so, or loads ECharts for nothing")
		}
		resp := env.Login("viewer").Get("/plans")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("/plans without a plan: %d, want 404", resp.StatusCode)
		}
		resp.Body.Close()
		plLoad(t, db)
		ents, err := db.ListEnterprises(context.Background(), store.EnterpriseScope{All: true}, store.ListQuery{Limit: 1})
		if err != nil || len(ents.Rows) == 0 {
			t.Fatalf("enterprises: %v", err)
		}
		for _, role := range []auth.Role{auth.Admin, auth.Regulator, auth.County, auth.Enterprise} {
			name := "user-" + string(role)
			region, ent := "", int64(0)
			switch role {
			case auth.County:
				region = "360702"
			case auth.Enterprise:
				ent = ents.Rows[0].ID
			}
			env.AddUser(name, role, region, ent)
			doc := plDoc(t, env.Login(name).Get("/"), string(role)+" dashboard")
			// Every role reads the published figures (the article's are approved).
			plFig(t, doc, `[data-testid="fig-VA-SEI"]`, "166.29", "亿元", "2012", "文章")
		}
	})
}

func TestPlanPageShowsStagesTargetsAndBases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		plLoad(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		c := env.Login("planner")
		doc := plDoc(t, c.Get("/plans"), "plan page")
		for year, n := range map[string]int{"2015": 8, "2017": 5, "2020": 1} {
			if got := doc.Find(`[data-testid="targets-` + year + `"] tbody tr`).Length(); got != n {
				t.Errorf("stage %s: %d targets, want %d", year, got, n)
			}
		}
		plWant(t, doc, `[data-testid="stage-2015"]`, "2015 · 三年大变样")
		plWant(t, doc, `[data-testid="stage-2017"]`, "2017 · 五年上台阶")
		plWant(t, doc, `[data-testid="stage-2020"]`, "2020 · 八年大跨越")
		if got := doc.Find(`[data-testid="plan-goals"] li`).Length(); got != 5 {
			t.Errorf("%d named goals, want the 5 of 四基地一工程", got)
		}
		// NEV sales: baseline 321 亿元 (2012, article); required (1000/321)^(1/3) − 1 = 46.0%.
		row := doc.Find(`tr[data-target="t2015-nev-sales"]`)
		if got := strings.Join(plCells(row.Find("td").Eq(2).Find(".fig-value, small")), "|"); got != "321|2012 · 文章" {
			t.Errorf("NEV sales baseline: %q", got)
		}
		if got := row.Find("td.growth").Text(); !strings.Contains(got, "所需年均增速 46.0%") || !strings.Contains(got, "尚需年均增速 46.0%") || strings.Contains(got, "实际") {
			t.Errorf("NEV sales growth: %q", got)
		}
		plWant(t, doc, `[data-testid="status-t2015-nev-sales"]`, "无可比数据")
		// Revenue over 1000亿 by 2017 from 605 in 2012: (1000/605)^(1/5) − 1 = 10.6%.
		if got := doc.Find(`tr[data-target="t2017-revenue"] td.growth`).Text(); !strings.Contains(got, "所需年均增速 10.6%") {
			t.Errorf("2017 revenue growth: %q", got)
		}
		// The share-of-GDP target says why its figures cannot be compared.
		if got := plText(doc, `[data-testid="basis-t2020-va-gdp"]`); !strings.Contains(got, "口径不同") || !strings.Contains(got, "29.3%") || !strings.Contains(got, "37.6%") {
			t.Errorf("share-of-GDP basis note: %q", got)
		}
		// The output targets say that the article's baseline is revenue, not output.
		if got := plText(doc, `[data-testid="basis-t2015-rew-output"]`); !strings.Contains(got, "主营业务收入") {
			t.Errorf("output target basis note: %q", got)
		}
		var layout []string
		doc.Find(`[data-testid="plan-layout"] tbody tr`).Each(func(_ int, r *goquery.Selection) {
			layout = append(layout, strings.Join(plCells(r.Find("td").Slice(0, 3)), "|"))
		})
		for _, want := range []string{"一核：赣州开发区|一核|赣州经济技术开发区", "东部增长板块（瑞兴于经济振兴试验区）|增长板块|于都县、兴国县、瑞金市",
			"两翼：“三南”至河源产业走廊|两翼|定南县、全南县、龙南市", "蓉江新区|功能区|未设成员"} {
			if !slices.Contains(layout, want) {
				t.Errorf("layout lacks %q: %q", want, layout)
			}
		}
		if doc.Find(`script[src*="echarts"]`).Length() != 0 {
			t.Error("the plan page loads ECharts but draws no chart")
		}

		// One target: motors, 2,000,000 台 (undated in the article: 2013) → 10,000,000 by 2017.
		doc = plDoc(t, c.Get("/plans/targets/t2017-pm-motor"), "motor target")
		plWant(t, doc, `[data-testid="target-value"]`, "≥ 10,000,000 台")
		plWant(t, doc, `[data-testid="target-baseline"] .fig-value`, "2,000,000")
		plWant(t, doc, `[data-testid="target-baseline"] .fig-period`, "2013")
		plWant(t, doc, `[data-testid="target-baseline"] .fig-source`, "文章")
		plWant(t, doc, `[data-testid="target-required"]`, "49.5%")
		plWant(t, doc, `[data-testid="target-status"]`, "无可比数据")
		if got := plText(doc, `[data-testid="target-forecast"]`); !strings.HasPrefix(got, "数据不足：同口径只有 1 个点，至少需要 3 个") {
			t.Errorf("motor forecast: %q", got)
		}
		var chart struct {
			Years []int      `json:"years"`
			Path  []*float64 `json:"path"`
		}
		raw, _ := doc.Find(`[data-testid="target-chart"]`).Attr("data-chart")
		if err := json.Unmarshal([]byte(raw), &chart); err != nil || len(chart.Years) != 5 || chart.Years[0] != 2013 || *chart.Path[4] != 1e7 {
			t.Errorf("motor chart %s: %v", raw, err)
		}
		if doc.Find(`script[src*="vendor/echarts"]`).Length() != 1 || doc.Find(`script[src*="ganzhou"]`).Length() != 0 {
			t.Error("a target page loads ECharts only, without the map")
		}

		// The share-of-GDP target: no figure on its basis; the other basis shown apart.
		doc = plDoc(t, c.Get("/plans/targets/t2020-va-gdp"), "share-of-GDP target")
		plWant(t, doc, `[data-testid="target-latest"]`, "无数据")
		if doc.Find(`[data-testid="other-basis-warning"]`).Length() != 1 {
			t.Error("the other-basis figures come without a warning")
		}
		other := doc.Find(`[data-testid="target-other-basis"] tbody tr`)
		if other.Length() != 2 || plText(doc, `[data-testid="target-other-basis"] tbody tr:first-child .fig-value`) != "29.3" ||
			strings.TrimSpace(other.Eq(1).Find(".fig-value").Text()) != "37.6" || strings.TrimSpace(other.Eq(1).Find(".fig-source").Text()) != "G9" {
			t.Errorf("other basis rows: %q", plText(doc, `[data-testid="target-other-basis"] tbody`))
		}
		if resp := c.Get("/plans/targets/nope"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown target: %d", resp.StatusCode)
		}
	})
}

// Later actuals entered through the statistics core move a target's status, and a viewer
// sees only approved figures.
func TestTargetProgressFollowsEnteredActuals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		plLoad(t, db)
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("viewer", auth.Viewer, "", 0)
		env.AddUser("county", auth.County, "360702", 0)
		svc := &stats.Service{DB: db, Now: time.Now}
		planner := &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}
		for _, e := range []struct {
			p      *auth.Principal
			region string
			period string
			value  string
		}{
			{planner, "360700", "2013", "400"}, {planner, "360700", "2014", "500"},
		} {
			if _, err := svc.Enter(context.Background(), e.p, stats.Input{Indicator: "REV", Region: e.region, Industry: "NEV",
				Period: e.period, Value: e.value, Source: "test: entered in the test", SourceStatus: "report"}); err != nil {
				t.Fatal(err)
			}
		}
		// Observed (500/321)^(1/2) − 1 = 24.8%; required 46.0%; ratio 53.9% → limited.
		// Forecast (log-linear on 321, 400, 500): 2015 623.7, 80% interval 619.25 – 628.18.
		doc := plDoc(t, env.Login("planner").Get("/plans/targets/t2015-nev-sales"), "NEV sales")
		plWant(t, doc, `[data-testid="target-status"]`, "进展有限")
		plWant(t, doc, `[data-testid="target-observed"]`, "24.8%")
		plWant(t, doc, `[data-testid="target-required"]`, "46.0%")
		plWant(t, doc, `[data-testid="target-ratio"]`, "53.9%")
		plWant(t, doc, `[data-testid="target-still"]`, "100.0%")
		if got := plText(doc, `[data-testid="target-forecast"]`); !strings.HasPrefix(got, "2015年预测值 623.70 亿元，80%预测区间 619.25 – 628.18") {
			t.Errorf("forecast: %q", got)
		}
		plFig(t, doc, `[data-testid="target-latest"]`, "500", "", "2014", "test: entered in the test")
		// Drafts are not published: the viewer sees the article's baseline only.
		doc = plDoc(t, env.Login("viewer").Get("/plans/targets/t2015-nev-sales"), "NEV sales as viewer")
		plWant(t, doc, `[data-testid="target-status"]`, "无可比数据")

		// County figures colour the map: 章贡区 and 龙南市 (the map's 龙南县).
		county := &auth.Principal{ID: 3, Username: "county", Role: auth.County, RegionCode: "360702"}
		if _, err := svc.Enter(context.Background(), county, stats.Input{Indicator: "REV", Region: "360702", Industry: "SEI",
			Period: "2020", Value: "12.5", Source: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enter(context.Background(), planner, stats.Input{Indicator: "REV", Region: "360783", Industry: "SEI",
			Period: "2020", Value: "3", Source: "test"}); err != nil {
			t.Fatal(err)
		}
		doc = plDoc(t, env.Login("planner").Get("/?ind=REV&industry=SEI"), "map with county figures")
		plWant(t, doc, `[data-testid="county-values"] tr[data-code="360702"] .fig-value`, "12.5")
		plWant(t, doc, `[data-testid="county-values"] tr[data-code="360702"] .fig-period`, "2020")
		plWant(t, doc, `[data-testid="county-values"] tr[data-code="360783"] .fig-value`, "3")
		plWant(t, doc, `[data-testid="county-values"] tr[data-code="360703"] td.num`, "无数据")
		if got := plText(doc, `[data-testid="map-title"]`); !strings.Contains(got, "2 / 18") || !strings.Contains(got, "2020") {
			t.Errorf("map title: %q", got)
		}
		var m struct {
			Data []struct {
				Name  string  `json:"name"`
				Value float64 `json:"value"`
			} `json:"data"`
		}
		raw, _ := doc.Find(`[data-testid="county-map"]`).Attr("data-map")
		if err := json.Unmarshal([]byte(raw), &m); err != nil || len(m.Data) != 2 || m.Data[0].Name != "章贡区" || m.Data[0].Value != 12.5 ||
			m.Data[1].Name != "龙南市" || m.Data[1].Value != 3 {
			t.Errorf("map data %s: %v", raw, err)
		}
	})
}

// The embedded map's county names are what MapNameMap expects, and every one of them
// reaches a county of the default dataset (by name or a former name).
func TestGanzhouMapNamesMatchTheDataset(t *testing.T) {
	db := storetest.SQLite(t)
	plLoad(t, db)
	counties, err := db.RegionChildren(context.Background(), "360700", "county")
	if err != nil || len(counties) != 18 {
		t.Fatalf("%d counties: %v", len(counties), err)
	}
	names := web.GanzhouMapNames(t)
	nm := web.MapNameMap(counties)
	have := map[string]bool{}
	for _, c := range counties {
		have[c.NameZh] = true
	}
	for _, n := range names {
		target := n
		if m, ok := nm[n]; ok {
			target = m
		}
		if !have[target] {
			t.Errorf("map county %s reaches no county of the dataset", n)
		}
		delete(have, target)
	}
	if len(have) != 0 {
		t.Errorf("dataset counties without a shape on the map: %v", have)
	}
}
