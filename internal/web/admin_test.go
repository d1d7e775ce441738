package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// admDoc parses an HTML answer for checks by selector.
func admDoc(t *testing.T, resp *http.Response) (*goquery.Document, string) {
	t.Helper()
	body := webtest.ReadBody(resp)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v\n%s", err, body)
	}
	return doc, body
}

// admExpect fails unless resp has the status; it returns the parsed page.
func admExpect(t *testing.T, resp *http.Response, status int, what string) *goquery.Document {
	t.Helper()
	doc, body := admDoc(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, resp.StatusCode, status, body)
	}
	return doc
}

// admSeeOther fails unless resp is a 303 to a location starting with prefix.
func admSeeOther(t *testing.T, resp *http.Response, prefix, what string) string {
	t.Helper()
	body := webtest.ReadBody(resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: status %d, Location %q; want 303 to %s…\n%s", what, resp.StatusCode, loc, prefix, body)
	}
	return loc
}

// admZh is the Chinese text of a catalogue key (clients send no Accept-Language, so pages
// are in Chinese).
func admZh(env *webtest.Env, key string, args ...any) string { return env.Cat.T(i18n.Zh, key, args...) }

// admSeedPlaces adds a county and an enterprise that users can be bound to.
func admSeedPlaces(t *testing.T, db *store.DB) (county string, enterpriseID int64) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if err := tx.UpsertRegion(context.Background(), store.Region{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", Source: "test"}); err != nil {
			return err
		}
		if err := tx.UpsertRegion(context.Background(), store.Region{Code: "360702", NameZh: "章贡区", NameEn: "Zhanggong", Kind: "county", ParentCode: "360700", Source: "test"}); err != nil {
			return err
		}
		var err error
		enterpriseID, err = tx.InsertEnterprise(context.Background(), store.Enterprise{NameZh: "测试稀土公司", Source: "test", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return "360702", enterpriseID
}

// admAudit lists audit entries straight from the store.
func admAudit(t *testing.T, db *store.DB, f store.AuditFilter) []store.AuditEntry {
	t.Helper()
	p, err := db.ListAudit(context.Background(), f, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Rows
}

func admUser(t *testing.T, db *store.DB, name string) (store.User, bool) {
	t.Helper()
	u, err := db.UserByUsername(context.Background(), name)
	if err == store.ErrNotFound {
		return u, false
	} else if err != nil {
		t.Fatal(err)
	}
	return u, true
}

// admCellTexts returns the trimmed texts of the cells of a table row.
func admCellTexts(s *goquery.Selection) []string {
	var out []string
	s.Find("td").Each(func(_ int, td *goquery.Selection) { out = append(out, strings.TrimSpace(td.Text())) })
	return out
}

// admRowOf finds the body row of a table whose first cell is first.
func admRowOf(doc *goquery.Document, table, first string) *goquery.Selection {
	return doc.Find(table + " tbody tr").FilterFunction(func(_ int, tr *goquery.Selection) bool {
		return strings.TrimSpace(tr.Find("td").First().Text()) == first
	})
}

func newUserForm(username, role, region, enterprise, password string) url.Values {
	return url.Values{"username": {username}, "display_name": {"张三 " + username}, "role": {role}, "region": {region},
		"enterprise": {enterprise}, "password": {password}, "must_change": {"1"}}
}

func TestAdminManagesUsersAndTheAuditShowsIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		county, entID := admSeedPlaces(t, db)
		env.AddUser("root", auth.Admin, "", 0)
		admin := env.Login("root")

		doc := admExpect(t, admin.Get("/admin/users"), http.StatusOK, "user list")
		if admRowOf(doc, "table.data", "root").Length() != 1 {
			t.Fatalf("the user table has no row for root:\n%s", doc.Find("table.data").Text())
		}
		if doc.Find(`form[action="/admin/users"] select[name=role] option`).Length() != len(auth.Roles) {
			t.Fatalf("the role menu does not offer the %d roles", len(auth.Roles))
		}

		// Add a planner, a county officer and an enterprise reporter through the form.
		loc := admSeeOther(t, admin.PostForm("/admin/users", newUserForm("zhang.san", "planner", "", "", "initial-pass-1")),
			"/admin/users/zhang.san", "add planner")
		doc = admExpect(t, admin.Get(loc), http.StatusOK, "new user's page")
		if got, want := doc.Find(`[data-testid=flash]`).Text(), admZh(env, "admin.flash.created", "zhang.san"); got != want {
			t.Errorf("flash %q, want %q", got, want)
		}
		if got := doc.Find(`[data-field=role]`).Text(); got != admZh(env, "role.planner") {
			t.Errorf("role shown as %q, want the localised %q", got, admZh(env, "role.planner"))
		}
		admSeeOther(t, admin.PostForm("/admin/users", newUserForm("county1", "county", county, "", "initial-pass-1")),
			"/admin/users/county1", "add county user")
		admSeeOther(t, admin.PostForm("/admin/users", newUserForm("ent1", "enterprise", "", strconv.FormatInt(entID, 10), "initial-pass-1")),
			"/admin/users/ent1", "add enterprise user")
		u, ok := admUser(t, db, "county1")
		if !ok || u.RegionCode != county || u.Role != "county" || !u.MustChange {
			t.Fatalf("county1 stored as %+v", u)
		}
		if u, _ := admUser(t, db, "ent1"); u.EnterpriseID != entID {
			t.Fatalf("ent1 bound to enterprise %d, want %d", u.EnterpriseID, entID)
		}

		doc = admExpect(t, admin.Get("/admin/users?q=zhang"), http.StatusOK, "filtered list")
		row := admRowOf(doc, "table.data", "zhang.san")
		cells := admCellTexts(row)
		if len(cells) != 8 || cells[2] != admZh(env, "role.planner") || cells[5] != admZh(env, "admin.users.status.active") ||
			cells[6] != admZh(env, "admin.yes") {
			t.Fatalf("row of zhang.san: %q", cells)
		}
		if href, _ := row.Find("td a").Attr("href"); href != "/admin/users/zhang.san" {
			t.Errorf("user name links to %q", href)
		}
		if n := doc.Find("table.data tbody tr").Length(); n != 1 {
			t.Errorf("filter q=zhang shows %d rows, want 1", n)
		}

		// The list exports with the same localised cells.
		resp, csvBody := expGet(t, admin, "/admin/users?format=csv&sort=username", false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("users CSV: %d", resp.StatusCode)
		}
		recs := expCSV(t, csvBody)
		if len(recs) != 5 || recs[0][0] != admZh(env, "admin.users.username") {
			t.Fatalf("users CSV: %q", recs)
		}
		if r := recs[3]; r[0] != "root" || r[2] != admZh(env, "role.admin") {
			t.Errorf("users CSV row 3: %q", r)
		}
		if r := recs[1]; r[0] != "county1" || r[3] != county || r[6] != admZh(env, "admin.yes") {
			t.Errorf("users CSV row 1: %q", r)
		}

		// Rejected forms come back with the entered values and a message by the field.
		before := len(admAudit(t, db, store.AuditFilter{Action: "user.create"}))
		for _, c := range []struct {
			name   string
			form   url.Values
			status int
			field  string
			msg    string
		}{
			{"taken", newUserForm("zhang.san", "viewer", "", "", "initial-pass-1"), http.StatusConflict, "username", admZh(env, "err.user.taken", "zhang.san")},
			{"short password", newUserForm("li.si", "viewer", "", "", "short"), http.StatusUnprocessableEntity, "password", admZh(env, "err.password.short", auth.MinPasswordLen)},
			{"county without region", newUserForm("li.si", "county", "", "", "initial-pass-1"), http.StatusUnprocessableEntity, "region", admZh(env, "err.user.region_required")},
			{"region for a planner", newUserForm("li.si", "planner", county, "", "initial-pass-1"), http.StatusUnprocessableEntity, "region", admZh(env, "err.user.region_not_allowed")},
			{"unknown region", newUserForm("li.si", "county", "999999", "", "initial-pass-1"), http.StatusUnprocessableEntity, "region", admZh(env, "err.user.unknown_region", "999999")},
			{"enterprise id not a number", newUserForm("li.si", "enterprise", "", "abc", "initial-pass-1"), http.StatusUnprocessableEntity, "enterprise", admZh(env, "admin.err.enterprise_id")},
			{"bad user name", newUserForm("Li Si", "viewer", "", "", "initial-pass-1"), http.StatusUnprocessableEntity, "username", admZh(env, "err.user.username")},
		} {
			doc := admExpect(t, admin.PostForm("/admin/users", c.form), c.status, c.name)
			if got := doc.Find(`[data-field=` + c.field + `]`).Text(); got != c.msg {
				t.Errorf("%s: message by %s is %q, want %q", c.name, c.field, got, c.msg)
			}
			if v, _ := doc.Find(`input[name=display_name]`).Attr("value"); v != c.form.Get("display_name") {
				t.Errorf("%s: display name not kept: %q", c.name, v)
			}
			if v, _ := doc.Find(`select[name=role] option[selected]`).Attr("value"); v != c.form.Get("role") {
				t.Errorf("%s: role not kept: %q", c.name, v)
			}
			if doc.Find("table.data tbody tr").Length() == 0 {
				t.Errorf("%s: the user table is missing from the re-rendered page", c.name)
			}
		}
		if _, ok := admUser(t, db, "li.si"); ok {
			t.Fatal("a rejected form created li.si")
		}
		if after := len(admAudit(t, db, store.AuditFilter{Action: "user.create"})); after != before {
			t.Fatalf("rejected forms wrote %d audit records", after-before)
		}

		// Disable, enable, reset the password.
		zs, _ := admUser(t, db, "zhang.san")
		doc = admExpect(t, admin.Get("/admin/users/zhang.san"), http.StatusOK, "user page")
		if c, ok := doc.Find(`form[action="/admin/users/zhang.san/disable"]`).Attr("data-confirm"); !ok || c == "" {
			t.Fatal("the disable form has no data-confirm")
		}
		if doc.Find(`form[action="/admin/users/zhang.san/disable"] input[name=csrf]`).Length() != 1 {
			t.Fatal("the disable form has no csrf field")
		}
		admSeeOther(t, admin.PostForm("/admin/users/zhang.san/disable", url.Values{}), "/admin/users/zhang.san?ok=disabled", "disable")
		doc = admExpect(t, admin.Get("/admin/users/zhang.san?ok=disabled"), http.StatusOK, "disabled user's page")
		if got := doc.Find(`[data-field=status]`).Text(); got != admZh(env, "admin.users.status.disabled") {
			t.Errorf("status after disabling: %q", got)
		}
		if doc.Find(`form[action="/admin/users/zhang.san/enable"]`).Length() != 1 {
			t.Error("a disabled user's page offers no enable form")
		}
		if u, _ := admUser(t, db, "zhang.san"); !u.Disabled {
			t.Fatal("zhang.san is not disabled in the database")
		}
		admSeeOther(t, admin.PostForm("/admin/users/zhang.san/enable", url.Values{}), "/admin/users/zhang.san?ok=enabled", "enable")
		admSeeOther(t, admin.PostForm("/admin/users/zhang.san/password", url.Values{"password": {"another-pass-2"}, "must_change": {"1"}}),
			"/admin/users/zhang.san?ok=password", "reset password")
		if u, _ := admUser(t, db, "zhang.san"); u.Disabled || !u.MustChange || u.PasswordHash == zs.PasswordHash {
			t.Fatalf("after enable and reset: disabled=%v must_change=%v hash changed=%v", u.Disabled, u.MustChange, u.PasswordHash != zs.PasswordHash)
		}
		doc = admExpect(t, admin.PostForm("/admin/users/zhang.san/password", url.Values{"password": {"short"}}), http.StatusUnprocessableEntity, "short reset")
		if got := doc.Find(`[data-field=password]`).Text(); got != admZh(env, "err.password.short", auth.MinPasswordLen) {
			t.Errorf("short reset password message %q", got)
		}
		doc = admExpect(t, admin.PostForm("/admin/users/root/disable", url.Values{}), http.StatusUnprocessableEntity, "disable self")
		if got := doc.Find(`[data-testid=form-error]`).Text(); got != admZh(env, "err.user.disable_self") {
			t.Errorf("disabling oneself says %q", got)
		}
		admExpect(t, admin.PostForm("/admin/users/nobody/disable", url.Values{}), http.StatusNotFound, "disable unknown user")
		admExpect(t, admin.Get("/admin/users/nobody"), http.StatusNotFound, "unknown user's page")

		// The audit page shows the disabling with its before and after values.
		doc = admExpect(t, admin.Get("/admin/audit?entity=user&action=user.disable"), http.StatusOK, "audit page")
		rows := doc.Find(`[data-testid=audit-table] tbody tr`)
		if rows.Length() != 1 {
			t.Fatalf("audit filtered to user.disable has %d rows:\n%s", rows.Length(), rows.Text())
		}
		cells = admCellTexts(rows)
		if cells[1] != "root" || cells[2] != "user.disable" || cells[3] != "user" || cells[4] != strconv.FormatInt(zs.ID, 10) {
			t.Fatalf("audit row: %q", cells)
		}
		var b, a map[string]any
		if err := json.Unmarshal([]byte(rows.Find("td").Eq(5).Find("pre").Text()), &b); err != nil {
			t.Fatalf("before is not JSON in a <pre>: %v", err)
		}
		if err := json.Unmarshal([]byte(rows.Find("td").Eq(6).Find("pre").Text()), &a); err != nil {
			t.Fatalf("after is not JSON in a <pre>: %v", err)
		}
		if b["disabled"] != false || a["disabled"] != true || a["username"] != "zhang.san" {
			t.Fatalf("before %v, after %v", b, a)
		}
		if cells[7] == "" || cells[8] == "" {
			t.Errorf("request id %q or IP %q missing", cells[7], cells[8])
		}
		if _, hasHash := a["password_hash"]; hasHash || strings.Contains(doc.Text(), "argon2id") {
			t.Error("the audit log shows a password hash")
		}

		// The creation by the form is there too: no before, the new user after.
		doc = admExpect(t, admin.Get("/admin/audit?actor=root&action=user.create&entity=user"), http.StatusOK, "audit of creations")
		if n := doc.Find(`[data-testid=audit-table] tbody tr`).Length(); n != 3 {
			t.Fatalf("root created 3 users, the audit page shows %d", n)
		}
		if sel, _ := doc.Find(`select[name=entity] option[selected]`).Attr("value"); sel != "user" {
			t.Errorf("entity menu does not keep the chosen entity: %q", sel)
		}
		if doc.Find(`select[name=entity] option[value=api_token]`).Length() != 0 {
			t.Error("the entity menu offers api_token though nothing of it was audited")
		}
		if href, _ := doc.Find(`[data-testid=export-csv]`).Attr("href"); !strings.Contains(href, "actor=root") || !strings.Contains(href, "format=csv") {
			t.Errorf("CSV export link does not keep the filter: %q", href)
		}
		// A sort link keeps the extra filters.
		sortHref, _ := doc.Find(`[data-testid=audit-table] thead a`).First().Attr("href")
		if !strings.Contains(sortHref, "action=user.create") || !strings.Contains(sortHref, "entity=user") {
			t.Errorf("sort link drops the filters: %q", sortHref)
		}
	})
}

func TestPlannerIsRefusedTheAdminPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		env.AddUser("victim", auth.Viewer, "", 0)
		env.AddUser("plan", auth.Planner, "", 0)
		auditBefore := len(admAudit(t, db, store.AuditFilter{}))
		planner := env.Login("plan")

		for _, path := range []string{"/admin/users", "/admin/audit", "/admin/users/victim", "/admin/audit?format=csv",
			"/admin/users?format=xlsx", "/account/tokens?all=1"} {
			doc := admExpect(t, planner.Get(path), http.StatusForbidden, "planner GET "+path)
			if got := doc.Find(`[data-testid=error-message]`).Text(); got != admZh(env, "err.forbidden") {
				t.Errorf("GET %s: message %q", path, got)
			}
		}
		for _, c := range []struct {
			path string
			form url.Values
		}{
			{"/admin/users", newUserForm("intruder", "admin", "", "", "initial-pass-1")},
			{"/admin/users/victim/disable", url.Values{}},
			{"/admin/users/victim/password", url.Values{"password": {"planner-chose-this"}}},
			{"/admin/users/root/disable", url.Values{}},
		} {
			admExpect(t, planner.PostForm(c.path, c.form), http.StatusForbidden, "planner POST "+c.path)
		}
		if _, ok := admUser(t, db, "intruder"); ok {
			t.Fatal("a planner added a user")
		}
		if v, _ := admUser(t, db, "victim"); v.Disabled || v.MustChange {
			t.Fatalf("a planner changed victim: %+v", v)
		}
		if r, _ := admUser(t, db, "root"); r.Disabled {
			t.Fatal("a planner disabled root")
		}
		// The only new record is the planner's own login; the list is newest first.
		all := admAudit(t, db, store.AuditFilter{})
		for _, e := range all[:len(all)-auditBefore] {
			if e.Action != "login" {
				t.Errorf("refused requests left an audit record: %+v", e)
			}
		}
		// The planner's navigation does not offer the admin pages either.
		doc := admExpect(t, planner.Get("/"), http.StatusOK, "planner home")
		if doc.Find(`.sidenav a[href="/admin/users"], .sidenav a[href="/admin/audit"]`).Length() != 0 {
			t.Error("the planner's navigation links to admin pages")
		}

		anon := env.NewClient()
		for _, path := range []string{"/admin/users", "/admin/audit", "/account/tokens"} {
			admSeeOther(t, anon.Get(path), "/login?next=", "anonymous GET "+path)
		}
	})
}

func TestDisablingEndsTheSessionAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		env.AddUser("wang", auth.Planner, "", 0)
		admin := env.Login("root")
		user := env.Login("wang")
		token := env.Token("wang")
		admExpect(t, user.Get("/regions"), http.StatusOK, "before disabling")

		admSeeOther(t, admin.PostForm("/admin/users/wang/disable", url.Values{}), "/admin/users/wang?ok=disabled", "disable wang")

		admSeeOther(t, user.Get("/regions"), "/login?next=", "the disabled user's next page")
		// The old session cannot write either: its form token was bound to a session that is gone.
		admExpect(t, user.PostForm("/account/tokens", url.Values{"name": {"after"}, "ttl": {"0"}}), http.StatusForbidden, "write after disabling")
		var er api.ErrorResponse
		if resp := env.API(http.MethodGet, "/api/v1/me", token, nil, &er); resp.StatusCode != http.StatusUnauthorized || er.Error.Code != "user_disabled" {
			t.Fatalf("the disabled user's token: %d %+v", resp.StatusCode, er)
		}
		fresh := env.NewClient()
		doc := admExpect(t, fresh.PostForm("/login", url.Values{"username": {"wang"}, "password": {webtest.Password}}), http.StatusForbidden, "login while disabled")
		if got := doc.Find(`[data-testid=login-error]`).Text(); got != admZh(env, "err.login.disabled") {
			t.Errorf("login while disabled says %q", got)
		}

		// Enabling lets the user log in again; the ended session stays ended.
		admSeeOther(t, admin.PostForm("/admin/users/wang/enable", url.Values{}), "/admin/users/wang?ok=enabled", "enable wang")
		admSeeOther(t, user.Get("/regions"), "/login?next=", "the old session after enabling")
		again := env.Login("wang")
		admExpect(t, again.Get("/regions"), http.StatusOK, "after logging in again")
	})
}
