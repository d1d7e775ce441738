package api

import (
	"net/http"
	"strings"
	"time"

	"zhanxin/internal/enterprise"
	"zhanxin/internal/region"
	"zhanxin/internal/store"
)

// Region is a region as the API shows it.
type Region struct {
	Code       string   `json:"code"`
	NameZh     string   `json:"name_zh"`
	NameEn     string   `json:"name_en"`
	Kind       string   `json:"kind"`
	ParentCode *string  `json:"parent_code"`
	Aliases    []string `json:"aliases"`
	Source     string   `json:"source"`
}

func regionOf(g store.Region) Region {
	aliases := []string{}
	for _, s := range strings.Split(g.Aliases, ",") {
		if s = strings.TrimSpace(s); s != "" {
			aliases = append(aliases, s)
		}
	}
	return Region{Code: g.Code, NameZh: g.NameZh, NameEn: g.NameEn, Kind: g.Kind, ParentCode: nullString(g.ParentCode),
		Aliases: aliases, Source: g.Source}
}

var regionListing = listing{sorts: []string{"code", "name", "kind", "parent"}, defaultSort: "code"}

func (a *API) listRegions(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := regionListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := region.List(r.Context(), a.DB, p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, regionOf))
	return nil
}

func (a *API) getRegion(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	g, err := region.Get(r.Context(), a.DB, p, r.PathValue("code"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, regionOf(g))
	return nil
}

// Enterprise is an enterprise as the API shows it.
type Enterprise struct {
	ID         int64     `json:"id"`
	NameZh     string    `json:"name_zh"`
	NameEn     string    `json:"name_en"`
	USCC       *string   `json:"uscc"`
	RegionCode *string   `json:"region_code"`
	Note       string    `json:"note"`
	Source     string    `json:"source"`
	CreatedAt  time.Time `json:"created_at"`
}

func enterpriseOf(e store.Enterprise) Enterprise {
	return Enterprise{ID: e.ID, NameZh: e.NameZh, NameEn: e.NameEn, USCC: nullString(e.USCC),
		RegionCode: nullString(e.RegionCode), Note: e.Note, Source: e.Source, CreatedAt: e.CreatedAt.UTC()}
}

var enterpriseListing = listing{sorts: []string{"id", "name", "uscc", "region"}, defaultSort: "id"}

func (a *API) listEnterprises(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := enterpriseListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := enterprise.List(r.Context(), a.DB, p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, enterpriseOf))
	return nil
}

func (a *API) getEnterprise(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	e, err := enterprise.Get(r.Context(), a.DB, p, pathID(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, enterpriseOf(e))
	return nil
}
