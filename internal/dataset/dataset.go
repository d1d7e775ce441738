// Package dataset loads a dataset into the database: the built-in default (the Ganzhou of
// the article) or a directory of the same files. Loading is idempotent and audited: a
// record that is already there unchanged is left alone; a changed one is updated with its
// before and after in the audit log; all of it in one transaction.
package dataset

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/enterprise"
	"zhanxin/internal/resource"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

//go:embed default
var defaultFS embed.FS

// Default is the built-in dataset.
func Default() fs.FS {
	sub, _ := fs.Sub(defaultFS, "default")
	return sub
}

// Dir is a dataset in a directory on disk.
func Dir(path string) (fs.FS, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("dataset directory %q does not exist / 数据集目录 %q 不存在", path, path)
	}
	return os.DirFS(path), nil
}

// Summary counts what a load did.
type Summary struct {
	Created, Updated, Unchanged int
}

type regionRow struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Kind       string `json:"kind"`
	ParentCode string `json:"parent_code"`
	Aliases    string `json:"aliases"`
	Source     string `json:"source"`
}

type enterpriseRow struct {
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	USCC       string `json:"uscc"`
	RegionCode string `json:"region_code"`
	Note       string `json:"note"`
	Source     string `json:"source"`
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apperr.New(apperr.Invalid, "bad_dataset", "err.dataset.json", name, err.Error())
	}
	return nil
}

// The files of a dataset, each optional, in the order they load (a later file refers to
// codes of an earlier one):
//
//	regions.json      the nation, provinces, the city and its counties (GB/T 2260)
//	enterprises.json  enterprises the sources name
//	sources.json      the sources figures cite by code (the article, REFERENCE.md's G1 …)
//	industries.json   the industry hierarchy with its 战略性新兴产业分类（2018）mapping
//	indicators.json   indicators: unit, period type, aggregation, bounds
//	zones.json        functional and layout zones (regions of kind zone), their role and members
//	facts.json        published figures, loaded approved through the statistics rules
//	plans.json        plans → stages → targets, and goals without a number
//	chains.json       industrial chains: links, edges, enterprise industries, placements
//	parks.json        parks and bases with their industries; which targets measure each goal
//	classes.json      enterprise classes, their default criteria, designations by a source
//	funds.json        funds (红石, 盛虔, the proposed 稀土钨产业发展基金); sizes only where given
//	innovation.json   innovation platforms, alliances and talent programmes the article names
//	policy.json       policy documents and instruments, with eligibility classes and rates
//
// article.zh-Hans.txt, beside them, is the article itself: tests check every quote of a
// figure against it; the loader does not read it.

type sourceRow struct {
	Code      string `json:"code"`
	TitleZh   string `json:"title_zh"`
	TitleEn   string `json:"title_en"`
	Publisher string `json:"publisher"`
	URL       string `json:"url"`
	Note      string `json:"note"`
	SortOrder int    `json:"sort_order"`
}

type industryRow struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	ParentCode string `json:"parent_code"`
	SEICode    string `json:"sei_code"`
	SEINote    string `json:"sei_note"`
	Sunrise    bool   `json:"sunrise"`
	SortOrder  int    `json:"sort_order"`
	Source     string `json:"source"`
}

// indicatorRow gives bounds as decimals in the indicator's unit; null is unbounded.
type indicatorRow struct {
	Code            string  `json:"code"`
	NameZh          string  `json:"name_zh"`
	NameEn          string  `json:"name_en"`
	Unit            string  `json:"unit"`
	PeriodType      string  `json:"period_type"`
	Aggregation     string  `json:"aggregation"`
	NumeratorCode   string  `json:"numerator_code"`
	DenominatorCode string  `json:"denominator_code"`
	PartOf          string  `json:"part_of"`
	Decimals        int     `json:"decimals"`
	Min             *string `json:"min"`
	Max             *string `json:"max"`
	GrowthMin       *string `json:"growth_min"`
	GrowthMax       *string `json:"growth_max"`
	SortOrder       int     `json:"sort_order"`
	Source          string  `json:"source"`
}

type zoneRow struct {
	Code       string   `json:"code"`
	NameZh     string   `json:"name_zh"`
	NameEn     string   `json:"name_en"`
	ParentCode string   `json:"parent_code"`
	Aliases    string   `json:"aliases"`
	Role       string   `json:"role"`
	Members    []string `json:"members"`
	Note       string   `json:"note"`
	Quote      string   `json:"quote"`
	Source     string   `json:"source"`
	SortOrder  int      `json:"sort_order"`
}

type factRow struct {
	Indicator    string `json:"indicator"`
	Region       string `json:"region"`
	Industry     string `json:"industry"`
	Period       string `json:"period"`
	Value        string `json:"value"`
	Unit         string `json:"unit"`
	Source       string `json:"source"`
	SourceStatus string `json:"source_status"`
	Qualifier    string `json:"qualifier"`
	Quote        string `json:"quote"`
	Note         string `json:"note"`
}

type planFile struct {
	Plans   []store.Plan      `json:"plans"`
	Stages  []store.PlanStage `json:"stages"`
	Goals   []store.PlanGoal  `json:"goals"`
	Targets []targetRow       `json:"targets"`
}

// targetRow gives the target value as written with its unit; it is converted exactly into
// the indicator's unit.
type targetRow struct {
	Code                string `json:"code"`
	StageCode           string `json:"stage_code"`
	NameZh              string `json:"name_zh"`
	NameEn              string `json:"name_en"`
	Indicator           string `json:"indicator_code"`
	Region              string `json:"region_code"`
	Industry            string `json:"industry_code"`
	Comparison          string `json:"comparison"`
	TargetValue         string `json:"target_value"`
	TargetUnit          string `json:"target_unit"`
	TargetEntered       string `json:"target_entered"`
	TargetYear          int    `json:"target_year"`
	BaselineIndicator   string `json:"baseline_indicator"`
	BaselineIndustry    string `json:"baseline_industry"`
	BaselinePeriod      string `json:"baseline_period"`
	OtherBasisIndicator string `json:"other_basis_indicator"`
	BasisNote           string `json:"basis_note"`
	Note                string `json:"note"`
	Source              string `json:"source"`
	Quote               string `json:"quote"`
	SortOrder           int    `json:"sort_order"`
}

// UnmarshalJSON reads the store types of plans.json by their snake_case names.
func (f *planFile) UnmarshalJSON(b []byte) error {
	var raw struct {
		Plans []struct {
			Code       string `json:"code"`
			NameZh     string `json:"name_zh"`
			NameEn     string `json:"name_en"`
			RegionCode string `json:"region_code"`
			BaseYear   int    `json:"base_year"`
			EndYear    int    `json:"end_year"`
			Source     string `json:"source"`
			Quote      string `json:"quote"`
			Note       string `json:"note"`
			SortOrder  int    `json:"sort_order"`
		} `json:"plans"`
		Stages []struct {
			Code      string `json:"code"`
			PlanCode  string `json:"plan_code"`
			NameZh    string `json:"name_zh"`
			NameEn    string `json:"name_en"`
			Year      int    `json:"year"`
			Quote     string `json:"quote"`
			SortOrder int    `json:"sort_order"`
		} `json:"stages"`
		Goals []struct {
			Code         string `json:"code"`
			PlanCode     string `json:"plan_code"`
			NameZh       string `json:"name_zh"`
			NameEn       string `json:"name_en"`
			IndustryCode string `json:"industry_code"`
			Quote        string `json:"quote"`
			SortOrder    int    `json:"sort_order"`
		} `json:"goals"`
		Targets []targetRow `json:"targets"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, p := range raw.Plans {
		f.Plans = append(f.Plans, store.Plan(p))
	}
	for _, s := range raw.Stages {
		f.Stages = append(f.Stages, store.PlanStage(s))
	}
	for _, g := range raw.Goals {
		f.Goals = append(f.Goals, store.PlanGoal(g))
	}
	f.Targets = raw.Targets
	return nil
}

// contents is everything a dataset holds.
type contents struct {
	regions    []regionRow
	ents       []enterpriseRow
	sources    []sourceRow
	industries []industryRow
	indicators []indicatorRow
	zones      []zoneRow
	facts      []factRow
	plans      planFile
	chains     chainFile
	parks      parkFile
	classes    classFile
	funds      fundFile
	innovation unitFile
	policy     policyFile
	products   []productRow
	deposits   []resource.NewDeposit
	quotas     quotaFile
}

func read(fsys fs.FS) (*contents, error) {
	c := &contents{}
	for _, f := range []struct {
		name string
		v    any
	}{{"regions.json", &c.regions}, {"enterprises.json", &c.ents}, {"sources.json", &c.sources},
		{"industries.json", &c.industries}, {"indicators.json", &c.indicators}, {"zones.json", &c.zones},
		{"facts.json", &c.facts}, {"plans.json", &c.plans}, {"chains.json", &c.chains}, {"parks.json", &c.parks},
		{"classes.json", &c.classes}, {"funds.json", &c.funds},
		{"innovation.json", &c.innovation}, {"policy.json", &c.policy},
		{"products.json", &c.products}, {"deposits.json", &c.deposits}, {"quotas.json", &c.quotas}} {
		if err := readJSON(fsys, f.name, f.v); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func rowErr(file string, i int, what string, cause error) error {
	e := apperr.New(apperr.Invalid, "bad_dataset", "err.dataset.row", file, i+1, what).Wrap(cause)
	var inner *apperr.Error
	if errors.As(cause, &inner) {
		e.Fields = inner.Fields // the row's own field problems, for the CLI and the page
	}
	return e
}

// validate checks what can be checked without the database, so that a bad file is refused
// before anything is written.
func (c *contents) validate() error {
	for i, e := range c.ents {
		if e.USCC != "" {
			if err := enterprise.ValidateUSCC(e.USCC); err != nil {
				return rowErr("enterprises.json", i, e.NameZh, err)
			}
		}
	}
	roles := map[string]bool{"functional": true, "core": true, "wing": true, "plate": true}
	for i, z := range c.zones {
		if !roles[z.Role] {
			return rowErr("zones.json", i, z.Code, fmt.Errorf("role %q is not functional, core, wing or plate", z.Role))
		}
	}
	for i, f := range c.facts {
		if !stats.Qualifiers[f.Qualifier] {
			return rowErr("facts.json", i, f.Indicator+"/"+f.Period, fmt.Errorf("qualifier %q is not '', about or over", f.Qualifier))
		}
		if f.Region == "" || f.Industry == "" || f.Source == "" {
			return rowErr("facts.json", i, f.Indicator+"/"+f.Period, fmt.Errorf("region, industry and source are required"))
		}
	}
	for i, t := range c.plans.Targets {
		if t.Comparison != ">=" && t.Comparison != ">" {
			return rowErr("plans.json", i, t.Code, fmt.Errorf("comparison %q is not >= or >", t.Comparison))
		}
		if (t.BaselineIndicator == "") != (t.BaselinePeriod == "") {
			return rowErr("plans.json", i, t.Code, fmt.Errorf("a baseline needs both its indicator and its period"))
		}
	}
	return nil
}

// Load loads fsys as p, all or nothing, in one transaction.
func Load(ctx context.Context, db *store.DB, p *auth.Principal, now time.Time, fsys fs.FS) (Summary, error) {
	var sum Summary
	if err := auth.Require(p, auth.LoadDataset); err != nil {
		return sum, err
	}
	c, err := read(fsys)
	if err != nil {
		return sum, err
	}
	if err := c.validate(); err != nil {
		return sum, err
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		l := &loader{ctx: ctx, tx: tx, p: p, now: now, sum: &sum,
			stats: &stats.Service{DB: db, Now: func() time.Time { return now }}}
		for _, step := range []func(*contents) error{l.regions, l.enterprises, l.sources, l.industries, l.indicators,
			l.zones, l.facts, l.plans, l.chainsStep, l.parks, l.classes, l.funds, l.units, l.policies,
			l.products, l.deposits, l.quotas} {
			if err := step(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	if sum.Created+sum.Updated > 0 {
		// Imports refresh the planner's statistics; a load must too, or PostgreSQL keeps
		// planning the dashboard's queries for the empty tables it saw before (until
		// autovacuum comes round) and may scan where it should probe. The load is
		// committed whatever happens here; a failed refresh leaves it to autovacuum.
		_ = db.AnalyzeStats(context.WithoutCancel(ctx))
	}
	return sum, nil
}

// loader writes one dataset inside one transaction.
type loader struct {
	ctx   context.Context
	tx    *store.Tx
	p     *auth.Principal
	now   time.Time
	sum   *Summary
	stats *stats.Service
}

// upsert is the one idempotent, audited write of a record: created when get finds nothing,
// left alone when it finds the same, else updated with before and after in the audit log.
func upsert[T any](l *loader, entity, id string, v T, get func() (T, error), same func(a, b T) bool, put func() error) error {
	old, err := get()
	switch {
	case errors.Is(err, store.ErrNotFound):
		if err := put(); err != nil {
			return fmt.Errorf("%s %s: %w", entity, id, err)
		}
		l.sum.Created++
		return audit.Record(l.ctx, l.tx, l.now, l.p, "dataset.load", entity, id, nil, v)
	case err != nil:
		return err
	case same(old, v):
		l.sum.Unchanged++
		return nil
	}
	if err := put(); err != nil {
		return fmt.Errorf("%s %s: %w", entity, id, err)
	}
	l.sum.Updated++
	return audit.Record(l.ctx, l.tx, l.now, l.p, "dataset.load", entity, id, old, v)
}

func eq[T comparable](a, b T) bool { return a == b }

func (l *loader) region(g store.Region) error {
	return upsert(l, "region", g.Code, g, func() (store.Region, error) { return l.tx.RegionByCode(l.ctx, g.Code) }, eq[store.Region],
		func() error { return l.tx.UpsertRegion(l.ctx, g) })
}

func (l *loader) regions(c *contents) error {
	for _, r := range c.regions {
		if err := l.region(store.Region(r)); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) enterprises(c *contents) error {
	ctx, tx := l.ctx, l.tx
	for _, r := range c.ents {
		e := store.Enterprise{NameZh: r.NameZh, NameEn: r.NameEn, USCC: r.USCC, RegionCode: r.RegionCode, Note: r.Note, Source: r.Source}
		old, err := tx.EnterpriseByName(ctx, e.NameZh)
		switch {
		case errors.Is(err, store.ErrNotFound):
			e.CreatedAt = l.now
			if e.ID, err = tx.InsertEnterprise(ctx, e); err != nil {
				return fmt.Errorf("enterprise %s: %w", e.NameZh, err)
			}
			l.sum.Created++
			if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "enterprise", fmt.Sprint(e.ID), nil, e); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			e.ID, e.CreatedAt = old.ID, old.CreatedAt
			if old == e {
				l.sum.Unchanged++
				continue
			}
			if err := tx.UpdateEnterprise(ctx, e); err != nil {
				return fmt.Errorf("enterprise %s: %w", e.NameZh, err)
			}
			l.sum.Updated++
			if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "enterprise", fmt.Sprint(e.ID), old, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loader) sources(c *contents) error {
	for _, r := range c.sources {
		s := store.Source(r)
		if err := upsert(l, "source", s.Code, s, func() (store.Source, error) { return l.tx.SourceByCode(l.ctx, s.Code) },
			eq[store.Source], func() error { return l.tx.UpsertSource(l.ctx, s) }); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) industries(c *contents) error {
	for _, r := range c.industries {
		i := store.Industry(r)
		if err := upsert(l, "industry", i.Code, i, func() (store.Industry, error) { return l.tx.IndustryByCode(l.ctx, i.Code) },
			eq[store.Industry], func() error { return l.tx.UpsertIndustry(l.ctx, i) }); err != nil {
			return err
		}
	}
	return nil
}

// bound converts a decimal bound in unit into micro; nil stays unbounded.
func bound(s *string, unit string) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	v, err := stats.ParseValue(*s, unit, unit)
	if err != nil {
		return nil, err
	}
	x := int64(v)
	return &x, nil
}

func samePtr(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// sameIndicator compares by value: the bounds are pointers.
func sameIndicator(a, b store.Indicator) bool {
	pa, pb := a, b
	pa.Min, pa.Max, pa.GrowthMin, pa.GrowthMax = nil, nil, nil, nil
	pb.Min, pb.Max, pb.GrowthMin, pb.GrowthMax = nil, nil, nil, nil
	return pa == pb && samePtr(a.Min, b.Min) && samePtr(a.Max, b.Max) && samePtr(a.GrowthMin, b.GrowthMin) && samePtr(a.GrowthMax, b.GrowthMax)
}

func (l *loader) indicators(c *contents) error {
	for n, r := range c.indicators {
		i := store.Indicator{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn, Unit: r.Unit, PeriodType: r.PeriodType,
			Aggregation: r.Aggregation, NumeratorCode: r.NumeratorCode, DenominatorCode: r.DenominatorCode, PartOf: r.PartOf,
			Decimals: r.Decimals, SortOrder: r.SortOrder, Source: r.Source}
		var err error
		for _, b := range []struct {
			dst **int64
			s   *string
			u   string
		}{{&i.Min, r.Min, r.Unit}, {&i.Max, r.Max, r.Unit}, {&i.GrowthMin, r.GrowthMin, "%"}, {&i.GrowthMax, r.GrowthMax, "%"}} {
			if *b.dst, err = bound(b.s, b.u); err != nil {
				return rowErr("indicators.json", n, r.Code, err)
			}
		}
		if err := upsert(l, "indicator", i.Code, i, func() (store.Indicator, error) { return l.tx.IndicatorByCode(l.ctx, i.Code) },
			sameIndicator, func() error { return l.tx.UpsertIndicator(l.ctx, i) }); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) zones(c *contents) error {
	// Every zone first, so that a zone may have another zone as a member (一核 ∋ 赣州经开区).
	for _, z := range c.zones {
		if err := l.region(store.Region{Code: z.Code, NameZh: z.NameZh, NameEn: z.NameEn, Kind: "zone", ParentCode: z.ParentCode,
			Aliases: z.Aliases, Source: z.Source}); err != nil {
			return err
		}
	}
	for n, z := range c.zones {
		info := store.ZoneInfo{Code: z.Code, Role: z.Role, Note: z.Note, Quote: z.Quote, SortOrder: z.SortOrder}
		if err := upsert(l, "zone", z.Code, info, func() (store.ZoneInfo, error) { return l.tx.ZoneInfoByCode(l.ctx, z.Code) },
			eq[store.ZoneInfo], func() error { return l.tx.UpsertZoneInfo(l.ctx, info) }); err != nil {
			return err
		}
		members := append([]string{}, z.Members...)
		sort.Strings(members)
		for _, m := range members {
			if _, err := l.tx.RegionByCode(l.ctx, m); err != nil {
				return rowErr("zones.json", n, z.Code, fmt.Errorf("member %s: %w", m, err))
			}
		}
		if len(members) == 0 {
			continue // a zone whose members the sources do not state has none
		}
		get := func() ([]string, error) {
			have, err := l.tx.ZoneMemberCodes(l.ctx, z.Code)
			if err == nil && len(have) == 0 {
				return nil, store.ErrNotFound
			}
			return have, err
		}
		if err := upsert(l, "zone_members", z.Code, members, get, slices.Equal[[]string],
			func() error { return l.tx.SetZoneMembers(l.ctx, z.Code, members) }); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) facts(c *contents) error {
	for n, f := range c.facts {
		res, err := l.stats.LoadPublished(l.ctx, l.tx, l.p, stats.Published{Input: stats.Input{Indicator: f.Indicator,
			Region: f.Region, Industry: f.Industry, Period: f.Period, Value: f.Value, Unit: f.Unit, Source: f.Source,
			SourceStatus: f.SourceStatus, Quote: f.Quote, Qualifier: f.Qualifier}, Note: f.Note}, l.now)
		switch {
		case err != nil:
			if apperr.From(err).Kind == apperr.Internal {
				return err
			}
			return rowErr("facts.json", n, f.Indicator+"/"+f.Industry+"/"+f.Period, err)
		case res.Unchanged:
			l.sum.Unchanged++
		case res.Fact.Revision == 1:
			l.sum.Created++
		default:
			l.sum.Updated++
		}
	}
	return nil
}

func (l *loader) plans(c *contents) error {
	ctx, tx := l.ctx, l.tx
	for _, p := range c.plans.Plans {
		if err := upsert(l, "plan", p.Code, p, func() (store.Plan, error) { return tx.PlanByCode(ctx, p.Code) }, eq[store.Plan],
			func() error { return tx.UpsertPlan(ctx, p) }); err != nil {
			return err
		}
	}
	for _, s := range c.plans.Stages {
		if err := upsert(l, "plan_stage", s.Code, s, func() (store.PlanStage, error) { return tx.PlanStageByCode(ctx, s.Code) },
			eq[store.PlanStage], func() error { return tx.UpsertPlanStage(ctx, s) }); err != nil {
			return err
		}
	}
	for _, g := range c.plans.Goals {
		if err := upsert(l, "plan_goal", g.Code, g, func() (store.PlanGoal, error) { return tx.PlanGoalByCode(ctx, g.Code) },
			eq[store.PlanGoal], func() error { return tx.UpsertPlanGoal(ctx, g) }); err != nil {
			return err
		}
	}
	for n, r := range c.plans.Targets {
		t, err := l.target(r)
		if err != nil {
			return rowErr("plans.json", n, r.Code, err)
		}
		if err := upsert(l, "plan_target", t.Code, t, func() (store.PlanTarget, error) { return tx.PlanTargetByCode(ctx, t.Code) },
			eq[store.PlanTarget], func() error { return tx.UpsertPlanTarget(ctx, t) }); err != nil {
			return err
		}
	}
	return nil
}

// target converts a target row: its value exactly into the indicator's unit; a stated
// baseline must be a figure already in the database (so that its source and quote show).
func (l *loader) target(r targetRow) (store.PlanTarget, error) {
	ind, err := l.tx.IndicatorByCode(l.ctx, r.Indicator)
	if err != nil {
		return store.PlanTarget{}, fmt.Errorf("indicator %s: %w", r.Indicator, err)
	}
	unit := r.TargetUnit
	if unit == "" {
		unit = ind.Unit
	}
	v, err := stats.ParseValue(r.TargetValue, unit, ind.Unit)
	if err != nil {
		return store.PlanTarget{}, err
	}
	if r.BaselineIndicator != "" {
		industry := r.BaselineIndustry
		if industry == "" {
			industry = r.Industry
		}
		k := store.FactKey{Indicator: r.BaselineIndicator, Region: r.Region, Industry: industry, Period: r.BaselinePeriod}
		if _, err := l.tx.CurrentDetail(l.ctx, k); err != nil {
			return store.PlanTarget{}, fmt.Errorf("baseline %+v: %w", k, err)
		}
	}
	return store.PlanTarget{Code: r.Code, StageCode: r.StageCode, NameZh: r.NameZh, NameEn: r.NameEn, Indicator: r.Indicator,
		Region: r.Region, Industry: r.Industry, Comparison: r.Comparison, Target: int64(v), TargetEntered: r.TargetEntered,
		TargetYear: r.TargetYear, BaselineIndicator: r.BaselineIndicator, BaselineIndustry: r.BaselineIndustry,
		BaselinePeriod: r.BaselinePeriod, OtherBasisIndicator: r.OtherBasisIndicator, BasisNote: r.BasisNote, Note: r.Note,
		Source: r.Source, Quote: r.Quote, SortOrder: r.SortOrder}, nil
}
