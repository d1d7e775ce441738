package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"zhanxin/internal/cli"
	"zhanxin/internal/storetest"
)

// run runs the command line in-process and returns its exit code and output.
func run(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Now: time.Now,
		Getenv: func(k string) string { return env[k] }}
	code := cli.Main(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func sqliteTarget(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "z.db")
}

// targets gives a fresh database target on SQLite and on PostgreSQL.
func eachTarget(t *testing.T, fn func(t *testing.T, target string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteTarget(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"migrate", "up", "--help"}, {"migrate", "status", "--help"},
		{"user", "--help"}, {"user", "add", "--help"}, {"user", "list", "--help"}, {"user", "passwd", "--help"},
		{"user", "disable", "--help"}, {"user", "token", "create", "--help"}, {"user", "token", "revoke", "--help"},
		{"load", "--help"}, {"backup", "--help"}, {"version", "--help"},
	} {
		code, out, errOut := run(t, "", nil, args...)
		if code != 0 || !strings.Contains(out, "usage") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, _, errOut := run(t, "", nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
}

// oneLine checks that a failure is a single line naming the problem, with no stack trace.
func oneLine(t *testing.T, errOut string, want ...string) {
	t.Helper()
	if strings.Count(strings.TrimSpace(errOut), "\n") != 0 || strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
		t.Fatalf("error output is not one clean line:\n%s", errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Fatalf("error output %q does not contain %q", errOut, w)
		}
	}
}

func TestBadDatabaseTargets(t *testing.T) {
	code, _, errOut := run(t, "", nil, "migrate", "up", "--db", "mysql://root@localhost/x")
	if code != 1 {
		t.Fatalf("malformed --db: exit %d", code)
	}
	oneLine(t, errOut, "sqlite:PATH", "postgres://")

	code, _, errOut = run(t, "", nil, "migrate", "up", "--db", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if code != 1 {
		t.Fatalf("unreachable postgres: exit %d", code)
	}
	oneLine(t, errOut, "cannot reach PostgreSQL at 127.0.0.1:1", "无法连接")

	code, _, errOut = run(t, "", nil, "migrate", "up", "--db", "sqlite:/no/such/dir/z.db")
	if code != 1 {
		t.Fatalf("missing directory: exit %d", code)
	}
	oneLine(t, errOut, "does not exist", "/no/such/dir")

	// The environment variable stands in for the flag.
	code, _, errOut = run(t, "", map[string]string{"ZHANXIN_DB": "oracle:x"}, "migrate", "status")
	if code != 1 {
		t.Fatalf("ZHANXIN_DB: exit %d", code)
	}
	oneLine(t, errOut, `"oracle:x" is not understood`)
}

func TestReadOnlySQLiteFile(t *testing.T) {
	target := sqliteTarget(t)
	if code, _, e := run(t, "", nil, "migrate", "up", "--db", target); code != 0 {
		t.Fatal(e)
	}
	path := strings.TrimPrefix(target, "sqlite:")
	// Tests run as root in CI, where file modes do not stop writes; the immutable attribute does.
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("cannot make the file immutable here (chattr: %v %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
	code, _, errOut := run(t, "", nil, "load", "--db", target)
	if code != 1 {
		t.Fatalf("read-only file: exit %d", code)
	}
	oneLine(t, errOut, "read-only", "只读")
}

func TestLockedSQLiteFile(t *testing.T) {
	target := sqliteTarget(t)
	if code, _, e := run(t, "", nil, "migrate", "up", "--db", target); code != 0 {
		t.Fatal(e)
	}
	other, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(target, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	code, _, errOut := run(t, "", nil, "load", "--db", target)
	if code != 1 {
		t.Fatalf("locked file: exit %d", code)
	}
	oneLine(t, errOut, "locked by another process", "锁定")
}

func TestStaleSchemaIsRefused(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		code, _, errOut := run(t, "", nil, "serve", "--db", target, "--addr", "127.0.0.1:0")
		if code != 1 {
			t.Fatalf("serve on an empty schema: exit %d", code)
		}
		oneLine(t, errOut, "zhanxin migrate up", "out of date")
		code, _, errOut = run(t, "", nil, "user", "list", "--db", target)
		if code != 1 {
			t.Fatalf("user list on an empty schema: exit %d", code)
		}
		oneLine(t, errOut, "zhanxin migrate up")
	})
}

func TestMigrateLoadAndUsers(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		code, out, errOut := run(t, "", nil, "migrate", "up", "--db", target)
		if code != 0 || !strings.Contains(out, "applied 0001_foundation") {
			t.Fatalf("migrate up: %d %s %s", code, out, errOut)
		}
		if _, out, _ = run(t, "", nil, "migrate", "up", "--db", target); !strings.Contains(out, "0 applied now") {
			t.Fatalf("second migrate up applied again: %s", out)
		}
		if _, out, _ = run(t, "", nil, "migrate", "status", "--db", target); !strings.Contains(out, "foundation") || strings.Contains(out, "pending") {
			t.Fatalf("migrate status: %s", out)
		}
		// 265 records before the chains, which add 112 (internal/dataset/dataset_test.go).
		code, out, errOut = run(t, "", nil, "load", "--db", target)
		if code != 0 || !strings.Contains(out, "created 377,") {
			t.Fatalf("load: %d %s %s", code, out, errOut)
		}
		if _, out, _ = run(t, "", nil, "load", "--db", target); !strings.Contains(out, "created 0, 更新 updated 0, 未变 unchanged 377") {
			t.Fatalf("second load was not a no-op: %s", out)
		}
		// Password from standard input keeps it out of the shell history.
		code, out, errOut = run(t, "long-enough-pw\n", nil, "user", "add", "--db", target, "--username", "gan", "--role", "county", "--region", "360702")
		if code != 0 || !strings.Contains(out, "added user gan") {
			t.Fatalf("user add: %d %s %s", code, out, errOut)
		}
		code, _, errOut = run(t, "long-enough-pw\n", nil, "user", "add", "--db", target, "--username", "bad", "--role", "county")
		if code != 1 {
			t.Fatalf("county without region: exit %d", code)
		}
		oneLine(t, errOut, "must be bound to a county")
		code, _, errOut = run(t, "long-enough-pw\n", nil, "user", "add", "--db", target, "--username", "bad", "--role", "county", "--region", "360700")
		if code != 1 {
			t.Fatalf("county bound to the city: exit %d", code)
		}
		oneLine(t, errOut, "360700 is not a county-level region")
		code, _, errOut = run(t, "short\n", nil, "user", "add", "--db", target, "--username", "bad", "--role", "viewer")
		if code != 1 {
			t.Fatalf("short password: exit %d", code)
		}
		oneLine(t, errOut, "at least 10 characters")
		if _, out, _ = run(t, "", nil, "user", "list", "--db", target); !strings.Contains(out, "gan") || strings.Contains(out, "bad") {
			t.Fatalf("user list: %s", out)
		}
		code, tok, errOut := run(t, "", nil, "user", "token", "create", "--db", target, "--username", "gan", "--name", "import job")
		if code != 0 || !strings.HasPrefix(tok, "zx_") || !strings.Contains(errOut, "shown this once") {
			t.Fatalf("token create: %d %q %q", code, tok, errOut)
		}
		if _, out, _ = run(t, "", nil, "user", "token", "list", "--db", target); !strings.Contains(out, "import job") || strings.Contains(out, strings.TrimSpace(tok)) {
			t.Fatalf("token list must show the token but never its secret: %s", out)
		}
		if code, out, errOut = run(t, "", nil, "user", "token", "revoke", "--db", target, "--id", "1"); code != 0 {
			t.Fatalf("token revoke: %s %s", out, errOut)
		}
		if code, _, errOut = run(t, "", nil, "user", "token", "revoke", "--db", target, "--id", "99"); code != 1 {
			t.Fatalf("revoking a missing token: exit %d", code)
		}
		oneLine(t, errOut, "no token with id 99")
		if code, _, errOut = run(t, "new-password-1\n", nil, "user", "passwd", "--db", target, "--username", "gan"); code != 0 {
			t.Fatal(errOut)
		}
		if code, _, errOut = run(t, "", nil, "user", "disable", "--db", target, "--username", "gan"); code != 0 {
			t.Fatal(errOut)
		}
		if _, out, _ = run(t, "", nil, "user", "list", "--db", target); !strings.Contains(out, "disabled") {
			t.Fatalf("disabled user not shown as such: %s", out)
		}
		if code, _, errOut = run(t, "", nil, "user", "disable", "--db", target, "--username", "nobody"); code != 1 {
			t.Fatalf("disable unknown user: exit %d", code)
		}
		oneLine(t, errOut, "There is no user nobody")
	})
}

func TestBackupSQLiteAndPostgresLine(t *testing.T) {
	target := sqliteTarget(t)
	run(t, "", nil, "migrate", "up", "--db", target)
	run(t, "", nil, "load", "--db", target)
	dst := filepath.Join(t.TempDir(), "copy.db")
	code, out, errOut := run(t, "", nil, "backup", "--db", target, "--to", dst)
	if code != 0 || !strings.Contains(out, "backed up to") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	// The copy is a complete database: the same regions, readable by the CLI.
	code, out, errOut = run(t, "", nil, "migrate", "status", "--db", "sqlite:"+dst)
	if code != 0 || strings.Contains(out, "pending") {
		t.Fatalf("copy is not a migrated database: %s %s", out, errOut)
	}
	db, err := sql.Open("sqlite", "file:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM regions").Scan(&n); err != nil || n != 32 { // 20 divisions and 12 zones of the default dataset
		t.Fatalf("regions in the copy: %d, %v", n, err)
	}
	if code, _, errOut = run(t, "", nil, "backup", "--db", target, "--to", dst); code != 1 {
		t.Fatalf("overwriting a backup: exit %d", code)
	}
	oneLine(t, errOut, "exists")
	if code, _, errOut = run(t, "", nil, "backup", "--db", target, "--to", filepath.Join(t.TempDir(), "no", "such", "x.db")); code != 1 {
		t.Fatalf("backup into a missing directory: exit %d", code)
	}
	oneLine(t, errOut, "backup directory", "does not exist")

	pg := storetest.PostgresURL(t)
	run(t, "", nil, "migrate", "up", "--db", pg)
	code, out, _ = run(t, "", nil, "backup", "--db", pg)
	if code != 0 || !strings.Contains(out, "pg_dump --format=custom") || !strings.Contains(out, "pg_restore") {
		t.Fatalf("postgres backup: %d %s", code, out)
	}
}

func TestServeCreatesFirstAdminOnce(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		for i, wantPassword := range []bool{true, false} {
			ctx, cancel := context.WithCancel(context.Background())
			var out, errb bytes.Buffer
			ready := make(chan string, 1)
			e := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now,
				Getenv: func(string) string { return "" }, Ready: func(a string) { ready <- a }}
			done := make(chan int, 1)
			go func() {
				done <- cli.Main(ctx, []string{"serve", "--db", target, "--addr", "127.0.0.1:0", "--auto-migrate"}, e)
			}()
			select {
			case <-ready:
			case code := <-done:
				t.Fatalf("start %d: serve exited %d: %s", i, code, errb.String())
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not start")
			}
			cancel()
			if code := <-done; code != 0 {
				t.Fatalf("serve exit %d: %s", code, errb.String())
			}
			got := strings.Contains(out.String(), "one-time password")
			if got != wantPassword {
				t.Fatalf("start %d: printed a one-time password = %v, want %v:\n%s", i, got, wantPassword, out.String())
			}
		}
	})
}

// TestHelperProcess is not a test: it is the zhanxin binary when the kill -9 test runs the
// test executable as a child process.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("ZHANXIN_HELPER_PROCESS") != "1" {
		t.Skip("helper process for TestKill9KeepsAcknowledgedWrites")
	}
	args := strings.Split(os.Getenv("ZHANXIN_HELPER_ARGS"), "\x1f")
	os.Exit(cli.Main(context.Background(), args, cli.OSEnv()))
}

func helper(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "ZHANXIN_HELPER_PROCESS=1", "ZHANXIN_HELPER_ARGS="+strings.Join(args, "\x1f"))
	return cmd
}

// TestKill9KeepsAcknowledgedWrites runs zhanxin serve as a child process, creates users
// through the API, and kills the process with SIGKILL the moment the last 201 arrives:
// every user that was acknowledged must be in the database when it is opened again.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	target := sqliteTarget(t)
	run(t, "", nil, "migrate", "up", "--db", target)
	if code, _, e := run(t, "ops-password-1\n", nil, "user", "add", "--db", target, "--username", "ops", "--role", "admin", "--must-change=false"); code != 0 {
		t.Fatal(e)
	}
	_, tok, _ := run(t, "", nil, "user", "token", "create", "--db", target, "--username", "ops", "--name", "kill test")
	tok = strings.TrimSpace(tok)
	for round := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := helper(ctx, "serve", "--db", target, "--addr", "127.0.0.1:0", "--log-level", "warn")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		base := readServeURL(t, stdout)
		var acked []string
		for i := range 15 {
			name := fmt.Sprintf("k%d-%02d", round, i)
			body := fmt.Sprintf(`{"username":%q,"display_name":%q,"role":"viewer","password":"long-enough-pw"}`, name, name)
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/users", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("create %s: status %d", name, resp.StatusCode)
			}
			acked = append(acked, name)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		cancel()
		_, out, _ := run(t, "", nil, "user", "list", "--db", target)
		for _, name := range acked {
			if !strings.Contains(out, name) {
				t.Fatalf("round %d: user %s was acknowledged with 201 but is gone after kill -9", round, name)
			}
		}
	}
}

// readServeURL reads the child's stdout until serve says where it listens.
func readServeURL(t *testing.T, r io.Reader) string {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if _, after, ok := strings.Cut(sc.Text(), "running at "); ok {
			go io.Copy(io.Discard, r)
			return strings.TrimSpace(after)
		}
	}
	t.Fatal("serve exited before it listened")
	return ""
}
