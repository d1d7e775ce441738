package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/enterprise"
	"zhanxin/internal/i18n"
	"zhanxin/internal/region"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The statistics pages: current facts, a key's revisions, the data-quality list, the entry
// form, approval of a region's period, and the indicator and industry catalogues. Every
// read and write goes through the stats use cases, which decide who may see and change
// what; these handlers only translate between forms and those use cases.

func (s *Server) statsRoutes() {
	s.handle("GET /stats/facts", s.adapt(s.statsFacts(false)))
	s.handle("GET /stats/facts/history", s.adapt(s.statsHistory))
	s.handle("GET /stats/quality", s.adapt(s.statsFacts(true)))
	s.handle("GET /stats/entry", s.adapt(s.statsEntryForm))
	s.handle("POST /stats/entry", s.adapt(s.statsEntrySubmit))
	s.handle("GET /stats/approvals", s.adapt(s.statsApprovals))
	s.handle("GET /stats/approvals/{region}/{period}", s.adapt(s.statsApproval))
	s.handle("POST /stats/approvals/{region}/{period}/{action}", s.adapt(s.statsApprovalAction))
	s.handle("GET /stats/indicators", s.adapt(s.statsIndicators))
	s.handle("GET /stats/industries", s.adapt(s.statsIndustries))
}

func (s *Server) statsService() *stats.Service { return &stats.Service{DB: s.db, Now: s.now} }

// Labels of the closed sets of values the statistics tables show.
var (
	statsFactStatus = map[string]string{"draft": "statsweb.status.draft", "submitted": "statsweb.status.submitted",
		"approved": "statsweb.status.approved"}
	statsPeriodStatus = map[string]string{"open": "statsweb.period.open", "submitted": "statsweb.period.submitted",
		"approved": "statsweb.period.approved"}
	statsSourceStatus = map[string]string{"report": "statsweb.source.report", "estimate": "statsweb.source.estimate",
		"verified": "statsweb.source.verified", "unverified": "statsweb.source.unverified", "derived": "statsweb.source.derived",
		"article": "statsweb.source.article"}
	statsPeriodType = map[string]string{"year": "statsweb.ptype.year", "quarter": "statsweb.ptype.quarter",
		"month": "statsweb.ptype.month"}
	statsAggregation = map[string]string{"sum": "statsweb.agg.sum", "average": "statsweb.agg.average",
		"ratio": "statsweb.agg.ratio", "none": "statsweb.agg.none"}
	statsFlashes = map[string]string{"submit": "statsweb.flash.submit", "approve": "statsweb.flash.approve",
		"return": "statsweb.flash.return", "unlock": "statsweb.flash.unlock"}
)

// Orders of the select menus (the maps above have none).
var (
	statsFactStatusOrder   = []string{"draft", "submitted", "approved"}
	statsPeriodStatusOrder = []string{"open", "submitted", "approved"}
	statsSourceStatusOrder = []string{"report", "estimate", "verified", "unverified", "derived", "article"}
	statsPeriodTypeOrder   = []string{"year", "quarter", "month"}
)

// statsLabel is the label of v in a closed set, or v itself when the set does not know it
// (a value added to the schema before its label).
func (s *Server) statsLabel(lang i18n.Lang, set map[string]string, v string) string {
	if k, ok := set[v]; ok {
		return s.cat.T(lang, k)
	}
	return v
}

// statsOption is a choice in a select menu.
type statsOption struct {
	Value, Label string
	Selected     bool
}

// statsOptGroup is a labelled group of choices.
type statsOptGroup struct {
	Label   string
	Options []statsOption
}

func (s *Server) statsSetOptions(lang i18n.Lang, set map[string]string, order []string, selected string) []statsOption {
	var out []statsOption
	for _, v := range order {
		out = append(out, statsOption{Value: v, Label: s.cat.T(lang, set[v]), Selected: v == selected})
	}
	return out
}

// statsRefs is the reference data the statistics pages show names and units from.
type statsRefs struct {
	s            *Server
	indicators   []store.Indicator
	indicator    map[string]store.Indicator
	industries   []store.IndustryNode
	industry     map[string]store.Industry
	regions      []store.Region
	region       map[string]store.Region
	enterpriseNm map[int64]string
}

// statsLoadRefs reads the catalogues. Whoever may read statistics may read them; the stats
// use cases decide that (stats.Scope), so a role without it is refused here as there.
func (s *Server) statsLoadRefs(ctx context.Context, p *auth.Principal) (*statsRefs, error) {
	svc := s.statsService()
	inds, err := svc.Indicators(ctx, p)
	if err != nil {
		return nil, err
	}
	tree, err := svc.Industries(ctx, p)
	if err != nil {
		return nil, err
	}
	regs, err := region.List(ctx, s.db, p, store.ListQuery{Sort: "code"})
	if err != nil {
		return nil, err
	}
	rf := &statsRefs{s: s, indicators: inds, indicator: map[string]store.Indicator{}, industries: tree,
		industry: map[string]store.Industry{}, regions: regs.Rows, region: map[string]store.Region{}, enterpriseNm: map[int64]string{}}
	for _, i := range inds {
		rf.indicator[i.Code] = i
	}
	for _, i := range tree {
		rf.industry[i.Code] = i.Industry
	}
	for _, g := range regs.Rows {
		rf.region[g.Code] = g
	}
	return rf, nil
}

// names fills in the enterprise names of facts the caller was allowed to list.
func (rf *statsRefs) names(ctx context.Context, db *store.DB, facts []store.Fact) error {
	var ids []int64
	for _, f := range facts {
		if f.EnterpriseID != 0 {
			ids = append(ids, f.EnterpriseID)
		}
	}
	m, err := db.EnterpriseNames(ctx, ids)
	for k, v := range m {
		rf.enterpriseNm[k] = v
	}
	return err
}

// statsNameCode writes "主营业务收入（REV）" in Chinese and "Revenue (REV)" in English.
func (s *Server) statsNameCode(lang i18n.Lang, name, code string) string {
	return s.cat.T(lang, "statsweb.name_code", name, code)
}

func (rf *statsRefs) indicatorText(lang i18n.Lang, code string) string {
	i, ok := rf.indicator[code]
	if !ok {
		return code
	}
	return rf.s.statsNameCode(lang, statsName(lang, i.NameZh, i.NameEn), code)
}

func (rf *statsRefs) regionText(lang i18n.Lang, code string) string {
	if g, ok := rf.region[code]; ok {
		return statsName(lang, g.NameZh, g.NameEn) + " " + code
	}
	return code
}

func (rf *statsRefs) industryText(lang i18n.Lang, code string) string {
	if i, ok := rf.industry[code]; ok {
		return rf.s.statsNameCode(lang, statsName(lang, i.NameZh, i.NameEn), code)
	}
	return code
}

func (rf *statsRefs) enterpriseText(id int64) string {
	if id == 0 {
		return "—"
	}
	if n, ok := rf.enterpriseNm[id]; ok {
		return n + " #" + strconv.FormatInt(id, 10)
	}
	return "#" + strconv.FormatInt(id, 10)
}

// statsName is a name in the page's language; English falls back to Chinese where the
// dataset has no English name.
func statsName(lang i18n.Lang, zh, en string) string {
	if lang == i18n.En && en != "" {
		return en
	}
	return zh
}

// statsValue writes a value with its indicator's decimals and unit: "166.29 亿元". A
// no-break space keeps the number and its unit on one line in narrow columns.
func statsValue(v int64, ind store.Indicator) string {
	out := stats.Micro(v).Format(ind.Decimals)
	if ind.Unit != "" {
		out += "\u00a0" + ind.Unit
	}
	return out
}

// statsQualifiers are the ways a value may be read, in the order the entry form offers them.
var statsQualifiers = map[string]string{"": "statsweb.qualifier.exact", "about": "statsweb.qualifier.about", "over": "statsweb.qualifier.over"}

var statsQualifierOrder = []string{"", "about", "over"}

// statsFigure writes a value as the source gives it: "超1000.00 亿元" for a lower bound,
// "约65.0 %" for an approximation, so that no page shows a bound as if it were the figure.
func (s *Server) statsFigure(lang i18n.Lang, v int64, qualifier string, ind store.Indicator) string {
	if k, ok := planQualifierKeys[qualifier]; ok {
		return s.cat.T(lang, k) + statsValue(v, ind)
	}
	return statsValue(v, ind)
}

// statsQualifierCell names the qualifier in its own column, so an export that carries the
// value as a number still says when it is a bound.
func (s *Server) statsQualifierCell(lang i18n.Lang, qualifier string) Cell {
	if qualifier == "" {
		return Cell{Value: "", Text: ""}
	}
	return TextCell(s.statsLabel(lang, statsQualifiers, qualifier))
}

// statsExportNumber is a value for a spreadsheet: a number when a float64 holds it
// exactly (Excel keeps numbers as doubles) and both exporters write it back digit for
// digit (the CSV writer uses %v, which turns 0.000001 into 1e-06), otherwise its exact
// decimal text, so an export never shows a value that differs from the stored one.
func statsExportNumber(v int64) any {
	text := stats.Micro(v).String()
	f, err := strconv.ParseFloat(text, 64)
	if err == nil && strconv.FormatFloat(f, 'f', -1, 64) == text && fmt.Sprint(f) == text {
		return f
	}
	return text
}

// statsQuality explains a data-quality flag ("outlier z=4.2") in the page's language.
func (s *Server) statsQuality(lang i18n.Lang, q string) string {
	if z, ok := strings.CutPrefix(q, "outlier z="); ok {
		return s.cat.T(lang, "statsweb.quality.outlier", z)
	}
	return q
}

// statsKeyQuery is the query string that names one fact key, for its history page.
func statsKeyQuery(k store.FactKey) string {
	v := url.Values{"indicator": {k.Indicator}, "region": {k.Region}, "industry": {k.Industry},
		"enterprise": {strconv.FormatInt(k.EnterpriseID, 10)}, "period": {k.Period}}
	return v.Encode()
}

// Facts and the data-quality list.

// statsFactFilter is the filter form of the facts pages, as entered.
type statsFactFilter struct {
	Indicator, Region, Industry, Enterprise, Period, Status string
	Q, Sort, Dir, PerPage                                   string
	Published                                               bool
	PublishedOnly                                           bool // the caller's scope shows nothing else
	Indicators                                              []statsOptGroup
	Regions, Industries, Statuses                           []statsOption
	Errors                                                  map[string]string
}

type statsFactsView struct {
	Page
	Table   TableView
	Filter  statsFactFilter
	Quality bool
	Action  string
}

func statsFactColumns() []Column {
	return []Column{{Label: "statsweb.col.indicator", Sort: "indicator"}, {Label: "statsweb.col.region", Sort: "region"},
		{Label: "statsweb.col.industry", Sort: "industry"}, {Label: "statsweb.col.enterprise", Sort: "enterprise"},
		{Label: "statsweb.col.period", Sort: "period"}, {Label: "statsweb.col.value", Sort: "value", Num: true},
		{Label: "statsweb.col.unit"}, {Label: "statsweb.col.status", Sort: "status"}, {Label: "statsweb.col.source"},
		{Label: "statsweb.col.source_status"}, {Label: "statsweb.col.quality"}, {Label: "statsweb.col.revision", Num: true},
		{Label: "statsweb.col.qualifier"}}
}

// parseFactFilter reads the filters from the URL; every malformed one is reported under
// its own field.
func parseFactFilter(v url.Values) (statsFactFilter, store.FactFilter, *apperr.Error) {
	form := statsFactFilter{Indicator: strings.TrimSpace(v.Get("indicator")), Region: strings.TrimSpace(v.Get("region")),
		Industry: strings.TrimSpace(v.Get("industry")), Enterprise: strings.TrimSpace(v.Get("enterprise")),
		Period: strings.TrimSpace(v.Get("period")), Status: v.Get("status"), Q: v.Get("q"), Sort: v.Get("sort"),
		Dir: v.Get("dir"), PerPage: v.Get("per_page"), Published: v.Get("published") != ""}
	f := store.FactFilter{Indicator: form.Indicator, Region: form.Region, Industry: form.Industry}
	var bad *apperr.Error
	addErr := func(field, key string, args ...any) {
		if bad == nil {
			bad = apperr.New(apperr.Invalid, "invalid_filter", key, args...)
		}
		bad.With(field, key, args...)
	}
	if form.Enterprise != "" {
		id, err := strconv.ParseInt(form.Enterprise, 10, 64)
		if err != nil || id <= 0 {
			addErr("enterprise", "statsweb.err.enterprise_id", form.Enterprise)
		}
		f.EnterpriseID = id
	}
	if form.Period != "" {
		per, err := stats.ParsePeriod(form.Period)
		if err != nil {
			addErr("period", "stats.err.period", form.Period)
		}
		f.Period = per.String()
	}
	if form.Status != "" {
		if _, ok := statsFactStatus[form.Status]; !ok {
			addErr("status", "statsweb.err.status", form.Status)
		}
		f.Status = form.Status
	}
	if form.Published {
		// The published view: approved region-level figures only, whatever else is chosen.
		f.Status, f.EnterpriseID = "approved", -1
	}
	return form, f, bad
}

func (s *Server) statsFacts(quality bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := requireUser(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		lang := s.lang(r)
		rf, err := s.statsLoadRefs(ctx, p)
		if err != nil {
			return err
		}
		form, f, bad := parseFactFilter(r.URL.Query())
		f.FlaggedOnly = quality
		scope, err := stats.Scope(p)
		if err != nil {
			return err
		}
		form.PublishedOnly = scope.Published
		spec := TableSpec[store.Fact]{Export: "statsweb.facts.title", Columns: statsFactColumns()}
		if quality {
			spec.Export = "statsweb.quality.title"
		}
		spec.Row = func(x store.Fact) []Cell {
			ind := rf.indicator[x.Indicator]
			ent := Cell{Value: "", Text: "—"}
			if x.EnterpriseID != 0 {
				ent = TextCell(rf.enterpriseText(x.EnterpriseID))
			}
			return []Cell{TextCell(rf.indicatorText(lang, x.Indicator)), TextCell(rf.regionText(lang, x.Region)),
				TextCell(rf.industryText(lang, x.Industry)), ent, TextCell(x.Period),
				{Value: statsExportNumber(x.Value), Text: s.statsFigure(lang, x.Value, x.Qualifier, ind), Num: true}, TextCell(ind.Unit),
				TextCell(s.statsLabel(lang, statsFactStatus, x.Status)), TextCell(x.Source),
				TextCell(s.statsLabel(lang, statsSourceStatus, x.SourceStatus)), TextCell(s.statsQuality(lang, x.Quality)),
				{Value: x.Revision, Text: s.cat.T(lang, "statsweb.revision_n", x.Revision), Num: true,
					Href: "/stats/facts/history?" + statsKeyQuery(x.FactKey)}, s.statsQualifierCell(lang, x.Qualifier)}
		}
		title, crumb := "statsweb.facts.title", Crumb{Label: "statsweb.facts.title"}
		if quality {
			title, crumb = "statsweb.quality.title", Crumb{Label: "statsweb.quality.title"}
		}
		status := http.StatusOK
		var tv TableView
		if bad != nil {
			// Listing without the broken filter would show rows the user did not ask for.
			if statsExportAsked(r) {
				return bad
			}
			status = bad.Kind.Status()
			form.Errors = s.adminFieldErrors(lang, bad, "q")
			lq, page, per := listQuery(r)
			tv = buildTable(s, lang, r, spec.Columns, lq, page, per, 0)
		} else {
			var done bool
			tv, done, err = serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Fact], error) {
				res, err := s.statsService().List(ctx, p, f, q)
				if err != nil {
					return res, err
				}
				return res, rf.names(ctx, s.db, res.Rows)
			})
			if err != nil || done {
				return err
			}
		}
		tv.NoFilter, tv.TestID = true, "facts-table"
		s.statsFilterChoices(lang, rf, &form)
		s.render(w, r, status, "stats_facts", statsFactsView{Page: s.page(w, r, title, crumb), Table: tv, Filter: form,
			Quality: quality, Action: r.URL.Path})
		return nil
	}
}

// statsExportAsked reports whether the request asks for a file rather than the page.
func statsExportAsked(r *http.Request) bool {
	f := r.URL.Query().Get("format")
	return f == "xlsx" || f == "csv"
}

// statsFilterChoices fills the filter form's menus.
func (s *Server) statsFilterChoices(lang i18n.Lang, rf *statsRefs, form *statsFactFilter) {
	form.Indicators = s.statsIndicatorGroups(lang, rf, form.Indicator)
	for _, g := range rf.regions {
		form.Regions = append(form.Regions, statsOption{Value: g.Code, Label: g.Code + " " + statsName(lang, g.NameZh, g.NameEn),
			Selected: g.Code == form.Region})
	}
	form.Industries = statsIndustryOptions(lang, rf, form.Industry)
	form.Statuses = s.statsSetOptions(lang, statsFactStatus, statsFactStatusOrder, form.Status)
}

// statsIndicatorGroups groups the indicators by how often they are reported, each shown
// with its unit and period type.
func (s *Server) statsIndicatorGroups(lang i18n.Lang, rf *statsRefs, selected string) []statsOptGroup {
	var out []statsOptGroup
	for _, pt := range statsPeriodTypeOrder {
		g := statsOptGroup{Label: s.cat.T(lang, "statsweb.entry.group", s.statsLabel(lang, statsPeriodType, pt))}
		for _, i := range rf.indicators {
			if i.PeriodType != pt {
				continue
			}
			g.Options = append(g.Options, statsOption{Value: i.Code, Selected: i.Code == selected,
				Label: s.cat.T(lang, "statsweb.entry.indicator_option", i.Code, statsName(lang, i.NameZh, i.NameEn), i.Unit,
					s.statsLabel(lang, statsPeriodType, i.PeriodType))})
		}
		if len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// statsIndustryOptions lists the industries as an indented tree.
func statsIndustryOptions(lang i18n.Lang, rf *statsRefs, selected string) []statsOption {
	var out []statsOption
	for _, n := range rf.industries {
		out = append(out, statsOption{Value: n.Code, Selected: n.Code == selected,
			Label: strings.Repeat("　", n.Depth) + rf.s.statsNameCode(lang, statsName(lang, n.NameZh, n.NameEn), n.Code)})
	}
	return out
}

// A key's revisions.

type statsHistoryView struct {
	Page
	Table      TableView
	Indicator  string
	Region     string
	Industry   string
	Enterprise string
	Period     string
	Unit       string
	Current    string
	Status     string
	FactsHref  string
}

func statsHistoryColumns() []Column {
	return []Column{{Label: "statsweb.col.revision", Sort: "revision", Num: true}, {Label: "statsweb.col.value", Num: true},
		{Label: "statsweb.col.unit"}, {Label: "statsweb.col.entered"}, {Label: "statsweb.col.by", Sort: "by"},
		{Label: "statsweb.col.at", Sort: "at"}, {Label: "statsweb.col.reason"}, {Label: "statsweb.col.source"},
		{Label: "statsweb.col.source_status"}, {Label: "statsweb.col.quote"}, {Label: "statsweb.col.qualifier"}}
}

// statsHistorySorts are the sort keys of a key's revisions (newest first by default).
var statsHistorySorts = map[string]func(a, b store.Fact) int{
	"revision": func(a, b store.Fact) int { return a.Revision - b.Revision },
	"at":       func(a, b store.Fact) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"by":       func(a, b store.Fact) int { return strings.Compare(a.CreatedBy, b.CreatedBy) },
}

// statsKeyFrom reads a fact key from the URL. A malformed enterprise id names nothing, so
// it becomes -1, which no fact has: the use case then answers "not found" as for any
// key the caller may not see.
func statsKeyFrom(v url.Values) store.FactKey {
	k := store.FactKey{Indicator: v.Get("indicator"), Region: v.Get("region"), Industry: v.Get("industry"), Period: v.Get("period")}
	if e := v.Get("enterprise"); e != "" {
		id, err := strconv.ParseInt(e, 10, 64)
		if err != nil || id < 0 {
			id = -1
		}
		k.EnterpriseID = id
	}
	return k
}

func (s *Server) statsHistory(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.lang(r)
	k := statsKeyFrom(r.URL.Query())
	svc := s.statsService()
	revs, err := svc.History(ctx, p, k)
	if err != nil {
		return err
	}
	// The value in force and its status come from the current-facts list, through the
	// same use cases. A key whose value in force the caller may not list is not shown
	// either: History lets a published scope read any region-level key, approved or not,
	// and a viewer must see approved values only.
	cf := store.FactFilter{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry, EnterpriseID: k.EnterpriseID, Period: k.Period}
	if cf.EnterpriseID == 0 {
		cf.EnterpriseID = -1
	}
	cur, err := svc.List(ctx, p, cf, store.ListQuery{Limit: 1})
	if err != nil {
		return err
	}
	if len(revs) == 0 || len(cur.Rows) == 0 {
		return apperr.New(apperr.NotFound, "not_found", "stats.err.no_fact")
	}
	rf, err := s.statsLoadRefs(ctx, p)
	if err != nil {
		return err
	}
	if err := rf.names(ctx, s.db, revs[:1]); err != nil {
		return err
	}
	ind := rf.indicator[k.Indicator]
	spec := TableSpec[store.Fact]{Export: "statsweb.history.title", Columns: statsHistoryColumns()}
	spec.Row = func(x store.Fact) []Cell {
		return []Cell{{Value: x.Revision, Text: strconv.Itoa(x.Revision), Num: true},
			{Value: statsExportNumber(x.Value), Text: s.statsFigure(lang, x.Value, x.Qualifier, ind), Num: true}, TextCell(ind.Unit),
			TextCell(x.Entered), TextCell(x.CreatedBy), adminTimeCell(x.CreatedAt), TextCell(x.Reason), TextCell(x.Source),
			TextCell(s.statsLabel(lang, statsSourceStatus, x.SourceStatus)), TextCell(x.Quote), s.statsQualifierCell(lang, x.Qualifier)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Fact], error) {
		return store.SlicePage(revs, q, statsHistorySorts, func(x store.Fact) string {
			return strings.Join([]string{x.Entered, x.CreatedBy, x.Reason, x.Source, x.Quote}, " ")
		}), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "history-table"
	v := statsHistoryView{Table: tv, Indicator: rf.indicatorText(lang, k.Indicator), Region: rf.regionText(lang, k.Region),
		Industry: rf.industryText(lang, k.Industry), Enterprise: rf.enterpriseText(k.EnterpriseID), Period: k.Period,
		Unit: ind.Unit, FactsHref: "/stats/facts?" + url.Values{"indicator": {k.Indicator}, "region": {k.Region}}.Encode(),
		Current: s.statsFigure(lang, cur.Rows[0].Value, cur.Rows[0].Qualifier, ind), Status: s.statsLabel(lang, statsFactStatus, cur.Rows[0].Status)}
	v.Page = s.page(w, r, "statsweb.history.title", Crumb{Label: "statsweb.facts.title", Href: "/stats/facts"},
		Crumb{Label: "statsweb.history.title"})
	v.Title = s.cat.T(lang, "statsweb.history.title_of", statsName(lang, ind.NameZh, ind.NameEn), v.Region, k.Period)
	s.render(w, r, http.StatusOK, "stats_history", v)
	return nil
}

// Entry.

// statsEntryForm is the entry form: what was entered, the choices, and the outcome.
type statsEntryForm struct {
	Indicator, Region, Industry, Enterprise, Period, Value, Unit string
	Source, SourceStatus, Quote, Reason, Qualifier               string

	RegionFixed     bool   // a county user: its own region
	EnterpriseFixed bool   // an enterprise user: its own enterprise
	FixedLabel      string // what is fixed, by name

	Indicators     []statsOptGroup
	Regions        []statsOption
	Industries     []statsOption
	Units          []statsOption
	SourceStatuses []statsOption
	Qualifiers     []statsOption

	Errors   map[string]string
	Warnings []string
	Saved    string
}

type statsEntryView struct {
	Page
	Form statsEntryForm
}

func (s *Server) statsEntryForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return s.renderStatsEntry(w, r, http.StatusOK, statsEntryForm{Indicator: q.Get("indicator"), Region: q.Get("region"),
		Industry: q.Get("industry"), Period: q.Get("period"), SourceStatus: "report"})
}

func (s *Server) statsEntrySubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.lang(r)
	tf := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	form := statsEntryForm{Indicator: tf("indicator"), Region: tf("region"), Industry: tf("industry"), Enterprise: tf("enterprise"),
		Period: tf("period"), Value: tf("value"), Unit: tf("unit"), Source: tf("source"), SourceStatus: tf("source_status"),
		Quote: tf("quote"), Reason: tf("reason"), Qualifier: tf("qualifier")}
	in := stats.Input{Indicator: form.Indicator, Region: form.Region, Industry: form.Industry, Period: form.Period,
		Value: form.Value, Unit: form.Unit, Source: form.Source, SourceStatus: form.SourceStatus, Quote: form.Quote, Reason: form.Reason,
		Qualifier: form.Qualifier}
	if form.Enterprise != "" {
		id, err := strconv.ParseInt(form.Enterprise, 10, 64)
		if err != nil || id <= 0 {
			form.Errors = map[string]string{"enterprise": s.cat.T(lang, "statsweb.err.enterprise_id", form.Enterprise)}
			return s.renderStatsEntry(w, r, http.StatusUnprocessableEntity, form)
		}
		in.EnterpriseID = id
	}
	res, err := s.statsService().Enter(ctx, p, in)
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		form.Errors = s.adminFieldErrors(lang, e, "form")
		return s.renderStatsEntry(w, r, e.Kind.Status(), form)
	}
	for _, wn := range res.Warnings {
		form.Warnings = append(form.Warnings, s.cat.T(lang, wn.Key, wn.Args...))
	}
	rf, err := s.statsLoadRefs(ctx, p)
	if err != nil {
		return err
	}
	ind := rf.indicator[in.Indicator]
	if res.Unchanged {
		form.Saved = s.cat.T(lang, "statsweb.entry.unchanged")
	} else {
		f := res.Fact
		form.Saved = s.cat.T(lang, "statsweb.entry.saved", rf.indicatorText(lang, f.Indicator), rf.regionText(lang, f.Region),
			f.Period, s.statsFigure(lang, f.Value, f.Qualifier, ind), f.Revision, s.statsLabel(lang, statsFactStatus, f.Status))
	}
	return s.renderStatsEntry(w, r, http.StatusOK, form)
}

// renderStatsEntry shows the entry form. A county user's region and an enterprise user's
// enterprise are shown fixed (the use case refuses any other); planners choose both.
func (s *Server) renderStatsEntry(w http.ResponseWriter, r *http.Request, status int, form statsEntryForm) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	// Only a form that can succeed is offered; Enter checks the right again on every post.
	if err := auth.Require(p, auth.EnterStats); err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.lang(r)
	rf, err := s.statsLoadRefs(ctx, p)
	if err != nil {
		return err
	}
	switch p.Role {
	case auth.County:
		form.RegionFixed, form.Region = true, p.RegionCode
		form.FixedLabel = rf.regionText(lang, p.RegionCode)
	case auth.Enterprise:
		form.EnterpriseFixed, form.Region = true, ""
		form.Enterprise = strconv.FormatInt(p.EnterpriseID, 10)
		e, err := enterprise.Get(ctx, s.db, p, p.EnterpriseID)
		if err != nil {
			return err
		}
		form.FixedLabel = e.NameZh + " #" + form.Enterprise
	}
	form.Indicators = s.statsIndicatorGroups(lang, rf, form.Indicator)
	for _, g := range rf.regions {
		form.Regions = append(form.Regions, statsOption{Value: g.Code, Label: g.Code + " " + statsName(lang, g.NameZh, g.NameEn),
			Selected: g.Code == form.Region})
	}
	form.Industries = statsIndustryOptions(lang, rf, form.Industry)
	// Every unit any indicator accepts; the use case says which fit the chosen indicator.
	units := map[string]bool{}
	for _, i := range rf.indicators {
		for _, u := range stats.ConvertibleUnits(i.Unit) {
			units[u] = true
		}
	}
	form.Units = []statsOption{{Value: "", Label: s.cat.T(lang, "statsweb.entry.unit_default"), Selected: form.Unit == ""}}
	for _, u := range slices.Sorted(maps.Keys(units)) {
		form.Units = append(form.Units, statsOption{Value: u, Label: u, Selected: u == form.Unit})
	}
	if form.Unit != "" && !units[form.Unit] {
		form.Units = append(form.Units, statsOption{Value: form.Unit, Label: form.Unit, Selected: true})
	}
	form.SourceStatuses = s.statsSetOptions(lang, statsSourceStatus, statsSourceStatusOrder, form.SourceStatus)
	form.Qualifiers = s.statsSetOptions(lang, statsQualifiers, statsQualifierOrder, form.Qualifier)
	s.render(w, r, status, "stats_entry", statsEntryView{Page: s.page(w, r, "statsweb.entry.title", Crumb{Label: "statsweb.entry.title"}),
		Form: form})
	return nil
}

// Approval.

type statsApprovalsFilter struct {
	Period, Status, Q, Sort, Dir, PerPage string
	Statuses                              []statsOption
	Errors                                map[string]string
}

type statsApprovalsView struct {
	Page
	Table  TableView
	Filter statsApprovalsFilter
}

func statsApprovalHref(region, period string) string {
	return "/stats/approvals/" + url.PathEscape(region) + "/" + url.PathEscape(period)
}

func statsAuditHref(region, period string) string {
	return "/admin/audit?" + url.Values{"entity": {"period"}, "entity_id": {region + "/" + period}}.Encode()
}

func (s *Server) statsApprovals(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.lang(r)
	q := r.URL.Query()
	form := statsApprovalsFilter{Period: strings.TrimSpace(q.Get("period")), Status: q.Get("status"), Q: q.Get("q"),
		Sort: q.Get("sort"), Dir: q.Get("dir"), PerPage: q.Get("per_page")}
	f := store.ApprovalFilter{Period: form.Period, Status: form.Status}
	var bad *apperr.Error
	if form.Status != "" {
		if _, ok := statsPeriodStatus[form.Status]; !ok {
			bad = apperr.New(apperr.Invalid, "invalid_filter", "statsweb.err.status", form.Status).With("status", "statsweb.err.status", form.Status)
		}
	}
	cols := []Column{{Label: "statsweb.col.region", Sort: "region"}, {Label: "statsweb.col.period", Sort: "period"},
		{Label: "statsweb.col.approval", Sort: "status"}, {Label: "statsweb.col.facts", Sort: "facts", Num: true},
		{Label: "statsweb.col.updated_by"}, {Label: "statsweb.col.updated_at", Sort: "updated"},
		{Label: "statsweb.col.action", NoExport: true}, {Label: "statsweb.col.more", NoExport: true}}
	audit := p.Can(auth.ReadAudit)
	if audit {
		cols = append(cols, Column{Label: "statsweb.col.audit", NoExport: true})
	}
	spec := TableSpec[store.PeriodApproval]{Export: "statsweb.approvals.title", Columns: cols}
	spec.Row = func(a store.PeriodApproval) []Cell {
		href := statsApprovalHref(a.Region, a.Period)
		name := statsName(lang, a.RegionName, a.RegionNameEn) + " " + a.Region
		action, more := Cell{}, Cell{}
		switch {
		case a.Status == "open" && p.Can(auth.SubmitStats):
			action.Action = &CellAction{Post: href + "/submit", Label: s.cat.T(lang, "statsweb.approval.submit"),
				Confirm: s.cat.T(lang, "statsweb.approval.confirm_submit", name, a.Period)}
		case a.Status == "submitted" && p.Can(auth.ApproveStats):
			action.Action = &CellAction{Post: href + "/approve", Label: s.cat.T(lang, "statsweb.approval.approve"),
				Confirm: s.cat.T(lang, "statsweb.approval.confirm_approve", name, a.Period)}
			more = Cell{Text: s.cat.T(lang, "statsweb.approval.return_link"), Href: href + "#return"}
		case a.Status == "approved" && p.Can(auth.ApproveStats):
			more = Cell{Text: s.cat.T(lang, "statsweb.approval.unlock_link"), Href: href + "#unlock"}
		}
		by := TextCell(a.UpdatedBy)
		if a.UpdatedBy == "" {
			by = Cell{Value: "", Text: "—"}
		}
		row := []Cell{{Value: name, Text: name, Href: href}, TextCell(a.Period), TextCell(s.statsLabel(lang, statsPeriodStatus, a.Status)),
			{Value: a.Facts, Text: strconv.Itoa(a.Facts), Num: true}, by, adminTimeCell(a.UpdatedAt), action, more}
		if audit {
			row = append(row, Cell{Text: s.cat.T(lang, "statsweb.approval.audit_link"), Href: statsAuditHref(a.Region, a.Period)})
		}
		return row
	}
	status := http.StatusOK
	var tv TableView
	if bad != nil {
		if statsExportAsked(r) {
			return bad
		}
		status = bad.Kind.Status()
		form.Errors = s.adminFieldErrors(lang, bad, "status")
		lq, page, per := listQuery(r)
		tv = buildTable(s, lang, r, spec.Columns, lq, page, per, 0)
	} else {
		var done bool
		tv, done, err = serveTable(s, w, r, spec, func(lq store.ListQuery) (store.Page[store.PeriodApproval], error) {
			return s.statsService().Approvals(ctx, p, f, lq)
		})
		if err != nil || done {
			return err
		}
	}
	tv.NoFilter, tv.TestID = true, "approvals-table"
	form.Statuses = s.statsSetOptions(lang, statsPeriodStatus, statsPeriodStatusOrder, form.Status)
	s.render(w, r, status, "stats_approvals", statsApprovalsView{Page: s.page(w, r, "statsweb.approvals.title",
		Crumb{Label: "statsweb.approvals.title"}), Table: tv, Filter: form})
	return nil
}

type statsApprovalView struct {
	Page
	A              store.PeriodApproval
	RegionLabel    string
	Base           string
	StatusLabel    string
	Updated        string
	Flash          string
	Errors         map[string]string
	Reason         string
	CanSubmit      bool
	CanApprove     bool
	ConfirmSubmit  string
	ConfirmApprove string
	ConfirmUnlock  string
	AuditHref      string
	FactsHref      string
	EntryHref      string
}

func (s *Server) statsApproval(w http.ResponseWriter, r *http.Request) error {
	return s.renderStatsApproval(w, r, http.StatusOK, nil, "")
}

// renderStatsApproval shows one region's period with the transitions the caller may make.
func (s *Server) renderStatsApproval(w http.ResponseWriter, r *http.Request, status int, errs map[string]string, reason string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	a, err := s.statsService().Approval(r.Context(), p, r.PathValue("region"), r.PathValue("period"))
	if err != nil {
		return err
	}
	name := statsName(lang, a.RegionName, a.RegionNameEn) + " " + a.Region
	v := statsApprovalView{A: a, RegionLabel: name, Base: statsApprovalHref(a.Region, a.Period), StatusLabel: s.statsLabel(lang, statsPeriodStatus, a.Status),
		Updated: adminTime(a.UpdatedAt), Errors: errs, Reason: reason,
		CanSubmit: a.Status == "open" && p.Can(auth.SubmitStats), CanApprove: p.Can(auth.ApproveStats),
		ConfirmSubmit:  s.cat.T(lang, "statsweb.approval.confirm_submit", name, a.Period),
		ConfirmApprove: s.cat.T(lang, "statsweb.approval.confirm_approve", name, a.Period),
		ConfirmUnlock:  s.cat.T(lang, "statsweb.approval.confirm_unlock", name, a.Period),
		FactsHref:      "/stats/facts?" + url.Values{"region": {a.Region}, "period": {a.Period}}.Encode(),
		EntryHref:      "/stats/entry?" + url.Values{"region": {a.Region}, "period": {a.Period}}.Encode()}
	if p.Can(auth.ReadAudit) {
		v.AuditHref = statsAuditHref(a.Region, a.Period)
	}
	if key, ok := statsFlashes[r.URL.Query().Get("ok")]; ok && status == http.StatusOK {
		v.Flash = s.cat.T(lang, key, name, a.Period)
	}
	v.Page = s.page(w, r, "statsweb.approval.title", Crumb{Label: "statsweb.approvals.title", Href: "/stats/approvals"},
		Crumb{Label: name + " · " + a.Period})
	v.Title = s.cat.T(lang, "statsweb.approval.title") + " " + name + " · " + a.Period
	s.render(w, r, status, "stats_approval", v)
	return nil
}

func (s *Server) statsApprovalAction(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	regionCode, period, action := r.PathValue("region"), r.PathValue("period"), r.PathValue("action")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	svc := s.statsService()
	switch action {
	case "submit":
		err = svc.Submit(ctx, p, regionCode, period)
	case "approve":
		err = svc.Approve(ctx, p, regionCode, period)
	case "return":
		err = svc.Return(ctx, p, regionCode, period, reason)
	case "unlock":
		err = svc.Unlock(ctx, p, regionCode, period, reason)
	default:
		return notFoundErr()
	}
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		errs := map[string]string{}
		lang := s.lang(r)
		for _, f := range e.Fields {
			if f.Name == "reason" {
				errs["reason_"+action] = s.cat.T(lang, f.Key, f.Args...)
			}
		}
		if len(errs) == 0 {
			errs["form"] = s.cat.T(lang, e.Key, e.Args...)
		}
		return s.renderStatsApproval(w, r, e.Kind.Status(), errs, reason)
	}
	http.Redirect(w, r, statsApprovalHref(regionCode, period)+"?ok="+action, http.StatusSeeOther)
	return nil
}

// Catalogues.

var statsIndicatorSorts = map[string]func(a, b store.Indicator) int{
	"code": func(a, b store.Indicator) int { return strings.Compare(a.Code, b.Code) },
	"name": func(a, b store.Indicator) int { return strings.Compare(a.NameZh, b.NameZh) },
	"unit": func(a, b store.Indicator) int { return strings.Compare(a.Unit, b.Unit) },
	"period_type": func(a, b store.Indicator) int {
		return slices.Index(statsPeriodTypeOrder, a.PeriodType) - slices.Index(statsPeriodTypeOrder, b.PeriodType)
	},
	"aggregation": func(a, b store.Indicator) int { return strings.Compare(a.Aggregation, b.Aggregation) },
}

func statsIndicatorText(i store.Indicator) string {
	return strings.Join([]string{i.Code, i.NameZh, i.NameEn, i.Unit, i.Source}, " ")
}

// statsBound writes an optional bound in micro-units with its unit, "" when unbounded.
func statsBound(v *int64, unit string) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(stats.Micro(*v).String() + " " + unit)
}

func (s *Server) statsIndicators(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	rf, err := s.statsLoadRefs(r.Context(), p)
	if err != nil {
		return err
	}
	spec := TableSpec[store.Indicator]{Export: "statsweb.indicators.title",
		Columns: []Column{{Label: "statsweb.col.code", Sort: "code"}, {Label: "statsweb.col.name", Sort: "name"},
			{Label: "statsweb.col.name_en"}, {Label: "statsweb.col.unit", Sort: "unit"}, {Label: "statsweb.col.units"},
			{Label: "statsweb.col.period_type", Sort: "period_type"}, {Label: "statsweb.col.aggregation", Sort: "aggregation"},
			{Label: "statsweb.col.decimals", Num: true}, {Label: "statsweb.col.min"}, {Label: "statsweb.col.max"},
			{Label: "statsweb.col.growth"}, {Label: "statsweb.col.part_of"}, {Label: "common.source"}}}
	spec.Row = func(i store.Indicator) []Cell {
		agg := s.statsLabel(lang, statsAggregation, i.Aggregation)
		if i.Aggregation == "ratio" {
			agg += " " + i.NumeratorCode + " / " + i.DenominatorCode
		}
		units := stats.ConvertibleUnits(i.Unit)
		slices.Sort(units[1:])
		growth := ""
		if i.GrowthMin != nil || i.GrowthMax != nil {
			lo, hi := "−∞", "+∞"
			if i.GrowthMin != nil {
				lo = stats.Micro(*i.GrowthMin).String()
			}
			if i.GrowthMax != nil {
				hi = stats.Micro(*i.GrowthMax).String()
			}
			growth = s.cat.T(lang, "statsweb.indicators.growth_range", lo, hi)
		}
		return []Cell{TextCell(i.Code), TextCell(i.NameZh), TextCell(i.NameEn), TextCell(i.Unit), TextCell(strings.Join(units, "、")),
			TextCell(s.statsLabel(lang, statsPeriodType, i.PeriodType)), TextCell(agg),
			{Value: i.Decimals, Text: strconv.Itoa(i.Decimals), Num: true}, TextCell(statsBound(i.Min, i.Unit)),
			TextCell(statsBound(i.Max, i.Unit)), TextCell(growth), TextCell(i.PartOf), TextCell(i.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Indicator], error) {
		return store.SlicePage(rf.indicators, q, statsIndicatorSorts, statsIndicatorText), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "indicators-table"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "statsweb.indicators.title", Crumb{Label: "statsweb.indicators.title"}),
		Table: tv, Note: s.cat.T(lang, "statsweb.indicators.note")})
	return nil
}

var statsIndustrySorts = map[string]func(a, b store.IndustryNode) int{
	"code": func(a, b store.IndustryNode) int { return strings.Compare(a.Code, b.Code) },
	"name": func(a, b store.IndustryNode) int { return strings.Compare(a.NameZh, b.NameZh) },
	"sei":  func(a, b store.IndustryNode) int { return strings.Compare(a.SEICode, b.SEICode) },
}

func statsIndustryText(i store.IndustryNode) string {
	return strings.Join([]string{i.Code, i.NameZh, i.NameEn, i.SEICode, i.SEINote}, " ")
}

func (s *Server) statsIndustries(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	rf, err := s.statsLoadRefs(r.Context(), p)
	if err != nil {
		return err
	}
	spec := TableSpec[store.IndustryNode]{Export: "statsweb.industries.title",
		Columns: []Column{{Label: "statsweb.col.code", Sort: "code"}, {Label: "statsweb.col.name", Sort: "name"},
			{Label: "statsweb.col.name_en"}, {Label: "statsweb.col.parent"}, {Label: "statsweb.col.sei_code", Sort: "sei"},
			{Label: "statsweb.col.sei_note"}, {Label: "statsweb.col.sunrise"}, {Label: "common.source"}}}
	spec.Row = func(i store.IndustryNode) []Cell {
		sei := i.SEICode
		if sei == "" {
			sei = s.cat.T(lang, "statsweb.industries.no_sei")
		}
		sunrise := ""
		if i.Sunrise {
			sunrise = s.cat.T(lang, "statsweb.industries.sunrise")
		}
		// The tree shows in the indentation; the export keeps the plain name.
		return []Cell{TextCell(i.Code), {Value: i.NameZh, Text: strings.Repeat("　　", i.Depth) + i.NameZh}, TextCell(i.NameEn),
			TextCell(i.ParentCode), TextCell(sei), TextCell(i.SEINote), TextCell(sunrise), TextCell(i.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.IndustryNode], error) {
		return store.SlicePage(rf.industries, q, statsIndustrySorts, statsIndustryText), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "industries-table"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "statsweb.industries.title", Crumb{Label: "statsweb.industries.title"}),
		Table: tv, Note: s.cat.T(lang, "statsweb.industries.note")})
	return nil
}
