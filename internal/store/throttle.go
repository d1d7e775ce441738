package store

import (
	"context"
	"time"
)

// Login throttling lives in the database so that every server sharing it sees the same
// count: an attacker cannot multiply attempts by spreading them over servers.

// LockedUntil returns when a throttle key (an account or an address) is locked until.
func (db *DB) LockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until int64
	err := db.queryRow(ctx, "SELECT locked_until FROM login_failures WHERE key = ?", key).Scan(&until)
	if err := notFound(err); err == ErrNotFound {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(until), nil
}

// RecordLoginFailure counts a failure for key within a window; when the count reaches max
// the key is locked for lock. It returns the failures counted in the current window.
func (t *Tx) RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration, maxFailures int, lock time.Duration) (int, error) {
	var n int
	var start int64
	err := notFound(t.queryRow(ctx, "SELECT failures, window_start FROM login_failures WHERE key = ?", key).Scan(&n, &start))
	switch {
	case err == ErrNotFound:
		n, start = 0, now.UnixMilli()
		if _, err := t.exec(ctx, "INSERT INTO login_failures(key, failures, window_start, locked_until) VALUES (?, 0, ?, 0)", key, start); err != nil {
			return 0, err
		}
	case err != nil:
		return 0, err
	case now.Sub(time.UnixMilli(start)) > window:
		n, start = 0, now.UnixMilli()
	}
	n++
	var until int64
	if n >= maxFailures {
		until = now.Add(lock).UnixMilli()
	}
	_, err = t.exec(ctx, "UPDATE login_failures SET failures = ?, window_start = ?, locked_until = ? WHERE key = ?", n, start, until, key)
	return n, err
}

// ClearLoginFailures forgets the failures of key after a successful login.
func (t *Tx) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := t.exec(ctx, "DELETE FROM login_failures WHERE key = ?", key)
	return err
}
