package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered SQL file of a dialect.
type Migration struct {
	Version   int
	Name      string
	sql       string
	AppliedAt time.Time // zero while pending
}

func (d Dialect) migrations() ([]Migration, error) {
	dir := "migrations/" + d.String()
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration file %s/%s: name must be NNNN_name.sql", dir, name)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations of %s are not numbered 1, 2, 3, …: found %d at position %d", d, m.Version, i+1)
		}
	}
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// MigrationStatus lists every migration of this build with when it was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	all, err := db.Dialect.migrations()
	if err != nil {
		return nil, err
	}
	applied := map[int]int64{}
	rows, err := db.query(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		if isMissingTable(err) {
			return all, nil
		}
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		applied[v] = at
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range all {
		if at, ok := applied[all[i].Version]; ok {
			all[i].AppliedAt = time.UnixMilli(at).UTC()
		}
	}
	for v := range applied {
		if v > len(all) {
			return nil, &OpenError{
				Zh: fmt.Sprintf("数据库的结构版本 %d 比本程序（最高 %d）更新：请升级 zhanxin", v, len(all)),
				En: fmt.Sprintf("the database schema (version %d) is newer than this build knows (up to %d): upgrade zhanxin", v, len(all)),
			}
		}
	}
	return all, nil
}

func isMissingTable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "does not exist")
}

// Pending returns the migrations not yet applied.
func (db *DB) Pending(ctx context.Context) ([]Migration, error) {
	all, err := db.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	var p []Migration
	for _, m := range all {
		if m.AppliedAt.IsZero() {
			p = append(p, m)
		}
	}
	return p, nil
}

// CheckSchema refuses an out-of-date schema with a message that says what to run.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.Pending(ctx)
	if err != nil {
		return err
	}
	if len(p) > 0 {
		return &OpenError{
			Zh: fmt.Sprintf("数据库结构不是最新（还有 %d 个迁移未执行）：请先运行 zhanxin migrate up --db %s", len(p), db.Target()),
			En: fmt.Sprintf("the database schema is out of date (%d migrations pending): run zhanxin migrate up --db %s", len(p), db.Target()),
		}
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction together with its
// record in schema_migrations, and returns the ones it applied. On PostgreSQL an advisory
// lock keeps two servers starting at once from applying the same migration twice.
func (db *DB) Migrate(ctx context.Context, now func() time.Time) ([]Migration, error) {
	return db.migrate(ctx, now, "")
}

// migrate applies the pending migrations in order, stopping before the one named stop
// ("" for none): tests use it to put rows in an older schema and migrate them.
func (db *DB) migrate(ctx context.Context, now func() time.Time, stop string) ([]Migration, error) {
	// Even CREATE TABLE IF NOT EXISTS races on PostgreSQL (two servers both pass the "not
	// exists" check), so it takes the same lock as the migrations.
	if err := db.Write(ctx, func(tx *Tx) error {
		if err := tx.migrationLock(ctx); err != nil {
			return err
		}
		_, err := tx.exec(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	all, err := db.Dialect.migrations()
	if err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range all {
		if m.Name == stop {
			break
		}
		applied := false
		write := db.Write
		if db.Dialect == SQLite && strings.HasPrefix(m.sql, foreignKeysOff) {
			write = db.writeForeignKeysOff
		}
		err := write(ctx, func(tx *Tx) error {
			if err := tx.migrationLock(ctx); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %04d_%s (%s): %w", m.Version, m.Name, db.Dialect, err)
			}
			if _, err := tx.exec(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, now().UnixMilli()); err != nil {
				return err
			}
			applied = true
			return nil
		})
		if err != nil {
			return done, err
		}
		if applied {
			m.AppliedAt = now().UTC()
			done = append(done, m)
		}
	}
	return done, nil
}

// migrationLock serialises migrating servers on PostgreSQL until the transaction ends.
// SQLite needs nothing: its write transactions are already exclusive.
func (t *Tx) migrationLock(ctx context.Context) error {
	if t.d != Postgres {
		return nil
	}
	_, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(7316001)")
	return err
}

// foreignKeysOff as a migration's first line asks for SQLite's table-rebuild procedure
// (https://www.sqlite.org/lang_altertable.html#otheralter): a table that others reference
// can be dropped and recreated only with foreign keys off, and PRAGMA foreign_keys is
// ignored inside a transaction, so it is set on the writer connection around it.
const foreignKeysOff = "-- zhanxin:foreign-keys-off\n"

// writeForeignKeysOff runs fn in a write transaction on the writer connection with foreign
// keys off, checks every foreign key before committing (step 10 of the procedure: a
// rebuild that broke a reference rolls back), and turns them on again.
func (db *DB) writeForeignKeysOff(ctx context.Context, fn func(*Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &Tx{tx: tx, d: db.Dialect}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		tx.Rollback()
		return err
	}
	var broken []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			rows.Close()
			tx.Rollback()
			return err
		}
		broken = append(broken, fmt.Sprintf("%s row %d → %s", table, rowid.Int64, parent))
	}
	rows.Close()
	if len(broken) > 0 {
		tx.Rollback()
		return fmt.Errorf("foreign keys broken by the migration: %s", strings.Join(broken, "; "))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
