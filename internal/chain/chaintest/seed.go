// Package chaintest seeds a small chain with figures whose strength is known by hand, for
// the tests of the chain package, its pages and its API.
package chaintest

import (
	"context"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Seeded is what Seed wrote.
type Seeded struct {
	Sep, PM, Recycle int64 // links: 分离冶炼 (strong), 永磁材料 (weak), 废料回收 (gap)
	Jia, Bing, Yi    int64 // enterprises: 甲 (冶炼, 链主 of Sep), 丙 (稀土 as a whole, on PM), 乙 (动力电池, on nothing)
}

// Seed writes regions, industries, the REV indicator, three enterprises, the chain "re"
// (分离冶炼 → 永磁材料 → 废料回收, with 废料回收 feeding back to 分离冶炼) and 2012 figures:
//
//	REV 2012 (亿元)   IND     RE-SMELT  RE-PM
//	赣州 360700       1000    200       10
//	江西 360000       10000   500       200
//	吉安/宜春/抚州    100     1/2/3     —
//
// so 分离冶炼's LQ is (200/1000)/(500/10000) = 4 and its share ranks first of four cities
// (quantile 1); 永磁材料's LQ is (10/1000)/(200/10000) = 0.5. 甲 reports 150 under
// RE-SMELT and 丙 8 under RE-PM.
func Seed(t testing.TB, db *store.DB) Seeded {
	t.Helper()
	ctx := context.Background()
	now := time.UnixMilli(1_700_000_000_000)
	var s Seeded
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "t"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "360800", NameZh: "吉安市", NameEn: "Ji'an", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "360900", NameZh: "宜春市", NameEn: "Yichun", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "361000", NameZh: "抚州市", NameEn: "Fuzhou", Kind: "city", ParentCode: "360000", Source: "t"},
			{Code: "360702", NameZh: "章贡区", NameEn: "Zhanggong", Kind: "county", ParentCode: "360700", Source: "t"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		for _, i := range []store.Industry{
			{Code: "ALL", NameZh: "国民经济", NameEn: "Economy", Source: "t"},
			{Code: "IND", NameZh: "工业", NameEn: "Industry", ParentCode: "ALL", Source: "t"},
			{Code: "SEI", NameZh: "战略性新兴产业", NameEn: "SEI", Source: "t"},
			{Code: "RE", NameZh: "稀土产业", NameEn: "Rare earth", ParentCode: "SEI", Source: "t"},
			{Code: "RE-SMELT", NameZh: "稀土冶炼分离加工", NameEn: "RE smelting", ParentCode: "RE", Source: "t"},
			{Code: "RE-PM", NameZh: "稀土永磁材料", NameEn: "RE magnets", ParentCode: "RE", Source: "t"},
			{Code: "NEV", NameZh: "新能源汽车", NameEn: "NEV", ParentCode: "SEI", Source: "t"},
			{Code: "NEV-BAT", NameZh: "动力电池", NameEn: "Batteries", ParentCode: "NEV", Source: "t"},
		} {
			if err := tx.UpsertIndustry(ctx, i); err != nil {
				return err
			}
		}
		if err := tx.UpsertIndicator(ctx, store.Indicator{Code: "REV", NameZh: "主营业务收入", NameEn: "Revenue", Unit: "亿元",
			PeriodType: "year", Aggregation: "sum", Decimals: 2, Source: "t"}); err != nil {
			return err
		}
		var err error
		for _, e := range []struct {
			id   *int64
			name string
		}{{&s.Jia, "甲"}, {&s.Bing, "丙"}, {&s.Yi, "乙"}} {
			if *e.id, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: e.name, RegionCode: "360702", Source: "t", CreatedAt: now}); err != nil {
				return err
			}
		}
		for _, a := range []store.EnterpriseIndustry{{EnterpriseID: s.Jia, IndustryCode: "RE-SMELT", Source: "t"},
			{EnterpriseID: s.Bing, IndustryCode: "RE", Source: "t"}, {EnterpriseID: s.Yi, IndustryCode: "NEV-BAT", Source: "t"}} {
			if err := tx.UpsertEnterpriseIndustry(ctx, a); err != nil {
				return err
			}
		}
		if err := tx.UpsertChain(ctx, store.Chain{Code: "re", NameZh: "稀土产业链", NameEn: "Rare earth chain", IndustryCode: "RE",
			Acyclic: true, Source: "t"}); err != nil {
			return err
		}
		for _, l := range []struct {
			id       *int64
			code, zh string
			ind      string
			stage    int
		}{{&s.Sep, "sep", "分离冶炼", "RE-SMELT", 1}, {&s.PM, "pm", "永磁材料", "RE-PM", 2}, {&s.Recycle, "recycle", "废料回收", "RE", 3}} {
			li, err := chain.CreateLinkTx(ctx, tx, "re", chain.LinkInput{Code: l.code, NameZh: l.zh, IndustryCode: l.ind, Stage: l.stage, Source: "t"})
			if err != nil {
				return err
			}
			*l.id = li.ID
		}
		for _, e := range []store.ChainEdge{{From: s.Sep, To: s.PM, Kind: "flow"}, {From: s.PM, To: s.Recycle, Kind: "flow"},
			{From: s.Recycle, To: s.Sep, Kind: "feedback"}} {
			if err := chain.AddEdgeTx(ctx, tx, e); err != nil {
				return err
			}
		}
		if _, err := chain.PlaceTx(ctx, tx, chain.PlaceInput{LinkID: s.Sep, EnterpriseID: s.Jia, Leader: true, Source: "t"}); err != nil {
			return err
		}
		_, err = chain.PlaceTx(ctx, tx, chain.PlaceInput{LinkID: s.PM, EnterpriseID: s.Bing, Source: "t"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st := &stats.Service{DB: db, Now: func() time.Time { return now }}
	p := auth.CLI("chaintest")
	for _, f := range []stats.Input{
		{Region: "360700", Industry: "IND", Value: "1000"}, {Region: "360700", Industry: "RE-SMELT", Value: "200"},
		{Region: "360700", Industry: "RE-PM", Value: "10"},
		{Region: "360000", Industry: "IND", Value: "10000"}, {Region: "360000", Industry: "RE-SMELT", Value: "500"},
		{Region: "360000", Industry: "RE-PM", Value: "200"},
		{Region: "360800", Industry: "IND", Value: "100"}, {Region: "360800", Industry: "RE-SMELT", Value: "1"},
		{Region: "360900", Industry: "IND", Value: "100"}, {Region: "360900", Industry: "RE-SMELT", Value: "2"},
		{Region: "361000", Industry: "IND", Value: "100"}, {Region: "361000", Industry: "RE-SMELT", Value: "3"},
		{Region: "360702", Industry: "RE-SMELT", EnterpriseID: s.Jia, Value: "150"},
		{Region: "360702", Industry: "RE-PM", EnterpriseID: s.Bing, Value: "8"},
	} {
		f.Indicator, f.Period, f.Source = "REV", "2012", "t"
		if _, err := st.Enter(ctx, p, f); err != nil {
			t.Fatalf("fact %+v: %v", f, err)
		}
	}
	return s
}
