package quota

import (
	"context"
	"errors"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// The warning at grant time: an enterprise whose reports last year went over its quota
// and were recorded as violations gets next year's grant cut by the excess (Violation's
// CutNextYearG). "Last year" is the year before the grant's ledger year, in the same
// commodity, over every kind of ledger, as Violations counts it. A grant to such an
// enterprise is refused until the regulator confirms it has seen the violation and the
// proposed cut; the regulator decides the amount, so the cut is proposed, not applied.

// warningTx is the grantee's violation of the year before the ledger's, or nil when the
// grantee is not an enterprise or had none.
func warningTx(ctx context.Context, tx *store.Tx, to store.LedgerAccount) (*Violation, error) {
	if to.HolderKind != "enterprise" || to.EnterpriseID == 0 {
		return nil, nil
	}
	l, err := tx.LedgerByID(ctx, to.LedgerID)
	if err != nil {
		return nil, err
	}
	o, ok, err := tx.OverQuotaTx(ctx, to.EnterpriseID, l.Commodity, l.Year-1)
	if err != nil || !ok {
		return nil, err
	}
	return &Violation{EnterpriseID: o.EnterpriseID, EnterpriseName: o.EnterpriseName, Commodity: l.Commodity, Year: l.Year - 1,
		Reports: o.Reports, OverG: o.OverG, NextYear: l.Year, CutNextYearG: o.OverG}, nil
}

// violationsRefusal is the refusal of an unconfirmed grant to an enterprise with last
// year's violation: it names the violation, the proposed cut and the amount after it.
func violationsRefusal(v Violation, amountG int64) *apperr.Error {
	after := max(amountG-v.CutNextYearG, 0)
	args := []any{v.EnterpriseName, v.Year, ledger.FormatTonnes(v.OverG), v.Reports, v.NextYear, ledger.FormatTonnes(v.CutNextYearG),
		ledger.FormatTonnes(amountG), ledger.FormatTonnes(after)}
	return apperr.New(apperr.Conflict, "grantee_violations", "quota.err.grantee_violations", args...).
		With("confirm_violations", "quota.err.grantee_violations", args...)
}

// GrantWarning is the violation the grant form and the API show before a grant to
// account to is confirmed; nil when there is none.
func (s *Service) GrantWarning(ctx context.Context, p *auth.Principal, to string) (*Violation, error) {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return nil, err
	}
	to = strings.TrimSpace(to)
	var out *Violation
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		acct, err := tx.LedgerAccountByCode(ctx, to)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_account", "to", "quota.err.unknown_account", to)
		} else if err != nil {
			return err
		}
		out, err = warningTx(ctx, tx, acct)
		return err
	})
	return out, err
}
