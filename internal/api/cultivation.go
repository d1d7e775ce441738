package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/cultivation"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The cultivation endpoints: classes and their rules, one class's register, one
// enterprise's classification with the reason for each class, and the 一企一策 support
// measures. The cultivation use cases decide who may see and change what.

func (a *API) cult() *cultivation.Service { return &cultivation.Service{DB: a.DB, Now: a.Now} }

// Criterion is a classification rule. Indicator rules carry indicator, comparison,
// threshold (an exact decimal in unit) and period (null: the latest); the others do not.
type Criterion struct {
	ID         int64   `json:"id"`
	Class      string  `json:"class"`
	Kind       string  `json:"kind"`
	Indicator  *string `json:"indicator"`
	Comparison *string `json:"comparison"`
	Threshold  *string `json:"threshold"`
	Unit       *string `json:"unit"`
	Period     *string `json:"period"`
	Note       string  `json:"note"`
	Source     string  `json:"source"`
}

func criterionOf(c store.ClassCriterion, inds map[string]store.Indicator) Criterion {
	out := Criterion{ID: c.ID, Class: c.ClassCode, Kind: c.Kind, Note: c.Note, Source: c.Source, Period: nullString(c.Period)}
	if c.Kind == "indicator" {
		th := stats.Micro(c.Threshold).String()
		unit := inds[c.Indicator].Unit
		out.Indicator, out.Comparison, out.Threshold, out.Unit = &c.Indicator, &c.Comparison, &th, &unit
	}
	return out
}

// EnterpriseClass is a class with its rules.
type EnterpriseClass struct {
	Code     string      `json:"code"`
	NameZh   string      `json:"name_zh"`
	NameEn   string      `json:"name_en"`
	Combine  string      `json:"combine"`
	Note     string      `json:"note"`
	Source   string      `json:"source"`
	Criteria []Criterion `json:"criteria"`
}

var classListing = listing{sorts: []string{"code", "name"}, defaultSort: ""}

func (a *API) listClasses(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := classListing.parseList(r)
	if err != nil {
		return err
	}
	cat, err := a.cult().Classes(r.Context(), p)
	if err != nil {
		return err
	}
	pg := store.SlicePage(cat.Classes, q, map[string]func(x, y cultivation.Class) int{
		"code": func(x, y cultivation.Class) int { return strings.Compare(x.Code, y.Code) },
		"name": func(x, y cultivation.Class) int { return strings.Compare(x.NameZh, y.NameZh) },
	}, func(c cultivation.Class) string { return c.Code + " " + c.NameZh + " " + c.NameEn + " " + c.Note })
	WriteJSON(w, http.StatusOK, page(pg, info, func(c cultivation.Class) EnterpriseClass {
		out := EnterpriseClass{Code: c.Code, NameZh: c.NameZh, NameEn: c.NameEn, Combine: c.Combine, Note: c.Note, Source: c.Source,
			Criteria: []Criterion{}}
		for _, k := range c.Criteria {
			out.Criteria = append(out.Criteria, criterionOf(k, cat.Indicators))
		}
		return out
	}))
	return nil
}

// NewCriterion is the body of POST /api/v1/enterprise-classes/{code}/criteria.
type NewCriterion struct {
	Kind       string `json:"kind"`
	Indicator  string `json:"indicator"`
	Comparison string `json:"comparison"`
	Threshold  string `json:"threshold"`
	Unit       string `json:"unit"`
	Period     string `json:"period"`
	Note       string `json:"note"`
	Source     string `json:"source"`
}

func (a *API) addCriterion(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewCriterion
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.cult().AddCriterion(r.Context(), p, cultivation.NewCriterion{Class: r.PathValue("code"), Kind: in.Kind,
		Indicator: in.Indicator, Comparison: in.Comparison, Threshold: in.Threshold, Unit: in.Unit, Period: in.Period,
		Note: in.Note, Source: in.Source})
	if err != nil {
		return err
	}
	inds := map[string]store.Indicator{}
	if c.Indicator != "" {
		all, err := a.DB.Indicators(r.Context())
		if err != nil {
			return err
		}
		for _, i := range all {
			inds[i.Code] = i
		}
	}
	WriteJSON(w, http.StatusCreated, criterionOf(c, inds))
	return nil
}

func (a *API) deleteCriterion(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.cult().DeleteCriterion(r.Context(), p, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Designation is the source that puts an enterprise in a class.
type Designation struct {
	Source string  `json:"source"`
	Period *string `json:"period"`
	Quote  string  `json:"quote"`
}

// CriterionResult is one rule judged for one enterprise: what was found, with period and
// source, or null where there is no data.
type CriterionResult struct {
	Criterion    Criterion    `json:"criterion"`
	State        string       `json:"state"`
	Value        *string      `json:"value"`
	Unit         *string      `json:"unit"`
	Period       *string      `json:"period"`
	Source       *string      `json:"source"`
	SourceStatus *string      `json:"source_status"`
	Rows         int          `json:"rows"`
	LeaderLinks  *int         `json:"leader_links"`
	Designation  *Designation `json:"designation"`
}

// ClassResult is one class judged for one enterprise.
type ClassResult struct {
	Class    string            `json:"class"`
	NameZh   string            `json:"name_zh"`
	NameEn   string            `json:"name_en"`
	Combine  string            `json:"combine"`
	State    string            `json:"state"`
	OnList   bool              `json:"on_list"`
	Criteria []CriterionResult `json:"criteria"`
}

func classResultOf(c cultivation.ClassResult, inds map[string]store.Indicator) ClassResult {
	out := ClassResult{Class: c.Class.Code, NameZh: c.Class.NameZh, NameEn: c.Class.NameEn, Combine: c.Class.Combine, State: c.State,
		OnList: c.OnList, Criteria: []CriterionResult{}}
	for _, x := range c.Criteria {
		cr := CriterionResult{Criterion: criterionOf(x.Criterion, inds), State: x.State, Rows: x.Rows, Period: nullString(x.Period)}
		switch x.Criterion.Kind {
		case "indicator":
			if x.State != cultivation.NoData {
				v := stats.Micro(x.Value).String()
				cr.Value, cr.Unit = &v, cr.Criterion.Unit
				cr.Source, cr.SourceStatus = nullString(x.Source), nullString(x.SourceStatus)
			}
		case "chain_leader":
			n := x.LeaderLinks
			cr.LeaderLinks = &n
		case "designated":
			if d := x.Designation; d != nil {
				cr.Designation = &Designation{Source: d.Source, Period: nullString(d.Period), Quote: d.Quote}
				cr.Source = nullString(d.Source)
			}
		}
		out.Criteria = append(out.Criteria, cr)
	}
	return out
}

// ClassifiedEnterprise is an enterprise as the cultivation endpoints show it. An unknown
// USCC is null with uscc_status "unknown", never a made-up code.
type ClassifiedEnterprise struct {
	ID         int64   `json:"id"`
	NameZh     string  `json:"name_zh"`
	USCC       *string `json:"uscc"`
	USCCStatus string  `json:"uscc_status"`
	RegionCode *string `json:"region_code"`
	Note       string  `json:"note"`
	Source     string  `json:"source"`
}

func classifiedOf(e store.Enterprise) ClassifiedEnterprise {
	st := "known"
	if e.USCC == "" {
		st = "unknown"
	}
	return ClassifiedEnterprise{ID: e.ID, NameZh: e.NameZh, USCC: nullString(e.USCC), USCCStatus: st, RegionCode: nullString(e.RegionCode),
		Note: e.Note, Source: e.Source}
}

// Classification is every class judged for one enterprise.
type Classification struct {
	Enterprise ClassifiedEnterprise `json:"enterprise"`
	Classes    []ClassResult        `json:"classes"`
}

func (a *API) classification(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ev, err := a.cult().Evaluate(r.Context(), p, pathID(r))
	if err != nil {
		return err
	}
	out := Classification{Enterprise: classifiedOf(ev.Enterprise), Classes: []ClassResult{}}
	for _, c := range ev.Classes {
		out.Classes = append(out.Classes, classResultOf(c, ev.Indicators))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// ClassMember is one enterprise judged for one class.
type ClassMember struct {
	Enterprise ClassifiedEnterprise `json:"enterprise"`
	Result     ClassResult          `json:"result"`
}

var memberListing = listing{sorts: []string{"id", "name", "state"}, defaultSort: "id"}

func (a *API) classRegister(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := memberListing.parseList(r)
	if err != nil {
		return err
	}
	class := r.URL.Query().Get("class")
	var f cultivation.RegisterFilter
	if f.OnList, err = boolParam(r, "on_list"); err != nil {
		return err
	}
	if f.Qualified, err = boolParam(r, "qualified"); err != nil {
		return err
	}
	_, pg, inds, err := a.cult().Register(r.Context(), p, class, f, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(pg, info, func(m cultivation.Member) ClassMember {
		return ClassMember{Enterprise: classifiedOf(m.Enterprise), Result: classResultOf(m.Result, inds)}
	}))
	return nil
}

// SupportMeasure is one 一企一策 measure; overdue is computed on the server's date.
type SupportMeasure struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	Enterprise   string    `json:"enterprise"`
	Measure      string    `json:"measure"`
	Department   string    `json:"department"`
	DueDate      string    `json:"due_date"`
	Status       string    `json:"status"`
	Overdue      bool      `json:"overdue"`
	Note         string    `json:"note"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func (a *API) measureOf(m store.SupportMeasure) SupportMeasure {
	return SupportMeasure{ID: m.ID, EnterpriseID: m.EnterpriseID, Enterprise: m.Enterprise, Measure: m.Measure, Department: m.Department,
		DueDate: m.DueDate, Status: m.Status, Overdue: cultivation.Overdue(m, a.Now()), Note: m.Note, CreatedBy: m.CreatedBy,
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
}

var measureListing = listing{sorts: []string{"due", "enterprise", "department", "status", "id"}, defaultSort: "due"}

func (a *API) listMeasures(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := measureListing.parseList(r)
	if err != nil {
		return err
	}
	var f cultivation.MeasureFilter
	if s, ok := r.URL.Query()["enterprise_id"]; ok {
		id, err := strconv.ParseInt(s[0], 10, 64)
		if err != nil || id < 1 {
			return invalidQuery().With("enterprise_id", "cult.api.enterprise_id", s[0])
		}
		f.EnterpriseID = id
	}
	if f.OverdueOnly, err = boolParam(r, "overdue"); err != nil {
		return err
	}
	pg, err := a.cult().Measures(r.Context(), p, f, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(pg, info, a.measureOf))
	return nil
}

// NewSupportMeasure is the body of POST /api/v1/support-measures.
type NewSupportMeasure struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Measure      string `json:"measure"`
	Department   string `json:"department"`
	DueDate      string `json:"due_date"`
	Status       string `json:"status"`
	Note         string `json:"note"`
}

func (a *API) addMeasure(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewSupportMeasure
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.cult().AddMeasure(r.Context(), p, cultivation.NewMeasure(in))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, a.measureOf(m))
	return nil
}

// MeasureStatus is the body of POST /api/v1/support-measures/{id}/status.
type MeasureStatus struct {
	Status string `json:"status"`
}

func (a *API) setMeasureStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in MeasureStatus
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.cult().SetMeasureStatus(r.Context(), p, pathID(r), in.Status)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.measureOf(m))
	return nil
}
