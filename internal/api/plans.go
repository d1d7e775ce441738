package api

import (
	"net/http"
	"strconv"

	"zhanxin/internal/apperr"
	"zhanxin/internal/plan"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Editing plans: the stages and targets of a plan, created, replaced and deleted through
// the plan use cases, which check plans.manage, validate every field and audit.

func (a *API) plans() *plan.Service { return &plan.Service{DB: a.DB, Now: a.Now} }

// PlanStageBody is the body that creates (POST) or replaces (PUT) a stage.
type PlanStageBody struct {
	Code      string `json:"code"`
	Plan      string `json:"plan"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Year      *int   `json:"year"`
	Quote     string `json:"quote"`
	SortOrder int    `json:"sort_order"`
}

// PlanStage is a stage as the API shows it.
type PlanStage struct {
	Code      string `json:"code"`
	Plan      string `json:"plan"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Year      int    `json:"year"`
	Quote     string `json:"quote"`
	SortOrder int    `json:"sort_order"`
}

func planStageOf(s store.PlanStage) PlanStage {
	return PlanStage{Code: s.Code, Plan: s.PlanCode, NameZh: s.NameZh, NameEn: s.NameEn, Year: s.Year, Quote: s.Quote, SortOrder: s.SortOrder}
}

// intText is an optional JSON integer as the text the use case reads ("" when absent, so
// that the use case names the missing field).
func intText(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

func (a *API) saveStage(create bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		var b PlanStageBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		in := plan.StageInput{Code: b.Code, PlanCode: b.Plan, NameZh: b.NameZh, NameEn: b.NameEn, Year: intText(b.Year), Quote: b.Quote,
			SortOrder: strconv.Itoa(b.SortOrder)}
		status := http.StatusCreated
		if !create {
			in.Code, status = r.PathValue("code"), http.StatusOK
		}
		st, err := a.plans().SaveStage(r.Context(), p, in, create)
		if err != nil {
			return err
		}
		WriteJSON(w, status, planStageOf(st))
		return nil
	}
}

func (a *API) deleteStage(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.plans().DeleteStage(r.Context(), p, r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PlanTargetBody is the body that creates (POST) or replaces (PUT) a target.
type PlanTargetBody struct {
	Code                string  `json:"code"`
	Stage               string  `json:"stage"`
	NameZh              string  `json:"name_zh"`
	NameEn              string  `json:"name_en"`
	Indicator           string  `json:"indicator"`
	Region              string  `json:"region"`
	Industry            string  `json:"industry"`
	Comparison          string  `json:"comparison"`
	Target              Decimal `json:"target"`
	TargetUnit          string  `json:"target_unit"`
	TargetEntered       string  `json:"target_entered"`
	TargetYear          *int    `json:"target_year"`
	BaselineIndicator   string  `json:"baseline_indicator"`
	BaselineIndustry    string  `json:"baseline_industry"`
	BaselinePeriod      string  `json:"baseline_period"`
	OtherBasisIndicator string  `json:"other_basis_indicator"`
	BasisNote           string  `json:"basis_note"`
	Note                string  `json:"note"`
	Source              string  `json:"source"`
	Quote               string  `json:"quote"`
	SortOrder           int     `json:"sort_order"`
}

// PlanTarget is a target as the API shows it; target is an exact decimal in the
// indicator's unit.
type PlanTarget struct {
	Code                string `json:"code"`
	Stage               string `json:"stage"`
	NameZh              string `json:"name_zh"`
	NameEn              string `json:"name_en"`
	Indicator           string `json:"indicator"`
	Region              string `json:"region"`
	Industry            string `json:"industry"`
	Comparison          string `json:"comparison"`
	Target              string `json:"target"`
	TargetEntered       string `json:"target_entered"`
	TargetYear          int    `json:"target_year"`
	BaselineIndicator   string `json:"baseline_indicator"`
	BaselineIndustry    string `json:"baseline_industry"`
	BaselinePeriod      string `json:"baseline_period"`
	OtherBasisIndicator string `json:"other_basis_indicator"`
	BasisNote           string `json:"basis_note"`
	Note                string `json:"note"`
	Source              string `json:"source"`
	Quote               string `json:"quote"`
	SortOrder           int    `json:"sort_order"`
}

func targetOf(t store.PlanTarget) PlanTarget {
	return PlanTarget{Code: t.Code, Stage: t.StageCode, NameZh: t.NameZh, NameEn: t.NameEn, Indicator: t.Indicator, Region: t.Region,
		Industry: t.Industry, Comparison: t.Comparison, Target: stats.Micro(t.Target).String(), TargetEntered: t.TargetEntered,
		TargetYear: t.TargetYear, BaselineIndicator: t.BaselineIndicator, BaselineIndustry: t.BaselineIndustry,
		BaselinePeriod: t.BaselinePeriod, OtherBasisIndicator: t.OtherBasisIndicator, BasisNote: t.BasisNote, Note: t.Note,
		Source: t.Source, Quote: t.Quote, SortOrder: t.SortOrder}
}

func (a *API) saveTarget(create bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		var b PlanTargetBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		in := plan.TargetInput{Code: b.Code, StageCode: b.Stage, NameZh: b.NameZh, NameEn: b.NameEn, Indicator: b.Indicator,
			Region: b.Region, Industry: b.Industry, Comparison: b.Comparison, TargetValue: string(b.Target), TargetUnit: b.TargetUnit,
			TargetEntered: b.TargetEntered, TargetYear: intText(b.TargetYear), BaselineIndicator: b.BaselineIndicator,
			BaselineIndustry: b.BaselineIndustry, BaselinePeriod: b.BaselinePeriod, OtherBasisIndicator: b.OtherBasisIndicator,
			BasisNote: b.BasisNote, Note: b.Note, Source: b.Source, Quote: b.Quote, SortOrder: strconv.Itoa(b.SortOrder)}
		status := http.StatusCreated
		if !create {
			in.Code, status = r.PathValue("code"), http.StatusOK
		}
		t, err := a.plans().SaveTarget(r.Context(), p, in, create)
		if err != nil {
			// The use case names the value and its unit as the form does; the body calls
			// the value "target".
			renameField(err, "target_value", "target")
			return err
		}
		WriteJSON(w, status, targetOf(t))
		return nil
	}
}

func (a *API) deleteTarget(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.plans().DeleteTarget(r.Context(), p, r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// renameField renames a refused field of err from the use case's name to the body's.
func renameField(err error, from, to string) {
	if e := apperr.From(err); e.Kind != apperr.Internal {
		for i := range e.Fields {
			if e.Fields[i].Name == from {
				e.Fields[i].Name = to
			}
		}
	}
}
