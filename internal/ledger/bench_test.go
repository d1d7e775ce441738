package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The ledger's speed goal (issue 5): ≥ 100,000 transfers/s in batches of 1,000 on SQLite
// with every invariant enforced, reported against inserting the same rows into a bare
// table (aim ≥ 0.3×); on PostgreSQL against COPY of the same rows. Run:
//
//	go test ./internal/ledger/ -run '^$' -bench . -benchtime 20x
//
// and divide the transfers/s of CreateTransfers by that of BareInsert (SQLite) or
// BareCopy (PostgreSQL) from the same run.

const benchBatch = 1000

// benchChart is a ledger with a city account and many enterprise accounts, each funded
// with far more quota than any benchmark consumes, so that every transfer passes every
// check (the checks still run: flags, ledger, existence, idempotency, overflow).
type benchChart struct {
	f     *fixture
	ents  []string
	batch int
}

func newBenchChart(b testing.TB, db *store.DB, enterprises int) *benchChart {
	f := setup(b, db)
	c := &benchChart{f: f}
	var ids []int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range enterprises {
			id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: fmt.Sprintf("基准企业%04d", i), Source: "bench", CreatedAt: f.clk.Now()})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	fund := []ledger.Transfer{
		tr(issue, nation, 1<<60, ledger.CodeIssue), tr(nation, jiangxi, 1<<59, ledger.CodeGrant), tr(jiangxi, ganzhou, 1<<58, ledger.CodeGrant),
	}
	for i, id := range ids {
		code := fmt.Sprintf("2018/ion/B%04d", i)
		if _, err := f.svc.CreateAccount(ctx, regulator, ledger.NewAccount{Code: code, LedgerID: f.ion.ID, Name: code,
			Holder: ledger.EnterpriseHolder, EnterpriseID: id, Flags: ledger.DebitsMustNotExceedCredits}); err != nil {
			b.Fatal(err)
		}
		c.ents = append(c.ents, code)
		fund = append(fund, tr(ganzhou, code, 1<<47, ledger.CodeGrant)) // up to 2,000 accounts fit in the city's 2^58
	}
	for i := 0; i < len(fund); i += ledger.MaxBatch {
		f.create(b, fund[i:min(i+ledger.MaxBatch, len(fund))]...)
	}
	return c
}

// next returns a batch of n transfers: grants from the city to enterprises and the
// enterprises' consumption, in a random but seeded mix.
func (c *benchChart) next(rng *rand.Rand, n int) []ledger.Transfer {
	c.batch++
	out := make([]ledger.Transfer, n)
	for i := range out {
		e := c.ents[rng.IntN(len(c.ents))]
		id := ledger.IDFromUint64(uint64(c.batch), uint64(i+1)) // time-ordered, like UUIDv7
		if rng.IntN(2) == 0 {
			out[i] = ledger.Transfer{ID: id, DebitAccount: ganzhou, CreditAccount: e, Amount: 1 + rng.Int64N(1_000_000), Code: ledger.CodeGrant}
		} else {
			out[i] = ledger.Transfer{ID: id, DebitAccount: e, CreditAccount: consumed, Amount: 1 + rng.Int64N(100_000), Code: ledger.CodeConsume}
		}
	}
	return out
}

// bareRows is the same batch as the rows a bare table gets: same columns, same widths.
func bareRows(ts []ledger.Transfer, seq int64) []store.LedgerTransfer {
	rows := make([]store.LedgerTransfer, len(ts))
	for i, t := range ts {
		id := t.ID
		rows[i] = store.LedgerTransfer{Seq: seq + int64(i), ID: id[:], LedgerID: 1, DebitAccountID: int64(3 + i%50), CreditAccountID: int64(60 + i%50),
			Amount: t.Amount, Code: int64(t.Code), Flags: 0, TS: 1_520_000_000_000 + int64(i), Ref: t.Ref}
	}
	return rows
}

func eachDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// benchAccounts is how many enterprise accounts the batches spread over
// (ZHANXIN_BENCH_ACCOUNTS, default 200). Each batch touches nearly all of them, and every
// touched account costs a balance update and a history row per batch.
func benchAccounts() int {
	if v, err := strconv.Atoi(os.Getenv("ZHANXIN_BENCH_ACCOUNTS")); err == nil && v > 0 {
		return v
	}
	return 200
}

func BenchmarkCreateTransfers(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		c := newBenchChart(b, db, benchAccounts())
		rng := rand.New(rand.NewPCG(1, 2))
		batches := make([][]ledger.Transfer, b.N)
		for i := range batches {
			batches[i] = c.next(rng, benchBatch)
		}
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			c.f.clk.Advance(time.Millisecond)
			if _, err := c.f.svc.CreateTransfers(ctx, regulator, batches[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "transfers/s")
		b.StopTimer()
		c.f.mustReconcile(b)
	})
}

// BenchmarkBareInsert is the SQLite ceiling: the same rows, one transaction per 1,000, the
// same multi-row INSERT statements, into a table with no index, key or check.
func BenchmarkBareInsert(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		benchBare(b, db, db.InsertBareLedgerRows)
	})
}

// BenchmarkBareCopy is the PostgreSQL ceiling: the same rows loaded by COPY.
func BenchmarkBareCopy(b *testing.B) {
	b.Run("postgres", func(b *testing.B) {
		db := storetest.Postgres(b)
		benchBare(b, db, db.CopyBareLedgerRows)
	})
}

func benchBare(b *testing.B, db *store.DB, load func(context.Context, []store.LedgerTransfer) error) {
	if err := db.CreateBareLedgerTable(ctx); err != nil {
		b.Fatal(err)
	}
	c := &benchChart{ents: []string{"x"}}
	rng := rand.New(rand.NewPCG(1, 2))
	batches := make([][]store.LedgerTransfer, b.N)
	for i := range batches {
		batches[i] = bareRows(c.next(rng, benchBatch), int64(i*benchBatch+1))
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := load(ctx, batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "transfers/s")
}

// BenchmarkBalanceAt reads the balance of a random account at a random instant with
// ZHANXIN_BENCH_TRANSFERS transfers stored (default 200,000; 10^7 with
// ZHANXIN_BENCH_FULL=1). The goal is ≤ 5 ms at 10^7. The history is written through
// CreateTransfers itself, in full batches over 1,000 enterprise accounts, spread over a
// year, once per database: the testing package calls a benchmark body several times (N=1
// first), so the database belongs to the parent benchmark, whose one run spans them all.
func BenchmarkBalanceAt(b *testing.B) {
	n := 200_000
	if os.Getenv("ZHANXIN_BENCH_FULL") == "1" {
		n = 10_000_000
	}
	if v, err := strconv.Atoi(os.Getenv("ZHANXIN_BENCH_TRANSFERS")); err == nil && v > 0 {
		n = v
	}
	parent := b
	for _, dialect := range []string{"sqlite", "postgres"} {
		var c *benchChart
		var start time.Time
		var span time.Duration
		var codes []string
		b.Run(dialect, func(b *testing.B) {
			if c == nil {
				var db *store.DB
				if dialect == "sqlite" {
					db = storetest.SQLite(parent)
				} else {
					if os.Getenv(storetest.EnvPostgres) == "" {
						b.Skipf("%s is not set", storetest.EnvPostgres)
					}
					db = storetest.Postgres(parent)
				}
				c = newBenchChart(b, db, 1000)
				rng := rand.New(rand.NewPCG(3, 4))
				start = c.f.clk.Now()
				batches := (n + ledger.MaxBatch - 1) / ledger.MaxBatch
				step := 365 * 24 * time.Hour / time.Duration(batches)
				t0 := time.Now()
				for i := 0; i < n; i += ledger.MaxBatch {
					c.f.clk.Advance(step)
					if _, err := c.f.svc.CreateTransfers(ctx, regulator, c.next(rng, min(ledger.MaxBatch, n-i))); err != nil {
						b.Fatal(err)
					}
				}
				b.Logf("%s: %d transfers written through CreateTransfers in %s (%.0f/s)", dialect, n,
					time.Since(t0).Round(time.Millisecond), float64(n)/time.Since(t0).Seconds())
				span = c.f.clk.Now().Sub(start)
				codes = append([]string{ganzhou, consumed}, c.ents...)
			}
			rng := rand.New(rand.NewPCG(7, uint64(b.N)))
			b.ResetTimer()
			for range b.N {
				at := start.Add(time.Duration(rng.Int64N(int64(span))))
				if _, err := c.f.svc.BalanceAt(ctx, regulator, codes[rng.IntN(len(codes))], at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRatio alternates one ledger batch and one ceiling batch of the same size —
// BareInsert's prepared INSERTs on SQLite, COPY on PostgreSQL — timing each separately, so
// that the reported ratio compares the two under the same load at the same moments (on a
// shared machine, separately run benchmarks drift apart).
func BenchmarkRatio(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		c := newBenchChart(b, db, benchAccounts())
		if err := db.CreateBareLedgerTable(ctx); err != nil {
			b.Fatal(err)
		}
		ceiling := db.InsertBareLedgerRows
		if db.Dialect == store.Postgres {
			ceiling = db.CopyBareLedgerRows
		}
		rng := rand.New(rand.NewPCG(5, 6))
		batches := make([][]ledger.Transfer, b.N)
		bare := make([][]store.LedgerTransfer, b.N)
		for i := range batches {
			batches[i] = c.next(rng, benchBatch)
			bare[i] = bareRows(batches[i], int64(i*benchBatch+1))
		}
		var tl, tc time.Duration
		b.ResetTimer()
		for i := range b.N {
			c.f.clk.Advance(time.Millisecond)
			t0 := time.Now()
			if _, err := c.f.svc.CreateTransfers(ctx, regulator, batches[i]); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := ceiling(ctx, bare[i]); err != nil {
				b.Fatal(err)
			}
			tl, tc = tl+t1.Sub(t0), tc+time.Since(t1)
		}
		n := float64(b.N * benchBatch)
		b.ReportMetric(n/tl.Seconds(), "ledger/s")
		b.ReportMetric(n/tc.Seconds(), "ceiling/s")
		b.ReportMetric(tc.Seconds()/tl.Seconds(), "ratio")
		b.StopTimer()
		c.f.mustReconcile(b)
	})
}
