package allocation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Editing a draft round's rules on the page: the whole set is saved at once through
// SetRules (requests named by their account, the enterprise read from it), and a request
// or a tier is removed on its own, behind a confirmation, with its own audit action.

// RuleForm is a draft round with its rules and the enterprise accounts of its ledger.
type RuleForm struct {
	RoundView
	Accounts []store.LedgerAccount
}

// EditRules reads a round for its rules form, to whoever may change the rules; an applied
// round's rules are history and not offered.
func (s *Service) EditRules(ctx context.Context, p *auth.Principal, id int64) (RuleForm, error) {
	if err := auth.Require(p, auth.ManageAllocation); err != nil {
		return RuleForm{}, err
	}
	v, err := s.round(ctx, p, id)
	if err != nil {
		return RuleForm{}, err
	}
	if v.Status != "draft" {
		return RuleForm{}, apperr.New(apperr.Conflict, "round_applied", "allocation.err.applied", v.Code)
	}
	accts, err := s.DB.ListLedgerAccounts(ctx, store.LedgerAccountFilter{LedgerID: v.LedgerID}, store.ListQuery{Sort: "code"})
	if err != nil {
		return RuleForm{}, err
	}
	f := RuleForm{RoundView: v}
	for _, a := range accts.Rows {
		if a.HolderKind == "enterprise" {
			f.Accounts = append(f.Accounts, a)
		}
	}
	return f, nil
}

// SetRulesByAccount is SetRules for requests that name their account only: each takes
// the account's enterprise (an unknown account is refused by SetRules, naming it).
func (s *Service) SetRulesByAccount(ctx context.Context, p *auth.Principal, id int64, tiers []TierIn, reqs []RequestIn) error {
	if err := auth.Require(p, auth.ManageAllocation); err != nil {
		return err
	}
	for i := range reqs {
		reqs[i].Account = strings.TrimSpace(reqs[i].Account)
		if reqs[i].EnterpriseID != 0 {
			continue
		}
		a, err := s.DB.LedgerAccountByCode(ctx, reqs[i].Account)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		reqs[i].EnterpriseID = a.EnterpriseID
	}
	return s.SetRules(ctx, p, id, tiers, reqs)
}

// editRules changes a draft round's stored rules with change and audits action with the
// rules before and after.
func (s *Service) editRules(ctx context.Context, p *auth.Principal, id int64, action, entityID string,
	change func([]store.AllocTier, []store.AllocRequest) ([]store.AllocTier, []store.AllocRequest, error)) error {
	if err := auth.Require(p, auth.ManageAllocation); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.AllocRoundByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.NotFound, "unknown_round", "allocation.err.unknown_round", id)
		} else if err != nil {
			return err
		}
		if r.Status != "draft" {
			return apperr.New(apperr.Conflict, "round_applied", "allocation.err.applied", r.Code)
		}
		ts, err := tx.AllocTiers(ctx, id)
		if err != nil {
			return err
		}
		rs, err := tx.AllocRequests(ctx, id)
		if err != nil {
			return err
		}
		nts, nrs, err := change(ts, rs)
		if err != nil {
			return err
		}
		if err := tx.ReplaceAllocRules(ctx, id, nts, nrs); err != nil {
			return err
		}
		type rules struct {
			Tiers    []store.AllocTier    `json:"tiers"`
			Requests []store.AllocRequest `json:"requests"`
		}
		return audit.Record(ctx, tx, s.Now(), p, action, "alloc_round", r.Code+"/"+entityID, rules{ts, rs}, rules{nts, nrs})
	})
}

// RemoveRequest removes an enterprise's request from a draft round.
func (s *Service) RemoveRequest(ctx context.Context, p *auth.Principal, id, enterprise int64) error {
	return s.editRules(ctx, p, id, "allocation.request.delete", strconv.FormatInt(enterprise, 10), func(ts []store.AllocTier, rs []store.AllocRequest) ([]store.AllocTier, []store.AllocRequest, error) {
		var out []store.AllocRequest
		for _, r := range rs {
			if r.EnterpriseID != enterprise {
				out = append(out, r)
			}
		}
		if len(out) == len(rs) {
			return nil, nil, apperr.New(apperr.NotFound, "unknown_request", "allocation.err.unknown_request", enterprise)
		}
		return ts, out, nil
	})
}

// RemoveTier removes a tier no request is in; one in use is refused, naming how many.
func (s *Service) RemoveTier(ctx context.Context, p *auth.Principal, id int64, tier int) error {
	return s.editRules(ctx, p, id, "allocation.tier.delete", strconv.Itoa(tier), func(ts []store.AllocTier, rs []store.AllocRequest) ([]store.AllocTier, []store.AllocRequest, error) {
		n := 0
		for _, r := range rs {
			if r.Tier == tier {
				n++
			}
		}
		if n > 0 {
			return nil, nil, apperr.New(apperr.Conflict, "tier_in_use", "allocation.err.tier_in_use", tier, n)
		}
		var out []store.AllocTier
		for _, t := range ts {
			if t.Tier != tier {
				out = append(out, t)
			}
		}
		if len(out) == len(ts) {
			return nil, nil, apperr.New(apperr.NotFound, "unknown_tier", "allocation.err.unknown_tier", tier)
		}
		return out, rs, nil
	})
}
