package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

// The default dataset, record by record: 20 regions, 17 enterprises, 11 sources, 49
// industries, 49 indicators, 12 zones (12 regions, 12 layout roles, 6 member lists), 69
// figures (43 of the article, 26 of REFERENCE.md §6), the plan (1 plan, 3 stages, 5 named
// goals, 14 targets), the chains (6 chains, 47 links, 37 edges, 11 enterprise industries,
// 11 placements), the parks (7 parks, 5 industry lists, 10 goal–target pairings), the
// cultivation, finance, innovation and policy records (9 enterprise classes, 8 default
// rules, 5 designations by the article, 3 funds, 9 innovation units, 3 policy documents,
// 1 instrument).
//
// Resources (resources_test.go): 24 products, 2 deposits, 52 quota ledgers with 3 accounts
// each, 6 provincial accounts, and 58 grants (52 national totals, 6 provincial shares).
// A grant is audited as quota.grant and by the ledger's batch record, not as dataset.load.
const (
	defaultFacts     = 69
	defaultGrants    = 52 + 6
	defaultResources = 24 + 2 + 52*(1+3) + 6 + defaultGrants
	defaultRecords   = 20 + 17 + 11 + 49 + 49 + (12 + 12 + 6) + defaultFacts + (1 + 3 + 5 + 14) +
		(6 + 47 + 37 + 11 + 11) + // chains
		(7 + 5 + 10) + // parks
		(9 + 8 + 5 + 3 + 9 + 3 + 1) + // cultivation, finance, innovation, policy
		defaultResources
)

func TestDefaultDatasetLoadsOnceAndIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		sum, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default())
		if err != nil {
			t.Fatal(err)
		}
		if sum.Created != defaultRecords || sum.Updated != 0 {
			t.Fatalf("first load: %+v", sum)
		}
		g, err := db.RegionByCode(ctx, "360783")
		if err != nil || g.NameZh != "龙南市" || g.Aliases != "龙南县" || g.ParentCode != "360700" || g.Kind != "county" {
			t.Fatalf("龙南市: %+v %v", g, err)
		}
		regions, _ := db.ListRegions(ctx, store.ListQuery{})
		counties := 0
		for _, r := range regions.Rows {
			if r.ParentCode == "360700" && r.Kind == "county" {
				counties++
			}
		}
		if counties != 18 {
			t.Fatalf("Ganzhou has %d county-level divisions, want 18", counties)
		}
		ents, _ := db.ListEnterprises(ctx, store.EnterpriseScope{All: true}, store.ListQuery{})
		if ents.Total != 17 {
			t.Fatalf("%d enterprises, want the 17 the article names", ents.Total)
		}
		for _, e := range ents.Rows {
			// No invented codes or places: the article gives neither.
			if e.USCC != "" || e.RegionCode != "" || !strings.Contains(e.Source, "文章") || e.Note == "" {
				t.Fatalf("enterprise %+v carries something the article does not say", e)
			}
		}
		// One audit record per new record: definitions as dataset.load, figures as
		// fact.load (written by the statistics core, which the figures go through).
		audits, _ := db.ListAudit(ctx, store.AuditFilter{Action: "dataset.load"}, store.ListQuery{})
		factAudits, _ := db.ListAudit(ctx, store.AuditFilter{Action: "fact.load"}, store.ListQuery{})
		grantAudits, _ := db.ListAudit(ctx, store.AuditFilter{Action: "quota.grant"}, store.ListQuery{})
		if audits.Total != defaultRecords-defaultFacts-defaultGrants || factAudits.Total != defaultFacts || grantAudits.Total != defaultGrants {
			t.Fatalf("%d + %d audit records for %d new records (%d figures)", audits.Total, factAudits.Total, defaultRecords, defaultFacts)
		}
		sum, err = dataset.Load(ctx, db, p, time.Now(), dataset.Default())
		if err != nil || sum.Created != 0 || sum.Updated != 0 || sum.Unchanged != defaultRecords {
			t.Fatalf("second load: %+v %v", sum, err)
		}
		all, _ := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{})
		if all.Total != defaultRecords+defaultGrants { // + the ledger's record of each grant's transfer
			t.Fatalf("an unchanged reload wrote audit records: %d", all.Total)
		}
	})
}

func writeDir(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDirectoryDatasetUpdatesAndRefusesBadCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := auth.CLI("t")
		if _, err := dataset.Load(ctx, db, p, time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		dir := writeDir(t, map[string]string{"enterprises.json": `[{"name_zh":"虔东稀土","uscc":"91350100M000100Y43","note":"n","source":"s"}]`})
		fsys, err := dataset.Dir(dir)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := dataset.Load(ctx, db, p, time.Now(), fsys)
		if err != nil || sum.Updated != 1 {
			t.Fatalf("update: %+v %v", sum, err)
		}
		a, _ := db.ListAudit(ctx, store.AuditFilter{Entity: "enterprise"}, store.ListQuery{Limit: 1})
		if !strings.Contains(a.Rows[0].Before, `"USCC":""`) || !strings.Contains(a.Rows[0].After, "91350100M000100Y43") {
			t.Fatalf("update audit: %+v", a.Rows[0])
		}
		// One bad code anywhere: nothing of the file is written.
		dir = writeDir(t, map[string]string{"enterprises.json": `[{"name_zh":"新企业甲","source":"s"},{"name_zh":"新企业乙","uscc":"91350100M000100Y44","source":"s"}]`})
		fsys, _ = dataset.Dir(dir)
		_, err = dataset.Load(ctx, db, p, time.Now(), fsys)
		if e := apperr.From(err); e.Code != "bad_dataset" {
			t.Fatalf("bad code: %v", err)
		}
		ents, _ := db.ListEnterprises(ctx, store.EnterpriseScope{All: true}, store.ListQuery{Filter: "新企业"})
		if ents.Total != 0 {
			t.Fatalf("a refused dataset wrote %d enterprises", ents.Total)
		}
		dir = writeDir(t, map[string]string{"regions.json": `[{"code": 360702}]`})
		fsys, _ = dataset.Dir(dir)
		if _, err := dataset.Load(ctx, db, p, time.Now(), fsys); apperr.From(err).Code != "bad_dataset" {
			t.Fatalf("malformed JSON: %v", err)
		}
		if _, err := dataset.Load(ctx, db, &auth.Principal{ID: 5, Role: auth.Planner}, time.Now(), dataset.Default()); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a planner loaded a dataset: %v", err)
		}
		if _, err := dataset.Dir(filepath.Join(dir, "nope")); err == nil {
			t.Fatal("a missing directory was accepted")
		}
	})
}
