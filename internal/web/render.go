package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/reqinfo"
)

// assets serves the embedded static files under content-hashed names, so browsers may
// cache them forever and a new build is fetched at once.
type assets struct {
	byName map[string]string // "app.css" → "app.1a2b3c4d.css"
	files  map[string]asset  // "app.1a2b3c4d.css" → content
}

type asset struct {
	body  []byte
	ctype string
}

func newAssets(static fs.FS) (*assets, error) {
	a := &assets{byName: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.byName[p] = hashed
		a.files[hashed] = asset{body: b, ctype: ctype}
		return nil
	})
	return a, err
}

// url returns the hashed URL of a static file. A file that is not embedded (e.g. the npm
// packages were not installed before the build) yields a path that answers 404, and the
// browser test fails on it.
func (a *assets) url(name string) string {
	if h, ok := a.byName[name]; ok {
		return "/static/" + h
	}
	return "/static/missing/" + name
}

// serveStatic serves only names in the asset map: a path such as ../../etc/passwd is
// simply not a key, so traversal cannot reach anything.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	f, ok := s.assets.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// pageTemplate is one page parsed with the layout and partials, once, at start-up.
type pageTemplate struct{ t *template.Template }

func (s *Server) parsePages() (map[string]*pageTemplate, error) {
	funcs := template.FuncMap{
		"asset": s.assets.url,
		"fmtTime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(time.Local).Format("2006-01-02 15:04:05")
		},
		"add": func(a, b int) int { return a + b },
	}
	pages, err := fs.Glob(embedded, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*pageTemplate{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(embedded, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", p, err)
		}
		out[name] = &pageTemplate{t: t}
	}
	return out, nil
}

// render executes a page into a buffer first, so a template error becomes a clean 500
// instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	pt, ok := s.pages[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "layout", view); err != nil {
		s.log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Page is what the layout needs; every page's view struct embeds it.
type Page struct {
	Title     string
	Lang      i18n.Lang
	User      *auth.Principal
	CSRF      string
	Nav       []NavGroup
	Crumbs    []Crumb
	Path      string
	RequestID string
	Version   string
	cat       *i18n.Catalog
}

// T translates a catalogue key into the page's language.
func (p Page) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// OtherLang is the language the switch in the top bar offers.
func (p Page) OtherLang() i18n.Lang {
	if p.Lang == i18n.Zh {
		return i18n.En
	}
	return i18n.Zh
}

// Crumb is one step of the breadcrumbs.
type Crumb struct {
	Label string
	Href  string
}

// NavGroup is a module in the left navigation.
type NavGroup struct {
	Label string
	Items []NavItem
}

// NavItem is a page in the navigation.
type NavItem struct {
	Label  string
	Href   string
	Active bool
}

// lang is the user's language: the cookie, else the browser's preference, else Chinese.
func (s *Server) lang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		return i18n.Parse(c.Value)
	}
	if al := r.Header.Get("Accept-Language"); strings.HasPrefix(al, "en") {
		return i18n.En
	}
	return i18n.Zh
}

// page builds the common part of a view. titleKey is a catalogue key; crumbs are given as
// key, href pairs after the home crumb.
func (s *Server) page(w http.ResponseWriter, r *http.Request, titleKey string, crumbs ...Crumb) Page {
	lang := s.lang(r)
	p := Page{Lang: lang, User: auth.From(r.Context()), Path: r.URL.Path, cat: s.cat,
		RequestID: reqinfo.From(r.Context()).ID, Version: s.cfg.Version}
	p.Title = s.cat.T(lang, titleKey)
	p.CSRF = s.csrfFor(w, r)
	p.Crumbs = append([]Crumb{{Label: s.cat.T(lang, "nav.home"), Href: "/"}}, crumbs...)
	for i := range p.Crumbs {
		if s.cat.Has(p.Crumbs[i].Label) {
			p.Crumbs[i].Label = s.cat.T(lang, p.Crumbs[i].Label)
		}
	}
	p.Nav = s.nav(lang, p.User, r.URL.Path)
	return p
}

// navEntry is a page of the navigation and the action needed to see it.
type navEntry struct {
	group, key, href string
	need             auth.Action
}

// navEntries lists the navigation in order; modules add their pages here.
var navEntries = []navEntry{
	{"nav.group.overview", "nav.home", "/", ""},
	{"nav.group.registry", "nav.regions", "/regions", auth.ReadRegions},
	{"nav.group.registry", "nav.enterprises", "/enterprises", auth.ReadEnterprises},
	{"nav.group.plan", "nav.plans", "/plans", auth.ReadStats},
	{"nav.group.system", "nav.users", "/admin/users", auth.ManageUsers},
	{"nav.group.system", "nav.audit", "/admin/audit", auth.ReadAudit},
	{"nav.group.system", "nav.tokens", "/account/tokens", auth.ManageOwnTokens},
	{"statsweb.nav.group", "statsweb.nav.facts", "/stats/facts", auth.ReadStats},
	{"statsweb.nav.group", "statsweb.nav.entry", "/stats/entry", auth.EnterStats},
	{"statsweb.nav.group", "statsweb.nav.approvals", "/stats/approvals", auth.SubmitStats},
	{"statsweb.nav.group", "statsweb.nav.quality", "/stats/quality", auth.ReadStats},
	{"statsweb.nav.group", "statsweb.nav.indicators", "/stats/indicators", auth.ReadStats},
	{"statsweb.nav.group", "statsweb.nav.industries", "/stats/industries", auth.ReadStats},
	{"statsweb.nav.group", "import.nav", "/stats/import", auth.EnterStats},
	{"chain.nav.group", "chain.nav.chains", "/chains", auth.ReadChains},
	{"chain.nav.group", "chain.nav.settings", "/chains/settings", auth.ReadChains},
	{"chain.nav.group", "rel.nav", "/relatedness", auth.ReadRelatedness},
	{"park.nav.group", "park.nav.parks", "/parks", auth.ReadParks},
	{"park.nav.group", "park.nav.layout", "/parks/layout", auth.ReadParks},
	{"park.nav.group", "project.nav", "/projects", auth.ReadProjects},
	{"park.nav.group", "lead.nav", "/leads", auth.ReadLeads},
	{"cult.nav.group", "cult.nav.classes", "/cultivation", auth.ReadCultivation},
	{"cult.nav.group", "cult.nav.support", "/cultivation/support", auth.ReadCultivation},
	{"fin.nav.group", "fin.nav.funds", "/finance/funds", auth.ReadFinance},
	{"fin.nav.group", "fin.nav.investments", "/finance/investments", auth.ReadFinance},
	{"fin.nav.group", "fin.nav.financings", "/finance/financings", auth.ReadFinance},
	{"fin.nav.group", "fin.nav.listing", "/finance/listing", auth.ReadFinance},
	{"inno.nav.group", "inno.nav.units", "/innovation", auth.ReadInnovation},
	{"pol.nav.group", "pol.nav.documents", "/policy", auth.ReadPolicy},
	{"resources.nav.group", "resources.nav.products", "/resources/products", auth.ReadResources},
	{"resources.nav.group", "resources.nav.deposits", "/resources/deposits", auth.ReadResources},
	{"resources.nav.group", "resources.nav.rights", "/resources/rights", auth.ReadResources},
	{"resources.nav.group", "quota.nav.grants", "/quota/grants", auth.ReadQuota},
	{"resources.nav.group", "quota.nav.deadlines", "/quota/deadlines", auth.ManageQuota},
	{"resources.nav.group", "quota.nav.reports", "/quota/reports", auth.ReadQuota},
	{"resources.nav.group", "quota.nav.violations", "/quota/violations", auth.ReadQuota},
	{"resources.nav.group", "quota.nav.ledger", "/ledger/accounts", auth.ReadLedger},
	{"resources.nav.group", "quota.nav.statement", "/ledger/statement", auth.ReadLedger},
	{"resources.nav.group", "quota.nav.reconcile", "/ledger/reconcile", auth.ReconcileLedger},
	{"resources.nav.group", "allocation.nav", "/allocation", auth.ReadQuota},
	{"resources.nav.group", "reserve.nav", "/reserves", auth.ReadReserves},
	{"trace.nav.group", "trace.nav.events", "/trace/events", auth.ReadEvents},
	{"trace.nav.group", "trace.nav.provenance", "/trace/provenance", auth.TraceProvenance},
	{"trace.nav.group", "trace.nav.locations", "/trace/locations", auth.ReadEvents},
	{"trace.nav.group", "trace.nav.log", "/trace/log", auth.ReadEvents},
	{"trace.nav.group", "flow.nav.anomalies", "/flow/anomalies", auth.ReadFlow},
	{"trace.nav.group", "flow.nav.balance", "/flow/balance", auth.ReadFlow},
}

func (s *Server) nav(lang i18n.Lang, p *auth.Principal, current string) []NavGroup {
	if p == nil {
		return nil
	}
	var out []NavGroup
	for _, e := range navEntries {
		if e.need != "" && !p.Can(e.need) {
			continue
		}
		label := s.cat.T(lang, e.group)
		if len(out) == 0 || out[len(out)-1].Label != label {
			out = append(out, NavGroup{Label: label})
		}
		g := &out[len(out)-1]
		active := current == e.href || (e.href != "/" && strings.HasPrefix(current, e.href+"/"))
		g.Items = append(g.Items, NavItem{Label: s.cat.T(lang, e.key), Href: e.href, Active: active})
	}
	return out
}
