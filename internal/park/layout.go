package park

import (
	"context"
	"errors"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/plan"
	"zhanxin/internal/store"
)

// CountIndicators are the article's counts of the layout, shown as facts beside the rows:
// 6 provincial bases (three named), 30 planned 特色园区 (two named). A count is never
// turned into rows the source does not name.
var CountIndicators = []string{"BASE_PROV", "PARK_FEATURED"}

// PlacedPark is a park with the county it lies in, when the source places it in one.
type PlacedPark struct {
	Park   store.Park
	Region store.Region // the park's region (a county, a zone) or zero
	County string       // the county's code when Region is a county, else ""
}

// Positioning is a named goal of 四基地一工程 with the targets that measure it.
type Positioning struct {
	Goal    plan.GoalView
	Targets []plan.TargetView
	Notes   []string // why each target measures the goal, in the order of Targets
}

// Layout is the regional layout: 一核两翼 and the growth plates, the parks placed on the
// county map, the article's counts and the positioning with its targets.
type Layout struct {
	City        store.Region
	Zones       []store.LayoutZone
	Parks       []PlacedPark
	Counts      []store.FactDetail
	Indicators  map[string]store.Indicator
	Positioning []Positioning
	Refs        *plan.Refs // nil when no plan is loaded
	Counties    []store.Region
}

// Layout reads the layout. Everyone who reads parks reads it; the counts and targets are
// region-level figures, published ones only for those who read the published view.
func (s *Service) Layout(ctx context.Context, p *auth.Principal) (Layout, error) {
	var l Layout
	if err := auth.Require(p, auth.ReadParks); err != nil {
		return l, err
	}
	var err error
	if l.City, err = s.DB.RegionByCode(ctx, plan.DefaultCity); err != nil && !errors.Is(err, store.ErrNotFound) {
		return l, err
	}
	if l.Zones, err = s.DB.Layout(ctx); err != nil {
		return l, err
	}
	if l.Counties, err = s.DB.RegionChildren(ctx, plan.DefaultCity, "county"); err != nil {
		return l, err
	}
	regions := map[string]store.Region{}
	for _, z := range l.Zones {
		regions[z.Region.Code] = z.Region
	}
	for _, c := range l.Counties {
		regions[c.Code] = c
	}
	parks, err := s.DB.Parks(ctx)
	if err != nil {
		return l, err
	}
	for _, pk := range parks {
		pp := PlacedPark{Park: pk}
		if pk.RegionCode != "" {
			g, ok := regions[pk.RegionCode]
			if !ok {
				if g, err = s.DB.RegionByCode(ctx, pk.RegionCode); err != nil {
					return l, err
				}
			}
			pp.Region = g
			if g.Kind == "county" {
				pp.County = g.Code
			}
		}
		l.Parks = append(l.Parks, pp)
	}
	if !p.Can(auth.ReadStats) {
		return l, nil
	}
	ps := &plan.Service{DB: s.DB}
	o, err := ps.Overview(ctx, p, "")
	if apperr.Is(err, apperr.NotFound) {
		return l, nil // no plan loaded: the layout without counts and positioning
	} else if err != nil {
		return l, err
	}
	l.Refs = o.Refs
	l.Indicators = o.Refs.Indicators
	approvedOnly := p.Role == auth.Viewer || p.Role == auth.Enterprise
	if l.Counts, err = s.DB.RegionFigures(ctx, o.Plan.RegionCode, CountIndicators, []string{"SEI"}, approvedOnly); err != nil {
		return l, err
	}
	pairs, err := s.DB.GoalTargets(ctx)
	if err != nil {
		return l, err
	}
	byTarget := map[string]plan.TargetView{}
	for _, t := range o.Targets() {
		byTarget[t.Code] = t
	}
	for _, g := range o.Goals {
		pos := Positioning{Goal: g}
		for _, pr := range pairs {
			if t, ok := byTarget[pr.TargetCode]; ok && pr.GoalCode == g.Code {
				pos.Targets = append(pos.Targets, t)
				pos.Notes = append(pos.Notes, pr.Note)
			}
		}
		l.Positioning = append(l.Positioning, pos)
	}
	return l, nil
}
