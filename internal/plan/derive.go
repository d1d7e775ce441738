package plan

import (
	"math"
	"sort"

	"zhanxin/internal/store"
)

// Derived shares. A target on a ratio indicator (value added as a share of GDP) is often
// not reported as such: the bulletin gives strategic emerging industries' value added and,
// elsewhere, GDP. The share is then derived for every year that has both, for the same
// region, and labelled as derived with both inputs and their sources: it is never stored,
// so it cannot pass for a reported figure, and a reported share of the same year wins.

// Derivation is how a derived point was computed: Num ÷ Den, × 100 for a percentage.
type Derivation struct {
	NumIndicator, NumIndustry string
	DenIndicator, DenIndustry string
	Num, Den                  Point
}

// OriginDerived marks a point computed from two others.
const OriginDerived = "derived"

// isRatio reports whether ind is a ratio that can be derived from its two parts.
func isRatio(ind store.Indicator) bool {
	return ind.Aggregation == "ratio" && ind.NumeratorCode != "" && ind.DenominatorCode != "" && ind.NumeratorCode != ind.DenominatorCode
}

// ratioKeys are the series a ratio target's derivation may read: the numerator for the
// target's industry, and the denominator for every industry (the whole a share is taken
// of, GDP, is kept under the whole economy, not under the industry).
func ratioKeys(refs *Refs, t store.PlanTarget) []ik {
	ind := refs.Indicators[t.Indicator]
	if !isRatio(ind) {
		return nil
	}
	ks := []ik{{ind.NumeratorCode, t.Industry}}
	codes := make([]string, 0, len(refs.Industries))
	for c := range refs.Industries {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		ks = append(ks, ik{ind.DenominatorCode, c})
	}
	return ks
}

// denominatorIndustry picks the industry whose denominator series divides the target's
// numerator: the target's own industry or its nearest ancestor with the series, else the
// one industry that has it. Two candidates and no rule to choose is no derivation: a
// share is not guessed.
func denominatorIndustry(refs *Refs, t store.PlanTarget, den string, series map[ik][]Point) (string, bool) {
	seen := map[string]bool{}
	for c := t.Industry; c != "" && !seen[c]; c = refs.Industries[c].ParentCode {
		seen[c] = true
		if len(annual(series[ik{den, c}])) > 0 {
			return c, true
		}
	}
	var found []string
	for k, pts := range series {
		if k.ind == den && len(annual(pts)) > 0 {
			found = append(found, k.industry)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// deriveRatio returns the target's ratio for each year that has both inputs and no
// reported figure in actuals. An approximate input makes an approximate ratio; a lower
// bound over an exact whole gives a lower bound; a bound in the whole bounds nothing, and
// that year is left out.
func deriveRatio(refs *Refs, t store.PlanTarget, actuals []Point, series map[ik][]Point) []Point {
	ind := refs.Indicators[t.Indicator]
	if !isRatio(ind) {
		return nil
	}
	denIndustry, ok := denominatorIndustry(refs, t, ind.DenominatorCode, series)
	if !ok {
		return nil
	}
	reported := map[int]bool{}
	for _, p := range actuals {
		reported[p.Year] = true
	}
	dens := map[int]Point{}
	for _, p := range annual(series[ik{ind.DenominatorCode, denIndustry}]) {
		dens[p.Year] = p
	}
	scale := 1.0
	if ind.Unit == "%" {
		scale = 100
	}
	var out []Point
	for _, num := range annual(series[ik{ind.NumeratorCode, t.Industry}]) {
		den, ok := dens[num.Year]
		if !ok || reported[num.Year] || den.Micro <= 0 || den.Qualifier == "over" {
			continue
		}
		q := ""
		switch {
		case num.Qualifier == "about" || den.Qualifier == "about":
			q = "about"
		case num.Qualifier == "over":
			q = "over"
		}
		v := float64(num.Micro) / float64(den.Micro) * scale
		status := "approved"
		if num.Status != "approved" || den.Status != "approved" {
			status = "unapproved"
		}
		out = append(out, Point{Year: num.Year, Period: num.Period, Value: v, Micro: int64(math.Round(v * 1e6)), Qualifier: q,
			Status: status, Origin: OriginDerived, SourceStatus: "derived",
			Derived: &Derivation{NumIndicator: ind.NumeratorCode, NumIndustry: t.Industry, DenIndicator: ind.DenominatorCode,
				DenIndustry: denIndustry, Num: num, Den: den}})
	}
	return out
}
