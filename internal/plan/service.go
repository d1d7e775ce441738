package plan

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Service runs the plan use cases: reading plans with the progress of every target, one
// target with its series, and the dashboard.
type Service struct {
	DB  *store.DB
	Now func() time.Time // the clock of audit records; nil: time.Now
}

// scope is what a caller may read of the figures behind plans and the dashboard. It
// follows stats.Scope, the one place that decides who reads which facts: planners,
// regulators, admins and county officers read every region-level figure and the roll-ups
// (county officers read city-wide aggregates); viewers read published (approved)
// region-level figures only. Enterprise users read their own figures in the statistics
// pages; here, where only region-level figures appear, they get the published view, and
// neither they nor viewers get roll-ups of enterprises, which in a small county could
// reveal another enterprise's figure.
type scope struct {
	approvedOnly      bool
	enterpriseRollups bool
}

func readScope(p *auth.Principal) (scope, error) {
	s, err := stats.Scope(p)
	if err != nil {
		return scope{}, err
	}
	if s.All || s.Region != "" {
		return scope{enterpriseRollups: true}, nil
	}
	return scope{approvedOnly: true}, nil
}

// Refs are the small reference tables a page names things with.
type Refs struct {
	Indicators map[string]store.Indicator
	Industries map[string]store.Industry
	Sources    map[string]store.Source
	SourceList []store.Source // in display order
}

func (s *Service) refs(ctx context.Context) (*Refs, error) {
	r := &Refs{Indicators: map[string]store.Indicator{}, Industries: map[string]store.Industry{}, Sources: map[string]store.Source{}}
	inds, err := s.DB.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range inds {
		r.Indicators[i.Code] = i
	}
	industries, err := s.DB.Industries(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range industries {
		r.Industries[i.Code] = i
	}
	sources, err := s.DB.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range sources {
		r.Sources[x.Code] = x
	}
	r.SourceList = sources
	return r, nil
}

// TargetView is a target with everything its pages show.
type TargetView struct {
	store.PlanTarget
	Stage     store.PlanStage
	Ind       store.Indicator
	Industry  store.Industry
	Spec      Spec
	Stated    *Point          // the stated baseline figure, whatever its basis
	StatedInd store.Indicator // its indicator
	SameBasis bool            // the stated baseline lies on the target's own series
	Actuals   []Point         // the target's own series: indicator × region × industry
	Progress  Progress
	Path      []PathPoint
	Other     []Point         // figures on another basis, shown apart, never as progress
	OtherInd  store.Indicator // their indicator
}

// BasisMismatch reports whether the stated baseline is on another basis than the target.
func (t TargetView) BasisMismatch() bool { return t.Stated != nil && !t.SameBasis }

// year reads an annual period; other periods are not part of an annual target's series.
func year(period string) (int, bool) {
	if len(period) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(period)
	return y, err == nil
}

func pointOf(d store.FactDetail) Point {
	y, _ := year(d.Period)
	return Point{Year: y, Period: d.Period, Value: stats.Micro(d.Value).Float(), Micro: d.Value, Qualifier: d.Qualifier,
		Source: d.Source, SourceStatus: d.SourceStatus, Quote: d.Quote, Note: d.Note, Status: d.Status, Origin: "fact"}
}

// rollupPoint is a roll-up as a value: the sum, or the mean for an averaged indicator;
// published views use the approved part only. ok is false when nothing is there.
func rollupPoint(r store.Rollup, ind store.Indicator, sc scope) (Point, bool) {
	sum, n := r.Sum, r.N
	if sc.approvedOnly {
		sum, n = r.ApprovedSum, r.ApprovedN
	}
	if n <= 0 {
		return Point{}, false
	}
	v := sum
	if ind.Aggregation == "average" {
		v = sum / n
	}
	y, _ := year(r.Period)
	status := "approved"
	switch {
	case sc.approvedOnly || r.ApprovedN == r.N:
	case r.ApprovedN == 0:
		status = "unapproved" // drafts or submissions, none approved yet
	default:
		status = "mixed"
	}
	return Point{Year: y, Period: r.Period, Value: stats.Micro(v).Float(), Micro: v, Origin: r.Basis, N: n, Status: status}, true
}

// ik names a series of a region: indicator × industry.
type ik struct{ ind, industry string }

// figures reads every series of region that keys name, in two queries (the region's own
// figures, and the roll-ups of its counties and enterprises), and merges each series: the
// region's own figure for a period, else the roll-up of its counties, else of its
// enterprises. Every read probes the primary key of fact_current or rollups.
func (s *Service) figures(ctx context.Context, refs *Refs, region string, keys []ik, sc scope) (map[ik][]Point, error) {
	indSet, industrySet := map[string]bool{}, map[string]bool{}
	var inds, industries []string
	for _, k := range keys {
		if k.ind == "" || k.industry == "" {
			continue
		}
		if !indSet[k.ind] {
			indSet[k.ind] = true
			inds = append(inds, k.ind)
		}
		if !industrySet[k.industry] {
			industrySet[k.industry] = true
			industries = append(industries, k.industry)
		}
	}
	own, err := s.DB.RegionFigures(ctx, region, inds, industries, sc.approvedOnly)
	if err != nil {
		return nil, err
	}
	bases := []string{"r"}
	if sc.enterpriseRollups {
		bases = append(bases, "e")
	}
	rolls, err := s.DB.RegionRollups(ctx, region, bases, inds, industries)
	if err != nil {
		return nil, err
	}
	out := map[ik][]Point{}
	have := map[ik]map[string]bool{}
	mark := func(k ik, period string) {
		if have[k] == nil {
			have[k] = map[string]bool{}
		}
		have[k][period] = true
	}
	for _, d := range own {
		k := ik{d.Indicator, d.Industry}
		mark(k, d.Period)
		out[k] = append(out[k], pointOf(d))
	}
	for _, b := range bases { // counties before enterprises
		for _, r := range rolls {
			ind := refs.Indicators[r.Indicator]
			if r.Basis != b || (ind.Aggregation != "sum" && ind.Aggregation != "average") {
				continue
			}
			k := ik{r.Indicator, r.Industry}
			if have[k][r.Period] {
				continue
			}
			if p, ok := rollupPoint(r, ind, sc); ok {
				mark(k, r.Period)
				out[k] = append(out[k], p)
			}
		}
	}
	for k := range out {
		pts := out[k]
		sort.Slice(pts, func(i, j int) bool { return pts[i].Period < pts[j].Period })
	}
	return out, nil
}

// annual keeps the annual points of a series: targets are set for years.
func annual(pts []Point) []Point {
	var out []Point
	for _, p := range pts {
		if _, ok := year(p.Period); ok {
			out = append(out, p)
		}
	}
	return out
}

// baselineIndustry is the industry of a target's stated baseline.
func baselineIndustry(t store.PlanTarget) string {
	if t.BaselineIndustry != "" {
		return t.BaselineIndustry
	}
	return t.Industry
}

// targetKeys are the series a target's view needs: its own, its stated baseline's, and
// the figures on another basis.
func targetKeys(t store.PlanTarget) []ik {
	ks := []ik{{t.Indicator, t.Industry}}
	if t.BaselineIndicator != "" {
		ks = append(ks, ik{t.BaselineIndicator, baselineIndustry(t)})
	}
	if t.OtherBasisIndicator != "" {
		ks = append(ks, ik{t.OtherBasisIndicator, t.Industry})
	}
	return ks
}

// view assesses one target from the series read.
func view(refs *Refs, t store.PlanTarget, stage store.PlanStage, series map[ik][]Point) TargetView {
	v := TargetView{PlanTarget: t, Stage: stage, Ind: refs.Indicators[t.Indicator], Industry: refs.Industries[t.Industry]}
	v.Spec = Spec{Comparison: t.Comparison, Target: stats.Micro(t.Target).Float(), TargetYear: t.TargetYear}
	v.Actuals = annual(series[ik{t.Indicator, t.Industry}])
	if d := deriveRatio(refs, t, v.Actuals, series); len(d) > 0 {
		v.Actuals = append(v.Actuals, d...)
		sort.Slice(v.Actuals, func(i, j int) bool { return v.Actuals[i].Year < v.Actuals[j].Year })
	}
	var baseline *Point
	if t.BaselineIndicator != "" {
		industry := baselineIndustry(t)
		v.StatedInd = refs.Indicators[t.BaselineIndicator]
		for _, p := range series[ik{t.BaselineIndicator, industry}] {
			if p.Period == t.BaselinePeriod && p.Origin == "fact" {
				p := p
				v.Stated = &p
			}
		}
		if v.Stated != nil {
			v.SameBasis = t.BaselineIndicator == t.Indicator && industry == t.Industry
			if v.SameBasis {
				baseline = v.Stated
			}
		}
	}
	v.Progress = Assess(v.Spec, baseline, v.Actuals)
	v.Path = Path(v.Progress.Baseline, v.Spec)
	if t.OtherBasisIndicator != "" {
		v.OtherInd = refs.Indicators[t.OtherBasisIndicator]
		v.Other = annual(series[ik{t.OtherBasisIndicator, t.Industry}])
	}
	return v
}

// views assesses targets, reading the figures of each region once.
func (s *Service) views(ctx context.Context, refs *Refs, targets []store.PlanTarget, stages map[string]store.PlanStage, sc scope) ([]TargetView, error) {
	keys := map[string][]ik{}
	for _, t := range targets {
		keys[t.Region] = append(keys[t.Region], targetKeys(t)...)
		keys[t.Region] = append(keys[t.Region], ratioKeys(refs, t)...)
	}
	series := map[string]map[ik][]Point{}
	for region, ks := range keys {
		f, err := s.figures(ctx, refs, region, ks, sc)
		if err != nil {
			return nil, err
		}
		series[region] = f
	}
	out := make([]TargetView, len(targets))
	for i, t := range targets {
		out[i] = view(refs, t, stages[t.StageCode], series[t.Region])
	}
	return out, nil
}

// StageView is a stage with its assessed targets.
type StageView struct {
	store.PlanStage
	Targets []TargetView
}

// GoalView is a named goal with its industry.
type GoalView struct {
	store.PlanGoal
	Industry store.Industry
}

// ZoneView is a zone of the regional layout with its members.
type ZoneView struct {
	Region  store.Region
	Info    store.ZoneInfo
	Members []store.Region
}

// Overview is a plan with every stage, target, goal and the regional layout.
type Overview struct {
	Plan   store.Plan
	Region store.Region
	Stages []StageView
	Goals  []GoalView
	Layout []ZoneView
	Counts map[string]int // targets per status
	Refs   *Refs
}

// Targets lists the targets of every stage in order.
func (o Overview) Targets() []TargetView {
	var out []TargetView
	for _, s := range o.Stages {
		out = append(out, s.Targets...)
	}
	return out
}

// ErrNoPlan is returned when no plan is loaded.
func errNoPlan() error { return apperr.Missing("plan") }

// Overview reads plan code ("" the first plan) with the progress of every target and the
// regional layout.
func (s *Service) Overview(ctx context.Context, p *auth.Principal, code string) (Overview, error) {
	sc, err := readScope(p)
	if err != nil {
		return Overview{}, err
	}
	return s.overview(ctx, sc, code, true)
}

func (s *Service) overview(ctx context.Context, sc scope, code string, withLayout bool) (Overview, error) {
	var o Overview
	var err error
	if code == "" {
		plans, err := s.DB.Plans(ctx)
		if err != nil {
			return o, err
		}
		if len(plans) == 0 {
			return o, errNoPlan()
		}
		o.Plan = plans[0]
	} else if o.Plan, err = s.DB.PlanByCode(ctx, code); errors.Is(err, store.ErrNotFound) {
		return o, errNoPlan()
	} else if err != nil {
		return o, err
	}
	if o.Refs, err = s.refs(ctx); err != nil {
		return o, err
	}
	if o.Region, err = s.DB.RegionByCode(ctx, o.Plan.RegionCode); err != nil {
		return o, err
	}
	stages, err := s.DB.PlanStages(ctx, o.Plan.Code)
	if err != nil {
		return o, err
	}
	targets, err := s.DB.PlanTargets(ctx, o.Plan.Code)
	if err != nil {
		return o, err
	}
	byCode := map[string]store.PlanStage{}
	for _, st := range stages {
		byCode[st.Code] = st
	}
	views, err := s.views(ctx, o.Refs, targets, byCode, sc)
	if err != nil {
		return o, err
	}
	o.Counts = map[string]int{}
	for _, st := range stages {
		sv := StageView{PlanStage: st}
		for _, v := range views {
			if v.StageCode == st.Code {
				o.Counts[v.Progress.Status]++
				sv.Targets = append(sv.Targets, v)
			}
		}
		o.Stages = append(o.Stages, sv)
	}
	goals, err := s.DB.PlanGoals(ctx, o.Plan.Code)
	if err != nil {
		return o, err
	}
	for _, g := range goals {
		o.Goals = append(o.Goals, GoalView{PlanGoal: g, Industry: o.Refs.Industries[g.IndustryCode]})
	}
	if !withLayout {
		return o, nil
	}
	zones, err := s.DB.Layout(ctx)
	for _, z := range zones {
		o.Layout = append(o.Layout, ZoneView{Region: z.Region, Info: z.Info, Members: z.Members})
	}
	return o, err
}

// Target reads one target with its series, progress and forecast.
func (s *Service) Target(ctx context.Context, p *auth.Principal, code string) (TargetView, *Refs, error) {
	sc, err := readScope(p)
	if err != nil {
		return TargetView{}, nil, err
	}
	t, err := s.DB.PlanTargetByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return TargetView{}, nil, apperr.Missing("plan_target")
	} else if err != nil {
		return TargetView{}, nil, err
	}
	stage, err := s.DB.PlanStageByCode(ctx, t.StageCode)
	if err != nil {
		return TargetView{}, nil, err
	}
	refs, err := s.refs(ctx)
	if err != nil {
		return TargetView{}, nil, err
	}
	vs, err := s.views(ctx, refs, []store.PlanTarget{t}, map[string]store.PlanStage{stage.Code: stage}, sc)
	if err != nil {
		return TargetView{}, nil, err
	}
	return vs[0], refs, nil
}
