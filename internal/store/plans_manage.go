package store

import "context"

// The SQL of managing plans themselves and their named goals: plans and goals are
// written with the upserts of plans.go and goal pairings with parks.go's; these count
// what a plan holds (a plan is deleted only when empty), list a goal's pairings and delete.

// PlanContents counts the stages and named goals of a plan inside a write transaction.
func (t *Tx) PlanContents(ctx context.Context, plan string) (stages, goals int, err error) {
	if err = t.queryRow(ctx, "SELECT COUNT(*) FROM plan_stages WHERE plan_code = ?", plan).Scan(&stages); err != nil {
		return
	}
	err = t.queryRow(ctx, "SELECT COUNT(*) FROM plan_goals WHERE plan_code = ?", plan).Scan(&goals)
	return
}

// DeletePlan deletes a plan (the caller has checked it is empty).
func (t *Tx) DeletePlan(ctx context.Context, code string) error {
	_, err := t.exec(ctx, "DELETE FROM plans WHERE code = ?", code)
	return err
}

// PlanGoalByCode reads a named goal.
func (db *DB) PlanGoalByCode(ctx context.Context, code string) (PlanGoal, error) {
	g, err := scanGoal(db.queryRow(ctx, "SELECT "+goalColumns+" FROM plan_goals WHERE code = ?", code))
	return g, notFound(err)
}

// GoalTargetsOf returns the pairings of one goal.
func (db *DB) GoalTargetsOf(ctx context.Context, goal string) ([]GoalTarget, error) {
	return all(ctx, db, scanGoalTarget, "SELECT goal_code, target_code, note FROM goal_targets WHERE goal_code = ? ORDER BY target_code", goal)
}

// DeleteGoalTarget removes a pairing.
func (t *Tx) DeleteGoalTarget(ctx context.Context, goal, target string) error {
	_, err := t.exec(ctx, "DELETE FROM goal_targets WHERE goal_code = ? AND target_code = ?", goal, target)
	return err
}
