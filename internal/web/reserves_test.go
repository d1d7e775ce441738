package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/ledger/ledgertest"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// The strategic reserve pages on a real server and database: a depot created, stocked,
// shared and refused an over-release through the forms; its stock and holdings tables and
// the stock card with their XLSX/CSV exports read back; and the role boundaries.
func TestReservePagesFormsExportsAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e1, e2, err := ledgertest.SeedEnterprises(ctx, db, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var e3 int64
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertProduct(ctx, store.Product{Code: "ox_dy2o3", NameZh: "氧化镝", NameEn: "dysprosium oxide", Kind: "product",
				UnitZh: "吨 Dy2O3", UnitEn: "t Dy2O3", Source: "test"}); err != nil {
				return err
			}
			e3, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "无关企业", Source: "test", CreatedAt: time.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("plan", auth.Planner, "", 0)
		env.AddUser("op", auth.Enterprise, "", e1)
		env.AddUser("partner", auth.Enterprise, "", e2)
		env.AddUser("other", auth.Enterprise, "", e3)
		c := env.Login("reg")

		resp := c.PostForm("/reserves", url.Values{"code": {"GZ-W1"}, "name_zh": {"赣州实物储备库"}, "kind": {"physical"},
			"region_code": {"360700"}, "operator_id": {fmt.Sprint(e1)}, "source": {"批复"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create depot: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		base := strings.TrimSuffix(resp.Header.Get("Location"), "?done=depot")
		resp.Body.Close()
		// A bad depot: the form comes back with the field's message, nothing written.
		doc := resDoc(t, c.PostForm("/reserves", url.Values{"code": {"GZ W2"}, "kind": {"physical"}}), 422, "bad depot")
		if doc.Find(`[data-field=code]`).Length() != 1 || doc.Find(`table[data-testid=depots] tbody tr`).Length() != 1 {
			t.Fatalf("bad depot page: %s", doc.Find("main").Text())
		}

		op := func(kind, amount, in string, ent int64) *http.Response {
			return c.PostForm(base+"/operations", url.Values{"kind": {kind}, "product": {"ox_dy2o3"}, "enterprise_id": {fmt.Sprint(ent)},
				"amount_t": {amount}, "in_t": {in}, "date": {"2024-03-05"}, "doc_no": {"赣储〔2024〕1号"}, "reason": {"收储"}})
		}
		for _, x := range []struct {
			kind, amount, in string
		}{{"purchase", "120", ""}, {"rotation", "20", "20.5"}, {"release", "0.5", ""}} {
			if resp := op(x.kind, x.amount, x.in, e2); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", x.kind, resp.StatusCode, webtest.ReadBody(resp))
			}
		}
		doc = resDoc(t, op("release", "500", "", e2), 422, "over-release")
		if msg := doc.Find(`[data-field=amount_t]`).Text(); !strings.Contains(msg, "120 t") || !strings.Contains(msg, "500 t") {
			t.Fatalf("over-release message %q", msg)
		}
		if resp := c.PostForm(base+"/shares", url.Values{"shares": {fmt.Sprintf("360000, 30\n%d, 10", e2)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("shares: %d %s", resp.StatusCode, webtest.ReadBody(resp))
		}
		doc = resDoc(t, c.PostForm(base+"/shares", url.Values{"shares": {"360000, 95\n360700, 10"}}), 422, "shares over 100%")
		if !strings.Contains(doc.Find(`[data-field=shares]`).Text(), "105%") {
			t.Fatalf("shares over 100%%: %q", doc.Find(".field-error").Text())
		}

		doc = resDoc(t, c.Get(base), 200, "depot")
		if row := resRow(doc, "stock", "氧化镝"); len(row) < 5 || row[2] != "140.5 t" || row[3] != "20.5 t" || row[4] != "120 t" {
			t.Fatalf("stock row %q", row)
		}
		if row := resRow(doc, "holdings", "江西省"); len(row) != 4 || row[2] != "30%" || row[3] != "36 t" {
			t.Fatalf("holding row %q", row)
		}
		_, b := expGet(t, c, base+"?table=holdings&format=xlsx", false)
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) != 3 || rows[1][0] != "江西省" || rows[1][3] != "36" {
			t.Fatalf("holdings xlsx %q %v", rows, err)
		}

		card := base + "/stock?product=ox_dy2o3&from=2024-01-01&to=2099-12-31"
		doc = resDoc(t, c.Get(card), 200, "stock card")
		if o, cl := plText(doc, "[data-testid=opening] td"), plText(doc, "[data-testid=closing] td"); o != "0 t" || cl != "120 t" {
			t.Fatalf("opening %q closing %q", o, cl)
		}
		if n := doc.Find(`table[data-testid=card] tbody tr`).Length(); n != 4 {
			t.Fatalf("card has %d lines, want 4", n)
		}
		_, b = expGet(t, c, card+"&format=xlsx", false)
		if x, err = excelize.OpenReader(bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		rows, err = x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) != 5 || rows[1][1] != "收储" || rows[1][3] != "120" || rows[4][5] != "120" || rows[4][8] != "收储" {
			t.Fatalf("card xlsx %q %v", rows, err)
		}
		resp, b = expGet(t, c, card+"&format=csv", true)
		if resp.StatusCode != 200 || !strings.Contains(string(b), "purchase") || !strings.Contains(string(b), "rotation") {
			t.Fatalf("card csv %d %s", resp.StatusCode, b)
		}

		// Roles: the planner reads without forms; the operator and the partner read; another
		// enterprise gets the same 404 as a missing depot; enterprises cannot operate.
		doc = resDoc(t, env.Login("plan").Get(base), 200, "planner")
		if doc.Find(`[data-testid=op-form]`).Length() != 0 {
			t.Error("planner sees the operation form")
		}
		for _, u := range []string{"op", "partner"} {
			resDoc(t, env.Login(u).Get(card), 200, u+" stock card")
		}
		other := env.Login("other")
		for _, path := range []string{base, "/reserves/999999", card} {
			resp := other.Get(path)
			body := webtest.ReadBody(resp)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "没有编号为") || strings.Contains(body, "赣州实物储备库") {
				t.Errorf("%s for another enterprise: %d, want the missing-depot 404", path, resp.StatusCode)
			}
		}
		resp = env.Login("op").PostForm(base+"/operations", url.Values{"kind": {"release"}, "product": {"ox_dy2o3"}, "amount_t": {"1"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise operating: %d", resp.StatusCode)
		}
		resp.Body.Close()
	})
}
