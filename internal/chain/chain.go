// Package chain holds the industrial chains (产业链图谱): each chain a directed graph of
// links (环节) with enterprises placed on them, edited by planners and admins and read by
// the other roles; and the strength and gap status of every link computed from the
// statistics (strength.go). Every edit checks permission, validates, writes and audits in
// one transaction.
package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Service runs the chain use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Graph is a chain with its links, edges and the enterprises on each link.
type Graph struct {
	Chain      store.Chain
	Links      []store.ChainLink
	Edges      []store.ChainEdge
	Placements map[int64][]store.LinkPlacement // by link id
}

// List lists the chains.
func (s *Service) List(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[store.Chain], error) {
	if err := auth.Require(p, auth.ReadChains); err != nil {
		return store.Page[store.Chain]{}, err
	}
	return s.DB.ListChains(ctx, q)
}

// Graph reads one chain with everything on it.
func (s *Service) Graph(ctx context.Context, p *auth.Principal, code string) (*Graph, error) {
	if err := auth.Require(p, auth.ReadChains); err != nil {
		return nil, err
	}
	g, err := s.graph(ctx, code)
	if err != nil {
		return nil, err
	}
	pl, err := s.DB.ChainPlacements(ctx, code)
	if err != nil {
		return nil, err
	}
	g.place(pl)
	return g, nil
}

// graph reads a chain with its links and edges; the caller adds the placements.
func (s *Service) graph(ctx context.Context, code string) (*Graph, error) {
	c, err := s.DB.ChainByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Missing("chain")
	}
	if err != nil {
		return nil, err
	}
	g := &Graph{Chain: c, Placements: map[int64][]store.LinkPlacement{}}
	if g.Links, err = s.DB.ChainLinks(ctx, code); err != nil {
		return nil, err
	}
	if g.Edges, err = s.DB.ChainEdges(ctx, code); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Graph) place(pl []store.LinkPlacement) {
	for _, x := range pl {
		g.Placements[x.LinkID] = append(g.Placements[x.LinkID], x)
	}
}

// LinkInput is a link as a user enters it.
type LinkInput struct {
	Code         string
	NameZh       string
	NameEn       string
	IndustryCode string
	Stage        int
	Note         string
	Source       string
	Quote        string
}

func invalid(field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, "invalid_chain", key, args...).With(field, key, args...)
}

// validateLink checks a link's fields against the database; nothing is written.
func validateLink(ctx context.Context, tx *store.Tx, in LinkInput) error {
	switch {
	case strings.TrimSpace(in.Code) == "":
		return invalid("code", "chain.err.link_code")
	case strings.TrimSpace(in.NameZh) == "":
		return invalid("name_zh", "chain.err.link_name")
	case in.Stage < 0 || in.Stage > 99:
		return invalid("stage", "chain.err.stage", in.Stage)
	case strings.TrimSpace(in.Source) == "":
		return invalid("source", "chain.err.source")
	}
	if _, err := tx.IndustryByCode(ctx, in.IndustryCode); errors.Is(err, store.ErrNotFound) {
		return invalid("industry_code", "chain.err.industry", in.IndustryCode)
	} else if err != nil {
		return err
	}
	return nil
}

func (s *Service) write(ctx context.Context, p *auth.Principal, fn func(tx *store.Tx, now time.Time) error) error {
	if err := auth.Require(p, auth.EditChains); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error { return fn(tx, now) })
}

// CreateLink adds a link to a chain.
func (s *Service) CreateLink(ctx context.Context, p *auth.Principal, chain string, in LinkInput) (store.ChainLink, error) {
	var l store.ChainLink
	err := s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		var err error
		l, err = CreateLinkTx(ctx, tx, chain, in)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.link.create", "chain_link", fmt.Sprint(l.ID), nil, l)
	})
	return l, err
}

// CreateLinkTx validates and inserts a link inside tx (the dataset loader uses it too).
func CreateLinkTx(ctx context.Context, tx *store.Tx, chain string, in LinkInput) (store.ChainLink, error) {
	if _, err := tx.ChainByCode(ctx, chain); errors.Is(err, store.ErrNotFound) {
		return store.ChainLink{}, apperr.Missing("chain")
	} else if err != nil {
		return store.ChainLink{}, err
	}
	if err := validateLink(ctx, tx, in); err != nil {
		return store.ChainLink{}, err
	}
	links, err := tx.ChainLinks(ctx, chain)
	if err != nil {
		return store.ChainLink{}, err
	}
	for _, x := range links {
		if x.Code == in.Code {
			return store.ChainLink{}, apperr.New(apperr.Conflict, "link_exists", "chain.err.link_exists", in.Code).
				With("code", "chain.err.link_exists", in.Code)
		}
	}
	l := store.ChainLink{ChainCode: chain, Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn, IndustryCode: in.IndustryCode,
		Stage: in.Stage, Note: in.Note, Source: in.Source, Quote: in.Quote}
	l.ID, err = tx.InsertChainLink(ctx, l)
	return l, err
}

func linkOf(ctx context.Context, tx *store.Tx, id int64) (store.ChainLink, error) {
	l, err := tx.ChainLinkByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return l, apperr.Missing("chain_link")
	}
	return l, err
}

// UpdateLink changes a link's names, industry, stage and source. A new industry must
// still fit every enterprise on the link.
func (s *Service) UpdateLink(ctx context.Context, p *auth.Principal, id int64, in LinkInput) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		old, err := linkOf(ctx, tx, id)
		if err != nil {
			return err
		}
		in.Code = old.Code // the code is the link's name in URLs and datasets; it does not change
		if err := validateLink(ctx, tx, in); err != nil {
			return err
		}
		l := old
		l.NameZh, l.NameEn, l.IndustryCode, l.Stage, l.Note, l.Source, l.Quote = in.NameZh, in.NameEn, in.IndustryCode, in.Stage, in.Note, in.Source, in.Quote
		if l.IndustryCode != old.IndustryCode {
			tree, err := loadTree(ctx, tx)
			if err != nil {
				return err
			}
			g, err := s.DB.ChainPlacements(ctx, old.ChainCode)
			if err != nil {
				return err
			}
			for _, pl := range g {
				if pl.LinkID != id {
					continue
				}
				if err := checkIndustry(ctx, tx, tree, l, pl.EnterpriseID, pl.NameZh); err != nil {
					return err
				}
			}
		}
		if err := tx.UpdateChainLink(ctx, l); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.link.update", "chain_link", fmt.Sprint(id), old, l)
	})
}

// DeleteLink removes a link with its edges and placements.
func (s *Service) DeleteLink(ctx context.Context, p *auth.Principal, id int64) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		old, err := linkOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteChainLink(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.link.delete", "chain_link", fmt.Sprint(id), old, nil)
	})
}

// AddEdge adds an edge between two links of one chain.
func (s *Service) AddEdge(ctx context.Context, p *auth.Principal, e store.ChainEdge) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		if err := AddEdgeTx(ctx, tx, e); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.edge.create", "chain_edge", fmt.Sprintf("%d-%d", e.From, e.To), nil, e)
	})
}

// AddEdgeTx validates and inserts an edge inside tx: both links on one chain, a known
// kind, not already there, and no cycle among flow edges when the chain forbids one.
func AddEdgeTx(ctx context.Context, tx *store.Tx, e store.ChainEdge) error {
	if e.Kind != "flow" && e.Kind != "feedback" {
		return invalid("kind", "chain.err.edge_kind", e.Kind)
	}
	from, err := linkOf(ctx, tx, e.From)
	if err != nil {
		return err
	}
	to, err := linkOf(ctx, tx, e.To)
	if err != nil {
		return err
	}
	if from.ChainCode != to.ChainCode {
		return invalid("to", "chain.err.edge_chains", from.NameZh, to.NameZh)
	}
	if e.From == e.To {
		return invalid("to", "chain.err.edge_self", from.NameZh)
	}
	c, err := tx.ChainByCode(ctx, from.ChainCode)
	if err != nil {
		return err
	}
	edges, err := tx.ChainEdges(ctx, c.Code)
	if err != nil {
		return err
	}
	for _, x := range edges {
		if x.From == e.From && x.To == e.To {
			return apperr.New(apperr.Conflict, "edge_exists", "chain.err.edge_exists", from.NameZh, to.NameZh).
				With("to", "chain.err.edge_exists", from.NameZh, to.NameZh)
		}
	}
	if c.Acyclic && e.Kind == "flow" {
		if cycle := FindCycle(append(edges, e), e); cycle != nil {
			links, err := tx.ChainLinks(ctx, c.Code)
			if err != nil {
				return err
			}
			names := map[int64]string{}
			for _, l := range links {
				names[l.ID] = l.NameZh
			}
			var path []string
			for _, id := range cycle {
				path = append(path, names[id])
			}
			return invalid("to", "chain.err.cycle", c.NameZh, strings.Join(path, " → "))
		}
	}
	return tx.InsertChainEdge(ctx, e)
}

// FindCycle returns a cycle through the edge added among the flow edges, as link ids from
// added.From round to added.From, or nil. Feedback edges (稀土废料综合利用 back to 分离冶炼)
// are the one sanctioned way back and never count.
func FindCycle(edges []store.ChainEdge, added store.ChainEdge) []int64 {
	next := map[int64][]int64{}
	for _, e := range edges {
		if e.Kind == "flow" {
			next[e.From] = append(next[e.From], e.To)
		}
	}
	// A cycle through added exists iff added.From is reachable from added.To.
	prev := map[int64]int64{added.To: added.To}
	queue := []int64{added.To}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == added.From {
			path := []int64{n}
			for n != added.To {
				n = prev[n]
				path = append(path, n)
			}
			// path runs from added.From back to added.To; reverse it and close the loop.
			out := []int64{added.From}
			for i := len(path) - 1; i >= 0; i-- {
				out = append(out, path[i])
			}
			return out
		}
		for _, m := range next[n] {
			if _, seen := prev[m]; !seen {
				prev[m] = n
				queue = append(queue, m)
			}
		}
	}
	return nil
}

// DeleteEdge removes an edge.
func (s *Service) DeleteEdge(ctx context.Context, p *auth.Principal, from, to int64) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		ok, err := tx.DeleteChainEdge(ctx, from, to)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Missing("chain_edge")
		}
		return audit.Record(ctx, tx, now, p, "chain.edge.delete", "chain_edge", fmt.Sprintf("%d-%d", from, to),
			store.ChainEdge{From: from, To: to}, nil)
	})
}

// PlaceInput puts an enterprise on a link.
type PlaceInput struct {
	LinkID       int64
	EnterpriseID int64
	Leader       bool // the link's 链主; an existing 链主 gives way
	Note         string
	Source       string
	Quote        string
}

// Place puts an enterprise on a link.
func (s *Service) Place(ctx context.Context, p *auth.Principal, in PlaceInput) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		pl, err := PlaceTx(ctx, tx, in)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.place", "link_enterprise", fmt.Sprintf("%d-%d", in.LinkID, in.EnterpriseID), nil, pl)
	})
}

// PlaceTx validates and writes a placement inside tx: the enterprise exists, is not on the
// link already, and is of the link's industry.
func PlaceTx(ctx context.Context, tx *store.Tx, in PlaceInput) (store.LinkPlacement, error) {
	l, err := linkOf(ctx, tx, in.LinkID)
	if err != nil {
		return store.LinkPlacement{}, err
	}
	if strings.TrimSpace(in.Source) == "" {
		return store.LinkPlacement{}, invalid("source", "chain.err.source")
	}
	ent, err := tx.EnterpriseByID(ctx, in.EnterpriseID)
	if errors.Is(err, store.ErrNotFound) {
		return store.LinkPlacement{}, invalid("enterprise_id", "chain.err.enterprise", in.EnterpriseID)
	} else if err != nil {
		return store.LinkPlacement{}, err
	}
	if _, err := tx.Placement(ctx, in.LinkID, in.EnterpriseID); err == nil {
		return store.LinkPlacement{}, apperr.New(apperr.Conflict, "placed", "chain.err.placed", ent.NameZh, l.NameZh).
			With("enterprise_id", "chain.err.placed", ent.NameZh, l.NameZh)
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.LinkPlacement{}, err
	}
	tree, err := loadTree(ctx, tx)
	if err != nil {
		return store.LinkPlacement{}, err
	}
	if err := checkIndustry(ctx, tx, tree, l, ent.ID, ent.NameZh); err != nil {
		return store.LinkPlacement{}, err
	}
	if in.Leader {
		if err := tx.ClearLeader(ctx, in.LinkID); err != nil {
			return store.LinkPlacement{}, err
		}
	}
	pl := store.LinkPlacement{LinkID: in.LinkID, EnterpriseID: ent.ID, NameZh: ent.NameZh, NameEn: ent.NameEn, RegionCode: ent.RegionCode,
		Leader: in.Leader, Note: in.Note, Source: in.Source, Quote: in.Quote}
	return pl, tx.PlaceEnterpriseQuoted(ctx, pl)
}

// Unplace takes an enterprise off a link.
func (s *Service) Unplace(ctx context.Context, p *auth.Principal, linkID, enterpriseID int64) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		old, err := tx.Placement(ctx, linkID, enterpriseID)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("link_enterprise")
		} else if err != nil {
			return err
		}
		if _, err := tx.Unplace(ctx, linkID, enterpriseID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.unplace", "link_enterprise", fmt.Sprintf("%d-%d", linkID, enterpriseID), old, nil)
	})
}

// tree is the industry hierarchy: each code's parent.
type tree map[string]string

func loadTree(ctx context.Context, tx *store.Tx) (tree, error) {
	all, err := tx.AllIndustries(ctx)
	if err != nil {
		return nil, err
	}
	t := tree{}
	for _, i := range all {
		t[i.Code] = i.ParentCode
	}
	return t, nil
}

// within reports whether code is at or below ancestor.
func (t tree) within(code, ancestor string) bool {
	for n := 0; code != "" && n < 64; n++ {
		if code == ancestor {
			return true
		}
		code = t[code]
	}
	return false
}

// Related reports whether an enterprise of industry ent may sit on a link of industry
// link: the same industry, or one inside the other (an enterprise of 稀土产业 as a whole
// may sit on 分离冶炼; one of 稀土永磁材料 on a link of 稀土磁性材料). A root of the
// hierarchy (国民经济, 战略性新兴产业) says nothing about a link and matches nothing.
func (t tree) Related(ent, link string) bool {
	if t[ent] == "" || t[link] == "" {
		return ent == link && t[ent] != ""
	}
	return t.within(ent, link) || t.within(link, ent)
}

func checkIndustry(ctx context.Context, tx *store.Tx, t tree, l store.ChainLink, ent int64, entName string) error {
	codes, err := tx.EnterpriseIndustryCodes(ctx, ent)
	if err != nil {
		return err
	}
	for _, c := range codes {
		if t.Related(c, l.IndustryCode) {
			return nil
		}
	}
	link, _ := tx.IndustryByCode(ctx, l.IndustryCode)
	if len(codes) == 0 {
		return invalid("enterprise_id", "chain.err.no_industry", entName, l.NameZh, link.NameZh)
	}
	return invalid("enterprise_id", "chain.err.other_industry", entName, strings.Join(codes, "、"), l.NameZh, link.NameZh)
}

// AssignIndustry records explicitly which industry an enterprise belongs to.
func (s *Service) AssignIndustry(ctx context.Context, p *auth.Principal, a store.EnterpriseIndustry) error {
	return s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		if _, err := tx.EnterpriseByID(ctx, a.EnterpriseID); errors.Is(err, store.ErrNotFound) {
			return invalid("enterprise_id", "chain.err.enterprise", a.EnterpriseID)
		} else if err != nil {
			return err
		}
		if _, err := tx.IndustryByCode(ctx, a.IndustryCode); errors.Is(err, store.ErrNotFound) {
			return invalid("industry_code", "chain.err.industry", a.IndustryCode)
		} else if err != nil {
			return err
		}
		if strings.TrimSpace(a.Source) == "" {
			return invalid("source", "chain.err.source")
		}
		if err := tx.UpsertEnterpriseIndustry(ctx, a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "chain.enterprise_industry", "enterprise_industry",
			fmt.Sprintf("%d-%s", a.EnterpriseID, a.IndustryCode), nil, a)
	})
}
