// Package storetest gives each test a fresh, migrated database on SQLite and on PostgreSQL.
// PostgreSQL comes from ZHANXIN_TEST_POSTGRES; each test gets its own schema, dropped after.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "ZHANXIN_TEST_POSTGRES"

var warnOnce sync.Once

// Each runs fn as two subtests, "sqlite" and "postgres", each with a fresh migrated DB.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh migrated SQLite database in the test's temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
}

// Postgres returns a fresh migrated PostgreSQL database (a new schema), or skips the test
// loudly when ZHANXIN_TEST_POSTGRES is unset.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	u := PostgresURL(t)
	return open(t, u)
}

// PostgresURL creates a fresh schema and returns a URL whose connections use it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		warnOnce.Do(func() {
			fmt.Fprintf(os.Stderr, "\n*** %s is not set: the PostgreSQL half of the store tests is SKIPPED ***\n"+
				"*** set it, e.g. %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable ***\n\n", EnvPostgres, EnvPostgres)
		})
		t.Skipf("PostgreSQL tests skipped: %s is not set", EnvPostgres)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := pu.Query()
	q.Set("search_path", schema) // pgx passes unknown parameters to the server as settings
	pu.RawQuery = q.Encode()
	return pu.String()
}

func open(t testing.TB, target string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, target)
	if err != nil {
		t.Fatalf("open %s: %v", target, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, time.Now); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
