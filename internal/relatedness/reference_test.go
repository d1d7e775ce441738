package relatedness_test

import (
	"math"

	"zhanxin/internal/relatedness"
)

// ref is the plain-loop reference implementation of the formulas of the package comment:
// no gonum, no BLAS, the eigenvector by cyclic Jacobi rotations. The tests check Compute
// against it; the benchmark times both on one matrix in one run.
type ref struct {
	rca, m, prox, dens, cog [][]float64
	div, ubi, eci, pci, coi []float64
}

func grid(r, c int) [][]float64 {
	g := make([][]float64, r)
	for i := range g {
		g[i] = make([]float64, c)
	}
	return g
}

func reference(x relatedness.Matrix) ref {
	nr, np := len(x.Regions), len(x.Industries)
	var o ref
	rowSum, colSum, total := make([]float64, nr), make([]float64, np), 0.0
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			rowSum[r] += x.At(r, p)
			colSum[p] += x.At(r, p)
			total += x.At(r, p)
		}
	}
	o.rca, o.m = grid(nr, np), grid(nr, np)
	o.div, o.ubi = make([]float64, nr), make([]float64, np)
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			o.rca[r][p] = (x.At(r, p) / rowSum[r]) / (colSum[p] / total)
			if o.rca[r][p] >= 1 {
				o.m[r][p] = 1
				o.div[r]++
				o.ubi[p]++
			}
		}
	}
	// Loops ordered region, industry, industry so that rows are read in order.
	o.prox = grid(np, np)
	co := grid(np, np)
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			if o.m[r][p] == 0 {
				continue
			}
			for q := 0; q < np; q++ {
				co[p][q] += o.m[r][q]
			}
		}
	}
	for p := 0; p < np; p++ {
		for q := 0; q < np; q++ {
			o.prox[p][q] = co[p][q] / math.Max(o.ubi[p], o.ubi[q])
		}
	}
	phiSum := make([]float64, np)
	for p := 0; p < np; p++ {
		for q := 0; q < np; q++ {
			phiSum[q] += o.prox[p][q]
		}
	}
	o.dens = grid(nr, np)
	for r := 0; r < nr; r++ {
		for q := 0; q < np; q++ {
			for p := 0; p < np; p++ {
				o.dens[r][p] += o.m[r][q] * o.prox[q][p]
			}
		}
		for p := 0; p < np; p++ {
			o.dens[r][p] /= phiSum[p]
		}
	}
	// S = U^-½ Mᵀ D⁻¹ M U^-½.
	s := grid(np, np)
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			if o.m[r][p] == 0 {
				continue
			}
			for q := 0; q < np; q++ {
				s[p][q] += o.m[r][q] / o.div[r]
			}
		}
	}
	for p := 0; p < np; p++ {
		for q := 0; q < np; q++ {
			s[p][q] /= math.Sqrt(o.ubi[p] * o.ubi[q])
		}
	}
	vals, vecs := jacobi(s)
	first, second := -1, -1 // the largest and second-largest eigenvalues
	for i := range vals {
		switch {
		case first < 0 || vals[i] > vals[first]:
			first, second = i, first
		case second < 0 || vals[i] > vals[second]:
			second = i
		}
	}
	kp := make([]float64, np)
	for p := 0; p < np; p++ {
		kp[p] = vecs[p][second] / math.Sqrt(o.ubi[p])
	}
	kc := make([]float64, nr)
	for r := 0; r < nr; r++ {
		for p := 0; p < np; p++ {
			kc[r] += o.m[r][p] * kp[p]
		}
		kc[r] /= o.div[r]
	}
	if pearson(o.div, kc) < 0 {
		for i := range kc {
			kc[i] = -kc[i]
		}
		for i := range kp {
			kp[i] = -kp[i]
		}
	}
	mean, sd := 0.0, 0.0
	for _, v := range kc {
		mean += v
	}
	mean /= float64(nr)
	for _, v := range kc {
		sd += (v - mean) * (v - mean)
	}
	sd = math.Sqrt(sd / float64(nr))
	o.eci, o.pci = make([]float64, nr), make([]float64, np)
	for r := range kc {
		o.eci[r] = (kc[r] - mean) / sd
	}
	for p := range kp {
		o.pci[p] = (kp[p] - mean) / sd
	}
	o.cog, o.coi = grid(nr, np), make([]float64, nr)
	for r := 0; r < nr; r++ {
		for q := 0; q < np; q++ {
			if o.m[r][q] == 1 {
				continue
			}
			for p := 0; p < np; p++ {
				o.cog[r][p] += o.prox[q][p] / phiSum[q] * o.pci[q]
			}
		}
		for p := 0; p < np; p++ {
			if o.m[r][p] == 1 {
				o.cog[r][p] = 0
				continue
			}
			o.coi[r] += o.dens[r][p] * o.pci[p]
		}
	}
	return o
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	ma, mb := 0.0, 0.0
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma, mb = ma/n, mb/n
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// jacobi diagonalises the symmetric a by cyclic Jacobi rotations: eigenvalues, and
// eigenvectors as the columns of v.
func jacobi(in [][]float64) ([]float64, [][]float64) {
	n := len(in)
	a := grid(n, n)
	v := grid(n, n)
	for i := range in {
		copy(a[i], in[i])
		v[i][i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off, norm := 0.0, 0.0
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				norm += a[i][j] * a[i][j]
				if i != j {
					off += a[i][j] * a[i][j]
				}
			}
		}
		if off <= 1e-30*norm {
			break
		}
		for p := 0; p < n-1; p++ {
			for q := p + 1; q < n; q++ {
				if a[p][q] == 0 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < n; k++ {
					akp, akq := a[k][p], a[k][q]
					a[k][p], a[k][q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < n; k++ {
					apk, aqk := a[p][k], a[q][k]
					a[p][k], a[q][k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p], v[k][q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = a[i][i]
	}
	return vals, v
}
