package trace_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
	"zhanxin/internal/trace"
)

func TestCanonLocation(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"urn:epc:id:sgln:6901234.00001.0", "https://id.gs1.org/414/6901234000016"},
		{"urn:epc:id:sgln:0614141.00777.0", "https://id.gs1.org/414/0614141007776"},
		{"urn:epc:id:sgln:6901234.00001.dock7", "https://id.gs1.org/414/6901234000016/254/dock7"},
		{"https://example.cn/414/6901234000016", "https://id.gs1.org/414/6901234000016"},
		{"https://id.gs1.org/414/6901234000016/254/dock7", "https://id.gs1.org/414/6901234000016/254/dock7"},
		{"urn:epc:id:sgln:690.1.0", "urn:epc:id:sgln:690.1.0"}, // not 12 digits: left alone
		{"https://example.cn/warehouse/7", "https://example.cn/warehouse/7"},
	} {
		if got := trace.CanonLocation(c.in); got != c.want {
			t.Errorf("CanonLocation(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !trace.ValidGLN("6901234000016") || trace.ValidGLN("6901234000019") || trace.ValidGLN("690123400001") {
		t.Error("ValidGLN")
	}
}

// qevent is an event of the query test, with the attributes the expectations use.
type qevent struct {
	typ, action, step, disp, loc, tid string
	minute                            int
	epcs, inputs, outputs             []string
	class                             string
	qty                               float64
	hash                              string
}

func (e qevent) json() string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":%q,"eventTime":"2026-06-01T%02d:%02d:00+08:00","eventTimeZoneOffset":"+08:00"`, e.typ, e.minute/60, e.minute%60)
	if e.action != "" {
		fmt.Fprintf(&b, `,"action":%q`, e.action)
	}
	list := func(name string, xs []string) {
		if xs != nil {
			fmt.Fprintf(&b, `,%q:["%s"]`, name, strings.Join(xs, `","`))
		}
	}
	list("epcList", e.epcs)
	list("inputEPCList", e.inputs)
	list("outputEPCList", e.outputs)
	if e.class != "" {
		name := "quantityList"
		if e.typ == "TransformationEvent" {
			name = "outputQuantityList"
		}
		fmt.Fprintf(&b, `,%q:[{"epcClass":%q,"quantity":%g,"uom":"KGM"}]`, name, e.class, e.qty)
	}
	if e.tid != "" {
		fmt.Fprintf(&b, `,"transformationID":%q`, e.tid)
	}
	fmt.Fprintf(&b, `,"bizStep":%q,"disposition":%q,"readPoint":{"id":%q},"bizLocation":{"id":%q}}`, e.step, e.disp, e.loc, e.loc)
	return b.String()
}

func document(evs []string) []byte {
	return []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
		`"creationDate":"2026-06-01T00:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(evs, ",") + `]}}`)
}

// TestQueryParameters captures varied events and checks every standard query parameter
// against the same selection computed here from the events' attributes, paging through
// every result with a small perPage so that the page token is exercised each time.
func TestQueryParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, err := trace.New(ctx, db, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		locA, locB := "urn:epc:id:sgln:6901234.00001.0", "https://id.gs1.org/414/6901234000023"
		steps := []string{"shipping", "receiving", "https://ref.gs1.org/cbv/BizStep-storing", "commissioning"}
		disps := []string{"in_transit", "in_progress", "active"}
		var evs []qevent
		for i := 0; i < 37; i++ {
			e := qevent{typ: "ObjectEvent", action: []string{"OBSERVE", "ADD", "DELETE"}[i%3], step: steps[i%4], disp: disps[i%3],
				loc: []string{locA, locB}[i%2], minute: 7 * i, epcs: []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.012345.%d", i)},
				class: fmt.Sprintf("urn:epc:class:lgtin:6901234.012345.L%d", i%5), qty: float64(10 * i)}
			if i%6 == 5 {
				e = qevent{typ: "TransformationEvent", step: "commissioning", disp: "active", loc: locA, minute: 7 * i,
					tid:    fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i%2),
					inputs: []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.012345.%d", i-1)}, outputs: []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.099999.%d", i)},
					class: "urn:epc:class:lgtin:6901234.099999.OX", qty: float64(i)}
			}
			evs = append(evs, e)
		}
		var raw []string
		for _, e := range evs {
			raw = append(raw, e.json())
		}
		// locB is a registered plant with a dock under it, so WD_ finds the dock's events.
		ent := seedTraceEnterprise(t, db)
		dock := "https://id.gs1.org/414/6901234000023/254/dock1"
		for _, l := range []trace.NewLocation{{GLN: "6901234000023", Kind: "separation_plant"}, {GLN: "6901234000023", Extension: "dock1", Kind: "warehouse", ParentURI: locB}} {
			l.NameZh, l.RegionCode, l.EnterpriseID = "地点", "360700", ent
			if _, err := svc.AddLocation(ctx, auth.CLI("test"), l); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 3; i++ {
			evs = append(evs, qevent{typ: "ObjectEvent", action: "OBSERVE", step: "storing", disp: "active", loc: dock, minute: 300 + i,
				epcs: []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.077777.%d", i)}})
			raw = append(raw, evs[len(evs)-1].json())
		}
		res, err := svc.Capture(ctx, auth.CLI("test"), trace.CaptureRequest{Body: document(raw), Binding: trace.JSON})
		if err != nil {
			t.Fatalf("%v %+v", err, err.(*apperr.Error).Fields)
		}
		for i := range evs {
			evs[i].hash = res.Events[i].HashID
		}
		at := func(minute int) string { return fmt.Sprintf("2026-06-01T%02d:%02d:00+08:00", minute/60, minute%60) }
		cases := []struct {
			q    string
			want func(e qevent) bool
		}{
			{"", func(e qevent) bool { return true }},
			{"eventType=TransformationEvent", func(e qevent) bool { return e.typ == "TransformationEvent" }},
			{"eventType=ObjectEvent,TransformationEvent", func(e qevent) bool { return true }},
			{"GE_eventTime=" + url.QueryEscape(at(70)) + "&LT_eventTime=" + at(140), func(e qevent) bool { return e.minute >= 70 && e.minute < 140 }},
			{"EQ_action=ADD", func(e qevent) bool { return e.action == "ADD" }},
			{"EQ_action=ADD,DELETE", func(e qevent) bool { return e.action == "ADD" || e.action == "DELETE" }},
			{"EQ_bizStep=storing", func(e qevent) bool { return strings.HasSuffix(e.step, "storing") }},
			{"EQ_bizStep=storing&EQ_bizLocation=" + url.QueryEscape(dock), func(e qevent) bool { return e.loc == dock }},
			{"EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping", func(e qevent) bool { return e.step == "shipping" }},
			{"EQ_disposition=in_transit", func(e qevent) bool { return e.disp == "in_transit" }},
			{"EQ_bizLocation=https://id.gs1.org/414/6901234000016", func(e qevent) bool { return e.loc == locA }},
			{"WD_bizLocation=" + locA, func(e qevent) bool { return e.loc == locA }},
			{"WD_bizLocation=" + locB, func(e qevent) bool { return e.loc == locB || e.loc == dock }},
			{"WD_readPoint=" + locB, func(e qevent) bool { return e.loc == locB || e.loc == dock }},
			{"EQ_readPoint=" + locB, func(e qevent) bool { return e.loc == locB }},
			{"MATCH_epc=urn:epc:id:sgtin:6901234.012345.3", func(e qevent) bool { return len(e.epcs) > 0 && e.epcs[0] == "urn:epc:id:sgtin:6901234.012345.3" }},
			{"MATCH_epc=urn:epc:idpat:sgtin:6901234.012345.1*", func(e qevent) bool {
				return len(e.epcs) > 0 && strings.HasPrefix(e.epcs[0], "urn:epc:id:sgtin:6901234.012345.1")
			}},
			{"MATCH_anyEPC=urn:epc:id:sgtin:6901234.012345.4", func(e qevent) bool {
				return (len(e.epcs) > 0 && e.epcs[0] == "urn:epc:id:sgtin:6901234.012345.4") || (len(e.inputs) > 0 && e.inputs[0] == "urn:epc:id:sgtin:6901234.012345.4")
			}},
			{"MATCH_inputEPC=urn:epc:id:sgtin:6901234.012345.10", func(e qevent) bool { return len(e.inputs) > 0 && e.inputs[0] == "urn:epc:id:sgtin:6901234.012345.10" }},
			{"MATCH_outputEPC=urn:epc:id:sgtin:6901234.099999.11", func(e qevent) bool { return len(e.outputs) > 0 && e.outputs[0] == "urn:epc:id:sgtin:6901234.099999.11" }},
			{"MATCH_epcClass=urn:epc:class:lgtin:6901234.012345.L2", func(e qevent) bool {
				return e.typ == "ObjectEvent" && e.class == "urn:epc:class:lgtin:6901234.012345.L2"
			}},
			{"MATCH_outputEPCClass=urn:epc:class:lgtin:6901234.099999.OX", func(e qevent) bool { return e.typ == "TransformationEvent" }},
			{"EQ_transformationID=urn:uuid:00000000-0000-4000-8000-000000000001", func(e qevent) bool { return e.tid == "urn:uuid:00000000-0000-4000-8000-000000000001" }},
			{"GE_quantity=200", func(e qevent) bool { return e.qty >= 200 }},
			{"GT_quantity=200&LE_quantity=300", func(e qevent) bool { return e.qty > 200 && e.qty <= 300 }},
			{"LT_quantity=30", func(e qevent) bool { return e.class != "" && e.qty < 30 }},
			{"EQ_quantity=50", func(e qevent) bool { return e.qty == 50 }},
			{"EQ_bizStep=shipping&EQ_readPoint=" + locA, func(e qevent) bool { return e.step == "shipping" && e.loc == locA }},
		}
		for _, c := range cases {
			var want []string
			for _, e := range evs {
				if c.want(e) {
					want = append(want, e.hash)
				}
			}
			for _, order := range []string{"", "&orderDirection=DESC", "&orderBy=recordTime"} {
				got := queryAll(t, svc, c.q+order, 4)
				if order == "" || order == "&orderDirection=DESC" {
					// eventTime order: the events were made in ascending minutes.
					wantOrder := append([]string(nil), want...)
					if order != "" {
						for i, j := 0, len(wantOrder)-1; i < j; i, j = i+1, j-1 {
							wantOrder[i], wantOrder[j] = wantOrder[j], wantOrder[i]
						}
					}
					if strings.Join(got, " ") != strings.Join(wantOrder, " ") {
						t.Errorf("%s%s: got %d events %v, want %d %v", c.q, order, len(got), got, len(wantOrder), wantOrder)
					}
					continue
				}
				sort.Strings(got)
				sorted := append([]string(nil), want...)
				sort.Strings(sorted)
				if strings.Join(got, " ") != strings.Join(sorted, " ") {
					t.Errorf("%s%s: got %d events, want %d", c.q, order, len(got), len(sorted))
				}
			}
		}
		// Bad parameters are refused by name.
		for q, field := range map[string]string{
			"EQ_bizstep=shipping": "EQ_bizstep", "GE_eventTime=yesterday": "GE_eventTime", "perPage=0": "perPage",
			"perPage=100000": "perPage", "orderBy=bizStep": "orderBy", "orderDirection=up": "orderDirection",
			"EQ_action=MOVE": "EQ_action", "eventType=Thing": "eventType", "GT_quantity=lots": "GT_quantity",
			"nextPageToken=xyz": "nextPageToken",
		} {
			v, _ := url.ParseQuery(q)
			_, err := svc.ParseQuery(ctx, v)
			e, ok := err.(*apperr.Error)
			if !ok || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != field {
				t.Errorf("%s: %v", q, err)
			}
		}
		// A token from one ordering is refused in another.
		v, _ := url.ParseQuery("perPage=2")
		q, _ := svc.ParseQuery(ctx, v)
		page, err := svc.Events(ctx, auth.CLI("test"), q)
		if err != nil || page.NextPageToken == "" {
			t.Fatal(err)
		}
		v.Set("nextPageToken", page.NextPageToken)
		v.Set("orderDirection", "DESC")
		if _, err := svc.ParseQuery(ctx, v); err == nil {
			t.Error("a token of the ascending order was accepted for the descending one")
		}
	})
}

func queryAll(t *testing.T, svc *trace.Service, query string, perPage int) []string {
	t.Helper()
	ctx := context.Background()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	v.Set("perPage", fmt.Sprint(perPage))
	var out []string
	for pages := 0; ; pages++ {
		q, err := svc.ParseQuery(ctx, v)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		res, err := svc.Events(ctx, auth.CLI("test"), q)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if len(res.Events) > perPage {
			t.Fatalf("%s: page of %d > perPage %d", query, len(res.Events), perPage)
		}
		for _, e := range res.Events {
			out = append(out, e.HashID)
		}
		if res.NextPageToken == "" || pages > 100 {
			return out
		}
		v.Set("nextPageToken", res.NextPageToken)
	}
}

// TestServersAppendSafely: two servers (two services on two connections to the same
// database) capture at once; every event is stored once at a distinct log index and the
// recomputed log matches the head.
func TestServersAppendSafely(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			var target string
			var first *store.DB
			if dialect == "sqlite" {
				target = "sqlite:" + t.TempDir() + "/z.db"
			} else {
				target = storetest.PostgresURL(t)
			}
			open := func() *store.DB {
				db, err := store.Open(ctx, target)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			first = open()
			if _, err := first.Migrate(ctx, time.Now); err != nil {
				t.Fatal(err)
			}
			second := open()
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for s, db := range []*store.DB{first, second} {
				svc, err := trace.New(ctx, db, time.Now)
				if err != nil {
					t.Fatal(err)
				}
				for w := 0; w < 2; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for k := 0; k < 10; k++ {
							var raw []string
							for i := 0; i < 15; i++ {
								raw = append(raw, qevent{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", disp: "in_transit",
									loc: "urn:epc:id:sgln:6901234.00001.0", minute: i,
									epcs: []string{fmt.Sprintf("urn:epc:id:sgtin:6901234.012345.%d%d%d%d", s, w, k, i)}}.json())
							}
							if _, err := svc.Capture(ctx, auth.CLI("test"), trace.CaptureRequest{Body: document(raw), Binding: trace.JSON}); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			rep, err := trace.Verify(ctx, first)
			if err != nil || len(rep.Problems) > 0 || rep.Events != 600 || rep.HeadSize != 600 {
				t.Fatalf("after concurrent appends: %v %v events %d head %d", err, rep.Problems, rep.Events, rep.HeadSize)
			}
		})
	}
}

// The URN and Digital Link spellings of SGTIN, LGTIN and SSCC map onto each other, both
// ways; GTIN 06901234000016 is the LGTIN's GTIN with its check digit (GS1 mod 10).
func TestEPCSpellings(t *testing.T) {
	for _, c := range []struct{ urn, dl string }{
		{"urn:epc:class:lgtin:6901234.000001.A1", "https://id.gs1.org/01/06901234000016/10/A1"},
		{"urn:epc:id:sgtin:0614141.112345.400", "https://id.gs1.org/01/10614141123459/21/400"},
		{"urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"},
	} {
		if got := trace.EPCSpellings(c.urn); !slices.Equal(got, []string{c.urn, c.dl}) {
			t.Errorf("%s: %q, want it and %s", c.urn, got, c.dl)
		}
		if got := trace.EPCSpellings(c.dl); !slices.Contains(got, c.urn) || len(got) != 8 {
			t.Errorf("%s: %q, want the 7 URN splits including %s", c.dl, got, c.urn)
		}
		other := strings.Replace(c.dl, "https://id.gs1.org", "https://example.com/gs1", 1)
		if got := trace.EPCSpellings(other); !slices.Contains(got, c.urn) || !slices.Contains(got, c.dl) {
			t.Errorf("%s: %q, want %s and %s", other, got, c.urn, c.dl)
		}
	}
	for _, s := range []string{"urn:epc:id:sgtin:0614141.112345", "https://id.gs1.org/01/10614141123458/21/400", "urn:epc:id:grai:0614141.12345.1"} {
		if got := trace.EPCSpellings(s); len(got) != 1 {
			t.Errorf("%s: %q, want only itself (malformed or not converted)", s, got)
		}
	}
}
