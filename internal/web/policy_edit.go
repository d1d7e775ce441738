package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/policy"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Creating, editing and retiring policy documents and instruments. The policy package
// checks permission and references and writes with the audit; these handlers read forms,
// show each refusal at its field, and ask for a reason (and a confirmation) before a
// retirement.

func (s *Server) polEditRoutes() {
	s.handle("GET /policy/documents/new", s.adapt(s.polDocForm))
	s.handle("POST /policy/documents/new", s.adapt(s.polDocSubmit))
	s.handle("GET /policy/documents/{code}/edit", s.adapt(s.polDocForm))
	s.handle("POST /policy/documents/{code}/edit", s.adapt(s.polDocSubmit))
	s.handle("GET /policy/documents/{code}/retire", s.adapt(s.polRetireForm(false)))
	s.handle("POST /policy/documents/{code}/retire", s.adapt(s.polRetireSubmit(false)))
	s.handle("GET /policy/instruments/new", s.adapt(s.polInstForm))
	s.handle("POST /policy/instruments/new", s.adapt(s.polInstSubmit))
	s.handle("GET /policy/instruments/{code}/edit", s.adapt(s.polInstForm))
	s.handle("POST /policy/instruments/{code}/edit", s.adapt(s.polInstSubmit))
	s.handle("GET /policy/instruments/{code}/retire", s.adapt(s.polRetireForm(true)))
	s.handle("POST /policy/instruments/{code}/retire", s.adapt(s.polRetireSubmit(true)))
}

// polStatus is a document's or instrument's state: in force, or retired with date and reason.
func (s *Server) polStatus(lang i18n.Lang, retired, note string) string {
	if retired == "" {
		return s.cat.T(lang, "poledit.in_force")
	}
	return s.cat.T(lang, "poledit.retired", retired, note)
}

type polFormView struct {
	Page
	Doc        policy.DocumentInput
	Inst       policy.InstrumentInput
	Create     bool
	Action     string
	Back       string
	Errors     map[string]string
	Documents  []option
	Kinds      []option
	Classes    []option
	Indicators []option
}

func (s *Server) polCatalogue(r *http.Request, p *auth.Principal) (policy.Catalogue, error) {
	if err := auth.Require(p, auth.ManagePolicy); err != nil {
		return policy.Catalogue{}, err
	}
	return s.polService().Documents(r.Context(), p)
}

func (s *Server) polDocForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	c, err := s.polCatalogue(r, p)
	if err != nil {
		return err
	}
	in := policy.DocumentInput{SortOrder: "0"}
	if code := r.PathValue("code"); code != "" {
		d, ok := findDoc(c, code)
		if !ok {
			return apperr.Missing("policy_document")
		}
		in = policy.DocumentInput{Code: d.Code, TitleZh: d.TitleZh, TitleEn: d.TitleEn, DocNumber: d.DocNumber, Issuer: d.Issuer, Issued: d.Issued,
			Note: d.Note, Quote: d.Quote, Source: d.Source, SortOrder: strconv.Itoa(d.SortOrder)}
		if d.Areas != nil {
			in.Areas = strconv.FormatInt(*d.Areas, 10)
		}
	}
	return s.renderPolForm(w, r, http.StatusOK, polFormView{Doc: in}, c)
}

func findDoc(c policy.Catalogue, code string) (store.PolicyDocument, bool) {
	for _, d := range c.Documents {
		if d.Code == code {
			return d, true
		}
	}
	return store.PolicyDocument{}, false
}

func (s *Server) polDocSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := policy.DocumentInput{Code: f("code"), TitleZh: f("title_zh"), TitleEn: f("title_en"), DocNumber: f("doc_number"), Issuer: f("issuer"),
		Issued: f("issued"), Areas: f("areas"), Note: f("note"), Quote: f("quote"), Source: f("source"), SortOrder: f("sort_order")}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code") // the code names the document; the form does not change it
	}
	if _, err := s.polService().SaveDocument(r.Context(), p, in, create); err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		c, cerr := s.polCatalogue(r, p)
		if cerr != nil {
			return cerr
		}
		return s.renderPolForm(w, r, e.Kind.Status(), polFormView{Doc: in, Errors: s.adminFieldErrors(s.lang(r), e, "form")}, c)
	}
	http.Redirect(w, r, "/policy?ok=saved", http.StatusSeeOther)
	return nil
}

func (s *Server) polInstForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	c, err := s.polCatalogue(r, p)
	if err != nil {
		return err
	}
	in := policy.InstrumentInput{Kind: "other", SortOrder: "0"}
	if code := r.PathValue("code"); code != "" {
		var x store.PolicyInstrument
		found := false
		for _, i := range c.Instruments {
			if i.Code == code {
				x, found = i, true
			}
		}
		if !found {
			return apperr.Missing("policy_instrument")
		}
		in = policy.InstrumentInput{Code: x.Code, DocumentCode: x.DocumentCode, NameZh: x.NameZh, NameEn: x.NameEn, Kind: x.Kind,
			EligibilityClass: x.EligibilityClass, BaseIndicator: x.BaseIndicator, RateNote: x.RateNote, Note: x.Note, Quote: x.Quote,
			Source: x.Source, SortOrder: strconv.Itoa(x.SortOrder)}
		if x.StandardRate != nil {
			in.StandardRate, in.ReducedRate = stats.Micro(*x.StandardRate).String(), stats.Micro(*x.ReducedRate).String()
		}
	}
	return s.renderPolForm(w, r, http.StatusOK, polFormView{Inst: in}, c)
}

func (s *Server) polInstSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := policy.InstrumentInput{Code: f("code"), DocumentCode: f("document_code"), NameZh: f("name_zh"), NameEn: f("name_en"), Kind: f("kind"),
		EligibilityClass: f("eligibility_class"), StandardRate: f("standard_rate"), ReducedRate: f("reduced_rate"), BaseIndicator: f("base_indicator"),
		RateNote: f("rate_note"), Note: f("note"), Quote: f("quote"), Source: f("source"), SortOrder: f("sort_order")}
	create := r.PathValue("code") == ""
	if !create {
		in.Code = r.PathValue("code")
	}
	x, err := s.polService().SaveInstrument(r.Context(), p, in, create)
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		c, cerr := s.polCatalogue(r, p)
		if cerr != nil {
			return cerr
		}
		return s.renderPolForm(w, r, e.Kind.Status(), polFormView{Inst: in, Errors: s.adminFieldErrors(s.lang(r), e, "form")}, c)
	}
	http.Redirect(w, r, "/policy/instruments/"+url.PathEscape(x.Code)+"?ok=saved", http.StatusSeeOther)
	return nil
}

// renderPolForm shows the document form (v.Inst empty, path under /policy/documents) or
// the instrument form.
func (s *Server) renderPolForm(w http.ResponseWriter, r *http.Request, status int, v polFormView, c policy.Catalogue) error {
	lang := s.lang(r)
	inst := strings.HasPrefix(r.URL.Path, "/policy/instruments/")
	code := r.PathValue("code")
	v.Create = code == ""
	kind, title := "documents", "poledit.new_document"
	if inst {
		kind, title = "instruments", "poledit.new_instrument"
	}
	v.Back, v.Action = "/policy", "/policy/"+kind+"/new"
	if !v.Create {
		title = map[bool]string{false: "poledit.edit_document", true: "poledit.edit_instrument"}[inst]
		v.Action = "/policy/" + kind + "/" + url.PathEscape(code) + "/edit"
		if inst {
			v.Back = "/policy/instruments/" + url.PathEscape(code)
		}
	}
	if inst {
		for _, d := range c.Documents {
			if d.Retired == "" || d.Code == v.Inst.DocumentCode {
				v.Documents = append(v.Documents, option{Value: d.Code, Label: name(lang, d.TitleZh, d.TitleEn), Selected: d.Code == v.Inst.DocumentCode})
			}
		}
		for _, k := range policy.Kinds {
			v.Kinds = append(v.Kinds, option{Value: k, Label: s.cat.T(lang, polKindKeys[k]), Selected: k == v.Inst.Kind})
		}
		v.Classes = append(v.Classes, option{Value: "", Label: s.cat.T(lang, "poledit.none"), Selected: v.Inst.EligibilityClass == ""})
		classes, err := s.db.EnterpriseClasses(r.Context())
		if err != nil {
			return err
		}
		for _, cl := range classes {
			v.Classes = append(v.Classes, option{Value: cl.Code, Label: name(lang, cl.NameZh, cl.NameEn), Selected: cl.Code == v.Inst.EligibilityClass})
		}
		v.Indicators = append(v.Indicators, option{Value: "", Label: s.cat.T(lang, "poledit.none"), Selected: v.Inst.BaseIndicator == ""})
		inds, err := s.db.Indicators(r.Context())
		if err != nil {
			return err
		}
		for _, i := range inds {
			v.Indicators = append(v.Indicators, option{Value: i.Code, Label: i.Code + " " + name(lang, i.NameZh, i.NameEn) + "（" + i.Unit + "）",
				Selected: i.Code == v.Inst.BaseIndicator})
		}
	}
	v.Page = s.page(w, r, title, Crumb{Label: "pol.title", Href: "/policy"}, Crumb{Label: title})
	tpl := "pol_doc_form"
	if inst {
		tpl = "pol_inst_form"
	}
	s.render(w, r, status, tpl, v)
	return nil
}

type polRetireView struct {
	Page
	Name, Confirm, Action, Back, Note string
	Errors                            map[string]string
}

func (s *Server) polRetireTarget(r *http.Request, p *auth.Principal, inst bool) (nm, confirm, back string, err error) {
	c, err := s.polCatalogue(r, p)
	if err != nil {
		return "", "", "", err
	}
	lang, code := s.lang(r), r.PathValue("code")
	if inst {
		for _, i := range c.Instruments {
			if i.Code == code {
				n := name(lang, i.NameZh, i.NameEn)
				return n, s.cat.T(lang, "poledit.confirm_retire_instrument", n), "/policy/instruments/" + url.PathEscape(code), nil
			}
		}
		return "", "", "", apperr.Missing("policy_instrument")
	}
	d, ok := findDoc(c, code)
	if !ok {
		return "", "", "", apperr.Missing("policy_document")
	}
	n := name(lang, d.TitleZh, d.TitleEn)
	return n, s.cat.T(lang, "poledit.confirm_retire_document", n), "/policy", nil
}

func (s *Server) renderPolRetire(w http.ResponseWriter, r *http.Request, p *auth.Principal, inst bool, status int, note string, errs map[string]string) error {
	n, confirm, back, err := s.polRetireTarget(r, p, inst)
	if err != nil {
		return err
	}
	v := polRetireView{Name: n, Confirm: confirm, Back: back, Note: note, Errors: errs, Action: r.URL.Path}
	v.Page = s.page(w, r, "poledit.retire", Crumb{Label: "pol.title", Href: "/policy"}, Crumb{Label: n, Href: back}, Crumb{Label: "poledit.retire"})
	v.Title = s.cat.T(s.lang(r), "poledit.retire") + " · " + n
	s.render(w, r, status, "pol_retire", v)
	return nil
}

func (s *Server) polRetireForm(inst bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := requireUser(r)
		if err != nil {
			return err
		}
		return s.renderPolRetire(w, r, p, inst, http.StatusOK, "", nil)
	}
}

func (s *Server) polRetireSubmit(inst bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := requireUser(r)
		if err != nil {
			return err
		}
		code, note := r.PathValue("code"), r.PostFormValue("retired_note")
		svc := s.polService()
		if inst {
			err = svc.RetireInstrument(r.Context(), p, code, note)
		} else {
			err = svc.RetireDocument(r.Context(), p, code, note)
		}
		if err != nil {
			e, ok := adminFormError(err)
			if !ok {
				return err
			}
			return s.renderPolRetire(w, r, p, inst, e.Kind.Status(), note, s.adminFieldErrors(s.lang(r), e, "form"))
		}
		if inst {
			http.Redirect(w, r, "/policy/instruments/"+url.PathEscape(code)+"?ok=saved", http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/policy?ok=saved", http.StatusSeeOther)
		}
		return nil
	}
}
