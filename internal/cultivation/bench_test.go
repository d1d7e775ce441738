package cultivation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"zhanxin/internal/cultivation"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// BenchmarkRegister judges one class with an indicator rule (主营业务收入 ≥ 2000 万元, latest
// period) and a designation rule for 5,000 enterprises with two years of figures each, on
// SQLite, against its floor: the reads the judgement needs (the enterprises and their
// REV values) without judging anything. Run:
//
//	go test ./internal/cultivation -run '^$' -bench Register -benchtime 20x
func BenchmarkRegister(b *testing.B) {
	const n = 5000
	ctx := context.Background()
	db := storetest.SQLite(b)
	now := time.Now()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertRegion(ctx, store.Region{Code: "360702", NameZh: "章贡区", Kind: "county", Source: "bench"}); err != nil {
			return err
		}
		if err := tx.UpsertIndustry(ctx, store.Industry{Code: "RE", NameZh: "稀土", NameEn: "RE", Source: "bench"}); err != nil {
			return err
		}
		if err := tx.UpsertIndicator(ctx, store.Indicator{Code: "REV", NameZh: "主营业务收入", NameEn: "Revenue", Unit: "亿元", PeriodType: "year",
			Aggregation: "sum", Decimals: 2, Source: "bench"}); err != nil {
			return err
		}
		if err := tx.UpsertEnterpriseClass(ctx, store.EnterpriseClass{Code: "above_scale", NameZh: "规上", Combine: "all", Source: "bench"}); err != nil {
			return err
		}
		for _, c := range []store.ClassCriterion{{ClassCode: "above_scale", Kind: "indicator", Indicator: "REV", Comparison: ">=", Threshold: 200_000},
			{ClassCode: "above_scale", Kind: "designated"}} {
			if _, err := tx.InsertClassCriterion(ctx, c); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: fmt.Sprintf("企业%05d", i), RegionCode: "360702", Source: "bench", CreatedAt: now})
			if err != nil {
				return err
			}
			for y, v := range []int64{int64(i) * 100, int64(i) * 80} {
				f := store.Fact{FactKey: store.FactKey{Indicator: "REV", Region: "360702", Industry: "RE", EnterpriseID: id, Period: fmt.Sprint(2012 + y)},
					Value: v, Entered: "x", Source: "bench", SourceStatus: "report", Revision: 1, CreatedBy: "bench", CreatedAt: now}
				if _, err := tx.InsertFact(ctx, f, "approved", ""); err != nil {
					return err
				}
			}
			if i%10 == 0 {
				if err := tx.UpsertDesignation(ctx, store.Designation{EnterpriseID: id, ClassCode: "above_scale", Source: "bench"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s := svc(db)
	b.Run("register", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, p, _, err := s.Register(ctx, planner, "above_scale", cultivation.RegisterFilter{Qualified: true}, store.ListQuery{Limit: 50})
			if err != nil || p.Total == 0 {
				b.Fatalf("%v %d", err, p.Total)
			}
		}
	})
	b.Run("read-floor", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ents, err := db.AllEnterprises(ctx, store.EnterpriseScope{All: true})
			if err != nil || len(ents) != n {
				b.Fatal(err)
			}
			vals, err := db.EnterpriseFactValues(ctx, nil, []string{"REV"})
			if err != nil || len(vals) != n {
				b.Fatal(err)
			}
			if _, err := db.Designations(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
