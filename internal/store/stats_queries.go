package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// Queries behind the statistics pages and API: the approval state of every region × period
// that has figures, enterprise names for the rows a caller may already see, and the
// industry tree. Row scope is always the caller's FactScope, decided by the stats use
// cases; these queries only apply it.

// PeriodApproval is one region's period as the approvals page shows it.
type PeriodApproval struct {
	Region       string
	RegionName   string
	RegionNameEn string
	Period       string
	Status       string // open, submitted or approved
	UpdatedBy    string // "" when the period was never submitted
	UpdatedAt    time.Time
	Facts        int // current facts of the pair within the caller's scope
}

// ApprovalFilter narrows the list of region periods.
type ApprovalFilter struct {
	Region string
	Period string
	Status string
	Scope  FactScope
}

// approvalScope returns the pairs a caller may see with their fact counts, and the
// condition on approval rows without facts (a period submitted empty). Counts come from
// region_period_counts, kept on write; only an enterprise's own count, which is not kept
// there, is counted from fact_current through its enterprise index (a few rows).
func approvalScope(s FactScope) (counts string, countArgs []any, approvals string, approvalArgs []any) {
	const total = "draft_n + submitted_n + approved_n"
	switch {
	case s.All:
		return "SELECT region_code, period, " + total + " AS n FROM region_period_counts WHERE " + total + " > 0", nil, "1 = 1", nil
	case s.EnterpriseID != 0:
		// An enterprise sees the periods it has figures in, and counts only its own.
		return "SELECT region_code, period, COUNT(*) AS n FROM fact_current WHERE enterprise_id = ? GROUP BY region_code, period",
			[]any{s.EnterpriseID}, "1 = 0", nil
	case s.Region != "":
		return "SELECT region_code, period, " + total + " AS n FROM region_period_counts WHERE " + total + " > 0 AND region_code = ?",
			[]any{s.Region}, "region_code = ?", []any{s.Region}
	case s.Published:
		return "SELECT region_code, period, published_n AS n FROM region_period_counts WHERE published_n > 0", nil, "status = 'approved'", nil
	}
	return "SELECT region_code, period, 0 AS n FROM region_period_counts WHERE 1 = 0", nil, "1 = 0", nil
}

// ListPeriodApprovals lists every region × period that has current facts or an approval
// record, with its approval state and fact count.
func (db *DB) ListPeriodApprovals(ctx context.Context, f ApprovalFilter, q ListQuery) (Page[PeriodApproval], error) {
	cs, fargs, as, aargs := approvalScope(f.Scope)
	spec := listSpec{
		from: `(SELECT u.region_code, u.period, CAST(SUM(u.n) AS BIGINT) AS n FROM (
			` + cs + `
			UNION ALL SELECT region_code, period, 0 FROM period_approvals WHERE ` + as + `) u GROUP BY u.region_code, u.period) x
			JOIN regions g ON g.code = x.region_code
			LEFT JOIN period_approvals a ON a.region_code = x.region_code AND a.period = x.period`,
		columns: "x.region_code, g.name_zh, g.name_en, x.period, COALESCE(a.status, 'open'), COALESCE(a.updated_by, ''), COALESCE(a.updated_at, 0), x.n",
		sorts: map[string]string{"region": "x.region_code", "name": "g.name_zh", "period": "x.period",
			"status": "COALESCE(a.status, 'open')", "facts": "x.n", "updated": "COALESCE(a.updated_at, 0)"},
		defaultSort: "x.period DESC, x.region_code",
		filterCols:  []string{"x.region_code", "g.name_zh", "x.period"},
		tiebreak:    "x.region_code, x.period",
	}
	// The placeholders of the FROM clause come before those of WHERE.
	args := append(append([]any{}, fargs...), aargs...)
	var conds []string
	add := func(c string, v any) { conds = append(conds, c); args = append(args, v) }
	if f.Region != "" {
		add("x.region_code = ?", f.Region)
	}
	if f.Period != "" {
		add("x.period = ?", f.Period)
	}
	if f.Status != "" {
		add("COALESCE(a.status, 'open') = ?", f.Status)
	}
	return list(ctx, db, spec, q, conds, args, func(r interface{ Scan(...any) error }) (PeriodApproval, error) {
		var a PeriodApproval
		var at int64
		err := r.Scan(&a.Region, &a.RegionName, &a.RegionNameEn, &a.Period, &a.Status, &a.UpdatedBy, &at, &a.Facts)
		if at != 0 {
			a.UpdatedAt = time.UnixMilli(at)
		}
		return a, err
	})
}

// EnterpriseNames returns the Chinese names of the given enterprises. Callers pass only
// ids from rows the caller was allowed to list, so this reveals nothing new.
func (db *DB) EnterpriseNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	seen := map[int64]bool{}
	var todo []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			todo = append(todo, id)
		}
	}
	// Chunks keep the statement under every engine's parameter limit.
	for len(todo) > 0 {
		n := min(len(todo), 500)
		chunk := todo[:n]
		todo = todo[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.query(ctx, "SELECT id, name_zh FROM enterprises WHERE id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = name
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// IndustryNode is an industry with its depth in the hierarchy (0 for a root).
type IndustryNode struct {
	Industry
	Depth int
}

// IndustryTree orders industries depth first, each parent before its children and
// siblings in display order. An industry whose parent is missing is shown as a root
// rather than dropped.
func IndustryTree(all []Industry) []IndustryNode {
	known := map[string]bool{}
	for _, i := range all {
		known[i.Code] = true
	}
	children := map[string][]Industry{}
	for _, i := range all {
		parent := i.ParentCode
		if !known[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], i)
	}
	for _, c := range children {
		slices.SortStableFunc(c, func(a, b Industry) int {
			return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.Code, b.Code))
		})
	}
	var out []IndustryNode
	seen := map[string]bool{}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, c := range children[parent] {
			if seen[c.Code] {
				continue // a cycle in bad data must not loop forever
			}
			seen[c.Code] = true
			out = append(out, IndustryNode{Industry: c, Depth: depth})
			walk(c.Code, depth+1)
		}
	}
	walk("", 0)
	return out
}

// SlicePage lists a small in-memory table the way list does a SQL one: free-text filter
// (case-insensitive, over text), a whitelisted sort (the given order, reversed for Desc,
// when the key is unknown), and one page. It serves catalogues and a key's revisions, which are short.
func SlicePage[T any](rows []T, q ListQuery, sorts map[string]func(a, b T) int, text func(T) string) Page[T] {
	var out []T
	f := strings.ToLower(strings.TrimSpace(q.Filter))
	for _, r := range rows {
		if f == "" || strings.Contains(strings.ToLower(text(r)), f) {
			out = append(out, r)
		}
	}
	if by, ok := sorts[q.Sort]; ok {
		slices.SortStableFunc(out, func(a, b T) int {
			if q.Desc {
				return by(b, a)
			}
			return by(a, b)
		})
	} else if q.Desc {
		slices.Reverse(out) // a direction without a key applies to the given order
	}
	p := Page[T]{Total: len(out)}
	if q.Limit <= 0 {
		p.Rows = out
		return p
	}
	lo := min(max(q.Offset, 0), len(out))
	hi := min(lo+q.Limit, len(out))
	p.Rows = out[lo:hi]
	return p
}
