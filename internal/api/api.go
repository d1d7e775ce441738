package api

import (
	"net/http"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/users"
)

// API holds what the JSON handlers need.
type API struct {
	DB      *store.DB
	Users   *users.Service
	Cat     *i18n.Catalog
	Now     func() time.Time
	Lang    func(*http.Request) i18n.Lang
	Version string
}

// Endpoints lists every API route. The OpenAPI test checks this list against openapi.json.
func (a *API) Endpoints() []Endpoint {
	return []Endpoint{
		{"GET /api/v1/me", a.me},
	}
}

func principal(r *http.Request) (*auth.Principal, error) {
	p := auth.From(r.Context())
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "unauthenticated", "err.unauthenticated")
	}
	return p, nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"id": p.ID, "username": p.Username, "display_name": p.DisplayName,
		"role": p.Role, "region_code": p.RegionCode, "enterprise_id": p.EnterpriseID})
	return nil
}
