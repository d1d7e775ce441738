package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// isNull reports whether a decoded JSON member was null or absent.
func isNull(m json.RawMessage) bool { return len(m) == 0 || string(m) == "null" }

type auditList struct {
	Data []api.AuditEntry `json:"data"`
	Page api.PageInfo     `json:"page"`
}

func TestCreateUserValidationAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		ent := seedEnterprise(t, db, "虔东稀土", "360702")
		admin := env.AddUser("root", auth.Admin, "", 0)
		tok := env.Token("root")
		users0, audit0 := countUsers(t, db), countAudit(t, db)

		base := func(kv ...any) map[string]any {
			m := map[string]any{"username": "zhang", "display_name": "张三", "role": "county", "region_code": "360702",
				"password": webtest.Password}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(m, kv[i].(string))
				} else {
					m[kv[i].(string)] = kv[i+1]
				}
			}
			return m
		}
		for _, c := range []struct {
			what  string
			body  map[string]any
			code  string
			field string
		}{
			{"county without region", base("region_code", nil), "region_required", "region_code"},
			{"planner with a region", base("role", "planner"), "region_not_allowed", "region_code"},
			{"county in a city", base("region_code", "360700"), "region_not_county", "region_code"},
			{"county in an unknown region", base("region_code", "999999"), "unknown_region", "region_code"},
			{"enterprise user without enterprise", base("role", "enterprise", "region_code", nil), "enterprise_required", "enterprise_id"},
			{"enterprise user, unknown enterprise", base("role", "enterprise", "region_code", nil, "enterprise_id", 99999), "unknown_enterprise", "enterprise_id"},
			{"county with an enterprise", base("enterprise_id", ent), "enterprise_not_allowed", "enterprise_id"},
			{"bad user name", base("username", "张 三"), "invalid_username", "username"},
			{"no user name", base("username", nil), "invalid_username", "username"},
			{"blank display name", base("display_name", "  "), "invalid_display_name", "display_name"},
			{"unknown role", base("role", "boss"), "invalid_role", "role"},
			{"short password", base("password", "short"), "weak_password", "password"},
		} {
			s, h, b := postJSON(t, env, "/api/v1/users", tok, c.body)
			e := wantError(t, c.what, s, h, b, http.StatusUnprocessableEntity, c.code)
			if !sameStrings(e.fieldNames(), []string{c.field}) {
				t.Errorf("%s: fields %v, want [%s]", c.what, e.fieldNames(), c.field)
			}
			if strings.Contains(string(b), webtest.Password) {
				t.Errorf("%s: the answer repeats the password", c.what)
			}
		}
		if countUsers(t, db) != users0 || countAudit(t, db) != audit0 {
			t.Fatalf("refused creations wrote something: users %d→%d, audit %d→%d", users0, countUsers(t, db), audit0, countAudit(t, db))
		}

		s, h, b := postJSON(t, env, "/api/v1/users", tok, base("username", "Zhang"))
		if s != http.StatusCreated {
			t.Fatalf("create: %d %s", s, b)
		}
		if strings.Contains(string(b), webtest.Password) || strings.Contains(string(b), "argon2") || strings.Contains(string(b), `"password"`) {
			t.Fatalf("the created user's answer shows a password or hash: %s", b)
		}
		var u api.User
		json.Unmarshal(b, &u)
		if u.ID == 0 || u.Username != "zhang" || u.Role != "county" || u.RegionCode == nil || *u.RegionCode != "360702" || u.EnterpriseID != nil || !u.MustChange || u.Disabled {
			t.Fatalf("created user: %+v", u)
		}
		postID := h.Get("X-Request-Id")

		s, h, b = postJSON(t, env, "/api/v1/users", tok, base())
		e := wantError(t, "the same user name again", s, h, b, http.StatusConflict, "username_taken")
		if !sameStrings(e.fieldNames(), []string{"username"}) {
			t.Errorf("duplicate: fields %v", e.fieldNames())
		}
		s, _, b = postJSON(t, env, "/api/v1/users", tok, base("username", "li", "role", "enterprise", "region_code", nil,
			"enterprise_id", ent, "must_change_password", false))
		var li api.User
		json.Unmarshal(b, &li)
		if s != http.StatusCreated || li.EnterpriseID == nil || *li.EnterpriseID != ent || li.MustChange {
			t.Fatalf("enterprise user with must_change_password=false: %d %s", s, b)
		}

		var list struct {
			Data []api.User   `json:"data"`
			Page api.PageInfo `json:"page"`
		}
		getJSON(t, env, "/api/v1/users?sort=username", tok, http.StatusOK, &list)
		if list.Page.Total != 3 || list.Data[2].Username != "zhang" || list.Data[2].ID != u.ID {
			t.Fatalf("users after creating: %+v", list)
		}

		// The creation is in the audit log: by whom, for which request, with the values
		// after and nothing before, and no password or hash anywhere in the answer.
		var al auditList
		raw := getJSON(t, env, "/api/v1/audit?action=user.create&entity=user&actor=root", tok, http.StatusOK, &al)
		for _, bad := range []string{"argon2", "password_hash", webtest.Password} {
			if strings.Contains(string(raw), bad) {
				t.Fatalf("the audit answer contains %q:\n%s", bad, raw)
			}
		}
		if al.Page.Total != 2 {
			t.Fatalf("user.create by root: %d entries, want 2\n%s", al.Page.Total, raw)
		}
		var entry *api.AuditEntry
		for i := range al.Data {
			if al.Data[i].EntityID == strconv.FormatInt(u.ID, 10) {
				entry = &al.Data[i]
			}
		}
		if entry == nil {
			t.Fatalf("no audit entry for user %d:\n%s", u.ID, raw)
		}
		if entry.Actor != "root" || entry.ActorID == nil || *entry.ActorID != admin.ID || entry.RequestID != postID || !isNull(entry.Before) {
			t.Errorf("audit entry: actor %s/%v request %s (want %s) before %s", entry.Actor, entry.ActorID, entry.RequestID, postID, entry.Before)
		}
		var after map[string]any
		if err := json.Unmarshal(entry.After, &after); err != nil {
			t.Fatalf("after is not JSON: %s", entry.After)
		}
		if after["username"] != "zhang" || after["role"] != "county" || after["region_code"] != "360702" || after["display_name"] != "张三" {
			t.Errorf("after values: %v", after)
		}
		if time.Since(entry.At) > time.Minute || entry.At.Location() != time.UTC {
			t.Errorf("audit time %v: want a recent UTC time", entry.At)
		}

		// Date filters are calendar days in China Standard Time; to is inclusive.
		cst := time.FixedZone("CST", 8*3600)
		today := time.Now().In(cst).Format(time.DateOnly)
		yesterday := time.Now().In(cst).AddDate(0, 0, -1).Format(time.DateOnly)
		tomorrow := time.Now().In(cst).AddDate(0, 0, 1).Format(time.DateOnly)
		for _, c := range []struct {
			query string
			total int
		}{
			{"from=" + today + "&to=" + today, 2},
			{"from=" + yesterday, 2},
			{"to=" + yesterday, 0},
			{"from=" + tomorrow, 0},
			{"q=zhang", 0}, // the free-text filter searches actor, action, entity and entity id, not values
			{"q=" + url.QueryEscape(strconv.FormatInt(u.ID, 10)), -1},
		} {
			getJSON(t, env, "/api/v1/audit?action=user.create&actor=root&"+c.query, tok, http.StatusOK, &al)
			if c.total >= 0 && al.Page.Total != c.total {
				t.Errorf("audit %s: %d entries, want %d", c.query, al.Page.Total, c.total)
			}
			if c.total < 0 && (al.Page.Total < 1 || al.Data[0].EntityID != strconv.FormatInt(u.ID, 10)) {
				t.Errorf("audit %s: %+v", c.query, al.Data)
			}
		}
		for _, c := range []struct {
			query  string
			fields []string
		}{
			{"from=2024-13-01", []string{"from"}},
			{"to=01/05/2024", []string{"to"}},
			{"from=2024-05-02&to=2024-05-01", []string{"to"}},
			{"from=yesterday&page=0", []string{"page", "from"}},
		} {
			s, h, b := call(t, env, http.MethodGet, "/api/v1/audit?"+c.query, tok, "", nil)
			e := wantError(t, c.query, s, h, b, http.StatusUnprocessableEntity, "invalid_query")
			if !sameStrings(e.fieldNames(), c.fields) {
				t.Errorf("%s: fields %v, want %v", c.query, e.fieldNames(), c.fields)
			}
		}
		// Newest first by default; dir=asc turns it round.
		var desc, asc auditList
		getJSON(t, env, "/api/v1/audit", tok, http.StatusOK, &desc)
		getJSON(t, env, "/api/v1/audit?dir=asc", tok, http.StatusOK, &asc)
		if desc.Page.Total < 4 || len(desc.Data) != desc.Page.Total || len(asc.Data) != desc.Page.Total {
			t.Fatalf("audit: %d entries, %d and %d rows", desc.Page.Total, len(desc.Data), len(asc.Data))
		}
		for i := 1; i < len(desc.Data); i++ {
			p, q := desc.Data[i-1], desc.Data[i]
			if q.At.After(p.At) || (q.At.Equal(p.At) && q.ID > p.ID) {
				t.Fatalf("default audit order is not newest first at row %d: %v/%d then %v/%d", i, p.At, p.ID, q.At, q.ID)
			}
			if asc.Data[i].At.Before(asc.Data[i-1].At) {
				t.Fatalf("dir=asc is not oldest first at row %d", i)
			}
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("pl2", auth.Planner, "", 0)
		admin, pl, pl2 := env.Token("root"), env.Token("pl"), env.Token("pl2")

		s, _, b := postJSON(t, env, "/api/v1/tokens", pl, map[string]any{"name": "nightly export", "ttl": "90d"})
		if s != http.StatusCreated {
			t.Fatalf("create token: %d %s", s, b)
		}
		var ct api.CreatedToken
		json.Unmarshal(b, &ct)
		if !strings.HasPrefix(ct.Secret, "zx_") || ct.Prefix != ct.Secret[:10] || ct.Username != "pl" || ct.Name != "nightly export" || ct.RevokedAt != nil {
			t.Fatalf("created token: %+v", ct)
		}
		if ct.ExpiresAt == nil || ct.ExpiresAt.Sub(time.Now().Add(90*24*time.Hour)).Abs() > time.Minute {
			t.Fatalf("90d token expires at %v", ct.ExpiresAt)
		}
		var me api.Me
		getJSON(t, env, "/api/v1/me", ct.Secret, http.StatusOK, &me)
		if me.Username != "pl" || !me.ViaToken {
			t.Fatalf("me with the new token: %+v", me)
		}

		// The secret is shown once: no list shows it again.
		var tl struct {
			Data []api.Token  `json:"data"`
			Page api.PageInfo `json:"page"`
		}
		raw := getJSON(t, env, "/api/v1/tokens", pl, http.StatusOK, &tl)
		if tl.Page.Total != 2 || strings.Contains(string(raw), ct.Secret) || strings.Contains(string(raw), `"secret"`) {
			t.Fatalf("pl's tokens: %s", raw)
		}
		if tl.Data[0].ID != ct.ID || tl.Data[0].LastUsedAt == nil {
			t.Fatalf("newest first, with last use recorded: %+v", tl.Data[0])
		}
		raw = getJSON(t, env, "/api/v1/tokens?all=true", admin, http.StatusOK, &tl)
		if tl.Page.Total != 4 || strings.Contains(string(raw), ct.Secret) {
			t.Fatalf("admin all=true sees %d tokens, want 4", tl.Page.Total)
		}
		getJSON(t, env, "/api/v1/tokens", admin, http.StatusOK, &tl)
		if tl.Page.Total != 1 || tl.Data[0].Username != "root" {
			t.Fatalf("admin without all=true: %+v", tl.Data)
		}
		getJSON(t, env, "/api/v1/tokens?all=true&q=pl2", admin, http.StatusOK, &tl)
		if tl.Page.Total != 1 || tl.Data[0].Username != "pl2" {
			t.Fatalf("admin all=true&q=pl2: %+v", tl.Data)
		}

		for _, c := range []struct {
			what   string
			token  string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"no name", pl, map[string]any{"name": " "}, 422, "invalid_token_name", "name"},
			{"bad lifetime", pl, map[string]any{"name": "x", "ttl": "forever"}, 422, "invalid_ttl", "ttl"},
			{"negative lifetime", pl, map[string]any{"name": "x", "ttl": "-5h"}, 422, "invalid_ttl", "ttl"},
			{"planner for someone else", pl, map[string]any{"name": "x", "username": "root"}, 403, "forbidden", ""},
			{"admin for an unknown user", admin, map[string]any{"name": "x", "username": "ghost"}, 404, "unknown_user", ""},
		} {
			s, h, b := postJSON(t, env, "/api/v1/tokens", c.token, c.body)
			e := wantError(t, c.what, s, h, b, c.status, c.code)
			var want []string
			if c.field != "" {
				want = []string{c.field}
			}
			if !sameStrings(e.fieldNames(), want) {
				t.Errorf("%s: fields %v, want %v", c.what, e.fieldNames(), want)
			}
		}
		s, _, b = postJSON(t, env, "/api/v1/tokens", admin, map[string]any{"name": "for pl2", "username": "pl2"})
		if s != http.StatusCreated || !strings.Contains(string(b), `"username":"pl2"`) {
			t.Fatalf("admin creates a token for pl2: %d %s", s, b)
		}

		// Another user's token is not found, and stays valid.
		path := fmt.Sprintf("/api/v1/tokens/%d", ct.ID)
		s, h, b := call(t, env, http.MethodDelete, path, pl2, "", nil)
		wantError(t, "pl2 revokes pl's token", s, h, b, http.StatusNotFound, "unknown_token")
		getJSON(t, env, "/api/v1/me", ct.Secret, http.StatusOK, nil)
		s, h, b = call(t, env, http.MethodDelete, "/api/v1/tokens/abc", pl, "", nil)
		wantError(t, "revoke id abc", s, h, b, http.StatusNotFound, "unknown_token")

		// Revoked: the next use is 401 token_revoked, in the shape.
		if s, _, b := call(t, env, http.MethodDelete, path, pl, "", nil); s != http.StatusNoContent || len(b) != 0 {
			t.Fatalf("revoke: %d %q", s, b)
		}
		s, h, b = call(t, env, http.MethodGet, "/api/v1/me", ct.Secret, "", nil)
		wantError(t, "revoked token", s, h, b, http.StatusUnauthorized, "token_revoked")
		s, h, b = call(t, env, http.MethodGet, "/api/v1/openapi.json", ct.Secret, "", nil)
		wantError(t, "revoked token on the public document", s, h, b, http.StatusUnauthorized, "token_revoked")
		if s, _, _ := call(t, env, http.MethodDelete, path, pl, "", nil); s != http.StatusNoContent {
			t.Fatalf("revoking again: %d, want 204", s)
		}
		var revoked api.Token
		getJSON(t, env, "/api/v1/tokens?sort=created&dir=desc&per_page=1", pl, http.StatusOK, &tl)
		revoked = tl.Data[0]
		if revoked.ID != ct.ID || revoked.RevokedAt == nil {
			t.Fatalf("the revoked token lists as %+v", revoked)
		}

		var al auditList
		getJSON(t, env, "/api/v1/audit?entity=api_token&actor=pl&sort=at&dir=asc", admin, http.StatusOK, &al)
		if al.Page.Total != 2 || al.Data[0].Action != "token.create" || al.Data[1].Action != "token.revoke" || isNull(al.Data[1].Before) {
			t.Fatalf("pl's token audit: %+v", al.Data)
		}
	})
}
