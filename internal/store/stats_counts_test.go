package store_test

import (
	"testing"

	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestAnalyzeStatsRunsOnBothEngines: the statement an import runs after a large file is
// valid on each engine (its errors are otherwise ignored, as the import is committed).
func TestAnalyzeStatsRunsOnBothEngines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.AnalyzeStats(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRegionPeriodCountsAddUp: changes to a pair's counts add up, and a pair whose counts
// return to zero is no longer listed.
func TestRegionPeriodCountsAddUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		add := func(cs ...store.PairCounts) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.AddRegionPeriodCounts(ctx, cs) }); err != nil {
				t.Fatal(err)
			}
		}
		var a, b store.PairCounts
		a.Region, a.Period, b.Region, b.Period = "360702", "2012", "360703", "2012"
		a.Count("draft", 7, +1)
		a.Count("draft", 0, +1)
		b.Count("approved", 0, +1)
		add(a, b)
		var move store.PairCounts
		move.Region, move.Period = "360702", "2012"
		move.Count("draft", 0, -1)
		move.Count("approved", 0, +1)
		var gone store.PairCounts
		gone.Region, gone.Period = "360703", "2012"
		gone.Count("approved", 0, -1)
		add(move, gone)
		got, err := db.RegionPeriodCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := store.PairCounts{Region: "360702", Period: "2012", Draft: 1, Approved: 1, Published: 1}
		if len(got) != 1 || got[[2]string{"360702", "2012"}] != want {
			t.Fatalf("counts %+v, want only %+v", got, want)
		}
	})
}
