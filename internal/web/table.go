package web

import (
	"net/http"
	"net/url"
	"strconv"

	"zhanxin/internal/export"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
)

// Every list page is a table with sort, filter, paging and XLSX/CSV export of the whole
// filtered list. This file is the one implementation of that.

const defaultPerPage = 50

// Column is a table column: its catalogue label and, if sortable, its sort key. A column
// of action buttons is NoExport: a button means nothing in a spreadsheet.
type Column struct {
	Label    string
	Sort     string
	Num      bool
	NoExport bool
}

// Cell is one cell: Value goes into exports (numbers stay numbers), Text is shown, Href
// makes it a link, Pre keeps its line breaks (JSON), Action makes it a button that posts.
type Cell struct {
	Value  any
	Text   string
	Href   string
	Num    bool
	Pre    bool
	Action *CellAction
}

// CellAction is a button in a table cell that posts a form (with the CSRF token) to Post,
// asking Confirm first when it is set.
type CellAction struct {
	Post    string
	Label   string
	Confirm string
	Danger  bool
	Hidden  []KV
}

// TextCell is a cell whose export value is its text.
func TextCell(s string) Cell { return Cell{Value: s, Text: s} }

// TableView is what the table partial renders.
type TableView struct {
	Columns    []ColumnView
	Rows       [][]Cell
	Filter     string
	Page       int
	Pages      int
	Total      int
	PrevHref   string
	NextHref   string
	ExportXLSX string
	ExportCSV  string
	Action     string
	Hidden     []KV   // other query parameters the filter form keeps
	NoFilter   bool   // the page has a filter form of its own
	TestID     string // data-testid of the table, for tests that find it by selector
}

// ColumnView is a column header with its sort link.
type ColumnView struct {
	Label    string
	SortHref string
	Sorted   bool
	Desc     bool
	Num      bool
}

// KV is a query parameter.
type KV struct{ Key, Value string }

// TableSpec describes one list page's table.
type TableSpec[T any] struct {
	Export  string // file name of exports, without extension
	Columns []Column
	Row     func(T) []Cell
}

// listQuery reads sort, dir, q and page from the URL.
func listQuery(r *http.Request) (store.ListQuery, int, int) {
	v := r.URL.Query()
	page, _ := strconv.Atoi(v.Get("page"))
	if page < 1 {
		page = 1
	}
	per, _ := strconv.Atoi(v.Get("per_page"))
	if per < 1 || per > 500 {
		per = defaultPerPage
	}
	return store.ListQuery{Sort: v.Get("sort"), Desc: v.Get("dir") == "desc", Filter: v.Get("q"),
		Limit: per, Offset: (page - 1) * per}, page, per
}

// serveTable answers a list request: with ?format=xlsx|csv it writes the whole filtered
// list as a file and returns done; otherwise it returns the page of the table to render.
func serveTable[T any](s *Server, w http.ResponseWriter, r *http.Request, spec TableSpec[T],
	fetch func(store.ListQuery) (store.Page[T], error)) (tv TableView, done bool, err error) {
	q, page, per := listQuery(r)
	lang := s.lang(r)
	if f, ok := export.ParseFormat(r.URL.Query().Get("format")); ok {
		q.Limit, q.Offset = 0, 0
		p, err := fetch(q)
		if err != nil {
			return tv, false, err
		}
		t := export.Table{Title: s.cat.T(lang, spec.Export)}
		for _, c := range spec.Columns {
			if !c.NoExport {
				t.Headers = append(t.Headers, s.cat.T(lang, c.Label))
			}
		}
		for _, row := range p.Rows {
			out := make([]any, 0, len(t.Headers))
			for i, c := range spec.Row(row) {
				if !spec.Columns[i].NoExport {
					out = append(out, c.Value)
				}
			}
			t.Rows = append(t.Rows, out)
		}
		return tv, true, export.Serve(w, f, s.cat.T(lang, spec.Export), t)
	}
	p, err := fetch(q)
	if err != nil {
		return tv, false, err
	}
	tv = buildTable(s, lang, r, spec.Columns, q, page, per, p.Total)
	for _, row := range p.Rows {
		tv.Rows = append(tv.Rows, spec.Row(row))
	}
	return tv, false, nil
}

func buildTable(s *Server, lang i18n.Lang, r *http.Request, cols []Column, q store.ListQuery, page, per, total int) TableView {
	base := r.URL.Query()
	link := func(change func(url.Values)) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		change(v)
		return r.URL.Path + "?" + v.Encode()
	}
	tv := TableView{Filter: q.Filter, Page: page, Total: total, Action: r.URL.Path}
	tv.Pages = (total + per - 1) / per
	if tv.Pages == 0 {
		tv.Pages = 1
	}
	for _, c := range cols {
		cv := ColumnView{Label: s.cat.T(lang, c.Label), Num: c.Num}
		if c.Sort != "" {
			cv.Sorted = q.Sort == c.Sort
			cv.Desc = cv.Sorted && q.Desc
			dir := "asc"
			if cv.Sorted && !q.Desc {
				dir = "desc"
			}
			cv.SortHref = link(func(v url.Values) { v.Set("sort", c.Sort); v.Set("dir", dir); v.Del("page") })
		}
		tv.Columns = append(tv.Columns, cv)
	}
	if page > 1 {
		tv.PrevHref = link(func(v url.Values) { v.Set("page", strconv.Itoa(page-1)) })
	}
	if page < tv.Pages {
		tv.NextHref = link(func(v url.Values) { v.Set("page", strconv.Itoa(page+1)) })
	}
	tv.ExportXLSX = link(func(v url.Values) { v.Set("format", "xlsx"); v.Del("page") })
	tv.ExportCSV = link(func(v url.Values) { v.Set("format", "csv"); v.Del("page") })
	for k, vs := range base {
		if k == "q" || k == "page" || k == "format" {
			continue
		}
		for _, x := range vs {
			tv.Hidden = append(tv.Hidden, KV{k, x})
		}
	}
	return tv
}
