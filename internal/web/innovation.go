package web

import (
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/innovation"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The innovation page: the article's counts of centres (facts, with period and source),
// and the named platforms, alliances and talent programmes with the chain links and
// enterprises each serves.

func (s *Server) innovationRoutes() {
	s.handle("GET /innovation", s.adapt(s.innoPage))
	s.handle("POST /innovation/units", s.adapt(s.innoAddUnit))
	s.handle("POST /innovation/links", s.adapt(s.innoLink))
}

func (s *Server) innoService() *innovation.Service { return &innovation.Service{DB: s.db, Now: s.now} }

var (
	innoCategoryKeys = map[string]string{"platform": "inno.cat.platform", "alliance": "inno.cat.alliance", "talent": "inno.cat.talent"}
	innoLevelKeys    = map[string]string{"": "inno.level.unstated", "national": "inno.level.national", "provincial": "inno.level.provincial", "city": "inno.level.city"}
	innoStatusKeys   = map[string]string{"proposed": "inno.status.proposed", "building": "inno.status.building", "operating": "inno.status.operating"}
)

type innoCountView struct {
	Label, Value, Period, Source, Quote string
}

type innoView struct {
	Page
	Table      TableView
	Counts     []innoCountView
	CanManage  bool
	Categories []cultOption
	Levels     []cultOption
	Statuses   []cultOption
	Units      []cultOption
}

func (s *Server) innoPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	o, err := s.innoService().Units(r.Context(), p)
	if err != nil {
		return err
	}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	spec := TableSpec[store.InnovationUnit]{Export: "inno.title", Columns: []Column{{Label: "cult.col.id", Sort: "id", Num: true},
		{Label: "inno.col.name", Sort: "name"}, {Label: "inno.col.category", Sort: "category"}, {Label: "inno.col.level"}, {Label: "cult.col.status"},
		{Label: "inno.col.links"}, {Label: "inno.col.enterprises"}, {Label: "cult.col.note"}, {Label: "fin.col.quote"}, {Label: "common.source"}}}
	spec.Row = func(u store.InnovationUnit) []Cell {
		var links, ents []string
		for _, l := range u.Links {
			links = append(links, name(lang, l.NameZh, l.NameEn)+"（"+l.ChainCode+"）")
		}
		for _, e := range u.Enterprises {
			ents = append(ents, e.NameZh)
		}
		return []Cell{{Value: u.ID, Text: strconv.FormatInt(u.ID, 10), Num: true}, TextCell(name(lang, u.NameZh, u.NameEn)),
			TextCell(s.cat.T(lang, innoCategoryKeys[u.Category])), TextCell(s.cat.T(lang, innoLevelKeys[u.Level])),
			TextCell(s.cat.T(lang, innoStatusKeys[u.Status])), TextCell(strings.Join(links, "、")), TextCell(strings.Join(ents, "、")),
			TextCell(u.Note), TextCell(u.Quote), TextCell(src(u.Source))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.InnovationUnit], error) {
		return store.SlicePage(o.Units, q, map[string]func(a, b store.InnovationUnit) int{
			"id":       func(a, b store.InnovationUnit) int { return int(a.ID - b.ID) },
			"name":     func(a, b store.InnovationUnit) int { return strings.Compare(a.NameZh, b.NameZh) },
			"category": func(a, b store.InnovationUnit) int { return strings.Compare(a.Category, b.Category) },
		}, func(u store.InnovationUnit) string { return u.NameZh + " " + u.NameEn + " " + u.Note }), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "units"
	v := innoView{Page: s.page(w, r, "inno.title", Crumb{Label: "inno.title"}), Table: tv, CanManage: p.Can(auth.ManageInnovation)}
	for _, f := range o.Counts {
		ind := o.Inds[f.Indicator]
		v.Counts = append(v.Counts, innoCountView{Label: name(lang, ind.NameZh, ind.NameEn), Value: stats.Micro(f.Value).String() + " " + ind.Unit,
			Period: f.Period, Source: src(f.Source), Quote: f.Quote})
	}
	if v.CanManage {
		for _, c := range innovation.Categories {
			v.Categories = append(v.Categories, cultOption{Value: c, Label: s.cat.T(lang, innoCategoryKeys[c])})
		}
		for _, c := range innovation.Levels {
			v.Levels = append(v.Levels, cultOption{Value: c, Label: s.cat.T(lang, innoLevelKeys[c])})
		}
		for _, c := range innovation.Statuses {
			v.Statuses = append(v.Statuses, cultOption{Value: c, Label: s.cat.T(lang, innoStatusKeys[c])})
		}
		for _, u := range o.Units {
			v.Units = append(v.Units, cultOption{Value: strconv.FormatInt(u.ID, 10), Label: u.NameZh})
		}
	}
	s.render(w, r, http.StatusOK, "innovation", v)
	return nil
}

// formIDs reads a comma-separated list of ids; an entry that is not a number becomes 0,
// which names nothing and is reported by the use case.
func formIDs(s string) []int64 {
	var out []int64
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
		id, _ := strconv.ParseInt(x, 10, 64)
		out = append(out, id)
	}
	return out
}

func (s *Server) innoAddUnit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	_, err = s.innoService().AddUnit(r.Context(), p, innovation.NewUnit{NameZh: r.PostFormValue("name_zh"), NameEn: r.PostFormValue("name_en"),
		Category: r.PostFormValue("category"), Level: r.PostFormValue("level"), Status: r.PostFormValue("status"), Note: r.PostFormValue("note"),
		Quote: r.PostFormValue("quote"), Source: r.PostFormValue("source"), LinkIDs: formIDs(r.PostFormValue("link_ids")),
		Enterprises: formIDs(r.PostFormValue("enterprise_ids"))})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/innovation", http.StatusSeeOther)
	return nil
}

func (s *Server) innoLink(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := s.innoService().Link(r.Context(), p, formInt(r, "unit_id"), formInt(r, "link_id"), formInt(r, "enterprise_id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/innovation", http.StatusSeeOther)
	return nil
}
