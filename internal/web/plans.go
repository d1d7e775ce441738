package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"

	"zhanxin/internal/auth"
	"zhanxin/internal/export"
	"zhanxin/internal/i18n"
	"zhanxin/internal/plan"
)

// The plan pages: the plan with its stages and targets (status band, period and source on
// every figure), and one target with its plan-versus-actual chart. The plan package reads
// and assesses; these handlers only format.

func (s *Server) planRoutes() {
	s.handle("GET /plans", s.adapt(s.plansPage))
	s.handle("GET /plans/targets/{code}", s.adapt(s.planTargetPage))
}

type stageView struct {
	Name, Quote string
	Year        int
	Targets     []targetRowView
}

type goalView struct {
	Name, Industry, SEICode, Quote string
}

type zoneView struct {
	Name, Role, Members, Note string
}

type sourceView struct {
	Code, Title, Publisher, URL, Note string
}

type plansView struct {
	Page
	Name, RegionName, Note, Quote, Source string
	BaseYear, EndYear                     int
	Counts                                []countView
	Goals                                 []goalView
	GoalsQuote                            string
	Stages                                []stageView
	Layout                                []zoneView
	Sources                               []sourceView
	EditHref                              string // for those who may edit the plan
}

func (s *Server) sourceViews(lang i18n.Lang, refs *plan.Refs) []sourceView {
	var out []sourceView
	for _, x := range refs.SourceList {
		out = append(out, sourceView{Code: x.Code, Title: name(lang, x.TitleZh, x.TitleEn), Publisher: x.Publisher, URL: x.URL, Note: x.Note})
	}
	return out
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	o, err := s.planService().Overview(r.Context(), p, r.URL.Query().Get("plan"))
	if err != nil {
		return err
	}
	v := plansView{Page: s.page(w, r, "plan.title", Crumb{Label: "plan.title"}), Name: name(lang, o.Plan.NameZh, o.Plan.NameEn),
		RegionName: name(lang, o.Region.NameZh, o.Region.NameEn), Note: o.Plan.Note, Quote: o.Plan.Quote,
		BaseYear: o.Plan.BaseYear, EndYear: o.Plan.EndYear}
	v.Source, _ = s.sourceLabel(lang, o.Refs, o.Plan.Source)
	if p.Can(auth.ManagePlans) {
		v.EditHref = planEditHref(false, o.Plan.Code)
	}
	for _, st := range statusOrder {
		if n := o.Counts[st]; n > 0 {
			v.Counts = append(v.Counts, countView{Label: s.cat.T(lang, planStatusKeys[st]), Class: "st-" + st, N: n})
		}
	}
	for _, g := range o.Goals {
		v.Goals = append(v.Goals, goalView{Name: name(lang, g.NameZh, g.NameEn), Industry: name(lang, g.Industry.NameZh, g.Industry.NameEn),
			SEICode: g.Industry.SEICode})
		v.GoalsQuote = g.Quote
	}
	for _, st := range o.Stages {
		sv := stageView{Name: name(lang, st.NameZh, st.NameEn), Quote: st.Quote, Year: st.Year}
		for _, t := range st.Targets {
			sv.Targets = append(sv.Targets, s.targetRow(lang, o.Refs, t))
		}
		v.Stages = append(v.Stages, sv)
	}
	for _, z := range o.Layout {
		zv := zoneView{Name: name(lang, z.Region.NameZh, z.Region.NameEn), Role: s.cat.T(lang, planZoneRoleKeys[z.Info.Role]), Note: z.Info.Note}
		for i, m := range z.Members {
			if i > 0 {
				zv.Members += "、"
			}
			zv.Members += name(lang, m.NameZh, m.NameEn)
		}
		v.Layout = append(v.Layout, zv)
	}
	v.Sources = s.sourceViews(lang, o.Refs)
	s.render(w, r, http.StatusOK, "plans", v)
	return nil
}

type pointRowView struct {
	Year int
	Fig  figView
}

type targetPageView struct {
	Page
	Row          targetRowView
	Plan         string
	Unit         string
	Forecast     string // the forecast sentence: method, points, value and interval
	ForecastOK   bool
	Method       string
	Ratio        string
	StatedOther  bool // the stated baseline is on another basis
	StatedInd    string
	Actuals      []pointRowView
	Other        []pointRowView
	OtherInd     string
	ChartJSON    string
	HasChartData bool
	ExportXLSX   string
	ExportCSV    string
}

// exportActuals writes the target's own series as a file: each value as a number (a
// derived share rounded as the page shows it), its qualifier and unit beside it, and
// where it came from, so a bound or a derived figure stays marked in a spreadsheet.
func (s *Server) exportActuals(w http.ResponseWriter, lang i18n.Lang, f export.Format, title string, t plan.TargetView, rows []pointRowView) error {
	tb := export.Table{Title: title}
	for _, k := range []string{"plan.period", "dash.value", "statsweb.col.qualifier", "statsweb.col.unit", "common.source",
		"statsweb.col.source_status", "plan.fact_status", "plan.quote", "planedit.col.note"} {
		tb.Headers = append(tb.Headers, s.cat.T(lang, k))
	}
	for i, pt := range t.Actuals {
		var value any = statsExportNumber(pt.Micro)
		if pt.Origin == plan.OriginDerived {
			scale := math.Pow(10, float64(t.Ind.Decimals))
			value = math.Round(pt.Value*scale) / scale
		}
		fig := rows[i].Fig
		q := ""
		if pt.Qualifier != "" {
			q = s.statsLabel(lang, statsQualifiers, pt.Qualifier)
		}
		tb.Rows = append(tb.Rows, []any{pt.Period, value, q, t.Ind.Unit, fig.Source, fig.SourceStatus, fig.Status, fig.Quote, fig.Note})
	}
	return export.Serve(w, f, title, tb)
}

// chartJSON is what static/plans.js draws: target path, actuals and the forecast band.
type chartJSON struct {
	Unit     string      `json:"unit"`
	Years    []int       `json:"years"`
	Path     []*float64  `json:"path"`
	Actual   []*float64  `json:"actual"`
	Forecast []*float64  `json:"forecast"`
	BandLo   []*float64  `json:"bandLo"`
	BandSpan []*float64  `json:"bandSpan"` // hi − lo, stacked on lo
	Target   float64     `json:"target"`
	Labels   chartLabels `json:"labels"`
	Decimals int         `json:"decimals"`
}

type chartLabels struct {
	Path     string `json:"path"`
	Actual   string `json:"actual"`
	Forecast string `json:"forecast"`
	Band     string `json:"band"`
	Target   string `json:"target"`
}

func fptr(v float64) *float64 { return &v }

func (s *Server) chart(lang i18n.Lang, t plan.TargetView) (chartJSON, bool) {
	c := chartJSON{Unit: t.Ind.Unit, Target: t.Spec.Target, Decimals: t.Ind.Decimals, Labels: chartLabels{
		Path: s.cat.T(lang, "plan.chart.path"), Actual: s.cat.T(lang, "plan.chart.actual"), Forecast: s.cat.T(lang, "plan.chart.forecast"),
		Band: s.cat.T(lang, "plan.chart.band", int(plan.ForecastLevel*100)), Target: s.cat.T(lang, "plan.chart.target")}}
	first, last := t.TargetYear, t.TargetYear
	for _, p := range t.Actuals {
		first, last = min(first, p.Year), max(last, p.Year)
	}
	for _, p := range t.Path {
		first = min(first, p.Year)
	}
	for y := first; y <= last; y++ {
		c.Years = append(c.Years, y)
	}
	idx := func(y int) int { return y - first }
	n := len(c.Years)
	c.Path, c.Actual, c.Forecast, c.BandLo, c.BandSpan = make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n)
	for _, p := range t.Path {
		c.Path[idx(p.Year)] = fptr(p.Value)
	}
	for _, p := range t.Actuals {
		if p.Qualifier != "over" { // a bound is listed in the table, not drawn as a value
			c.Actual[idx(p.Year)] = fptr(p.Value)
		}
	}
	f := t.Progress.Forecast
	if f.OK && t.Progress.Latest != nil && t.TargetYear > t.Progress.Latest.Year {
		for y := t.Progress.Latest.Year; y <= t.TargetYear; y++ {
			v, lo, hi := f.At(y)
			c.Forecast[idx(y)], c.BandLo[idx(y)], c.BandSpan[idx(y)] = fptr(v), fptr(lo), fptr(hi-lo)
		}
	}
	return c, len(t.Actuals) > 0 || len(t.Path) > 1
}

func (s *Server) planTargetPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	t, refs, err := s.planService().Target(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	row := s.targetRow(lang, refs, t)
	v := targetPageView{Page: s.page(w, r, "plan.target.title", Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: row.Name}),
		Row: row, Unit: t.Ind.Unit, StatedOther: t.BasisMismatch()}
	v.Title = row.Name
	if t.Progress.Ratio != nil {
		v.Ratio = fmtFloat(*t.Progress.Ratio*100, 1) + "%"
	}
	f := t.Progress.Forecast
	v.Method = s.cat.T(lang, "plan.forecast.method", f.N, int(plan.ForecastLevel*100), plan.MinForecastPoints)
	if f.OK {
		v.ForecastOK = true
		v.Forecast = s.cat.T(lang, "plan.forecast.value", f.Year, fmtFloat(f.Value, t.Ind.Decimals), t.Ind.Unit,
			int(plan.ForecastLevel*100), fmtFloat(f.Lo, t.Ind.Decimals), fmtFloat(f.Hi, t.Ind.Decimals), fmtFloat(f.Growth*100, 1)+"%")
	} else {
		v.Forecast = s.cat.T(lang, "plan.forecast.not_enough", f.N, plan.MinForecastPoints)
	}
	if t.BasisMismatch() {
		v.StatedInd = name(lang, t.StatedInd.NameZh, t.StatedInd.NameEn)
	}
	for _, pt := range t.Actuals {
		pt := pt
		v.Actuals = append(v.Actuals, pointRowView{Year: pt.Year, Fig: s.fig(lang, refs, t.Ind, &pt)})
	}
	if f, ok := export.ParseFormat(r.URL.Query().Get("format")); ok {
		return s.exportActuals(w, lang, f, row.Name, t, v.Actuals)
	}
	base := "/plans/targets/" + url.PathEscape(t.Code) + "?format="
	v.ExportXLSX, v.ExportCSV = base+"xlsx", base+"csv"
	if t.OtherBasisIndicator != "" {
		v.OtherInd = name(lang, t.OtherInd.NameZh, t.OtherInd.NameEn)
		for _, pt := range t.Other {
			pt := pt
			v.Other = append(v.Other, pointRowView{Year: pt.Year, Fig: s.fig(lang, refs, t.OtherInd, &pt)})
		}
	}
	c, ok := s.chart(lang, t)
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("chart data: %w", err)
	}
	v.ChartJSON, v.HasChartData = string(b), ok
	s.render(w, r, http.StatusOK, "plan_target", v)
	return nil
}
