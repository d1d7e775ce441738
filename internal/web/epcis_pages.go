package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/i18n"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

// The product-flow pages (产品流向) over the EPCIS repository: the events with the standard
// filters, one event with its place in the tamper-evident log, the locations, the log's
// signed checkpoint, and the provenance graph. The EPCIS REST binding owns /epcis/…, so the
// pages live under /trace/…; every page reads through package trace, so an enterprise user
// sees only its own events, as through the API.

func (s *Server) traceRoutes() {
	s.handle("GET /trace/events", s.adapt(s.traceEventsPage))
	s.handle("GET /trace/event", s.adapt(s.traceEventPage))
	s.handle("GET /trace/locations", s.adapt(s.traceLocationsPage))
	s.handle("GET /trace/log", s.adapt(s.traceLogPage))
	s.handle("GET /trace/provenance", s.adapt(s.traceProvenancePage))
}

// traceListCap bounds the events one page view reads: the list pages in memory, and a
// query wider than this is asked to narrow its filters (the API pages without a bound).
const traceListCap = 10000

// eventTypes are the five EPCIS event types, in the standard's order.
var eventTypes = []string{"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"}

type traceFilter struct {
	Type, From, To, BizStep, Location, EPC string
}

type traceEventsView struct {
	Page
	Form      traceFilter
	Types     []string
	BizSteps  []string
	Locations []chainOpt
	Error     string
	Capped    string
	Table     TableView
}

// eventQuery turns the page's form into the REST binding's query parameters, so that the
// page and the API filter by one implementation. Dates are whole days in China time, the
// "to" day included.
func eventQuery(f traceFilter) url.Values {
	v := url.Values{}
	if f.Type != "" {
		v.Set("eventType", f.Type)
	}
	day := func(s string, next bool) (string, bool) {
		t, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600))
		if err != nil {
			return s, false
		}
		if next {
			t = t.AddDate(0, 0, 1)
		}
		return t.Format(time.RFC3339), true
	}
	if f.From != "" {
		x, _ := day(f.From, false)
		v.Set("GE_eventTime", x)
	}
	if f.To != "" {
		x, _ := day(f.To, true)
		v.Set("LT_eventTime", x)
	}
	if f.BizStep != "" {
		v.Set("EQ_bizStep", f.BizStep)
	}
	if f.Location != "" {
		v.Set("WD_bizLocation", f.Location)
	}
	if f.EPC != "" {
		// A lot (an EPC class) is matched in the quantity lists, an instance in the EPC lists.
		if strings.Contains(f.EPC, ":class:") || strings.Contains(f.EPC, "/10/") {
			v.Set("MATCH_anyEPCClass", f.EPC)
		} else {
			v.Set("MATCH_anyEPC", f.EPC)
		}
	}
	return v
}

// allEvents reads every event of a query up to traceListCap, following the page tokens.
func (s *Server) allEvents(r *http.Request, p *auth.Principal, v url.Values) ([]store.EPCISEventRow, bool, error) {
	v.Set("perPage", strconv.Itoa(trace.MaxPerPage))
	var out []store.EPCISEventRow
	for {
		q, err := s.trace.ParseQuery(r.Context(), v)
		if err != nil {
			return nil, false, err
		}
		res, err := s.trace.Events(r.Context(), p, q)
		if err != nil {
			return nil, false, err
		}
		out = append(out, res.Events...)
		if len(out) >= traceListCap {
			return out[:traceListCap], true, nil
		}
		if res.NextPageToken == "" {
			return out, false, nil
		}
		v.Set("nextPageToken", res.NextPageToken)
	}
}

// locNames maps a location URI to its name in lang.
func (s *Server) locNames(r *http.Request, p *auth.Principal, lang i18n.Lang) (map[string]string, []store.EPCISLocation, error) {
	locs, err := s.trace.Locations(r.Context(), p)
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]string, len(locs))
	for _, l := range locs {
		m[l.URI] = name(lang, l.NameZh, l.NameEn)
	}
	return m, locs, nil
}

// entNames maps enterprise ids to names in lang.
func (s *Server) entNames(r *http.Request, lang i18n.Lang) (map[int64]string, error) {
	ents, err := s.db.AllEnterprises(r.Context(), store.EnterpriseScope{All: true})
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(ents))
	for _, e := range ents {
		m[e.ID] = name(lang, e.NameZh, e.NameEn)
	}
	return m, nil
}

// eventTime shows a Unix millisecond time in China time, as the events were reported.
func eventTime(ms int64) string {
	return time.UnixMilli(ms).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
}

// eventItems is what an event is about, read back from its stored JSON-LD (the indexed
// items are for queries, not returned with the rows).
type eventItems struct {
	ParentID           string       `json:"parentID"`
	EPCList            []string     `json:"epcList"`
	ChildEPCs          []string     `json:"childEPCs"`
	InputEPCList       []string     `json:"inputEPCList"`
	OutputEPCList      []string     `json:"outputEPCList"`
	QuantityList       []itemAmount `json:"quantityList"`
	ChildQuantityList  []itemAmount `json:"childQuantityList"`
	InputQuantityList  []itemAmount `json:"inputQuantityList"`
	OutputQuantityList []itemAmount `json:"outputQuantityList"`
}

type itemAmount struct {
	EPCClass string      `json:"epcClass"`
	Quantity json.Number `json:"quantity"`
	UOM      string      `json:"uom"`
}

// items summarises an event's EPCs and lots with quantity and unit, one role a line.
func items(ev store.EPCISEventRow) string {
	var it eventItems
	if json.Unmarshal([]byte(ev.Doc), &it) != nil {
		return ""
	}
	var lines []string
	epcs := func(role string, l []string) {
		if len(l) > 0 {
			lines = append(lines, role+": "+strings.Join(l, ", "))
		}
	}
	qty := func(role string, l []itemAmount) {
		var parts []string
		for _, q := range l {
			x := q.EPCClass
			if q.Quantity != "" {
				x += " " + q.Quantity.String()
				if q.UOM != "" {
					x += " " + q.UOM
				}
			}
			parts = append(parts, x)
		}
		if len(parts) > 0 {
			lines = append(lines, role+": "+strings.Join(parts, ", "))
		}
	}
	if it.ParentID != "" {
		epcs("parent", []string{it.ParentID})
	}
	epcs("epc", it.EPCList)
	epcs("child", it.ChildEPCs)
	epcs("input", it.InputEPCList)
	epcs("output", it.OutputEPCList)
	qty("quantity", it.QuantityList)
	qty("child", it.ChildQuantityList)
	qty("input", it.InputQuantityList)
	qty("output", it.OutputQuantityList)
	return strings.Join(lines, "\n")
}

func eventHref(hashID string) string { return "/trace/event?id=" + url.QueryEscape(hashID) }

var traceEventColumns = []Column{{Label: "trace.col.event_time"}, {Label: "trace.col.type"}, {Label: "trace.col.action"},
	{Label: "trace.col.biz_step"}, {Label: "trace.col.disposition"}, {Label: "trace.col.biz_location"}, {Label: "trace.col.items"},
	{Label: "trace.col.declared"}, {Label: "trace.col.hash_id"}}

func (s *Server) traceEventsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return err
	}
	lang := s.lang(r)
	qv := r.URL.Query()
	f := traceFilter{Type: qv.Get("type"), From: qv.Get("from"), To: qv.Get("to"), BizStep: qv.Get("bizStep"),
		Location: qv.Get("location"), EPC: strings.TrimSpace(qv.Get("epc"))}
	names, locs, err := s.locNames(r, p, lang)
	if err != nil {
		return err
	}
	v := traceEventsView{Page: s.page(w, r, "trace.events.title", Crumb{Label: "trace.events.title"}), Form: f,
		Types: eventTypes, BizSteps: cbv.BizStep.Terms()}
	for _, l := range locs {
		v.Locations = append(v.Locations, chainOpt{l.URI, name(lang, l.NameZh, l.NameEn) + " · " + l.URI})
	}
	rows, capped, err := s.allEvents(r, p, eventQuery(f))
	status := http.StatusOK
	if err != nil {
		e := apperr.From(err)
		if e.Kind != apperr.Invalid {
			return err
		}
		var msgs []string
		for _, fe := range e.Fields {
			msgs = append(msgs, s.cat.T(lang, fe.Key, fe.Args...))
		}
		v.Error = strings.Join(msgs, "；")
		status = http.StatusUnprocessableEntity
		rows = nil
	}
	if capped {
		v.Capped = s.cat.T(lang, "trace.events.capped", traceListCap)
	}
	corrected, declaration := s.cat.T(lang, "trace.declared.yes"), s.cat.T(lang, "trace.declared.declaration")
	spec := TableSpec[store.EPCISEventRow]{Export: "trace.events.title", Columns: traceEventColumns, Row: func(x store.EPCISEventRow) []Cell {
		loc := x.BizLocation
		if n := names[loc]; n != "" {
			loc = n + " (" + loc + ")"
		}
		declared := ""
		if x.Declaration {
			declared = declaration
		} else if x.ErrorDeclared {
			declared = corrected
		}
		return []Cell{{Value: eventTime(x.EventTime), Text: eventTime(x.EventTime), Href: eventHref(x.HashID)}, TextCell(x.EventType),
			TextCell(x.Action), TextCell(cbv.BizStep.Short(x.BizStep)), TextCell(cbv.Disposition.Short(x.Disposition)), TextCell(loc),
			{Value: items(x), Text: items(x), Pre: true}, TextCell(declared), {Value: x.HashID, Text: x.HashID, Href: eventHref(x.HashID)}}
	}}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.EPCISEventRow], error) { return pageOf(rows, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "trace-events"
	v.Table = tv
	s.render(w, r, status, "trace_events", v)
	return nil
}

type traceEventView struct {
	Page
	Ev           store.EPCISEventRow
	Doc          string
	Time         string
	Record       string
	Location     string
	Proof        []string
	Leaf         string
	Root         string
	Checkpoint   string
	Verified     bool
	Declarations []traceDeclaration
}

type traceDeclaration struct {
	HashID, Record, Doc string
	LogIndex            int64
}

func prettyJSON(s string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(s), "", "  ") != nil {
		return s
	}
	return b.String()
}

// traceEventPage shows one event as stored, with the proof that it is in the log and the
// signed checkpoint the proof leads to; the page checks the proof itself, as a client would.
func (s *Server) traceEventPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	rec, err := s.trace.EventWithDeclarations(r.Context(), p, r.URL.Query().Get("id"))
	if err != nil {
		return err
	}
	ev := rec.Event
	inc, cp, err := s.trace.EventProof(r.Context(), p, ev)
	if err != nil {
		return err
	}
	names, _, err := s.locNames(r, p, lang)
	if err != nil {
		return err
	}
	v := traceEventView{Page: s.page(w, r, "trace.event.title", Crumb{Label: "trace.events.title", Href: "/trace/events"}, Crumb{Label: ev.EventType}),
		Ev: ev, Doc: prettyJSON(ev.Doc), Time: eventTime(ev.EventTime), Record: eventTime(ev.RecordTime),
		Proof: trace.HashesB64(inc.Proof), Leaf: trace.HashesB64([]tlog.Hash{inc.Leaf})[0], Root: trace.HashesB64([]tlog.Hash{cp.Root})[0],
		Checkpoint: cp.Note, Location: ev.BizLocation}
	if n := names[ev.BizLocation]; n != "" {
		v.Location = n + " (" + ev.BizLocation + ")"
	}
	v.Verified = tlog.CheckRecord(inc.Proof, inc.TreeSize, cp.Root, inc.LogIndex, inc.Leaf) == nil && inc.TreeSize == cp.Size
	for _, d := range rec.Declarations {
		v.Declarations = append(v.Declarations, traceDeclaration{HashID: d.HashID, Record: eventTime(d.RecordTime), Doc: prettyJSON(d.Doc), LogIndex: d.LogIndex})
	}
	s.render(w, r, http.StatusOK, "trace_event", v)
	return nil
}

var traceLocationColumns = []Column{{Label: "trace.col.uri"}, {Label: "trace.col.name"}, {Label: "trace.col.kind"},
	{Label: "trace.col.region"}, {Label: "trace.col.enterprise"}, {Label: "trace.col.parent"}, {Label: "trace.col.links"}, {Label: "trace.col.links_forward"}}

func (s *Server) traceLocationsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	lang := s.lang(r)
	locs, err := s.trace.Locations(r.Context(), p)
	if err != nil {
		return err
	}
	entName, err := s.entNames(r, lang)
	if err != nil {
		return err
	}
	events, forward := s.cat.T(lang, "trace.loc.events"), s.cat.T(lang, "trace.loc.forward")
	canTrace := p.Can(auth.TraceProvenance)
	spec := TableSpec[store.EPCISLocation]{Export: "trace.locations.title", Columns: traceLocationColumns, Row: func(l store.EPCISLocation) []Cell {
		fw := Cell{}
		if canTrace && l.Kind == "mine" {
			fw = Cell{Text: forward, Href: "/trace/provenance?mine=" + url.QueryEscape(l.URI)}
		}
		return []Cell{TextCell(l.URI), TextCell(name(lang, l.NameZh, l.NameEn)), TextCell(l.Kind), TextCell(l.RegionCode),
			TextCell(entName[l.EnterpriseID]), TextCell(l.ParentURI),
			{Text: events, Href: "/trace/events?location=" + url.QueryEscape(l.URI)}, fw}
	}}
	tv, done, err := serveTable(s, w, r, spec, func(q store.ListQuery) (store.Page[store.EPCISLocation], error) { return pageOf(locs, q), nil })
	if err != nil || done {
		return err
	}
	tv.NoFilter, tv.TestID = true, "trace-locations"
	s.render(w, r, http.StatusOK, "table", tableView{Page: s.page(w, r, "trace.locations.title", Crumb{Label: "trace.locations.title"}),
		Table: tv, Note: s.cat.T(lang, "trace.locations.note")})
	return nil
}

type traceLogView struct {
	Page
	Size       int64
	Root       string
	Checkpoint string
	Key        string
}

func (s *Server) traceLogPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	cp, err := s.trace.CurrentCheckpoint(r.Context(), p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "trace_log", traceLogView{Page: s.page(w, r, "trace.log.title", Crumb{Label: "trace.log.title"}),
		Size: cp.Size, Root: trace.HashesB64([]tlog.Hash{cp.Root})[0], Checkpoint: cp.Note, Key: s.trace.VerifierKey()})
	return nil
}

// provNode is a node of the provenance graph: a lot, a transformation event, a mine or a
// quota grant. Col and Row place it: columns run from the mines (left) to the latest
// products (right), so a graph of thousands of nodes is drawn without a force layout.
type provNode struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Text string `json:"text,omitempty"`
	Href string `json:"href,omitempty"`
	Col  int    `json:"col"`
	Row  int    `json:"row"`
}

type provEdge struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

type provGraph struct {
	Nodes []provNode        `json:"nodes"`
	Edges []provEdge        `json:"edges"`
	Kinds map[string]string `json:"kinds"`
	Start string            `json:"start"`
}

type traceProvenanceView struct {
	Page
	Lot, Mine, Direction string
	Error                string
	Summary              string
	Graph                string
	Origins              []traceOrigin
}

// traceOrigin is a mine the walk reached, with how many of the lots were commissioned there.
type traceOrigin struct {
	Location, Name, Kind, Enterprise string
	Lots                             int
	Grants                           []string
}

// lotLabel shortens a lot's EPC class to what tells lots apart: the part after the last
// '.' or '/'.
func lotLabel(s string) string {
	if i := strings.LastIndexAny(s, "./"); i >= 0 && i < len(s)-1 {
		return s[i+1:]
	}
	return s
}

func (s *Server) traceProvenancePage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := auth.Require(p, auth.TraceProvenance); err != nil {
		return err
	}
	lang := s.lang(r)
	q := r.URL.Query()
	v := traceProvenanceView{Page: s.page(w, r, "trace.prov.title", Crumb{Label: "trace.prov.title"}),
		Lot: strings.TrimSpace(q.Get("lot")), Mine: strings.TrimSpace(q.Get("mine")), Direction: q.Get("direction")}
	if v.Direction != "forward" {
		v.Direction = "back"
	}
	if v.Lot == "" && v.Mine == "" {
		s.render(w, r, http.StatusOK, "trace_provenance", v)
		return nil
	}
	var pv trace.Provenance
	if v.Mine != "" {
		pv, err = s.trace.TraceFromMine(r.Context(), p, v.Mine)
	} else {
		pv, err = s.trace.Trace(r.Context(), p, v.Lot, v.Direction == "back")
	}
	if err != nil {
		e := apperr.From(err)
		if e.Kind != apperr.Invalid && e.Kind != apperr.NotFound {
			return err
		}
		v.Error = s.cat.T(lang, e.Key, e.Args...)
		s.render(w, r, e.Kind.Status(), "trace_provenance", v)
		return nil
	}
	names, locs, err := s.locNames(r, p, lang)
	if err != nil {
		return err
	}
	grants, err := s.mineGrants(r, p, locs)
	if err != nil {
		return err
	}
	entName, err := s.entNames(r, lang)
	if err != nil {
		return err
	}
	g := provenanceGraph(pv, v.Mine, v.Lot, v.Direction == "back" && v.Mine == "", names, grants)
	g.Kinds = map[string]string{"lot": s.cat.T(lang, "trace.prov.kind.lot"), "event": s.cat.T(lang, "trace.prov.kind.event"),
		"mine": s.cat.T(lang, "trace.prov.kind.mine"), "grant": s.cat.T(lang, "trace.prov.kind.grant")}
	b, _ := json.Marshal(g)
	v.Graph = string(b)
	v.Summary = s.cat.T(lang, "trace.prov.summary", len(pv.Lots), len(pv.Edges), pv.Hops, len(pv.Origins))
	at := map[string]int{}
	for _, o := range pv.Origins {
		i, ok := at[o.Location.URI]
		if !ok {
			i = len(v.Origins)
			at[o.Location.URI] = i
			v.Origins = append(v.Origins, traceOrigin{Location: o.Location.URI, Name: names[o.Location.URI], Kind: o.Location.Kind,
				Enterprise: entName[o.Location.EnterpriseID], Grants: grants[o.Location.URI]})
		}
		v.Origins[i].Lots++
	}
	s.render(w, r, http.StatusOK, "trace_provenance", v)
	return nil
}

// mineGrants lists, for each mine, the mining-quota grants made to the enterprise that runs
// it (where the caller may read quota). A commissioning event does not name the grant it
// consumes, so the link shown is by enterprise and labelled so.
func (s *Server) mineGrants(r *http.Request, p *auth.Principal, locs []store.EPCISLocation) (map[string][]string, error) {
	out := map[string][]string{}
	if !p.Can(auth.ReadQuota) || p.Role == auth.Enterprise {
		return out, nil
	}
	all, err := s.db.AllQuotaGrants(r.Context())
	if err != nil {
		return nil, err
	}
	byEnt := map[int64][]string{}
	for _, g := range all {
		if g.ToEnterpr != 0 && strings.Contains(g.LedgerKey, "/"+string(ledger.Mining)+"/") {
			byEnt[g.ToEnterpr] = append(byEnt[g.ToEnterpr], g.LedgerKey+" "+g.Batch+" "+ledger.FormatTonnes(g.AmountG))
		}
	}
	for _, l := range locs {
		if l.Kind == "mine" && len(byEnt[l.EnterpriseID]) > 0 {
			out[l.URI] = byEnt[l.EnterpriseID]
		}
	}
	return out, nil
}

// provenanceGraph lays the walk out in columns: each lot at its hop distance from the start,
// each transformation between its inputs and outputs, mines before the lots commissioned at
// them and grants before the mines. Columns are then numbered from the mines, so material
// always flows left to right whichever way the walk went.
func provenanceGraph(pv trace.Provenance, mine, lot string, back bool, names map[string]string, grants map[string][]string) provGraph {
	g := provGraph{Start: lot}
	dist := map[string]int{}
	next := map[string][]string{}
	for _, e := range pv.Edges {
		if back {
			next[e.To] = append(next[e.To], e.From)
		} else {
			next[e.From] = append(next[e.From], e.To)
		}
	}
	var frontier []string
	if lot != "" && mine == "" {
		frontier = []string{lot}
		dist[lot] = 0
	} else {
		// Forward from a mine: the lots commissioned there are the ones no edge leads to.
		into := map[string]bool{}
		for _, e := range pv.Edges {
			into[e.To] = true
		}
		for _, l := range pv.Lots {
			if !into[l] {
				frontier = append(frontier, l)
				dist[l] = 0
			}
		}
	}
	for len(frontier) > 0 {
		var layer []string
		for _, l := range frontier {
			for _, n := range next[l] {
				if _, ok := dist[n]; !ok {
					dist[n] = dist[l] + 1
					layer = append(layer, n)
				}
			}
		}
		frontier = layer
	}
	// Flow position: 2 per hop, transformations at the odd columns between.
	pos := map[string]int{}
	maxd := 0
	for _, d := range dist {
		maxd = max(maxd, d)
	}
	for l, d := range dist {
		if back {
			pos[l] = 2 * (maxd - d)
		} else {
			pos[l] = 2 * d
		}
	}
	events := map[string]int{}
	var evOrder []string
	seenEdge := map[provEdge]bool{}
	addEdge := func(a, b string) {
		e := provEdge{a, b}
		if !seenEdge[e] {
			seenEdge[e] = true
			g.Edges = append(g.Edges, e)
		}
	}
	for _, e := range pv.Edges {
		c := pos[e.From] + 1
		if old, ok := events[e.HashID]; !ok {
			events[e.HashID] = c
			evOrder = append(evOrder, e.HashID)
		} else {
			events[e.HashID] = min(old, c)
		}
		addEdge(e.From, e.HashID)
		addEdge(e.HashID, e.To)
	}
	shift := 0
	var mines []provNode
	var grantNodes []provNode
	origin := func(l, loc string) {
		if _, ok := pos[l]; !ok {
			return
		}
		label := names[loc]
		if label == "" {
			label = loc
		}
		mines = append(mines, provNode{ID: "mine:" + loc, Name: label, Kind: "mine", Text: loc, Col: pos[l] - 1,
			Href: "/trace/provenance?mine=" + url.QueryEscape(loc)})
		addEdge("mine:"+loc, l)
		for _, gr := range grants[loc] {
			grantNodes = append(grantNodes, provNode{ID: "grant:" + gr, Name: gr, Kind: "grant", Col: pos[l] - 2})
			addEdge("grant:"+gr, "mine:"+loc)
		}
	}
	for _, o := range pv.Origins {
		origin(o.Lot, o.Location.URI)
	}
	if mine != "" {
		for l, d := range dist {
			if d == 0 {
				origin(l, trace.CanonLocation(mine))
			}
		}
	}
	for _, n := range append(mines, grantNodes...) {
		shift = max(shift, -n.Col)
	}
	var nodes []provNode
	lots := append([]string(nil), pv.Lots...)
	sort.Strings(lots)
	for _, l := range lots {
		if _, ok := pos[l]; !ok {
			continue
		}
		nodes = append(nodes, provNode{ID: l, Name: lotLabel(l), Kind: "lot", Text: l, Col: pos[l],
			Href: "/trace/provenance?lot=" + url.QueryEscape(l) + "&direction=back"})
	}
	for _, h := range evOrder {
		nodes = append(nodes, provNode{ID: h, Name: "T", Kind: "event", Text: h, Col: events[h], Href: eventHref(h)})
	}
	seenNode := map[string]bool{}
	for _, n := range append(mines, grantNodes...) {
		if !seenNode[n.ID] {
			seenNode[n.ID] = true
			nodes = append(nodes, n)
		}
	}
	rows := map[int]int{}
	for i := range nodes {
		nodes[i].Col += shift
		nodes[i].Row = rows[nodes[i].Col]
		rows[nodes[i].Col]++
	}
	g.Nodes = nodes
	if g.Edges == nil {
		g.Edges = []provEdge{}
	}
	return g
}
