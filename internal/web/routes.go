package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"zhanxin/internal/api"
	"zhanxin/internal/apperr"
)

// handle registers a page or plain route.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Pattern: path})
	s.mux.HandleFunc(pattern, h)
}

// handleAPI registers an API endpoint; its errors are written in the API's error shape.
func (s *Server) handleAPI(e api.Endpoint) {
	method, path, _ := strings.Cut(e.Pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Pattern: path, API: true})
	s.mux.HandleFunc(e.Pattern, s.adapt(e.Handle))
}

func (s *Server) routesInit() {
	s.handle("GET /static/{path...}", s.serveStatic)
	// Browsers ask for /favicon.ico whatever the page says; send them to the embedded icon.
	s.handle("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.assets.url("favicon.svg"), http.StatusMovedPermanently)
	})
	s.handle("GET /healthz", s.healthz)
	s.handle("GET /readyz", s.readyz)
	s.handle("GET /metrics", s.metrics.handler.ServeHTTP)

	s.handle("GET /login", s.adapt(s.loginForm))
	s.handle("POST /login", s.adapt(s.loginSubmit))
	s.handle("POST /logout", s.adapt(s.logout))
	s.handle("GET /lang", s.adapt(s.switchLang))
	s.handle("GET /account/password", s.adapt(s.passwordForm))
	s.handle("POST /account/password", s.adapt(s.passwordSubmit))

	s.handle("GET /{$}", s.adapt(s.home))
	s.handle("GET /regions", s.adapt(s.regionsPage))
	s.handle("GET /enterprises", s.adapt(s.enterprisesPage))

	s.adminRoutes()
	s.tokenRoutes()
	s.planRoutes()
	s.planEditRoutes()
	s.planManageRoutes()
	s.statsRoutes()
	s.statsImportRoutes()
	s.chainRoutes()
	s.relatednessRoutes()
	s.parkRoutes()
	s.projectRoutes()
	s.cultivationRoutes()
	s.financeRoutes()
	s.innovationRoutes()
	s.policyRoutes()
	s.resourceRoutes()
	s.ledgerRoutes()
	s.allocationRoutes()
	s.reserveRoutes()
	s.flowRoutes()
	s.traceRoutes()

	a := &api.API{DB: s.db, Users: s.users, Cat: s.cat, Now: s.now, Lang: s.lang, Version: s.cfg.Version,
		Trace: s.trace, MaxBodyBytes: s.cfg.MaxBodyBytes,
		ProjectStallDays: s.cfg.ProjectStallDays}
	for _, e := range a.Endpoints() {
		s.handleAPI(e)
	}
	// Everything else is a 405 or 404 in the right shape (JSON under /api, a page
	// elsewhere). The catch-all hides ServeMux's own 405, so it is worked out here.
	s.mux.HandleFunc("/", s.adapt(s.unmatched))
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return apperr.New(apperr.MethodNotAllowed, "method_not_allowed", "err.method_not_allowed", r.Method, strings.Join(allow, ", "))
	}
	return notFoundErr()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the database answers within two seconds.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readyz: database not ready", "err", err)
		http.Error(w, "database not ready\n", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
