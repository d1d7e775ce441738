// Package webtest runs a real zhanxin server (httptest) on a real database for tests, with
// clients that log in through the login form and carry the session cookie and CSRF token
// the way a browser does.
package webtest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/users"
	"zhanxin/internal/web"
)

// Env is a running server on a database.
type Env struct {
	T      testing.TB
	DB     *store.DB
	Server *web.Server
	HTTP   *httptest.Server
	Cat    *i18n.Catalog
	Now    func() time.Time
}

// Password is the password every seeded test user gets.
const Password = "correct-horse-battery"

// Start runs a server on db. cfg may be zero.
func Start(t testing.TB, db *store.DB, cfg web.Config) *Env {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := web.New(context.Background(), cfg, log, db, cat, time.Now)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	h := httptest.NewServer(s)
	t.Cleanup(h.Close)
	return &Env{T: t, DB: db, Server: s, HTTP: h, Cat: cat, Now: time.Now}
}

// AddUser creates a user with Password as the admin would, and returns it.
func (e *Env) AddUser(username string, role auth.Role, region string, enterpriseID int64) users.View {
	e.T.Helper()
	v, err := e.Server.Users().Add(context.Background(), auth.CLI("test"), users.NewUser{Username: username,
		DisplayName: username, Role: role, RegionCode: region, EnterpriseID: enterpriseID, Password: Password})
	if err != nil {
		e.T.Fatalf("add user %s: %v", username, err)
	}
	return v
}

// Client is a browser-like client: it keeps cookies and knows the page's CSRF token.
type Client struct {
	Env  *Env
	HTTP *http.Client
	CSRF string
}

// NewClient returns an anonymous client that does not follow redirects.
func (e *Env) NewClient() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Env: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Login logs in through the form and fails the test if it does not succeed.
func (e *Env) Login(username string) *Client {
	e.T.Helper()
	c := e.NewClient()
	resp := c.PostForm("/login", url.Values{"username": {username}, "password": {Password}})
	if resp.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("login %s: status %d: %s", username, resp.StatusCode, ReadBody(resp))
	}
	resp.Body.Close()
	c.Get("/") // pick up the session's CSRF token
	return c
}

// Get fetches a path and remembers the CSRF token of the page.
func (c *Client) Get(path string) *http.Response {
	c.Env.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Env.HTTP.URL+path, nil)
	return c.Do(req)
}

// Do sends a request and remembers the CSRF token if the answer is a page with a form.
func (c *Client) Do(req *http.Request) *http.Response {
	c.Env.T.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.Env.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := csrfRE.FindSubmatch(body); m != nil {
			c.CSRF = string(m[1])
		}
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	return resp
}

// PostForm posts a form with the CSRF token; it loads the login page first when the
// client has no token yet.
func (c *Client) PostForm(path string, form url.Values) *http.Response {
	c.Env.T.Helper()
	if c.CSRF == "" {
		c.Get("/login").Body.Close()
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.CSRF)
	}
	req, _ := http.NewRequest(http.MethodPost, c.Env.HTTP.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// ReadBody reads and closes a response body.
func ReadBody(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return string(b)
}

// API calls the JSON API with a Bearer token and decodes the answer into out (if not nil).
func (e *Env) API(method, path, token string, body io.Reader, out any) *http.Response {
	e.T.Helper()
	req, _ := http.NewRequest(method, e.HTTP.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(b, out); err != nil {
			e.T.Fatalf("%s %s: status %d, body is not JSON: %v\n%s", method, path, resp.StatusCode, err, b)
		}
	}
	return resp
}

// Token creates an API token for username and returns its secret.
func (e *Env) Token(username string) string {
	e.T.Helper()
	secret, _, err := e.Server.Users().CreateToken(context.Background(), auth.CLI("test"), username, "test", 0)
	if err != nil {
		e.T.Fatalf("token for %s: %v", username, err)
	}
	return secret
}
