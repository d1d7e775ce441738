package api

import (
	"net/http"
	"strings"
	"time"

	"zhanxin/internal/flow"
	"zhanxin/internal/store"
)

// The rare earth and tungsten flow endpoints: product mappings, the checks, mass balances
// and the anomaly workflow. Quantities are grams of REO or WO3 equivalent (exact
// integers) with the same in tonnes as a decimal string.

func (a *API) flowEndpoints() []Endpoint {
	return []Endpoint{
		{"GET /api/v1/flow/products", a.listFlowProducts},
		{"POST /api/v1/flow/products", a.setFlowProduct},
		{"GET /api/v1/flow/settings", a.getFlowSettings},
		{"PUT /api/v1/flow/settings", a.setFlowSettings},
		{"POST /api/v1/flow/checks", a.runFlowChecks},
		{"GET /api/v1/flow/balance", a.flowBalance},
		{"GET /api/v1/flow/anomalies", a.listFlowAnomalies},
		{"GET /api/v1/flow/anomalies/{id}", a.getFlowAnomaly},
		{"POST /api/v1/flow/anomalies/{id}/assign", a.assignFlowAnomaly},
		{"POST /api/v1/flow/anomalies/{id}/comments", a.commentFlowAnomaly},
		{"POST /api/v1/flow/anomalies/{id}/close", a.closeFlowAnomaly},
	}
}

func (a *API) flow() *flow.Service { return &flow.Service{DB: a.DB, Now: a.Now} }

// FlowProduct is an EPCIS class's product with its oxide content.
type FlowProduct struct {
	GTIN        string  `json:"gtin"`
	ProductCode string  `json:"product_code"`
	ProductZh   string  `json:"product_zh"`
	ProductEn   string  `json:"product_en"`
	Stage       string  `json:"stage"`
	Oxide       string  `json:"oxide"`
	ContentPct  string  `json:"content_pct"`
	YieldMinPct *string `json:"yield_min_pct"`
	YieldMaxPct *string `json:"yield_max_pct"`
	Source      string  `json:"source"`
}

func flowProductOf(p store.FlowProduct) FlowProduct {
	return FlowProduct{GTIN: p.GTIN, ProductCode: p.ProductCode, ProductZh: p.ProductZh, ProductEn: p.ProductEn, Stage: p.Stage,
		Oxide: p.Oxide, ContentPct: *optPercent(&p.ContentPPM), YieldMinPct: optPercent(p.YieldMinPPM), YieldMaxPct: optPercent(p.YieldMaxPPM),
		Source: p.Source}
}

func (a *API) listFlowProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ps, err := a.flow().Products(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]FlowProduct, 0, len(ps))
	for _, x := range ps {
		out = append(out, flowProductOf(x))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

func (a *API) setFlowProduct(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body flow.NewProduct
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	x, err := a.flow().SetProduct(r.Context(), p, body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, flowProductOf(x))
	return nil
}

func (a *API) getFlowSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	s, err := a.flow().Settings(r.Context(), p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (a *API) setFlowSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body flow.Settings
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	s, err := a.flow().SetSettings(r.Context(), p, body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

// FlowBalance is one site's mass balance in a period.
type FlowBalance struct {
	flow.Balance
	InT       string `json:"in_t"`
	OutT      string `json:"out_t"`
	ResidualT string `json:"residual_t"`
}

func balancesOf(bs []flow.Balance) []FlowBalance {
	out := make([]FlowBalance, 0, len(bs))
	for _, b := range bs {
		out = append(out, FlowBalance{Balance: b, InT: tonnes(b.InG), OutT: tonnes(b.OutG), ResidualT: tonnes(b.ResidualG)})
	}
	return out
}

// FlowCheckRun is the outcome of running the checks.
type FlowCheckRun struct {
	Period      string        `json:"period"`
	Found       int           `json:"found"`
	New         int           `json:"new"`
	Balances    []FlowBalance `json:"balances"`
	Unconverted []string      `json:"unconverted"`
}

func (a *API) runFlowChecks(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Site   string `json:"site"`
		Period string `json:"period"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	rep, err := a.flow().Run(r.Context(), p, body.Site, body.Period)
	if err != nil {
		return err
	}
	if rep.Unconverted == nil {
		rep.Unconverted = []string{}
	}
	WriteJSON(w, http.StatusOK, FlowCheckRun{Period: rep.Period, Found: len(rep.Anomalies), New: rep.New, Balances: balancesOf(rep.Balances),
		Unconverted: rep.Unconverted})
	return nil
}

func (a *API) flowBalance(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	bs, unconv, err := a.flow().Balances(r.Context(), p, q.Get("site"), q.Get("period"))
	if err != nil {
		return err
	}
	if unconv == nil {
		unconv = []string{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": balancesOf(bs), "unconverted": unconv})
	return nil
}

// FlowAnomaly is a finding of the flow checks.
type FlowAnomaly struct {
	ID           int64             `json:"id"`
	Kind         string            `json:"kind"`
	Site         string            `json:"site"`
	SiteName     string            `json:"site_name"`
	EnterpriseID *int64            `json:"enterprise_id"`
	Enterprise   string            `json:"enterprise"`
	Period       string            `json:"period"`
	ExpectedG    *int64            `json:"expected_g"`
	ActualG      *int64            `json:"actual_g"`
	DetailZh     string            `json:"detail_zh"`
	DetailEn     string            `json:"detail_en"`
	Status       string            `json:"status"`
	AssigneeID   *int64            `json:"assignee_id"`
	Assignee     string            `json:"assignee"`
	CloseReason  string            `json:"close_reason"`
	FoundAt      time.Time         `json:"found_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Evidence     []string          `json:"evidence,omitempty"`
	Comments     []FlowCommentView `json:"comments,omitempty"`
}

// FlowCommentView is a comment on an anomaly.
type FlowCommentView struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

func anomalyOf(x store.FlowAnomaly) FlowAnomaly {
	return FlowAnomaly{ID: x.ID, Kind: x.Kind, Site: x.SiteURI, SiteName: x.SiteZh, EnterpriseID: nullInt(x.EnterpriseID), Enterprise: x.Enterprise,
		Period: x.Period, ExpectedG: x.ExpectedG, ActualG: x.ActualG, DetailZh: x.DetailZh, DetailEn: x.DetailEn, Status: x.Status,
		AssigneeID: nullInt(x.AssigneeID), Assignee: x.Assignee, CloseReason: x.CloseReason, FoundAt: x.FoundAt, UpdatedAt: x.UpdatedAt}
}

var anomalyListing = listing{sorts: []string{"id", "kind", "site", "period", "status", "enterprise"}, defaultSort: "id", defaultDesc: true}

func (a *API) listFlowAnomalies(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := anomalyListing.parseList(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	f := store.FlowAnomalyFilter{Kind: v.Get("kind"), Site: strings.TrimSpace(v.Get("site")), Status: v.Get("status")}
	res, err := a.flow().Anomalies(r.Context(), p, f, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, anomalyOf))
	return nil
}

func (a *API) writeAnomaly(w http.ResponseWriter, r *http.Request, status int) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	d, err := a.flow().Anomaly(r.Context(), p, pathID(r))
	if err != nil {
		return err
	}
	out := anomalyOf(d.FlowAnomaly)
	out.Evidence = d.EvidenceIDs
	if out.Evidence == nil {
		out.Evidence = []string{}
	}
	out.Comments = []FlowCommentView{}
	for _, c := range d.Comments {
		out.Comments = append(out.Comments, FlowCommentView{ID: c.ID, Author: c.Author, Body: c.Body, CreatedAt: c.CreatedAt})
	}
	WriteJSON(w, status, out)
	return nil
}

func (a *API) getFlowAnomaly(w http.ResponseWriter, r *http.Request) error {
	return a.writeAnomaly(w, r, http.StatusOK)
}

func (a *API) assignFlowAnomaly(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		UserID int64 `json:"user_id"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if _, err := a.flow().Assign(r.Context(), p, pathID(r), body.UserID); err != nil {
		return err
	}
	return a.writeAnomaly(w, r, http.StatusOK)
}

func (a *API) commentFlowAnomaly(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if _, err := a.flow().Comment(r.Context(), p, pathID(r), body.Body); err != nil {
		return err
	}
	return a.writeAnomaly(w, r, http.StatusCreated)
}

func (a *API) closeFlowAnomaly(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if _, err := a.flow().Close(r.Context(), p, pathID(r), body.Reason); err != nil {
		return err
	}
	return a.writeAnomaly(w, r, http.StatusOK)
}
