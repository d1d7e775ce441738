package ledger_test

import (
	"strings"
	"testing"
	"time"

	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// activity writes a little of everything: grants, consumption, a partial post, a void and
// an expiry release.
func activity(t *testing.T, f *fixture) {
	t.Helper()
	f.create(t, tr(issue, nation, 19_150*tonne, ledger.CodeIssue), tr(nation, jiangxi, 8_500*tonne, ledger.CodeGrant),
		tr(jiangxi, ganzhou, 6_000*tonne, ledger.CodeGrant), tr(ganzhou, ent1, 1_000*tonne, ledger.CodeGrant))
	p1 := ledger.Transfer{ID: nid(), DebitAccount: ent1, CreditAccount: consumed, Amount: 50 * tonne, Code: ledger.CodeReserve, Flags: ledger.Pending}
	p2 := p1
	p2.ID = nid()
	p3 := p1
	p3.ID, p3.Timeout = nid(), 30
	f.create(t, p1, p2, p3, tr(ent1, consumed, 7*tonne, ledger.CodeConsume))
	f.clk.Advance(time.Minute)
	f.create(t, ledger.Transfer{ID: nid(), PendingID: p1.ID, Amount: 20 * tonne, Flags: ledger.PostPending},
		ledger.Transfer{ID: nid(), PendingID: p2.ID, Flags: ledger.VoidPending})
	f.create(t, tr(wIssue, wNation, 114_000*tonne, ledger.CodeIssue))
}

// corrupt runs one statement on the database behind the store's back, as a disk fault, a
// bug or a hand edit would.
func corrupt(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	res, err := rawDB(t, db).ExecContext(ctx, rebind(db, q), args...)
	if err != nil {
		t.Fatalf("corrupt: %v", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("corrupt: %s changed nothing", q)
	}
}

func TestReconcileCatchesCorruption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct {
			name  string
			q     string
			args  func(f *fixture) []any
			wants []string // catalogue keys that must be among the discrepancies
		}{
			{"an account balance edited", "UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE code = ?",
				func(*fixture) []any { return []any{ent1} },
				[]string{"ledger.rec.account_sum", "ledger.rec.unbalanced_posted", "ledger.rec.history_last"}},
			{"a reservation forgotten", "UPDATE ledger_accounts SET debits_pending = 0 WHERE code = ?",
				func(*fixture) []any { return []any{ganzhou} }, // holds the open reservation below
				[]string{"ledger.rec.account_sum", "ledger.rec.unbalanced_pending"}},
			{"an overdraft written in", "UPDATE ledger_accounts SET debits_posted = debits_posted + 2000000000000 WHERE code = ?",
				func(*fixture) []any { return []any{ent1} },
				[]string{"ledger.rec.exceeds_credits", "ledger.rec.account_sum"}},
			{"a transfer's amount edited", "UPDATE ledger_transfers SET amount = amount + 5 WHERE ref = 'victim'",
				nil, []string{"ledger.rec.account_sum", "ledger.rec.history_sum"}},
			{"a history row edited", "UPDATE ledger_history SET debits_posted = debits_posted + 1 WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = ?)",
				func(*fixture) []any { return []any{jiangxi} }, []string{"ledger.rec.history_sum", "ledger.rec.history_last"}},
			{"a history row's transfer list cut", "UPDATE ledger_history SET seqs = ? WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = ?)",
				func(*fixture) []any { return []any{[]byte{0x80}, nation} }, []string{"ledger.rec.history_row"}},
			{"a transfer moved to another ledger", "UPDATE ledger_transfers SET ledger_id = ? WHERE ref = 'victim'",
				func(f *fixture) []any { return []any{f.w.ID} }, []string{"ledger.rec.wrong_ledger"}},
			{"an open reservation dropped from the index", "DELETE FROM ledger_pending_open", nil, []string{"ledger.rec.open_set"}},
			{"a void made to release more than was reserved", "UPDATE ledger_transfers SET amount = amount + 1 WHERE (flags & 8) <> 0",
				nil, []string{"ledger.rec.bad_resolution"}},
		} {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				db := db
				if c.name != "an account balance edited" { // a fresh database per case
					if db.Dialect == store.SQLite {
						db = storetest.SQLite(t)
					} else {
						db = storetest.Postgres(t)
					}
				}
				f := setup(t, db)
				activity(t, f)
				victim := tr(ganzhou, ent2, 12_345, ledger.CodeGrant)
				victim.Ref = "victim"
				f.create(t, victim)
				// An open reservation for the index case.
				f.create(t, ledger.Transfer{ID: nid(), DebitAccount: ganzhou, CreditAccount: ent2, Amount: 1, Code: ledger.CodeReserve, Flags: ledger.Pending})
				f.mustReconcile(t)

				var args []any
				if c.args != nil {
					args = c.args(f)
				}
				corrupt(t, db, c.q, args...)
				rep, err := f.svc.Reconcile(ctx, regulator)
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() {
					t.Fatal("reconciliation passed a corrupted ledger")
				}
				got := map[string]bool{}
				for _, d := range rep.Discrepancies {
					got[d.Key] = true
				}
				for _, k := range c.wants {
					if !got[k] {
						t.Errorf("no %s among: %s", k, render(rep))
					}
				}
				// The ledger the damage is in is marked, so the table never shows it as balanced.
				marked := false
				for _, l := range rep.Ledgers {
					marked = marked || !l.OK
				}
				if !marked {
					t.Errorf("no ledger marked as failing: %+v", rep.Ledgers)
				}
			})
		}
	})
}
