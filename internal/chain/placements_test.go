package chain_test

import (
	"fmt"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/chain/chaintest"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestPlacementFiguresAgreeWithTheTwoReads: the chain page's one-pass read returns the
// same placements, in the same order, as ChainPlacements, and for each enterprise exactly
// its current figures of the indicator and period — once, even for an enterprise placed
// on two links, and none for an enterprise without figures or for another period.
func TestPlacementFiguresAgreeWithTheTwoReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := chaintest.Seed(t, db)
		// 丙 also sits on 废料回收 and reports a second line (RE-SMELT) and a 2013 figure;
		// 丁, without a figure, joins 废料回收 as its 链主.
		var ding int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := chain.PlaceTx(ctx, tx, chain.PlaceInput{LinkID: s.Recycle, EnterpriseID: s.Bing, Source: "t"}); err != nil {
				return err
			}
			var err error
			if ding, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "丁", Source: "t", CreatedAt: time.UnixMilli(1_700_000_000_000)}); err != nil {
				return err
			}
			if err := tx.UpsertEnterpriseIndustry(ctx, store.EnterpriseIndustry{EnterpriseID: ding, IndustryCode: "RE", Source: "t"}); err != nil {
				return err
			}
			_, err = chain.PlaceTx(ctx, tx, chain.PlaceInput{LinkID: s.Recycle, EnterpriseID: ding, Leader: true, Source: "t"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		st := &stats.Service{DB: db, Now: func() time.Time { return time.UnixMilli(1_700_000_000_000) }}
		for _, f := range []stats.Input{{Region: "360702", Industry: "RE-SMELT", EnterpriseID: s.Bing, Value: "3", Period: "2012"},
			{Region: "360702", Industry: "RE-PM", EnterpriseID: s.Bing, Value: "99", Period: "2013"}} {
			f.Indicator, f.Source = "REV", "t"
			if _, err := st.Enter(ctx, auth.CLI("t"), f); err != nil {
				t.Fatal(err)
			}
		}
		want, err := db.ChainPlacements(ctx, "re")
		if err != nil {
			t.Fatal(err)
		}
		got, figs, err := db.ChainPlacementFigures(ctx, "re", "REV", "2012")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 4 {
			t.Errorf("placements\n got %+v\nwant %+v", got, want)
		}
		// The leader first on 废料回收, whatever the names.
		if got[2].EnterpriseID != ding || !got[2].Leader {
			t.Errorf("废料回收's first placement: %+v", got[2])
		}
		wantFigs := map[int64]string{s.Jia: fmt.Sprintf("[{%d RE-SMELT 150000000}]", s.Jia),
			s.Bing: fmt.Sprintf("[{%[1]d RE-PM 8000000} {%[1]d RE-SMELT 3000000}]", s.Bing)}
		if len(figs) != 2 {
			t.Errorf("figures for %d enterprises, want 2: %+v", len(figs), figs)
		}
		for ent, w := range wantFigs {
			if g := fmt.Sprint(figs[ent]); g != w {
				t.Errorf("figures of %d: %s, want %s", ent, g, w)
			}
		}
	})
}
