package park_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/park"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var ctx = context.Background()

func load(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
		t.Fatal(err)
	}
}

func svc(db *store.DB) *park.Service {
	return &park.Service{DB: db, Now: func() time.Time { return time.UnixMilli(1_750_000_000_000).UTC() }}
}

var (
	planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}
	viewer  = &auth.Principal{ID: 2, Username: "viewer", Role: auth.Viewer}
)

func audits(t *testing.T, db *store.DB) int {
	t.Helper()
	p, err := db.ListAudit(ctx, store.AuditFilter{}, store.ListQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// The default parks are the article's named ones, each with its sentence; the counts the
// article gives (6 provincial bases, 30 featured parks) are facts, not rows.
func TestDefaultParksAreTheArticlesNamedOnes(t *testing.T) {
	article, err := fs.ReadFile(dataset.Default(), "article.zh-Hans.txt")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		s := svc(db)
		all, err := s.List(ctx, viewer, "", store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Total != 7 {
			t.Fatalf("%d parks, want the 7 the article names", all.Total)
		}
		for _, p := range all.Rows {
			if p.Quote == "" || !strings.Contains(string(article), p.Quote) {
				t.Errorf("%s: quote %q is not a sentence of the article", p.Code, p.Quote)
			}
			// The article names each park in its quote (the featured ones without 赣州 and
			// the bracketed qualifier).
			// 赣州新型电子材料产业基地 is written "(赣州新型电子材料产业)基地".
			short := strings.TrimSuffix(strings.TrimSuffix(p.NameZh, "（特色产业园区）"), "基地")
			if !strings.Contains(p.Quote, short) {
				t.Errorf("%s: the quote does not name %q", p.Code, short)
			}
		}
		bases, _ := s.List(ctx, viewer, "provincial_base", store.ListQuery{})
		featured, _ := s.List(ctx, viewer, "featured_park", store.ListQuery{})
		if bases.Total != 3 || featured.Total != 2 {
			t.Fatalf("named bases %d (want 3 of 6), named featured parks %d (want 2 of 30)", bases.Total, featured.Total)
		}
		for _, c := range []struct{ code, status, region string }{
			{"park:national-re-sci", "under_construction", ""}, {"park:cu-al-circular", "under_construction", ""},
			{"base:ganxian-wre", "operating", "360704"}, {"base:gzedz-rew", "operating", "zone:gzedz"}, {"featured:fluoro-chem", "planned", ""},
		} {
			d, err := s.Get(ctx, viewer, c.code)
			if err != nil || d.Park.Status != c.status || d.Park.RegionCode != c.region {
				t.Errorf("%s: %+v %v, want status %s region %q", c.code, d.Park, err, c.status, c.region)
			}
		}
		l, err := s.Layout(ctx, viewer)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]string{}
		for _, f := range l.Counts {
			counts[f.Indicator] = fmt.Sprintf("%s:%d:%s", f.Period, f.Value/1_000_000, f.Source)
		}
		if counts["BASE_PROV"] != "2013:6:article" || counts["PARK_FEATURED"] != "2013:30:article" {
			t.Fatalf("layout counts %v, want 6 bases and 30 featured parks from the article", counts)
		}
		placed := map[string]string{}
		for _, p := range l.Parks {
			placed[p.Park.Code] = p.County
		}
		if placed["base:ganxian-wre"] != "360704" || placed["base:gzedz-rew"] != "" || placed["park:national-re-sci"] != "" {
			t.Fatalf("placed on the map: %v; only 赣县 (360704) is stated", placed)
		}
		var wings []string
		for _, z := range l.Zones {
			if z.Info.Role == "wing" {
				for _, m := range z.Members {
					wings = append(wings, m.Code)
				}
			}
		}
		if strings.Join(wings, ",") != "360728,360729,360783,360732,360781" {
			t.Fatalf("wing members %v", wings)
		}
		measured := map[string][]string{}
		for _, pos := range l.Positioning {
			for _, tv := range pos.Targets {
				measured[pos.Goal.Code] = append(measured[pos.Goal.Code], tv.Code)
			}
		}
		if len(l.Positioning) != 5 || strings.Join(measured["g-base-pm"], ",") != "t2017-magnet,t2017-pm-motor" ||
			strings.Join(measured["g-base-carbide"], ",") != "t2017-wc" || len(measured["g-project-nev"]) != 4 {
			t.Fatalf("positioning → targets: %v", measured)
		}
	})
}

func TestSaveParkChecksAuditsAndRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		s := svc(db)
		before := audits(t, db)
		good := park.Input{Code: "park:test", NameZh: "测试园区", Kind: "park", Status: "planned", RegionCode: "360702",
			Source: "test", Industries: []string{"RE", "W"}}
		if _, err := s.Save(ctx, viewer, good); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer saved a park: %v", err)
		}
		bad := []struct {
			name, field string
			in          park.Input
		}{
			{"unknown region", "region_code", park.Input{Code: "park:x", NameZh: "x", Kind: "park", Status: "planned", Source: "t", RegionCode: "999999"}},
			{"unknown industry", "industries", park.Input{Code: "park:x", NameZh: "x", Kind: "park", Status: "planned", Source: "t", Industries: []string{"NOPE"}}},
			{"unknown enterprise", "enterprises", park.Input{Code: "park:x", NameZh: "x", Kind: "park", Status: "planned", Source: "t", Enterprises: []int64{999999}}},
			{"unknown kind", "kind", park.Input{Code: "park:x", NameZh: "x", Kind: "garden", Status: "planned", Source: "t"}},
			{"unknown status", "status", park.Input{Code: "park:x", NameZh: "x", Kind: "park", Status: "dreaming", Source: "t"}},
			{"no name", "name_zh", park.Input{Code: "park:x", Kind: "park", Status: "planned", Source: "t"}},
			{"bad code", "code", park.Input{Code: "Park X", NameZh: "x", Kind: "park", Status: "planned", Source: "t"}},
		}
		for _, c := range bad {
			_, err := s.Save(ctx, planner, c.in)
			e := apperr.From(err)
			if e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != c.field {
				t.Errorf("%s: %v %+v, want Invalid on %s", c.name, err, e.Fields, c.field)
			}
		}
		if _, err := db.ParkByCode(ctx, "park:x"); err != store.ErrNotFound {
			t.Fatalf("a refused park was written: %v", err)
		}
		if n := audits(t, db); n != before {
			t.Fatalf("refusals wrote %d audit entries", n-before)
		}
		if _, err := s.Save(ctx, planner, good); err != nil {
			t.Fatal(err)
		}
		d, err := s.Get(ctx, planner, "park:test")
		if err != nil || len(d.Industries) != 2 || d.Region.Code != "360702" {
			t.Fatalf("saved park: %+v %v", d, err)
		}
		a, err := db.ListAudit(ctx, store.AuditFilter{Entity: "park", EntityID: "park:test"}, store.ListQuery{})
		if err != nil || a.Total != 1 || a.Rows[0].Action != "park.create" || a.Rows[0].Actor != "planner" {
			t.Fatalf("audit of the save: %+v %v", a, err)
		}
		if _, err := s.Get(ctx, viewer, "park:nope"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown park: %v", err)
		}
	})
}

// An enterprise user reading a park sees only its own enterprise among the park's.
func TestParkEnterprisesFollowTheReadersScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		now := time.Now()
		var a, b int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			if a, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "甲企业", RegionCode: "360704", Source: "t", CreatedAt: now}); err != nil {
				return err
			}
			b, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "乙企业", RegionCode: "360704", Source: "t", CreatedAt: now})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s := svc(db)
		if _, err := s.Save(ctx, planner, park.Input{Code: "base:ganxian-wre", NameZh: "赣县钨和稀土产业配套基地", Kind: "provincial_base",
			Status: "operating", RegionCode: "360704", Source: "article", Enterprises: []int64{a, b}}); err != nil {
			t.Fatal(err)
		}
		names := func(p *auth.Principal) []string {
			d, err := s.Get(ctx, p, "base:ganxian-wre")
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range d.Enterprises {
				out = append(out, e.NameZh)
			}
			return out
		}
		if got := names(planner); strings.Join(got, ",") != "乙企业,甲企业" && strings.Join(got, ",") != "甲企业,乙企业" {
			t.Fatalf("planner sees %v", got)
		}
		if got := names(&auth.Principal{ID: 9, Role: auth.Enterprise, EnterpriseID: a}); strings.Join(got, ",") != "甲企业" {
			t.Fatalf("enterprise user of 甲 sees %v", got)
		}
		if got := names(viewer); len(got) != 0 {
			t.Fatalf("a viewer sees enterprises %v", got)
		}
	})
}
