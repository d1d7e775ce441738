package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/reqinfo"
)

const (
	sessionCookie = "zx_session"
	preCookie     = "zx_pre" // anonymous binding for the login form's CSRF token
	langCookie    = "zx_lang"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newServerSecret() string { return auth.NewSecret() }

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientIP is the peer address, or the first X-Forwarded-For hop behind a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) isTLS(r *http.Request) bool {
	return r.TLS != nil || s.cfg.SecureCookies || (s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// middleware wraps the mux: request id and logging, panic recovery, metrics, body limit,
// authentication, CSRF and the forced password change.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDRE.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("X-Frame-Options", "DENY")
		ctx := reqinfo.With(r.Context(), reqinfo.Info{ID: id, IP: s.clientIP(r)})
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(ctx, "panic", "panic", v, "path", r.URL.Path)
				if sw.status == 0 {
					s.fail(sw, r, apperr.New(apperr.Internal, "internal", "err.internal"))
				}
			}
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.observe(r, status, d)
			s.log.InfoContext(ctx, "request", "method", r.Method, "path", r.URL.Path, "status", status,
				"bytes", sw.bytes, "ms", float64(d.Microseconds())/1000)
		}()
		if r.ContentLength > s.cfg.MaxBodyBytes {
			s.fail(sw, r, tooLarge(s.cfg.MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		r, err := s.authenticate(sw, r)
		if err != nil {
			s.fail(sw, r, err)
			return
		}
		if err := s.checkCSRF(r); err != nil {
			s.fail(sw, r, err)
			return
		}
		if p := auth.From(r.Context()); p != nil && p.MustChange && !allowedWhileMustChange(r.URL.Path) {
			if isAPI(r) {
				s.fail(sw, r, apperr.New(apperr.Forbidden, "password_change_required", "err.password.must_change"))
			} else {
				http.Redirect(sw, r, "/account/password", http.StatusSeeOther)
			}
			return
		}
		next.ServeHTTP(sw, r)
	})
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "body_too_large", "err.body_too_large", (limit+1023)>>10)
}

func allowedWhileMustChange(path string) bool {
	return path == "/account/password" || path == "/logout" || strings.HasPrefix(path, "/static/") ||
		path == "/lang" || path == "/healthz" || path == "/readyz"
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/epcis/") ||
		strings.HasPrefix(r.Header.Get("Accept"), "application/json")
}

// authenticate puts the caller's principal, if any, into the request context. A Bearer
// token that is wrong is an error (a machine client wants to know); a bad session cookie
// just means "not logged in".
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return r, apperr.New(apperr.Unauthenticated, "token_invalid", "err.token.invalid")
		}
		p, err := s.users.Bearer(ctx, strings.TrimSpace(tok))
		if err != nil {
			return r, err
		}
		return r.WithContext(auth.WithPrincipal(ctx, p)), nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return r, nil
	}
	p, err := s.users.Session(ctx, c.Value)
	if err != nil {
		return r, err
	}
	if p == nil {
		s.clearCookie(w, r, sessionCookie)
		return r, nil
	}
	return r.WithContext(auth.WithPrincipal(ctx, p)), nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfBinding is what the CSRF token of this request is bound to: the session cookie when
// logged in, the anonymous pre-login cookie otherwise.
func csrfBinding(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil && auth.From(r.Context()) != nil {
		return c.Value
	}
	if c, err := r.Cookie(preCookie); err == nil {
		return c.Value
	}
	return ""
}

// checkCSRF requires the token on every state-changing request that a browser could send
// with cookies. Bearer-token requests carry no ambient credential and need none.
func (s *Server) checkCSRF(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	p := auth.From(r.Context())
	if p != nil && p.ViaToken {
		return nil
	}
	// An anonymous API request carries no credential a forger could ride on; letting it
	// through gives it the truthful 401 from the handler instead of a puzzling 403.
	if p == nil && (strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/epcis/")) {
		return nil
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if err := parseForm(r); err != nil {
			return err
		}
		got = r.PostFormValue("csrf")
	}
	if !auth.CheckCSRF(s.secret, csrfBinding(r), got) {
		return apperr.New(apperr.Forbidden, "csrf_failed", "err.csrf")
	}
	return nil
}

// parseForm parses a urlencoded or multipart body, reporting an oversized one as 413.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	if err != nil {
		return apperr.New(apperr.Invalid, "bad_form", "err.bad_form").Wrap(err)
	}
	return nil
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.isTLS(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	s.setCookie(w, r, name, "", -1)
}

// csrfFor returns the CSRF token for forms on this page, setting the anonymous cookie
// first when the visitor has neither a session nor one.
func (s *Server) csrfFor(w http.ResponseWriter, r *http.Request) string {
	b := csrfBinding(r)
	if b == "" {
		b = auth.NewSecret()
		s.setCookie(w, r, preCookie, b, 0)
		r.AddCookie(&http.Cookie{Name: preCookie, Value: b})
	}
	return auth.CSRFToken(s.secret, b)
}
