package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/relatedness"
)

// The relatedness page: for the regions under a parent (the counties of Ganzhou by
// default), RCA against density for one region's industries, like the Atlas and
// Metroverse growth-opportunity charts, and its top opportunities with the reasons.

func (s *Server) relatednessRoutes() {
	s.handle("GET /relatedness", s.adapt(s.relatednessPage))
	s.handle("GET /relatedness/shift-share", s.adapt(s.shiftSharePage))
}

type relForm struct {
	Indicator, Period, Parent, Region string
}

type relView struct {
	Page
	Form      relForm
	Error     string
	NoData    bool
	Regions   []chainOpt
	ChartJSON string
	ECI       string
	COI       string
	Table     TableView
}

type relPoint struct {
	Name    string  `json:"name"`
	Density float64 `json:"density"`
	RCA     float64 `json:"rca"`
	PCI     float64 `json:"pci"`
	Has     bool    `json:"has"`
}

var relColumns = []Column{{Label: "rel.col.industry"}, {Label: "rel.col.density", Sort: "density", Num: true},
	{Label: "rel.col.cog", Sort: "cog", Num: true}, {Label: "rel.col.pci", Sort: "pci", Num: true},
	{Label: "rel.col.rca", Sort: "rca", Num: true}, {Label: "rel.col.reason"}}

func (s *Server) relatednessPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ReadRelatedness); err != nil {
		return err
	}
	lang := s.lang(r)
	q := r.URL.Query()
	f := relForm{Indicator: cmp.Or(q.Get("indicator"), "REV"), Period: q.Get("period"), Parent: cmp.Or(q.Get("parent"), "360700"), Region: q.Get("region")}
	if f.Period == "" {
		if f.Period, err = s.db.LatestPeriod(r.Context(), f.Indicator); err != nil {
			return err
		}
	}
	v := relView{Page: s.page(w, r, "rel.title", Crumb{Label: "rel.title"}), Form: f}
	svc := &relatedness.Service{DB: s.db}
	a, err := svc.Analyse(r.Context(), p, relatedness.Query{Indicator: f.Indicator, Period: f.Period, Parent: f.Parent})
	status := http.StatusOK
	if err != nil {
		e := apperr.From(err)
		if e.Kind != apperr.Invalid {
			return err
		}
		if len(a.Matrix.Regions) == 0 || len(a.Matrix.Industries) == 0 {
			v.NoData = true
		} else {
			v.Error = s.cat.T(lang, e.Key, e.Args...)
			status = http.StatusUnprocessableEntity
		}
		s.render(w, r, status, "relatedness", v)
		return nil
	}
	res := a.Result
	ri := 0
	for i, code := range res.Regions {
		g := a.RegionName[code]
		v.Regions = append(v.Regions, chainOpt{code, name(lang, g.NameZh, g.NameEn)})
		if code == f.Region {
			ri = i
		}
	}
	v.Form.Region = res.Regions[ri]
	v.ECI = s.fmtNum(res.ECI[ri], 2)
	v.COI = s.fmtNum(res.COI[ri], 2)
	indName := func(code string) string { i := a.Industry[code]; return name(lang, i.NameZh, i.NameEn) }
	var pts []relPoint
	for p, code := range res.Industries {
		pts = append(pts, relPoint{Name: indName(code), Density: res.Density.At(ri, p), RCA: res.RCA.At(ri, p), PCI: res.PCI[p], Has: res.M.At(ri, p) == 1})
	}
	b, err := json.Marshal(map[string]any{"points": pts, "x": s.cat.T(lang, "rel.col.density"), "y": s.cat.T(lang, "rel.col.rca"),
		"has": s.cat.T(lang, "rel.has"), "lacks": s.cat.T(lang, "rel.lacks")})
	if err != nil {
		return err
	}
	v.ChartJSON = string(b)
	ops := res.Opportunities(ri)
	spec := TableSpec[relatedness.Opportunity]{Export: "rel.export", Columns: relColumns, Row: func(o relatedness.Opportunity) []Cell {
		num := func(x float64) Cell { return Cell{Value: x, Text: s.fmtNum(x, 3), Num: true} }
		return []Cell{TextCell(indName(o.Industry)), num(o.Density), num(o.COG), num(o.PCI), num(o.RCA),
			TextCell(s.cat.T(lang, "rel.reason", s.fmtNum(o.Density, 3), s.fmtNum(o.COG, 2), s.fmtNum(o.PCI, 2)))}
	}}
	sorts := map[string]func(a, b relatedness.Opportunity) int{
		"density": func(a, b relatedness.Opportunity) int { return cmp.Compare(a.Density, b.Density) },
		"cog":     func(a, b relatedness.Opportunity) int { return cmp.Compare(a.COG, b.COG) },
		"pci":     func(a, b relatedness.Opportunity) int { return cmp.Compare(a.PCI, b.PCI) },
		"rca":     func(a, b relatedness.Opportunity) int { return cmp.Compare(a.RCA, b.RCA) },
	}
	tv, done, err := memTable(s, w, r, spec, ops, sorts, func(o relatedness.Opportunity) string {
		return strings.ToLower(o.Industry + " " + indName(o.Industry))
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "opportunities"
	v.Table = tv
	slices.SortFunc(v.Regions, func(a, b chainOpt) int { return cmp.Compare(a.Value, b.Value) })
	s.render(w, r, status, "relatedness", v)
	return nil
}
