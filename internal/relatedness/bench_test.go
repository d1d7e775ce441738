package relatedness_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"zhanxin/internal/relatedness"
)

// BenchmarkRelatedness3000x500 times Compute (gonum) and the plain-loop reference on the
// same 3,000 regions × 500 industries in one run, checks on the first round that they
// agree to 1e-9, and reports each one's seconds per run, the gonum p95 and the speed-up.
// The budget is 2 s for Compute.
//
//	go test -run '^$' -bench Relatedness3000x500 -benchtime 3x ./internal/relatedness/
func BenchmarkRelatedness3000x500(b *testing.B) {
	m := randomMatrix(rand.New(rand.NewPCG(3000, 500)), 3000, 500, 0.5)
	var fast, slow []float64
	first := true
	for b.Loop() {
		t0 := time.Now()
		res, err := relatedness.Compute(m)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		want := reference(m)
		t2 := time.Now()
		fast = append(fast, t1.Sub(t0).Seconds())
		slow = append(slow, t2.Sub(t1).Seconds())
		if first {
			first = false
			t := &testing.T{}
			nearVec(t, "ECI", res.ECI, want.eci, 1e-9)
			nearVec(t, "PCI", res.PCI, want.pci, 1e-9)
			nearGrid(t, "density", res.Density, want.dens, 1e-9)
			nearGrid(t, "COG", res.COG, want.cog, 1e-9)
			if t.Failed() {
				b.Fatal("gonum and the reference disagree at 3000×500")
			}
		}
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	sorted := slices.Sorted(slices.Values(fast))
	p95 := sorted[min(len(sorted)-1, int(0.95*float64(len(sorted))))]
	b.ReportMetric(mean(fast), "gonum-s/run")
	b.ReportMetric(p95, "gonum-p95-s")
	b.ReportMetric(mean(slow), "reference-s/run")
	b.ReportMetric(mean(slow)/mean(fast), "speedup")
}
