package store

import (
	"context"
	"database/sql"
	"time"
)

// Industry is a node of the industry hierarchy.
type Industry struct {
	Code       string
	NameZh     string
	NameEn     string
	ParentCode string
	SEICode    string
	SEINote    string
	Sunrise    bool
	SortOrder  int
	Source     string
}

const industryColumns = "code, name_zh, name_en, COALESCE(parent_code, ''), sei_code, sei_note, sunrise, sort_order, source"

func scanIndustry(r interface{ Scan(...any) error }) (Industry, error) {
	var i Industry
	var sun int
	err := r.Scan(&i.Code, &i.NameZh, &i.NameEn, &i.ParentCode, &i.SEICode, &i.SEINote, &sun, &i.SortOrder, &i.Source)
	i.Sunrise = sun != 0
	return i, err
}

// UpsertIndustry inserts or replaces an industry.
func (t *Tx) UpsertIndustry(ctx context.Context, i Industry) error {
	_, err := t.exec(ctx, `INSERT INTO industries(code, name_zh, name_en, parent_code, sei_code, sei_note, sunrise, sort_order, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
		parent_code = excluded.parent_code, sei_code = excluded.sei_code, sei_note = excluded.sei_note, sunrise = excluded.sunrise,
		sort_order = excluded.sort_order, source = excluded.source`,
		i.Code, i.NameZh, i.NameEn, nullStr(i.ParentCode), i.SEICode, i.SEINote, b2i(i.Sunrise), i.SortOrder, i.Source)
	return err
}

// IndustryByCode reads an industry inside a write transaction.
func (t *Tx) IndustryByCode(ctx context.Context, code string) (Industry, error) {
	i, err := scanIndustry(t.queryRow(ctx, "SELECT "+industryColumns+" FROM industries WHERE code = ?", code))
	return i, notFound(err)
}

// Industries returns every industry in display order.
func (db *DB) Industries(ctx context.Context) ([]Industry, error) {
	return all(ctx, db, scanIndustry, "SELECT "+industryColumns+" FROM industries ORDER BY sort_order, code")
}

// Indicator is a statistical indicator.
type Indicator struct {
	Code            string
	NameZh          string
	NameEn          string
	Unit            string
	PeriodType      string
	Aggregation     string
	NumeratorCode   string
	DenominatorCode string
	PartOf          string
	Decimals        int
	Min, Max        *int64 // micro; nil: unbounded
	GrowthMin       *int64 // percent, micro
	GrowthMax       *int64
	SortOrder       int
	Source          string
}

const indicatorColumns = `code, name_zh, name_en, unit, period_type, aggregation, COALESCE(numerator_code, ''),
	COALESCE(denominator_code, ''), COALESCE(part_of, ''), decimals, min_micro, max_micro, growth_min_micro, growth_max_micro, sort_order, source`

func scanIndicator(r interface{ Scan(...any) error }) (Indicator, error) {
	var i Indicator
	var mn, mx, gmn, gmx sql.NullInt64
	err := r.Scan(&i.Code, &i.NameZh, &i.NameEn, &i.Unit, &i.PeriodType, &i.Aggregation, &i.NumeratorCode, &i.DenominatorCode,
		&i.PartOf, &i.Decimals, &mn, &mx, &gmn, &gmx, &i.SortOrder, &i.Source)
	i.Min, i.Max, i.GrowthMin, i.GrowthMax = ptrOf(mn), ptrOf(mx), ptrOf(gmn), ptrOf(gmx)
	return i, err
}

func ptrOf(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}

func nullPtr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// UpsertIndicator inserts or replaces an indicator.
func (t *Tx) UpsertIndicator(ctx context.Context, i Indicator) error {
	_, err := t.exec(ctx, `INSERT INTO indicators(code, name_zh, name_en, unit, period_type, aggregation, numerator_code,
		denominator_code, part_of, decimals, min_micro, max_micro, growth_min_micro, growth_max_micro, sort_order, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh,
		name_en = excluded.name_en, unit = excluded.unit, period_type = excluded.period_type, aggregation = excluded.aggregation,
		numerator_code = excluded.numerator_code, denominator_code = excluded.denominator_code, part_of = excluded.part_of,
		decimals = excluded.decimals, min_micro = excluded.min_micro, max_micro = excluded.max_micro,
		growth_min_micro = excluded.growth_min_micro, growth_max_micro = excluded.growth_max_micro,
		sort_order = excluded.sort_order, source = excluded.source`,
		i.Code, i.NameZh, i.NameEn, i.Unit, i.PeriodType, i.Aggregation, nullStr(i.NumeratorCode), nullStr(i.DenominatorCode),
		nullStr(i.PartOf), i.Decimals, nullPtr(i.Min), nullPtr(i.Max), nullPtr(i.GrowthMin), nullPtr(i.GrowthMax), i.SortOrder, i.Source)
	return err
}

// IndicatorByCode reads an indicator inside a write transaction.
func (t *Tx) IndicatorByCode(ctx context.Context, code string) (Indicator, error) {
	i, err := scanIndicator(t.queryRow(ctx, "SELECT "+indicatorColumns+" FROM indicators WHERE code = ?", code))
	return i, notFound(err)
}

// Indicators returns every indicator in display order.
func (db *DB) Indicators(ctx context.Context) ([]Indicator, error) {
	return all(ctx, db, scanIndicator, "SELECT "+indicatorColumns+" FROM indicators ORDER BY sort_order, code")
}

// SetZoneMembers replaces the members of a zone.
func (t *Tx) SetZoneMembers(ctx context.Context, zone string, members []string) error {
	if _, err := t.exec(ctx, "DELETE FROM region_members WHERE zone_code = ?", zone); err != nil {
		return err
	}
	for _, m := range members {
		if _, err := t.exec(ctx, "INSERT INTO region_members(zone_code, member_code) VALUES (?, ?)", zone, m); err != nil {
			return err
		}
	}
	return nil
}

// ZoneMembers returns the members of a zone.
func (db *DB) ZoneMembers(ctx context.Context, zone string) ([]string, error) {
	return db.strings(ctx, "SELECT member_code FROM region_members WHERE zone_code = ? ORDER BY member_code", zone)
}

func (db *DB) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	return all(ctx, db, func(r rowScanner) (string, error) { var v string; err := r.Scan(&v); return v, err }, q, args...)
}

// RegionRollupTargets returns the regions a fact of region code rolls up into, itself
// first: its parent chain and every zone containing it or one of its ancestors.
func (t *Tx) RegionRollupTargets(ctx context.Context, code string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for c := code; c != "" && !seen[c]; {
		seen[c] = true
		out = append(out, c)
		var parent sql.NullString
		if err := t.queryRow(ctx, "SELECT parent_code FROM regions WHERE code = ?", c).Scan(&parent); err != nil {
			return nil, notFound(err)
		}
		c = parent.String
	}
	chain := append([]string(nil), out...)
	for _, c := range chain {
		rows, err := t.query(ctx, "SELECT zone_code FROM region_members WHERE member_code = ?", c)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var z string
			if err := rows.Scan(&z); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[z] {
				seen[z] = true
				out = append(out, z)
			}
		}
		rows.Close()
	}
	return out, nil
}

// IndustryAncestors returns code and its ancestors, itself first.
func (t *Tx) IndustryAncestors(ctx context.Context, code string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for c := code; c != "" && !seen[c]; {
		seen[c] = true
		out = append(out, c)
		var parent sql.NullString
		if err := t.queryRow(ctx, "SELECT parent_code FROM industries WHERE code = ?", c).Scan(&parent); err != nil {
			return nil, notFound(err)
		}
		c = parent.String
	}
	return out, nil
}

// FactKey identifies one value: indicator × region × industry × enterprise (0: none) × period.
type FactKey struct {
	Indicator    string
	Region       string
	Industry     string
	EnterpriseID int64
	Period       string
}

// Fact is one revision of a value.
type Fact struct {
	ID int64
	FactKey
	Value        int64 // micro
	Entered      string
	Source       string
	SourceStatus string
	Quote        string
	Revision     int
	Reason       string
	CreatedBy    string
	CreatedAt    time.Time
	Status       string // of the current revision, when read through fact_current
	Quality      string // data-quality flag of the current revision
	Qualifier    string // how to read the value: "" exact, "about" 约, "over" 超 (a lower bound; migration 0004)
}

// CurrentFact is the value in force for a key.
type CurrentFact struct {
	FactID int64
	FactKey
	Value     int64
	Status    string
	Qualifier string // read by Tx.Current and Tx.CurrentOfSeries: a lower bound is never a base for growth
}

// Current returns the value in force for key, inside a write transaction.
func (t *Tx) Current(ctx context.Context, k FactKey) (CurrentFact, error) {
	c := CurrentFact{FactKey: k}
	err := t.queryRow(ctx, `SELECT c.fact_id, c.value_micro, c.status, f.qualifier FROM fact_current c JOIN facts f ON f.id = c.fact_id
		WHERE c.indicator_code = ? AND c.region_code = ? AND c.industry_code = ? AND c.enterprise_id = ? AND c.period = ?`,
		k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period).Scan(&c.FactID, &c.Value, &c.Status, &c.Qualifier)
	return c, notFound(err)
}

// InsertFact appends a revision and makes it current with status and a quality flag.
func (t *Tx) InsertFact(ctx context.Context, f Fact, status, quality string) (int64, error) {
	id, err := t.insertID(ctx, `INSERT INTO facts(indicator_code, region_code, industry_code, enterprise_id, period, value_micro,
		entered, source, source_status, quote, revision, reason, created_by, created_at, qualifier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Indicator, f.Region, f.Industry, nullInt(f.EnterpriseID), f.Period, f.Value, f.Entered, f.Source, f.SourceStatus, f.Quote,
		f.Revision, f.Reason, f.CreatedBy, f.CreatedAt.UnixMilli(), f.Qualifier)
	if err != nil {
		return 0, err
	}
	_, err = t.exec(ctx, `INSERT INTO fact_current(fact_id, indicator_code, region_code, industry_code, enterprise_id, period, value_micro, status, quality)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (indicator_code, region_code, industry_code, enterprise_id, period)
		DO UPDATE SET fact_id = excluded.fact_id, value_micro = excluded.value_micro, status = excluded.status, quality = excluded.quality`,
		id, f.Indicator, f.Region, f.Industry, f.EnterpriseID, f.Period, f.Value, status, quality)
	return id, err
}

const factColumns = `f.id, f.indicator_code, f.region_code, f.industry_code, COALESCE(f.enterprise_id, 0), f.period, f.value_micro,
	f.entered, f.source, f.source_status, f.quote, f.revision, f.reason, f.created_by, f.created_at, f.qualifier`

func scanFact(r interface{ Scan(...any) error }, withStatus bool) (Fact, error) {
	var f Fact
	var at int64
	dst := []any{&f.ID, &f.Indicator, &f.Region, &f.Industry, &f.EnterpriseID, &f.Period, &f.Value, &f.Entered, &f.Source,
		&f.SourceStatus, &f.Quote, &f.Revision, &f.Reason, &f.CreatedBy, &at, &f.Qualifier}
	if withStatus {
		dst = append(dst, &f.Status, &f.Quality)
	}
	err := r.Scan(dst...)
	f.CreatedAt = time.UnixMilli(at)
	return f, err
}

// FactHistory returns every revision of a key, newest first.
func (db *DB) FactHistory(ctx context.Context, k FactKey) ([]Fact, error) {
	rows, err := db.query(ctx, "SELECT "+factColumns+` FROM facts f WHERE f.indicator_code = ? AND f.region_code = ?
		AND f.industry_code = ? AND COALESCE(f.enterprise_id, 0) = ? AND f.period = ? ORDER BY f.revision DESC`,
		k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Fact
	for rows.Next() {
		f, err := scanFact(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FactFilter narrows a list of current facts.
type FactFilter struct {
	Indicator    string
	Region       string
	Industry     string
	EnterpriseID int64 // -1: region-level figures only; 0: any
	Period       string
	Status       string
	FlaggedOnly  bool // the data-quality list
	// Scope limits the rows to what the caller may see.
	Scope FactScope
}

// FactScope is what a caller may read of the facts: everything; a county's own region in
// full plus every region-level figure; one enterprise's own figures; or, for published
// views, approved region-level figures only.
type FactScope struct {
	All          bool
	Region       string
	EnterpriseID int64
	Published    bool
}

var factList = listSpec{
	from:    "fact_current c JOIN facts f ON f.id = c.fact_id",
	columns: factColumns + ", c.status, c.quality",
	sorts: map[string]string{"indicator": "c.indicator_code", "region": "c.region_code", "industry": "c.industry_code",
		"period": "c.period", "value": "c.value_micro", "status": "c.status", "enterprise": "c.enterprise_id"},
	defaultSort: "c.period DESC, c.indicator_code, c.region_code, c.industry_code",
	filterCols:  []string{"c.indicator_code", "c.region_code", "c.industry_code", "f.source", "f.quote"},
	tiebreak:    "c.fact_id",
}

// ListFacts lists current facts.
func (db *DB) ListFacts(ctx context.Context, f FactFilter, q ListQuery) (Page[Fact], error) {
	var conds []string
	var args []any
	add := func(c string, v any) { conds = append(conds, c); args = append(args, v) }
	if f.Indicator != "" {
		add("c.indicator_code = ?", f.Indicator)
	}
	if f.Region != "" {
		add("c.region_code = ?", f.Region)
	}
	if f.Industry != "" {
		add("c.industry_code = ?", f.Industry)
	}
	switch {
	case f.EnterpriseID > 0:
		add("c.enterprise_id = ?", f.EnterpriseID)
	case f.EnterpriseID < 0:
		conds = append(conds, "c.enterprise_id = 0")
	}
	if f.Period != "" {
		add("c.period = ?", f.Period)
	}
	if f.Status != "" {
		add("c.status = ?", f.Status)
	}
	if f.FlaggedOnly {
		conds = append(conds, "c.quality <> ''")
	}
	switch s := f.Scope; {
	case s.All:
	case s.EnterpriseID != 0:
		add("c.enterprise_id = ?", s.EnterpriseID)
	case s.Region != "":
		add("(c.enterprise_id = 0 OR c.region_code = ?)", s.Region)
	case s.Published:
		conds = append(conds, "c.enterprise_id = 0 AND c.status = 'approved'")
	default:
		conds = append(conds, "1 = 0")
	}
	return list(ctx, db, factList, q, conds, args, func(r interface{ Scan(...any) error }) (Fact, error) { return scanFact(r, true) })
}

// SeriesPoint is one period's current value of a key.
type SeriesPoint struct {
	Period string
	Value  int64
	Status string
}

// Series returns the current values of one indicator × region × industry × enterprise over
// every period, oldest first.
func (db *DB) Series(ctx context.Context, indicator, region, industry string, enterpriseID int64) ([]SeriesPoint, error) {
	return series(ctx, db, indicator, region, industry, enterpriseID)
}

// Series returns a series inside a write transaction (for validation against history).
func (t *Tx) Series(ctx context.Context, indicator, region, industry string, enterpriseID int64) ([]SeriesPoint, error) {
	return series(ctx, t, indicator, region, industry, enterpriseID)
}

func series(ctx context.Context, on querier, indicator, region, industry string, enterpriseID int64) ([]SeriesPoint, error) {
	return all(ctx, on, func(r rowScanner) (SeriesPoint, error) {
		var p SeriesPoint
		err := r.Scan(&p.Period, &p.Value, &p.Status)
		return p, err
	}, `SELECT period, value_micro, status FROM fact_current WHERE indicator_code = ? AND region_code = ?
		AND industry_code = ? AND enterprise_id = ? ORDER BY period`, indicator, region, industry, enterpriseID)
}

// Approvals.

// PeriodStatus returns the approval status of a region's period ("open" when never set).
func (t *Tx) PeriodStatus(ctx context.Context, region, period string) (string, error) {
	var s string
	err := notFound(t.queryRow(ctx, "SELECT status FROM period_approvals WHERE region_code = ? AND period = ?", region, period).Scan(&s))
	if err == ErrNotFound {
		return "open", nil
	}
	return s, err
}

// SetPeriodStatus records the approval status of a region's period.
func (t *Tx) SetPeriodStatus(ctx context.Context, region, period, status, by string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO period_approvals(region_code, period, status, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (region_code, period) DO UPDATE SET status = excluded.status, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`, region, period, status, by, at.UnixMilli())
	return err
}

// RegionPeriodFacts returns the current facts of one region's period (its own figures and
// its enterprises'), for changing their status together.
func (t *Tx) RegionPeriodFacts(ctx context.Context, region, period string) ([]CurrentFact, error) {
	return all(ctx, t, scanCurrent, "SELECT "+currentColumns+" FROM fact_current WHERE region_code = ? AND period = ?", region, period)
}

// SetFactStatus sets the status of the current fact of key.
func (t *Tx) SetFactStatus(ctx context.Context, k FactKey, status string) error {
	_, err := t.exec(ctx, `UPDATE fact_current SET status = ? WHERE indicator_code = ? AND region_code = ? AND industry_code = ?
		AND enterprise_id = ? AND period = ?`, status, k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period)
	return err
}

// Roll-ups.

// RollupDelta changes one roll-up row.
type RollupDelta struct {
	Basis                               string
	Indicator, Region, Industry, Period string
	Sum, N, ApprovedSum, ApprovedN      int64
}

// ApplyRollups adds deltas to roll-up rows, creating them as needed.
func (t *Tx) ApplyRollups(ctx context.Context, ds []RollupDelta) error {
	for _, d := range ds {
		if d.Sum == 0 && d.N == 0 && d.ApprovedSum == 0 && d.ApprovedN == 0 {
			continue
		}
		if _, err := t.exec(ctx, `INSERT INTO rollups(basis, indicator_code, region_code, industry_code, period, sum_micro, n, approved_micro, approved_n)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (basis, indicator_code, region_code, industry_code, period) DO UPDATE SET
			sum_micro = rollups.sum_micro + excluded.sum_micro, n = rollups.n + excluded.n,
			approved_micro = rollups.approved_micro + excluded.approved_micro, approved_n = rollups.approved_n + excluded.approved_n`,
			d.Basis, d.Indicator, d.Region, d.Industry, d.Period, d.Sum, d.N, d.ApprovedSum, d.ApprovedN); err != nil {
			return err
		}
	}
	return nil
}

// Rollup is one roll-up row.
type Rollup struct {
	Basis, Indicator, Region, Industry, Period string
	Sum, N, ApprovedSum, ApprovedN             int64
}

// Rollup reads one roll-up row; a missing row is all zeros.
func (db *DB) Rollup(ctx context.Context, basis, indicator, region, industry, period string) (Rollup, error) {
	r := Rollup{Basis: basis, Indicator: indicator, Region: region, Industry: industry, Period: period}
	err := notFound(db.queryRow(ctx, `SELECT sum_micro, n, approved_micro, approved_n FROM rollups WHERE basis = ? AND indicator_code = ?
		AND region_code = ? AND industry_code = ? AND period = ?`, basis, indicator, region, industry, period).Scan(&r.Sum, &r.N, &r.ApprovedSum, &r.ApprovedN))
	if err == ErrNotFound {
		return r, nil
	}
	return r, err
}

// AllRollups returns every non-empty roll-up row (the consistency check compares them with
// a recomputation from the facts).
func (db *DB) AllRollups(ctx context.Context) ([]Rollup, error) {
	return all(ctx, db, func(r rowScanner) (Rollup, error) {
		var x Rollup
		err := r.Scan(&x.Basis, &x.Indicator, &x.Region, &x.Industry, &x.Period, &x.Sum, &x.N, &x.ApprovedSum, &x.ApprovedN)
		return x, err
	}, `SELECT basis, indicator_code, region_code, industry_code, period, sum_micro, n, approved_micro, approved_n
		FROM rollups WHERE n <> 0 OR approved_n <> 0 OR sum_micro <> 0 OR approved_micro <> 0`)
}

// AllCurrent returns every current fact (for the consistency check).
func (db *DB) AllCurrent(ctx context.Context) ([]CurrentFact, error) {
	return all(ctx, db, scanCurrent, "SELECT "+currentColumns+" FROM fact_current")
}

const currentColumns = "fact_id, indicator_code, region_code, industry_code, enterprise_id, period, value_micro, status"

func scanCurrent(r rowScanner) (CurrentFact, error) {
	var c CurrentFact
	err := r.Scan(&c.FactID, &c.Indicator, &c.Region, &c.Industry, &c.EnterpriseID, &c.Period, &c.Value, &c.Status)
	return c, err
}

// PartsOf returns the current values of the indicators declared part of k's indicator, for
// the same region, industry, enterprise and period.
func (t *Tx) PartsOf(ctx context.Context, k FactKey) ([]CurrentFact, error) {
	rows, err := t.query(ctx, `SELECT c.fact_id, c.indicator_code, c.value_micro, c.status FROM fact_current c
		JOIN indicators i ON i.code = c.indicator_code WHERE i.part_of = ? AND c.region_code = ? AND c.industry_code = ?
		AND c.enterprise_id = ? AND c.period = ?`, k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CurrentFact
	for rows.Next() {
		c := CurrentFact{FactKey: k}
		if err := rows.Scan(&c.FactID, &c.Indicator, &c.Value, &c.Status); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LastRevision is the highest revision number stored for k (0 when none).
func (t *Tx) LastRevision(ctx context.Context, k FactKey) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(revision), 0) FROM facts WHERE indicator_code = ? AND region_code = ?
		AND industry_code = ? AND COALESCE(enterprise_id, 0) = ? AND period = ?`,
		k.Indicator, k.Region, k.Industry, k.EnterpriseID, k.Period).Scan(&n)
	return n, err
}
