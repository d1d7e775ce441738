package dataset

import (
	"context"
	"fmt"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/flow"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

// The demonstration year's product flows (示例数据) as EPCIS events: each month from
// February to June 2024 the two demonstration mines commission ionic rare earth
// concentrate (exactly the REO their production reports consumed from the mining quota),
// ship it to 甲's separation plant, which separates it into oxide; 丙 turns the oxide into
// metal and the metal into magnets, which leave for customers. Five anomalies are planted
// for the flow checks to find, and nothing else is wrong:
//
//   - in-transit loss: 乙's April shipment arrives 2% short;
//   - yield out of band: the separation plant's May run yields 85% against 92–99%;
//   - ore out of the region: in June 乙 sends 10 t of concentrate to an unregistered
//     processor outside 赣州;
//   - late report: 丙's magnet plant enters its April flows on 15 May, after the 10th;
//   - export without a licence: in June magnets leave through 丙's port, and 丙 holds no
//     export quota.
//
// Each month is entered on the 5th of the next (the clock of the capture is set to it), so
// record times say when the flows were reported. Every name carries 【示例】; the GS1
// company prefix 6970000 is made up.

// DemoFlowPlanted lists the planted anomalies as "kind site-name" (the test's expectation).
var DemoFlowPlanted = []string{
	"export_unlicensed " + DemoMark + "丙公司出口口岸",
	"late_report " + DemoMark + "丙公司磁材厂",
	"out_of_region " + DemoMark + "乙公司矿山",
	"transit_loss " + DemoMark + "乙公司矿山",
	"yield " + DemoMark + "甲公司分离厂",
}

// demoGLN makes a valid GLN under the made-up prefix.
func demoGLN(n int) string {
	body := fmt.Sprintf("697000000%03d", n)
	for d := 0; d < 10; d++ {
		if g := body + fmt.Sprint(d); trace.ValidGLN(g) {
			return g
		}
	}
	panic("no check digit")
}

func demoSite(n int) string { return "https://id.gs1.org/414/" + demoGLN(n) }

// The demonstration's product classes (LGTIN, the lot after the last dot).
const (
	demoConc   = "urn:epc:class:lgtin:6970000.012345."
	demoOxide  = "urn:epc:class:lgtin:6970000.012346."
	demoMetal  = "urn:epc:class:lgtin:6970000.012347."
	demoMagnet = "urn:epc:class:lgtin:6970000.012348."
)

type demoEvent struct {
	typ, action, step, site, at string
	qty, ins, outs              [][2]string // class, kilograms
	dest, tx                    string
}

func (e demoEvent) json() string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":%q,"eventTime":"%s:00+08:00","eventTimeZoneOffset":"+08:00"`, e.typ, e.at)
	if e.action != "" {
		fmt.Fprintf(&b, `,"action":%q`, e.action)
	}
	if e.step != "" {
		fmt.Fprintf(&b, `,"bizStep":%q`, e.step)
	}
	list := func(name string, qs [][2]string) {
		if len(qs) == 0 {
			return
		}
		parts := make([]string, len(qs))
		for i, q := range qs {
			parts[i] = fmt.Sprintf(`{"epcClass":%q,"quantity":%s,"uom":"KGM"}`, q[0], q[1])
		}
		fmt.Fprintf(&b, `,%q:[%s]`, name, strings.Join(parts, ","))
	}
	list("quantityList", e.qty)
	list("inputQuantityList", e.ins)
	list("outputQuantityList", e.outs)
	if e.dest != "" {
		fmt.Fprintf(&b, `,"sourceList":[{"type":"location","source":%q}],"destinationList":[{"type":"location","destination":%q}]`, e.site, e.dest)
	}
	if e.tx != "" {
		fmt.Fprintf(&b, `,"bizTransactionList":[{"type":"desadv","bizTransaction":"https://example.cn/demo/desadv/%s"}]`, e.tx)
	}
	fmt.Fprintf(&b, `,"readPoint":{"id":%q},"bizLocation":{"id":%q}}`, e.site, e.site)
	return b.String()
}

// loadDemoFlows registers the demonstration's places and products and captures its flows.
// ents are 甲, 乙 (mines) and 丙 (magnets).
func loadDemoFlows(ctx context.Context, db *store.DB, p *auth.Principal, clk *demoClock, ents [3]int64) error {
	clk.at("2024-01-10 09:00")
	tr, err := trace.New(ctx, db, clk.now)
	if err != nil {
		return err
	}
	fl := &flow.Service{DB: db, Now: clk.now}
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, pr := range []store.Product{
			{Code: "demo_nd_metal", NameZh: DemoMark + "金属钕", NameEn: "neodymium metal (demonstration)", Kind: "product", UnitZh: "吨", UnitEn: "t",
				Oxide: "REO", Source: demoSource, SortOrder: 900},
			{Code: "demo_ndfeb", NameZh: DemoMark + "钕铁硼磁体", NameEn: "NdFeB magnets (demonstration)", Kind: "product", UnitZh: "吨", UnitEn: "t",
				Oxide: "REO", Source: demoSource, SortOrder: 901},
		} {
			if err := tx.UpsertProduct(ctx, pr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Contents and bands are synthetic; the metal's 116.64% is the mass ratio Nd2O3/2Nd.
	for _, np := range []flow.NewProduct{
		{EPCClass: demoConc + "0", ProductCode: "ionic_re", Stage: "concentrate", Oxide: "REO", ContentPct: "80"},
		{EPCClass: demoOxide + "0", ProductCode: "ox_nd2o3", Stage: "oxide", Oxide: "REO", ContentPct: "100", YieldMinPct: "92", YieldMaxPct: "99"},
		{EPCClass: demoMetal + "0", ProductCode: "demo_nd_metal", Stage: "metal", Oxide: "REO", ContentPct: "116.64", YieldMinPct: "95", YieldMaxPct: "100"},
		{EPCClass: demoMagnet + "0", ProductCode: "demo_ndfeb", Stage: "magnet", Oxide: "REO", ContentPct: "36.16", YieldMinPct: "95", YieldMaxPct: "100"},
	} {
		np.Source = demoSource
		if _, err := fl.SetProduct(ctx, p, np); err != nil {
			return fmt.Errorf("demo product %s: %w", np.EPCClass, err)
		}
	}
	type place struct {
		n      int
		name   string
		kind   string
		region string
		ent    int
	}
	places := []place{
		{1, "甲公司矿山", "mine", "360783", 0}, {2, "乙公司矿山", "mine", "360783", 1}, {3, "甲公司分离厂", "separation_plant", "360783", 0},
		{4, "丙公司金属厂", "metal_plant", "360700", 2}, {5, "丙公司磁材厂", "magnet_plant", "360700", 2}, {6, "丙公司出口口岸", "port", "360700", 2},
	}
	for _, pl := range places {
		if _, err := tr.AddLocation(ctx, p, trace.NewLocation{GLN: demoGLN(pl.n), NameZh: DemoMark + pl.name, Kind: pl.kind,
			RegionCode: pl.region, EnterpriseID: ents[pl.ent]}); err != nil {
			return fmt.Errorf("demo location %s: %w", pl.name, err)
		}
	}
	m1, m2, sep, metal, magnet, port := demoSite(1), demoSite(2), demoSite(3), demoSite(4), demoSite(5), demoSite(6)
	outside := "https://id.gs1.org/414/" + demoGLN(90)  // a processor outside 赣州, not registered
	customer := "https://id.gs1.org/414/" + demoGLN(91) // domestic magnet customers, not registered
	abroad := "https://id.gs1.org/414/" + demoGLN(92)   // the foreign buyer
	capture := func(recorded string, evs []demoEvent) error {
		clk.at(recorded)
		raw := make([]string, len(evs))
		for i, e := range evs {
			raw[i] = e.json()
		}
		doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
			`"creationDate":"` + clk.now().Format("2006-01-02T15:04:05-07:00") + `","epcisBody":{"eventList":[` + strings.Join(raw, ",") + `]}}`
		_, err := tr.Capture(ctx, p, trace.CaptureRequest{Body: []byte(doc), Binding: trace.JSON, ContentType: "application/ld+json"})
		return err
	}
	kg := func(n int64) string { return fmt.Sprint(n) }
	for i, month := range []string{"2024-02", "2024-03", "2024-04", "2024-05", "2024-06"} {
		lot := fmt.Sprint(i + 2)
		at := func(day int, hour int) string { return fmt.Sprintf("%s-%02dT%02d:00", month, day, hour) }
		// Concentrate of 80% REO: exactly the tonnes of REO reported against the quota.
		c1 := int64(420+10*i) * 1000 * 10 / 8
		c2 := int64(300+5*i) * 1000 * 10 / 8
		recv2, away := c2, int64(0)
		if month == "2024-04" {
			recv2 = c2 * 98 / 100 // the in-transit loss
		}
		if month == "2024-06" {
			away = 10000 // sent out of the region
		}
		conc1, conc2 := demoConc+"M1-"+lot, demoConc+"M2-"+lot
		evs := []demoEvent{
			{typ: "ObjectEvent", action: "ADD", step: "commissioning", site: m1, at: at(3, 8), qty: [][2]string{{conc1, kg(c1)}}},
			{typ: "ObjectEvent", action: "ADD", step: "commissioning", site: m2, at: at(3, 9), qty: [][2]string{{conc2, kg(c2)}}},
			{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: m1, dest: sep, tx: "M1-" + month, at: at(6, 8), qty: [][2]string{{conc1, kg(c1)}}},
			{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: m2, dest: sep, tx: "M2-" + month, at: at(6, 9), qty: [][2]string{{conc2, kg(c2 - away)}}},
			{typ: "ObjectEvent", action: "OBSERVE", step: "receiving", site: sep, tx: "M1-" + month, at: at(7, 8), qty: [][2]string{{conc1, kg(c1)}}},
			{typ: "ObjectEvent", action: "OBSERVE", step: "receiving", site: sep, tx: "M2-" + month, at: at(7, 9), qty: [][2]string{{conc2, kg(recv2 - away)}}},
		}
		if away > 0 {
			evs = append(evs, demoEvent{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: m2, dest: outside, tx: "OUT-" + month,
				at: at(6, 10), qty: [][2]string{{conc2, kg(away)}}})
		}
		// Separation: 96% of the REO into oxide (85% in May, the planted yield).
		in1, in2 := c1, recv2-away
		yield := int64(960)
		if month == "2024-05" {
			yield = 850
		}
		ox := (in1 + in2) * 8 / 10 * yield / 1000
		oxLot := demoOxide + "S-" + lot
		evs = append(evs,
			demoEvent{typ: "TransformationEvent", site: sep, at: at(12, 8), ins: [][2]string{{conc1, kg(in1)}, {conc2, kg(in2)}}, outs: [][2]string{{oxLot, kg(ox)}}},
			demoEvent{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: sep, dest: metal, tx: "S-" + month, at: at(14, 8), qty: [][2]string{{oxLot, kg(ox)}}},
		)
		if err := capture(fmt.Sprintf("%s 09:00", nextMonth5(month)), evs); err != nil {
			return fmt.Errorf("demo flows %s: %w", month, err)
		}
		// 丙: oxide → metal (98% of the REO) → magnets (98%) → customers.
		met := ox * 98 * 10000 / 100 / 11664
		mag := met * 11664 * 98 / 100 / 3616
		metLot, magLot := demoMetal+"P-"+lot, demoMagnet+"G-"+lot
		evs = []demoEvent{
			{typ: "ObjectEvent", action: "OBSERVE", step: "receiving", site: metal, tx: "S-" + month, at: at(15, 8), qty: [][2]string{{oxLot, kg(ox)}}},
			{typ: "TransformationEvent", site: metal, at: at(18, 8), ins: [][2]string{{oxLot, kg(ox)}}, outs: [][2]string{{metLot, kg(met)}}},
			{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: metal, dest: magnet, tx: "P-" + month, at: at(19, 8), qty: [][2]string{{metLot, kg(met)}}},
		}
		if err := capture(fmt.Sprintf("%s 10:00", nextMonth5(month)), evs); err != nil {
			return fmt.Errorf("demo flows %s: %w", month, err)
		}
		exported := int64(0)
		if month == "2024-06" {
			exported = 20000
		}
		evs = []demoEvent{
			{typ: "ObjectEvent", action: "OBSERVE", step: "receiving", site: magnet, tx: "P-" + month, at: at(20, 8), qty: [][2]string{{metLot, kg(met)}}},
			{typ: "TransformationEvent", site: magnet, at: at(24, 8), ins: [][2]string{{metLot, kg(met)}}, outs: [][2]string{{magLot, kg(mag)}}},
			{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: magnet, dest: customer, tx: "G-" + month, at: at(26, 8), qty: [][2]string{{magLot, kg(mag - exported)}}},
		}
		if exported > 0 {
			evs = append(evs,
				demoEvent{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: magnet, dest: port, tx: "X-" + month, at: at(26, 9), qty: [][2]string{{magLot, kg(exported)}}},
				demoEvent{typ: "ObjectEvent", action: "OBSERVE", step: "receiving", site: port, tx: "X-" + month, at: at(27, 9), qty: [][2]string{{magLot, kg(exported)}}},
				demoEvent{typ: "ObjectEvent", action: "OBSERVE", step: "shipping", site: port, dest: abroad, tx: "EXP-" + month, at: at(28, 9), qty: [][2]string{{magLot, kg(exported)}}})
		}
		recorded := fmt.Sprintf("%s 11:00", nextMonth5(month))
		if month == "2024-04" {
			recorded = "2024-05-15 11:00" // the late report
		}
		if err := capture(recorded, evs); err != nil {
			return fmt.Errorf("demo flows %s: %w", month, err)
		}
	}
	return nil
}

// nextMonth5 is the 5th of the month after "2024-03": "2024-04-05".
func nextMonth5(month string) string {
	var y, m int
	fmt.Sscanf(month, "%d-%d", &y, &m)
	if m++; m > 12 {
		y, m = y+1, 1
	}
	return fmt.Sprintf("%04d-%02d-05", y, m)
}
