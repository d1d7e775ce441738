package dataset

import (
	"errors"
	"fmt"

	"zhanxin/internal/audit"
	"zhanxin/internal/chain"
	"zhanxin/internal/store"
)

// chainFile is chains.json: the chains, their links (by chain and link code), the edges
// between them, which industry each named enterprise belongs to, and the enterprises on
// links, each with the source and sentence that say so.
type chainFile struct {
	Chains []struct {
		Code         string `json:"code"`
		NameZh       string `json:"name_zh"`
		NameEn       string `json:"name_en"`
		IndustryCode string `json:"industry_code"`
		Acyclic      bool   `json:"acyclic"`
		Note         string `json:"note"`
		Source       string `json:"source"`
		SortOrder    int    `json:"sort_order"`
	} `json:"chains"`
	Links []struct {
		Chain        string `json:"chain"`
		Code         string `json:"code"`
		NameZh       string `json:"name_zh"`
		NameEn       string `json:"name_en"`
		IndustryCode string `json:"industry_code"`
		Stage        int    `json:"stage"`
		Note         string `json:"note"`
		Source       string `json:"source"`
		Quote        string `json:"quote"`
	} `json:"links"`
	Edges []struct {
		Chain string `json:"chain"`
		From  string `json:"from"`
		To    string `json:"to"`
		Kind  string `json:"kind"`
	} `json:"edges"`
	EnterpriseIndustries []struct {
		Enterprise   string `json:"enterprise"`
		IndustryCode string `json:"industry_code"`
		Source       string `json:"source"`
		Quote        string `json:"quote"`
	} `json:"enterprise_industries"`
	Placements []struct {
		Chain      string `json:"chain"`
		Link       string `json:"link"`
		Enterprise string `json:"enterprise"`
		Leader     bool   `json:"leader"`
		Note       string `json:"note"`
		Source     string `json:"source"`
		Quote      string `json:"quote"`
	} `json:"placements"`
}

// chainsStep loads chains.json through the chain package's own checks (cycles, the
// industry of each placed enterprise), so the default dataset obeys the rules users do.
// A link, edge or placement already there is left alone (a planner may have edited it).
func (l *loader) chainsStep(c *contents) error {
	ctx, tx, f := l.ctx, l.tx, c.chains
	for _, r := range f.Chains {
		ch := store.Chain{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn, IndustryCode: r.IndustryCode, Acyclic: r.Acyclic,
			Note: r.Note, Source: r.Source, SortOrder: r.SortOrder}
		if err := upsert(l, "chain", ch.Code, ch, func() (store.Chain, error) { return tx.ChainByCode(ctx, ch.Code) }, eq[store.Chain],
			func() error { return tx.UpsertChain(ctx, ch) }); err != nil {
			return err
		}
	}
	ids := map[[2]string]int64{}
	known := func(chain string) error {
		links, err := tx.ChainLinks(ctx, chain)
		for _, x := range links {
			ids[[2]string{chain, x.Code}] = x.ID
		}
		return err
	}
	for _, r := range f.Chains {
		if err := known(r.Code); err != nil {
			return err
		}
	}
	for n, r := range f.Links {
		if _, ok := ids[[2]string{r.Chain, r.Code}]; ok {
			l.sum.Unchanged++
			continue
		}
		li, err := chain.CreateLinkTx(ctx, tx, r.Chain, chain.LinkInput{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn,
			IndustryCode: r.IndustryCode, Stage: r.Stage, Note: r.Note, Source: r.Source, Quote: r.Quote})
		if err != nil {
			return rowErr("chains.json", n, "link "+r.Chain+"/"+r.Code, err)
		}
		ids[[2]string{r.Chain, r.Code}] = li.ID
		l.sum.Created++
		if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "chain_link", fmt.Sprint(li.ID), nil, li); err != nil {
			return err
		}
	}
	link := func(chain, code string) (int64, error) {
		id, ok := ids[[2]string{chain, code}]
		if !ok {
			return 0, fmt.Errorf("no link %s/%s", chain, code)
		}
		return id, nil
	}
	for n, r := range f.Edges {
		from, err := link(r.Chain, r.From)
		if err != nil {
			return rowErr("chains.json", n, "edge", err)
		}
		to, err := link(r.Chain, r.To)
		if err != nil {
			return rowErr("chains.json", n, "edge", err)
		}
		edges, err := tx.ChainEdges(ctx, r.Chain)
		if err != nil {
			return err
		}
		if hasEdge(edges, from, to) {
			l.sum.Unchanged++
			continue
		}
		e := store.ChainEdge{From: from, To: to, Kind: r.Kind}
		if err := chain.AddEdgeTx(ctx, tx, e); err != nil {
			return rowErr("chains.json", n, "edge "+r.Chain+"/"+r.From+"→"+r.To, err)
		}
		l.sum.Created++
		if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "chain_edge", fmt.Sprintf("%d-%d", from, to), nil, e); err != nil {
			return err
		}
	}
	for n, r := range f.EnterpriseIndustries {
		ent, err := tx.EnterpriseByName(ctx, r.Enterprise)
		if err != nil {
			return rowErr("chains.json", n, "enterprise "+r.Enterprise, err)
		}
		a := store.EnterpriseIndustry{EnterpriseID: ent.ID, IndustryCode: r.IndustryCode, Source: r.Source, Quote: r.Quote}
		if err := upsert(l, "enterprise_industry", fmt.Sprintf("%d-%s", ent.ID, r.IndustryCode), a,
			func() (store.EnterpriseIndustry, error) {
				return tx.EnterpriseIndustryAssignment(ctx, ent.ID, r.IndustryCode)
			},
			eq[store.EnterpriseIndustry], func() error { return tx.UpsertEnterpriseIndustry(ctx, a) }); err != nil {
			return err
		}
	}
	for n, r := range f.Placements {
		id, err := link(r.Chain, r.Link)
		if err != nil {
			return rowErr("chains.json", n, "placement", err)
		}
		ent, err := tx.EnterpriseByName(ctx, r.Enterprise)
		if err != nil {
			return rowErr("chains.json", n, "enterprise "+r.Enterprise, err)
		}
		if _, err := tx.Placement(ctx, id, ent.ID); err == nil {
			l.sum.Unchanged++
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		pl, err := chain.PlaceTx(ctx, tx, chain.PlaceInput{LinkID: id, EnterpriseID: ent.ID, Leader: r.Leader, Note: r.Note,
			Source: r.Source, Quote: r.Quote})
		if err != nil {
			return rowErr("chains.json", n, "placement "+r.Enterprise+" → "+r.Chain+"/"+r.Link, err)
		}
		l.sum.Created++
		if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "link_enterprise", fmt.Sprintf("%d-%d", id, ent.ID), nil, pl); err != nil {
			return err
		}
	}
	return nil
}

func hasEdge(edges []store.ChainEdge, from, to int64) bool {
	for _, e := range edges {
		if e.From == from && e.To == to {
			return true
		}
	}
	return false
}
