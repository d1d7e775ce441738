package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/park"
	"zhanxin/internal/store"
)

// Adding and editing a park with its industries and enterprises. The park package checks
// permission and references, writes and audits in one transaction; these handlers read
// the form, show each refusal at its field, and never offer the form to a role that
// cannot save it.

func (s *Server) parkEditRoutes() {
	s.handle("GET /parks/new", s.adapt(s.parkForm))
	s.handle("POST /parks/new", s.adapt(s.parkSubmit))
	s.handle("GET /parks/{code}/edit", s.adapt(s.parkForm))
	s.handle("POST /parks/{code}/edit", s.adapt(s.parkSubmit))
}

// parkFormValues is the form as the user typed it, so a refused form comes back filled in.
type parkFormValues struct {
	Code, NameZh, NameEn, Kind, Region, Status, Note, Source, Quote, SortOrder string
	Industries                                                                 []string
	Enterprises                                                                []string
}

type parkFormView struct {
	Page
	In          parkFormValues
	Create      bool
	Action      string
	Back        string
	Errors      map[string]string
	Kinds       []option
	Statuses    []option
	Regions     []option
	Industries  []option
	Enterprises []option
}

func (s *Server) parkForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ManageParks); err != nil {
		return err
	}
	in := parkFormValues{Kind: "park", Status: "planned", Source: "", SortOrder: "0"}
	if code := r.PathValue("code"); code != "" {
		d, err := s.parkService().Get(r.Context(), p, code)
		if err != nil {
			return err
		}
		pk := d.Park
		in = parkFormValues{Code: pk.Code, NameZh: pk.NameZh, NameEn: pk.NameEn, Kind: pk.Kind, Region: pk.RegionCode, Status: pk.Status,
			Note: pk.Note, Source: pk.Source, Quote: pk.Quote, SortOrder: strconv.Itoa(pk.SortOrder)}
		for _, i := range d.Industries {
			in.Industries = append(in.Industries, i.Code)
		}
		for _, e := range d.Enterprises {
			in.Enterprises = append(in.Enterprises, strconv.FormatInt(e.ID, 10))
		}
	}
	return s.renderParkForm(w, r, p, http.StatusOK, in, nil)
}

func (s *Server) renderParkForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, in parkFormValues, errs map[string]string) error {
	lang := s.lang(r)
	create := r.PathValue("code") == ""
	v := parkFormView{In: in, Create: create, Errors: errs, Back: "/parks", Action: "/parks/new"}
	title := "parkedit.new"
	if !create {
		title = "parkedit.edit"
		v.Back = "/parks/" + url.PathEscape(r.PathValue("code"))
		v.Action = v.Back + "/edit"
	}
	for _, k := range park.Kinds {
		v.Kinds = append(v.Kinds, option{Value: k, Label: s.parkKind(lang, k), Selected: in.Kind == k})
	}
	for _, st := range park.Statuses {
		v.Statuses = append(v.Statuses, option{Value: st, Label: s.parkStatus(lang, st), Selected: in.Status == st})
	}
	v.Regions = append(v.Regions, option{Value: "", Label: s.cat.T(lang, "parkedit.region_none"), Selected: in.Region == ""})
	regions, err := s.db.ListRegions(r.Context(), store.ListQuery{})
	if err != nil {
		return err
	}
	for _, g := range regions.Rows {
		v.Regions = append(v.Regions, option{Value: g.Code, Label: g.Code + " " + name(lang, g.NameZh, g.NameEn), Selected: in.Region == g.Code})
	}
	inds, err := s.db.Industries(r.Context())
	if err != nil {
		return err
	}
	for _, i := range inds {
		v.Industries = append(v.Industries, option{Value: i.Code, Label: i.Code + " " + name(lang, i.NameZh, i.NameEn), Selected: slices.Contains(in.Industries, i.Code)})
	}
	ents, err := s.db.AllEnterprises(r.Context(), auth.EnterprisesVisibleTo(p))
	if err != nil {
		return err
	}
	for _, e := range ents {
		id := strconv.FormatInt(e.ID, 10)
		v.Enterprises = append(v.Enterprises, option{Value: id, Label: id + " " + name(lang, e.NameZh, e.NameEn), Selected: slices.Contains(in.Enterprises, id)})
	}
	crumbs := []Crumb{{Label: "park.list.title", Href: "/parks"}}
	if !create {
		crumbs = append(crumbs, Crumb{Label: in.NameZh, Href: v.Back})
	}
	v.Page = s.page(w, r, title, append(crumbs, Crumb{Label: title})...)
	s.render(w, r, status, "park_form", v)
	return nil
}

func (s *Server) parkSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	in := parkFormValues{Code: f("code"), NameZh: f("name_zh"), NameEn: f("name_en"), Kind: f("kind"), Region: f("region_code"), Status: f("status"),
		Note: f("note"), Source: f("source"), Quote: f("quote"), SortOrder: f("sort_order"), Industries: r.PostForm["industries"],
		Enterprises: r.PostForm["enterprises"]}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code") // the code names the park; the form does not change it
		// Editing a park that is not there is a 404, not a way to create one.
		if _, err := s.parkService().Get(r.Context(), p, in.Code); err != nil && !apperr.Is(err, apperr.Forbidden) {
			return err
		}
	}
	pin := park.Input{Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn, Kind: in.Kind, RegionCode: in.Region, Status: in.Status, Note: in.Note,
		Source: in.Source, Quote: in.Quote, Industries: in.Industries, New: create}
	// Numbers the form cannot carry are refused here, by field, before anything is read.
	bad := apperr.New(apperr.Invalid, "invalid_park", "park.err.invalid")
	if in.SortOrder != "" {
		n, err := strconv.Atoi(in.SortOrder)
		if err != nil {
			bad.With("sort_order", "park.err.sort_order", in.SortOrder)
		}
		pin.SortOrder = n
	}
	for _, e := range in.Enterprises {
		id, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			bad.With("enterprises", "park.err.enterprise", e)
			continue
		}
		pin.Enterprises = append(pin.Enterprises, id)
	}
	if len(bad.Fields) == 0 {
		var pk store.Park
		if pk, err = s.parkService().Save(r.Context(), p, pin); err == nil {
			http.Redirect(w, r, "/parks/"+url.PathEscape(pk.Code)+"?ok=saved", http.StatusSeeOther)
			return nil
		}
	} else {
		err = bad
	}
	e, ok := adminFormError(err)
	if !ok {
		return err
	}
	return s.renderParkForm(w, r, p, e.Kind.Status(), in, s.adminFieldErrors(s.lang(r), e, "form"))
}
