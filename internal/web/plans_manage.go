package web

import (
	"net/http"
	"net/url"
	"strconv"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/park"
	"zhanxin/internal/plan"
	"zhanxin/internal/store"
)

// Managing plans themselves and the named goals (四基地一工程) with the targets that
// measure them. The plan and park packages validate, write and audit; these handlers read
// forms and show what was refused at its field. Unlinking a target asks for the reason on
// a page of its own, which is also the confirmation.

func (s *Server) planManageRoutes() {
	s.handle("GET /plans/edit/plans", s.adapt(s.planDocList))
	s.handle("GET /plans/docs/new", s.adapt(s.planDocForm))
	s.handle("POST /plans/docs/new", s.adapt(s.planDocSubmit))
	s.handle("GET /plans/docs/{code}/edit", s.adapt(s.planDocForm))
	s.handle("POST /plans/docs/{code}/edit", s.adapt(s.planDocSubmit))
	s.handle("POST /plans/docs/{code}/delete", s.adapt(s.planDocDelete))
	s.handle("GET /plans/edit/goals", s.adapt(s.goalList))
	s.handle("GET /plans/goals/new", s.adapt(s.goalForm))
	s.handle("POST /plans/goals/new", s.adapt(s.goalSubmit))
	s.handle("GET /plans/goals/{code}/edit", s.adapt(s.goalForm))
	s.handle("POST /plans/goals/{code}/edit", s.adapt(s.goalSubmit))
	s.handle("POST /plans/goals/{code}/links", s.adapt(s.goalLink))
	s.handle("GET /plans/goals/{code}/links/{target}/unlink", s.adapt(s.goalUnlinkForm))
	s.handle("POST /plans/goals/{code}/links/{target}/unlink", s.adapt(s.goalUnlink))
}

func (s *Server) goalService() *park.Service { return &park.Service{DB: s.db, Now: s.now} }

// planManageLinks are the four editing lists of a plan, shown on each of them.
func (s *Server) planManageLinks(r *http.Request, plan string) []Crumb {
	lang := s.lang(r)
	q := "?" + url.Values{"plan": {plan}}.Encode()
	return []Crumb{{Label: s.cat.T(lang, "planmanage.plans.title"), Href: "/plans/edit/plans"},
		{Label: s.cat.T(lang, "planedit.stages.title"), Href: "/plans/edit" + q},
		{Label: s.cat.T(lang, "planedit.targets.title"), Href: "/plans/edit/targets" + q},
		{Label: s.cat.T(lang, "goaledit.goals.title"), Href: "/plans/edit/goals" + q}}
}

var planManageFlashes = map[string]string{"plan_saved": "planmanage.saved", "plan_deleted": "planmanage.deleted",
	"goal_saved": "goaledit.saved", "linked": "goaledit.linked", "unlinked": "goaledit.unlinked"}

// flash reads the one-off message of a redirect after a write.
func (s *Server) planManageFlash(r *http.Request) string {
	if key, ok := planManageFlashes[r.URL.Query().Get("ok")]; ok {
		return s.cat.T(s.lang(r), key, r.URL.Query().Get("code"))
	}
	return ""
}

// Plans.

func (s *Server) planDocList(w http.ResponseWriter, r *http.Request) error {
	return s.renderPlanDocList(w, r, http.StatusOK, "")
}

func (s *Server) renderPlanDocList(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	plans, err := s.planService().ManagedPlans(r.Context(), p)
	if err != nil {
		return err
	}
	v := planEditView{Intro: s.cat.T(lang, "planmanage.intro"), Error: errMsg}
	if status == http.StatusOK {
		v.Flash = s.planManageFlash(r)
	}
	r = adminStripQuery(r, "ok", "code")
	spec := TableSpec[store.Plan]{Export: "planmanage.plans.title", Columns: []Column{{Label: "planedit.col.code"},
		{Label: "planedit.col.name_zh"}, {Label: "planedit.col.name_en"}, {Label: "planedit.col.region"},
		{Label: "planmanage.col.base_year", Num: true}, {Label: "planmanage.col.end_year", Num: true}, {Label: "planedit.col.source"},
		{Label: "planedit.col.sort_order", Num: true}, {Label: "planedit.edit", NoExport: true}, {Label: "planedit.delete", NoExport: true}}}
	spec.Row = func(pl store.Plan) []Cell {
		base := "/plans/docs/" + url.PathEscape(pl.Code)
		return []Cell{{Value: pl.Code, Text: pl.Code, Href: planEditHref(false, pl.Code)}, TextCell(pl.NameZh), TextCell(pl.NameEn),
			TextCell(pl.RegionCode), {Value: pl.BaseYear, Text: strconv.Itoa(pl.BaseYear), Num: true},
			{Value: pl.EndYear, Text: strconv.Itoa(pl.EndYear), Num: true}, TextCell(pl.Source),
			{Value: pl.SortOrder, Text: strconv.Itoa(pl.SortOrder), Num: true},
			{Text: s.cat.T(lang, "planedit.edit"), Href: base + "/edit"},
			{Action: &CellAction{Post: base + "/delete", Label: s.cat.T(lang, "planedit.delete"), Danger: true,
				Confirm: s.cat.T(lang, "planmanage.confirm_delete", pl.NameZh, pl.Code)}}}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Plan], error) { return pageOf(plans, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "plans-table"
	v.Table = tv
	v.NewHref, v.NewLabel = "/plans/docs/new", s.cat.T(lang, "planmanage.new")
	first := ""
	if len(plans) > 0 {
		first = plans[0].Code
	}
	v.More = s.planManageLinks(r, first)
	v.Page = s.page(w, r, "planmanage.plans.title", Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "planmanage.plans.title"})
	s.render(w, r, status, "plan_edit", v)
	return nil
}

type planDocFormView struct {
	Page
	In           plan.PlanInput
	Create       bool
	Action, Back string
	Errors       map[string]string
	Regions      []statsOption
}

func (s *Server) planDocForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	in := plan.PlanInput{Region: plan.DefaultCity, Source: "planner"}
	if code := r.PathValue("code"); code != "" {
		pl, err := s.planService().EditPlan(r.Context(), p, code)
		if err != nil {
			return err
		}
		in = plan.PlanInput{Code: pl.Code, NameZh: pl.NameZh, NameEn: pl.NameEn, Region: pl.RegionCode, BaseYear: strconv.Itoa(pl.BaseYear),
			EndYear: strconv.Itoa(pl.EndYear), Source: pl.Source, Quote: pl.Quote, Note: pl.Note, SortOrder: strconv.Itoa(pl.SortOrder)}
	} else if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	return s.renderPlanDocForm(w, r, http.StatusOK, in, nil)
}

func (s *Server) renderPlanDocForm(w http.ResponseWriter, r *http.Request, status int, in plan.PlanInput, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	rf, err := s.statsLoadRefs(r.Context(), p)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	create := r.PathValue("code") == ""
	v := planDocFormView{In: in, Create: create, Errors: errs, Back: "/plans/edit/plans", Action: "/plans/docs/new"}
	title := "planmanage.new_title"
	if !create {
		title, v.Action = "planmanage.edit_title", "/plans/docs/"+url.PathEscape(r.PathValue("code"))+"/edit"
	}
	for _, g := range rf.regions {
		v.Regions = append(v.Regions, statsOption{Value: g.Code, Label: g.Code + " " + statsName(lang, g.NameZh, g.NameEn), Selected: g.Code == in.Region})
	}
	v.Page = s.page(w, r, title, Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "planmanage.plans.title", Href: v.Back}, Crumb{Label: title})
	s.render(w, r, status, "plan_doc_form", v)
	return nil
}

func (s *Server) planDocSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := plan.PlanInput{Code: f("code"), NameZh: f("name_zh"), NameEn: f("name_en"), Region: f("region"), BaseYear: f("base_year"),
		EndYear: f("end_year"), Source: f("source"), Quote: f("quote"), Note: f("note"), SortOrder: f("sort_order")}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code")
	}
	pl, err := s.planService().SavePlan(r.Context(), p, in, create)
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderPlanDocForm(w, r, e.Kind.Status(), in, s.adminFieldErrors(s.lang(r), e, "form"))
	}
	http.Redirect(w, r, "/plans/edit/plans?"+url.Values{"ok": {"plan_saved"}, "code": {pl.Code}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) planDocDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := s.planService().DeletePlan(r.Context(), p, code); err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		r2 := r.Clone(r.Context())
		r2.Method, r2.URL.RawQuery = http.MethodGet, ""
		return s.renderPlanDocList(w, r2, e.Kind.Status(), s.cat.T(s.lang(r), e.Key, e.Args...))
	}
	http.Redirect(w, r, "/plans/edit/plans?"+url.Values{"ok": {"plan_deleted"}, "code": {code}}.Encode(), http.StatusSeeOther)
	return nil
}

// Goals.

func (s *Server) goalList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	pl, _, _, err := s.planService().EditList(r.Context(), p, r.URL.Query().Get("plan"))
	if err != nil {
		return err
	}
	goals, links, err := s.goalService().Goals(r.Context(), p, pl.Code)
	if err != nil {
		return err
	}
	v := planEditView{Intro: s.cat.T(lang, "goaledit.intro", name(lang, pl.NameZh, pl.NameEn)), Flash: s.planManageFlash(r)}
	r = adminStripQuery(r, "ok", "code")
	spec := TableSpec[store.PlanGoal]{Export: "goaledit.goals.title", Columns: []Column{{Label: "planedit.col.code"},
		{Label: "planedit.col.name_zh"}, {Label: "planedit.col.name_en"}, {Label: "planedit.col.industry"},
		{Label: "goaledit.col.links", Num: true}, {Label: "planedit.col.sort_order", Num: true}, {Label: "planedit.edit", NoExport: true}}}
	spec.Row = func(g store.PlanGoal) []Cell {
		href := "/plans/goals/" + url.PathEscape(g.Code) + "/edit"
		return []Cell{{Value: g.Code, Text: g.Code, Href: href}, TextCell(g.NameZh), TextCell(g.NameEn), TextCell(g.IndustryCode),
			{Value: links[g.Code], Text: strconv.Itoa(links[g.Code]), Num: true}, {Value: g.SortOrder, Text: strconv.Itoa(g.SortOrder), Num: true},
			{Text: s.cat.T(lang, "planedit.edit"), Href: href}}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.PlanGoal], error) { return pageOf(goals, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "goals-table"
	v.Table = tv
	v.NewHref, v.NewLabel = "/plans/goals/new?"+url.Values{"plan": {pl.Code}}.Encode(), s.cat.T(lang, "goaledit.new")
	v.More = s.planManageLinks(r, pl.Code)
	v.Page = s.page(w, r, "goaledit.goals.title", Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "goaledit.goals.title"})
	s.render(w, r, http.StatusOK, "plan_edit", v)
	return nil
}

type goalLinkRow struct {
	store.GoalTarget
	Name string
}

type goalFormView struct {
	Page
	In           park.GoalInput
	Create       bool
	Action, Back string
	Errors       map[string]string
	Industries   []statsOption
	Flash        string
	// Editing an existing goal: its links and the form to add one.
	Table      TableView
	LinkAction string
	Targets    []statsOption
	LinkErrors map[string]string
	Reason     string
}

func (s *Server) goalForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	in := park.GoalInput{PlanCode: r.URL.Query().Get("plan")}
	if code := r.PathValue("code"); code != "" {
		e, err := s.goalService().EditGoal(r.Context(), p, code)
		if err != nil {
			return err
		}
		g := e.Goal
		in = park.GoalInput{Code: g.Code, PlanCode: g.PlanCode, NameZh: g.NameZh, NameEn: g.NameEn, Industry: g.IndustryCode, Quote: g.Quote,
			SortOrder: strconv.Itoa(g.SortOrder)}
	} else if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	return s.renderGoalForm(w, r, http.StatusOK, in, nil, "", nil)
}

func (s *Server) renderGoalForm(w http.ResponseWriter, r *http.Request, status int, in park.GoalInput, errs map[string]string,
	reason string, linkErrs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := s.lang(r)
	pl, _, targets, err := s.planService().EditList(ctx, p, in.PlanCode)
	if err != nil {
		return err
	}
	in.PlanCode = pl.Code
	rf, err := s.statsLoadRefs(ctx, p)
	if err != nil {
		return err
	}
	create := r.PathValue("code") == ""
	v := goalFormView{In: in, Create: create, Errors: errs, Back: "/plans/edit/goals?" + url.Values{"plan": {pl.Code}}.Encode(),
		Action: "/plans/goals/new", Reason: reason, LinkErrors: linkErrs}
	if status == http.StatusOK {
		v.Flash = s.planManageFlash(r)
	}
	v.Industries = append([]statsOption{{Value: "", Label: s.cat.T(lang, "planedit.none"), Selected: in.Industry == ""}},
		statsIndustryOptions(lang, rf, in.Industry)...)
	title := "goaledit.new_title"
	if !create {
		code := r.PathValue("code")
		title = "goaledit.edit_title"
		v.Action = "/plans/goals/" + url.PathEscape(code) + "/edit"
		v.LinkAction = "/plans/goals/" + url.PathEscape(code) + "/links"
		e, err := s.goalService().EditGoal(ctx, p, code)
		if err != nil {
			return err
		}
		tname := map[string]string{}
		for _, t := range targets {
			tname[t.Code] = name(lang, t.NameZh, t.NameEn)
		}
		linked := map[string]bool{}
		rows := make([]goalLinkRow, 0, len(e.Links))
		for _, l := range e.Links {
			linked[l.TargetCode] = true
			rows = append(rows, goalLinkRow{GoalTarget: l, Name: tname[l.TargetCode]})
		}
		for _, t := range targets {
			if !linked[t.Code] {
				v.Targets = append(v.Targets, statsOption{Value: t.Code, Label: t.Code + " " + tname[t.Code]})
			}
		}
		spec := TableSpec[goalLinkRow]{Export: "goaledit.links.title", Columns: []Column{{Label: "goaledit.col.target"},
			{Label: "planedit.col.name_zh"}, {Label: "goaledit.col.reason"}, {Label: "goaledit.unlink", NoExport: true}}}
		spec.Row = func(x goalLinkRow) []Cell {
			return []Cell{{Value: x.TargetCode, Text: x.TargetCode, Href: "/plans/targets/" + url.PathEscape(x.TargetCode)}, TextCell(x.Name),
				TextCell(x.Note), {Text: s.cat.T(lang, "goaledit.unlink"),
					Href: "/plans/goals/" + url.PathEscape(code) + "/links/" + url.PathEscape(x.TargetCode) + "/unlink"}}
		}
		r2 := adminStripQuery(r, "ok", "code")
		tv, done, err := serveTable(s, w, r2, spec, func(q store.ListQuery) (store.Page[goalLinkRow], error) { return pageOf(rows, q), nil })
		if err != nil || done {
			return err
		}
		tv.NoFilter, tv.TestID = true, "goal-links"
		v.Table = tv
	}
	v.Page = s.page(w, r, title, Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "goaledit.goals.title", Href: v.Back}, Crumb{Label: title})
	s.render(w, r, status, "goal_form", v)
	return nil
}

func (s *Server) goalSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := park.GoalInput{Code: f("code"), PlanCode: f("plan"), NameZh: f("name_zh"), NameEn: f("name_en"), Industry: f("industry"),
		Quote: f("quote"), SortOrder: f("sort_order")}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code")
	}
	g, err := s.goalService().SaveGoal(r.Context(), p, in, create)
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderGoalForm(w, r, e.Kind.Status(), in, s.adminFieldErrors(s.lang(r), e, "form"), "", nil)
	}
	http.Redirect(w, r, "/plans/goals/"+url.PathEscape(g.Code)+"/edit?"+url.Values{"ok": {"goal_saved"}, "code": {g.Code}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) goalLink(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	svc := s.goalService()
	e, err := svc.EditGoal(r.Context(), p, code)
	if err != nil {
		return err
	}
	target, reason := r.PostFormValue("target"), r.PostFormValue("reason")
	if _, err := svc.LinkTarget(r.Context(), p, code, target, reason); err != nil {
		ae, ok := adminFormError(err)
		if !ok {
			return err
		}
		g := e.Goal
		in := park.GoalInput{Code: g.Code, PlanCode: g.PlanCode, NameZh: g.NameZh, NameEn: g.NameEn, Industry: g.IndustryCode, Quote: g.Quote,
			SortOrder: strconv.Itoa(g.SortOrder)}
		r2 := r.Clone(r.Context())
		r2.Method = http.MethodGet
		return s.renderGoalForm(w, r2, ae.Kind.Status(), in, nil, reason, s.adminFieldErrors(s.lang(r), ae, "link"))
	}
	http.Redirect(w, r, "/plans/goals/"+url.PathEscape(code)+"/edit?"+url.Values{"ok": {"linked"}, "code": {target}}.Encode(), http.StatusSeeOther)
	return nil
}

type goalUnlinkView struct {
	Page
	Goal   store.PlanGoal
	Link   store.GoalTarget
	Action string
	Back   string
	Reason string
	Error  string
}

func (s *Server) goalUnlinkForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderGoalUnlink(w, r, http.StatusOK, "", "")
}

func (s *Server) renderGoalUnlink(w http.ResponseWriter, r *http.Request, status int, reason, errMsg string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code, target := r.PathValue("code"), r.PathValue("target")
	e, err := s.goalService().EditGoal(r.Context(), p, code)
	if err != nil {
		return err
	}
	v := goalUnlinkView{Goal: e.Goal, Reason: reason, Error: errMsg, Back: "/plans/goals/" + url.PathEscape(code) + "/edit",
		Action: "/plans/goals/" + url.PathEscape(code) + "/links/" + url.PathEscape(target) + "/unlink"}
	found := false
	for _, l := range e.Links {
		if l.TargetCode == target {
			v.Link, found = l, true
		}
	}
	if !found {
		return apperr.Missing("goal_target")
	}
	v.Page = s.page(w, r, "goaledit.unlink_title", Crumb{Label: "plan.title", Href: "/plans"}, Crumb{Label: "goaledit.goals.title", Href: "/plans/edit/goals"},
		Crumb{Label: e.Goal.NameZh, Href: v.Back}, Crumb{Label: "goaledit.unlink_title"})
	s.render(w, r, status, "goal_unlink", v)
	return nil
}

func (s *Server) goalUnlink(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code, target, reason := r.PathValue("code"), r.PathValue("target"), r.PostFormValue("reason")
	if err := s.goalService().UnlinkTarget(r.Context(), p, code, target, reason); err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderGoalUnlink(w, r, e.Kind.Status(), reason, s.cat.T(s.lang(r), e.Key, e.Args...))
	}
	http.Redirect(w, r, "/plans/goals/"+url.PathEscape(code)+"/edit?"+url.Values{"ok": {"unlinked"}, "code": {target}}.Encode(), http.StatusSeeOther)
	return nil
}
