package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The statistics endpoints: current facts, a key's revisions, entering one value, the
// approval transitions of a region's period, and the indicator and industry catalogues.
// They call the same stats use cases as the pages, which decide who may see and change
// what.

func (a *API) stats() *stats.Service { return &stats.Service{DB: a.DB, Now: a.Now} }

// FactRevision is one stored revision of a value. Values are exact decimals written as
// strings in the indicator's unit, so no client ever sees a binary-float rounding.
type FactRevision struct {
	ID           int64     `json:"id"`
	Indicator    string    `json:"indicator"`
	Region       string    `json:"region"`
	Industry     string    `json:"industry"`
	EnterpriseID *int64    `json:"enterprise_id"`
	Period       string    `json:"period"`
	Value        string    `json:"value"`
	Qualifier    string    `json:"qualifier"` // "", "about" or "over": a bound is not the figure
	Unit         string    `json:"unit"`
	Entered      string    `json:"entered"`
	Source       string    `json:"source"`
	SourceStatus string    `json:"source_status"`
	Quote        string    `json:"quote"`
	Revision     int       `json:"revision"`
	Reason       string    `json:"reason"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Fact is the value in force for a key: its current revision with its approval status and
// data-quality flag.
type Fact struct {
	FactRevision
	Status  string `json:"status"`
	Quality string `json:"quality"`
}

func revisionOf(f store.Fact, unit string) FactRevision {
	return FactRevision{ID: f.ID, Indicator: f.Indicator, Region: f.Region, Industry: f.Industry, EnterpriseID: nullInt(f.EnterpriseID),
		Period: f.Period, Value: stats.Micro(f.Value).String(), Qualifier: f.Qualifier, Unit: unit, Entered: f.Entered, Source: f.Source,
		SourceStatus: f.SourceStatus, Quote: f.Quote, Revision: f.Revision, Reason: f.Reason, CreatedBy: f.CreatedBy,
		CreatedAt: f.CreatedAt.UTC()}
}

// units maps each indicator to its unit, for the "unit" member of facts.
func (a *API) units(r *http.Request) (map[string]string, error) {
	inds, err := a.DB.Indicators(r.Context())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, i := range inds {
		out[i.Code] = i.Unit
	}
	return out, nil
}

var factListing = listing{sorts: []string{"indicator", "region", "industry", "enterprise", "period", "value", "status"},
	defaultSort: "period", defaultDesc: true}

var factStatuses = []string{"draft", "submitted", "approved"}

// factFilter reads the filters of GET /api/v1/facts; every malformed one is reported.
func factFilter(r *http.Request) (store.FactFilter, error) {
	v := r.URL.Query()
	e := invalidQuery()
	f := store.FactFilter{Indicator: v.Get("indicator"), Region: v.Get("region"), Industry: v.Get("industry"), Status: v.Get("status")}
	if s, ok := v["enterprise_id"]; ok {
		id, err := strconv.ParseInt(s[0], 10, 64)
		switch {
		case err != nil || id < 0:
			e.With("enterprise_id", "statsweb.api.enterprise_id", s[0])
		case id == 0:
			f.EnterpriseID = -1 // region-level figures only
		default:
			f.EnterpriseID = id
		}
	}
	if s := v.Get("period"); s != "" {
		p, err := stats.ParsePeriod(s)
		if err != nil {
			e.With("period", "stats.err.period", s)
		}
		f.Period = p.String()
	}
	if f.Status != "" && !slices.Contains(factStatuses, f.Status) {
		e.With("status", "statsweb.api.status", f.Status, strings.Join(factStatuses, ", "))
	}
	flagged, err := boolParam(r, "flagged")
	if err != nil {
		return f, err
	}
	f.FlaggedOnly = flagged
	published, err := boolParam(r, "published")
	if err != nil {
		return f, err
	}
	if published {
		// The published view: approved region-level figures only.
		f.Status, f.EnterpriseID = "approved", -1
	}
	if len(e.Fields) > 0 {
		return f, e
	}
	return f, nil
}

func (a *API) listFacts(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := factListing.parseList(r)
	if err != nil {
		return err
	}
	f, err := factFilter(r)
	if err != nil {
		return err
	}
	res, err := a.stats().List(r.Context(), p, f, q)
	if err != nil {
		return err
	}
	units, err := a.units(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, func(x store.Fact) Fact {
		return Fact{FactRevision: revisionOf(x, units[x.Indicator]), Status: x.Status, Quality: x.Quality}
	}))
	return nil
}

// factKey reads the key of GET /api/v1/facts/history. Every part but the enterprise is
// required: a key with a part left out names no value.
func factKey(r *http.Request) (store.FactKey, error) {
	v := r.URL.Query()
	k := store.FactKey{Indicator: v.Get("indicator"), Region: v.Get("region"), Industry: v.Get("industry"), Period: v.Get("period")}
	e := invalidQuery()
	for _, p := range []struct{ name, val string }{{"indicator", k.Indicator}, {"region", k.Region}, {"industry", k.Industry}, {"period", k.Period}} {
		if p.val == "" {
			e.With(p.name, "statsweb.api.required", p.name)
		}
	}
	if s := v.Get("enterprise_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			e.With("enterprise_id", "statsweb.api.enterprise_id", s)
		}
		k.EnterpriseID = id
	}
	if len(e.Fields) > 0 {
		return k, e
	}
	return k, nil
}

var historyListing = listing{}

func (a *API) factHistory(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := historyListing.parseList(r)
	if err != nil {
		return err
	}
	k, err := factKey(r)
	if err != nil {
		return err
	}
	svc := a.stats()
	revs, err := svc.History(r.Context(), p, k)
	if err != nil {
		return err
	}
	// A key whose value in force the caller may not list is not shown either: History
	// lets a published scope read any region-level key, approved or not, and a viewer
	// must see approved values only.
	cf := store.FactFilter{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry, EnterpriseID: k.EnterpriseID, Period: k.Period}
	if cf.EnterpriseID == 0 {
		cf.EnterpriseID = -1
	}
	cur, err := svc.List(r.Context(), p, cf, store.ListQuery{Limit: 1})
	if err != nil {
		return err
	}
	if len(revs) == 0 || len(cur.Rows) == 0 {
		// A key nobody entered and a key the caller may not see answer alike.
		return apperr.New(apperr.NotFound, "not_found", "stats.err.no_fact")
	}
	units, err := a.units(r)
	if err != nil {
		return err
	}
	pg := store.SlicePage(revs, q, nil, func(store.Fact) string { return "" })
	WriteJSON(w, http.StatusOK, page(pg, info, func(x store.Fact) FactRevision { return revisionOf(x, units[x.Indicator]) }))
	return nil
}

// Decimal is a number as the client wrote it, from a JSON string ("166.29", "1,234.5") or
// a JSON number (166.29), kept as text so that it reaches the exact decimal parser without
// passing through a binary float.
type Decimal string

// UnmarshalJSON takes a string or a number literal.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(s)
		return nil
	}
	if string(b) == "null" {
		return nil // as if absent: the use case then says a value is needed
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		// The decoder adds the field's name to the error.
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[string]()}
	}
	*d = Decimal(n.String())
	return nil
}

// NewFact is the body of POST /api/v1/facts.
type NewFact struct {
	Indicator    string  `json:"indicator"`
	Region       string  `json:"region"`
	Industry     string  `json:"industry"`
	EnterpriseID *int64  `json:"enterprise_id"`
	Period       string  `json:"period"`
	Value        Decimal `json:"value"`
	Qualifier    string  `json:"qualifier"`
	Unit         string  `json:"unit"`
	Source       string  `json:"source"`
	SourceStatus string  `json:"source_status"`
	Quote        string  `json:"quote"`
	Reason       string  `json:"reason"`
}

// FactWarning is a problem worth knowing that did not stop the entry (an outlier).
type FactWarning struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// EnteredFact is the answer to POST /api/v1/facts.
type EnteredFact struct {
	Fact      Fact          `json:"fact"`
	Unchanged bool          `json:"unchanged"`
	Warnings  []FactWarning `json:"warnings"`
}

func (a *API) enterFact(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body NewFact
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	in := stats.Input{Indicator: body.Indicator, Region: body.Region, Industry: body.Industry, Period: body.Period,
		Value: string(body.Value), Unit: body.Unit, Source: body.Source, SourceStatus: body.SourceStatus, Quote: body.Quote, Reason: body.Reason,
		Qualifier: body.Qualifier}
	if body.EnterpriseID != nil {
		in.EnterpriseID = *body.EnterpriseID
	}
	ctx := r.Context()
	svc := a.stats()
	res, err := svc.Enter(ctx, p, in)
	if err != nil {
		// The use case names the enterprise field as the forms do; the body calls it
		// enterprise_id.
		if e := apperr.From(err); e.Kind != apperr.Internal {
			for i := range e.Fields {
				if e.Fields[i].Name == "enterprise" {
					e.Fields[i].Name = "enterprise_id"
				}
			}
		}
		return err
	}
	out := EnteredFact{Unchanged: res.Unchanged, Warnings: []FactWarning{}}
	lang := a.Lang(r)
	for _, wn := range res.Warnings {
		out.Warnings = append(out.Warnings, FactWarning{Code: wn.Code, Field: "value", Message: a.Cat.T(lang, wn.Key, wn.Args...)})
	}
	units, err := a.units(r)
	if err != nil {
		return err
	}
	// Read the value in force back through the list use case: after an unchanged entry
	// nothing new was stored, and either way the answer carries the current status.
	k := res.Fact.FactKey
	if res.Unchanged {
		k = store.FactKey{Indicator: in.Indicator, Region: in.Region, Industry: in.Industry, EnterpriseID: in.EnterpriseID, Period: in.Period}
	}
	f := store.FactFilter{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry, EnterpriseID: k.EnterpriseID, Period: k.Period}
	if f.EnterpriseID == 0 {
		f.EnterpriseID = -1
	}
	cur, err := svc.List(ctx, p, f, store.ListQuery{Limit: 1})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	if len(cur.Rows) == 1 {
		out.Fact = Fact{FactRevision: revisionOf(cur.Rows[0], units[k.Indicator]), Status: cur.Rows[0].Status, Quality: cur.Rows[0].Quality}
	} else {
		out.Fact = Fact{FactRevision: revisionOf(res.Fact, units[k.Indicator]), Status: res.Fact.Status, Quality: res.Fact.Quality}
	}
	WriteJSON(w, status, out)
	return nil
}

// PeriodState is a region's period after an approval transition.
type PeriodState struct {
	Region string `json:"region"`
	Period string `json:"period"`
	Status string `json:"status"`
}

// ReasonBody is the body of return and unlock: why.
type ReasonBody struct {
	Reason string `json:"reason"`
}

// periodAction returns the handler of one approval transition.
func (a *API) periodAction(action string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		region, period := r.PathValue("region"), r.PathValue("period")
		ctx := r.Context()
		svc := a.stats()
		var to string
		switch action {
		case "submit":
			to, err = "submitted", svc.Submit(ctx, p, region, period)
		case "approve":
			to, err = "approved", svc.Approve(ctx, p, region, period)
		default:
			var body ReasonBody
			if err := decodeJSON(r, &body); err != nil {
				return err
			}
			reason := strings.TrimSpace(body.Reason)
			if action == "return" {
				to, err = "open", svc.Return(ctx, p, region, period, reason)
			} else {
				to, err = "open", svc.Unlock(ctx, p, region, period, reason)
			}
		}
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, PeriodState{Region: region, Period: period, Status: to})
		return nil
	}
}

// Indicator is an indicator as the API shows it. Bounds are exact decimals in the
// indicator's unit (growth bounds in percent); null means unbounded.
type Indicator struct {
	Code        string   `json:"code"`
	NameZh      string   `json:"name_zh"`
	NameEn      string   `json:"name_en"`
	Unit        string   `json:"unit"`
	Units       []string `json:"units"`
	PeriodType  string   `json:"period_type"`
	Aggregation string   `json:"aggregation"`
	Numerator   *string  `json:"numerator"`
	Denominator *string  `json:"denominator"`
	PartOf      *string  `json:"part_of"`
	Decimals    int      `json:"decimals"`
	Min         *string  `json:"min"`
	Max         *string  `json:"max"`
	GrowthMin   *string  `json:"growth_min"`
	GrowthMax   *string  `json:"growth_max"`
	Source      string   `json:"source"`
}

func microText(v *int64) *string {
	if v == nil {
		return nil
	}
	s := stats.Micro(*v).String()
	return &s
}

func indicatorOf(i store.Indicator) Indicator {
	units := stats.ConvertibleUnits(i.Unit)
	slices.Sort(units[1:])
	return Indicator{Code: i.Code, NameZh: i.NameZh, NameEn: i.NameEn, Unit: i.Unit, Units: units, PeriodType: i.PeriodType,
		Aggregation: i.Aggregation, Numerator: nullString(i.NumeratorCode), Denominator: nullString(i.DenominatorCode),
		PartOf: nullString(i.PartOf), Decimals: i.Decimals, Min: microText(i.Min), Max: microText(i.Max),
		GrowthMin: microText(i.GrowthMin), GrowthMax: microText(i.GrowthMax), Source: i.Source}
}

var indicatorListing = listing{sorts: []string{"code", "name", "unit", "period_type"}}

var indicatorSorts = map[string]func(a, b store.Indicator) int{
	"code":        func(a, b store.Indicator) int { return strings.Compare(a.Code, b.Code) },
	"name":        func(a, b store.Indicator) int { return strings.Compare(a.NameZh, b.NameZh) },
	"unit":        func(a, b store.Indicator) int { return strings.Compare(a.Unit, b.Unit) },
	"period_type": func(a, b store.Indicator) int { return strings.Compare(a.PeriodType, b.PeriodType) },
}

func (a *API) listIndicators(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := indicatorListing.parseList(r)
	if err != nil {
		return err
	}
	all, err := a.stats().Indicators(r.Context(), p)
	if err != nil {
		return err
	}
	res := store.SlicePage(all, q, indicatorSorts, func(i store.Indicator) string {
		return strings.Join([]string{i.Code, i.NameZh, i.NameEn, i.Unit}, " ")
	})
	WriteJSON(w, http.StatusOK, page(res, info, indicatorOf))
	return nil
}

// Industry is a node of the industry hierarchy with its 战略性新兴产业分类 (2018) code,
// or null and a note saying why none fits.
type Industry struct {
	Code       string  `json:"code"`
	NameZh     string  `json:"name_zh"`
	NameEn     string  `json:"name_en"`
	ParentCode *string `json:"parent_code"`
	Depth      int     `json:"depth"`
	SEICode    *string `json:"sei_code"`
	SEINote    string  `json:"sei_note"`
	Sunrise    bool    `json:"sunrise"`
	Source     string  `json:"source"`
}

func industryOf(n store.IndustryNode) Industry {
	return Industry{Code: n.Code, NameZh: n.NameZh, NameEn: n.NameEn, ParentCode: nullString(n.ParentCode), Depth: n.Depth,
		SEICode: nullString(n.SEICode), SEINote: n.SEINote, Sunrise: n.Sunrise, Source: n.Source}
}

var industryListing = listing{sorts: []string{"code", "name"}}

var industrySorts = map[string]func(a, b store.IndustryNode) int{
	"code": func(a, b store.IndustryNode) int { return strings.Compare(a.Code, b.Code) },
	"name": func(a, b store.IndustryNode) int { return strings.Compare(a.NameZh, b.NameZh) },
}

func (a *API) listIndustries(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := industryListing.parseList(r)
	if err != nil {
		return err
	}
	tree, err := a.stats().Industries(r.Context(), p)
	if err != nil {
		return err
	}
	res := store.SlicePage(tree, q, industrySorts, func(i store.IndustryNode) string {
		return strings.Join([]string{i.Code, i.NameZh, i.NameEn, i.SEICode}, " ")
	})
	WriteJSON(w, http.StatusOK, page(res, info, industryOf))
	return nil
}
