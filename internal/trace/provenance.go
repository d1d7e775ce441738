package trace

import (
	"context"
	"sort"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Provenance is the graph of lots linked by transformations, from a lot back to where its
// material was commissioned (mines), or from a mine forward to every lot made from it.
type Provenance struct {
	Lots  []string          // every lot reached, the start included, sorted
	Edges []store.EPCISEdge // input → output, with the transformation's hash ID
	// Origins are the reached lots that were commissioned, with their place and, if it is a
	// registered location, its kind (mine …) and enterprise.
	Origins []Origin
	Hops    int // hops from the start to the farthest lot (by its shortest path)
}

// Origin is a lot commissioned at a place.
type Origin struct {
	Lot      string
	Location store.EPCISLocation // URI always set; the rest if registered
}

// maxProvenanceEdges bounds a walk: a real chain (mine to magnet) has hundreds of steps, and
// a walk over a mis-linked graph must not exhaust the server.
const maxProvenanceEdges = 100000

// Trace walks the transformation graph from lot, back towards its origins or forward to its
// products, over any number of hops (one recursive query for the edges, then the origins). Reading across
// enterprises is the regulator's job: enterprise users may not.
func (s *Service) Trace(ctx context.Context, p *auth.Principal, lot string, back bool) (Provenance, error) {
	if err := auth.Require(p, auth.TraceProvenance); err != nil {
		return Provenance{}, err
	}
	if lot == "" {
		return Provenance{}, apperr.New(apperr.Invalid, "invalid_query", "epcis.err.provenance_lot").With("lot", "epcis.err.provenance_lot")
	}
	return s.walk(ctx, []string{lot}, back)
}

// TraceFromMine walks forward from every lot commissioned at a location (a mine's GLN or
// SGLN in either spelling).
func (s *Service) TraceFromMine(ctx context.Context, p *auth.Principal, location string) (Provenance, error) {
	if err := auth.Require(p, auth.TraceProvenance); err != nil {
		return Provenance{}, err
	}
	lots, err := s.db.EPCISLotsAt(ctx, []string{CanonLocation(location)})
	if err != nil {
		return Provenance{}, err
	}
	if len(lots) == 0 {
		return Provenance{}, apperr.New(apperr.NotFound, "not_found", "epcis.err.provenance_none", location)
	}
	return s.walk(ctx, lots, false)
}

// Walk is the hop-by-hop walk without a permission check, for benchmarks and the command
// line.
func (s *Service) Walk(ctx context.Context, start []string, back bool) (Provenance, error) {
	return s.walk(ctx, start, back)
}

func (s *Service) walk(ctx context.Context, start []string, back bool) (Provenance, error) {
	var pv Provenance
	edges, err := s.db.EPCISEdgeClosure(ctx, start, back, maxProvenanceEdges+1)
	if err != nil {
		return pv, err
	}
	if len(edges) > maxProvenanceEdges {
		return pv, apperr.New(apperr.Invalid, "provenance_too_large", "epcis.err.provenance_too_large", maxProvenanceEdges)
	}
	pv.Edges = edges
	// Hops by breadth-first search over the edges in memory.
	next := map[string][]string{}
	for _, e := range edges {
		if back {
			next[e.To] = append(next[e.To], e.From)
		} else {
			next[e.From] = append(next[e.From], e.To)
		}
	}
	seen := map[string]bool{}
	frontier := []string{}
	for _, l := range start {
		if !seen[l] {
			seen[l] = true
			frontier = append(frontier, l)
		}
	}
	for len(frontier) > 0 {
		var layer []string
		for _, l := range frontier {
			for _, n := range next[l] {
				if !seen[n] {
					seen[n] = true
					layer = append(layer, n)
				}
			}
		}
		if len(layer) > 0 {
			pv.Hops++
		}
		frontier = layer
	}
	for l := range seen {
		pv.Lots = append(pv.Lots, l)
	}
	sort.Strings(pv.Lots)
	if back {
		com, err := s.db.EPCISCommissioned(ctx, pv.Lots)
		if err != nil {
			return pv, err
		}
		idx, err := s.locations(ctx)
		if err != nil {
			return pv, err
		}
		for _, l := range pv.Lots {
			if loc, ok := com[l]; ok {
				o := Origin{Lot: l, Location: idx[loc]}
				o.Location.URI = loc
				pv.Origins = append(pv.Origins, o)
			}
		}
	}
	return pv, nil
}
