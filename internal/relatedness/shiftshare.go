package relatedness

import (
	"cmp"
	"slices"

	"zhanxin/internal/apperr"
)

func sortOpportunities(o []Opportunity) {
	slices.SortStableFunc(o, func(a, b Opportunity) int {
		if c := cmp.Compare(b.Density, a.Density); c != 0 {
			return c
		}
		if c := cmp.Compare(b.COG, a.COG); c != 0 {
			return c
		}
		return cmp.Compare(b.PCI, a.PCI)
	})
}

// Shift is the shift-share split of one region-industry change between two periods:
// Change = National + Mix + Regional.
type Shift struct {
	Region, Industry string
	Base, End        float64
	Change           float64
	National         float64 // base × growth of the reference area's total
	Mix              float64 // base × (growth of the industry in the reference − total growth)
	Regional         float64 // the rest: base × (the region's own growth − the industry's)
}

// ShiftShare splits each cell's change from base to end. The reference area is the sum of
// every region in the matrices (the nation when they hold every province, the city when
// they hold its counties). Both matrices must have the same regions and industries in the
// same order, and every industry a non-zero reference base (its growth rate divides by it).
func ShiftShare(base, end Matrix) ([]Shift, error) {
	if err := base.Validate(); err != nil {
		return nil, err
	}
	if !slices.Equal(base.Regions, end.Regions) || !slices.Equal(base.Industries, end.Industries) || len(end.Values) != len(base.Values) {
		return nil, apperr.New(apperr.Invalid, "matrix_shape", "relatedness.err.periods").With("matrix", "relatedness.err.periods")
	}
	np := len(base.Industries)
	for i, v := range end.Values {
		if !(v >= 0) || v > 1e300 {
			return nil, bad("matrix_value", "relatedness.err.value", "value", end.Regions[i/np], end.Industries[i%np], v)
		}
	}
	refBase := make([]float64, np)
	refEnd := make([]float64, np)
	var totBase, totEnd float64
	for i := range base.Values {
		refBase[i%np] += base.Values[i]
		refEnd[i%np] += end.Values[i]
		totBase += base.Values[i]
		totEnd += end.Values[i]
	}
	gN := totEnd/totBase - 1
	out := make([]Shift, 0, len(base.Values))
	for i := range base.Values {
		p := i % np
		gI := refEnd[p]/refBase[p] - 1
		s := Shift{Region: base.Regions[i/np], Industry: base.Industries[p], Base: base.Values[i], End: end.Values[i]}
		s.Change = s.End - s.Base
		s.National = s.Base * gN
		s.Mix = s.Base * (gI - gN)
		// The remainder, so the three parts add up to the change exactly as computed; for a
		// base of 0 all of a new industry's growth is the region's own.
		s.Regional = s.Change - s.National - s.Mix
		out = append(out, s)
	}
	return out, nil
}
