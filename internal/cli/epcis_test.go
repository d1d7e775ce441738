package cli_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

func epcisEvents(n, seed int) string {
	var evs []string
	for i := 0; i < n; i++ {
		evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-05-01T08:%02d:%02d.%03d+08:00","eventTimeZoneOffset":"+08:00",`+
			`"action":"OBSERVE","bizStep":"shipping","readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0"},`+
			`"quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.000001.L%d","quantity":%d,"uom":"KGM"}]}`,
			i%60, seed%60, seed%1000, seed, i+1))
	}
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument",` +
		`"schemaVersion":"2.0","creationDate":"2026-05-01T08:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(evs, ",") + `]}}`
}

// rawDB opens the database behind the platform's back, as an intruder with database access
// would.
func rawDB(t *testing.T, target string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", target
	if path, ok := strings.CutPrefix(target, "sqlite:"); ok {
		driver, dsn = "sqlite", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestVerifyCatchesTampering captures events, checks that verify passes, then edits,
// removes or reorders event rows directly in the database and checks that verify fails
// loudly, naming the problem.
func TestVerifyCatchesTampering(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"edited document", "UPDATE epcis_events SET doc = REPLACE(doc, '\"quantity\":3', '\"quantity\":30') WHERE log_index = 2", "root recomputed"},
		{"edited record time", "UPDATE epcis_events SET record_time = record_time + 1 WHERE log_index = 4", "root recomputed"},
		{"removed event", "DELETE FROM epcis_events WHERE log_index = 5", "expected, found 6"},
		{"reordered events", "UPDATE epcis_events SET log_index = -1 WHERE log_index = 1; UPDATE epcis_events SET log_index = 1 WHERE log_index = 3; UPDATE epcis_events SET log_index = 3 WHERE log_index = -1", "root recomputed"},
		{"edited stored hash", "UPDATE epcis_log_hashes SET hash = (SELECT hash FROM epcis_log_hashes WHERE idx = 0) WHERE idx = 1", "stored tree hash 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachTarget(t, func(t *testing.T, target string) {
				if code, _, e := run(t, "", nil, "migrate", "up", "--db", target); code != 0 {
					t.Fatal(e)
				}
				ctx := context.Background()
				db, err := store.Open(ctx, target)
				if err != nil {
					t.Fatal(err)
				}
				svc, err := trace.New(ctx, db, time.Now)
				if err != nil {
					t.Fatal(err)
				}
				for k := 0; k < 3; k++ {
					if _, err := svc.Capture(ctx, auth.CLI("test"), trace.CaptureRequest{Body: []byte(epcisEvents(3, k)), Binding: trace.JSON}); err != nil {
						t.Fatal(err)
					}
				}
				db.Close()
				code, out, errOut := run(t, "", nil, "verify", "--db", target)
				if code != 0 || !strings.Contains(out, "verified: 9 events") {
					t.Fatalf("untouched log: exit %d\n%s%s", code, out, errOut)
				}
				raw := rawDB(t, target)
				for _, stmt := range strings.Split(c.sql, ";") {
					if _, err := raw.Exec(stmt); err != nil {
						t.Fatal(err)
					}
				}
				code, out, errOut = run(t, "", nil, "verify", "--db", target)
				if code != 1 || !strings.Contains(errOut, "FAILED") || !strings.Contains(errOut, c.want) {
					t.Fatalf("after %s: exit %d, want 1 naming %q\n%s%s", c.name, code, c.want, out, errOut)
				}
			})
		})
	}
}

// TestKill9DuringCapture runs zhanxin serve as a child process while four clients capture
// documents as fast as they can, kills it with SIGKILL mid-stream, and checks after each of
// three rounds that every event acknowledged with 202 is stored and that verify passes.
func TestKill9DuringCapture(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		run(t, "", nil, "migrate", "up", "--db", target)
		if code, _, e := run(t, "ops-password-1\n", nil, "user", "add", "--db", target, "--username", "ops", "--role", "admin", "--must-change=false"); code != 0 {
			t.Fatal(e)
		}
		_, tok, _ := run(t, "", nil, "user", "token", "create", "--db", target, "--username", "ops", "--name", "kill test")
		tok = strings.TrimSpace(tok)
		seed := 0
		for round := range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			cmd := helper(ctx, "serve", "--db", target, "--addr", "127.0.0.1:0", "--log-level", "warn")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			base := readServeURL(t, stdout)
			var mu sync.Mutex
			var acked []string
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						mu.Lock()
						seed++
						body := epcisEvents(20, seed)
						mu.Unlock()
						req, _ := http.NewRequest(http.MethodPost, base+"/epcis/capture", strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+tok)
						req.Header.Set("Content-Type", "application/ld+json")
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							return // the server is gone
						}
						var res struct {
							Events []struct{ HashID string }
						}
						err = json.NewDecoder(resp.Body).Decode(&res)
						resp.Body.Close()
						if resp.StatusCode != http.StatusAccepted || err != nil {
							continue // cut off mid-answer: not acknowledged
						}
						mu.Lock()
						for _, e := range res.Events {
							acked = append(acked, e.HashID)
						}
						mu.Unlock()
					}
				}()
			}
			// Kill once some captures are acknowledged, with others in flight.
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 200*(round+1) || time.Now().After(deadline) {
					break
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			close(stop)
			wg.Wait()
			cmd.Wait()
			cancel()

			ctx2 := context.Background()
			db, err := store.Open(ctx2, target)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := db.QueryEPCISEvents(ctx2, store.EPCISEventFilter{EventIDs: acked, Limit: len(acked) + 1})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, r := range rows {
				have[r.HashID] = true
			}
			for _, h := range acked {
				if !have[h] {
					t.Fatalf("round %d: event %s was acknowledged with 202 but is gone after kill -9", round, h)
				}
			}
			if len(acked) == 0 {
				t.Fatalf("round %d: nothing was acknowledged", round)
			}
			code, out, errOut := run(t, "", nil, "verify", "--db", target)
			if code != 0 {
				t.Fatalf("round %d: verify after kill -9: exit %d\n%s%s", round, code, out, errOut)
			}
			t.Logf("round %d: %d events acknowledged, all stored; %s", round, len(acked), strings.TrimSpace(out))
		}
	})
}

// TestVerifyCheckpointCatchesRewrite saves a signed checkpoint, lets the log grow, and then
// has an intruder with database access rewrite the whole log: wipe the events and the tree,
// and capture an edited history through the platform itself, so that the tree, the head and
// the stored hashes are all consistent again. Plain verify cannot tell; verify against the
// saved checkpoint fails. A log rebuilt shorter than the checkpoint, a checkpoint whose text
// was altered and a checkpoint checked with another key are caught too.
func TestVerifyCheckpointCatchesRewrite(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		if code, _, e := run(t, "", nil, "migrate", "up", "--db", target); code != 0 {
			t.Fatal(e)
		}
		ctx := context.Background()
		db, err := store.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		svc, err := trace.New(ctx, db, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		capture := func(n, seed int) {
			t.Helper()
			if _, err := svc.Capture(ctx, auth.CLI("test"), trace.CaptureRequest{Body: []byte(epcisEvents(n, seed)), Binding: trace.JSON}); err != nil {
				t.Fatal(err)
			}
		}
		for k := 0; k < 3; k++ {
			capture(3, k)
		}
		cp, err := svc.CurrentCheckpoint(ctx, auth.CLI("test"))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cpFile, keyFile := filepath.Join(dir, "checkpoint.txt"), filepath.Join(dir, "key.txt")
		os.WriteFile(cpFile, []byte(cp.Note), 0o644)
		os.WriteFile(keyFile, []byte(svc.VerifierKey()+"\n"), 0o644)
		capture(2, 7) // the log grows after the checkpoint was saved
		for _, args := range [][]string{{"--checkpoint", cpFile}, {"--checkpoint", cpFile, "--key", keyFile}} {
			code, out, errOut := run(t, "", nil, append([]string{"verify", "--db", target}, args...)...)
			if code != 0 || !strings.Contains(out, "verified: 11 events") || !strings.Contains(out, "its 9 events are a prefix") {
				t.Fatalf("grown log against the checkpoint %v: exit %d\n%s%s", args, code, out, errOut)
			}
		}

		raw := rawDB(t, target)
		wipe := func() {
			t.Helper()
			for _, stmt := range []string{"DELETE FROM epcis_event_items", "DELETE FROM epcis_events", "DELETE FROM epcis_log_hashes", "UPDATE epcis_log_head SET size = 0"} {
				if _, err := raw.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
		}
		verify := func(what, want string, args ...string) {
			t.Helper()
			code, out, errOut := run(t, "", nil, append([]string{"verify", "--db", target}, args...)...)
			if want == "" {
				if code != 0 {
					t.Fatalf("%s: exit %d, want 0\n%s%s", what, code, out, errOut)
				}
				return
			}
			if code != 1 || !strings.Contains(errOut, "FAILED") || !strings.Contains(errOut, want) {
				t.Fatalf("%s: exit %d, want 1 naming %q\n%s%s", what, code, want, out, errOut)
			}
		}
		// The rewrite: the same documents, but the second with one quantity changed.
		wipe()
		capture(3, 0)
		edited := strings.Replace(epcisEvents(3, 1), `"quantity":2,`, `"quantity":20,`, 1)
		if _, err := svc.Capture(ctx, auth.CLI("test"), trace.CaptureRequest{Body: []byte(edited), Binding: trace.JSON}); err != nil {
			t.Fatal(err)
		}
		capture(3, 2)
		capture(2, 7)
		verify("rewritten log, plain verify", "")
		verify("rewritten log against the checkpoint", "the first 9 events hash to", "--checkpoint", cpFile)
		verify("rewritten log against the checkpoint and its key", "the first 9 events hash to", "--checkpoint", cpFile, "--key", keyFile)

		// Rebuilt shorter than the checkpoint.
		wipe()
		capture(3, 0)
		verify("shortened log, plain verify", "")
		verify("shortened log against the checkpoint", "the checkpoint covers 9 events but the log holds 3", "--checkpoint", cpFile)

		// A checkpoint whose size was changed, and one checked with another log's key.
		forged := filepath.Join(dir, "forged.txt")
		os.WriteFile(forged, []byte(strings.Replace(cp.Note, "\n9\n", "\n3\n", 1)), 0o644)
		verify("altered checkpoint", "signature or format is invalid", "--checkpoint", forged)
		_, otherKey, err := note.GenerateKey(rand.Reader, trace.LogOrigin)
		if err != nil {
			t.Fatal(err)
		}
		verify("checkpoint with another key", "signature or format is invalid", "--checkpoint", cpFile, "--key", otherKey)
	})
}
