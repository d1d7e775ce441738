package api

import (
	"net/http"
	"strconv"

	"zhanxin/internal/park"
	"zhanxin/internal/plan"
	"zhanxin/internal/store"
)

// Managing plans themselves and the named goals of the positioning (四基地一工程) with
// the targets that measure them, through the plan and park use cases, which check
// plans.manage, validate every field and audit.

// PlanBody is the body that creates (POST) or replaces (PUT) a plan.
type PlanBody struct {
	Code      string `json:"code"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Region    string `json:"region"`
	BaseYear  *int   `json:"base_year"`
	EndYear   *int   `json:"end_year"`
	Source    string `json:"source"`
	Quote     string `json:"quote"`
	Note      string `json:"note"`
	SortOrder int    `json:"sort_order"`
}

// Plan is a plan as the API shows it.
type Plan struct {
	Code      string `json:"code"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Region    string `json:"region"`
	BaseYear  int    `json:"base_year"`
	EndYear   int    `json:"end_year"`
	Source    string `json:"source"`
	Quote     string `json:"quote"`
	Note      string `json:"note"`
	SortOrder int    `json:"sort_order"`
}

func planOf(p store.Plan) Plan {
	return Plan{Code: p.Code, NameZh: p.NameZh, NameEn: p.NameEn, Region: p.RegionCode, BaseYear: p.BaseYear, EndYear: p.EndYear,
		Source: p.Source, Quote: p.Quote, Note: p.Note, SortOrder: p.SortOrder}
}

func (a *API) savePlan(create bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		var b PlanBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		in := plan.PlanInput{Code: b.Code, NameZh: b.NameZh, NameEn: b.NameEn, Region: b.Region, BaseYear: intText(b.BaseYear),
			EndYear: intText(b.EndYear), Source: b.Source, Quote: b.Quote, Note: b.Note, SortOrder: strconv.Itoa(b.SortOrder)}
		status := http.StatusCreated
		if !create {
			in.Code, status = r.PathValue("code"), http.StatusOK
		}
		pl, err := a.plans().SavePlan(r.Context(), p, in, create)
		if err != nil {
			return err
		}
		WriteJSON(w, status, planOf(pl))
		return nil
	}
}

func (a *API) deletePlan(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.plans().DeletePlan(r.Context(), p, r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) goals() *park.Service { return &park.Service{DB: a.DB, Now: a.Now} }

// PlanGoalBody is the body that creates (POST) or replaces (PUT) a named goal.
type PlanGoalBody struct {
	Code      string `json:"code"`
	Plan      string `json:"plan"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Industry  string `json:"industry"`
	Quote     string `json:"quote"`
	SortOrder int    `json:"sort_order"`
}

// PlanGoal is a named goal as the API shows it.
type PlanGoal struct {
	Code      string `json:"code"`
	Plan      string `json:"plan"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Industry  string `json:"industry"`
	Quote     string `json:"quote"`
	SortOrder int    `json:"sort_order"`
}

func (a *API) saveGoal(create bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		var b PlanGoalBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		in := park.GoalInput{Code: b.Code, PlanCode: b.Plan, NameZh: b.NameZh, NameEn: b.NameEn, Industry: b.Industry, Quote: b.Quote,
			SortOrder: strconv.Itoa(b.SortOrder)}
		status := http.StatusCreated
		if !create {
			in.Code, status = r.PathValue("code"), http.StatusOK
		}
		g, err := a.goals().SaveGoal(r.Context(), p, in, create)
		if err != nil {
			return err
		}
		WriteJSON(w, status, PlanGoal{Code: g.Code, Plan: g.PlanCode, NameZh: g.NameZh, NameEn: g.NameEn, Industry: g.IndustryCode,
			Quote: g.Quote, SortOrder: g.SortOrder})
		return nil
	}
}

// GoalLinkBody links a target to a goal with the reason it measures the goal.
type GoalLinkBody struct {
	Target string `json:"target"`
	Reason string `json:"reason"`
}

// GoalLink is a goal–target pairing with its reason.
type GoalLink struct {
	Goal   string `json:"goal"`
	Target string `json:"target"`
	Reason string `json:"reason"`
}

func (a *API) linkGoalTarget(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var b GoalLinkBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	g, err := a.goals().LinkTarget(r.Context(), p, r.PathValue("code"), b.Target, b.Reason)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, GoalLink{Goal: g.GoalCode, Target: g.TargetCode, Reason: g.Note})
	return nil
}

// unlinkGoalTarget takes the reason from the query: a DELETE carries no body.
func (a *API) unlinkGoalTarget(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.goals().UnlinkTarget(r.Context(), p, r.PathValue("code"), r.PathValue("target"), r.URL.Query().Get("reason")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
