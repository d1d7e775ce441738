package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/reqinfo"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/users"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestHealthReadyMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		c := env.NewClient()
		for _, p := range []string{"/healthz", "/readyz"} {
			resp := c.Get(p)
			if body := webtest.ReadBody(resp); resp.StatusCode != 200 || body != "ok\n" {
				t.Fatalf("%s: %d %q", p, resp.StatusCode, body)
			}
		}
		c.Get("/regions").Body.Close() // anonymous: a redirect, counted under its route
		resp := c.Get("/metrics")
		body := webtest.ReadBody(resp)
		if resp.StatusCode != 200 || !strings.Contains(body, `zhanxin_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`) ||
			!strings.Contains(body, `route="GET /regions",status="303"`) || !strings.Contains(body, "go_goroutines") {
			t.Fatalf("metrics:\n%s", body)
		}
		// With the database gone, readiness fails but liveness does not.
		db.Close()
		if resp := c.Get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("readyz with a closed database: %d", resp.StatusCode)
		}
		if resp := c.Get("/healthz"); resp.StatusCode != 200 {
			t.Fatalf("healthz with a closed database: %d", resp.StatusCode)
		}
	})
}

func TestRequestIDOnResponseAndEveryLogLine(t *testing.T) {
	db := storetest.SQLite(t)
	var logs syncBuffer
	log := slog.New(reqinfo.LogHandler{Handler: slog.NewJSONHandler(&logs, nil)})
	cat, _ := i18n.Load()
	s, err := web.New(context.Background(), web.Config{}, log, db, cat, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(s)
	defer h.Close()
	if _, err := s.Users().Add(context.Background(), auth.CLI("t"), users.NewUser{Username: "u1", DisplayName: "u", Role: auth.Viewer, Password: webtest.Password}); err != nil {
		t.Fatal(err)
	}
	// A failing login logs a refusal line besides the access line; both carry the id.
	form := url.Values{"username": {"u1"}, "password": {"wrong-password"}}
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Request-Id", "trace-abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "trace-abc-123" {
		t.Fatalf("response request id %q", got)
	}
	lines := 0
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !strings.Contains(l, `"request_id":"trace-abc-123"`) {
			t.Fatalf("log line without the request id: %s", l)
		}
		lines++
	}
	if lines < 2 {
		t.Fatalf("want the refusal and the access line, got %d lines:\n%s", lines, logs.String())
	}
	// An unusable incoming id is replaced, not echoed into logs.
	req, _ = http.NewRequest(http.MethodGet, h.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "bad id <script>")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); len(got) != 16 {
		t.Fatalf("replacement id %q", got)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	db := storetest.SQLite(t)
	cat, _ := i18n.Load()
	s, err := web.New(context.Background(), web.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), db, cat, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users().Add(context.Background(), auth.CLI("t"), users.NewUser{Username: "u1", DisplayName: "u", Role: auth.Viewer, Password: webtest.Password}); err != nil {
		t.Fatal(err)
	}
	for _, tls := range []bool{false, true} {
		var h *httptest.Server
		if tls {
			h = httptest.NewTLSServer(s)
		} else {
			h = httptest.NewServer(s)
		}
		client := h.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := client.Get(h.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		pre := resp.Cookies()[0]
		csrf := strings.Split(strings.Split(string(body), `name="csrf" value="`)[1], `"`)[0]
		form := url.Values{"username": {"u1"}, "password": {webtest.Password}, "csrf": {csrf}}
		req, _ := http.NewRequest(http.MethodPost, h.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(pre)
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var sess *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "zx_session" {
				sess = c
			}
		}
		if resp.StatusCode != http.StatusSeeOther || sess == nil {
			t.Fatalf("tls=%v: login %d, cookies %v", tls, resp.StatusCode, resp.Cookies())
		}
		if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure != tls {
			t.Fatalf("tls=%v: session cookie %+v", tls, sess)
		}
		h.Close()
	}
}
