package plan

import (
	"context"
	"errors"
	"sort"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// The dashboard a bureau director opens every morning: headline figures, the four
// strategic industries side by side, a county map coloured by a chosen indicator, and the
// plan's targets at a glance. Every value is read by key from fact_current or rollups
// (a few dozen index probes), never by scanning facts, so that the page stays fast on a
// national dataset.

// DefaultCity is the city the dashboard shows when no plan names one: the built-in
// dataset's Ganzhou, the only city whose county map is embedded.
const DefaultCity = "360700"

// headline lists the figures at the top: indicator × industry of the city.
var headline = []struct{ Indicator, Industry string }{
	{"VA", "SEI"}, {"VA_GROWTH", "SEI"}, {"VA_SHARE_IND", "SEI"}, {"ENT_ABOVE", "SEI"}, {"GDP", "ALL"}, {"ENT_ABOVE", "IND"},
}

// FourIndustries are the article's four strategic industries, shown side by side.
var FourIndustries = []string{"REW", "NEV", "HEM", "BIO"}

// industryRows are the indicators compared across the four industries.
var industryRows = []string{"REV", "PT", "VA_GROWTH", "ENT_ABOVE", "ENT"}

// Figure is one value of the dashboard; Point is nil when there is no figure.
type Figure struct {
	Ind      store.Indicator
	Industry store.Industry
	Point    *Point
}

// IndustryRow is one indicator across the four industries.
type IndustryRow struct {
	Ind   store.Indicator
	Cells []Figure
}

// MapQuery is the map's choice: indicator, industry and period ("" for the defaults).
type MapQuery struct {
	Indicator, Industry, Period string
}

// CountyValue is a county and its value (nil: no data).
type CountyValue struct {
	Region store.Region
	Point  *Point
}

// MapView is the county map's data.
type MapView struct {
	Ind        store.Indicator
	Industry   store.Industry
	Period     string
	Indicators []store.Indicator // the additive indicators that can colour the map
	Industries []store.Industry
	Counties   []CountyValue
	WithData   int
}

// Dashboard is everything the home page shows.
type Dashboard struct {
	City       store.Region
	Headline   []Figure
	Industries []store.Industry
	Rows       []IndustryRow
	Map        MapView
	Plan       *Overview // nil when no plan is loaded
	Refs       *Refs
}

// latest is the newest point of a series (nil when empty).
func latest(pts []Point) *Point {
	if len(pts) == 0 {
		return nil
	}
	p := pts[len(pts)-1]
	return &p
}

// Dashboard reads the home page's figures for p: the plan without its layout, then every
// headline and industry figure of the city in one pair of queries, then the county map.
func (s *Service) Dashboard(ctx context.Context, p *auth.Principal, q MapQuery) (Dashboard, error) {
	sc, err := readScope(p)
	if err != nil {
		return Dashboard{}, err
	}
	var d Dashboard
	o, err := s.overview(ctx, sc, "", false)
	switch {
	case apperr.Is(err, apperr.NotFound):
		if d.Refs, err = s.refs(ctx); err != nil {
			return d, err
		}
	case err != nil:
		return d, err
	default:
		d.Plan, d.Refs, d.City = &o, o.Refs, o.Region
	}
	if d.City.Code == "" {
		g, err := s.DB.RegionByCode(ctx, DefaultCity)
		if errors.Is(err, store.ErrNotFound) {
			return d, nil // an empty database: nothing to show yet
		} else if err != nil {
			return d, err
		}
		d.City = g
	}
	city := d.City.Code
	for _, code := range FourIndustries {
		if i, ok := d.Refs.Industries[code]; ok {
			d.Industries = append(d.Industries, i)
		}
	}
	var keys []ik
	for _, h := range headline {
		keys = append(keys, ik{h.Indicator, h.Industry})
	}
	for _, code := range industryRows {
		for _, i := range d.Industries {
			keys = append(keys, ik{code, i.Code})
		}
	}
	series, err := s.figures(ctx, d.Refs, city, keys, sc)
	if err != nil {
		return d, err
	}
	for _, h := range headline {
		if ind, ok := d.Refs.Indicators[h.Indicator]; ok {
			d.Headline = append(d.Headline, Figure{Ind: ind, Industry: d.Refs.Industries[h.Industry], Point: latest(series[ik{h.Indicator, h.Industry}])})
		}
	}
	for _, code := range industryRows {
		ind, ok := d.Refs.Indicators[code]
		if !ok {
			continue
		}
		row := IndustryRow{Ind: ind}
		for _, i := range d.Industries {
			row.Cells = append(row.Cells, Figure{Ind: ind, Industry: i, Point: latest(series[ik{code, i.Code}])})
		}
		d.Rows = append(d.Rows, row)
	}
	d.Map, err = s.countyMap(ctx, d.Refs, city, q, sc)
	return d, err
}

// countyMap reads the chosen indicator for every county of city: each county's own figure,
// else the roll-up of its enterprises. A county without either has no value: it is shown
// as 无数据, never as zero.
func (s *Service) countyMap(ctx context.Context, refs *Refs, city string, q MapQuery, sc scope) (MapView, error) {
	var m MapView
	for _, i := range refs.Indicators {
		if i.Aggregation == "sum" || i.Aggregation == "average" {
			m.Indicators = append(m.Indicators, i)
		}
	}
	sort.Slice(m.Indicators, func(a, b int) bool {
		x, y := m.Indicators[a], m.Indicators[b]
		return x.SortOrder < y.SortOrder || (x.SortOrder == y.SortOrder && x.Code < y.Code)
	})
	for _, i := range refs.Industries {
		m.Industries = append(m.Industries, i)
	}
	sort.Slice(m.Industries, func(a, b int) bool {
		x, y := m.Industries[a], m.Industries[b]
		return x.SortOrder < y.SortOrder || (x.SortOrder == y.SortOrder && x.Code < y.Code)
	})
	if len(m.Indicators) == 0 {
		return m, nil
	}
	industry := q.Industry
	if _, ok := refs.Industries[industry]; !ok {
		industry = "SEI"
		if _, ok := refs.Industries[industry]; !ok && len(m.Industries) > 0 {
			industry = m.Industries[0].Code
		}
	}
	m.Industry = refs.Industries[industry]
	bases := []string{"r"}
	if sc.enterpriseRollups {
		bases = append(bases, "e")
	}
	// The map's default is 主营业务收入; searching every indicator for one with county
	// figures would cost a query each on every visit.
	ind, ok := refs.Indicators[q.Indicator]
	if !ok || (ind.Aggregation != "sum" && ind.Aggregation != "average") {
		ind = m.Indicators[0]
		if rev, ok := refs.Indicators["REV"]; ok {
			ind = rev
		}
	}
	m.Ind = ind
	m.Period = q.Period
	if m.Period == "" {
		// The newest period with county or enterprise figures under the city: the city's
		// roll-up rows say so without touching the counties.
		for _, b := range bases {
			p, err := s.DB.LatestRollupPeriod(ctx, b, ind.Code, city, industry, sc.approvedOnly)
			if err != nil {
				return m, err
			}
			m.Period = max(m.Period, p)
		}
	}
	counties, err := s.DB.RegionChildren(ctx, city, "county")
	if err != nil {
		return m, err
	}
	codes := make([]string, len(counties))
	for i, c := range counties {
		codes[i] = c.Code
	}
	own := map[string]store.FactDetail{}
	ents := map[string]store.Rollup{}
	if m.Period != "" {
		if own, err = s.DB.RegionDetails(ctx, ind.Code, industry, m.Period, codes, sc.approvedOnly); err != nil {
			return m, err
		}
		if sc.enterpriseRollups {
			if ents, err = s.DB.RollupsFor(ctx, "e", ind.Code, industry, m.Period, codes); err != nil {
				return m, err
			}
		}
	}
	for _, c := range counties {
		cv := CountyValue{Region: c}
		if d, ok := own[c.Code]; ok {
			p := pointOf(d)
			cv.Point = &p
		} else if r, ok := ents[c.Code]; ok {
			if p, ok := rollupPoint(r, ind, sc); ok {
				cv.Point = &p
			}
		}
		if cv.Point != nil {
			m.WithData++
		}
		m.Counties = append(m.Counties, cv)
	}
	return m, nil
}
