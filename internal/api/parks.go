package api

import (
	"net/http"

	"zhanxin/internal/park"
	"zhanxin/internal/store"
)

// Parks and bases: list, one park with its industries and enterprises, and create or
// replace (planners).

// Park is a park as the API shows it.
type Park struct {
	Code       string  `json:"code"`
	NameZh     string  `json:"name_zh"`
	NameEn     string  `json:"name_en"`
	Kind       string  `json:"kind"`
	RegionCode *string `json:"region_code"`
	Status     string  `json:"status"`
	Note       string  `json:"note"`
	Source     string  `json:"source"`
	Quote      string  `json:"quote"`
	SortOrder  int     `json:"sort_order"`
}

func parkOf(p store.Park) Park {
	return Park{Code: p.Code, NameZh: p.NameZh, NameEn: p.NameEn, Kind: p.Kind, RegionCode: nullString(p.RegionCode), Status: p.Status,
		Note: p.Note, Source: p.Source, Quote: p.Quote, SortOrder: p.SortOrder}
}

// ParkDetail is a park with its industries and the enterprises the caller may see.
type ParkDetail struct {
	Park
	Industries  []string     `json:"industries"`
	Enterprises []Enterprise `json:"enterprises"`
}

// NewPark is the body that creates or replaces a park.
type NewPark struct {
	Code        string   `json:"code"`
	NameZh      string   `json:"name_zh"`
	NameEn      string   `json:"name_en"`
	Kind        string   `json:"kind"`
	RegionCode  string   `json:"region_code"`
	Status      string   `json:"status"`
	Note        string   `json:"note"`
	Source      string   `json:"source"`
	Quote       string   `json:"quote"`
	SortOrder   int      `json:"sort_order"`
	Industries  []string `json:"industries"`
	Enterprises []int64  `json:"enterprises"`
}

var parkListing = listing{sorts: []string{"code", "name", "kind", "region", "status", "order"}, defaultSort: "order"}

func (a *API) parks() *park.Service { return &park.Service{DB: a.DB, Now: a.Now} }

func (a *API) listParks(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := parkListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.parks().List(r.Context(), p, r.URL.Query().Get("kind"), q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, parkOf))
	return nil
}

func (a *API) parkDetail(r *http.Request, code string) (ParkDetail, error) {
	p, err := principal(r)
	if err != nil {
		return ParkDetail{}, err
	}
	d, err := a.parks().Get(r.Context(), p, code)
	if err != nil {
		return ParkDetail{}, err
	}
	out := ParkDetail{Park: parkOf(d.Park), Industries: []string{}, Enterprises: []Enterprise{}}
	for _, i := range d.Industries {
		out.Industries = append(out.Industries, i.Code)
	}
	for _, e := range d.Enterprises {
		out.Enterprises = append(out.Enterprises, enterpriseOf(e))
	}
	return out, nil
}

func (a *API) getPark(w http.ResponseWriter, r *http.Request) error {
	d, err := a.parkDetail(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) savePark(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body NewPark
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	pk, err := a.parks().Save(r.Context(), p, park.Input{Code: body.Code, NameZh: body.NameZh, NameEn: body.NameEn, Kind: body.Kind,
		RegionCode: body.RegionCode, Status: body.Status, Note: body.Note, Source: body.Source, Quote: body.Quote, SortOrder: body.SortOrder,
		Industries: body.Industries, Enterprises: body.Enterprises})
	if err != nil {
		return err
	}
	d, err := a.parkDetail(r, pk.Code)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}
