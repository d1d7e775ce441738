package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/dataset"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

func flowRows(doc *goquery.Document, table string) [][]string {
	var out [][]string
	doc.Find(fmt.Sprintf(`table[data-testid=%q] tbody tr`, table)).Each(func(_ int, tr *goquery.Selection) {
		if cells := plCells(tr.Find("td")); len(cells) > 1 {
			out = append(out, cells)
		}
	})
	return out
}

// TestFlowPages runs the checks over the demonstration year from the form, lists and
// exports the anomalies, follows one to its evidence, comments on it and closes it, shows
// the mass balance, and holds an enterprise user to its own sites.
func TestFlowPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		if _, err := dataset.LoadDemo(context.Background(), db, auth.CLI("test")); err != nil {
			t.Fatal(err)
		}
		var bing int64
		db.Write(context.Background(), func(tx *store.Tx) error {
			e, err := tx.EnterpriseByName(context.Background(), dataset.DemoMark+"赣州磁材丙公司")
			bing = e.ID
			return err
		})
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("bing", auth.Enterprise, "", bing)
		c := env.Login("reg")

		resDoc(t, c.Get("/flow/anomalies"), 200, "empty list")
		resp := c.PostForm("/flow/checks", url.Values{"period": {"2024"}})
		if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "found=5") {
			t.Fatalf("run: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		doc := resDoc(t, c.Get(resp.Header.Get("Location")), 200, "anomalies")
		if f := plText(doc, `[data-testid=flash]`); !strings.Contains(f, "发现 5 项") {
			t.Fatalf("flash %q", f)
		}
		rows := flowRows(doc, "anomalies")
		if len(rows) != 5 {
			t.Fatalf("%d rows: %v", len(rows), rows)
		}
		bad := c.PostForm("/flow/checks", url.Values{"period": {"2024-13"}})
		bd := resDoc(t, bad, 422, "bad period")
		if plText(bd, `[data-field=period]`) == "" {
			t.Fatal("bad period not named")
		}
		var transitID int64
		doc.Find(`table[data-testid=anomalies] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
			cells := plCells(tr.Find("td"))
			if len(cells) > 1 && cells[1] == "在途损耗" {
				transitID, _ = strconv.ParseInt(cells[0], 10, 64)
				if cells[5] != "310 t" || cells[6] != "303.8 t" {
					t.Errorf("transit row %q", cells)
				}
			}
		})
		if transitID == 0 {
			t.Fatal("no transit loss row")
		}
		if rows := flowRows(resDoc(t, c.Get("/flow/anomalies?kind=yield"), 200, "filter"), "anomalies"); len(rows) != 1 || rows[0][1] != "转化收率" {
			t.Fatalf("yield filter %v", rows)
		}
		// XLSX opened back: five rows, the tonnes as numbers.
		r, b := expGet(t, c, "/flow/anomalies?format=xlsx&sort=id", false)
		if r.StatusCode != 200 {
			t.Fatalf("xlsx %d", r.StatusCode)
		}
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := x.GetRows(x.GetSheetName(0))
		if len(xr) != 6 || xr[0][1] != "类型" {
			t.Fatalf("xlsx rows %v", xr)
		}
		found := false
		for _, row := range xr[1:] {
			if row[1] == "在途损耗" && row[5] == "310" && row[6] == "303.8" {
				found = true
			}
		}
		if !found {
			t.Fatalf("xlsx lacks the transit loss in tonnes: %v", xr)
		}
		r, b = expGet(t, c, "/flow/anomalies?format=csv", true)
		if r.StatusCode != 200 || !strings.Contains(string(b), "in-transit loss") || strings.Count(string(b), "\n") != 6 {
			t.Fatalf("csv %d\n%s", r.StatusCode, b)
		}

		// The anomaly: evidence links, a comment, a refused close, a close.
		path := fmt.Sprintf("/flow/anomalies/%d", transitID)
		doc = resDoc(t, c.Get(path), 200, "anomaly")
		if n := doc.Find(`[data-testid=evidence] a`).Length(); n != 2 {
			t.Fatalf("%d evidence links", n)
		}
		// Evidence opens the event page (with its inclusion proof), not raw JSON.
		href, _ := doc.Find(`[data-testid=evidence] a`).First().Attr("href")
		if !strings.HasPrefix(href, "/trace/event?id=ni%3A") {
			t.Fatalf("evidence link %q", href)
		}
		if ev := c.Get(href); ev.StatusCode != 200 {
			t.Fatalf("evidence link %q: HTTP %d", href, ev.StatusCode)
		}
		if doc.Find(`form[data-testid=close-form][data-confirm]`).Length() != 1 {
			t.Fatal("closing does not ask for confirmation")
		}
		if resp := c.PostForm(path+"/comment", url.Values{"body": {"已联系承运方 / carrier contacted"}}); resp.StatusCode != 303 {
			t.Fatalf("comment %d", resp.StatusCode)
		}
		audits, _ := db.ListAudit(context.Background(), store.AuditFilter{Entity: "flow_anomaly"}, store.ListQuery{})
		bd = resDoc(t, c.PostForm(path+"/close", url.Values{"reason": {"  "}}), 422, "close without reason")
		if plText(bd, `[data-field=reason]`) == "" {
			t.Fatal("empty reason not named")
		}
		if a2, _ := db.ListAudit(context.Background(), store.AuditFilter{Entity: "flow_anomaly"}, store.ListQuery{}); a2.Total != audits.Total {
			t.Fatal("a refused close was audited")
		}
		if resp := c.PostForm(path+"/close", url.Values{"reason": {"承运方赔付 / carrier compensated"}}); resp.StatusCode != 303 {
			t.Fatalf("close %d", resp.StatusCode)
		}
		doc = resDoc(t, c.Get(path), 200, "closed anomaly")
		if plText(doc, `[data-testid=status]`) != "已关闭" || doc.Find(`[data-testid=comments] li`).Length() != 1 || doc.Find(`form[data-testid=close-form]`).Length() != 0 {
			t.Fatalf("after closing: %q", plText(doc, `[data-testid=anomaly-facts]`))
		}

		// Mass balance of the year: six sites, all balanced, exported.
		doc = resDoc(t, c.Get("/flow/balance?period=2024"), 200, "balance")
		rows = flowRows(doc, "balance")
		if len(rows) != 6 {
			t.Fatalf("balance rows %v", rows)
		}
		for _, row := range rows {
			if row[len(row)-1] != "平衡" || !strings.HasSuffix(row[4], " t") {
				t.Errorf("balance row %q", row)
			}
		}
		r, b = expGet(t, c, "/flow/balance?period=2024&format=xlsx", false)
		if x, err := excelize.OpenReader(bytes.NewReader(b)); r.StatusCode != 200 || err != nil {
			t.Fatalf("balance xlsx %d %v", r.StatusCode, err)
		} else if xr, _ := x.GetRows(x.GetSheetName(0)); len(xr) != 7 {
			t.Fatalf("balance xlsx rows %d", len(xr))
		}
		resDoc(t, c.Get("/flow/balance?period=24"), 422, "bad balance period")

		// 丙's user: its own two anomalies; another's is the same 404 as a missing one.
		e := env.Login("bing")
		rows = flowRows(resDoc(t, e.Get("/flow/anomalies"), 200, "enterprise list"), "anomalies")
		if len(rows) != 2 {
			t.Fatalf("enterprise sees %v", rows)
		}
		other := webtest.ReadBody(e.Get(path))
		missing := webtest.ReadBody(e.Get("/flow/anomalies/999999"))
		if !strings.Contains(other, "没有这个流向异常") || !strings.Contains(missing, "没有这个流向异常") {
			t.Fatalf("guessed id:\n%.300s\n%.300s", other, missing)
		}
		if resp := e.Get(path); resp.StatusCode != 404 {
			t.Fatalf("other enterprise's anomaly: %d", resp.StatusCode)
		}
		if resp := e.PostForm(path+"/close", url.Values{"reason": {"x"}}); resp.StatusCode != 404 {
			t.Fatalf("enterprise closes another's: %d", resp.StatusCode)
		}
		if resp := e.PostForm("/flow/checks", url.Values{"period": {"2024"}}); resp.StatusCode != 403 {
			t.Fatalf("enterprise runs checks: %d", resp.StatusCode)
		}
		if rows := flowRows(resDoc(t, e.Get("/flow/balance?period=2024"), 200, "enterprise balance"), "balance"); len(rows) != 3 {
			t.Fatalf("enterprise balance %v", rows)
		}
	})
}
