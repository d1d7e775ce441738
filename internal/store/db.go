// Package store holds all SQL of zhanxin, for both SQLite (the embedded default) and
// PostgreSQL (for scale). Queries are written once with '?' placeholders; the few
// differences between the dialects live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DB is an open zhanxin database. SQLite gets one writer connection beside a read pool
// (SQLite allows one writer at a time; a single connection serialises writes in Go instead
// of spinning on SQLITE_BUSY). PostgreSQL uses one pool for both.
type DB struct {
	Dialect Dialect
	read    *sql.DB
	write   *sql.DB
	target  string // what the user passed, for messages and backup
	path    string // SQLite file path
}

// OpenError says in one line what is wrong with --db and how to fix it.
type OpenError struct {
	Zh, En string
	Err    error
}

func (e *OpenError) Error() string { return e.En + " / " + e.Zh }
func (e *OpenError) Unwrap() error { return e.Err }

func openErr(err error, zh, en string, args ...any) *OpenError {
	return &OpenError{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...), Err: err}
}

// Open opens target, which is "sqlite:PATH" or a postgres:// URL, and checks that it can be
// read and written. It does not migrate.
func Open(ctx context.Context, target string) (*DB, error) {
	switch {
	case strings.HasPrefix(target, "sqlite:"):
		return openSQLite(ctx, target, strings.TrimPrefix(target, "sqlite:"))
	case strings.HasPrefix(target, "postgres://"), strings.HasPrefix(target, "postgresql://"):
		return openPostgres(ctx, target)
	default:
		return nil, openErr(nil,
			"--db %q 无法识别：应为 sqlite:文件路径 或 postgres://用户@主机:端口/库名",
			"--db %q is not understood: use sqlite:PATH or postgres://USER@HOST:PORT/DBNAME", target)
	}
}

func openSQLite(ctx context.Context, target, path string) (*DB, error) {
	if path == "" {
		return nil, openErr(nil, "--db %q 缺少文件路径，例如 sqlite:./zhanxin.db",
			"--db %q has no file path; use e.g. sqlite:./zhanxin.db", target)
	}
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, openErr(err, "SQLite 数据库目录 %q 不存在，请先创建该目录",
				"SQLite database directory %q does not exist; create it first", dir)
		}
	}
	// _txlock=immediate takes the write lock at BEGIN, so a transaction never fails half-way
	// on a lock upgrade; the busy timeout lets concurrent processes wait instead of failing.
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, openErr(err, "无法打开 SQLite 文件 %q：%v", "cannot open SQLite file %q: %v", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, openErr(err, "无法打开 SQLite 文件 %q：%v", "cannot open SQLite file %q: %v", path, err)
	}
	r.SetMaxOpenConns(8)
	db := &DB{Dialect: SQLite, read: r, write: w, target: target, path: path}
	if err := db.probeSQLite(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// probeSQLite proves at start-up that the file is a database we can write, so a read-only
// or locked file is reported in one line now instead of as a failed write later.
func (db *DB) probeSQLite(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tx, err := db.write.BeginTx(ctx, nil)
	if err == nil {
		_, err = tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS zhanxin_probe(x INTEGER); DROP TABLE zhanxin_probe")
		tx.Rollback()
	}
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "readonly") || strings.Contains(msg, "read-only") || strings.Contains(msg, "unable to open"):
		return openErr(err, "SQLite 文件 %q 只读或无法写入：请检查文件及其目录的写权限",
			"SQLite file %q is read-only or cannot be written: check write permission on the file and its directory", db.path)
	case strings.Contains(msg, "locked") || strings.Contains(msg, "busy"):
		return openErr(err, "SQLite 文件 %q 被另一个进程锁定：请停止该进程或稍后重试",
			"SQLite file %q is locked by another process: stop that process or try again later", db.path)
	case strings.Contains(msg, "not a database") || strings.Contains(msg, "malformed"):
		return openErr(err, "%q 不是有效的 SQLite 数据库文件：请检查路径，或从备份恢复",
			"%q is not a valid SQLite database: check the path or restore from a backup", db.path)
	default:
		return openErr(err, "无法使用 SQLite 文件 %q：%v", "cannot use SQLite file %q: %v", db.path, err)
	}
}

func openPostgres(ctx context.Context, target string) (*DB, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return nil, openErr(err, "PostgreSQL 地址 %q 格式错误：应为 postgres://用户@主机:端口/库名",
			"PostgreSQL URL %q is malformed: use postgres://USER@HOST:PORT/DBNAME", redact(target))
	}
	p, err := sql.Open("pgx", target)
	if err != nil {
		return nil, openErr(err, "PostgreSQL 地址 %q 无效：%v", "PostgreSQL URL %q is invalid: %v", redact(target), err)
	}
	p.SetMaxOpenConns(20)
	p.SetMaxIdleConns(10)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, openErr(err, "无法连接 PostgreSQL %s：%v；请确认服务已启动、地址和端口正确",
			"cannot reach PostgreSQL at %s: %v; check that the server is running and the host and port are right",
			u.Host, shortCause(err))
	}
	return &DB{Dialect: Postgres, read: p, write: p, target: target}, nil
}

func shortCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i < 120 {
		return s[i+2:]
	}
	return s
}

// redact hides a password in a URL before it is printed.
func redact(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		return target
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Target is the --db value this database was opened with, password hidden.
func (db *DB) Target() string { return redact(db.target) }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Querier is what read helpers need: the read pool or a write transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Tx is a write transaction. All writes go through DB.Write so that the data and its audit
// record commit together or not at all.
type Tx struct {
	tx *sql.Tx
	d  Dialect
}

// Write runs fn in one write transaction, committing if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{tx: tx, d: db.Dialect}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.rebind(q), args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.rebind(q), args...)
}

// insertID runs an INSERT … RETURNING id.
func (t *Tx) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.Dialect.rebind(q), args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.Dialect.rebind(q), args...)
}

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("not found")

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
