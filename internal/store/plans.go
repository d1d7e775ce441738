package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// This file holds the SQL of plans (plans → stages → targets, named goals), the sources a
// figure cites, the layout roles of zones, and the indexed reads the dashboard and the
// target pages make. Every read here is a lookup by primary key or key prefix of
// fact_current or rollups: nothing scans the facts per request.

// Source is a source a figure cites by code.
type Source struct {
	Code      string
	TitleZh   string
	TitleEn   string
	Publisher string
	URL       string
	Note      string
	SortOrder int
}

const sourceColumns = "code, title_zh, title_en, publisher, url, note, sort_order"

func scanSource(r interface{ Scan(...any) error }) (Source, error) {
	var s Source
	err := r.Scan(&s.Code, &s.TitleZh, &s.TitleEn, &s.Publisher, &s.URL, &s.Note, &s.SortOrder)
	return s, err
}

// UpsertSource inserts or replaces a source.
func (t *Tx) UpsertSource(ctx context.Context, s Source) error {
	_, err := t.exec(ctx, `INSERT INTO sources(code, title_zh, title_en, publisher, url, note, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET title_zh = excluded.title_zh, title_en = excluded.title_en, publisher = excluded.publisher,
		url = excluded.url, note = excluded.note, sort_order = excluded.sort_order`,
		s.Code, s.TitleZh, s.TitleEn, s.Publisher, s.URL, s.Note, s.SortOrder)
	return err
}

// SourceByCode reads a source inside a write transaction.
func (t *Tx) SourceByCode(ctx context.Context, code string) (Source, error) {
	s, err := scanSource(t.queryRow(ctx, "SELECT "+sourceColumns+" FROM sources WHERE code = ?", code))
	return s, notFound(err)
}

// Sources returns every source in display order.
func (db *DB) Sources(ctx context.Context) ([]Source, error) {
	return planCollect(ctx, db, "SELECT "+sourceColumns+" FROM sources ORDER BY sort_order, code", nil, scanSource)
}

// ZoneInfo is the role of a zone in the regional layout.
type ZoneInfo struct {
	Code      string
	Role      string // functional, core, wing, plate
	Note      string
	Quote     string
	SortOrder int
}

const zoneInfoColumns = "code, role, note, quote, sort_order"

func scanZoneInfo(r interface{ Scan(...any) error }) (ZoneInfo, error) {
	var z ZoneInfo
	err := r.Scan(&z.Code, &z.Role, &z.Note, &z.Quote, &z.SortOrder)
	return z, err
}

// UpsertZoneInfo inserts or replaces the layout role of a zone.
func (t *Tx) UpsertZoneInfo(ctx context.Context, z ZoneInfo) error {
	_, err := t.exec(ctx, `INSERT INTO zone_info(code, role, note, quote, sort_order) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET role = excluded.role, note = excluded.note, quote = excluded.quote, sort_order = excluded.sort_order`,
		z.Code, z.Role, z.Note, z.Quote, z.SortOrder)
	return err
}

// ZoneInfoByCode reads a zone's layout role inside a write transaction.
func (t *Tx) ZoneInfoByCode(ctx context.Context, code string) (ZoneInfo, error) {
	z, err := scanZoneInfo(t.queryRow(ctx, "SELECT "+zoneInfoColumns+" FROM zone_info WHERE code = ?", code))
	return z, notFound(err)
}

// ZoneMemberCodes returns the members of a zone inside a write transaction.
func (t *Tx) ZoneMemberCodes(ctx context.Context, zone string) ([]string, error) {
	rows, err := t.query(ctx, "SELECT member_code FROM region_members WHERE zone_code = ? ORDER BY member_code", zone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RegionChildren returns the regions whose parent is parent, of kind kind ("" any), by code.
func (db *DB) RegionChildren(ctx context.Context, parent, kind string) ([]Region, error) {
	q := "SELECT " + regionColumns + " FROM regions WHERE parent_code = ?"
	args := []any{parent}
	if kind != "" {
		q += " AND kind = ?"
		args = append(args, kind)
	}
	return planCollect(ctx, db, q+" ORDER BY code", args, scanRegion)
}

// Plans.

// Plan is a development plan of a region.
type Plan struct {
	Code       string
	NameZh     string
	NameEn     string
	RegionCode string
	BaseYear   int
	EndYear    int
	Source     string
	Quote      string
	Note       string
	SortOrder  int
}

const planColumns = "code, name_zh, name_en, region_code, base_year, end_year, source, quote, note, sort_order"

func scanPlan(r interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	err := r.Scan(&p.Code, &p.NameZh, &p.NameEn, &p.RegionCode, &p.BaseYear, &p.EndYear, &p.Source, &p.Quote, &p.Note, &p.SortOrder)
	return p, err
}

// UpsertPlan inserts or replaces a plan.
func (t *Tx) UpsertPlan(ctx context.Context, p Plan) error {
	_, err := t.exec(ctx, `INSERT INTO plans(code, name_zh, name_en, region_code, base_year, end_year, source, quote, note, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
		region_code = excluded.region_code, base_year = excluded.base_year, end_year = excluded.end_year, source = excluded.source,
		quote = excluded.quote, note = excluded.note, sort_order = excluded.sort_order`,
		p.Code, p.NameZh, p.NameEn, p.RegionCode, p.BaseYear, p.EndYear, p.Source, p.Quote, p.Note, p.SortOrder)
	return err
}

// PlanByCode reads a plan inside a write transaction.
func (t *Tx) PlanByCode(ctx context.Context, code string) (Plan, error) {
	p, err := scanPlan(t.queryRow(ctx, "SELECT "+planColumns+" FROM plans WHERE code = ?", code))
	return p, notFound(err)
}

// Plans returns every plan in display order.
func (db *DB) Plans(ctx context.Context) ([]Plan, error) {
	return planCollect(ctx, db, "SELECT "+planColumns+" FROM plans ORDER BY sort_order, code", nil, scanPlan)
}

// PlanStage is a dated stage of a plan (三年大变样 by 2015, …).
type PlanStage struct {
	Code      string
	PlanCode  string
	NameZh    string
	NameEn    string
	Year      int
	Quote     string
	SortOrder int
}

const stageColumns = "code, plan_code, name_zh, name_en, year, quote, sort_order"

func scanStage(r interface{ Scan(...any) error }) (PlanStage, error) {
	var s PlanStage
	err := r.Scan(&s.Code, &s.PlanCode, &s.NameZh, &s.NameEn, &s.Year, &s.Quote, &s.SortOrder)
	return s, err
}

// UpsertPlanStage inserts or replaces a stage.
func (t *Tx) UpsertPlanStage(ctx context.Context, s PlanStage) error {
	_, err := t.exec(ctx, `INSERT INTO plan_stages(code, plan_code, name_zh, name_en, year, quote, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET plan_code = excluded.plan_code, name_zh = excluded.name_zh, name_en = excluded.name_en,
		year = excluded.year, quote = excluded.quote, sort_order = excluded.sort_order`,
		s.Code, s.PlanCode, s.NameZh, s.NameEn, s.Year, s.Quote, s.SortOrder)
	return err
}

// PlanStageByCode reads a stage inside a write transaction.
func (t *Tx) PlanStageByCode(ctx context.Context, code string) (PlanStage, error) {
	s, err := scanStage(t.queryRow(ctx, "SELECT "+stageColumns+" FROM plan_stages WHERE code = ?", code))
	return s, notFound(err)
}

// PlanStages returns the stages of a plan in order.
func (db *DB) PlanStages(ctx context.Context, plan string) ([]PlanStage, error) {
	return planCollect(ctx, db, "SELECT "+stageColumns+" FROM plan_stages WHERE plan_code = ? ORDER BY sort_order, year, code",
		[]any{plan}, scanStage)
}

// PlanGoal is a goal a plan names without a number.
type PlanGoal struct {
	Code         string
	PlanCode     string
	NameZh       string
	NameEn       string
	IndustryCode string
	Quote        string
	SortOrder    int
}

const goalColumns = "code, plan_code, name_zh, name_en, COALESCE(industry_code, ''), quote, sort_order"

func scanGoal(r interface{ Scan(...any) error }) (PlanGoal, error) {
	var g PlanGoal
	err := r.Scan(&g.Code, &g.PlanCode, &g.NameZh, &g.NameEn, &g.IndustryCode, &g.Quote, &g.SortOrder)
	return g, err
}

// UpsertPlanGoal inserts or replaces a named goal.
func (t *Tx) UpsertPlanGoal(ctx context.Context, g PlanGoal) error {
	_, err := t.exec(ctx, `INSERT INTO plan_goals(code, plan_code, name_zh, name_en, industry_code, quote, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET plan_code = excluded.plan_code, name_zh = excluded.name_zh, name_en = excluded.name_en,
		industry_code = excluded.industry_code, quote = excluded.quote, sort_order = excluded.sort_order`,
		g.Code, g.PlanCode, g.NameZh, g.NameEn, nullStr(g.IndustryCode), g.Quote, g.SortOrder)
	return err
}

// PlanGoalByCode reads a named goal inside a write transaction.
func (t *Tx) PlanGoalByCode(ctx context.Context, code string) (PlanGoal, error) {
	g, err := scanGoal(t.queryRow(ctx, "SELECT "+goalColumns+" FROM plan_goals WHERE code = ?", code))
	return g, notFound(err)
}

// PlanGoals returns the named goals of a plan in order.
func (db *DB) PlanGoals(ctx context.Context, plan string) ([]PlanGoal, error) {
	return planCollect(ctx, db, "SELECT "+goalColumns+" FROM plan_goals WHERE plan_code = ? ORDER BY sort_order, code", []any{plan}, scanGoal)
}

// PlanTarget is a numeric target of a stage.
type PlanTarget struct {
	Code                string
	StageCode           string
	NameZh              string
	NameEn              string
	Indicator           string
	Region              string
	Industry            string
	Comparison          string // ">=" or ">"
	Target              int64  // micro, in the indicator's unit
	TargetEntered       string
	TargetYear          int
	BaselineIndicator   string // "" none
	BaselineIndustry    string // "" the target's industry
	BaselinePeriod      string
	OtherBasisIndicator string
	BasisNote           string
	Note                string
	Source              string
	Quote               string
	SortOrder           int
}

const targetColumns = `code, stage_code, name_zh, name_en, indicator_code, region_code, industry_code, comparison, target_micro,
	target_entered, target_year, COALESCE(baseline_indicator, ''), COALESCE(baseline_industry, ''), baseline_period,
	COALESCE(other_basis_indicator, ''), basis_note, note, source, quote, sort_order`

func scanTarget(r interface{ Scan(...any) error }) (PlanTarget, error) {
	var t PlanTarget
	err := r.Scan(&t.Code, &t.StageCode, &t.NameZh, &t.NameEn, &t.Indicator, &t.Region, &t.Industry, &t.Comparison, &t.Target,
		&t.TargetEntered, &t.TargetYear, &t.BaselineIndicator, &t.BaselineIndustry, &t.BaselinePeriod, &t.OtherBasisIndicator,
		&t.BasisNote, &t.Note, &t.Source, &t.Quote, &t.SortOrder)
	return t, err
}

// UpsertPlanTarget inserts or replaces a target.
func (t *Tx) UpsertPlanTarget(ctx context.Context, x PlanTarget) error {
	_, err := t.exec(ctx, `INSERT INTO plan_targets(code, stage_code, name_zh, name_en, indicator_code, region_code, industry_code,
		comparison, target_micro, target_entered, target_year, baseline_indicator, baseline_industry, baseline_period,
		other_basis_indicator, basis_note, note, source, quote, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET
		stage_code = excluded.stage_code, name_zh = excluded.name_zh, name_en = excluded.name_en,
		indicator_code = excluded.indicator_code, region_code = excluded.region_code, industry_code = excluded.industry_code,
		comparison = excluded.comparison, target_micro = excluded.target_micro, target_entered = excluded.target_entered,
		target_year = excluded.target_year, baseline_indicator = excluded.baseline_indicator,
		baseline_industry = excluded.baseline_industry, baseline_period = excluded.baseline_period,
		other_basis_indicator = excluded.other_basis_indicator, basis_note = excluded.basis_note, note = excluded.note,
		source = excluded.source, quote = excluded.quote, sort_order = excluded.sort_order`,
		x.Code, x.StageCode, x.NameZh, x.NameEn, x.Indicator, x.Region, x.Industry, x.Comparison, x.Target, x.TargetEntered,
		x.TargetYear, nullStr(x.BaselineIndicator), nullStr(x.BaselineIndustry), x.BaselinePeriod, nullStr(x.OtherBasisIndicator),
		x.BasisNote, x.Note, x.Source, x.Quote, x.SortOrder)
	return err
}

// PlanTargetByCode reads a target inside a write transaction.
func (t *Tx) PlanTargetByCode(ctx context.Context, code string) (PlanTarget, error) {
	x, err := scanTarget(t.queryRow(ctx, "SELECT "+targetColumns+" FROM plan_targets WHERE code = ?", code))
	return x, notFound(err)
}

// PlanTargetByCode reads a target.
func (db *DB) PlanTargetByCode(ctx context.Context, code string) (PlanTarget, error) {
	x, err := scanTarget(db.queryRow(ctx, "SELECT "+targetColumns+" FROM plan_targets WHERE code = ?", code))
	return x, notFound(err)
}

// PlanTargets returns the targets of a plan in their order within each stage (callers
// group them by stage).
func (db *DB) PlanTargets(ctx context.Context, plan string) ([]PlanTarget, error) {
	return planCollect(ctx, db, "SELECT "+targetColumns+` FROM plan_targets
		WHERE stage_code IN (SELECT code FROM plan_stages WHERE plan_code = ?) ORDER BY sort_order, code`, []any{plan}, scanTarget)
}

// Facts as pages show them.

// FactDetail is the revision in force of a key with everything a page shows beside the
// value: source, status, quote, and the qualifier and note of migration 0004.
type FactDetail struct {
	Fact
	Note string
}

const detailColumns = factColumns + ", c.status, c.quality, f.note"

func scanDetail(r interface{ Scan(...any) error }) (FactDetail, error) {
	var d FactDetail
	var at int64
	err := r.Scan(&d.ID, &d.Indicator, &d.Region, &d.Industry, &d.EnterpriseID, &d.Period, &d.Value, &d.Entered, &d.Source,
		&d.SourceStatus, &d.Quote, &d.Revision, &d.Reason, &d.CreatedBy, &at, &d.Qualifier, &d.Status, &d.Quality, &d.Note)
	d.CreatedAt = time.UnixMilli(at)
	return d, err
}

// SetFactAnnotation sets the qualifier and note of a revision just inserted (the revision
// is new in this transaction, so nothing already read changes).
func (t *Tx) SetFactAnnotation(ctx context.Context, id int64, qualifier, note string) error {
	_, err := t.exec(ctx, "UPDATE facts SET qualifier = ?, note = ? WHERE id = ?", qualifier, note, id)
	return err
}

// CurrentDetail reads the revision in force of a key inside a write transaction.
func (t *Tx) CurrentDetail(ctx context.Context, k FactKey) (FactDetail, error) {
	d, err := scanDetail(t.queryRow(ctx, "SELECT "+detailColumns+` FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.indicator_code = ? AND c.region_code = ? AND c.industry_code = ? AND c.enterprise_id = ? AND c.period = ?`,
		k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period))
	return d, notFound(err)
}

// statusCond limits fact_current to approved rows for published views.
func statusCond(approvedOnly bool) string {
	if approvedOnly {
		return " AND c.status = 'approved'"
	}
	return ""
}

// SeriesDetail returns the region-level figures of indicator × region × industry over every
// period, oldest first.
func (db *DB) SeriesDetail(ctx context.Context, indicator, region, industry string, approvedOnly bool) ([]FactDetail, error) {
	return planCollect(ctx, db, "SELECT "+detailColumns+` FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.indicator_code = ? AND c.region_code = ? AND c.industry_code = ? AND c.enterprise_id = 0`+statusCond(approvedOnly)+`
		ORDER BY c.period`, []any{indicator, region, industry}, scanDetail)
}

// DetailAt returns the region-level figure of one key, or ErrNotFound.
func (db *DB) DetailAt(ctx context.Context, k FactKey, approvedOnly bool) (FactDetail, error) {
	d, err := scanDetail(db.queryRow(ctx, "SELECT "+detailColumns+` FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.indicator_code = ? AND c.region_code = ? AND c.industry_code = ? AND c.enterprise_id = ? AND c.period = ?`+
		statusCond(approvedOnly), k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period))
	return d, notFound(err)
}

// RegionDetails returns the region-level figures of indicator × industry × period for the
// given regions, by region code (one primary-key probe per region).
func (db *DB) RegionDetails(ctx context.Context, indicator, industry, period string, regions []string, approvedOnly bool) (map[string]FactDetail, error) {
	out := map[string]FactDetail{}
	if len(regions) == 0 {
		return out, nil
	}
	args := []any{indicator, industry, period}
	for _, r := range regions {
		args = append(args, r)
	}
	rows, err := planCollect(ctx, db, "SELECT "+detailColumns+` FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.indicator_code = ? AND c.industry_code = ? AND c.enterprise_id = 0 AND c.period = ?
		AND c.region_code IN (`+planInMarks(len(regions))+`)`+statusCond(approvedOnly), args, scanDetail)
	for _, d := range rows {
		out[d.Region] = d
	}
	return out, err
}

// RollupsFor returns the roll-up rows of basis × indicator × industry × period for the given
// regions, by region code.
func (db *DB) RollupsFor(ctx context.Context, basis, indicator, industry, period string, regions []string) (map[string]Rollup, error) {
	out := map[string]Rollup{}
	if len(regions) == 0 {
		return out, nil
	}
	args := []any{basis, indicator, industry, period}
	for _, r := range regions {
		args = append(args, r)
	}
	rows, err := planCollect(ctx, db, `SELECT basis, indicator_code, region_code, industry_code, period, sum_micro, n, approved_micro, approved_n
		FROM rollups WHERE basis = ? AND indicator_code = ? AND industry_code = ? AND period = ? AND region_code IN (`+planInMarks(len(regions))+`)`,
		args, scanRollup)
	for _, r := range rows {
		out[r.Region] = r
	}
	return out, err
}

// LatestRollupPeriod returns the latest period with a roll-up row of basis × indicator ×
// region × industry ("" when none; with approvedOnly, the latest with approved values).
func (db *DB) LatestRollupPeriod(ctx context.Context, basis, indicator, region, industry string, approvedOnly bool) (string, error) {
	cond := "n <> 0"
	if approvedOnly {
		cond = "approved_n <> 0"
	}
	var p sql.NullString
	err := db.queryRow(ctx, `SELECT MAX(period) FROM rollups WHERE basis = ? AND indicator_code = ? AND region_code = ?
		AND industry_code = ? AND `+cond, basis, indicator, region, industry).Scan(&p)
	return p.String, err
}

func scanRollup(r interface{ Scan(...any) error }) (Rollup, error) {
	var x Rollup
	err := r.Scan(&x.Basis, &x.Indicator, &x.Region, &x.Industry, &x.Period, &x.Sum, &x.N, &x.ApprovedSum, &x.ApprovedN)
	return x, err
}

func planInMarks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// collect runs a read query and scans every row.
func planCollect[T any](ctx context.Context, db *DB, q string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PlanStageByCode reads a stage.
func (db *DB) PlanStageByCode(ctx context.Context, code string) (PlanStage, error) {
	s, err := scanStage(db.queryRow(ctx, "SELECT "+stageColumns+" FROM plan_stages WHERE code = ?", code))
	return s, notFound(err)
}

// PlanByCode reads a plan.
func (db *DB) PlanByCode(ctx context.Context, code string) (Plan, error) {
	p, err := scanPlan(db.queryRow(ctx, "SELECT "+planColumns+" FROM plans WHERE code = ?", code))
	return p, notFound(err)
}

// RegionFigures returns the region-level figures in force of region for every indicator ×
// industry given, over all periods: one query, answered by probing the primary key of
// fact_current for each pair (the dashboard and the plan pages read all they show of a
// region this way).
func (db *DB) RegionFigures(ctx context.Context, region string, indicators, industries []string, approvedOnly bool) ([]FactDetail, error) {
	if len(indicators) == 0 || len(industries) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(indicators)+len(industries)+1)
	for _, i := range indicators {
		args = append(args, i)
	}
	args = append(args, region)
	for _, i := range industries {
		args = append(args, i)
	}
	return planCollect(ctx, db, "SELECT "+detailColumns+` FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.indicator_code IN (`+planInMarks(len(indicators))+`) AND c.region_code = ?
		AND c.industry_code IN (`+planInMarks(len(industries))+`) AND c.enterprise_id = 0`+statusCond(approvedOnly)+`
		ORDER BY c.indicator_code, c.industry_code, c.period`, args, scanDetail)
}

// RegionRollups returns the roll-up rows of region for bases × indicators × industries over
// all periods, by primary-key probes.
func (db *DB) RegionRollups(ctx context.Context, region string, bases, indicators, industries []string) ([]Rollup, error) {
	if len(bases) == 0 || len(indicators) == 0 || len(industries) == 0 {
		return nil, nil
	}
	var args []any
	for _, l := range [][]string{bases, indicators} {
		for _, v := range l {
			args = append(args, v)
		}
	}
	args = append(args, region)
	for _, i := range industries {
		args = append(args, i)
	}
	return planCollect(ctx, db, `SELECT basis, indicator_code, region_code, industry_code, period, sum_micro, n, approved_micro, approved_n
		FROM rollups WHERE basis IN (`+planInMarks(len(bases))+`) AND indicator_code IN (`+planInMarks(len(indicators))+`)
		AND region_code = ? AND industry_code IN (`+planInMarks(len(industries))+`) ORDER BY basis, indicator_code, industry_code, period`,
		args, scanRollup)
}

// LayoutZone is a zone of the layout with its region row and its members' rows.
type LayoutZone struct {
	Info    ZoneInfo
	Region  Region
	Members []Region
}

// Layout returns every zone with a layout role, its region and its members, in two queries.
func (db *DB) Layout(ctx context.Context) ([]LayoutZone, error) {
	type row struct {
		z ZoneInfo
		g Region
	}
	zones, err := planCollect(ctx, db, `SELECT z.code, z.role, z.note, z.quote, z.sort_order, r.code, r.name_zh, r.name_en, r.kind,
		COALESCE(r.parent_code, ''), r.aliases, r.source FROM zone_info z JOIN regions r ON r.code = z.code ORDER BY z.sort_order, z.code`, nil,
		func(s interface{ Scan(...any) error }) (row, error) {
			var x row
			err := s.Scan(&x.z.Code, &x.z.Role, &x.z.Note, &x.z.Quote, &x.z.SortOrder, &x.g.Code, &x.g.NameZh, &x.g.NameEn, &x.g.Kind,
				&x.g.ParentCode, &x.g.Aliases, &x.g.Source)
			return x, err
		})
	if err != nil {
		return nil, err
	}
	type member struct {
		zone string
		g    Region
	}
	members, err := planCollect(ctx, db, `SELECT m.zone_code, r.code, r.name_zh, r.name_en, r.kind, COALESCE(r.parent_code, ''), r.aliases, r.source
		FROM region_members m JOIN regions r ON r.code = m.member_code JOIN zone_info z ON z.code = m.zone_code ORDER BY m.zone_code, r.code`, nil,
		func(s interface{ Scan(...any) error }) (member, error) {
			var x member
			err := s.Scan(&x.zone, &x.g.Code, &x.g.NameZh, &x.g.NameEn, &x.g.Kind, &x.g.ParentCode, &x.g.Aliases, &x.g.Source)
			return x, err
		})
	if err != nil {
		return nil, err
	}
	out := make([]LayoutZone, len(zones))
	idx := map[string]int{}
	for i, z := range zones {
		out[i] = LayoutZone{Info: z.z, Region: z.g}
		idx[z.z.Code] = i
	}
	for _, m := range members {
		out[idx[m.zone]].Members = append(out[idx[m.zone]].Members, m.g)
	}
	return out, nil
}
