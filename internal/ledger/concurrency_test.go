package ledger_test

import (
	"sync"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// Several goroutines draw on one flagged account at once. Whatever the interleaving, the
// account is never overdrawn, every refusal is an honest exceeds_credits, and the books
// reconcile. On PostgreSQL this runs on several connections with real row locks.
func TestConcurrentWritersNeverOverdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000, ledger.CodeIssue), tr(nation, jiangxi, 1_000, ledger.CodeGrant),
			tr(jiangxi, ganzhou, 1_000, ledger.CodeGrant), tr(ganzhou, ent1, 1_000, ledger.CodeGrant))
		const workers, attempts = 4, 60
		var mu sync.Mutex
		var posted, reserved int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range attempts {
					x := tr(ent1, consumed, 7, ledger.CodeConsume)
					if (w+i)%3 == 0 { // some reservations, which count against the flag too
						x.Flags, x.Code = ledger.Pending, ledger.CodeReserve
					}
					_, err := f.svc.CreateTransfers(ctx, regulator, []ledger.Transfer{x})
					switch e := apperr.From(err); {
					case err == nil:
						mu.Lock()
						if x.Flags&ledger.Pending != 0 {
							reserved += 7
						} else {
							posted += 7
						}
						mu.Unlock()
					case e.Code != "exceeds_credits":
						t.Errorf("worker %d: %v", w, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b := f.bal(t, ent1)
		if b.DebitsPosted != posted || b.DebitsPending != reserved || b.DebitsPosted+b.DebitsPending > b.CreditsPosted {
			t.Fatalf("balance %+v; acknowledged %d posted, %d reserved", b, posted, reserved)
		}
		if b.Available() >= 7 {
			t.Fatalf("%d g left although %d attempts of 7 g were made", b.Available(), workers*attempts)
		}
		f.mustReconcile(t)
	})
}

// Two writers move quota back and forth between the same two accounts, each batch naming
// them in the opposite order. Locks are taken in account-id order whatever the batch says,
// so this never deadlocks (PostgreSQL would abort one side; SQLite would hit its busy
// timeout).
func TestCrossingWritersDoNotDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000, ledger.CodeIssue), tr(nation, jiangxi, 1_000, ledger.CodeGrant),
			tr(jiangxi, ganzhou, 1_000, ledger.CodeGrant), tr(ganzhou, ent1, 500, ledger.CodeGrant), tr(ganzhou, ent2, 500, ledger.CodeGrant))
		var wg sync.WaitGroup
		for w, pair := range [][2]string{{ent1, ent2}, {ent2, ent1}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 40 {
					_, err := f.svc.CreateTransfers(ctx, regulator, []ledger.Transfer{
						tr(pair[0], pair[1], 3, ledger.CodeReturn), tr(pair[1], pair[0], 2, ledger.CodeReturn),
						tr(pair[0], consumed, 1, ledger.CodeConsume),
					})
					if err != nil && apperr.From(err).Code != "exceeds_credits" {
						t.Errorf("writer %d: %v", w, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		e1, e2 := f.bal(t, ent1), f.bal(t, ent2)
		if e1.Available()+e2.Available()+f.bal(t, consumed).CreditsPosted != 1_000 {
			t.Fatalf("quota created or lost: %+v %+v", e1, e2)
		}
		f.mustReconcile(t)
	})
}

// The same transfer sent twice at the same moment (a client retrying while its first
// request is still in flight) is applied once: one caller sees created, the other exists.
// The same id with other content at the same moment: one is applied, the other conflicts.
// Two posts of one reservation at the same moment: one posts, the other is refused.
func TestConcurrentDuplicatesApplyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000_000, ledger.CodeIssue))
		race := func(a, b []ledger.Transfer) ([2][]ledger.Result, [2]error) {
			var res [2][]ledger.Result
			var errs [2]error
			var wg sync.WaitGroup
			for i, batch := range [][]ledger.Transfer{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res[i], errs[i] = f.svc.CreateTransfers(ctx, regulator, batch)
				}()
			}
			wg.Wait()
			return res, errs
		}
		for round := range 15 {
			x := tr(nation, jiangxi, 10, ledger.CodeGrant)
			res, errs := race([]ledger.Transfer{x}, []ledger.Transfer{x})
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("round %d: %v %v", round, errs[0], errs[1])
			}
			got := map[ledger.Status]int{res[0][0].Status: 1}
			got[res[1][0].Status]++
			if got[ledger.Created] != 1 || got[ledger.Exists] != 1 || res[0][0].Transfer.Seq != res[1][0].Transfer.Seq {
				t.Fatalf("round %d: %s / %s", round, res[0][0].Status, res[1][0].Status)
			}

			y := tr(nation, jiangxi, 10, ledger.CodeGrant)
			y2 := y
			// Accounts disjoint from y's: the two batches take no common lock, both find the
			// id unused, and on PostgreSQL the loser meets the unique index, rolls back and
			// runs again, now seeing the winner's transfer.
			y2.DebitAccount, y2.CreditAccount = wIssue, wNation
			_, errs = race([]ledger.Transfer{y}, []ledger.Transfer{y2})
			ok, conflict := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case apperr.From(err).Code == "id_conflict":
					conflict++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: same id, other content: %v", round, errs)
			}

			p := ledger.Transfer{ID: nid(), DebitAccount: nation, CreditAccount: jiangxi, Amount: 5, Code: ledger.CodeReserve, Flags: ledger.Pending}
			f.create(t, p)
			_, errs = race([]ledger.Transfer{{ID: nid(), PendingID: p.ID, Flags: ledger.PostPending}},
				[]ledger.Transfer{{ID: nid(), PendingID: p.ID, Flags: ledger.VoidPending}})
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: post and void of one reservation: %v / %v", round, errs[0], errs[1])
			}
			for _, err := range errs {
				if c := apperr.From(err).Code; err != nil && c != "pending_transfer_already_posted" && c != "pending_transfer_already_voided" {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
		f.mustReconcile(t)
	})
}
