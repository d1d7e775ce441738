package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/plan"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Editing a plan's stages and targets: two lists (each with its exports) and a form for
// each. The plan package validates, writes and audits; these handlers read forms, show
// what was refused at its field, and never offer a form to a role that cannot save it.

func (s *Server) planEditRoutes() {
	s.handle("GET /plans/edit", s.adapt(s.planEditList(false)))
	s.handle("GET /plans/edit/targets", s.adapt(s.planEditList(true)))
	s.handle("GET /plans/stages/new", s.adapt(s.planStageForm))
	s.handle("POST /plans/stages/new", s.adapt(s.planStageSubmit))
	s.handle("GET /plans/stages/{code}/edit", s.adapt(s.planStageForm))
	s.handle("POST /plans/stages/{code}/edit", s.adapt(s.planStageSubmit))
	s.handle("POST /plans/stages/{code}/delete", s.adapt(s.planStageDelete))
	s.handle("GET /plans/targets/new", s.adapt(s.planTargetForm))
	s.handle("POST /plans/targets/new", s.adapt(s.planTargetSubmit))
	s.handle("GET /plans/targets/{code}/edit", s.adapt(s.planTargetForm))
	s.handle("POST /plans/targets/{code}/edit", s.adapt(s.planTargetSubmit))
	s.handle("POST /plans/targets/{code}/delete", s.adapt(s.planTargetDelete))
}

type planEditView struct {
	Page
	Table                 TableView
	Intro, Flash, Error   string
	NewHref, NewLabel     string
	OtherHref, OtherLabel string
	More                  []Crumb // the other editing lists of the plan
}

var planEditFlashes = map[string]string{"stage_saved": "planedit.saved_stage", "stage_deleted": "planedit.deleted_stage",
	"target_saved": "planedit.saved_target", "target_deleted": "planedit.deleted_target"}

func planEditHref(targets bool, plan string) string {
	path := "/plans/edit"
	if targets {
		path += "/targets"
	}
	return path + "?" + url.Values{"plan": {plan}}.Encode()
}

func (s *Server) planEditList(targets bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.renderPlanEditList(w, r, targets, http.StatusOK, "")
	}
}

// renderPlanEditList shows the stages (or the targets) of a plan with their edit and
// delete buttons; errMsg is a refused delete.
func (s *Server) renderPlanEditList(w http.ResponseWriter, r *http.Request, targets bool, status int, errMsg string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	pl, stages, tgs, err := s.planService().EditList(r.Context(), p, r.URL.Query().Get("plan"))
	if err != nil {
		return err
	}
	plName := name(lang, pl.NameZh, pl.NameEn)
	v := planEditView{Intro: s.cat.T(lang, "planedit.intro", plName), Error: errMsg}
	if key, ok := planEditFlashes[r.URL.Query().Get("ok")]; ok && status == http.StatusOK {
		v.Flash = s.cat.T(lang, key, r.URL.Query().Get("code"))
	}
	r = adminStripQuery(r, "ok", "code")
	var tv TableView
	var done bool
	if !targets {
		count := map[string]int{}
		for _, t := range tgs {
			count[t.StageCode]++
		}
		spec := TableSpec[store.PlanStage]{Export: "planedit.stages.title", Columns: []Column{{Label: "planedit.col.code", Sort: "code"},
			{Label: "planedit.col.name_zh"}, {Label: "planedit.col.name_en"}, {Label: "planedit.col.year", Sort: "year", Num: true},
			{Label: "planedit.col.targets", Num: true}, {Label: "planedit.col.sort_order", Num: true},
			{Label: "planedit.edit", NoExport: true}, {Label: "planedit.delete", NoExport: true}}}
		spec.Row = func(st store.PlanStage) []Cell {
			base := "/plans/stages/" + url.PathEscape(st.Code)
			return []Cell{TextCell(st.Code), TextCell(st.NameZh), TextCell(st.NameEn), {Value: st.Year, Text: strconv.Itoa(st.Year), Num: true},
				{Value: count[st.Code], Text: strconv.Itoa(count[st.Code]), Num: true}, {Value: st.SortOrder, Text: strconv.Itoa(st.SortOrder), Num: true},
				{Text: s.cat.T(lang, "planedit.edit"), Href: base + "/edit"},
				{Action: &CellAction{Post: base + "/delete", Label: s.cat.T(lang, "planedit.delete"), Danger: true,
					Confirm: s.cat.T(lang, "planedit.confirm_delete_stage", st.NameZh, st.Code)}}}
		}
		sorts := map[string]func(a, b store.PlanStage) int{
			"code": func(a, b store.PlanStage) int { return strings.Compare(a.Code, b.Code) },
			"year": func(a, b store.PlanStage) int { return a.Year - b.Year },
		}
		tv, done, err = serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.PlanStage], error) {
			return store.SlicePage(stages, q, sorts, func(st store.PlanStage) string { return st.Code + " " + st.NameZh + " " + st.NameEn }), nil
		})
		v.NewHref, v.NewLabel = "/plans/stages/new?"+url.Values{"plan": {pl.Code}}.Encode(), s.cat.T(lang, "planedit.new_stage")
		v.OtherHref, v.OtherLabel = planEditHref(true, pl.Code), s.cat.T(lang, "planedit.targets.title")
		tv.TestID = "plan-stages-table"
	} else {
		stageName := map[string]string{}
		for _, st := range stages {
			stageName[st.Code] = name(lang, st.NameZh, st.NameEn)
		}
		spec := TableSpec[store.PlanTarget]{Export: "planedit.targets.title", Columns: []Column{{Label: "planedit.col.code", Sort: "code"},
			{Label: "planedit.col.stage"}, {Label: "planedit.col.name_zh"}, {Label: "planedit.col.indicator"}, {Label: "planedit.col.region"},
			{Label: "planedit.col.industry"}, {Label: "planedit.col.comparison"}, {Label: "planedit.col.target", Num: true},
			{Label: "planedit.col.target_entered"}, {Label: "planedit.col.target_year", Sort: "year", Num: true},
			{Label: "planedit.col.baseline_indicator"}, {Label: "planedit.col.baseline_period"}, {Label: "planedit.col.source"},
			{Label: "planedit.edit", NoExport: true}, {Label: "planedit.delete", NoExport: true}}}
		spec.Row = func(t store.PlanTarget) []Cell {
			base := "/plans/targets/" + url.PathEscape(t.Code)
			return []Cell{{Value: t.Code, Text: t.Code, Href: base}, TextCell(stageName[t.StageCode]), TextCell(t.NameZh), TextCell(t.Indicator),
				TextCell(t.Region), TextCell(t.Industry), TextCell(t.Comparison),
				{Value: statsExportNumber(t.Target), Text: stats.Micro(t.Target).String(), Num: true}, TextCell(t.TargetEntered),
				{Value: t.TargetYear, Text: strconv.Itoa(t.TargetYear), Num: true}, TextCell(t.BaselineIndicator), TextCell(t.BaselinePeriod),
				TextCell(t.Source), {Text: s.cat.T(lang, "planedit.edit"), Href: base + "/edit"},
				{Action: &CellAction{Post: base + "/delete", Label: s.cat.T(lang, "planedit.delete"), Danger: true,
					Confirm: s.cat.T(lang, "planedit.confirm_delete_target", t.NameZh, t.Code)}}}
		}
		sorts := map[string]func(a, b store.PlanTarget) int{
			"code": func(a, b store.PlanTarget) int { return strings.Compare(a.Code, b.Code) },
			"year": func(a, b store.PlanTarget) int { return a.TargetYear - b.TargetYear },
		}
		tv, done, err = serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.PlanTarget], error) {
			return store.SlicePage(tgs, q, sorts, func(t store.PlanTarget) string {
				return t.Code + " " + t.NameZh + " " + t.NameEn + " " + t.Indicator + " " + t.Industry
			}), nil
		})
		v.NewHref, v.NewLabel = "/plans/targets/new?"+url.Values{"plan": {pl.Code}}.Encode(), s.cat.T(lang, "planedit.new_target")
		v.OtherHref, v.OtherLabel = planEditHref(false, pl.Code), s.cat.T(lang, "planedit.stages.title")
		tv.TestID = "plan-targets-table"
	}
	if err != nil || done {
		return err
	}
	title := "planedit.stages.title"
	if targets {
		title = "planedit.targets.title"
	}
	v.Table = tv
	v.More = s.planManageLinks(r, pl.Code)
	v.Page = s.page(w, r, title, Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: title})
	v.Title = s.cat.T(lang, "planedit.title") + " · " + s.cat.T(lang, title)
	s.render(w, r, status, "plan_edit", v)
	return nil
}

// Stages.

type planStageFormView struct {
	Page
	In     plan.StageInput
	Create bool
	Action string
	Back   string
	Errors map[string]string
}

func (s *Server) planStageForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	in := plan.StageInput{PlanCode: r.URL.Query().Get("plan")}
	if code := r.PathValue("code"); code != "" {
		st, err := s.planService().EditStage(r.Context(), p, code)
		if err != nil {
			return err
		}
		in = plan.StageInput{Code: st.Code, PlanCode: st.PlanCode, NameZh: st.NameZh, NameEn: st.NameEn, Year: strconv.Itoa(st.Year),
			Quote: st.Quote, SortOrder: strconv.Itoa(st.SortOrder)}
	} else if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	if in.PlanCode == "" {
		pl, _, _, err := s.planService().EditList(r.Context(), p, "")
		if err != nil {
			return err
		}
		in.PlanCode = pl.Code
	}
	return s.renderPlanStageForm(w, r, http.StatusOK, in, nil)
}

func (s *Server) renderPlanStageForm(w http.ResponseWriter, r *http.Request, status int, in plan.StageInput, errs map[string]string) error {
	create := r.PathValue("code") == ""
	v := planStageFormView{In: in, Create: create, Errors: errs, Back: planEditHref(false, in.PlanCode)}
	title := "planedit.stage.new_title"
	v.Action = "/plans/stages/new"
	if !create {
		title = "planedit.stage.edit_title"
		v.Action = "/plans/stages/" + url.PathEscape(r.PathValue("code")) + "/edit"
	}
	v.Page = s.page(w, r, title, Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "planedit.stages.title", Href: v.Back}, Crumb{Label: title})
	s.render(w, r, status, "plan_stage_form", v)
	return nil
}

func (s *Server) planStageSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := plan.StageInput{Code: f("code"), PlanCode: f("plan"), NameZh: f("name_zh"), NameEn: f("name_en"), Year: f("year"),
		Quote: f("quote"), SortOrder: f("sort_order")}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code") // the code names the stage; it is not changed by the form
	}
	st, err := s.planService().SaveStage(r.Context(), p, in, create)
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderPlanStageForm(w, r, e.Kind.Status(), in, s.adminFieldErrors(s.lang(r), e, "form"))
	}
	http.Redirect(w, r, planEditHref(false, st.PlanCode)+"&"+url.Values{"ok": {"stage_saved"}, "code": {st.Code}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) planStageDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	svc := s.planService()
	code := r.PathValue("code")
	st, err := svc.EditStage(r.Context(), p, code)
	if err != nil {
		return err
	}
	if err := svc.DeleteStage(r.Context(), p, code); err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderPlanEditList(w, planEditRequest(r, st.PlanCode), false, e.Kind.Status(), s.cat.T(s.lang(r), e.Key, e.Args...))
	}
	http.Redirect(w, r, planEditHref(false, st.PlanCode)+"&"+url.Values{"ok": {"stage_deleted"}, "code": {code}}.Encode(), http.StatusSeeOther)
	return nil
}

// planEditRequest is r as a GET of a plan's editing list, to show a refused delete there.
func planEditRequest(r *http.Request, plan string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Method = http.MethodGet
	r2.URL.RawQuery = url.Values{"plan": {plan}}.Encode()
	return r2
}

// Targets.

type planTargetFormView struct {
	Page
	In                      plan.TargetInput
	Create                  bool
	Action, Back            string
	Errors                  map[string]string
	Stages                  []statsOption
	Indicators, Baselines   []statsOptGroup
	Others                  []statsOptGroup
	Regions                 []statsOption
	Industries, BaseIndustr []statsOption
	Comparisons             []statsOption
}

func (s *Server) planTargetForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	in := plan.TargetInput{StageCode: q.Get("stage"), Comparison: ">=", Source: "planner"}
	if code := r.PathValue("code"); code != "" {
		t, err := s.planService().EditTarget(r.Context(), p, code)
		if err != nil {
			return err
		}
		in = plan.TargetInput{Code: t.Code, StageCode: t.StageCode, NameZh: t.NameZh, NameEn: t.NameEn, Indicator: t.Indicator,
			Region: t.Region, Industry: t.Industry, Comparison: t.Comparison, TargetValue: stats.Micro(t.Target).String(),
			TargetEntered: t.TargetEntered, TargetYear: strconv.Itoa(t.TargetYear), BaselineIndicator: t.BaselineIndicator,
			BaselineIndustry: t.BaselineIndustry, BaselinePeriod: t.BaselinePeriod, OtherBasisIndicator: t.OtherBasisIndicator,
			BasisNote: t.BasisNote, Note: t.Note, Source: t.Source, Quote: t.Quote, SortOrder: strconv.Itoa(t.SortOrder)}
	}
	return s.renderPlanTargetForm(w, r, http.StatusOK, q.Get("plan"), in, nil)
}

func (s *Server) renderPlanTargetForm(w http.ResponseWriter, r *http.Request, status int, planCode string, in plan.TargetInput, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.lang(r)
	svc := s.planService()
	if in.StageCode != "" && planCode == "" {
		if st, err := svc.EditStage(ctx, p, in.StageCode); err == nil {
			planCode = st.PlanCode
		}
	}
	pl, stages, _, err := svc.EditList(ctx, p, planCode)
	if err != nil {
		return err
	}
	rf, err := s.statsLoadRefs(ctx, p)
	if err != nil {
		return err
	}
	create := r.PathValue("code") == ""
	v := planTargetFormView{In: in, Create: create, Errors: errs, Back: planEditHref(true, pl.Code), Action: "/plans/targets/new"}
	if !create {
		v.Action = "/plans/targets/" + url.PathEscape(r.PathValue("code")) + "/edit"
	}
	for _, st := range stages {
		v.Stages = append(v.Stages, statsOption{Value: st.Code, Label: strconv.Itoa(st.Year) + " " + name(lang, st.NameZh, st.NameEn),
			Selected: st.Code == in.StageCode})
	}
	none := func(groups []statsOptGroup, selected string) []statsOptGroup {
		return append([]statsOptGroup{{Options: []statsOption{{Value: "", Label: s.cat.T(lang, "planedit.none"), Selected: selected == ""}}}}, groups...)
	}
	v.Indicators = s.statsIndicatorGroups(lang, rf, in.Indicator)
	v.Baselines = none(s.statsIndicatorGroups(lang, rf, in.BaselineIndicator), in.BaselineIndicator)
	v.Others = none(s.statsIndicatorGroups(lang, rf, in.OtherBasisIndicator), in.OtherBasisIndicator)
	for _, g := range rf.regions {
		v.Regions = append(v.Regions, statsOption{Value: g.Code, Label: g.Code + " " + statsName(lang, g.NameZh, g.NameEn),
			Selected: g.Code == in.Region || (in.Region == "" && g.Code == pl.RegionCode)})
	}
	v.Industries = statsIndustryOptions(lang, rf, in.Industry)
	v.BaseIndustr = append([]statsOption{{Value: "", Label: s.cat.T(lang, "planedit.none"), Selected: in.BaselineIndustry == ""}},
		statsIndustryOptions(lang, rf, in.BaselineIndustry)...)
	v.Comparisons = []statsOption{{Value: ">=", Label: s.cat.T(lang, "planedit.cmp.ge"), Selected: in.Comparison == ">="},
		{Value: ">", Label: s.cat.T(lang, "planedit.cmp.gt"), Selected: in.Comparison == ">"}}
	title := "planedit.target.new_title"
	if !create {
		title = "planedit.target.edit_title"
	}
	v.Page = s.page(w, r, title, Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "planedit.targets.title", Href: v.Back}, Crumb{Label: title})
	s.render(w, r, status, "plan_target_form", v)
	return nil
}

func (s *Server) planTargetSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := plan.TargetInput{Code: f("code"), StageCode: f("stage"), NameZh: f("name_zh"), NameEn: f("name_en"), Indicator: f("indicator"),
		Region: f("region"), Industry: f("industry"), Comparison: f("comparison"), TargetValue: f("target_value"),
		TargetUnit: f("target_unit"), TargetEntered: f("target_entered"), TargetYear: f("target_year"),
		BaselineIndicator: f("baseline_indicator"), BaselineIndustry: f("baseline_industry"), BaselinePeriod: f("baseline_period"),
		OtherBasisIndicator: f("other_basis_indicator"), BasisNote: f("basis_note"), Note: f("note"), Source: f("source"),
		Quote: f("quote"), SortOrder: f("sort_order")}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code")
	}
	svc := s.planService()
	t, err := svc.SaveTarget(r.Context(), p, in, create)
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderPlanTargetForm(w, r, e.Kind.Status(), "", in, s.adminFieldErrors(s.lang(r), e, "form"))
	}
	st, err := svc.EditStage(r.Context(), p, t.StageCode)
	if err != nil {
		return err
	}
	http.Redirect(w, r, planEditHref(true, st.PlanCode)+"&"+url.Values{"ok": {"target_saved"}, "code": {t.Code}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) planTargetDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	svc := s.planService()
	code := r.PathValue("code")
	t, err := svc.EditTarget(r.Context(), p, code)
	if err != nil {
		return err
	}
	st, err := svc.EditStage(r.Context(), p, t.StageCode)
	if err != nil {
		return err
	}
	if err := svc.DeleteTarget(r.Context(), p, code); err != nil {
		return err
	}
	http.Redirect(w, r, planEditHref(true, st.PlanCode)+"&"+url.Values{"ok": {"target_deleted"}, "code": {code}}.Encode(), http.StatusSeeOther)
	return nil
}
