// Package region holds the use cases of regions (the nation, provinces, the city, its
// counties and zones).
package region

import (
	"context"
	"errors"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// List lists regions; every role may read them.
func List(ctx context.Context, db *store.DB, p *auth.Principal, q store.ListQuery) (store.Page[store.Region], error) {
	if err := auth.Require(p, auth.ReadRegions); err != nil {
		return store.Page[store.Region]{}, err
	}
	return db.ListRegions(ctx, q)
}

// Get returns one region by its GB/T 2260 code.
func Get(ctx context.Context, db *store.DB, p *auth.Principal, code string) (store.Region, error) {
	if err := auth.Require(p, auth.ReadRegions); err != nil {
		return store.Region{}, err
	}
	g, err := db.RegionByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return g, apperr.Missing("region")
	}
	return g, err
}
