package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// tokClock is a clock the test moves by hand.
type tokClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tokClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *tokClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tokMe calls GET /api/v1/me with a token and returns the status and the decoded answer.
func tokMe(env *webtest.Env, token string) (int, map[string]any, api.ErrorResponse) {
	var raw map[string]any
	resp := env.API(http.MethodGet, "/api/v1/me", token, nil, &raw)
	var er api.ErrorResponse
	if e, ok := raw["error"].(map[string]any); ok {
		er.Error.Code, _ = e["code"].(string)
		er.Error.Message, _ = e["message"].(string)
		if _, ok := e["fields"].([]any); !ok {
			er.Error.Code += " (no fields array)"
		}
	}
	return resp.StatusCode, raw, er
}

// tokCreate creates a token through the form and returns its secret from the result page.
func tokCreate(t *testing.T, c *webtest.Client, form url.Values) string {
	t.Helper()
	doc := admExpect(t, c.PostForm("/account/tokens", form), http.StatusOK, "create token")
	if doc.Find(`[data-testid=secret-warning]`).Length() != 1 {
		t.Fatal("the token page has no warning that the secret is shown once")
	}
	secret := strings.TrimSpace(doc.Find(`[data-testid=token-secret]`).Text())
	if !strings.HasPrefix(secret, auth.TokenPrefix) {
		t.Fatalf("no token secret on the result page: %q", secret)
	}
	return secret
}

func TestTokenCreateUseRevokeThroughThePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("li", auth.Planner, "", 0)
		c := env.Login("li")

		doc := admExpect(t, c.Get("/account/tokens"), http.StatusOK, "token page")
		if doc.Find(`[data-testid=token-table] tbody tr td.empty`).Length() != 1 {
			t.Fatal("a new user's token list is not empty")
		}
		if doc.Find(`[data-testid=show-all]`).Length() != 0 {
			t.Error("a planner is offered everyone's tokens")
		}

		secret := tokCreate(t, c, url.Values{"name": {"夜间同步"}, "ttl": {"90d"}})
		status, me, _ := tokMe(env, secret)
		if status != http.StatusOK || me["username"] != "li" {
			t.Fatalf("GET /api/v1/me with the new token: %d %v", status, me)
		}

		// The secret is never shown again: the list has only its prefix.
		c2 := env.Login("li")
		resp := c2.Get("/account/tokens")
		doc, body := admDoc(t, resp)
		if strings.Contains(body, secret) {
			t.Fatal("the token list shows the secret")
		}
		row := admRowOf(doc, "[data-testid=token-table]", "夜间同步")
		cells := admCellTexts(row)
		if len(cells) != 8 || cells[2] != "li" || cells[6] != admZh(env, "tokens.state.active") || !strings.HasPrefix(secret, strings.TrimSuffix(cells[1], "…")) {
			t.Fatalf("token row: %q", cells)
		}
		form := row.Find("form")
		action, _ := form.Attr("action")
		if confirm, _ := form.Attr("data-confirm"); confirm == "" || !strings.HasSuffix(action, "/revoke") {
			t.Fatalf("revoke form action %q, data-confirm %q", action, confirm)
		}

		admSeeOther(t, c2.PostForm(action, url.Values{}), "/account/tokens?ok=revoked", "revoke")
		status, _, er := tokMe(env, secret)
		if status != http.StatusUnauthorized || er.Error.Code != "token_revoked" || er.Error.Message != admZh(env, "err.token.revoked") {
			t.Fatalf("revoked token: %d %+v", status, er)
		}
		doc = admExpect(t, c2.Get("/account/tokens?ok=revoked"), http.StatusOK, "list after revoking")
		if got := doc.Find(`[data-testid=flash]`).Text(); got != admZh(env, "tokens.flash.revoked") {
			t.Errorf("flash %q", got)
		}
		row = admRowOf(doc, "[data-testid=token-table]", "夜间同步")
		if cells := admCellTexts(row); cells[6] != admZh(env, "tokens.state.revoked") || row.Find("form").Length() != 0 {
			t.Errorf("revoked token row: %q, forms %d", cells, row.Find("form").Length())
		}
		if href, _ := doc.Find(`th a`).First().Attr("href"); strings.Contains(href, "ok=") {
			t.Errorf("the flash sticks to the sort links: %q", href)
		}
		if n := len(admAudit(t, db, store.AuditFilter{Entity: "api_token", Actor: "li"})); n != 2 {
			t.Errorf("want token.create and token.revoke audited, got %d records", n)
		}

		// Bad input comes back on the form, and nothing is created.
		for _, bad := range []struct {
			form  url.Values
			field string
			msg   string
		}{
			{url.Values{"name": {"x"}, "ttl": {"soon"}}, "ttl", admZh(env, "tokens.err.ttl", "soon")},
			{url.Values{"name": {"x"}, "ttl": {"-5h"}}, "ttl", admZh(env, "tokens.err.ttl", "-5h")},
			{url.Values{"name": {"  "}, "ttl": {"0"}}, "name", admZh(env, "err.token.name")},
		} {
			doc := admExpect(t, c2.PostForm("/account/tokens", bad.form), http.StatusUnprocessableEntity, "bad token form")
			if got := doc.Find(`[data-field=` + bad.field + `]`).Text(); got != bad.msg {
				t.Errorf("%v: message %q, want %q", bad.form, got, bad.msg)
			}
		}
		toks, err := db.ListTokens(context.Background(), 0, store.ListQuery{})
		if err != nil || toks.Total != 1 {
			t.Fatalf("tokens after bad forms: %d, %v", toks.Total, err)
		}
	})
}

func TestExpiredTokenIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		clock := &tokClock{t: time.Now()}
		svc := env.Server.Users()
		svc.Now = clock.Now
		env.AddUser("li", auth.Planner, "", 0)
		c := env.Login("li")
		secret := tokCreate(t, c, url.Values{"name": {"short"}, "ttl": {"1h"}})
		if status, _, _ := tokMe(env, secret); status != http.StatusOK {
			t.Fatalf("fresh token: %d", status)
		}
		clock.Advance(59 * time.Minute)
		if status, _, _ := tokMe(env, secret); status != http.StatusOK {
			t.Fatalf("token one minute before expiry: %d", status)
		}
		clock.Advance(2 * time.Minute)
		status, _, er := tokMe(env, secret)
		if status != http.StatusUnauthorized || er.Error.Code != "token_expired" || er.Error.Message != admZh(env, "err.token.expired") {
			t.Fatalf("expired token: %d %+v", status, er)
		}
		doc := admExpect(t, c.Get("/account/tokens"), http.StatusOK, "list")
		row := admRowOf(doc, "[data-testid=token-table]", "short")
		if cells := admCellTexts(row); cells[6] != admZh(env, "tokens.state.expired") || row.Find("form").Length() != 0 {
			t.Errorf("expired token row: %q", cells)
		}
		// A token that never expires outlives any clock.
		forever := tokCreate(t, c, url.Values{"name": {"forever"}, "ttl": {"0"}})
		clock.Advance(10 * 365 * 24 * time.Hour)
		if status, _, _ := tokMe(env, forever); status != http.StatusOK {
			t.Fatalf("never-expiring token after ten years: %d", status)
		}
	})
}

func TestTokensOfOthersCannotBeRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("alice", auth.Planner, "", 0)
		env.AddUser("bob", auth.Regulator, "", 0)
		env.AddUser("root", auth.Admin, "", 0)
		alice, bob := env.Login("alice"), env.Login("bob")
		secret := tokCreate(t, alice, url.Values{"name": {"alice-ci"}, "ttl": {"0"}})
		toks, err := db.ListTokens(context.Background(), 0, store.ListQuery{})
		if err != nil || len(toks.Rows) != 1 {
			t.Fatal(toks, err)
		}
		id := toks.Rows[0].ID

		for _, path := range []string{"/account/tokens/" + strconv.FormatInt(id, 10) + "/revoke", "/account/tokens/" + strconv.FormatInt(id+1000, 10) + "/revoke",
			"/account/tokens/abc/revoke"} {
			admExpect(t, bob.PostForm(path, url.Values{}), http.StatusNotFound, "bob POST "+path)
		}
		// The same answer for "not yours" and "does not exist": ids cannot be probed.
		if status, _, _ := tokMe(env, secret); status != http.StatusOK {
			t.Fatalf("alice's token after bob's attempt: %d", status)
		}
		doc := admExpect(t, bob.Get("/account/tokens"), http.StatusOK, "bob's list")
		if strings.Contains(doc.Find("[data-testid=token-table]").Text(), "alice-ci") {
			t.Fatal("bob sees alice's token")
		}
		admExpect(t, bob.Get("/account/tokens?all=1"), http.StatusForbidden, "bob asks for all tokens")

		// An admin sees everyone's and may revoke them.
		admin := env.Login("root")
		doc = admExpect(t, admin.Get("/account/tokens?all=1"), http.StatusOK, "admin, all tokens")
		row := admRowOf(doc, "[data-testid=token-table]", "alice-ci")
		if row.Length() != 1 {
			t.Fatal("the admin does not see alice's token")
		}
		doc = admExpect(t, admin.PostForm("/account/tokens", url.Values{"name": {"x"}, "ttl": {"0"}, "user": {"nobody"}}),
			http.StatusNotFound, "admin creates a token for an unknown user")
		if got := doc.Find(`[data-field=user]`).Text(); got != admZh(env, "err.user.unknown", "nobody") {
			t.Errorf("unknown user for a token: %q", got)
		}
		forBob := tokCreate(t, admin, url.Values{"name": {"for-bob"}, "ttl": {"0"}, "user": {"bob"}})
		if status, me, _ := tokMe(env, forBob); status != http.StatusOK || me["username"] != "bob" {
			t.Errorf("token the admin made for bob: %d %v", status, me)
		}
		action, _ := row.Find("form").Attr("action")
		if v, _ := row.Find(`form input[name=all]`).Attr("value"); v != "1" {
			t.Error("revoking from the all-tokens view does not come back to it")
		}
		admSeeOther(t, admin.PostForm(action, url.Values{"all": {"1"}}), "/account/tokens?", "admin revokes")
		if status, _, er := tokMe(env, secret); status != http.StatusUnauthorized || er.Error.Code != "token_revoked" {
			t.Fatalf("after the admin revoked it: %d %+v", status, er)
		}
	})
}
