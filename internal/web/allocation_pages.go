package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/allocation"
	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// The supply allocation pages: the rounds, and one round with its rules (tiers, minimum
// guarantees, caps), its result with every enterprise's explanation, a scenario with the
// supply scaled (90%: "the ionic quota falls 10%") showing who loses how much, and the
// button that applies the round to the ledger.

func (s *Server) allocationRoutes() {
	s.handle("GET /allocation", s.adapt(s.roundsPage))
	s.handle("GET /allocation/{id}", s.adapt(s.roundPage))
	s.handle("POST /allocation/{id}/apply", s.adapt(s.roundApply))
	s.allocationRiskRoutes()
	s.allocationRuleRoutes()
}

func (s *Server) allocSvc() *allocation.Service { return allocation.New(s.db, s.now) }

var roundStatusKeys = map[string]string{"draft": "allocation.status.draft", "applied": "allocation.status.applied"}

var roundTable = TableSpec[store.AllocRound]{
	Export: "allocation.rounds.title",
	Columns: []Column{{Label: "allocation.col.code"}, {Label: "allocation.col.name"}, {Label: "quota.col.ledger"},
		{Label: "allocation.col.pool"}, {Label: "allocation.col.supply", Num: true}, {Label: "allocation.col.status"}},
}

func (s *Server) roundsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	rs, err := s.allocSvc().Rounds(r.Context(), p)
	if err != nil {
		return err
	}
	spec := roundTable
	spec.Row = func(x store.AllocRound) []Cell {
		return []Cell{{Value: x.Code, Text: x.Code, Href: "/allocation/" + strconv.FormatInt(x.ID, 10)}, TextCell(x.Name),
			TextCell(s.ledgerName(lang, x.LedgerKey)), TextCell(x.PoolAccount), tonnesCell(x.SupplyG), TextCell(s.cat.T(lang, roundStatusKeys[x.Status]))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.AllocRound], error) { return pageOf(rs, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "rounds"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "allocation.rounds.title", Crumb{Label: "allocation.rounds.title"}),
		Table: tv, Note: s.cat.T(lang, "allocation.rounds.note")})
	return nil
}

type roundView struct {
	Page
	R        allocation.RoundView
	Supply   string
	Scale    int
	Scenario string
	Status   string
	Rules    []ruleRow
	Table    TableView
	CanApply bool
	Flash    string
}

type ruleRow struct {
	Tier, TierName, Enterprise, Requested, Min, Cap, Reason string
}

// shareRow is one enterprise's line of the result.
type shareRow struct {
	allocation.Share
	LossG int64
	Why   string
}

func (s *Server) explain(lang i18n.Lang, steps []allocation.Step) string {
	var out []string
	for _, st := range steps {
		out = append(out, s.cat.T(lang, st.Key, st.Args...))
	}
	return strings.Join(out, "；")
}

func (s *Server) roundPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id := pathInt(r, "id")
	scale := 100
	if v := r.URL.Query().Get("scale"); v != "" {
		if scale, err = strconv.Atoi(v); err != nil {
			return apperr.New(apperr.Invalid, "bad_scale", "allocation.err.scale", v).With("scale", "allocation.err.scale", v)
		}
	}
	svc := s.allocSvc()
	rv, err := svc.Round(r.Context(), p, id)
	if err != nil {
		return err
	}
	out, err := svc.Run(r.Context(), p, id, scale)
	if err != nil {
		return err
	}
	tierNames := map[int]string{}
	for _, t := range rv.Tiers {
		tierNames[t.Tier] = name(lang, t.NameZh, t.NameEn)
	}
	v := roundView{Page: s.page(w, r, "allocation.round.title", Crumb{Label: "allocation.rounds.title", Href: "/allocation"}, Crumb{Label: rv.Code}),
		R: rv, Supply: ledger.FormatTonnes(rv.SupplyG), Scale: scale, CanApply: p.Can(auth.ManageAllocation) && rv.Status == "draft"}
	v.Title = rv.Name
	v.Status = s.cat.T(lang, roundStatusKeys[rv.Status])
	if scale != 100 {
		v.Scenario = s.cat.T(lang, "allocation.scenario.note", scale, ledger.FormatTonnes(allocation.Scaled(rv.SupplyG, scale)))
	}
	for _, q := range rv.Requests {
		c := "—"
		if q.CapG > 0 {
			c = ledger.FormatTonnes(q.CapG)
		}
		v.Rules = append(v.Rules, ruleRow{Tier: strconv.Itoa(q.Tier), TierName: tierNames[q.Tier], Enterprise: q.EnterpriseName,
			Requested: ledger.FormatTonnes(q.RequestedG), Min: ledger.FormatTonnes(q.MinG), Cap: c, Reason: q.Reason})
	}
	rows := []shareRow{}
	for _, sh := range out.Result.Shares {
		rows = append(rows, shareRow{Share: sh, LossG: out.LossG[sh.EnterpriseID], Why: s.explain(lang, sh.Steps)})
	}
	cols := []Column{{Label: "allocation.col.tier", Num: true}, {Label: "quota.col.enterprise"}, {Label: "allocation.col.requested", Num: true},
		{Label: "allocation.col.guarantee", Num: true}, {Label: "allocation.col.pro_rata", Num: true}, {Label: "allocation.col.got", Num: true}}
	if scale != 100 {
		cols = append(cols, Column{Label: "allocation.col.loss", Num: true})
	}
	cols = append(cols, Column{Label: "allocation.col.why"})
	spec := TableSpec[shareRow]{Export: "allocation.result.title", Columns: cols, Row: func(x shareRow) []Cell {
		c := []Cell{{Value: x.Tier, Text: strconv.Itoa(x.Tier), Num: true}, TextCell(x.Name), tonnesCell(x.RequestedG), tonnesCell(x.GuaranteeG),
			tonnesCell(x.ProRataG), tonnesCell(x.GotG)}
		if scale != 100 {
			c = append(c, tonnesCell(x.LossG))
		}
		return append(c, TextCell(x.Why))
	}}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[shareRow], error) { return pageOf(rows, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "allocation"
	v.Table = tv
	if r.URL.Query().Get("done") != "" {
		v.Flash = s.cat.T(lang, "allocation.applied")
	}
	s.render(w, r, http.StatusOK, "allocation_round", v)
	return nil
}

func (s *Server) roundApply(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := pathInt(r, "id")
	if _, err := s.allocSvc().Apply(r.Context(), p, id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/allocation/%d?done=1", id), http.StatusSeeOther)
	return nil
}
