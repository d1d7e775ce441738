package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
)

// The chain pages: the list of chains, one chain as a graph by stage columns with its links'
// computed strength in a table, one link with its enterprises, and the strength settings.
// The chain package decides who may see and change what; these handlers only format.

func (s *Server) chainRoutes() {
	s.handle("GET /chains", s.adapt(s.chainsPage))
	s.handle("GET /chains/settings", s.adapt(s.chainSettingsPage))
	s.handle("POST /chains/settings", s.adapt(s.chainSettingsSave))
	s.handle("GET /chains/{code}", s.adapt(s.chainPage))
	s.handle("POST /chains/{code}/links", s.adapt(s.chainLinkCreate))
	s.handle("POST /chains/{code}/edges", s.adapt(s.chainEdgeCreate))
	s.handle("POST /chains/{code}/edges/delete", s.adapt(s.chainEdgeDelete))
	s.handle("POST /chains/{code}/placements", s.adapt(s.chainPlace))
	s.handle("GET /chains/{code}/links/{id}", s.adapt(s.chainLinkPage))
	s.handle("POST /chains/{code}/links/{id}", s.adapt(s.chainLinkUpdate))
	s.handle("POST /chains/{code}/links/{id}/delete", s.adapt(s.chainLinkDelete))
	s.handle("POST /chains/{code}/links/{id}/unplace", s.adapt(s.chainUnplace))
}

func (s *Server) chainService() *chain.Service { return &chain.Service{DB: s.db, Now: s.now} }

// memTable serves a table of rows computed in memory with the same sort, filter, paging
// and export as the store-backed tables.
func memTable[T any](s *Server, w http.ResponseWriter, r *http.Request, spec TableSpec[T], rows []T,
	sorts map[string]func(a, b T) int, text func(T) string) (TableView, bool, error) {
	return serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[T], error) {
		out := rows
		if f := strings.ToLower(strings.TrimSpace(q.Filter)); f != "" {
			out = nil
			for _, x := range rows {
				if strings.Contains(strings.ToLower(text(x)), f) {
					out = append(out, x)
				}
			}
		}
		if by, ok := sorts[q.Sort]; ok {
			out = slices.Clone(out)
			slices.SortStableFunc(out, func(a, b T) int {
				if q.Desc {
					return by(b, a)
				}
				return by(a, b)
			})
		}
		p := store.Page[T]{Total: len(out)}
		lo := min(q.Offset, len(out))
		hi := len(out)
		if q.Limit > 0 {
			hi = min(lo+q.Limit, len(out))
		}
		p.Rows = out[lo:hi]
		return p, nil
	})
}

var chainListColumns = []Column{{Label: "chain.col.name", Sort: "name"}, {Label: "chain.col.industry", Sort: "industry"},
	{Label: "chain.col.acyclic"}, {Label: "common.source"}, {Label: "chain.col.quote"}}

type chainsView struct {
	Page
	Table   TableView
	CanEdit bool
}

func (s *Server) chainsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	inds, err := s.industryNames(r, lang)
	if err != nil {
		return err
	}
	spec := TableSpec[store.Chain]{Export: "chain.list_title", Columns: chainListColumns, Row: func(c store.Chain) []Cell {
		yes := s.cat.T(lang, "chain.acyclic.yes")
		if !c.Acyclic {
			yes = s.cat.T(lang, "chain.acyclic.no")
		}
		return []Cell{{Value: name(lang, c.NameZh, c.NameEn), Text: name(lang, c.NameZh, c.NameEn), Href: "/chains/" + url.PathEscape(c.Code)},
			TextCell(inds[c.IndustryCode]), TextCell(yes), TextCell(c.Source), TextCell(c.Note)}
	}}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Chain], error) {
		return s.chainService().List(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "chain-list"
	s.render(w, r, http.StatusOK, "chains", chainsView{Page: s.page(w, r, "chain.list_title", Crumb{Label: "chain.list_title"}),
		Table: tv, CanEdit: p.Can(auth.EditChains)})
	return nil
}

func (s *Server) industryNames(r *http.Request, lang i18n.Lang) (map[string]string, error) {
	all, err := s.db.Industries(r.Context())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, i := range all {
		out[i.Code] = name(lang, i.NameZh, i.NameEn)
	}
	return out, nil
}

// chainStatusKeys and chainStrategyKeys label the computed status and strategy.
var chainStatusKeys = map[string]string{chain.Gap: "chain.status.gap", chain.Weak: "chain.status.weak", chain.Strong: "chain.status.strong"}
var chainStrategyKeys = map[string]string{"fill": "chain.strategy.fill", "strengthen": "chain.strategy.strengthen", "extend": "chain.strategy.extend"}

var chainLinkColumns = []Column{{Label: "chain.col.stage", Sort: "stage", Num: true}, {Label: "chain.col.link", Sort: "name"},
	{Label: "chain.col.industry"}, {Label: "chain.col.enterprises"}, {Label: "chain.col.count", Sort: "count", Num: true},
	{Label: "chain.col.leader"}, {Label: "chain.col.output", Sort: "output", Num: true}, {Label: "chain.col.share", Sort: "share", Num: true},
	{Label: "chain.col.lq", Sort: "lq", Num: true}, {Label: "chain.col.rank", Num: true}, {Label: "chain.col.status", Sort: "status"},
	{Label: "chain.col.strategy"}, {Label: "chain.col.reason"}, {Label: "chain.col.delete", NoExport: true}}

var chainEdgeColumns = []Column{{Label: "chain.col.from"}, {Label: "chain.col.to"}, {Label: "chain.col.kind"},
	{Label: "chain.col.delete", NoExport: true}}

// graphJSON is what static/chains.js draws.
type graphJSON struct {
	Nodes  []graphNode   `json:"nodes"`
	Edges  []graphEdge   `json:"edges"`
	Stages int           `json:"stages"`
	Labels []graphStatus `json:"statuses"`
}

type graphNode struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Stage  int    `json:"stage"`
	Status string `json:"status"`
	Text   string `json:"text"` // the tooltip: enterprises, 链主, output, LQ, status
	Href   string `json:"href"`
}

type graphEdge struct {
	From, To string
	Feedback bool
}

func (e graphEdge) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"source": e.From, "target": e.To, "feedback": e.Feedback})
}

type graphStatus struct {
	Status string `json:"status"`
	Label  string `json:"label"`
}

type chainOpt struct{ Value, Label string }

// chainForms are the edit forms of a chain page, as entered, with their errors.
type chainForms struct {
	Link   map[string]string
	Edge   map[string]string
	Place  map[string]string
	Errors map[string]map[string]string // form → field → message
}

type edgeTableView struct {
	Page
	Table TableView
}

type chainView struct {
	Page
	Chain      store.Chain
	Name       string
	Industry   string
	Period     string
	Unit       string
	Indicator  string
	Region     string
	Reference  string
	Settings   chain.Settings
	Counts     []countView
	GraphJSON  string
	Table      TableView
	Edges      edgeTableView
	CanEdit    bool
	Forms      chainForms
	Links      []chainOpt
	Industries []chainOpt
	Flash      string
}

func (s *Server) fmtNum(v float64, decimals int) string {
	return groupDigits(strconv.FormatFloat(v, 'f', decimals, 64))
}

func (s *Server) chainPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderChain(w, r, http.StatusOK, chainForms{})
}

func (s *Server) renderChain(w http.ResponseWriter, r *http.Request, status int, forms chainForms) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	code := r.PathValue("code")
	a, err := s.chainService().Analyse(r.Context(), p, code)
	if err != nil {
		return err
	}
	inds, err := s.industryNames(r, lang)
	if err != nil {
		return err
	}
	kindKey := map[string]string{"flow": "chain.kind.flow", "feedback": "chain.kind.feedback"}
	names := map[int64]string{}
	for _, l := range a.Graph.Links {
		names[l.ID] = name(lang, l.NameZh, l.NameEn)
	}
	canEdit := p.Can(auth.EditChains)
	base := "/chains/" + url.PathEscape(code)
	na := s.cat.T(lang, "chain.no_reference")
	cellOf := func(l chain.LinkStrength) []Cell {
		var ents []string
		for _, e := range l.Enterprises {
			ents = append(ents, e.NameZh)
		}
		out := Cell{Value: nil, Text: "—", Num: true}
		if l.HasOutput {
			out = Cell{Value: l.Output, Text: s.fmtNum(l.Output, 2) + " " + a.Unit, Num: true}
		}
		share := Cell{Value: nil, Text: "—", Num: true}
		if l.Share != nil {
			share = Cell{Value: *l.Share * 100, Text: s.fmtNum(*l.Share*100, 1) + "%", Num: true}
		}
		lq := Cell{Value: na, Text: na, Num: true}
		if l.LQ != nil {
			lq = Cell{Value: *l.LQ, Text: s.fmtNum(*l.LQ, 2), Num: true}
		}
		rank := Cell{Value: nil, Text: "—", Num: true}
		if l.Quantile != nil {
			rank = Cell{Value: *l.Quantile * 100, Text: s.fmtNum(*l.Quantile*100, 0) + "%", Num: true}
		}
		var reasons []string
		for _, x := range l.Reasons {
			reasons = append(reasons, s.cat.T(lang, x.Key, x.Args...))
		}
		del := Cell{}
		if canEdit {
			del.Action = &CellAction{Post: fmt.Sprintf("%s/links/%d/delete", base, l.Link.ID), Label: s.cat.T(lang, "chain.delete"),
				Confirm: s.cat.T(lang, "chain.confirm_delete_link", l.Link.NameZh), Danger: true}
		}
		return []Cell{{Value: l.Link.Stage, Text: strconv.Itoa(l.Link.Stage), Num: true},
			{Value: names[l.Link.ID], Text: names[l.Link.ID], Href: fmt.Sprintf("%s/links/%d", base, l.Link.ID)},
			TextCell(inds[l.Link.IndustryCode]), TextCell(strings.Join(ents, "、")), {Value: l.Count, Text: strconv.Itoa(l.Count), Num: true},
			TextCell(l.Leader), out, share, lq, rank, TextCell(s.cat.T(lang, chainStatusKeys[l.Status])),
			TextCell(s.cat.T(lang, chainStrategyKeys[l.Strategy()])), TextCell(strings.Join(reasons, " ")), del}
	}
	if r.URL.Query().Get("table") == "edges" {
		// The edge table's own export: ?table=edges&format=xlsx|csv.
		espec := TableSpec[store.ChainEdge]{Export: "chain.edges_export", Columns: chainEdgeColumns, Row: func(e store.ChainEdge) []Cell {
			return []Cell{TextCell(names[e.From]), TextCell(names[e.To]), TextCell(s.cat.T(lang, kindKey[e.Kind])), {}}
		}}
		_, _, err := memTable(s, w, r, espec, a.Graph.Edges, nil, func(store.ChainEdge) string { return "" })
		return err
	}
	spec := TableSpec[chain.LinkStrength]{Export: "chain.links_export", Columns: chainLinkColumns, Row: cellOf}
	f64 := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	sorts := map[string]func(a, b chain.LinkStrength) int{
		"stage":  func(a, b chain.LinkStrength) int { return cmp.Compare(a.Link.Stage, b.Link.Stage) },
		"name":   func(a, b chain.LinkStrength) int { return cmp.Compare(a.Link.NameZh, b.Link.NameZh) },
		"count":  func(a, b chain.LinkStrength) int { return cmp.Compare(a.Count, b.Count) },
		"output": func(a, b chain.LinkStrength) int { return cmp.Compare(a.Output, b.Output) },
		"share":  func(a, b chain.LinkStrength) int { return cmp.Compare(f64(a.Share), f64(b.Share)) },
		"lq":     func(a, b chain.LinkStrength) int { return cmp.Compare(f64(a.LQ), f64(b.LQ)) },
		"status": func(a, b chain.LinkStrength) int { return cmp.Compare(a.Status, b.Status) },
	}
	text := func(l chain.LinkStrength) string {
		t := l.Link.NameZh + " " + l.Link.NameEn + " " + l.Link.IndustryCode + " " + s.cat.T(lang, chainStatusKeys[l.Status])
		for _, e := range l.Enterprises {
			t += " " + e.NameZh
		}
		return t
	}
	tv, done, err := memTable(s, w, r, spec, a.Links, sorts, text)
	if err != nil || done {
		return err
	}
	tv.TestID = "chain-links"

	v := chainView{Page: s.page(w, r, "chain.title", Crumb{Label: "chain.list_title", Href: "/chains"}, Crumb{Label: name(lang, a.Chain.NameZh, a.Chain.NameEn)}),
		Chain: a.Chain, Name: name(lang, a.Chain.NameZh, a.Chain.NameEn), Industry: inds[a.Chain.IndustryCode], Period: a.Period,
		Unit: a.Unit, Indicator: a.Settings.Indicator, Settings: a.Settings, Table: tv, CanEdit: canEdit, Forms: forms}
	v.Page.Title = v.Name
	if g, err := s.db.RegionByCode(r.Context(), a.Settings.Region); err == nil {
		v.Region = name(lang, g.NameZh, g.NameEn)
	}
	if g, err := s.db.RegionByCode(r.Context(), a.Settings.Reference); err == nil {
		v.Reference = name(lang, g.NameZh, g.NameEn)
	}
	for _, st := range []string{chain.Gap, chain.Weak, chain.Strong} {
		v.Counts = append(v.Counts, countView{Label: s.cat.T(lang, chainStatusKeys[st]), Class: "chain-" + st, N: a.Counts[st]})
	}
	// The graph: one node per link, placed by stage; the tooltip repeats the table's figures.
	gj := graphJSON{}
	for _, st := range []string{chain.Gap, chain.Weak, chain.Strong} {
		gj.Labels = append(gj.Labels, graphStatus{st, s.cat.T(lang, chainStatusKeys[st])})
	}
	for _, l := range a.Links {
		row := cellOf(l)
		tip := []string{s.cat.T(lang, "chain.col.industry") + "：" + row[2].Text,
			s.cat.T(lang, "chain.col.enterprises") + "：" + cmp.Or(row[3].Text, "—"),
			s.cat.T(lang, "chain.col.leader") + "：" + cmp.Or(row[5].Text, "—"),
			s.cat.T(lang, "chain.col.output") + "：" + row[6].Text, s.cat.T(lang, "chain.col.lq") + "：" + row[8].Text,
			s.cat.T(lang, "chain.col.status") + "：" + row[10].Text + " · " + row[11].Text}
		gj.Nodes = append(gj.Nodes, graphNode{ID: strconv.FormatInt(l.Link.ID, 10), Name: names[l.Link.ID], Stage: l.Link.Stage,
			Status: l.Status, Text: strings.Join(tip, "\n"), Href: fmt.Sprintf("%s/links/%d", base, l.Link.ID)})
		gj.Stages = max(gj.Stages, l.Link.Stage+1)
	}
	for _, e := range a.Graph.Edges {
		gj.Edges = append(gj.Edges, graphEdge{From: strconv.FormatInt(e.From, 10), To: strconv.FormatInt(e.To, 10), Feedback: e.Kind == "feedback"})
	}
	b, err := json.Marshal(gj)
	if err != nil {
		return err
	}
	v.GraphJSON = string(b)

	// The edges as a second table, so that each can be removed (with confirmation).
	var erows [][]Cell
	for _, e := range a.Graph.Edges {
		del := Cell{}
		if canEdit {
			del.Action = &CellAction{Post: base + "/edges/delete", Label: s.cat.T(lang, "chain.delete"), Danger: true,
				Confirm: s.cat.T(lang, "chain.confirm_delete_edge", names[e.From], names[e.To]),
				Hidden:  []KV{{"from", strconv.FormatInt(e.From, 10)}, {"to", strconv.FormatInt(e.To, 10)}}}
		}
		erows = append(erows, []Cell{TextCell(names[e.From]), TextCell(names[e.To]), TextCell(s.cat.T(lang, kindKey[e.Kind])), del})
	}
	v.Edges = edgeTableView{Page: v.Page, Table: TableView{Rows: erows, Total: len(erows), Page: 1, Pages: 1, NoFilter: true,
		TestID: "chain-edges", ExportXLSX: base + "?table=edges&format=xlsx", ExportCSV: base + "?table=edges&format=csv"}}
	for _, c := range chainEdgeColumns {
		v.Edges.Table.Columns = append(v.Edges.Table.Columns, ColumnView{Label: s.cat.T(lang, c.Label)})
	}
	if canEdit {
		for _, l := range a.Graph.Links {
			v.Links = append(v.Links, chainOpt{strconv.FormatInt(l.ID, 10), names[l.ID]})
		}
		all, err := s.db.Industries(r.Context())
		if err != nil {
			return err
		}
		for _, i := range all {
			v.Industries = append(v.Industries, chainOpt{i.Code, i.Code + " " + name(lang, i.NameZh, i.NameEn)})
		}
	}
	if k, ok := chainFlashKeys[r.URL.Query().Get("ok")]; ok {
		v.Flash = s.cat.T(lang, k)
	}
	s.render(w, r, status, "chain", v)
	return nil
}

// chainFormError re-renders the chain page with a refused form's errors next to its
// fields; any other error goes to the error page.
func (s *Server) chainFormError(w http.ResponseWriter, r *http.Request, form string, values map[string]string, err error) error {
	e, ok := adminFormError(err)
	if !ok {
		return err
	}
	forms := chainForms{Errors: map[string]map[string]string{form: s.adminFieldErrors(s.lang(r), e, "form")}}
	switch form {
	case "link":
		forms.Link = values
	case "edge":
		forms.Edge = values
	case "place":
		forms.Place = values
	}
	return s.renderChain(w, r, e.Kind.Status(), forms)
}

func formValues(r *http.Request, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		out[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return out
}

func atoi64(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

var chainFlashKeys = map[string]string{"link_created": "chain.flash.link_created", "link_deleted": "chain.flash.link_deleted",
	"edge_created": "chain.flash.edge_created", "edge_deleted": "chain.flash.edge_deleted", "placed": "chain.flash.placed"}

func (s *Server) chainDone(w http.ResponseWriter, r *http.Request, ok string) error {
	http.Redirect(w, r, "/chains/"+url.PathEscape(r.PathValue("code"))+"?ok="+ok, http.StatusSeeOther)
	return nil
}

func linkInput(v map[string]string) (chain.LinkInput, error) {
	stage, err := strconv.Atoi(v["stage"])
	if err != nil {
		return chain.LinkInput{}, apperr.New(apperr.Invalid, "invalid_chain", "chain.err.stage", v["stage"]).With("stage", "chain.err.stage", v["stage"])
	}
	return chain.LinkInput{Code: v["code"], NameZh: v["name_zh"], NameEn: v["name_en"], IndustryCode: v["industry_code"],
		Stage: stage, Note: v["note"], Source: v["source"], Quote: v["quote"]}, nil
}

var linkFields = []string{"code", "name_zh", "name_en", "industry_code", "stage", "note", "source", "quote"}

func (s *Server) chainLinkCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	v := formValues(r, linkFields...)
	in, err := linkInput(v)
	if err == nil {
		_, err = s.chainService().CreateLink(r.Context(), p, r.PathValue("code"), in)
	}
	if err != nil {
		return s.chainFormError(w, r, "link", v, err)
	}
	return s.chainDone(w, r, "link_created")
}

func (s *Server) chainEdgeCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	v := formValues(r, "from", "to", "kind")
	if err := s.sameChain(r, atoi64(v["from"])); err != nil {
		return err
	}
	if err := s.chainService().AddEdge(r.Context(), p, store.ChainEdge{From: atoi64(v["from"]), To: atoi64(v["to"]), Kind: v["kind"]}); err != nil {
		return s.chainFormError(w, r, "edge", v, err)
	}
	return s.chainDone(w, r, "edge_created")
}

// sameChain refuses a link id that is not of the chain in the URL, so a form posted to one
// chain's address cannot change another.
func (s *Server) sameChain(r *http.Request, id int64) error {
	l, err := s.db.ChainLinkByID(r.Context(), id)
	if err != nil || l.ChainCode != r.PathValue("code") {
		return apperr.Missing("chain_link")
	}
	return nil
}

func (s *Server) chainEdgeDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	from, to := atoi64(r.PostFormValue("from")), atoi64(r.PostFormValue("to"))
	if err := auth.Require(p, auth.EditChains); err != nil {
		return err
	}
	if err := s.sameChain(r, from); err != nil {
		return err
	}
	if err := s.chainService().DeleteEdge(r.Context(), p, from, to); err != nil {
		return err
	}
	return s.chainDone(w, r, "edge_deleted")
}

func (s *Server) chainPlace(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	v := formValues(r, "link_id", "enterprise", "leader", "source", "quote", "note")
	if err := s.sameChain(r, atoi64(v["link_id"])); err != nil {
		return err
	}
	// The enterprise is typed, by id or exact Chinese name: a drop-down of every
	// enterprise would be thousands of options on a national registry.
	ent := atoi64(v["enterprise"])
	if ent == 0 && v["enterprise"] != "" {
		if e, err := s.db.EnterpriseByName(r.Context(), v["enterprise"]); err == nil {
			ent = e.ID
		}
	}
	err = s.chainService().Place(r.Context(), p, chain.PlaceInput{LinkID: atoi64(v["link_id"]), EnterpriseID: ent,
		Leader: v["leader"] == "1", Source: v["source"], Quote: v["quote"], Note: v["note"]})
	if err != nil {
		return s.chainFormError(w, r, "place", v, err)
	}
	return s.chainDone(w, r, "placed")
}

func (s *Server) chainLinkDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := atoi64(r.PathValue("id"))
	if err := auth.Require(p, auth.EditChains); err != nil {
		return err
	}
	if err := s.sameChain(r, id); err != nil {
		return err
	}
	if err := s.chainService().DeleteLink(r.Context(), p, id); err != nil {
		return err
	}
	return s.chainDone(w, r, "link_deleted")
}

// The link page: the side panel of one link, its enterprises with the sentence that places
// each, and (for editors) the edit form.

var linkEntColumns = []Column{{Label: "chain.col.enterprise"}, {Label: "chain.col.leader"}, {Label: "chain.col.output", Num: true},
	{Label: "common.source"}, {Label: "chain.col.quote"}, {Label: "chain.col.delete", NoExport: true}}

type linkView struct {
	Page
	ChainName  string
	ChainHref  string
	Link       chain.LinkStrength
	Industry   string
	Unit       string
	Period     string
	Status     string
	Strategy   string
	LQ         string
	Rank       string
	Output     string
	Reasons    []string
	Table      TableView
	CanEdit    bool
	Form       map[string]string
	Errors     map[string]string
	Industries []chainOpt
}

func (s *Server) chainLinkPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLink(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderLink(w http.ResponseWriter, r *http.Request, status int, form, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	code, id := r.PathValue("code"), atoi64(r.PathValue("id"))
	a, err := s.chainService().Analyse(r.Context(), p, code)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(a.Links, func(l chain.LinkStrength) bool { return l.Link.ID == id })
	if i < 0 {
		return apperr.Missing("chain_link")
	}
	l := a.Links[i]
	inds, err := s.industryNames(r, lang)
	if err != nil {
		return err
	}
	base := "/chains/" + url.PathEscape(code)
	canEdit := p.Can(auth.EditChains)
	spec := TableSpec[chain.EnterpriseOutput]{Export: "chain.link_export", Columns: linkEntColumns, Row: func(e chain.EnterpriseOutput) []Cell {
		leader := ""
		if e.Leader {
			leader = s.cat.T(lang, "chain.leader_mark")
		}
		out := Cell{Text: "—", Num: true}
		if e.HasOutput {
			out = Cell{Value: e.Output, Text: s.fmtNum(e.Output, 2) + " " + a.Unit, Num: true}
		}
		del := Cell{}
		if canEdit {
			del.Action = &CellAction{Post: fmt.Sprintf("%s/links/%d/unplace", base, id), Label: s.cat.T(lang, "chain.unplace"), Danger: true,
				Confirm: s.cat.T(lang, "chain.confirm_unplace", e.NameZh, l.Link.NameZh), Hidden: []KV{{"enterprise_id", strconv.FormatInt(e.EnterpriseID, 10)}}}
		}
		return []Cell{TextCell(name(lang, e.NameZh, e.NameEn)), TextCell(leader), out, TextCell(e.Source), TextCell(e.Quote), del}
	}}
	tv, done, err := memTable(s, w, r, spec, l.Enterprises, nil, func(e chain.EnterpriseOutput) string { return e.NameZh + " " + e.NameEn })
	if err != nil || done {
		return err
	}
	tv.TestID = "link-enterprises"
	v := linkView{Page: s.page(w, r, "chain.link_title", Crumb{Label: "chain.list_title", Href: "/chains"},
		Crumb{Label: name(lang, a.Chain.NameZh, a.Chain.NameEn), Href: base}, Crumb{Label: name(lang, l.Link.NameZh, l.Link.NameEn)}),
		ChainName: name(lang, a.Chain.NameZh, a.Chain.NameEn), ChainHref: base, Link: l, Industry: inds[l.Link.IndustryCode],
		Unit: a.Unit, Period: a.Period, Status: s.cat.T(lang, chainStatusKeys[l.Status]), Strategy: s.cat.T(lang, chainStrategyKeys[l.Strategy()]),
		LQ: s.cat.T(lang, "chain.no_reference"), Rank: "—", Output: "—", Table: tv, CanEdit: canEdit, Errors: errs}
	v.Page.Title = name(lang, l.Link.NameZh, l.Link.NameEn)
	if l.LQ != nil {
		v.LQ = s.fmtNum(*l.LQ, 2)
	}
	if l.Quantile != nil {
		v.Rank = s.fmtNum(*l.Quantile*100, 0) + "%"
	}
	if l.HasOutput {
		v.Output = s.fmtNum(l.Output, 2) + " " + a.Unit
	}
	for _, x := range l.Reasons {
		v.Reasons = append(v.Reasons, s.cat.T(lang, x.Key, x.Args...))
	}
	v.Form = form
	if v.Form == nil {
		v.Form = map[string]string{"name_zh": l.Link.NameZh, "name_en": l.Link.NameEn, "industry_code": l.Link.IndustryCode,
			"stage": strconv.Itoa(l.Link.Stage), "note": l.Link.Note, "source": l.Link.Source, "quote": l.Link.Quote}
	}
	if canEdit {
		all, err := s.db.Industries(r.Context())
		if err != nil {
			return err
		}
		for _, i := range all {
			v.Industries = append(v.Industries, chainOpt{i.Code, i.Code + " " + name(lang, i.NameZh, i.NameEn)})
		}
	}
	s.render(w, r, status, "chain_link", v)
	return nil
}

func (s *Server) chainLinkUpdate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := atoi64(r.PathValue("id"))
	if err := auth.Require(p, auth.EditChains); err != nil {
		return err
	}
	if err := s.sameChain(r, id); err != nil {
		return err
	}
	v := formValues(r, linkFields...)
	in, err := linkInput(v)
	if err == nil {
		err = s.chainService().UpdateLink(r.Context(), p, id, in)
	}
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderLink(w, r, e.Kind.Status(), v, s.adminFieldErrors(s.lang(r), e, "form"))
	}
	http.Redirect(w, r, fmt.Sprintf("/chains/%s/links/%d", url.PathEscape(r.PathValue("code")), id), http.StatusSeeOther)
	return nil
}

func (s *Server) chainUnplace(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id := atoi64(r.PathValue("id"))
	if err := auth.Require(p, auth.EditChains); err != nil {
		return err
	}
	if err := s.sameChain(r, id); err != nil {
		return err
	}
	if err := s.chainService().Unplace(r.Context(), p, id, atoi64(r.PostFormValue("enterprise_id"))); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/chains/%s/links/%d", url.PathEscape(r.PathValue("code")), id), http.StatusSeeOther)
	return nil
}

// The strength settings.

type chainSettingsView struct {
	Page
	Form    chain.SettingsInput
	Errors  map[string]string
	CanEdit bool
	Flash   string
}

func settingsForm(s chain.Settings) chain.SettingsInput {
	return chain.SettingsInput{Indicator: s.Indicator, Period: s.Period, Region: s.Region, Reference: s.Reference, TotalIndustry: s.TotalIndustry,
		StrongLQ: strconv.FormatFloat(s.StrongLQ, 'g', -1, 64), StrongQuantile: strconv.FormatFloat(s.StrongQuantile, 'g', -1, 64),
		MinEnterprises: strconv.Itoa(s.MinEnterprises)}
}

func (s *Server) chainSettingsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ReadChains); err != nil {
		return err
	}
	set, err := s.chainService().LoadSettings(r.Context())
	if err != nil {
		return err
	}
	v := chainSettingsView{Page: s.page(w, r, "chain.settings_title", Crumb{Label: "chain.list_title", Href: "/chains"}, Crumb{Label: "chain.settings_title"}),
		Form: settingsForm(set), CanEdit: p.Can(auth.EditChains)}
	if r.URL.Query().Get("ok") == "saved" {
		v.Flash = s.cat.T(s.lang(r), "chain.flash.settings")
	}
	s.render(w, r, http.StatusOK, "chain_settings", v)
	return nil
}

func (s *Server) chainSettingsSave(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	v := formValues(r, "indicator", "period", "region", "reference", "total_industry", "strong_lq", "strong_quantile", "min_enterprises")
	in := chain.SettingsInput{Indicator: v["indicator"], Period: v["period"], Region: v["region"], Reference: v["reference"],
		TotalIndustry: v["total_industry"], StrongLQ: v["strong_lq"], StrongQuantile: v["strong_quantile"], MinEnterprises: v["min_enterprises"]}
	if _, err := s.chainService().SaveSettings(r.Context(), p, in); err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		view := chainSettingsView{Page: s.page(w, r, "chain.settings_title", Crumb{Label: "chain.list_title", Href: "/chains"}, Crumb{Label: "chain.settings_title"}),
			Form: in, CanEdit: true, Errors: s.adminFieldErrors(s.lang(r), e, "form")}
		s.render(w, r, e.Kind.Status(), "chain_settings", view)
		return nil
	}
	http.Redirect(w, r, "/chains/settings?ok=saved", http.StatusSeeOther)
	return nil
}
