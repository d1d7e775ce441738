package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/cultivation"
	"zhanxin/internal/i18n"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The cultivation pages: the classes and their rules, one class's register of enterprises
// with the reason each does or does not qualify, one enterprise's classification, and the
// 一企一策 support measures. The cultivation package decides; these handlers format.

func (s *Server) cultivationRoutes() {
	s.handle("GET /cultivation", s.adapt(s.cultClassesPage))
	s.handle("GET /cultivation/classes/{code}", s.adapt(s.cultClassPage))
	s.handle("GET /cultivation/enterprises/{id}", s.adapt(s.cultEnterprisePage))
	s.handle("GET /cultivation/support", s.adapt(s.cultSupportPage))
	s.handle("POST /cultivation/criteria", s.adapt(s.cultAddCriterion))
	s.handle("POST /cultivation/criteria/{id}/delete", s.adapt(s.cultDeleteCriterion))
	s.handle("POST /cultivation/classes/{code}/combine", s.adapt(s.cultSetCombine))
	s.handle("POST /cultivation/classes/{code}/list", s.adapt(s.cultAddToList))
	s.handle("POST /cultivation/classes/{code}/list/{id}/remove", s.adapt(s.cultRemoveFromList))
	s.handle("POST /cultivation/classes/{code}/designations", s.adapt(s.cultAddDesignation))
	s.handle("POST /cultivation/classes/{code}/designations/{id}/remove", s.adapt(s.cultRemoveDesignation))
	s.handle("POST /cultivation/support", s.adapt(s.cultAddMeasure))
	s.handle("POST /cultivation/support/{id}/status", s.adapt(s.cultMeasureStatus))
}

func (s *Server) cultService() *cultivation.Service {
	return &cultivation.Service{DB: s.db, Now: s.now}
}

var (
	cultClassStateKeys = map[string]string{
		"qualifies": "cult.state.qualifies", "not": "cult.state.not", "undecided": "cult.state.undecided", "no_rules": "cult.state.no_rules",
	}
	cultCritStateKeys = map[string]string{
		"pass": "cult.crit.pass", "fail": "cult.crit.fail", "no_data": "cult.crit.no_data", "ambiguous": "cult.crit.ambiguous",
	}
	cultCombineKeys = map[string]string{"all": "cult.combine.all", "any": "cult.combine.any"}
	cultKindKeys    = map[string]string{
		"indicator": "cult.kind.indicator", "designated": "cult.kind.designated", "chain_leader": "cult.kind.chain_leader",
	}
	cultMeasureStatusKeys = map[string]string{
		"planned": "cult.status.planned", "in_progress": "cult.status.in_progress", "done": "cult.status.done", "cancelled": "cult.status.cancelled",
	}
)

// cultSources maps source codes to what a page shows: the article by its short name, a
// source of the sources table by its title, anything else as written.
func (s *Server) cultSources(ctx context.Context, lang i18n.Lang) (func(string) string, error) {
	srcs, err := s.db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, x := range srcs {
		m[x.Code] = name(lang, x.TitleZh, x.TitleEn)
	}
	return func(code string) string {
		if code == "article" {
			return s.cat.T(lang, "plan.source.article")
		}
		if t, ok := m[code]; ok {
			return t
		}
		return code
	}, nil
}

// cultRule writes a criterion as a sentence: "主营业务收入 (REV) ≥ 0.2 亿元，2013年".
func (s *Server) cultRule(lang i18n.Lang, inds map[string]store.Indicator, k store.ClassCriterion) string {
	switch k.Kind {
	case "designated":
		return s.cat.T(lang, "cult.kind.designated")
	case "chain_leader":
		return s.cat.T(lang, "cult.kind.chain_leader")
	}
	ind := inds[k.Indicator]
	out := fmt.Sprintf("%s (%s) %s %s %s", name(lang, ind.NameZh, ind.NameEn), k.Indicator, k.Comparison,
		groupDigits(stats.Micro(k.Threshold).String()), ind.Unit)
	if k.Period != "" {
		return out + s.cat.T(lang, "cult.rule.period", k.Period)
	}
	return out + s.cat.T(lang, "cult.rule.latest")
}

// cultFound writes what a criterion found: the value with unit, period and source, or
// why there is none.
func (s *Server) cultFound(lang i18n.Lang, inds map[string]store.Indicator, src func(string) string, r cultivation.CriterionResult) string {
	switch r.Criterion.Kind {
	case "designated":
		if r.Designation == nil {
			return s.cat.T(lang, "cult.found.not_designated")
		}
		return s.cat.T(lang, "cult.found.designated", src(r.Designation.Source), r.Designation.Period, r.Designation.Quote)
	case "chain_leader":
		return s.cat.T(lang, "cult.found.leader_links", r.LeaderLinks)
	}
	if r.State == cultivation.NoData {
		if r.Period != "" {
			return s.cat.T(lang, "cult.found.no_data_period", r.Period)
		}
		return s.cat.T(lang, "cult.found.no_data")
	}
	ind := inds[r.Criterion.Indicator]
	v := groupDigits(stats.Micro(r.Value).Format(ind.Decimals)) + " " + ind.Unit
	if r.State == cultivation.Ambiguous {
		return s.cat.T(lang, "cult.found.ambiguous", r.Rows, r.Period)
	}
	if r.Rows > 1 {
		return s.cat.T(lang, "cult.found.value_sum", v, r.Period, src(r.Source), r.Rows)
	}
	return s.cat.T(lang, "cult.found.value", v, r.Period, src(r.Source))
}

func (s *Server) cultUSCC(lang i18n.Lang, e store.Enterprise) string {
	if e.USCC == "" {
		return s.cat.T(lang, "cult.uscc_unknown")
	}
	return e.USCC
}

type cultOption struct {
	Value, Label string
	Selected     bool
}

type cultClassesView struct {
	Page
	Table       TableView
	CanManage   bool
	Classes     []cultOption
	Kinds       []cultOption
	Indicators  []cultOption
	Comparisons []string
}

func (s *Server) cultClassesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	cat, err := s.cultService().Classes(r.Context(), p)
	if err != nil {
		return err
	}
	spec := TableSpec[cultivation.Class]{Export: "cult.classes.title", Columns: []Column{{Label: "cult.col.class", Sort: "name"},
		{Label: "cult.col.code", Sort: "code"}, {Label: "cult.col.combine"}, {Label: "cult.col.rules"}, {Label: "cult.col.note"}, {Label: "common.source"}}}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	spec.Row = func(c cultivation.Class) []Cell {
		var rules []string
		for _, k := range c.Criteria {
			rules = append(rules, s.cultRule(lang, cat.Indicators, k))
		}
		rule := strings.Join(rules, "；")
		if rule == "" {
			rule = s.cat.T(lang, "cult.state.no_rules")
		}
		n := name(lang, c.NameZh, c.NameEn)
		return []Cell{{Value: n, Text: n, Href: "/cultivation/classes/" + url.PathEscape(c.Code)}, TextCell(c.Code),
			TextCell(s.cat.T(lang, cultCombineKeys[c.Combine])), TextCell(rule), TextCell(c.Note), TextCell(src(c.Source))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[cultivation.Class], error) {
		return store.SlicePage(cat.Classes, q, map[string]func(a, b cultivation.Class) int{
			"name": func(a, b cultivation.Class) int { return strings.Compare(a.NameZh, b.NameZh) },
			"code": func(a, b cultivation.Class) int { return strings.Compare(a.Code, b.Code) },
		}, func(c cultivation.Class) string { return c.Code + " " + c.NameZh + " " + c.NameEn + " " + c.Note }), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "classes"
	v := cultClassesView{Page: s.page(w, r, "cult.classes.title", Crumb{Label: "cult.classes.title"}), Table: tv,
		CanManage: p.Can(auth.ManageCultivation), Comparisons: cultivation.Comparisons}
	for _, c := range cat.Classes {
		v.Classes = append(v.Classes, cultOption{Value: c.Code, Label: name(lang, c.NameZh, c.NameEn)})
	}
	for _, k := range cultivation.Kinds {
		v.Kinds = append(v.Kinds, cultOption{Value: k, Label: s.cat.T(lang, cultKindKeys[k])})
	}
	inds, err := s.db.Indicators(r.Context())
	if err != nil {
		return err
	}
	for _, i := range inds {
		v.Indicators = append(v.Indicators, cultOption{Value: i.Code, Label: fmt.Sprintf("%s (%s, %s)", name(lang, i.NameZh, i.NameEn), i.Code, i.Unit)})
	}
	s.render(w, r, http.StatusOK, "cult_classes", v)
	return nil
}

type cultRuleView struct {
	ID   int64
	Text string
	Note string
}

type cultClassView struct {
	Page
	Table   TableView
	Class   string
	Code    string
	Combine string
	// CombineLabel is how the criteria combine, in the page's language.
	CombineLabel string
	Note         string
	Rules        []cultRuleView
	CanManage    bool
	OnList       bool
	Qualified    bool
	Candidates   []cultOption
	Designations []cultDesigView
	DesigXLSX    string
	DesigCSV     string
	Enterprises  []cultOption // every enterprise the designation form may name
}

func (s *Server) cultClassPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	code := r.PathValue("code")
	f := cultivation.RegisterFilter{OnList: r.URL.Query().Get("on_list") == "1", Qualified: r.URL.Query().Get("qualified") == "1"}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("table") == "designations" {
		return s.exportDesignations(w, r, p, lang, code, src)
	}
	var cl cultivation.Class
	var inds map[string]store.Indicator
	canManage := p.Can(auth.ManageCultivation)
	spec := TableSpec[cultivation.Member]{Export: "cult.class.export", Columns: []Column{{Label: "enterprises.id", Sort: "id", Num: true},
		{Label: "enterprises.name", Sort: "name"}, {Label: "enterprises.uscc"}, {Label: "cult.col.state", Sort: "state"},
		{Label: "cult.col.why"}, {Label: "cult.col.on_list"}, {Label: "cult.col.action", NoExport: true}}}
	spec.Row = func(m cultivation.Member) []Cell {
		var why []string
		for _, c := range m.Result.Criteria {
			why = append(why, fmt.Sprintf("%s：%s — %s", s.cultRule(lang, inds, c.Criterion), s.cultFound(lang, inds, src, c),
				s.cat.T(lang, cultCritStateKeys[c.State])))
		}
		onList := s.cat.T(lang, "cult.no")
		if m.Result.OnList {
			onList = s.cat.T(lang, "cult.yes")
		}
		id := strconv.FormatInt(m.Enterprise.ID, 10)
		row := []Cell{{Value: m.Enterprise.ID, Text: id, Num: true},
			{Value: m.Enterprise.NameZh, Text: m.Enterprise.NameZh, Href: "/cultivation/enterprises/" + id},
			TextCell(s.cultUSCC(lang, m.Enterprise)), TextCell(s.cat.T(lang, cultClassStateKeys[m.Result.State])),
			{Value: strings.Join(why, "\n"), Text: strings.Join(why, "\n"), Pre: true}, TextCell(onList), {}}
		if canManage && m.Result.OnList {
			row[6] = Cell{Action: &CellAction{Post: "/cultivation/classes/" + url.PathEscape(code) + "/list/" + id + "/remove",
				Label: s.cat.T(lang, "cult.list.remove"), Danger: true}}
		}
		return row
	}
	var all []cultivation.Member
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[cultivation.Member], error) {
		var pg store.Page[cultivation.Member]
		var err error
		cl, pg, inds, err = s.cultService().Register(r.Context(), p, code, f, q)
		if err == nil && canManage {
			var full store.Page[cultivation.Member]
			_, full, _, err = s.cultService().Register(r.Context(), p, code, cultivation.RegisterFilter{}, store.ListQuery{})
			all = full.Rows
		}
		return pg, err
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "register"
	cname := name(lang, cl.NameZh, cl.NameEn)
	v := cultClassView{Page: s.page(w, r, "cult.classes.title", Crumb{Label: "cult.classes.title", Href: "/cultivation"}, Crumb{Label: cname}),
		Table: tv, Class: cname, Code: cl.Code, Combine: cl.Combine, CombineLabel: s.cat.T(lang, cultCombineKeys[cl.Combine]), Note: cl.Note, CanManage: canManage, OnList: f.OnList, Qualified: f.Qualified}
	v.Title = cname
	for _, k := range cl.Criteria {
		v.Rules = append(v.Rules, cultRuleView{ID: k.ID, Text: s.cultRule(lang, inds, k), Note: strings.TrimSpace(k.Note + " " + src(k.Source))})
	}
	for _, m := range all {
		if !m.Result.OnList {
			v.Candidates = append(v.Candidates, cultOption{Value: strconv.FormatInt(m.Enterprise.ID, 10), Label: m.Enterprise.NameZh})
		}
	}
	if v.Designations, v.Enterprises, err = s.cultDesignations(r, p, lang, code, src); err != nil {
		return err
	}
	v.DesigXLSX, v.DesigCSV = designationExports(cl.Code)
	s.render(w, r, http.StatusOK, "cult_class", v)
	return nil
}

// cultEvalRow is one criterion of one class for the enterprise page (a class without
// rules is one row saying so).
type cultEvalRow struct {
	Class  cultivation.ClassResult
	Crit   *cultivation.CriterionResult
	Sorter int
}

type cultEnterpriseView struct {
	Page
	Table    TableView
	Name     string
	USCC     string
	Region   string
	Note     string
	Source   string
	Measures int
	Overdue  int
	ID       int64
}

func (s *Server) cultEnterprisePage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ev, err := s.cultService().Evaluate(r.Context(), p, id)
	if err != nil {
		return err
	}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	var rows []cultEvalRow
	for _, c := range ev.Classes {
		if len(c.Criteria) == 0 {
			rows = append(rows, cultEvalRow{Class: c, Sorter: len(rows)})
		}
		for i := range c.Criteria {
			rows = append(rows, cultEvalRow{Class: c, Crit: &c.Criteria[i], Sorter: len(rows)})
		}
	}
	spec := TableSpec[cultEvalRow]{Export: "cult.enterprise.export", Columns: []Column{{Label: "cult.col.class"}, {Label: "cult.col.state"},
		{Label: "cult.col.rule"}, {Label: "cult.col.found"}, {Label: "cult.col.result"}}}
	spec.Row = func(x cultEvalRow) []Cell {
		cn := name(lang, x.Class.Class.NameZh, x.Class.Class.NameEn)
		st := s.cat.T(lang, cultClassStateKeys[x.Class.State])
		if x.Crit == nil {
			return []Cell{{Value: cn, Text: cn, Href: "/cultivation/classes/" + url.PathEscape(x.Class.Class.Code)}, TextCell(st),
				TextCell(s.cat.T(lang, "cult.state.no_rules")), TextCell("—"), TextCell("—")}
		}
		return []Cell{{Value: cn, Text: cn, Href: "/cultivation/classes/" + url.PathEscape(x.Class.Class.Code)}, TextCell(st),
			TextCell(s.cultRule(lang, ev.Indicators, x.Crit.Criterion)), TextCell(s.cultFound(lang, ev.Indicators, src, *x.Crit)),
			TextCell(s.cat.T(lang, cultCritStateKeys[x.Crit.State]))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[cultEvalRow], error) {
		q.Sort = ""
		return store.SlicePage(rows, q, nil, func(x cultEvalRow) string { return x.Class.Class.NameZh + " " + x.Class.Class.NameEn }), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "classification"
	e := ev.Enterprise
	v := cultEnterpriseView{Page: s.page(w, r, "cult.enterprise.title", Crumb{Label: "cult.classes.title", Href: "/cultivation"}, Crumb{Label: e.NameZh}),
		Table: tv, Name: e.NameZh, USCC: s.cultUSCC(lang, e), Region: e.RegionCode, Note: e.Note, Source: src(e.Source), ID: e.ID}
	v.Title = e.NameZh
	all, err := s.cultService().Measures(r.Context(), p, cultivation.MeasureFilter{EnterpriseID: id}, store.ListQuery{})
	if err != nil {
		return err
	}
	v.Measures = all.Total
	for _, m := range all.Rows {
		if cultivation.Overdue(m, s.now()) {
			v.Overdue++
		}
	}
	s.render(w, r, http.StatusOK, "cult_enterprise", v)
	return nil
}

type cultSupportView struct {
	Page
	Table        TableView
	CanManage    bool
	EnterpriseID string
	OverdueOnly  bool
	Enterprises  []cultOption
	Statuses     []cultOption
}

func (s *Server) cultSupportPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	f := cultivation.MeasureFilter{OverdueOnly: r.URL.Query().Get("overdue") == "1"}
	eid := r.URL.Query().Get("enterprise_id")
	if eid != "" {
		f.EnterpriseID, _ = strconv.ParseInt(eid, 10, 64)
		if f.EnterpriseID < 1 {
			return apperr.Missing("enterprise")
		}
	}
	canManage := p.Can(auth.ManageCultivation)
	today := s.now()
	spec := TableSpec[store.SupportMeasure]{Export: "cult.support.title", Columns: []Column{{Label: "cult.col.id", Sort: "id", Num: true},
		{Label: "enterprises.name", Sort: "enterprise"}, {Label: "cult.col.measure"}, {Label: "cult.col.department", Sort: "department"},
		{Label: "cult.col.due", Sort: "due"}, {Label: "cult.col.status", Sort: "status"}, {Label: "cult.col.overdue"}, {Label: "cult.col.note"},
		{Label: "cult.col.action", NoExport: true}}}
	spec.Row = func(m store.SupportMeasure) []Cell {
		over := s.cat.T(lang, "cult.no")
		if cultivation.Overdue(m, today) {
			over = s.cat.T(lang, "cult.overdue")
		}
		id := strconv.FormatInt(m.ID, 10)
		row := []Cell{{Value: m.ID, Text: id, Num: true},
			{Value: m.Enterprise, Text: m.Enterprise, Href: fmt.Sprintf("/cultivation/enterprises/%d", m.EnterpriseID)},
			TextCell(m.Measure), TextCell(m.Department), TextCell(m.DueDate), TextCell(s.cat.T(lang, cultMeasureStatusKeys[m.Status])),
			TextCell(over), TextCell(m.Note), {}}
		if canManage && (m.Status == "planned" || m.Status == "in_progress") {
			next := "done"
			if m.Status == "planned" {
				next = "in_progress"
			}
			row[8] = Cell{Action: &CellAction{Post: "/cultivation/support/" + id + "/status", Label: s.cat.T(lang, cultMeasureStatusKeys[next]),
				Hidden: []KV{{"status", next}}}}
		}
		return row
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.SupportMeasure], error) {
		return s.cultService().Measures(r.Context(), p, f, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "measures"
	v := cultSupportView{Page: s.page(w, r, "cult.support.title", Crumb{Label: "cult.support.title"}), Table: tv, CanManage: canManage,
		EnterpriseID: eid, OverdueOnly: f.OverdueOnly}
	if canManage {
		ents, err := s.db.AllEnterprises(r.Context(), auth.EnterprisesVisibleTo(p))
		if err != nil {
			return err
		}
		for _, e := range ents {
			v.Enterprises = append(v.Enterprises, cultOption{Value: strconv.FormatInt(e.ID, 10), Label: e.NameZh, Selected: strconv.FormatInt(e.ID, 10) == eid})
		}
		for _, st := range cultivation.Statuses {
			v.Statuses = append(v.Statuses, cultOption{Value: st, Label: s.cat.T(lang, cultMeasureStatusKeys[st])})
		}
	}
	s.render(w, r, http.StatusOK, "cult_support", v)
	return nil
}

func (s *Server) cultAddCriterion(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	in := cultivation.NewCriterion{Class: r.PostFormValue("class"), Kind: r.PostFormValue("kind"), Indicator: r.PostFormValue("indicator"),
		Comparison: r.PostFormValue("comparison"), Threshold: r.PostFormValue("threshold"), Unit: r.PostFormValue("unit"),
		Period: r.PostFormValue("period"), Note: r.PostFormValue("note"), Source: r.PostFormValue("source")}
	if _, err := s.cultService().AddCriterion(r.Context(), p, in); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(in.Class), http.StatusSeeOther)
	return nil
}

func (s *Server) cultDeleteCriterion(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.cultService().DeleteCriterion(r.Context(), p, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(r.PostFormValue("class")), http.StatusSeeOther)
	return nil
}

func (s *Server) cultSetCombine(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := s.cultService().SetCombine(r.Context(), p, code, r.PostFormValue("combine")); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(code), http.StatusSeeOther)
	return nil
}

func (s *Server) cultAddToList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	id, _ := strconv.ParseInt(r.PostFormValue("enterprise_id"), 10, 64)
	if err := s.cultService().AddToList(r.Context(), p, code, id, r.PostFormValue("note")); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(code)+"?on_list=1", http.StatusSeeOther)
	return nil
}

func (s *Server) cultRemoveFromList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.cultService().RemoveFromList(r.Context(), p, code, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(code), http.StatusSeeOther)
	return nil
}

func (s *Server) cultAddMeasure(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PostFormValue("enterprise_id"), 10, 64)
	m, err := s.cultService().AddMeasure(r.Context(), p, cultivation.NewMeasure{EnterpriseID: id, Measure: r.PostFormValue("measure"),
		Department: r.PostFormValue("department"), DueDate: r.PostFormValue("due_date"), Status: r.PostFormValue("status"), Note: r.PostFormValue("note")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/cultivation/support?enterprise_id=%d", m.EnterpriseID), http.StatusSeeOther)
	return nil
}

func (s *Server) cultMeasureStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	m, err := s.cultService().SetMeasureStatus(r.Context(), p, id, r.PostFormValue("status"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/cultivation/support?enterprise_id=%d", m.EnterpriseID), http.StatusSeeOther)
	return nil
}
