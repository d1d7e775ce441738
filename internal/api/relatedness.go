package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/relatedness"
)

// The relatedness endpoint: the same analysis as the /relatedness page, for one region of
// the matrix, as JSON.

// Opportunity is an industry the region lacks, with the measures that rank it and the
// reason in the caller's language.
type Opportunity struct {
	Industry string  `json:"industry"`
	NameZh   string  `json:"name_zh"`
	NameEn   string  `json:"name_en"`
	RCA      float64 `json:"rca"`
	Density  float64 `json:"density"`
	PCI      float64 `json:"pci"`
	COG      float64 `json:"cog"`
	Reason   string  `json:"reason"`
}

// Relatedness is one region's place in the industry space of its siblings.
type Relatedness struct {
	Region        string        `json:"region"`
	Indicator     string        `json:"indicator"`
	Period        string        `json:"period"`
	Parent        string        `json:"parent"`
	ECI           float64       `json:"eci"`
	COI           float64       `json:"coi"`
	Opportunities []Opportunity `json:"opportunities"`
}

// relatednessQuery reads what both relatedness endpoints take: the region (required), the
// indicator (REV), the period (the latest with figures) and the parent whose regions form
// the space (赣州).
func (a *API) relatednessQuery(r *http.Request) (*auth.Principal, string, relatedness.Query, error) {
	p, err := principal(r)
	if err != nil {
		return nil, "", relatedness.Query{}, err
	}
	// Refused before any parameter is looked at, so that a caller without the right learns
	// nothing about which regions have figures.
	if err := auth.Require(p, auth.ReadRelatedness); err != nil {
		return nil, "", relatedness.Query{}, err
	}
	q := r.URL.Query()
	region := q.Get("region")
	if region == "" {
		return nil, "", relatedness.Query{}, apperr.New(apperr.Invalid, "missing_region", "relatedness.err.no_region").With("region", "relatedness.err.no_region")
	}
	rq := relatedness.Query{Indicator: cmp.Or(q.Get("indicator"), "REV"), Period: q.Get("period"), Parent: cmp.Or(q.Get("parent"), "360700")}
	if rq.Period == "" {
		if rq.Period, err = a.DB.LatestPeriod(r.Context(), rq.Indicator); err != nil {
			return nil, "", relatedness.Query{}, err
		}
	}
	return p, region, rq, nil
}

func (a *API) getRelatedness(w http.ResponseWriter, r *http.Request) error {
	p, region, rq, err := a.relatednessQuery(r)
	if err != nil {
		return err
	}
	an, err := (&relatedness.Service{DB: a.DB}).Analyse(r.Context(), p, rq)
	if err != nil {
		return err
	}
	res := an.Result
	ri := -1
	for i, c := range res.Regions {
		if c == region {
			ri = i
		}
	}
	if ri < 0 {
		return apperr.New(apperr.Invalid, "unknown_region", "relatedness.err.unknown_region", region, rq.Parent, rq.Indicator, rq.Period).
			With("region", "relatedness.err.unknown_region", region, rq.Parent, rq.Indicator, rq.Period)
	}
	lang := a.Lang(r)
	out := Relatedness{Region: region, Indicator: rq.Indicator, Period: rq.Period, Parent: rq.Parent, ECI: res.ECI[ri], COI: res.COI[ri],
		Opportunities: []Opportunity{}}
	f := func(x float64, d int) string { return strconv.FormatFloat(x, 'f', d, 64) }
	for _, o := range res.Opportunities(ri) {
		ind := an.Industry[o.Industry]
		out.Opportunities = append(out.Opportunities, Opportunity{Industry: o.Industry, NameZh: ind.NameZh, NameEn: ind.NameEn,
			RCA: o.RCA, Density: o.Density, PCI: o.PCI, COG: o.COG, Reason: a.Cat.T(lang, "rel.reason", f(o.Density, 3), f(o.COG, 2), f(o.PCI, 2))})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// ShiftRow is one industry's change in the region between the two periods, split as on
// the /relatedness/shift-share page: change = national + mix + regional, in the
// indicator's unit.
type ShiftRow struct {
	Industry string  `json:"industry"`
	NameZh   string  `json:"name_zh"`
	NameEn   string  `json:"name_en"`
	Base     float64 `json:"base"`
	End      float64 `json:"end"`
	Change   float64 `json:"change"`
	National float64 `json:"national"`
	Mix      float64 `json:"mix"`
	Regional float64 `json:"regional"`
}

// ShiftShare is one region's shift-share split between a base and an end period, the
// reference area being the regions under parent together.
type ShiftShare struct {
	Region     string     `json:"region"`
	Indicator  string     `json:"indicator"`
	Unit       string     `json:"unit"`
	Base       string     `json:"base"`
	Period     string     `json:"period"`
	Parent     string     `json:"parent"`
	Industries []ShiftRow `json:"industries"`
}

func (a *API) getShiftShare(w http.ResponseWriter, r *http.Request) error {
	p, region, rq, err := a.relatednessQuery(r)
	if err != nil {
		return err
	}
	// The page's default base is the period before the one analysed.
	base := r.URL.Query().Get("base")
	if base == "" {
		if base, err = a.DB.PreviousPeriod(r.Context(), rq.Indicator, rq.Period); err != nil {
			return err
		}
		if base == "" {
			return apperr.New(apperr.Invalid, "no_base_period", "relatedness.err.no_base_period", rq.Indicator, rq.Period).
				With("base", "relatedness.err.no_base_period", rq.Indicator, rq.Period)
		}
	}
	sa, err := (&relatedness.Service{DB: a.DB}).ShiftShare(r.Context(), p, rq, base)
	if err != nil {
		return err
	}
	if !slices.Contains(sa.Matrix.Regions, region) {
		return apperr.New(apperr.Invalid, "unknown_region", "relatedness.err.unknown_region", region, rq.Parent, rq.Indicator, rq.Period).
			With("region", "relatedness.err.unknown_region", region, rq.Parent, rq.Indicator, rq.Period)
	}
	out := ShiftShare{Region: region, Indicator: rq.Indicator, Base: base, Period: rq.Period, Parent: rq.Parent, Industries: []ShiftRow{}}
	inds, err := a.DB.Indicators(r.Context())
	if err != nil {
		return err
	}
	for _, i := range inds {
		if i.Code == rq.Indicator {
			out.Unit = i.Unit
		}
	}
	for _, x := range sa.Shifts {
		if x.Region != region {
			continue
		}
		ind := sa.Industry[x.Industry]
		out.Industries = append(out.Industries, ShiftRow{Industry: x.Industry, NameZh: ind.NameZh, NameEn: ind.NameEn, Base: x.Base, End: x.End,
			Change: x.Change, National: x.National, Mix: x.Mix, Regional: x.Regional})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}
