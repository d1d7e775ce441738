// Package cultivation classifies enterprises (规上, 龙头, 链主, 专精特新, 隐形冠军, 高新技术企业,
// 上市, 上市后备) by editable rules evaluated on their facts, keeps cultivation lists and
// the 一企一策 support measures, and decides who may see and change them.
package cultivation

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
	"zhanxin/internal/enterprise"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Service runs the cultivation use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Criterion kinds, comparisons, combinations and measure statuses: the closed sets the
// schema also enforces.
var (
	Kinds       = []string{"indicator", "designated", "chain_leader"}
	Comparisons = []string{">=", ">", "<=", "<", "="}
	Combines    = []string{"all", "any"}
	Statuses    = []string{"planned", "in_progress", "done", "cancelled"}
)

// Class is a class with its criteria.
type Class struct {
	store.EnterpriseClass
	Criteria []store.ClassCriterion
}

// Catalogue is what rule pages need: the classes and the indicators criteria name.
type Catalogue struct {
	Classes    []Class
	Indicators map[string]store.Indicator
}

// Classes returns every class with its criteria.
func (s *Service) Classes(ctx context.Context, p *auth.Principal) (Catalogue, error) {
	if err := auth.Require(p, auth.ReadCultivation); err != nil {
		return Catalogue{}, err
	}
	return s.catalogue(ctx)
}

func (s *Service) catalogue(ctx context.Context) (Catalogue, error) {
	var c Catalogue
	classes, err := s.DB.EnterpriseClasses(ctx)
	if err != nil {
		return c, err
	}
	crit, err := s.DB.ClassCriteria(ctx)
	if err != nil {
		return c, err
	}
	for _, k := range classes {
		cl := Class{EnterpriseClass: k}
		for _, x := range crit {
			if x.ClassCode == k.Code {
				cl.Criteria = append(cl.Criteria, x)
			}
		}
		c.Classes = append(c.Classes, cl)
	}
	inds, err := s.DB.Indicators(ctx)
	if err != nil {
		return c, err
	}
	c.Indicators = map[string]store.Indicator{}
	for _, i := range inds {
		c.Indicators[i.Code] = i
	}
	return c, nil
}

func invalid(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

// NewCriterion is a criterion as a person writes it. Threshold is a decimal in Unit (""
// means the indicator's unit; 万元 converts exactly into 亿元 and so on).
type NewCriterion struct {
	Class      string
	Kind       string
	Indicator  string
	Comparison string
	Threshold  string
	Unit       string
	Period     string
	Note       string
	Source     string
}

// AddCriterion checks a criterion and adds it to its class. A criterion naming an
// indicator that does not exist is refused: a rule that can never find data would
// silently keep every enterprise out.
func (s *Service) AddCriterion(ctx context.Context, p *auth.Principal, in NewCriterion) (store.ClassCriterion, error) {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return store.ClassCriterion{}, err
	}
	c := store.ClassCriterion{ClassCode: strings.TrimSpace(in.Class), Kind: strings.TrimSpace(in.Kind),
		Note: strings.TrimSpace(in.Note), Source: strings.TrimSpace(in.Source)}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnterpriseClassByCode(ctx, c.ClassCode); errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("enterprise_class")
		} else if err != nil {
			return err
		}
		e := apperr.New(apperr.Invalid, "invalid_criterion", "cult.err.criterion")
		if !slices.Contains(Kinds, c.Kind) {
			e.With("kind", "cult.err.kind", c.Kind, strings.Join(Kinds, ", "))
		}
		if c.Kind == "indicator" {
			c.Indicator, c.Comparison = strings.TrimSpace(in.Indicator), strings.TrimSpace(in.Comparison)
			ind, err := tx.IndicatorByCode(ctx, c.Indicator)
			switch {
			case c.Indicator == "":
				e.With("indicator", "cult.err.indicator_required")
			case errors.Is(err, store.ErrNotFound):
				e = apperr.New(apperr.Invalid, "unknown_indicator", "cult.err.indicator_missing", c.Indicator).
					With("indicator", "cult.err.indicator_missing", c.Indicator)
			case err != nil:
				return err
			}
			if !slices.Contains(Comparisons, c.Comparison) {
				e.With("comparison", "cult.err.comparison", c.Comparison, strings.Join(Comparisons, " "))
			}
			if ind.Code != "" {
				unit := strings.TrimSpace(in.Unit)
				if unit == "" {
					unit = ind.Unit
				}
				v, err := stats.ParseValue(in.Threshold, unit, ind.Unit)
				if err != nil {
					e.With("threshold", "cult.err.threshold", in.Threshold, strings.Join(stats.ConvertibleUnits(ind.Unit), "、"))
				}
				c.Threshold = int64(v)
			}
			if per := strings.TrimSpace(in.Period); per != "" {
				pp, err := stats.ParsePeriod(per)
				if err != nil {
					e.With("period", "cult.err.period", per)
				}
				c.Period = pp.String()
			}
		}
		if len(e.Fields) > 0 {
			return e
		}
		id, err := tx.InsertClassCriterion(ctx, c)
		if err != nil {
			return err
		}
		c.ID = id
		return audit.Record(ctx, tx, s.Now(), p, "cultivation.criterion.add", "class_criterion", fmt.Sprint(id), nil, c)
	})
	return c, err
}

// DeleteCriterion removes a criterion.
func (s *Service) DeleteCriterion(ctx context.Context, p *auth.Principal, id int64) error {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.ClassCriterionByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("class_criterion")
		} else if err != nil {
			return err
		}
		if err := tx.DeleteClassCriterion(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "cultivation.criterion.delete", "class_criterion", fmt.Sprint(id), c, nil)
	})
}

// SetCombine sets whether all of a class's criteria must hold or any one suffices.
func (s *Service) SetCombine(ctx context.Context, p *auth.Principal, class, combine string) error {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return err
	}
	if !slices.Contains(Combines, combine) {
		return invalid("invalid_combine", "combine", "cult.err.combine", combine)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.EnterpriseClassByCode(ctx, class)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("enterprise_class")
		} else if err != nil {
			return err
		}
		if old.Combine == combine {
			return nil
		}
		if err := tx.SetClassCombine(ctx, class, combine); err != nil {
			return err
		}
		now := old
		now.Combine = combine
		return audit.Record(ctx, tx, s.Now(), p, "cultivation.class.combine", "enterprise_class", class, old, now)
	})
}

// visible returns the enterprise if p may see it, else the same not-found error as for an
// enterprise that does not exist, so guessing ids reveals nothing.
func (s *Service) visible(ctx context.Context, p *auth.Principal, id int64) (store.Enterprise, error) {
	if err := auth.Require(p, auth.ReadCultivation); err != nil {
		return store.Enterprise{}, err
	}
	return enterprise.Get(ctx, s.DB, p, id)
}

func missingClass() error { return apperr.Missing("enterprise_class") }
