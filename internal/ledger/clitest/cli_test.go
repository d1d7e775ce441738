// Package clitest runs `zhanxin ledger` in-process against real databases. It is apart
// from the ledger package's own tests so that those compile without the whole command
// line (web server included) behind them.
package clitest

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/cli"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func run(t *testing.T, now func() time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: now}
	code := cli.Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

const tonne = int64(1_000_000)

func TestLedgerCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: time.Date(2018, 3, 1, 9, 0, 0, 0, ledger.ChinaTime)}
		svc := ledger.New(db, c.Now)
		reg := &auth.Principal{Username: "reg", Role: auth.Regulator}
		target := db.Target()

		// No ledgers yet: reconciled, nothing to list.
		if code, out, _ := run(t, c.Now, "ledger", "reconcile", "--db", target); code != 0 || !strings.Contains(out, "no ledgers yet") {
			t.Fatalf("empty: %d %s", code, out)
		}
		var entID int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			entID, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "示例稀土一厂", Source: "test", CreatedAt: c.Now()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		l, err := svc.CreateLedger(ctx, reg, ledger.REOIonic, ledger.Mining, 2018)
		if err != nil {
			t.Fatal(err)
		}
		flag := ledger.DebitsMustNotExceedCredits
		for _, a := range []ledger.NewAccount{
			{Code: "issue", LedgerID: l.ID, Name: "总量下达", Holder: ledger.Nation},
			{Code: "CN", LedgerID: l.ID, Name: "全国", Holder: ledger.Nation, Flags: flag},
			{Code: "E1", LedgerID: l.ID, Name: "示例稀土一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: entID, Flags: flag},
			{Code: "used", LedgerID: l.ID, Name: "已消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
		} {
			if _, err := svc.CreateAccount(ctx, reg, a); err != nil {
				t.Fatal(err)
			}
		}
		n := uint64(0)
		tr := func(dr, cr string, amount int64, code ledger.Code) ledger.Transfer {
			n++
			return ledger.Transfer{ID: ledger.IDFromUint64(7, n), DebitAccount: dr, CreditAccount: cr, Amount: amount, Code: code}
		}
		if _, err := svc.CreateTransfers(ctx, reg, []ledger.Transfer{tr("issue", "CN", 19_150*tonne, ledger.CodeIssue),
			tr("CN", "E1", 1_000*tonne, ledger.CodeGrant)}); err != nil {
			t.Fatal(err)
		}
		c.Advance(48 * time.Hour)
		pend := tr("E1", "used", 100*tonne, ledger.CodeReserve)
		pend.Flags, pend.Timeout = ledger.Pending, 60
		if _, err := svc.CreateTransfers(ctx, reg, []ledger.Transfer{tr("E1", "used", 27*tonne+500_000, ledger.CodeConsume), pend}); err != nil {
			t.Fatal(err)
		}

		code, out, errOut := run(t, c.Now, "ledger", "reconcile", "--db", target)
		if code != 0 || !strings.Contains(out, "reo_ionic/mining/2018") || !strings.Contains(out, "20,177,500,000") ||
			!strings.Contains(out, "100,000,000") || !strings.Contains(out, "平衡 OK") || !strings.Contains(out, "对账通过：1 个账本") {
			t.Fatalf("reconcile: exit %d\n%s\n%s", code, out, errOut)
		}

		// balance now: 1,000 t in, 27.5 t out, 100 t reserved.
		code, out, errOut = run(t, c.Now, "ledger", "balance", "--db", target, "--account", "E1")
		for _, want := range []string{"示例稀土一厂", "1,000,000,000 g", "= 1,000 t", "= 27.5 t", "= 100 t", "可用 available", "= 872.5 t"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Fatalf("balance lacks %q: exit %d\n%s\n%s", want, code, out, errOut)
			}
		}
		// at the end of 2018-03-01 (Beijing): only the grant.
		code, out, _ = run(t, c.Now, "ledger", "balance", "--db", target, "--account", "E1", "--at", "2018-03-01")
		if code != 0 || !strings.Contains(out, "2018-03-01 23:59:59.999 CST") || !strings.Contains(out, "= 1,000 t") ||
			strings.Contains(out, "27.5") || strings.Contains(out, "pending") {
			t.Fatalf("balance at a date:\n%s", out)
		}
		for _, bad := range [][]string{
			{"ledger", "balance", "--db", target, "--account", "nobody"},
			{"ledger", "balance", "--db", target, "--account", "E1", "--at", "2018-13-01"},
		} {
			if code, _, errOut := run(t, c.Now, bad...); code != 1 || !strings.Contains(errOut, " / ") {
				t.Errorf("%v: exit %d, %s", bad, code, errOut)
			}
		}
		if code, _, _ := run(t, c.Now, "ledger", "balance", "--db", target); code != 2 {
			t.Errorf("balance without --account: exit %d", code)
		}
		if code, _, _ := run(t, c.Now, "ledger", "frobnicate"); code != 2 {
			t.Errorf("unknown subcommand: exit %d", code)
		}

		// expire: nothing due, then the reservation after its 60 s.
		if code, out, _ := run(t, c.Now, "ledger", "expire", "--db", target); code != 0 || !strings.Contains(out, "released 0") {
			t.Fatalf("expire: %d %s", code, out)
		}
		c.Advance(time.Minute)
		if code, out, _ := run(t, c.Now, "ledger", "expire", "--db", target); code != 0 || !strings.Contains(out, "released 1") {
			t.Fatalf("expire: %d %s", code, out)
		}

		// A balance edited behind the ledger's back: reconcile lists it and exits 1.
		raw := rawDB(t, db)
		q := "UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE code = 'E1'"
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
		code, out, errOut = run(t, c.Now, "ledger", "reconcile", "--db", target)
		if code != 1 || !strings.Contains(out, "差异 MISMATCH") || !strings.Contains(out, "✗") || !strings.Contains(out, "E1") ||
			!strings.Contains(errOut, "对账发现") || !strings.Contains(errOut, "reconciliation found") {
			t.Fatalf("reconcile of a corrupted ledger: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})
}

// rawDB opens a plain connection to the test database, to play a hand edit that goes
// around the store.
func rawDB(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	target := db.Target()
	var r *sql.DB
	var err error
	if path, ok := strings.CutPrefix(target, "sqlite:"); ok {
		r, err = sql.Open("sqlite", path)
	} else {
		r, err = sql.Open("pgx", target)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
