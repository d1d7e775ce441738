package ledger_test

import (
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The 2018 figures are REFERENCE.md §1 (Q8): ionic quota 19,150 t, Jiangxi's share 8,500 t.
// Below the province the numbers are synthetic test data.
func TestQuotaFlowsDownAndIsConsumed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		audits := auditCount(t, db, "ledger.transfers.create")
		res := f.create(t,
			tr(issue, nation, 19_150*tonne, ledger.CodeIssue),
			tr(nation, jiangxi, 8_500*tonne, ledger.CodeGrant),
			tr(jiangxi, ganzhou, 6_000*tonne, ledger.CodeGrant),
			tr(ganzhou, ent1, 1_000*tonne, ledger.CodeGrant),
			tr(ganzhou, ent2, 500*tonne, ledger.CodeGrant),
		)
		for i, r := range res {
			if r.Status != ledger.Created || r.Transfer == nil || r.Transfer.Seq == 0 {
				t.Fatalf("result %d: %+v", i, r)
			}
			if i > 0 && r.Transfer.Seq <= res[i-1].Transfer.Seq {
				t.Fatalf("seqs not increasing: %d then %d", res[i-1].Transfer.Seq, r.Transfer.Seq)
			}
		}
		f.clk.Advance(24 * time.Hour)
		f.create(t, tr(ent1, consumed, 120*tonne+345_678, ledger.CodeConsume))

		for _, c := range []struct {
			code            string
			debits, credits int64
			available       int64
		}{
			{issue, 19_150 * tonne, 0, -19_150 * tonne},
			{nation, 8_500 * tonne, 19_150 * tonne, 10_650 * tonne},
			{jiangxi, 6_000 * tonne, 8_500 * tonne, 2_500 * tonne},
			{ganzhou, 1_500 * tonne, 6_000 * tonne, 4_500 * tonne},
			{ent1, 120*tonne + 345_678, 1_000 * tonne, 880*tonne - 345_678},
			{ent2, 0, 500 * tonne, 500 * tonne},
			{consumed, 0, 120*tonne + 345_678, 120*tonne + 345_678},
		} {
			b := f.bal(t, c.code)
			if b.DebitsPosted != c.debits || b.CreditsPosted != c.credits || b.Available() != c.available || b.DebitsPending != 0 {
				t.Errorf("%s: %+v available %d, want debits %d credits %d available %d", c.code, b, b.Available(), c.debits, c.credits, c.available)
			}
		}
		if got := auditCount(t, db, "ledger.transfers.create") - audits; got != 2 {
			t.Fatalf("%d audit records for 2 batches, want one per batch", got)
		}
		a, _ := db.ListAudit(ctx, store.AuditFilter{Action: "ledger.transfers.create"}, store.ListQuery{})
		last := a.Rows[len(a.Rows)-1] // oldest last: the first batch
		if last.Actor != "reg" || !strings.Contains(last.After, `"created":5`) || !strings.Contains(last.EntityID, res[0].ID.String()) ||
			!strings.Contains(last.EntityID, res[4].ID.String()) {
			t.Fatalf("batch audit record: %+v", last)
		}
		f.mustReconcile(t)
	})
}

func TestAmountMustBeAPositiveWholeNumberOfGrams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 100, ledger.CodeIssue))
		for _, c := range []struct {
			amount int64
			code   string
		}{{-5, "amount_negative"}, {0, "amount_must_not_be_zero"}} {
			x := tr(nation, jiangxi, c.amount, ledger.CodeGrant)
			res, e := f.refuse(t, x)
			if res[0].Failure.Code != c.code || e.Fields[0].Name != "transfers[0].amount" {
				t.Errorf("amount %d: %s %+v", c.amount, res[0].Failure.Code, e.Fields)
			}
		}
		// A negative post amount is refused too (0 there means "all of it").
		p := ledger.Transfer{ID: nid(), DebitAccount: nation, CreditAccount: jiangxi, Amount: 10, Code: ledger.CodeReserve, Flags: ledger.Pending}
		f.create(t, p)
		res, _ := f.refuse(t, ledger.Transfer{ID: nid(), PendingID: p.ID, Amount: -1, Flags: ledger.PostPending})
		if res[0].Failure.Code != "amount_negative" {
			t.Errorf("negative post: %s", res[0].Failure.Code)
		}
	})
	// Fractional amounts arrive as JSON text: the decoder refuses them, naming the transfer
	// and field, before anything reaches the ledger.
	for _, c := range []struct{ json, code string }{
		{`1.5`, "amount_fractional"},
		{`1.0`, "amount_fractional"},
		{`"2.25"`, "amount_fractional"},
		{`-3`, "amount_negative"},
		{`1e6`, "amount_not_integer"},
		{`true`, "amount_not_integer"},
		{`"12a"`, "amount_not_integer"},
		{`9223372036854775808`, "amount_too_large"},
	} {
		body := `[{"id":"00000000-0000-0000-0000-000000000001","debit_account":"a","credit_account":"b","amount":1,"code":"grant"},
			{"id":"00000000-0000-0000-0000-000000000002","debit_account":"a","credit_account":"b","amount":` + c.json + `,"code":"grant"}]`
		_, err := ledger.DecodeTransfers(strings.NewReader(body))
		e := apperr.From(err)
		if e.Code != c.code || len(e.Fields) != 1 || e.Fields[0].Name != "transfers[1].amount" {
			t.Errorf("amount %s: code %s fields %+v", c.json, e.Code, e.Fields)
			continue
		}
		zh, en := catalog.T(i18n.Zh, e.Fields[0].Key, e.Fields[0].Args...), catalog.T(i18n.En, e.Fields[0].Key, e.Fields[0].Args...)
		if strings.Contains(zh, "%!") || strings.Contains(en, "%!") || !strings.Contains(zh, "克") {
			t.Errorf("amount %s: messages %q / %q", c.json, zh, en)
		}
	}
	ts, err := ledger.DecodeTransfers(strings.NewReader(`[{"id":"0123456789abcdef0123456789ABCDEF","debit_account":"a","credit_account":"b",
		"amount":"9223372036854775807","code":2,"flags":["pending"],"timeout":60,"ref":"赣稀土〔2018〕1号"}]`))
	if err != nil || ts[0].Amount != 9223372036854775807 || ts[0].Code != ledger.CodeGrant || ts[0].Flags != ledger.Pending ||
		ts[0].Timeout != 60 || ts[0].ID.String() != "01234567-89ab-cdef-0123-456789abcdef" {
		t.Fatalf("decode: %+v %v", ts, err)
	}
	if _, err := ledger.DecodeTransfers(strings.NewReader(`[{"id":"x","amount":1,"colour":"red"}]`)); apperr.From(err).Code != "bad_transfer_json" {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestParseAndFormatQuantities(t *testing.T) {
	for _, c := range []struct {
		in   string
		g    int64
		code string
	}{
		{"17,900", 17_900 * tonne, ""},
		{"8.5", 8_500_000, ""},
		{"0.000001", 1, ""},
		{"0.0000001", 0, "amount_fractional"},
		{"-1", 0, "amount_negative"},
		{"1.", 0, "amount_not_integer"},
		{"9223372036855", 0, "amount_too_large"},
	} {
		g, f := ledger.ParseTonnes(c.in)
		code := ""
		if f != nil {
			code = f.Code
		}
		if g != c.g || code != c.code {
			t.Errorf("ParseTonnes(%q) = %d %q, want %d %q", c.in, g, code, c.g, c.code)
		}
	}
	if s := ledger.FormatTonnes(19_150*tonne + 1_500); s != "19,150.0015 t" {
		t.Errorf("FormatTonnes: %s", s)
	}
	if s := ledger.FormatGrams(-1234567); s != "-1,234,567" {
		t.Errorf("FormatGrams: %s", s)
	}
	id := ledger.NewID(time.Now())
	back, err := ledger.ParseID(id.String())
	if err != nil || back != id {
		t.Fatalf("id round trip: %s %v", id, err)
	}
	if _, err := ledger.ParseID("not-an-id"); err == nil {
		t.Fatal("bad id accepted")
	}
}

func TestUnknownAccountIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		res, e := f.refuse(t, tr(issue, "2018/ion/nobody", 5, ledger.CodeIssue))
		if res[0].Failure.Code != "credit_account_not_found" || e.Fields[0].Name != "transfers[0].credit_account" {
			t.Fatalf("%s %+v", res[0].Failure.Code, e.Fields)
		}
		if en := catalog.T(i18n.En, e.Fields[0].Key, e.Fields[0].Args...); !strings.Contains(en, "2018/ion/nobody") {
			t.Fatalf("message does not name the account: %s", en)
		}
		res, _ = f.refuse(t, tr("nope", nation, 5, ledger.CodeIssue))
		if res[0].Failure.Code != "debit_account_not_found" {
			t.Fatal(res[0].Failure.Code)
		}
	})
}

func TestAccountsOfDifferentLedgersAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		res, e := f.refuse(t, tr(issue, wNation, 5, ledger.CodeIssue))
		if res[0].Failure.Code != "accounts_must_have_the_same_ledger" {
			t.Fatal(res[0].Failure.Code)
		}
		zh := catalog.T(i18n.Zh, e.Fields[0].Key, e.Fields[0].Args...)
		if !strings.Contains(zh, "reo_ionic/mining/2018") || !strings.Contains(zh, "wo3_65/mining/2018") {
			t.Fatalf("message does not name both ledgers: %s", zh)
		}
	})
}

func TestSameIDIsIdempotentAndOtherContentConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		grant := tr(issue, nation, 1_000, ledger.CodeIssue)
		grant.Ref = "工信部〔2018〕1号"
		first := f.create(t, grant)[0].Transfer
		audits := auditCount(t, db, "")
		f.clk.Advance(time.Hour)

		// A retry (say, after a timeout the client could not interpret) returns the original.
		again := f.create(t, grant)
		if again[0].Status != ledger.Exists || again[0].Transfer.Seq != first.Seq || !again[0].Transfer.Timestamp.Equal(first.Timestamp) {
			t.Fatalf("retry: %+v, original %+v", again[0].Transfer, first)
		}
		if b := f.bal(t, nation); b.CreditsPosted != 1_000 {
			t.Fatalf("a retry moved quota twice: %+v", b)
		}
		if n := auditCount(t, db, ""); n != audits {
			t.Fatalf("a pure retry wrote %d audit records", n-audits)
		}
		// The same id with other content is an error naming the field.
		for _, c := range []struct {
			change func(*ledger.Transfer)
			field  string
		}{
			{func(x *ledger.Transfer) { x.Amount = 999 }, "amount"},
			{func(x *ledger.Transfer) { x.CreditAccount = jiangxi }, "credit_account"},
			{func(x *ledger.Transfer) { x.Code = ledger.CodeGrant }, "code"},
			{func(x *ledger.Transfer) { x.Ref = "" }, "ref"},
		} {
			other := grant
			c.change(&other)
			res, e := f.refuse(t, other)
			if res[0].Failure.Code != "id_conflict" || res[0].Failure.Field != c.field || e.Code != "id_conflict" || e.Kind != apperr.Conflict {
				t.Errorf("%s: %+v %s %v", c.field, res[0].Failure, e.Code, e.Kind)
			}
		}
		// Within one batch: the second copy is "exists", a different second use conflicts.
		x := tr(nation, jiangxi, 10, ledger.CodeGrant)
		res := f.create(t, x, x)
		if res[0].Status != ledger.Created || res[1].Status != ledger.Exists || res[1].Transfer.Seq != res[0].Transfer.Seq ||
			f.bal(t, jiangxi).CreditsPosted != 10 {
			t.Fatalf("in-batch duplicate: %s", describe(res))
		}
		y := tr(nation, jiangxi, 10, ledger.CodeGrant)
		y2 := y
		y2.Amount = 11
		res, _ = f.refuse(t, y, y2)
		if res[0].Status != ledger.NotApplied || res[1].Failure == nil || res[1].Failure.Code != "id_conflict" {
			t.Fatalf("in-batch conflict: %s", describe(res))
		}
	})
}

func TestLinkedChainsApplyAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 100, ledger.CodeIssue), tr(nation, jiangxi, 100, ledger.CodeGrant), tr(jiangxi, ganzhou, 100, ledger.CodeGrant))
		a := tr(ganzhou, ent1, 60, ledger.CodeGrant)
		a.Flags = ledger.Linked
		b := tr(ganzhou, ent2, 60, ledger.CodeGrant) // 120 > 100: fails, and takes a with it
		// c runs after the chain was rolled back: ent1 has nothing, so it fails too — the
		// report reflects the state without the failed chain, as TigerBeetle's does.
		c := tr(ent1, consumed, 10, ledger.CodeConsume)
		d := tr(ganzhou, ent2, 1, ledger.CodeGrant)
		res, e := f.refuse(t, a, b, c, d)
		want := []ledger.Status{ledger.LinkedFailed, ledger.Failed, ledger.Failed, ledger.NotApplied}
		for i := range want {
			if res[i].Status != want[i] {
				t.Fatalf("statuses:\n%s", describe(res))
			}
		}
		if res[1].Failure.Code != "exceeds_credits" || res[2].Failure.Code != "exceeds_credits" || len(e.Fields) != 2 ||
			e.Fields[0].Name != "transfers[1].amount" || e.Fields[1].Name != "transfers[2].amount" {
			t.Fatalf("failures: %s %+v", describe(res), e.Fields)
		}
		// A chain left open at the end of the batch is refused.
		open := tr(ganzhou, ent1, 1, ledger.CodeGrant)
		open.Flags = ledger.Linked
		res, _ = f.refuse(t, tr(ganzhou, ent2, 1, ledger.CodeGrant), open)
		if res[1].Failure.Code != "linked_event_chain_open" {
			t.Fatal(describe(res))
		}
		// A good chain applies.
		a.ID, b.ID, b.Amount = nid(), nid(), 40
		f.create(t, a, b)
		if f.bal(t, ent1).CreditsPosted != 60 || f.bal(t, ent2).CreditsPosted != 40 {
			t.Fatal("chain not applied")
		}
		f.mustReconcile(t)
	})
}

func TestARefusedBatchReportsEveryFailureAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000, ledger.CodeIssue))
		res, e := f.refuse(t,
			tr(nation, jiangxi, 10, ledger.CodeGrant),
			tr(nation, jiangxi, -10, ledger.CodeGrant),
			tr(nation, jiangxi, 10, ledger.CodeGrant),
			tr("2018/ion/ghost", jiangxi, 10, ledger.CodeGrant),
			ledger.Transfer{DebitAccount: nation, CreditAccount: jiangxi, Amount: 1, Code: ledger.CodeGrant},
		)
		if e.Code != "ledger_batch_rejected" || e.Kind != apperr.Invalid || len(e.Fields) != 3 {
			t.Fatalf("%s %v %+v", e.Code, e.Kind, e.Fields)
		}
		for i, want := range []string{"transfers[1].amount", "transfers[3].debit_account", "transfers[4].id"} {
			if e.Fields[i].Name != want {
				t.Errorf("field %d: %s, want %s", i, e.Fields[i].Name, want)
			}
		}
		if res[0].Status != ledger.NotApplied || res[2].Status != ledger.NotApplied {
			t.Fatal(describe(res))
		}
		// Every message exists in both languages and is fully formatted.
		for _, fl := range e.Fields {
			for _, l := range i18n.Langs {
				if m := catalog.T(l, fl.Key, fl.Args...); strings.HasPrefix(m, "[") || strings.Contains(m, "%!") {
					t.Errorf("%s (%s): %q", fl.Name, l, m)
				}
			}
		}
		if m := catalog.T(i18n.Zh, e.Key, e.Args...); !strings.Contains(m, "5 笔转账中有 3 笔被拒绝") {
			t.Errorf("batch message: %s", m)
		}
	})
}

func TestTwoPhaseTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000, ledger.CodeIssue))
		pend := func(amount int64) ledger.Transfer {
			return ledger.Transfer{ID: nid(), DebitAccount: nation, CreditAccount: jiangxi, Amount: amount, Code: ledger.CodeReserve, Flags: ledger.Pending}
		}
		p1, p2, p3 := pend(300), pend(200), pend(100)
		f.create(t, p1, p2, p3)
		b := f.bal(t, nation)
		if b.DebitsPending != 600 || b.DebitsPosted != 0 || b.Available() != 400 || f.bal(t, jiangxi).CreditsPending != 600 {
			t.Fatalf("reserved: %+v", b)
		}
		// The reservation counts against the flag: 401 more cannot go out.
		res, _ := f.refuse(t, tr(nation, jiangxi, 401, ledger.CodeGrant))
		if res[0].Failure.Code != "exceeds_credits" {
			t.Fatal(describe(res))
		}
		// Post p1 in part: 250 posted, 50 released. Accounts and code come from the pending.
		post := ledger.Transfer{ID: nid(), PendingID: p1.ID, Amount: 250, Flags: ledger.PostPending}
		r := f.create(t, post)[0].Transfer
		if r.DebitAccount != nation || r.CreditAccount != jiangxi || r.Code != ledger.CodeReserve || r.Amount != 250 {
			t.Fatalf("post as stored: %+v", r)
		}
		b = f.bal(t, nation)
		if b.DebitsPending != 300 || b.DebitsPosted != 250 || b.Available() != 450 {
			t.Fatalf("after partial post: %+v", b)
		}
		if j := f.bal(t, jiangxi); j.CreditsPending != 300 || j.CreditsPosted != 250 {
			t.Fatalf("jiangxi after post: %+v", j)
		}
		// Post p2 in full (amount 0), void p3.
		f.create(t, ledger.Transfer{ID: nid(), PendingID: p2.ID, Flags: ledger.PostPending},
			ledger.Transfer{ID: nid(), PendingID: p3.ID, Flags: ledger.VoidPending})
		b = f.bal(t, nation)
		if b.DebitsPending != 0 || b.DebitsPosted != 450 || b.Available() != 550 {
			t.Fatalf("after post and void: %+v", b)
		}
		// Now the refusals.
		p4 := pend(100)
		f.create(t, p4)
		for _, c := range []struct {
			x    ledger.Transfer
			code string
		}{
			{ledger.Transfer{ID: nid(), PendingID: p3.ID, Flags: ledger.PostPending}, "pending_transfer_already_voided"},
			{ledger.Transfer{ID: nid(), PendingID: p1.ID, Flags: ledger.PostPending}, "pending_transfer_already_posted"},
			{ledger.Transfer{ID: nid(), PendingID: p1.ID, Flags: ledger.VoidPending}, "pending_transfer_already_posted"},
			{ledger.Transfer{ID: nid(), PendingID: nid(), Flags: ledger.PostPending}, "pending_transfer_not_found"},
			{ledger.Transfer{ID: nid(), PendingID: post.ID, Flags: ledger.PostPending}, "pending_transfer_not_pending"},
			{ledger.Transfer{ID: nid(), PendingID: p4.ID, Amount: 101, Flags: ledger.PostPending}, "exceeds_pending_transfer_amount"},
			{ledger.Transfer{ID: nid(), PendingID: p4.ID, Amount: 99, Flags: ledger.VoidPending}, "pending_transfer_has_different_amount"},
			{ledger.Transfer{ID: nid(), PendingID: p4.ID, DebitAccount: ganzhou, Flags: ledger.PostPending}, "pending_transfer_has_different_debit_account"},
			{ledger.Transfer{ID: nid(), PendingID: p4.ID, Code: ledger.CodeGrant, Flags: ledger.PostPending}, "pending_transfer_has_different_code"},
			{ledger.Transfer{ID: nid(), PendingID: p4.ID, Flags: ledger.PostPending | ledger.VoidPending}, "flags_are_mutually_exclusive"},
			{ledger.Transfer{ID: nid(), PendingID: p4.ID, Flags: ledger.PostPending | ledger.Expire}, "reserved_flag"},
			{ledger.Transfer{ID: nid(), DebitAccount: nation, CreditAccount: jiangxi, Amount: 1, Code: ledger.CodeGrant, Timeout: 5}, "timeout_reserved_for_pending_transfer"},
		} {
			res, _ := f.refuse(t, c.x)
			if res[0].Failure.Code != c.code {
				t.Errorf("want %s, got %s", c.code, describe(res))
			}
		}
		// Posting twice in one batch: the second is refused.
		res, _ = f.refuse(t, ledger.Transfer{ID: nid(), PendingID: p4.ID, Flags: ledger.PostPending},
			ledger.Transfer{ID: nid(), PendingID: p4.ID, Flags: ledger.PostPending})
		if res[0].Status != ledger.NotApplied || res[1].Failure.Code != "pending_transfer_already_posted" {
			t.Fatal(describe(res))
		}
		// Pending and post in the same batch.
		p5 := pend(7)
		f.create(t, p5, ledger.Transfer{ID: nid(), PendingID: p5.ID, Flags: ledger.PostPending})
		f.mustReconcile(t)
	})
}

// Expiry, defined: a pending transfer created at time T with a timeout of S seconds expires
// at T + S·1000 ms. From that instant on it cannot be posted or voided
// (pending_transfer_expired). Its reservation is released by the first committed ledger
// write whose clock reads at or after the expiry — CreateTransfers or ExpirePending — in
// that write's transaction, before the write's own transfers are applied, as a system
// transfer flagged Expire. A refused batch rolls back, so the release waits for the next
// write that commits.
func TestPendingTransfersExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 1_000, ledger.CodeIssue))
		t0 := f.clk.Now()
		p1 := ledger.Transfer{ID: nid(), DebitAccount: nation, CreditAccount: jiangxi, Amount: 600, Code: ledger.CodeReserve, Flags: ledger.Pending, Timeout: 60}
		p2 := p1
		p2.ID, p2.Amount = nid(), 100
		f.create(t, p1, p2)

		// One millisecond before expiry p2 can still be posted.
		f.clk.Set(t0.Add(60*time.Second - time.Millisecond))
		f.create(t, ledger.Transfer{ID: nid(), PendingID: p2.ID, Flags: ledger.PostPending})

		// At expiry p1 cannot be posted, and since that batch is refused, nothing is released.
		f.clk.Set(t0.Add(60 * time.Second))
		res, e := f.refuse(t, ledger.Transfer{ID: nid(), PendingID: p1.ID, Flags: ledger.PostPending})
		if res[0].Failure.Code != "pending_transfer_expired" || !strings.Contains(catalog.T(i18n.En, e.Fields[0].Key, e.Fields[0].Args...), "expired at") {
			t.Fatal(describe(res))
		}
		if b := f.bal(t, nation); b.DebitsPending != 600 {
			t.Fatalf("released by a refused batch: %+v", b)
		}
		// The next committed write releases it first, so its own transfer — which only fits
		// without the reservation (available 300 with it, 900 without) — passes.
		f.create(t, tr(nation, jiangxi, 800, ledger.CodeGrant))
		b := f.bal(t, nation)
		if b.DebitsPending != 0 || b.DebitsPosted != 900 || f.bal(t, jiangxi).CreditsPending != 0 {
			t.Fatalf("after expiry release: %+v", b)
		}
		// Still expired, never posted or voided now.
		for _, fl := range []ledger.TransferFlags{ledger.PostPending, ledger.VoidPending} {
			res, _ := f.refuse(t, ledger.Transfer{ID: nid(), PendingID: p1.ID, Flags: fl})
			if res[0].Failure.Code != "pending_transfer_expired" {
				t.Fatal(describe(res))
			}
		}
		// The release is a system row on the account's statement, between the grant batches.
		st, err := f.svc.Statement(ctx, regulator, nation, t0, f.clk.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, l := range st.Lines {
			switch {
			case l.Flags&ledger.Expire != 0:
				kinds = append(kinds, "expire")
				if !l.ID.IsZero() || l.PendingID != p1.ID || l.Amount != 600 {
					t.Fatalf("expiry row: %+v", l)
				}
			case l.Flags&ledger.Pending != 0:
				kinds = append(kinds, "pending")
			case l.Flags&ledger.PostPending != 0:
				kinds = append(kinds, "post")
			default:
				kinds = append(kinds, "plain")
			}
		}
		if got := strings.Join(kinds, ","); got != "plain,pending,pending,post,expire,plain" {
			t.Fatalf("statement: %s", got)
		}
		// ExpirePending alone releases, and is a no-op when nothing is due.
		p3 := p1
		p3.ID, p3.Amount, p3.Timeout = nid(), 50, 1
		f.create(t, p3)
		if n, err := f.svc.ExpirePending(ctx, regulator); err != nil || n != 0 {
			t.Fatalf("nothing due: %d %v", n, err)
		}
		f.clk.Advance(time.Second)
		if n, err := f.svc.ExpirePending(ctx, regulator); err != nil || n != 1 {
			t.Fatalf("one due: %d %v", n, err)
		}
		if f.bal(t, nation).DebitsPending != 0 {
			t.Fatal("ExpirePending did not release")
		}
		f.mustReconcile(t)
	})
}

// "A grant larger than its parent's remaining balance": refused, with the balance in the
// message, and nothing written.
func TestOverdraftOfAFlaggedAccountIsRefusedWithTheBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 19_150*tonne, ledger.CodeIssue), tr(nation, jiangxi, 8_500*tonne, ledger.CodeGrant),
			tr(jiangxi, ganzhou, 8_000*tonne, ledger.CodeGrant))
		res, e := f.refuse(t, tr(jiangxi, ganzhou, 501*tonne, ledger.CodeGrant))
		if res[0].Failure.Code != "exceeds_credits" || e.Fields[0].Name != "transfers[0].amount" {
			t.Fatal(describe(res))
		}
		zh := catalog.T(i18n.Zh, e.Fields[0].Key, e.Fields[0].Args...)
		en := catalog.T(i18n.En, e.Fields[0].Key, e.Fields[0].Args...)
		for _, m := range []string{zh, en} {
			if !strings.Contains(m, jiangxi) || !strings.Contains(m, "500000000") || !strings.Contains(m, "501000000") {
				t.Errorf("message lacks the account, the available balance or the amount: %s", m)
			}
		}
		// Exactly the remainder goes through; then the account is at zero.
		f.create(t, tr(jiangxi, ganzhou, 500*tonne, ledger.CodeGrant))
		if b := f.bal(t, jiangxi); b.Available() != 0 {
			t.Fatalf("%+v", b)
		}
		// A credits_must_not_exceed_debits account refuses credits beyond its debits.
		_, err := f.svc.CreateAccount(ctx, regulator, ledger.NewAccount{Code: "2018/ion/debtor", LedgerID: f.ion.ID, Name: "d",
			Holder: ledger.Nation, Flags: ledger.CreditsMustNotExceedDebits})
		if err != nil {
			t.Fatal(err)
		}
		res, _ = f.refuse(t, tr(ganzhou, "2018/ion/debtor", 1, ledger.CodeReturn))
		if res[0].Failure.Code != "exceeds_debits" {
			t.Fatal(describe(res))
		}
		f.mustReconcile(t)
	})
}

func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.create(t, tr(issue, nation, 100, ledger.CodeIssue), tr(nation, jiangxi, 100, ledger.CodeGrant),
			tr(jiangxi, ganzhou, 100, ledger.CodeGrant), tr(ganzhou, ent1, 60, ledger.CodeGrant), tr(ganzhou, ent2, 40, ledger.CodeGrant))
		planner := &auth.Principal{ID: 2, Username: "pl", Role: auth.Planner}
		viewer := &auth.Principal{ID: 3, Username: "v", Role: auth.Viewer}
		county := &auth.Principal{ID: 4, Username: "c", Role: auth.County, RegionCode: "360702"}
		e1 := &auth.Principal{ID: 5, Username: "e1", Role: auth.Enterprise, EnterpriseID: f.ent1}
		for _, p := range []*auth.Principal{planner, viewer, county, e1, nil} {
			if _, err := f.svc.CreateTransfers(ctx, p, []ledger.Transfer{tr(ganzhou, ent1, 1, ledger.CodeGrant)}); !apperr.Is(err, apperr.Forbidden) && !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("%v moved quota: %v", p, err)
			}
			if _, err := f.svc.CreateAccount(ctx, p, ledger.NewAccount{Code: "x", LedgerID: f.ion.ID, Name: "x", Holder: ledger.Nation}); err == nil {
				t.Errorf("%v opened an account", p)
			}
		}
		if _, err := f.svc.Reconcile(ctx, e1); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise reconciled: %v", err)
		}
		if _, err := f.svc.Reconcile(ctx, planner); err != nil {
			t.Errorf("planner cannot reconcile: %v", err)
		}
		for _, p := range []*auth.Principal{viewer, county} {
			if _, err := f.svc.Balance(ctx, p, ent1); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s read a balance: %v", p.Role, err)
			}
		}
		// An enterprise sees its own account and nothing of another's — not even that it exists.
		if b, err := f.svc.Balance(ctx, e1, ent1); err != nil || b.CreditsPosted != 60 {
			t.Fatalf("own balance: %+v %v", b, err)
		}
		for _, code := range []string{ent2, ganzhou, "2018/ion/nobody"} {
			_, err := f.svc.BalanceAt(ctx, e1, code, f.clk.Now())
			if e := apperr.From(err); e.Kind != apperr.NotFound || e.Code != "unknown_account" {
				t.Errorf("enterprise read %s: %v", code, err)
			}
		}
		pg, err := f.svc.Accounts(ctx, e1, 0, store.ListQuery{})
		if err != nil || pg.Total != 1 || pg.Rows[0].Code != ent1 {
			t.Fatalf("enterprise account list: %+v %v", pg, err)
		}
		if pg, _ := f.svc.Accounts(ctx, planner, f.ion.ID, store.ListQuery{}); pg.Total != 8 {
			t.Fatalf("planner sees %d accounts of the ionic ledger", pg.Total)
		}
		// On its statement the grant's counterparty (the city) shows; another enterprise would not.
		st, err := f.svc.Statement(ctx, e1, ent1, f.clk.Now().Add(-time.Hour), f.clk.Now(), 0)
		if err != nil || len(st.Lines) != 1 || st.Lines[0].Counterparty != ganzhou {
			t.Fatalf("statement: %+v %v", st, err)
		}
	})
}

func TestAccountRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		for _, c := range []struct {
			a    ledger.NewAccount
			code string
		}{
			{ledger.NewAccount{Code: "bad code", LedgerID: f.ion.ID, Name: "x", Holder: ledger.Nation}, "bad_account_code"},
			{ledger.NewAccount{Code: "x1", LedgerID: f.ion.ID, Name: "x", Holder: "county"}, "bad_holder"},
			{ledger.NewAccount{Code: "x2", LedgerID: f.ion.ID, Name: "x", Holder: ledger.Sink}, "bad_sink_kind"},
			{ledger.NewAccount{Code: "x3", LedgerID: f.ion.ID, Name: "x", Holder: ledger.EnterpriseHolder}, "enterprise_required"},
			{ledger.NewAccount{Code: "x4", LedgerID: f.ion.ID, Name: "x", Holder: ledger.EnterpriseHolder, EnterpriseID: 999}, "unknown_enterprise"},
			{ledger.NewAccount{Code: "x5", LedgerID: f.ion.ID, Name: "x", Holder: ledger.Province}, "region_required"},
			{ledger.NewAccount{Code: "x6", LedgerID: f.ion.ID, Name: "x", Holder: ledger.City, RegionCode: "999999"}, "unknown_region"},
			{ledger.NewAccount{Code: "x7", LedgerID: 999, Name: "x", Holder: ledger.Nation}, "unknown_ledger"},
			{ledger.NewAccount{Code: "x8", LedgerID: f.ion.ID, Name: "x", Holder: ledger.Nation, Flags: 6}, "account_flags_exclusive"},
			{ledger.NewAccount{Code: nation, LedgerID: f.ion.ID, Name: "x", Holder: ledger.Nation}, "account_exists"},
		} {
			if _, err := f.svc.CreateAccount(ctx, regulator, c.a); apperr.From(err).Code != c.code {
				t.Errorf("%s: got %v, want %s", c.a.Code, err, c.code)
			}
		}
		if _, err := f.svc.CreateLedger(ctx, regulator, ledger.REOIonic, ledger.Mining, 2018); apperr.From(err).Code != "ledger_exists" {
			t.Errorf("duplicate ledger: %v", err)
		}
		if _, err := f.svc.CreateLedger(ctx, regulator, "gold", ledger.Mining, 2018); apperr.From(err).Code != "unknown_commodity" {
			t.Errorf("gold: %v", err)
		}
	})
}
