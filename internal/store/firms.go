package store

import (
	"context"
	"time"
)

// This file holds the SQL of enterprise cultivation (migration 0010): classes and their
// criteria, designations, cultivation lists and 一企一策 support measures.

// EnterpriseClass is a row of enterprise_classes.
type EnterpriseClass struct {
	Code      string
	NameZh    string
	NameEn    string
	Combine   string // all, any
	Note      string
	Source    string
	SortOrder int
}

// ClassCriterion is one rule of a class. Threshold is in millionths of the indicator's unit.
type ClassCriterion struct {
	ID         int64
	ClassCode  string
	Kind       string // indicator, designated, chain_leader
	Indicator  string
	Comparison string
	Threshold  int64
	Period     string
	Note       string
	Source     string
}

// Designation puts an enterprise in a class on a named source's word.
type Designation struct {
	EnterpriseID int64
	ClassCode    string
	Period       string
	Source       string
	Quote        string
}

// CultivationEntry is an enterprise on a class's cultivation list.
type CultivationEntry struct {
	EnterpriseID int64
	ClassCode    string
	Note         string
	AddedBy      string
	AddedAt      time.Time
}

// SupportMeasure is one measure of an enterprise's 一企一策 support plan.
type SupportMeasure struct {
	ID           int64
	EnterpriseID int64
	Enterprise   string // name, when listed
	Measure      string
	Department   string
	DueDate      string // YYYY-MM-DD
	Status       string // planned, in_progress, done, cancelled
	Note         string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// EnterpriseFactValue is an enterprise's value in force for one key, with its source.
type EnterpriseFactValue struct {
	Indicator    string
	Industry     string
	Period       string
	Value        int64
	Status       string
	Source       string
	SourceStatus string
}

// UpsertEnterpriseClass inserts or replaces a class by code.
func (t *Tx) UpsertEnterpriseClass(ctx context.Context, c EnterpriseClass) error {
	_, err := t.exec(ctx, `INSERT INTO enterprise_classes(code, name_zh, name_en, combine, note, source, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
		combine = excluded.combine, note = excluded.note, source = excluded.source, sort_order = excluded.sort_order`,
		c.Code, c.NameZh, c.NameEn, c.Combine, c.Note, c.Source, c.SortOrder)
	return err
}

const classColumns = "code, name_zh, name_en, combine, note, source, sort_order"

func scanClass(r rowScanner) (EnterpriseClass, error) {
	var c EnterpriseClass
	err := r.Scan(&c.Code, &c.NameZh, &c.NameEn, &c.Combine, &c.Note, &c.Source, &c.SortOrder)
	return c, err
}

// EnterpriseClassByCode reads a class inside a write transaction.
func (t *Tx) EnterpriseClassByCode(ctx context.Context, code string) (EnterpriseClass, error) {
	c, err := scanClass(t.queryRow(ctx, "SELECT "+classColumns+" FROM enterprise_classes WHERE code = ?", code))
	return c, notFound(err)
}

// EnterpriseClasses lists the classes in display order.
func (db *DB) EnterpriseClasses(ctx context.Context) ([]EnterpriseClass, error) {
	return all(ctx, db, scanClass, "SELECT "+classColumns+" FROM enterprise_classes ORDER BY sort_order, code")
}

// SetClassCombine sets how a class's criteria combine.
func (t *Tx) SetClassCombine(ctx context.Context, code, combine string) error {
	_, err := t.exec(ctx, "UPDATE enterprise_classes SET combine = ? WHERE code = ?", combine, code)
	return err
}

const criterionColumns = `id, class_code, kind, COALESCE(indicator_code, ''), comparison, threshold_micro, period, note, source`

func scanCriterion(r rowScanner) (ClassCriterion, error) {
	var c ClassCriterion
	err := r.Scan(&c.ID, &c.ClassCode, &c.Kind, &c.Indicator, &c.Comparison, &c.Threshold, &c.Period, &c.Note, &c.Source)
	return c, err
}

// InsertClassCriterion adds a criterion and returns its id.
func (t *Tx) InsertClassCriterion(ctx context.Context, c ClassCriterion) (int64, error) {
	return t.insertID(ctx, `INSERT INTO class_criteria(class_code, kind, indicator_code, comparison, threshold_micro, period, note, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ClassCode, c.Kind, nullStr(c.Indicator), c.Comparison, c.Threshold, c.Period, c.Note, c.Source)
}

// ClassCriterionByID reads a criterion inside a write transaction.
func (t *Tx) ClassCriterionByID(ctx context.Context, id int64) (ClassCriterion, error) {
	c, err := scanCriterion(t.queryRow(ctx, "SELECT "+criterionColumns+" FROM class_criteria WHERE id = ?", id))
	return c, notFound(err)
}

// DeleteClassCriterion removes a criterion.
func (t *Tx) DeleteClassCriterion(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, "DELETE FROM class_criteria WHERE id = ?", id)
	return err
}

// ClassCriteria lists every criterion, by class and id.
func (db *DB) ClassCriteria(ctx context.Context) ([]ClassCriterion, error) {
	return all(ctx, db, scanCriterion, "SELECT "+criterionColumns+" FROM class_criteria ORDER BY class_code, id")
}

// ClassCriteriaOf lists a class's criteria inside a write transaction.
func (t *Tx) ClassCriteriaOf(ctx context.Context, class string) ([]ClassCriterion, error) {
	return all(ctx, t, scanCriterion, "SELECT "+criterionColumns+" FROM class_criteria WHERE class_code = ? ORDER BY id", class)
}

// UpsertDesignation inserts or replaces a designation.
func (t *Tx) UpsertDesignation(ctx context.Context, d Designation) error {
	_, err := t.exec(ctx, `INSERT INTO enterprise_designations(enterprise_id, class_code, period, source, quote) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (enterprise_id, class_code) DO UPDATE SET period = excluded.period, source = excluded.source, quote = excluded.quote`,
		d.EnterpriseID, d.ClassCode, d.Period, d.Source, d.Quote)
	return err
}

func scanDesignation(r rowScanner) (Designation, error) {
	var d Designation
	err := r.Scan(&d.EnterpriseID, &d.ClassCode, &d.Period, &d.Source, &d.Quote)
	return d, err
}

// DesignationOf reads one designation inside a write transaction.
func (t *Tx) DesignationOf(ctx context.Context, enterpriseID int64, class string) (Designation, error) {
	d, err := scanDesignation(t.queryRow(ctx, `SELECT enterprise_id, class_code, period, source, quote FROM enterprise_designations
		WHERE enterprise_id = ? AND class_code = ?`, enterpriseID, class))
	return d, notFound(err)
}

// Designations lists the designations of the given enterprises (all when ids is nil).
func (db *DB) Designations(ctx context.Context, ids []int64) ([]Designation, error) {
	q, args := "SELECT enterprise_id, class_code, period, source, quote FROM enterprise_designations", []any(nil)
	q, args = inIDs(q, "enterprise_id", ids, args)
	return all(ctx, db, scanDesignation, q+" ORDER BY enterprise_id, class_code", args...)
}

// inIDs adds "WHERE col IN (…)" for ids; nil ids means no limit, an empty list matches nothing.
func inIDs(q, col string, ids []int64, args []any) (string, []any) {
	if ids == nil {
		return q, args
	}
	if len(ids) == 0 {
		return q + " WHERE 1 = 0", args
	}
	q += " WHERE " + col + " IN ("
	for i, id := range ids {
		if i > 0 {
			q += ", "
		}
		q += "?"
		args = append(args, id)
	}
	return q + ")", args
}

// ChainLeaders returns the ids of the given enterprises that lead at least one chain link,
// with the number of links each leads.
func (db *DB) ChainLeaders(ctx context.Context, ids []int64) (map[int64]int, error) {
	q, args := inIDs("SELECT enterprise_id, COUNT(*) FROM link_enterprises", "enterprise_id", ids, nil)
	if ids == nil {
		q += " WHERE leader = 1"
	} else {
		q += " AND leader = 1"
	}
	type pair struct {
		id int64
		n  int
	}
	rows, err := all(ctx, db, func(r rowScanner) (pair, error) {
		var p pair
		return p, r.Scan(&p.id, &p.n)
	}, q+" GROUP BY enterprise_id", args...)
	out := map[int64]int{}
	for _, p := range rows {
		out[p.id] = p.n
	}
	return out, err
}

// EnterpriseFactValues lists the values in force of the given enterprises for the given
// indicators, with each value's source.
func (db *DB) EnterpriseFactValues(ctx context.Context, ids []int64, indicators []string) (map[int64][]EnterpriseFactValue, error) {
	out := map[int64][]EnterpriseFactValue{}
	if len(indicators) == 0 || (ids != nil && len(ids) == 0) {
		return out, nil
	}
	q := `SELECT c.enterprise_id, c.indicator_code, c.industry_code, c.period, c.value_micro, c.status, f.source, f.source_status
		FROM fact_current c JOIN facts f ON f.id = c.fact_id WHERE c.enterprise_id <> 0 AND c.indicator_code IN (`
	var args []any
	for i, ind := range indicators {
		if i > 0 {
			q += ", "
		}
		q += "?"
		args = append(args, ind)
	}
	q += ")"
	if ids != nil {
		q += " AND c.enterprise_id IN ("
		for i, id := range ids {
			if i > 0 {
				q += ", "
			}
			q += "?"
			args = append(args, id)
		}
		q += ")"
	}
	type row struct {
		id int64
		v  EnterpriseFactValue
	}
	rows, err := all(ctx, db, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.v.Indicator, &x.v.Industry, &x.v.Period, &x.v.Value, &x.v.Status, &x.v.Source, &x.v.SourceStatus)
	}, q+" ORDER BY c.enterprise_id, c.indicator_code, c.period, c.industry_code", args...)
	for _, x := range rows {
		out[x.id] = append(out[x.id], x.v)
	}
	return out, err
}

// AllEnterprises lists the enterprises within scope, without paging.
func (db *DB) AllEnterprises(ctx context.Context, s EnterpriseScope) ([]Enterprise, error) {
	p, err := db.ListEnterprises(ctx, s, ListQuery{})
	return p.Rows, err
}

// UpsertCultivationEntry puts an enterprise on a class's cultivation list.
func (t *Tx) UpsertCultivationEntry(ctx context.Context, c CultivationEntry) error {
	_, err := t.exec(ctx, `INSERT INTO cultivation_entries(enterprise_id, class_code, note, added_by, added_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (enterprise_id, class_code) DO UPDATE SET note = excluded.note`,
		c.EnterpriseID, c.ClassCode, c.Note, c.AddedBy, c.AddedAt.UnixMilli())
	return err
}

// DeleteCultivationEntry takes an enterprise off a class's cultivation list.
func (t *Tx) DeleteCultivationEntry(ctx context.Context, enterpriseID int64, class string) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM cultivation_entries WHERE enterprise_id = ? AND class_code = ?", enterpriseID, class)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CultivationEntries lists the cultivation entries of the given enterprises (all when nil).
func (db *DB) CultivationEntries(ctx context.Context, ids []int64) ([]CultivationEntry, error) {
	q, args := inIDs("SELECT enterprise_id, class_code, note, added_by, added_at FROM cultivation_entries", "enterprise_id", ids, nil)
	return all(ctx, db, func(r rowScanner) (CultivationEntry, error) {
		var c CultivationEntry
		var at int64
		err := r.Scan(&c.EnterpriseID, &c.ClassCode, &c.Note, &c.AddedBy, &at)
		c.AddedAt = time.UnixMilli(at).UTC()
		return c, err
	}, q+" ORDER BY class_code, enterprise_id", args...)
}

const measureColumns = `m.id, m.enterprise_id, e.name_zh, m.measure, m.department, m.due_date, m.status, m.note, m.created_by,
	m.created_at, m.updated_at`

func scanMeasure(r rowScanner) (SupportMeasure, error) {
	var m SupportMeasure
	var c, u int64
	err := r.Scan(&m.ID, &m.EnterpriseID, &m.Enterprise, &m.Measure, &m.Department, &m.DueDate, &m.Status, &m.Note, &m.CreatedBy, &c, &u)
	m.CreatedAt, m.UpdatedAt = time.UnixMilli(c).UTC(), time.UnixMilli(u).UTC()
	return m, err
}

// InsertSupportMeasure adds a measure and returns its id.
func (t *Tx) InsertSupportMeasure(ctx context.Context, m SupportMeasure) (int64, error) {
	return t.insertID(ctx, `INSERT INTO support_measures(enterprise_id, measure, department, due_date, status, note, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.EnterpriseID, m.Measure, m.Department, m.DueDate, m.Status,
		m.Note, m.CreatedBy, m.CreatedAt.UnixMilli(), m.UpdatedAt.UnixMilli())
}

// SupportMeasureByID reads a measure inside a write transaction.
func (t *Tx) SupportMeasureByID(ctx context.Context, id int64) (SupportMeasure, error) {
	m, err := scanMeasure(t.queryRow(ctx, "SELECT "+measureColumns+" FROM support_measures m JOIN enterprises e ON e.id = m.enterprise_id WHERE m.id = ?", id))
	return m, notFound(err)
}

// SetSupportMeasureStatus changes a measure's status.
func (t *Tx) SetSupportMeasureStatus(ctx context.Context, id int64, status string, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE support_measures SET status = ?, updated_at = ? WHERE id = ?", status, at.UnixMilli(), id)
	return err
}

var measureList = listSpec{
	from:    "support_measures m JOIN enterprises e ON e.id = m.enterprise_id",
	columns: measureColumns,
	sorts: map[string]string{"due": "m.due_date", "enterprise": "e.name_zh", "department": "m.department", "status": "m.status",
		"id": "m.id"},
	defaultSort: "m.due_date",
	filterCols:  []string{"m.measure", "m.department", "e.name_zh"},
	tiebreak:    "m.id",
}

// ListSupportMeasures lists the measures of the enterprises in scope, optionally of one
// enterprise (enterpriseID ≠ 0), and only those overdue on today (YYYY-MM-DD) when given.
func (db *DB) ListSupportMeasures(ctx context.Context, s EnterpriseScope, enterpriseID int64, overdueOn string, q ListQuery) (Page[SupportMeasure], error) {
	var conds []string
	var args []any
	switch {
	case s.All:
	case s.EnterpriseID != 0:
		conds, args = append(conds, "m.enterprise_id = ?"), append(args, s.EnterpriseID)
	case s.RegionCode != "":
		conds, args = append(conds, "e.region_code = ?"), append(args, s.RegionCode)
	default:
		conds = append(conds, "1 = 0")
	}
	if enterpriseID != 0 {
		conds, args = append(conds, "m.enterprise_id = ?"), append(args, enterpriseID)
	}
	if overdueOn != "" {
		conds, args = append(conds, "m.due_date < ? AND m.status IN ('planned', 'in_progress')"), append(args, overdueOn)
	}
	return list(ctx, db, measureList, q, conds, args, scanMeasure)
}

// DeleteDesignation removes one designation; false when there was none.
func (t *Tx) DeleteDesignation(ctx context.Context, enterpriseID int64, class string) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM enterprise_designations WHERE enterprise_id = ? AND class_code = ?", enterpriseID, class)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
