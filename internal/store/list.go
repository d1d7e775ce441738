package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ListQuery is a table request: sort by a named column, filter by free text, one page.
// Sort keys are mapped to columns through each list's own whitelist, never spliced in raw.
type ListQuery struct {
	Sort   string
	Desc   bool
	Filter string
	Limit  int // 0: no limit (exports)
	Offset int
}

// Page is one page of a list and the total number of matching rows.
type Page[T any] struct {
	Rows  []T
	Total int
}

// listSpec describes how one table is listed.
type listSpec struct {
	from        string            // FROM … [JOIN …]
	columns     string            // SELECT list
	sorts       map[string]string // sort key → ORDER BY expression
	defaultSort string            // ORDER BY when no (valid) key is given
	filterCols  []string          // columns searched by the free-text filter
	tiebreak    string            // appended to every ORDER BY so pages are stable
}

// where builds "WHERE …" from fixed conditions plus the free-text filter.
func (s listSpec) where(d Dialect, q ListQuery, conds []string, args []any) (string, []any) {
	if f := strings.TrimSpace(q.Filter); f != "" && len(s.filterCols) > 0 {
		var ors []string
		pat := "%" + escapeLike(f) + "%"
		for _, c := range s.filterCols {
			ors = append(ors, fmt.Sprintf("%s %s ? ESCAPE '\\'", c, d.likeOp()))
			args = append(args, pat)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// list runs the count and the page query and scans each row with scan.
func list[T any](ctx context.Context, db *DB, s listSpec, q ListQuery, conds []string, args []any,
	scan func(rows interface{ Scan(...any) error }) (T, error)) (Page[T], error) {
	var p Page[T]
	where, args := s.where(db.Dialect, q, conds, args)
	if err := db.queryRow(ctx, "SELECT COUNT(*) FROM "+s.from+where, args...).Scan(&p.Total); err != nil {
		return p, err
	}
	order, ok := s.sorts[q.Sort]
	if !ok {
		order = s.defaultSort
	} else if q.Desc {
		order += " DESC"
	}
	sql := "SELECT " + s.columns + " FROM " + s.from + where + " ORDER BY " + order + ", " + s.tiebreak
	if q.Limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, max(q.Offset, 0))
	}
	rows, err := db.query(ctx, sql, args...)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return p, err
		}
		p.Rows = append(p.Rows, v)
	}
	return p, rows.Err()
}

// rowScanner is what a scan function reads from: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// querier runs a rebound query: the read pool (*DB) or a write transaction (*Tx).
type querier interface {
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// all runs q and scans every row with scan: the one loop behind every list read.
func all[T any](ctx context.Context, on querier, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := on.query(ctx, q, args...)
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
