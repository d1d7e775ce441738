package quota_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"zhanxin/internal/ledger/ledgertest"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ledger.ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

var regulator = &auth.Principal{ID: 1, Username: "reg", Role: auth.Regulator}

// Accounts of the test chart: the 2024 ionic rare earth mining ledger, nation → Jiangxi →
// Ganzhou → two enterprises, and a consumed sink; plus a tungsten ledger with one
// enterprise account, for the quarterly rule and the "different ledgers" rule.
const (
	issue    = "ion24.issue"
	nation   = "ion24.nation"
	jiangxi  = "ion24.360000"
	ganzhou  = "ion24.360700"
	e1Acct   = "ion24.E1"
	e2Acct   = "ion24.E2"
	consumed = "ion24.consumed"
	wIssue   = "w24.issue"
	wNation  = "w24.nation"
	wE1      = "w24.E1"
	wSink    = "w24.consumed"
)

const tonne = int64(1_000_000)

type fixture struct {
	db     *store.DB
	clk    *clock
	q      *quota.Service
	l      *ledger.Service
	cat    *i18n.Catalog
	e1, e2 int64
	ent1   *auth.Principal // enterprise user of e1
	ent2   *auth.Principal // enterprise user of e2
	ion, w ledger.Ledger
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := &clock{t: day("2024-03-01 09:00")}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clk: c, q: quota.New(db, c.Now), l: ledger.New(db, c.Now), cat: cat}
	f.e1, f.e2, err = ledgertest.SeedEnterprises(ctx, db, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.ent1 = &auth.Principal{ID: 2, Username: "e1", Role: auth.Enterprise, EnterpriseID: f.e1}
	f.ent2 = &auth.Principal{ID: 3, Username: "e2", Role: auth.Enterprise, EnterpriseID: f.e2}
	if f.ion, err = f.l.CreateLedger(ctx, regulator, ledger.REOIonic, ledger.Mining, 2024); err != nil {
		t.Fatal(err)
	}
	if f.w, err = f.l.CreateLedger(ctx, regulator, ledger.WO3, ledger.Mining, 2024); err != nil {
		t.Fatal(err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	for _, a := range []ledger.NewAccount{
		{Code: issue, LedgerID: f.ion.ID, Name: "issuance", Holder: ledger.Nation},
		{Code: nation, LedgerID: f.ion.ID, Name: "全国", Holder: ledger.Nation, Flags: flag},
		{Code: jiangxi, LedgerID: f.ion.ID, Name: "江西", Holder: ledger.Province, RegionCode: "360000", Flags: flag},
		{Code: ganzhou, LedgerID: f.ion.ID, Name: "赣州", Holder: ledger.City, RegionCode: "360700", Flags: flag},
		{Code: e1Acct, LedgerID: f.ion.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.e1, Flags: flag},
		{Code: e2Acct, LedgerID: f.ion.ID, Name: "二厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.e2, Flags: flag},
		{Code: consumed, LedgerID: f.ion.ID, Name: "消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
		{Code: wIssue, LedgerID: f.w.ID, Name: "issuance", Holder: ledger.Nation},
		{Code: wNation, LedgerID: f.w.ID, Name: "全国", Holder: ledger.Nation, Flags: flag},
		{Code: wE1, LedgerID: f.w.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.e1, Flags: flag},
		{Code: wSink, LedgerID: f.w.ID, Name: "消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
	} {
		if _, err := f.l.CreateAccount(ctx, regulator, a); err != nil {
			t.Fatal(a.Code, err)
		}
	}
	return f
}

// grant records a grant that must succeed.
func (f *fixture) grant(t *testing.T, from, to, amount, batch, on string) store.QuotaGrant {
	t.Helper()
	g, err := f.q.Grant(ctx, regulator, quota.NewGrant{From: from, To: to, AmountT: amount, Batch: batch, GrantedOn: on, Source: "测试通知"})
	if err != nil {
		t.Fatalf("grant %s → %s %s: %v", from, to, amount, err)
	}
	return g
}

// chain grants 19,150 t down to Ganzhou's enterprises: nation 19,150; Jiangxi 8,500;
// Ganzhou 5,000; E1 3,000; E2 1,000.
func (f *fixture) chain(t *testing.T) {
	t.Helper()
	f.grant(t, issue, nation, "19,150", "2024-1", "2024-01-05")
	f.grant(t, nation, jiangxi, "8,500", "2024-1", "2024-01-05")
	f.grant(t, jiangxi, ganzhou, "5,000", "2024-1", "2024-01-20")
	f.grant(t, ganzhou, e1Acct, "3,000", "2024-1", "2024-02-01")
	f.grant(t, ganzhou, e2Acct, "1,000", "2024-1", "2024-02-01")
}

func (f *fixture) available(t *testing.T, code string) int64 {
	t.Helper()
	b, err := f.l.Balance(ctx, regulator, code)
	if err != nil {
		t.Fatal(err)
	}
	return b.Available()
}

// state is what "nothing was written" compares: every table a use case writes to.
func (f *fixture) state(t *testing.T) [4]int {
	t.Helper()
	gs, err := f.db.ListQuotaGrants(ctx, store.GrantFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := f.db.ListQuotaReports(ctx, store.ReportFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	au, err := f.db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := f.db.LedgerTransfersAfter(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return [4]int{gs.Total, rs.Total, au.Total, len(tr)}
}

// wantErr checks err's kind, code and field, and that its message names want in both
// languages (wantZh, wantEn: substrings).
func (f *fixture) wantErr(t *testing.T, err error, kind apperr.Kind, code, field string, want ...string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if e.Kind != kind || e.Code != code {
		t.Fatalf("got kind %v code %s, want %v %s (%v)", e.Kind, e.Code, kind, code, err)
	}
	if field != "" {
		found := false
		for _, fe := range e.Fields {
			if fe.Name == field {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: no field %s in %+v", code, field, e.Fields)
		}
	}
	zh, en := f.cat.T(i18n.Zh, e.Key, e.Args...), f.cat.T(i18n.En, e.Key, e.Args...)
	for _, fe := range e.Fields {
		zh += " | " + f.cat.T(i18n.Zh, fe.Key, fe.Args...)
		en += " | " + f.cat.T(i18n.En, fe.Key, fe.Args...)
	}
	if zh == en || strings.Contains(zh, "%!") || strings.Contains(en, "%!") {
		t.Fatalf("%s: messages not localised: %q / %q", code, zh, en)
	}
	for _, w := range want {
		if !strings.Contains(zh, w) || !strings.Contains(en, w) {
			t.Fatalf("%s: %q missing from %q / %q", code, w, zh, en)
		}
	}
}
