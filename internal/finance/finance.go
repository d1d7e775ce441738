// Package finance holds funds (红石, 盛虔, the proposed 稀土钨产业发展基金), their commitments
// and investments into enterprises and projects, enterprises' financing instruments (bonds,
// medium-term notes, supply-chain finance) and the listing pipeline 上市后备 → 辅导 → 申报 →
// 上市, and decides who may see and change them.
package finance

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

// Service runs the finance use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// The closed sets the schema also enforces. Stages are in pipeline order.
var (
	InvestmentKinds = []string{"commitment", "investment"}
	FinancingKinds  = []string{"bond", "mtn", "scf", "loan", "equity"}
	Stages          = []string{"reserve", "tutoring", "filed", "listed"}
	// MoneyUnits are the units an amount may be written in; amounts are kept in 万元.
	MoneyUnits = []string{"万元", "亿元", "元"}
)

// Overview is the funds page: the funds and the raised total the article gives for 红石,
// 盛虔 and the others together (a fact of FUND_RAISED, read from the statistics).
type Overview struct {
	Funds  []store.Fund
	Raised []store.Fact
}

// Funds lists the funds and the FUND_RAISED facts.
func (s *Service) Funds(ctx context.Context, p *auth.Principal) (Overview, error) {
	if err := auth.Require(p, auth.ReadFinance); err != nil {
		return Overview{}, err
	}
	fs, err := s.DB.Funds(ctx)
	if err != nil {
		return Overview{}, err
	}
	raised, err := s.DB.ListFacts(ctx, store.FactFilter{Indicator: "FUND_RAISED", EnterpriseID: -1, Scope: store.FactScope{All: true}}, store.ListQuery{Sort: "period"})
	if err != nil {
		return Overview{}, err
	}
	return Overview{Funds: fs, Raised: raised.Rows}, nil
}

// amount reads a positive amount in unit ("" = 万元) and returns it in 万元 millionths.
func amount(e *apperr.Error, field, s, unit string) int64 {
	if unit == "" {
		unit = "万元"
	}
	if !slices.Contains(MoneyUnits, unit) {
		e.With(field, "fin.err.unit", unit, strings.Join(MoneyUnits, "、"))
		return 0
	}
	v, err := stats.ParseValue(s, unit, "万元")
	if err != nil {
		e.With(field, "fin.err.amount", s, unit)
		return 0
	}
	if v <= 0 {
		e.With(field, "fin.err.amount_positive", s)
	}
	return int64(v)
}

func date(e *apperr.Error, field, s string, required bool) string {
	s = strings.TrimSpace(s)
	if s == "" && !required {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		e.With(field, "fin.err.date", s)
	}
	return s
}

func source(e *apperr.Error, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		e.With("source", "fin.err.source")
	}
	return s
}

// NewInvestment is a commitment or investment as a person writes it: exactly one of
// EnterpriseID and ProjectID.
type NewInvestment struct {
	FundCode     string
	Kind         string
	EnterpriseID int64
	ProjectID    int64
	Amount       string
	Unit         string
	Date         string
	Note         string
	Source       string
}

// AddInvestment checks and records a fund's commitment or investment. Every problem is
// reported at once; nothing is written then.
func (s *Service) AddInvestment(ctx context.Context, p *auth.Principal, in NewInvestment) (store.FundInvestment, error) {
	if err := auth.Require(p, auth.ManageFinance); err != nil {
		return store.FundInvestment{}, err
	}
	now := s.Now()
	v := store.FundInvestment{FundCode: strings.TrimSpace(in.FundCode), Kind: strings.TrimSpace(in.Kind), EnterpriseID: in.EnterpriseID,
		ProjectID: in.ProjectID, Note: strings.TrimSpace(in.Note), CreatedBy: p.Username, CreatedAt: now}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e := apperr.New(apperr.Invalid, "invalid_investment", "fin.err.investment")
		f, err := tx.FundByCode(ctx, v.FundCode)
		if errors.Is(err, store.ErrNotFound) {
			e.With("fund", "fin.err.fund", v.FundCode)
		} else if err != nil {
			return err
		}
		v.Fund = f.NameZh
		if !slices.Contains(InvestmentKinds, v.Kind) {
			e.With("kind", "fin.err.kind", v.Kind, strings.Join(InvestmentKinds, ", "))
		}
		switch {
		case (v.EnterpriseID == 0) == (v.ProjectID == 0):
			e.With("target", "fin.err.target")
		case v.EnterpriseID != 0:
			ent, err := tx.EnterpriseByID(ctx, v.EnterpriseID)
			if errors.Is(err, store.ErrNotFound) {
				e.With("enterprise_id", "fin.err.enterprise", v.EnterpriseID)
			} else if err != nil {
				return err
			}
			v.Target = ent.NameZh
		default:
			pr, err := tx.ProjectByIDForFinance(ctx, v.ProjectID)
			if errors.Is(err, store.ErrNotFound) {
				e.With("project_id", "fin.err.project", v.ProjectID)
			} else if err != nil {
				return err
			}
			v.Target = pr.NameZh
		}
		v.Amount = amount(e, "amount", in.Amount, strings.TrimSpace(in.Unit))
		v.Date = date(e, "date", in.Date, true)
		v.Source = source(e, in.Source)
		if len(e.Fields) > 0 {
			return e
		}
		id, err := tx.InsertFundInvestment(ctx, v)
		if err != nil {
			return err
		}
		v.ID = id
		return audit.Record(ctx, tx, now, p, "finance.investment.add", "fund_investment", fmt.Sprint(id), nil, v)
	})
	if err != nil {
		return store.FundInvestment{}, err
	}
	return v, nil
}

// visible checks that p may see the enterprise, answering one outside p's scope exactly
// like one that does not exist.
func (s *Service) visible(ctx context.Context, p *auth.Principal, id int64) error {
	_, err := enterprise.Get(ctx, s.DB, p, id)
	return err
}

// Investments lists the investments p may see: an enterprise user those into its own
// enterprise and its projects, a county user those of its region.
func (s *Service) Investments(ctx context.Context, p *auth.Principal, f store.InvestmentFilter, q store.ListQuery) (store.Page[store.FundInvestment], error) {
	if err := auth.Require(p, auth.ReadFinance); err != nil {
		return store.Page[store.FundInvestment]{}, err
	}
	if f.EnterpriseID != 0 {
		if err := s.visible(ctx, p, f.EnterpriseID); err != nil {
			return store.Page[store.FundInvestment]{}, err
		}
	}
	return s.DB.ListFundInvestments(ctx, auth.EnterprisesVisibleTo(p), f, q)
}

// NewFinancing is a financing instrument as a person writes it.
type NewFinancing struct {
	EnterpriseID int64
	Kind         string
	Amount       string
	Unit         string
	IssuedOn     string
	MaturesOn    string
	Note         string
	Source       string
}

// AddFinancing checks and records an enterprise's financing instrument.
func (s *Service) AddFinancing(ctx context.Context, p *auth.Principal, in NewFinancing) (store.Financing, error) {
	if err := auth.Require(p, auth.ManageFinance); err != nil {
		return store.Financing{}, err
	}
	now := s.Now()
	f := store.Financing{EnterpriseID: in.EnterpriseID, Kind: strings.TrimSpace(in.Kind), Note: strings.TrimSpace(in.Note),
		CreatedBy: p.Username, CreatedAt: now}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e := apperr.New(apperr.Invalid, "invalid_financing", "fin.err.financing")
		ent, err := tx.EnterpriseByID(ctx, f.EnterpriseID)
		if errors.Is(err, store.ErrNotFound) {
			e.With("enterprise_id", "fin.err.enterprise", f.EnterpriseID)
		} else if err != nil {
			return err
		}
		f.Enterprise = ent.NameZh
		if !slices.Contains(FinancingKinds, f.Kind) {
			e.With("kind", "fin.err.kind", f.Kind, strings.Join(FinancingKinds, ", "))
		}
		f.Amount = amount(e, "amount", in.Amount, strings.TrimSpace(in.Unit))
		f.IssuedOn = date(e, "issued_on", in.IssuedOn, true)
		f.MaturesOn = date(e, "matures_on", in.MaturesOn, false)
		if f.MaturesOn != "" && f.IssuedOn != "" && f.MaturesOn <= f.IssuedOn {
			e.With("matures_on", "fin.err.maturity", f.MaturesOn, f.IssuedOn)
		}
		f.Source = source(e, in.Source)
		if len(e.Fields) > 0 {
			return e
		}
		id, err := tx.InsertFinancing(ctx, f)
		if err != nil {
			return err
		}
		f.ID = id
		return audit.Record(ctx, tx, now, p, "finance.financing.add", "financing", fmt.Sprint(id), nil, f)
	})
	if err != nil {
		return store.Financing{}, err
	}
	return f, nil
}

// Financings lists the instruments p may see, optionally of one enterprise.
func (s *Service) Financings(ctx context.Context, p *auth.Principal, enterpriseID int64, q store.ListQuery) (store.Page[store.Financing], error) {
	if err := auth.Require(p, auth.ReadFinance); err != nil {
		return store.Page[store.Financing]{}, err
	}
	if enterpriseID != 0 {
		if err := s.visible(ctx, p, enterpriseID); err != nil {
			return store.Page[store.Financing]{}, err
		}
	}
	return s.DB.ListFinancings(ctx, auth.EnterprisesVisibleTo(p), enterpriseID, q)
}

// NewStage moves an enterprise to a stage of the listing pipeline.
type NewStage struct {
	EnterpriseID int64
	Stage        string
	Date         string
	Reason       string
	Source       string
}

// SetStage records an enterprise's next listing stage. A stage before the current one (a
// filing withdrawn) needs a reason; the same stage again is refused as a no-op that would
// blur the history.
func (s *Service) SetStage(ctx context.Context, p *auth.Principal, in NewStage) (store.ListingStage, error) {
	if err := auth.Require(p, auth.ManageFinance); err != nil {
		return store.ListingStage{}, err
	}
	now := s.Now()
	l := store.ListingStage{EnterpriseID: in.EnterpriseID, Stage: strings.TrimSpace(in.Stage), Reason: strings.TrimSpace(in.Reason),
		CreatedBy: p.Username, CreatedAt: now}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e := apperr.New(apperr.Invalid, "invalid_stage", "fin.err.stage_change")
		ent, err := tx.EnterpriseByID(ctx, l.EnterpriseID)
		if errors.Is(err, store.ErrNotFound) {
			e.With("enterprise_id", "fin.err.enterprise", l.EnterpriseID)
		} else if err != nil {
			return err
		}
		l.Enterprise = ent.NameZh
		to := slices.Index(Stages, l.Stage)
		if to < 0 {
			e.With("stage", "fin.err.stage", l.Stage, strings.Join(Stages, " → "))
		}
		cur, err := tx.LatestListingStage(ctx, l.EnterpriseID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && to >= 0 {
			from := slices.Index(Stages, cur.Stage)
			switch {
			case to == from:
				e.With("stage", "fin.err.stage_same", l.Stage)
			case to < from && l.Reason == "":
				e.With("reason", "fin.err.stage_back", cur.Stage, l.Stage)
			}
		}
		l.Date = date(e, "date", in.Date, true)
		if err == nil && l.Date != "" && l.Date < cur.Date {
			e.With("date", "fin.err.stage_date", l.Date, cur.Date)
		}
		l.Source = source(e, in.Source)
		if len(e.Fields) > 0 {
			return e
		}
		id, err := tx.InsertListingStage(ctx, l)
		if err != nil {
			return err
		}
		l.ID = id
		return audit.Record(ctx, tx, now, p, "finance.listing.stage", "listing_stage", fmt.Sprint(id), nil, l)
	})
	if err != nil {
		return store.ListingStage{}, err
	}
	return l, nil
}

// Pipeline is one enterprise in the listing pipeline: its stage now and its history.
type Pipeline struct {
	EnterpriseID int64
	Enterprise   string
	Current      store.ListingStage
	History      []store.ListingStage
}

// Pipelines lists the pipeline of every enterprise p may see that has entered it.
func (s *Service) Pipelines(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[Pipeline], error) {
	if err := auth.Require(p, auth.ReadFinance); err != nil {
		return store.Page[Pipeline]{}, err
	}
	hist, err := s.DB.ListingHistory(ctx, auth.EnterprisesVisibleTo(p))
	if err != nil {
		return store.Page[Pipeline]{}, err
	}
	var out []Pipeline
	for _, h := range hist {
		if len(out) == 0 || out[len(out)-1].EnterpriseID != h.EnterpriseID {
			out = append(out, Pipeline{EnterpriseID: h.EnterpriseID, Enterprise: h.Enterprise})
		}
		pl := &out[len(out)-1]
		pl.History = append(pl.History, h)
		pl.Current = h
	}
	return store.SlicePage(out, q, map[string]func(a, b Pipeline) int{
		"enterprise": func(a, b Pipeline) int { return strings.Compare(a.Enterprise, b.Enterprise) },
		"stage": func(a, b Pipeline) int {
			return slices.Index(Stages, a.Current.Stage) - slices.Index(Stages, b.Current.Stage)
		},
		"date": func(a, b Pipeline) int { return strings.Compare(a.Current.Date, b.Current.Date) },
	}, func(pl Pipeline) string { return pl.Enterprise }), nil
}
