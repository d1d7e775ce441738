package dataset_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/reserve"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The demonstration's reserve: one labelled physical depot holding 50 − 12 = 38 t of
// dysprosium oxide, the province's 30% share of it, both operations on the stock card, the
// reserve ledger reconciled; a second load adds nothing.
func TestDemonstrationReserve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		if _, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		if _, err := dataset.LoadDemo(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		svc := reserve.New(db, time.Now)
		ds, err := svc.Depots(ctx, p)
		if err != nil || len(ds) != 1 || ds[0].Code != "DEMO-R1" || !strings.HasPrefix(ds[0].NameZh, dataset.DemoMark) ||
			!strings.Contains(ds[0].Source, "示例") {
			t.Fatalf("demo depots %+v %v", ds, err)
		}
		d, err := svc.Depot(ctx, p, ds[0].ID)
		if err != nil || len(d.Stocks) != 1 || d.Stocks[0].Product != "ox_dy2o3" || d.Stocks[0].Balance() != 38*1_000_000 ||
			len(d.Holdings) != 1 || d.Holdings[0].HoldingG != 11_400_000 {
			t.Fatalf("demo depot %+v %v", d, err)
		}
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, ledger.ChinaTime)
		card, err := svc.StockCard(ctx, p, d.Depot.ID, "ox_dy2o3", from, from.AddDate(1, 0, 0).Add(-time.Millisecond))
		if err != nil || len(card.Statement.Lines) != 2 || len(card.Ops) != 2 || card.Ops[1].Kind != reserve.Release ||
			!strings.HasPrefix(card.Ops[0].DocNo, dataset.DemoMark) {
			t.Fatalf("demo stock card %+v %v", card, err)
		}
		rep, err := ledger.New(db, time.Now).Reconcile(ctx, p)
		if err != nil || !rep.OK() {
			t.Fatalf("reconcile %+v %v", rep.Discrepancies, err)
		}
		if again, err := dataset.LoadDemo(ctx, db, p); err != nil || !again.AlreadyLoaded {
			t.Fatalf("second load %+v %v", again, err)
		}
		if ds, _ := svc.Depots(ctx, p); len(ds) != 1 {
			t.Fatalf("second load added depots: %d", len(ds))
		}
	})
}

// The demonstration checks the names it will create before writing: a taken one refuses
// the whole load, naming it in both languages, with nothing written.
func TestDemonstrationRefusesTakenNamesUntouched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		if _, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.New(db, time.Now).CreateLedger(ctx, p, ledger.REOIonic, ledger.Mining, 2024); err != nil {
			t.Fatal(err)
		}
		before, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = dataset.LoadDemo(ctx, db, p)
		e := apperr.From(err)
		cat, cerr := i18n.Load()
		if cerr != nil {
			t.Fatal(cerr)
		}
		zh, en := cat.T(i18n.Zh, e.Key, e.Args...), cat.T(i18n.En, e.Key, e.Args...)
		if e.Kind != apperr.Conflict || !strings.Contains(zh, "reo_ionic/mining/2024") || !strings.Contains(en, "reo_ionic/mining/2024") || zh == en {
			t.Fatalf("taken ledger: %v (%q / %q)", err, zh, en)
		}
		after, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if err != nil || after.Total != before.Total {
			t.Fatalf("audit %d → %d (%v)", before.Total, after.Total, err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.EnterpriseByName(ctx, dataset.DemoMark+"赣南稀土矿业甲公司")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a demonstration enterprise was written: %v", err)
		}
	})
}
