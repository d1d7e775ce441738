package ledger

import (
	"context"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Balance is an account's balances, now or at an instant.
type Balance struct {
	Account  string    `json:"account"`
	LedgerID int64     `json:"ledger_id"`
	At       time.Time `json:"at,omitzero"` // zero: current
	// AsOf is the time of the last transfer counted (zero: none yet).
	AsOf           time.Time `json:"as_of,omitzero"`
	DebitsPending  int64     `json:"debits_pending"`
	DebitsPosted   int64     `json:"debits_posted"`
	CreditsPending int64     `json:"credits_pending"`
	CreditsPosted  int64     `json:"credits_posted"`
}

// Available is what a quota holder may still pass on or consume: credits posted less
// debits posted and reserved.
func (b Balance) Available() int64 { return b.CreditsPosted - b.DebitsPosted - b.DebitsPending }

// Balance returns an account's current balances.
func (s *Service) Balance(ctx context.Context, p *auth.Principal, code string) (Balance, error) {
	a, err := s.account(ctx, p, code)
	if err != nil {
		return Balance{}, err
	}
	return Balance{Account: a.Code, LedgerID: a.LedgerID, DebitsPending: a.DebitsPending, DebitsPosted: a.DebitsPosted,
		CreditsPending: a.CreditsPending, CreditsPosted: a.CreditsPosted}, nil
}

// BalanceAt returns an account's balances counting exactly the transfers with a timestamp
// at or before at (posted, and pending as they then stood). Every transfer of a batch
// carries the batch's timestamp, and the ledger keeps each account's balances after every
// batch that touched it, so this is one index probe whatever the history's length.
func (s *Service) BalanceAt(ctx context.Context, p *auth.Principal, code string, at time.Time) (Balance, error) {
	a, err := s.account(ctx, p, code)
	if err != nil {
		return Balance{}, err
	}
	return s.balanceAt(ctx, a, at)
}

func (s *Service) balanceAt(ctx context.Context, a store.LedgerAccount, at time.Time) (Balance, error) {
	h, ok, err := s.DB.LedgerBalanceAt(ctx, a.ID, at.UnixMilli())
	b := Balance{Account: a.Code, LedgerID: a.LedgerID, At: at, DebitsPending: h.DebitsPending, DebitsPosted: h.DebitsPosted,
		CreditsPending: h.CreditsPending, CreditsPosted: h.CreditsPosted}
	if ok {
		b.AsOf = time.UnixMilli(h.TS).UTC()
	}
	return b, err
}

// EndOfDay is the last millisecond of a calendar day in China Standard Time (UTC+8, no
// daylight saving): "the balance at 2024-03-31" counts everything recorded that day in
// Beijing time. A fixed zone, because intranet machines may lack the tz database.
func EndOfDay(date string) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", date, ChinaTime)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "bad_date", "ledger.err.date", date).With("at", "ledger.err.date", date)
	}
	return d.AddDate(0, 0, 1).Add(-time.Millisecond), nil
}

// ChinaTime is UTC+8.
var ChinaTime = time.FixedZone("CST", 8*3600)

// Line is one transfer on an account statement.
type Line struct {
	Seq          int64         `json:"seq"`
	ID           ID            `json:"id,omitzero"`
	Timestamp    time.Time     `json:"timestamp"`
	Side         string        `json:"side"` // "debit" or "credit": the side this account is on
	Counterparty string        `json:"counterparty"`
	Amount       int64         `json:"amount"`
	Code         Code          `json:"code"`
	Flags        TransferFlags `json:"flags"`
	PendingID    ID            `json:"pending_id,omitzero"`
	Ref          string        `json:"ref,omitempty"`
	// Posted balances of this account right after the transfer.
	DebitsPosted  int64 `json:"debits_posted"`
	CreditsPosted int64 `json:"credits_posted"`
}

// Statement is an account's transfers in a period with running balances.
type Statement struct {
	Account Account   `json:"account"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Opening Balance   `json:"opening"` // just before From
	Lines   []Line    `json:"lines"`
	Closing Balance   `json:"closing"` // at To
	// More is set when limit cut the list; ask again from the last line.
	More bool `json:"more"`
}

// Statement lists the transfers of an account with from ≤ timestamp ≤ to, at most limit
// of them (0: all; More is set when there were more), with the running posted balance
// after each.
func (s *Service) Statement(ctx context.Context, p *auth.Principal, code string, from, to time.Time, limit int) (Statement, error) {
	a, err := s.account(ctx, p, code)
	if err != nil {
		return Statement{}, err
	}
	return s.statement(ctx, p, a, from, to, limit)
}

// StatementUnscoped is Statement without the ledger's own permission and account scope,
// for a use case that has checked its own (a depot's stock card is read by the enterprise
// operating the depot, whose account it is not). Counterparties stay scoped to p.
func (s *Service) StatementUnscoped(ctx context.Context, p *auth.Principal, code string, from, to time.Time, limit int) (Statement, error) {
	a, err := s.DB.LedgerAccountByCode(ctx, code)
	if err != nil {
		return Statement{}, err
	}
	return s.statement(ctx, p, a, from, to, limit)
}

func (s *Service) statement(ctx context.Context, p *auth.Principal, a store.LedgerAccount, from, to time.Time, limit int) (Statement, error) {
	var err error
	st := Statement{Account: accountOf(a), From: from, To: to}
	if st.Opening, err = s.balanceAt(ctx, a, from.Add(-time.Millisecond)); err != nil {
		return st, err
	}
	if st.Closing, err = s.balanceAt(ctx, a, to); err != nil {
		return st, err
	}
	rows, more, err := s.DB.LedgerStatement(ctx, a.ID, from.UnixMilli(), to.UnixMilli(), limit)
	if err != nil {
		return st, err
	}
	st.More = more
	names, err := s.counterparties(ctx, p, a)
	if err != nil {
		return st, err
	}
	// Running balances: the opening balance plus each transfer's posted effect, in order.
	// (The history row before the period is the opening; every transfer of the period is
	// in the list, so this is exact.)
	dp, cp := st.Opening.DebitsPosted, st.Opening.CreditsPosted
	for _, r := range rows {
		l := Line{Seq: r.Seq, ID: idFrom(r.ID), Timestamp: time.UnixMilli(r.TS).UTC(), Amount: r.Amount, Code: Code(r.Code),
			Flags: TransferFlags(r.Flags), PendingID: idFrom(r.PendingID), Ref: r.Ref}
		moves := TransferFlags(r.Flags)&(Pending|VoidPending|Expire) == 0
		if r.DebitAccountID == a.ID {
			l.Side, l.Counterparty = "debit", names[r.CreditAccountID]
			if moves {
				dp += r.Amount
			}
		} else {
			l.Side, l.Counterparty = "credit", names[r.DebitAccountID]
			if moves {
				cp += r.Amount
			}
		}
		l.DebitsPosted, l.CreditsPosted = dp, cp
		st.Lines = append(st.Lines, l)
	}
	return st, nil
}

// counterparties maps the ids of a's ledger's accounts to the codes p may see: an
// enterprise user does not learn which other enterprise it dealt with.
func (s *Service) counterparties(ctx context.Context, p *auth.Principal, a store.LedgerAccount) (map[int64]string, error) {
	pg, err := s.DB.ListLedgerAccounts(ctx, store.LedgerAccountFilter{LedgerID: a.LedgerID}, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(pg.Rows))
	for _, x := range pg.Rows {
		if x.HolderKind == string(EnterpriseHolder) && !canSee(p, x) {
			out[x.ID] = "—"
		} else {
			out[x.ID] = x.Code
		}
	}
	return out, nil
}
