package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/flow"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// The product flow pages: the anomalies the flow checks found (list with export, detail
// with evidence, assign, comment, close) and the mass balance per site and period. The
// flow package decides who sees and does what.

func (s *Server) flowRoutes() {
	s.handle("GET /flow/anomalies", s.adapt(s.flowAnomaliesPage))
	s.handle("POST /flow/checks", s.adapt(s.flowChecksSubmit))
	s.handle("GET /flow/anomalies/{id}", s.adapt(s.flowAnomalyPage))
	s.handle("POST /flow/anomalies/{id}/assign", s.adapt(s.flowAnomalyAct("assign")))
	s.handle("POST /flow/anomalies/{id}/comment", s.adapt(s.flowAnomalyAct("comment")))
	s.handle("POST /flow/anomalies/{id}/close", s.adapt(s.flowAnomalyAct("close")))
	s.handle("GET /flow/balance", s.adapt(s.flowBalancePage))
}

func (s *Server) flowSvc() *flow.Service { return &flow.Service{DB: s.db, Now: s.now} }

var anomalyTable = TableSpec[store.FlowAnomaly]{
	Export: "flow.anomalies.title",
	Columns: []Column{{Label: "flow.col.id", Sort: "id", Num: true}, {Label: "flow.col.kind", Sort: "kind"}, {Label: "flow.col.site", Sort: "site"},
		{Label: "flow.col.enterprise", Sort: "enterprise"}, {Label: "flow.col.period", Sort: "period"}, {Label: "flow.col.expected", Num: true},
		{Label: "flow.col.actual", Num: true}, {Label: "flow.col.detail"}, {Label: "flow.col.status", Sort: "status"}, {Label: "flow.col.assignee"}},
}

type flowAnomaliesView struct {
	Page
	Table     TableView
	Kinds     []KV
	Statuses  []KV
	Kind      string
	Status    string
	Site      string
	CanManage bool
	Flash     string
	Errors    map[string]string
	Form      map[string]string
}

func siteLabel(name, uri string) string {
	if name == "" {
		return uri
	}
	return name + "（" + uri + "）"
}

func optTonnes(g *int64) Cell {
	if g == nil {
		return Cell{Value: "", Text: "—"}
	}
	return tonnesCell(*g)
}

func (s *Server) flowAnomaliesPage(w http.ResponseWriter, r *http.Request) error {
	return s.flowAnomaliesRender(w, r, http.StatusOK, nil, nil)
}

func (s *Server) flowAnomaliesRender(w http.ResponseWriter, r *http.Request, status int, form, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	v := r.URL.Query()
	f := store.FlowAnomalyFilter{Kind: v.Get("kind"), Status: v.Get("status"), Site: strings.TrimSpace(v.Get("site"))}
	spec := anomalyTable
	spec.Row = func(a store.FlowAnomaly) []Cell {
		detail := a.DetailZh
		if lang == i18n.En {
			detail = a.DetailEn
		}
		return []Cell{{Value: a.ID, Text: strconv.FormatInt(a.ID, 10), Href: fmt.Sprintf("/flow/anomalies/%d", a.ID), Num: true},
			TextCell(s.cat.T(lang, "flow.kind."+a.Kind)), TextCell(siteLabel(a.SiteZh, a.SiteURI)), TextCell(a.Enterprise), TextCell(a.Period),
			optTonnes(a.ExpectedG), optTonnes(a.ActualG), TextCell(detail), TextCell(s.cat.T(lang, "flow.status."+a.Status)), TextCell(a.Assignee)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.FlowAnomaly], error) {
		return s.flowSvc().Anomalies(r.Context(), p, f, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "anomalies"
	tv.Hidden = []KV{{"kind", f.Kind}, {"status", f.Status}, {"site", f.Site}}
	view := flowAnomaliesView{Page: s.page(w, r, "flow.anomalies.title", Crumb{Label: "flow.anomalies.title"}), Table: tv,
		Kind: f.Kind, Status: f.Status, Site: f.Site, CanManage: p.Can(auth.ManageFlow), Errors: errs, Form: form}
	for _, k := range flow.Kinds {
		view.Kinds = append(view.Kinds, KV{k, s.cat.T(lang, "flow.kind."+k)})
	}
	for _, k := range flow.Statuses {
		view.Statuses = append(view.Statuses, KV{k, s.cat.T(lang, "flow.status."+k)})
	}
	if n := v.Get("found"); n != "" {
		view.Flash = s.cat.T(lang, "flow.checks.done", v.Get("period"), atoi(n), atoi(v.Get("new")))
	}
	s.render(w, r, status, "flow_anomalies", view)
	return nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (s *Server) flowChecksSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	period, site := strings.TrimSpace(r.PostFormValue("period")), strings.TrimSpace(r.PostFormValue("site"))
	rep, err := s.flowSvc().Run(r.Context(), p, site, period)
	if err != nil {
		errs, status, err2 := s.formErrors(s.lang(r), err)
		if err2 != nil {
			return err2
		}
		return s.flowAnomaliesRender(w, r, status, map[string]string{"period": period, "site": site}, errs)
	}
	q := url.Values{"period": {period}, "found": {strconv.Itoa(len(rep.Anomalies))}, "new": {strconv.Itoa(rep.New)}}
	http.Redirect(w, r, "/flow/anomalies?"+q.Encode(), http.StatusSeeOther)
	return nil
}

type flowAnomalyView struct {
	Page
	A         flow.AnomalyDetail
	Kind      string
	StatusTxt string
	Detail    string
	Expected  string
	Actual    string
	Evidence  []KV // hash id → link
	CanManage bool
	Assignees []KV
	Errors    map[string]string
	Flash     string
	Confirm   string
}

func (s *Server) flowAnomalyPage(w http.ResponseWriter, r *http.Request) error {
	return s.flowAnomalyRender(w, r, http.StatusOK, nil)
}

func (s *Server) flowAnomalyRender(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id := pathInt(r, "id")
	d, err := s.flowSvc().Anomaly(r.Context(), p, id)
	if err != nil {
		return err
	}
	v := flowAnomalyView{Page: s.page(w, r, "flow.anomaly.title", Crumb{Label: "flow.anomalies.title", Href: "/flow/anomalies"},
		Crumb{Label: strconv.FormatInt(id, 10)}), A: d, Kind: s.cat.T(lang, "flow.kind."+d.Kind),
		StatusTxt: s.cat.T(lang, "flow.status."+d.Status), Detail: name(lang, d.DetailZh, d.DetailEn), Expected: optTonnes(d.ExpectedG).Text,
		Actual: optTonnes(d.ActualG).Text, CanManage: p.Can(auth.ManageFlow) && d.Status != "closed", Errors: errs,
		Confirm: s.cat.T(lang, "flow.close.confirm", id)}
	for _, h := range d.EvidenceIDs {
		v.Evidence = append(v.Evidence, KV{h, eventHref(h)})
	}
	if v.CanManage {
		us, err := s.db.ListUsers(r.Context(), store.ListQuery{})
		if err != nil {
			return err
		}
		for _, u := range us.Rows {
			if !u.Disabled && (&auth.Principal{Role: auth.Role(u.Role)}).Can(auth.ManageFlow) {
				v.Assignees = append(v.Assignees, KV{strconv.FormatInt(u.ID, 10), u.DisplayName + "（" + u.Username + "）"})
			}
		}
	}
	if done := r.URL.Query().Get("done"); done != "" {
		v.Flash = s.cat.T(lang, "flow.anomaly.done")
	}
	s.render(w, r, status, "flow_anomaly", v)
	return nil
}

func (s *Server) flowAnomalyAct(action string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := requireUser(r)
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		id := pathInt(r, "id")
		switch action {
		case "assign":
			uid, _ := strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
			_, err = s.flowSvc().Assign(r.Context(), p, id, uid)
		case "comment":
			_, err = s.flowSvc().Comment(r.Context(), p, id, r.PostFormValue("body"))
		case "close":
			_, err = s.flowSvc().Close(r.Context(), p, id, r.PostFormValue("reason"))
		}
		if err != nil {
			errs, status, err2 := s.formErrors(s.lang(r), err)
			if err2 != nil {
				return err2
			}
			return s.flowAnomalyRender(w, r, status, errs)
		}
		http.Redirect(w, r, fmt.Sprintf("/flow/anomalies/%d?done=%s", id, action), http.StatusSeeOther)
		return nil
	}
}

var balanceTable = TableSpec[flow.Balance]{
	Export: "flow.balance.title",
	Columns: []Column{{Label: "flow.col.site"}, {Label: "flow.col.site_kind"}, {Label: "flow.col.period"}, {Label: "flow.col.oxide"},
		{Label: "flow.col.in", Num: true}, {Label: "flow.col.out", Num: true}, {Label: "flow.col.opening", Num: true},
		{Label: "flow.col.closing", Num: true}, {Label: "flow.col.residual", Num: true}, {Label: "flow.col.tolerance", Num: true},
		{Label: "flow.col.events", Num: true}, {Label: "flow.col.result"}},
}

type flowBalanceView struct {
	Page
	Table       TableView
	Period      string
	Site        string
	Unconverted []string
	Note        string
}

func (s *Server) flowBalancePage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	period := strings.TrimSpace(r.URL.Query().Get("period"))
	if period == "" {
		period = s.now().In(ledger.ChinaTime).AddDate(0, -1, 0).Format("2006-01")
	}
	site := strings.TrimSpace(r.URL.Query().Get("site"))
	bs, unconv, err := s.flowSvc().Balances(r.Context(), p, site, period)
	if err != nil {
		return err
	}
	spec := balanceTable
	spec.Row = func(b flow.Balance) []Cell {
		result := s.cat.T(lang, "flow.balance.ok")
		if !b.OK {
			result = s.cat.T(lang, "flow.balance.off")
		}
		kind := b.Kind
		if kind != "" {
			kind = s.cat.T(lang, "flow.site."+kind)
		}
		return []Cell{TextCell(siteLabel(b.SiteName, b.Site)), TextCell(kind), TextCell(b.Period), TextCell(b.Oxide), tonnesCell(b.InG),
			tonnesCell(b.OutG), tonnesCell(b.OpeningG), tonnesCell(b.ClosingG), tonnesCell(b.ResidualG), tonnesCell(b.ToleranceG),
			{Value: b.Events, Text: strconv.Itoa(b.Events), Num: true}, TextCell(result)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[flow.Balance], error) {
		return pageOf(bs, q), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID, tv.NoFilter = "balance", true
	s.render(w, r, http.StatusOK, "flow_balance", flowBalanceView{Page: s.page(w, r, "flow.balance.title", Crumb{Label: "flow.balance.title"}),
		Table: tv, Period: period, Site: site, Unconverted: unconv, Note: s.cat.T(lang, "flow.balance.note")})
	return nil
}
