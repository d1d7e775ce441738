package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/export"
	"zhanxin/internal/i18n"
	"zhanxin/internal/store"
	"zhanxin/internal/users"
)

// adminRoutes registers the admin pages: users and the audit log. Every handler goes
// through the users and audit use cases, which check the caller's permission; the
// handlers themselves decide nothing about who may do what.
func (s *Server) adminRoutes() {
	s.handle("GET /admin/users", s.adapt(s.adminUsers))
	s.handle("POST /admin/users", s.adapt(s.adminUserAdd))
	s.handle("GET /admin/users/{username}", s.adapt(s.adminUser))
	s.handle("POST /admin/users/{username}/password", s.adapt(s.adminUserPassword))
	s.handle("POST /admin/users/{username}/disable", s.adapt(s.adminUserSetDisabled(true)))
	s.handle("POST /admin/users/{username}/enable", s.adapt(s.adminUserSetDisabled(false)))
	s.handle("GET /admin/audit", s.adapt(s.adminAudit))
}

// adminTime is how times appear in admin tables: local wall-clock time, "—" when unset.
func adminTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(time.Local).Format("2006-01-02 15:04:05")
}

// adminTimeCell exports the time itself (the exporter formats it) and shows it as text.
func adminTimeCell(t time.Time) Cell {
	if t.IsZero() {
		return Cell{Value: "", Text: "—"}
	}
	return Cell{Value: t, Text: adminTime(t)}
}

// adminFieldErrors localises the per-field problems of e; a problem that names no field goes
// under fallback so that the form still shows it next to something.
func (s *Server) adminFieldErrors(lang i18n.Lang, e *apperr.Error, fallback string) map[string]string {
	out := map[string]string{}
	for _, f := range e.Fields {
		if _, dup := out[f.Name]; !dup {
			out[f.Name] = s.cat.T(lang, f.Key, f.Args...)
		}
	}
	if len(out) == 0 {
		out[fallback] = s.cat.T(lang, e.Key, e.Args...)
	}
	return out
}

// adminFormError reports whether err is a refusal to show on the form it came from, rather
// than one for the error page (forbidden, not found) or the log (internal).
func adminFormError(err error) (*apperr.Error, bool) {
	e := apperr.From(err)
	return e, e.Kind == apperr.Invalid || e.Kind == apperr.Conflict
}

// adminStripQuery returns r with the named query parameters removed, so that one-off
// parameters (the flash after a redirect) do not stick to the table's sort and page links.
func adminStripQuery(r *http.Request, keys ...string) *http.Request {
	q := r.URL.Query()
	changed := false
	for _, k := range keys {
		if q.Has(k) {
			q.Del(k)
			changed = true
		}
	}
	if !changed {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	return r2
}

// Users.

var adminUserTable = TableSpec[store.User]{
	Export: "admin.users.title",
	Columns: []Column{{Label: "admin.users.username", Sort: "username"}, {Label: "admin.users.display_name", Sort: "display_name"},
		{Label: "admin.users.role", Sort: "role"}, {Label: "admin.users.region", Sort: "region"},
		{Label: "admin.users.enterprise", Num: true}, {Label: "admin.users.status"}, {Label: "admin.users.must_change"},
		{Label: "admin.users.created", Sort: "created"}},
}

func (s *Server) adminYesNo(lang i18n.Lang, b bool) string {
	if b {
		return s.cat.T(lang, "admin.yes")
	}
	return s.cat.T(lang, "admin.no")
}

func (s *Server) adminUserStatus(lang i18n.Lang, disabled bool) string {
	if disabled {
		return s.cat.T(lang, "admin.users.status.disabled")
	}
	return s.cat.T(lang, "admin.users.status.active")
}

func adminUserHref(username string) string { return "/admin/users/" + url.PathEscape(username) }

// roleOption is a choice in the role menu.
type roleOption struct {
	Value, Label string
	Selected     bool
}

func (s *Server) adminRoleOptions(lang i18n.Lang, selected string) []roleOption {
	var out []roleOption
	for _, r := range auth.Roles {
		out = append(out, roleOption{Value: string(r), Label: s.cat.T(lang, "role."+string(r)), Selected: string(r) == selected})
	}
	return out
}

// userForm is what the add-user form shows: the values entered so far and the problems.
type userForm struct {
	Username, DisplayName, Role, Region, Enterprise string
	MustChange                                      bool
	Roles                                           []roleOption
	Errors                                          map[string]string
}

type adminUsersView struct {
	Page
	Table TableView
	Form  userForm
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUsers(w, r, http.StatusOK, userForm{Role: string(auth.Viewer), MustChange: true})
}

// renderAdminUsers shows the user table with the add form; a rejected form comes back
// with what was entered and a message by each field.
func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, form userForm) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	spec := adminUserTable
	spec.Row = func(u store.User) []Cell {
		ent := Cell{Value: "", Text: ""}
		if u.EnterpriseID != 0 {
			ent = Cell{Value: u.EnterpriseID, Text: strconv.FormatInt(u.EnterpriseID, 10), Num: true}
		}
		return []Cell{{Value: u.Username, Text: u.Username, Href: adminUserHref(u.Username)}, TextCell(u.DisplayName),
			TextCell(s.cat.T(lang, "role."+u.Role)), TextCell(u.RegionCode), ent,
			TextCell(s.adminUserStatus(lang, u.Disabled)), TextCell(s.adminYesNo(lang, u.MustChange)), adminTimeCell(u.CreatedAt)}
	}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.User], error) {
		return s.users.List(r.Context(), p, q)
	})
	if err != nil || done {
		return err
	}
	form.Roles = s.adminRoleOptions(lang, form.Role)
	s.render(w, r, status, "admin_users", adminUsersView{
		Page: s.page(w, r, "admin.users.title", Crumb{Label: "admin.users.title"}), Table: tv, Form: form})
	return nil
}

func (s *Server) adminUserAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	form := userForm{Username: strings.TrimSpace(r.PostFormValue("username")), DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Role: r.PostFormValue("role"), Region: strings.TrimSpace(r.PostFormValue("region")),
		Enterprise: strings.TrimSpace(r.PostFormValue("enterprise")), MustChange: r.PostFormValue("must_change") != ""}
	nu := users.NewUser{Username: form.Username, DisplayName: form.DisplayName, Role: auth.Role(form.Role),
		RegionCode: form.Region, Password: r.PostFormValue("password"), MustChange: form.MustChange}
	// Region and enterprise go to the use case as entered, even for a role that has none:
	// it says clearly that only county (enterprise) users are bound to one, which is better
	// than silently dropping what the admin typed.
	if form.Enterprise != "" {
		id, err := strconv.ParseInt(form.Enterprise, 10, 64)
		if err != nil || id <= 0 {
			return s.rejectUserForm(w, r, form, apperr.New(apperr.Invalid, "invalid_enterprise_id", "admin.err.enterprise_id").
				With("enterprise", "admin.err.enterprise_id"))
		}
		nu.EnterpriseID = id
	}
	v, err := s.users.Add(r.Context(), p, nu)
	if err != nil {
		return s.rejectUserForm(w, r, form, err)
	}
	http.Redirect(w, r, adminUserHref(v.Username)+"?ok=created", http.StatusSeeOther)
	return nil
}

func (s *Server) rejectUserForm(w http.ResponseWriter, r *http.Request, form userForm, err error) error {
	e, ok := adminFormError(err)
	if !ok {
		return err
	}
	form.Errors = s.adminFieldErrors(s.lang(r), e, "form")
	return s.renderAdminUsers(w, r, e.Kind.Status(), form)
}

type adminUserView struct {
	Page
	U            users.View
	RoleLabel    string
	Status       string
	MustChange   string
	Created      string
	Updated      string
	Flash        string
	Errors       map[string]string
	AuditHref    string
	HistoryHref  string
	ConfirmOff   string
	ConfirmReset string
	Self         bool
}

// adminFlashes are the messages a redirect after a successful change may ask for.
var adminFlashes = map[string]string{
	"created":  "admin.flash.created",
	"password": "admin.flash.password",
	"disabled": "admin.flash.disabled",
	"enabled":  "admin.flash.enabled",
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUser(w, r, http.StatusOK, nil)
}

func (s *Server) renderAdminUser(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	u, err := s.users.Get(r.Context(), p, r.PathValue("username"))
	if err != nil {
		return err
	}
	lang := s.lang(r)
	v := adminUserView{Page: s.page(w, r, "admin.user.title", Crumb{Label: "admin.users.title", Href: "/admin/users"}, Crumb{Label: u.Username}),
		U: users.ViewOf(u), RoleLabel: s.cat.T(lang, "role."+u.Role), Status: s.adminUserStatus(lang, u.Disabled),
		MustChange: s.adminYesNo(lang, u.MustChange), Created: adminTime(u.CreatedAt), Updated: adminTime(u.UpdatedAt),
		Errors: errs, AuditHref: "/admin/audit?actor=" + url.QueryEscape(u.Username),
		HistoryHref: "/admin/audit?entity=user&entity_id=" + strconv.FormatInt(u.ID, 10),
		ConfirmOff:  s.cat.T(lang, "admin.user.confirm_disable", u.Username), ConfirmReset: s.cat.T(lang, "admin.user.confirm_reset", u.Username),
		Self: u.ID == p.ID}
	v.Title = s.cat.T(lang, "admin.user.title") + " " + u.Username
	if key, ok := adminFlashes[r.URL.Query().Get("ok")]; ok && status == http.StatusOK {
		v.Flash = s.cat.T(lang, key, u.Username)
	}
	s.render(w, r, status, "admin_user", v)
	return nil
}

func (s *Server) adminUserPassword(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	username := r.PathValue("username")
	err = s.users.SetPassword(r.Context(), p, username, r.PostFormValue("password"), r.PostFormValue("must_change") != "")
	if err != nil {
		e, ok := adminFormError(err)
		if !ok {
			return err
		}
		return s.renderAdminUser(w, r, e.Kind.Status(), s.adminFieldErrors(s.lang(r), e, "password"))
	}
	http.Redirect(w, r, adminUserHref(username)+"?ok=password", http.StatusSeeOther)
	return nil
}

func (s *Server) adminUserSetDisabled(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := requireUser(r)
		if err != nil {
			return err
		}
		username := r.PathValue("username")
		if err := s.users.SetDisabled(r.Context(), p, username, disabled); err != nil {
			e, ok := adminFormError(err)
			if !ok {
				return err
			}
			return s.renderAdminUser(w, r, e.Kind.Status(), s.adminFieldErrors(s.lang(r), e, "disabled"))
		}
		ok := "enabled"
		if disabled {
			ok = "disabled"
		}
		http.Redirect(w, r, adminUserHref(username)+"?ok="+ok, http.StatusSeeOther)
		return nil
	}
}

// Audit log.

var adminAuditTable = TableSpec[store.AuditEntry]{
	Export: "admin.audit.title",
	Columns: []Column{{Label: "admin.audit.at", Sort: "at"}, {Label: "admin.audit.actor", Sort: "actor"},
		{Label: "admin.audit.action", Sort: "action"}, {Label: "admin.audit.entity", Sort: "entity"},
		{Label: "admin.audit.entity_id"}, {Label: "admin.audit.before"}, {Label: "admin.audit.after"},
		{Label: "admin.audit.request_id"}, {Label: "admin.audit.ip"}},
}

// auditFilterForm is the audit page's filter form, as entered.
type auditFilterForm struct {
	Q, Actor, Entity, EntityID, Action, From, To string
	Sort, Dir, PerPage                           string
	Entities                                     []string
	Errors                                       map[string]string
}

type adminAuditView struct {
	Page
	Table  TableView
	Filter auditFilterForm
}

const auditDateLayout = "2006-01-02"

// parseAuditFilter reads the extra filters from the URL. Dates are whole local days: "to"
// includes the day it names.
func parseAuditFilter(v url.Values) (store.AuditFilter, *apperr.Error) {
	f := store.AuditFilter{Actor: strings.TrimSpace(v.Get("actor")), Entity: strings.TrimSpace(v.Get("entity")),
		EntityID: strings.TrimSpace(v.Get("entity_id")), Action: strings.TrimSpace(v.Get("action"))}
	var bad *apperr.Error
	for _, d := range []struct {
		name string
		dst  *time.Time
		next bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		raw := strings.TrimSpace(v.Get(d.name))
		if raw == "" {
			continue
		}
		t, err := time.ParseInLocation(auditDateLayout, raw, time.Local)
		if err != nil {
			if bad == nil {
				bad = apperr.New(apperr.Invalid, "invalid_date", "admin.err.date", raw)
			}
			bad.With(d.name, "admin.err.date", raw)
			continue
		}
		if d.next {
			t = t.AddDate(0, 0, 1)
		}
		*d.dst = t
	}
	if bad == nil && !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		bad = apperr.New(apperr.Invalid, "invalid_date_range", "admin.err.date_order").With("to", "admin.err.date_order")
	}
	return f, bad
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	q := r.URL.Query()
	form := auditFilterForm{Q: q.Get("q"), Actor: q.Get("actor"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action"),
		From: q.Get("from"), To: q.Get("to"), Sort: q.Get("sort"), Dir: q.Get("dir"), PerPage: q.Get("per_page")}
	spec := adminAuditTable
	spec.Row = func(e store.AuditEntry) []Cell {
		return []Cell{adminTimeCell(e.At), TextCell(e.Actor), TextCell(e.Action), TextCell(e.Entity), TextCell(e.EntityID),
			{Value: e.Before, Text: e.Before, Pre: true}, {Value: e.After, Text: e.After, Pre: true}, TextCell(e.RequestID), TextCell(e.IP)}
	}
	f, bad := parseAuditFilter(q)
	status := http.StatusOK
	var tv TableView
	if bad != nil {
		// Listing without the broken date would show rows the user did not ask for, so the
		// page shows the form with the problem and an empty table instead.
		if _, err := audit.List(r.Context(), s.db, p, store.AuditFilter{}, store.ListQuery{Limit: 1}); err != nil {
			return err
		}
		if _, ok := export.ParseFormat(q.Get("format")); ok {
			return bad
		}
		status = bad.Kind.Status()
		form.Errors = s.adminFieldErrors(lang, bad, "from")
		lq, page, per := listQuery(r)
		tv = buildTable(s, lang, r, spec.Columns, lq, page, per, 0)
	} else {
		var done bool
		tv, done, err = serveTable(s, w, r, spec, func(lq store.ListQuery) (store.Page[store.AuditEntry], error) {
			return audit.List(r.Context(), s.db, p, f, lq)
		})
		if err != nil || done {
			return err
		}
	}
	if form.Entities, err = s.db.AuditEntities(r.Context()); err != nil {
		return err
	}
	if form.Entity != "" && !slices.Contains(form.Entities, form.Entity) {
		form.Entities = append(form.Entities, form.Entity)
	}
	tv.NoFilter, tv.TestID = true, "audit-table"
	s.render(w, r, status, "admin_audit", adminAuditView{Page: s.page(w, r, "admin.audit.title", Crumb{Label: "admin.audit.title"}),
		Table: tv, Filter: form})
	return nil
}
