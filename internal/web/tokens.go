package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/users"
)

// tokenRoutes registers the API-token pages. Everyone manages their own tokens; an admin
// also sees and revokes everyone's (the users use cases decide who may).
func (s *Server) tokenRoutes() {
	s.handle("GET /account/tokens", s.adapt(s.tokensPage))
	s.handle("POST /account/tokens", s.adapt(s.tokenCreate))
	s.handle("POST /account/tokens/{id}/revoke", s.adapt(s.tokenRevoke))
}

var tokenColumns = []Column{{Label: "tokens.name", Sort: "name"}, {Label: "tokens.prefix"}, {Label: "tokens.user", Sort: "user"},
	{Label: "tokens.created", Sort: "created"}, {Label: "tokens.expires", Sort: "expires"}, {Label: "tokens.last_used"},
	{Label: "tokens.status"}, {Label: "tokens.actions", NoExport: true}}

// tokenForm is the create form as entered.
type tokenForm struct {
	Name, TTL, User string
	Errors          map[string]string
}

type tokensView struct {
	Page
	Table  TableView
	All    bool
	CanAll bool
	Flash  string
	Form   tokenForm
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, tokenForm{TTL: "90d"})
}

// tokenState is "active", "revoked" or "expired" by the accounts service's clock, the one
// that decides whether the token is accepted.
func (s *Server) tokenState(k store.Token) string {
	switch {
	case !k.RevokedAt.IsZero():
		return "revoked"
	case !k.ExpiresAt.IsZero() && s.users.Now().After(k.ExpiresAt):
		return "expired"
	}
	return "active"
}

var tokenStateKeys = map[string]string{"active": "tokens.state.active", "revoked": "tokens.state.revoked", "expired": "tokens.state.expired"}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, form tokenForm) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	flash := r.URL.Query().Get("ok")
	r = adminStripQuery(r, "ok")
	all := r.URL.Query().Get("all") == "1"
	spec := TableSpec[store.Token]{Export: "tokens.title", Columns: tokenColumns}
	spec.Row = func(k store.Token) []Cell {
		exp := adminTimeCell(k.ExpiresAt)
		if k.ExpiresAt.IsZero() {
			exp = TextCell(s.cat.T(lang, "tokens.never"))
		}
		state := s.tokenState(k)
		action := Cell{}
		if state == "active" {
			a := &CellAction{Post: "/account/tokens/" + strconv.FormatInt(k.ID, 10) + "/revoke", Label: s.cat.T(lang, "tokens.revoke"),
				Confirm: s.cat.T(lang, "tokens.confirm_revoke", k.Name), Danger: true}
			if all {
				a.Hidden = []KV{{"all", "1"}}
			}
			action.Action = a
		}
		return []Cell{TextCell(k.Name), TextCell(k.Prefix + "…"), TextCell(k.Username), adminTimeCell(k.CreatedAt), exp,
			adminTimeCell(k.LastUsedAt), TextCell(s.cat.T(lang, tokenStateKeys[state])), action}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.Token], error) {
		return s.users.ListTokens(r.Context(), p, all, q)
	})
	if err != nil || done {
		return err
	}
	tv.TestID = "token-table"
	v := tokensView{Page: s.page(w, r, "tokens.title", Crumb{Label: "tokens.title"}), Table: tv, All: all,
		CanAll: p.Can(auth.ManageUsers), Form: form}
	if flash == "revoked" && status == http.StatusOK {
		v.Flash = s.cat.T(lang, "tokens.flash.revoked")
	}
	s.render(w, r, status, "tokens", v)
	return nil
}

type tokenCreatedView struct {
	Page
	Secret  string
	Token   users.TokenView
	Expires string
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	form := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), TTL: strings.TrimSpace(r.PostFormValue("ttl")),
		User: strings.TrimSpace(r.PostFormValue("user"))}
	ttl, perr := users.ParseTTL(form.TTL)
	if perr != nil {
		return s.rejectTokenForm(w, r, form, apperr.New(apperr.Invalid, "invalid_ttl", "tokens.err.ttl", form.TTL).
			With("ttl", "tokens.err.ttl", form.TTL).Wrap(perr))
	}
	secret, tv, err := s.users.CreateToken(r.Context(), p, form.User, form.Name, ttl)
	if err != nil {
		return s.rejectTokenForm(w, r, form, err)
	}
	lang := s.lang(r)
	v := tokenCreatedView{Page: s.page(w, r, "tokens.created_title", Crumb{Label: "tokens.title", Href: "/account/tokens"},
		Crumb{Label: "tokens.created_title"}), Secret: secret, Token: tv, Expires: s.cat.T(lang, "tokens.never")}
	if !tv.ExpiresAt.IsZero() {
		v.Expires = adminTime(tv.ExpiresAt)
	}
	// The secret is on this page only: no redirect (it would have to carry the secret in
	// the URL), and render marks the page no-store so the browser does not keep it.
	s.render(w, r, http.StatusOK, "tokens_created", v)
	return nil
}

func (s *Server) rejectTokenForm(w http.ResponseWriter, r *http.Request, form tokenForm, err error) error {
	e, ok := adminFormError(err)
	if e.Code == "unknown_user" && form.User != "" {
		// An admin's typo in the user field belongs next to that field, not on an error page.
		form.Errors = map[string]string{"user": s.cat.T(s.lang(r), e.Key, e.Args...)}
		return s.renderTokens(w, r, e.Kind.Status(), form)
	}
	if !ok {
		return err
	}
	form.Errors = s.adminFieldErrors(s.lang(r), e, "name")
	return s.renderTokens(w, r, e.Kind.Status(), form)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return notFoundErr()
	}
	if err := s.users.RevokeToken(r.Context(), p, id); err != nil {
		return err
	}
	back := url.Values{"ok": {"revoked"}}
	if r.PostFormValue("all") == "1" {
		back.Set("all", "1")
	}
	http.Redirect(w, r, "/account/tokens?"+back.Encode(), http.StatusSeeOther)
	return nil
}
