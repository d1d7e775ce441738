package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Internal tests of the ledger's storage: the seq-list encoding and the paths that split
// large batches into several statements, which the ledger's own tests reach only with
// unusually large batches.

func TestLedgerSeqListEncoding(t *testing.T) {
	for _, seqs := range [][]int64{{1}, {5, 6, 7}, {1, 1_000_000, 1<<62 + 3}, {16384, 16385, 32768}} {
		got, ok := decodeSeqs(encodeSeqs(seqs))
		if !ok || !slices.Equal(got, seqs) {
			t.Errorf("%v → %v %v", seqs, got, ok)
		}
	}
	if b := encodeSeqs([]int64{100, 101, 102, 103}); len(b) != 4 {
		t.Errorf("consecutive seqs take %d bytes, want 4", len(b))
	}
	for _, bad := range [][]byte{nil, {0x80}, {5, 0}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}} {
		if _, ok := decodeSeqs(bad); ok {
			t.Errorf("%x decoded", bad)
		}
	}
}

func eachLedgerDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx, time.Now); err != nil {
			t.Fatal(err)
		}
		fn(t, db)
	})
	// PostgreSQL: the ledger package's tests run every one of these paths on both engines
	// through storetest (which this internal test cannot import without a cycle).
}

func TestLedgerLargeBatchPaths(t *testing.T) {
	ctx := context.Background()
	eachLedgerDB(t, func(t *testing.T, db *DB) {
		var codes []string
		var ids []int64
		err := db.Write(ctx, func(tx *Tx) error {
			lid, err := tx.InsertLedger(ctx, Ledger{Commodity: "reo", Kind: "mining", Year: 2020, CreatedAt: time.Now()})
			if err != nil {
				return err
			}
			for i := range 2500 {
				code := fmt.Sprintf("A%04d", i)
				id, err := tx.InsertLedgerAccount(ctx, LedgerAccount{Code: code, LedgerID: lid, Name: code, HolderKind: "nation", CreatedAt: time.Now()})
				if err != nil {
					return err
				}
				codes, ids = append(codes, code), append(ids, id)
			}
			// More than one statement's worth of codes and ids, out of order, with overlap
			// and unknown codes: every account once, in id order.
			q := append(slices.Clone(codes[1200:]), "nobody")
			slices.Reverse(q)
			got, err := tx.LockLedgerAccounts(ctx, q, append(slices.Clone(ids[:1300]), 999_999))
			if err != nil {
				return err
			}
			if len(got) != 2500 {
				return fmt.Errorf("locked %d accounts, want 2500", len(got))
			}
			for i := 1; i < len(got); i++ {
				if got[i].ID <= got[i-1].ID {
					return fmt.Errorf("not in id order at %d", i)
				}
			}
			// 3,000 rows: several insert statements; then found again by id, 2,500 at once.
			seqs, err := tx.ReserveLedgerSeqs(ctx, 3000)
			if err != nil {
				return err
			}
			rows := make([]LedgerTransfer, 3000)
			var keys [][]byte
			for i := range rows {
				id := make([]byte, 16)
				id[14], id[15] = byte(i>>8), byte(i)
				rows[i] = LedgerTransfer{Seq: seqs[i], ID: id, LedgerID: lid, DebitAccountID: ids[i%2500], CreditAccountID: ids[(i+1)%2500],
					Amount: 1, Code: 2, TS: 1}
				if i < 2500 {
					keys = append(keys, id)
				}
			}
			if err := tx.InsertLedgerTransfers(ctx, rows); err != nil {
				return err
			}
			found, err := tx.LedgerTransfersByID(ctx, keys)
			if err != nil {
				return err
			}
			if len(found) != 2500 {
				return fmt.Errorf("found %d of 2500 transfers", len(found))
			}
			if _, err := tx.ReserveLedgerSeqs(ctx, LedgerSeqBlock+1); err == nil {
				return fmt.Errorf("a seq reservation larger than a block was granted")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
