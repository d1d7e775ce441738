package dataset

import (
	"context"
	"fmt"

	"zhanxin/internal/auth"
	"zhanxin/internal/reserve"
	"zhanxin/internal/store"
)

// demoReserves adds the demonstration's strategic reserve: one physical depot run by the
// first enterprise, a share held by the province, a purchase of dysprosium oxide from the
// second enterprise and a release to the magnet maker — all synthetic (【示例】).
func demoReserves(ctx context.Context, db *store.DB, p *auth.Principal, clk *demoClock, ents [3]int64, sum *DemoSummary) error {
	svc := reserve.New(db, clk.now)
	clk.at("2024-08-01 09:00")
	d, err := svc.CreateDepot(ctx, p, reserve.NewDepot{Code: "DEMO-R1", NameZh: DemoMark + "赣州稀土实物储备库", NameEn: DemoMark + "Ganzhou rare earth depot",
		Kind: reserve.Physical, RegionCode: "360700", OperatorID: ents[0], Source: demoSource, Note: demoSource})
	if err != nil {
		return fmt.Errorf("demo depot: %w", err)
	}
	if err := svc.SetShares(ctx, p, d.ID, []reserve.ShareIn{{RegionCode: "360000", Percent: "30", Note: DemoMark}}); err != nil {
		return fmt.Errorf("demo depot shares: %w", err)
	}
	for _, o := range []struct {
		day  string
		op   reserve.NewOp
		kind string
	}{
		{"2024-08-15", reserve.NewOp{Kind: reserve.Purchase, EnterpriseID: ents[1], AmountT: "50", DocNo: DemoMark + "收储合同 DEMO-2024-01",
			Reason: DemoMark + "年度收储"}, ""},
		{"2024-11-20", reserve.NewOp{Kind: reserve.Release, EnterpriseID: ents[2], AmountT: "12", DocNo: DemoMark + "投放通知 DEMO-2024-02",
			Reason: DemoMark + "保障永磁材料生产"}, ""},
	} {
		clk.at(o.day + " 10:00")
		o.op.DepotID, o.op.Product, o.op.Date = d.ID, "ox_dy2o3", o.day
		if _, err := svc.Operate(ctx, p, o.op); err != nil {
			return fmt.Errorf("demo reserve %s: %w", o.op.Kind, err)
		}
		sum.ReserveOps++
	}
	return nil
}
