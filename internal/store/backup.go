package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
)

// BackupSQLite writes a consistent copy of a live SQLite database to path with VACUUM INTO,
// which reads one snapshot while writers carry on (WAL), and checks the copy's integrity.
func (db *DB) BackupSQLite(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return fmt.Errorf("BackupSQLite on %s", db.Dialect)
	}
	// A connection of its own: the read pool is query_only (VACUUM INTO counts as a write
	// there) and the single writer must stay free for the server.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db.path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("备份失败 / backup failed: %w", err)
	}
	cp, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		return err
	}
	defer cp.Close()
	var ok string
	if err := cp.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("备份文件完整性检查失败 / the backup failed its integrity check: %v %s", err, ok)
	}
	return nil
}

// PgDumpCommand is the documented way to back up a PostgreSQL database.
func (db *DB) PgDumpCommand() string {
	u, err := url.Parse(db.target)
	if err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.User(u.User.Username()) // the password goes in PGPASSWORD or ~/.pgpass, not on a command line
		}
	}
	target := db.target
	if err == nil {
		target = u.String()
	}
	return fmt.Sprintf("pg_dump --format=custom --file=zhanxin.dump '%s'", target)
}
