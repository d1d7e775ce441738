package stats

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Service runs the statistics use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Source statuses a fact may carry (REFERENCE.md's V/D/NV, the article, reports, estimates).
var sourceStatuses = map[string]bool{"article": true, "verified": true, "derived": true, "unverified": true, "report": true, "estimate": true}

// Input is one value as a person or an import gives it.
type Input struct {
	Indicator    string
	Region       string
	Industry     string
	EnterpriseID int64
	Period       string
	Value        string
	Unit         string // "" means the indicator's unit
	Source       string
	SourceStatus string // "" means "report"
	Quote        string
	Reason       string // required to correct a submitted or approved value
	// Qualifier says how to read Value when the source does not give it exactly (see
	// Qualifiers): "超1000亿元" is Value 1000 with "over", a lower bound that no growth
	// rate or forecast may use as if it were the figure.
	Qualifier string
}

// Warning is a problem worth showing that does not stop the entry (an outlier).
type Warning struct {
	Code string
	Key  string
	Args []any
}

// Result is what an entry did.
type Result struct {
	Fact      store.Fact
	Unchanged bool // the same value was already in force: nothing was written
	Warnings  []Warning
}

func fieldErr(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

// resolved is an input checked against the database.
type resolved struct {
	in        Input
	ind       store.Indicator
	period    Period
	value     Micro
	region    store.Region
	status    string // status the new revision gets
	prev      store.CurrentFact
	hasPrev   bool
	quality   string
	warnings  []Warning
	principal *auth.Principal
}

// lookup is what the checks read. Enter reads the database inside its write transaction
// (txLookup below); an import reads maps preloaded for the whole file with the file's own
// values overlaid (importLookup in importer.go). Both run the same check functions, so a
// row of a file is judged by exactly the rules that judge the same value typed into a form.
type lookup interface {
	indicator(ctx context.Context, code string) (store.Indicator, bool, error)
	region(ctx context.Context, code string) (store.Region, bool, error)
	industryExists(ctx context.Context, code string) (bool, error)
	enterprise(ctx context.Context, id int64) (store.Enterprise, bool, error)
	periodStatus(ctx context.Context, region, period string) (string, error)
	// stored is the value in force before this write.
	stored(ctx context.Context, k store.FactKey) (store.CurrentFact, bool, error)
	// final is the value k has once this write is done: for Enter the stored one, for an
	// import the file's value wherever the file has the key.
	final(ctx context.Context, k store.FactKey) (store.CurrentFact, bool, error)
	// finalParts are the final values of the indicators declared part of k's indicator,
	// for k's region, industry, enterprise and period.
	finalParts(ctx context.Context, k store.FactKey) ([]store.CurrentFact, error)
	// outlier is the modified z-score of x against the final values of k's series in every
	// other period, and how many there are; ok is false when ModifiedZ cannot say.
	outlier(ctx context.Context, k store.FactKey, x float64) (z float64, n int, ok bool, err error)
}

// txLookup reads the database inside a write transaction, one query per question.
type txLookup struct{ tx *store.Tx }

func found[T any](v T, err error) (T, bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		return v, false, nil
	}
	return v, err == nil, err
}

func (l txLookup) indicator(ctx context.Context, code string) (store.Indicator, bool, error) {
	return found(l.tx.IndicatorByCode(ctx, code))
}

func (l txLookup) region(ctx context.Context, code string) (store.Region, bool, error) {
	return found(l.tx.RegionByCode(ctx, code))
}

func (l txLookup) industryExists(ctx context.Context, code string) (bool, error) {
	_, ok, err := found(l.tx.IndustryByCode(ctx, code))
	return ok, err
}

func (l txLookup) enterprise(ctx context.Context, id int64) (store.Enterprise, bool, error) {
	return found(l.tx.EnterpriseByID(ctx, id))
}

func (l txLookup) periodStatus(ctx context.Context, region, period string) (string, error) {
	return l.tx.PeriodStatus(ctx, region, period)
}

func (l txLookup) stored(ctx context.Context, k store.FactKey) (store.CurrentFact, bool, error) {
	return found(l.tx.Current(ctx, k))
}

func (l txLookup) final(ctx context.Context, k store.FactKey) (store.CurrentFact, bool, error) {
	return found(l.tx.Current(ctx, k))
}

func (l txLookup) finalParts(ctx context.Context, k store.FactKey) ([]store.CurrentFact, error) {
	return l.tx.PartsOf(ctx, k)
}

func (l txLookup) outlier(ctx context.Context, k store.FactKey, x float64) (float64, int, bool, error) {
	hist, err := l.tx.Series(ctx, k.Indicator, k.Region, k.Industry, k.EnterpriseID)
	if err != nil {
		return 0, 0, false, err
	}
	var past []float64
	for _, h := range hist {
		if h.Period != k.Period {
			past = append(past, Micro(h.Value).Float())
		}
	}
	z, ok := ModifiedZ(past, x)
	return z, len(past), ok, nil
}

// check validates in against the rules and p's rights, inside tx. It returns every field
// problem at once.
func (s *Service) check(ctx context.Context, tx *store.Tx, p *auth.Principal, in Input) (*resolved, error) {
	return s.checkWith(ctx, txLookup{tx}, p, in)
}

// checkWith is check reading through lk.
func (s *Service) checkWith(ctx context.Context, lk lookup, p *auth.Principal, in Input) (*resolved, error) {
	if err := auth.Require(p, auth.EnterStats); err != nil {
		return nil, err
	}
	r, err := checkFields(ctx, lk, in)
	if err != nil {
		return nil, err
	}
	r.principal = p
	if err := checkRights(ctx, lk, p, r); err != nil {
		return nil, err
	}
	return r, checkRules(ctx, lk, r)
}

// checkFields checks each field of in on its own: known codes, the period's form and type,
// the source, the unit and the value's bounds. It returns every field problem at once.
func checkFields(ctx context.Context, lk lookup, in Input) (*resolved, error) {
	r := &resolved{in: in}
	var bad *apperr.Error
	addErr := func(field, code, key string, args ...any) {
		if bad == nil {
			bad = apperr.New(apperr.Invalid, code, key, args...)
		}
		bad.With(field, key, args...)
	}
	ind, ok, err := lk.indicator(ctx, in.Indicator)
	if err != nil {
		return nil, err
	} else if !ok {
		addErr("indicator", "unknown_indicator", "stats.err.unknown_indicator", in.Indicator)
	}
	r.ind = ind
	if in.EnterpriseID != 0 {
		e, ok, err := lk.enterprise(ctx, in.EnterpriseID)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			addErr("enterprise", "unknown_enterprise", "stats.err.unknown_enterprise", in.EnterpriseID)
		case e.RegionCode == "":
			addErr("enterprise", "enterprise_without_region", "stats.err.enterprise_without_region", e.NameZh)
		case in.Region == "":
			in.Region = e.RegionCode
		case in.Region != e.RegionCode:
			addErr("region", "enterprise_region", "stats.err.enterprise_region", e.NameZh, e.RegionCode)
		}
	}
	g, ok, err := lk.region(ctx, in.Region)
	if err != nil {
		return nil, err
	} else if !ok {
		addErr("region", "unknown_region", "stats.err.unknown_region", in.Region)
	}
	r.region = g
	if ok, err := lk.industryExists(ctx, in.Industry); err != nil {
		return nil, err
	} else if !ok {
		addErr("industry", "unknown_industry", "stats.err.unknown_industry", in.Industry)
	}
	per, perr := ParsePeriod(in.Period)
	if perr != nil {
		addErr("period", "bad_period", "stats.err.period", in.Period)
	} else if ind.Code != "" && string(per.Type) != ind.PeriodType {
		addErr("period", "period_type", "stats.err.period_type", in.Period, ind.Code, ind.PeriodType)
	}
	r.period = per
	if perr == nil {
		// The canonical form is the key: " 2012" or "2012q3" must not become a second key
		// that escapes the lock on "2012" or "2012Q3".
		in.Period = per.String()
	}
	if in.SourceStatus == "" {
		in.SourceStatus = "report"
	}
	if !sourceStatuses[in.SourceStatus] {
		addErr("source_status", "bad_source_status", "stats.err.source_status", in.SourceStatus)
	}
	if strings.TrimSpace(in.Source) == "" {
		addErr("source", "source_required", "stats.err.source_required")
	}
	if !Qualifiers[in.Qualifier] {
		addErr("qualifier", "bad_qualifier", "stats.err.qualifier", in.Qualifier)
	}
	if ind.Code != "" {
		unit := in.Unit
		if unit == "" {
			unit = ind.Unit
		}
		v, err := parseValue(in.Value, unit, ind.Unit)
		switch {
		case err != nil && unit != ind.Unit && !convertible(unit, ind.Unit):
			addErr("unit", "wrong_unit", "stats.err.unit", unit, ind.Code, strings.Join(ConvertibleUnits(ind.Unit), "、"))
		case err != nil:
			addErr("value", "bad_value", "stats.err.value", in.Value, ind.Unit)
		case ind.Min != nil && int64(v) < *ind.Min:
			addErr("value", "below_min", "stats.err.below_min", in.Value, Micro(*ind.Min).String(), ind.Unit)
		case ind.Max != nil && int64(v) > *ind.Max:
			addErr("value", "above_max", "stats.err.above_max", in.Value, Micro(*ind.Max).String(), ind.Unit)
		}
		r.value = v
	}
	if bad != nil {
		return nil, bad
	}
	r.in = in
	return r, nil
}

func convertible(from, to string) bool {
	for _, u := range ConvertibleUnits(to) {
		if u == from {
			return true
		}
	}
	return false
}

// checkRights applies the row rules: a county enters for its region, an enterprise for
// itself; nobody changes an approved period; a submitted one only the city changes.
func checkRights(ctx context.Context, lk lookup, p *auth.Principal, r *resolved) error {
	switch p.Role {
	case auth.County:
		if r.in.Region != p.RegionCode {
			return apperr.New(apperr.Forbidden, "other_region", "stats.err.other_region", r.in.Region)
		}
	case auth.Enterprise:
		if r.in.EnterpriseID != p.EnterpriseID {
			return apperr.New(apperr.Forbidden, "other_enterprise", "stats.err.other_enterprise")
		}
	}
	st, err := lk.periodStatus(ctx, r.in.Region, r.in.Period)
	if err != nil {
		return err
	}
	switch {
	case st == "approved":
		return apperr.New(apperr.Conflict, "period_locked", "stats.err.locked", r.in.Region, r.in.Period)
	case st == "submitted" && !p.Can(auth.ApproveStats):
		return apperr.New(apperr.Conflict, "period_submitted", "stats.err.submitted", r.in.Region, r.in.Period)
	}
	r.status = "draft"
	if st == "submitted" {
		r.status = "submitted"
	}
	return nil
}

// checkRules applies the value rules: a part never exceeds its whole, growth stays within
// the indicator's bounds, and a correction of a submitted or approved value says why. An
// outlier against the unit's own history is flagged, not refused.
func checkRules(ctx context.Context, lk lookup, r *resolved) error {
	k := r.key()
	prev, ok, err := lk.stored(ctx, k)
	if err != nil {
		return err
	}
	r.prev, r.hasPrev = prev, ok
	if r.hasPrev && prev.Status != "draft" && strings.TrimSpace(r.in.Reason) == "" && !r.same() {
		return fieldErr("reason_required", "reason", "stats.err.reason_required", prev.Status)
	}
	if r.ind.PartOf != "" {
		whole, ok, err := lk.final(ctx, store.FactKey{Indicator: r.ind.PartOf, Region: k.Region, Industry: k.Industry,
			EnterpriseID: k.EnterpriseID, Period: k.Period})
		if err != nil {
			return err
		} else if ok && int64(r.value) > whole.Value {
			return fieldErr("part_exceeds_whole", "value", "stats.err.part_exceeds_whole", r.value.String(), r.ind.PartOf, Micro(whole.Value).String())
		}
	}
	parts, err := lk.finalParts(ctx, k)
	if err != nil {
		return err
	}
	for _, pt := range parts {
		if pt.Value > int64(r.value) {
			return fieldErr("whole_below_part", "value", "stats.err.whole_below_part", r.value.String(), pt.Indicator, Micro(pt.Value).String())
		}
	}
	if r.ind.GrowthMin != nil || r.ind.GrowthMax != nil {
		base, ok, err := lk.final(ctx, store.FactKey{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry,
			EnterpriseID: k.EnterpriseID, Period: r.period.YearAgo().String()})
		if err != nil {
			return err
		}
		// Growth from or to a lower bound is not a growth rate: "超100亿" last year and 120
		// this year may be a fall. Such a pair is not checked against the bounds.
		if ok && base.Value > 0 && base.Qualifier != "over" && r.in.Qualifier != "over" {
			g := growthMicro(base.Value, int64(r.value))
			if (r.ind.GrowthMin != nil && g < *r.ind.GrowthMin) || (r.ind.GrowthMax != nil && g > *r.ind.GrowthMax) {
				lo, hi := "−∞", "+∞"
				if r.ind.GrowthMin != nil {
					lo = Micro(*r.ind.GrowthMin).String()
				}
				if r.ind.GrowthMax != nil {
					hi = Micro(*r.ind.GrowthMax).String()
				}
				return fieldErr("growth_out_of_bounds", "value", "stats.err.growth", Micro(g).Format(1), lo, hi)
			}
		}
	}
	z, n, ok, err := lk.outlier(ctx, k, r.value.Float())
	if err != nil {
		return err
	}
	if ok && math.Abs(z) > OutlierZ {
		r.quality = fmt.Sprintf("outlier z=%.1f", z)
		r.warnings = append(r.warnings, Warning{Code: "outlier", Key: "stats.warn.outlier", Args: []any{fmt.Sprintf("%.1f", z), n}})
	}
	return nil
}

// growthMicro is the percentage growth from base to v, in millionths of a percent.
func growthMicro(base, v int64) int64 {
	return int64(math.Round((float64(v)/float64(base) - 1) * 100 * microPerUnit))
}

// OutlierZ is the modified z-score above which a value is flagged (Iglewicz and Hoaglin).
const OutlierZ = 3.5

// ModifiedZ is the modified z-score of x against history: 0.6745·(x − median)/MAD. It needs
// at least four past values and a non-zero MAD; ok is false otherwise.
func ModifiedZ(history []float64, x float64) (float64, bool) {
	if len(history) < 4 {
		return 0, false
	}
	med := median(history)
	dev := make([]float64, len(history))
	for i, h := range history {
		dev[i] = math.Abs(h - med)
	}
	mad := median(dev)
	if mad == 0 {
		return 0, false
	}
	return 0.6745 * (x - med) / mad, true
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// same reports whether r restates the value in force: the same number read the same way.
func (r *resolved) same() bool {
	return r.hasPrev && r.prev.Value == int64(r.value) && r.prev.Qualifier == r.in.Qualifier
}

func (r *resolved) key() store.FactKey {
	return store.FactKey{Indicator: r.in.Indicator, Region: r.in.Region, Industry: r.in.Industry, EnterpriseID: r.in.EnterpriseID, Period: r.in.Period}
}

// Enter records one value: a new fact, or a new revision of the key's fact. Nothing is
// written when the value is refused; an unchanged value writes nothing either.
func (s *Service) Enter(ctx context.Context, p *auth.Principal, in Input) (Result, error) {
	var res Result
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := s.check(ctx, tx, p, in)
		if err != nil {
			return err
		}
		res, err = s.write(ctx, tx, r, s.Now())
		return err
	})
	return res, err
}

// write stores a checked value, its roll-up deltas and its audit record.
func (s *Service) write(ctx context.Context, tx *store.Tx, r *resolved, now time.Time) (Result, error) {
	if r.same() {
		return Result{Unchanged: true, Warnings: r.warnings}, nil
	}
	rev := 1
	if r.hasPrev {
		h, err := tx.LastRevision(ctx, r.key())
		if err != nil {
			return Result{}, err
		}
		rev = h + 1
	}
	unit := r.in.Unit
	if unit == "" {
		unit = r.ind.Unit
	}
	f := store.Fact{FactKey: r.key(), Value: int64(r.value), Entered: strings.TrimSpace(r.in.Value) + " " + unit,
		Source: r.in.Source, SourceStatus: r.in.SourceStatus, Quote: r.in.Quote, Revision: rev, Reason: r.in.Reason,
		CreatedBy: r.principal.Username, CreatedAt: now, Status: r.status, Quality: r.quality, Qualifier: r.in.Qualifier}
	id, err := tx.InsertFact(ctx, f, r.status, r.quality)
	if err != nil {
		return Result{}, err
	}
	f.ID = id
	var old *store.CurrentFact
	if r.hasPrev {
		old = &r.prev
	}
	if err := s.rollup(ctx, tx, r.ind, r.region.Kind, old, &store.CurrentFact{FactID: id, FactKey: f.FactKey, Value: f.Value, Status: r.status}); err != nil {
		return Result{}, err
	}
	if err := countPair(ctx, tx, old, f.FactKey, r.status); err != nil {
		return Result{}, err
	}
	var before any
	if r.hasPrev {
		before = map[string]any{"value": Micro(r.prev.Value).String(), "qualifier": r.prev.Qualifier, "status": r.prev.Status, "fact_id": r.prev.FactID}
	}
	after := map[string]any{"value": Micro(f.Value).String(), "qualifier": f.Qualifier, "unit": r.ind.Unit, "entered": f.Entered, "revision": rev,
		"status": r.status, "source": f.Source, "reason": f.Reason}
	keyID := fmt.Sprintf("%s/%s/%s/%d/%s", f.Indicator, f.Region, f.Industry, f.EnterpriseID, f.Period)
	if err := audit.Record(ctx, tx, now, r.principal, "fact.enter", "fact", keyID, before, after); err != nil {
		return Result{}, err
	}
	return Result{Fact: f, Warnings: r.warnings}, nil
}

// countPair moves one fact of key k from old (nil: a new key) to status in the approvals
// list's counts of its region's period.
func countPair(ctx context.Context, tx *store.Tx, old *store.CurrentFact, k store.FactKey, status string) error {
	pc := store.PairCounts{Region: k.Region, Period: k.Period}
	if old != nil {
		pc.Count(old.Status, old.EnterpriseID, -1)
	}
	pc.Count(status, k.EnterpriseID, +1)
	return tx.AddRegionPeriodCounts(ctx, []store.PairCounts{pc})
}

// rollup applies the change from old to new (either may be nil) to the roll-ups.
func (s *Service) rollup(ctx context.Context, tx *store.Tx, ind store.Indicator, regionKind string, old, new *store.CurrentFact) error {
	if ind.Aggregation != "sum" && ind.Aggregation != "average" {
		return nil
	}
	k := new
	if k == nil {
		k = old
	}
	var basis string
	var regions, industries []string
	var err error
	switch {
	case k.EnterpriseID != 0:
		basis = "e"
		if regions, err = tx.RegionRollupTargets(ctx, k.Region); err != nil {
			return err
		}
		if industries, err = tx.IndustryAncestors(ctx, k.Industry); err != nil {
			return err
		}
	case regionKind == "county":
		basis = "r"
		if regions, err = tx.RegionRollupTargets(ctx, k.Region); err != nil {
			return err
		}
		industries = []string{k.Industry}
	default:
		return nil // a city's or province's own figure is a total, not a part of one
	}
	var d store.RollupDelta
	apply := func(f *store.CurrentFact, sign int64) {
		if f == nil {
			return
		}
		d.Sum += sign * f.Value
		d.N += sign
		if f.Status == "approved" {
			d.ApprovedSum += sign * f.Value
			d.ApprovedN += sign
		}
	}
	apply(old, -1)
	apply(new, +1)
	var ds []store.RollupDelta
	for _, g := range regions {
		for _, i := range industries {
			x := d
			x.Basis, x.Indicator, x.Region, x.Industry, x.Period = basis, k.Indicator, g, i, k.Period
			ds = append(ds, x)
		}
	}
	return tx.ApplyRollups(ctx, ds)
}

// History returns every revision of a key, if p may read the key's current value: the
// visibility rule is the list's (one rule, in the store's scope filter), so a viewer sees
// the history of approved published figures only and an enterprise its own keys only.
func (s *Service) History(ctx context.Context, p *auth.Principal, k store.FactKey) ([]store.Fact, error) {
	scope, err := Scope(p)
	if err != nil {
		return nil, err
	}
	ent := k.EnterpriseID
	if ent == 0 {
		ent = -1 // region-level figures only
	}
	visible, err := s.DB.ListFacts(ctx, store.FactFilter{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry,
		EnterpriseID: ent, Period: k.Period, Scope: scope}, store.ListQuery{Limit: 1})
	if err != nil {
		return nil, err
	}
	if visible.Total == 0 {
		return nil, apperr.New(apperr.NotFound, "not_found", "stats.err.no_fact")
	}
	return s.DB.FactHistory(ctx, k)
}

// Scope is what p may read of the facts.
func Scope(p *auth.Principal) (store.FactScope, error) {
	if err := auth.Require(p, auth.ReadStats); err != nil {
		return store.FactScope{}, err
	}
	switch p.Role {
	case auth.Enterprise:
		return store.FactScope{EnterpriseID: p.EnterpriseID}, nil
	case auth.County:
		return store.FactScope{Region: p.RegionCode}, nil
	case auth.Viewer:
		return store.FactScope{Published: true}, nil
	}
	return store.FactScope{All: true}, nil
}

// List lists the current facts p may read.
func (s *Service) List(ctx context.Context, p *auth.Principal, f store.FactFilter, q store.ListQuery) (store.Page[store.Fact], error) {
	scope, err := Scope(p)
	if err != nil {
		return store.Page[store.Fact]{}, err
	}
	f.Scope = scope
	return s.DB.ListFacts(ctx, f, q)
}
