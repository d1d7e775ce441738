// Package relatedness computes, from a region × industry matrix of values (output,
// revenue or employment), the measures of economic complexity used to choose breakthrough
// and sunrise industries, with the formulas of the Growth Lab's py-ecomplexity:
//
//	RCA        R_cp  = (X_cp / Σ_p X_cp) / (Σ_c X_cp / Σ_cp X_cp)
//	presence   M_cp  = 1 if R_cp ≥ 1, else 0
//	diversity  k_c   = Σ_p M_cp;   ubiquity k_p = Σ_c M_cp
//	proximity  φ_pq  = Σ_c M_cp M_cq / max(k_p, k_q)   (the minimum of the two conditional probabilities)
//	density    ω_cp  = Σ_q M_cq φ_qp / Σ_q φ_qp
//	PCI        kp = the eigenvector of M̃ = U⁻¹ Mᵀ D⁻¹ M for its second-largest eigenvalue
//	ECI        kc = D⁻¹ M kp (a region's ECI is the mean PCI of what it makes)
//	sign       both multiplied by the sign of corr(diversity, kc), so more diverse regions rank higher
//	normalised ECI = (kc − mean kc) / sd kc;  PCI = (kp − mean kc) / sd kc (py-ecomplexity scales PCI by
//	           ECI's mean and standard deviation, so that ECI stays the mean PCI of a region's products)
//	COI        coi_c  = Σ_p (1 − M_cp) ω_cp PCI_p
//	COG        cog_cp = (1 − M_cp) Σ_q [φ_pq / Σ_r φ_rq] (1 − M_cq) PCI_q
//
// where D = diag(k_c), U = diag(k_p) and sd is the population standard deviation (numpy's
// default). The eigenvector is found through the symmetric matrix S = U^-½ Mᵀ D⁻¹ M U^-½,
// which has the same eigenvalues (M̃ = U^-½ S U^½), so a symmetric eigensolver gives it
// stably; kp = U^-½ w. Its scale cancels in every normalised result.
//
// Opportunity gain, the variant used: the Atlas of Economic Complexity's (Hausmann,
// Hidalgo et al. 2014), in which each term φ_pq / Σ_r φ_rq is exactly the rise in the
// density of q when the region takes up p, so COG is the complexity-weighted sum of the
// density gains a new industry brings to the industries the region still lacks. The
// other variant found in implementations divides φ_pq by the candidate p's own total
// proximity Σ_r φ_rp instead; for a candidate close to many industries that damps exactly
// the spill-over COG is meant to reward, so it is not used. COI and COG weigh industries by
// the normalised PCI, as the Atlas's definitions do, so an industry less complex than the
// average region lowers them; py-ecomplexity's source could not be read on this machine
// (no PyPI), so agreement with it beyond the published formulas is not checked.
//
// Shift-share (shiftshare.go) splits each region-industry change between two periods into
// national growth, industry mix and regional shift.
package relatedness

import (
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"zhanxin/internal/apperr"
)

// Matrix is a region × industry table of non-negative values, row-major.
type Matrix struct {
	Regions    []string
	Industries []string
	Values     []float64 // len(Regions) × len(Industries)
}

// At returns the value of region r, industry p.
func (m Matrix) At(r, p int) float64 { return m.Values[r*len(m.Industries)+p] }

// Result holds every measure, indexed like the input matrix.
type Result struct {
	Regions    []string
	Industries []string
	RCA        *mat.Dense // regions × industries
	M          *mat.Dense // 0/1
	Diversity  []float64
	Ubiquity   []float64
	Proximity  *mat.Dense // industries × industries
	Density    *mat.Dense // regions × industries
	ECI        []float64
	PCI        []float64
	COI        []float64
	COG        *mat.Dense // regions × industries; 0 where M = 1
}

func bad(code, key string, field string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

// Validate checks the matrix: its shape, at least two regions and two industries, every
// value finite and non-negative, and no region or industry that is zero throughout (its
// shares would divide by zero). The error names the first offender.
func (m Matrix) Validate() error {
	nr, np := len(m.Regions), len(m.Industries)
	if nr < 2 || np < 2 {
		return bad("matrix_too_small", "relatedness.err.too_small", "matrix", nr, np)
	}
	if len(m.Values) != nr*np {
		return bad("matrix_shape", "relatedness.err.shape", "matrix", len(m.Values), nr, np)
	}
	rowSum := make([]float64, nr)
	colSum := make([]float64, np)
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			v := m.Values[r*np+p]
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return bad("matrix_value", "relatedness.err.value", "value", m.Regions[r], m.Industries[p], v)
			}
			rowSum[r] += v
			colSum[p] += v
		}
	}
	for r, s := range rowSum {
		if s == 0 {
			return bad("zero_region", "relatedness.err.zero_region", "region", m.Regions[r])
		}
	}
	for p, s := range colSum {
		if s == 0 {
			return bad("zero_industry", "relatedness.err.zero_industry", "industry", m.Industries[p])
		}
	}
	return nil
}

// Compute computes every measure of the package comment from m.
func Compute(m Matrix) (*Result, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	nr, np := len(m.Regions), len(m.Industries)
	res := &Result{Regions: m.Regions, Industries: m.Industries}

	rowSum := make([]float64, nr)
	colSum := make([]float64, np)
	total := 0.0
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			v := m.Values[r*np+p]
			rowSum[r] += v
			colSum[p] += v
			total += v
		}
	}
	rca := make([]float64, nr*np)
	mcp := make([]float64, nr*np)
	res.Diversity = make([]float64, nr)
	res.Ubiquity = make([]float64, np)
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			v := (m.Values[r*np+p] / rowSum[r]) / (colSum[p] / total)
			rca[r*np+p] = v
			if v >= 1 {
				mcp[r*np+p] = 1
				res.Diversity[r]++
				res.Ubiquity[p]++
			}
		}
	}
	// Every non-zero row and column has some RCA ≥ 1 in exact arithmetic; rounding could
	// still leave a perfectly average one with none, which has no place in the network.
	for r, d := range res.Diversity {
		if d == 0 {
			return nil, bad("no_advantage", "relatedness.err.no_advantage_region", "region", m.Regions[r])
		}
	}
	for p, u := range res.Ubiquity {
		if u == 0 {
			return nil, bad("no_advantage", "relatedness.err.no_advantage_industry", "industry", m.Industries[p])
		}
	}
	res.RCA = mat.NewDense(nr, np, rca)
	res.M = mat.NewDense(nr, np, mcp)

	// Proximity from the co-occurrence MᵀM (a symmetric rank-k product: half the work).
	var co mat.SymDense
	co.SymOuterK(1, res.M.T())
	prox := make([]float64, np*np)
	for p := 0; p < np; p++ {
		for q := 0; q < np; q++ {
			prox[p*np+q] = co.At(p, q) / math.Max(res.Ubiquity[p], res.Ubiquity[q])
		}
	}
	res.Proximity = mat.NewDense(np, np, prox)
	phiSum := make([]float64, np) // column sums = row sums: φ is symmetric
	for p := 0; p < np; p++ {
		for q := 0; q < np; q++ {
			phiSum[q] += prox[p*np+q]
		}
	}

	// Density ω = M φ, each column divided by φ's column sum.
	res.Density = mat.NewDense(nr, np, nil)
	res.Density.Mul(res.M, res.Proximity)
	dens := res.Density.RawMatrix()
	for r := 0; r < nr; r++ {
		row := dens.Data[r*dens.Stride : r*dens.Stride+np]
		for p := range row {
			row[p] /= phiSum[p]
		}
	}

	// PCI and ECI: the symmetric S = Yᵀ Y with Y = D^-½ M U^-½.
	y := make([]float64, nr*np)
	for r := 0; r < nr; r++ {
		dr := 1 / math.Sqrt(res.Diversity[r])
		for p := 0; p < np; p++ {
			if mcp[r*np+p] != 0 {
				y[r*np+p] = dr / math.Sqrt(res.Ubiquity[p])
			}
		}
	}
	var s mat.SymDense
	s.SymOuterK(1, mat.NewDense(nr, np, y).T())
	var eig mat.EigenSym
	if !eig.Factorize(&s, true) {
		return nil, apperr.New(apperr.Internal, "eigen", "err.internal")
	}
	// The largest eigenvalue is 1; a second one of 1 means the industry space falls apart
	// into groups no region links, and the second eigenvector is then any mix of the
	// groups' indicators: no complexity ranking exists.
	if vals := eig.Values(nil); vals[np-2] > 1-1e-9 {
		return nil, bad("disconnected", "relatedness.err.disconnected", "matrix")
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs) // eigenvalues ascending: the second largest is column np−2
	kp := make([]float64, np)
	for p := 0; p < np; p++ {
		kp[p] = vecs.At(p, np-2) / math.Sqrt(res.Ubiquity[p])
	}
	kc := make([]float64, nr)
	for r := 0; r < nr; r++ {
		sum := 0.0
		for p := 0; p < np; p++ {
			if mcp[r*np+p] != 0 {
				sum += kp[p]
			}
		}
		kc[r] = sum / res.Diversity[r]
	}
	if stat.Correlation(res.Diversity, kc, nil) < 0 {
		for i := range kc {
			kc[i] = -kc[i]
		}
		for i := range kp {
			kp[i] = -kp[i]
		}
	}
	mean, sd := meanSD(kc)
	if sd == 0 {
		return nil, bad("flat_eci", "relatedness.err.flat", "matrix")
	}

	// COI and COG weigh each industry by its normalised PCI, as the Atlas defines them
	// (a complexity below the mean counts against), not by the raw eigenvector.
	pci := make([]float64, np)
	for p := range kp {
		pci[p] = (kp[p] - mean) / sd
	}
	w := make([]float64, nr*np) // (1 − M) ∘ PCI
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			if mcp[r*np+p] == 0 {
				w[r*np+p] = pci[p]
			}
		}
	}
	b := make([]float64, np*np) // B[q][p] = φ_qp / Σ_r φ_rq: the rise in q's density when p is taken up
	for q := 0; q < np; q++ {
		for p := 0; p < np; p++ {
			b[q*np+p] = prox[q*np+p] / phiSum[q]
		}
	}
	res.COG = mat.NewDense(nr, np, nil)
	res.COG.Mul(mat.NewDense(nr, np, w), mat.NewDense(np, np, b))
	cog := res.COG.RawMatrix()
	res.COI = make([]float64, nr)
	for r := 0; r < nr; r++ {
		row := cog.Data[r*cog.Stride : r*cog.Stride+np]
		coi := 0.0
		for p := 0; p < np; p++ {
			if mcp[r*np+p] != 0 {
				row[p] = 0
				continue
			}
			coi += dens.Data[r*dens.Stride+p] * pci[p]
		}
		res.COI[r] = coi
	}
	res.ECI = make([]float64, nr)
	for r := range kc {
		res.ECI[r] = (kc[r] - mean) / sd
	}
	res.PCI = pci
	return res, nil
}

// meanSD is the mean and population standard deviation.
func meanSD(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)))
}

// Opportunity is an industry a region does not yet have a comparative advantage in.
type Opportunity struct {
	Industry string
	RCA      float64
	Density  float64
	COG      float64
	PCI      float64
}

// Opportunities lists the industries region r lacks (M = 0), best first: by density (how
// close the region already is), then opportunity gain, then complexity — the Atlas's
// "low-hanging fruit" ordering; the page shows all three so the ranking can be argued with.
func (res *Result) Opportunities(r int) []Opportunity {
	var out []Opportunity
	for p, ind := range res.Industries {
		if res.M.At(r, p) != 0 {
			continue
		}
		out = append(out, Opportunity{Industry: ind, RCA: res.RCA.At(r, p), Density: res.Density.At(r, p), COG: res.COG.At(r, p), PCI: res.PCI[p]})
	}
	sortOpportunities(out)
	return out
}
