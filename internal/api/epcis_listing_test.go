package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/web"
	"zhanxin/internal/webtest"
)

// listAll pages through a discovery resource by its Link header.
func listAll(t *testing.T, env *webtest.Env, token, path string) []string {
	t.Helper()
	var out []string
	for pages := 0; path != ""; pages++ {
		status, hdr, b := call(t, env, http.MethodGet, path, token, "", nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, status, b)
		}
		var c struct {
			Context []string `json:"@context"`
			Type    string   `json:"type"`
			Member  []string `json:"member"`
		}
		if err := json.Unmarshal(b, &c); err != nil || c.Type != "Collection" || len(c.Context) != 1 {
			t.Fatalf("GET %s: not a Collection: %v %s", path, err, b)
		}
		out = append(out, c.Member...)
		path = ""
		if link := hdr.Get("Link"); link != "" {
			path = strings.TrimSuffix(strings.TrimPrefix(strings.Split(link, ";")[0], "<"), ">")
		}
		if pages > 100 {
			t.Fatal("paging does not end")
		}
	}
	return out
}

// TestEPCISDiscoveryResources: the REST binding's eventTypes, epcs, bizSteps, bizLocations,
// readPoints and dispositions list what is stored (event types: the five standard ones),
// page by token one member at a time without loss or repetition, and are scoped like the
// query (an enterprise sees only the values of its own events). /{resource}/{value}/events
// filters by the value, and an EPC captured as a URN is found by its Digital Link and the
// other way round, in the path and in MATCH_ parameters.
func TestEPCISDiscoveryResources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := webtest.Start(t, db, web.Config{})
		seedRegions(t, db)
		a := seedEnterprise(t, db, "甲稀土", "360702")
		b := seedEnterprise(t, db, "乙钨业", "360703")
		env.AddUser("reg", auth.Regulator, "", 0)
		env.AddUser("ea", auth.Enterprise, "", a)
		env.AddUser("eb", auth.Enterprise, "", b)
		reg, ea, eb := env.Token("reg"), env.Token("ea"), env.Token("eb")
		addLocation(t, env, reg, "6901234000016", "separation_plant", "360702", a)
		addLocation(t, env, reg, "6901234000023", "mine", "360703", b)
		siteA, siteB := "urn:epc:id:sgln:6901234.00001.0", "https://id.gs1.org/414/6901234000023"
		sgtinURN, sgtinDL := "urn:epc:id:sgtin:6901234.000001.7", "https://id.gs1.org/01/06901234000016/21/7"
		withEPC := func(loc, step, epc string) string {
			return strings.Replace(objectEvent(loc, step, `{"epcClass":"urn:epc:class:lgtin:6901234.000001.L","quantity":1,"uom":"KGM"}`),
				`"quantityList"`, `"epcList":[`+strconvQuote(epc)+`],"disposition":"in_transit","quantityList"`, 1)
		}
		if st, _, body := capture(t, env, ea, "application/json", []byte(epcisDoc(withEPC(siteA, "shipping", sgtinURN), withEPC(siteA, "packing", "urn:epc:id:sgtin:6901234.000001.8")))); st != 202 {
			t.Fatalf("ea capture: %d %s", st, body)
		}
		if st, _, body := capture(t, env, eb, "application/json", []byte(epcisDoc(withEPC(siteB, "receiving", sgtinDL)))); st != 202 {
			t.Fatalf("eb capture: %d %s", st, body)
		}
		cbv := func(kind string, terms ...string) []string {
			var out []string
			for _, x := range terms {
				out = append(out, "https://ref.gs1.org/cbv/"+kind+"-"+x)
			}
			return out
		}
		locA, locB := "https://id.gs1.org/414/6901234000016", siteB
		for _, c := range []struct {
			path, token string
			want        []string
		}{
			{"/epcis/eventTypes", ea, []string{"AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent", "TransformationEvent"}},
			{"/epcis/bizSteps?perPage=1", reg, cbv("BizStep", "packing", "receiving", "shipping")},
			{"/epcis/bizSteps?perPage=1", ea, cbv("BizStep", "packing", "shipping")},
			{"/epcis/bizSteps", eb, cbv("BizStep", "receiving")},
			{"/epcis/dispositions", reg, cbv("Disp", "in_transit")},
			{"/epcis/bizLocations?perPage=1", reg, []string{locA, locB}},
			{"/epcis/readPoints", eb, []string{locB}},
			{"/epcis/epcs?perPage=2", reg, []string{sgtinDL, sgtinURN, "urn:epc:id:sgtin:6901234.000001.8"}},
			{"/epcis/epcs", eb, []string{sgtinDL}},
		} {
			if got := listAll(t, env, c.token, c.path); !slices.Equal(got, c.want) {
				t.Errorf("%s: %q, want %q", c.path, got, c.want)
			}
		}
		count := func(token, path string) int {
			t.Helper()
			status, _, body := call(t, env, http.MethodGet, path, token, "", nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, status, body)
			}
			return len(readBack(t, body).Events)
		}
		for path, want := range map[string]int{
			"/epcis/epcs/" + url.PathEscape(sgtinURN) + "/events":                         2, // A's as URN, B's as Digital Link
			"/epcis/epcs/" + url.PathEscape(sgtinDL) + "/events":                          2,
			"/epcis/events?MATCH_epc=" + url.QueryEscape(sgtinDL):                         2,
			"/epcis/bizSteps/shipping/events":                                             1,
			"/epcis/bizSteps/" + url.PathEscape(cbv("BizStep", "packing")[0]) + "/events": 1,
			"/epcis/bizLocations/" + url.PathEscape(siteA) + "/events":                    2,
			"/epcis/readPoints/" + url.PathEscape(locB) + "/events":                       1,
			"/epcis/dispositions/in_transit/events?EQ_bizStep=receiving":                  1,
			"/epcis/eventTypes/ObjectEvent/events":                                        3,
			"/epcis/eventTypes/TransformationEvent/events":                                0,
		} {
			if got := count(reg, path); got != want {
				t.Errorf("%s: %d events, want %d", path, got, want)
			}
		}
		// Scoped like the query: B does not see A's event through B's own EPC.
		if got := count(eb, "/epcis/epcs/"+url.PathEscape(sgtinURN)+"/events"); got != 1 {
			t.Errorf("enterprise B sees %d events of the shared EPC, want its 1", got)
		}
		// One event, and a resource's events, in the XML binding when asked for; JSON-LD
		// when JSON comes first in Accept.
		status, _, body := call(t, env, http.MethodGet, "/epcis/epcs/"+url.PathEscape(sgtinDL)+"/events?EQ_bizStep=receiving", reg, "", nil)
		if status != 200 {
			t.Fatalf("B's event: %d %s", status, body)
		}
		hashB := readBack(t, body).Events[0].HashID
		for _, c := range []struct {
			path, accept string
			xml          bool
		}{
			{"/epcis/events/" + url.PathEscape(hashB), "application/xml", true},
			{"/epcis/events/" + url.PathEscape(hashB), "text/xml;q=0.9, */*;q=0.1", true},
			{"/epcis/events/" + url.PathEscape(hashB), "application/json, application/xml", false},
			{"/epcis/readPoints/" + url.PathEscape(locB) + "/events", "application/xml", true},
		} {
			st, hdr, b := call(t, env, http.MethodGet, c.path, reg, "", nil, "Accept", c.accept)
			if st != 200 || strings.HasPrefix(hdr.Get("Content-Type"), "application/xml") != c.xml {
				t.Errorf("GET %s, Accept %s: %d %s", c.path, c.accept, st, hdr.Get("Content-Type"))
				continue
			}
			if !c.xml {
				continue
			}
			doc, err := epcisReader.ReadXML(strings.NewReader(string(b)))
			if doc == nil || len(doc.Events) != 1 || doc.Events[0].HashID != hashB || doc.Events[0].RecordTime.IsZero() {
				t.Errorf("GET %s as XML: %v %v\n%s", c.path, doc, err, b)
			}
		}
		if st, _, body := call(t, env, http.MethodGet, "/epcis/epcs?nextPageToken=!!", reg, "", nil); st != 422 || !strings.Contains(string(body), "nextPageToken") {
			t.Errorf("bad token: %d %s", st, body)
		}
	})
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
