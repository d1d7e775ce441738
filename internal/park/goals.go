package park

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Editing the named goals of the positioning (四基地一工程) and which plan targets measure
// them. The pairing is data with its reason (migration 0009's goal_targets), so linking
// asks for the reason and unlinking asks why, and both are audited. Goals belong to a
// plan, so plans.manage governs them as it governs stages and targets.

// GoalInput is a named goal as a form or a client gives it.
type GoalInput struct {
	Code, PlanCode, NameZh, NameEn, Industry, Quote, SortOrder string
}

var goalCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// SaveGoal creates a named goal (create) or changes an existing one; a goal stays with
// its plan.
func (s *Service) SaveGoal(ctx context.Context, p *auth.Principal, in GoalInput, create bool) (store.PlanGoal, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.PlanGoal{}, err
	}
	for _, f := range []*string{&in.Code, &in.PlanCode, &in.NameZh, &in.NameEn, &in.Industry, &in.Quote, &in.SortOrder} {
		*f = strings.TrimSpace(*f)
	}
	var out store.PlanGoal
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var bad apperr.Fields
		old, err := tx.PlanGoalByCode(ctx, in.Code)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case !create && !exists:
			return apperr.Missing("plan_goal")
		case create && !goalCode.MatchString(in.Code):
			bad.Add("code", "bad_code", "planedit.err.code", in.Code)
		case create && exists:
			bad.Add("code", "duplicate_code", "goaledit.err.duplicate", in.Code)
		}
		if !create {
			in.PlanCode = old.PlanCode
		}
		if _, err := tx.PlanByCode(ctx, in.PlanCode); errors.Is(err, store.ErrNotFound) {
			bad.Add("plan", "unknown_plan", "planedit.err.unknown_plan", in.PlanCode)
		} else if err != nil {
			return err
		}
		if in.NameZh == "" {
			bad.Add("name_zh", "name_required", "planedit.err.name_required")
		}
		if in.Industry != "" {
			if _, err := tx.IndustryByCode(ctx, in.Industry); errors.Is(err, store.ErrNotFound) {
				bad.Add("industry", "unknown_industry", "stats.err.unknown_industry", in.Industry)
			} else if err != nil {
				return err
			}
		}
		order := 0
		if in.SortOrder != "" {
			if order, err = strconv.Atoi(in.SortOrder); err != nil {
				bad.Add("sort_order", "bad_number", "planedit.err.integer", in.SortOrder)
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		out = store.PlanGoal{Code: in.Code, PlanCode: in.PlanCode, NameZh: in.NameZh, NameEn: in.NameEn, IndustryCode: in.Industry,
			Quote: in.Quote, SortOrder: order}
		if err := tx.UpsertPlanGoal(ctx, out); err != nil {
			return err
		}
		action, before := "plan.goal.create", any(nil)
		if !create {
			action, before = "plan.goal.update", old
		}
		return audit.Record(ctx, tx, s.now(), p, action, "plan_goal", out.Code, before, out)
	})
	return out, err
}

// goalTargetID names a pairing in the audit log.
func goalTargetID(goal, target string) string { return goal + "/" + target }

// LinkTarget records that a target measures a goal, with the reason; linking a pair
// again replaces its reason (audited as a change). The target must belong to the goal's
// plan.
func (s *Service) LinkTarget(ctx context.Context, p *auth.Principal, goal, target, reason string) (store.GoalTarget, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return store.GoalTarget{}, err
	}
	target, reason = strings.TrimSpace(target), strings.TrimSpace(reason)
	var out store.GoalTarget
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		g, err := tx.PlanGoalByCode(ctx, goal)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("plan_goal")
		} else if err != nil {
			return err
		}
		var bad apperr.Fields
		t, err := tx.PlanTargetByCode(ctx, target)
		switch {
		case errors.Is(err, store.ErrNotFound):
			bad.Add("target", "unknown_target", "goaledit.err.unknown_target", target)
		case err != nil:
			return err
		default:
			st, err := tx.PlanStageByCode(ctx, t.StageCode)
			if err != nil {
				return err
			}
			if st.PlanCode != g.PlanCode {
				bad.Add("target", "target_of_other_plan", "goaledit.err.other_plan", target, st.PlanCode, g.PlanCode)
			}
		}
		if reason == "" {
			bad.Add("reason", "reason_required", "goaledit.err.reason_link")
		}
		if err := bad.Err(); err != nil {
			return err
		}
		old, err := tx.GoalTargetByKey(ctx, goal, target)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		out = store.GoalTarget{GoalCode: goal, TargetCode: target, Note: reason}
		if err := tx.UpsertGoalTarget(ctx, out); err != nil {
			return err
		}
		action, before := "plan.goal.link", any(nil)
		if exists {
			action, before = "plan.goal.relink", old
		}
		return audit.Record(ctx, tx, s.now(), p, action, "goal_target", goalTargetID(goal, target), before, out)
	})
	return out, err
}

// unlinked is what the audit log keeps of a removed pairing: why it was removed.
type unlinked struct {
	Reason string `json:"reason"`
}

// UnlinkTarget removes a pairing; the reason is required and kept in the audit entry
// beside the pairing as it was.
func (s *Service) UnlinkTarget(ctx context.Context, p *auth.Principal, goal, target, reason string) error {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.GoalTargetByKey(ctx, goal, target)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("goal_target")
		} else if err != nil {
			return err
		}
		if reason == "" {
			return apperr.New(apperr.Invalid, "reason_required", "goaledit.err.reason_unlink").With("reason", "goaledit.err.reason_unlink")
		}
		if err := tx.DeleteGoalTarget(ctx, goal, target); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "plan.goal.unlink", "goal_target", goalTargetID(goal, target), old, unlinked{Reason: reason})
	})
}

// GoalEdit is a goal with its pairings for the editing form.
type GoalEdit struct {
	Goal  store.PlanGoal
	Links []store.GoalTarget
}

// EditGoal reads a goal and its pairings, to whoever may edit.
func (s *Service) EditGoal(ctx context.Context, p *auth.Principal, code string) (GoalEdit, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return GoalEdit{}, err
	}
	g, err := s.DB.PlanGoalByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return GoalEdit{}, apperr.Missing("plan_goal")
	} else if err != nil {
		return GoalEdit{}, err
	}
	links, err := s.DB.GoalTargetsOf(ctx, code)
	return GoalEdit{Goal: g, Links: links}, err
}

// Goals lists a plan's goals with the number of targets paired with each, to whoever may edit.
func (s *Service) Goals(ctx context.Context, p *auth.Principal, plan string) ([]store.PlanGoal, map[string]int, error) {
	if err := auth.Require(p, auth.ManagePlans); err != nil {
		return nil, nil, err
	}
	goals, err := s.DB.PlanGoals(ctx, plan)
	if err != nil {
		return nil, nil, err
	}
	pairs, err := s.DB.GoalTargets(ctx)
	if err != nil {
		return nil, nil, err
	}
	n := map[string]int{}
	for _, pr := range pairs {
		n[pr.GoalCode]++
	}
	return goals, n, nil
}
