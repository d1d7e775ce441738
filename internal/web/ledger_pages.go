package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// The quota ledger's pages: every account's balances, an account's statement between two
// dates with its opening and closing balances (the balance at any date), and the
// reconciliation of every ledger. The ledger package scopes what an enterprise user sees.

func (s *Server) ledgerRoutes() {
	s.handle("GET /ledger/accounts", s.adapt(s.ledgerAccountsPage))
	s.handle("GET /ledger/statement", s.adapt(s.ledgerStatementPage))
	s.handle("GET /ledger/reconcile", s.adapt(s.ledgerReconcilePage))
}

var holderKeys = map[string]string{"nation": "quota.ledger.holder.nation", "province": "quota.ledger.holder.province",
	"city": "quota.ledger.holder.city", "enterprise": "quota.ledger.holder.enterprise", "sink": "quota.ledger.holder.sink"}

var ledgerAccountTable = TableSpec[ledger.Account]{
	Export: "quota.ledger.accounts.title",
	Columns: []Column{{Label: "quota.col.account", Sort: "code"}, {Label: "resources.col.name", Sort: "name"},
		{Label: "quota.col.ledger", Sort: "ledger"}, {Label: "quota.ledger.col.holder", Sort: "holder"},
		{Label: "quota.ledger.col.credits", Num: true}, {Label: "quota.ledger.col.debits", Num: true},
		{Label: "quota.ledger.col.reserved", Num: true}, {Label: "quota.ledger.col.available", Num: true}},
}

// ledgerKeys maps ledger ids to "commodity/kind/year".
func (s *Server) ledgerKeys(r *http.Request) (map[int64]string, error) {
	ls, err := ledger.New(s.db, s.now).Ledgers(r.Context(), auth.From(r.Context()))
	out := map[int64]string{}
	for _, l := range ls {
		out[l.ID] = l.Key()
	}
	return out, err
}

func (s *Server) ledgerAccountsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	keys, err := s.ledgerKeys(r)
	if err != nil {
		return err
	}
	spec := ledgerAccountTable
	spec.Row = func(a ledger.Account) []Cell {
		avail := a.CreditsPosted - a.DebitsPosted - a.DebitsPending
		availCell := tonnesCell(avail)
		if a.Holder == ledger.Sink || a.Flags&ledger.DebitsMustNotExceedCredits == 0 {
			availCell = Cell{Value: "", Text: "—"} // a sink or the issuance account holds no quota to pass on
		}
		return []Cell{{Value: a.Code, Text: a.Code, Href: "/ledger/statement?account=" + url.QueryEscape(a.Code)}, TextCell(a.Name),
			TextCell(s.ledgerName(lang, keys[a.LedgerID])), TextCell(s.cat.T(lang, holderKeys[string(a.Holder)])),
			tonnesCell(a.CreditsPosted), tonnesCell(a.DebitsPosted), tonnesCell(a.DebitsPending), availCell}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[ledger.Account], error) {
		return ledger.New(s.db, s.now).Accounts(r.Context(), p, 0, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "ledger-accounts"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "quota.ledger.accounts.title", Crumb{Label: "quota.ledger.accounts.title"}),
		Table: tv, Note: s.cat.T(lang, "quota.ledger.accounts.note")})
	return nil
}

type statementView struct {
	Page
	Account        string
	From, To       string
	Errors         map[string]string
	Ledger         string
	Opening        [4]string // credits, debits, reserved, available
	Closing        [4]string
	ClosingAsOf    string
	Table          TableView
	More           bool
	HasStatement   bool
	DefaultExplain string
}

var statementTable = TableSpec[ledger.Line]{
	Export: "quota.ledger.statement.title",
	Columns: []Column{{Label: "quota.ledger.col.seq", Num: true}, {Label: "quota.ledger.col.time"}, {Label: "quota.ledger.col.side"},
		{Label: "quota.ledger.col.counterparty"}, {Label: "quota.col.amount", Num: true}, {Label: "quota.ledger.col.code"},
		{Label: "quota.ledger.col.ref"}, {Label: "quota.ledger.col.credits_after", Num: true}, {Label: "quota.ledger.col.debits_after", Num: true}},
}

var sideKeys = map[string]string{"debit": "quota.ledger.side.debit", "credit": "quota.ledger.side.credit"}

func balanceTexts(b ledger.Balance) [4]string {
	return [4]string{ledger.FormatTonnes(b.CreditsPosted), ledger.FormatTonnes(b.DebitsPosted), ledger.FormatTonnes(b.DebitsPending),
		ledger.FormatTonnes(b.Available())}
}

// statementRange reads from and to (YYYY-MM-DD, Beijing time); the defaults are the
// start of the current year and today.
func (s *Server) statementRange(r *http.Request) (from, to time.Time, fromS, toS string, err error) {
	now := s.now().In(ledger.ChinaTime)
	fromS, toS = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if fromS == "" {
		fromS = now.Format("2006") + "-01-01"
	}
	if toS == "" {
		toS = now.Format("2006-01-02")
	}
	e := apperr.New(apperr.Invalid, "bad_range", "quota.ledger.err.range")
	f, err1 := time.ParseInLocation("2006-01-02", fromS, ledger.ChinaTime)
	if err1 != nil {
		e.With("from", "quota.err.date", fromS)
	}
	t, err2 := ledger.EndOfDay(toS)
	if err2 != nil {
		e.With("to", "quota.err.date", toS)
	}
	if err1 == nil && err2 == nil && t.Before(f) {
		e.With("to", "quota.ledger.err.to_before_from", toS, fromS)
	}
	if len(e.Fields) > 0 {
		return f, t, fromS, toS, e
	}
	return f, t, fromS, toS, nil
}

func (s *Server) ledgerStatementPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	v := statementView{Page: s.page(w, r, "quota.ledger.statement.title", Crumb{Label: "quota.ledger.accounts.title", Href: "/ledger/accounts"},
		Crumb{Label: "quota.ledger.statement.title"}), Account: r.URL.Query().Get("account")}
	from, to, fromS, toS, rerr := s.statementRange(r)
	v.From, v.To = fromS, toS
	if rerr != nil {
		errs, status, err := s.formErrors(lang, rerr)
		if err != nil {
			return err
		}
		v.Errors = errs
		s.render(w, r, status, "ledger_statement", v)
		return nil
	}
	if v.Account == "" {
		s.render(w, r, http.StatusOK, "ledger_statement", v)
		return nil
	}
	svc := ledger.New(s.db, s.now)
	st, err := svc.Statement(r.Context(), p, v.Account, from, to, 0)
	if err != nil {
		return err
	}
	keys, err := s.ledgerKeys(r)
	if err != nil {
		return err
	}
	spec := statementTable
	spec.Row = func(l ledger.Line) []Cell {
		code := ledger.Codes[l.Code]
		ref := l.Ref
		if l.Flags&ledger.Pending != 0 {
			ref = s.cat.T(lang, "quota.ledger.pending") + " " + ref
		}
		return []Cell{{Value: l.Seq, Text: strconv.FormatInt(l.Seq, 10), Num: true}, TextCell(l.Timestamp.In(ledger.ChinaTime).Format("2006-01-02 15:04:05")),
			TextCell(s.cat.T(lang, sideKeys[l.Side])), TextCell(l.Counterparty), tonnesCell(l.Amount), TextCell(name(lang, code.Zh, code.En)),
			TextCell(ref), tonnesCell(l.CreditsPosted), tonnesCell(l.DebitsPosted)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[ledger.Line], error) {
		return pageOf(st.Lines, q), nil
	})
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "statement"
	v.Table, v.HasStatement, v.More = tv, true, st.More
	v.Ledger = s.ledgerName(lang, keys[st.Account.LedgerID])
	v.Opening, v.Closing = balanceTexts(st.Opening), balanceTexts(st.Closing)
	if !st.Closing.AsOf.IsZero() {
		v.ClosingAsOf = st.Closing.AsOf.In(ledger.ChinaTime).Format("2006-01-02 15:04:05")
	}
	s.render(w, r, http.StatusOK, "ledger_statement", v)
	return nil
}

type reconcileView struct {
	Page
	OK            bool
	At            string
	Table         TableView
	Discrepancies []string
}

var reconcileTable = TableSpec[ledger.LedgerTotals]{
	Export: "quota.ledger.reconcile.title",
	Columns: []Column{{Label: "quota.col.ledger"}, {Label: "quota.ledger.col.accounts", Num: true}, {Label: "quota.ledger.col.transfers", Num: true},
		{Label: "quota.ledger.col.debits", Num: true}, {Label: "quota.ledger.col.credits", Num: true},
		{Label: "quota.ledger.col.debits_pending", Num: true}, {Label: "quota.ledger.col.credits_pending", Num: true},
		{Label: "quota.ledger.col.balanced"}},
}

func (s *Server) ledgerReconcilePage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	rep, err := ledger.New(s.db, s.now).Reconcile(r.Context(), p)
	if err != nil {
		return err
	}
	spec := reconcileTable
	spec.Row = func(t ledger.LedgerTotals) []Cell {
		ok := s.cat.T(lang, "quota.ledger.ok")
		if !t.OK {
			ok = s.cat.T(lang, "quota.ledger.not_ok")
		}
		return []Cell{TextCell(s.ledgerName(lang, t.Ledger.Key())), {Value: t.Accounts, Text: strconv.Itoa(t.Accounts), Num: true},
			{Value: t.Transfers, Text: strconv.FormatInt(t.Transfers, 10), Num: true}, tonnesCell(t.DebitsPosted), tonnesCell(t.CreditsPosted),
			tonnesCell(t.DebitsPending), tonnesCell(t.CreditsPending), TextCell(ok)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[ledger.LedgerTotals], error) {
		return pageOf(rep.Ledgers, q), nil
	})
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "reconcile"
	v := reconcileView{Page: s.page(w, r, "quota.ledger.reconcile.title", Crumb{Label: "quota.ledger.reconcile.title"}), OK: rep.OK(),
		At: rep.At.In(ledger.ChinaTime).Format("2006-01-02 15:04:05"), Table: tv}
	for _, d := range rep.Discrepancies {
		v.Discrepancies = append(v.Discrepancies, d.Ledger+": "+s.cat.T(lang, d.Key, d.Args...))
	}
	s.render(w, r, http.StatusOK, "ledger_reconcile", v)
	return nil
}
