package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/park"
	"zhanxin/internal/plan"
	"zhanxin/internal/store"
)

// The park pages: the list of parks and bases with the article's counts beside them, one
// park with its industries, enterprises and the figures of its region, and the layout
// (一核两翼, the parks on the county map, 四基地一工程 with the targets that measure it).
// The park package reads and checks permission; these handlers only format.

func (s *Server) parkRoutes() {
	s.handle("GET /parks", s.adapt(s.parksPage))
	s.handle("GET /parks/layout", s.adapt(s.parksLayoutPage))
	s.handle("GET /parks/{code}", s.adapt(s.parkPage))
	s.parkEditRoutes()
}

func (s *Server) parkService() *park.Service { return &park.Service{DB: s.db, Now: s.now} }

func (s *Server) parkKind(lang i18n.Lang, k string) string   { return s.cat.T(lang, "park.kind."+k) }
func (s *Server) parkStatus(lang i18n.Lang, k string) string { return s.cat.T(lang, "park.status."+k) }

type parkCountView struct {
	Label, Value, Unit, Period, Source, Quote, Note, Qualifier string
}

// parkCounts formats the article's counts with unit, period and source.
func (s *Server) parkCounts(lang i18n.Lang, refs *plan.Refs, counts []store.FactDetail) []parkCountView {
	var out []parkCountView
	if refs == nil {
		return nil
	}
	for _, d := range counts {
		ind := refs.Indicators[d.Indicator]
		c := parkCountView{Label: name(lang, ind.NameZh, ind.NameEn), Value: fmtMicro(d.Value, 0), Unit: ind.Unit, Period: d.Period,
			Quote: d.Quote, Note: d.Note}
		c.Source, _ = s.sourceLabel(lang, refs, d.Source)
		if k, ok := planQualifierKeys[d.Qualifier]; ok {
			c.Qualifier = s.cat.T(lang, k)
		}
		out = append(out, c)
	}
	return out
}

var parkTable = TableSpec[store.Park]{
	Export: "park.list.title",
	Columns: []Column{{Label: "park.col.name", Sort: "name"}, {Label: "park.col.kind", Sort: "kind"}, {Label: "park.col.status", Sort: "status"},
		{Label: "park.col.region", Sort: "region"}, {Label: "park.col.note"}, {Label: "common.source"}, {Label: "park.col.quote"}, {Label: "park.col.code", Sort: "code"}},
}

type parksView struct {
	Page
	Table     TableView
	Counts    []parkCountView
	Kinds     []option
	CanManage bool
}

func (s *Server) parksPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	svc := s.parkService()
	kind := r.URL.Query().Get("kind")
	regionNames := map[string]string{}
	spec := parkTable
	spec.Row = func(pk store.Park) []Cell {
		region := regionNames[pk.RegionCode]
		if region == "" {
			region = s.cat.T(lang, "park.region_unknown")
		}
		return []Cell{{Value: pk.NameZh, Text: name(lang, pk.NameZh, pk.NameEn), Href: "/parks/" + pk.Code}, TextCell(s.parkKind(lang, pk.Kind)),
			TextCell(s.parkStatus(lang, pk.Status)), TextCell(region), TextCell(pk.Note), TextCell(pk.Source), TextCell(pk.Quote), TextCell(pk.Code)}
	}
	l, err := svc.Layout(r.Context(), p)
	if err != nil {
		return err
	}
	for _, pp := range l.Parks {
		if pp.Region.Code != "" {
			regionNames[pp.Region.Code] = name(lang, pp.Region.NameZh, pp.Region.NameEn)
		}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Park], error) {
		return svc.List(r.Context(), p, kind, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "parks"
	v := parksView{Page: s.page(w, r, "park.list.title", Crumb{Label: "park.list.title"}), Table: tv, Counts: s.parkCounts(lang, l.Refs, l.Counts),
		CanManage: p.Can(auth.ManageParks)}
	v.Kinds = append(v.Kinds, option{Value: "", Label: s.cat.T(lang, "park.kind.all"), Selected: kind == ""})
	for _, k := range park.Kinds {
		v.Kinds = append(v.Kinds, option{Value: k, Label: s.parkKind(lang, k), Selected: kind == k})
	}
	s.render(w, r, http.StatusOK, "parks", v)
	return nil
}

type parkFigView struct {
	Indicator, Industry, Period, Value, Unit, Qualifier, Source, Status, Quote string
}

type parkView struct {
	Page
	Park        store.Park
	Name        string
	Kind        string
	Status      string
	Region      string
	Industries  []string
	Enterprises []string
	Figures     []parkFigView
	ShowFigures bool
	CanManage   bool
	Flash       string
}

func (s *Server) parkPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	d, err := s.parkService().Get(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	v := parkView{Page: s.page(w, r, "park.title", Crumb{Label: "park.list.title", Href: "/parks"}, Crumb{Label: name(lang, d.Park.NameZh, d.Park.NameEn)}),
		Park: d.Park, Name: name(lang, d.Park.NameZh, d.Park.NameEn), Kind: s.parkKind(lang, d.Park.Kind), Status: s.parkStatus(lang, d.Park.Status),
		ShowFigures: d.Park.RegionCode != "", CanManage: p.Can(auth.ManageParks)}
	v.Title = v.Name
	if r.URL.Query().Get("ok") == "saved" {
		v.Flash = s.cat.T(lang, "parkedit.saved")
	}
	if d.Region.Code != "" {
		v.Region = name(lang, d.Region.NameZh, d.Region.NameEn) + "（" + d.Region.Code + "）"
	}
	for _, i := range d.Industries {
		v.Industries = append(v.Industries, name(lang, i.NameZh, i.NameEn))
	}
	for _, e := range d.Enterprises {
		v.Enterprises = append(v.Enterprises, name(lang, e.NameZh, e.NameEn))
	}
	for _, f := range d.Figures {
		ind := d.Indicators[f.Indicator]
		fv := parkFigView{Indicator: name(lang, ind.NameZh, ind.NameEn), Industry: f.Industry, Period: f.Period,
			Value: fmtMicro(f.Value, ind.Decimals), Unit: ind.Unit, Source: f.Source, Status: s.cat.T(lang, "park.fact_status."+f.Status), Quote: f.Quote}
		if k, ok := planQualifierKeys[f.Qualifier]; ok {
			fv.Qualifier = s.cat.T(lang, k)
		}
		v.Figures = append(v.Figures, fv)
	}
	s.render(w, r, http.StatusOK, "park", v)
	return nil
}

type layoutZoneView struct {
	Name, Role, Members, Note, Quote string
}

type layoutParkView struct {
	Code, Name, Kind, Status, Place string
	Placed                          bool
}

type positioningView struct {
	Name, Industry, Quote string
	Targets               []positionedTarget
}

type positionedTarget struct {
	Row  targetRowView
	Note string // why the target measures the goal
}

type parksLayoutView struct {
	Page
	Zones       []layoutZoneView
	Parks       []layoutParkView
	Counts      []parkCountView
	Positioning []positioningView
	MapJSON     string
	ShowMap     bool
	Placed      int
}

// parkMapJSON is what static/parks.js draws: each county's parks and layout role.
type parkMapJSON struct {
	Map     string            `json:"map"`
	NameMap map[string]string `json:"nameMap"`
	Data    []parkMapDatum    `json:"data"`
	Labels  map[string]string `json:"labels"`
}

type parkMapDatum struct {
	Name  string   `json:"name"`
	Value int      `json:"value"` // parks in the county
	Zones []string `json:"zones"` // the layout zones the county belongs to
	Parks []string `json:"parks"`
}

func (s *Server) parksLayoutPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	l, err := s.parkService().Layout(r.Context(), p)
	if err != nil {
		return err
	}
	v := parksLayoutView{Page: s.page(w, r, "park.layout.title", Crumb{Label: "park.list.title", Href: "/parks"}, Crumb{Label: "park.layout.title"}),
		Counts: s.parkCounts(lang, l.Refs, l.Counts), ShowMap: l.City.Code == plan.DefaultCity}
	zonesOf := map[string][]string{}
	for _, z := range l.Zones {
		if z.Info.Role == "functional" {
			continue // functional zones are places, listed with the parks; the layout is core, wings and plates
		}
		zv := layoutZoneView{Name: name(lang, z.Region.NameZh, z.Region.NameEn), Role: s.cat.T(lang, planZoneRoleKeys[z.Info.Role]), Note: z.Info.Note, Quote: z.Info.Quote}
		var ms []string
		for _, m := range z.Members {
			ms = append(ms, name(lang, m.NameZh, m.NameEn))
			if m.Kind == "county" {
				zonesOf[m.NameZh] = append(zonesOf[m.NameZh], zv.Name)
			}
		}
		zv.Members = strings.Join(ms, "、")
		v.Zones = append(v.Zones, zv)
	}
	parksOf := map[string][]string{}
	for _, pp := range l.Parks {
		pv := layoutParkView{Code: pp.Park.Code, Name: name(lang, pp.Park.NameZh, pp.Park.NameEn), Kind: s.parkKind(lang, pp.Park.Kind),
			Status: s.parkStatus(lang, pp.Park.Status)}
		switch {
		case pp.County != "":
			pv.Placed, pv.Place = true, name(lang, pp.Region.NameZh, pp.Region.NameEn)
			parksOf[pp.Region.NameZh] = append(parksOf[pp.Region.NameZh], pv.Name)
			v.Placed++
		case pp.Region.Code != "":
			pv.Place = s.cat.T(lang, "park.layout.in_zone", name(lang, pp.Region.NameZh, pp.Region.NameEn))
		default:
			pv.Place = s.cat.T(lang, "park.region_unknown")
		}
		v.Parks = append(v.Parks, pv)
	}
	mj := parkMapJSON{Map: ganzhouMapName, NameMap: MapNameMap(l.Counties), Data: []parkMapDatum{},
		Labels: map[string]string{"parks": s.cat.T(lang, "park.layout.map_parks"), "zones": s.cat.T(lang, "park.layout.map_zones"),
			"none": s.cat.T(lang, "park.layout.map_none")}}
	for _, c := range l.Counties {
		if len(parksOf[c.NameZh]) == 0 && len(zonesOf[c.NameZh]) == 0 {
			continue
		}
		mj.Data = append(mj.Data, parkMapDatum{Name: c.NameZh, Value: len(parksOf[c.NameZh]), Zones: zonesOf[c.NameZh], Parks: parksOf[c.NameZh]})
	}
	b, err := json.Marshal(mj)
	if err != nil {
		return err
	}
	v.MapJSON = string(b)
	for _, pos := range l.Positioning {
		pv := positioningView{Name: name(lang, pos.Goal.NameZh, pos.Goal.NameEn), Industry: name(lang, pos.Goal.Industry.NameZh, pos.Goal.Industry.NameEn),
			Quote: pos.Goal.Quote}
		for i, t := range pos.Targets {
			pv.Targets = append(pv.Targets, positionedTarget{Row: s.targetRow(lang, l.Refs, t), Note: pos.Notes[i]})
		}
		v.Positioning = append(v.Positioning, pv)
	}
	s.render(w, r, http.StatusOK, "parks_layout", v)
	return nil
}
