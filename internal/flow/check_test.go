package flow_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"zhanxin/internal/apperr"
	"zhanxin/internal/flow"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// found lists a report's anomalies as "kind site-number subject-index" strings, sorted.
func found(rep flow.Report, sites map[string]string) []string {
	var out []string
	for _, a := range rep.Anomalies {
		out = append(out, a.Kind+" "+sites[a.SiteURI])
	}
	sort.Strings(out)
	return out
}

func siteNames() map[string]string {
	m := map[string]string{}
	for i := 1; i <= 6; i++ {
		m[site(i)] = fmt.Sprint("S", i)
	}
	return m
}

// TestCleanChainHasNoAnomaly: a month of mine → separation → metal flows that balance,
// yield within band, arrive whole and match the quota report finds nothing; every site's
// balance is exact.
func TestCleanChainHasNoAnomaly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.quota(t, "92")
		f.cleanMonth(t, "2024-04-05 09:00")
		f.clk.Set("2024-12-01 09:00")
		rep, err := f.svc.Check(ctx, "", mustPeriod(t, "2024-03"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Anomalies) != 0 || len(rep.Unconverted) != 0 {
			t.Fatalf("anomalies %v, unconverted %v", found(rep, siteNames()), rep.Unconverted)
		}
		// 100 t of 92% concentrate is 92 t REO; 91 t of 99.5% oxide 90.545 t.
		want := map[string][2]int64{
			site(1): {92_000_000, 92_000_000},
			site(2): {92_000_000 + 90_545_000, 92_000_000 + 90_545_000},
			site(3): {90_545_000 + 88_471_440, 90_545_000},
		}
		for _, b := range rep.Balances {
			w, ok := want[b.Site]
			if !ok {
				continue
			}
			if b.InG != w[0] || b.OutG != w[1] {
				t.Errorf("%s: in %d out %d, want %v", b.SiteName, b.InG, b.OutG, w)
			}
			delete(want, b.Site)
		}
		if len(want) != 0 {
			t.Fatalf("no balance for %v", want)
		}
	})
}

func mustPeriod(t testing.TB, s string) flow.Period {
	p, err := flow.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cleanMonth: March 2024 at A's mine (S1), A's separation plant (S2) and B's metal plant
// (S3), all entered on recorded.
func (f *fixture) cleanMonth(t testing.TB, recorded string) {
	f.capture(t, recorded,
		commission(site(1), "2024-03-02 08:00", t3(concentrate, "100", "TNE")),
		ship(site(1), site(2), "A1", "2024-03-03 08:00", t3(concentrate, "100", "TNE")),
		receive(site(2), "A1", "2024-03-04 08:00", t3(concentrate, "100000", "KGM")),
		transform(site(2), "2024-03-10 08:00", [][3]string{t3(concentrate, "100", "TNE")}, [][3]string{t3(oxide, "91", "TNE")}),
		ship(site(2), site(3), "A2", "2024-03-11 08:00", t3(oxide, "91", "TNE")),
		receive(site(3), "A2", "2024-03-12 08:00", t3(oxide, "91", "TNE")),
		// 88.47144 t REO from 90.545 t: 97.71%, inside the metal band 97–100%.
		transform(site(3), "2024-03-20 08:00", [][3]string{t3(oxide, "91", "TNE")}, [][3]string{t3(metal, "75.85", "TNE")}),
		count(site(3), "2024-03-31 20:00", t3(metal, "75.85", "TNE")),
	)
}

// TestEachCheckFindsItsAnomaly plants one anomaly of every kind beside the clean month and
// asserts that exactly those are found, each with its evidence, and that running again
// records nothing new.
func TestEachCheckFindsItsAnomaly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.quota(t, "92")
		f.cleanMonth(t, "2024-04-05 09:00")
		// A month of earlier flows at every production site, so that a site silent in
		// March is late.
		f.capture(t, "2024-03-05 09:00",
			commission(site(4), "2024-02-10 08:00", t3(concentrate, "1", "TNE")),
			count(site(4), "2024-02-28 08:00", t3(concentrate, "1", "TNE")))
		planted := map[string][]string{}
		// balance: 5 t of oxide vanish at S3 (counted stock is 5 t short).
		planted["balance"] = f.capture(t, "2024-04-05 09:00", count(site(3), "2024-03-31 21:00", t3(metal, "70.85", "TNE"), t3(oxide, "0", "TNE")))
		// yield: S2 turns 10 t of concentrate (9.2 t REO) into 7 t of oxide (6.965 t): 75.7%.
		planted["yield"] = f.capture(t, "2024-04-05 09:00",
			commission(site(1), "2024-03-05 08:00", t3(concentrate, "10", "TNE")),
			ship(site(1), site(2), "A3", "2024-03-05 09:00", t3(concentrate, "10", "TNE")),
			receive(site(2), "A3", "2024-03-05 12:00", t3(concentrate, "10", "TNE")),
			transform(site(2), "2024-03-06 08:00", [][3]string{t3(concentrate, "10", "TNE")}, [][3]string{t3(oxide, "7", "TNE")}),
			ship(site(2), site(3), "A4", "2024-03-07 08:00", t3(oxide, "7", "TNE")),
			receive(site(3), "A4", "2024-03-07 12:00", t3(oxide, "7", "TNE")),
			count(site(3), "2024-03-31 22:00", t3(metal, "70.85", "TNE"), t3(oxide, "7", "TNE")))[3:4]
		// transit loss: 20 t sent S2 → S3, 19 t arrive (5%, tolerance 1%). Not received:
		// 3 t to S3 with no receipt.
		f.capture(t, "2024-04-05 09:00",
			transform(site(2), "2024-03-14 08:00", [][3]string{t3(concentrate, "25", "TNE")}, [][3]string{t3(oxide, "22.5", "TNE")}),
			receive(site(2), "A5", "2024-03-13 08:00", t3(concentrate, "25", "TNE")),
			commission(site(1), "2024-03-12 08:00", t3(concentrate, "25", "TNE")),
			ship(site(1), site(2), "A5", "2024-03-12 09:00", t3(concentrate, "25", "TNE")),
		)
		planted["transit_loss"] = f.capture(t, "2024-04-05 09:00",
			ship(site(2), site(3), "L1", "2024-03-15 08:00", t3(oxide, "19.5", "TNE")),
			receive(site(3), "L1", "2024-03-16 08:00", t3(oxide, "18.5", "TNE")))
		planted["not_received"] = f.capture(t, "2024-04-05 09:00", ship(site(2), site(3), "L2", "2024-03-17 08:00", t3(oxide, "3", "TNE")))
		// S3 stock of oxide: 18.5 received; keep the balance check quiet there with a count.
		f.capture(t, "2024-04-05 09:00", count(site(3), "2024-03-31 23:00", t3(metal, "70.85", "TNE"), t3(oxide, "25.5", "TNE")))
		// out of region: A's mine sends ore to Shenzhen (S5).
		planted["out_of_region"] = f.capture(t, "2024-04-05 09:00",
			commission(site(1), "2024-03-20 08:00", t3(ore, "1000", "TNE")), ship(site(1), site(5), "", "2024-03-20 09:00", t3(ore, "1000", "TNE")))[1:]
		// unlicensed: A's mine sends concentrate to C, which holds no quota.
		planted["unlicensed"] = f.capture(t, "2024-04-05 09:00",
			commission(site(1), "2024-03-21 08:00", t3(concentrate, "2", "TNE")), ship(site(1), site(4), "U1", "2024-03-21 09:00", t3(concentrate, "2", "TNE")))[1:]
		// S5 receives the ore and keeps it.
		f.capture(t, "2024-04-05 09:00", receive(site(5), "", "2024-03-22 08:00", t3(ore, "1000", "TNE")), count(site(5), "2024-03-31 08:00", t3(ore, "1000", "TNE")))
		// export without licence: B ships metal out of its port.
		planted["export_unlicensed"] = f.capture(t, "2024-04-05 09:00",
			receive(site(6), "", "2024-03-25 08:00", t3(metal, "1", "TNE")), ship(site(6), "https://id.gs1.org/414/4012345000009", "X1", "2024-03-26 08:00", t3(metal, "1", "TNE")))[1:]
		// late: S4 entered its March flows on 15 April.
		planted["late_report"] = f.capture(t, "2024-04-15 09:00", receive(site(4), "U1", "2024-03-22 09:00", t3(concentrate, "2", "TNE")),
			count(site(4), "2024-03-31 09:00", t3(concentrate, "3", "TNE")))
		// quota: A's mines produced 92 + 9.2 + 23 + 1 + 1.84 t REO against 92 t reported.
		f.clk.Set("2024-12-01 09:00")
		rep, err := f.svc.Run(ctx, admin, "", "2024-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Unconverted) != 0 {
			t.Fatalf("unconverted: %v", rep.Unconverted)
		}
		got := found(rep, siteNames())
		want := []string{"balance S3", "export_unlicensed S6", "late_report S4", "not_received S2", "out_of_region S1", "quota S1",
			"transit_loss S2", "unlicensed S1", "yield S2"}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("found\n%s\nwant\n%s\n%+v", strings.Join(got, ", "), strings.Join(want, ", "), rep.Balances)
		}
		for _, a := range rep.Anomalies {
			if ids, ok := planted[a.Kind]; ok && a.Kind != "balance" {
				for _, id := range ids {
					if !strings.Contains(a.Evidence, id) {
						t.Errorf("%s: evidence %s lacks %s", a.Kind, a.Evidence, id)
					}
				}
			}
			if a.DetailZh == "" || a.DetailEn == "" {
				t.Errorf("%s: no detail", a.Kind)
			}
		}
		for _, a := range rep.Anomalies {
			switch a.Kind {
			case "quota":
				if *a.ExpectedG != 92_000_000 || *a.ActualG != 92_000_000+9_200_000+23_000_000+1_000_000+1_840_000 {
					t.Errorf("quota: reported %d, produced %d", *a.ExpectedG, *a.ActualG)
				}
			case "transit_loss":
				if *a.ExpectedG != 19_402_500 || *a.ActualG != 18_407_500 {
					t.Errorf("transit: shipped %d received %d", *a.ExpectedG, *a.ActualG)
				}
			}
		}
		if rep.New != len(want) {
			t.Fatalf("new %d", rep.New)
		}
		again, err := f.svc.Run(ctx, admin, "", "2024-03")
		if err != nil || again.New != 0 {
			t.Fatalf("second run: new %d, %v", again.New, err)
		}
		n, _, _ := db.CountFlowAnomalies(ctx)
		if n != len(want) {
			t.Fatalf("%d anomalies stored after two runs", n)
		}
		// One site only: S2's findings.
		one, err := f.svc.Check(ctx, site(2), mustPeriod(t, "2024-03"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(found(one, siteNames()), ", "); got != "not_received S2, transit_loss S2, yield S2" {
			t.Fatalf("site S2: %s", got)
		}
	})
}

// TestBadCheckInput: a bad period or an unknown site is refused by name, nothing recorded.
func TestBadCheckInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, c := range []struct{ site, period, field string }{
			{"", "2024-13", "period"}, {"", "March", "period"}, {"https://id.gs1.org/414/4012345000009", "2024-03", "site"},
		} {
			_, err := f.svc.Run(ctx, admin, c.site, c.period)
			var e *apperr.Error
			if !apperr.Is(err, apperr.Invalid) || !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Name != c.field {
				t.Errorf("%+v: %v", c, err)
			}
		}
		if n, _, _ := db.CountFlowAnomalies(ctx); n != 0 {
			t.Fatalf("%d anomalies written", n)
		}
	})
}
