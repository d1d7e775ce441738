// Package web serves zhanxin's pages (server-rendered html/template with htmx and ECharts,
// all embedded) and mounts the JSON API. Handlers return errors; one adapter turns them
// into pages or the API's error shape.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
	"zhanxin/internal/users"
)

//go:embed templates static
var embedded embed.FS

// Config is what the server needs beyond its collaborators.
type Config struct {
	// MaxBodyBytes caps every request body; larger bodies get 413.
	MaxBodyBytes int64
	// TrustProxy lets X-Forwarded-For and X-Forwarded-Proto name the client and scheme.
	TrustProxy bool
	// SecureCookies forces the Secure flag (it is also set whenever the request is TLS).
	SecureCookies bool
	Version       string
	// ProjectStallDays is how many days without a stage change make a project stalled
	// (0: project.DefaultStallDays).
	ProjectStallDays int
}

// Server holds everything a request needs. It has no package-level state.
type Server struct {
	cfg      Config
	log      *slog.Logger
	db       *store.DB
	users    *users.Service
	cat      *i18n.Catalog
	now      func() time.Time
	pages    map[string]*pageTemplate
	assets   *assets
	metrics  *metrics
	secret   string // server secret for CSRF tokens, shared by all servers through the DB
	mux      *http.ServeMux
	routes   []Route
	handler  http.Handler
	registry *prometheus.Registry
	trace    *trace.Service
}

// Route is one registered method and path pattern (the OpenAPI test compares these).
type Route struct {
	Method  string
	Pattern string
	API     bool
}

// New builds the server: parses templates once, hashes assets, registers routes.
func New(ctx context.Context, cfg Config, log *slog.Logger, db *store.DB, cat *i18n.Catalog, now func() time.Time) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 10 << 20
	}
	secret, err := db.EnsureSetting(ctx, "server_secret", newServerSecret())
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(embedded, "static")
	if err != nil {
		return nil, err
	}
	a, err := newAssets(static)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, db: db, cat: cat, now: now, assets: a, secret: secret,
		users: users.New(db, now, log), mux: http.NewServeMux(), registry: prometheus.NewRegistry()}
	s.metrics = newMetrics(s.registry)
	if s.pages, err = s.parsePages(); err != nil {
		return nil, err
	}
	if s.trace, err = trace.New(ctx, db, now); err != nil {
		return nil, err
	}
	s.routesInit()
	s.handler = s.middleware(s.mux)
	return s, nil
}

// Users exposes the account service (tests use it to seed accounts).
func (s *Server) Users() *users.Service { return s.users }

// Routes lists every registered route.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
