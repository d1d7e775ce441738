package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/allocation"
	"zhanxin/internal/apperr"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// The plan targets a supply scenario puts at risk: one row per target with the inputs
// of each step (linked enterprises and their loss, supply lost, latest actual and gap,
// output at risk, share of the gap) and, where a step lacks its input, why.

func (s *Server) allocationRiskRoutes() {
	s.handle("GET /allocation/{id}/risk", s.adapt(s.roundRiskPage))
}

// numText writes a figure in the indicator's unit with at most two decimals.
func numText(v float64) string {
	t := strconv.FormatFloat(v, 'f', 2, 64)
	t = strings.TrimSuffix(strings.TrimRight(t, "0"), ".")
	neg := strings.HasPrefix(t, "-")
	t = groupDigits(strings.TrimPrefix(t, "-"))
	if neg {
		t = "-" + t
	}
	return t
}

func optNumCell(v *float64, unit string) Cell {
	if v == nil {
		return Cell{Value: nil, Text: "—", Num: true}
	}
	return Cell{Value: *v, Text: numText(*v) + " " + unit, Num: true}
}

func ratioCell(v *float64) Cell {
	if v == nil {
		return Cell{Value: nil, Text: "—", Num: true}
	}
	return Cell{Value: *v * 100, Text: strconv.FormatFloat(*v*100, 'f', 1, 64) + "%", Num: true}
}

// riskWhy is a target's reasoning in words: each enterprise's part, then the share of
// the gap or why it cannot be given.
func (s *Server) riskWhy(lang i18n.Lang, x allocation.TargetRisk) string {
	var parts []string
	for _, e := range x.Enterprises {
		switch {
		case e.LossG == 0:
			parts = append(parts, s.cat.T(lang, "allocrisk.why.no_loss", e.Name))
		case e.Figure == nil:
			parts = append(parts, s.cat.T(lang, "allocrisk.why.loss_no_figure", e.Name, ledger.FormatTonnes(e.LossG), ledger.FormatTonnes(e.BaseG)))
		default:
			parts = append(parts, s.cat.T(lang, "allocrisk.why.enterprise", e.Name, e.Period, numText(*e.Figure), x.Unit,
				ledger.FormatTonnes(e.LossG), ledger.FormatTonnes(e.BaseG), numText(*e.AtRisk), x.Unit, e.Source))
		}
	}
	switch x.Reason {
	case "":
		parts = append(parts, s.cat.T(lang, "allocrisk.why.share", numText(*x.OutputAtRisk), x.Unit, numText(x.Target), x.Unit,
			x.LatestPeriod, numText(*x.Latest), x.Unit, numText(*x.Gap), x.Unit, strconv.FormatFloat(*x.ShareOfGap*100, 'f', 1, 64)))
	case allocation.RiskNoFigure:
		parts = append(parts, s.cat.T(lang, "allocrisk.reason.no_enterprise_figure", x.ReasonArg, x.Indicator))
	case allocation.RiskNotAdditive:
		parts = append(parts, s.cat.T(lang, "allocrisk.reason.not_additive", x.Indicator, x.ReasonArg))
	case allocation.RiskNoActual:
		parts = append(parts, s.cat.T(lang, "allocrisk.reason.no_actual", x.Indicator))
	case allocation.RiskMet:
		parts = append(parts, s.cat.T(lang, "allocrisk.reason.already_met", x.ReasonArg))
	}
	return strings.Join(parts, "；")
}

func (s *Server) roundRiskPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	id := pathInt(r, "id")
	scale := 90
	if v := r.URL.Query().Get("scale"); v != "" {
		if scale, err = strconv.Atoi(v); err != nil {
			return apperr.New(apperr.Invalid, "bad_scale", "allocation.err.scale", v).With("scale", "allocation.err.scale", v)
		}
	}
	svc := s.allocSvc()
	rv, err := svc.Round(r.Context(), p, id)
	if err != nil {
		return err
	}
	risk, err := svc.TargetsAtRisk(r.Context(), p, id, scale)
	if err != nil {
		return err
	}
	spec := TableSpec[allocation.TargetRisk]{Export: "allocrisk.title", Columns: []Column{{Label: "allocrisk.col.target"},
		{Label: "allocrisk.col.name"}, {Label: "allocrisk.col.indicator"}, {Label: "allocrisk.col.enterprises"},
		{Label: "allocrisk.col.cut", Num: true}, {Label: "allocrisk.col.supply_lost", Num: true}, {Label: "allocrisk.col.latest", Num: true},
		{Label: "allocrisk.col.gap", Num: true}, {Label: "allocrisk.col.output_at_risk", Num: true}, {Label: "allocrisk.col.share_of_gap", Num: true},
		{Label: "allocrisk.col.why"}}}
	spec.Row = func(x allocation.TargetRisk) []Cell {
		var names []string
		for _, e := range x.Enterprises {
			names = append(names, e.Name)
		}
		lost := x.SupplyLost
		latest := TextCell("—")
		if x.Latest != nil {
			latest = Cell{Value: *x.Latest, Text: numText(*x.Latest) + " " + x.Unit + "（" + x.LatestPeriod + "）", Num: true}
		}
		return []Cell{{Value: x.Code, Text: x.Code, Href: "/plans/targets/" + url.PathEscape(x.Code)}, TextCell(name(lang, x.NameZh, x.NameEn)),
			TextCell(x.Indicator + "（" + x.Unit + "）"), TextCell(strings.Join(names, "、")), tonnesCell(x.CutG), ratioCell(&lost), latest,
			optNumCell(x.Gap, x.Unit), optNumCell(x.OutputAtRisk, x.Unit), ratioCell(x.ShareOfGap), TextCell(s.riskWhy(lang, x))}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[allocation.TargetRisk], error) {
		return pageOf(risk.Targets, q), nil
	})
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "target-risk"
	back := fmt.Sprintf("/allocation/%d?scale=%d", id, scale)
	note := s.cat.T(lang, "allocrisk.note", scale, ledger.FormatTonnes(allocation.Scaled(rv.SupplyG, scale)), ledger.FormatTonnes(rv.SupplyG), risk.Commodity)
	if risk.Plan == "" {
		note += " " + s.cat.T(lang, "allocrisk.no_plan")
	}
	v := tableView{Page: s.page(w, r, "allocrisk.title", Crumb{Label: "allocation.rounds.title", Href: "/allocation"}, Crumb{Label: rv.Code, Href: back},
		Crumb{Label: "allocrisk.title"}), Table: tv, Note: note}
	s.render(w, r, http.StatusOK, "table", v)
	return nil
}
