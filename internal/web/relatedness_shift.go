package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/relatedness"
)

// The shift-share page: for one region under a parent, each industry's change between a
// base and an end period split into national (reference-area) growth, industry mix and
// regional shift. Its own page rather than a second table on /relatedness, because the
// table partial's sort, filter, paging and export parameters are one set per page.

type shiftForm struct {
	Indicator, Base, Period, Parent, Region string
}

type shiftView struct {
	Page
	Form    shiftForm
	Error   string
	NoData  bool
	Regions []chainOpt
	Unit    string
	Table   TableView
}

var shiftColumns = []Column{{Label: "rel.col.industry"}, {Label: "rel.ss.col.base", Sort: "base", Num: true},
	{Label: "rel.ss.col.end", Sort: "end", Num: true}, {Label: "rel.ss.col.change", Sort: "change", Num: true},
	{Label: "rel.ss.col.national", Sort: "national", Num: true}, {Label: "rel.ss.col.mix", Sort: "mix", Num: true},
	{Label: "rel.ss.col.regional", Sort: "regional", Num: true}}

func (s *Server) shiftSharePage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ReadRelatedness); err != nil {
		return err
	}
	lang := s.lang(r)
	q := r.URL.Query()
	f := shiftForm{Indicator: cmp.Or(q.Get("indicator"), "REV"), Base: q.Get("base"), Period: q.Get("period"),
		Parent: cmp.Or(q.Get("parent"), "360700"), Region: q.Get("region")}
	if f.Period == "" {
		if f.Period, err = s.db.LatestPeriod(r.Context(), f.Indicator); err != nil {
			return err
		}
	}
	if f.Base == "" {
		if f.Base, err = s.db.PreviousPeriod(r.Context(), f.Indicator, f.Period); err != nil {
			return err
		}
	}
	v := shiftView{Page: s.page(w, r, "rel.ss.title", Crumb{Label: "rel.title", Href: "/relatedness"}, Crumb{Label: "rel.ss.title"}), Form: f}
	inds, err := s.db.Indicators(r.Context())
	if err != nil {
		return err
	}
	for _, i := range inds {
		if i.Code == f.Indicator {
			v.Unit = i.Unit
		}
	}
	sa, err := (&relatedness.Service{DB: s.db}).ShiftShare(r.Context(), p, relatedness.Query{Indicator: f.Indicator, Period: f.Period, Parent: f.Parent}, f.Base)
	if err != nil {
		e := apperr.From(err)
		if e.Kind != apperr.Invalid {
			return err
		}
		status := http.StatusOK
		if f.Base == "" || len(sa.Matrix.Regions) == 0 || len(sa.Matrix.Industries) == 0 {
			v.NoData = true
		} else {
			v.Error = s.cat.T(lang, e.Key, e.Args...)
			status = http.StatusUnprocessableEntity
		}
		s.render(w, r, status, "relatedness_shift", v)
		return nil
	}
	for _, code := range sa.Matrix.Regions {
		g := sa.RegionName[code]
		v.Regions = append(v.Regions, chainOpt{code, name(lang, g.NameZh, g.NameEn)})
	}
	if !slices.Contains(sa.Matrix.Regions, f.Region) {
		v.Form.Region = sa.Matrix.Regions[0]
	}
	var rows []relatedness.Shift
	for _, x := range sa.Shifts {
		if x.Region == v.Form.Region {
			rows = append(rows, x)
		}
	}
	indName := func(code string) string { i := sa.Industry[code]; return name(lang, i.NameZh, i.NameEn) }
	spec := TableSpec[relatedness.Shift]{Export: "rel.ss.export", Columns: shiftColumns, Row: func(x relatedness.Shift) []Cell {
		num := func(y float64) Cell { return Cell{Value: y, Text: s.fmtNum(y, 2), Num: true} }
		return []Cell{TextCell(indName(x.Industry)), num(x.Base), num(x.End), num(x.Change), num(x.National), num(x.Mix), num(x.Regional)}
	}}
	by := func(get func(relatedness.Shift) float64) func(a, b relatedness.Shift) int {
		return func(a, b relatedness.Shift) int { return cmp.Compare(get(a), get(b)) }
	}
	sorts := map[string]func(a, b relatedness.Shift) int{
		"base":     by(func(x relatedness.Shift) float64 { return x.Base }),
		"end":      by(func(x relatedness.Shift) float64 { return x.End }),
		"change":   by(func(x relatedness.Shift) float64 { return x.Change }),
		"national": by(func(x relatedness.Shift) float64 { return x.National }),
		"mix":      by(func(x relatedness.Shift) float64 { return x.Mix }),
		"regional": by(func(x relatedness.Shift) float64 { return x.Regional }),
	}
	tv, done, err := memTable(s, w, r, spec, rows, sorts, func(x relatedness.Shift) string {
		return strings.ToLower(x.Industry + " " + indName(x.Industry))
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "shift-share"
	v.Table = tv
	slices.SortFunc(v.Regions, func(a, b chainOpt) int { return cmp.Compare(a.Value, b.Value) })
	s.render(w, r, http.StatusOK, "relatedness_shift", v)
	return nil
}
