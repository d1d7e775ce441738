package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"zhanxin/internal/apperr"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
)

const ledgerUsage = `用法 / usage: zhanxin ledger <subcommand> [flags]
  reconcile                           对账：逐个账本核对借贷平衡、余额与历史 / reconcile every ledger
  balance --account CODE [--at DATE]  账户余额（DATE 为 YYYY-MM-DD，北京时间当日结束时）/ an account's balance, now or at the end of DATE (Beijing time)
  expire                              释放已过期的预留 / release expired reservations`

func runLedger(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, ledgerUsage)
		return errUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, ledgerUsage)
		return nil
	case "reconcile":
		return ledgerReconcile(ctx, env, args[1:])
	case "balance":
		return ledgerBalance(ctx, env, args[1:])
	case "expire":
		return ledgerExpire(ctx, env, args[1:])
	}
	fmt.Fprintln(env.Stderr, ledgerUsage)
	return errUsage
}

// ledgerReconcile prints one line per ledger and every discrepancy, and fails (exit 1) if
// there is any, so that a cron job or CI notices.
func ledgerReconcile(ctx context.Context, env *Env, args []string) error {
	f := env.flags("ledger reconcile", "ledger reconcile [--db …]")
	db := dbFlag(f)
	if err := env.parse(f, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *db, true)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := ledger.New(d, env.Now).Reconcile(ctx, cliPrincipal())
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "账本 ledger\t账户 accounts\t转账 transfers\t借方已过账 debits posted (g)\t贷方已过账 credits posted (g)\t借方预留 debits pending (g)\t贷方预留 credits pending (g)\t状态 status\t")
	for _, l := range rep.Ledgers {
		status := "平衡 OK"
		if !l.OK {
			status = "差异 MISMATCH"
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", l.Ledger.Key(), l.Accounts, l.Transfers,
			ledger.FormatGrams(l.DebitsPosted), ledger.FormatGrams(l.CreditsPosted),
			ledger.FormatGrams(l.DebitsPending), ledger.FormatGrams(l.CreditsPending), status)
	}
	w.Flush()
	if len(rep.Ledgers) == 0 {
		fmt.Fprintln(env.Stdout, "（尚无账本 / no ledgers yet）")
	}
	if rep.OK() {
		fmt.Fprintf(env.Stdout, "对账通过：%d 个账本借贷平衡，余额与转账历史一致 / reconciled: %d ledgers balance and every balance matches its history\n",
			len(rep.Ledgers), len(rep.Ledgers))
		return nil
	}
	fmt.Fprintln(env.Stdout)
	for _, x := range rep.Discrepancies {
		prefix := ""
		if x.Ledger != "" {
			prefix = "[" + x.Ledger + "] "
		}
		fmt.Fprintln(env.Stdout, "✗ "+prefix+env.cat.T(i18n.Zh, x.Key, x.Args...)+" / "+env.cat.T(i18n.En, x.Key, x.Args...))
	}
	return apperr.New(apperr.Conflict, "ledger_unreconciled", "ledger.rec.failed", len(rep.Discrepancies))
}

func ledgerBalance(ctx context.Context, env *Env, args []string) error {
	f := env.flags("ledger balance", "ledger balance --account CODE [--at YYYY-MM-DD] [--db …]")
	db := dbFlag(f)
	code := f.String("account", "", "账户代码 / account code")
	at := f.String("at", "", "日期 YYYY-MM-DD：该日（北京时间）结束时的已过账余额 / date: posted balance at the end of that day, Beijing time")
	if err := env.parse(f, args); err != nil {
		return err
	}
	if strings.TrimSpace(*code) == "" {
		fmt.Fprintln(env.Stderr, "zhanxin ledger balance: 请用 --account 指定账户 / --account is required")
		return errUsage
	}
	d, err := openDB(ctx, *db, true)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := ledger.New(d, env.Now)
	p := cliPrincipal()
	acct, err := svc.Account(ctx, p, *code)
	if err != nil {
		return err
	}
	var b ledger.Balance
	when := "当前 now"
	if *at != "" {
		t, err := ledger.EndOfDay(*at)
		if err != nil {
			return err
		}
		if b, err = svc.BalanceAt(ctx, p, *code, t); err != nil {
			return err
		}
		when = t.Format("2006-01-02 15:04:05.000 MST") + "（含当日 / end of day）"
	} else if b, err = svc.Balance(ctx, p, *code); err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "账户 account\t%s（%s）\n", acct.Code, acct.Name)
	fmt.Fprintf(w, "时点 as of\t%s\n", when)
	row := func(label string, g int64) {
		fmt.Fprintf(w, "%s\t%s g\t= %s\n", label, ledger.FormatGrams(g), ledger.FormatTonnes(g))
	}
	row("贷方已过账 credits posted", b.CreditsPosted)
	row("借方已过账 debits posted", b.DebitsPosted)
	if *at == "" {
		row("贷方预留 credits pending", b.CreditsPending)
		row("借方预留 debits pending", b.DebitsPending)
	}
	row("可用 available", b.Available())
	return w.Flush()
}

func ledgerExpire(ctx context.Context, env *Env, args []string) error {
	f := env.flags("ledger expire", "ledger expire [--db …]")
	db := dbFlag(f)
	if err := env.parse(f, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *db, true)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := ledger.New(d, env.Now).ExpirePending(ctx, cliPrincipal())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已释放 %d 笔过期预留 / released %d expired reservations\n", n, n)
	return nil
}
