package relatedness

import (
	"context"
	"slices"
	"sort"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Service builds the region × industry matrix from the region-level figures in force and
// runs Compute on it.
type Service struct {
	DB *store.DB
}

// Query picks the matrix: one indicator in one period, the regions directly under Parent
// (the counties of a city, the cities of a province) and every leaf industry.
type Query struct {
	Indicator, Period, Parent string
}

// Analysis is a computed matrix with the names of its rows and columns.
type Analysis struct {
	Query      Query
	Matrix     Matrix
	Result     *Result
	RegionName map[string]store.Region
	Industry   map[string]store.Industry
}

// Analyse reads the figures and computes. A region or industry with no figure at all is
// not in the matrix; one whose figures are all zero is refused by Compute, named.
func (s *Service) Analyse(ctx context.Context, p *auth.Principal, q Query) (*Analysis, error) {
	if err := auth.Require(p, auth.ReadRelatedness); err != nil {
		return nil, err
	}
	a, err := s.frame(ctx, q)
	if err != nil {
		return nil, err
	}
	ms, err := s.matrices(ctx, a, q.Indicator, q.Period)
	if err != nil {
		return nil, err
	}
	a.Matrix = ms[0]
	if a.Result, err = Compute(a.Matrix); err != nil {
		return a, err
	}
	return a, nil
}

// frame reads the names: the regions directly under q.Parent and every industry.
func (s *Service) frame(ctx context.Context, q Query) (*Analysis, error) {
	a := &Analysis{Query: q, RegionName: map[string]store.Region{}, Industry: map[string]store.Industry{}}
	regions, err := s.DB.ListRegions(ctx, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	for _, r := range regions.Rows {
		if r.ParentCode == q.Parent && r.Kind != "zone" {
			a.RegionName[r.Code] = r
		}
	}
	inds, err := s.DB.Industries(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range inds {
		a.Industry[i.Code] = i
	}
	return a, nil
}

// matrices builds one matrix per period over the same rows and columns: every region and
// leaf industry with a figure in any of the periods, 0 where a period has none, so that a
// shift-share split compares like with like.
func (s *Service) matrices(ctx context.Context, a *Analysis, indicator string, periods ...string) ([]Matrix, error) {
	parent := map[string]bool{}
	for _, i := range a.Industry {
		parent[i.ParentCode] = true
	}
	vals := make([]map[[2]string]float64, len(periods))
	rs, is := map[string]bool{}, map[string]bool{}
	for k, period := range periods {
		figs, err := s.DB.IndicatorFigures(ctx, indicator, period, nil)
		if err != nil {
			return nil, err
		}
		vals[k] = map[[2]string]float64{}
		for _, f := range figs {
			// Leaf industries only: a parent's figure would count its children twice.
			if _, under := a.RegionName[f.RegionCode]; !under || parent[f.IndustryCode] {
				continue
			}
			vals[k][[2]string{f.RegionCode, f.IndustryCode}] = float64(f.Value) / 1e6
			rs[f.RegionCode], is[f.IndustryCode] = true, true
		}
	}
	var regions, industries []string
	for r := range rs {
		regions = append(regions, r)
	}
	for i := range is {
		industries = append(industries, i)
	}
	sort.Strings(regions)
	sort.Strings(industries)
	out := make([]Matrix, len(periods))
	for k := range periods {
		out[k] = Matrix{Regions: regions, Industries: industries}
		for _, r := range regions {
			for _, i := range industries {
				out[k].Values = append(out[k].Values, vals[k][[2]string{r, i}])
			}
		}
	}
	return out, nil
}

// ShiftAnalysis is the shift-share split of every region-industry change from Base to
// Query.Period.
type ShiftAnalysis struct {
	Analysis
	Base   string
	Shifts []Shift
}

// ShiftShare reads the figures of both periods and splits the changes. The reference area
// is the regions under q.Parent together.
func (s *Service) ShiftShare(ctx context.Context, p *auth.Principal, q Query, base string) (*ShiftAnalysis, error) {
	if err := auth.Require(p, auth.ReadRelatedness); err != nil {
		return nil, err
	}
	a, err := s.frame(ctx, q)
	if err != nil {
		return nil, err
	}
	ms, err := s.matrices(ctx, a, q.Indicator, base, q.Period)
	if err != nil {
		return nil, err
	}
	sa := &ShiftAnalysis{Analysis: *a, Base: base}
	sa.Matrix = ms[1]
	// A base with no figures would otherwise be refused as its first region being zero,
	// which names the wrong thing: the period is what is missing.
	if len(ms[0].Regions) > 0 && !slices.ContainsFunc(ms[0].Values, func(v float64) bool { return v != 0 }) {
		return sa, bad("no_base_figures", "relatedness.err.no_base", "base", q.Indicator, base, q.Parent)
	}
	sa.Shifts, err = ShiftShare(ms[0], ms[1])
	return sa, err
}
