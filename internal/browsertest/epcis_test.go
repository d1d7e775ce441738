package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhanxin/internal/store"
)

// traceChain is an EPCIS document of a wide mine-to-magnet chain: 400 ore lots commissioned
// at two mines, separated 20 at a time into 20 concentrate lots, all of which make one
// magnet lot. 421 lots, 21 transformations and 2 mines: a graph past the page's "large"
// threshold (300 nodes), so the layout for many nodes is what is drawn.
func traceChain(mineA, mineB, plant string) []byte {
	lot := func(s string) string { return "urn:epc:class:lgtin:6901234.000001." + s }
	qty := func(l string) string { return fmt.Sprintf(`{"epcClass":%q,"quantity":100,"uom":"KGM"}`, l) }
	var evs []string
	minute := 0
	at := func() string {
		minute++
		return fmt.Sprintf("2026-07-%02dT%02d:%02d:00+08:00", 1+minute/1440, minute/60%24, minute%60)
	}
	var concs []string
	for c := 0; c < 20; c++ {
		var ins []string
		for o := 0; o < 20; o++ {
			mine := mineA
			if o%2 == 1 {
				mine = mineB
			}
			ore := lot(fmt.Sprintf("ORE%d-%d", c, o))
			evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning",`+
				`"disposition":"active","readPoint":{"id":%q},"bizLocation":{"id":%q},"quantityList":[%s]}`, at(), mine, mine, qty(ore)))
			ins = append(ins, qty(ore))
		}
		conc := lot(fmt.Sprintf("CONC%d", c))
		concs = append(concs, qty(conc))
		evs = append(evs, fmt.Sprintf(`{"type":"TransformationEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","inputQuantityList":[%s],`+
			`"outputQuantityList":[%s],"bizStep":"commissioning","disposition":"active","readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
			at(), strings.Join(ins, ","), qty(conc), plant, plant))
	}
	evs = append(evs, fmt.Sprintf(`{"type":"TransformationEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","inputQuantityList":[%s],`+
		`"outputQuantityList":[%s],"bizStep":"commissioning","disposition":"active","readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
		at(), strings.Join(concs, ","), qty(lot("MAGNET1")), plant, plant))
	return []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
		`"creationDate":"2026-07-01T08:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(evs, ",") + `]}}`)
}

// TestEPCISPages captures a mine-to-magnet chain through the EPCIS API, then opens the
// provenance page of the magnet lot and checks that ECharts drew every node the server
// sent (421 lots, 21 transformations, 2 mines), and that the events list, one event with a
// verified inclusion proof, the locations and the log page render without a browser error.
func TestEPCISPages(t *testing.T) {
	s := Open(t)
	ctx := context.Background()
	ents, err := s.Env.DB.AllEnterprises(ctx, store.EnterpriseScope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) == 0 {
		t.Fatal("the default dataset has no enterprise")
	}
	ent := ents[0]
	const region = "360783" // 龙南市, in the default dataset
	tok := s.Env.Token("admin")
	mineA, mineB, plant := "6901234000030", "6901234000047", "6901234000016"
	for _, l := range []struct{ gln, kind string }{{mineA, "mine"}, {mineB, "mine"}, {plant, "separation_plant"}} {
		body := fmt.Sprintf(`{"gln":%q,"name_zh":"地点%s","kind":%q,"region_code":%q,"enterprise_id":%d}`, l.gln, l.gln, l.kind, region, ent.ID)
		if resp := s.Env.API("POST", "/epcis/locations", tok, strings.NewReader(body), nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("register location %s: HTTP %d", l.gln, resp.StatusCode)
		}
	}
	dl := func(gln string) string { return "https://id.gs1.org/414/" + gln }
	var job struct {
		Stored int `json:"stored"`
	}
	if resp := s.Env.API("POST", "/epcis/capture", tok, bytes.NewReader(traceChain(dl(mineA), dl(mineB), dl(plant))), &job); resp.StatusCode != http.StatusAccepted || job.Stored != 421 {
		t.Fatalf("capture: HTTP %d, stored %d of 421", resp.StatusCode, job.Stored)
	}

	s.Login("admin")
	magnet := "urn:epc:class:lgtin:6901234.000001.MAGNET1"
	s.Open("/trace/provenance?direction=back&lot=" + url.QueryEscape(magnet))
	s.WaitDrawn("provenance graph", "#prov-graph")
	var drawn struct {
		Sent, Drawn, Links, Mines int
		Summary                   string
	}
	s.Eval("provenance graph", `(function () {
	  var el = document.getElementById("prov-graph");
	  var g = JSON.parse(el.getAttribute("data-graph"));
	  var opt = echarts.getInstanceByDom(el).getOption();
	  return {Sent: g.nodes.length, Drawn: opt.series[0].data.length, Links: opt.series[0].links.length,
	    Mines: g.nodes.filter(function (n) { return n.kind === "mine"; }).length,
	    Summary: document.querySelector("[data-testid=prov-summary]").textContent};
	})()`, &drawn)
	// 421 lots + 21 transformation nodes + 2 mines; links: 400 ore→T, 20 T→conc, 20 conc→T,
	// T→magnet, and 400 mine→ore.
	if drawn.Sent != 444 || drawn.Drawn != 444 || drawn.Mines != 2 || drawn.Links != 841 {
		t.Errorf("provenance graph: sent %d nodes, drawn %d, %d mines, %d links; want 444, 444, 2, 841", drawn.Sent, drawn.Drawn, drawn.Mines, drawn.Links)
	}
	if !strings.Contains(drawn.Summary, "421 个批次") || !strings.Contains(drawn.Summary, "2 跳") {
		t.Errorf("summary %q, want 421 lots and 2 hops", drawn.Summary)
	}
	s.Shot("trace-provenance.png", 1366)
	s.Check("provenance page")

	s.Open("/trace/events?type=TransformationEvent")
	var rows int
	s.Eval("events list", `document.querySelectorAll("[data-testid=trace-events] tbody tr").length`, &rows)
	if rows != 21 {
		t.Errorf("events list filtered to TransformationEvent: %d rows, want 21", rows)
	}
	var href string
	s.Eval("first event link", `document.querySelector("[data-testid=trace-events] tbody tr a").getAttribute("href")`, &href)
	s.Open(href)
	var ok bool
	s.Eval("inclusion proof", `!!document.querySelector("[data-testid=trace-proof-ok]")`, &ok)
	if !ok {
		t.Error("the event page does not show a verified inclusion proof")
	}
	s.Check("event page")
	for _, p := range []string{"/trace/locations", "/trace/log"} {
		s.Open(p)
		s.Check(p)
	}
}
