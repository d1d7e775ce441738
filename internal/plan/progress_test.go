package plan

import (
	"math"
	"testing"
)

// The expected numbers below were computed by hand (closed forms, checked with a
// calculator), not by the code under test:
//   (1000/321)^(1/3) − 1 = 0.460489108        required growth, NEV sales 2012 → 2015
//   (1000/605)^(1/5) − 1 = 0.105729573        required growth, revenue 2012 → 2017
//   (10^7/(2·10^6))^(1/4) − 1 = 0.495348781   required growth, motors 2013 → 2017
//   (500/321)^(1/2) − 1 = 0.248051441         observed growth 2012 → 2014
//   0.248051441 / 0.460489108 = 0.538669507   → limited progress (0 ≤ r < 0.6)
// Log-linear fit of 321, 400, 500 (2012–2014), carried to 2015: slope b = (ln500 − ln321)/2,
// intercept at the mean; residual s from the one degree of freedom; the 80% interval uses
// t(0.9, 1) = tan(0.4π) = 3.077683537: 623.701298 [619.253108, 628.181441].
// Four points 100, 130, 150, 200 (2012–2015) carried to 2017, t(0.9, 2) = 0.8/√0.18 =
// 1.885618083: 305.914044 [262.053426, 357.115736].

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.9f, want %.9f", what, got, want)
	}
}

func TestCAGR(t *testing.T) {
	for _, c := range []struct {
		v0, v1 float64
		years  int
		want   float64
	}{
		{321, 1000, 3, 0.460489108},
		{605, 1000, 5, 0.105729573},
		{2e6, 1e7, 4, 0.495348781},
		{321, 500, 2, 0.248051441},
		{100, 100, 7, 0},
		{200, 100, 1, -0.5},
	} {
		got, ok := CAGR(c.v0, c.v1, c.years)
		if !ok {
			t.Fatalf("CAGR(%v, %v, %d) undefined", c.v0, c.v1, c.years)
		}
		near(t, "CAGR", got, c.want, 1e-8)
	}
	for _, c := range [][3]float64{{0, 10, 1}, {10, 0, 1}, {-1, 10, 1}, {10, 20, 0}} {
		if _, ok := CAGR(c[0], c[1], int(c[2])); ok {
			t.Errorf("CAGR%v should be undefined", c)
		}
	}
}

func TestBandThresholds(t *testing.T) {
	req := 0.2
	for _, c := range []struct {
		obs  float64
		want string
	}{
		{0.2, OnTrack}, {0.19, OnTrack}, {0.1899, Acceleration}, {0.12, Acceleration}, {0.1199, Limited},
		{0, Limited}, {-0.0001, Deteriorating}, {0.5, OnTrack},
	} {
		if got := Band(c.obs, req); got != c.want {
			t.Errorf("Band(%v, %v) = %s, want %s", c.obs, req, got, c.want)
		}
	}
}

func pts(year int, values ...float64) []Point {
	var out []Point
	for i, v := range values {
		out = append(out, Point{Year: year + i, Value: v})
	}
	return out
}

func TestAssessLimitedProgressWithForecast(t *testing.T) {
	spec := Spec{Comparison: ">", Target: 1000, TargetYear: 2015}
	actuals := pts(2012, 321, 400, 500)
	pr := Assess(spec, &actuals[0], actuals)
	if pr.Status != Limited || pr.Reason != "" {
		t.Fatalf("status %s (%s), want %s", pr.Status, pr.Reason, Limited)
	}
	near(t, "observed", *pr.Observed, 0.248051441, 1e-8)
	near(t, "required", *pr.Required, 0.460489108, 1e-8)
	near(t, "ratio", *pr.Ratio, 0.538669507, 1e-8)
	near(t, "still required", *pr.StillRequired, 1.0, 1e-12) // 500 → 1000 in one year
	f := pr.Forecast
	if !f.OK || f.N != 3 || f.Year != 2015 {
		t.Fatalf("forecast %+v", f)
	}
	near(t, "t quantile", f.T(), 3.077683537, 1e-8)
	near(t, "forecast", f.Value, 623.701298, 1e-8)
	near(t, "forecast lo", f.Lo, 619.253108, 1e-8)
	near(t, "forecast hi", f.Hi, 628.181441, 1e-8)
	near(t, "trend growth", f.Growth, 0.248051441, 1e-8)
}

func TestForecastFourPoints(t *testing.T) {
	f := ForecastTo(pts(2012, 100, 130, 150, 200), 2017)
	if !f.OK || f.N != 4 {
		t.Fatalf("forecast %+v", f)
	}
	near(t, "t quantile", f.T(), 1.885618083, 1e-8)
	near(t, "forecast", f.Value, 305.914044, 1e-8)
	near(t, "lo", f.Lo, 262.053426, 1e-8)
	near(t, "hi", f.Hi, 357.115736, 1e-8)
}

func TestForecastNeedsThreeUsablePoints(t *testing.T) {
	if f := ForecastTo(pts(2012, 321, 400), 2015); f.OK || f.N != 2 {
		t.Fatalf("two points gave a forecast: %+v", f)
	}
	// A lower bound (超…) is not a value: it does not count as a point.
	p := pts(2012, 321, 400, 500)
	p[1].Qualifier = "over"
	if f := ForecastTo(p, 2015); f.OK || f.N != 2 {
		t.Fatalf("a bound was fitted: %+v", f)
	}
	if f := ForecastTo(nil, 2015); f.OK || f.N != 0 {
		t.Fatalf("no points: %+v", f)
	}
}

func TestAssessStatuses(t *testing.T) {
	spec := Spec{Comparison: ">=", Target: 100, TargetYear: 2020}
	for _, c := range []struct {
		name     string
		baseline *Point
		actuals  []Point
		status   string
		reason   string
	}{
		{"nothing", nil, nil, NoData, ReasonNoActual},
		{"only the baseline", &Point{Year: 2012, Value: 50}, pts(2012, 50), NoData, ReasonOnlyBase},
		{"achieved early", nil, pts(2012, 50, 100), Achieved, ""},
		{"on track", nil, pts(2012, 50, 60), OnTrack, ""},                 // 20% a year against 9.05% required
		{"acceleration needed", nil, pts(2012, 50, 54), Acceleration, ""}, // 8% / 9.05% = 0.88
		{"limited", nil, pts(2012, 50, 51), Limited, ""},
		{"deteriorating", nil, pts(2012, 50, 45), Deteriorating, ""},
		{"missed", nil, []Point{{Year: 2012, Value: 50}, {Year: 2020, Value: 90}}, Missed, ""},
		{"bound at the start", &Point{Year: 2012, Value: 50, Qualifier: "over"}, []Point{{Year: 2012, Value: 50, Qualifier: "over"}, {Year: 2014, Value: 70}}, NoData, ReasonInexact},
	} {
		pr := Assess(spec, c.baseline, c.actuals)
		if pr.Status != c.status || pr.Reason != c.reason {
			t.Errorf("%s: %s (%s), want %s (%s)", c.name, pr.Status, pr.Reason, c.status, c.reason)
		}
	}
	// ">": reaching the target exactly is not exceeding it; a lower bound equal to it is.
	gt := Spec{Comparison: ">", Target: 100, TargetYear: 2020}
	if gt.Met(Point{Value: 100}) || !gt.Met(Point{Value: 100, Qualifier: "over"}) || !gt.Met(Point{Value: 100.5}) {
		t.Error("Met with > is wrong")
	}
	if !spec.Met(Point{Value: 100}) || spec.Met(Point{Value: 99.99}) {
		t.Error("Met with >= is wrong")
	}
	// Only the baseline: the growth required is still stated.
	pr := Assess(Spec{Comparison: ">", Target: 1000, TargetYear: 2015}, &Point{Year: 2012, Value: 321}, pts(2012, 321))
	near(t, "required from the baseline only", *pr.Required, 0.460489108, 1e-8)
	near(t, "still required", *pr.StillRequired, 0.460489108, 1e-8)
	if pr.Observed != nil || pr.Forecast.OK {
		t.Errorf("one point gave an observed rate or a forecast: %+v", pr)
	}
}

func TestPath(t *testing.T) {
	p := Path(&Point{Year: 2012, Value: 321}, Spec{Target: 1000, TargetYear: 2015})
	if len(p) != 4 || p[0].Year != 2012 || p[3].Year != 2015 || p[3].Value != 1000 {
		t.Fatalf("path %+v", p)
	}
	near(t, "2013 on the path", p[1].Value, 321*1.460489108, 1e-8)
	near(t, "2014 on the path", p[2].Value, 321*1.460489108*1.460489108, 1e-8)
	if p := Path(nil, Spec{Target: 25, TargetYear: 2020}); len(p) != 1 || p[0].Value != 25 {
		t.Fatalf("no baseline: %+v", p)
	}
}
