package relatedness_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"zhanxin/internal/apperr"
	"zhanxin/internal/i18n"
	"zhanxin/internal/relatedness"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g", what, got, want)
	}
}

func nearGrid(t *testing.T, what string, got *mat.Dense, want [][]float64, tol float64) {
	t.Helper()
	for i := range want {
		for j := range want[i] {
			near(t, fmt.Sprintf("%s[%d][%d]", what, i, j), got.At(i, j), want[i][j], tol)
		}
	}
}

func nearVec(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		near(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i], tol)
	}
}

// The 3 × 3 example, worked out by hand in exact fractions. Regions A, B, C; industries
// x, y, z:
//
//	X = A [1 1 1]   row totals 3, 4, 9; column totals 3, 6, 7; total 16
//	    B [1 1 2]
//	    C [1 4 4]
//
//	RCA = A [16/9  8/9   16/21]   M = A [1 0 0]   diversity 1, 2, 2
//	      B [4/3   2/3   8/7  ]       B [1 0 1]   ubiquity  2, 1, 2
//	      C [16/27 32/27 64/63]       C [0 1 1]
//
//	co-occurrence MᵀM: xx 2, yy 1, zz 2, xy 0, xz 1, yz 1, so proximity
//	φ = [1 0 ½; 0 1 ½; ½ ½ 1] (xz = 1/max(2,2), yz = 1/max(1,2)), column sums 3/2, 3/2, 2
//
//	density ω_cp = Σ_q M_cq φ_qp / Σ_q φ_qp:
//	    A [2/3 0   1/4]
//	    B [1   1/3 3/4]
//	    C [1/3 1   3/4]
//
//	M̃ = U⁻¹ Mᵀ D⁻¹ M = [3/4 0 1/4; 0 1/2 1/2; 1/4 1/4 1/2]: eigenvalues 1 and the roots of
//	λ² − ¾λ + 1/16, (3 ± √5)/8. For λ₂ = (3+√5)/8 the rows give v_z = (4λ−3)v_x and
//	v_y = v_z/(2λ−1): v = (1, 1−√5, (√5−3)/2). kc = D⁻¹Mv = (1, (√5−1)/4, −(1+√5)/4),
//	which falls as diversity (1, 2, 2) rises, so both flip: kc = (−1, (1−√5)/4, (1+√5)/4),
//	kp = (−1, √5−1, (3−√5)/2). mean kc = −1/6, variance 5/9, sd √5/3, so
//
//	ECI = (−√5/2, (√5−3)/4, (√5+3)/4)
//	PCI = ((kp + 1/6) · 3/√5) = (−√5/2, 3 − √5/2, √5 − 3/2)
//
//	COG (Atlas variant), for the cells with M = 0, weighing by PCI:
//	    A,y = ⅔ PCI_y + ¼ PCI_z    A,z = ⅓ PCI_y + ½ PCI_z
//	    B,y = ⅔ PCI_y              C,x = ⅔ PCI_x
//	COI: A = ¼ PCI_z (ω_A,y = 0), B = ⅓ PCI_y, C = ⅓ PCI_x
func TestHandWorkedThreeByThree(t *testing.T) {
	m := relatedness.Matrix{Regions: []string{"A", "B", "C"}, Industries: []string{"x", "y", "z"},
		Values: []float64{1, 1, 1, 1, 1, 2, 1, 4, 4}}
	res, err := relatedness.Compute(m)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	r5 := math.Sqrt(5)
	nearGrid(t, "RCA", res.RCA, [][]float64{{16. / 9, 8. / 9, 16. / 21}, {4. / 3, 2. / 3, 8. / 7}, {16. / 27, 32. / 27, 64. / 63}}, tol)
	nearGrid(t, "M", res.M, [][]float64{{1, 0, 0}, {1, 0, 1}, {0, 1, 1}}, 0)
	nearVec(t, "diversity", res.Diversity, []float64{1, 2, 2}, 0)
	nearVec(t, "ubiquity", res.Ubiquity, []float64{2, 1, 2}, 0)
	nearGrid(t, "proximity", res.Proximity, [][]float64{{1, 0, .5}, {0, 1, .5}, {.5, .5, 1}}, tol)
	nearGrid(t, "density", res.Density, [][]float64{{2. / 3, 0, .25}, {1, 1. / 3, .75}, {1. / 3, 1, .75}}, tol)
	nearVec(t, "ECI", res.ECI, []float64{-r5 / 2, (r5 - 3) / 4, (r5 + 3) / 4}, tol)
	nearVec(t, "PCI", res.PCI, []float64{-r5 / 2, 3 - r5/2, r5 - 1.5}, tol)
	px, py, pz := -r5/2, 3-r5/2, r5-1.5
	nearGrid(t, "COG", res.COG, [][]float64{{0, 2./3*py + .25*pz, py/3 + pz/2}, {0, 2. / 3 * py, 0}, {2. / 3 * px, 0, 0}}, tol)
	nearVec(t, "COI", res.COI, []float64{.25 * pz, py / 3, px / 3}, tol)

	// A lacks y and z; z is closer (density ¼ against 0), so it comes first.
	ops := res.Opportunities(0)
	if len(ops) != 2 || ops[0].Industry != "z" || ops[1].Industry != "y" {
		t.Errorf("opportunities of A: %+v", ops)
	}
}

func randomMatrix(rng *rand.Rand, nr, np int, zeros float64) relatedness.Matrix {
	m := relatedness.Matrix{}
	for r := 0; r < nr; r++ {
		m.Regions = append(m.Regions, fmt.Sprintf("R%d", r))
	}
	for p := 0; p < np; p++ {
		m.Industries = append(m.Industries, fmt.Sprintf("I%d", p))
	}
	m.Values = make([]float64, nr*np)
	for i := range m.Values {
		if rng.Float64() >= zeros {
			m.Values[i] = math.Exp(rng.NormFloat64() * 1.5)
		}
	}
	// No all-zero row or column: give each one value.
	for r := 0; r < nr; r++ {
		m.Values[r*np+r%np] += 1
	}
	for p := 0; p < np; p++ {
		m.Values[(p%nr)*np+p] += 1
	}
	return m
}

func checkAgainstReference(t *testing.T, m relatedness.Matrix, tol float64) {
	t.Helper()
	res, err := relatedness.Compute(m)
	if err != nil {
		t.Fatal(err)
	}
	want := reference(m)
	nearGrid(t, "RCA", res.RCA, want.rca, tol)
	nearGrid(t, "M", res.M, want.m, 0)
	nearGrid(t, "proximity", res.Proximity, want.prox, tol)
	nearGrid(t, "density", res.Density, want.dens, tol)
	nearVec(t, "ECI", res.ECI, want.eci, tol)
	nearVec(t, "PCI", res.PCI, want.pci, tol)
	nearVec(t, "COI", res.COI, want.coi, tol)
	nearGrid(t, "COG", res.COG, want.cog, tol)
}

func TestAgreesWithPlainLoopReferenceOnRandomMatrices(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2026))
	for _, sz := range [][2]int{{5, 4}, {12, 7}, {40, 15}, {120, 60}} {
		for k := 0; k < 3; k++ {
			m := randomMatrix(rng, sz[0], sz[1], 0.3)
			// A small random matrix can split into unconnected groups, which Compute refuses
			// (TestDisconnectedSpaceIsRefused); draw again.
			for _, err := relatedness.Compute(m); apperr.From(err).Code == "disconnected"; _, err = relatedness.Compute(m) {
				m = randomMatrix(rng, sz[0], sz[1], 0.3)
			}
			t.Run(fmt.Sprintf("%dx%d/%d", sz[0], sz[1], k), func(t *testing.T) { checkAgainstReference(t, m, 1e-9) })
		}
	}
}

// ECI must be the mean PCI of a region's industries, which is what normalising PCI by
// ECI's mean and standard deviation preserves; and the more diverse regions rank higher.
func TestECIIsMeanPCIOfItsIndustries(t *testing.T) {
	m := randomMatrix(rand.New(rand.NewPCG(7, 7)), 60, 25, 0.4)
	res, err := relatedness.Compute(m)
	if err != nil {
		t.Fatal(err)
	}
	for r := range res.Regions {
		s := 0.0
		for p := range res.Industries {
			s += res.M.At(r, p) * res.PCI[p]
		}
		near(t, "ECI vs mean PCI of "+res.Regions[r], res.ECI[r], s/res.Diversity[r], 1e-9)
	}
	if pearson(res.Diversity, res.ECI) <= 0 {
		t.Error("ECI is not positively correlated with diversity")
	}
}

func catalog(t *testing.T) *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBadMatricesAreRefusedNamingTheCulprit(t *testing.T) {
	cat := catalog(t)
	for _, c := range []struct {
		name  string
		m     relatedness.Matrix
		field string
		names string
	}{
		{"all-zero region", relatedness.Matrix{Regions: []string{"章贡区", "南康区", "赣县区"}, Industries: []string{"稀土", "钨"},
			Values: []float64{1, 2, 0, 0, 3, 1}}, "region", "南康区"},
		{"all-zero industry", relatedness.Matrix{Regions: []string{"章贡区", "南康区"}, Industries: []string{"稀土", "钨", "生物医药"},
			Values: []float64{1, 0, 2, 3, 0, 1}}, "industry", "钨"},
		{"negative value", relatedness.Matrix{Regions: []string{"章贡区", "南康区"}, Industries: []string{"稀土", "钨"},
			Values: []float64{1, -2, 2, 3}}, "value", "钨"},
		{"one industry", relatedness.Matrix{Regions: []string{"章贡区", "南康区"}, Industries: []string{"稀土"},
			Values: []float64{1, 2}}, "matrix", "1"},
		{"wrong shape", relatedness.Matrix{Regions: []string{"章贡区", "南康区"}, Industries: []string{"稀土", "钨"},
			Values: []float64{1, 2, 3}}, "matrix", "3"},
	} {
		_, err := relatedness.Compute(c.m)
		e := apperr.From(err)
		if e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != c.field {
			t.Errorf("%s: %v %+v", c.name, err, e.Fields)
			continue
		}
		for _, lang := range []i18n.Lang{i18n.Zh, i18n.En} {
			if msg := cat.T(lang, e.Key, e.Args...); strings.HasPrefix(msg, "[") || !strings.Contains(msg, c.names) {
				t.Errorf("%s (%s): message %q does not name %q", c.name, lang, msg, c.names)
			}
		}
	}
}

// Two groups that share no region: 甲乙 make only a and b, 丙丁 only c and d.
func TestDisconnectedSpaceIsRefused(t *testing.T) {
	m := relatedness.Matrix{Regions: []string{"甲", "乙", "丙", "丁"}, Industries: []string{"a", "b", "c", "d"},
		Values: []float64{3, 1, 0, 0, 1, 3, 0, 0, 0, 0, 3, 1, 0, 0, 1, 3}}
	_, err := relatedness.Compute(m)
	e := apperr.From(err)
	if e.Kind != apperr.Invalid || e.Code != "disconnected" {
		t.Fatalf("disconnected space: %v", err)
	}
	if msg := catalog(t).T(i18n.Zh, e.Key, e.Args...); strings.HasPrefix(msg, "[") {
		t.Errorf("no message for %s", e.Key)
	}
}

// Shift-share by hand: two regions, two industries, reference = their sum.
//
//	base  R1 [100 50]  R2 [100 50]   totals industry a 200, b 100, all 300
//	end   R1 [120 40]  R2 [140 70]   totals industry a 260, b 110, all 370
//
// national growth 370/300 − 1 = 7/30; industry a grows 30%, b 10%.
// R1,a: change 20 = national 100·7/30 (23.33…) + mix 100·(0.3 − 7/30) (6.67…) + regional 100·(0.2 − 0.3) (−10).
func TestShiftShareByHand(t *testing.T) {
	base := relatedness.Matrix{Regions: []string{"R1", "R2"}, Industries: []string{"a", "b"}, Values: []float64{100, 50, 100, 50}}
	end := relatedness.Matrix{Regions: []string{"R1", "R2"}, Industries: []string{"a", "b"}, Values: []float64{120, 40, 140, 70}}
	out, err := relatedness.ShiftShare(base, end)
	if err != nil {
		t.Fatal(err)
	}
	s := out[0]
	near(t, "national", s.National, 100*7./30, 1e-12)
	near(t, "mix", s.Mix, 100*(0.3-7./30), 1e-12)
	near(t, "regional", s.Regional, -10, 1e-12)
	for _, x := range out {
		near(t, "sum "+x.Region+x.Industry, x.National+x.Mix+x.Regional, x.Change, 1e-12)
	}
	// R2,b: 50 → 70: regional = 50·(0.4 − 0.1) = 15.
	near(t, "R2,b regional", out[3].Regional, 15, 1e-12)
	if _, err := relatedness.ShiftShare(base, relatedness.Matrix{Regions: []string{"R1"}, Industries: []string{"a", "b"}, Values: []float64{1, 2}}); apperr.From(err).Kind != apperr.Invalid {
		t.Errorf("mismatched periods: %v", err)
	}
}
