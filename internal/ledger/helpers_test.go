package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"zhanxin/internal/ledger/ledgertest"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

var ctx = context.Background()

// clock is a settable time source shared by the service and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var regulator = &auth.Principal{ID: 0, Username: "reg", Role: auth.Regulator}

// Account codes of the test chart (ledger reo_ionic/mining/2018).
const (
	issue    = "2018/ion/issue"
	nation   = "2018/ion/CN"
	jiangxi  = "2018/ion/360000"
	ganzhou  = "2018/ion/360700"
	ent1     = "2018/ion/E1"
	ent2     = "2018/ion/E2"
	consumed = "2018/ion/consumed"
	lapsed   = "2018/ion/lapsed"
	// a second ledger, for the "accounts of different ledgers" rule
	wIssue  = "2018/w/issue"
	wNation = "2018/w/CN"
)

const tonne = int64(1_000_000) // grams

type fixture struct {
	svc        *ledger.Service
	clk        *clock
	db         *store.DB
	ion, w     ledger.Ledger
	ent1, ent2 int64 // enterprise ids
}

// setup builds the test chart: regions, two enterprises, the 2018 ionic rare earth mining
// ledger with nation → Jiangxi → Ganzhou → two enterprises and sinks, and a tungsten
// ledger. Quota holders are flagged debits_must_not_exceed_credits; the issuance account
// is not (it goes negative by the national total).
func setup(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2018, 3, 1, 9, 0, 0, 0, ledger.ChinaTime)}
	f := &fixture{svc: ledger.New(db, c.Now), clk: c, db: db}
	var err error
	f.ent1, f.ent2, err = ledgertest.SeedEnterprises(ctx, db, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if f.ion, err = f.svc.CreateLedger(ctx, regulator, ledger.REOIonic, ledger.Mining, 2018); err != nil {
		t.Fatal(err)
	}
	if f.w, err = f.svc.CreateLedger(ctx, regulator, ledger.WO3, ledger.Mining, 2018); err != nil {
		t.Fatal(err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	for _, a := range []ledger.NewAccount{
		{Code: issue, LedgerID: f.ion.ID, Name: "国家总量控制指标下达", Holder: ledger.Nation},
		{Code: nation, LedgerID: f.ion.ID, Name: "全国", Holder: ledger.Nation, Flags: flag},
		{Code: jiangxi, LedgerID: f.ion.ID, Name: "江西省", Holder: ledger.Province, RegionCode: "360000", Flags: flag},
		{Code: ganzhou, LedgerID: f.ion.ID, Name: "赣州市", Holder: ledger.City, RegionCode: "360700", Flags: flag},
		{Code: ent1, LedgerID: f.ion.ID, Name: "示例稀土一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.ent1, Flags: flag},
		{Code: ent2, LedgerID: f.ion.ID, Name: "示例稀土二厂", Holder: ledger.EnterpriseHolder, EnterpriseID: f.ent2, Flags: flag},
		{Code: consumed, LedgerID: f.ion.ID, Name: "已消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
		{Code: lapsed, LedgerID: f.ion.ID, Name: "已作废", Holder: ledger.Sink, SinkKind: ledger.Lapsed},
		{Code: wIssue, LedgerID: f.w.ID, Name: "钨总量下达", Holder: ledger.Nation},
		{Code: wNation, LedgerID: f.w.ID, Name: "全国（钨）", Holder: ledger.Nation, Flags: flag},
	} {
		if _, err := f.svc.CreateAccount(ctx, regulator, a); err != nil {
			t.Fatalf("account %s: %v", a.Code, err)
		}
	}
	return f
}

var idSeq struct {
	sync.Mutex
	n uint64
}

// nid returns a fresh transfer id.
func nid() ledger.ID {
	idSeq.Lock()
	defer idSeq.Unlock()
	idSeq.n++
	return ledger.IDFromUint64(0x2018, idSeq.n)
}

func tr(dr, cr string, amount int64, code ledger.Code) ledger.Transfer {
	return ledger.Transfer{ID: nid(), DebitAccount: dr, CreditAccount: cr, Amount: amount, Code: code}
}

// create applies a batch that must succeed.
func (f *fixture) create(t testing.TB, ts ...ledger.Transfer) []ledger.Result {
	t.Helper()
	res, err := f.svc.CreateTransfers(ctx, regulator, ts)
	if err != nil {
		t.Fatalf("batch refused: %v\n%s", err, describe(res))
	}
	return res
}

// refuse applies a batch that must fail and checks that nothing was written.
func (f *fixture) refuse(t testing.TB, ts ...ledger.Transfer) ([]ledger.Result, *apperr.Error) {
	t.Helper()
	before := f.snapshot(t)
	res, err := f.svc.CreateTransfers(ctx, regulator, ts)
	if err == nil {
		t.Fatalf("batch accepted, want refusal:\n%s", describe(res))
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error is not an apperr: %v", err)
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("a refused batch changed the database:\nbefore %s\nafter  %s", before, after)
	}
	return res, ae
}

// snapshot is a fingerprint of everything a batch may write: every account's balances,
// the number of transfers and of audit records.
func (f *fixture) snapshot(t testing.TB) string {
	t.Helper()
	pg, err := f.db.ListLedgerAccounts(ctx, store.LedgerAccountFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range pg.Rows {
		b.WriteString(a.Code + ":" + itoa(a.DebitsPending) + "/" + itoa(a.DebitsPosted) + "/" + itoa(a.CreditsPending) + "/" + itoa(a.CreditsPosted) + " ")
	}
	rows, err := f.db.LedgerTransfersAfter(ctx, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("transfers=" + itoa(int64(len(rows))))
	b.WriteString(" audit=" + itoa(int64(auditCount(t, f.db, ""))))
	return b.String()
}

func itoa(n int64) string { return ledger.FormatGrams(n) }

func auditCount(t testing.TB, db *store.DB, action string) int {
	t.Helper()
	p, err := db.ListAudit(ctx, store.AuditFilter{Action: action}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func (f *fixture) bal(t testing.TB, code string) ledger.Balance {
	t.Helper()
	b, err := f.svc.Balance(ctx, regulator, code)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) mustReconcile(t testing.TB) {
	t.Helper()
	rep, err := f.svc.Reconcile(ctx, regulator)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("reconciliation failed: %s", render(rep))
	}
}

var catalog = func() *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	return c
}()

func render(rep ledger.Report) string {
	var b strings.Builder
	for _, d := range rep.Discrepancies {
		b.WriteString("\n  " + d.Ledger + " " + catalog.T(i18n.En, d.Key, d.Args...))
	}
	return b.String()
}

func describe(res []ledger.Result) string {
	var b strings.Builder
	for _, r := range res {
		b.WriteString("  " + itoa(int64(r.Index)) + " " + string(r.Status))
		if r.Failure != nil {
			b.WriteString(" " + r.Failure.Code + " " + r.Failure.Field + ": " + catalog.T(i18n.En, r.Failure.Key, r.Failure.Args...))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// rawDB opens a second, plain connection to the test database. Tests use it only to play
// a disk fault or a hand edit that goes around the store, which is the point of them.
func rawDB(t testing.TB, db *store.DB) *sql.DB {
	t.Helper()
	target := db.Target()
	var r *sql.DB
	var err error
	if path, ok := strings.CutPrefix(target, "sqlite:"); ok {
		r, err = sql.Open("sqlite", path)
	} else {
		r, err = sql.Open("pgx", target)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func rebind(db *store.DB, q string) string {
	if db.Dialect != store.Postgres {
		return q
	}
	n := 0
	var b strings.Builder
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
