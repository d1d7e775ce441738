package ledger_test

import (
	"testing"
	"time"

	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestBalanceAtAnyInstantAndStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// Day 1 (Beijing time), 10:00: the national quota. Day 1, 23:59:59.999: a grant.
		// Day 2, 00:00: another grant and a reservation. Day 5: a partial post.
		day1 := time.Date(2018, 3, 1, 10, 0, 0, 0, ledger.ChinaTime)
		f.clk.Set(day1)
		f.create(t, tr(issue, nation, 1_000, ledger.CodeIssue))
		f.clk.Set(time.Date(2018, 3, 1, 23, 59, 59, 999e6, ledger.ChinaTime))
		g1 := tr(nation, jiangxi, 300, ledger.CodeGrant)
		g1.Ref = "第一批"
		f.create(t, g1)
		f.clk.Set(time.Date(2018, 3, 2, 0, 0, 0, 0, ledger.ChinaTime))
		p := ledger.Transfer{ID: nid(), DebitAccount: nation, CreditAccount: jiangxi, Amount: 100, Code: ledger.CodeReserve, Flags: ledger.Pending}
		f.create(t, tr(nation, jiangxi, 200, ledger.CodeGrant), p)
		f.clk.Set(time.Date(2018, 3, 5, 9, 0, 0, 0, ledger.ChinaTime))
		f.create(t, ledger.Transfer{ID: nid(), PendingID: p.ID, Amount: 60, Flags: ledger.PostPending})

		at := func(tm time.Time) ledger.Balance {
			t.Helper()
			b, err := f.svc.BalanceAt(ctx, regulator, nation, tm)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		for _, c := range []struct {
			name                          string
			at                            time.Time
			debits, credits, dPend, avail int64
		}{
			{"before anything", day1.Add(-time.Millisecond), 0, 0, 0, 0},
			{"the instant of the first transfer (inclusive)", day1, 0, 1_000, 0, 1_000},
			{"end of day 1", mustEOD(t, "2018-03-01"), 300, 1_000, 0, 700},
			{"end of day 2", mustEOD(t, "2018-03-02"), 500, 1_000, 100, 400},
			{"end of day 4", mustEOD(t, "2018-03-04"), 500, 1_000, 100, 400},
			{"end of day 5", mustEOD(t, "2018-03-05"), 560, 1_000, 0, 440},
			{"far future", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 560, 1_000, 0, 440},
		} {
			b := at(c.at)
			if b.DebitsPosted != c.debits || b.CreditsPosted != c.credits || b.DebitsPending != c.dPend || b.Available() != c.avail {
				t.Errorf("%s: %+v (available %d)", c.name, b, b.Available())
			}
		}
		// The current balance agrees with the last historical one.
		if now, last := f.bal(t, nation), at(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); now.DebitsPosted != last.DebitsPosted ||
			now.CreditsPosted != last.CreditsPosted || now.DebitsPending != last.DebitsPending {
			t.Fatalf("current %+v, latest history %+v", now, last)
		}

		// Statement of day 1 – day 2: opening zero, running posted balances, closing.
		st, err := f.svc.Statement(ctx, regulator, nation, day1, mustEOD(t, "2018-03-02"), 0)
		if err != nil {
			t.Fatal(err)
		}
		type line struct {
			side   string
			cp     string
			amount int64
			d, c   int64
		}
		want := []line{{"credit", issue, 1_000, 0, 1_000}, {"debit", jiangxi, 300, 300, 1_000}, {"debit", jiangxi, 200, 500, 1_000}, {"debit", jiangxi, 100, 500, 1_000}}
		if len(st.Lines) != len(want) || st.Opening.CreditsPosted != 0 || st.Closing.DebitsPosted != 500 || st.More {
			t.Fatalf("statement: %+v", st)
		}
		for i, w := range want {
			l := st.Lines[i]
			if l.Side != w.side || l.Counterparty != w.cp || l.Amount != w.amount || l.DebitsPosted != w.d || l.CreditsPosted != w.c {
				t.Errorf("line %d: %+v, want %+v", i, l, w)
			}
		}
		if st.Lines[1].Ref != "第一批" {
			t.Errorf("ref: %q", st.Lines[1].Ref)
		}
		// A later period opens with the balance carried over; a limit pages.
		st, err = f.svc.Statement(ctx, regulator, nation, time.Date(2018, 3, 2, 0, 0, 0, 0, ledger.ChinaTime), mustEOD(t, "2018-03-31"), 2)
		if err != nil {
			t.Fatal(err)
		}
		if st.Opening.DebitsPosted != 300 || st.Opening.CreditsPosted != 1_000 || len(st.Lines) != 2 || !st.More ||
			st.Lines[0].DebitsPosted != 500 || st.Lines[1].Flags != ledger.Pending {
			t.Fatalf("paged statement: %+v", st)
		}
		if _, err := ledger.EndOfDay("2018-02-30"); err == nil {
			t.Fatal("a date that does not exist was accepted")
		}
	})
}

func mustEOD(t *testing.T, d string) time.Time {
	t.Helper()
	tm, err := ledger.EndOfDay(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(tm.Year(), tm.Month(), tm.Day(), 23, 59, 59, 999e6, ledger.ChinaTime); !tm.Equal(want) {
		t.Fatalf("EndOfDay(%s) = %s", d, tm)
	}
	return tm
}

// A server whose clock is behind (another machine, or a clock stepped back) must not write
// a transfer before an earlier one of the same account: the balance at an instant would
// then skip it. The ledger stamps such a batch with the account's last time instead.
func TestTimestampsNeverGoBackwardsPerAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		first := f.create(t, tr(issue, nation, 100, ledger.CodeIssue))[0].Transfer
		f.clk.Advance(-time.Hour)
		second := f.create(t, tr(nation, jiangxi, 10, ledger.CodeGrant))[0].Transfer
		if second.Timestamp.Before(first.Timestamp) {
			t.Fatalf("second transfer %s precedes the first %s", second.Timestamp, first.Timestamp)
		}
		b, err := f.svc.BalanceAt(ctx, regulator, nation, first.Timestamp)
		if err != nil || b.DebitsPosted != 10 || b.CreditsPosted != 100 {
			t.Fatalf("balance at the shared instant: %+v %v", b, err)
		}
		// Accounts the batch does not touch keep their own clock: the real time is used.
		third := f.create(t, tr(wIssue, wNation, 5, ledger.CodeIssue))[0].Transfer
		if !third.Timestamp.Equal(f.clk.Now().UTC()) {
			t.Fatalf("untouched accounts: %s, clock %s", third.Timestamp, f.clk.Now())
		}
		f.mustReconcile(t)
	})
}

// The optimistic first pass of large batches (no id lookups) must give the same answers
// as the careful one: a retried large batch is "exists" throughout, a large batch with one
// reused id conflicts, and a large batch with one bad transfer reports exactly that one.
func TestLargeBatchesRetryAndConflictExactly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000_000, ledger.CodeIssue), tr(nation, jiangxi, 1_000_000, ledger.CodeGrant),
			tr(jiangxi, ganzhou, 1_000_000, ledger.CodeGrant), tr(ganzhou, ent1, 1_000_000, ledger.CodeGrant))
		batch := make([]ledger.Transfer, 500)
		for i := range batch {
			batch[i] = tr(ent1, consumed, 3, ledger.CodeConsume)
		}
		first := f.create(t, batch...)
		again := f.create(t, batch...)
		for i := range again {
			if again[i].Status != ledger.Exists || again[i].Transfer.Seq != first[i].Transfer.Seq {
				t.Fatalf("retry %d: %+v", i, again[i])
			}
		}
		if b := f.bal(t, consumed); b.CreditsPosted != 1_500 {
			t.Fatalf("a retried large batch applied twice: %+v", b)
		}
		// Half new, half retried: the retried ones are "exists", the new ones created.
		mixed := append([]ledger.Transfer{}, batch[:250]...)
		for range 250 {
			mixed = append(mixed, tr(ent1, consumed, 1, ledger.CodeConsume))
		}
		res := f.create(t, mixed...)
		if res[0].Status != ledger.Exists || res[499].Status != ledger.Created || f.bal(t, consumed).CreditsPosted != 1_750 {
			t.Fatalf("mixed: %s / %s", res[0].Status, res[499].Status)
		}
		// One reused id with other content in a large batch.
		bad := make([]ledger.Transfer, 300)
		for i := range bad {
			bad[i] = tr(ent1, consumed, 1, ledger.CodeConsume)
		}
		bad[123] = batch[7]
		bad[123].Amount = 4
		out, e := f.refuse(t, bad...)
		if e.Code != "id_conflict" || len(e.Fields) != 1 || e.Fields[0].Name != "transfers[123].amount" || out[0].Status != ledger.NotApplied {
			t.Fatalf("%s %+v", e.Code, e.Fields)
		}
		// One overdraft in a large batch, behind a retried transfer that must not count.
		bad = append([]ledger.Transfer{batch[0]}, bad[:200]...)
		bad[124] = tr(ent1, consumed, 1_000_000, ledger.CodeConsume)
		out, e = f.refuse(t, bad...)
		if e.Code != "exceeds_credits" || len(e.Fields) != 1 || e.Fields[0].Name != "transfers[124].amount" || out[0].Status != ledger.NotApplied {
			t.Fatalf("%s %+v\n%s", e.Code, e.Fields, describe(out[:2]))
		}
		f.mustReconcile(t)
	})
}

// A batch touching more accounts than one statement locks (1,000) and its retry, looking up
// more ids than one statement takes: the store's chunked paths, on both engines.
func TestBatchTouchingManyAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newBenchChart(t, db, 1_100) // funds 1,100 accounts in one batch of 1,103 transfers
		batch := make([]ledger.Transfer, 0, 2_200)
		for _, e := range c.ents {
			batch = append(batch, tr(e, consumed, 1, ledger.CodeConsume), tr(ganzhou, e, 2, ledger.CodeGrant))
		}
		first := c.f.create(t, batch...)
		again := c.f.create(t, batch...)
		for i := range again {
			if again[i].Status != ledger.Exists || again[i].Transfer.Seq != first[i].Transfer.Seq {
				t.Fatalf("retry %d: %+v", i, again[i])
			}
		}
		if b := c.f.bal(t, consumed); b.CreditsPosted != 1_100 {
			t.Fatalf("consumed: %+v", b)
		}
		c.f.mustReconcile(t)
	})
}
