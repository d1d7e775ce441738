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
	"zhanxin/internal/store"
)

// NewMeasure is a 一企一策 support measure as a person writes it.
type NewMeasure struct {
	EnterpriseID int64
	Measure      string
	Department   string
	DueDate      string // YYYY-MM-DD
	Status       string // "" means planned
	Note         string
}

// Overdue reports whether m is past its due date on today and still open.
func Overdue(m store.SupportMeasure, today time.Time) bool {
	return (m.Status == "planned" || m.Status == "in_progress") && m.DueDate < today.Format(time.DateOnly)
}

// AddMeasure checks a measure and adds it to the enterprise's support plan. Every problem
// is reported at once and nothing is written then.
func (s *Service) AddMeasure(ctx context.Context, p *auth.Principal, in NewMeasure) (store.SupportMeasure, error) {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return store.SupportMeasure{}, err
	}
	now := s.Now()
	m := store.SupportMeasure{EnterpriseID: in.EnterpriseID, Measure: strings.TrimSpace(in.Measure),
		Department: strings.TrimSpace(in.Department), DueDate: strings.TrimSpace(in.DueDate), Status: strings.TrimSpace(in.Status),
		Note: strings.TrimSpace(in.Note), CreatedBy: p.Username, CreatedAt: now, UpdatedAt: now}
	if m.Status == "" {
		m.Status = "planned"
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e := apperr.New(apperr.Invalid, "invalid_measure", "cult.err.measure")
		ent, err := tx.EnterpriseByID(ctx, m.EnterpriseID)
		if errors.Is(err, store.ErrNotFound) {
			e.With("enterprise_id", "cult.err.enterprise", m.EnterpriseID)
		} else if err != nil {
			return err
		}
		m.Enterprise = ent.NameZh
		if m.Measure == "" {
			e.With("measure", "cult.err.measure_required")
		}
		if m.Department == "" {
			e.With("department", "cult.err.department_required")
		}
		if _, err := time.Parse(time.DateOnly, m.DueDate); err != nil {
			e.With("due_date", "cult.err.due_date", m.DueDate)
		}
		if !slices.Contains(Statuses, m.Status) {
			e.With("status", "cult.err.status", m.Status, strings.Join(Statuses, ", "))
		}
		if len(e.Fields) > 0 {
			return e
		}
		id, err := tx.InsertSupportMeasure(ctx, m)
		if err != nil {
			return err
		}
		m.ID = id
		return audit.Record(ctx, tx, now, p, "cultivation.measure.add", "support_measure", fmt.Sprint(id), nil, m)
	})
	if err != nil {
		return store.SupportMeasure{}, err
	}
	return m, nil
}

// SetMeasureStatus moves a measure to another status.
func (s *Service) SetMeasureStatus(ctx context.Context, p *auth.Principal, id int64, status string) (store.SupportMeasure, error) {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return store.SupportMeasure{}, err
	}
	if !slices.Contains(Statuses, status) {
		return store.SupportMeasure{}, invalid("invalid_status", "status", "cult.err.status", status, strings.Join(Statuses, ", "))
	}
	var m store.SupportMeasure
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.SupportMeasureByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("support_measure")
		} else if err != nil {
			return err
		}
		m = old
		if old.Status == status {
			return nil
		}
		m.Status, m.UpdatedAt = status, s.Now()
		if err := tx.SetSupportMeasureStatus(ctx, id, status, m.UpdatedAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, m.UpdatedAt, p, "cultivation.measure.status", "support_measure", fmt.Sprint(id), old, m)
	})
	return m, err
}

// MeasureFilter narrows the measure list: one enterprise, overdue only.
type MeasureFilter struct {
	EnterpriseID int64
	OverdueOnly  bool
}

// Measures lists the support measures p may see. Naming an enterprise p may not see is
// answered exactly like naming one that does not exist.
func (s *Service) Measures(ctx context.Context, p *auth.Principal, f MeasureFilter, q store.ListQuery) (store.Page[store.SupportMeasure], error) {
	if err := auth.Require(p, auth.ReadCultivation); err != nil {
		return store.Page[store.SupportMeasure]{}, err
	}
	if f.EnterpriseID != 0 {
		if _, err := s.visible(ctx, p, f.EnterpriseID); err != nil {
			return store.Page[store.SupportMeasure]{}, err
		}
	}
	overdue := ""
	if f.OverdueOnly {
		overdue = s.Now().Format(time.DateOnly)
	}
	return s.DB.ListSupportMeasures(ctx, auth.EnterprisesVisibleTo(p), f.EnterpriseID, overdue, q)
}

// AddToList puts an enterprise on a class's cultivation list.
func (s *Service) AddToList(ctx context.Context, p *auth.Principal, class string, enterpriseID int64, note string) error {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnterpriseClassByCode(ctx, class); errors.Is(err, store.ErrNotFound) {
			return missingClass()
		} else if err != nil {
			return err
		}
		if _, err := tx.EnterpriseByID(ctx, enterpriseID); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_enterprise", "enterprise_id", "cult.err.enterprise", enterpriseID)
		} else if err != nil {
			return err
		}
		c := store.CultivationEntry{EnterpriseID: enterpriseID, ClassCode: class, Note: strings.TrimSpace(note), AddedBy: p.Username, AddedAt: s.Now()}
		if err := tx.UpsertCultivationEntry(ctx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx, c.AddedAt, p, "cultivation.list.add", "cultivation_entry", fmt.Sprintf("%s/%d", class, enterpriseID), nil, c)
	})
}

// RemoveFromList takes an enterprise off a class's cultivation list.
func (s *Service) RemoveFromList(ctx context.Context, p *auth.Principal, class string, enterpriseID int64) error {
	if err := auth.Require(p, auth.ManageCultivation); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteCultivationEntry(ctx, enterpriseID, class)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Missing("cultivation_entry")
		}
		return audit.Record(ctx, tx, s.Now(), p, "cultivation.list.remove", "cultivation_entry", fmt.Sprintf("%s/%d", class, enterpriseID),
			map[string]any{"class": class, "enterprise_id": enterpriseID}, nil)
	})
}
