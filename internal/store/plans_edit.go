package store

import "context"

// The SQL of editing plans: stages and targets are written with the upserts of plans.go;
// these read a plan's stages inside the write transaction (a target's year must fall in
// its stage) and delete.

// PlanStagesTx returns the stages of a plan inside a write transaction, in year order.
func (t *Tx) PlanStagesTx(ctx context.Context, plan string) ([]PlanStage, error) {
	return all(ctx, t, func(r rowScanner) (PlanStage, error) { return scanStage(r) },
		"SELECT "+stageColumns+" FROM plan_stages WHERE plan_code = ? ORDER BY year, sort_order, code", plan)
}

// StageTargetYears returns the target year of every target of a stage, by target code.
func (t *Tx) StageTargetYears(ctx context.Context, stage string) (map[string]int, error) {
	type ty struct {
		code string
		year int
	}
	rows, err := all(ctx, t, func(r rowScanner) (ty, error) {
		var x ty
		err := r.Scan(&x.code, &x.year)
		return x, err
	}, "SELECT code, target_year FROM plan_targets WHERE stage_code = ?", stage)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, x := range rows {
		out[x.code] = x.year
	}
	return out, nil
}

// DeletePlanStage deletes a stage (the caller has checked it has no targets).
func (t *Tx) DeletePlanStage(ctx context.Context, code string) error {
	_, err := t.exec(ctx, "DELETE FROM plan_stages WHERE code = ?", code)
	return err
}

// DeletePlanTarget deletes a target.
func (t *Tx) DeletePlanTarget(ctx context.Context, code string) error {
	_, err := t.exec(ctx, "DELETE FROM plan_targets WHERE code = ?", code)
	return err
}

// AllPlanTargets returns every target of a plan with its stage's order, for the editing list.
func (db *DB) AllPlanTargets(ctx context.Context, plan string) ([]PlanTarget, error) {
	return planCollect(ctx, db, "SELECT "+targetColumns+` FROM plan_targets t
		WHERE stage_code IN (SELECT code FROM plan_stages WHERE plan_code = ?) ORDER BY target_year, sort_order, code`, []any{plan}, scanTarget)
}
