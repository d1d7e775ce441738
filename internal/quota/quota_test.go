package quota_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestGrantsMoveQuotaDownTheChainAsLedgerTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t)
		for code, want := range map[string]int64{nation: 10650, jiangxi: 3500, ganzhou: 1000, e1Acct: 3000, e2Acct: 1000} {
			if got := f.available(t, code); got != want*tonne {
				t.Errorf("%s: available %d g, want %d t", code, got, want)
			}
		}
		// The issuance account goes negative by exactly the national total: the ledger balances.
		b, _ := f.l.Balance(ctx, regulator, issue)
		if b.DebitsPosted != 19150*tonne || b.CreditsPosted != 0 {
			t.Fatalf("issuance %+v", b)
		}
		rep, err := f.l.Reconcile(ctx, regulator)
		if err != nil || !rep.OK() {
			t.Fatalf("reconcile: %+v %v", rep, err)
		}
		gs, err := f.q.Grants(ctx, regulator, store.ListQuery{Sort: "amount"})
		if err != nil || gs.Total != 5 || gs.Rows[0].AmountG != 1000*tonne || gs.Rows[4].AmountG != 19150*tonne {
			t.Fatalf("grants %+v %v", gs, err)
		}
		// Every grant is one ledger transfer with the grant's code: issue for the first, grant after.
		for _, g := range gs.Rows {
			id, _ := ledger.ParseID(g.TransferID)
			x, err := db.LedgerTransferByID(ctx, id[:])
			if err != nil || x.Amount != g.AmountG {
				t.Fatalf("grant %d: transfer %+v %v", g.ID, x, err)
			}
			wantCode := int64(ledger.CodeGrant)
			if g.FromAccount == issue {
				wantCode = int64(ledger.CodeIssue)
			}
			if x.Code != wantCode {
				t.Fatalf("grant from %s has code %d, want %d", g.FromAccount, x.Code, wantCode)
			}
		}
		// An enterprise user sees only the grants to its own account.
		own, err := f.q.Grants(ctx, f.ent1, store.ListQuery{})
		if err != nil || own.Total != 1 || own.Rows[0].ToAccount != e1Acct {
			t.Fatalf("enterprise 1 sees %+v %v", own, err)
		}
	})
}

func TestGrantLargerThanTheParentsRemainingBalanceIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t) // Ganzhou has 1,000 t left
		before := f.state(t)
		_, err := f.q.Grant(ctx, regulator, quota.NewGrant{From: ganzhou, To: e1Acct, AmountT: "1,500", Batch: "2024-1",
			GrantedOn: "2024-02-02", Source: "测试"})
		f.wantErr(t, err, apperr.Invalid, "exceeds_balance", "amount_t", "1,500 t", "1,000 t", ganzhou)
		if after := f.state(t); after != before {
			t.Fatalf("a refused grant wrote something: %v → %v", before, after)
		}
		if got := f.available(t, ganzhou); got != 1000*tonne {
			t.Fatalf("Ganzhou has %d g after a refused grant", got)
		}
		// Exactly the remainder is fine.
		f.grant(t, ganzhou, e1Acct, "1,000", "2024-1", "2024-02-02")
		if got := f.available(t, ganzhou); got != 0 {
			t.Fatalf("Ganzhou has %d g left", got)
		}
	})
}

func TestGrantBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t)
		ok := quota.NewGrant{From: ganzhou, To: e1Acct, AmountT: "10", Batch: "2024-2", GrantedOn: "2024-02-05", Source: "测试"}
		for _, c := range []struct {
			name   string
			change func(*quota.NewGrant)
			code   string
			field  string
			want   string
		}{
			{"negative amount", func(n *quota.NewGrant) { n.AmountT = "-5" }, "bad_grant", "amount_t", "-5"},
			{"finer than a gram", func(n *quota.NewGrant) { n.AmountT = "1.0000001" }, "bad_grant", "amount_t", "1.0000001"},
			{"zero", func(n *quota.NewGrant) { n.AmountT = "0" }, "bad_grant", "amount_t", "0"},
			{"no batch", func(n *quota.NewGrant) { n.Batch = " " }, "bad_grant", "batch", ""},
			{"bad date", func(n *quota.NewGrant) { n.GrantedOn = "2024-02-30" }, "bad_grant", "granted_on", "2024-02-30"},
			{"no date on a regulator's own grant", func(n *quota.NewGrant) { n.GrantedOn = "" }, "bad_grant", "granted_on", ""},
			{"no source", func(n *quota.NewGrant) { n.Source = "" }, "bad_grant", "source", ""},
			{"unknown account", func(n *quota.NewGrant) { n.To = "ion24.nobody" }, "unknown_account", "to", "ion24.nobody"},
			{"different ledgers", func(n *quota.NewGrant) { n.To = wE1 }, "different_ledgers", "to", wE1},
			{"from an enterprise", func(n *quota.NewGrant) { n.From, n.To = e1Acct, e2Acct }, "not_a_grant", "from", e1Acct},
			{"to a sink", func(n *quota.NewGrant) { n.To = consumed }, "not_a_grant", "from", consumed},
			{"bad id", func(n *quota.NewGrant) { n.ID = "xyz" }, "bad_grant", "id", "xyz"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := f.state(t)
				n := ok
				c.change(&n)
				_, err := f.q.Grant(ctx, regulator, n)
				var want []string
				if c.want != "" {
					want = append(want, c.want)
				}
				f.wantErr(t, err, apperr.Invalid, c.code, c.field, want...)
				if after := f.state(t); after != before {
					t.Fatalf("wrote something: %v → %v", before, after)
				}
			})
		}
		// Only a regulator (or admin) grants.
		for _, p := range []*auth.Principal{f.ent1, {Username: "pl", Role: auth.Planner}} {
			if _, err := f.q.Grant(ctx, p, ok); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("%s granted: %v", p.Role, err)
			}
		}
	})
}

func TestSameGrantSentTwiceIsRecordedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t)
		n := quota.NewGrant{ID: "0190a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b", From: ganzhou, To: e1Acct, AmountT: "100", Batch: "2024-2",
			GrantedOn: "2024-03-01", Source: "测试"}
		g1, err := f.q.Grant(ctx, regulator, n)
		if err != nil {
			t.Fatal(err)
		}
		before := f.state(t)
		g2, err := f.q.Grant(ctx, regulator, n)
		if err != nil || g2.ID != g1.ID {
			t.Fatalf("retry: %+v %v", g2, err)
		}
		if f.state(t) != before || f.available(t, ganzhou) != 900*tonne {
			t.Fatal("a retried grant moved quota twice")
		}
		n.AmountT = "200"
		_, err = f.q.Grant(ctx, regulator, n)
		if !apperr.Is(err, apperr.Conflict) || f.state(t) != before {
			t.Fatalf("same id, other amount: %v", err)
		}
	})
}

func TestGrantDocumentsAndExpertReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.chain(t)
		gs, _ := f.q.Grants(ctx, f.ent1, store.ListQuery{})
		g := gs.Rows[0]
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("责任书"), 1000)...)
		d, err := f.q.AttachDocument(ctx, regulator, g.ID, "responsibility_letter", "2024年开采总量控制责任书.pdf", "application/pdf", pdf)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pdf)
		if d.SHA256 != hex.EncodeToString(sum[:]) || d.Size != int64(len(pdf)) {
			t.Fatalf("document %+v", d)
		}
		// Download: the holder enterprise and the regulator get the same bytes; the other
		// enterprise gets "not found", as for an id that does not exist.
		for _, p := range []*auth.Principal{regulator, f.ent1} {
			got, err := f.q.Document(ctx, p, d.ID)
			if err != nil || !bytes.Equal(got.Body, pdf) || got.Filename != "2024年开采总量控制责任书.pdf" {
				t.Fatalf("%s download: %v", p.Username, err)
			}
		}
		if _, err := f.q.Document(ctx, f.ent2, d.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("enterprise 2 read enterprise 1's letter: %v", err)
		}
		if _, err := f.q.GrantDetail(ctx, f.ent2, g.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("enterprise 2 read enterprise 1's grant: %v", err)
		}
		before := f.state(t)
		_, err = f.q.AttachDocument(ctx, regulator, g.ID, "contract", "big.pdf", "application/pdf", make([]byte, quota.MaxDocument+1))
		f.wantErr(t, err, apperr.TooLarge, "document_too_large", "file")
		_, err = f.q.AttachDocument(ctx, regulator, g.ID, "contract", "a.exe", "application/x-msdownload", []byte("MZ"))
		f.wantErr(t, err, apperr.Invalid, "bad_document", "file", "application/x-msdownload")
		_, err = f.q.AttachDocument(ctx, regulator, g.ID, "memo", "a.pdf", "application/pdf", []byte("%PDF"))
		f.wantErr(t, err, apperr.Invalid, "bad_document", "kind", "memo")
		_, err = f.q.AttachDocument(ctx, regulator, g.ID, "contract", "a.pdf", "application/pdf", nil)
		f.wantErr(t, err, apperr.Invalid, "bad_document", "file")
		if _, err := f.q.AttachDocument(ctx, f.ent1, g.ID, "contract", "a.pdf", "application/pdf", pdf); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise attached a document: %v", err)
		}
		_, err = f.q.AddReview(ctx, regulator, g.ID, quota.NewReview{ReviewedOn: "2024-01-30", Experts: "张三、李四", Conclusion: "maybe"})
		f.wantErr(t, err, apperr.Invalid, "bad_review", "conclusion", "maybe")
		if f.state(t) != before {
			t.Fatal("refused attachments or reviews wrote something")
		}
		if _, err := f.q.AddReview(ctx, regulator, g.ID, quota.NewReview{ReviewedOn: "2024-01-30", Experts: "张三、李四",
			Conclusion: "approved", Opinion: "开采方案符合总量控制要求"}); err != nil {
			t.Fatal(err)
		}
		det, err := f.q.GrantDetail(ctx, f.ent1, g.ID)
		if err != nil || len(det.Documents) != 1 || len(det.Reviews) != 1 || det.Reviews[0].Experts != "张三、李四" || det.Documents[0].Body != nil {
			t.Fatalf("detail %+v %v", det, err)
		}
		gs, _ = f.q.Grants(ctx, regulator, store.ListQuery{})
		for _, x := range gs.Rows {
			if x.ID == g.ID && (x.Documents != 1 || x.Reviews != 1) {
				t.Fatalf("list counts %+v", x)
			}
		}
	})
}

func TestWorkingDayCalendar(t *testing.T) {
	c := quota.Calendar{}
	// Friday 2024-09-27 + 20 working days, weekends only: 2024-10-25.
	if d, _ := c.AddWorkdays("2024-09-27", 20); d != "2024-10-25" {
		t.Fatalf("weekends only: %s", d)
	}
	// With 1–7 October off and Sunday 29 September and Saturday 12 October worked
	// (configured, as a regulator would from the State Council's notice): the 20th working
	// day after 27 September moves to 30 October.
	for _, d := range []string{"2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"} {
		c[d] = "holiday"
	}
	c["2024-09-29"], c["2024-10-12"] = "workday", "workday"
	if d, _ := c.AddWorkdays("2024-09-27", 20); d != "2024-10-30" {
		t.Fatalf("with the configured days: %s", d)
	}
}

func TestPassDownDeadlinesAreTrackedAndOverdueFlagged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.grant(t, issue, nation, "19,150", "2024-1", "2024-01-05")
		// Jiangxi receives batch 1 on Friday 5 January; 20 working days later is 2 February.
		f.grant(t, nation, jiangxi, "8,500", "2024-1", "2024-01-05")
		// It passes 5,000 on 20 January and the rest on 6 February: done, but late.
		f.grant(t, jiangxi, ganzhou, "5,000", "2024-1", "2024-01-20")
		f.grant(t, jiangxi, ganzhou, "3,500", "2024-1", "2024-02-06")
		// Ganzhou receives 5,000 + 3,500 and passes 4,000 on time: the first is open or overdue.
		f.grant(t, ganzhou, e1Acct, "4,000", "2024-1", "2024-02-01")
		// A configured holiday moves a deadline: 29 February, inside Ganzhou's second window.
		if err := f.q.SetCalendarDay(ctx, regulator, store.CalendarDay{Day: "2024-02-29", Kind: "holiday", Name: "测试假日"}); err != nil {
			t.Fatal(err)
		}
		f.clk.Set(day("2024-02-20 10:00"))
		ds, err := f.q.Deadlines(ctx, regulator)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]quota.Deadline{}
		for _, d := range ds {
			got[d.Account+"@"+d.Received] = d
		}
		want := map[string]struct{ due, status, passedOn string }{
			jiangxi + "@2024-01-05": {"2024-02-02", "done_late", "2024-02-06"},
			ganzhou + "@2024-01-20": {"2024-02-16", "overdue", ""}, // received 5,000 + 3,500 in batch 1; 4,000 passed on
			ganzhou + "@2024-02-06": {"2024-03-06", "open", ""},    // 20 working days, 29 February a holiday
		}
		if len(ds) != len(want) {
			t.Fatalf("%d deadlines: %+v", len(ds), ds)
		}
		for k, w := range want {
			d := got[k]
			if d.Due != w.due || d.Status != w.status || d.PassedOn != w.passedOn {
				t.Errorf("%s: due %s status %s passed %s, want %+v", k, d.Due, d.Status, d.PassedOn, w)
			}
		}
		if _, err := f.q.Deadlines(ctx, f.ent1); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise read the deadlines: %v", err)
		}
		// Bad calendar input, and only the regulator configures it.
		err = f.q.SetCalendarDay(ctx, regulator, store.CalendarDay{Day: "2024-13-01", Kind: "vacation"})
		f.wantErr(t, err, apperr.Invalid, "bad_calendar_day", "kind", "vacation")
		if err := f.q.SetCalendarDay(ctx, f.ent1, store.CalendarDay{Day: "2024-05-01", Kind: "holiday"}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an enterprise set the calendar: %v", err)
		}
	})
}
