// Package enterprise holds the enterprise registry's rules: the unified social credit code
// (USCC, GB 32100-2015) and who may read which enterprise.
package enterprise

import (
	"context"
	"errors"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheckChar computes the 18th character of a USCC from its first 17 (GB 32100-2015 §5).
// ok is false when the 17 characters contain one outside the code's alphabet.
func USCCCheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return usccChars[c], true
}

// ValidateUSCC returns nil for a well-formed code with the right check character, and an
// Invalid error saying what is wrong otherwise.
func ValidateUSCC(code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 18 {
		return apperr.New(apperr.Invalid, "invalid_uscc", "err.uscc.length", code).With("uscc", "err.uscc.length", code)
	}
	want, ok := USCCCheckChar(code[:17])
	if !ok {
		return apperr.New(apperr.Invalid, "invalid_uscc", "err.uscc.chars", code).With("uscc", "err.uscc.chars", code)
	}
	if code[17] != want {
		return apperr.New(apperr.Invalid, "invalid_uscc", "err.uscc.check", code, string(want)).
			With("uscc", "err.uscc.check", code, string(want))
	}
	return nil
}

// List lists the enterprises p may see.
func List(ctx context.Context, db *store.DB, p *auth.Principal, q store.ListQuery) (store.Page[store.Enterprise], error) {
	if err := auth.Require(p, auth.ReadEnterprises); err != nil {
		return store.Page[store.Enterprise]{}, err
	}
	return db.ListEnterprises(ctx, auth.EnterprisesVisibleTo(p), q)
}

// Get returns one enterprise if p may see it. An enterprise outside p's scope is reported
// as not found, exactly like one that does not exist, so guessing ids reveals nothing.
func Get(ctx context.Context, db *store.DB, p *auth.Principal, id int64) (store.Enterprise, error) {
	if err := auth.Require(p, auth.ReadEnterprises); err != nil {
		return store.Enterprise{}, err
	}
	e, err := db.EnterpriseByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return e, apperr.Missing("enterprise")
	} else if err != nil {
		return e, err
	}
	s := auth.EnterprisesVisibleTo(p)
	if !s.All && !(s.EnterpriseID != 0 && s.EnterpriseID == e.ID) && !(s.RegionCode != "" && s.RegionCode == e.RegionCode) {
		return store.Enterprise{}, apperr.Missing("enterprise")
	}
	return e, nil
}
