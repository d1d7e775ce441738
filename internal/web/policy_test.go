package web_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The policy pages on the default dataset: the three documents with their numbers and the
// 19 areas, the 15% income-tax instrument per enterprise with the estimate's inputs, and
// an enterprise user limited to its own line.
func TestPolicyPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		ids := cuIDs(t, db)
		a, b := ids["虔东稀土"], ids["章源钨业"]
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			e, err := tx.EnterpriseByID(ctx, a)
			if err != nil {
				return err
			}
			e.RegionCode = "360702"
			if err := tx.UpdateEnterprise(ctx, e); err != nil {
				return err
			}
			return tx.UpsertDesignation(ctx, store.Designation{EnterpriseID: a, ClassCode: "encouraged", Period: "2013", Source: "税务部门确认书"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&stats.Service{DB: db, Now: time.Now}).Enter(ctx, auth.CLI("t"), stats.Input{Indicator: "PROFIT", Region: "360702",
			Industry: "RE-SMELT", EnterpriseID: a, Period: "2013", Value: "3.5", Source: "企业年报"}); err != nil {
			t.Fatal(err)
		}
		env.AddUser("pol-viewer", auth.Viewer, "", 0)
		env.AddUser("pol-planner", auth.Planner, "", 0)
		env.AddUser("pol-ent", auth.Enterprise, "", b)
		viewer, planner, ent := env.Login("pol-viewer"), env.Login("pol-planner"), env.Login("pol-ent")

		doc := cuGet(t, viewer, "/policy", 200)
		var docs [][]string
		doc.Find("[data-testid=documents] tbody tr").Each(func(_ int, r *goquery.Selection) { docs = append(docs, plCells(r.Find("td"))) })
		if len(docs) != 3 || docs[0][0] != "《若干意见》" || docs[0][3] != "2012-06" || docs[1][1] != "工信部规〔2013〕69号" || docs[1][4] != "19 个方面" ||
			docs[0][5] != "鼓励类产业企业减按15%税率征收企业所得税" || docs[2][1] != "文章未给出" {
			t.Errorf("documents: %q", docs)
		}
		// A viewer reads the documents, not enterprises' eligibility.
		cuGet(t, viewer, "/policy/instruments/cit_15", 403)

		doc = cuGet(t, planner, "/policy/instruments/cit_15?sort=benefit&dir=desc", 200)
		if got := plText(doc, "[data-testid=rates]"); got != "法定税率 25%，优惠税率 15%" {
			t.Errorf("rates %q", got)
		}
		first := plCells(doc.Find("[data-testid=beneficiaries] tbody tr").First().Find("td"))
		if len(first) != 6 || first[1] != "虔东稀土" || first[2] != "未知" || first[3] != "符合" || !strings.Contains(first[4], "税务部门确认书") ||
			first[5] != "估算 (25% − 15%) × 利润总额 3.5 亿元（2013，来源：企业年报）= 0.35 亿元" {
			t.Errorf("first beneficiary: %q", first)
		}
		x := cuDownload(t, planner, "/policy/instruments/cit_15?format=xlsx&sort=benefit&dir=desc")
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(rows) != 18 || rows[1][1] != "虔东稀土" || rows[1][5] != "0.35" {
			t.Errorf("XLSX: %d rows, first %q", len(rows), rows[1])
		}

		doc = cuGet(t, planner, fmt.Sprintf("/policy/enterprises/%d", b), 200)
		c := plCells(doc.Find("[data-testid=benefits] tbody tr td"))
		if len(c) != 5 || c[2] != "不符合" || c[4] != "无法估算：无利润总额数据" {
			t.Errorf("章源钨业: %q", c)
		}
		// The enterprise user: its own line, nothing of 虔东稀土.
		cuGet(t, ent, fmt.Sprintf("/policy/enterprises/%d", a), 404)
		cuGet(t, ent, fmt.Sprintf("/policy/enterprises/%d", b), 200)
		doc = cuGet(t, ent, "/policy/instruments/cit_15", 200)
		if n := doc.Find("[data-testid=beneficiaries] tbody tr").Length(); n != 1 || strings.Contains(doc.Text(), "虔东稀土") {
			t.Errorf("enterprise user sees %d rows or 虔东稀土", n)
		}
	})
}
