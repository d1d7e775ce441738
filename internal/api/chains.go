package api

import (
	"net/http"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/store"
)

// The chain endpoints: the chains, one chain's graph with every link's computed strength,
// and the edits (links, edges, placements). The chain use cases decide who may see and
// change what: the same as the pages.

func (a *API) chains() *chain.Service { return &chain.Service{DB: a.DB, Now: a.Now} }

// Chain is a chain as the API shows it.
type Chain struct {
	Code         string `json:"code"`
	NameZh       string `json:"name_zh"`
	NameEn       string `json:"name_en"`
	IndustryCode string `json:"industry_code"`
	Acyclic      bool   `json:"acyclic"`
	Note         string `json:"note"`
	Source       string `json:"source"`
}

func chainOf(c store.Chain) Chain {
	return Chain{Code: c.Code, NameZh: c.NameZh, NameEn: c.NameEn, IndustryCode: c.IndustryCode, Acyclic: c.Acyclic, Note: c.Note, Source: c.Source}
}

var chainListing = listing{sorts: []string{"code", "name", "industry", "order"}, defaultSort: "order"}

func (a *API) listChains(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := chainListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.chains().List(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, chainOf))
	return nil
}

// ChainLink is a link as the API shows it.
type ChainLink struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	NameZh       string `json:"name_zh"`
	NameEn       string `json:"name_en"`
	IndustryCode string `json:"industry_code"`
	Stage        int    `json:"stage"`
	Note         string `json:"note"`
	Source       string `json:"source"`
	Quote        string `json:"quote"`
}

func linkOf(l store.ChainLink) ChainLink {
	return ChainLink{ID: l.ID, Code: l.Code, NameZh: l.NameZh, NameEn: l.NameEn, IndustryCode: l.IndustryCode, Stage: l.Stage,
		Note: l.Note, Source: l.Source, Quote: l.Quote}
}

// LinkEnterprise is an enterprise on a link; output is null when it reported none or the
// caller may not see enterprises' own figures.
type LinkEnterprise struct {
	ID     int64    `json:"id"`
	NameZh string   `json:"name_zh"`
	Leader bool     `json:"leader"`
	Output *float64 `json:"output"`
	Source string   `json:"source"`
	Quote  string   `json:"quote"`
}

// LinkStrength is a link with what is computed of it. lq is null when there is no
// reference data (never 0); quantile is null when too few peer regions report.
type LinkStrength struct {
	ChainLink
	Enterprises []LinkEnterprise `json:"enterprises"`
	Count       int              `json:"enterprise_count"`
	Leader      *string          `json:"leader"`
	Output      *float64         `json:"output"`
	Share       *float64         `json:"share"`
	LQ          *float64         `json:"lq"`
	Quantile    *float64         `json:"quantile"`
	Status      string           `json:"status"`
	Strategy    string           `json:"strategy"`
	Reasons     []string         `json:"reasons"`
}

// ChainEdge is an edge between two links.
type ChainEdge struct {
	From int64  `json:"from"`
	To   int64  `json:"to"`
	Kind string `json:"kind"`
}

// ChainGraph is one chain with its links' strength and its edges.
type ChainGraph struct {
	Chain
	Indicator string         `json:"indicator"`
	Unit      string         `json:"unit"`
	Period    *string        `json:"period"`
	Region    string         `json:"region"`
	Reference string         `json:"reference"`
	Links     []LinkStrength `json:"links"`
	Edges     []ChainEdge    `json:"edges"`
}

func (a *API) getChain(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	an, err := a.chains().Analyse(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	lang := a.Lang(r)
	out := ChainGraph{Chain: chainOf(an.Chain), Indicator: an.Settings.Indicator, Unit: an.Unit, Period: nullString(an.Period),
		Region: an.Settings.Region, Reference: an.Settings.Reference, Links: []LinkStrength{}, Edges: []ChainEdge{}}
	for _, l := range an.Links {
		ls := LinkStrength{ChainLink: linkOf(l.Link), Enterprises: []LinkEnterprise{}, Count: l.Count, Leader: nullString(l.Leader),
			Share: l.Share, LQ: l.LQ, Quantile: l.Quantile, Status: l.Status, Strategy: l.Strategy(), Reasons: []string{}}
		if l.HasOutput {
			v := l.Output
			ls.Output = &v
		}
		for _, e := range l.Enterprises {
			le := LinkEnterprise{ID: e.EnterpriseID, NameZh: e.NameZh, Leader: e.Leader, Source: e.Source, Quote: e.Quote}
			if e.HasOutput {
				v := e.Output
				le.Output = &v
			}
			ls.Enterprises = append(ls.Enterprises, le)
		}
		for _, x := range l.Reasons {
			ls.Reasons = append(ls.Reasons, a.Cat.T(lang, x.Key, x.Args...))
		}
		out.Links = append(out.Links, ls)
	}
	for _, e := range an.Graph.Edges {
		out.Edges = append(out.Edges, ChainEdge(e))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// NewChainLink is the body of POST /chains/{code}/links.
type NewChainLink struct {
	Code         string `json:"code"`
	NameZh       string `json:"name_zh"`
	NameEn       string `json:"name_en"`
	IndustryCode string `json:"industry_code"`
	Stage        int    `json:"stage"`
	Note         string `json:"note"`
	Source       string `json:"source"`
	Quote        string `json:"quote"`
}

func (a *API) createChainLink(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewChainLink
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l, err := a.chains().CreateLink(r.Context(), p, r.PathValue("code"), chain.LinkInput(in))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, linkOf(l))
	return nil
}

// linkOfChain reads a link of the chain in the path after the caller may edit chains; a
// link of another chain is reported exactly like a missing one.
func (a *API) linkOfChain(r *http.Request, id int64) error {
	l, err := a.DB.ChainLinkByID(r.Context(), id)
	if err != nil || l.ChainCode != r.PathValue("code") {
		return apperr.Missing("chain_link")
	}
	return nil
}

func (a *API) deleteChainLink(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := requireEdit(p); err != nil {
		return err
	}
	id := pathID(r)
	if err := a.linkOfChain(r, id); err != nil {
		return err
	}
	if err := a.chains().DeleteLink(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) createChainEdge(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in ChainEdge
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := requireEdit(p); err != nil {
		return err
	}
	if err := a.linkOfChain(r, in.From); err != nil {
		return err
	}
	e := store.ChainEdge(in)
	if err := a.chains().AddEdge(r.Context(), p, e); err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, in)
	return nil
}

// NewPlacement is the body of POST /chains/{code}/placements.
type NewPlacement struct {
	LinkID       int64  `json:"link_id"`
	EnterpriseID int64  `json:"enterprise_id"`
	Leader       bool   `json:"leader"`
	Note         string `json:"note"`
	Source       string `json:"source"`
	Quote        string `json:"quote"`
}

func (a *API) createPlacement(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewPlacement
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := requireEdit(p); err != nil {
		return err
	}
	if err := a.linkOfChain(r, in.LinkID); err != nil {
		return err
	}
	if err := a.chains().Place(r.Context(), p, chain.PlaceInput(in)); err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, in)
	return nil
}

// requireEdit refuses a caller who may not edit chains before anything about the request
// is looked up, so that a refused caller learns nothing of which links exist.
func requireEdit(p *auth.Principal) error { return auth.Require(p, auth.EditChains) }
