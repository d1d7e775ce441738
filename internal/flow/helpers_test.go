package flow_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/flow"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var admin = auth.CLI("test")

// gln makes a valid GLN from a number.
func gln(n int) string {
	body := fmt.Sprintf("690123450%03d", n)
	for d := 0; d < 10; d++ {
		if g := body + fmt.Sprint(d); trace.ValidGLN(g) {
			return g
		}
	}
	panic("no check digit")
}

func site(n int) string { return "https://id.gs1.org/414/" + gln(n) }

// The test's product classes (LGTIN, lot after the item reference).
const (
	concentrate = "urn:epc:class:lgtin:6901234.012345.C"
	oxide       = "urn:epc:class:lgtin:6901234.012346.O"
	metal       = "urn:epc:class:lgtin:6901234.012347.M"
	ore         = "urn:epc:class:lgtin:6901234.012349.R"
)

// fixture is a small chain: enterprises A (mine, separation plant) and B (metal plant),
// C (no licence), all in 赣州; an outside region; products with contents and bands.
type fixture struct {
	db      *store.DB
	clk     *clock
	tr      *trace.Service
	svc     *flow.Service
	a, b, c int64
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	f := &fixture{db: db, clk: &clock{}}
	f.clk.Set("2024-03-01 08:00")
	var err error
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "test"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "test"},
			{Code: "360783", NameZh: "龙南市", NameEn: "Longnan", Kind: "county", ParentCode: "360700", Source: "test"},
			{Code: "440000", NameZh: "广东省", NameEn: "Guangdong", Kind: "province", Source: "test"},
			{Code: "440300", NameZh: "深圳市", NameEn: "Shenzhen", Kind: "city", ParentCode: "440000", Source: "test"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		for i, name := range []string{"流向甲", "流向乙", "流向丙"} {
			id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: name, RegionCode: "360783", Source: "test", CreatedAt: f.clk.Now()})
			if err != nil {
				return err
			}
			*[]*int64{&f.a, &f.b, &f.c}[i] = id
		}
		for _, p := range []store.Product{
			{Code: "ionic_re", NameZh: "离子型稀土", NameEn: "ionic rare earth", Kind: "mineral", UnitZh: "吨REO", UnitEn: "t REO", Oxide: "REO"},
			{Code: "ox_nd2o3", NameZh: "氧化钕", NameEn: "neodymium oxide", Kind: "product", UnitZh: "吨", UnitEn: "t", Oxide: "REO"},
			{Code: "nd_metal", NameZh: "金属钕", NameEn: "neodymium metal", Kind: "product", UnitZh: "吨", UnitEn: "t", Oxide: "REO"},
		} {
			if err := tx.UpsertProduct(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.tr, err = trace.New(ctx, db, f.clk.Now); err != nil {
		t.Fatal(err)
	}
	f.svc = &flow.Service{DB: db, Now: f.clk.Now}
	for _, l := range []trace.NewLocation{
		{GLN: gln(1), NameZh: "甲矿山", Kind: "mine", RegionCode: "360783", EnterpriseID: f.a},
		{GLN: gln(2), NameZh: "甲分离厂", Kind: "separation_plant", RegionCode: "360783", EnterpriseID: f.a},
		{GLN: gln(3), NameZh: "乙金属厂", Kind: "metal_plant", RegionCode: "360783", EnterpriseID: f.b},
		{GLN: gln(4), NameZh: "丙分离厂", Kind: "separation_plant", RegionCode: "360783", EnterpriseID: f.c},
		{GLN: gln(5), NameZh: "深圳加工厂", Kind: "separation_plant", RegionCode: "440300", EnterpriseID: f.b},
		{GLN: gln(6), NameZh: "乙港口", Kind: "port", RegionCode: "360700", EnterpriseID: f.b},
	} {
		if _, err := f.tr.AddLocation(ctx, admin, l); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []flow.NewProduct{
		{EPCClass: concentrate, ProductCode: "ionic_re", Stage: "concentrate", Oxide: "REO", ContentPct: "92"},
		{EPCClass: ore, ProductCode: "ionic_re", Stage: "ore", Oxide: "REO", ContentPct: "0.1"},
		{EPCClass: oxide, ProductCode: "ox_nd2o3", Stage: "oxide", Oxide: "REO", ContentPct: "99.5", YieldMinPct: "90", YieldMaxPct: "99"},
		{EPCClass: metal, ProductCode: "nd_metal", Stage: "metal", Oxide: "REO", ContentPct: "116.64", YieldMinPct: "97", YieldMaxPct: "100"},
	} {
		if _, err := f.svc.SetProduct(ctx, admin, p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// ev builds one event's JSON.
type ev struct {
	typ, action, step string
	site              string
	at                string // "2024-03-05 10:00"
	qty               [][3]string
	ins, outs         [][3]string
	dest              string
	tx                string
}

func (e ev) json() string {
	var b strings.Builder
	at := strings.Replace(e.at, " ", "T", 1) + ":00+08:00"
	fmt.Fprintf(&b, `{"type":%q,"eventTime":%q,"eventTimeZoneOffset":"+08:00"`, e.typ, at)
	if e.action != "" {
		fmt.Fprintf(&b, `,"action":%q`, e.action)
	}
	if e.step != "" {
		fmt.Fprintf(&b, `,"bizStep":%q`, e.step)
	}
	list := func(name string, qs [][3]string) {
		if qs == nil {
			return
		}
		var parts []string
		for _, q := range qs {
			parts = append(parts, fmt.Sprintf(`{"epcClass":%q,"quantity":%s,"uom":%q}`, q[0], q[1], q[2]))
		}
		fmt.Fprintf(&b, `,%q:[%s]`, name, strings.Join(parts, ","))
	}
	list("quantityList", e.qty)
	list("inputQuantityList", e.ins)
	list("outputQuantityList", e.outs)
	if e.dest != "" {
		fmt.Fprintf(&b, `,"sourceList":[{"type":"location","source":%q}],"destinationList":[{"type":"location","destination":%q}]`, e.site, e.dest)
	}
	if e.tx != "" {
		fmt.Fprintf(&b, `,"bizTransactionList":[{"type":"desadv","bizTransaction":"https://example.cn/desadv/%s"}]`, e.tx)
	}
	fmt.Fprintf(&b, `,"readPoint":{"id":%q},"bizLocation":{"id":%q}}`, e.site, e.site)
	return b.String()
}

func commission(site, at string, q ...[3]string) ev {
	return ev{typ: "ObjectEvent", action: "ADD", step: "commissioning", site: site, at: at, qty: q}
}
func ship(site, dest, tx, at string, q ...[3]string) ev {
	return ev{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: site, dest: dest, tx: tx, at: at, qty: q}
}
func receive(site, tx, at string, q ...[3]string) ev {
	return ev{typ: "ObjectEvent", action: "OBSERVE", step: "receiving", site: site, tx: tx, at: at, qty: q}
}
func transform(site, at string, ins, outs [][3]string) ev {
	return ev{typ: "TransformationEvent", site: site, at: at, ins: ins, outs: outs}
}
func count(site, at string, q ...[3]string) ev {
	return ev{typ: "ObjectEvent", action: "OBSERVE", step: "cycle_counting", site: site, at: at, qty: q}
}

func t3(class, q, uom string) [3]string { return [3]string{class, q, uom} }

// capture stores events with the clock at recorded ("2024-04-05 09:00"): when they were
// entered, which the late-report check reads.
func (f *fixture) capture(t testing.TB, recorded string, evs ...ev) []string {
	t.Helper()
	f.clk.Set(recorded)
	var raw []string
	for _, e := range evs {
		raw = append(raw, e.json())
	}
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
		`"creationDate":"2024-03-01T00:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(raw, ",") + `]}}`
	res, err := f.tr.Capture(ctx, admin, trace.CaptureRequest{Body: []byte(doc), Binding: trace.JSON, ContentType: "application/ld+json"})
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
	var hashes []string
	for _, e := range res.Events {
		hashes = append(hashes, e.HashID)
	}
	return hashes
}

// quota gives A and B mining quota for 2024 (their licence) and records A's production
// report for March 2024: reportedT tonnes of REO.
func (f *fixture) quota(t testing.TB, reportedT string) {
	t.Helper()
	f.clk.Set("2024-01-05 09:00")
	l := ledger.New(f.db, f.clk.Now)
	q := quota.New(f.db, f.clk.Now)
	led, err := l.CreateLedger(ctx, admin, ledger.REOIonic, ledger.Mining, 2024)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []ledger.NewAccount{
		{Code: "fl.issue", LedgerID: led.ID, Name: "issue", Holder: ledger.Nation},
		{Code: "fl.A", LedgerID: led.ID, Name: "A", Holder: ledger.EnterpriseHolder, EnterpriseID: f.a},
		{Code: "fl.B", LedgerID: led.ID, Name: "B", Holder: ledger.EnterpriseHolder, EnterpriseID: f.b},
		{Code: "fl.consumed", LedgerID: led.ID, Name: "consumed", Holder: ledger.Sink, SinkKind: ledger.Consumed},
	} {
		if _, err := l.CreateAccount(ctx, admin, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []string{"fl.A", "fl.B"} {
		if _, err := q.Grant(ctx, admin, quota.NewGrant{From: "fl.issue", To: to, AmountT: "1000", Batch: "2024-1", GrantedOn: "2024-01-05",
			Source: "test", SourceStatus: "S"}); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Set("2024-04-05 09:00")
	if _, err := q.Report(ctx, admin, quota.NewReport{EnterpriseID: f.a, Commodity: "reo_ionic", Period: "2024-03", AmountT: reportedT}); err != nil {
		t.Fatal(err)
	}
}
