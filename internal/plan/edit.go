package plan

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Editing a plan: creating, changing and deleting its stages and targets. Each use case
// checks plans.manage, validates every field against the plan and the catalogues inside
// one write transaction, writes, and records the audit entry in that same transaction; a
// refused edit writes nothing and names every bad field.

// StageInput is a stage as a form or a client gives it.
type StageInput struct {
	Code, PlanCode, NameZh, NameEn, Year, Quote, SortOrder string
}

// TargetInput is a target as a form or a client gives it. TargetValue is read in
// TargetUnit (the indicator's unit when empty) and converted exactly.
type TargetInput struct {
	Code, StageCode, NameZh, NameEn                     string
	Indicator, Region, Industry                         string
	Comparison, TargetValue, TargetUnit, TargetEntered  string
	TargetYear                                          string
	BaselineIndicator, BaselineIndustry, BaselinePeriod string
	OtherBasisIndicator, BasisNote, Note, Source, Quote string
	SortOrder                                           string
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func trim(in *string) { *in = strings.TrimSpace(*in) }

func optInt(field, s string, bad *apperr.Fields) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		bad.Add(field, "bad_number", "planedit.err.integer", s)
	}
	return n
}

// stageWindow is the span of years a stage covers: after the previous stage of its plan
// (or the plan's base year) up to its own year.
func stageWindow(p store.Plan, stages []store.PlanStage, st store.PlanStage) (from, to int) {
	from = p.BaseYear
	for _, o := range stages {
		if o.Code != st.Code && o.Year < st.Year && o.Year > from {
			from = o.Year
		}
	}
	return from, st.Year
}

// SaveStage creates a stage (create) or changes an existing one.
func (s *Service) SaveStage(ctx context.Context, p *auth.Principal, in StageInput, create bool) (store.PlanStage, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.PlanStage{}, err
	}
	for _, f := range []*string{&in.Code, &in.PlanCode, &in.NameZh, &in.NameEn, &in.Year, &in.Quote, &in.SortOrder} {
		trim(f)
	}
	var st store.PlanStage
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var bad apperr.Fields
		old, err := tx.PlanStageByCode(ctx, in.Code)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case !create && !exists:
			return apperr.Missing("plan_stage")
		case create && !codePattern.MatchString(in.Code):
			bad.Add("code", "bad_code", "planedit.err.code", in.Code)
		case create && exists:
			bad.Add("code", "duplicate_code", "planedit.err.duplicate_stage", in.Code)
		}
		if !create {
			in.PlanCode = old.PlanCode // a stage does not move to another plan
		}
		pl, err := tx.PlanByCode(ctx, in.PlanCode)
		if errors.Is(err, store.ErrNotFound) {
			bad.Add("plan", "unknown_plan", "planedit.err.unknown_plan", in.PlanCode)
		} else if err != nil {
			return err
		}
		if in.NameZh == "" {
			bad.Add("name_zh", "name_required", "planedit.err.name_required")
		}
		year, yerr := strconv.Atoi(in.Year)
		switch {
		case yerr != nil:
			bad.Add("year", "bad_year", "planedit.err.year", in.Year)
		case pl.Code != "" && (year <= pl.BaseYear || year > pl.EndYear):
			bad.Add("year", "year_outside_plan", "planedit.err.stage_year", year, pl.BaseYear, pl.EndYear)
		case pl.Code != "":
			// Two stages ending in one year would leave a target's stage ambiguous.
			stages, err := tx.PlanStagesTx(ctx, pl.Code)
			if err != nil {
				return err
			}
			for _, o := range stages {
				if o.Year == year && o.Code != in.Code {
					bad.Add("year", "year_taken", "planedit.err.stage_year_taken", year, o.Code)
				}
			}
		}
		order := optInt("sort_order", in.SortOrder, &bad)
		if err := bad.Err(); err != nil {
			return err
		}
		st = store.PlanStage{Code: in.Code, PlanCode: in.PlanCode, NameZh: in.NameZh, NameEn: in.NameEn, Year: year, Quote: in.Quote, SortOrder: order}
		if !create {
			// Its targets must stay inside the stage as changed.
			stages, err := tx.PlanStagesTx(ctx, pl.Code)
			if err != nil {
				return err
			}
			from, to := stageWindow(pl, stages, st)
			years, err := tx.StageTargetYears(ctx, st.Code)
			if err != nil {
				return err
			}
			for code, y := range years {
				if y <= from || y > to {
					bad.Add("year", "targets_outside_stage", "planedit.err.stage_targets", code, y, from+1, to)
					return bad.Err()
				}
			}
		}
		if err := tx.UpsertPlanStage(ctx, st); err != nil {
			return err
		}
		action, before := "plan.stage.create", any(nil)
		if !create {
			action, before = "plan.stage.update", old
		}
		return audit.Record(ctx, tx, s.now(), p, action, "plan_stage", st.Code, before, st)
	})
	return st, err
}

// DeleteStage deletes a stage that has no targets; one with targets is refused, naming
// how many, so that no target is lost with it.
func (s *Service) DeleteStage(ctx context.Context, p *auth.Principal, code string) error {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.PlanStageByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("plan_stage")
		} else if err != nil {
			return err
		}
		years, err := tx.StageTargetYears(ctx, code)
		if err != nil {
			return err
		}
		if len(years) > 0 {
			return apperr.New(apperr.Conflict, "stage_has_targets", "planedit.err.stage_has_targets", code, len(years))
		}
		if err := tx.DeletePlanStage(ctx, code); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "plan.stage.delete", "plan_stage", code, old, nil)
	})
}

// SaveTarget creates a target (create) or changes an existing one.
func (s *Service) SaveTarget(ctx context.Context, p *auth.Principal, in TargetInput, create bool) (store.PlanTarget, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.PlanTarget{}, err
	}
	for _, f := range []*string{&in.Code, &in.StageCode, &in.NameZh, &in.NameEn, &in.Indicator, &in.Region, &in.Industry,
		&in.Comparison, &in.TargetValue, &in.TargetUnit, &in.TargetEntered, &in.TargetYear, &in.BaselineIndicator,
		&in.BaselineIndustry, &in.BaselinePeriod, &in.OtherBasisIndicator, &in.BasisNote, &in.Note, &in.Source, &in.Quote, &in.SortOrder} {
		trim(f)
	}
	var out store.PlanTarget
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var bad apperr.Fields
		old, err := tx.PlanTargetByCode(ctx, in.Code)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case !create && !exists:
			return apperr.Missing("plan_target")
		case create && !codePattern.MatchString(in.Code):
			bad.Add("code", "bad_code", "planedit.err.code", in.Code)
		case create && exists:
			bad.Add("code", "duplicate_code", "planedit.err.duplicate_target", in.Code)
		}
		st, err := tx.PlanStageByCode(ctx, in.StageCode)
		stageOK := err == nil
		if errors.Is(err, store.ErrNotFound) {
			bad.Add("stage", "unknown_stage", "planedit.err.unknown_stage", in.StageCode)
		} else if err != nil {
			return err
		}
		if in.NameZh == "" {
			bad.Add("name_zh", "name_required", "planedit.err.name_required")
		}
		// known records a code that names nothing as a field problem; other errors end the edit.
		known := func(field, code, key string, err error) error {
			if errors.Is(err, store.ErrNotFound) {
				bad.Add(field, "unknown_"+field, key, code)
				return nil
			}
			return err
		}
		ind, ierr := tx.IndicatorByCode(ctx, in.Indicator)
		switch {
		case errors.Is(ierr, store.ErrNotFound):
			bad.Add("indicator", "unknown_indicator", "stats.err.unknown_indicator", in.Indicator)
		case ierr != nil:
			return ierr
		}
		if _, err := tx.RegionByCode(ctx, in.Region); known("region", in.Region, "stats.err.unknown_region", err) != nil {
			return err
		}
		if _, err := tx.IndustryByCode(ctx, in.Industry); known("industry", in.Industry, "stats.err.unknown_industry", err) != nil {
			return err
		}
		if in.Comparison != ">=" && in.Comparison != ">" {
			bad.Add("comparison", "bad_comparison", "planedit.err.comparison", in.Comparison)
		}
		var target stats.Micro
		if ierr == nil {
			unit := in.TargetUnit
			if unit == "" {
				unit = ind.Unit
			}
			v, err := stats.ParseValue(in.TargetValue, unit, ind.Unit)
			switch {
			case err != nil && unit != ind.Unit && !slices.Contains(stats.ConvertibleUnits(ind.Unit), unit):
				bad.Add("target_unit", "wrong_unit", "stats.err.unit", unit, ind.Code, strings.Join(stats.ConvertibleUnits(ind.Unit), "、"))
			case err != nil:
				bad.Add("target_value", "bad_value", "stats.err.value", in.TargetValue, ind.Unit)
			case v <= 0:
				bad.Add("target_value", "target_not_positive", "planedit.err.target_positive", in.TargetValue)
			case ind.Max != nil && int64(v) > *ind.Max:
				bad.Add("target_value", "above_max", "stats.err.above_max", in.TargetValue, stats.Micro(*ind.Max).String(), ind.Unit)
			}
			target = v
		}
		year, yerr := strconv.Atoi(in.TargetYear)
		if yerr != nil {
			bad.Add("target_year", "bad_year", "planedit.err.year", in.TargetYear)
		} else if stageOK {
			pl, err := tx.PlanByCode(ctx, st.PlanCode)
			if err != nil {
				return err
			}
			stages, err := tx.PlanStagesTx(ctx, pl.Code)
			if err != nil {
				return err
			}
			from, to := stageWindow(pl, stages, st)
			if year <= from || year > to {
				bad.Add("target_year", "year_outside_stage", "planedit.err.target_year", year, name2(st.NameZh, st.Code), from+1, to)
			}
		}
		if in.BaselineIndicator != "" {
			if _, err := tx.IndicatorByCode(ctx, in.BaselineIndicator); errors.Is(err, store.ErrNotFound) {
				bad.Add("baseline_indicator", "unknown_indicator", "stats.err.unknown_indicator", in.BaselineIndicator)
			} else if err != nil {
				return err
			}
			by, err := strconv.Atoi(in.BaselinePeriod)
			switch {
			case err != nil || len(in.BaselinePeriod) != 4:
				bad.Add("baseline_period", "bad_year", "planedit.err.baseline_period", in.BaselinePeriod)
			case yerr == nil && by >= year:
				bad.Add("baseline_period", "baseline_not_before", "planedit.err.baseline_before", by, year)
			}
		} else if in.BaselinePeriod != "" || in.BaselineIndustry != "" {
			bad.Add("baseline_indicator", "baseline_indicator_required", "planedit.err.baseline_indicator")
		}
		if in.BaselineIndustry != "" {
			if _, err := tx.IndustryByCode(ctx, in.BaselineIndustry); known("baseline_industry", in.BaselineIndustry, "stats.err.unknown_industry", err) != nil {
				return err
			}
		}
		if in.OtherBasisIndicator != "" {
			if _, err := tx.IndicatorByCode(ctx, in.OtherBasisIndicator); errors.Is(err, store.ErrNotFound) {
				bad.Add("other_basis_indicator", "unknown_indicator", "stats.err.unknown_indicator", in.OtherBasisIndicator)
			} else if err != nil {
				return err
			} else if in.OtherBasisIndicator == in.Indicator {
				bad.Add("other_basis_indicator", "same_basis", "planedit.err.same_basis", in.OtherBasisIndicator)
			}
		}
		if in.Source == "" {
			bad.Add("source", "source_required", "stats.err.source_required")
		}
		order := optInt("sort_order", in.SortOrder, &bad)
		if err := bad.Err(); err != nil {
			return err
		}
		entered := in.TargetEntered
		if entered == "" {
			unit := in.TargetUnit
			if unit == "" {
				unit = ind.Unit
			}
			entered = in.Comparison + " " + in.TargetValue + " " + unit
		}
		out = store.PlanTarget{Code: in.Code, StageCode: in.StageCode, NameZh: in.NameZh, NameEn: in.NameEn, Indicator: in.Indicator,
			Region: in.Region, Industry: in.Industry, Comparison: in.Comparison, Target: int64(target), TargetEntered: entered,
			TargetYear: year, BaselineIndicator: in.BaselineIndicator, BaselineIndustry: in.BaselineIndustry,
			BaselinePeriod: in.BaselinePeriod, OtherBasisIndicator: in.OtherBasisIndicator, BasisNote: in.BasisNote, Note: in.Note,
			Source: in.Source, Quote: in.Quote, SortOrder: order}
		if err := tx.UpsertPlanTarget(ctx, out); err != nil {
			return err
		}
		action, before := "plan.target.create", any(nil)
		if !create {
			action, before = "plan.target.update", old
		}
		return audit.Record(ctx, tx, s.now(), p, action, "plan_target", out.Code, before, out)
	})
	return out, err
}

// DeleteTarget deletes a target.
func (s *Service) DeleteTarget(ctx context.Context, p *auth.Principal, code string) error {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.PlanTargetByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("plan_target")
		} else if err != nil {
			return err
		}
		if err := tx.DeletePlanTarget(ctx, code); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "plan.target.delete", "plan_target", code, old, nil)
	})
}

// EditList returns a plan's stages and targets for the editing pages, to whoever may edit.
func (s *Service) EditList(ctx context.Context, p *auth.Principal, plan string) (store.Plan, []store.PlanStage, []store.PlanTarget, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.Plan{}, nil, nil, err
	}
	var pl store.Plan
	var err error
	if plan == "" {
		plans, err := s.DB.Plans(ctx)
		if err != nil {
			return pl, nil, nil, err
		}
		if len(plans) == 0 {
			return pl, nil, nil, errNoPlan()
		}
		pl = plans[0]
	} else if pl, err = s.DB.PlanByCode(ctx, plan); errors.Is(err, store.ErrNotFound) {
		return pl, nil, nil, errNoPlan()
	} else if err != nil {
		return pl, nil, nil, err
	}
	stages, err := s.DB.PlanStages(ctx, pl.Code)
	if err != nil {
		return pl, nil, nil, err
	}
	targets, err := s.DB.AllPlanTargets(ctx, pl.Code)
	return pl, stages, targets, err
}

func name2(zh, code string) string {
	if zh == "" {
		return code
	}
	return zh + "（" + code + "）"
}

// EditStage reads a stage for its editing form, to whoever may edit.
func (s *Service) EditStage(ctx context.Context, p *auth.Principal, code string) (store.PlanStage, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.PlanStage{}, err
	}
	st, err := s.DB.PlanStageByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return st, apperr.Missing("plan_stage")
	}
	return st, err
}

// EditTarget reads a target for its editing form, to whoever may edit.
func (s *Service) EditTarget(ctx context.Context, p *auth.Principal, code string) (store.PlanTarget, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.PlanTarget{}, err
	}
	t, err := s.DB.PlanTargetByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return t, apperr.Missing("plan_target")
	}
	return t, err
}
