// Package park holds the parks and bases (园区/基地) of the regional layout: who may read
// and edit them, their validation, and the layout view (一核两翼 zones, parks on the county
// map, the 四基地一工程 positioning with the targets that measure it).
package park

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Kinds and Statuses are the closed sets the schema allows, in display order.
var (
	Kinds    = []string{"provincial_base", "national_park", "featured_park", "park"}
	Statuses = []string{"planned", "under_construction", "operating"}
)

func oneOf(set []string, v string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9:_-]{0,63}$`)

// Service runs the park use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// List lists parks, of one kind when kind is not empty.
func (s *Service) List(ctx context.Context, p *auth.Principal, kind string, q store.ListQuery) (store.Page[store.Park], error) {
	if err := auth.Require(p, auth.ReadParks); err != nil {
		return store.Page[store.Park]{}, err
	}
	if kind != "" && !oneOf(Kinds, kind) {
		return store.Page[store.Park]{}, apperr.New(apperr.Invalid, "invalid_park", "park.err.kind", kind).With("kind", "park.err.kind", kind)
	}
	return s.DB.ListParks(ctx, kind, q)
}

// Detail is a park with what its page shows.
type Detail struct {
	Park        store.Park
	Region      store.Region // zero when the source does not place the park
	Industries  []store.Industry
	Enterprises []store.Enterprise // only those the caller may see
	Figures     []store.FactDetail // region-level figures of the park's region or zone
	Indicators  map[string]store.Indicator
}

// Get returns a park with its region, industries, the enterprises the caller may see and
// the figures of its region the caller may read.
func (s *Service) Get(ctx context.Context, p *auth.Principal, code string) (Detail, error) {
	var d Detail
	if err := auth.Require(p, auth.ReadParks); err != nil {
		return d, err
	}
	pk, err := s.DB.ParkByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return d, apperr.Missing("park")
	} else if err != nil {
		return d, err
	}
	d.Park = pk
	if pk.RegionCode != "" {
		if d.Region, err = s.DB.RegionByCode(ctx, pk.RegionCode); err != nil {
			return d, err
		}
	}
	if d.Industries, err = s.DB.ParkIndustries(ctx, code); err != nil {
		return d, err
	}
	if p.Can(auth.ReadEnterprises) {
		ents, err := s.DB.ParkEnterprises(ctx, code)
		if err != nil {
			return d, err
		}
		sc := auth.EnterprisesVisibleTo(p)
		for _, e := range ents {
			if sc.All || (sc.EnterpriseID != 0 && sc.EnterpriseID == e.ID) || (sc.RegionCode != "" && sc.RegionCode == e.RegionCode) {
				d.Enterprises = append(d.Enterprises, e)
			}
		}
	}
	if pk.RegionCode != "" && p.Can(auth.ReadStats) {
		// Region-level figures only: everyone who reads statistics reads these, and those
		// who read only the published view (viewers, enterprise users) get approved ones.
		sc, err := stats.Scope(p)
		if err != nil {
			return d, err
		}
		if d.Figures, err = s.DB.RegionLevelFigures(ctx, pk.RegionCode, !(sc.All || sc.Region != "")); err != nil {
			return d, err
		}
		inds, err := s.DB.Indicators(ctx)
		if err != nil {
			return d, err
		}
		d.Indicators = map[string]store.Indicator{}
		for _, i := range inds {
			d.Indicators[i.Code] = i
		}
	}
	return d, nil
}

// Input is a park as a planner enters it.
type Input struct {
	Code        string
	NameZh      string
	NameEn      string
	Kind        string
	RegionCode  string
	Status      string
	Note        string
	Source      string
	Quote       string
	SortOrder   int
	Industries  []string
	Enterprises []int64
	// New refuses a code that is taken, so that a form meant to add a park cannot replace
	// one; without it Save creates or replaces (the API's upsert).
	New bool
}

// Validate checks what can be checked without the database; every problem is reported,
// each under its field.
func (in *Input) Validate() error {
	in.Code, in.NameZh, in.Source = strings.TrimSpace(in.Code), strings.TrimSpace(in.NameZh), strings.TrimSpace(in.Source)
	e := apperr.New(apperr.Invalid, "invalid_park", "park.err.invalid")
	if !codeRE.MatchString(in.Code) {
		e.With("code", "park.err.code", in.Code)
	}
	if in.NameZh == "" {
		e.With("name_zh", "park.err.name")
	}
	if !oneOf(Kinds, in.Kind) {
		e.With("kind", "park.err.kind", in.Kind)
	}
	if !oneOf(Statuses, in.Status) {
		e.With("status", "park.err.status", in.Status)
	}
	if in.Source == "" {
		e.With("source", "park.err.source")
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// Save creates or replaces a park with its industries and enterprises, audited in the same
// transaction. Unknown region, industry or enterprise references are refused by name.
func (s *Service) Save(ctx context.Context, p *auth.Principal, in Input) (store.Park, error) {
	if err := auth.Require(p, auth.ManageParks); err != nil {
		return store.Park{}, err
	}
	if err := in.Validate(); err != nil {
		return store.Park{}, err
	}
	pk := store.Park{Code: in.Code, NameZh: in.NameZh, NameEn: strings.TrimSpace(in.NameEn), Kind: in.Kind, RegionCode: strings.TrimSpace(in.RegionCode),
		Status: in.Status, Note: in.Note, Source: in.Source, Quote: in.Quote, SortOrder: in.SortOrder}
	now := s.Now()
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e := apperr.New(apperr.Invalid, "invalid_park", "park.err.invalid")
		if pk.RegionCode != "" {
			if _, err := tx.RegionByCode(ctx, pk.RegionCode); errors.Is(err, store.ErrNotFound) {
				e.With("region_code", "park.err.region", pk.RegionCode)
			} else if err != nil {
				return err
			}
		}
		for _, c := range in.Industries {
			if _, err := tx.IndustryByCode(ctx, c); errors.Is(err, store.ErrNotFound) {
				e.With("industries", "park.err.industry", c)
			} else if err != nil {
				return err
			}
		}
		for _, id := range in.Enterprises {
			if _, err := tx.EnterpriseByID(ctx, id); errors.Is(err, store.ErrNotFound) {
				e.With("enterprises", "park.err.enterprise", id)
			} else if err != nil {
				return err
			}
		}
		if len(e.Fields) > 0 {
			return e
		}
		type state struct {
			Park        store.Park
			Industries  []string
			Enterprises []int64
		}
		var before any
		old, err := tx.ParkByCode(ctx, pk.Code)
		if err == nil && in.New {
			return apperr.New(apperr.Conflict, "park_exists", "park.err.exists", pk.Code, old.NameZh).With("code", "park.err.exists", pk.Code, old.NameZh)
		}
		if err == nil {
			st := state{Park: old}
			if st.Industries, err = tx.ParkIndustryCodes(ctx, pk.Code); err != nil {
				return err
			}
			if st.Enterprises, err = tx.ParkEnterpriseIDs(ctx, pk.Code); err != nil {
				return err
			}
			before = st
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.UpsertPark(ctx, pk); err != nil {
			return err
		}
		if err := tx.SetParkIndustries(ctx, pk.Code, dedupe(in.Industries)); err != nil {
			return err
		}
		if err := tx.SetParkEnterprises(ctx, pk.Code, dedupe(in.Enterprises)); err != nil {
			return err
		}
		action := "park.update"
		if before == nil {
			action = "park.create"
		}
		return audit.Record(ctx, tx, now, p, action, "park", pk.Code, before, state{Park: pk, Industries: in.Industries, Enterprises: in.Enterprises})
	})
	if err != nil {
		return store.Park{}, err
	}
	return pk, nil
}

func dedupe[T comparable](in []T) []T {
	seen := map[T]bool{}
	var out []T
	for _, x := range in {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
