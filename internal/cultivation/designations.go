package cultivation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// NewDesignation is an enterprise put on a class's authority list (专精特新, 高新技术企业 …)
// as a person enters it: the source document is required because a designated rule's
// reason is only as good as the document it names.
type NewDesignation struct {
	Class        string
	EnterpriseID int64
	Source       string // the document that designates, e.g. 工信部第五批专精特新"小巨人"名单
	Period       string // the year or date of that document
	Quote        string
}

// AddDesignation checks a designation and records it (replacing an earlier one of the same
// enterprise and class). Every problem is reported at once and nothing is written then.
func (s *Service) AddDesignation(ctx context.Context, p *auth.Principal, in NewDesignation) (store.Designation, error) {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return store.Designation{}, err
	}
	d := store.Designation{EnterpriseID: in.EnterpriseID, ClassCode: strings.TrimSpace(in.Class), Source: strings.TrimSpace(in.Source),
		Period: strings.TrimSpace(in.Period), Quote: strings.TrimSpace(in.Quote)}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnterpriseClassByCode(ctx, d.ClassCode); errors.Is(err, store.ErrNotFound) {
			return missingClass()
		} else if err != nil {
			return err
		}
		e := apperr.New(apperr.Invalid, "invalid_designation", "desig.err.designation")
		if _, err := tx.EnterpriseByID(ctx, d.EnterpriseID); errors.Is(err, store.ErrNotFound) {
			e.With("enterprise_id", "cult.err.enterprise", d.EnterpriseID)
		} else if err != nil {
			return err
		}
		if d.Source == "" {
			e.With("source", "desig.err.source")
		}
		if d.Period != "" {
			pp, err := stats.ParsePeriod(d.Period)
			if err != nil {
				e.With("period", "desig.err.period", d.Period)
			}
			d.Period = pp.String()
		}
		if len(e.Fields) > 0 {
			return e
		}
		var old any
		if o, err := tx.DesignationOf(ctx, d.EnterpriseID, d.ClassCode); err == nil {
			old = o
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.UpsertDesignation(ctx, d); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "cultivation.designation.set", "enterprise_designation",
			fmt.Sprintf("%s/%d", d.ClassCode, d.EnterpriseID), old, d)
	})
	if err != nil {
		return store.Designation{}, err
	}
	return d, nil
}

// RemoveDesignation takes an enterprise off a class's authority list.
func (s *Service) RemoveDesignation(ctx context.Context, p *auth.Principal, class string, enterpriseID int64) error {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.DesignationOf(ctx, enterpriseID, class)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("enterprise_designation")
		} else if err != nil {
			return err
		}
		if _, err := tx.DeleteDesignation(ctx, enterpriseID, class); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "cultivation.designation.remove", "enterprise_designation",
			fmt.Sprintf("%s/%d", class, enterpriseID), old, nil)
	})
}

// Designations lists a class's designations of the enterprises p may see, so an
// enterprise user sees at most its own.
func (s *Service) Designations(ctx context.Context, p *auth.Principal, class string) ([]store.Designation, error) {
	if err := auth.Require(p, auth.ReadCultivation); err != nil {
		return nil, err
	}
	cat, err := s.DB.EnterpriseClasses(ctx)
	if err != nil {
		return nil, err
	}
	found := false
	for _, c := range cat {
		found = found || c.Code == class
	}
	if !found {
		return nil, missingClass()
	}
	var ids []int64
	if scope := auth.EnterprisesVisibleTo(p); !scope.All {
		es, err := s.DB.AllEnterprises(ctx, scope)
		if err != nil {
			return nil, err
		}
		ids = []int64{}
		for _, e := range es {
			ids = append(ids, e.ID)
		}
	}
	ds, err := s.DB.Designations(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []store.Designation{}
	for _, d := range ds {
		if d.ClassCode == class {
			out = append(out, d)
		}
	}
	return out, nil
}
