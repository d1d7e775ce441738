package trace_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/trace"
)

const (
	mine1 = "https://id.gs1.org/414/6901234000030"
	mine2 = "https://id.gs1.org/414/6901234000047"
	mine3 = "https://id.gs1.org/414/6901234000054"
	plant = "https://id.gs1.org/414/6901234000016"
)

func lot(name string) string { return "urn:epc:class:lgtin:6901234.000001." + name }

func commission(loc, l string, minute int) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-07-01T%02d:%02d:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",`+
		`"bizStep":"commissioning","disposition":"active","readPoint":{"id":%q},"bizLocation":{"id":%q},"quantityList":[{"epcClass":%q,"quantity":1000,"uom":"KGM"}]}`,
		minute/60, minute%60, loc, loc, l)
}

func transform(ins, outs []string, minute int, extra string) string {
	q := func(ls []string) string {
		var parts []string
		for _, l := range ls {
			parts = append(parts, fmt.Sprintf(`{"epcClass":%q,"quantity":100,"uom":"KGM"}`, l))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprintf(`{"type":"TransformationEvent","eventTime":"2026-07-01T%02d:%02d:00+08:00","eventTimeZoneOffset":"+08:00",`+
		`"inputQuantityList":[%s],"outputQuantityList":[%s],"bizStep":"commissioning","disposition":"active","readPoint":{"id":%q},"bizLocation":{"id":%q}%s}`,
		minute/60, minute%60, q(ins), q(outs), plant, plant, extra)
}

// TestProvenance builds a mine-to-magnet chain (ore from two mines → concentrate → oxides →
// metal → alloy → magnet), an unrelated chain from a third mine, and a wrong link that is
// then declared erroneous; it walks back from the magnet and forward from a mine, and
// checks the walk against the recursive-CTE reference.
func TestProvenance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, err := trace.New(ctx, db, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		ent := seedTraceEnterprise(t, db)
		for _, m := range []struct{ gln, kind string }{{"6901234000030", "mine"}, {"6901234000047", "mine"}, {"6901234000054", "mine"}, {"6901234000016", "separation_plant"}} {
			if _, err := svc.AddLocation(ctx, auth.CLI("t"), trace.NewLocation{GLN: m.gln, NameZh: "地点" + m.gln, Kind: m.kind, RegionCode: "360700", EnterpriseID: ent}); err != nil {
				t.Fatal(err)
			}
		}
		wrong := transform([]string{lot("ORE3")}, []string{lot("ALLOY1")}, 200, "")
		evs := []string{
			commission(mine1, lot("ORE1"), 1), commission(mine2, lot("ORE2"), 2), commission(mine3, lot("ORE3"), 3),
			transform([]string{lot("ORE1"), lot("ORE2")}, []string{lot("CONC1")}, 10, ""),
			transform([]string{lot("CONC1")}, []string{lot("NDOX1"), lot("DYOX1")}, 20, ""),
			transform([]string{lot("NDOX1")}, []string{lot("NDMETAL1")}, 30, ""),
			transform([]string{lot("NDMETAL1"), lot("DYOX1")}, []string{lot("ALLOY1")}, 40, ""),
			transform([]string{lot("ALLOY1")}, []string{lot("MAGNET1")}, 50, ""),
			transform([]string{lot("ORE3")}, []string{lot("CONC3")}, 60, ""),
			transform([]string{lot("CONC3")}, []string{lot("MAGNET3")}, 70, ""),
			wrong,
		}
		if _, err := svc.Capture(ctx, auth.CLI("t"), trace.CaptureRequest{Body: document(evs), Binding: trace.JSON}); err != nil {
			t.Fatal(err)
		}
		decl := strings.TrimSuffix(wrong, "}") + `,"errorDeclaration":{"declarationTime":"2026-07-02T00:00:00Z","reason":"did_not_occur"}}`
		if _, err := svc.Capture(ctx, auth.CLI("t"), trace.CaptureRequest{Body: document([]string{decl}), Binding: trace.JSON}); err != nil {
			t.Fatal(err)
		}
		reg := &auth.Principal{ID: 1, Username: "reg", Role: auth.Regulator}

		back, err := svc.Trace(ctx, reg, lot("MAGNET1"), true)
		if err != nil {
			t.Fatal(err)
		}
		wantBack := []string{lot("ALLOY1"), lot("CONC1"), lot("DYOX1"), lot("MAGNET1"), lot("NDMETAL1"), lot("NDOX1"), lot("ORE1"), lot("ORE2")}
		sort.Strings(wantBack)
		if !slices.Equal(back.Lots, wantBack) {
			t.Errorf("back from MAGNET1: %v, want %v", back.Lots, wantBack)
		}
		if back.Hops != 4 || len(back.Edges) != 8 {
			t.Errorf("back: %d hops, %d edges; want 4 (DYOX1 is one hop from CONC1) and 8", back.Hops, len(back.Edges))
		}
		var mines []string
		for _, o := range back.Origins {
			if o.Location.Kind != "mine" {
				t.Errorf("origin %v is not a mine", o)
			}
			mines = append(mines, o.Location.URI)
		}
		sort.Strings(mines)
		if !slices.Equal(mines, []string{mine1, mine2}) {
			t.Errorf("mines of MAGNET1: %v", mines)
		}
		cte, err := db.EPCISAncestorsCTE(ctx, lot("MAGNET1"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(cte)
		if !slices.Equal(cte, back.Lots) {
			t.Errorf("recursive CTE %v disagrees with the walk %v", cte, back.Lots)
		}

		fwd, err := svc.TraceFromMine(ctx, reg, "urn:epc:id:sgln:6901234.00003.0")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(fwd.Lots, lot("MAGNET1")) || slices.Contains(fwd.Lots, lot("MAGNET3")) || slices.Contains(fwd.Lots, lot("ORE2")) {
			t.Errorf("forward from mine 1: %v", fwd.Lots)
		}
		fwd3, err := svc.TraceFromMine(ctx, reg, mine3)
		if err != nil {
			t.Fatal(err)
		}
		// The declared-erroneous ORE3 → ALLOY1 link is not followed.
		if slices.Contains(fwd3.Lots, lot("ALLOY1")) || !slices.Contains(fwd3.Lots, lot("MAGNET3")) {
			t.Errorf("forward from mine 3: %v", fwd3.Lots)
		}

		ent2 := &auth.Principal{ID: 2, Username: "e", Role: auth.Enterprise, EnterpriseID: ent}
		if _, err := svc.Trace(ctx, ent2, lot("MAGNET1"), true); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise user traced across enterprises: %v", err)
		}
		if _, err := svc.TraceFromMine(ctx, reg, plant+"x"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown mine: %v", err)
		}
	})
}

func seedTraceEnterprise(t testing.TB, db *store.DB) int64 {
	ctx := context.Background()
	var ent int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "test"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "test"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		var err error
		ent, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "溯源测试稀土", RegionCode: "360700", Source: "test", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ent
}

// BenchmarkProvenance walks back from one magnet lot through 6 hops with many other chains
// stored, hop by hop (the implementation) and with one recursive CTE (the reference), on
// both databases. Run with
//
//	ZHANXIN_TEST_POSTGRES=… go test -run '^$' -bench Provenance ./internal/trace/
func BenchmarkProvenance(b *testing.B) {
	const chains = 2000 // × 7 events each
	for _, dialect := range []string{"sqlite", "postgres"} {
		var db *store.DB
		if dialect == "sqlite" {
			db = storetest.SQLite(b)
		} else {
			db = storetest.Postgres(b)
		}
		ctx := context.Background()
		svc, err := trace.New(ctx, db, time.Now)
		if err != nil {
			b.Fatal(err)
		}
		var evs []string
		flush := func() {
			if len(evs) == 0 {
				return
			}
			if _, err := svc.Capture(ctx, auth.CLI("bench"), trace.CaptureRequest{Body: document(evs), Binding: trace.JSON}); err != nil {
				b.Fatal(err)
			}
			evs = evs[:0]
		}
		for k := 0; k < chains; k++ {
			names := []string{"ORE", "CONC", "OX", "METAL", "ALLOY", "MAG", "MAGNET"}
			l := func(i int) string { return lot(fmt.Sprintf("%s%d", names[i], k)) }
			evs = append(evs, commission(mine1, l(0), k%1440))
			for h := 0; h < 6; h++ {
				evs = append(evs, transform([]string{l(h)}, []string{l(h + 1)}, k%1440, ""))
			}
			if len(evs) >= 700 {
				flush()
			}
		}
		flush()
		target := lot(fmt.Sprintf("MAGNET%d", chains/2))
		b.Run(dialect+"/walk", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				pv, err := svc.Walk(ctx, []string{target}, true)
				if err != nil || len(pv.Lots) != 7 || pv.Hops != 6 {
					b.Fatalf("%v %d lots %d hops", err, len(pv.Lots), pv.Hops)
				}
			}
		})
		b.Run(dialect+"/recursive-cte", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				lots, err := db.EPCISAncestorsCTE(ctx, target)
				if err != nil || len(lots) != 7 {
					b.Fatalf("%v %d lots", err, len(lots))
				}
			}
		})
	}
}
