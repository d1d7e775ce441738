// Package innovation holds the innovation system: platforms (engineering and technology
// centres, quality inspection centres, research institutes), alliances and talent
// programmes, linked to the chain links and enterprises they serve, beside the article's
// counts of centres, which stay facts.
package innovation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Service runs the innovation use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// The closed sets the schema also enforces.
var (
	Categories = []string{"platform", "alliance", "talent"}
	Levels     = []string{"", "national", "provincial", "city"}
	Statuses   = []string{"proposed", "building", "operating"}
	// CountIndicators are the article's counts of centres, kept as facts.
	CountIndicators = []string{"PLATFORM_NAT", "POSTDOC", "PLATFORM_PROV"}
)

// Overview is the innovation page: the units and the counts.
type Overview struct {
	Units  []store.InnovationUnit
	Counts []store.Fact
	Inds   map[string]store.Indicator
}

// Units lists every unit; the enterprises linked to each are limited to those p may see.
func (s *Service) Units(ctx context.Context, p *auth.Principal) (Overview, error) {
	if err := auth.Require(p, auth.ReadInnovation); err != nil {
		return Overview{}, err
	}
	units, err := s.DB.InnovationUnits(ctx)
	if err != nil {
		return Overview{}, err
	}
	scope := auth.EnterprisesVisibleTo(p)
	for i := range units {
		var keep []store.Enterprise
		for _, e := range units[i].Enterprises {
			if p.Can(auth.ReadEnterprises) && (scope.All || (scope.EnterpriseID != 0 && scope.EnterpriseID == e.ID) ||
				(scope.RegionCode != "" && scope.RegionCode == e.RegionCode)) {
				keep = append(keep, e)
			}
		}
		units[i].Enterprises = keep
	}
	o := Overview{Units: units, Inds: map[string]store.Indicator{}}
	for _, code := range CountIndicators {
		page, err := s.DB.ListFacts(ctx, store.FactFilter{Indicator: code, EnterpriseID: -1, Scope: store.FactScope{All: true}}, store.ListQuery{Sort: "period"})
		if err != nil {
			return Overview{}, err
		}
		o.Counts = append(o.Counts, page.Rows...)
	}
	inds, err := s.DB.Indicators(ctx)
	if err != nil {
		return Overview{}, err
	}
	for _, i := range inds {
		o.Inds[i.Code] = i
	}
	return o, nil
}

// NewUnit is a unit as a person writes it, with the chain links and enterprises it serves.
type NewUnit struct {
	NameZh      string
	NameEn      string
	Category    string
	Level       string
	Status      string
	Note        string
	Quote       string
	Source      string
	LinkIDs     []int64
	Enterprises []int64
}

// AddUnit checks and records a unit with its links. Every problem is reported at once;
// nothing is written then.
func (s *Service) AddUnit(ctx context.Context, p *auth.Principal, in NewUnit) (store.InnovationUnit, error) {
	if err := auth.Require(p, auth.ManageInnovation); err != nil {
		return store.InnovationUnit{}, err
	}
	u := store.InnovationUnit{NameZh: strings.TrimSpace(in.NameZh), NameEn: strings.TrimSpace(in.NameEn), Category: strings.TrimSpace(in.Category),
		Level: strings.TrimSpace(in.Level), Status: strings.TrimSpace(in.Status), Note: strings.TrimSpace(in.Note), Quote: strings.TrimSpace(in.Quote),
		Source: strings.TrimSpace(in.Source)}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e := apperr.New(apperr.Invalid, "invalid_unit", "inno.err.unit")
		if u.NameZh == "" {
			e.With("name_zh", "inno.err.name")
		} else if _, err := tx.InnovationUnitByName(ctx, u.NameZh); err == nil {
			e.With("name_zh", "inno.err.name_taken", u.NameZh)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if !slices.Contains(Categories, u.Category) {
			e.With("category", "inno.err.category", u.Category, strings.Join(Categories, ", "))
		}
		if !slices.Contains(Levels, u.Level) {
			e.With("level", "inno.err.level", u.Level, strings.Join(Levels[1:], ", "))
		}
		if !slices.Contains(Statuses, u.Status) {
			e.With("status", "inno.err.status", u.Status, strings.Join(Statuses, ", "))
		}
		if u.Source == "" {
			e.With("source", "fin.err.source")
		}
		for _, id := range in.LinkIDs {
			l, err := tx.ChainLinkByID(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				e.With("link_ids", "inno.err.link", id)
				continue
			} else if err != nil {
				return err
			}
			u.Links = append(u.Links, l)
		}
		for _, id := range in.Enterprises {
			ent, err := tx.EnterpriseByID(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				e.With("enterprise_ids", "fin.err.enterprise", id)
				continue
			} else if err != nil {
				return err
			}
			u.Enterprises = append(u.Enterprises, ent)
		}
		if len(e.Fields) > 0 {
			return e
		}
		id, err := tx.InsertInnovationUnit(ctx, u)
		if err != nil {
			return err
		}
		u.ID = id
		for _, l := range u.Links {
			if _, err := tx.LinkUnitToChainLink(ctx, id, l.ID); err != nil {
				return err
			}
		}
		for _, ent := range u.Enterprises {
			if _, err := tx.LinkUnitToEnterprise(ctx, id, ent.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, s.Now(), p, "innovation.unit.add", "innovation_unit", fmt.Sprint(id), nil, u)
	})
	if err != nil {
		return store.InnovationUnit{}, err
	}
	return u, nil
}

// Link adds a chain link (linkID ≠ 0) or an enterprise (enterpriseID ≠ 0) to a unit.
func (s *Service) Link(ctx context.Context, p *auth.Principal, unitID, linkID, enterpriseID int64) error {
	if err := auth.Require(p, auth.ManageInnovation); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.InnovationUnitByID(ctx, unitID); errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("innovation_unit")
		} else if err != nil {
			return err
		}
		e := apperr.New(apperr.Invalid, "invalid_link", "inno.err.unit")
		if (linkID == 0) == (enterpriseID == 0) {
			return e.With("target", "inno.err.target")
		}
		var added bool
		var err error
		if linkID != 0 {
			if _, err := tx.ChainLinkByID(ctx, linkID); errors.Is(err, store.ErrNotFound) {
				return e.With("link_id", "inno.err.link", linkID)
			} else if err != nil {
				return err
			}
			added, err = tx.LinkUnitToChainLink(ctx, unitID, linkID)
		} else {
			if _, err := tx.EnterpriseByID(ctx, enterpriseID); errors.Is(err, store.ErrNotFound) {
				return e.With("enterprise_id", "fin.err.enterprise", enterpriseID)
			} else if err != nil {
				return err
			}
			added, err = tx.LinkUnitToEnterprise(ctx, unitID, enterpriseID)
		}
		if err != nil || !added {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "innovation.unit.link", "innovation_unit", fmt.Sprint(unitID), nil,
			map[string]int64{"link_id": linkID, "enterprise_id": enterpriseID})
	})
}
