// Package users holds the use cases of accounts: logging in and out, sessions, API tokens,
// throttling of failed logins, and the admin's management of users. Each write checks
// permission, runs in one transaction and writes its audit record in that transaction.
package users

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Service runs the account use cases against a database with a clock.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	Log *slog.Logger
	// SessionTTL is how long an idle session lives; each use slides it.
	SessionTTL time.Duration
	Throttle   Throttle
}

// Throttle is the policy for failed logins, per account and per client address.
type Throttle struct {
	Window        time.Duration
	MaxPerAccount int
	MaxPerAddress int
	LockFor       time.Duration
}

// DefaultThrottle locks an account after 5 failures in 15 minutes and an address after 20.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, MaxPerAccount: 5, MaxPerAddress: 20, LockFor: 15 * time.Minute}

// New returns a Service with the default session lifetime and throttle.
func New(db *store.DB, now func() time.Time, log *slog.Logger) *Service {
	return &Service{DB: db, Now: now, Log: log, SessionTTL: 12 * time.Hour, Throttle: DefaultThrottle}
}

// View is what the audit log and the API show of a user: never the password hash.
type View struct {
	ID           int64  `json:"id"`
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Role         string `json:"role"`
	RegionCode   string `json:"region_code,omitempty"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	Disabled     bool   `json:"disabled"`
	MustChange   bool   `json:"must_change_password"`
}

// ViewOf returns the public view of u.
func ViewOf(u store.User) View {
	return View{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, RegionCode: u.RegionCode,
		EnterpriseID: u.EnterpriseID, Disabled: u.Disabled, MustChange: u.MustChange}
}

func principalOf(u store.User) *auth.Principal {
	return &auth.Principal{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: auth.Role(u.Role),
		RegionCode: u.RegionCode, EnterpriseID: u.EnterpriseID, MustChange: u.MustChange}
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,63}$`)

// NewUser is what an admin gives to add a user.
type NewUser struct {
	Username     string
	DisplayName  string
	Role         auth.Role
	RegionCode   string
	EnterpriseID int64
	Password     string
	MustChange   bool
}

func invalid(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

// validate checks a new or edited user against the role rules inside tx.
func validate(ctx context.Context, tx *store.Tx, u NewUser) error {
	if !usernameRE.MatchString(u.Username) {
		return invalid("invalid_username", "username", "err.user.username")
	}
	if strings.TrimSpace(u.DisplayName) == "" {
		return invalid("invalid_display_name", "display_name", "err.user.display_name")
	}
	if !u.Role.Valid() {
		return invalid("invalid_role", "role", "err.user.role", string(u.Role))
	}
	switch {
	case u.Role == auth.County && u.RegionCode == "":
		return invalid("region_required", "region", "err.user.region_required")
	case u.Role != auth.County && u.RegionCode != "":
		return invalid("region_not_allowed", "region", "err.user.region_not_allowed")
	case u.Role == auth.Enterprise && u.EnterpriseID == 0:
		return invalid("enterprise_required", "enterprise", "err.user.enterprise_required")
	case u.Role != auth.Enterprise && u.EnterpriseID != 0:
		return invalid("enterprise_not_allowed", "enterprise", "err.user.enterprise_not_allowed")
	}
	if u.RegionCode != "" {
		g, err := tx.RegionByCode(ctx, u.RegionCode)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_region", "region", "err.user.unknown_region", u.RegionCode)
		} else if err != nil {
			return err
		}
		if g.Kind != "county" {
			return invalid("region_not_county", "region", "err.user.region_not_county", u.RegionCode)
		}
	}
	if u.EnterpriseID != 0 {
		if _, err := tx.EnterpriseByID(ctx, u.EnterpriseID); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_enterprise", "enterprise", "err.user.unknown_enterprise", u.EnterpriseID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Add creates a user. Only admins may.
func (s *Service) Add(ctx context.Context, p *auth.Principal, nu NewUser) (View, error) {
	if err := auth.Require(p, auth.ManageUsers); err != nil {
		return View{}, err
	}
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	nu.DisplayName = strings.TrimSpace(nu.DisplayName)
	if err := auth.CheckPasswordPolicy(nu.Password); err != nil {
		return View{}, err
	}
	hash, err := auth.HashPassword(nu.Password)
	if err != nil {
		return View{}, err
	}
	var v View
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := validate(ctx, tx, nu); err != nil {
			return err
		}
		now := s.Now()
		u := store.User{Username: nu.Username, DisplayName: nu.DisplayName, Role: string(nu.Role), RegionCode: nu.RegionCode,
			EnterpriseID: nu.EnterpriseID, PasswordHash: hash, MustChange: nu.MustChange, CreatedAt: now, UpdatedAt: now}
		id, err := tx.InsertUser(ctx, u)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "username_taken", "err.user.taken", nu.Username).With("username", "err.user.taken", nu.Username)
		} else if err != nil {
			return err
		}
		u.ID = id
		v = ViewOf(u)
		return audit.Record(ctx, tx, now, p, "user.create", "user", strconv.FormatInt(id, 10), nil, v)
	})
	return v, err
}

// Get returns one user for an admin.
func (s *Service) Get(ctx context.Context, p *auth.Principal, username string) (store.User, error) {
	if err := auth.Require(p, auth.ManageUsers); err != nil {
		return store.User{}, err
	}
	u, err := s.DB.UserByUsername(ctx, strings.ToLower(username))
	if errors.Is(err, store.ErrNotFound) {
		return u, apperr.New(apperr.NotFound, "unknown_user", "err.user.unknown", username)
	}
	return u, err
}

// List lists users for an admin.
func (s *Service) List(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[store.User], error) {
	if err := auth.Require(p, auth.ManageUsers); err != nil {
		return store.Page[store.User]{}, err
	}
	return s.DB.ListUsers(ctx, q)
}

// update applies change to the user named username, audits the change under action, and
// ends the user's sessions when endSessions is set.
func (s *Service) update(ctx context.Context, p *auth.Principal, username, action string, endSessions bool, change func(*store.User) error) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, strings.ToLower(username))
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.NotFound, "unknown_user", "err.user.unknown", username)
		} else if err != nil {
			return err
		}
		before := ViewOf(u)
		if err := change(&u); err != nil {
			return err
		}
		u.UpdatedAt = s.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if endSessions {
			if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, u.UpdatedAt, p, action, "user", strconv.FormatInt(u.ID, 10), before, ViewOf(u))
	})
}

// SetPassword sets another user's password (admin). mustChange makes the user choose a new
// one at the next login. The user's sessions end.
func (s *Service) SetPassword(ctx context.Context, p *auth.Principal, username, password string, mustChange bool) error {
	if err := auth.Require(p, auth.ManageUsers); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.update(ctx, p, username, "user.password", true, func(u *store.User) error {
		u.PasswordHash, u.MustChange = hash, mustChange
		return nil
	})
}

// ChangeOwnPassword lets a logged-in user change their password, proving the old one.
func (s *Service) ChangeOwnPassword(ctx context.Context, p *auth.Principal, old, password string) error {
	if p == nil || p.ID == 0 {
		return apperr.New(apperr.Unauthenticated, "unauthenticated", "err.unauthenticated")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if old == password {
		return invalid("password_unchanged", "password", "err.password.same")
	}
	return s.update(ctx, p, p.Username, "user.password", false, func(u *store.User) error {
		if !auth.VerifyPassword(u.PasswordHash, old) {
			return invalid("wrong_password", "old_password", "err.password.wrong_old")
		}
		u.PasswordHash, u.MustChange = hash, false
		return nil
	})
}

// SetDisabled disables or re-enables a user (admin). A disabled user's sessions end at once
// and its tokens stop working. Admins cannot disable themselves.
func (s *Service) SetDisabled(ctx context.Context, p *auth.Principal, username string, disabled bool) error {
	if err := auth.Require(p, auth.ManageUsers); err != nil {
		return err
	}
	if strings.EqualFold(username, p.Username) && disabled {
		return apperr.New(apperr.Invalid, "cannot_disable_self", "err.user.disable_self")
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return s.update(ctx, p, username, action, disabled, func(u *store.User) error {
		u.Disabled = disabled
		return nil
	})
}

// EnsureAdmin creates the first admin on an empty database, with a random password that
// must be changed at first login. It returns the password, or "" when users exist.
func (s *Service) EnsureAdmin(ctx context.Context) (string, error) {
	pw := auth.RandomPassword()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return "", err
	}
	created := false
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil || n > 0 {
			return err
		}
		now := s.Now()
		u := store.User{Username: "admin", DisplayName: "系统管理员", Role: string(auth.Admin), PasswordHash: hash,
			MustChange: true, CreatedAt: now, UpdatedAt: now}
		id, err := tx.InsertUser(ctx, u)
		if store.IsUniqueViolation(err) {
			return nil // another server created it first
		} else if err != nil {
			return err
		}
		u.ID = id
		created = true
		return audit.Record(ctx, tx, now, auth.CLI("serve"), "user.create", "user", strconv.FormatInt(id, 10), nil, ViewOf(u))
	})
	if err != nil || !created {
		return "", err
	}
	return pw, nil
}

// lockedErr says how long a throttled login must wait.
func lockedErr(until, now time.Time) error {
	mins := int(until.Sub(now).Minutes()) + 1
	return apperr.New(apperr.RateLimited, "login_locked", "err.login.locked", mins)
}

// ErrBadLogin is the one message for a wrong user name or password: it does not say which.
func errBadLogin() error {
	return apperr.New(apperr.Unauthenticated, "bad_credentials", "err.login.bad")
}

// Login checks a user name and password and opens a session. It returns the session's
// secret, which goes into the cookie and nowhere else.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (string, *auth.Principal, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	now := s.Now()
	accKey, ipKey := "user:"+username, "ip:"+ip
	for _, k := range []string{accKey, ipKey} {
		until, err := s.DB.LockedUntil(ctx, k)
		if err != nil {
			return "", nil, err
		}
		if until.After(now) {
			return "", nil, lockedErr(until, now)
		}
	}
	u, err := s.DB.UserByUsername(ctx, username)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	hash := u.PasswordHash
	if !found {
		hash = auth.DummyHash
	}
	ok := auth.VerifyPassword(hash, password) && found
	if !ok || u.Disabled {
		var locked bool
		werr := s.DB.Write(ctx, func(tx *store.Tx) error {
			n, err := tx.RecordLoginFailure(ctx, accKey, now, s.Throttle.Window, s.Throttle.MaxPerAccount, s.Throttle.LockFor)
			if err != nil {
				return err
			}
			m, err := tx.RecordLoginFailure(ctx, ipKey, now, s.Throttle.Window, s.Throttle.MaxPerAddress, s.Throttle.LockFor)
			if err != nil {
				return err
			}
			locked = n >= s.Throttle.MaxPerAccount || m >= s.Throttle.MaxPerAddress
			return audit.Record(ctx, tx, now, nil, "login.failed", "user", username, nil, map[string]string{"ip": ip})
		})
		if werr != nil {
			return "", nil, werr
		}
		if locked {
			return "", nil, lockedErr(now.Add(s.Throttle.LockFor), now)
		}
		if ok && u.Disabled {
			return "", nil, apperr.New(apperr.Forbidden, "user_disabled", "err.login.disabled")
		}
		return "", nil, errBadLogin()
	}
	secret := auth.NewSecret()
	p := principalOf(u)
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ClearLoginFailures(ctx, accKey); err != nil {
			return err
		}
		if err := tx.DeleteExpiredSessions(ctx, now); err != nil {
			return err
		}
		if err := tx.InsertSession(ctx, store.Session{TokenHash: auth.HashSecret(secret), UserID: u.ID, CreatedAt: now,
			ExpiresAt: now.Add(s.SessionTTL), LastSeenAt: now, IP: ip, UserAgent: truncate(userAgent, 200)}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "login", "user", strconv.FormatInt(u.ID, 10), nil, nil)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, p, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Session returns the principal of a session secret, or nil when the secret is unknown,
// expired, or its user is disabled. A forged or corrupt cookie is simply not a session.
func (s *Service) Session(ctx context.Context, secret string) (*auth.Principal, error) {
	if secret == "" || len(secret) > 128 {
		return nil, nil
	}
	hash := auth.HashSecret(secret)
	sess, u, err := s.DB.SessionUser(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if now.After(sess.ExpiresAt) || u.Disabled {
		return nil, nil
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.DB.TouchSession(ctx, hash, now, now.Add(s.SessionTTL)); err != nil {
			s.Log.WarnContext(ctx, "touch session", "err", err)
		}
	}
	return principalOf(u), nil
}

// Logout ends the session with this secret.
func (s *Service) Logout(ctx context.Context, p *auth.Principal, secret string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, auth.HashSecret(secret)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "logout", "user", strconv.FormatInt(p.ID, 10), nil, nil)
	})
}

// Bearer returns the principal of an API token, or an Unauthenticated error that says
// whether the token is unknown, revoked or expired.
func (s *Service) Bearer(ctx context.Context, token string) (*auth.Principal, error) {
	if !strings.HasPrefix(token, auth.TokenPrefix) || len(token) > 128 {
		return nil, apperr.New(apperr.Unauthenticated, "token_invalid", "err.token.invalid")
	}
	k, err := s.DB.TokenByHash(ctx, auth.HashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.New(apperr.Unauthenticated, "token_invalid", "err.token.invalid")
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if !k.RevokedAt.IsZero() {
		return nil, apperr.New(apperr.Unauthenticated, "token_revoked", "err.token.revoked")
	}
	if !k.ExpiresAt.IsZero() && now.After(k.ExpiresAt) {
		return nil, apperr.New(apperr.Unauthenticated, "token_expired", "err.token.expired")
	}
	u, err := s.DB.UserByID(ctx, k.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, apperr.New(apperr.Unauthenticated, "user_disabled", "err.login.disabled")
	}
	if err := s.DB.TouchToken(ctx, k.ID, now); err != nil {
		s.Log.WarnContext(ctx, "touch token", "err", err)
	}
	p := principalOf(u)
	p.ViaToken = true
	p.MustChange = false // a token is issued by a user who already logged in
	return p, nil
}

// TokenView is what the audit log and the API show of a token.
type TokenView struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Name      string    `json:"name"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// TokenViewOf returns the public view of k.
func TokenViewOf(k store.Token) TokenView {
	return TokenView{ID: k.ID, Username: k.Username, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt.UTC(),
		ExpiresAt: utcOrZero(k.ExpiresAt), RevokedAt: utcOrZero(k.RevokedAt)}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// CreateToken issues an API token for username (the caller's own, or anyone's for an
// admin), valid for ttl (0: until revoked). The secret is returned once and never stored.
func (s *Service) CreateToken(ctx context.Context, p *auth.Principal, username, name string, ttl time.Duration) (string, TokenView, error) {
	if err := auth.Require(p, auth.ManageOwnTokens); err != nil {
		return "", TokenView{}, err
	}
	if username == "" {
		username = p.Username
	}
	username = strings.ToLower(username)
	if username != p.Username && !p.Can(auth.ManageUsers) {
		return "", TokenView{}, apperr.Forbid()
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", TokenView{}, invalid("invalid_token_name", "name", "err.token.name")
	}
	if ttl < 0 {
		return "", TokenView{}, invalid("invalid_ttl", "ttl", "err.token.ttl")
	}
	secret := auth.TokenPrefix + auth.NewSecret()
	var v TokenView
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.NotFound, "unknown_user", "err.user.unknown", username)
		} else if err != nil {
			return err
		}
		now := s.Now()
		k := store.Token{UserID: u.ID, Username: u.Username, Name: name, Prefix: secret[:10], TokenHash: auth.HashSecret(secret), CreatedAt: now}
		if ttl > 0 {
			k.ExpiresAt = now.Add(ttl)
		}
		if k.ID, err = tx.InsertToken(ctx, k); err != nil {
			return err
		}
		v = TokenViewOf(k)
		return audit.Record(ctx, tx, now, p, "token.create", "api_token", strconv.FormatInt(k.ID, 10), nil, v)
	})
	if err != nil {
		return "", TokenView{}, err
	}
	return secret, v, nil
}

// RevokeToken revokes a token: the caller's own, or anyone's for an admin.
func (s *Service) RevokeToken(ctx context.Context, p *auth.Principal, id int64) error {
	if err := auth.Require(p, auth.ManageOwnTokens); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		k, err := tx.TokenByID(ctx, id)
		// Another user's token is reported as missing, not forbidden, so ids cannot be probed.
		if errors.Is(err, store.ErrNotFound) || (err == nil && k.UserID != p.ID && !p.Can(auth.ManageUsers)) {
			return apperr.New(apperr.NotFound, "unknown_token", "err.token.unknown", id)
		} else if err != nil {
			return err
		}
		if !k.RevokedAt.IsZero() {
			return nil
		}
		before := TokenViewOf(k)
		now := s.Now()
		if err := tx.RevokeToken(ctx, id, now); err != nil {
			return err
		}
		k.RevokedAt = now
		return audit.Record(ctx, tx, now, p, "token.revoke", "api_token", strconv.FormatInt(id, 10), before, TokenViewOf(k))
	})
}

// ListTokens lists the caller's tokens, or everyone's for an admin when all is set.
func (s *Service) ListTokens(ctx context.Context, p *auth.Principal, all bool, q store.ListQuery) (store.Page[store.Token], error) {
	if err := auth.Require(p, auth.ManageOwnTokens); err != nil {
		return store.Page[store.Token]{}, err
	}
	uid := p.ID
	if all {
		if !p.Can(auth.ManageUsers) {
			return store.Page[store.Token]{}, apperr.Forbid()
		}
		uid = 0
	}
	return s.DB.ListTokens(ctx, uid, q)
}

// ParseTTL reads a token lifetime such as "90d", "12h" or "0" (never expires).
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid lifetime %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid lifetime %q: use e.g. 90d, 12h or 0", s)
	}
	return d, nil
}
