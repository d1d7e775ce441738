package store

import (
	"context"
	"database/sql"
	"time"
)

// User is a row of users.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         string
	RegionCode   string
	EnterpriseID int64
	PasswordHash string
	MustChange   bool
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

const userColumns = `id, username, display_name, role, COALESCE(region_code, ''), COALESCE(enterprise_id, 0),
	password_hash, must_change_password, disabled, created_at, updated_at`

func scanUser(r interface{ Scan(...any) error }) (User, error) {
	var u User
	var must, dis int
	var c, up int64
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.RegionCode, &u.EnterpriseID,
		&u.PasswordHash, &must, &dis, &c, &up)
	u.MustChange, u.Disabled = must != 0, dis != 0
	u.CreatedAt, u.UpdatedAt = time.UnixMilli(c), time.UnixMilli(up)
	return u, err
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(i int64) any {
	if i == 0 {
		return nil
	}
	return i
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// InsertUser adds u and returns its id.
func (t *Tx) InsertUser(ctx context.Context, u User) (int64, error) {
	return t.insertID(ctx, `INSERT INTO users(username, display_name, role, region_code, enterprise_id, password_hash,
		must_change_password, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.DisplayName, u.Role, nullStr(u.RegionCode), nullInt(u.EnterpriseID), u.PasswordHash,
		b2i(u.MustChange), b2i(u.Disabled), u.CreatedAt.UnixMilli(), u.UpdatedAt.UnixMilli())
}

// UpdateUser writes every mutable column of u.
func (t *Tx) UpdateUser(ctx context.Context, u User) error {
	_, err := t.exec(ctx, `UPDATE users SET display_name = ?, role = ?, region_code = ?, enterprise_id = ?,
		password_hash = ?, must_change_password = ?, disabled = ?, updated_at = ? WHERE id = ?`,
		u.DisplayName, u.Role, nullStr(u.RegionCode), nullInt(u.EnterpriseID), u.PasswordHash,
		b2i(u.MustChange), b2i(u.Disabled), u.UpdatedAt.UnixMilli(), u.ID)
	return err
}

// UserByID reads a user inside a write transaction (to compare before and after).
func (t *Tx) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(t.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	return u, notFound(err)
}

// UserByUsername reads a user inside a write transaction.
func (t *Tx) UserByUsername(ctx context.Context, name string) (User, error) {
	u, err := scanUser(t.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", name))
	return u, notFound(err)
}

// UserByUsername reads a user by name.
func (db *DB) UserByUsername(ctx context.Context, name string) (User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", name))
	return u, notFound(err)
}

// UserByID reads a user by id.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	return u, notFound(err)
}

// CountUsers counts all users (an empty database gets a first admin).
func (t *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

var userList = listSpec{
	from:    "users",
	columns: userColumns,
	sorts: map[string]string{"username": "username", "display_name": "display_name", "role": "role",
		"region": "region_code", "created": "created_at"},
	defaultSort: "username",
	filterCols:  []string{"username", "display_name", "role"},
	tiebreak:    "id",
}

// ListUsers lists users.
func (db *DB) ListUsers(ctx context.Context, q ListQuery) (Page[User], error) {
	return list(ctx, db, userList, q, nil, nil, scanUser)
}

// Sessions.

// Session is a logged-in browser.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	IP         string
	UserAgent  string
}

// InsertSession stores a new session.
func (t *Tx) InsertSession(ctx context.Context, s Session) error {
	_, err := t.exec(ctx, `INSERT INTO sessions(token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.CreatedAt.UnixMilli(), s.ExpiresAt.UnixMilli(),
		s.LastSeenAt.UnixMilli(), s.IP, s.UserAgent)
	return err
}

// SessionUser returns the session and its user for a token hash, if it exists.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (Session, User, error) {
	var s Session
	var c, e, l int64
	row := db.queryRow(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, s.last_seen_at, s.ip, s.user_agent
		FROM sessions s WHERE s.token_hash = ?`, tokenHash)
	if err := row.Scan(&s.TokenHash, &s.UserID, &c, &e, &l, &s.IP, &s.UserAgent); err != nil {
		return s, User{}, notFound(err)
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = time.UnixMilli(c), time.UnixMilli(e), time.UnixMilli(l)
	u, err := db.UserByID(ctx, s.UserID)
	return s, u, err
}

// TouchSession slides a session's expiry; it is bookkeeping, not audited.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, seen, expires time.Time) error {
	return db.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?",
			seen.UnixMilli(), expires.UnixMilli(), tokenHash)
		return err
	})
}

// DeleteSession ends one session.
func (t *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := t.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
	return err
}

// DeleteUserSessions ends every session of a user (on password change or disabling).
func (t *Tx) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (t *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	_, err := t.exec(ctx, "DELETE FROM sessions WHERE expires_at < ?", now.UnixMilli())
	return err
}

// API tokens.

// Token is an API token (its secret is never stored, only its hash).
type Token struct {
	ID         int64
	UserID     int64
	Username   string
	Name       string
	Prefix     string
	TokenHash  string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: active
	LastUsedAt time.Time
}

func msOrZero(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

const tokenColumns = `t.id, t.user_id, u.username, t.name, t.prefix, t.token_hash, t.created_at, t.expires_at, t.revoked_at, t.last_used_at`

func scanToken(r interface{ Scan(...any) error }) (Token, error) {
	var k Token
	var c int64
	var e, rv, l sql.NullInt64
	err := r.Scan(&k.ID, &k.UserID, &k.Username, &k.Name, &k.Prefix, &k.TokenHash, &c, &e, &rv, &l)
	k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt = time.UnixMilli(c), msOrZero(e), msOrZero(rv), msOrZero(l)
	return k, err
}

// InsertToken stores a new API token.
func (t *Tx) InsertToken(ctx context.Context, k Token) (int64, error) {
	return t.insertID(ctx, `INSERT INTO api_tokens(user_id, name, prefix, token_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, k.UserID, k.Name, k.Prefix, k.TokenHash, k.CreatedAt.UnixMilli(), nullTime(k.ExpiresAt))
}

// TokenByID reads a token inside a write transaction.
func (t *Tx) TokenByID(ctx context.Context, id int64) (Token, error) {
	k, err := scanToken(t.queryRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?", id))
	return k, notFound(err)
}

// RevokeToken marks a token revoked.
func (t *Tx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at.UnixMilli(), id)
	return err
}

// TokenByHash finds a token by the hash of its secret.
func (db *DB) TokenByHash(ctx context.Context, hash string) (Token, error) {
	k, err := scanToken(db.queryRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?", hash))
	return k, notFound(err)
}

// TouchToken records when a token was last used, at most once a minute per token.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return db.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
			at.UnixMilli(), id, at.Add(-time.Minute).UnixMilli())
		return err
	})
}

var tokenList = listSpec{
	from:        "api_tokens t JOIN users u ON u.id = t.user_id",
	columns:     tokenColumns,
	sorts:       map[string]string{"name": "t.name", "created": "t.created_at", "user": "u.username", "expires": "t.expires_at"},
	defaultSort: "t.created_at DESC",
	filterCols:  []string{"t.name", "u.username", "t.prefix"},
	tiebreak:    "t.id",
}

// ListTokens lists tokens, of one user when userID is not 0.
func (db *DB) ListTokens(ctx context.Context, userID int64, q ListQuery) (Page[Token], error) {
	var conds []string
	var args []any
	if userID != 0 {
		conds, args = []string{"t.user_id = ?"}, []any{userID}
	}
	return list(ctx, db, tokenList, q, conds, args, scanToken)
}
