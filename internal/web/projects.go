package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/lead"
	"zhanxin/internal/project"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The project pipeline and the investment-attraction leads: lists with filters and
// exports, a project's page with its stage log and blockers log and the forms that move
// it, and a lead's page with the form that signs it into a project. The project and lead
// packages check permission and rules; these handlers format and redirect.

func (s *Server) projectRoutes() {
	s.handle("GET /projects", s.adapt(s.projectsPage))
	s.handle("GET /projects/new", s.adapt(s.projectNewForm))
	s.handle("POST /projects", s.adapt(s.projectCreate))
	s.handle("GET /projects/{id}", s.adapt(s.projectPage))
	s.handle("GET /projects/{id}/edit", s.adapt(s.projectEditForm))
	s.handle("POST /projects/{id}", s.adapt(s.projectUpdate))
	s.handle("POST /projects/{id}/stage", s.adapt(s.projectMove))
	s.handle("POST /projects/{id}/blockers", s.adapt(s.projectAddBlocker))
	s.handle("POST /projects/{id}/years", s.adapt(s.projectSetYear))
	s.handle("POST /projects/{id}/blockers/{blocker}/close", s.adapt(s.projectCloseBlocker))
	s.handle("GET /leads", s.adapt(s.leadsPage))
	s.handle("POST /leads", s.adapt(s.leadCreate))
	s.handle("GET /leads/{id}", s.adapt(s.leadPage))
	s.handle("POST /leads/{id}/stage", s.adapt(s.leadMove))
	s.handle("POST /leads/{id}/convert", s.adapt(s.leadConvert))
}

func (s *Server) projectService() *project.Service {
	return &project.Service{DB: s.db, Now: s.now, StallDays: s.cfg.ProjectStallDays}
}
func (s *Server) leadService() *lead.Service { return &lead.Service{DB: s.db, Now: s.now} }

func pathID(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

func formInt(r *http.Request, name string) int64 {
	v, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return v
}

// wan writes millionths of 万元 as 万元 with thousands separators.
func wan(v int64) string { return fmtMicro(v, 0) }

func (s *Server) projectStage(lang i18n.Lang, st string) string {
	return s.cat.T(lang, "project.stage."+st)
}
func (s *Server) leadStage(lang i18n.Lang, st string) string { return s.cat.T(lang, "lead.stage."+st) }

func (s *Server) stageOptions(lang i18n.Lang, prefix string, stages []string, selected string, all bool) []option {
	var out []option
	if all {
		out = append(out, option{Value: "", Label: s.cat.T(lang, "project.filter.all"), Selected: selected == ""})
	}
	for _, st := range stages {
		out = append(out, option{Value: st, Label: s.cat.T(lang, prefix+st), Selected: st == selected})
	}
	return out
}

func (s *Server) linkOptions(r *http.Request, lang i18n.Lang, selected int64) ([]option, error) {
	links, err := s.db.LinkChoices(r.Context())
	if err != nil {
		return nil, err
	}
	out := []option{{Value: "", Label: s.cat.T(lang, "project.form.none")}}
	for _, l := range links {
		out = append(out, option{Value: fmt.Sprint(l.ID), Label: l.ChainCode + " · " + name(lang, l.NameZh, l.NameEn), Selected: l.ID == selected})
	}
	return out, nil
}

var projectTable = TableSpec[store.ProjectRecord]{
	Export: "project.list.title",
	Columns: []Column{{Label: "project.col.id", Sort: "id", Num: true}, {Label: "project.col.name", Sort: "name"}, {Label: "project.col.stage", Sort: "stage"},
		{Label: "project.col.region", Sort: "region"}, {Label: "project.col.park", Sort: "park"}, {Label: "project.col.investor"}, {Label: "project.col.link"},
		{Label: "project.col.invest_planned", Sort: "invest", Num: true}, {Label: "project.col.invest_completed", Sort: "completed", Num: true},
		{Label: "project.col.jobs", Sort: "jobs", Num: true}, {Label: "project.col.blockers", Num: true}, {Label: "project.col.flags"},
		{Label: "common.source"}},
}

type projectsView struct {
	Page
	Table     TableView
	Stages    []option
	Flags     []option
	CanManage bool
	StallDays int
}

func (s *Server) projectFlagText(lang i18n.Lang, f project.Flags) string {
	var out []string
	if f.Overdue {
		out = append(out, s.cat.T(lang, "project.flag.overdue"))
	}
	if f.Stalled {
		out = append(out, s.cat.T(lang, "project.flag.stalled", f.StalledDays))
	}
	return strings.Join(out, "；")
}

func (s *Server) projectsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	svc := s.projectService()
	v := r.URL.Query()
	f := project.Filter{Stage: v.Get("stage"), Park: v.Get("park"), Flag: v.Get("flag")}
	now := s.now()
	spec := projectTable
	spec.Row = func(x store.ProjectRecord) []Cell {
		fl := project.FlagsOf(x, now, svc.StallLimit())
		return []Cell{{Value: x.ID, Text: fmt.Sprint(x.ID), Num: true}, {Value: x.NameZh, Text: name(lang, x.NameZh, x.NameEn), Href: fmt.Sprintf("/projects/%d", x.ID)},
			TextCell(s.projectStage(lang, x.Stage)), TextCell(x.RegionName), TextCell(x.ParkName), TextCell(x.EnterpriseName), TextCell(x.LinkName),
			{Value: stats64(x.InvestPlanned), Text: wan(x.InvestPlanned), Num: true}, {Value: stats64(x.InvestCompleted), Text: wan(x.InvestCompleted), Num: true},
			{Value: x.JobsPlanned, Text: fmt.Sprint(x.JobsPlanned), Num: true}, {Value: x.OpenBlockers, Text: fmt.Sprint(x.OpenBlockers), Num: true},
			TextCell(s.projectFlagText(lang, fl)), TextCell(x.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.ProjectRecord], error) {
		return svc.List(r.Context(), p, f, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "projects"
	view := projectsView{Page: s.page(w, r, "project.list.title", Crumb{Label: "project.list.title"}), Table: tv,
		Stages: s.stageOptions(lang, "project.stage.", project.Stages, f.Stage, true), CanManage: p.Can(auth.ManageProjects), StallDays: svc.StallLimit()}
	view.Flags = []option{{Value: "", Label: s.cat.T(lang, "project.filter.all"), Selected: f.Flag == ""},
		{Value: "overdue", Label: s.cat.T(lang, "project.filter.overdue"), Selected: f.Flag == "overdue"},
		{Value: "stalled", Label: s.cat.T(lang, "project.filter.stalled"), Selected: f.Flag == "stalled"}}
	s.render(w, r, http.StatusOK, "projects", view)
	return nil
}

// stats64 is an amount in 万元 as a number for exports: exact to the 万元 millionth that
// a float64 holds for any amount a project carries (below 9×10^9 万元).
func stats64(v int64) float64 { return float64(v) / 1e6 }

type projectFormView struct {
	Page
	Action string // /projects for a new project, /projects/{id} for an edit
	Edit   bool
	Values map[string]string
	Errors map[string]string
	Links  []option
	Stages []option
	Units  []option
}

func (s *Server) renderProjectForm(w http.ResponseWriter, r *http.Request, status int, id int64, values, errs map[string]string) error {
	lang := s.lang(r)
	link, _ := strconv.ParseInt(values["link_id"], 10, 64)
	links, err := s.linkOptions(r, lang, link)
	if err != nil {
		return err
	}
	title, action := "project.new.title", "/projects"
	if id != 0 {
		title, action = "project.edit.title", fmt.Sprintf("/projects/%d", id)
	}
	v := projectFormView{Page: s.page(w, r, title, Crumb{Label: "project.list.title", Href: "/projects"}, Crumb{Label: title}),
		Action: action, Edit: id != 0, Values: values, Errors: errs, Links: links,
		Stages: s.stageOptions(lang, "project.stage.", project.Stages, values["stage"], false)}
	for _, u := range []string{"万元", "亿元"} {
		v.Units = append(v.Units, option{Value: u, Label: u, Selected: values["unit"] == u})
	}
	s.render(w, r, status, "project_new", v)
	return nil
}

func (s *Server) projectNewForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return err
	}
	return s.renderProjectForm(w, r, http.StatusOK, 0, map[string]string{"unit": "万元", "stage": "planning"}, nil)
}

// projectEditForm shows a project's figures for editing, amounts in 万元 as stored.
func (s *Server) projectEditForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ManageProjects); err != nil {
		return err
	}
	id := pathID(r, "id")
	d, err := s.projectService().Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	x := d.Project
	values := map[string]string{"name_zh": x.NameZh, "name_en": x.NameEn, "industry_code": x.IndustryCode, "region_code": x.RegionCode,
		"park_code": x.ParkCode, "unit": "万元", "invest_planned": stats.Micro(x.InvestPlanned).String(),
		"invest_completed": stats.Micro(x.InvestCompleted).String(), "start_planned": x.StartPlanned, "finish_planned": x.FinishPlanned,
		"start_actual": x.StartActual, "finish_actual": x.FinishActual, "jobs_planned": fmt.Sprint(x.JobsPlanned),
		"jobs_created": fmt.Sprint(x.JobsCreated), "support": x.Support, "note": x.Note, "source": x.Source}
	if x.LinkID != 0 {
		values["link_id"] = fmt.Sprint(x.LinkID)
	}
	if x.EnterpriseID != 0 {
		values["enterprise_id"] = fmt.Sprint(x.EnterpriseID)
	}
	return s.renderProjectForm(w, r, http.StatusOK, id, values, nil)
}

var projectFormFields = []string{"name_zh", "name_en", "stage", "industry_code", "link_id", "region_code", "park_code", "enterprise_id", "unit",
	"invest_planned", "invest_completed", "start_planned", "finish_planned", "start_actual", "finish_actual", "jobs_planned", "jobs_created",
	"support", "note", "source"}

// projectFormInput reads the project form; the values come back to the form on a refusal.
func projectFormInput(r *http.Request) (project.Input, map[string]string) {
	values := map[string]string{}
	for _, f := range projectFormFields {
		values[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	return project.Input{NameZh: values["name_zh"], NameEn: values["name_en"], Stage: values["stage"], IndustryCode: values["industry_code"],
		LinkID: formInt(r, "link_id"), RegionCode: values["region_code"], ParkCode: values["park_code"], EnterpriseID: formInt(r, "enterprise_id"),
		Unit: values["unit"], InvestPlanned: values["invest_planned"], InvestCompleted: values["invest_completed"], StartPlanned: values["start_planned"],
		FinishPlanned: values["finish_planned"], StartActual: values["start_actual"], FinishActual: values["finish_actual"],
		JobsPlanned: formInt(r, "jobs_planned"), JobsCreated: formInt(r, "jobs_created"), Support: values["support"], Note: values["note"],
		Source: values["source"]}, values
}

func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	in, values := projectFormInput(r)
	id, err := s.projectService().Create(r.Context(), p, in)
	if err != nil {
		if e, ok := adminFormError(err); ok {
			return s.renderProjectForm(w, r, e.Kind.Status(), 0, values, s.adminFieldErrors(s.lang(r), e, "name_zh"))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) projectUpdate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := pathID(r, "id")
	in, values := projectFormInput(r)
	if err := s.projectService().Update(r.Context(), p, id, in); err != nil {
		if e, ok := adminFormError(err); ok {
			return s.renderProjectForm(w, r, e.Kind.Status(), id, values, s.adminFieldErrors(s.lang(r), e, "name_zh"))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", id), http.StatusSeeOther)
	return nil
}

type projectYearView struct {
	Year               int
	Planned, Completed string
}

type stageMoveView struct {
	From, To, Reason, Actor, At string
}

type blockerView struct {
	ID                                                int64
	Kind, Description, Owner, Due, Status, Resolution string
	Open, Overdue                                     bool
	Closed                                            string
}

type projectView struct {
	Page
	P           store.ProjectRecord
	Name        string
	Stage       string
	Flags       project.Flags
	FlagText    string
	Planned     string
	Completed   string
	Years       []projectYearView
	Log         []stageMoveView
	Blockers    []blockerView
	CanManage   bool
	StageOpts   []option
	KindOpts    []option
	Errors      map[string]string
	Reason      string
	BlockerForm map[string]string // the form that was refused, as typed (a blocker or a year)
	StallDays   int
	Units       []option
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, status int, errs, blockerForm map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	svc := s.projectService()
	d, err := svc.Get(r.Context(), p, pathID(r, "id"))
	if err != nil {
		return err
	}
	pr := d.Project
	v := projectView{Page: s.page(w, r, "project.title", Crumb{Label: "project.list.title", Href: "/projects"}, Crumb{Label: name(lang, pr.NameZh, pr.NameEn)}),
		P: pr, Name: name(lang, pr.NameZh, pr.NameEn), Stage: s.projectStage(lang, pr.Stage), Flags: d.Flags, FlagText: s.projectFlagText(lang, d.Flags),
		Planned: wan(pr.InvestPlanned), Completed: wan(pr.InvestCompleted), CanManage: p.Can(auth.ManageProjects), Errors: errs,
		Reason: r.PostFormValue("reason"), BlockerForm: blockerForm, StallDays: svc.StallLimit()}
	v.Title = v.Name
	for _, y := range d.Years {
		v.Years = append(v.Years, projectYearView{Year: y.Year, Planned: wan(y.Planned), Completed: wan(y.Completed)})
	}
	for _, m := range d.Log {
		mv := stageMoveView{To: s.projectStage(lang, m.To), Reason: m.Reason, Actor: m.Actor, At: adminTime(m.At)}
		if m.From != "" {
			mv.From = s.projectStage(lang, m.From)
		}
		v.Log = append(v.Log, mv)
	}
	today := s.now().Format("2006-01-02")
	for _, b := range d.Blockers {
		bv := blockerView{ID: b.ID, Kind: s.cat.T(lang, "project.blocker.kind."+b.Kind), Description: b.Description, Owner: b.Owner, Due: b.DueDate,
			Status: s.cat.T(lang, "project.blocker.status."+b.Status), Resolution: b.Resolution, Open: b.Status == "open",
			Overdue: b.Status == "open" && b.DueDate < today}
		if !b.ClosedAt.IsZero() {
			bv.Closed = adminTime(b.ClosedAt)
		}
		v.Blockers = append(v.Blockers, bv)
	}
	v.StageOpts = s.stageOptions(lang, "project.stage.", project.Stages, "", false)
	for _, u := range []string{"万元", "亿元"} {
		v.Units = append(v.Units, option{Value: u, Label: u, Selected: blockerForm["unit"] == u})
	}
	for _, k := range project.BlockerKinds {
		v.KindOpts = append(v.KindOpts, option{Value: k, Label: s.cat.T(lang, "project.blocker.kind."+k), Selected: blockerForm["kind"] == k})
	}
	s.render(w, r, status, "project", v)
	return nil
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderProject(w, r, http.StatusOK, nil, nil)
}

// projectAction runs a write from the project page: on success back to the page, on a
// refusal the page again with the problems beside the form.
func (s *Server) projectAction(w http.ResponseWriter, r *http.Request, blockerForm map[string]string, do func(p *auth.Principal, id int64) error) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := pathID(r, "id")
	if err := do(p, id); err != nil {
		if e, ok := adminFormError(err); ok {
			return s.renderProject(w, r, e.Kind.Status(), s.adminFieldErrors(s.lang(r), e, "form"), blockerForm)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) projectMove(w http.ResponseWriter, r *http.Request) error {
	return s.projectAction(w, r, nil, func(p *auth.Principal, id int64) error {
		return s.projectService().Move(r.Context(), p, id, r.PostFormValue("stage"), r.PostFormValue("reason"))
	})
}

func (s *Server) projectSetYear(w http.ResponseWriter, r *http.Request) error {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	form := map[string]string{"year": f("year"), "planned": f("planned"), "completed": f("completed"), "unit": f("unit")}
	return s.projectAction(w, r, form, func(p *auth.Principal, id int64) error {
		return s.projectService().SetYear(r.Context(), p, id, project.YearInput{Year: int(formInt(r, "year")), Planned: form["planned"],
			Completed: form["completed"]}, form["unit"])
	})
}

func (s *Server) projectAddBlocker(w http.ResponseWriter, r *http.Request) error {
	in := project.BlockerInput{Kind: r.PostFormValue("kind"), Description: r.PostFormValue("description"), Owner: r.PostFormValue("owner"),
		DueDate: r.PostFormValue("due_date")}
	form := map[string]string{"kind": in.Kind, "description": in.Description, "owner": in.Owner, "due_date": in.DueDate}
	return s.projectAction(w, r, form, func(p *auth.Principal, id int64) error {
		_, err := s.projectService().AddBlocker(r.Context(), p, id, in)
		return err
	})
}

func (s *Server) projectCloseBlocker(w http.ResponseWriter, r *http.Request) error {
	return s.projectAction(w, r, nil, func(p *auth.Principal, id int64) error {
		return s.projectService().CloseBlocker(r.Context(), p, id, pathID(r, "blocker"), r.PostFormValue("status"), r.PostFormValue("resolution"))
	})
}

// Leads.

var leadTable = TableSpec[store.Lead]{
	Export: "lead.list.title",
	Columns: []Column{{Label: "project.col.id", Sort: "id", Num: true}, {Label: "lead.col.target", Sort: "target"}, {Label: "lead.col.origin"},
		{Label: "lead.col.link", Sort: "link"}, {Label: "lead.col.region", Sort: "region"}, {Label: "lead.col.stage", Sort: "stage"},
		{Label: "lead.col.owner"}, {Label: "lead.col.project"}},
}

type leadsView struct {
	Page
	Table  TableView
	Stages []option
	Links  []option
	Values map[string]string
	Errors map[string]string
	CanAdd bool
}

func (s *Server) renderLeads(w http.ResponseWriter, r *http.Request, status int, values, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	stage := r.URL.Query().Get("stage")
	spec := leadTable
	spec.Row = func(l store.Lead) []Cell {
		pc := Cell{Value: "", Text: "—"}
		if l.ProjectID != 0 {
			pc = Cell{Value: l.ProjectID, Text: fmt.Sprintf("#%d", l.ProjectID), Href: fmt.Sprintf("/projects/%d", l.ProjectID)}
		}
		region := l.RegionName
		if region == "" {
			region = l.RegionCode
		}
		return []Cell{{Value: l.ID, Text: fmt.Sprint(l.ID), Num: true}, {Value: l.TargetName, Text: l.TargetName, Href: fmt.Sprintf("/leads/%d", l.ID)},
			TextCell(l.Origin), TextCell(l.ChainCode + " · " + l.LinkName), TextCell(region), TextCell(s.leadStage(lang, l.Stage)), TextCell(l.Owner), pc}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Lead], error) {
		return s.leadService().List(r.Context(), p, stage, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "leads"
	link, _ := strconv.ParseInt(values["link_id"], 10, 64)
	links, err := s.linkOptions(r, lang, link)
	if err != nil {
		return err
	}
	if values["region_code"] == "" {
		values["region_code"] = "360700"
	}
	v := leadsView{Page: s.page(w, r, "lead.list.title", Crumb{Label: "lead.list.title"}), Table: tv,
		Stages: s.stageOptions(lang, "lead.stage.", lead.Stages, stage, true), Links: links, Values: values, Errors: errs, CanAdd: p.Can(auth.ManageLeads)}
	s.render(w, r, status, "leads", v)
	return nil
}

func (s *Server) leadsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLeads(w, r, http.StatusOK, map[string]string{}, nil)
}

func (s *Server) leadCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, f := range []string{"target_name", "target_uscc", "origin", "link_id", "region_code", "park_code", "owner", "note"} {
		values[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	id, err := s.leadService().Create(r.Context(), p, lead.Input{TargetName: values["target_name"], TargetUSCC: values["target_uscc"], Origin: values["origin"],
		LinkID: formInt(r, "link_id"), RegionCode: values["region_code"], ParkCode: values["park_code"], Owner: values["owner"], Note: values["note"]})
	if err != nil {
		if e, ok := adminFormError(err); ok {
			return s.renderLeads(w, r, e.Kind.Status(), values, s.adminFieldErrors(s.lang(r), e, "target_name"))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", id), http.StatusSeeOther)
	return nil
}

type leadView struct {
	Page
	L         store.Lead
	Warnings  []string
	Stage     string
	Next      []option
	CanManage bool
	Signed    bool
	Errors    map[string]string
	Values    map[string]string
	Units     []option
}

func (s *Server) renderLead(w http.ResponseWriter, r *http.Request, status int, errs, values map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	l, err := s.leadService().Get(r.Context(), p, pathID(r, "id"))
	if err != nil {
		return err
	}
	v := leadView{Page: s.page(w, r, "lead.title", Crumb{Label: "lead.list.title", Href: "/leads"}, Crumb{Label: l.TargetName}), L: l,
		Stage: s.leadStage(lang, l.Stage), CanManage: p.Can(auth.ManageLeads) && p.Can(auth.ManageProjects), Signed: l.Stage == "signed",
		Errors: errs, Values: values}
	v.Title = l.TargetName
	warns, err := s.leadService().Warnings(r.Context(), l)
	if err != nil {
		return err
	}
	for _, wn := range warns {
		v.Warnings = append(v.Warnings, s.cat.T(lang, wn.Key, wn.Args...))
	}
	for _, st := range []string{"contact", "negotiation"} {
		if lead.Pipeline.Index(st) > lead.Pipeline.Index(l.Stage) {
			v.Next = append(v.Next, option{Value: st, Label: s.leadStage(lang, st)})
		}
	}
	for _, u := range []string{"万元", "亿元"} {
		v.Units = append(v.Units, option{Value: u, Label: u, Selected: values["unit"] == u})
	}
	s.render(w, r, status, "lead", v)
	return nil
}

func (s *Server) leadPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLead(w, r, http.StatusOK, nil, map[string]string{"unit": "亿元"})
}

func (s *Server) leadMove(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := pathID(r, "id")
	if err := s.leadService().Advance(r.Context(), p, id, r.PostFormValue("stage")); err != nil {
		if e, ok := adminFormError(err); ok {
			return s.renderLead(w, r, e.Kind.Status(), s.adminFieldErrors(s.lang(r), e, "stage"), map[string]string{"unit": "亿元"})
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/leads/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) leadConvert(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, f := range []string{"project_name", "unit", "invest_planned", "jobs_planned", "start_planned", "finish_planned", "note"} {
		values[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	pid, err := s.leadService().Convert(r.Context(), p, pathID(r, "id"), lead.Signing{ProjectName: values["project_name"], Unit: values["unit"],
		InvestPlanned: values["invest_planned"], JobsPlanned: formInt(r, "jobs_planned"), StartPlanned: values["start_planned"],
		FinishPlanned: values["finish_planned"], Note: values["note"]})
	if err != nil {
		if e, ok := adminFormError(err); ok {
			return s.renderLead(w, r, e.Kind.Status(), s.adminFieldErrors(s.lang(r), e, "project_name"), values)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", pid), http.StatusSeeOther)
	return nil
}
