package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// withoutRequestID drops the one member of an error body that differs per request, so
// two answers can be compared byte for byte.
func withoutRequestID(t *testing.T, b []byte) string {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	e.Error.RequestID = ""
	out, _ := json.Marshal(e)
	return string(out)
}

func TestPermissionBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		a := seedEnterprise(t, db, "章贡甲企业", "360702")
		b := seedEnterprise(t, db, "南康乙企业", "360703")
		c := seedEnterprise(t, db, "章贡丙企业", "360702")
		env.AddUser("ent-a", auth.Enterprise, "", a)
		env.AddUser("zhanggong", auth.County, "360702", 0)
		env.AddUser("planner", auth.Planner, "", 0)
		env.AddUser("viewer", auth.Viewer, "", 0)
		entA, county, planner, viewer := env.Token("ent-a"), env.Token("zhanggong"), env.Token("planner"), env.Token("viewer")

		listIDs := func(token string) []int64 {
			t.Helper()
			var l enterpriseList
			getJSON(t, env, "/api/v1/enterprises", token, http.StatusOK, &l)
			if l.Page.Total != len(l.Data) {
				t.Fatalf("total %d but %d rows: the total must count only what the caller may see", l.Page.Total, len(l.Data))
			}
			return ids(l)
		}
		if got := listIDs(entA); fmt.Sprint(got) != fmt.Sprint([]int64{a}) {
			t.Errorf("enterprise user A lists %v, want only its own [%d]", got, a)
		}
		if got := listIDs(county); fmt.Sprint(got) != fmt.Sprint([]int64{a, c}) {
			t.Errorf("county 360702 lists %v, want its own county's [%d %d]", got, a, c)
		}
		if got := listIDs(planner); fmt.Sprint(got) != fmt.Sprint([]int64{a, b, c}) {
			t.Errorf("planner lists %v, want all", got)
		}
		// A filter cannot widen the scope.
		var l enterpriseList
		getJSON(t, env, "/api/v1/enterprises?q=%E5%8D%97%E5%BA%B7", entA, http.StatusOK, &l)
		if l.Page.Total != 0 {
			t.Errorf("enterprise A filtering for B's name finds %d", l.Page.Total)
		}

		var own api.Enterprise
		getJSON(t, env, fmt.Sprintf("/api/v1/enterprises/%d", a), entA, http.StatusOK, &own)
		if own.ID != a || own.NameZh != "章贡甲企业" || own.USCC != nil || *own.RegionCode != "360702" {
			t.Errorf("A reads itself: %+v", own)
		}
		// Someone else's enterprise looks exactly like one that does not exist.
		s1, h1, other := call(t, env, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", b), entA, "", nil)
		wantError(t, "A reads B", s1, h1, other, http.StatusNotFound, "not_found")
		s2, h2, missing := call(t, env, http.MethodGet, "/api/v1/enterprises/987654", entA, "", nil)
		wantError(t, "A reads a missing id", s2, h2, missing, http.StatusNotFound, "not_found")
		if withoutRequestID(t, other) != withoutRequestID(t, missing) {
			t.Errorf("another's enterprise and a missing one answer differently:\n%s\n%s", other, missing)
		}
		s3, h3, notNum := call(t, env, http.MethodGet, "/api/v1/enterprises/abc", entA, "", nil)
		wantError(t, "A reads id abc", s3, h3, notNum, http.StatusNotFound, "not_found")
		s, h, body := call(t, env, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", b), county, "", nil)
		wantError(t, "county 360702 reads B in 360703", s, h, body, http.StatusNotFound, "not_found")
		getJSON(t, env, fmt.Sprintf("/api/v1/enterprises/%d", c), county, http.StatusOK, nil)

		// Roles: admin-only endpoints refuse the others with 403; viewers see no enterprises.
		for _, c := range []struct {
			what, path, token string
		}{
			{"planner lists users", "/api/v1/users", planner},
			{"planner reads the audit log", "/api/v1/audit", planner},
			{"county lists all tokens", "/api/v1/tokens?all=true", county},
			{"viewer lists enterprises", "/api/v1/enterprises", viewer},
			{"viewer reads an enterprise", fmt.Sprintf("/api/v1/enterprises/%d", a), viewer},
			{"enterprise user lists users", "/api/v1/users", entA},
		} {
			s, h, b := call(t, env, http.MethodGet, c.path, c.token, "", nil)
			wantError(t, c.what, s, h, b, http.StatusForbidden, "forbidden")
		}
		getJSON(t, env, "/api/v1/regions", viewer, http.StatusOK, nil)
		before := countUsers(t, db)
		s, h, body = postJSON(t, env, "/api/v1/users", planner, map[string]any{"username": "sneaky", "display_name": "x",
			"role": "admin", "password": webtest.Password})
		wantError(t, "planner creates an admin", s, h, body, http.StatusForbidden, "forbidden")
		if countUsers(t, db) != before {
			t.Fatalf("a refused POST /api/v1/users wrote a user")
		}

		// Anonymous callers get 401 in the error shape on every endpoint but the document.
		for _, path := range []string{"/api/v1/me", "/api/v1/regions", "/api/v1/regions/360700", "/api/v1/enterprises",
			fmt.Sprintf("/api/v1/enterprises/%d", a), "/api/v1/users", "/api/v1/tokens", "/api/v1/audit",
			"/api/v1/users?page=0"} {
			s, h, b := call(t, env, http.MethodGet, path, "", "", nil)
			wantError(t, "anonymous GET "+path, s, h, b, http.StatusUnauthorized, "unauthenticated")
		}
		// Anonymous writes are refused with 401 too (no cookie means nothing for CSRF to
		// protect), and nothing is written.
		auditBefore := countAudit(t, db)
		for _, req := range []struct{ method, path, body string }{
			{http.MethodPost, "/api/v1/users", `{"username":"anon","display_name":"x","role":"admin","password":"correct-horse-battery"}`},
			{http.MethodPost, "/api/v1/tokens", `{"name":"x"}`},
			{http.MethodDelete, "/api/v1/tokens/1", ""},
		} {
			s, h, b := call(t, env, req.method, req.path, "", "application/json", strings.NewReader(req.body))
			want, code := http.StatusUnauthorized, "unauthenticated"
			wantError(t, "anonymous "+req.method+" "+req.path, s, h, b, want, code)
		}
		if countUsers(t, db) != before || countAudit(t, db) != auditBefore {
			t.Fatalf("an anonymous write changed the database")
		}

		// Wrong credentials are 401 in the shape, saying what is wrong.
		for _, c := range []struct{ header, code string }{
			{"Bearer zx_not-a-real-token", "token_invalid"},
			{"Bearer something-else", "token_invalid"},
			{"Basic cGxhbm5lcjpwdw==", "token_invalid"},
		} {
			s, h, b := call(t, env, http.MethodGet, "/api/v1/regions", "", "", nil, "Authorization", c.header)
			wantError(t, "Authorization: "+c.header, s, h, b, http.StatusUnauthorized, c.code)
		}

		var me api.Me
		getJSON(t, env, "/api/v1/me", county, http.StatusOK, &me)
		if me.Username != "zhanggong" || me.Role != "county" || me.RegionCode == nil || *me.RegionCode != "360702" || me.EnterpriseID != nil || !me.ViaToken {
			t.Errorf("me (county): %+v", me)
		}
		getJSON(t, env, "/api/v1/me", entA, http.StatusOK, &me)
		if me.EnterpriseID == nil || *me.EnterpriseID != a || me.RegionCode != nil {
			t.Errorf("me (enterprise): %+v", me)
		}
	})
}

// TestSessionCookie shows that a logged-in browser may use the API with its cookie, and
// that a write then needs the CSRF token, as for forms.
func TestSessionCookie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("wang", auth.Planner, "", 0)
		c := env.Login("wang")
		resp := c.Get("/api/v1/me")
		var me api.Me
		if err := json.Unmarshal([]byte(webtest.ReadBody(resp)), &me); err != nil || resp.StatusCode != 200 || me.Username != "wang" || me.ViaToken {
			t.Fatalf("GET /api/v1/me with the session cookie: %d %+v %v", resp.StatusCode, me, err)
		}
		post := func(csrf string) (int, []byte) {
			req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/api/v1/tokens", bytes.NewReader([]byte(`{"name":"from the browser"}`)))
			req.Header.Set("Content-Type", "application/json")
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
			resp := c.Do(req)
			return resp.StatusCode, []byte(webtest.ReadBody(resp))
		}
		if s, b := post(""); s != http.StatusForbidden || !strings.Contains(string(b), `"csrf_failed"`) {
			t.Fatalf("cookie POST without CSRF token: %d %s", s, b)
		}
		if s, b := post("forged"); s != http.StatusForbidden || !strings.Contains(string(b), `"csrf_failed"`) {
			t.Fatalf("cookie POST with a forged CSRF token: %d %s", s, b)
		}
		var l struct {
			Page api.PageInfo `json:"page"`
		}
		resp = c.Get("/api/v1/tokens")
		json.Unmarshal([]byte(webtest.ReadBody(resp)), &l)
		if l.Page.Total != 0 {
			t.Fatalf("refused POSTs created %d tokens", l.Page.Total)
		}
		if c.CSRF == "" {
			t.Fatal("the logged-in client has no CSRF token")
		}
		if s, b := post(c.CSRF); s != http.StatusCreated || !strings.Contains(string(b), `"secret":"zx_`) {
			t.Fatalf("cookie POST with the CSRF token: %d %s", s, b)
		}
	})
}
