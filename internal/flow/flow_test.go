package flow_test

import (
	"errors"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/flow"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestGTINOfEverySpelling(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"urn:epc:class:lgtin:6901234.012345.L1", "06901234123456"},
		{"urn:epc:idpat:sgtin:6901234.012345.*", "06901234123456"},
		{"https://id.gs1.org/01/06901234123456/10/L1", "06901234123456"},
		{"https://example.cn/01/6901234123456", "06901234123456"},
	} {
		if got, err := flow.GTINOf(c.in); err != nil || got != c.want {
			t.Errorf("GTINOf(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"urn:epc:class:lgtin:690.12.L1", "https://id.gs1.org/01/06901234123457", "ore", ""} {
		if _, err := flow.GTINOf(bad); err == nil {
			t.Errorf("GTINOf(%q) accepted", bad)
		}
	}
}

// TestConvertExact: every quantity becomes integer grams of oxide exactly (rounded to the
// gram only when the product's content makes a fraction), and an unknown class or unit
// is refused by name.
func TestConvertExact(t *testing.T) {
	lo, hi := int64(900000), int64(990000)
	c := flow.NewConverter([]store.FlowProduct{
		{GTIN: "06901234123456", ProductCode: "ionic_re", Stage: "concentrate", Oxide: "REO", ContentPPM: 920000},
		{GTIN: "06901234123470", ProductCode: "nd_metal", Stage: "metal", Oxide: "REO", ContentPPM: 1166400, YieldMinPPM: &lo, YieldMaxPPM: &hi},
		{GTIN: "06901234123494", ProductCode: "w_conc", Stage: "concentrate", Oxide: "WO3", ContentPPM: 650000},
	})
	for _, k := range []struct {
		class, q, uom string
		want          int64
	}{
		{"urn:epc:class:lgtin:6901234.012345.A", "100", "TNE", 92_000_000},
		{"urn:epc:class:lgtin:6901234.012345.A", "0.001", "KGM", 1}, // 0.92 g rounds to 1
		{"urn:epc:class:lgtin:6901234.012345.A", "1234.567", "KGM", 1_135_802},
		{"https://id.gs1.org/01/06901234123456/10/B", "3", "GRM", 3},
		{"urn:epc:class:lgtin:6901234.012347.M", "75.85", "TNE", 88_471_440},
		{"urn:epc:class:lgtin:6901234.012349.W", "1e3", "KGM", 650_000},
		{"urn:epc:class:lgtin:6901234.012349.W", "0", "TNE", 0},
	} {
		got, err := c.Convert(k.class, k.q, k.uom)
		if err != nil || got != k.want {
			t.Errorf("Convert(%s %s %s) = %d, %v; want %d", k.class, k.q, k.uom, got, err, k.want)
		}
	}
	for _, k := range []struct{ class, q, uom, field string }{
		{"urn:epc:class:lgtin:6901234.099999.A", "1", "KGM", "epcClass"},
		{"urn:epc:class:lgtin:6901234.012345.A", "1", "LTR", "uom"},
		{"urn:epc:class:lgtin:6901234.012345.A", "-1", "KGM", "quantity"},
	} {
		_, err := c.Convert(k.class, k.q, k.uom)
		var e *apperr.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Name != k.field {
			t.Errorf("Convert(%v): %v", k, err)
			continue
		}
		if named := e.Fields[0].Args[0]; named != k.class && named != k.uom && named != k.q {
			t.Errorf("Convert(%v) names %v", k, named)
		}
	}
}

// TestSetProductBadInput names every bad field and writes nothing; an enterprise user
// may not map products.
func TestSetProductBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		before, _ := db.FlowProducts(ctx)
		audits, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		_, err := f.svc.SetProduct(ctx, admin, flow.NewProduct{EPCClass: "ore", ProductCode: "ionic_re", Stage: "dust", Oxide: "CeO2",
			ContentPct: "0", YieldMinPct: "99", YieldMaxPct: "90"})
		var e *apperr.Error
		if !errors.As(err, &e) || e.Kind != apperr.Invalid {
			t.Fatalf("bad product: %v", err)
		}
		names := map[string]bool{}
		for _, fl := range e.Fields {
			names[fl.Name] = true
		}
		for _, n := range []string{"epc_class", "stage", "oxide", "content_pct", "yield_max_pct"} {
			if !names[n] {
				t.Errorf("field %s not named: %+v", n, e.Fields)
			}
		}
		_, err = f.svc.SetProduct(ctx, admin, flow.NewProduct{EPCClass: concentrate, ProductCode: "nope", Stage: "ore", Oxide: "REO", ContentPct: "50"})
		if !errors.As(err, &e) || e.Fields[0].Name != "product_code" {
			t.Fatalf("unknown product: %v", err)
		}
		ent := &auth.Principal{ID: 9, Role: auth.Enterprise, EnterpriseID: f.a}
		if _, err := f.svc.SetProduct(ctx, ent, flow.NewProduct{EPCClass: concentrate, ProductCode: "ionic_re", Stage: "ore", Oxide: "REO", ContentPct: "50"}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("enterprise maps a product: %v", err)
		}
		after, _ := db.FlowProducts(ctx)
		audits2, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if len(after) != len(before) || after[0] != before[0] || audits2.Total != audits.Total {
			t.Fatalf("bad input wrote something: %d→%d products, %d→%d audit", len(before), len(after), audits.Total, audits2.Total)
		}
	})
}
