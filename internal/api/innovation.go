package api

import (
	"net/http"

	"zhanxin/internal/innovation"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// The innovation endpoints: the named platforms, alliances and talent programmes with the
// chain links and enterprises they serve, and the article's counts of centres as facts.

func (a *API) inno() *innovation.Service { return &innovation.Service{DB: a.DB, Now: a.Now} }

// UnitLink is a chain link an innovation unit serves.
type UnitLink struct {
	ID     int64  `json:"id"`
	Chain  string `json:"chain"`
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
}

// UnitEnterprise is an enterprise linked to a unit.
type UnitEnterprise struct {
	ID     int64  `json:"id"`
	NameZh string `json:"name_zh"`
}

// InnovationUnit is a platform, alliance or talent programme.
type InnovationUnit struct {
	ID          int64            `json:"id"`
	NameZh      string           `json:"name_zh"`
	NameEn      string           `json:"name_en"`
	Category    string           `json:"category"`
	Level       *string          `json:"level"`
	Status      string           `json:"status"`
	Note        string           `json:"note"`
	Quote       string           `json:"quote"`
	Source      string           `json:"source"`
	Links       []UnitLink       `json:"links"`
	Enterprises []UnitEnterprise `json:"enterprises"`
}

func unitOf(u store.InnovationUnit) InnovationUnit {
	out := InnovationUnit{ID: u.ID, NameZh: u.NameZh, NameEn: u.NameEn, Category: u.Category, Level: nullString(u.Level), Status: u.Status,
		Note: u.Note, Quote: u.Quote, Source: u.Source, Links: []UnitLink{}, Enterprises: []UnitEnterprise{}}
	for _, l := range u.Links {
		out.Links = append(out.Links, UnitLink{ID: l.ID, Chain: l.ChainCode, Code: l.Code, NameZh: l.NameZh})
	}
	for _, e := range u.Enterprises {
		out.Enterprises = append(out.Enterprises, UnitEnterprise{ID: e.ID, NameZh: e.NameZh})
	}
	return out
}

// CountFact is one of the article's counts, with period and source.
type CountFact struct {
	Indicator string `json:"indicator"`
	Value     string `json:"value"`
	Unit      string `json:"unit"`
	Period    string `json:"period"`
	Source    string `json:"source"`
	Quote     string `json:"quote"`
}

// InnovationOverview is the answer of GET /api/v1/innovation-units.
type InnovationOverview struct {
	Data   []InnovationUnit `json:"data"`
	Counts []CountFact      `json:"counts"`
}

func (a *API) listUnits(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	o, err := a.inno().Units(r.Context(), p)
	if err != nil {
		return err
	}
	out := InnovationOverview{Data: []InnovationUnit{}, Counts: []CountFact{}}
	for _, u := range o.Units {
		out.Data = append(out.Data, unitOf(u))
	}
	for _, f := range o.Counts {
		out.Counts = append(out.Counts, CountFact{Indicator: f.Indicator, Value: stats.Micro(f.Value).String(), Unit: o.Inds[f.Indicator].Unit,
			Period: f.Period, Source: f.Source, Quote: f.Quote})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// NewInnovationUnit is the body of POST /api/v1/innovation-units.
type NewInnovationUnit struct {
	NameZh        string  `json:"name_zh"`
	NameEn        string  `json:"name_en"`
	Category      string  `json:"category"`
	Level         string  `json:"level"`
	Status        string  `json:"status"`
	Note          string  `json:"note"`
	Quote         string  `json:"quote"`
	Source        string  `json:"source"`
	LinkIDs       []int64 `json:"link_ids"`
	EnterpriseIDs []int64 `json:"enterprise_ids"`
}

func (a *API) addUnit(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewInnovationUnit
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := a.inno().AddUnit(r.Context(), p, innovation.NewUnit{NameZh: in.NameZh, NameEn: in.NameEn, Category: in.Category, Level: in.Level,
		Status: in.Status, Note: in.Note, Quote: in.Quote, Source: in.Source, LinkIDs: in.LinkIDs, Enterprises: in.EnterpriseIDs})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, unitOf(u))
	return nil
}

// UnitLinkBody is the body of POST /api/v1/innovation-units/{id}/links: exactly one of
// link_id and enterprise_id.
type UnitLinkBody struct {
	LinkID       int64 `json:"link_id"`
	EnterpriseID int64 `json:"enterprise_id"`
}

func (a *API) linkUnit(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in UnitLinkBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.inno().Link(r.Context(), p, pathID(r), in.LinkID, in.EnterpriseID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
