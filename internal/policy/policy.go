// Package policy holds policy documents (《若干意见》, 工信部规〔2013〕69号, the new-energy
// vehicle investment incentives) and their instruments, and judges per enterprise whether
// it is eligible — by the enterprise-class rules of the cultivation package, one rule
// engine for both — and what the instrument is worth to it, as an estimate with inputs.
package policy

import (
	"cmp"
	"context"
	"math/big"
	"slices"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/cultivation"
	"zhanxin/internal/store"
)

// Service runs the policy use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Catalogue is the documents with their instruments.
type Catalogue struct {
	Documents   []store.PolicyDocument
	Instruments []store.PolicyInstrument
}

// Documents lists every document and instrument.
func (s *Service) Documents(ctx context.Context, p *auth.Principal) (Catalogue, error) {
	if err := auth.Require(p, auth.ReadPolicy); err != nil {
		return Catalogue{}, err
	}
	docs, err := s.DB.PolicyDocuments(ctx)
	if err != nil {
		return Catalogue{}, err
	}
	inst, err := s.DB.PolicyInstruments(ctx)
	return Catalogue{Documents: docs, Instruments: inst}, err
}

// Estimate is an instrument's estimated benefit for one enterprise: (standard − reduced)
// × base, with every input named. OK is false when an input is missing; Missing says which.
type Estimate struct {
	OK           bool
	Missing      string // "rates", "base_indicator", "base_value"
	StandardRate int64  // percent millionths
	ReducedRate  int64
	Base         int64 // millionths of the base indicator's unit
	BasePeriod   string
	BaseSource   string
	Unit         string
	Value        int64 // millionths of Unit
}

// Benefit is one instrument judged for one enterprise.
type Benefit struct {
	Instrument  store.PolicyInstrument
	Eligibility cultivation.ClassResult // State NoRules when the instrument names no class
	Estimate    Estimate
}

// estimate computes (standard − reduced)% × base exactly and rounds half away from zero
// to a millionth of the unit.
func estimate(in store.PolicyInstrument, ind store.Indicator, values []store.EnterpriseFactValue) Estimate {
	e := Estimate{Unit: ind.Unit}
	if in.StandardRate == nil || in.ReducedRate == nil {
		e.Missing = "rates"
		return e
	}
	e.StandardRate, e.ReducedRate = *in.StandardRate, *in.ReducedRate
	if in.BaseIndicator == "" {
		e.Missing = "base_indicator"
		return e
	}
	latest := ""
	for _, v := range values {
		if v.Indicator == in.BaseIndicator {
			latest = max(latest, v.Period)
		}
	}
	if latest == "" {
		e.Missing = "base_value"
		return e
	}
	var sources []string
	for _, v := range values {
		if v.Indicator == in.BaseIndicator && v.Period == latest {
			e.Base += v.Value
			if !slices.Contains(sources, v.Source) {
				sources = append(sources, v.Source)
			}
		}
	}
	e.BasePeriod, e.BaseSource = latest, strings.Join(sources, "、")
	// rates are percent × 10^6, so the product is divided by 100 × 10^6.
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(e.StandardRate-e.ReducedRate), big.NewInt(e.Base)), big.NewInt(100_000_000))
	e.Value = roundRat(r)
	e.OK = true
	return e
}

func roundRat(r *big.Rat) int64 {
	n, d := new(big.Int).Set(r.Num()), r.Denom()
	neg := n.Sign() < 0
	n.Abs(n)
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

func (s *Service) indicators(ctx context.Context) (map[string]store.Indicator, error) {
	inds, err := s.DB.Indicators(ctx)
	out := map[string]store.Indicator{}
	for _, i := range inds {
		out[i.Code] = i
	}
	return out, err
}

// ForEnterprise judges every instrument for one enterprise p may see.
func (s *Service) ForEnterprise(ctx context.Context, p *auth.Principal, id int64) (store.Enterprise, []Benefit, error) {
	if err := auth.Require(p, auth.ReadEligibility); err != nil {
		return store.Enterprise{}, nil, err
	}
	ev, err := (&cultivation.Service{DB: s.DB, Now: s.Now}).Evaluate(ctx, p, id)
	if err != nil {
		return store.Enterprise{}, nil, err
	}
	insts, err := s.DB.PolicyInstruments(ctx)
	if err != nil {
		return ev.Enterprise, nil, err
	}
	inds, err := s.indicators(ctx)
	if err != nil {
		return ev.Enterprise, nil, err
	}
	var bases []string
	for _, in := range insts {
		if in.BaseIndicator != "" {
			bases = append(bases, in.BaseIndicator)
		}
	}
	vals, err := s.DB.EnterpriseFactValues(ctx, []int64{id}, bases)
	if err != nil {
		return ev.Enterprise, nil, err
	}
	var out []Benefit
	for _, in := range insts {
		if in.Retired != "" {
			continue // no longer applies to anyone
		}
		b := Benefit{Instrument: in, Eligibility: cultivation.ClassResult{State: cultivation.NoRules}, Estimate: estimate(in, inds[in.BaseIndicator], vals[id])}
		for _, c := range ev.Classes {
			if c.Class.Code == in.EligibilityClass {
				b.Eligibility = c
			}
		}
		out = append(out, b)
	}
	return ev.Enterprise, out, nil
}

// Beneficiary is one enterprise judged for one instrument.
type Beneficiary struct {
	Enterprise store.Enterprise
	Benefit    Benefit
}

// ForInstrument judges one instrument (every instrument when code is "") for every
// enterprise p may see; q filters, sorts and pages the list.
func (s *Service) ForInstrument(ctx context.Context, p *auth.Principal, code string, q store.ListQuery) (store.PolicyInstrument, store.Page[Beneficiary], error) {
	var page store.Page[Beneficiary]
	if err := auth.Require(p, auth.ReadEligibility); err != nil {
		return store.PolicyInstrument{}, page, err
	}
	insts, err := s.DB.PolicyInstruments(ctx)
	if err != nil {
		return store.PolicyInstrument{}, page, err
	}
	var one store.PolicyInstrument
	if code != "" {
		i := slices.IndexFunc(insts, func(x store.PolicyInstrument) bool { return x.Code == code })
		if i < 0 {
			return one, page, apperr.Missing("policy_instrument")
		}
		one, insts = insts[i], insts[i:i+1]
	} else {
		insts = slices.DeleteFunc(insts, func(x store.PolicyInstrument) bool { return x.Retired != "" })
	}
	inds, err := s.indicators(ctx)
	if err != nil {
		return one, page, err
	}
	var rows []Beneficiary
	for _, in := range insts {
		r, err := s.beneficiaries(ctx, p, in, inds)
		if err != nil {
			return one, page, err
		}
		rows = append(rows, r...)
	}
	page = store.SlicePage(rows, q, map[string]func(a, b Beneficiary) int{
		"name": func(a, b Beneficiary) int { return strings.Compare(a.Enterprise.NameZh, b.Enterprise.NameZh) },
		"state": func(a, b Beneficiary) int {
			return strings.Compare(a.Benefit.Eligibility.State, b.Benefit.Eligibility.State)
		},
		"benefit": func(a, b Beneficiary) int {
			return cmp.Compare(a.Benefit.Estimate.Value, b.Benefit.Estimate.Value)
		},
	}, func(b Beneficiary) string {
		return b.Enterprise.NameZh + " " + b.Enterprise.NameEn + " " + b.Benefit.Instrument.NameZh
	})
	return one, page, nil
}

// beneficiaries judges one instrument for every enterprise p may see.
func (s *Service) beneficiaries(ctx context.Context, p *auth.Principal, in store.PolicyInstrument, inds map[string]store.Indicator) ([]Beneficiary, error) {
	var members []cultivation.Member
	if in.EligibilityClass != "" {
		_, mp, _, err := (&cultivation.Service{DB: s.DB, Now: s.Now}).Register(ctx, p, in.EligibilityClass, cultivation.RegisterFilter{}, store.ListQuery{})
		if err != nil {
			return nil, err
		}
		members = mp.Rows
	} else {
		ents, err := s.DB.AllEnterprises(ctx, auth.EnterprisesVisibleTo(p))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			members = append(members, cultivation.Member{Enterprise: e, Result: cultivation.ClassResult{State: cultivation.NoRules}})
		}
	}
	ids := make([]int64, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.Enterprise.ID)
	}
	var vals map[int64][]store.EnterpriseFactValue
	if in.BaseIndicator != "" {
		var err error
		if vals, err = s.DB.EnterpriseFactValues(ctx, ids, []string{in.BaseIndicator}); err != nil {
			return nil, err
		}
	}
	rows := make([]Beneficiary, 0, len(members))
	for _, m := range members {
		rows = append(rows, Beneficiary{Enterprise: m.Enterprise, Benefit: Benefit{Instrument: in, Eligibility: m.Result,
			Estimate: estimate(in, inds[in.BaseIndicator], vals[m.Enterprise.ID])}})
	}
	return rows, nil
}
