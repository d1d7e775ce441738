package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/policy"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The policy pages: documents with their instruments; one instrument judged for every
// enterprise the reader may see; one enterprise's instruments. Eligibility is the class
// rules' decision with its reasons; the benefit is an estimate with its inputs.

func (s *Server) policyRoutes() {
	s.handle("GET /policy", s.adapt(s.polDocsPage))
	s.handle("GET /policy/instruments/{code}", s.adapt(s.polInstrumentPage))
	s.handle("GET /policy/enterprises/{id}", s.adapt(s.polEnterprisePage))
	s.polEditRoutes()
}

func (s *Server) polService() *policy.Service { return &policy.Service{DB: s.db, Now: s.now} }

var polKindKeys = map[string]string{"tax_rate": "pol.kind.tax_rate", "subsidy": "pol.kind.subsidy", "land": "pol.kind.land",
	"finance": "pol.kind.finance", "other": "pol.kind.other"}

func pct(v int64) string { return stats.Micro(v).String() + "%" }

// polEstimate writes an estimate with its inputs, or why there is none.
func (s *Server) polEstimate(lang i18n.Lang, src func(string) string, e policy.Estimate, baseName string) (string, any) {
	switch e.Missing {
	case "rates":
		return s.cat.T(lang, "pol.est.no_rates"), ""
	case "base_indicator":
		return s.cat.T(lang, "pol.est.no_base"), ""
	case "base_value":
		return s.cat.T(lang, "pol.est.no_value", baseName), ""
	}
	v := groupDigits(stats.Micro(e.Value).String()) + " " + e.Unit
	return s.cat.T(lang, "pol.est.value", pct(e.StandardRate), pct(e.ReducedRate), baseName, groupDigits(stats.Micro(e.Base).String())+" "+e.Unit,
		e.BasePeriod, src(e.BaseSource), v), stats.Micro(e.Value).Float()
}

func (s *Server) polDocsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	c, err := s.polService().Documents(r.Context(), p)
	if err != nil {
		return err
	}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	spec := TableSpec[store.PolicyDocument]{Export: "pol.title", Columns: []Column{{Label: "pol.col.title"}, {Label: "pol.col.number"},
		{Label: "pol.col.issuer"}, {Label: "pol.col.issued"}, {Label: "pol.col.areas", Num: true}, {Label: "pol.col.instruments"},
		{Label: "cult.col.note"}, {Label: "fin.col.quote"}, {Label: "common.source"}, {Label: "poledit.col.status"},
		{Label: "poledit.edit", NoExport: true}, {Label: "poledit.retire", NoExport: true}}}
	canManage := p.Can(auth.ManagePolicy)
	spec.Row = func(d store.PolicyDocument) []Cell {
		var inst []string
		for _, in := range c.Instruments {
			if in.DocumentCode == d.Code {
				inst = append(inst, name(lang, in.NameZh, in.NameEn))
			}
		}
		areas := Cell{Value: "", Text: "—"}
		if d.Areas != nil {
			areas = Cell{Value: *d.Areas, Text: s.cat.T(lang, "pol.areas", *d.Areas), Num: true}
		}
		number := d.DocNumber
		if number == "" {
			number = s.cat.T(lang, "pol.not_given")
		}
		cell := TextCell(strings.Join(inst, "；"))
		if len(inst) == 1 {
			for _, in := range c.Instruments {
				if in.DocumentCode == d.Code {
					cell.Href = "/policy/instruments/" + url.PathEscape(in.Code)
				}
			}
		}
		edit, retire := Cell{}, Cell{}
		if canManage {
			base := "/policy/documents/" + url.PathEscape(d.Code)
			edit = Cell{Text: s.cat.T(lang, "poledit.edit"), Href: base + "/edit"}
			if d.Retired == "" {
				retire = Cell{Text: s.cat.T(lang, "poledit.retire"), Href: base + "/retire"}
			}
		}
		return []Cell{TextCell(name(lang, d.TitleZh, d.TitleEn)), TextCell(number), TextCell(d.Issuer), TextCell(d.Issued), areas, cell,
			TextCell(d.Note), TextCell(d.Quote), TextCell(src(d.Source)), TextCell(s.polStatus(lang, d.Retired, d.RetiredNote)), edit, retire}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.PolicyDocument], error) {
		q.Sort = ""
		return store.SlicePage(c.Documents, q, nil, func(d store.PolicyDocument) string { return d.TitleZh + " " + d.DocNumber + " " + d.Note }), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "documents"
	v := polDocsView{tableView: tableView{Page: s.page(w, r, "pol.title", Crumb{Label: "pol.title"}), Table: tv, Note: s.cat.T(lang, "pol.intro")},
		CanManage: canManage}
	if r.URL.Query().Get("ok") == "saved" {
		v.Flash = s.cat.T(lang, "poledit.saved")
	}
	s.render(w, r, http.StatusOK, "pol_docs", v)
	return nil
}

type polDocsView struct {
	tableView
	CanManage bool
	Flash     string
}

type polInstrumentView struct {
	Page
	Table     TableView
	Code      string
	Retired   string
	CanManage bool
	Flash     string
	Name      string
	Rates     string
	RateNote  string
	Note      string
	Quote     string
	Class     string
	ClassURL  string
}

func (s *Server) polInstrumentPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	inds, err := s.db.Indicators(r.Context())
	if err != nil {
		return err
	}
	indName, indMap := map[string]string{}, map[string]store.Indicator{}
	for _, i := range inds {
		indName[i.Code], indMap[i.Code] = name(lang, i.NameZh, i.NameEn), i
	}
	var in store.PolicyInstrument
	spec := TableSpec[policy.Beneficiary]{Export: "pol.instrument.export", Columns: []Column{{Label: "enterprises.id", Num: true},
		{Label: "enterprises.name", Sort: "name"}, {Label: "enterprises.uscc"}, {Label: "pol.col.eligible", Sort: "state"}, {Label: "cult.col.why"},
		{Label: "pol.col.benefit", Sort: "benefit", Num: true}}}
	spec.Row = func(b policy.Beneficiary) []Cell {
		var why []string
		for _, c := range b.Benefit.Eligibility.Criteria {
			why = append(why, s.cultFound(lang, indMap, src, c)+" — "+s.cat.T(lang, cultCritStateKeys[c.State]))
		}
		text, val := s.polEstimate(lang, src, b.Benefit.Estimate, indName[in.BaseIndicator])
		id := strconv.FormatInt(b.Enterprise.ID, 10)
		return []Cell{{Value: b.Enterprise.ID, Text: id, Num: true}, {Value: b.Enterprise.NameZh, Text: b.Enterprise.NameZh, Href: "/policy/enterprises/" + id},
			TextCell(s.cultUSCC(lang, b.Enterprise)), TextCell(s.cat.T(lang, cultClassStateKeys[b.Benefit.Eligibility.State])),
			TextCell(strings.Join(why, "；")), {Value: val, Text: text}}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[policy.Beneficiary], error) {
		var pg store.Page[policy.Beneficiary]
		var err error
		in, pg, err = s.polService().ForInstrument(r.Context(), p, r.PathValue("code"), q)
		return pg, err
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "beneficiaries"
	n := name(lang, in.NameZh, in.NameEn)
	v := polInstrumentView{Page: s.page(w, r, "pol.title", Crumb{Label: "pol.title", Href: "/policy"}, Crumb{Label: n}), Table: tv, Name: n,
		RateNote: in.RateNote, Note: in.Note, Quote: in.Quote, Code: in.Code, CanManage: p.Can(auth.ManagePolicy)}
	v.Title = n
	if in.Retired != "" {
		v.Retired = s.polStatus(lang, in.Retired, in.RetiredNote)
	}
	if r.URL.Query().Get("ok") == "saved" {
		v.Flash = s.cat.T(lang, "poledit.saved")
	}
	if in.StandardRate != nil {
		v.Rates = s.cat.T(lang, "pol.rates", pct(*in.StandardRate), pct(*in.ReducedRate))
	}
	if in.EligibilityClass != "" {
		v.Class, v.ClassURL = in.EligibilityClass, "/cultivation/classes/"+url.PathEscape(in.EligibilityClass)
	}
	s.render(w, r, http.StatusOK, "pol_instrument", v)
	return nil
}

type polEnterpriseView struct {
	Page
	Table TableView
	USCC  string
}

func (s *Server) polEnterprisePage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	e, bs, err := s.polService().ForEnterprise(r.Context(), p, id)
	if err != nil {
		return err
	}
	src, err := s.cultSources(r.Context(), lang)
	if err != nil {
		return err
	}
	inds, err := s.db.Indicators(r.Context())
	if err != nil {
		return err
	}
	indName, indMap := map[string]string{}, map[string]store.Indicator{}
	for _, i := range inds {
		indName[i.Code], indMap[i.Code] = name(lang, i.NameZh, i.NameEn), i
	}
	spec := TableSpec[policy.Benefit]{Export: "pol.enterprise.export", Columns: []Column{{Label: "pol.col.instrument"}, {Label: "pol.col.kind"},
		{Label: "pol.col.eligible"}, {Label: "cult.col.why"}, {Label: "pol.col.benefit", Num: true}}}
	spec.Row = func(b policy.Benefit) []Cell {
		var why []string
		for _, c := range b.Eligibility.Criteria {
			why = append(why, s.cultFound(lang, indMap, src, c)+" — "+s.cat.T(lang, cultCritStateKeys[c.State]))
		}
		text, val := s.polEstimate(lang, src, b.Estimate, indName[b.Instrument.BaseIndicator])
		n := name(lang, b.Instrument.NameZh, b.Instrument.NameEn)
		return []Cell{{Value: n, Text: n, Href: "/policy/instruments/" + url.PathEscape(b.Instrument.Code)},
			TextCell(s.cat.T(lang, polKindKeys[b.Instrument.Kind])), TextCell(s.cat.T(lang, cultClassStateKeys[b.Eligibility.State])),
			TextCell(strings.Join(why, "；")), {Value: val, Text: text}}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[policy.Benefit], error) {
		q.Sort = ""
		return store.SlicePage(bs, q, nil, func(b policy.Benefit) string { return b.Instrument.NameZh }), nil
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "benefits"
	v := polEnterpriseView{Page: s.page(w, r, "pol.enterprise.title", Crumb{Label: "pol.title", Href: "/policy"}, Crumb{Label: e.NameZh}), Table: tv,
		USCC: s.cultUSCC(lang, e)}
	v.Title = fmt.Sprintf("%s · %s", e.NameZh, s.cat.T(lang, "pol.enterprise.title"))
	s.render(w, r, http.StatusOK, "pol_enterprise", v)
	return nil
}
