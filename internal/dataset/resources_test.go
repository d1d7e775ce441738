package dataset_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestDefaultResourcesAreTheArticlesAndReferenceFigures(t *testing.T) {
	article, err := os.ReadFile("default/article.zh-Hans.txt")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		if _, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		deps, err := db.ListDeposits(ctx, store.ListQuery{})
		if err != nil || deps.Total != 2 {
			t.Fatalf("deposits %+v %v", deps, err)
		}
		want := map[string][3]int64{"GZ-REE-ionic": {838200, 456900, 4000}, "GZ-W": {1140000, 490000, 3900}}
		for _, d := range deps.Rows {
			w := want[d.Code]
			if *d.ProvenG != w[0]*1_000_000 || *d.RemainingG != w[1]*1_000_000 || *d.NationalShareBP != w[2] || d.ShareQualifier != "about" {
				t.Errorf("%s: %d / %d g, share %d bp %s", d.Code, *d.ProvenG, *d.RemainingG, *d.NationalShareBP, d.ShareQualifier)
			}
			if d.Source != "article" || d.SourceStatus != "V" || d.Quote == "" || !strings.Contains(string(article), d.Quote) {
				t.Errorf("%s: source %s/%s, quote %q not in the article", d.Code, d.Source, d.SourceStatus, d.Quote)
			}
			if d.GradePPM != nil {
				t.Errorf("%s: a grade the article does not give", d.Code)
			}
		}
		// Units that are unknown stay unknown: the tungsten reserve's basis, the oxide
		// content of downstream products.
		prods, _ := db.ListProducts(ctx, store.ListQuery{})
		for _, p := range prods.Rows {
			switch p.Code {
			case "w_conc":
				if p.OxidePPM == nil || *p.OxidePPM != 650000 {
					t.Errorf("w_conc oxide %v", p.OxidePPM)
				}
			case "apt", "w_powder", "tungsten", "ox_dy2o3":
				if p.OxidePPM != nil {
					t.Errorf("%s: oxide content %d no source gives", p.Code, *p.OxidePPM)
				}
			}
		}
		// REFERENCE.md §1: 2018 ionic 19,150 t with Jiangxi's 8,500 t passed down.
		l := ledger.New(db, time.Now)
		for code, w := range map[string]int64{"reo_ionic.mining.2018.nation": 19150 - 8500, "reo_ionic.mining.2018.360000": 8500,
			"reo_rock.mining.2014.nation": 87100, "wo3_65.mining.2024.nation": 114000 - 40300, "reo.smelting_separation.2023.nation": 243850} {
			b, err := l.Balance(ctx, p, code)
			if err != nil || b.Available() != w*1_000_000 {
				t.Errorf("%s: %+v %v, want %d t", code, b, err, w)
			}
		}
		// No split the sources do not give: 2022–2024 rare earth mining is a total only.
		if _, err := db.LedgerByKey(ctx, "reo_ionic", "mining", 2022); err == nil {
			t.Error("an unverified 2022 ionic split was loaded")
		}
		gs, _ := db.ListQuotaGrants(ctx, store.GrantFilter{}, store.ListQuery{})
		for _, g := range gs.Rows {
			if !strings.HasPrefix(g.Source, "REFERENCE.md §") || (g.SourceStatus != "V" && g.SourceStatus != "D") || g.GrantedOn != "" {
				t.Errorf("grant %s → %s: source %q status %s date %q", g.FromAccount, g.ToAccount, g.Source, g.SourceStatus, g.GrantedOn)
			}
		}
		rep, err := l.Reconcile(ctx, p)
		if err != nil || !rep.OK() {
			t.Fatalf("reconcile %+v %v", rep, err)
		}
	})
}
