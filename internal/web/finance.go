package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/finance"
	"zhanxin/internal/i18n"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The finance pages: funds with the raised total the article gives, commitments and
// investments into enterprises and projects, financing instruments, and the listing
// pipeline with its stage history. The finance package decides; these handlers format.

func (s *Server) financeRoutes() {
	s.handle("GET /finance/funds", s.adapt(s.finFundsPage))
	s.handle("GET /finance/investments", s.adapt(s.finInvestmentsPage))
	s.handle("POST /finance/investments", s.adapt(s.finAddInvestment))
	s.handle("GET /finance/financings", s.adapt(s.finFinancingsPage))
	s.handle("POST /finance/financings", s.adapt(s.finAddFinancing))
	s.handle("GET /finance/listing", s.adapt(s.finListingPage))
	s.handle("POST /finance/listing", s.adapt(s.finSetStage))
}

func (s *Server) finService() *finance.Service { return &finance.Service{DB: s.db, Now: s.now} }

var (
	finFundKindKeys   = map[string]string{"equity": "fin.fund.equity", "industry": "fin.fund.industry", "venture": "fin.fund.venture", "guidance": "fin.fund.guidance"}
	finFundStatusKeys = map[string]string{"proposed": "fin.fund.proposed", "raising": "fin.fund.raising", "operating": "fin.fund.operating", "closed": "fin.fund.closed"}
	finInvKindKeys    = map[string]string{"commitment": "fin.inv.commitment", "investment": "fin.inv.investment"}
	finFinKindKeys    = map[string]string{"bond": "fin.kind.bond", "mtn": "fin.kind.mtn", "scf": "fin.kind.scf", "loan": "fin.kind.loan", "equity": "fin.kind.equity"}
	finStageKeys      = map[string]string{"reserve": "fin.stage.reserve", "tutoring": "fin.stage.tutoring", "filed": "fin.stage.filed", "listed": "fin.stage.listed"}
)

// finMoney writes 万元 millionths with the unit: "12,345.5 万元".
func finMoney(v int64) string { return groupDigits(stats.Micro(v).String()) + " 万元" }

// finMoneyValue is the export value: a number of 万元 (the header names the unit).
func finMoneyValue(v int64) any { return stats.Micro(v).Float() }

type finRaisedView struct {
	Value, Period, Source, Quote string
}

type finFundsView struct {
	Page
	Table  TableView
	Raised []finRaisedView
}

func (s *Server) finFundsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	o, err := s.finService().Funds(r.Context(), p)
	if err != nil {
		return err
	}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	spec := TableSpec[store.Fund]{Export: "fin.funds.title", Columns: []Column{{Label: "fin.col.fund", Sort: "name"}, {Label: "fin.col.fund_kind"},
		{Label: "fin.col.fund_status"}, {Label: "fin.col.size", Num: true}, {Label: "cult.col.note"}, {Label: "fin.col.quote"}, {Label: "common.source"}}}
	spec.Row = func(f store.Fund) []Cell {
		size := Cell{Value: s.cat.T(lang, "fin.size_unknown"), Text: s.cat.T(lang, "fin.size_unknown")}
		if f.Size != nil {
			size = Cell{Value: finMoneyValue(*f.Size), Text: finMoney(*f.Size), Num: true}
		}
		return []Cell{TextCell(name(lang, f.NameZh, f.NameEn)), TextCell(s.cat.T(lang, finFundKindKeys[f.Kind])),
			TextCell(s.cat.T(lang, finFundStatusKeys[f.Status])), size, TextCell(f.Note), TextCell(f.Quote), TextCell(src(f.Source))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Fund], error) {
		return store.SlicePage(o.Funds, q, map[string]func(a, b store.Fund) int{
			"name": func(a, b store.Fund) int { return strings.Compare(a.NameZh, b.NameZh) },
		}, func(f store.Fund) string { return f.NameZh + " " + f.NameEn + " " + f.Note }), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "funds"
	v := finFundsView{Page: s.page(w, r, "fin.funds.title", Crumb{Label: "fin.funds.title"}), Table: tv}
	for _, f := range o.Raised {
		v.Raised = append(v.Raised, finRaisedView{Value: groupDigits(stats.Micro(f.Value).String()) + " 亿元", Period: f.Period,
			Source: src(f.Source), Quote: f.Quote})
	}
	s.render(w, r, http.StatusOK, "fin_funds", v)
	return nil
}

type finFormView struct {
	Page
	Table       TableView
	CanManage   bool
	Funds       []cultOption
	Enterprises []cultOption
	Kinds       []cultOption
	Units       []string
}

func (s *Server) finForm(r *http.Request, p *auth.Principal, lang i18n.Lang, v *finFormView, kinds []string, keys map[string]string) error {
	v.CanManage = p.Can(auth.ManageFinance)
	if !v.CanManage {
		return nil
	}
	v.Units = finance.MoneyUnits
	fs, err := s.db.Funds(r.Context())
	if err != nil {
		return err
	}
	for _, f := range fs {
		v.Funds = append(v.Funds, cultOption{Value: f.Code, Label: name(lang, f.NameZh, f.NameEn)})
	}
	ents, err := s.db.AllEnterprises(r.Context(), auth.EnterprisesVisibleTo(p))
	if err != nil {
		return err
	}
	for _, e := range ents {
		v.Enterprises = append(v.Enterprises, cultOption{Value: strconv.FormatInt(e.ID, 10), Label: e.NameZh})
	}
	for _, k := range kinds {
		v.Kinds = append(v.Kinds, cultOption{Value: k, Label: s.cat.T(lang, keys[k])})
	}
	return nil
}

func queryID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return id
}

func (s *Server) finInvestmentsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	f := store.InvestmentFilter{FundCode: r.URL.Query().Get("fund"), EnterpriseID: queryID(r, "enterprise_id"), ProjectID: queryID(r, "project_id")}
	spec := TableSpec[store.FundInvestment]{Export: "fin.investments.title", Columns: []Column{{Label: "cult.col.id", Sort: "id", Num: true},
		{Label: "fin.col.fund", Sort: "fund"}, {Label: "fin.col.inv_kind", Sort: "kind"}, {Label: "fin.col.target"}, {Label: "fin.col.amount", Sort: "amount", Num: true},
		{Label: "fin.col.date", Sort: "date"}, {Label: "cult.col.note"}, {Label: "common.source"}}}
	spec.Row = func(v store.FundInvestment) []Cell {
		target := Cell{Value: v.Target, Text: v.Target}
		if v.EnterpriseID != 0 {
			target.Text = s.cat.T(lang, "fin.target.enterprise", v.Target)
			target.Value = target.Text
		} else {
			target.Text = s.cat.T(lang, "fin.target.project", v.Target)
			target.Value = target.Text
		}
		return []Cell{{Value: v.ID, Text: strconv.FormatInt(v.ID, 10), Num: true}, TextCell(v.Fund), TextCell(s.cat.T(lang, finInvKindKeys[v.Kind])),
			target, {Value: finMoneyValue(v.Amount), Text: finMoney(v.Amount), Num: true}, TextCell(v.Date), TextCell(v.Note), TextCell(v.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.FundInvestment], error) {
		return s.finService().Investments(r.Context(), p, f, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "investments"
	v := finFormView{Page: s.page(w, r, "fin.investments.title", Crumb{Label: "fin.investments.title"}), Table: tv}
	if err := s.finForm(r, p, lang, &v, finance.InvestmentKinds, finInvKindKeys); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "fin_investments", v)
	return nil
}

func (s *Server) finAddInvestment(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	_, err = s.finService().AddInvestment(r.Context(), p, finance.NewInvestment{FundCode: r.PostFormValue("fund"), Kind: r.PostFormValue("kind"),
		EnterpriseID: formInt(r, "enterprise_id"), ProjectID: formInt(r, "project_id"), Amount: r.PostFormValue("amount"), Unit: r.PostFormValue("unit"),
		Date: r.PostFormValue("date"), Note: r.PostFormValue("note"), Source: r.PostFormValue("source")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/finance/investments", http.StatusSeeOther)
	return nil
}

func (s *Server) finFinancingsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := TableSpec[store.Financing]{Export: "fin.financings.title", Columns: []Column{{Label: "cult.col.id", Sort: "id", Num: true},
		{Label: "enterprises.name", Sort: "enterprise"}, {Label: "fin.col.fin_kind", Sort: "kind"}, {Label: "fin.col.amount", Sort: "amount", Num: true},
		{Label: "fin.col.issued", Sort: "issued"}, {Label: "fin.col.matures"}, {Label: "cult.col.note"}, {Label: "common.source"}}}
	spec.Row = func(f store.Financing) []Cell {
		return []Cell{{Value: f.ID, Text: strconv.FormatInt(f.ID, 10), Num: true}, TextCell(f.Enterprise), TextCell(s.cat.T(lang, finFinKindKeys[f.Kind])),
			{Value: finMoneyValue(f.Amount), Text: finMoney(f.Amount), Num: true}, TextCell(f.IssuedOn), TextCell(f.MaturesOn), TextCell(f.Note), TextCell(f.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Financing], error) {
		return s.finService().Financings(r.Context(), p, queryID(r, "enterprise_id"), q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "financings"
	v := finFormView{Page: s.page(w, r, "fin.financings.title", Crumb{Label: "fin.financings.title"}), Table: tv}
	if err := s.finForm(r, p, lang, &v, finance.FinancingKinds, finFinKindKeys); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "fin_financings", v)
	return nil
}

func (s *Server) finAddFinancing(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	_, err = s.finService().AddFinancing(r.Context(), p, finance.NewFinancing{EnterpriseID: formInt(r, "enterprise_id"), Kind: r.PostFormValue("kind"),
		Amount: r.PostFormValue("amount"), Unit: r.PostFormValue("unit"), IssuedOn: r.PostFormValue("issued_on"), MaturesOn: r.PostFormValue("matures_on"),
		Note: r.PostFormValue("note"), Source: r.PostFormValue("source")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/finance/financings", http.StatusSeeOther)
	return nil
}

func (s *Server) finListingPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := TableSpec[finance.Pipeline]{Export: "fin.listing.title", Columns: []Column{{Label: "enterprises.name", Sort: "enterprise"},
		{Label: "fin.col.stage", Sort: "stage"}, {Label: "fin.col.since", Sort: "date"}, {Label: "fin.col.history"}, {Label: "common.source"}}}
	spec.Row = func(pl finance.Pipeline) []Cell {
		var steps []string
		for _, h := range pl.History {
			step := fmt.Sprintf("%s %s", h.Date, s.cat.T(lang, finStageKeys[h.Stage]))
			if h.Reason != "" {
				step += s.cat.T(lang, "fin.stage.reason", h.Reason)
			}
			steps = append(steps, step)
		}
		hist := strings.Join(steps, " → ")
		return []Cell{TextCell(pl.Enterprise), TextCell(s.cat.T(lang, finStageKeys[pl.Current.Stage])), TextCell(pl.Current.Date),
			TextCell(hist), TextCell(pl.Current.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[finance.Pipeline], error) {
		return s.finService().Pipelines(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "listing"
	v := finFormView{Page: s.page(w, r, "fin.listing.title", Crumb{Label: "fin.listing.title"}), Table: tv}
	if err := s.finForm(r, p, lang, &v, finance.Stages, finStageKeys); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "fin_listing", v)
	return nil
}

func (s *Server) finSetStage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	_, err = s.finService().SetStage(r.Context(), p, finance.NewStage{EnterpriseID: formInt(r, "enterprise_id"), Stage: r.PostFormValue("stage"),
		Date: r.PostFormValue("date"), Reason: r.PostFormValue("reason"), Source: r.PostFormValue("source")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/finance/listing", http.StatusSeeOther)
	return nil
}
