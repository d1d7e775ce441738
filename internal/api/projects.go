package api

import (
	"net/http"
	"strconv"
	"time"

	"zhanxin/internal/lead"
	"zhanxin/internal/project"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The project pipeline and investment-attraction leads. Money is a decimal string in 万元
// (money_unit), exact; bodies may enter it in 万元 or 亿元 (unit).

// Project is a project as the API shows it.
type Project struct {
	ID              int64     `json:"id"`
	NameZh          string    `json:"name_zh"`
	NameEn          string    `json:"name_en"`
	Stage           string    `json:"stage"`
	IndustryCode    *string   `json:"industry_code"`
	LinkID          *int64    `json:"link_id"`
	RegionCode      *string   `json:"region_code"`
	ParkCode        *string   `json:"park_code"`
	EnterpriseID    *int64    `json:"enterprise_id"`
	MoneyUnit       string    `json:"money_unit"`
	InvestPlanned   string    `json:"invest_planned"`
	InvestCompleted string    `json:"invest_completed"`
	StartPlanned    *string   `json:"start_planned"`
	FinishPlanned   *string   `json:"finish_planned"`
	StartActual     *string   `json:"start_actual"`
	FinishActual    *string   `json:"finish_actual"`
	JobsPlanned     int64     `json:"jobs_planned"`
	JobsCreated     int64     `json:"jobs_created"`
	Support         string    `json:"support"`
	Note            string    `json:"note"`
	Source          string    `json:"source"`
	OpenBlockers    int       `json:"open_blockers"`
	Overdue         bool      `json:"overdue"`
	Stalled         bool      `json:"stalled"`
	StageChangedAt  time.Time `json:"stage_changed_at"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func money(v int64) string { return stats.Micro(v).String() }

func projectOf(r store.ProjectRecord, f project.Flags) Project {
	return Project{ID: r.ID, NameZh: r.NameZh, NameEn: r.NameEn, Stage: r.Stage, IndustryCode: nullString(r.IndustryCode), LinkID: nullInt(r.LinkID),
		RegionCode: nullString(r.RegionCode), ParkCode: nullString(r.ParkCode), EnterpriseID: nullInt(r.EnterpriseID), MoneyUnit: project.MoneyUnit,
		InvestPlanned: money(r.InvestPlanned), InvestCompleted: money(r.InvestCompleted), StartPlanned: nullString(r.StartPlanned),
		FinishPlanned: nullString(r.FinishPlanned), StartActual: nullString(r.StartActual), FinishActual: nullString(r.FinishActual),
		JobsPlanned: r.JobsPlanned, JobsCreated: r.JobsCreated, Support: r.Support, Note: r.Note, Source: r.Source, OpenBlockers: r.OpenBlockers,
		Overdue: f.Overdue, Stalled: f.Stalled, StageChangedAt: r.StageChangedAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// ProjectYear is a year's investment in 万元.
type ProjectYear struct {
	Year      int    `json:"year"`
	Planned   string `json:"planned"`
	Completed string `json:"completed"`
}

// StageMove is an entry of the stage log.
type StageMove struct {
	From   *string   `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// Blocker is an entry of the blockers log.
type Blocker struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Description string     `json:"description"`
	Owner       string     `json:"owner"`
	DueDate     string     `json:"due_date"`
	Status      string     `json:"status"`
	Resolution  string     `json:"resolution"`
	CreatedAt   time.Time  `json:"created_at"`
	ClosedAt    *time.Time `json:"closed_at"`
}

// ProjectDetail is a project with its years, stage log and blockers.
type ProjectDetail struct {
	Project
	OverdueReasons []string      `json:"overdue_reasons"`
	StalledDays    int           `json:"stalled_days"`
	Years          []ProjectYear `json:"years"`
	StageLog       []StageMove   `json:"stage_log"`
	Blockers       []Blocker     `json:"blockers"`
}

func projectDetailOf(d project.Detail) ProjectDetail {
	out := ProjectDetail{Project: projectOf(d.Project, d.Flags), OverdueReasons: append([]string{}, d.Flags.OverdueReasons...),
		StalledDays: d.Flags.StalledDays, Years: []ProjectYear{}, StageLog: []StageMove{}, Blockers: []Blocker{}}
	for _, y := range d.Years {
		out.Years = append(out.Years, ProjectYear{Year: y.Year, Planned: money(y.Planned), Completed: money(y.Completed)})
	}
	for _, m := range d.Log {
		out.StageLog = append(out.StageLog, StageMove{From: nullString(m.From), To: m.To, Reason: m.Reason, Actor: m.Actor, At: m.At.UTC()})
	}
	for _, b := range d.Blockers {
		out.Blockers = append(out.Blockers, Blocker{ID: b.ID, Kind: b.Kind, Description: b.Description, Owner: b.Owner, DueDate: b.DueDate,
			Status: b.Status, Resolution: b.Resolution, CreatedAt: b.CreatedAt.UTC(), ClosedAt: nullTime(b.ClosedAt)})
	}
	return out
}

// NewProject is the body that creates (or, without stage, rewrites) a project.
type NewProject struct {
	NameZh          string           `json:"name_zh"`
	NameEn          string           `json:"name_en"`
	Stage           string           `json:"stage"`
	IndustryCode    string           `json:"industry_code"`
	LinkID          int64            `json:"link_id"`
	RegionCode      string           `json:"region_code"`
	ParkCode        string           `json:"park_code"`
	EnterpriseID    int64            `json:"enterprise_id"`
	Unit            string           `json:"unit"`
	InvestPlanned   string           `json:"invest_planned"`
	InvestCompleted string           `json:"invest_completed"`
	Years           []NewProjectYear `json:"years"`
	StartPlanned    string           `json:"start_planned"`
	FinishPlanned   string           `json:"finish_planned"`
	StartActual     string           `json:"start_actual"`
	FinishActual    string           `json:"finish_actual"`
	JobsPlanned     int64            `json:"jobs_planned"`
	JobsCreated     int64            `json:"jobs_created"`
	Support         string           `json:"support"`
	Note            string           `json:"note"`
	Source          string           `json:"source"`
}

// NewProjectYear is one year of a body, in the body's unit.
type NewProjectYear struct {
	Year      int    `json:"year"`
	Planned   string `json:"planned"`
	Completed string `json:"completed"`
}

func (b NewProject) input() project.Input {
	in := project.Input{NameZh: b.NameZh, NameEn: b.NameEn, Stage: b.Stage, IndustryCode: b.IndustryCode, LinkID: b.LinkID, RegionCode: b.RegionCode,
		ParkCode: b.ParkCode, EnterpriseID: b.EnterpriseID, Unit: b.Unit, InvestPlanned: b.InvestPlanned, InvestCompleted: b.InvestCompleted,
		StartPlanned: b.StartPlanned, FinishPlanned: b.FinishPlanned, StartActual: b.StartActual, FinishActual: b.FinishActual,
		JobsPlanned: b.JobsPlanned, JobsCreated: b.JobsCreated, Support: b.Support, Note: b.Note, Source: b.Source}
	for _, y := range b.Years {
		in.Years = append(in.Years, project.YearInput{Year: y.Year, Planned: y.Planned, Completed: y.Completed})
	}
	return in
}

// StageBody moves a project or a lead.
type StageBody struct {
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
}

// NewBlocker is the body that logs a blocker.
type NewBlocker struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueDate     string `json:"due_date"`
}

// CloseBlockerBody resolves or closes a blocker.
type CloseBlockerBody struct {
	Status     string `json:"status"`
	Resolution string `json:"resolution"`
}

var projectListing = listing{sorts: []string{"id", "name", "region", "park", "stage", "invest", "completed", "jobs", "updated"}, defaultSort: "id"}

func (a *API) projects() *project.Service {
	return &project.Service{DB: a.DB, Now: a.Now, StallDays: a.ProjectStallDays}
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := projectListing.parseList(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	svc := a.projects()
	res, err := svc.List(r.Context(), p, project.Filter{Stage: v.Get("stage"), Park: v.Get("park"), Flag: v.Get("flag")}, q)
	if err != nil {
		return err
	}
	now := a.Now()
	WriteJSON(w, http.StatusOK, page(res, info, func(x store.ProjectRecord) Project {
		return projectOf(x, project.FlagsOf(x, now, svc.StallLimit()))
	}))
	return nil
}

func (a *API) writeProject(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	d, err := a.projects().Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	WriteJSON(w, status, projectDetailOf(d))
	return nil
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	return a.writeProject(w, r, pathID(r), http.StatusOK)
}

func (a *API) createProject(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body NewProject
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id, err := a.projects().Create(r.Context(), p, body.input())
	if err != nil {
		return err
	}
	return a.writeProject(w, r, id, http.StatusCreated)
}

func (a *API) updateProject(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body NewProject
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id := pathID(r)
	if err := a.projects().Update(r.Context(), p, id, body.input()); err != nil {
		return err
	}
	return a.writeProject(w, r, id, http.StatusOK)
}

func (a *API) moveProject(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body StageBody
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id := pathID(r)
	if err := a.projects().Move(r.Context(), p, id, body.Stage, body.Reason); err != nil {
		return err
	}
	return a.writeProject(w, r, id, http.StatusOK)
}

func (a *API) addBlocker(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body NewBlocker
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id := pathID(r)
	if _, err := a.projects().AddBlocker(r.Context(), p, id, project.BlockerInput{Kind: body.Kind, Description: body.Description,
		Owner: body.Owner, DueDate: body.DueDate}); err != nil {
		return err
	}
	return a.writeProject(w, r, id, http.StatusCreated)
}

func (a *API) closeBlocker(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body CloseBlockerBody
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id := pathID(r)
	bid, err := strconv.ParseInt(r.PathValue("blocker"), 10, 64)
	if err != nil || bid < 1 {
		bid = 0
	}
	if err := a.projects().CloseBlocker(r.Context(), p, id, bid, body.Status, body.Resolution); err != nil {
		return err
	}
	return a.writeProject(w, r, id, http.StatusOK)
}

// Lead is a lead as the API shows it.
type Lead struct {
	ID         int64     `json:"id"`
	TargetName string    `json:"target_name"`
	TargetUSCC *string   `json:"target_uscc"`
	Origin     string    `json:"origin"`
	LinkID     int64     `json:"link_id"`
	LinkName   string    `json:"link_name"`
	ChainCode  string    `json:"chain_code"`
	RegionCode string    `json:"region_code"`
	ParkCode   *string   `json:"park_code"`
	Stage      string    `json:"stage"`
	Owner      string    `json:"owner"`
	Note       string    `json:"note"`
	ProjectID  *int64    `json:"project_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Warnings did not stop the lead but should be checked (an enterprise of the same name
	// or code in the registry whose place is not recorded). Present on single reads only.
	Warnings []LeadWarning `json:"warnings,omitempty"`
}

// LeadWarning is one thing to check about a lead, under the field it concerns.
type LeadWarning struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func leadOf(l store.Lead) Lead {
	return Lead{ID: l.ID, TargetName: l.TargetName, TargetUSCC: nullString(l.TargetUSCC), Origin: l.Origin, LinkID: l.LinkID, LinkName: l.LinkName,
		ChainCode: l.ChainCode, RegionCode: l.RegionCode, ParkCode: nullString(l.ParkCode), Stage: l.Stage, Owner: l.Owner, Note: l.Note,
		ProjectID: nullInt(l.ProjectID), CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC()}
}

// NewLead is the body that adds a lead.
type NewLead struct {
	TargetName string `json:"target_name"`
	TargetUSCC string `json:"target_uscc"`
	Origin     string `json:"origin"`
	LinkID     int64  `json:"link_id"`
	RegionCode string `json:"region_code"`
	ParkCode   string `json:"park_code"`
	Owner      string `json:"owner"`
	Note       string `json:"note"`
}

// SigningBody converts a lead into a project.
type SigningBody struct {
	ProjectName   string `json:"project_name"`
	Unit          string `json:"unit"`
	InvestPlanned string `json:"invest_planned"`
	JobsPlanned   int64  `json:"jobs_planned"`
	StartPlanned  string `json:"start_planned"`
	FinishPlanned string `json:"finish_planned"`
	Note          string `json:"note"`
}

var leadListing = listing{sorts: []string{"id", "target", "link", "region", "stage", "updated"}, defaultSort: "id"}

func (a *API) leads() *lead.Service { return &lead.Service{DB: a.DB, Now: a.Now} }

func (a *API) listLeads(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := leadListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.leads().List(r.Context(), p, r.URL.Query().Get("stage"), q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, leadOf))
	return nil
}

func (a *API) writeLead(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	l, err := a.leads().Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	warns, err := a.leads().Warnings(r.Context(), l)
	if err != nil {
		return err
	}
	out := leadOf(l)
	lang := a.Lang(r)
	for _, wn := range warns {
		out.Warnings = append(out.Warnings, LeadWarning{Code: wn.Code, Field: wn.Field, Message: a.Cat.T(lang, wn.Key, wn.Args...)})
	}
	WriteJSON(w, status, out)
	return nil
}

func (a *API) getLead(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	return a.writeLead(w, r, pathID(r), http.StatusOK)
}

func (a *API) createLead(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var b NewLead
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	id, err := a.leads().Create(r.Context(), p, lead.Input{TargetName: b.TargetName, TargetUSCC: b.TargetUSCC, Origin: b.Origin, LinkID: b.LinkID,
		RegionCode: b.RegionCode, ParkCode: b.ParkCode, Owner: b.Owner, Note: b.Note})
	if err != nil {
		return err
	}
	return a.writeLead(w, r, id, http.StatusCreated)
}

func (a *API) moveLead(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var b StageBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	id := pathID(r)
	if err := a.leads().Advance(r.Context(), p, id, b.Stage); err != nil {
		return err
	}
	return a.writeLead(w, r, id, http.StatusOK)
}

func (a *API) convertLead(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var b SigningBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	id := pathID(r)
	if _, err := a.leads().Convert(r.Context(), p, id, lead.Signing{ProjectName: b.ProjectName, Unit: b.Unit, InvestPlanned: b.InvestPlanned,
		JobsPlanned: b.JobsPlanned, StartPlanned: b.StartPlanned, FinishPlanned: b.FinishPlanned, Note: b.Note}); err != nil {
		return err
	}
	return a.writeLead(w, r, id, http.StatusCreated)
}
