package store_test

import (
	"testing"
	"time"

	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// The chain, park and project anchors are shared by several modules; this checks they
// round-trip and that the schema itself refuses what no module may write.
func TestChainParkProjectAnchors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.UnixMilli(1_700_000_000_000).UTC()
		var a, b, ent int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertIndustry(ctx, store.Industry{Code: "RE", NameZh: "稀土", NameEn: "Rare earth", Source: "t"}); err != nil {
				return err
			}
			if err := tx.UpsertChain(ctx, store.Chain{Code: "re", NameZh: "稀土产业链", IndustryCode: "RE", Acyclic: true, Source: "t"}); err != nil {
				return err
			}
			var err error
			if a, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "re", Code: "mine", NameZh: "开采", IndustryCode: "RE", Stage: 1, Source: "t"}); err != nil {
				return err
			}
			if b, err = tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "re", Code: "sep", NameZh: "分离冶炼", IndustryCode: "RE", Stage: 2, Source: "t"}); err != nil {
				return err
			}
			if err := tx.InsertChainEdge(ctx, store.ChainEdge{From: a, To: b, Kind: "flow"}); err != nil {
				return err
			}
			if ent, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "甲", Source: "t", CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.PlaceEnterprise(ctx, b, ent, true, ""); err != nil {
				return err
			}
			if err := tx.UpsertPark(ctx, store.Park{Code: "P1", NameZh: "园区", Kind: "park", Status: "planned", Source: "t"}); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		l, err := db.ChainLinkByID(ctx, b)
		if err != nil || l.Code != "sep" || l.ChainCode != "re" || l.Stage != 2 {
			t.Fatalf("link %d: %+v %v", b, l, err)
		}
		p, err := db.ParkByCode(ctx, "P1")
		if err != nil || p.Status != "planned" || p.RegionCode != "" {
			t.Fatalf("park: %+v %v", p, err)
		}
		var pid int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			pid, err = tx.InsertProject(ctx, store.Project{NameZh: "项目", Stage: "signed", LinkID: b, ParkCode: "P1",
				EnterpriseID: ent, Source: "t", CreatedAt: now, UpdatedAt: now})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		pr, err := db.ProjectByID(ctx, pid)
		if err != nil || pr.LinkID != b || pr.ParkCode != "P1" || pr.EnterpriseID != ent || pr.IndustryCode != "" || !pr.CreatedAt.Equal(now) {
			t.Fatalf("project: %+v %v", pr, err)
		}

		refused := map[string]func(tx *store.Tx) error{
			"second leader on a link": func(tx *store.Tx) error {
				e2, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "乙", Source: "t", CreatedAt: now})
				if err != nil {
					return err
				}
				return tx.PlaceEnterprise(ctx, b, e2, true, "")
			},
			"edge from a link to itself": func(tx *store.Tx) error {
				return tx.InsertChainEdge(ctx, store.ChainEdge{From: a, To: a, Kind: "flow"})
			},
			"edge of an unknown kind": func(tx *store.Tx) error {
				return tx.InsertChainEdge(ctx, store.ChainEdge{From: b, To: a, Kind: "sideways"})
			},
			"link of an unknown industry": func(tx *store.Tx) error {
				_, err := tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "re", Code: "x", NameZh: "x", IndustryCode: "NOPE", Source: "t"})
				return err
			},
			"project in an unknown stage": func(tx *store.Tx) error {
				_, err := tx.InsertProject(ctx, store.Project{NameZh: "x", Stage: "dreaming", Source: "t", CreatedAt: now, UpdatedAt: now})
				return err
			},
			"project in an unknown park": func(tx *store.Tx) error {
				_, err := tx.InsertProject(ctx, store.Project{NameZh: "x", Stage: "planning", ParkCode: "NOPE", Source: "t", CreatedAt: now, UpdatedAt: now})
				return err
			},
		}
		for name, f := range refused {
			if err := db.Write(ctx, f); err == nil {
				t.Errorf("%s: the schema accepted it", name)
			}
		}
	})
}
