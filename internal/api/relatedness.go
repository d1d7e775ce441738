package api

import (
	"cmp"
	"net/http"
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

func (a *API) getRelatedness(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	// Refused before any parameter is looked at, so that a caller without the right learns
	// nothing about which regions have figures.
	if err := auth.Require(p, auth.ReadRelatedness); err != nil {
		return err
	}
	q := r.URL.Query()
	region := q.Get("region")
	if region == "" {
		return apperr.New(apperr.Invalid, "missing_region", "relatedness.err.no_region").With("region", "relatedness.err.no_region")
	}
	rq := relatedness.Query{Indicator: cmp.Or(q.Get("indicator"), "REV"), Period: q.Get("period"), Parent: cmp.Or(q.Get("parent"), "360700")}
	if rq.Period == "" {
		if rq.Period, err = a.DB.LatestPeriod(r.Context(), rq.Indicator); err != nil {
			return err
		}
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
