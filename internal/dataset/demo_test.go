package dataset_test

import (
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestDemonstrationYearIsLabelledCompleteAndLoadsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		if _, err := dataset.LoadDemo(ctx, db, p); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("demo without the default dataset: %v", err)
		}
		if _, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		sum, err := dataset.LoadDemo(ctx, db, p)
		if err != nil {
			t.Fatal(err)
		}
		if sum != (dataset.DemoSummary{Grants: 6, Reports: 11, Rights: 3, Rounds: 1, ReserveOps: 2}) {
			t.Fatalf("summary %+v", sum)
		}
		q := quota.New(db, time.Now)
		flagged, _ := q.Reports(ctx, p, true, store.ListQuery{})
		late, over := 0, int64(0)
		for _, r := range flagged.Rows {
			if !strings.HasPrefix(r.EnterpriseName, dataset.DemoMark) {
				t.Errorf("report of %s is not labelled", r.EnterpriseName)
			}
			if r.Late {
				late++
			}
			over += r.OverG
		}
		if late != 1 || over != 200*1_000_000 {
			t.Fatalf("late %d, over %d g", late, over)
		}
		ds, _ := q.Deadlines(ctx, p)
		overdue := 0
		for _, d := range ds {
			if d.Status == "overdue" {
				overdue++
			}
		}
		if overdue == 0 {
			t.Fatal("the demonstration's short pass-down is not flagged overdue")
		}
		// Every demonstration grant is marked synthetic; the facts are untouched.
		gs, _ := db.ListQuotaGrants(ctx, store.GrantFilter{}, store.ListQuery{Filter: "demo."})
		for _, g := range gs.Rows {
			if g.SourceStatus != "S" || !strings.Contains(g.Source, "示例") {
				t.Errorf("grant %+v is not labelled synthetic", g)
			}
		}
		if gs.Total != 6 {
			t.Fatalf("%d demo grants", gs.Total)
		}
		b, _ := ledger.New(db, time.Now).Balance(ctx, p, "demo.s24.pool")
		if b.Available() != 0 || b.CreditsPosted != 2000*1_000_000 {
			t.Fatalf("pool %+v", b)
		}
		rep, err := ledger.New(db, time.Now).Reconcile(ctx, p)
		if err != nil || !rep.OK() {
			t.Fatalf("reconcile %+v %v", rep.Discrepancies, err)
		}
		again, err := dataset.LoadDemo(ctx, db, p)
		if err != nil || !again.AlreadyLoaded {
			t.Fatalf("second load %+v %v", again, err)
		}
	})
}
