package store

import (
	"context"
	"time"
)

// This file holds the SQL of the project pipeline beyond its core row (migration 0009):
// investment, dates, jobs and support on the row itself, investment by year, the stage
// log and the blockers log.

// ProjectDetail is what a project plans and has done. Money is in millionths of 万元.
type ProjectDetail struct {
	InvestPlanned   int64
	InvestCompleted int64
	StartPlanned    string // YYYY-MM-DD or ""
	FinishPlanned   string
	StartActual     string
	FinishActual    string
	JobsPlanned     int64
	JobsCreated     int64
	Support         string // support received (政策、资金、用地指标 …)
}

// ProjectRecord is a project with its detail, the names it points at and the state of its
// blockers, as lists and pages show it.
type ProjectRecord struct {
	Project
	ProjectDetail
	StageChangedAt  time.Time
	ParkName        string
	RegionName      string
	EnterpriseName  string
	LinkName        string
	OpenBlockers    int
	EarliestOpenDue string // the earliest due date of an open blocker, "" if none
}

// SetProjectDetail writes a project's detail; stageChangedAt is set only when not zero.
func (t *Tx) SetProjectDetail(ctx context.Context, id int64, d ProjectDetail, stageChangedAt time.Time) error {
	q := `UPDATE projects SET invest_planned = ?, invest_completed = ?, start_planned = ?, finish_planned = ?,
		start_actual = ?, finish_actual = ?, jobs_planned = ?, jobs_created = ?, support = ?`
	args := []any{d.InvestPlanned, d.InvestCompleted, d.StartPlanned, d.FinishPlanned, d.StartActual, d.FinishActual,
		d.JobsPlanned, d.JobsCreated, d.Support}
	if !stageChangedAt.IsZero() {
		q += ", stage_changed_at = ?"
		args = append(args, stageChangedAt.UnixMilli())
	}
	_, err := t.exec(ctx, q+" WHERE id = ?", append(args, id)...)
	return err
}

// UpdateProject rewrites a project's core row (not its stage, which moves through
// SetProjectStage so that every move is logged).
func (t *Tx) UpdateProject(ctx context.Context, p Project) error {
	_, err := t.exec(ctx, `UPDATE projects SET name_zh = ?, name_en = ?, industry_code = ?, link_id = ?, region_code = ?,
		park_code = ?, enterprise_id = ?, note = ?, source = ?, updated_at = ? WHERE id = ?`,
		p.NameZh, p.NameEn, nullStr(p.IndustryCode), nullInt(p.LinkID), nullStr(p.RegionCode), nullStr(p.ParkCode),
		nullInt(p.EnterpriseID), p.Note, p.Source, p.UpdatedAt.UnixMilli(), p.ID)
	return err
}

// StageMove is one entry of a project's stage log.
type StageMove struct {
	ID        int64
	ProjectID int64
	From      string
	To        string
	Reason    string
	Actor     string
	At        time.Time
}

// SetProjectStage moves a project to stage and logs the move.
func (t *Tx) SetProjectStage(ctx context.Context, m StageMove) error {
	if _, err := t.exec(ctx, "UPDATE projects SET stage = ?, stage_changed_at = ?, updated_at = ? WHERE id = ?",
		m.To, m.At.UnixMilli(), m.At.UnixMilli(), m.ProjectID); err != nil {
		return err
	}
	_, err := t.exec(ctx, "INSERT INTO project_stage_log(project_id, from_stage, to_stage, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
		m.ProjectID, m.From, m.To, m.Reason, m.Actor, m.At.UnixMilli())
	return err
}

func scanStageMove(r rowScanner) (StageMove, error) {
	var m StageMove
	var at int64
	err := r.Scan(&m.ID, &m.ProjectID, &m.From, &m.To, &m.Reason, &m.Actor, &at)
	m.At = time.UnixMilli(at).UTC()
	return m, err
}

// ProjectStageLog returns a project's stage moves, oldest first.
func (db *DB) ProjectStageLog(ctx context.Context, id int64) ([]StageMove, error) {
	return all(ctx, db, scanStageMove, `SELECT id, project_id, from_stage, to_stage, reason, actor, at FROM project_stage_log
		WHERE project_id = ? ORDER BY at, id`, id)
}

// ProjectYear is a project's investment in one year, planned and completed.
type ProjectYear struct {
	Year      int
	Planned   int64
	Completed int64
}

// SetProjectYears replaces a project's investment by year.
func (t *Tx) SetProjectYears(ctx context.Context, id int64, years []ProjectYear) error {
	if _, err := t.exec(ctx, "DELETE FROM project_annual WHERE project_id = ?", id); err != nil {
		return err
	}
	for _, y := range years {
		if _, err := t.exec(ctx, "INSERT INTO project_annual(project_id, year, planned, completed) VALUES (?, ?, ?, ?)",
			id, y.Year, y.Planned, y.Completed); err != nil {
			return err
		}
	}
	return nil
}

func scanProjectYear(r rowScanner) (ProjectYear, error) {
	var y ProjectYear
	err := r.Scan(&y.Year, &y.Planned, &y.Completed)
	return y, err
}

// ProjectYears returns a project's investment by year.
func (db *DB) ProjectYears(ctx context.Context, id int64) ([]ProjectYear, error) {
	return all(ctx, db, scanProjectYear, "SELECT year, planned, completed FROM project_annual WHERE project_id = ? ORDER BY year", id)
}

// Blocker is an entry of a project's blockers log.
type Blocker struct {
	ID          int64
	ProjectID   int64
	Kind        string // land, environment, finance, other
	Description string
	Owner       string
	DueDate     string // YYYY-MM-DD
	Status      string // open, resolved, closed
	Resolution  string
	CreatedAt   time.Time
	ClosedAt    time.Time // zero while open
}

// InsertBlocker adds a blocker and returns its id.
func (t *Tx) InsertBlocker(ctx context.Context, b Blocker) (int64, error) {
	return t.insertID(ctx, `INSERT INTO project_blockers(project_id, kind, description, owner, due_date, status, resolution, created_at)
		VALUES (?, ?, ?, ?, ?, 'open', '', ?)`, b.ProjectID, b.Kind, b.Description, b.Owner, b.DueDate, b.CreatedAt.UnixMilli())
}

// CloseBlocker marks a blocker resolved or closed.
func (t *Tx) CloseBlocker(ctx context.Context, id int64, status, resolution string, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE project_blockers SET status = ?, resolution = ?, closed_at = ? WHERE id = ?",
		status, resolution, at.UnixMilli(), id)
	return err
}

const blockerColumns = "id, project_id, kind, description, owner, due_date, status, resolution, created_at, closed_at"

func scanBlocker(r rowScanner) (Blocker, error) {
	var b Blocker
	var c, x int64
	err := r.Scan(&b.ID, &b.ProjectID, &b.Kind, &b.Description, &b.Owner, &b.DueDate, &b.Status, &b.Resolution, &c, &x)
	b.CreatedAt = time.UnixMilli(c).UTC()
	if x != 0 {
		b.ClosedAt = time.UnixMilli(x).UTC()
	}
	return b, err
}

// BlockerByID reads a blocker inside a write transaction.
func (t *Tx) BlockerByID(ctx context.Context, id int64) (Blocker, error) {
	b, err := scanBlocker(t.queryRow(ctx, "SELECT "+blockerColumns+" FROM project_blockers WHERE id = ?", id))
	return b, notFound(err)
}

// ProjectBlockers returns a project's blockers, open ones first, then by due date.
func (db *DB) ProjectBlockers(ctx context.Context, id int64) ([]Blocker, error) {
	return all(ctx, db, scanBlocker, "SELECT "+blockerColumns+` FROM project_blockers WHERE project_id = ?
		ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, due_date, id`, id)
}

// ProjectScope limits which projects a read returns: all, those of one region, or those
// of one enterprise.
type ProjectScope struct {
	All          bool
	RegionCode   string
	EnterpriseID int64
}

// ProjectFilter narrows a project list. Flag is "overdue" (an open blocker past its due
// date, or a planned finish passed before 投产) or "stalled" (no stage move since
// StalledBefore, not yet 投产); Today is the date overdue is measured against.
type ProjectFilter struct {
	Scope         ProjectScope
	Stage         string
	ParkCode      string
	Flag          string
	Today         string
	StalledBefore time.Time
}

// The names a row shows are read by correlated subqueries rather than joins, so that
// the count of a list (every row that matches) reads projects alone and only the page's
// 50 rows look their names up.
const projectRecordFrom = `projects p`

const (
	parkNameOf       = `(SELECT name_zh FROM parks WHERE code = p.park_code)`
	enterpriseNameOf = `(SELECT name_zh FROM enterprises WHERE id = p.enterprise_id)`
)

const projectRecordColumns = `p.id, p.name_zh, p.name_en, p.stage, COALESCE(p.industry_code, ''), COALESCE(p.link_id, 0),
	COALESCE(p.region_code, ''), COALESCE(p.park_code, ''), COALESCE(p.enterprise_id, 0), p.note, p.source, p.created_at, p.updated_at,
	p.invest_planned, p.invest_completed, p.start_planned, p.finish_planned, p.start_actual, p.finish_actual,
	p.jobs_planned, p.jobs_created, p.support, p.stage_changed_at,
	COALESCE(` + parkNameOf + `, ''), COALESCE((SELECT name_zh FROM regions WHERE code = p.region_code), ''),
	COALESCE(` + enterpriseNameOf + `, ''), COALESCE((SELECT name_zh FROM chain_links WHERE id = p.link_id), ''),
	(SELECT COUNT(*) FROM project_blockers b WHERE b.project_id = p.id AND b.status = 'open'),
	COALESCE((SELECT MIN(b.due_date) FROM project_blockers b WHERE b.project_id = p.id AND b.status = 'open'), '')`

func scanProjectRecord(r rowScanner) (ProjectRecord, error) {
	var p ProjectRecord
	var c, u, s int64
	err := r.Scan(&p.ID, &p.NameZh, &p.NameEn, &p.Stage, &p.IndustryCode, &p.LinkID, &p.RegionCode, &p.ParkCode,
		&p.EnterpriseID, &p.Note, &p.Source, &c, &u,
		&p.InvestPlanned, &p.InvestCompleted, &p.StartPlanned, &p.FinishPlanned, &p.StartActual, &p.FinishActual,
		&p.JobsPlanned, &p.JobsCreated, &p.Support, &s,
		&p.ParkName, &p.RegionName, &p.EnterpriseName, &p.LinkName, &p.OpenBlockers, &p.EarliestOpenDue)
	p.CreatedAt, p.UpdatedAt = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
	if s == 0 {
		s = c // rows written before 0009, or by the shared anchors' InsertProject
	}
	p.StageChangedAt = time.UnixMilli(s).UTC()
	return p, err
}

var projectList = listSpec{
	from:    projectRecordFrom,
	columns: projectRecordColumns,
	sorts: map[string]string{"id": "p.id", "name": "p.name_zh", "region": "p.region_code", "park": "p.park_code",
		"stage":  "CASE p.stage WHEN 'planning' THEN 1 WHEN 'signed' THEN 2 WHEN 'started' THEN 3 WHEN 'building' THEN 4 ELSE 5 END",
		"invest": "p.invest_planned", "completed": "p.invest_completed", "jobs": "p.jobs_planned", "updated": "p.updated_at"},
	defaultSort: "p.id",
	filterCols:  []string{"p.name_zh", "p.name_en", "p.note", "p.support", enterpriseNameOf, parkNameOf},
	tiebreak:    "p.id",
}

func projectConds(f ProjectFilter) ([]string, []any) {
	var conds []string
	var args []any
	switch {
	case f.Scope.All:
	case f.Scope.EnterpriseID != 0:
		conds, args = append(conds, "p.enterprise_id = ?"), append(args, f.Scope.EnterpriseID)
	case f.Scope.RegionCode != "":
		conds, args = append(conds, "p.region_code = ?"), append(args, f.Scope.RegionCode)
	default:
		conds = append(conds, "1 = 0")
	}
	if f.Stage != "" {
		conds, args = append(conds, "p.stage = ?"), append(args, f.Stage)
	}
	if f.ParkCode != "" {
		conds, args = append(conds, "p.park_code = ?"), append(args, f.ParkCode)
	}
	switch f.Flag {
	case "overdue":
		// IN over the open blockers past due (an index range) rather than a probe per project.
		conds = append(conds, `(p.id IN (SELECT b.project_id FROM project_blockers b WHERE b.status = 'open' AND b.due_date < ?)
			OR (p.finish_planned <> '' AND p.finish_planned < ? AND p.stage <> 'operating'))`)
		args = append(args, f.Today, f.Today)
	case "stalled":
		conds = append(conds, "p.stage <> 'operating' AND (CASE WHEN p.stage_changed_at > 0 THEN p.stage_changed_at ELSE p.created_at END) < ?")
		args = append(args, f.StalledBefore.UnixMilli())
	}
	return conds, args
}

// ListProjects lists the projects f selects.
func (db *DB) ListProjects(ctx context.Context, f ProjectFilter, q ListQuery) (Page[ProjectRecord], error) {
	conds, args := projectConds(f)
	return list(ctx, db, projectList, q, conds, args, scanProjectRecord)
}

// ProjectRecordByID reads one project with its detail.
func (db *DB) ProjectRecordByID(ctx context.Context, id int64) (ProjectRecord, error) {
	p, err := scanProjectRecord(db.queryRow(ctx, "SELECT "+projectRecordColumns+" FROM "+projectRecordFrom+" WHERE p.id = ?", id))
	return p, notFound(err)
}

// ProjectRecordByID reads one project with its detail inside a write transaction.
func (t *Tx) ProjectRecordByID(ctx context.Context, id int64) (ProjectRecord, error) {
	p, err := scanProjectRecord(t.queryRow(ctx, "SELECT "+projectRecordColumns+" FROM "+projectRecordFrom+" WHERE p.id = ?", id))
	return p, notFound(err)
}

// ProjectYears returns a project's investment by year inside a write transaction.
func (t *Tx) ProjectYears(ctx context.Context, id int64) ([]ProjectYear, error) {
	return all(ctx, t, scanProjectYear, "SELECT year, planned, completed FROM project_annual WHERE project_id = ? ORDER BY year", id)
}

// ProjectRegionsOfEnterprise returns the regions of the projects an enterprise invests in:
// an investor from outside is known to be in a region once it has a project there.
func (t *Tx) ProjectRegionsOfEnterprise(ctx context.Context, enterpriseID int64) ([]string, error) {
	return all(ctx, t, scanString, "SELECT DISTINCT region_code FROM projects WHERE enterprise_id = ? AND region_code IS NOT NULL ORDER BY region_code", enterpriseID)
}
