package plan

import (
	"context"
	"errors"
	"strconv"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Managing plans themselves: a plan document's code, names, region, span and source.
// As with stages and targets, plans.manage is checked, every field is validated inside
// the write transaction, and the audit entry is written in that same transaction. A plan
// is deleted only when it holds no stage and no named goal, so that deleting a plan never
// takes targets or goals with it unseen.

// PlanInput is a plan as a form or a client gives it.
type PlanInput struct {
	Code, NameZh, NameEn, Region, BaseYear, EndYear, Source, Quote, Note, SortOrder string
}

// Years a plan may span: the People's Republic's planning era up to a horizon no regional
// plan reaches; outside it a year is a typing error.
const (
	minPlanYear = 1949
	maxPlanYear = 2100
)

// SavePlan creates a plan (create) or changes an existing one.
func (s *Service) SavePlan(ctx context.Context, p *auth.Principal, in PlanInput, create bool) (store.Plan, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.Plan{}, err
	}
	for _, f := range []*string{&in.Code, &in.NameZh, &in.NameEn, &in.Region, &in.BaseYear, &in.EndYear, &in.Source, &in.Quote, &in.Note, &in.SortOrder} {
		trim(f)
	}
	var out store.Plan
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var bad apperr.Fields
		old, err := tx.PlanByCode(ctx, in.Code)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case !create && !exists:
			return errNoPlan()
		case create && !codePattern.MatchString(in.Code):
			bad.Add("code", "bad_code", "planedit.err.code", in.Code)
		case create && exists:
			bad.Add("code", "duplicate_code", "planmanage.err.duplicate_plan", in.Code)
		}
		if in.NameZh == "" {
			bad.Add("name_zh", "name_required", "planedit.err.name_required")
		}
		if _, err := tx.RegionByCode(ctx, in.Region); errors.Is(err, store.ErrNotFound) {
			bad.Add("region", "unknown_region", "stats.err.unknown_region", in.Region)
		} else if err != nil {
			return err
		}
		year := func(field, v string) (int, bool) {
			y, err := strconv.Atoi(v)
			if err != nil || y < minPlanYear || y > maxPlanYear {
				bad.Add(field, "bad_year", "planmanage.err.year", v, minPlanYear, maxPlanYear)
				return 0, false
			}
			return y, true
		}
		base, okB := year("base_year", in.BaseYear)
		end, okE := year("end_year", in.EndYear)
		if okB && okE && end <= base {
			bad.Add("end_year", "end_not_after_base", "planmanage.err.end_after_base", end, base)
		}
		if in.Source == "" {
			bad.Add("source", "source_required", "stats.err.source_required")
		}
		order := optInt("sort_order", in.SortOrder, &bad)
		if err := bad.Err(); err != nil {
			return err
		}
		if !create {
			// Its stages must stay inside the plan's span as changed.
			stages, err := tx.PlanStagesTx(ctx, in.Code)
			if err != nil {
				return err
			}
			for _, st := range stages {
				if st.Year <= base || st.Year > end {
					bad.Add("base_year", "stages_outside_plan", "planmanage.err.stages_outside", st.Code, st.Year, base+1, end)
					return bad.Err()
				}
			}
		}
		out = store.Plan{Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn, RegionCode: in.Region, BaseYear: base, EndYear: end,
			Source: in.Source, Quote: in.Quote, Note: in.Note, SortOrder: order}
		if err := tx.UpsertPlan(ctx, out); err != nil {
			return err
		}
		action, before := "plan.create", any(nil)
		if !create {
			action, before = "plan.update", old
		}
		return audit.Record(ctx, tx, s.now(), p, action, "plan", out.Code, before, out)
	})
	return out, err
}

// DeletePlan deletes a plan that holds no stage and no named goal; one that does is
// refused, naming how many of each.
func (s *Service) DeletePlan(ctx context.Context, p *auth.Principal, code string) error {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.PlanByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return errNoPlan()
		} else if err != nil {
			return err
		}
		stages, goals, err := tx.PlanContents(ctx, code)
		if err != nil {
			return err
		}
		if stages+goals > 0 {
			return apperr.New(apperr.Conflict, "plan_not_empty", "planmanage.err.not_empty", code, stages, goals)
		}
		if err := tx.DeletePlan(ctx, code); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "plan.delete", "plan", code, old, nil)
	})
}

// ManagedPlans lists every plan for the editing pages, to whoever may edit.
func (s *Service) ManagedPlans(ctx context.Context, p *auth.Principal) ([]store.Plan, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return nil, err
	}
	return s.DB.Plans(ctx)
}

// EditPlan reads a plan for its editing form, to whoever may edit.
func (s *Service) EditPlan(ctx context.Context, p *auth.Principal, code string) (store.Plan, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.Plan{}, err
	}
	pl, err := s.DB.PlanByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return pl, errNoPlan()
	}
	return pl, err
}
