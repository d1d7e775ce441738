package ledger

import (
	"context"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// CreateTransfersTx applies ts inside tx, the caller's own transaction, so that a use case
// that moves quota (a grant with its documents, a production report) writes its records
// and its transfers together or not at all. It checks no permission: the caller's use case
// has checked its own (an enterprise user may consume its own quota by reporting, yet may
// not move quota freely). The batch is validated, applied and audited exactly as
// CreateTransfers does, with every id looked up.
func (s *Service) CreateTransfersTx(ctx context.Context, tx *store.Tx, p *auth.Principal, ts []Transfer) ([]Result, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	res, _, err := s.apply(ctx, tx, p, ts, true)
	return res, err
}

// AccountTx reads an account inside tx, without scope: for use cases that have checked
// their own permission.
func (s *Service) AccountTx(ctx context.Context, tx *store.Tx, code string) (Account, error) {
	a, err := tx.LedgerAccountByCode(ctx, code)
	if err != nil {
		return Account{}, err
	}
	return accountOf(a), nil
}
