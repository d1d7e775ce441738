package relatedness

import (
	"context"
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
	a := &Analysis{Query: q, RegionName: map[string]store.Region{}, Industry: map[string]store.Industry{}}
	regions, err := s.DB.ListRegions(ctx, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	under := map[string]bool{}
	for _, r := range regions.Rows {
		if r.ParentCode == q.Parent && r.Kind != "zone" {
			under[r.Code] = true
			a.RegionName[r.Code] = r
		}
	}
	inds, err := s.DB.Industries(ctx)
	if err != nil {
		return nil, err
	}
	parent := map[string]bool{}
	for _, i := range inds {
		parent[i.ParentCode] = true
		a.Industry[i.Code] = i
	}
	figs, err := s.DB.IndicatorFigures(ctx, q.Indicator, q.Period, nil)
	if err != nil {
		return nil, err
	}
	val := map[[2]string]float64{}
	rs, is := map[string]bool{}, map[string]bool{}
	for _, f := range figs {
		// Leaf industries only: a parent's figure would count its children twice.
		if !under[f.RegionCode] || parent[f.IndustryCode] {
			continue
		}
		val[[2]string{f.RegionCode, f.IndustryCode}] = float64(f.Value) / 1e6
		rs[f.RegionCode], is[f.IndustryCode] = true, true
	}
	for r := range rs {
		a.Matrix.Regions = append(a.Matrix.Regions, r)
	}
	for i := range is {
		a.Matrix.Industries = append(a.Matrix.Industries, i)
	}
	sort.Strings(a.Matrix.Regions)
	sort.Strings(a.Matrix.Industries)
	for _, r := range a.Matrix.Regions {
		for _, i := range a.Matrix.Industries {
			a.Matrix.Values = append(a.Matrix.Values, val[[2]string{r, i}])
		}
	}
	if a.Result, err = Compute(a.Matrix); err != nil {
		return a, err
	}
	return a, nil
}
