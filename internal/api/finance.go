package api

import (
	"net/http"
	"strconv"
	"time"

	"zhanxin/internal/finance"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The finance endpoints: funds with the raised total, commitments and investments,
// financing instruments and the listing pipeline. Amounts are exact decimals of 万元 as
// strings, so no client sees a binary-float rounding.

func (a *API) fin() *finance.Service { return &finance.Service{DB: a.DB, Now: a.Now} }

// Fund is a fund; size is null when no source gives it.
type Fund struct {
	Code   string  `json:"code"`
	NameZh string  `json:"name_zh"`
	NameEn string  `json:"name_en"`
	Kind   string  `json:"kind"`
	Status string  `json:"status"`
	Size   *string `json:"size_wan_yuan"`
	Note   string  `json:"note"`
	Quote  string  `json:"quote"`
	Source string  `json:"source"`
}

// RaisedFact is the capital raised as a statistics fact (亿元), with period and source.
type RaisedFact struct {
	Value  string `json:"value"`
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Source string `json:"source"`
	Quote  string `json:"quote"`
}

// FundOverview is the answer of GET /api/v1/funds.
type FundOverview struct {
	Data   []Fund       `json:"data"`
	Raised []RaisedFact `json:"raised"`
}

func (a *API) listFunds(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	o, err := a.fin().Funds(r.Context(), p)
	if err != nil {
		return err
	}
	out := FundOverview{Data: []Fund{}, Raised: []RaisedFact{}}
	for _, f := range o.Funds {
		var size *string
		if f.Size != nil {
			s := stats.Micro(*f.Size).String()
			size = &s
		}
		out.Data = append(out.Data, Fund{Code: f.Code, NameZh: f.NameZh, NameEn: f.NameEn, Kind: f.Kind, Status: f.Status, Size: size,
			Note: f.Note, Quote: f.Quote, Source: f.Source})
	}
	for _, x := range o.Raised {
		out.Raised = append(out.Raised, RaisedFact{Value: stats.Micro(x.Value).String(), Unit: "亿元", Period: x.Period, Source: x.Source, Quote: x.Quote})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// FundInvestment is a commitment or investment into one enterprise or one project.
type FundInvestment struct {
	ID           int64     `json:"id"`
	Fund         string    `json:"fund"`
	Kind         string    `json:"kind"`
	EnterpriseID *int64    `json:"enterprise_id"`
	ProjectID    *int64    `json:"project_id"`
	Target       string    `json:"target"`
	Amount       string    `json:"amount_wan_yuan"`
	Date         string    `json:"date"`
	Note         string    `json:"note"`
	Source       string    `json:"source"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

func investmentOf(v store.FundInvestment) FundInvestment {
	return FundInvestment{ID: v.ID, Fund: v.FundCode, Kind: v.Kind, EnterpriseID: nullInt(v.EnterpriseID), ProjectID: nullInt(v.ProjectID),
		Target: v.Target, Amount: stats.Micro(v.Amount).String(), Date: v.Date, Note: v.Note, Source: v.Source, CreatedBy: v.CreatedBy,
		CreatedAt: v.CreatedAt.UTC()}
}

// queryInt reads an optional positive integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	s, ok := r.URL.Query()[name]
	if !ok {
		return 0, nil
	}
	id, err := strconv.ParseInt(s[0], 10, 64)
	if err != nil || id < 1 {
		return 0, invalidQuery().With(name, "fin.api.id", name, s[0])
	}
	return id, nil
}

var investmentListing = listing{sorts: []string{"date", "amount", "fund", "kind", "id"}, defaultSort: "date", defaultDesc: true}

func (a *API) listInvestments(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := investmentListing.parseList(r)
	if err != nil {
		return err
	}
	f := store.InvestmentFilter{FundCode: r.URL.Query().Get("fund")}
	if f.EnterpriseID, err = queryInt(r, "enterprise_id"); err != nil {
		return err
	}
	if f.ProjectID, err = queryInt(r, "project_id"); err != nil {
		return err
	}
	pg, err := a.fin().Investments(r.Context(), p, f, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(pg, info, investmentOf))
	return nil
}

// NewFundInvestment is the body of POST /api/v1/fund-investments.
type NewFundInvestment struct {
	Fund         string `json:"fund"`
	Kind         string `json:"kind"`
	EnterpriseID int64  `json:"enterprise_id"`
	ProjectID    int64  `json:"project_id"`
	Amount       string `json:"amount"`
	Unit         string `json:"unit"`
	Date         string `json:"date"`
	Note         string `json:"note"`
	Source       string `json:"source"`
}

func (a *API) addInvestment(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewFundInvestment
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	v, err := a.fin().AddInvestment(r.Context(), p, finance.NewInvestment{FundCode: in.Fund, Kind: in.Kind, EnterpriseID: in.EnterpriseID,
		ProjectID: in.ProjectID, Amount: in.Amount, Unit: in.Unit, Date: in.Date, Note: in.Note, Source: in.Source})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, investmentOf(v))
	return nil
}

// Financing is an enterprise's financing instrument.
type Financing struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	Enterprise   string    `json:"enterprise"`
	Kind         string    `json:"kind"`
	Amount       string    `json:"amount_wan_yuan"`
	IssuedOn     string    `json:"issued_on"`
	MaturesOn    *string   `json:"matures_on"`
	Note         string    `json:"note"`
	Source       string    `json:"source"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

func financingOf(f store.Financing) Financing {
	return Financing{ID: f.ID, EnterpriseID: f.EnterpriseID, Enterprise: f.Enterprise, Kind: f.Kind, Amount: stats.Micro(f.Amount).String(),
		IssuedOn: f.IssuedOn, MaturesOn: nullString(f.MaturesOn), Note: f.Note, Source: f.Source, CreatedBy: f.CreatedBy, CreatedAt: f.CreatedAt.UTC()}
}

var financingListing = listing{sorts: []string{"issued", "amount", "enterprise", "kind", "id"}, defaultSort: "issued", defaultDesc: true}

func (a *API) listFinancings(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := financingListing.parseList(r)
	if err != nil {
		return err
	}
	ent, err := queryInt(r, "enterprise_id")
	if err != nil {
		return err
	}
	pg, err := a.fin().Financings(r.Context(), p, ent, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(pg, info, financingOf))
	return nil
}

// NewFinancing is the body of POST /api/v1/financings.
type NewFinancing struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Kind         string `json:"kind"`
	Amount       string `json:"amount"`
	Unit         string `json:"unit"`
	IssuedOn     string `json:"issued_on"`
	MaturesOn    string `json:"matures_on"`
	Note         string `json:"note"`
	Source       string `json:"source"`
}

func (a *API) addFinancing(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewFinancing
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	f, err := a.fin().AddFinancing(r.Context(), p, finance.NewFinancing(in))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, financingOf(f))
	return nil
}

// ListingStage is one step of the listing pipeline.
type ListingStage struct {
	Stage  string  `json:"stage"`
	Date   string  `json:"date"`
	Reason *string `json:"reason"`
	Source string  `json:"source"`
}

// ListingPipeline is one enterprise's stage now and its history.
type ListingPipeline struct {
	EnterpriseID int64          `json:"enterprise_id"`
	Enterprise   string         `json:"enterprise"`
	Stage        string         `json:"stage"`
	Since        string         `json:"since"`
	History      []ListingStage `json:"history"`
}

func listingStageOf(l store.ListingStage) ListingStage {
	return ListingStage{Stage: l.Stage, Date: l.Date, Reason: nullString(l.Reason), Source: l.Source}
}

var pipelineListing = listing{sorts: []string{"enterprise", "stage", "date"}, defaultSort: ""}

func (a *API) listPipeline(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := pipelineListing.parseList(r)
	if err != nil {
		return err
	}
	pg, err := a.fin().Pipelines(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(pg, info, func(pl finance.Pipeline) ListingPipeline {
		out := ListingPipeline{EnterpriseID: pl.EnterpriseID, Enterprise: pl.Enterprise, Stage: pl.Current.Stage, Since: pl.Current.Date}
		for _, h := range pl.History {
			out.History = append(out.History, listingStageOf(h))
		}
		return out
	}))
	return nil
}

// NewListingStage is the body of POST /api/v1/listing-pipeline.
type NewListingStage struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Stage        string `json:"stage"`
	Date         string `json:"date"`
	Reason       string `json:"reason"`
	Source       string `json:"source"`
}

func (a *API) setListingStage(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewListingStage
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l, err := a.fin().SetStage(r.Context(), p, finance.NewStage(in))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, listingStageOf(l))
	return nil
}
