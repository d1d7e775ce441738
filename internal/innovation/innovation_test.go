package innovation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/innovation"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

var planner = &auth.Principal{ID: 1, Username: "planner", Role: auth.Planner}

func TestInnovationUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := dataset.Load(ctx, db, auth.CLI("test"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		s := &innovation.Service{DB: db, Now: time.Now}
		o, err := s.Units(ctx, planner)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]store.InnovationUnit{}
		for _, u := range o.Units {
			names[u.NameZh] = u
		}
		for _, n := range []string{"国家离子型稀土资源高效开发利用工程研究中心", "国家钨与稀土产品质量监督检验中心", "江西钨与稀土研究院"} {
			u, ok := names[n]
			if !ok || u.Status != "operating" || u.Source != "article" || !strings.Contains(u.Quote, n) {
				t.Errorf("%s: %+v", n, u)
			}
		}
		if u := names["国家南方离子型稀土与钨工程(技术)研究中心"]; u.Status != "proposed" {
			t.Errorf("the proposed centre is %q", u.Status)
		}
		// The counts are facts, unnamed centres have no row.
		got := map[string]int64{}
		for _, f := range o.Counts {
			got[f.Indicator] = f.Value
			if f.Period != "2013" || f.Source != "article" {
				t.Errorf("count %s: %+v", f.Indicator, f)
			}
		}
		if got["PLATFORM_NAT"] != 2_000_000 || got["POSTDOC"] != 1_000_000 || got["PLATFORM_PROV"] != 8_000_000 {
			t.Errorf("counts %v", got)
		}
		if len(o.Units) != 9 {
			t.Errorf("%d units, want the 9 the article names", len(o.Units))
		}

		// Linking to a chain link and enterprises; an enterprise user sees only itself among them.
		ents, _ := db.AllEnterprises(ctx, store.EnterpriseScope{All: true})
		a, b := ents[0].ID, ents[1].ID
		var link int64
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertChain(ctx, store.Chain{Code: "RE", NameZh: "稀土产业链", IndustryCode: "RE", Source: "test"}); err != nil {
				return err
			}
			var err error
			link, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "RE", Code: "sep", NameZh: "分离冶炼", IndustryCode: "RE", Source: "test"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.AddUnit(ctx, planner, innovation.NewUnit{NameZh: "稀土永磁产业技术联盟", Category: "alliance", Status: "building", Source: "市工信局",
			LinkIDs: []int64{link}, Enterprises: []int64{a, b}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Link(ctx, planner, names["江西钨与稀土研究院"].ID, link, 0); err != nil {
			t.Fatal(err)
		}
		ea := &auth.Principal{ID: 5, Username: "e", Role: auth.Enterprise, EnterpriseID: a}
		o, _ = s.Units(ctx, ea)
		for _, x := range o.Units {
			if x.ID == u.ID && (len(x.Enterprises) != 1 || x.Enterprises[0].ID != a || len(x.Links) != 1 || x.Links[0].ID != link) {
				t.Errorf("enterprise user's view of the alliance: %+v", x)
			}
			if x.NameZh == "江西钨与稀土研究院" && (len(x.Links) != 1 || x.Links[0].NameZh != "分离冶炼") {
				t.Errorf("institute's links: %+v", x.Links)
			}
		}
		o, _ = s.Units(ctx, &auth.Principal{ID: 6, Username: "v", Role: auth.Viewer})
		for _, x := range o.Units {
			if len(x.Enterprises) != 0 {
				t.Errorf("a viewer sees enterprises of %s", x.NameZh)
			}
		}

		// Bad input: every problem named, nothing written.
		before, _ := db.InnovationUnits(ctx)
		_, err = s.AddUnit(ctx, planner, innovation.NewUnit{NameZh: "江西钨与稀土研究院", Category: "club", Level: "global", Status: "done",
			LinkIDs: []int64{999999}, Enterprises: []int64{888888}})
		var fields []string
		for _, f := range apperr.From(err).Fields {
			fields = append(fields, f.Name)
		}
		if !apperr.Is(err, apperr.Invalid) || strings.Join(fields, ",") != "name_zh,category,level,status,source,link_ids,enterprise_ids" {
			t.Errorf("bad unit: %v %v", err, fields)
		}
		if err := s.Link(ctx, planner, u.ID, 999999, 0); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown chain link: %v", err)
		}
		if err := s.Link(ctx, planner, 999999, link, 0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown unit: %v", err)
		}
		if _, err := s.AddUnit(ctx, ea, innovation.NewUnit{NameZh: "x", Category: "platform", Status: "proposed", Source: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise user adding a unit: %v", err)
		}
		after, _ := db.InnovationUnits(ctx)
		if len(after) != len(before) {
			t.Errorf("refused input wrote a unit: %d → %d", len(before), len(after))
		}
	})
}
