package ledger

import (
	"context"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// LedgerTotals is one ledger's line of a reconciliation.
type LedgerTotals struct {
	Ledger         Ledger `json:"ledger"`
	Accounts       int    `json:"accounts"`
	Transfers      int64  `json:"transfers"`
	DebitsPosted   int64  `json:"debits_posted"`
	CreditsPosted  int64  `json:"credits_posted"`
	DebitsPending  int64  `json:"debits_pending"`
	CreditsPending int64  `json:"credits_pending"`
	OK             bool   `json:"ok"`
}

// Discrepancy is one thing reconciliation found wrong, as a catalogue message.
type Discrepancy struct {
	Ledger string `json:"ledger,omitempty"`
	Key    string `json:"key"`
	Args   []any  `json:"args"`
}

// Report is a reconciliation of every ledger.
type Report struct {
	At            time.Time      `json:"at"`
	Ledgers       []LedgerTotals `json:"ledgers"`
	Discrepancies []Discrepancy  `json:"discrepancies"`
}

// OK reports whether nothing is wrong.
func (r Report) OK() bool { return len(r.Discrepancies) == 0 }

// maxListed bounds each list of offending rows in a report.
const maxListed = 20

// Reconcile proves, from one consistent snapshot, that for every ledger
//   - total debits equal total credits, posted and pending separately;
//   - every account's stored balances equal the sums of its transfers (posted: plain
//     transfers and posts; pending: pending transfers not yet posted, voided or expired);
//   - the history (what balance-at-date and statements read) holds, at every batch, the
//     sums of the account's transfers up to that batch, lists each transfer of an account
//     exactly once, and ends at the account's current balances;
//   - no flagged account breaks its flag;
//   - every post, void and expiry matches its pending transfer, every transfer's ledger is
//     its accounts' ledger, and the open-reservation index matches the transfers.
func (s *Service) Reconcile(ctx context.Context, p *auth.Principal) (Report, error) {
	if err := auth.Require(p, auth.ReconcileLedger); err != nil {
		return Report{}, err
	}
	d, err := s.DB.LedgerReconcile(ctx, maxListed)
	if err != nil {
		return Report{}, err
	}
	return check(d, s.Now()), nil
}

func check(d store.LedgerReconcileData, now time.Time) Report {
	r := Report{At: now}
	byLedger := map[int64]*LedgerTotals{}
	keys := map[int64]string{}
	for _, l := range d.Ledgers {
		r.Ledgers = append(r.Ledgers, LedgerTotals{Ledger: ledgerOf(l), Transfers: d.TransferCounts[l.ID], OK: true})
		keys[l.ID] = ledgerOf(l).Key()
	}
	for i := range r.Ledgers {
		byLedger[r.Ledgers[i].Ledger.ID] = &r.Ledgers[i]
	}
	bad := func(ledgerID int64, key string, args ...any) {
		r.Discrepancies = append(r.Discrepancies, Discrepancy{Ledger: keys[ledgerID], Key: key, Args: args})
		if t := byLedger[ledgerID]; t != nil {
			t.OK = false
		}
	}
	codes := map[int64]string{}
	ledgerOfAcct := map[int64]int64{}
	overflow := map[int64]bool{}
	for _, a := range d.Accounts {
		codes[a.ID], ledgerOfAcct[a.ID] = a.Code, a.LedgerID
		t := byLedger[a.LedgerID]
		if t == nil {
			continue // impossible with the foreign key; nothing to total it into
		}
		t.Accounts++
		var ok [4]bool
		t.DebitsPosted, ok[0] = add(t.DebitsPosted, a.DebitsPosted)
		t.CreditsPosted, ok[1] = add(t.CreditsPosted, a.CreditsPosted)
		t.DebitsPending, ok[2] = add(t.DebitsPending, a.DebitsPending)
		t.CreditsPending, ok[3] = add(t.CreditsPending, a.CreditsPending)
		if !(ok[0] && ok[1] && ok[2] && ok[3]) && !overflow[a.LedgerID] {
			overflow[a.LedgerID] = true
			bad(a.LedgerID, "ledger.rec.overflow")
		}
		sum := d.Sums[a.ID]
		for _, f := range []struct {
			name           string
			stored, summed int64
		}{
			{"debits_posted", a.DebitsPosted, sum.DebitsPosted},
			{"credits_posted", a.CreditsPosted, sum.CreditsPosted},
			{"debits_pending", a.DebitsPending, sum.DebitsPending},
			{"credits_pending", a.CreditsPending, sum.CreditsPending},
		} {
			if f.stored != f.summed {
				bad(a.LedgerID, "ledger.rec.account_sum", a.Code, f.name, f.stored, f.summed)
			}
		}
		// The history: its last row holds the current balances, and it lists every transfer
		// of the account exactly once.
		if h, ok := d.HistoryLast[a.ID]; ok && (h.DebitsPending != a.DebitsPending || h.DebitsPosted != a.DebitsPosted ||
			h.CreditsPending != a.CreditsPending || h.CreditsPosted != a.CreditsPosted) {
			bad(a.LedgerID, "ledger.rec.history_last", a.Code, h.DebitsPending, h.DebitsPosted, h.CreditsPending, h.CreditsPosted,
				a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted)
		}
		if hl, tl := d.HistoryLegs[a.ID], d.TransferLegs[a.ID]; hl != tl {
			bad(a.LedgerID, "ledger.rec.history_legs", a.Code, hl.Count, tl.Count)
		}
		flags := AccountFlags(a.Flags)
		if flags&DebitsMustNotExceedCredits != 0 && a.DebitsPending+a.DebitsPosted > a.CreditsPosted {
			bad(a.LedgerID, "ledger.rec.exceeds_credits", a.Code, a.DebitsPending, a.DebitsPosted, a.CreditsPosted)
		}
		if flags&CreditsMustNotExceedDebits != 0 && a.CreditsPending+a.CreditsPosted > a.DebitsPosted {
			bad(a.LedgerID, "ledger.rec.exceeds_debits", a.Code, a.CreditsPending, a.CreditsPosted, a.DebitsPosted)
		}
	}
	for i := range r.Ledgers {
		t := &r.Ledgers[i]
		if overflow[t.Ledger.ID] {
			continue
		}
		if t.DebitsPosted != t.CreditsPosted {
			bad(t.Ledger.ID, "ledger.rec.unbalanced_posted", t.Ledger.Key(), t.DebitsPosted, t.CreditsPosted)
		}
		if t.DebitsPending != t.CreditsPending {
			bad(t.Ledger.ID, "ledger.rec.unbalanced_pending", t.Ledger.Key(), t.DebitsPending, t.CreditsPending)
		}
	}
	for _, h := range d.HistoryMalformed {
		bad(ledgerOfAcct[h.AccountID], "ledger.rec.history_row", codes[h.AccountID], h.Seq)
	}
	for _, m := range d.HistoryWrong {
		h, c := m.Stored, m.Computed
		if !m.Found || c.TS != h.TS {
			bad(ledgerOfAcct[h.AccountID], "ledger.rec.history_row", codes[h.AccountID], h.Seq)
			continue
		}
		bad(ledgerOfAcct[h.AccountID], "ledger.rec.history_sum", codes[h.AccountID], h.Seq,
			h.DebitsPending, h.DebitsPosted, h.CreditsPending, h.CreditsPosted,
			c.DebitsPending, c.DebitsPosted, c.CreditsPending, c.CreditsPosted)
	}
	for _, x := range d.BadResolutions {
		bad(x.LedgerID, "ledger.rec.bad_resolution", x.Seq)
	}
	for _, x := range d.WrongLedger {
		bad(x.LedgerID, "ledger.rec.wrong_ledger", x.Seq)
	}
	for _, x := range d.OpenSet {
		bad(x.LedgerID, "ledger.rec.open_set", x.OpenNotPending, x.PendingNotOpen)
	}
	return r
}
