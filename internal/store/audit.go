package store

import (
	"context"
	"database/sql"
	"time"
)

// AuditEntry is one audited write: who, when, what, and the values before and after.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorID   int64 // 0: the command line or the system
	Actor     string
	Action    string
	Entity    string
	EntityID  string
	Before    string // JSON, "" when the entity is new
	After     string // JSON, "" when the entity is removed
	RequestID string
	IP        string
}

// InsertAudit writes an audit record in the same transaction as the write it describes.
func (t *Tx) InsertAudit(ctx context.Context, e AuditEntry) error {
	_, err := t.exec(ctx, `INSERT INTO audit_log(at, actor_id, actor, action, entity, entity_id, before_json, after_json, request_id, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.At.UnixMilli(), nullInt(e.ActorID), e.Actor, e.Action, e.Entity, e.EntityID,
		nullStr(e.Before), nullStr(e.After), e.RequestID, e.IP)
	return err
}

// AuditFilter narrows the audit list beyond the free-text filter.
type AuditFilter struct {
	Actor    string
	Entity   string
	EntityID string
	Action   string
	From, To time.Time // zero: open
}

var auditList = listSpec{
	from:        "audit_log",
	columns:     "id, at, COALESCE(actor_id, 0), actor, action, entity, entity_id, COALESCE(before_json, ''), COALESCE(after_json, ''), request_id, ip",
	sorts:       map[string]string{"at": "at", "actor": "actor", "action": "action", "entity": "entity"},
	defaultSort: "at DESC",
	filterCols:  []string{"actor", "action", "entity", "entity_id"},
	tiebreak:    "id DESC",
}

func scanAudit(r interface{ Scan(...any) error }) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	err := r.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.RequestID, &e.IP)
	e.At = time.UnixMilli(at)
	return e, err
}

// ListAudit lists audit records, newest first by default.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter, q ListQuery) (Page[AuditEntry], error) {
	var conds []string
	var args []any
	add := func(c string, v any) { conds = append(conds, c); args = append(args, v) }
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Entity != "" {
		add("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = ?", f.EntityID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UnixMilli())
	}
	return list(ctx, db, auditList, q, conds, args, scanAudit)
}

// AuditEntities lists the distinct entity names in the audit log, for the filter menu.
func (db *DB) AuditEntities(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, "SELECT DISTINCT entity FROM audit_log ORDER BY entity")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Settings.

// Setting reads a setting; ok is false when it is not set.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.queryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return value, err == nil, err
}

// EnsureSetting sets key to value unless it is already set, and returns the stored value.
// Several servers starting at once agree on one value.
func (db *DB) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	err := db.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value)
		return err
	})
	if err != nil {
		return "", err
	}
	v, _, err := db.Setting(ctx, key)
	return v, err
}
