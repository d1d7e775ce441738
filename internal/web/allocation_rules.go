package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/allocation"
	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
)

// Editing a draft round's rules on the page (planners and regulators): the tiers and the
// requests with their minimum guarantees and caps are one form saved at once; a request or
// a tier is deleted by its own button behind a confirmation. Errors come back at their row
// and field, and a refused save writes nothing.

func (s *Server) allocationRuleRoutes() {
	s.handle("GET /allocation/{id}/rules", s.adapt(s.roundRulesForm))
	s.handle("POST /allocation/{id}/rules", s.adapt(s.roundRulesSubmit))
	s.handle("POST /allocation/{id}/requests/{ent}/delete", s.adapt(s.roundRequestDelete))
	s.handle("POST /allocation/{id}/tiers/{tier}/delete", s.adapt(s.roundTierDelete))
}

type tierRow struct {
	Tier, NameZh, NameEn string
	Errs                 map[string]string
	Delete               string // the delete action, "" on the blank row
}

type reqRow struct {
	Account, Tier, Requested, Min, Cap, Reason string
	Name                                       string
	Errs                                       map[string]string
	Delete                                     string
}

type rulesFormView struct {
	Page
	R        allocation.RuleForm
	Tiers    []tierRow
	Requests []reqRow
	Accounts []KV
	Error    string
	Flash    string
	Action   string
	Back     string
}

// plainTonnes is a stored amount as the form shows it (no unit; 0 as empty).
func plainTonnes(g int64) string {
	if g == 0 {
		return ""
	}
	return strings.TrimSuffix(ledger.FormatTonnes(g), " t")
}

func (s *Server) roundRulesForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f, err := s.allocSvc().EditRules(r.Context(), p, pathInt(r, "id"))
	if err != nil {
		return err
	}
	ts, rs := ruleRows(f)
	flash := ""
	if key, ok := map[string]string{"saved": "allocedit.saved", "request_deleted": "allocedit.request_deleted",
		"tier_deleted": "allocedit.tier_deleted"}[r.URL.Query().Get("ok")]; ok {
		flash = s.cat.T(s.lang(r), key)
	}
	return s.renderRulesForm(w, r, http.StatusOK, f, ts, rs, "", flash)
}

func (s *Server) renderRulesForm(w http.ResponseWriter, r *http.Request, status int, f allocation.RuleForm, ts []tierRow, rs []reqRow, errMsg, flash string) error {
	lang := s.lang(r)
	base := fmt.Sprintf("/allocation/%d", f.ID)
	names := map[string]string{}
	v := rulesFormView{R: f, Error: errMsg, Flash: flash, Action: base + "/rules", Back: base}
	for _, a := range f.Accounts {
		names[a.Code] = a.Name
		v.Accounts = append(v.Accounts, KV{Key: a.Code, Value: a.Code + " " + a.Name})
	}
	saved := map[string]bool{}
	for _, q := range f.Requests {
		saved[q.Account] = true
	}
	savedTier := map[int]bool{}
	for _, t := range f.Tiers {
		savedTier[t.Tier] = true
	}
	for _, t := range ts {
		if n, err := strconv.Atoi(t.Tier); err == nil && savedTier[n] {
			t.Delete = fmt.Sprintf("%s/tiers/%d/delete", base, n)
		}
		v.Tiers = append(v.Tiers, t)
	}
	for _, q := range rs {
		for _, x := range f.Requests {
			if x.Account == q.Account && saved[q.Account] {
				q.Delete = fmt.Sprintf("%s/requests/%d/delete", base, x.EnterpriseID)
				if q.Name == "" {
					q.Name = x.EnterpriseName
				}
			}
		}
		v.Requests = append(v.Requests, q)
	}
	// A blank row of each to add one.
	v.Tiers = append(v.Tiers, tierRow{})
	v.Requests = append(v.Requests, reqRow{})
	v.Page = s.page(w, r, "allocedit.title", Crumb{Label: "allocation.rounds.title", Href: "/allocation"}, Crumb{Label: f.Code, Href: base},
		Crumb{Label: "allocedit.title"})
	v.Title = s.cat.T(lang, "allocedit.title") + " · " + f.Name
	s.render(w, r, status, "allocation_rules", v)
	return nil
}

// rowErrors spreads a refused save's field problems ("tiers[0].name_zh") over the rows.
func (s *Server) rowErrors(r *http.Request, e *apperr.Error, ts []tierRow, rs []reqRow) {
	lang := s.lang(r)
	for _, fe := range e.Fields {
		list, rest, ok := strings.Cut(fe.Name, "[")
		if !ok {
			continue
		}
		idx, field, _ := strings.Cut(rest, "].")
		i, err := strconv.Atoi(idx)
		if err != nil {
			continue
		}
		msg := s.cat.T(lang, fe.Key, fe.Args...)
		switch {
		case list == "tiers" && i < len(ts):
			if ts[i].Errs == nil {
				ts[i].Errs = map[string]string{}
			}
			ts[i].Errs[field] = msg
		case list == "requests" && i < len(rs):
			if rs[i].Errs == nil {
				rs[i].Errs = map[string]string{}
			}
			rs[i].Errs[field] = msg
		}
	}
}

func (s *Server) roundRulesSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	id := pathInt(r, "id")
	svc := s.allocSvc()
	f, err := svc.EditRules(r.Context(), p, id)
	if err != nil {
		return err
	}
	pf := r.PostForm
	at := func(k string, i int) string {
		if vs := pf[k]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	var ts []tierRow
	var tiers []allocation.TierIn
	for i := range pf["tier"] {
		row := tierRow{Tier: at("tier", i), NameZh: at("tier_name_zh", i), NameEn: at("tier_name_en", i)}
		if row.Tier == "" && row.NameZh == "" && row.NameEn == "" {
			continue // the blank row
		}
		n, _ := strconv.Atoi(row.Tier) // not a number: tier 0, refused as invalid
		ts = append(ts, row)
		tiers = append(tiers, allocation.TierIn{Tier: n, NameZh: row.NameZh, NameEn: row.NameEn})
	}
	var rs []reqRow
	var reqs []allocation.RequestIn
	for i := range pf["account"] {
		row := reqRow{Account: at("account", i), Tier: at("req_tier", i), Requested: at("requested_t", i), Min: at("min_t", i),
			Cap: at("cap_t", i), Reason: at("reason", i)}
		if row.Account == "" && row.Requested == "" {
			continue
		}
		n, _ := strconv.Atoi(row.Tier)
		rs = append(rs, row)
		reqs = append(reqs, allocation.RequestIn{Account: row.Account, Tier: n, RequestedT: row.Requested, MinT: row.Min, CapT: row.Cap, Reason: row.Reason})
	}
	if err := svc.SetRulesByAccount(r.Context(), p, id, tiers, reqs); err != nil {
		e := apperr.From(err)
		if e.Kind != apperr.Invalid && e.Kind != apperr.Conflict {
			return err
		}
		s.rowErrors(r, e, ts, rs)
		return s.renderRulesForm(w, r, e.Kind.Status(), f, ts, rs, s.cat.T(s.lang(r), e.Key, e.Args...), "")
	}
	http.Redirect(w, r, fmt.Sprintf("/allocation/%d/rules?ok=saved", id), http.StatusSeeOther)
	return nil
}

func (s *Server) roundRequestDelete(w http.ResponseWriter, r *http.Request) error {
	return s.roundRuleDelete(w, r, "request_deleted", func(p *auth.Principal, id int64) error {
		return s.allocSvc().RemoveRequest(r.Context(), p, id, pathInt(r, "ent"))
	})
}

func (s *Server) roundTierDelete(w http.ResponseWriter, r *http.Request) error {
	return s.roundRuleDelete(w, r, "tier_deleted", func(p *auth.Principal, id int64) error {
		return s.allocSvc().RemoveTier(r.Context(), p, id, int(pathInt(r, "tier")))
	})
}

// roundRuleDelete runs a delete and shows a refusal (a tier still in use) on the form.
func (s *Server) roundRuleDelete(w http.ResponseWriter, r *http.Request, ok string, del func(*auth.Principal, int64) error) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := pathInt(r, "id")
	if err := del(p, id); err != nil {
		e := apperr.From(err)
		if e.Kind != apperr.Conflict {
			return err
		}
		r2 := r.Clone(r.Context())
		r2.Method, r2.URL.RawQuery = http.MethodGet, ""
		f, ferr := s.allocSvc().EditRules(r.Context(), p, id)
		if ferr != nil {
			return ferr
		}
		ts, rs := ruleRows(f)
		return s.renderRulesForm(w, r2, e.Kind.Status(), f, ts, rs, s.cat.T(s.lang(r), e.Key, e.Args...), "")
	}
	http.Redirect(w, r, fmt.Sprintf("/allocation/%d/rules?ok=%s", id, ok), http.StatusSeeOther)
	return nil
}

// ruleRows are a round's stored rules as form rows.
func ruleRows(f allocation.RuleForm) ([]tierRow, []reqRow) {
	var ts []tierRow
	for _, t := range f.Tiers {
		ts = append(ts, tierRow{Tier: strconv.Itoa(t.Tier), NameZh: t.NameZh, NameEn: t.NameEn})
	}
	var rs []reqRow
	for _, q := range f.Requests {
		rs = append(rs, reqRow{Account: q.Account, Tier: strconv.Itoa(q.Tier), Requested: plainTonnes(q.RequestedG), Min: plainTonnes(q.MinG),
			Cap: plainTonnes(q.CapG), Reason: q.Reason, Name: q.EnterpriseName})
	}
	return ts, rs
}
