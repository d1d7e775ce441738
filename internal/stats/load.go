package stats

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Qualifiers say how to read a published value that the source does not give exactly
// (migration 0004): ” exact, "about" 约, "over" 超/超过/多 (a lower bound).
var Qualifiers = map[string]bool{"": true, "about": true, "over": true}

// Published is a value a dataset gives as a published figure (the article, a statistical
// bulletin): it is loaded approved, with what the source says about it beyond the number.
type Published struct {
	Input        // its Qualifier says whether the source gives a bound or an approximation
	Note  string // what the source leaves open, e.g. the year the figure refers to
}

// LoadPublished records v inside the caller's transaction (a dataset load is one
// transaction) through the same checks, revision history, roll-ups and audit as Enter,
// but with status approved: a published figure is not a draft waiting for a county.
//
// It is idempotent: when the value in force already has the same value, source, status,
// quote, qualifier and note, nothing is written (and a locked period is not touched).
// Anything else is a new revision, so a corrected dataset never overwrites silently.
func (s *Service) LoadPublished(ctx context.Context, tx *store.Tx, p *auth.Principal, v Published, now time.Time) (Result, error) {
	if !Qualifiers[v.Qualifier] {
		return Result{}, fieldErr("bad_qualifier", "qualifier", "stats.err.qualifier", v.Qualifier)
	}
	in := v.Input
	if in.SourceStatus == "" {
		in.SourceStatus = "report"
	}
	if in.Reason == "" {
		in.Reason = "数据集加载 / dataset load"
	}
	if same, err := s.publishedUnchanged(ctx, tx, in, v); err != nil || same {
		return Result{Unchanged: same}, err
	}
	r, err := s.check(ctx, tx, p, in)
	if err != nil {
		return Result{}, err
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
		CreatedBy: p.Username, CreatedAt: now, Status: "approved", Quality: r.quality, Qualifier: r.in.Qualifier}
	id, err := tx.InsertFact(ctx, f, "approved", r.quality)
	if err != nil {
		return Result{}, err
	}
	f.ID = id
	if err := tx.SetFactAnnotation(ctx, id, v.Qualifier, v.Note); err != nil {
		return Result{}, err
	}
	var old *store.CurrentFact
	if r.hasPrev {
		old = &r.prev
	}
	if err := s.rollup(ctx, tx, r.ind, r.region.Kind, old, &store.CurrentFact{FactID: id, FactKey: f.FactKey, Value: f.Value, Status: "approved"}); err != nil {
		return Result{}, err
	}
	if err := countPair(ctx, tx, old, f.FactKey, "approved"); err != nil {
		return Result{}, err
	}
	var before any
	if r.hasPrev {
		before = map[string]any{"value": Micro(r.prev.Value).String(), "status": r.prev.Status, "fact_id": r.prev.FactID}
	}
	after := map[string]any{"value": Micro(f.Value).String(), "unit": r.ind.Unit, "entered": f.Entered, "revision": rev,
		"status": "approved", "source": f.Source, "source_status": f.SourceStatus, "qualifier": v.Qualifier, "quote": f.Quote}
	keyID := fmt.Sprintf("%s/%s/%s/%d/%s", f.Indicator, f.Region, f.Industry, f.EnterpriseID, f.Period)
	if err := audit.Record(ctx, tx, now, p, "fact.load", "fact", keyID, before, after); err != nil {
		return Result{}, err
	}
	return Result{Fact: f, Warnings: r.warnings}, nil
}

// publishedUnchanged reports whether the value in force for v's key is v already.
func (s *Service) publishedUnchanged(ctx context.Context, tx *store.Tx, in Input, v Published) (bool, error) {
	ind, err := tx.IndicatorByCode(ctx, in.Indicator)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // check reports it, with the field
	} else if err != nil {
		return false, err
	}
	unit := in.Unit
	if unit == "" {
		unit = ind.Unit
	}
	val, err := ParseValue(in.Value, unit, ind.Unit)
	if err != nil {
		return false, nil
	}
	cur, err := tx.CurrentDetail(ctx, store.FactKey{Indicator: in.Indicator, Region: in.Region, Industry: in.Industry,
		EnterpriseID: in.EnterpriseID, Period: in.Period})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return cur.Value == int64(val) && cur.Status == "approved" && cur.Source == in.Source &&
		cur.SourceStatus == in.SourceStatus && cur.Quote == in.Quote && cur.Qualifier == v.Qualifier && cur.Note == v.Note, nil
}
