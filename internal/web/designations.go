package web

import (
	"net/http"
	"net/url"
	"strconv"

	"zhanxin/internal/auth"
	"zhanxin/internal/cultivation"
	"zhanxin/internal/i18n"
)

// The designation section of a class page: who is on the class's authority list and on
// which document, and for managers the form to add or remove one.

type cultDesigView struct {
	EnterpriseID int64
	Enterprise   string
	Source       string
	Period       string
	Quote        string
	Confirm      string
}

func (s *Server) cultDesignations(r *http.Request, p *auth.Principal, lang i18n.Lang, code string, src func(string) string) ([]cultDesigView, []cultOption, error) {
	ds, err := s.cultService().Designations(r.Context(), p, code)
	if err != nil {
		return nil, nil, err
	}
	es, err := s.db.AllEnterprises(r.Context(), auth.EnterprisesVisibleTo(p))
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	var opts []cultOption
	for _, e := range es {
		names[e.ID] = e.NameZh
		opts = append(opts, cultOption{Value: strconv.FormatInt(e.ID, 10), Label: e.NameZh})
	}
	var out []cultDesigView
	for _, d := range ds {
		out = append(out, cultDesigView{EnterpriseID: d.EnterpriseID, Enterprise: names[d.EnterpriseID], Source: src(d.Source), Period: d.Period,
			Quote: d.Quote, Confirm: s.cat.T(lang, "desig.remove_confirm", names[d.EnterpriseID])})
	}
	return out, opts, nil
}

var cultDesigColumns = []Column{{Label: "enterprises.id", Num: true}, {Label: "enterprises.name"}, {Label: "desig.source"},
	{Label: "desig.period"}, {Label: "desig.quote"}}

// exportDesignations serves the class's authority list as XLSX or CSV
// (?table=designations&format=…): the same rows as the section on the page.
func (s *Server) exportDesignations(w http.ResponseWriter, r *http.Request, p *auth.Principal, lang i18n.Lang, code string, src func(string) string) error {
	ds, _, err := s.cultDesignations(r, p, lang, code, src)
	if err != nil {
		return err
	}
	spec := TableSpec[cultDesigView]{Export: "desig.export", Columns: cultDesigColumns, Row: func(d cultDesigView) []Cell {
		return []Cell{{Value: d.EnterpriseID, Text: strconv.FormatInt(d.EnterpriseID, 10), Num: true}, TextCell(d.Enterprise), TextCell(d.Source),
			TextCell(d.Period), TextCell(d.Quote)}
	}}
	_, _, err = memTable(s, w, r, spec, ds, nil, func(cultDesigView) string { return "" })
	return err
}

// designationExports are the export links of the designation section.
func designationExports(code string) (xlsx, csv string) {
	base := "/cultivation/classes/" + url.PathEscape(code) + "?table=designations&format="
	return base + "xlsx", base + "csv"
}

func (s *Server) cultAddDesignation(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	id, _ := strconv.ParseInt(r.PostFormValue("enterprise_id"), 10, 64)
	if _, err := s.cultService().AddDesignation(r.Context(), p, cultivation.NewDesignation{Class: code, EnterpriseID: id,
		Source: r.PostFormValue("source"), Period: r.PostFormValue("period"), Quote: r.PostFormValue("quote")}); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(code), http.StatusSeeOther)
	return nil
}

func (s *Server) cultRemoveDesignation(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.cultService().RemoveDesignation(r.Context(), p, code, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/cultivation/classes/"+url.PathEscape(code), http.StatusSeeOther)
	return nil
}
