package dataset

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"zhanxin/internal/park"
	"zhanxin/internal/store"
)

// parks.json: the parks and bases the sources name, each with the sentence it comes from,
// and the pairing of the positioning's named goals with the targets that measure them.
type parkFile struct {
	Parks []struct {
		Code       string   `json:"code"`
		NameZh     string   `json:"name_zh"`
		NameEn     string   `json:"name_en"`
		Kind       string   `json:"kind"`
		RegionCode string   `json:"region_code"`
		Status     string   `json:"status"`
		Note       string   `json:"note"`
		Source     string   `json:"source"`
		Quote      string   `json:"quote"`
		SortOrder  int      `json:"sort_order"`
		Industries []string `json:"industries"`
	} `json:"parks"`
	GoalTargets []struct {
		GoalCode   string `json:"goal_code"`
		TargetCode string `json:"target_code"`
		Note       string `json:"note"`
	} `json:"goal_targets"`
}

func (l *loader) parks(c *contents) error {
	for n, r := range c.parks.Parks {
		in := park.Input{Code: r.Code, NameZh: r.NameZh, Kind: r.Kind, Status: r.Status, Source: r.Source}
		if err := in.Validate(); err != nil {
			return rowErr("parks.json", n, r.Code, err)
		}
		p := store.Park{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn, Kind: r.Kind, RegionCode: r.RegionCode, Status: r.Status,
			Note: r.Note, Source: r.Source, Quote: r.Quote, SortOrder: r.SortOrder}
		if p.RegionCode != "" {
			if _, err := l.tx.RegionByCode(l.ctx, p.RegionCode); err != nil {
				return rowErr("parks.json", n, r.Code, fmt.Errorf("region %s: %w", p.RegionCode, err))
			}
		}
		if err := upsert(l, "park", p.Code, p, func() (store.Park, error) { return l.tx.ParkByCode(l.ctx, p.Code) }, eq[store.Park],
			func() error { return l.tx.UpsertPark(l.ctx, p) }); err != nil {
			return err
		}
		inds := append([]string{}, r.Industries...)
		sort.Strings(inds)
		for _, code := range inds {
			if _, err := l.tx.IndustryByCode(l.ctx, code); err != nil {
				return rowErr("parks.json", n, r.Code, fmt.Errorf("industry %s: %w", code, err))
			}
		}
		get := func() ([]string, error) {
			have, err := l.tx.ParkIndustryCodes(l.ctx, p.Code)
			if err == nil && len(have) == 0 {
				return nil, store.ErrNotFound
			}
			return have, err
		}
		if len(inds) > 0 {
			if err := upsert(l, "park_industries", p.Code, inds, get, slices.Equal[[]string],
				func() error { return l.tx.SetParkIndustries(l.ctx, p.Code, inds) }); err != nil {
				return err
			}
		}
	}
	for n, g := range c.parks.GoalTargets {
		if _, err := l.tx.PlanGoalByCode(l.ctx, g.GoalCode); err != nil {
			return rowErr("parks.json", n, g.GoalCode, fmt.Errorf("goal %s: %w", g.GoalCode, err))
		}
		if _, err := l.tx.PlanTargetByCode(l.ctx, g.TargetCode); err != nil {
			return rowErr("parks.json", n, g.TargetCode, fmt.Errorf("target %s: %w", g.TargetCode, err))
		}
		gt := store.GoalTarget{GoalCode: g.GoalCode, TargetCode: g.TargetCode, Note: strings.TrimSpace(g.Note)}
		if err := upsert(l, "goal_target", g.GoalCode+"/"+g.TargetCode, gt,
			func() (store.GoalTarget, error) { return l.tx.GoalTargetByKey(l.ctx, g.GoalCode, g.TargetCode) }, eq[store.GoalTarget],
			func() error { return l.tx.UpsertGoalTarget(l.ctx, gt) }); err != nil {
			return err
		}
	}
	return nil
}
