package api

import (
	"net/http"
	"strconv"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/policy"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The policy endpoints: documents with their instruments, one instrument judged for every
// enterprise the caller may see, and one enterprise's instruments. Eligibility is the
// class rules' decision; the benefit is an estimate with its inputs.

func (a *API) pol() *policy.Service { return &policy.Service{DB: a.DB, Now: a.Now} }

// PolicyInstrument is an instrument; rates are percents as exact decimals, null when none.
type PolicyInstrument struct {
	Code             string  `json:"code"`
	Document         string  `json:"document"`
	NameZh           string  `json:"name_zh"`
	NameEn           string  `json:"name_en"`
	Kind             string  `json:"kind"`
	EligibilityClass *string `json:"eligibility_class"`
	StandardRate     *string `json:"standard_rate_percent"`
	ReducedRate      *string `json:"reduced_rate_percent"`
	BaseIndicator    *string `json:"base_indicator"`
	RateNote         string  `json:"rate_note"`
	Note             string  `json:"note"`
	Quote            string  `json:"quote"`
	Source           string  `json:"source"`
	Retired          *string `json:"retired"`
	RetiredNote      string  `json:"retired_note"`
}

func microPtr(v *int64) *string {
	if v == nil {
		return nil
	}
	s := stats.Micro(*v).String()
	return &s
}

func instrumentOf(in store.PolicyInstrument) PolicyInstrument {
	return PolicyInstrument{Code: in.Code, Document: in.DocumentCode, NameZh: in.NameZh, NameEn: in.NameEn, Kind: in.Kind,
		EligibilityClass: nullString(in.EligibilityClass), StandardRate: microPtr(in.StandardRate), ReducedRate: microPtr(in.ReducedRate),
		BaseIndicator: nullString(in.BaseIndicator), RateNote: in.RateNote, Note: in.Note, Quote: in.Quote, Source: in.Source,
		Retired: nullString(in.Retired), RetiredNote: in.RetiredNote}
}

// PolicyDocument is a document with its instruments.
type PolicyDocument struct {
	Code        string             `json:"code"`
	TitleZh     string             `json:"title_zh"`
	TitleEn     string             `json:"title_en"`
	DocNumber   *string            `json:"doc_number"`
	Issuer      string             `json:"issuer"`
	Issued      *string            `json:"issued"`
	Areas       *int64             `json:"areas"`
	Note        string             `json:"note"`
	Quote       string             `json:"quote"`
	Source      string             `json:"source"`
	Retired     *string            `json:"retired"`
	RetiredNote string             `json:"retired_note"`
	Instruments []PolicyInstrument `json:"instruments"`
}

func documentOf(d store.PolicyDocument, insts []store.PolicyInstrument) PolicyDocument {
	doc := PolicyDocument{Code: d.Code, TitleZh: d.TitleZh, TitleEn: d.TitleEn, DocNumber: nullString(d.DocNumber), Issuer: d.Issuer,
		Issued: nullString(d.Issued), Areas: d.Areas, Note: d.Note, Quote: d.Quote, Source: d.Source, Retired: nullString(d.Retired),
		RetiredNote: d.RetiredNote, Instruments: []PolicyInstrument{}}
	for _, in := range insts {
		if in.DocumentCode == d.Code {
			doc.Instruments = append(doc.Instruments, instrumentOf(in))
		}
	}
	return doc
}

func (a *API) listPolicyDocuments(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	c, err := a.pol().Documents(r.Context(), p)
	if err != nil {
		return err
	}
	out := struct {
		Data []PolicyDocument `json:"data"`
	}{Data: []PolicyDocument{}}
	for _, d := range c.Documents {
		out.Data = append(out.Data, documentOf(d, c.Instruments))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// Estimate is an estimated benefit with its inputs; value is null with missing set when an
// input is missing.
type Estimate struct {
	Value        *string `json:"value"`
	Unit         *string `json:"unit"`
	Missing      *string `json:"missing"`
	StandardRate *string `json:"standard_rate_percent"`
	ReducedRate  *string `json:"reduced_rate_percent"`
	Base         *string `json:"base"`
	BasePeriod   *string `json:"base_period"`
	BaseSource   *string `json:"base_source"`
}

func estimateOf(e policy.Estimate) Estimate {
	out := Estimate{Missing: nullString(e.Missing)}
	if e.Missing != "rates" {
		out.StandardRate, out.ReducedRate = microPtr(&e.StandardRate), microPtr(&e.ReducedRate)
	}
	if e.OK {
		out.Value, out.Unit, out.Base = microPtr(&e.Value), nullString(e.Unit), microPtr(&e.Base)
		out.BasePeriod, out.BaseSource = nullString(e.BasePeriod), nullString(e.BaseSource)
	}
	return out
}

// PolicyBenefit is one instrument judged for one enterprise.
type PolicyBenefit struct {
	Instrument  string      `json:"instrument"`
	Eligibility ClassResult `json:"eligibility"`
	Estimate    Estimate    `json:"estimate"`
}

// EnterpriseBenefits is the answer of GET /api/v1/enterprises/{id}/policy-benefits.
type EnterpriseBenefits struct {
	Enterprise ClassifiedEnterprise `json:"enterprise"`
	Benefits   []PolicyBenefit      `json:"benefits"`
}

func (a *API) indicatorMap(r *http.Request) (map[string]store.Indicator, error) {
	all, err := a.DB.Indicators(r.Context())
	out := map[string]store.Indicator{}
	for _, i := range all {
		out[i.Code] = i
	}
	return out, err
}

func (a *API) enterpriseBenefits(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	e, bs, err := a.pol().ForEnterprise(r.Context(), p, pathID(r))
	if err != nil {
		return err
	}
	inds, err := a.indicatorMap(r)
	if err != nil {
		return err
	}
	out := EnterpriseBenefits{Enterprise: classifiedOf(e), Benefits: []PolicyBenefit{}}
	for _, b := range bs {
		out.Benefits = append(out.Benefits, PolicyBenefit{Instrument: b.Instrument.Code, Eligibility: classResultOf(b.Eligibility, inds),
			Estimate: estimateOf(b.Estimate)})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// InstrumentBeneficiary is one enterprise judged for one instrument.
type InstrumentBeneficiary struct {
	Instrument  string               `json:"instrument"`
	Enterprise  ClassifiedEnterprise `json:"enterprise"`
	Eligibility ClassResult          `json:"eligibility"`
	Estimate    Estimate             `json:"estimate"`
}

var beneficiaryListing = listing{sorts: []string{"name", "state", "benefit"}, defaultSort: ""}

func (a *API) instrumentEnterprises(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := beneficiaryListing.parseList(r)
	if err != nil {
		return err
	}
	_, pg, err := a.pol().ForInstrument(r.Context(), p, r.URL.Query().Get("instrument"), q)
	if err != nil {
		return err
	}
	inds, err := a.indicatorMap(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(pg, info, func(b policy.Beneficiary) InstrumentBeneficiary {
		return InstrumentBeneficiary{Instrument: b.Benefit.Instrument.Code, Enterprise: classifiedOf(b.Enterprise), Eligibility: classResultOf(b.Benefit.Eligibility, inds),
			Estimate: estimateOf(b.Benefit.Estimate)}
	}))
	return nil
}

// PolicyDocumentBody creates or edits a document; sort_order orders the list.
type PolicyDocumentBody struct {
	Code      string `json:"code"`
	TitleZh   string `json:"title_zh"`
	TitleEn   string `json:"title_en"`
	DocNumber string `json:"doc_number"`
	Issuer    string `json:"issuer"`
	Issued    string `json:"issued"`
	Areas     *int64 `json:"areas"`
	Note      string `json:"note"`
	Quote     string `json:"quote"`
	Source    string `json:"source"`
	SortOrder int    `json:"sort_order"`
}

// PolicyInstrumentBody creates or edits an instrument; rates are percents as decimal
// strings, both or neither.
type PolicyInstrumentBody struct {
	Code             string `json:"code"`
	Document         string `json:"document"`
	NameZh           string `json:"name_zh"`
	NameEn           string `json:"name_en"`
	Kind             string `json:"kind"`
	EligibilityClass string `json:"eligibility_class"`
	StandardRate     string `json:"standard_rate_percent"`
	ReducedRate      string `json:"reduced_rate_percent"`
	BaseIndicator    string `json:"base_indicator"`
	RateNote         string `json:"rate_note"`
	Note             string `json:"note"`
	Quote            string `json:"quote"`
	Source           string `json:"source"`
	SortOrder        int    `json:"sort_order"`
}

// RetireBody retires a document or an instrument from today.
type RetireBody struct {
	Reason string `json:"reason"`
}

// writePolicy answers with the document or instrument code as it now stands.
func (a *API) writePolicy(w http.ResponseWriter, r *http.Request, p *auth.Principal, instrument bool, code string, status int) error {
	c, err := a.pol().Documents(r.Context(), p)
	if err != nil {
		return err
	}
	for _, in := range c.Instruments {
		if instrument && in.Code == code {
			WriteJSON(w, status, instrumentOf(in))
			return nil
		}
	}
	for _, d := range c.Documents {
		if !instrument && d.Code == code {
			WriteJSON(w, status, documentOf(d, c.Instruments))
			return nil
		}
	}
	return apperr.Missing("policy_document")
}

func (a *API) savePolicyDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var b PolicyDocumentBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	create := r.PathValue("code") == ""
	if !create {
		b.Code = r.PathValue("code")
	}
	in := policy.DocumentInput{Code: b.Code, TitleZh: b.TitleZh, TitleEn: b.TitleEn, DocNumber: b.DocNumber, Issuer: b.Issuer, Issued: b.Issued,
		Note: b.Note, Quote: b.Quote, Source: b.Source, SortOrder: strconv.Itoa(b.SortOrder)}
	if b.Areas != nil {
		in.Areas = strconv.FormatInt(*b.Areas, 10)
	}
	d, err := a.pol().SaveDocument(r.Context(), p, in, create)
	if err != nil {
		return err
	}
	return a.writePolicy(w, r, p, false, d.Code, map[bool]int{true: http.StatusCreated, false: http.StatusOK}[create])
}

func (a *API) savePolicyInstrument(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var b PolicyInstrumentBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	create := r.PathValue("code") == ""
	if !create {
		b.Code = r.PathValue("code")
	}
	x, err := a.pol().SaveInstrument(r.Context(), p, policy.InstrumentInput{Code: b.Code, DocumentCode: b.Document, NameZh: b.NameZh, NameEn: b.NameEn,
		Kind: b.Kind, EligibilityClass: b.EligibilityClass, StandardRate: b.StandardRate, ReducedRate: b.ReducedRate, BaseIndicator: b.BaseIndicator,
		RateNote: b.RateNote, Note: b.Note, Quote: b.Quote, Source: b.Source, SortOrder: strconv.Itoa(b.SortOrder)}, create)
	if err != nil {
		return err
	}
	return a.writePolicy(w, r, p, true, x.Code, map[bool]int{true: http.StatusCreated, false: http.StatusOK}[create])
}

func (a *API) retirePolicy(instrument bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		var b RetireBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		code := r.PathValue("code")
		if instrument {
			err = a.pol().RetireInstrument(r.Context(), p, code, b.Reason)
		} else {
			err = a.pol().RetireDocument(r.Context(), p, code, b.Reason)
		}
		if err != nil {
			if e := apperr.From(err); e.Kind == apperr.Invalid {
				// The use case names the form's field; the API's is "reason".
				for i := range e.Fields {
					if e.Fields[i].Name == "retired_note" {
						e.Fields[i].Name = "reason"
					}
				}
			}
			return err
		}
		return a.writePolicy(w, r, p, instrument, code, http.StatusOK)
	}
}
