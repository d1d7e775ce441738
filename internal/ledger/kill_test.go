package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// killBatch is batch i of the crash test: self-funding, so valid in any state, with a
// reservation and a partial post, a linked pair, and every fourth batch 600 more
// transfers (large enough for the optimistic path and a longer transaction).
func killBatch(i int) []ledger.Transfer {
	id := func(j int) ledger.ID { return ledger.IDFromUint64(0xdead_0000_0000|uint64(i), uint64(j)) }
	pend := ledger.Transfer{ID: id(5), DebitAccount: ent1, CreditAccount: consumed, Amount: 100, Code: ledger.CodeReserve, Flags: ledger.Pending}
	out := []ledger.Transfer{
		{ID: id(1), DebitAccount: issue, CreditAccount: nation, Amount: 3_000, Code: ledger.CodeIssue, Ref: fmt.Sprintf("批次 %d", i)},
		{ID: id(2), DebitAccount: nation, CreditAccount: jiangxi, Amount: 2_000, Code: ledger.CodeGrant},
		{ID: id(3), DebitAccount: jiangxi, CreditAccount: ganzhou, Amount: 2_000, Code: ledger.CodeGrant},
		{ID: id(4), DebitAccount: ganzhou, CreditAccount: ent1, Amount: 1_500, Code: ledger.CodeGrant},
		pend,
		{ID: id(6), PendingID: pend.ID, Amount: 60, Flags: ledger.PostPending},
		{ID: id(7), DebitAccount: ent1, CreditAccount: consumed, Amount: 200, Code: ledger.CodeConsume},
		{ID: id(8), DebitAccount: ganzhou, CreditAccount: ent2, Amount: 50, Code: ledger.CodeGrant, Flags: ledger.Linked},
		{ID: id(9), DebitAccount: ent2, CreditAccount: consumed, Amount: 50, Code: ledger.CodeConsume},
	}
	if i%4 == 3 {
		for j := range 600 {
			out = append(out, ledger.Transfer{ID: id(100 + j), DebitAccount: ent1, CreditAccount: consumed, Amount: 1, Code: ledger.CodeConsume})
		}
	}
	return out
}

// TestLedgerChildProcess is not a test: it is the writer that TestKill9DuringBatches
// runs as a child process and kills.
func TestLedgerChildProcess(t *testing.T) {
	if os.Getenv("ZHANXIN_LEDGER_CHILD") != "1" {
		t.Skip("child process of TestKill9DuringBatches")
	}
	from, _ := strconv.Atoi(os.Getenv("ZHANXIN_LEDGER_FROM"))
	db, err := store.Open(context.Background(), os.Getenv("ZHANXIN_LEDGER_DB"))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	svc := ledger.New(db, time.Now)
	for i := from; i < from+10_000; i++ {
		if _, err := svc.CreateTransfers(context.Background(), regulator, killBatch(i)); err != nil {
			fmt.Println("batch", i, err)
			os.Exit(4)
		}
		fmt.Println("ack", i) // only after the commit returned
	}
	os.Exit(0)
}

// TestKill9DuringBatches kills the writer with SIGKILL at random points while it commits
// batches, then checks, on the reopened database, that every acknowledged batch is there
// in full, that the batch in flight is there in full or not at all, and that the books
// reconcile. The next writer retries the batch in flight: whether or not it had committed,
// that succeeds (created, or exists).
func TestKill9DuringBatches(t *testing.T) {
	if os.Getenv("ZHANXIN_LEDGER_CHILD") == "1" {
		t.Skip("inside the child")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 9))
		t.Logf("seed %d", seed)
		next := 0
		for round := range 4 {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLedgerChildProcess$")
			cmd.Env = append(os.Environ(), "ZHANXIN_LEDGER_CHILD=1", "ZHANXIN_LEDGER_DB="+db.Target(), "ZHANXIN_LEDGER_FROM="+strconv.Itoa(next))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			want := 2 + rng.IntN(12)
			last := next - 1
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line := sc.Text()
				n, ok := strings.CutPrefix(line, "ack ")
				if !ok {
					if strings.HasPrefix(line, "batch") || strings.HasPrefix(line, "open:") {
						t.Fatalf("round %d: child: %s", round, line)
					}
					continue
				}
				if last, err = strconv.Atoi(n); err != nil {
					t.Fatal(err)
				}
				if last-next+1 >= want {
					// Let the next batch get under way, then kill at a random moment in it.
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					break
				}
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			cancel()
			if last < next {
				t.Fatalf("round %d: the child acknowledged nothing", round)
			}
			// Every acknowledged batch is there in full.
			for i := next; i <= last; i++ {
				for _, x := range killBatch(i) {
					if _, err := db.LedgerTransferByID(context.Background(), x.ID[:]); err != nil {
						t.Fatalf("round %d: batch %d was acknowledged but transfer %s is missing after kill -9: %v", round, i, x.ID, err)
					}
				}
			}
			// The batch in flight: all or nothing.
			inFlight := killBatch(last + 1)
			found := 0
			for _, x := range inFlight {
				if _, err := db.LedgerTransferByID(context.Background(), x.ID[:]); err == nil {
					found++
				}
			}
			if found != 0 && found != len(inFlight) {
				t.Fatalf("round %d: batch %d is half written after kill -9: %d of %d transfers", round, last+1, found, len(inFlight))
			}
			t.Logf("round %d: batches %d–%d acknowledged; batch %d in flight was %s", round, next, last, last+1,
				map[bool]string{true: "committed", false: "not committed"}[found > 0])
			f.mustReconcile(t)
			next = last + 1 // the next child retries the batch in flight
		}
		// The last in-flight batch, retried here: created or exists, never an error.
		if _, err := f.svc.CreateTransfers(context.Background(), regulator, killBatch(next)); err != nil {
			t.Fatal(err)
		}
		f.mustReconcile(t)
	})
}
