package web

import (
	"net/http"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/enterprise"
	"zhanxin/internal/i18n"
	"zhanxin/internal/region"
	"zhanxin/internal/store"
)

func notFoundErr() error { return apperr.New(apperr.NotFound, "not_found", "err.page_not_found") }

// requireUser returns the logged-in principal or an Unauthenticated error (which the
// adapter turns into a redirect to the login page).
func requireUser(r *http.Request) (*auth.Principal, error) {
	if p := auth.From(r.Context()); p != nil {
		return p, nil
	}
	return nil, apperr.New(apperr.Unauthenticated, "unauthenticated", "err.unauthenticated")
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

type loginView struct {
	Page
	Next     string
	Username string
	Error    string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if auth.From(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login", loginView{Page: s.page(w, r, "login.title"), Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	secret, _, err := s.users.Login(r.Context(), username, password, s.clientIP(r), r.UserAgent())
	if err != nil {
		e := apperr.From(err)
		if e.Kind == apperr.Internal {
			return err
		}
		s.render(w, r, e.Kind.Status(), "login", loginView{Page: s.page(w, r, "login.title"), Next: next,
			Username: username, Error: s.cat.T(s.lang(r), e.Key, e.Args...)})
		return nil
	}
	s.clearCookie(w, r, preCookie)
	s.setCookie(w, r, sessionCookie, secret, 0)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	p := auth.From(r.Context())
	if c, err := r.Cookie(sessionCookie); err == nil && p != nil {
		if err := s.users.Logout(r.Context(), p, c.Value); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// switchLang sets the language cookie and goes back. It changes a display preference
// only, never data, so it is a GET that a plain link can use.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.Parse(r.URL.Query().Get("to"))
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: s.isTLS(r)})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

type passwordView struct {
	Page
	Forced bool
	Errors map[string]string
	Done   bool
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "password", passwordView{Page: s.page(w, r, "password.title", Crumb{Label: "password.title"}),
		Forced: p.MustChange, Done: r.URL.Query().Get("done") == "1"})
	return nil
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	old, pw, again := r.PostFormValue("old_password"), r.PostFormValue("password"), r.PostFormValue("password_again")
	var e *apperr.Error
	if pw != again {
		e = apperr.New(apperr.Invalid, "password_mismatch", "err.password.mismatch").With("password_again", "err.password.mismatch")
	} else if err := s.users.ChangeOwnPassword(r.Context(), p, old, pw); err != nil {
		e = apperr.From(err)
		if e.Kind == apperr.Internal {
			return err
		}
	}
	if e != nil {
		lang := s.lang(r)
		errs := map[string]string{}
		for _, f := range e.Fields {
			errs[f.Name] = s.cat.T(lang, f.Key, f.Args...)
		}
		if len(errs) == 0 {
			errs["password"] = s.cat.T(lang, e.Key, e.Args...)
		}
		s.render(w, r, e.Kind.Status(), "password", passwordView{Page: s.page(w, r, "password.title", Crumb{Label: "password.title"}),
			Forced: p.MustChange, Errors: errs})
		return nil
	}
	http.Redirect(w, r, "/account/password?done=1", http.StatusSeeOther)
	return nil
}

type tableView struct {
	Page
	Table TableView
	Note  string
}

var regionTable = TableSpec[store.Region]{
	Export: "regions.title",
	Columns: []Column{{Label: "regions.code", Sort: "code"}, {Label: "regions.name", Sort: "name"}, {Label: "regions.name_en"},
		{Label: "regions.kind", Sort: "kind"}, {Label: "regions.parent", Sort: "parent"}, {Label: "regions.aliases"}, {Label: "common.source"}},
}

func (s *Server) regionsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := regionTable
	spec.Row = func(g store.Region) []Cell {
		return []Cell{TextCell(g.Code), TextCell(g.NameZh), TextCell(g.NameEn), TextCell(s.cat.T(lang, "region.kind."+g.Kind)),
			TextCell(g.ParentCode), TextCell(g.Aliases), TextCell(g.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Region], error) {
		return region.List(r.Context(), s.db, p, q)
	})
	if err != nil || done {
		return err
	}
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "regions.title", Crumb{Label: "regions.title"}), Table: tv})
	return nil
}

var enterpriseTable = TableSpec[store.Enterprise]{
	Export: "enterprises.title",
	Columns: []Column{{Label: "enterprises.id", Sort: "id", Num: true}, {Label: "enterprises.name", Sort: "name"},
		{Label: "enterprises.uscc", Sort: "uscc"}, {Label: "enterprises.region", Sort: "region"}, {Label: "enterprises.note"},
		{Label: "common.source"}},
}

func (s *Server) enterprisesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := enterpriseTable
	spec.Row = func(e store.Enterprise) []Cell {
		uscc := e.USCC
		if uscc == "" {
			uscc = s.cat.T(lang, "enterprises.uscc_unknown")
		}
		return []Cell{{Value: e.ID, Text: strconv.FormatInt(e.ID, 10), Num: true}, TextCell(e.NameZh), TextCell(uscc),
			TextCell(e.RegionCode), TextCell(e.Note), TextCell(e.Source)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Enterprise], error) {
		return enterprise.List(r.Context(), s.db, p, q)
	})
	if err != nil || done {
		return err
	}
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "enterprises.title", Crumb{Label: "enterprises.title"}), Table: tv})
	return nil
}
