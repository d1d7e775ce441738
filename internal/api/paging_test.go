package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

type enterpriseList struct {
	Data []api.Enterprise `json:"data"`
	Page api.PageInfo     `json:"page"`
}

func ids(l enterpriseList) []int64 {
	var out []int64
	for _, e := range l.Data {
		out = append(out, e.ID)
	}
	return out
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		const n = 65
		var all []int64
		for i := 1; i <= n; i++ {
			region := "360702"
			if i%2 == 0 {
				region = "360703"
			}
			all = append(all, seedEnterprise(t, db, fmt.Sprintf("企业%03d", i), region))
		}
		env.AddUser("planner", auth.Planner, "", 0)
		tok := env.Token("planner")
		get := func(query string) enterpriseList {
			t.Helper()
			var l enterpriseList
			getJSON(t, env, "/api/v1/enterprises"+query, tok, http.StatusOK, &l)
			return l
		}

		first := get("")
		if first.Page != (api.PageInfo{Page: 1, PerPage: api.DefaultPerPage, Total: n}) || len(first.Data) != api.DefaultPerPage {
			t.Fatalf("default page: %+v with %d rows, want page 1 of %d rows, total %d", first.Page, len(first.Data), api.DefaultPerPage, n)
		}
		second := get("?page=2")
		if second.Page != (api.PageInfo{Page: 2, PerPage: 50, Total: n}) || len(second.Data) != n-50 {
			t.Fatalf("page 2: %+v with %d rows", second.Page, len(second.Data))
		}
		// The two pages together are every enterprise once, in id order.
		if got := append(ids(first), ids(second)...); fmt.Sprint(got) != fmt.Sprint(all) {
			t.Fatalf("pages 1+2 = %v\nwant %v", got, all)
		}
		if l := get("?per_page=10&page=7"); len(l.Data) != 5 || l.Data[0].ID != all[60] || l.Page.Total != n {
			t.Fatalf("per_page=10&page=7: %+v, first %v", l.Page, ids(l))
		}
		if l := get("?page=100"); len(l.Data) != 0 || l.Data == nil || l.Page.Total != n {
			t.Fatalf("page past the end: %+v data %v, want an empty array and the total", l.Page, l.Data)
		}
		if l := get("?per_page=500"); len(l.Data) != n || l.Page.PerPage != 500 {
			t.Fatalf("per_page=500 (the maximum): %+v with %d rows", l.Page, len(l.Data))
		}

		// Sort by name, both ways; dir alone reverses the default order (id).
		byName := get("?sort=name&dir=desc&per_page=5")
		for i, e := range byName.Data {
			if want := fmt.Sprintf("企业%03d", n-i); e.NameZh != want {
				t.Fatalf("sort=name&dir=desc row %d = %s, want %s", i, e.NameZh, want)
			}
		}
		if l := get("?sort=name&per_page=3"); l.Data[0].NameZh != "企业001" || l.Data[2].NameZh != "企业003" {
			t.Fatalf("sort=name ascending: %v", l.Data)
		}
		if l := get("?dir=desc&per_page=3"); fmt.Sprint(ids(l)) != fmt.Sprint([]int64{all[n-1], all[n-2], all[n-3]}) {
			t.Fatalf("dir=desc without sort: %v, want the highest ids first", ids(l))
		}
		byRegion := get("?sort=region&per_page=500")
		if !sort.SliceIsSorted(byRegion.Data, func(i, j int) bool { return *byRegion.Data[i].RegionCode < *byRegion.Data[j].RegionCode }) {
			t.Fatalf("sort=region is not in region order")
		}

		// The filter narrows the total, and paging applies within it.
		if l := get("?q=" + url.QueryEscape("企业00") + "&per_page=4&page=3"); l.Page.Total != 9 || len(l.Data) != 1 || l.Data[0].NameZh != "企业009" {
			t.Fatalf("q=企业00 page 3 of 4: %+v %v", l.Page, l.Data)
		}
		if l := get("?q=nothing-matches"); l.Page.Total != 0 || len(l.Data) != 0 {
			t.Fatalf("q with no match: %+v", l.Page)
		}

		// Bad values are refused with 422, each naming its parameter, never clamped.
		for _, c := range []struct {
			query  string
			fields []string
		}{
			{"page=0", []string{"page"}},
			{"page=-3", []string{"page"}},
			{"page=abc", []string{"page"}},
			{"page=", []string{"page"}},
			{"page=99999999999999999999", []string{"page"}},
			{"page=9999999&per_page=500", []string{"page"}}, // an offset past 2³¹ rows
			{"per_page=0", []string{"per_page"}},
			{"per_page=501", []string{"per_page"}},
			{"per_page=10000", []string{"per_page"}},
			{"per_page=1.5", []string{"per_page"}},
			{"dir=sideways", []string{"dir"}},
			{"dir=DESC", []string{"dir"}},
			{"sort=password_hash", []string{"sort"}},
			{"q=" + strings.Repeat("稀", 201), []string{"q"}},
			{"page=0&per_page=10000&dir=up&sort=x", []string{"page", "per_page", "sort", "dir"}},
		} {
			status, hdr, b := call(t, env, http.MethodGet, "/api/v1/enterprises?"+c.query, tok, "", nil)
			e := wantError(t, c.query, status, hdr, b, http.StatusUnprocessableEntity, "invalid_query")
			if !sameStrings(e.fieldNames(), c.fields) {
				t.Errorf("%s: fields %v, want %v", c.query, e.fieldNames(), c.fields)
			}
			for _, f := range e.Error.Fields {
				if f.Message == "" || strings.HasPrefix(f.Message, "[") {
					t.Errorf("%s: field %s has no message: %q", c.query, f.Field, f.Message)
				}
			}
		}

		// The same paging applies to the other lists: regions here, four of them.
		var regions struct {
			Data []api.Region `json:"data"`
			Page api.PageInfo `json:"page"`
		}
		getJSON(t, env, "/api/v1/regions?per_page=3&sort=code&dir=desc", tok, http.StatusOK, &regions)
		if regions.Page.Total != 4 || len(regions.Data) != 3 || regions.Data[0].Code != "360703" || regions.Data[2].Code != "360700" {
			t.Fatalf("regions page: %+v %+v", regions.Page, regions.Data)
		}
		if fmt.Sprint(regions.Data[0].Aliases) != "[南康市 南康县]" || *regions.Data[0].ParentCode != "360700" {
			t.Fatalf("region 360703: aliases %q parent %v", regions.Data[0].Aliases, regions.Data[0].ParentCode)
		}
		getJSON(t, env, "/api/v1/regions?q="+url.QueryEscape("南康县"), tok, http.StatusOK, &regions)
		if regions.Page.Total != 1 || regions.Data[0].Code != "360703" {
			t.Fatalf("regions q=南康县 (a former name): %+v", regions.Data)
		}
	})
}
