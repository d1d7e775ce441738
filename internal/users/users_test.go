package users_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/users"
)

var ctx = context.Background()

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func setup(t *testing.T, db *store.DB) (*users.Service, *clock) {
	c := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	s := users.New(db, c.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "t"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "360702", NameZh: "章贡区", NameEn: "Zhanggong", Kind: "county", ParentCode: "360700", Source: "t"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		_, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "虔东稀土", Source: "t", CreatedAt: c.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

const pw = "a-good-password"

func add(t *testing.T, s *users.Service, name string, role auth.Role, region string, ent int64) users.View {
	t.Helper()
	v, err := s.Add(ctx, auth.CLI("t"), users.NewUser{Username: name, DisplayName: name, Role: role, RegionCode: region, EnterpriseID: ent, Password: pw})
	if err != nil {
		t.Fatalf("add %s: %v", name, err)
	}
	return v
}

func code(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "<" + errString(err) + ">"
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func auditCount(t *testing.T, db *store.DB) int {
	p, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestAddValidatesRolesAndWritesNothingOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		add(t, s, "gz-county", auth.County, "360702", 0)
		add(t, s, "qd", auth.Enterprise, "", 1)
		before := auditCount(t, db)
		cases := []struct {
			u    users.NewUser
			code string
		}{
			{users.NewUser{Username: "x1", DisplayName: "x", Role: auth.County, Password: pw}, "region_required"},
			{users.NewUser{Username: "x2", DisplayName: "x", Role: auth.County, RegionCode: "360700", Password: pw}, "region_not_county"},
			{users.NewUser{Username: "x3", DisplayName: "x", Role: auth.County, RegionCode: "999999", Password: pw}, "unknown_region"},
			{users.NewUser{Username: "x4", DisplayName: "x", Role: auth.Enterprise, Password: pw}, "enterprise_required"},
			{users.NewUser{Username: "x5", DisplayName: "x", Role: auth.Enterprise, EnterpriseID: 42, Password: pw}, "unknown_enterprise"},
			{users.NewUser{Username: "x6", DisplayName: "x", Role: auth.Planner, RegionCode: "360702", Password: pw}, "region_not_allowed"},
			{users.NewUser{Username: "x7", DisplayName: "x", Role: "boss", Password: pw}, "invalid_role"},
			{users.NewUser{Username: "X Y", DisplayName: "x", Role: auth.Viewer, Password: pw}, "invalid_username"},
			{users.NewUser{Username: "x8", DisplayName: "x", Role: auth.Viewer, Password: "short"}, "weak_password"},
			{users.NewUser{Username: "gz-county", DisplayName: "x", Role: auth.Viewer, Password: pw}, "username_taken"},
		}
		for _, c := range cases {
			_, err := s.Add(ctx, auth.CLI("t"), c.u)
			if code(err) != c.code {
				t.Errorf("%+v: got %s, want %s", c.u.Username, code(err), c.code)
			}
		}
		if _, err := s.Add(ctx, &auth.Principal{ID: 9, Username: "p", Role: auth.Planner}, users.NewUser{Username: "y", DisplayName: "y", Role: auth.Viewer, Password: pw}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a planner added a user: %v", err)
		}
		if n := auditCount(t, db); n != before {
			t.Fatalf("refused adds wrote %d audit records", n-before)
		}
		p, _ := db.ListUsers(ctx, store.ListQuery{})
		if p.Total != 2 {
			t.Fatalf("%d users stored, want 2", p.Total)
		}
	})
}

func TestAuditRecordsBeforeAndAfterWithoutSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		add(t, s, "li", auth.Planner, "", 0)
		if err := s.SetDisabled(ctx, auth.CLI("boss"), "li", true); err != nil {
			t.Fatal(err)
		}
		p, _ := db.ListAudit(ctx, store.AuditFilter{Action: "user.disable"}, store.ListQuery{})
		if p.Total != 1 {
			t.Fatalf("%d disable records", p.Total)
		}
		e := p.Rows[0]
		if e.Actor != "cli:boss" || !strings.Contains(e.Before, `"disabled":false`) || !strings.Contains(e.After, `"disabled":true`) {
			t.Fatalf("disable record: %+v", e)
		}
		all, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		for _, e := range all.Rows {
			if strings.Contains(e.Before+e.After, "argon2") {
				t.Fatalf("a password hash leaked into the audit log: %+v", e)
			}
		}
	})
}

func TestLoginSessionsAndThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clk := setup(t, db)
		add(t, s, "wang", auth.Regulator, "", 0)
		secret, p, err := s.Login(ctx, "WANG ", pw, "10.1.1.1", "ua")
		if err != nil || p.Role != auth.Regulator {
			t.Fatalf("login: %v", err)
		}
		got, err := s.Session(ctx, secret)
		if err != nil || got == nil || got.Username != "wang" {
			t.Fatalf("session: %v %v", got, err)
		}
		if got, _ := s.Session(ctx, secret+"x"); got != nil {
			t.Fatal("a forged session secret was accepted")
		}
		if got, _ := s.Session(ctx, strings.Repeat("a", 5000)); got != nil {
			t.Fatal("an absurd cookie was accepted")
		}
		// Idle past the lifetime: the session is gone.
		clk.Advance(s.SessionTTL + time.Minute)
		if got, _ := s.Session(ctx, secret); got != nil {
			t.Fatal("an expired session was accepted")
		}
		// Five wrong passwords lock the account; then even the right one is refused.
		for i := range 5 {
			_, _, err := s.Login(ctx, "wang", "wrong-password", "10.1.1.2", "ua")
			want := "bad_credentials"
			if i == 4 {
				want = "login_locked"
			}
			if code(err) != want {
				t.Fatalf("failure %d: %s, want %s", i+1, code(err), want)
			}
		}
		if _, _, err := s.Login(ctx, "wang", pw, "10.1.1.3", "ua"); code(err) != "login_locked" {
			t.Fatalf("right password while locked: %s", code(err))
		}
		clk.Advance(s.Throttle.LockFor + time.Second)
		if _, _, err := s.Login(ctx, "wang", pw, "10.1.1.3", "ua"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// An unknown user gets the same answer as a wrong password.
		if _, _, err := s.Login(ctx, "nobody", pw, "10.1.1.4", "ua"); code(err) != "bad_credentials" {
			t.Fatalf("unknown user: %s", code(err))
		}
		// Disabling ends sessions at once.
		secret, _, _ = s.Login(ctx, "wang", pw, "10.1.1.5", "ua")
		if err := s.SetDisabled(ctx, auth.CLI("t"), "wang", true); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Session(ctx, secret); got != nil {
			t.Fatal("a disabled user's session still works")
		}
		if _, _, err := s.Login(ctx, "wang", pw, "10.1.1.5", "ua"); code(err) != "user_disabled" {
			t.Fatalf("disabled login: %s", code(err))
		}
	})
}

func TestThrottlePerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		s.Throttle.MaxPerAddress = 3
		add(t, s, "zhao", auth.Viewer, "", 0)
		for _, u := range []string{"a1", "a2", "a3"} {
			s.Login(ctx, u, "x-wrong-pass", "10.9.9.9", "ua")
		}
		if _, _, err := s.Login(ctx, "zhao", pw, "10.9.9.9", "ua"); code(err) != "login_locked" {
			t.Fatalf("address that tried three accounts: %s", code(err))
		}
		if _, _, err := s.Login(ctx, "zhao", pw, "10.9.9.8", "ua"); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clk := setup(t, db)
		a := add(t, s, "alice", auth.Planner, "", 0)
		add(t, s, "bob", auth.Viewer, "", 0)
		alice := &auth.Principal{ID: a.ID, Username: "alice", Role: auth.Planner}
		secret, v, err := s.CreateToken(ctx, alice, "", "etl", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Bearer(ctx, secret)
		if err != nil || p.Username != "alice" || !p.ViaToken {
			t.Fatalf("bearer: %v %v", p, err)
		}
		// The database holds only a hash of the secret.
		k, _ := db.TokenByHash(ctx, auth.HashSecret(secret))
		if k.TokenHash == secret || strings.Contains(k.TokenHash, secret[3:]) {
			t.Fatal("the token secret is stored in clear")
		}
		if _, _, err := s.CreateToken(ctx, alice, "bob", "x", 0); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a planner made a token for someone else: %v", err)
		}
		bobSecret, _, err := s.CreateToken(ctx, auth.CLI("t"), "bob", "bob's", 0)
		if err != nil {
			t.Fatal(err)
		}
		bobTok, _ := s.Bearer(ctx, bobSecret)
		if err := s.RevokeToken(ctx, bobTok, v.ID); code(err) != "unknown_token" {
			t.Fatalf("bob revoked alice's token by guessing its id: %s", code(err))
		}
		clk.Advance(25 * time.Hour)
		if _, err := s.Bearer(ctx, secret); code(err) != "token_expired" {
			t.Fatalf("expired token: %s", code(err))
		}
		if err := s.RevokeToken(ctx, alice, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Bearer(ctx, secret); code(err) != "token_revoked" {
			t.Fatalf("revoked token: %s", code(err))
		}
		for _, bad := range []string{"", "zx_", "Bearer x", "zx_" + strings.Repeat("a", 200)} {
			if _, err := s.Bearer(ctx, bad); code(err) != "token_invalid" {
				t.Fatalf("token %q: %s", bad, code(err))
			}
		}
	})
}

func TestEnsureAdminOnlyOnEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		pw1, err := s.EnsureAdmin(ctx)
		if err != nil || len(pw1) < 16 {
			t.Fatalf("first admin: %q %v", pw1, err)
		}
		pw2, err := s.EnsureAdmin(ctx)
		if err != nil || pw2 != "" {
			t.Fatalf("second call made another admin: %q %v", pw2, err)
		}
		_, p, err := s.Login(ctx, "admin", pw1, "1.1.1.1", "")
		if err != nil || !p.MustChange || p.Role != auth.Admin {
			t.Fatalf("admin login: %v %+v", err, p)
		}
		if err := s.ChangeOwnPassword(ctx, p, "wrong-old-pw", "a-new-password"); code(err) != "wrong_password" {
			t.Fatalf("change with a wrong old password: %s", code(err))
		}
		if err := s.ChangeOwnPassword(ctx, p, pw1, "a-new-password"); err != nil {
			t.Fatal(err)
		}
		_, p, err = s.Login(ctx, "admin", "a-new-password", "1.1.1.1", "")
		if err != nil || p.MustChange {
			t.Fatalf("after change: %v %+v", err, p)
		}
	})
}
