package dataset_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/flow"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// TestDemoFlowsPlantedAnomalies: the demonstration year's flows, checked over 2024, give
// exactly the planted anomalies and nothing else; every month balances; loading the demo
// again captures nothing new.
func TestDemoFlowsPlantedAnomalies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		if _, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		if _, err := dataset.LoadDemo(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		events, err := db.CountEPCISEvents(ctx)
		if err != nil || events == 0 {
			t.Fatalf("%d events, %v", events, err)
		}
		svc := &flow.Service{DB: db, Now: time.Now}
		rep, err := svc.Run(ctx, p, "", "2024")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Unconverted) != 0 {
			t.Fatalf("unconverted %v", rep.Unconverted)
		}
		var got []string
		for _, a := range rep.Anomalies {
			got = append(got, a.Kind+" "+siteName(t, db, a.SiteURI))
		}
		sort.Strings(got)
		if strings.Join(got, "\n") != strings.Join(dataset.DemoFlowPlanted, "\n") {
			t.Fatalf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(dataset.DemoFlowPlanted, "\n"))
		}
		for _, b := range rep.Balances {
			if !b.OK || !strings.HasPrefix(b.SiteName, dataset.DemoMark) {
				t.Errorf("balance %+v", b)
			}
		}
		// Month by month the same findings appear in their months, and nothing else.
		for _, m := range []string{"2024-02", "2024-03"} {
			r, err := svc.Check(ctx, "", mustPeriod(t, m))
			if err != nil || len(r.Anomalies) != 0 {
				t.Fatalf("%s: %+v %v", m, r.Anomalies, err)
			}
		}
		again, err := dataset.LoadDemo(ctx, db, p)
		if err != nil || !again.AlreadyLoaded {
			t.Fatalf("second load %+v %v", again, err)
		}
		if n, _ := db.CountEPCISEvents(ctx); n != events {
			t.Fatalf("events %d → %d", events, n)
		}
	})
}

func mustPeriod(t *testing.T, s string) flow.Period {
	p, err := flow.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func siteName(t *testing.T, db *store.DB, uri string) string {
	ls, err := db.EPCISLocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.URI == uri {
			return l.NameZh
		}
	}
	return uri
}
