package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

// The CBV business steps the checks read, in the spelling the repository stores.
const (
	stepCommissioning = "https://ref.gs1.org/cbv/BizStep-commissioning"
	stepShipping      = "https://ref.gs1.org/cbv/BizStep-shipping"
	stepReceiving     = "https://ref.gs1.org/cbv/BizStep-receiving"
	stepCounting      = "https://ref.gs1.org/cbv/BizStep-cycle_counting"
	stepDestroying    = "https://ref.gs1.org/cbv/BizStep-destroying"
)

// Anomaly kinds.
const (
	KindBalance          = "balance"
	KindYield            = "yield"
	KindTransitLoss      = "transit_loss"
	KindNotReceived      = "not_received"
	KindQuota            = "quota"
	KindOutOfRegion      = "out_of_region"
	KindUnlicensed       = "unlicensed"
	KindExportUnlicensed = "export_unlicensed"
	KindLateReport       = "late_report"
)

// Kinds lists the anomaly kinds in the order pages show them.
var Kinds = []string{KindBalance, KindYield, KindTransitLoss, KindNotReceived, KindQuota, KindOutOfRegion, KindUnlicensed,
	KindExportUnlicensed, KindLateReport}

// Period is a month ("2024-03") or a year ("2024") in China time.
type Period struct {
	Label    string
	From, To time.Time // [From, To)
}

// ParsePeriod reads a month or a year.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01", s, cst); err == nil && t.Format("2006-01") == s {
		return Period{Label: s, From: t, To: t.AddDate(0, 1, 0)}, nil
	}
	if t, err := time.ParseInLocation("2006", s, cst); err == nil && t.Format("2006") == s && t.Year() >= 2000 {
		return Period{Label: s, From: t, To: t.AddDate(1, 0, 0)}, nil
	}
	return Period{}, apperr.New(apperr.Invalid, "bad_period", "flow.err.period", s).With("period", "flow.err.period", s)
}

func (p Period) months() []Period {
	var out []Period
	for t := p.From; t.Before(p.To); t = t.AddDate(0, 1, 0) {
		out = append(out, Period{Label: t.Format("2006-01"), From: t, To: t.AddDate(0, 1, 0)})
	}
	return out
}

// deadline is when a month's flows must be in: the end of the 10th of the next month.
func (p Period) deadline() time.Time { return p.From.AddDate(0, 1, 10) }

// qty is one quantity of an event in grams of oxide equivalent.
type qty struct {
	class string
	stage string
	oxide string
	g     int64
}

// event is what the checks need of a stored event.
type event struct {
	hash      string
	id        string
	typ       string
	action    string
	step      string
	site      string
	at        int64
	recorded  int64
	quantity  []qty // quantityList (and childQuantityList)
	inputs    []qty
	outputs   []qty
	dests     []string // destinations of type location, canonical
	txs       []string // business transaction ids
	unconvert []string // what could not be converted, by name
}

// docEvent is the part of an event's JSON-LD the checks read; quantities keep their exact
// decimal.
type docEvent struct {
	QuantityList       []docQty `json:"quantityList"`
	ChildQuantityList  []docQty `json:"childQuantityList"`
	InputQuantityList  []docQty `json:"inputQuantityList"`
	OutputQuantityList []docQty `json:"outputQuantityList"`
	DestinationList    []struct {
		Type        string `json:"type"`
		Destination string `json:"destination"`
	} `json:"destinationList"`
	BizTransactionList []struct {
		BizTransaction string `json:"bizTransaction"`
	} `json:"bizTransactionList"`
	EPCISBody *struct {
		EventList []json.RawMessage `json:"eventList"`
	} `json:"epcisBody"`
}

type docQty struct {
	EPCClass string      `json:"epcClass"`
	Quantity json.Number `json:"quantity"`
	UOM      string      `json:"uom"`
}

func isLocationType(t string) bool {
	return t == "location" || t == "urn:epcglobal:cbv:sdt:location" || t == "https://ref.gs1.org/cbv/SDT-location" || t == "cbv:SDT-location"
}

// readEvent turns a stored row into an event, converting every quantity.
func readEvent(row store.EPCISEventRow, conv *Converter) event {
	ev := event{hash: row.HashID, id: row.EventID, typ: row.EventType, action: row.Action, step: row.BizStep, site: row.BizLocation,
		at: row.EventTime, recorded: row.RecordTime}
	if ev.site == "" {
		ev.site = row.ReadPoint
	}
	var d docEvent
	dec := json.NewDecoder(strings.NewReader(row.Doc))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		ev.unconvert = append(ev.unconvert, "document: "+err.Error())
		return ev
	}
	if d.EPCISBody != nil && len(d.EPCISBody.EventList) == 1 {
		var inner docEvent
		dec := json.NewDecoder(strings.NewReader(string(d.EPCISBody.EventList[0])))
		dec.UseNumber()
		if err := dec.Decode(&inner); err == nil {
			d = inner
		}
	}
	convert := func(list []docQty) []qty {
		var out []qty
		for _, q := range list {
			if q.Quantity == "" {
				ev.unconvert = append(ev.unconvert, q.EPCClass+": no quantity")
				continue
			}
			g, err := conv.Convert(q.EPCClass, string(q.Quantity), q.UOM)
			if err != nil {
				ev.unconvert = append(ev.unconvert, fmt.Sprintf("%s %s %s: %v", q.EPCClass, q.Quantity, q.UOM, err))
				continue
			}
			p, _ := conv.Product(q.EPCClass)
			out = append(out, qty{class: q.EPCClass, stage: p.Stage, oxide: p.Oxide, g: g})
		}
		return out
	}
	ev.quantity = append(convert(d.QuantityList), convert(d.ChildQuantityList)...)
	ev.inputs = convert(d.InputQuantityList)
	ev.outputs = convert(d.OutputQuantityList)
	for _, x := range d.DestinationList {
		if isLocationType(x.Type) {
			ev.dests = append(ev.dests, trace.CanonLocation(x.Destination))
		}
	}
	for _, x := range d.BizTransactionList {
		ev.txs = append(ev.txs, x.BizTransaction)
	}
	return ev
}

// Balance is one site's mass balance over a period for one oxide, in grams:
// in − out − (closing − opening) = residual, which must be within tolerance.
type Balance struct {
	Site         string `json:"site"`
	SiteName     string `json:"site_name"`
	Kind         string `json:"kind"`
	EnterpriseID int64  `json:"enterprise_id"`
	Period       string `json:"period"`
	Oxide        string `json:"oxide"`
	InG          int64  `json:"in_g"`
	OutG         int64  `json:"out_g"`
	OpeningG     int64  `json:"opening_g"`
	ClosingG     int64  `json:"closing_g"`
	ResidualG    int64  `json:"residual_g"`
	ToleranceG   int64  `json:"tolerance_g"`
	OK           bool   `json:"ok"`
	Events       int    `json:"events"`
	evidence     []string
}

// Report is what a check run found.
type Report struct {
	Period      string              `json:"period"`
	Balances    []Balance           `json:"balances"`
	Anomalies   []store.FlowAnomaly `json:"-"`
	New         int                 `json:"new"`
	Unconverted []string            `json:"unconverted"`
}

// scope is what a run sees: the locations and the converter.
type scope struct {
	locs    map[string]store.EPCISLocation
	regions map[string][2]string
	conv    *Converter
	set     Settings
}

func (s *Service) scope(ctx context.Context) (scope, error) {
	var sc scope
	ls, err := s.DB.EPCISLocations(ctx)
	if err != nil {
		return sc, err
	}
	sc.locs = make(map[string]store.EPCISLocation, len(ls))
	for _, l := range ls {
		sc.locs[l.URI] = l
	}
	if sc.regions, err = s.DB.RegionParents(ctx); err != nil {
		return sc, err
	}
	if sc.conv, err = s.Converter(ctx); err != nil {
		return sc, err
	}
	sc.set, err = s.settings(ctx)
	return sc, err
}

// home is the city (or, lacking one, the top) region a location's region belongs to: "the
// region" that ore must not leave.
func (sc scope) home(region string) string {
	top := region
	for r := region; r != ""; r = sc.regions[r][0] {
		if sc.regions[r][1] == "city" {
			return r
		}
		top = r
	}
	return top
}

func (sc scope) within(region, home string) bool {
	for r := region; r != ""; r = sc.regions[r][0] {
		if r == home {
			return true
		}
	}
	return false
}

// Balances computes the mass balance of every site (or the one given) over a period
// without recording anything: the /flow/balance page. Enterprise users see their own sites.
func (s *Service) Balances(ctx context.Context, p *auth.Principal, site, period string) ([]Balance, []string, error) {
	if err := auth.Require(p, auth.ReadFlow); err != nil {
		return nil, nil, err
	}
	per, err := ParsePeriod(period)
	if err != nil {
		return nil, nil, err
	}
	sc, err := s.scope(ctx)
	if err != nil {
		return nil, nil, err
	}
	site = trace.CanonLocation(site)
	if err := sc.visibleSite(p, site); err != nil {
		return nil, nil, err
	}
	evs, unconv, err := s.load(ctx, sc, per, site)
	if err != nil {
		return nil, nil, err
	}
	open, err := s.opening(ctx, sc, per, site)
	if err != nil {
		return nil, nil, err
	}
	bs := balances(sc, per, evs, open)
	if p.Role == auth.Enterprise {
		own := bs[:0]
		for _, b := range bs {
			if b.EnterpriseID == p.EnterpriseID {
				own = append(own, b)
			}
		}
		bs = own
	}
	return bs, unconv, nil
}

// visibleSite refuses a site an enterprise user does not own exactly as a missing one.
func (sc scope) visibleSite(p *auth.Principal, site string) error {
	if site == "" {
		return nil
	}
	l, ok := sc.locs[site]
	if !ok || (p.Role == auth.Enterprise && l.EnterpriseID != p.EnterpriseID) {
		return apperr.Missing("flow_site")
	}
	return nil
}

func (s *Service) load(ctx context.Context, sc scope, per Period, site string) ([]event, []string, error) {
	f := store.FlowEventFilter{From: per.From.UnixMilli(), To: per.To.UnixMilli()}
	if site != "" {
		f.Sites = []string{site}
	}
	rows, err := s.DB.FlowEvents(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	return readAll(rows, sc.conv)
}

// readAll reads the events' documents. Decoding the JSON is most of a year's balance, and
// each event is independent, so it uses every core.
func readAll(rows []store.EPCISEventRow, conv *Converter) ([]event, []string, error) {
	evs := make([]event, len(rows))
	workers := min(runtime.GOMAXPROCS(0), max(len(rows)/1000, 1))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(rows); i += workers {
				evs[i] = readEvent(rows[i], conv)
			}
		}(w)
	}
	wg.Wait()
	var unconv []string
	for i := range evs {
		for _, u := range evs[i].unconvert {
			unconv = append(unconv, fmt.Sprintf("%s (%s): %s", evs[i].hash, evs[i].site, u))
		}
	}
	return evs, unconv, nil
}

// opening is each site's stock (per oxide) from its last count before the period.
func (s *Service) opening(ctx context.Context, sc scope, per Period, site string) (map[[2]string]int64, error) {
	f := store.FlowEventFilter{From: 0, To: per.From.UnixMilli(), BizSteps: []string{stepCounting}}
	if site != "" {
		f.Sites = []string{site}
	}
	rows, err := s.DB.FlowEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := map[[2]string]int64{}
	for _, r := range rows { // in time order: the last count wins
		ev := readEvent(r, sc.conv)
		counted := map[string]int64{}
		for _, q := range ev.quantity {
			counted[q.oxide] += q.g
		}
		for ox, g := range counted {
			out[[2]string{ev.site, ox}] = g
		}
	}
	return out, nil
}

// balances sums each site's flows. Receipts, commissioning and transformation outputs come
// in; shipments, transformation inputs and destruction go out; a cycle count sets the
// stock. A transformation's own loss is the yield check's business, not the balance's.
func balances(sc scope, per Period, evs []event, open map[[2]string]int64) []Balance {
	type key [2]string
	acc := map[key]*Balance{}
	closing := map[key]int64{}
	counted := map[key]bool{}
	get := func(site, ox string) *Balance {
		k := key{site, ox}
		b := acc[k]
		if b == nil {
			l := sc.locs[site]
			b = &Balance{Site: site, SiteName: l.NameZh, Kind: l.Kind, EnterpriseID: l.EnterpriseID, Period: per.Label, Oxide: ox,
				OpeningG: open[k]}
			acc[k] = b
		}
		return b
	}
	for _, ev := range evs {
		if ev.site == "" {
			continue
		}
		touched := map[string]bool{}
		add := func(qs []qty, in bool) {
			for _, q := range qs {
				b := get(ev.site, q.oxide)
				if in {
					b.InG += q.g
				} else {
					b.OutG += q.g
				}
				touched[q.oxide] = true
			}
		}
		switch {
		case ev.typ == "TransformationEvent":
			add(ev.inputs, false)
			add(ev.outputs, true)
		case ev.step == stepCounting:
			now := map[string]int64{}
			for _, q := range ev.quantity {
				now[q.oxide] += q.g
				get(ev.site, q.oxide)
				touched[q.oxide] = true
			}
			for ox, g := range now {
				closing[key{ev.site, ox}] = g
				counted[key{ev.site, ox}] = true
			}
		case ev.step == stepShipping || ev.step == stepDestroying || (ev.typ == "ObjectEvent" && ev.action == "DELETE"):
			add(ev.quantity, false)
		case ev.step == stepReceiving || (ev.typ == "ObjectEvent" && ev.action == "ADD" && ev.step == stepCommissioning):
			add(ev.quantity, true)
		}
		for ox := range touched {
			b := get(ev.site, ox)
			b.Events++
			if len(b.evidence) < maxEvidence {
				b.evidence = append(b.evidence, ev.hash)
			}
		}
	}
	out := make([]Balance, 0, len(acc))
	for k, b := range acc {
		b.ClosingG = b.OpeningG
		if counted[k] {
			b.ClosingG = closing[k]
		}
		b.ResidualG = b.InG - b.OutG - (b.ClosingG - b.OpeningG)
		b.ToleranceG = share(max(b.InG, b.OutG), sc.set.BalanceToleranceBP)
		b.OK = abs(b.ResidualG) <= b.ToleranceG
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Site != out[j].Site {
			return out[i].Site < out[j].Site
		}
		return out[i].Oxide < out[j].Oxide
	})
	return out
}

// maxEvidence caps the event ids an anomaly lists (a balance over a year may rest on
// thousands; the first ones and the count are enough to start from).
const maxEvidence = 200

func share(g, bp int64) int64 { return g * bp / 10000 }

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Run performs every check over a period for one site (or all) and records what it finds:
// a finding already recorded keeps its status and comments. Regulators and admins run it.
func (s *Service) Run(ctx context.Context, p *auth.Principal, site, period string) (Report, error) {
	if err := auth.Require(p, auth.ManageFlow); err != nil {
		return Report{}, err
	}
	per, err := ParsePeriod(period)
	if err != nil {
		return Report{}, err
	}
	rep, err := s.Check(ctx, site, per)
	if err != nil {
		return rep, err
	}
	now := s.Now().UTC()
	var ids []int64
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		rep.New = 0
		ids = ids[:0]
		for _, a := range rep.Anomalies {
			a.FoundAt = now
			id, created, err := tx.UpsertFlowAnomaly(ctx, a)
			if err != nil {
				return err
			}
			if created {
				rep.New++
				ids = append(ids, id)
			}
		}
		return audit.Record(ctx, tx, now, p, "flow.check.run", "flow_check", period, nil, map[string]any{
			"site": site, "period": period, "found": len(rep.Anomalies), "new": rep.New, "new_ids": ids,
			"unconverted": len(rep.Unconverted)})
	})
	return rep, err
}

// Check runs every check without recording anything.
func (s *Service) Check(ctx context.Context, site string, per Period) (Report, error) {
	rep := Report{Period: per.Label}
	sc, err := s.scope(ctx)
	if err != nil {
		return rep, err
	}
	site = trace.CanonLocation(site)
	if site != "" {
		if _, ok := sc.locs[site]; !ok {
			return rep, apperr.New(apperr.Invalid, "unknown_site", "flow.err.site", site).With("site", "flow.err.site", site)
		}
	}
	evs, unconv, err := s.load(ctx, sc, per, site)
	if err != nil {
		return rep, err
	}
	rep.Unconverted = unconv
	open, err := s.opening(ctx, sc, per, site)
	if err != nil {
		return rep, err
	}
	rep.Balances = balances(sc, per, evs, open)
	c := &checker{sc: sc, per: per, now: s.Now()}
	for _, b := range rep.Balances {
		if !b.OK {
			c.found(KindBalance, b.Site, b.Oxide, &b.InG, ptr(b.OutG+b.ClosingG-b.OpeningG), b.evidence,
				fmt.Sprintf("物料平衡差 %s（%s当量）：投入 %s − 产出 %s − 库存变化 %s，超出容差 %s", grams(b.ResidualG), b.Oxide,
					grams(b.InG), grams(b.OutG), grams(b.ClosingG-b.OpeningG), grams(b.ToleranceG)),
				fmt.Sprintf("mass balance off by %s (%s equivalent): in %s − out %s − stock change %s, beyond the tolerance of %s", grams(b.ResidualG),
					b.Oxide, grams(b.InG), grams(b.OutG), grams(b.ClosingG-b.OpeningG), grams(b.ToleranceG)))
		}
	}
	c.yields(evs)
	// Receipts may come after the period (goods in transit at its end): read those too. A
	// check of one site needs every site's receipts of the period as well.
	var receipts []event
	from := per.From.UnixMilli()
	if site == "" {
		from = per.To.UnixMilli()
		for _, ev := range evs {
			if ev.step == stepReceiving {
				receipts = append(receipts, ev)
			}
		}
	}
	recv, err := s.DB.FlowEvents(ctx, store.FlowEventFilter{From: from, To: math.MaxInt64, BizSteps: []string{stepReceiving}})
	if err != nil {
		return rep, err
	}
	later, _, _ := readAll(recv, sc.conv)
	c.shipments(evs, append(receipts, later...))
	year := per.From.Year()
	licensed, err := s.DB.EnterprisesWithGrant(ctx, "", year)
	if err != nil {
		return rep, err
	}
	exporters, err := s.DB.EnterprisesWithGrant(ctx, "export", year)
	if err != nil {
		return rep, err
	}
	c.destinations(evs, licensed, exporters)
	reported := map[string]map[int64]int64{}
	for _, m := range per.months() {
		if reported[m.Label], err = s.DB.QuotaReported(ctx, m.Label); err != nil {
			return rep, err
		}
	}
	c.quota(evs, site, reported)
	spans, err := s.DB.FlowSiteSpans(ctx)
	if err != nil {
		return rep, err
	}
	c.late(evs, site, spans)
	rep.Anomalies = c.out
	return rep, nil
}

func ptr(v int64) *int64 { return &v }

// grams writes grams of oxide as tonnes with their unit ("1,234.5 t").
func grams(g int64) string {
	neg := g < 0
	if neg {
		g = -g
	}
	whole, frac := g/1000000, g%1000000
	s := strconv.FormatInt(whole, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	if neg {
		s = "-" + s
	}
	return s + " t"
}

// checker collects the findings of one run.
type checker struct {
	sc  scope
	per Period
	now time.Time
	out []store.FlowAnomaly
}

func (c *checker) found(kind, site, subject string, expected, actual *int64, evidence []string, zh, en string) {
	ev, _ := json.Marshal(evidence)
	if evidence == nil {
		ev = []byte("[]")
	}
	l := c.sc.locs[site]
	c.out = append(c.out, store.FlowAnomaly{DedupKey: strings.Join([]string{kind, site, c.per.Label, subject}, "|"), Kind: kind,
		SiteURI: site, EnterpriseID: l.EnterpriseID, Period: c.per.Label, ExpectedG: expected, ActualG: actual, DetailZh: zh,
		DetailEn: en, Evidence: string(ev), Status: "open"})
}

func sum(qs []qty, oxide string) int64 {
	var g int64
	for _, q := range qs {
		if oxide == "" || q.oxide == oxide {
			g += q.g
		}
	}
	return g
}

// yields checks each transformation's output against its input, in oxide equivalent, with
// the band of its main output (the largest by oxide content).
func (c *checker) yields(evs []event) {
	for _, ev := range evs {
		if ev.typ != "TransformationEvent" || len(ev.inputs) == 0 || len(ev.outputs) == 0 {
			continue
		}
		main := ev.outputs[0]
		for _, q := range ev.outputs {
			if q.g > main.g {
				main = q
			}
		}
		p, _ := c.sc.conv.Product(main.class)
		in, out := sum(ev.inputs, main.oxide), sum(ev.outputs, main.oxide)
		if in == 0 {
			continue
		}
		yield := out * 1000000 / in
		lo, hi := p.YieldMinPPM, p.YieldMaxPPM
		if (lo == nil || yield >= *lo) && (hi == nil || yield <= *hi) {
			continue
		}
		band := func(v *int64) string {
			if v == nil {
				return "—"
			}
			return pct(*v)
		}
		c.found(KindYield, ev.site, ev.hash, &in, &out, []string{ev.hash},
			fmt.Sprintf("转化收率 %s 超出 %s 的区间 %s–%s：投入 %s，产出 %s（%s当量）", pct(yield), p.ProductZh, band(lo), band(hi), grams(in), grams(out), main.oxide),
			fmt.Sprintf("transformation yield %s outside the band %s–%s of %s: in %s, out %s (%s equivalent)", pct(yield), band(lo), band(hi), p.ProductEn, grams(in), grams(out), main.oxide))
	}
}

func pct(ppm int64) string {
	s := strconv.FormatInt(ppm/10000, 10)
	if f := ppm % 10000; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%04d", f), "0")
	}
	return s + "%"
}

// shipments matches each shipment of the period with its receipts, by a shared business
// transaction (despatch advice, bill of lading), or, for a shipment without one, by a
// shared class at its destination.
func (c *checker) shipments(evs, receipts []event) {
	byTx, bySite := map[string][]int{}, map[string][]int{}
	for i, r := range receipts {
		for _, t := range r.txs {
			byTx[t] = append(byTx[t], i)
		}
		bySite[r.site] = append(bySite[r.site], i)
	}
	for _, ev := range evs {
		if ev.step != stepShipping || len(ev.quantity) == 0 {
			continue
		}
		internal := false
		for _, d := range ev.dests {
			if _, ok := c.sc.locs[d]; ok {
				internal = true
			}
		}
		if !internal {
			continue // leaving the platform: an export or a shipment out, checked elsewhere
		}
		matched := map[int]bool{}
		for _, t := range ev.txs {
			for _, i := range byTx[t] {
				matched[i] = true
			}
		}
		if len(ev.txs) == 0 {
			classes := map[string]bool{}
			for _, q := range ev.quantity {
				classes[q.class] = true
			}
			for _, d := range ev.dests {
				for _, i := range bySite[d] {
					for _, q := range receipts[i].quantity {
						if classes[q.class] && receipts[i].at >= ev.at {
							matched[i] = true
						}
					}
				}
			}
		}
		shipped := sum(ev.quantity, "")
		subject := ev.hash
		if len(matched) == 0 {
			if c.now.Sub(time.UnixMilli(ev.at)) > time.Duration(c.sc.set.NotReceivedDays)*24*time.Hour {
				c.found(KindNotReceived, ev.site, subject, &shipped, ptr(0), []string{ev.hash},
					fmt.Sprintf("发出 %s 超过 %d 天未见收货（目的地 %s）", grams(shipped), c.sc.set.NotReceivedDays, strings.Join(ev.dests, ", ")),
					fmt.Sprintf("%s shipped, not received after %d days (destination %s)", grams(shipped), c.sc.set.NotReceivedDays, strings.Join(ev.dests, ", ")))
			}
			continue
		}
		var received int64
		evidence := []string{ev.hash}
		idx := make([]int, 0, len(matched))
		for i := range matched {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			received += sum(receipts[i].quantity, "")
			evidence = append(evidence, receipts[i].hash)
		}
		loss := shipped - received
		if abs(loss) > share(shipped, c.sc.set.TransitToleranceBP) {
			c.found(KindTransitLoss, ev.site, subject, &shipped, &received, evidence,
				fmt.Sprintf("在途差异 %s：发出 %s，收到 %s，超出容差 %s", grams(loss), grams(shipped), grams(received), pct(c.sc.set.TransitToleranceBP*100)),
				fmt.Sprintf("in-transit difference %s: shipped %s, received %s, beyond the tolerance of %s", grams(loss), grams(shipped), grams(received), pct(c.sc.set.TransitToleranceBP*100)))
		}
	}
}

// destinations checks where ore and concentrate go (inside the region, to a licensed
// enterprise) and that every export is licensed. An export is a shipment from a port.
func (c *checker) destinations(evs []event, licensed, exporters map[int64]bool) {
	for _, ev := range evs {
		if ev.step != stepShipping {
			continue
		}
		from, ok := c.sc.locs[ev.site]
		if !ok {
			continue
		}
		g := sum(ev.quantity, "")
		if from.Kind == "port" {
			if !exporters[from.EnterpriseID] {
				c.found(KindExportUnlicensed, ev.site, ev.hash, nil, &g, []string{ev.hash},
					fmt.Sprintf("出口 %s 无出口许可或配额：该企业 %d 年没有出口配额下达记录", grams(g), c.per.From.Year()),
					fmt.Sprintf("export of %s without an export licence or quota: the enterprise has no export quota grant for %d", grams(g), c.per.From.Year()))
			}
			continue
		}
		raw := false
		for _, q := range ev.quantity {
			raw = raw || q.stage == "ore" || q.stage == "concentrate"
		}
		if !raw {
			continue
		}
		home := c.sc.home(from.RegionCode)
		for _, d := range ev.dests {
			to, ok := c.sc.locs[d]
			switch {
			case !ok || !c.sc.within(to.RegionCode, home):
				c.found(KindOutOfRegion, ev.site, ev.hash+"|"+d, nil, &g, []string{ev.hash},
					fmt.Sprintf("矿产品（原矿/精矿）%s 发往本地区（%s）以外：%s", grams(g), home, d),
					fmt.Sprintf("ore or concentrate (%s) shipped out of the region (%s) to %s", grams(g), home, d))
			case to.EnterpriseID != from.EnterpriseID && !licensed[to.EnterpriseID]:
				c.found(KindUnlicensed, ev.site, ev.hash+"|"+d, nil, &g, []string{ev.hash},
					fmt.Sprintf("矿产品（原矿/精矿）%s 发往无许可企业（%d 年无配额下达记录）：%s", grams(g), c.per.From.Year(), d),
					fmt.Sprintf("ore or concentrate (%s) shipped to an enterprise without a licence (no quota grant in %d): %s", grams(g), c.per.From.Year(), d))
			}
		}
	}
}

// quota compares each enterprise's production at its mines (ore or concentrate
// commissioned, in REO equivalent) in each month with the production it reported against
// its mining quota. Tungsten reports quarterly and is not compared here.
func (c *checker) quota(evs []event, site string, reported map[string]map[int64]int64) {
	type key struct {
		month string
		ent   int64
	}
	prod := map[key]int64{}
	evidence := map[key][]string{}
	firstMine := map[int64]string{}
	for _, ev := range evs {
		l, ok := c.sc.locs[ev.site]
		if !ok || l.Kind != "mine" || ev.step != stepCommissioning || ev.action != "ADD" {
			continue
		}
		g := sum(ev.quantity, "REO")
		if g == 0 {
			continue
		}
		k := key{time.UnixMilli(ev.at).In(cst).Format("2006-01"), l.EnterpriseID}
		prod[k] += g
		if len(evidence[k]) < maxEvidence {
			evidence[k] = append(evidence[k], ev.hash)
		}
		if f, ok := firstMine[l.EnterpriseID]; !ok || ev.site < f {
			firstMine[l.EnterpriseID] = ev.site
		}
	}
	keys := make([]key, 0, len(prod))
	for k := range prod {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].month != keys[j].month {
			return keys[i].month < keys[j].month
		}
		return keys[i].ent < keys[j].ent
	})
	for _, k := range keys {
		g, rep := prod[k], reported[k.month][k.ent]
		if g-rep <= share(g, c.sc.set.QuotaToleranceBP) {
			continue
		}
		where := firstMine[k.ent]
		if site != "" {
			where = site
		}
		c.found(KindQuota, where, k.month, &rep, &g, evidence[k],
			fmt.Sprintf("%s 矿山产出 %s（REO）多于报告消耗的开采配额 %s", k.month, grams(g), grams(rep)),
			fmt.Sprintf("%s: mines produced %s (REO), more than the %s of mining quota reported as consumed", k.month, grams(g), grams(rep)))
	}
}

// lateKinds are the sites that must enter each month's flows by the 10th of the next.
var lateKinds = map[string]bool{"mine": true, "separation_plant": true, "metal_plant": true, "magnet_plant": true}

// late finds sites that did not report a month's flows by the 10th of the next month: the
// month's events were all recorded after the deadline, or there were none although the
// site had reported before and the platform has flows for that month from others.
func (c *checker) late(evs []event, site string, spans []store.FlowSiteSpan) {
	first := map[string]int64{}
	var lastAny int64
	for _, s := range spans {
		first[s.Site] = s.First
		lastAny = max(lastAny, s.Last)
	}
	type key struct{ site, month string }
	onTime := map[key]bool{}
	lateEv := map[key][]string{}
	for _, ev := range evs {
		m := Period{From: time.Date(time.UnixMilli(ev.at).In(cst).Year(), time.UnixMilli(ev.at).In(cst).Month(), 1, 0, 0, 0, 0, cst)}
		k := key{ev.site, m.From.Format("2006-01")}
		if ev.recorded < m.deadline().UnixMilli() {
			onTime[k] = true
		} else if len(lateEv[k]) < maxEvidence {
			lateEv[k] = append(lateEv[k], ev.hash)
		}
	}
	sites := make([]string, 0, len(c.sc.locs))
	for uri, l := range c.sc.locs {
		if lateKinds[l.Kind] && (site == "" || uri == site) {
			sites = append(sites, uri)
		}
	}
	sort.Strings(sites)
	for _, m := range c.per.months() {
		if !c.now.After(m.deadline()) || m.From.UnixMilli() > lastAny {
			continue
		}
		for _, s := range sites {
			k := key{s, m.Label}
			if onTime[k] {
				continue
			}
			if ids := lateEv[k]; len(ids) > 0 {
				c.found(KindLateReport, s, m.Label, nil, nil, ids,
					fmt.Sprintf("%s 的流向迟报：截止 %s，%d 个事件均在截止后录入", m.Label, m.deadline().Add(-time.Second).Format("2006-01-02"), len(ids)),
					fmt.Sprintf("%s flows reported late: due by %s, all %d events were entered after it", m.Label, m.deadline().Add(-time.Second).Format("2006-01-02"), len(ids)))
				continue
			}
			if f, ok := first[s]; ok && f < m.From.UnixMilli() {
				c.found(KindLateReport, s, m.Label, nil, nil, nil,
					fmt.Sprintf("%s 的流向未报：截止 %s，没有任何事件", m.Label, m.deadline().Add(-time.Second).Format("2006-01-02")),
					fmt.Sprintf("%s flows not reported: due by %s, no events at all", m.Label, m.deadline().Add(-time.Second).Format("2006-01-02")))
			}
		}
	}
}
