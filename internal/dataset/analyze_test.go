package dataset_test

import (
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The loader leaves the query planner with statistics of what it loaded, as an import
// does: before the load the planner knows nothing of facts, after it the row count it
// plans with is the real one.
func TestLoadRefreshesPlannerStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		before, err := db.PlannerRowEstimate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if before > 0 {
			t.Fatalf("an empty database's planner already estimates %d facts", before)
		}
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		n, err := db.CountRows(ctx, "facts")
		if err != nil {
			t.Fatal(err)
		}
		after, err := db.PlannerRowEstimate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != defaultFacts || after != n {
			t.Fatalf("after the load the planner estimates %d facts, the table has %d (want %d)", after, n, defaultFacts)
		}
	})
}
