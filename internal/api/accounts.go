package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/users"
)

// User is an account as the API shows it: never its password or hash.
type User struct {
	ID           int64   `json:"id"`
	Username     string  `json:"username"`
	DisplayName  string  `json:"display_name"`
	Role         string  `json:"role"`
	RegionCode   *string `json:"region_code"`
	EnterpriseID *int64  `json:"enterprise_id"`
	Disabled     bool    `json:"disabled"`
	MustChange   bool    `json:"must_change_password"`
}

func userOf(v users.View) User {
	return User{ID: v.ID, Username: v.Username, DisplayName: v.DisplayName, Role: v.Role,
		RegionCode: nullString(v.RegionCode), EnterpriseID: nullInt(v.EnterpriseID), Disabled: v.Disabled, MustChange: v.MustChange}
}

var userListing = listing{sorts: []string{"username", "display_name", "role", "region", "created"}, defaultSort: "username"}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := userListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.Users.List(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, func(u store.User) User { return userOf(users.ViewOf(u)) }))
	return nil
}

// NewUser is the body of POST /api/v1/users.
type NewUser struct {
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Role         string `json:"role"`
	RegionCode   string `json:"region_code"`
	EnterpriseID int64  `json:"enterprise_id"`
	Password     string `json:"password"`
	// MustChangePassword defaults to true: the admin chose the password, so the user
	// should replace it with one only they know.
	MustChangePassword *bool `json:"must_change_password"`
}

// bodyField maps the field names the account use cases report (shared with the web forms)
// to the names of the JSON body, so that an error names a field the client actually sent.
var bodyField = map[string]string{"region": "region_code", "enterprise": "enterprise_id"}

func renameFields(err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = make([]apperr.Field, len(e.Fields))
	for i, f := range e.Fields {
		if n, ok := bodyField[f.Name]; ok {
			f.Name = n
		}
		c.Fields[i] = f
	}
	return &c
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewUser
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	must := true
	if in.MustChangePassword != nil {
		must = *in.MustChangePassword
	}
	v, err := a.Users.Add(r.Context(), p, users.NewUser{Username: in.Username, DisplayName: in.DisplayName,
		Role: auth.Role(in.Role), RegionCode: in.RegionCode, EnterpriseID: in.EnterpriseID, Password: in.Password,
		MustChange: must})
	if err != nil {
		return renameFields(err)
	}
	WriteJSON(w, http.StatusCreated, userOf(v))
	return nil
}

// Token is an API token as the API shows it. Its secret is shown once, by CreatedToken.
type Token struct {
	ID         int64      `json:"id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func tokenOf(k store.Token) Token {
	return Token{ID: k.ID, Username: k.Username, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt.UTC(),
		ExpiresAt: nullTime(k.ExpiresAt), RevokedAt: nullTime(k.RevokedAt), LastUsedAt: nullTime(k.LastUsedAt)}
}

// CreatedToken is the answer to POST /api/v1/tokens: the token and, this once, its secret.
type CreatedToken struct {
	Token
	Secret string `json:"secret"`
}

var tokenListing = listing{sorts: []string{"created", "name", "user", "expires"}, defaultSort: "created", defaultDesc: true}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := tokenListing.parseList(r)
	if err != nil {
		return err
	}
	all, err := boolParam(r, "all")
	if err != nil {
		return err
	}
	res, err := a.Users.ListTokens(r.Context(), p, all, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, tokenOf))
	return nil
}

// NewToken is the body of POST /api/v1/tokens.
type NewToken struct {
	Name string `json:"name"`
	// TTL is a lifetime such as "90d" or "12h"; empty or "0" means until revoked.
	TTL string `json:"ttl"`
	// Username names whose token it is; only an admin may name someone else.
	Username string `json:"username"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewToken
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ttl, err := users.ParseTTL(in.TTL)
	if err != nil {
		return apperr.New(apperr.Invalid, "invalid_ttl", "api.err.ttl", in.TTL).With("ttl", "api.err.ttl", in.TTL).Wrap(err)
	}
	secret, v, err := a.Users.CreateToken(r.Context(), p, in.Username, in.Name, ttl)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, CreatedToken{Token: Token{ID: v.ID, Username: v.Username, Name: v.Name,
		Prefix: v.Prefix, CreatedAt: v.CreatedAt, ExpiresAt: nullTime(v.ExpiresAt)}, Secret: secret})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.Users.RevokeToken(r.Context(), p, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AuditEntry is one audit record. Before and after are the JSON the use case recorded,
// embedded as JSON (null when the entity did not exist before or no longer exists after).
type AuditEntry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   *int64          `json:"actor_id"`
	Actor     string          `json:"actor"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	RequestID string          `json:"request_id"`
	IP        string          `json:"ip"`
}

func rawOrNull(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func auditOf(e store.AuditEntry) AuditEntry {
	return AuditEntry{ID: e.ID, At: e.At.UTC(), ActorID: nullInt(e.ActorID), Actor: e.Actor, Action: e.Action,
		Entity: e.Entity, EntityID: e.EntityID, Before: rawOrNull(e.Before), After: rawOrNull(e.After),
		RequestID: e.RequestID, IP: e.IP}
}

var auditListing = listing{sorts: []string{"at", "actor", "action", "entity"}, defaultSort: "at", defaultDesc: true}

// chinaTime is the zone in which the audit filter's calendar dates are meant: the bureau
// reads "2024-05-01" as its own day, not UTC's. A fixed offset needs no tzdata on the host.
var chinaTime = time.FixedZone("CST", 8*60*60)

// auditFilter reads actor, entity, action, from and to. to is inclusive: to=2024-05-01
// includes that whole day.
func auditFilter(r *http.Request) (store.AuditFilter, error) {
	v := r.URL.Query()
	f := store.AuditFilter{Actor: v.Get("actor"), Entity: v.Get("entity"), Action: v.Get("action")}
	e := invalidQuery()
	day := func(name string) time.Time {
		s := v.Get(name)
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
		if err != nil {
			e.With(name, "api.err.date", s)
		}
		return t
	}
	f.From, f.To = day("from"), day("to")
	if len(e.Fields) > 0 {
		return f, e
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, e.With("to", "api.err.date_order", v.Get("to"), v.Get("from"))
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	return f, nil
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	// Both kinds of parameter are checked before either is reported, so that one answer
	// names every bad parameter.
	q, info, perr := auditListing.parseList(r)
	f, ferr := auditFilter(r)
	if perr != nil || ferr != nil {
		return mergeInvalid(perr, ferr)
	}
	res, err := audit.List(r.Context(), a.DB, p, f, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, auditOf))
	return nil
}

// mergeInvalid joins the field lists of several query errors into one.
func mergeInvalid(errs ...error) error {
	out := invalidQuery()
	for _, err := range errs {
		var e *apperr.Error
		if err == nil {
			continue
		}
		if !errors.As(err, &e) || e.Code != out.Code {
			return err
		}
		out.Fields = append(out.Fields, e.Fields...)
	}
	return out
}
