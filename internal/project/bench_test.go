package project_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"zhanxin/internal/project"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// Project list speed. One page (50 rows) of the project list as the /projects page and
// GET /api/v1/projects read it — names of park, region, investor and link joined in, the
// open blockers counted, the total counted — for all projects, the overdue ones and the
// stalled ones, on ZHANXIN_BENCH_PROJECTS projects (default 20,000) with one blocker
// each. The reference, in the same run on the same file, is the ceiling: a bare query of
// 50 rows of projects by id plus COUNT(*), with no joins and no flags. The ratio says what
// the joins and flags cost.
//
//	go test ./internal/project -run '^$' -bench ProjectList -benchtime 200x

func benchProjects() int {
	if n, err := strconv.Atoi(os.Getenv("ZHANXIN_BENCH_PROJECTS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

func seedBench(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC)
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertRegion(ctx, store.Region{Code: "360700", NameZh: "赣州市", Kind: "city", Source: "b"}); err != nil {
			return err
		}
		if err := tx.UpsertIndustry(ctx, store.Industry{Code: "RE", NameZh: "稀土", Source: "b"}); err != nil {
			return err
		}
		if err := tx.UpsertChain(ctx, store.Chain{Code: "re", NameZh: "稀土产业链", IndustryCode: "RE", Acyclic: true, Source: "b"}); err != nil {
			return err
		}
		link, err := tx.InsertChainLink(ctx, store.ChainLink{ChainCode: "re", Code: "pm", NameZh: "永磁材料", IndustryCode: "RE", Source: "b"})
		if err != nil {
			return err
		}
		var regions []string
		var ents []int64
		for i := range 18 {
			code := fmt.Sprintf("3607%02d", i+1)
			regions = append(regions, code)
			if err := tx.UpsertRegion(ctx, store.Region{Code: code, NameZh: "县" + code, Kind: "county", ParentCode: "360700", Source: "b"}); err != nil {
				return err
			}
			if err := tx.UpsertPark(ctx, store.Park{Code: "p" + code, NameZh: "园区" + code, Kind: "park", RegionCode: code, Status: "operating", Source: "b"}); err != nil {
				return err
			}
		}
		for i := range 200 {
			id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: fmt.Sprintf("企业%03d", i), RegionCode: regions[i%18], Source: "b", CreatedAt: now})
			if err != nil {
				return err
			}
			ents = append(ents, id)
		}
		for i := range n {
			created := now.AddDate(0, 0, -(i % 400))
			r := regions[i%18]
			id, err := tx.InsertProject(ctx, store.Project{NameZh: fmt.Sprintf("项目%06d", i), Stage: project.Stages[i%5], IndustryCode: "RE", LinkID: link,
				RegionCode: r, ParkCode: "p" + r, EnterpriseID: ents[i%200], Source: "b", CreatedAt: created, UpdatedAt: created})
			if err != nil {
				return err
			}
			if err := tx.SetProjectDetail(ctx, id, store.ProjectDetail{InvestPlanned: int64(i) * 1_000_000, FinishPlanned: "2015-12-31"}, created); err != nil {
				return err
			}
			due := "2014-12-31"
			if i%10 == 0 {
				due = "2014-01-31" // overdue on 2014-06-01
			}
			if _, err := tx.InsertBlocker(ctx, store.Blocker{ProjectID: id, Kind: "land", Description: "用地", Owner: "局", DueDate: due, CreatedAt: created}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchList(b *testing.B, db *store.DB, raw *sql.DB, n int, analyze func()) {
	seedBench(b, db, n)
	if analyze != nil {
		analyze()
	}
	ctx := context.Background()
	svc := &project.Service{DB: db, Now: func() time.Time { return time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC) }, StallDays: 180}
	q := store.ListQuery{Limit: 50}
	ns := map[string]float64{}
	run := func(name string, f func() int) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if f() == 0 {
					b.Fatal("empty page")
				}
			}
			ns[name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
	}
	for _, flag := range []string{"", "overdue", "stalled"} {
		name := "zhanxin-" + flag
		if flag == "" {
			name = "zhanxin-all"
		}
		run(name, func() int {
			p, err := svc.List(ctx, planner, project.Filter{Flag: flag}, q)
			if err != nil {
				b.Fatal(err)
			}
			return len(p.Rows)
		})
	}
	run("reference-bare-page", func() int {
		var total int
		if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM projects").Scan(&total); err != nil {
			b.Fatal(err)
		}
		rows, err := raw.QueryContext(ctx, "SELECT id, name_zh, stage FROM projects ORDER BY id LIMIT 50")
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		k := 0
		for rows.Next() {
			var id int64
			var name, stage string
			if err := rows.Scan(&id, &name, &stage); err != nil {
				b.Fatal(err)
			}
			k++
		}
		return k
	})
	ref := ns["reference-bare-page"]
	for _, name := range []string{"zhanxin-all", "zhanxin-overdue", "zhanxin-stalled"} {
		if ref > 0 {
			b.Logf("%s: %.3f ms/page, %.1f× the bare page (%.3f ms) on %d projects", name, ns[name]/1e6, ns[name]/ref, ref/1e6, n)
		}
	}
}

func BenchmarkProjectListSQLite(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), time.Now); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	benchList(b, db, raw, benchProjects(), func() {
		if err := db.Write(context.Background(), func(tx *store.Tx) error { return nil }); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkProjectListPostgres(b *testing.B) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skip("ZHANXIN_TEST_POSTGRES is not set")
	}
	u := storetest.PostgresURL(b)
	db, err := store.Open(context.Background(), u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), time.Now); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("pgx", u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	benchList(b, db, raw, benchProjects(), func() {
		if _, err := raw.Exec("ANALYZE"); err != nil {
			b.Fatal(err)
		}
	})
}
