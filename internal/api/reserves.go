package api

import (
	"net/http"
	"strings"
	"time"

	"zhanxin/internal/ledger"
	"zhanxin/internal/reserve"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// The strategic reserve endpoints: depots, partner shares with each partner's holding,
// operations (收储, 轮换, 投放, in-ground reservation) and a depot's stock card for one
// product. They call package reserve, like the pages. Quantities are exact integer grams
// (…_g) beside decimal tonnes (…_t).

func (a *API) reserveEndpoints() []Endpoint {
	return []Endpoint{
		{"GET /api/v1/reserves/depots", a.listDepots},
		{"POST /api/v1/reserves/depots", a.createDepot},
		{"GET /api/v1/reserves/depots/{id}", a.getDepot},
		{"PUT /api/v1/reserves/depots/{id}/shares", a.setDepotShares},
		{"GET /api/v1/reserves/depots/{id}/stock-card", a.getStockCard},
		{"POST /api/v1/reserves/operations", a.createReserveOp},
	}
}

func (a *API) reserves() *reserve.Service { return reserve.New(a.DB, a.Now) }

// Depot is a reserve depot.
type Depot struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	NameZh       string `json:"name_zh"`
	NameEn       string `json:"name_en"`
	Kind         string `json:"kind"`
	RegionCode   string `json:"region_code"`
	OperatorID   *int64 `json:"operator_id"`
	OperatorName string `json:"operator_name"`
	DepositCode  string `json:"deposit_code"`
	Source       string `json:"source"`
	Note         string `json:"note"`
}

func depotOf(d store.ReserveDepot) Depot {
	out := Depot{ID: d.ID, Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Kind: d.Kind, RegionCode: d.RegionCode,
		OperatorName: d.OperatorName, DepositCode: d.DepositCode, Source: d.Source, Note: d.Note}
	if d.OperatorID != 0 {
		id := d.OperatorID
		out.OperatorID = &id
	}
	return out
}

// Stock is a depot's stock of one product, now.
type Stock struct {
	Product  string `json:"product"`
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Account  string `json:"account"`
	BalanceG int64  `json:"balance_g"`
	BalanceT string `json:"balance_t"`
}

// DepotShare is a partner's share and its holding of each product.
type DepotShare struct {
	Partner     string            `json:"partner"`
	PartnerName string            `json:"partner_name"`
	SharePct    string            `json:"share_pct"`
	HoldingsG   map[string]int64  `json:"holdings_g"`
	HoldingsT   map[string]string `json:"holdings_t"`
}

// DepotDetail is a depot with its stock and partners.
type DepotDetail struct {
	Depot
	Stocks []Stock      `json:"stocks"`
	Shares []DepotShare `json:"shares"`
	OwnPct string       `json:"own_pct"`
}

func pct(ppm int64) string { return strings.TrimSuffix(resource.FormatPercent(ppm), "%") }

func detailOf(d reserve.Detail) DepotDetail {
	out := DepotDetail{Depot: depotOf(d.Depot), Stocks: []Stock{}, Shares: []DepotShare{}, OwnPct: pct(d.OwnPPM)}
	for _, s := range d.Stocks {
		out.Stocks = append(out.Stocks, Stock{Product: s.Product, Name: s.ProductName, Unit: s.ProductUnit, Account: s.AccountCode,
			BalanceG: s.Balance(), BalanceT: tonnes(s.Balance())})
	}
	for _, sh := range d.Shares {
		x := DepotShare{Partner: sh.Partner, PartnerName: sh.PartnerName, SharePct: pct(sh.SharePPM), HoldingsG: map[string]int64{}, HoldingsT: map[string]string{}}
		for _, h := range d.Holdings {
			if h.Partner == sh.Partner {
				x.HoldingsG[h.Product], x.HoldingsT[h.Product] = h.HoldingG, tonnes(h.HoldingG)
			}
		}
		out.Shares = append(out.Shares, x)
	}
	return out
}

// ReserveOp is an operation's record.
type ReserveOp struct {
	ID           int64    `json:"id"`
	DepotID      int64    `json:"depot_id"`
	Product      string   `json:"product"`
	Kind         string   `json:"kind"`
	EnterpriseID *int64   `json:"enterprise_id"`
	InG          int64    `json:"in_g"`
	OutG         int64    `json:"out_g"`
	Date         string   `json:"date"`
	DocNo        string   `json:"doc_no"`
	Reason       string   `json:"reason"`
	TransferIDs  []string `json:"transfer_ids"`
}

func reserveOpOf(o store.ReserveOp) ReserveOp {
	out := ReserveOp{ID: o.ID, DepotID: o.DepotID, Product: o.Product, Kind: o.Kind, InG: o.InG, OutG: o.OutG, Date: o.OpDate,
		DocNo: o.DocNo, Reason: o.Reason, TransferIDs: strings.Split(o.TransferIDs, ",")}
	if o.EnterpriseID != 0 {
		id := o.EnterpriseID
		out.EnterpriseID = &id
	}
	return out
}

// StockCard is a depot's stock of one product over a period.
type StockCard struct {
	Depot    string          `json:"depot"`
	Product  string          `json:"product"`
	Account  string          `json:"account"`
	From     string          `json:"from"`
	To       string          `json:"to"`
	OpeningG int64           `json:"opening_g"`
	ClosingG int64           `json:"closing_g"`
	Lines    []StatementLine `json:"lines"`
	Ops      []ReserveOp     `json:"operations"`
}

func (a *API) listDepots(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ds, err := a.reserves().Depots(r.Context(), p)
	if err != nil {
		return err
	}
	out := []Depot{}
	for _, d := range ds {
		out = append(out, depotOf(d.ReserveDepot))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

func (a *API) writeDepot(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	d, err := a.reserves().Depot(r.Context(), p, id)
	if err != nil {
		return err
	}
	WriteJSON(w, status, detailOf(d))
	return nil
}

func (a *API) getDepot(w http.ResponseWriter, r *http.Request) error {
	return a.writeDepot(w, r, http.StatusOK, pathID(r))
}

func (a *API) createDepot(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body reserve.NewDepot
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	d, err := a.reserves().CreateDepot(r.Context(), p, body)
	if err != nil {
		return err
	}
	return a.writeDepot(w, r, http.StatusCreated, d.ID)
}

func (a *API) setDepotShares(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Shares []reserve.ShareIn `json:"shares"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := a.reserves().SetShares(r.Context(), p, pathID(r), body.Shares); err != nil {
		return err
	}
	return a.writeDepot(w, r, http.StatusOK, pathID(r))
}

func (a *API) createReserveOp(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body reserve.NewOp
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	o, err := a.reserves().Operate(r.Context(), p, body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, reserveOpOf(o))
	return nil
}

func (a *API) getStockCard(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	e := invalidQuery()
	product := v.Get("product")
	if product == "" {
		e.With("product", "reserve.err.unknown_product", product)
	}
	from, err1 := time.ParseInLocation("2006-01-02", v.Get("from"), ledger.ChinaTime)
	if err1 != nil {
		e.With("from", "quota.err.date", v.Get("from"))
	}
	to, err2 := ledger.EndOfDay(v.Get("to"))
	if err2 != nil {
		e.With("to", "quota.err.date", v.Get("to"))
	}
	if err1 == nil && err2 == nil && to.Before(from) {
		e.With("to", "quota.ledger.err.to_before_from", v.Get("to"), v.Get("from"))
	}
	if len(e.Fields) > 0 {
		return e
	}
	c, err := a.reserves().StockCard(r.Context(), p, pathID(r), product, from, to)
	if err != nil {
		return err
	}
	st := c.Statement
	out := StockCard{Depot: c.Depot.Code, Product: product, Account: c.Stock.AccountCode, From: v.Get("from"), To: v.Get("to"),
		OpeningG: st.Opening.CreditsPosted - st.Opening.DebitsPosted, ClosingG: st.Closing.CreditsPosted - st.Closing.DebitsPosted,
		Lines: []StatementLine{}, Ops: []ReserveOp{}}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, statementLineOf(l))
	}
	for _, o := range c.Ops {
		out.Ops = append(out.Ops, reserveOpOf(o))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}
