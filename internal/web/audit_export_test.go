package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// expGet downloads an export, in English when en is set.
func expGet(t *testing.T, c *webtest.Client, path string, en bool) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Env.HTTP.URL+path, nil)
	if en {
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	}
	resp := c.Do(req)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// expCSV parses a CSV export, which starts with a byte-order mark so that Excel reads the
// Chinese text as UTF-8.
func expCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("the CSV has no byte-order mark:\n%.300s", b)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	return recs
}

// expHeaders are the audit table's column titles in lang.
func expHeaders(env *webtest.Env, lang i18n.Lang) []string {
	var out []string
	for _, k := range []string{"admin.audit.at", "admin.audit.actor", "admin.audit.action", "admin.audit.entity", "admin.audit.entity_id",
		"admin.audit.before", "admin.audit.after", "admin.audit.request_id", "admin.audit.ip"} {
		out = append(out, env.Cat.T(lang, k))
	}
	return out
}

// expCheckRows checks exported audit rows against the three users root created.
func expCheckRows(t *testing.T, what string, rows [][]string, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, r := range rows {
		if len(r) < 7 {
			t.Fatalf("%s: short row %q", what, r)
		}
		if r[1] != "root" || r[2] != "user.create" || r[3] != "user" || r[5] != "" {
			t.Errorf("%s: row %q is not root's creation of a user", what, r)
		}
		if _, err := time.ParseInLocation("2006-01-02 15:04:05", r[0], time.Local); err != nil {
			t.Errorf("%s: time %q: %v", what, r[0], err)
		}
		var after struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
			Role     string `json:"role"`
		}
		if err := json.Unmarshal([]byte(r[6]), &after); err != nil {
			t.Fatalf("%s: after %q is not JSON: %v", what, r[6], err)
		}
		if r[4] == "" || after.Role != "viewer" {
			t.Errorf("%s: row %q", what, r)
		}
		got[after.Username] = true
	}
	if len(rows) != len(want) || len(got) != len(want) {
		t.Fatalf("%s: %d rows for users %v, want %v", what, len(rows), got, want)
	}
	for u := range want {
		if !got[u] {
			t.Errorf("%s: no row for %s", what, u)
		}
	}
}

func TestAuditExportXLSXAndCSVHonourTheFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		admin := env.Login("root")
		// The day is read before and after the writes, so the test also passes at midnight.
		firstDay := time.Now().Format("2006-01-02")
		want := map[string]bool{}
		for _, u := range []string{"chen", "zhou", "wu"} {
			admSeeOther(t, admin.PostForm("/admin/users", newUserForm(u, "viewer", "", "", "initial-pass-1")), "/admin/users/"+u, "add "+u)
			want[u] = true
		}
		admSeeOther(t, admin.PostForm("/admin/users/wu/disable", url.Values{}), "/admin/users/wu", "disable wu")
		env.Token("root") // an api_token record the entity filter must leave out

		lastDay := time.Now().Format("2006-01-02")
		filter := "actor=root&entity=user&action=user.create&from=" + firstDay + "&to=" + lastDay

		// The page shows the export links with the filters in them.
		doc := admExpect(t, admin.Get("/admin/audit?"+filter), http.StatusOK, "filtered audit page")
		if n := doc.Find(`[data-testid=audit-table] tbody tr`).Length(); n != 3 {
			t.Fatalf("filtered page has %d rows, want 3", n)
		}
		xlsxHref, _ := doc.Find(`[data-testid=export-xlsx]`).Attr("href")
		csvHref, _ := doc.Find(`[data-testid=export-csv]`).Attr("href")

		// XLSX, opened back with excelize.
		resp, b := expGet(t, admin, xlsxHref, false)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("XLSX: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".xlsx") {
			t.Errorf("XLSX Content-Disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("excelize cannot open the export: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) != 1 || sheets[0] != admZh(env, "admin.audit.title") {
			t.Fatalf("sheets %q", sheets)
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], "|") != strings.Join(expHeaders(env, i18n.Zh), "|") {
			t.Fatalf("XLSX headers %q", rows[0])
		}
		for i := range rows[1:] {
			for len(rows[1+i]) < len(rows[0]) {
				rows[1+i] = append(rows[1+i], "") // excelize drops trailing empty cells
			}
		}
		expCheckRows(t, "XLSX", rows[1:], want)

		// CSV, parsed back, in English this time.
		resp, b = expGet(t, admin, csvHref, true)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		recs := expCSV(t, b)
		if strings.Join(recs[0], "|") != strings.Join(expHeaders(env, i18n.En), "|") {
			t.Fatalf("CSV headers %q", recs[0])
		}
		expCheckRows(t, "CSV", recs[1:], want)

		// The export is the whole filtered list, not the page on screen.
		_, b = expGet(t, admin, "/admin/audit?per_page=1&page=2&format=csv&"+filter, false)
		recs = expCSV(t, b)
		if len(recs) != 4 {
			t.Errorf("export with per_page=1 has %d rows, want all 3 and the header", len(recs)-1)
		}

		// Other filters narrow the export the same way.
		_, b = expGet(t, admin, "/admin/audit?format=csv&entity=user&action=user.disable", false)
		recs = expCSV(t, b)
		if len(recs) != 2 || !strings.Contains(recs[1][5], `"disabled":false`) || !strings.Contains(recs[1][6], `"disabled":true`) {
			t.Errorf("disable export: %q", recs)
		}
		tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
		_, b = expGet(t, admin, "/admin/audit?format=csv&from="+tomorrow, false)
		if recs = expCSV(t, b); len(recs) != 1 {
			t.Errorf("from=tomorrow exports %d rows", len(recs)-1)
		}
		_, b = expGet(t, admin, "/admin/audit?format=csv&entity=api_token", false)
		if recs = expCSV(t, b); len(recs) != 2 || recs[1][2] != "token.create" {
			t.Errorf("entity=api_token export: %q", recs)
		}

		// A malformed date is an error on the form, for the page and the export alike.
		doc = admExpect(t, admin.Get("/admin/audit?from=2024-02-30&to=today"), http.StatusUnprocessableEntity, "bad dates")
		if got := doc.Find(`[data-field=from]`).Text(); got != admZh(env, "admin.err.date", "2024-02-30") {
			t.Errorf("from error %q", got)
		}
		if got := doc.Find(`[data-field=to]`).Text(); got != admZh(env, "admin.err.date", "today") {
			t.Errorf("to error %q", got)
		}
		if doc.Find(`[data-testid=audit-table] tbody td.empty`).Length() != 1 {
			t.Error("a bad date still lists rows")
		}
		doc = admExpect(t, admin.Get("/admin/audit?from=2024-03-02&to=2024-03-01"), http.StatusUnprocessableEntity, "dates reversed")
		if got := doc.Find(`[data-field=to]`).Text(); got != admZh(env, "admin.err.date_order") {
			t.Errorf("reversed dates: %q", got)
		}
		resp, _ = expGet(t, admin, "/admin/audit?format=xlsx&from=2024-02-30", false)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("export with a bad date: %d", resp.StatusCode)
		}
	})
}
