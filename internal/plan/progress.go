// Package plan tracks plans → stages → targets against the statistics: progress per target
// (the Statistics Canada method that Open SDG uses), the growth still required, and a
// forecast to the target year with its interval; and the dashboard's reads.
//
// The formulas are pure functions of numbers (this file) so that tests check them against
// hand-computed values; the use cases that read the database are in service.go.
package plan

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Status bands of a target. The four middle ones are Statistics Canada's bands as Open SDG
// uses them: the ratio of the observed to the required compound annual growth rate.
const (
	Achieved      = "achieved"            // the latest value meets the target
	OnTrack       = "on_track"            // observed/required ≥ 95%
	Acceleration  = "acceleration_needed" // 60% ≤ observed/required < 95%
	Limited       = "limited_progress"    // 0 ≤ observed/required < 60%
	Deteriorating = "deteriorating"       // observed/required < 0: moving away
	Missed        = "missed"              // the target year has a value and it falls short
	NoData        = "no_data"             // nothing comparable after the baseline: no status is guessed
)

// Band thresholds (Open SDG's progress calculation defaults for targets with a value).
const (
	onTrackRatio      = 0.95
	accelerationRatio = 0.60
)

// Reasons say why a target has no status (catalogue keys plan.reason.*).
const (
	ReasonNoActual    = "no_actual"    // no value on the target's basis at all
	ReasonOnlyBase    = "only_base"    // only the baseline year has a value
	ReasonInexact     = "inexact"      // the baseline or latest value is a bound (超…), not a value
	ReasonNonPositive = "non_positive" // growth rates need positive values
)

// Point is one annual value of a series, with where it came from.
type Point struct {
	Year         int
	Period       string
	Value        float64 // in the indicator's unit
	Micro        int64
	Qualifier    string // "", "about", "over" (a lower bound)
	Source       string
	SourceStatus string
	Quote        string
	Note         string
	Status       string      // draft, submitted, approved
	Origin       string      // "fact": the region's own figure; "r"/"e": a roll-up of counties/enterprises
	N            int64       // how many figures a roll-up sums
	Derived      *Derivation // for Origin "derived": the two inputs it was computed from
}

// Spec is what a target asks: a value compared (>= or >) to Target by TargetYear.
type Spec struct {
	Comparison string
	Target     float64
	TargetYear int
}

// Met reports whether a value meets the target. A value the source gives as a lower bound
// ("over": the true value is above it) meets ≥ T and > T when the bound itself is ≥ T.
func (s Spec) Met(p Point) bool {
	if p.Qualifier == "over" {
		return p.Value >= s.Target
	}
	if s.Comparison == ">" {
		return p.Value > s.Target
	}
	return p.Value >= s.Target
}

// CAGR is the compound annual growth rate from v0 to v1 over years years, as a fraction
// (0.1 is 10% a year). ok is false when it is undefined (non-positive values or span).
func CAGR(v0, v1 float64, years int) (rate float64, ok bool) {
	if v0 <= 0 || v1 <= 0 || years <= 0 {
		return 0, false
	}
	return math.Pow(v1/v0, 1/float64(years)) - 1, true
}

// Band is the status band of observed against required compound growth (both fractions,
// required > 0).
func Band(observed, required float64) string {
	r := observed / required
	switch {
	case r >= onTrackRatio:
		return OnTrack
	case r >= accelerationRatio:
		return Acceleration
	case r >= 0:
		return Limited
	}
	return Deteriorating
}

// Progress is the assessment of one target.
type Progress struct {
	Status        string
	Reason        string // why Status is NoData (a Reason* constant), else ""
	Baseline      *Point
	Latest        *Point
	Observed      *float64 // compound annual growth, baseline → latest
	Required      *float64 // compound annual growth, baseline → target
	Ratio         *float64 // Observed / Required
	StillRequired *float64 // compound annual growth, latest → target, while the target year is ahead
	Forecast      Forecast
}

func ptr(v float64) *float64 { return &v }

// Assess measures actuals (the target's own series, any order) against spec. baseline is
// the target's stated baseline when it is on the same basis as actuals, else nil: then the
// earliest actual is the baseline, as Open SDG does when a series starts after its base
// year. Nothing is assessed on an inexact value, and no status is guessed without a value
// after the baseline.
func Assess(spec Spec, baseline *Point, actuals []Point) Progress {
	pts := append([]Point(nil), actuals...)
	sort.Slice(pts, func(i, j int) bool { return pts[i].Year < pts[j].Year })
	var pr Progress
	if baseline == nil && len(pts) > 0 {
		b := pts[0]
		baseline = &b
	}
	pr.Baseline = baseline
	if len(pts) > 0 {
		l := pts[len(pts)-1]
		pr.Latest = &l
	}
	pr.Forecast = ForecastTo(pts, spec.TargetYear)
	if baseline != nil && baseline.Qualifier != "over" {
		if r, ok := CAGR(baseline.Value, spec.Target, spec.TargetYear-baseline.Year); ok {
			pr.Required = ptr(r)
		}
	}
	latest := pr.Latest
	if latest == nil {
		latest = baseline
	}
	if latest != nil && latest.Qualifier != "over" && spec.TargetYear > latest.Year {
		if r, ok := CAGR(latest.Value, spec.Target, spec.TargetYear-latest.Year); ok {
			pr.StillRequired = ptr(r)
		}
	}
	switch {
	case pr.Latest == nil:
		pr.Status, pr.Reason = NoData, ReasonNoActual
		return pr
	case spec.Met(*pr.Latest):
		pr.Status = Achieved
		return pr
	case pr.Latest.Year >= spec.TargetYear:
		pr.Status = Missed
		return pr
	case pr.Latest.Year <= baseline.Year:
		pr.Status, pr.Reason = NoData, ReasonOnlyBase
		return pr
	case baseline.Qualifier == "over" || pr.Latest.Qualifier == "over":
		pr.Status, pr.Reason = NoData, ReasonInexact
		return pr
	}
	obs, ok := CAGR(baseline.Value, pr.Latest.Value, pr.Latest.Year-baseline.Year)
	if !ok || pr.Required == nil {
		pr.Status, pr.Reason = NoData, ReasonNonPositive
		return pr
	}
	pr.Observed = ptr(obs)
	if *pr.Required <= 0 {
		// The baseline already met the target and the latest value no longer does.
		pr.Status = Deteriorating
		return pr
	}
	pr.Ratio = ptr(obs / *pr.Required)
	pr.Status = Band(obs, *pr.Required)
	return pr
}

// MinForecastPoints is the fewest points a trend is fitted to; with fewer, the forecast
// says "not enough data" instead of guessing.
const MinForecastPoints = 3

// ForecastLevel is the coverage of the forecast interval.
const ForecastLevel = 0.80

// Forecast is a log-linear trend fitted to a series and carried to a year: ln(value) = A +
// B·(year − X0), fitted by ordinary least squares (gonum stat.LinearRegression), with a
// prediction interval from Student's t with n − 2 degrees of freedom.
type Forecast struct {
	OK     bool // false: fewer than MinForecastPoints usable points
	N      int  // points used
	Year   int
	Value  float64 // exp of the fitted log value: the trend's median forecast
	Lo, Hi float64 // ForecastLevel prediction interval
	Growth float64 // exp(B) − 1: the trend's annual growth
	A, B   float64
	X0     int     // year the fit is centred on
	xMean  float64 // of year − X0
	sxx    float64
	s      float64 // residual standard error of ln(value)
	t      float64 // Student's t quantile for ForecastLevel
}

// ForecastTo fits the trend to the usable points (positive values that are not bounds)
// and evaluates it at year.
func ForecastTo(points []Point, year int) Forecast {
	var xs, ys []float64
	x0 := 0
	for _, p := range points {
		if p.Value <= 0 || p.Qualifier == "over" {
			continue
		}
		if len(xs) == 0 {
			x0 = p.Year
		}
		xs = append(xs, float64(p.Year-x0))
		ys = append(ys, math.Log(p.Value))
	}
	f := Forecast{N: len(xs), Year: year, X0: x0}
	if len(xs) < MinForecastPoints {
		return f
	}
	// Distinct years are needed for a slope; repeated years would make Sxx zero.
	f.xMean = stat.Mean(xs, nil)
	for _, x := range xs {
		f.sxx += (x - f.xMean) * (x - f.xMean)
	}
	if f.sxx == 0 {
		return f
	}
	f.A, f.B = stat.LinearRegression(xs, ys, nil, false)
	var sse float64
	for i, x := range xs {
		r := ys[i] - (f.A + f.B*x)
		sse += r * r
	}
	df := float64(len(xs) - 2)
	f.s = math.Sqrt(sse / df)
	f.t = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - (1-ForecastLevel)/2)
	f.OK = true
	f.Growth = math.Exp(f.B) - 1
	f.Value, f.Lo, f.Hi = f.At(year)
	return f
}

// At evaluates the trend and its prediction interval at year.
func (f Forecast) At(year int) (value, lo, hi float64) {
	if !f.OK {
		return 0, 0, 0
	}
	x := float64(year - f.X0)
	y := f.A + f.B*x
	se := f.s * math.Sqrt(1+1/float64(f.N)+(x-f.xMean)*(x-f.xMean)/f.sxx)
	return math.Exp(y), math.Exp(y - f.t*se), math.Exp(y + f.t*se)
}

// T is the Student's t quantile the interval uses (for showing the method).
func (f Forecast) T() float64 { return f.t }

// PathPoint is a year of the target path.
type PathPoint struct {
	Year  int
	Value float64
}

// Path is the target path: the constant compound growth that takes the baseline to the
// target in the target year (only the target itself when there is no usable baseline).
func Path(baseline *Point, spec Spec) []PathPoint {
	if baseline == nil || baseline.Qualifier == "over" || baseline.Year >= spec.TargetYear {
		return []PathPoint{{spec.TargetYear, spec.Target}}
	}
	r, ok := CAGR(baseline.Value, spec.Target, spec.TargetYear-baseline.Year)
	if !ok {
		return []PathPoint{{spec.TargetYear, spec.Target}}
	}
	var out []PathPoint
	for y := baseline.Year; y <= spec.TargetYear; y++ {
		out = append(out, PathPoint{y, baseline.Value * math.Pow(1+r, float64(y-baseline.Year))})
	}
	out[len(out)-1].Value = spec.Target // exact at the end, whatever the rounding
	return out
}
