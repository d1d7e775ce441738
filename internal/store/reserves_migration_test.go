package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The reserves migration rebuilds ledger_ledgers on SQLite (to widen its kind CHECK) with
// foreign keys off. A ledger, its account and a grant written under the old schema must
// come through with their ids and references intact; the new kind must be accepted, an
// unknown kind still refused, and the UNIQUE constraint and foreign keys still enforced.
func TestReservesMigrationKeepsLedgers(t *testing.T) {
	targets := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "old.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(ctx, targets[name](t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := store.MigrateBefore(db, ctx, time.Now, "reserves"); err != nil {
				t.Fatal(err)
			}
			now := time.UnixMilli(1_700_000_000_000)
			var lid, aid int64
			err = db.Write(ctx, func(tx *store.Tx) error {
				var err error
				if _, err = tx.InsertLedger(ctx, store.Ledger{Commodity: "caf2", Kind: "export", Year: 2020, CreatedAt: now}); err != nil {
					return err
				}
				if lid, err = tx.InsertLedger(ctx, store.Ledger{Commodity: "reo_ionic", Kind: "mining", Year: 2024, CreatedAt: now}); err != nil {
					return err
				}
				aid, err = tx.InsertLedgerAccount(ctx, store.LedgerAccount{Code: "old.nation", LedgerID: lid, Name: "nation", HolderKind: "nation", CreatedAt: now})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.MigrateBefore(db, ctx, time.Now, ""); err != nil {
				t.Fatalf("migrate with a ledger in place: %v", err)
			}
			if p, err := db.Pending(ctx); err != nil || len(p) != 0 {
				t.Fatalf("pending after migrate: %v %v", p, err)
			}
			l, err := db.LedgerByKey(ctx, "reo_ionic", "mining", 2024)
			if err != nil || l.ID != lid || l.CreatedAt.UnixMilli() != now.UnixMilli() {
				t.Fatalf("ledger after migration: %+v %v (want id %d)", l, err, lid)
			}
			a, err := db.LedgerAccountByCode(ctx, "old.nation")
			if err != nil || a.ID != aid || a.LedgerID != lid {
				t.Fatalf("account after migration: %+v %v", a, err)
			}
			insert := func(kind string, year int) error {
				return db.Write(ctx, func(tx *store.Tx) error {
					_, err := tx.InsertLedger(ctx, store.Ledger{Commodity: "ox_dy2o3", Kind: kind, Year: year, CreatedAt: now})
					return err
				})
			}
			if err := insert("reserve", 2024); err != nil {
				t.Fatalf("kind reserve refused: %v", err)
			}
			if err := insert("stockpile", 2024); err == nil {
				t.Fatal("unknown kind accepted after the migration")
			}
			if err := insert("reserve", 2024); !store.IsUniqueViolation(err) {
				t.Fatalf("UNIQUE (commodity, kind, year) lost: %v", err)
			}
			err = db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.InsertLedgerAccount(ctx, store.LedgerAccount{Code: "dangling", LedgerID: 999_999, Name: "x", HolderKind: "nation", CreatedAt: now})
				return err
			})
			if err == nil {
				t.Fatal("an account of a missing ledger was accepted: foreign keys are off after the migration")
			}
		})
	}
}
