package flow_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/flow"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/trace"
)

// BenchmarkMassBalanceYear: the mass balance of a full year for 1,000 sites (the issue's
// goal: at most 10 s), and every check over the same year, on both databases, against the
// reference of only reading the same events from the database. Each site receives
// concentrate twice a month, separates it, ships the oxide to the next site, receives the
// previous site's oxide, sends it on and counts its stock: 96,000 events. Run with
//
//	ZHANXIN_TEST_POSTGRES=… go test -run '^$' -bench MassBalance -benchtime 3x ./internal/flow/
func BenchmarkMassBalanceYear(b *testing.B) {
	const sites = 1000
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			f := newFixture(b, db)
			n := benchYear(b, f, sites)
			per, _ := flow.ParsePeriod("2024")
			svc := &flow.Service{DB: db, Now: func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }}
			b.Run("read-events-only", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					rows, err := db.FlowEvents(ctx, store.FlowEventFilter{From: per.From.UnixMilli(), To: per.To.UnixMilli()})
					if err != nil || len(rows) != n {
						b.Fatalf("%d rows, %v", len(rows), err)
					}
				}
			})
			b.Run("balance", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					bs, unconv, err := svc.Balances(ctx, admin, "", "2024")
					if err != nil || len(unconv) != 0 || len(bs) < sites {
						b.Fatalf("%d balances, %v, %v", len(bs), unconv, err)
					}
					for _, x := range bs {
						if !x.OK && x.Site != site(1000) {
							b.Fatalf("unbalanced %+v", x)
						}
					}
				}
			})
			b.Run("all-checks", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					rep, err := svc.Check(ctx, "", per)
					if err != nil || len(rep.Balances) < sites {
						b.Fatalf("%d balances, %v", len(rep.Balances), err)
					}
				}
			})
		})
	}
}

// benchYear registers the sites and stores the year's events directly (the log is not
// what is measured), returning how many.
func benchYear(b *testing.B, f *fixture, sites int) int {
	b.Helper()
	uri := func(s int) string { return "https://id.gs1.org/414/" + benchGLN(s) }
	err := f.db.Write(ctx, func(tx *store.Tx) error {
		for s := 0; s < sites; s++ {
			if _, err := tx.InsertEPCISLocation(ctx, store.EPCISLocation{URI: uri(s), NameZh: fmt.Sprint("基准厂", s), Kind: "separation_plant",
				RegionCode: "360783", EnterpriseID: f.a, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	step := func(s string) string { return "https://ref.gs1.org/cbv/BizStep-" + s }
	var rows []store.EPCISEventRow
	add := func(typ, action, bizStep, loc string, at time.Time, body string) {
		doc := fmt.Sprintf(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":%q,"eventTime":%q,"eventTimeZoneOffset":"+08:00"%s,"readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
			typ, at.Format(time.RFC3339), body, loc, loc)
		rows = append(rows, store.EPCISEventRow{LogIndex: int64(len(rows)), HashID: fmt.Sprint("ni:///bench;", len(rows)), EventType: typ,
			EventTime: at.UnixMilli(), RecordTime: at.Add(48 * time.Hour).UnixMilli(), Action: action, BizStep: bizStep, ReadPoint: loc,
			BizLocation: loc, EnterpriseID: f.a, CaptureID: 1, Doc: doc})
	}
	q := func(list, class, kg string) string {
		return fmt.Sprintf(`,%q:[{"epcClass":%q,"quantity":%s,"uom":"KGM"}]`, list, class, kg)
	}
	tx := func(id string) string {
		return `,"bizTransactionList":[{"type":"desadv","bizTransaction":"https://example.cn/desadv/` + id + `"}]`
	}
	dest := func(d string) string {
		return fmt.Sprintf(`,"destinationList":[{"type":"location","destination":%q}]`, d)
	}
	cst := time.FixedZone("CST", 8*3600)
	for m := 1; m <= 12; m++ {
		for s := 0; s < sites; s++ {
			day := func(d, h int) time.Time { return time.Date(2024, time.Month(m), d, h, 0, 0, 0, cst) }
			loc, next, prev := uri(s), uri((s+1)%sites), (s+sites-1)%sites
			lot := fmt.Sprintf("%d-%d", s, m)
			add("ObjectEvent", "OBSERVE", step("receiving"), loc, day(2, 8), q("quantityList", concentrate, "50000")+tx("C1-"+lot))
			add("ObjectEvent", "OBSERVE", step("receiving"), loc, day(3, 8), q("quantityList", concentrate, "50000")+tx("C2-"+lot))
			// 92,000 kg REO in, 90,545 kg of 99.5% oxide out: 98.4%.
			add("TransformationEvent", "", "", loc, day(5, 8), q("inputQuantityList", concentrate, "100000")+q("outputQuantityList", oxide, "91000"))
			add("ObjectEvent", "OBSERVE", step("shipping"), loc, day(6, 8), q("quantityList", oxide, "91000")+tx("O-"+lot)+dest(next))
			add("ObjectEvent", "OBSERVE", step("receiving"), loc, day(7, 8), q("quantityList", oxide, "91000")+tx(fmt.Sprintf("O-%d-%d", prev, m)))
			add("ObjectEvent", "OBSERVE", step("shipping"), loc, day(8, 8), q("quantityList", oxide, "91000")+tx("F-"+lot)+dest("https://id.gs1.org/414/4012345000009"))
			add("ObjectEvent", "OBSERVE", step("cycle_counting"), loc, day(28, 8), q("quantityList", oxide, "0"))
			add("ObjectEvent", "OBSERVE", step("storing"), loc, day(28, 9), q("quantityList", oxide, "0"))
		}
	}
	if err := f.db.Write(ctx, func(tx *store.Tx) error { return tx.InsertEPCISEvents(ctx, rows) }); err != nil {
		b.Fatal(err)
	}
	return len(rows)
}

func benchGLN(n int) string {
	body := fmt.Sprintf("6902000%05d", n)
	for d := 0; d < 10; d++ {
		if g := body + fmt.Sprint(d); trace.ValidGLN(g) {
			return g
		}
	}
	panic(strings.Repeat("?", n))
}
