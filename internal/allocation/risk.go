package allocation

import (
	"context"
	"sort"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/plan"
)

// Which plan targets a supply scenario puts at risk ("next year's ionic rare earth quota
// falls 10%"). The link is drawn through the enterprises, never guessed from names:
//
//  1. An enterprise of the round is linked to a target when one of its industries (its
//     assigned industries and those of its own facts) is the target's industry or lies
//     under it: the target counts that enterprise's output.
//  2. The supply cut of a target is what its linked enterprises lose in the scenario
//     against the round as entered, in tonnes of the round's commodity; with their
//     allocation as entered it gives the share of their supply lost.
//  3. Output at risk assumes output falls in proportion to the allocated supply, per
//     enterprise: its latest own figure of the target's indicator × its loss ÷ its
//     allocation. This needs a figure for every losing enterprise and an additive
//     indicator (a share of GDP or a growth rate does not sum over enterprises).
//  4. The remaining gap is the target less the latest actual on the target's own series;
//     output at risk ÷ gap is the cut as a share of the gap.
//
// Where a step lacks its input the risk says which step and why (Reason), with the
// inputs it has, instead of a number.

// Reasons a target's risk is not computed to a share of the gap.
const (
	RiskNoFigure    = "no_enterprise_figure" // a losing enterprise has no figure of the indicator
	RiskNotAdditive = "not_additive"         // the indicator does not sum over enterprises
	RiskNoActual    = "no_actual"            // no actual on the target's series: no gap
	RiskMet         = "already_met"          // the latest actual meets the target: no gap left
)

// RiskEnterprise is one linked enterprise's part in a target's risk.
type RiskEnterprise struct {
	EnterpriseID int64    `json:"enterprise_id"`
	Name         string   `json:"name"`
	BaseG        int64    `json:"base_g"`  // allocated in the round as entered
	LossG        int64    `json:"loss_g"`  // less in the scenario
	Figure       *float64 `json:"figure"`  // its latest figure of the indicator, in the indicator's unit
	Period       string   `json:"period"`  // of Figure
	Source       string   `json:"source"`  // of Figure
	AtRisk       *float64 `json:"at_risk"` // Figure × LossG ÷ BaseG
}

// TargetRisk is a plan target a scenario cuts the supply of.
type TargetRisk struct {
	Code         string           `json:"code"`
	NameZh       string           `json:"name_zh"`
	NameEn       string           `json:"name_en"`
	Indicator    string           `json:"indicator"`
	Unit         string           `json:"unit"`
	Industry     string           `json:"industry"`
	TargetYear   int              `json:"target_year"`
	Target       float64          `json:"target"`
	Enterprises  []RiskEnterprise `json:"enterprises"`
	CutG         int64            `json:"cut_g"`
	BaseG        int64            `json:"base_g"`
	SupplyLost   float64          `json:"supply_lost"` // CutG ÷ BaseG
	Latest       *float64         `json:"latest"`      // latest actual on the target's series
	LatestPeriod string           `json:"latest_period"`
	Gap          *float64         `json:"gap"`            // Target − Latest
	OutputAtRisk *float64         `json:"output_at_risk"` // Σ enterprises' AtRisk
	ShareOfGap   *float64         `json:"share_of_gap"`   // OutputAtRisk ÷ Gap
	Reason       string           `json:"reason"`         // "" when ShareOfGap is computed
	ReasonArg    string           `json:"reason_arg"`     // what the reason names (an enterprise, a period)
}

// Risk is the targets at risk in a scenario; Commodity is the round's.
type Risk struct {
	Commodity string       `json:"commodity"`
	Scale     int          `json:"scale_pct"`
	Plan      string       `json:"plan"`
	Targets   []TargetRisk `json:"targets"`
}

// TargetsAtRisk runs the round as a scenario at scalePct and lists the plan targets whose
// linked enterprises lose supply. Those who read quotas but not statistics, and
// enterprise users (who see their own share only), get no targets.
func (s *Service) TargetsAtRisk(ctx context.Context, p *auth.Principal, id int64, scalePct int) (Risk, error) {
	out, err := s.Run(ctx, p, id, scalePct)
	if err != nil {
		return Risk{}, err
	}
	c, _, _, _ := ledger.ParseLedgerKey(out.Round.LedgerKey)
	r := Risk{Commodity: string(c), Scale: scalePct, Targets: []TargetRisk{}}
	if out.Base == nil || p.Role == auth.Enterprise || !p.Can(auth.ReadStats) {
		return r, nil
	}
	o, err := (&plan.Service{DB: s.DB}).Overview(ctx, p, "")
	if apperr.Is(err, apperr.NotFound) {
		return r, nil
	} else if err != nil {
		return r, err
	}
	r.Plan = o.Plan.Code
	inds, err := s.DB.Industries(ctx)
	if err != nil {
		return r, err
	}
	parent := map[string]string{}
	for _, in := range inds {
		parent[in.Code] = in.ParentCode
	}
	under := func(ind, top string) bool {
		for seen := 0; ind != "" && seen < 64; seen++ {
			if ind == top {
				return true
			}
			ind = parent[ind]
		}
		return false
	}
	base := map[int64]Share{}
	var ids []int64
	for _, sh := range out.Base.Shares {
		base[sh.EnterpriseID] = sh
		ids = append(ids, sh.EnterpriseID)
	}
	entInds := map[int64][]string{}
	for _, e := range ids {
		if entInds[e], err = s.DB.EnterpriseIndustries(ctx, e); err != nil {
			return r, err
		}
	}
	var indicators []string
	for _, t := range o.Targets() {
		indicators = append(indicators, t.Indicator)
	}
	figs, err := s.DB.EnterpriseFactValues(ctx, ids, indicators)
	if err != nil {
		return r, err
	}
	for _, t := range o.Targets() {
		tr := TargetRisk{Code: t.Code, NameZh: t.NameZh, NameEn: t.NameEn, Indicator: t.Indicator, Unit: t.Ind.Unit, Industry: t.PlanTarget.Industry,
			TargetYear: t.TargetYear, Target: float64(t.PlanTarget.Target) / 1e6}
		for _, e := range ids {
			linked := false
			for _, in := range entInds[e] {
				linked = linked || under(in, t.PlanTarget.Industry)
			}
			if !linked {
				continue
			}
			re := RiskEnterprise{EnterpriseID: e, Name: base[e].Name, BaseG: base[e].GotG, LossG: out.LossG[e]}
			// The enterprise's latest figure of the indicator in an industry the target counts.
			for _, f := range figs[e] {
				if f.Indicator == t.Indicator && under(f.Industry, t.PlanTarget.Industry) && f.Period >= re.Period {
					v := float64(f.Value) / 1e6
					re.Figure, re.Period, re.Source = &v, f.Period, f.Source
				}
			}
			if re.Figure != nil && re.BaseG > 0 {
				v := *re.Figure * float64(re.LossG) / float64(re.BaseG)
				re.AtRisk = &v
			}
			tr.Enterprises = append(tr.Enterprises, re)
			tr.CutG += re.LossG
			tr.BaseG += re.BaseG
		}
		if tr.CutG <= 0 {
			continue // no linked enterprise loses supply: not put at risk by this scenario
		}
		tr.SupplyLost = float64(tr.CutG) / float64(tr.BaseG)
		if l := t.Progress.Latest; l != nil {
			v := l.Value
			tr.Latest, tr.LatestPeriod = &v, l.Period
			gap := tr.Target - v
			tr.Gap = &gap
		}
		tr.Reason, tr.ReasonArg = riskReason(t, &tr)
		r.Targets = append(r.Targets, tr)
	}
	sort.SliceStable(r.Targets, func(i, j int) bool { return r.Targets[i].CutG > r.Targets[j].CutG })
	return r, nil
}

// riskReason computes output at risk and its share of the gap where every input is
// there, and otherwise names the first missing one.
func riskReason(t plan.TargetView, tr *TargetRisk) (string, string) {
	if t.Ind.Aggregation != "sum" {
		return RiskNotAdditive, t.Ind.Aggregation
	}
	var sum float64
	for _, e := range tr.Enterprises {
		if e.LossG == 0 {
			continue
		}
		if e.AtRisk == nil {
			return RiskNoFigure, e.Name
		}
		sum += *e.AtRisk
	}
	tr.OutputAtRisk = &sum
	switch {
	case tr.Gap == nil:
		return RiskNoActual, ""
	case *tr.Gap <= 0:
		return RiskMet, tr.LatestPeriod
	}
	share := sum / *tr.Gap
	tr.ShareOfGap = &share
	return "", ""
}
