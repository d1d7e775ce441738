package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// BenchmarkChainPage5000 is the chain-page budget: a chain of 200 links with 5,000
// enterprises on them (25 a link), each with a 2012 revenue figure, and region-level
// figures for the location quotient, rendered in at most 100 ms. It requests the page
// benchRequests times over loopback (so the figure includes the HTTP round trip: an upper
// bound on server time) and reports p50 and p95 and the CPU per request, on SQLite.
//
//	go test ./internal/web -run '^$' -bench ChainPage5000 -benchtime 1x
func BenchmarkChainPage5000(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	env := webtest.Start(b, db, web.Config{})
	now := time.UnixMilli(1_700_000_000_000)
	const links, perLink = 200, 25
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{{Code: "360000", NameZh: "江西省", Kind: "province", Source: "b"},
			{Code: "360700", NameZh: "赣州市", Kind: "city", ParentCode: "360000", Source: "b"}} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		if err := tx.UpsertIndustry(ctx, store.Industry{Code: "IND", NameZh: "工业", Source: "b"}); err != nil {
			return err
		}
		if err := tx.UpsertIndustry(ctx, store.Industry{Code: "RE", NameZh: "稀土", ParentCode: "IND", Source: "b"}); err != nil {
			return err
		}
		if err := tx.UpsertIndicator(ctx, store.Indicator{Code: "REV", NameZh: "主营业务收入", Unit: "亿元", PeriodType: "year",
			Aggregation: "sum", Source: "b"}); err != nil {
			return err
		}
		if err := tx.UpsertChain(ctx, store.Chain{Code: "big", NameZh: "大链", IndustryCode: "RE", Acyclic: true, Source: "b"}); err != nil {
			return err
		}
		fact := func(region, industry string, ent, v int64) error {
			_, err := tx.InsertFact(ctx, store.Fact{FactKey: store.FactKey{Indicator: "REV", Region: region, Industry: industry,
				EnterpriseID: ent, Period: "2012"}, Value: v, Entered: "x", Source: "b", SourceStatus: "report", Revision: 1,
				CreatedBy: "b", CreatedAt: now}, "approved", "")
			return err
		}
		for _, f := range []struct {
			r, i string
			v    int64
		}{{"360700", "IND", 1000e6}, {"360700", "RE", 200e6}, {"360000", "IND", 10000e6}, {"360000", "RE", 500e6}} {
			if err := fact(f.r, f.i, 0, f.v); err != nil {
				return err
			}
		}
		var prev int64
		for l := 0; l < links; l++ {
			li, err := chain.CreateLinkTx(ctx, tx, "big", chain.LinkInput{Code: fmt.Sprint("l", l), NameZh: fmt.Sprint("环节", l),
				IndustryCode: "RE", Stage: l / 10, Source: "b"})
			if err != nil {
				return err
			}
			if l > 0 {
				if err := tx.InsertChainEdge(ctx, store.ChainEdge{From: prev, To: li.ID, Kind: "flow"}); err != nil {
					return err
				}
			}
			prev = li.ID
			for e := 0; e < perLink; e++ {
				id, err := tx.InsertEnterprise(ctx, store.Enterprise{NameZh: fmt.Sprintf("企业%d-%d", l, e), Source: "b", CreatedAt: now})
				if err != nil {
					return err
				}
				if err := tx.UpsertEnterpriseIndustry(ctx, store.EnterpriseIndustry{EnterpriseID: id, IndustryCode: "RE", Source: "b"}); err != nil {
					return err
				}
				if err := tx.PlaceEnterpriseQuoted(ctx, store.LinkPlacement{LinkID: li.ID, EnterpriseID: id, Leader: e == 0, Source: "b"}); err != nil {
					return err
				}
				if err := fact("360700", "RE", id, int64(e+1)*1e6); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	env.AddUser("pl", auth.Planner, "", 0)
	c := env.Login("pl")
	var times []time.Duration
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for b.Loop() {
		for range benchRequests {
			t0 := time.Now()
			resp := c.Get("/chains/big")
			body := webtest.ReadBody(resp)
			times = append(times, time.Since(t0))
			if resp.StatusCode != http.StatusOK || len(body) < 100_000 {
				b.Fatalf("chain page: %d, %d bytes", resp.StatusCode, len(body))
			}
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := float64((ru1.Utime.Nano()+ru1.Stime.Nano())-(ru0.Utime.Nano()+ru0.Stime.Nano())) / 1e6 / float64(len(times))
	// CPU of server and client together per request: on a shared machine the wall-clock
	// percentiles include waiting for other people's processes.
	b.ReportMetric(cpu, "cpu-ms/req")
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(100/(float64(times[len(times)*95/100].Microseconds())/1000), "budget/p95")
}
