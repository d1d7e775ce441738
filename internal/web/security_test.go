package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// secPost sends a form as a browser would, but with exactly the csrf field and header given.
func secPost(t *testing.T, c *webtest.Client, path string, form url.Values, header string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Env.HTTP.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if header != "" {
		req.Header.Set("X-CSRF-Token", header)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestMissingCSRFTokenWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		env.AddUser("victim", auth.Viewer, "", 0)
		admin := env.Login("root")
		before := len(admAudit(t, db, store.AuditFilter{}))
		other := env.Login("victim") // a valid token, but bound to another session
		before++

		for _, c := range []struct {
			name, path, csrf, header string
			form                     url.Values
		}{
			{name: "add without token", path: "/admin/users", form: newUserForm("forged", "admin", "", "", "initial-pass-1")},
			{name: "add with a wrong token", path: "/admin/users", csrf: "0123456789abcdef", form: newUserForm("forged", "admin", "", "", "initial-pass-1")},
			{name: "add with another session's token", path: "/admin/users", csrf: other.CSRF, form: newUserForm("forged", "admin", "", "", "initial-pass-1")},
			{name: "add with a wrong header", path: "/admin/users", header: "bad", form: newUserForm("forged", "admin", "", "", "initial-pass-1")},
			{name: "disable without token", path: "/admin/users/victim/disable", form: url.Values{}},
			{name: "reset without token", path: "/admin/users/victim/password", form: url.Values{"password": {"attacker-chosen"}}},
			{name: "token without token", path: "/account/tokens", form: url.Values{"name": {"stolen"}, "ttl": {"0"}}},
			{name: "logout without token", path: "/logout", form: url.Values{}},
		} {
			form := c.form
			if c.csrf != "" {
				form.Set("csrf", c.csrf)
			}
			doc := admExpect(t, secPost(t, admin, c.path, form, c.header), http.StatusForbidden, c.name)
			if got := doc.Find(`[data-testid=error-message]`).Text(); got != admZh(env, "err.csrf") {
				t.Errorf("%s: message %q", c.name, got)
			}
		}
		if _, ok := admUser(t, db, "forged"); ok {
			t.Fatal("a forged form created a user")
		}
		if v, _ := admUser(t, db, "victim"); v.Disabled || v.MustChange {
			t.Fatalf("a forged form changed victim: %+v", v)
		}
		if n := len(admAudit(t, db, store.AuditFilter{})); n != before {
			t.Fatalf("forged forms wrote %d audit records", n-before)
		}
		// The forged logout did not end the session.
		admExpect(t, admin.Get("/admin/users"), http.StatusOK, "admin after forged requests")
		// And the same form with the page's token works, so the refusals were about the token.
		admSeeOther(t, admin.PostForm("/admin/users", newUserForm("genuine", "viewer", "", "", "initial-pass-1")), "/admin/users/genuine", "genuine add")
	})
}

func TestForgedSessionCookieIsLoggedOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("root", auth.Admin, "", 0)
		ended := env.Login("root")
		u, _ := url.Parse(env.HTTP.URL)
		var endedSecret string
		for _, ck := range ended.HTTP.Jar.Cookies(u) {
			if ck.Name == "zx_session" {
				endedSecret = ck.Value
			}
		}
		admSeeOther(t, ended.PostForm("/logout", url.Values{}), "/login", "logout")

		for _, cookie := range []string{
			"zx_session=forged",
			"zx_session=" + strings.Repeat("a", 4000),
			"zx_session=" + endedSecret, // a real secret whose session has ended
			"zx_session=%00%ff%fe",
			"zx_session=\"quoted;value\"",
			"zx_session=",
		} {
			for _, path := range []string{"/", "/admin/users", "/account/tokens"} {
				req, _ := http.NewRequest(http.MethodGet, env.HTTP.URL+path, nil)
				req.Header.Set("Cookie", cookie)
				resp, err := env.NewClient().HTTP.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := webtest.ReadBody(resp)
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
					t.Errorf("cookie %.40q, GET %s: %d %q, want a redirect to the login page\n%.300s", cookie, path, resp.StatusCode, loc, body)
				}
			}
			// A POST with it is refused for its missing form token, not crashed on.
			req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/admin/users", strings.NewReader("username=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", cookie)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("cookie %.40q, POST: %d, want 403", cookie, resp.StatusCode)
			}
		}
	})
}

func TestOversizedBodyIs413(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{MaxBodyBytes: 2048})
		env.AddUser("root", auth.Admin, "", 0)
		admin := env.Login("root")
		big := newUserForm("huge", "viewer", "", "", "initial-pass-1")
		big.Set("csrf", admin.CSRF)
		big.Set("display_name", strings.Repeat("长", 2000))
		body := big.Encode()

		// With a Content-Length the server refuses before reading; without one (chunked) it
		// refuses when the reader passes the limit.
		for _, chunked := range []bool{false, true} {
			var r io.Reader = strings.NewReader(body)
			if chunked {
				r = io.MultiReader(r) // hides the length, so the client sends it chunked
			}
			req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/admin/users", r)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := admin.Do(req)
			doc, text := admDoc(t, resp)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("chunked=%v: status %d, want 413\n%s", chunked, resp.StatusCode, text)
			}
			prefix, _, _ := strings.Cut(admZh(env, "err.body_too_large"), "%d")
			if got := doc.Find(`[data-testid=error-message]`).Text(); !strings.HasPrefix(got, prefix) {
				t.Errorf("chunked=%v: message %q", chunked, got)
			}
		}
		// The API client gets the error shape.
		var er struct {
			Error struct{ Code string } `json:"error"`
		}
		resp := env.API(http.MethodPost, "/api/v1/me", env.Token("root"), strings.NewReader(body), &er)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || er.Error.Code != "body_too_large" {
			t.Errorf("API: %d %+v", resp.StatusCode, er)
		}
		if _, ok := admUser(t, db, "huge"); ok {
			t.Fatal("an oversized request created a user")
		}
		// A form under the limit still works.
		admSeeOther(t, admin.PostForm("/admin/users", newUserForm("small", "viewer", "", "", "initial-pass-1")), "/admin/users/small", "small add")
	})
}

// secRaw sends a request line exactly as given (an HTTP client would clean the path) and
// follows redirects on this server, returning the last status and body.
func secRaw(t *testing.T, env *webtest.Env, path string) (int, string, []string) {
	t.Helper()
	addr := env.HTTP.Listener.Addr().String()
	var hops []string
	for range 5 {
		hops = append(hops, path)
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			t.Fatalf("GET %s: %v", path, err)
		}
		body := webtest.ReadBody(resp)
		conn.Close()
		if resp.StatusCode/100 != 3 {
			return resp.StatusCode, body, hops
		}
		path = resp.Header.Get("Location")
		if !strings.HasPrefix(path, "/") {
			t.Fatalf("redirect off the server: %q", path)
		}
	}
	t.Fatalf("redirect loop: %q", hops)
	return 0, "", nil
}

func TestStaticPathTraversalIs404(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		for _, p := range []string{
			"/static/../../etc/passwd",
			"/static/%2e%2e/go.mod",
			"/static/%2e%2e/%2e%2e/go.mod",
			"/static/..%2f..%2f..%2fetc%2fpasswd",
			"/static/%2e%2e%2f%2e%2e%2fgo.mod",
			"/static//etc/passwd",
			"/static/app.css", // the unhashed name is not served either
		} {
			status, body, hops := secRaw(t, env, p)
			if status != http.StatusNotFound {
				t.Errorf("GET %s (via %q): %d, want 404", p, hops, status)
			}
			if strings.Contains(body, "root:") || strings.Contains(body, "module zhanxin") || strings.Contains(body, "--blue") {
				t.Errorf("GET %s leaks a file:\n%.200s", p, body)
			}
		}
		// The route does serve what is embedded, so the 404s above are not a dead route.
		c := env.NewClient()
		doc := admExpect(t, c.Get("/login"), http.StatusOK, "login page")
		css, _ := doc.Find(`link[rel=stylesheet]`).Attr("href")
		status, body, _ := secRaw(t, env, css)
		if status != http.StatusOK || !strings.Contains(body, "--blue") {
			t.Fatalf("GET %s: %d", css, status)
		}
	})
}

func TestFiveWrongPasswordsLockTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("zhao", auth.Planner, "", 0)
		env.AddUser("qian", auth.Planner, "", 0)
		c := env.NewClient()
		login := func(user, pw string) (*http.Response, string) {
			resp := c.PostForm("/login", url.Values{"username": {user}, "password": {pw}})
			doc, _ := admDoc(t, resp)
			return resp, strings.TrimSpace(doc.Find(`[data-testid=login-error]`).Text())
		}
		locked := strings.Split(admZh(env, "err.login.locked"), "%d")
		isLocked := func(msg string) bool {
			return strings.HasPrefix(msg, locked[0]) && strings.HasSuffix(msg, locked[1])
		}
		for i := 1; i <= 4; i++ {
			resp, msg := login("zhao", fmt.Sprintf("wrong-password-%d", i))
			if resp.StatusCode != http.StatusUnauthorized || msg != admZh(env, "err.login.bad") {
				t.Fatalf("wrong password %d: %d %q", i, resp.StatusCode, msg)
			}
		}
		resp, msg := login("zhao", "wrong-password-5")
		if resp.StatusCode != http.StatusTooManyRequests || !isLocked(msg) {
			t.Fatalf("fifth wrong password: %d %q, want 429 and %q", resp.StatusCode, msg, admZh(env, "err.login.locked"))
		}
		resp, msg = login("zhao", webtest.Password)
		if resp.StatusCode != http.StatusTooManyRequests || !isLocked(msg) {
			t.Fatalf("right password while locked: %d %q", resp.StatusCode, msg)
		}
		u, _ := url.Parse(env.HTTP.URL)
		for _, ck := range c.HTTP.Jar.Cookies(u) {
			if ck.Name == "zx_session" {
				t.Fatal("a locked account got a session cookie")
			}
		}
		// The lock is per account: another user on the same address still logs in.
		if resp, msg := login("qian", webtest.Password); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("another account: %d %q", resp.StatusCode, msg)
		}
	})
}
