package relatedness_test

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"zhanxin/internal/relatedness"
)

// BenchmarkRelatedness3000x500 times Compute (gonum) and the plain-loop reference on the
// same 3,000 regions × 500 industries in one run: each round runs Compute five times and
// the reference once, the first round checks that they agree to 1e-9, and it reports
// Compute's mean and p95 wall seconds, its CPU seconds (all threads, from getrusage: the
// machine is shared, and wall time there counts other people's work), the reference's
// seconds and the speed-up. The budget is 2 s for Compute.
//
//	go test -run '^$' -bench Relatedness3000x500 -benchtime 1x ./internal/relatedness/
func BenchmarkRelatedness3000x500(b *testing.B) {
	m := randomMatrix(rand.New(rand.NewPCG(3000, 500)), 3000, 500, 0.5)
	var fast, slow []float64
	first := true
	var cpu float64
	for b.Loop() {
		var res *relatedness.Result
		for range 5 {
			c0 := cpuSeconds()
			t0 := time.Now()
			var err error
			if res, err = relatedness.Compute(m); err != nil {
				b.Fatal(err)
			}
			fast = append(fast, time.Since(t0).Seconds())
			cpu += cpuSeconds() - c0
		}
		t1 := time.Now()
		want := reference(m)
		t2 := time.Now()
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
	b.ReportMetric(cpu/float64(len(fast)), "gonum-cpu-s/run")
	b.ReportMetric(mean(slow), "reference-s/run")
	b.ReportMetric(mean(slow)/mean(fast), "speedup")
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
