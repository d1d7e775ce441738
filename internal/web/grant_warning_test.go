package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// TestGrantFormWarnsOfLastYearsViolations: 示例稀土一厂 went 100 t over its 2024 quota
// (300 t granted, 400 t reported and recorded as a violation). Its 2025 grant of 500 t
// through the form comes back with the violation, the proposed 100 t cut (500 → 400 t)
// and a confirmation box, and writes nothing; ticked, the grant is recorded.
func TestGrantFormWarnsOfLastYearsViolations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		plLoad(t, db)
		e1, _ := resChart(t, db)
		ctx := context.Background()
		reg := &auth.Principal{Username: "setup", Role: auth.Regulator}
		q := quota.New(db, time.Now)
		for _, g := range [][3]string{{"i24.issue", "i24.360700", "1,000"}, {"i24.360700", "i24.E1", "300"}} {
			if _, err := q.Grant(ctx, reg, quota.NewGrant{From: g[0], To: g[1], AmountT: g[2], Batch: "2024-1", GrantedOn: "2024-01-08", Source: "测试"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.SetReportRule(ctx, reg, "reo_ionic/mining/2024", true); err != nil {
			t.Fatal(err)
		}
		ent := &auth.Principal{Username: "e1", Role: auth.Enterprise, EnterpriseID: e1}
		if _, err := q.Report(ctx, ent, quota.NewReport{EnterpriseID: e1, Commodity: "reo_ionic", Period: "2024-01", AmountT: "400"}); err != nil {
			t.Fatal(err)
		}
		l := ledger.New(db, time.Now)
		led, err := l.CreateLedger(ctx, reg, ledger.REOIonic, ledger.Mining, 2025)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []ledger.NewAccount{{Code: "i25.issue", LedgerID: led.ID, Name: "issuance", Holder: ledger.Nation},
			{Code: "i25.E1", LedgerID: led.ID, Name: "一厂", Holder: ledger.EnterpriseHolder, EnterpriseID: e1, Flags: ledger.DebitsMustNotExceedCredits}} {
			if _, err := l.CreateAccount(ctx, reg, a); err != nil {
				t.Fatal(err)
			}
		}
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		c := env.Login("reg")
		c.Get("/quota/grants").Body.Close()
		form := url.Values{"from": {"i25.issue"}, "to": {"i25.E1"}, "amount_t": {"500"}, "batch": {"2025年第一批"}, "granted_on": {"2025-01-08"},
			"source": {"测试通知"}}
		count := func() int {
			gs, err := db.ListQuotaGrants(ctx, store.GrantFilter{}, store.ListQuery{Filter: "i25."})
			if err != nil {
				t.Fatal(err)
			}
			return gs.Total
		}
		doc := resDoc(t, c.PostForm("/quota/grants", form), http.StatusConflict, "grant to a violator")
		warn := plText(doc, `[data-testid="grant-warning"]`)
		for _, want := range []string{"示例稀土一厂", "2024", "100 t", "1 份报告", "2025", "500 t", "400 t"} {
			if !strings.Contains(warn, want) {
				t.Errorf("warning %q lacks %q", warn, want)
			}
		}
		if doc.Find(`[data-testid="grant-warning"] input[type=checkbox][name=confirm_violations]`).Length() != 1 {
			t.Fatal("no confirmation box")
		}
		if v, _ := doc.Find(`input[name="amount_t"]`).Attr("value"); v != "500" {
			t.Fatalf("the form lost its input: %q", v)
		}
		if count() != 0 {
			t.Fatal("an unconfirmed grant was recorded")
		}
		form.Set("confirm_violations", "1")
		resp := c.PostForm("/quota/grants", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed grant: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		resp.Body.Close()
		if count() != 1 {
			t.Fatal("the confirmed grant was not recorded")
		}
	})
}
