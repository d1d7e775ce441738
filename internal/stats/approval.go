package stats

import (
	"context"
	"errors"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Approval goes up the region hierarchy: the county submits its period, the city approves
// it, and approval locks it. Returning a submission and unlocking an approved period are
// the city's, and each says why (the audit log keeps the reason).

// Submit marks a region's period submitted: the county can no longer change it.
func (s *Service) Submit(ctx context.Context, p *auth.Principal, region, period string) error {
	if err := auth.Require(p, auth.SubmitStats); err != nil {
		return err
	}
	if p.Role == auth.County && region != p.RegionCode {
		return apperr.New(apperr.Forbidden, "other_region", "stats.err.other_region", region)
	}
	return s.transition(ctx, p, region, period, "stats.submit", []string{"open"}, "submitted", "")
}

// Approve marks a region's period approved, which locks it.
func (s *Service) Approve(ctx context.Context, p *auth.Principal, region, period string) error {
	if err := auth.Require(p, auth.ApproveStats); err != nil {
		return err
	}
	return s.transition(ctx, p, region, period, "stats.approve", []string{"submitted"}, "approved", "")
}

// Return sends a submitted period back to the county to correct.
func (s *Service) Return(ctx context.Context, p *auth.Principal, region, period, reason string) error {
	if err := auth.Require(p, auth.ApproveStats); err != nil {
		return err
	}
	return s.transition(ctx, p, region, period, "stats.return", []string{"submitted"}, "open", reason)
}

// Unlock reopens an approved period for corrections.
func (s *Service) Unlock(ctx context.Context, p *auth.Principal, region, period, reason string) error {
	if err := auth.Require(p, auth.ApproveStats); err != nil {
		return err
	}
	return s.transition(ctx, p, region, period, "stats.unlock", []string{"approved"}, "open", reason)
}

// factStatus is the status facts get when their period moves to a state.
var factStatus = map[string]string{"open": "draft", "submitted": "submitted", "approved": "approved"}

func (s *Service) transition(ctx context.Context, p *auth.Principal, region, period, action string, from []string, to, reason string) error {
	if _, err := ParsePeriod(period); err != nil {
		return fieldErr("bad_period", "period", "stats.err.period", period)
	}
	if (to == "open") && reason == "" {
		return fieldErr("reason_required", "reason", "stats.err.reason_required_action")
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		g, err := tx.RegionByCode(ctx, region)
		if errors.Is(err, store.ErrNotFound) {
			return fieldErr("unknown_region", "region", "stats.err.unknown_region", region)
		} else if err != nil {
			return err
		}
		cur, err := tx.PeriodStatus(ctx, region, period)
		if err != nil {
			return err
		}
		ok := false
		for _, f := range from {
			ok = ok || cur == f
		}
		if !ok {
			return apperr.New(apperr.Conflict, "bad_transition", "stats.err.transition", region, period, cur, to)
		}
		now := s.Now()
		if err := tx.SetPeriodStatus(ctx, region, period, to, p.Username, now); err != nil {
			return err
		}
		facts, err := tx.RegionPeriodFacts(ctx, region, period)
		if err != nil {
			return err
		}
		inds := map[string]store.Indicator{}
		pc := store.PairCounts{Region: region, Period: period}
		for _, f := range facts {
			ind, ok := inds[f.Indicator]
			if !ok {
				if ind, err = tx.IndicatorByCode(ctx, f.Indicator); err != nil {
					return err
				}
				inds[f.Indicator] = ind
			}
			next := f
			next.Status = factStatus[to]
			if next.Status == f.Status {
				continue
			}
			if err := tx.SetFactStatus(ctx, f.FactKey, next.Status); err != nil {
				return err
			}
			old := f
			if err := s.rollup(ctx, tx, ind, g.Kind, &old, &next); err != nil {
				return err
			}
			pc.Count(f.Status, f.EnterpriseID, -1)
			pc.Count(next.Status, f.EnterpriseID, +1)
		}
		if err := tx.AddRegionPeriodCounts(ctx, []store.PairCounts{pc}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, action, "period", region+"/"+period,
			map[string]any{"status": cur}, map[string]any{"status": to, "reason": reason, "facts": len(facts)})
	})
}
