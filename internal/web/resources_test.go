package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/allocation"
	"zhanxin/internal/auth"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The resource and quota pages on a real server and database: the article's reserves and
// REFERENCE.md's quotas as loaded, their XLSX/CSV exports read back, and a grant → letter
// → review → report flow through the forms, with the enterprise boundary.

func resDoc(t *testing.T, resp *http.Response, status int, what string) *goquery.Document {
	t.Helper()
	body := webtest.ReadBody(resp)
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, resp.StatusCode, status, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func resRow(doc *goquery.Document, table, first string) []string {
	var out []string
	doc.Find(fmt.Sprintf(`table[data-testid=%q] tbody tr`, table)).EachWithBreak(func(_ int, tr *goquery.Selection) bool {
		cells := plCells(tr.Find("td"))
		if len(cells) > 0 && cells[0] == first {
			out = cells
			return false
		}
		return true
	})
	return out
}

func TestResourcePagesShowTheSourcedFiguresAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		c := env.Login("reg")

		doc := resDoc(t, c.Get("/resources/deposits"), 200, "deposits")
		row := resRow(doc, "deposits", "GZ-REE-ionic")
		if len(row) < 12 || row[5] != "838,200 t" || row[6] != "456,900 t" || row[7] != "未知" || row[8] != "约 40%" || row[9] != "article" ||
			!strings.Contains(row[11], "83.82万吨") {
			t.Fatalf("ionic rare earth row %q", row)
		}
		// The XLSX export, opened back: numbers stay numbers (tonnes), the quote is there.
		resp, b := expGet(t, c, "/resources/deposits?format=xlsx&sort=code", false)
		if resp.StatusCode != 200 {
			t.Fatalf("xlsx: %d", resp.StatusCode)
		}
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) != 3 {
			t.Fatalf("xlsx rows %q %v", rows, err)
		}
		if rows[0][5] != env.Cat.T(i18n.Zh, "resources.col.proven") || rows[1][0] != "GZ-REE-ionic" || rows[1][5] != "838200" ||
			rows[2][0] != "GZ-W" || rows[2][5] != "1140000" || rows[2][8] != "39" {
			t.Fatalf("xlsx %q", rows)
		}
		// CSV in English: headers translated.
		_, b = expGet(t, c, "/resources/deposits?format=csv", true)
		recs := expCSV(t, b)
		if len(recs) != 3 || recs[0][6] != "remaining reserves" {
			t.Fatalf("csv %q", recs)
		}

		doc = resDoc(t, c.Get("/resources/products?q=w_conc"), 200, "products")
		if row := resRow(doc, "products", "w_conc"); len(row) < 6 || row[5] != "65%" {
			t.Fatalf("w_conc row %q", row)
		}
		// The 2018 ionic quota: REFERENCE.md §1, Q8 — 19,150 t to the nation, 8,500 t to Jiangxi.
		doc = resDoc(t, c.Get("/quota/grants?q=reo_ionic.mining.2018&sort=amount&dir=desc"), 200, "grants")
		cells := plCells(doc.Find(`table[data-testid="grants"] tbody tr`).First().Find("td"))
		if len(cells) < 11 || cells[4] != "19,150 t" || cells[5] != "来源未给出日期" || !strings.Contains(cells[9], "Q8") || cells[10] != "V" {
			t.Fatalf("2018 national ionic grant %q", cells)
		}
		_, b = expGet(t, c, "/quota/grants?q=reo_ionic.mining.2018&format=csv&sort=amount", false)
		recs = expCSV(t, b)
		if len(recs) != 3 || recs[1][4] != "8500" || recs[2][4] != "19150" {
			t.Fatalf("grants csv %q", recs)
		}
		resDoc(t, c.Get("/resources/rights"), 200, "rights")
		resDoc(t, c.Get("/quota/deadlines"), 200, "deadlines")
		resDoc(t, c.Get("/quota/violations?year=2024"), 200, "violations")
		resDoc(t, c.Get("/quota/violations?year=abc"), 422, "bad year")
	})
}

// resChart opens the 2024 ionic ledger with Ganzhou and two enterprise accounts.
func resChart(t *testing.T, db *store.DB) (e1, e2 int64) {
	t.Helper()
	ctx := context.Background()
	reg := &auth.Principal{Username: "setup", Role: auth.Regulator}
	l := ledger.New(db, time.Now)
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if e1, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "示例稀土一厂", Source: "test", CreatedAt: time.Now()}); err != nil {
			return err
		}
		e2, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "示例稀土二厂", Source: "test", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	led, err := l.CreateLedger(ctx, reg, ledger.REOIonic, ledger.Mining, 2024)
	if err != nil {
		t.Fatal(err)
	}
	flag := ledger.DebitsMustNotExceedCredits
	for _, a := range []ledger.NewAccount{
		{Code: "i24.issue", LedgerID: led.ID, Name: "issuance", Holder: ledger.Nation},
		{Code: "i24.360700", LedgerID: led.ID, Name: "赣州", Holder: ledger.City, RegionCode: "360700", Flags: flag},
		{Code: "i24.E1", LedgerID: led.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: flag},
		{Code: "i24.E2", LedgerID: led.ID, Name: "二厂", Holder: ledger.EnterpriseHolder, EnterpriseID: e2, Flags: flag},
		{Code: "i24.consumed", LedgerID: led.ID, Name: "消耗", Holder: ledger.Sink, SinkKind: ledger.Consumed},
	} {
		if _, err := l.CreateAccount(ctx, reg, a); err != nil {
			t.Fatal(err)
		}
	}
	return e1, e2
}

func resUpload(t *testing.T, c *webtest.Client, path, kind, filename, ctype string, body []byte) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.CSRF)
	mw.WriteField("kind", kind)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", ctype)
	w, _ := mw.CreatePart(h)
	w.Write(body)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Env.HTTP.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

func TestGrantLetterReviewAndReportThroughTheForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		e1, e2 := resChart(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("ent1", auth.Enterprise, "", e1)
		env.AddUser("ent2", auth.Enterprise, "", e2)
		reg, c1, c2 := env.Login("reg"), env.Login("ent1"), env.Login("ent2")

		grant := func(from, to, amount string) *http.Response {
			c := reg
			c.Get("/quota/grants").Body.Close()
			return c.PostForm("/quota/grants", url.Values{"from": {from}, "to": {to}, "amount_t": {amount}, "batch": {"2024年第一批"},
				"granted_on": {"2024-01-08"}, "doc_no": {"赣稀〔2024〕1号"}, "source": {"测试通知"}})
		}
		for _, g := range [][3]string{{"i24.issue", "i24.360700", "1,000"}, {"i24.360700", "i24.E1", "300"}, {"i24.360700", "i24.E2", "200"}} {
			resp := grant(g[0], g[1], g[2])
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("grant %v: %d %s", g, resp.StatusCode, webtest.ReadBody(resp))
			}
			resp.Body.Close()
		}
		// Larger than Ganzhou's 500 t left: refused on the form with the balance, nothing written.
		doc := resDoc(t, grant("i24.360700", "i24.E1", "600"), 422, "over-balance grant")
		msg := plText(doc, `[data-field="amount_t"]`)
		if !strings.Contains(msg, "600 t") || !strings.Contains(msg, "500 t") || !strings.Contains(msg, "i24.360700") {
			t.Fatalf("over-balance message %q", msg)
		}
		if v, _ := doc.Find(`input[name="amount_t"]`).Attr("value"); v != "600" {
			t.Fatalf("the form lost its input: %q", v)
		}
		gs, _ := db.ListQuotaGrants(context.Background(), store.GrantFilter{}, store.ListQuery{Filter: "i24."})
		if gs.Total != 3 {
			t.Fatalf("%d grants after a refused one", gs.Total)
		}
		var g1 store.QuotaGrant
		for _, g := range gs.Rows {
			if g.ToAccount == "i24.E1" {
				g1 = g
			}
		}
		gpath := fmt.Sprintf("/quota/grants/%d", g1.ID)

		// The signed letter: uploaded, listed with its SHA-256, downloaded byte for byte by
		// the regulator and the holder; "not found" for the other enterprise.
		letter := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("开采总量控制责任书 "), 500)...)
		reg.Get(gpath).Body.Close()
		resp := resUpload(t, reg, gpath+"/documents", "responsibility_letter", "责任书.pdf", "application/pdf", letter)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		sum := sha256.Sum256(letter)
		doc = resDoc(t, reg.Get(gpath), 200, "grant page")
		href, _ := doc.Find(`table[data-testid="documents"] a`).Attr("href")
		if !strings.Contains(doc.Find(`table[data-testid="documents"]`).Text(), hex.EncodeToString(sum[:])) || href == "" {
			t.Fatalf("documents table: %q", doc.Find(`table[data-testid="documents"]`).Text())
		}
		for _, c := range []*webtest.Client{reg, c1} {
			resp, b := expGet(t, c, href, false)
			if resp.StatusCode != 200 || !bytes.Equal(b, letter) || resp.Header.Get("Content-Type") != "application/pdf" ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
			}
		}
		if resp, _ := expGet(t, c2, href, false); resp.StatusCode != 404 {
			t.Fatalf("enterprise 2 downloaded enterprise 1's letter: %d", resp.StatusCode)
		}
		if resp := c2.Get(gpath); resp.StatusCode != 404 {
			t.Fatalf("enterprise 2 opened enterprise 1's grant: %d", resp.StatusCode)
		}
		// A wrong file type is refused on the page; an enterprise cannot upload at all.
		resDoc(t, resUpload(t, reg, gpath+"/documents", "contract", "x.exe", "application/x-msdownload", []byte("MZ")), 422, "exe upload")
		c1.Get(gpath).Body.Close()
		if resp := resUpload(t, c1, gpath+"/documents", "contract", "c.pdf", "application/pdf", letter); resp.StatusCode != 403 {
			t.Fatalf("enterprise upload: %d", resp.StatusCode)
		}
		reg.Get(gpath).Body.Close()
		resp = reg.PostForm(gpath+"/reviews", url.Values{"reviewed_on": {"2024-01-06"}, "experts": {"张三、李四"}, "conclusion": {"approved"},
			"opinion": {"符合总量控制要求"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("review: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		doc = resDoc(t, c1.Get(gpath), 200, "grant page for the holder")
		if r := plCells(doc.Find(`table[data-testid="reviews"] tbody td`)); len(r) != 4 || r[1] != "张三、李四" || r[2] != "通过" {
			t.Fatalf("reviews %q", r)
		}

		// Production reports through the form.
		report := func(c *webtest.Client, f url.Values) *http.Response {
			c.Get("/quota/reports").Body.Close()
			return c.PostForm("/quota/reports", f)
		}
		resp = report(c1, url.Values{"commodity": {"reo_ionic"}, "period": {"2024-01"}, "amount_t": {"120"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("report: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		doc = resDoc(t, c1.Get("/quota/reports"), 200, "reports")
		if r := resRow(doc, "reports", "示例稀土一厂"); len(r) < 9 || r[3] != "120 t" || r[4] != "120 t" || r[5] != "0 t" || r[8] != "迟报" {
			t.Fatalf("report row %q", r) // 2024-01 reported now: after 10 February 2024, so late
		}
		// Over the 180 t left: refused with the balance.
		doc = resDoc(t, report(c1, url.Values{"commodity": {"reo_ionic"}, "period": {"2024-02"}, "amount_t": {"200"}}), 422, "over quota")
		if msg := plText(doc, `[data-field="amount_t"]`); !strings.Contains(msg, "180 t") {
			t.Fatalf("over-quota message %q", msg)
		}
		// Enterprise 1 reporting for enterprise 2: refused, nothing written.
		resp = report(c1, url.Values{"enterprise_id": {fmt.Sprint(e2)}, "commodity": {"reo_ionic"}, "period": {"2024-02"}, "amount_t": {"1"}})
		if resp.StatusCode != 403 {
			t.Fatalf("report for another enterprise: %d", resp.StatusCode)
		}
		resp.Body.Close()
		rs, _ := db.ListQuotaReports(context.Background(), store.ReportFilter{}, store.ListQuery{})
		if rs.Total != 1 {
			t.Fatalf("%d reports", rs.Total)
		}
		// Enterprise 2 sees none of enterprise 1's reports; its navigation has no deadlines page.
		doc = resDoc(t, c2.Get("/quota/reports"), 200, "reports of enterprise 2")
		if n := doc.Find(`table[data-testid="reports"] tbody td:not(.empty)`).Length(); n != 0 {
			t.Fatalf("enterprise 2 sees %d report cells", n)
		}
		if doc.Find(`nav a[href="/quota/deadlines"]`).Length() != 0 {
			t.Fatal("enterprise navigation shows the deadlines")
		}
		if resp := c2.Get("/quota/deadlines"); resp.StatusCode != 403 {
			t.Fatalf("enterprise deadlines page: %d", resp.StatusCode)
		}
	})
}

func TestLedgerBalancesStatementAndReconciliationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		e1, e2 := resChart(t, db)
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("ent1", auth.Enterprise, "", e1)
		env.AddUser("cty", auth.County, "360702", 0)
		_ = e2
		reg := env.Login("reg")

		doc := resDoc(t, reg.Get("/ledger/accounts?q=reo_ionic.mining.2018"), 200, "accounts")
		if r := resRow(doc, "ledger-accounts", "reo_ionic.mining.2018.nation"); len(r) < 8 || r[4] != "19,150 t" || r[5] != "8,500 t" || r[7] != "10,650 t" {
			t.Fatalf("nation row %q", r)
		}
		_, b := expGet(t, reg, "/ledger/accounts?q=reo_ionic.mining.2018.360000&format=xlsx", false)
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		if len(rows) != 2 || rows[1][0] != "reo_ionic.mining.2018.360000" || rows[1][4] != "8500" || rows[1][7] != "8500" {
			t.Fatalf("accounts xlsx %q", rows)
		}

		// The statement: two transfers today; the balance at yesterday's end is nothing.
		today := time.Now().In(ledger.ChinaTime).Format("2006-01-02")
		yesterday := time.Now().In(ledger.ChinaTime).AddDate(0, 0, -1).Format("2006-01-02")
		doc = resDoc(t, reg.Get("/ledger/statement?account=reo_ionic.mining.2018.nation&from=2000-01-01&to="+today), 200, "statement")
		if c := plCells(doc.Find(`tr[data-testid="closing"] td`)); len(c) != 4 || c[0] != "19,150 t" || c[3] != "10,650 t" {
			t.Fatalf("closing %q", c)
		}
		if n := doc.Find(`table[data-testid="statement"] tbody tr`).Length(); n != 2 {
			t.Fatalf("%d statement lines", n)
		}
		doc = resDoc(t, reg.Get("/ledger/statement?account=reo_ionic.mining.2018.nation&from=2000-01-01&to="+yesterday), 200, "statement yesterday")
		if c := plCells(doc.Find(`tr[data-testid="closing"] td`)); len(c) != 4 || c[0] != "0 t" {
			t.Fatalf("closing yesterday %q", c)
		}
		_, b = expGet(t, reg, "/ledger/statement?account=reo_ionic.mining.2018.nation&from=2000-01-01&format=csv", false)
		if recs := expCSV(t, b); len(recs) != 3 {
			t.Fatalf("statement csv %q", recs)
		}
		doc = resDoc(t, reg.Get("/ledger/statement?account=reo_ionic.mining.2018.nation&from=2024-05-01&to=2024-04-01"), 422, "backwards range")
		if plText(doc, `[data-field="to"]`) == "" {
			t.Fatal("no field error for a backwards range")
		}
		doc = resDoc(t, reg.Get("/ledger/reconcile"), 200, "reconcile")
		if doc.Find(`[data-testid="reconcile-ok"]`).Length() != 1 {
			t.Fatalf("reconciliation not shown as balanced: %s", plText(doc, "main"))
		}
		// 53 ledgers: the 52 of the dataset and the 2024 one, on two pages of 50.
		if n := len(plCells(doc.Find(`table[data-testid="reconcile"] tbody td:last-child`))); n != 50 || !strings.Contains(plText(doc, ".pager"), "53") {
			t.Fatalf("%d ledgers on page 1, pager %q", n, plText(doc, ".pager"))
		}

		// An enterprise user sees only its own account; another's statement is not found;
		// a county officer has no ledger pages.
		c1 := env.Login("ent1")
		doc = resDoc(t, c1.Get("/ledger/accounts"), 200, "enterprise accounts")
		if cells := plCells(doc.Find(`table[data-testid="ledger-accounts"] tbody tr td:first-child`)); len(cells) != 1 || cells[0] != "i24.E1" {
			t.Fatalf("enterprise sees %q", cells)
		}
		if resp := c1.Get("/ledger/statement?account=i24.E2"); resp.StatusCode != 404 {
			t.Fatalf("enterprise read another's statement: %d", resp.StatusCode)
		}
		if resp := c1.Get("/ledger/reconcile"); resp.StatusCode != 403 {
			t.Fatalf("enterprise reconcile: %d", resp.StatusCode)
		}
		if resp := env.Login("cty").Get("/ledger/accounts"); resp.StatusCode != 403 {
			t.Fatalf("county ledger accounts: %d", resp.StatusCode)
		}
	})
}

func TestAllocationPagesScenarioAndApply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		ctx := context.Background()
		reg := &auth.Principal{Username: "setup", Role: auth.Regulator}
		var e1, e2 int64
		db.Write(ctx, func(tx *store.Tx) error {
			e1, _ = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "磁材一厂", Source: "test", CreatedAt: time.Now()})
			e2, _ = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "冶炼二厂", Source: "test", CreatedAt: time.Now()})
			return nil
		})
		l := ledger.New(db, time.Now)
		led, err := l.CreateLedger(ctx, reg, ledger.REOIonic, ledger.SupplyAllocation, 2024)
		if err != nil {
			t.Fatal(err)
		}
		flag := ledger.DebitsMustNotExceedCredits
		for _, a := range []ledger.NewAccount{{Code: "s.src", LedgerID: led.ID, Name: "src", Holder: ledger.Nation},
			{Code: "s.pool", LedgerID: led.ID, Name: "pool", Holder: ledger.City, RegionCode: "360700", Flags: flag},
			{Code: "s.E1", LedgerID: led.ID, Name: "e1", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: flag},
			{Code: "s.E2", LedgerID: led.ID, Name: "e2", Holder: ledger.EnterpriseHolder, EnterpriseID: e2, Flags: flag}} {
			if _, err := l.CreateAccount(ctx, reg, a); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.CreateTransfers(ctx, reg, []ledger.Transfer{{ID: ledger.NewID(time.Now()), DebitAccount: "s.src", CreditAccount: "s.pool",
			Amount: 1000 * 1_000_000, Code: ledger.CodeIssue}}); err != nil {
			t.Fatal(err)
		}
		r, err := allocation.New(db, time.Now).CreateRound(ctx, &auth.Principal{Username: "pl", Role: auth.Planner}, allocation.NewRound{
			Code: "R1", Name: "2024年离子型稀土供应配置", Ledger: "reo_ionic/supply_allocation/2024", PoolAccount: "s.pool", SupplyT: "1000",
			Tiers: []allocation.TierIn{{Tier: 1, NameZh: "永磁材料优先"}, {Tier: 2, NameZh: "其他"}},
			Requests: []allocation.RequestIn{{EnterpriseID: e1, Account: "s.E1", Tier: 1, RequestedT: "700", MinT: "200"},
				{EnterpriseID: e2, Account: "s.E2", Tier: 2, RequestedT: "400", MinT: "100"}}})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("pl", auth.Planner, "", 0)
		env.AddUser("ent2", auth.Enterprise, "", e2)
		pl := env.Login("pl")
		path := fmt.Sprintf("/allocation/%d", r.ID)
		// −10%: 900 t. Guarantees 200 + 100, tier 1 gets its 700, tier 2 the remaining 200:
		// enterprise 2 loses 100 t against the base (300 t), enterprise 1 nothing.
		doc := resDoc(t, pl.Get(path+"?scale=90"), 200, "scenario")
		if !strings.Contains(plText(doc, `[data-testid="scenario-note"]`), "900 t") {
			t.Fatalf("scenario note %q", plText(doc, `[data-testid="scenario-note"]`))
		}
		if row := resRow(doc, "allocation", "2"); len(row) < 8 || row[5] != "200 t" || row[6] != "100 t" || !strings.Contains(row[7], "保底") {
			t.Fatalf("enterprise 2 in the scenario %q", row)
		}
		if row := resRow(doc, "allocation", "1"); len(row) < 7 || row[5] != "700 t" || row[6] != "0 t" {
			t.Fatalf("enterprise 1 in the scenario %q", row)
		}
		_, b := expGet(t, pl, path+"?scale=90&format=csv", true)
		if recs := expCSV(t, b); len(recs) != 3 || recs[0][6] != "less than the base" || recs[2][6] != "100" {
			t.Fatalf("scenario csv %q", recs)
		}
		before, _ := db.LedgerTransfersAfter(ctx, 0, 100000)
		pl.Get(path).Body.Close()
		resp := pl.PostForm(path+"/apply", url.Values{})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		after, _ := db.LedgerTransfersAfter(ctx, 0, 100000)
		if len(after) != len(before)+2 {
			t.Fatalf("%d transfers for 2 enterprises", len(after)-len(before))
		}
		b2, _ := l.Balance(ctx, reg, "s.E2")
		if b2.CreditsPosted != 300*1_000_000 {
			t.Fatalf("enterprise 2 received %d g", b2.CreditsPosted)
		}
		// The enterprise sees its own line only, and cannot apply.
		c2 := env.Login("ent2")
		doc = resDoc(t, c2.Get(path), 200, "enterprise view")
		if cells := plCells(doc.Find(`table[data-testid="allocation"] tbody tr td:nth-child(2)`)); len(cells) != 1 || cells[0] != "冶炼二厂" {
			t.Fatalf("enterprise sees %q", cells)
		}
		if doc.Find(`[data-testid="apply-form"]`).Length() != 0 {
			t.Fatal("enterprise is offered the apply button")
		}
	})
}
