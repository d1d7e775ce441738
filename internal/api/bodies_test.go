package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// chunked hides a body's length from net/http, so it is sent without Content-Length and
// only the server's reading limit can stop it.
type chunked struct{ io.Reader }

// TestRequestBodies sends bodies that cannot be read and checks each is refused with the
// right status and code, naming the field where there is one, and that nothing is written.
func TestRequestBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{MaxBodyBytes: 1024})
		env.AddUser("root", auth.Admin, "", 0)
		tok := env.Token("root")
		users0, audit0 := countUsers(t, db), countAudit(t, db)
		valid := `{"username":"zhao","display_name":"赵","role":"planner","password":"correct-horse-battery"}`
		big := `{"username":"zhao","display_name":"` + strings.Repeat("赵", 400) + `","role":"planner","password":"correct-horse-battery"}`

		for _, c := range []struct {
			what, contentType string
			body              io.Reader
			status            int
			code              string
			fields            []string
		}{
			{"truncated JSON", "application/json", strings.NewReader(`{"username":`), 400, "bad_json", nil},
			{"syntax error", "application/json", strings.NewReader(`{"username" "zhao"}`), 400, "bad_json", nil},
			{"single quotes", "application/json", strings.NewReader(`{'username':'zhao'}`), 400, "bad_json", nil},
			{"empty body", "application/json", strings.NewReader(``), 400, "bad_json", nil},
			{"two objects", "application/json", strings.NewReader(valid + valid), 400, "bad_json", nil},
			{"trailing garbage", "application/json", strings.NewReader(valid + ` x`), 400, "bad_json", nil},
			{"an array", "application/json", strings.NewReader(`[` + valid + `]`), 400, "bad_json", nil},
			{"null", "application/json", strings.NewReader(`null`), 400, "bad_json", nil},
			{"unknown field", "application/json", strings.NewReader(`{"username":"zhao","rol":"planner"}`), 400, "unknown_field", []string{"rol"}},
			{"password_hash smuggled in", "application/json", strings.NewReader(`{"username":"zhao","password_hash":"$argon2id$x"}`), 400, "unknown_field", []string{"password_hash"}},
			{"wrong type", "application/json", strings.NewReader(`{"username":123}`), 400, "wrong_type", []string{"username"}},
			{"wrong type, integer", "application/json", strings.NewReader(`{"enterprise_id":"7"}`), 400, "wrong_type", []string{"enterprise_id"}},
			{"text/plain", "text/plain", strings.NewReader(valid), 415, "unsupported_media_type", nil},
			{"form", "application/x-www-form-urlencoded", strings.NewReader("username=zhao"), 415, "unsupported_media_type", nil},
			{"no content type", "", strings.NewReader(valid), 415, "unsupported_media_type", nil},
			{"latin1 JSON", "application/json; charset=latin1", strings.NewReader(valid), 415, "unsupported_media_type", nil},
			{"over the limit, with length", "application/json", strings.NewReader(big), 413, "body_too_large", nil},
			{"over the limit, chunked", "application/json", chunked{strings.NewReader(big)}, 413, "body_too_large", nil},
		} {
			s, h, b := call(t, env, http.MethodPost, "/api/v1/users", tok, c.contentType, c.body)
			e := wantError(t, c.what, s, h, b, c.status, c.code)
			if !sameStrings(e.fieldNames(), c.fields) {
				t.Errorf("%s: fields %v, want %v", c.what, e.fieldNames(), c.fields)
			}
		}
		if n, a := countUsers(t, db), countAudit(t, db); n != users0 || a != audit0 {
			t.Fatalf("refused bodies wrote something: users %d→%d, audit %d→%d", users0, n, audit0, a)
		}

		// A token body is read the same way.
		s, h, b := call(t, env, http.MethodPost, "/api/v1/tokens", tok, "application/json", strings.NewReader(`{"name":"x","ttl_days":3}`))
		if e := wantError(t, "token with unknown field", s, h, b, 400, "unknown_field"); !sameStrings(e.fieldNames(), []string{"ttl_days"}) {
			t.Errorf("token unknown field: %v", e.fieldNames())
		}

		// The same valid body, declared with a charset, is read and accepted.
		s, _, b = call(t, env, http.MethodPost, "/api/v1/users", tok, "application/json; charset=UTF-8", strings.NewReader(valid))
		if s != http.StatusCreated || countUsers(t, db) != users0+1 {
			t.Fatalf("valid body with charset: %d %s", s, b)
		}
	})
}

// TestErrorShapeAndLanguage checks unknown paths and the language of messages.
func TestErrorShapeAndLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("pl", auth.Planner, "", 0)
		tok := env.Token("pl")
		cat := env.Cat

		// Unknown /api/ paths are 404 in the error shape, never an HTML page.
		for _, c := range []struct{ method, path, token string }{
			{"GET", "/api/v1/nope", ""},
			{"GET", "/api/v1/nope", tok},
			{"GET", "/api/v1/regions/", tok},
			{"GET", "/api/v2/regions", tok},
			{"GET", "/api/v1/enterprises/1/extra", tok},
		} {
			s, h, b := call(t, env, c.method, c.path, c.token, "", nil)
			wantError(t, c.method+" "+c.path, s, h, b, http.StatusNotFound, "not_found")
		}
		// A known path asked with a method it does not have: 405 with Allow.
		for _, c := range []struct{ method, path, allow string }{
			{"POST", "/api/v1/regions", "GET"},
			{"DELETE", "/api/v1/me", "GET"},
			{"PUT", "/api/v1/tokens", "GET, POST"},
		} {
			s, h, b := call(t, env, c.method, c.path, tok, "", nil)
			wantError(t, c.method+" "+c.path, s, h, b, http.StatusMethodNotAllowed, "method_not_allowed")
			if got := h.Get("Allow"); got != c.allow {
				t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
			}
		}

		// Messages follow zx_lang, else Accept-Language, else Chinese; so do field messages.
		for _, c := range []struct {
			what string
			hdr  []string
			lang i18n.Lang
		}{
			{"default", nil, i18n.Zh},
			{"Accept-Language en", []string{"Accept-Language", "en-GB,en;q=0.9"}, i18n.En},
			{"Accept-Language zh", []string{"Accept-Language", "zh-CN,zh;q=0.9"}, i18n.Zh},
			{"cookie en beats Accept-Language zh", []string{"Accept-Language", "zh-CN", "Cookie", "zx_lang=en"}, i18n.En},
			{"cookie zh beats Accept-Language en", []string{"Accept-Language", "en", "Cookie", "zx_lang=zh"}, i18n.Zh},
		} {
			s, h, b := call(t, env, http.MethodGet, "/api/v1/users", tok, "", nil, c.hdr...)
			e := wantError(t, c.what, s, h, b, http.StatusForbidden, "forbidden")
			if want := cat.T(c.lang, "err.forbidden"); e.Error.Message != want {
				t.Errorf("%s: message %q, want %q", c.what, e.Error.Message, want)
			}
			s, h, b = call(t, env, http.MethodGet, "/api/v1/regions?per_page=0", tok, "", nil, c.hdr...)
			e = wantError(t, c.what, s, h, b, http.StatusUnprocessableEntity, "invalid_query")
			if want := cat.T(c.lang, "api.err.per_page", "0", 500); len(e.Error.Fields) != 1 || e.Error.Fields[0].Message != want {
				t.Errorf("%s: field message %v, want %q", c.what, e.Error.Fields, want)
			}
		}

		// A request id sent by the client comes back in the header and the error body.
		s, h, b := call(t, env, http.MethodGet, "/api/v1/nope", tok, "", nil, "X-Request-Id", "client-chosen-42")
		if e := wantError(t, "request id", s, h, b, 404, "not_found"); e.Error.RequestID != "client-chosen-42" {
			t.Errorf("request id %q, want the client's", e.Error.RequestID)
		}
	})
}
