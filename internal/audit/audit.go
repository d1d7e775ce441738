// Package audit records every write — who, when, what, before and after — in the same
// transaction as the write, and lets admins browse and export the record.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/reqinfo"
	"zhanxin/internal/store"
)

// Record writes an audit entry for a change made by p inside tx. before and after are
// marshalled to JSON; nil means "did not exist" (create) or "no longer exists" (delete).
func Record(ctx context.Context, tx *store.Tx, now time.Time, p *auth.Principal, action, entity, entityID string, before, after any) error {
	e := store.AuditEntry{At: now, Action: action, Entity: entity, EntityID: entityID}
	if p != nil {
		e.ActorID, e.Actor = p.ID, p.Username
	} else {
		e.Actor = "anonymous"
	}
	info := reqinfo.From(ctx)
	e.RequestID, e.IP = info.ID, info.IP
	var err error
	if e.Before, err = encode(before); err != nil {
		return err
	}
	if e.After, err = encode(after); err != nil {
		return err
	}
	return tx.InsertAudit(ctx, e)
}

func encode(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// List returns audit entries for an admin.
func List(ctx context.Context, db *store.DB, p *auth.Principal, f store.AuditFilter, q store.ListQuery) (store.Page[store.AuditEntry], error) {
	if err := auth.Require(p, auth.ReadAudit); err != nil {
		return store.Page[store.AuditEntry]{}, err
	}
	return db.ListAudit(ctx, f, q)
}
