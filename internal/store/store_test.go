package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

func TestMigrationsAreRecordedAndIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		all, err := db.MigrationStatus(ctx)
		if err != nil || len(all) == 0 {
			t.Fatalf("status: %v %v", all, err)
		}
		for _, m := range all {
			if m.AppliedAt.IsZero() {
				t.Errorf("migration %d not recorded as applied", m.Version)
			}
		}
		again, err := db.Migrate(ctx, time.Now)
		if err != nil || len(again) != 0 {
			t.Fatalf("second Migrate applied %d (%v)", len(again), err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConcurrentMigrateAppliesOnce(t *testing.T) {
	u := storetest.PostgresURL(t)
	var wg sync.WaitGroup
	applied := make([]int, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, u)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			done, err := db.Migrate(ctx, time.Now)
			applied[i], errs[i] = len(done), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Fatalf("server %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	db, _ := store.Open(ctx, u)
	defer db.Close()
	all, _ := db.MigrationStatus(ctx)
	if total != len(all) {
		t.Fatalf("4 servers migrating at once applied %d migrations in all, want %d", total, len(all))
	}
}

func TestStaleSchemaIsReported(t *testing.T) {
	for name, target := range map[string]string{"sqlite": "sqlite:" + t.TempDir() + "/x.db", "postgres": storetest.PostgresURL(t)} {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.CheckSchema(ctx)
			var oe *store.OpenError
			if !errors.As(err, &oe) || oe.En == "" || oe.Zh == "" {
				t.Fatalf("CheckSchema on an empty database: %v", err)
			}
		})
	}
}

func seedUser(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	var id int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		now := time.Now()
		id, err = tx.InsertUser(ctx, store.User{Username: name, DisplayName: name, Role: "viewer", PasswordHash: "x", CreatedAt: now, UpdatedAt: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestConstraintErrorsAreRecognised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedUser(t, db, "a")
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertUser(ctx, store.User{Username: "a", DisplayName: "a", Role: "viewer", PasswordHash: "x"})
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate user name: %v is not a unique violation", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertUser(ctx, store.User{Username: "b", DisplayName: "b", Role: "enterprise", EnterpriseID: 999, PasswordHash: "x"})
			return err
		})
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("user bound to a missing enterprise: %v is not a foreign-key violation", err)
		}
		// The role checks of the schema hold even if a use case forgot them.
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertUser(ctx, store.User{Username: "c", DisplayName: "c", Role: "county", PasswordHash: "x"})
			return err
		})
		if err == nil {
			t.Fatal("a county user without a region was stored")
		}
	})
}

func TestWriteRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boom := errors.New("boom")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.InsertUser(ctx, store.User{Username: "ghost", DisplayName: "g", Role: "viewer", PasswordHash: "x"}); err != nil {
				return err
			}
			if err := tx.InsertAudit(ctx, store.AuditEntry{At: time.Now(), Actor: "t", Action: "user.create", Entity: "user", EntityID: "1"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := db.UserByUsername(ctx, "ghost"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("user written despite rollback: %v", err)
		}
		p, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if p.Total != 0 {
			t.Fatalf("audit written despite rollback: %d rows", p.Total)
		}
	})
}

func TestListSortFilterPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := range 25 {
			seedUser(t, db, fmt.Sprintf("user%02d", i))
		}
		seedUser(t, db, "odd%_name")
		p, err := db.ListUsers(ctx, store.ListQuery{Sort: "username", Desc: true, Limit: 10, Offset: 10})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 26 || len(p.Rows) != 10 || p.Rows[0].Username != "user14" || p.Rows[9].Username != "user05" {
			t.Fatalf("page 2 descending: total %d, rows %v", p.Total, names(p.Rows))
		}
		p, _ = db.ListUsers(ctx, store.ListQuery{Filter: "USER1", Limit: 100})
		if p.Total != 10 {
			t.Fatalf("case-insensitive filter USER1 matched %d, want 10 (%v)", p.Total, names(p.Rows))
		}
		// LIKE wildcards in the filter are literal characters.
		p, _ = db.ListUsers(ctx, store.ListQuery{Filter: "%_", Limit: 100})
		if p.Total != 1 || p.Rows[0].Username != "odd%_name" {
			t.Fatalf("filter %%_ matched %v", names(p.Rows))
		}
		// An unknown sort key falls back to the default order instead of reaching SQL.
		p, err = db.ListUsers(ctx, store.ListQuery{Sort: "username; DROP TABLE users", Limit: 1})
		if err != nil || p.Rows[0].Username != "odd%_name" {
			t.Fatalf("unknown sort key: %v %v", err, names(p.Rows))
		}
	})
}

func names(us []store.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Username)
	}
	return out
}

func TestLoginFailureWindowAndLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		fail := func(at time.Time) int {
			var n int
			if err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				n, err = tx.RecordLoginFailure(ctx, "user:x", at, 15*time.Minute, 3, 10*time.Minute)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		fail(t0)
		fail(t0.Add(time.Minute))
		if until, _ := db.LockedUntil(ctx, "user:x"); !until.IsZero() && until.After(t0) {
			t.Fatalf("locked after 2 of 3 failures until %v", until)
		}
		if n := fail(t0.Add(2 * time.Minute)); n != 3 {
			t.Fatalf("count %d", n)
		}
		until, _ := db.LockedUntil(ctx, "user:x")
		if !until.Equal(t0.Add(12 * time.Minute)) {
			t.Fatalf("locked until %v, want %v", until, t0.Add(12*time.Minute))
		}
		// A failure after the window starts a new count.
		if n := fail(t0.Add(time.Hour)); n != 1 {
			t.Fatalf("count after the window: %d", n)
		}
	})
}

func TestEnsureSettingAgreesAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, err := db.EnsureSetting(ctx, "k", "first")
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.EnsureSetting(ctx, "k", "second")
		if err != nil || a != "first" || b != "first" {
			t.Fatalf("got %q and %q (%v), want first twice", a, b, err)
		}
	})
}

func TestAuditFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, a := range []string{"user.create", "user.disable", "token.create"} {
				if err := tx.InsertAudit(ctx, store.AuditEntry{At: t0.Add(time.Duration(i) * 24 * time.Hour), Actor: "admin",
					Action: a, Entity: map[bool]string{true: "api_token", false: "user"}[a == "token.create"], EntityID: "7",
					Before: `{"a":1}`, After: `{"a":2}`, RequestID: "r1", IP: "10.0.0.1"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "user"}, store.ListQuery{})
		if p.Total != 2 || p.Rows[0].Action != "user.disable" {
			t.Fatalf("entity filter, newest first: %+v", p.Rows)
		}
		p, _ = db.ListAudit(ctx, store.AuditFilter{From: t0.Add(24 * time.Hour), To: t0.Add(48 * time.Hour)}, store.ListQuery{})
		if p.Total != 1 || p.Rows[0].Action != "user.disable" || p.Rows[0].Before != `{"a":1}` || p.Rows[0].IP != "10.0.0.1" {
			t.Fatalf("date filter: %+v", p.Rows)
		}
		ents, _ := db.AuditEntities(ctx)
		if len(ents) != 2 || ents[0] != "api_token" {
			t.Fatalf("entities: %v", ents)
		}
	})
}
