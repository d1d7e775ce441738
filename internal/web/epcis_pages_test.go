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

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// trEvent is an ObjectEvent at loc on a day of July 2026 with a lot of 100 kg.
func trEvent(loc, step, lot string, day int) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-07-%02dT10:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE",`+
		`"bizStep":%q,"readPoint":{"id":%q},"bizLocation":{"id":%q},"quantityList":[{"epcClass":%q,"quantity":100,"uom":"KGM"}]}`, day, step, loc, loc, lot)
}

func trDoc(evs ...string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
		`"creationDate":"2026-07-01T08:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(evs, ",") + `]}}`
}

// TestTracePages: the product-flow pages on both databases. Two enterprises each capture at
// their own place; the events list filters by type, date, bizStep, location and lot (in
// either spelling of the lot), and exports what it shows to XLSX; an enterprise user sees
// only its own events, and another enterprise's event id is the same 404 as a missing one;
// the event page shows a verified inclusion proof and an error declaration; a bad date is a
// 422 naming the parameter; the log page shows the signed checkpoint; provenance is not for
// enterprise users.
func TestTracePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var entA, entB int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, g := range []store.Region{
				{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "test"},
				{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "test"},
			} {
				if err := tx.UpsertRegion(ctx, g); err != nil {
					return err
				}
			}
			var err error
			if entA, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "甲稀土", RegionCode: "360700", Source: "test", CreatedAt: time.Now()}); err != nil {
				return err
			}
			entB, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "乙磁材", RegionCode: "360700", Source: "test", CreatedAt: time.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.Start(t, db, web.Config{})
		env.AddUser("tr-admin", auth.Admin, "", 0)
		env.AddUser("tr-reg", auth.Regulator, "", 0)
		env.AddUser("tr-a", auth.Enterprise, "", entA)
		tok := env.Token("tr-admin")
		siteA, siteB := "https://id.gs1.org/414/6901234000030", "https://id.gs1.org/414/6901234000047"
		for _, l := range []struct {
			gln, kind string
			ent       int64
		}{{"6901234000030", "mine", entA}, {"6901234000047", "magnet_plant", entB}} {
			body := fmt.Sprintf(`{"gln":%q,"name_zh":"地点%s","kind":%q,"region_code":"360700","enterprise_id":%d}`, l.gln, l.gln, l.kind, l.ent)
			if resp := env.API("POST", "/epcis/locations", tok, strings.NewReader(body), nil); resp.StatusCode != http.StatusCreated {
				t.Fatalf("location %s: %d", l.gln, resp.StatusCode)
			}
		}
		lot := func(s string) string { return "urn:epc:class:lgtin:6901234.000001." + s }
		wrong := trEvent(siteA, "shipping", lot("A3"), 3)
		doc := trDoc(trEvent(siteA, "commissioning", lot("A1"), 1), trEvent(siteA, "shipping", lot("A1"), 2), wrong,
			trEvent(siteB, "receiving", lot("B1"), 2), trEvent(siteB, "shipping", lot("B1"), 5))
		if resp := env.API("POST", "/epcis/capture", tok, strings.NewReader(doc), nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("capture: %d", resp.StatusCode)
		}
		decl := strings.TrimSuffix(wrong, "}") + `,"errorDeclaration":{"declarationTime":"2026-07-04T00:00:00Z","reason":"incorrect_data"}}`
		if resp := env.API("POST", "/epcis/capture", tok, strings.NewReader(trDoc(decl)), nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("capture the declaration: %d", resp.StatusCode)
		}

		reg, entUser := env.Login("tr-reg"), env.Login("tr-a")
		rows := func(d *goquery.Document) [][]string {
			var out [][]string
			d.Find("[data-testid=trace-events] tbody tr").Each(func(_ int, r *goquery.Selection) {
				if c := plCells(r.Find("td")); len(c) > 1 { // not the "no rows" line
					out = append(out, c)
				}
			})
			return out
		}
		if got := rows(cuGet(t, reg, "/trace/events", 200)); len(got) != 6 {
			t.Fatalf("regulator sees %d events, want 5 and a declaration: %q", len(got), got)
		}
		for q, want := range map[string]int{
			"bizStep=shipping":                   4,
			"from=2026-07-02&to=2026-07-03":      4,
			"from=2026-07-05":                    1,
			"location=" + url.QueryEscape(siteB): 2,
			"epc=" + url.QueryEscape(lot("A1")):  2,
			// The same lot as a GS1 Digital Link (GTIN 06901234000016 from the LGTIN, lot A1).
			"epc=" + url.QueryEscape("https://id.gs1.org/01/06901234000016/10/A1"): 2,
			"type=TransformationEvent": 0,
		} {
			if got := rows(cuGet(t, reg, "/trace/events?"+q, 200)); len(got) != want {
				t.Errorf("/trace/events?%s: %d rows, want %d: %q", q, len(got), want, got)
			}
		}
		d := cuGet(t, reg, "/trace/events?bizStep=shipping", 200)
		var flags []string
		for _, r := range rows(d) {
			flags = append(flags, r[7])
			if !strings.HasPrefix(r[6], "quantity: urn:epc:class:lgtin:6901234.000001.") || !strings.HasSuffix(r[6], " 100 KGM") {
				t.Errorf("items column %q", r[6])
			}
		}
		if strings.Join(flags, "|") != "|是（已更正，不重复计）|错误声明（更正上一条）|" {
			t.Errorf("correction column of the shipping events: %q", flags)
		}
		x := cuDownload(t, reg, "/trace/events?bizStep=shipping&format=xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		xr, _ := f.GetRows(f.GetSheetName(0))
		if len(xr) != 5 || !strings.HasPrefix(xr[len(xr)-1][8], "ni:///sha-256;") {
			t.Errorf("xlsx export of 3 shipping events: %q", xr)
		}
		csv := cuDownload(t, reg, "/trace/events?bizStep=shipping&format=csv")
		if n := strings.Count(string(csv), "ni:///sha-256;"); n != 4 {
			t.Errorf("csv export: %d hash ids, want 4", n)
		}

		// The enterprise user: its own three events and the declaration at its site, not B's.
		own := rows(cuGet(t, entUser, "/trace/events", 200))
		if len(own) != 4 {
			t.Errorf("enterprise A sees %d events, want its 4: %q", len(own), own)
		}
		var hashB, hashWrong string
		cuGet(t, reg, "/trace/events?location="+url.QueryEscape(siteB), 200).Find("[data-testid=trace-events] tbody tr td:last-child a").Each(func(_ int, a *goquery.Selection) {
			hashB = a.Text()
		})
		cuGet(t, reg, "/trace/events?from=2026-07-03&to=2026-07-03", 200).Find("[data-testid=trace-events] tbody tr td:last-child a").Each(func(_ int, a *goquery.Selection) {
			hashWrong = a.Text()
		})
		missing := cuGet(t, entUser, "/trace/event?id="+url.QueryEscape("ni:///sha-256;"+strings.Repeat("0", 64)+"?ver=CBV2.0"), 404)
		guessed := cuGet(t, entUser, "/trace/event?id="+url.QueryEscape(hashB), 404)
		if m, g := missing.Find("[data-testid=error-message]").Text(), guessed.Find("[data-testid=error-message]").Text(); m == "" || m != g {
			t.Error("another enterprise's event is answered differently from a missing one")
		}
		ev := cuGet(t, entUser, "/trace/event?id="+url.QueryEscape(hashWrong), 200)
		if ev.Find("[data-testid=trace-proof-ok]").Length() != 1 || ev.Find("[data-testid=trace-declared]").Length() != 1 ||
			!strings.Contains(ev.Find("[data-testid=trace-declarations]").Text(), "incorrect_data") {
			t.Errorf("event page: proof verified %d, declared banner %d, declarations %q", ev.Find("[data-testid=trace-proof-ok]").Length(),
				ev.Find("[data-testid=trace-declared]").Length(), ev.Find("[data-testid=trace-declarations]").Text())
		}
		cuGet(t, entUser, "/trace/provenance", 403)

		bad := cuGet(t, reg, "/trace/events?from=2026-13-40", 422)
		if msg := bad.Find("[data-testid=trace-error]").Text(); !strings.Contains(msg, "GE_eventTime") {
			t.Errorf("bad date: %q, want it to name GE_eventTime", msg)
		}
		log := cuGet(t, reg, "/trace/log", 200)
		if size := plText(log, "[data-field=size]"); size != "6" {
			t.Errorf("log size %q, want 6 (5 events and a declaration)", size)
		}
		if cp := log.Find("[data-testid=trace-log-checkpoint]").Text(); !strings.HasPrefix(cp, "zhanxin.epcis.log\n6\n") || !strings.Contains(cp, "— zhanxin.epcis.log") {
			t.Errorf("checkpoint %q", cp)
		}
		locs := cuGet(t, entUser, "/trace/locations", 200)
		if n := locs.Find("[data-testid=trace-locations] tbody tr").Length(); n != 1 {
			t.Errorf("enterprise A sees %d locations, want its 1", n)
		}
	})
}
