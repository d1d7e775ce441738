package dataset_test

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The article as data: every figure loads once, approved, with its source, status and the
// sentence it came from; REFERENCE.md's figures keep their source ids and one vintage per
// series; the industries, indicators, zones and the plan are what the sources say.

func loadDefault(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
		t.Fatal(err)
	}
}

func details(t *testing.T, db *store.DB) []store.FactDetail {
	t.Helper()
	page, err := db.ListFacts(ctx, store.FactFilter{Scope: store.FactScope{All: true}}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.FactDetail
	for _, f := range page.Rows {
		d, err := db.DetailAt(ctx, f.FactKey, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestEveryFigureHasItsSourceStatusAndQuote(t *testing.T) {
	article, err := fs.ReadFile(dataset.Default(), "article.zh-Hans.txt")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		loadDefault(t, db)
		srcs, err := db.Sources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		known := map[string]bool{}
		for _, s := range srcs {
			known[s.Code] = true
			// REFERENCE.md cites G3 without listing it: a page naming it must say so.
			if s.Code == "G3" && (!strings.Contains(s.TitleZh, "无法识别") || !strings.Contains(s.TitleEn, "unidentified")) {
				t.Errorf("source G3 is not marked unidentified: %+v", s)
			}
		}
		facts := details(t, db)
		if len(facts) != defaultFacts {
			t.Fatalf("%d figures, want %d", len(facts), defaultFacts)
		}
		bySource := map[string]int{}
		for _, f := range facts {
			key := fmt.Sprintf("%s/%s/%s/%s", f.Indicator, f.Region, f.Industry, f.Period)
			bySource[f.Source]++
			if !known[f.Source] {
				t.Errorf("%s cites %q, which is not in sources.json", key, f.Source)
			}
			if f.Status != "approved" || f.Revision != 1 || f.Quote == "" {
				t.Errorf("%s: status %s, revision %d, quote %q", key, f.Status, f.Revision, f.Quote)
			}
			switch f.Source {
			case "article":
				// The quote is the article's own sentence, and it contains the figure (1/3 is
				// the one figure stored in another form, and its note says so).
				if f.SourceStatus != "article" || !strings.Contains(string(article), f.Quote) {
					t.Errorf("%s: status %s; quote not verbatim from the article: %q", key, f.SourceStatus, f.Quote)
				}
				num := strings.TrimSuffix(strings.TrimSuffix(stats.Micro(f.Value).String(), ".0"), "")
				if f.Indicator == "CAP_PM_MOTOR" || f.Indicator == "CAP_POWER_GEN" {
					num = strings.TrimSuffix(f.Entered, " 万台")
					num = strings.TrimSuffix(num, " 万千瓦")
				}
				if !strings.Contains(f.Quote, num) && !(f.Indicator == "NAT_SHARE_REV" && strings.Contains(f.Note, "1/3")) {
					t.Errorf("%s: the quote does not contain %s: %q", key, num, f.Quote)
				}
				// A figure the article gives without a year carries a note saying which year it got.
				if !regexp.MustCompile(regexp.QuoteMeta(f.Period)+`年`).MatchString(f.Quote) && !strings.Contains(f.Note, "未注明年份") {
					t.Errorf("%s: the quote has no year %s and the note does not say why: %q", key, f.Period, f.Note)
				}
			default:
				if f.SourceStatus != "verified" || !strings.HasPrefix(f.Quote, "REFERENCE.md §6") {
					t.Errorf("%s: status %s, quote %q", key, f.SourceStatus, f.Quote)
				}
			}
		}
		want := map[string]int{"article": 43, "G1": 11, "G2": 1, "G3": 2, "G4": 2, "G5": 2, "G6": 2, "G7": 2, "G9": 3, "G10": 1}
		if fmt.Sprint(bySource) != fmt.Sprint(want) {
			t.Errorf("figures by source: %v, want %v", bySource, want)
		}

		// The figures the issue lists, with the qualifiers the article puts on them.
		for _, c := range []struct {
			indicator, industry, period, value, unit, qualifier string
		}{
			{"VA", "SEI", "2012", "166.29", "亿元", ""},
			{"VA_GROWTH", "SEI", "2012", "22.2", "%", ""},
			{"VA_SHARE_IND", "SEI", "2012", "29.3", "%", ""},
			{"REV", "REW", "2012", "605", "亿元", ""},
			{"PT", "REW", "2012", "74.59", "亿元", ""},
			{"REV", "NEV", "2012", "321", "亿元", ""},
			{"ENT", "NEV", "2013", "77", "家", ""},
			{"REV", "HEM", "2012", "100", "亿元", "over"},
			{"REV_CAGR", "HEM", "2012", "36", "%", ""},
			{"PT_RATIO", "HEM", "2012", "10", "%", ""},
			{"VA_GROWTH", "BIO", "2012", "59.4", "%", ""},
			{"ENT_ABOVE", "BIO", "2013", "15", "家", ""},
			{"ENT_ABOVE", "SEI", "2013", "221", "家", ""},
			{"ENT_ABOVE_SHARE", "SEI", "2013", "44", "%", ""},
			{"ENT_SMELT", "REW", "2013", "115", "家", ""},
			{"ENT_SMELT", "RE", "2013", "60", "家", "over"},
			{"ENT_SMELT", "W", "2013", "22", "家", ""},
			{"NAT_SHARE_PROC", "W-APT", "2013", "65", "%", "about"},
			{"NAT_SHARE_PROC", "W-FEW", "2013", "40", "%", "about"},
			{"NAT_SHARE_PROC", "W-POWDER", "2013", "45", "%", "about"},
			{"NAT_SHARE_PROC", "W-BAR", "2013", "30", "%", "about"},
			{"NAT_SHARE_CAP", "RE-LUM", "2013", "48", "%", "about"},
			{"NAT_SHARE_CAP", "RE-MAGNETIC", "2013", "18", "%", "about"},
			{"NAT_SHARE_CAP", "W-CARBIDE", "2013", "8", "%", "about"},
			{"CAP_PM_MOTOR", "NEV-MOTOR", "2013", "2000000", "台", ""},
			{"CAP_BATTERY", "NEV-BAT", "2013", "600", "MW", ""},
			{"PROJ_PROV_KEY", "SEI", "2013", "37", "个", ""},
			{"BASE_PROV", "SEI", "2013", "6", "个", ""},
			{"PARK_FEATURED", "SEI", "2013", "30", "个", ""},
			{"PROJ_PROMOTED", "SEI", "2013", "35", "个", ""},
			{"INVEST_PROMOTED", "SEI", "2013", "130", "亿元", "over"},
			{"FUND_RAISED", "SEI", "2013", "41", "亿元", ""},
			{"RESERVE_PROVEN", "MIN-RE", "2013", "83.82", "万吨", ""},
			{"RESERVE_REMAIN", "MIN-W", "2013", "49", "万吨", ""},
			{"NAT_SHARE_RESERVE", "MIN-W", "2013", "39", "%", "about"},
			{"CAP_POWER_GEN", "HEM-POWER", "2013", "400", "MW", ""},
			{"VA_SHARE_IND", "SEI", "2021", "37.6", "%", ""},
			{"ENT_ABOVE", "IND", "2023", "2898", "家", ""},
		} {
			d, err := db.DetailAt(ctx, store.FactKey{Indicator: c.indicator, Region: "360700", Industry: c.industry, Period: c.period}, true)
			if err != nil {
				t.Errorf("%+v: %v", c, err)
				continue
			}
			ind := indicatorOf(t, db, c.indicator)
			if got := stats.Micro(d.Value).String(); got != c.value || ind.Unit != c.unit || d.Qualifier != c.qualifier {
				t.Errorf("%s/%s/%s: %s %s (%q), want %s %s (%q)", c.indicator, c.industry, c.period, got, ind.Unit, d.Qualifier, c.value, c.unit, c.qualifier)
			}
		}

		// One vintage per series: the revised GDP series only from G1, the first-published
		// figures only under their own indicator, never from G1.
		gdp, _ := db.SeriesDetail(ctx, "GDP", "360700", "ALL", false)
		first, _ := db.SeriesDetail(ctx, "GDP_FIRST", "360700", "ALL", false)
		var years []string
		for _, d := range gdp {
			years = append(years, d.Period)
			if d.Source != "G1" {
				t.Errorf("revised GDP %s from %s", d.Period, d.Source)
			}
		}
		if strings.Join(years, ",") != "2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023" || stats.Micro(gdp[3].Value).String() != "2541.21" {
			t.Errorf("revised GDP series: %v", years)
		}
		if len(first) != 3 || first[0].Period != "2016" || stats.Micro(first[0].Value).String() != "2194.34" || first[2].Source != "G2" {
			t.Errorf("first-published GDP: %+v", first)
		}
		for _, d := range first {
			if d.Source == "G1" {
				t.Errorf("a first-published figure cites the revised series' source: %+v", d)
			}
		}
		// City figures are totals: nothing of the dataset rolls up (roll-ups stay right).
		if r, err := db.AllRollups(ctx); err != nil || len(r) != 0 {
			t.Errorf("the default dataset made roll-up rows: %v %v", r, err)
		}
	})
}

func indicatorOf(t *testing.T, db *store.DB, code string) store.Indicator {
	t.Helper()
	all, err := db.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range all {
		if i.Code == code {
			return i
		}
	}
	t.Fatalf("no indicator %s", code)
	return store.Indicator{}
}

func TestIndustriesIndicatorsZonesAndPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		loadDefault(t, db)
		inds, _ := db.Industries(ctx)
		by := map[string]store.Industry{}
		for _, i := range inds {
			by[i.Code] = i
		}
		for _, c := range []string{"REW", "NEV", "HEM", "BIO", "FLUORO", "ECO", "AM", "AI", "ROBOT"} {
			if by[c].ParentCode != "SEI" {
				t.Errorf("%s is not under 战略性新兴产业: %+v", c, by[c])
			}
		}
		for _, c := range []string{"RE-PM", "RE-LUM", "RE-CERAMIC", "RE-H2", "W-CARBIDE", "W-NANO", "W-HEAVY", "COCU", "NEV-BAT",
			"NEV-MOTOR", "NEV-CTRL", "NEV-PARTS", "HEM-WIND", "HEM-MINING", "HEM-REEQ", "HEM-MAGEQ", "HEM-AERO", "HEM-SMART",
			"BIO-BIOTECH", "BIO-TCM", "BIO-HERB"} {
			if _, ok := by[c]; !ok {
				t.Errorf("sub-industry %s missing", c)
			}
		}
		var sunrise []string
		seiCode := regexp.MustCompile(`^[1-9](\.[1-9])?$`)
		for _, i := range inds {
			if i.Sunrise {
				sunrise = append(sunrise, i.Code)
			}
			if i.SEICode != "" && !seiCode.MatchString(i.SEICode) {
				t.Errorf("%s: %q is not a first- or second-level code of the 2018 classification", i.Code, i.SEICode)
			}
			if i.SEINote == "" {
				t.Errorf("%s has no note on its mapping", i.Code)
			}
			if i.SEICode != "" && !strings.Contains(i.SEINote, "核对") {
				t.Errorf("%s: the mapping does not say it must be checked: %q", i.Code, i.SEINote)
			}
			// Nothing on the machine holds the classification (NBS Order No. 23), so every
			// code says it was not confirmed from it and is kept to a level we are sure of.
			if i.SEICode != "" && (!strings.Contains(i.SEINote, "未能据本机资料核实") || !strings.Contains(i.SEINote, "级")) {
				t.Errorf("%s: the note does not say the code is unconfirmed by material on the machine: %q", i.Code, i.SEINote)
			}
		}
		sort.Strings(sunrise)
		if strings.Join(sunrise, ",") != "AI,AM,ROBOT" {
			t.Errorf("sunrise industries: %v", sunrise)
		}
		if by["FLUORO"].SEICode != "" || !strings.Contains(by["FLUORO"].SEINote, "无氟盐化工的独立类别") {
			t.Errorf("氟盐化工 must say that no category fits: %+v", by["FLUORO"])
		}
		if by["NEV"].SEICode != "5" || by["BIO"].SEICode != "4.1" || by["HEM-WIND"].SEICode != "6.2" {
			t.Errorf("mappings: NEV %s, BIO %s, wind %s", by["NEV"].SEICode, by["BIO"].SEICode, by["HEM-WIND"].SEICode)
		}
		// Ratio indicators name what they divide.
		for _, c := range []string{"VA_SHARE_IND", "VA_SHARE_GDP", "ENT_ABOVE_SHARE"} {
			if i := indicatorOf(t, db, c); i.Aggregation != "ratio" || i.NumeratorCode == "" || i.DenominatorCode == "" || i.Unit != "%" {
				t.Errorf("%s: %+v", c, i)
			}
		}
		if i := indicatorOf(t, db, "VA_SHARE_GDP"); i.DenominatorCode != "GDP" {
			t.Errorf("share of GDP divides by %s", i.DenominatorCode)
		}
		// Zones: the layout's members; functional zones have none.
		for zone, want := range map[string]string{"zone:core": "zone:gzedz", "zone:wing-sannan": "360728,360729,360783",
			"zone:wing-ruixing": "360732,360781", "zone:plate-core": "zone:bonded", "zone:plate-east": "360731,360732,360781",
			"zone:plate-south": "360728,360729,360783", "zone:gzedz": "", "zone:rongjiang": "", "zone:gzhtz": "",
			"zone:longnan-edz": "", "zone:ruijin-edz": ""} {
			m, err := db.ZoneMembers(ctx, zone)
			if err != nil || strings.Join(m, ",") != want {
				t.Errorf("zone %s members %v, want %s (%v)", zone, m, want, err)
			}
			if g, err := db.RegionByCode(ctx, zone); err != nil || g.Kind != "zone" {
				t.Errorf("zone %s: %+v %v", zone, g, err)
			}
		}
		// The plan: three stages, fourteen targets, as the article writes them.
		stages, _ := db.PlanStages(ctx, "gz-sei-2020")
		var names []string
		for _, s := range stages {
			names = append(names, fmt.Sprintf("%d %s", s.Year, s.NameZh))
		}
		if strings.Join(names, ",") != "2015 三年大变样,2017 五年上台阶,2020 八年大跨越" {
			t.Errorf("stages: %v", names)
		}
		targets, _ := db.PlanTargets(ctx, "gz-sei-2020")
		if len(targets) != 14 {
			t.Fatalf("%d targets", len(targets))
		}
		got := map[string]string{}
		for _, x := range targets {
			got[x.Code] = fmt.Sprintf("%s %s %s %s %s by %d", x.Indicator, x.Industry, x.Comparison, stats.Micro(x.Target), indicatorOf(t, db, x.Indicator).Unit, x.TargetYear)
		}
		for code, want := range map[string]string{
			"t2015-rew-output":    "OUTPUT REW > 1000 亿元 by 2015",
			"t2015-nev-output":    "OUTPUT NEV > 1000 亿元 by 2015",
			"t2015-fluoro-output": "OUTPUT FLUORO > 100 亿元 by 2015",
			"t2015-hem-output":    "OUTPUT HEM > 100 亿元 by 2015",
			"t2015-bio-output":    "OUTPUT BIO > 100 亿元 by 2015",
			"t2015-nev-vehicles":  "CAP_NEV NEV-VEHICLE >= 200000 辆 by 2015",
			"t2015-nev-kits":      "CAP_NEV_KIT NEV >= 500000 套 by 2015",
			"t2015-nev-sales":     "REV NEV > 1000 亿元 by 2015",
			"t2017-magnet":        "CAP_MAGNET RE-MAGNETIC >= 40000 t by 2017",
			"t2017-phosphor":      "CAP_PHOSPHOR RE-LUM >= 6000 t by 2017",
			"t2017-pm-motor":      "CAP_PM_MOTOR NEV-MOTOR >= 10000000 台 by 2017",
			"t2017-wc":            "CAP_WC W-CARBIDE >= 10000 t by 2017",
			"t2017-revenue":       "REV REW > 1000 亿元 by 2017",
			"t2020-va-gdp":        "VA_SHARE_GDP SEI >= 25 % by 2020",
		} {
			if got[code] != want {
				t.Errorf("%s: %q, want %q", code, got[code], want)
			}
		}
		goals, _ := db.PlanGoals(ctx, "gz-sei-2020")
		if len(goals) != 5 {
			t.Errorf("%d named goals, want 5 (四基地一工程)", len(goals))
		}
	})
}

func TestChangedAndBadFigureFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		loadDefault(t, db)
		p := auth.CLI("t")
		// A corrected quote is a new revision, audited; the old one stays in the history.
		dir := writeDir(t, map[string]string{"facts.json": `[{"indicator":"VA","region":"360700","industry":"SEI","period":"2012",
			"value":"166.29","source":"article","source_status":"article","quote":"更正后的引文"}]`})
		fsys, _ := dataset.Dir(dir)
		sum, err := dataset.Load(ctx, db, p, time.Now(), fsys)
		if err != nil || sum.Updated != 1 || sum.Created != 0 {
			t.Fatalf("corrected quote: %+v %v", sum, err)
		}
		hist, _ := db.FactHistory(ctx, store.FactKey{Indicator: "VA", Region: "360700", Industry: "SEI", Period: "2012"})
		if len(hist) != 2 || hist[0].Quote != "更正后的引文" || hist[1].Revision != 1 {
			t.Fatalf("history after the correction: %+v", hist)
		}
		before := len(details(t, db))
		for name, body := range map[string]string{
			"unknown indicator": `[{"indicator":"NOPE","region":"360700","industry":"SEI","period":"2030","value":"1","source":"article"}]`,
			"bad qualifier":     `[{"indicator":"VA","region":"360700","industry":"SEI","period":"2030","value":"1","source":"article","qualifier":"maybe"}]`,
			"text as number":    `[{"indicator":"VA","region":"360700","industry":"SEI","period":"2030","value":"一百","source":"article"}]`,
			"no source":         `[{"indicator":"VA","region":"360700","industry":"SEI","period":"2030","value":"1"}]`,
			// The second row is bad: the first must not stay written.
			"second row bad": `[{"indicator":"VA","region":"360700","industry":"SEI","period":"2031","value":"1","source":"article"},
				{"indicator":"VA_SHARE_IND","region":"360700","industry":"SEI","period":"2031","value":"130","source":"article"}]`,
		} {
			fsys, _ := dataset.Dir(writeDir(t, map[string]string{"facts.json": body}))
			_, err := dataset.Load(ctx, db, p, time.Now(), fsys)
			if e := apperr.From(err); e.Code != "bad_dataset" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if after := len(details(t, db)); after != before {
			t.Errorf("refused files wrote %d figures", after-before)
		}
		bad := `{"plans":[],"stages":[],"goals":[],"targets":[{"code":"x","stage_code":"s2015","name_zh":"x","indicator_code":"REV",
			"region_code":"360700","industry_code":"NEV","comparison":"≈","target_value":"1","target_year":2015,"source":"article"}]}`
		fsys, _ = dataset.Dir(writeDir(t, map[string]string{"plans.json": bad}))
		if _, err := dataset.Load(ctx, db, p, time.Now(), fsys); apperr.From(err).Code != "bad_dataset" {
			t.Errorf("a target compared with ≈: %v", err)
		}
	})
}
