package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
	"zhanxin/internal/trace"
)

// The EPCIS 2.0 REST binding (GS1 openapi.yaml) under /epcis, beside the platform's own
// API: capture, query, one event, capture jobs, plus the tamper-evident log (checkpoint,
// consistency proof, verifier key) and the locations master data.

// epcisEndpoints are appended to Endpoints.
func (a *API) epcisEndpoints() []Endpoint {
	return []Endpoint{
		{"POST /epcis/capture", a.epcisCapture(false)},
		{"GET /epcis/capture/{captureID}", a.epcisCaptureJob},
		{"GET /epcis/capture/{captureID}/document", a.epcisCaptureDocument},
		{"POST /epcis/events", a.epcisCapture(true)},
		{"GET /epcis/events", a.epcisEvents},
		{"GET /epcis/events/{eventID}", a.epcisEvent},
		{"GET /epcis/checkpoint", a.epcisCheckpoint},
		{"GET /epcis/log/key", a.epcisLogKey},
		{"GET /epcis/log/consistency", a.epcisConsistency},
		{"GET /epcis/locations", a.epcisLocations},
		{"POST /epcis/locations", a.epcisAddLocation},
		{"GET /epcis/provenance", a.epcisProvenance},
		{"GET /epcis/eventTypes", a.epcisListing(store.EPCISEventTypes)},
		{"GET /epcis/epcs", a.epcisListing(store.EPCISEPCs)},
		{"GET /epcis/bizSteps", a.epcisListing(store.EPCISBizSteps)},
		{"GET /epcis/bizLocations", a.epcisListing(store.EPCISBizLocations)},
		{"GET /epcis/readPoints", a.epcisListing(store.EPCISReadPoints)},
		{"GET /epcis/dispositions", a.epcisListing(store.EPCISDispositions)},
		{"GET /epcis/eventTypes/{value}/events", a.epcisEventsOf("eventType")},
		{"GET /epcis/epcs/{value}/events", a.epcisEventsOf("MATCH_anyEPC")},
		{"GET /epcis/bizSteps/{value}/events", a.epcisEventsOf("EQ_bizStep")},
		{"GET /epcis/bizLocations/{value}/events", a.epcisEventsOf("EQ_bizLocation")},
		{"GET /epcis/readPoints/{value}/events", a.epcisEventsOf("EQ_readPoint")},
		{"GET /epcis/dispositions/{value}/events", a.epcisEventsOf("EQ_disposition")},
	}
}

// Collection is the REST binding's listing of a discovery resource.
type Collection struct {
	Context []string `json:"@context"`
	Type    string   `json:"type"`
	Member  []string `json:"member"`
}

// epcisListing answers a discovery resource: the values the repository holds (for event
// types, the five standard ones, which is what the binding asks), paged by nextPageToken
// in the Link header like the event query.
func (a *API) epcisListing(what store.EPCISVocabulary) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		a.epcisHeaders(w)
		v := r.URL.Query()
		var l trace.Listing
		if what == store.EPCISEventTypes {
			if err := auth.Require(p, auth.ReadEvents); err != nil {
				return err
			}
			l.Members = []string{"AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent", "TransformationEvent"}
		} else if l, err = a.Trace.List(r.Context(), p, what, v.Get("perPage"), v.Get("nextPageToken")); err != nil {
			return err
		}
		if l.NextPageToken != "" {
			v.Set("nextPageToken", l.NextPageToken)
			w.Header().Set("Link", "<"+r.URL.Path+"?"+v.Encode()+`>; rel="next"`)
		}
		WriteJSON(w, http.StatusOK, Collection{Context: []string{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"},
			Type: "Collection", Member: l.Members})
		return nil
	}
}

// epcisEventsOf answers /{resource}/{value}/events: the event query with the resource's
// parameter set to the value (in any spelling the parameter accepts), and any other query
// parameter applied as well.
func (a *API) epcisEventsOf(param string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := r.URL.Query()
		v.Set(param, r.PathValue("value"))
		return a.queryEvents(w, r, v)
	}
}

// epcisHeaders are the GS1 headers every EPCIS response carries.
func (a *API) epcisHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("GS1-EPCIS-Version", "2.0.0")
	h.Set("GS1-CBV-Version", "2.0.0")
	h.Set("GS1-EPCIS-Capture-Limit", strconv.Itoa(trace.CaptureEventLimit))
	h.Set("GS1-EPCIS-Capture-File-Size-Limit", strconv.FormatInt(a.MaxBodyBytes, 10))
	h.Set("GS1-Capture-Error-Behaviour", "rollback, proceed")
}

// checkVersions refuses a request that asks for an EPCIS or CBV version other than 2.0.x.
func checkVersions(r *http.Request) error {
	for _, h := range []string{"GS1-EPCIS-Version", "GS1-CBV-Version"} {
		if v := r.Header.Get(h); v != "" && !strings.HasPrefix(v, "2.0") {
			return apperr.New(apperr.Invalid, "epcis_version", "epcis.err.version", h, v).With(h, "epcis.err.version", h, v)
		}
	}
	return nil
}

// CaptureResponse is the capture job, with what happened to each event and the signed log
// checkpoint the inclusion proofs lead to.
type CaptureResponse struct {
	CaptureJob
	Events     []CapturedEvent `json:"events"`
	Checkpoint string          `json:"checkpoint"`
}

// CaptureJob is the REST binding's capture job.
type CaptureJob struct {
	CaptureID             string          `json:"captureID"`
	CreatedAt             string          `json:"createdAt"`
	FinishedAt            string          `json:"finishedAt"`
	Running               bool            `json:"running"`
	Success               bool            `json:"success"`
	CaptureErrorBehaviour string          `json:"captureErrorBehaviour"`
	Errors                []trace.Problem `json:"errors"`
	EventCount            int             `json:"eventCount"`
	Stored                int             `json:"stored"`
	Duplicates            int             `json:"duplicates"`
}

// CapturedEvent is one event's outcome with its inclusion proof.
type CapturedEvent struct {
	Index     int      `json:"index"`
	HashID    string   `json:"hashID"`
	Duplicate bool     `json:"duplicate"`
	LogIndex  *int64   `json:"logIndex"`
	TreeSize  *int64   `json:"treeSize,omitempty"`
	Proof     []string `json:"inclusionProof,omitempty"`
}

func captureJob(c store.EPCISCapture, probs []trace.Problem) CaptureJob {
	if probs == nil {
		probs = []trace.Problem{}
	}
	return CaptureJob{CaptureID: strconv.FormatInt(c.ID, 10), CreatedAt: c.CreatedAt.Format("2006-01-02T15:04:05.000Z07:00"),
		FinishedAt: c.FinishedAt.Format("2006-01-02T15:04:05.000Z07:00"), Success: c.Success, CaptureErrorBehaviour: c.Behaviour,
		Errors: probs, EventCount: c.Events, Stored: c.Stored, Duplicates: c.Duplicates}
}

// proofsUpTo is the largest capture whose response carries every inclusion proof; larger
// ones get log indexes, and each event's proof from GET /epcis/events/{eventID}.
const proofsUpTo = 1000

func (a *API) epcisCapture(single bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := principal(r)
		if err != nil {
			return err
		}
		a.epcisHeaders(w)
		if err := checkVersions(r); err != nil {
			return err
		}
		req := trace.CaptureRequest{ContentType: r.Header.Get("Content-Type")}
		mt, _, _ := mime.ParseMediaType(req.ContentType)
		switch mt {
		case "application/json", "application/ld+json":
			req.Binding = trace.JSON
		case "application/xml", "text/xml":
			if single {
				return apperr.New(apperr.UnsupportedMedia, "unsupported_media_type", "epcis.err.content_type", req.ContentType)
			}
			req.Binding = trace.XML
		default:
			return apperr.New(apperr.UnsupportedMedia, "unsupported_media_type", "epcis.err.content_type", req.ContentType)
		}
		switch b := r.Header.Get("GS1-Capture-Error-Behaviour"); b {
		case "", trace.Rollback:
			req.Behaviour = trace.Rollback
		case trace.Proceed:
			req.Behaviour = trace.Proceed
		default:
			return apperr.New(apperr.Invalid, "epcis_error_behaviour", "epcis.err.behaviour", b).
				With("GS1-Capture-Error-Behaviour", "epcis.err.behaviour", b)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return apperr.New(apperr.TooLarge, "body_too_large", "epcis.err.body_too_large", mbe.Limit>>20).Wrap(err)
			}
			return err
		}
		req.Body = body
		req.MaxProofs = proofsUpTo
		res, err := a.Trace.Capture(r.Context(), p, req)
		if err != nil {
			return err
		}
		out := CaptureResponse{CaptureJob: captureJob(res.Capture, res.Problems), Checkpoint: res.Checkpoint.Note,
			Events: make([]CapturedEvent, 0, len(res.Events))}
		for _, e := range res.Events {
			ce := CapturedEvent{Index: e.Index, HashID: e.HashID, Duplicate: e.Duplicate}
			if !e.Duplicate {
				li := e.LogIndex
				ce.LogIndex = &li
			}
			if e.Proof != nil {
				ts := e.Proof.TreeSize
				ce.TreeSize, ce.Proof = &ts, trace.HashesB64(e.Proof.Proof)
			}
			out.Events = append(out.Events, ce)
		}
		w.Header().Set("Location", "/epcis/capture/"+out.CaptureID)
		WriteJSON(w, http.StatusAccepted, out)
		return nil
	}
}

func (a *API) epcisCaptureJob(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	a.epcisHeaders(w)
	id, err := strconv.ParseInt(r.PathValue("captureID"), 10, 64)
	if err != nil || id < 1 {
		id = 0
	}
	c, err := a.Trace.CaptureJob(r.Context(), p, id)
	if err != nil {
		return err
	}
	var probs []trace.Problem
	if err := json.Unmarshal([]byte(c.Errors), &probs); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, captureJob(c, probs))
	return nil
}

// epcisCaptureDocument returns the captured document exactly as received (JSON-LD or XML).
func (a *API) epcisCaptureDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("captureID"), 10, 64)
	if err != nil || id < 1 {
		id = 0
	}
	doc, ct, err := a.Trace.CaptureDocument(r.Context(), p, id)
	if err != nil {
		return err
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(doc)
	return nil
}

func (a *API) epcisEvents(w http.ResponseWriter, r *http.Request) error {
	return a.queryEvents(w, r, r.URL.Query())
}

func (a *API) queryEvents(w http.ResponseWriter, r *http.Request, params url.Values) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	a.epcisHeaders(w)
	q, err := a.Trace.ParseQuery(r.Context(), params)
	if err != nil {
		return err
	}
	res, err := a.Trace.Events(r.Context(), p, q)
	if err != nil {
		return err
	}
	if res.NextPageToken != "" {
		v := r.URL.Query()
		v.Set("nextPageToken", res.NextPageToken) // the path keeps a /{resource}/{value}
		w.Header().Set("Link", "<"+r.URL.Path+"?"+v.Encode()+`>; rel="next"`)
	}
	return a.writeEvents(w, r, res.Events)
}

// wantsXML reads the Accept header the way the REST binding negotiates: XML if the client
// names application/xml or text/xml before any JSON type (JSON-LD is the default).
func wantsXML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "application/xml", "text/xml":
			return true
		case "application/json", "application/ld+json", "*/*", "application/*":
			return false
		}
	}
	return false
}

// writeEvents answers a query with an EPCISQueryDocument in the binding the client asked for.
func (a *API) writeEvents(w http.ResponseWriter, r *http.Request, rows []store.EPCISEventRow) error {
	if wantsXML(r) {
		b, err := trace.QueryDocumentXML(rows, a.Now())
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		return nil
	}
	w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(trace.QueryDocument(rows, a.Now()))
	return nil
}

// epcisEvent returns one event as JSON-LD, with its inclusion proof in headers (the body is
// the event exactly as the standard defines it).
func (a *API) epcisEvent(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	a.epcisHeaders(w)
	ev, err := a.Trace.Event(r.Context(), p, r.PathValue("eventID"))
	if err != nil {
		return err
	}
	inc, cp, err := a.Trace.EventProof(r.Context(), p, ev)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Zhanxin-Log-Index", strconv.FormatInt(inc.LogIndex, 10))
	h.Set("Zhanxin-Tree-Size", strconv.FormatInt(inc.TreeSize, 10))
	h.Set("Zhanxin-Inclusion-Proof", strings.Join(trace.HashesB64(inc.Proof), ","))
	h.Set("Zhanxin-Checkpoint", base64.StdEncoding.EncodeToString([]byte(cp.Note)))
	if ev.ErrorDeclared {
		h.Set("Zhanxin-Error-Declared", "true")
	}
	if wantsXML(r) {
		// The XML binding has no single-event document: the event comes in a query
		// document's event list.
		return a.writeEvents(w, r, []store.EPCISEventRow{ev})
	}
	h.Set("Content-Type", "application/ld+json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, ev.Doc)
	return nil
}

func (a *API) epcisCheckpoint(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var cp trace.Checkpoint
	if s := r.URL.Query().Get("size"); s != "" {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			n = -1
		}
		cp, err = a.Trace.Checkpoint(r.Context(), p, n)
	} else {
		cp, err = a.Trace.CurrentCheckpoint(r.Context(), p)
	}
	if err != nil {
		return err
	}
	root := trace.HashesB64([]tlog.Hash{cp.Root})[0]
	WriteJSON(w, http.StatusOK, CheckpointResponse{Size: cp.Size, Root: root, Checkpoint: cp.Note})
	return nil
}

// CheckpointResponse is a signed checkpoint (the C2SP note text) with its size and root.
type CheckpointResponse struct {
	Size       int64  `json:"size"`
	Root       string `json:"root"`
	Checkpoint string `json:"checkpoint"`
}

func (a *API) epcisLogKey(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]string{"origin": trace.LogOrigin, "verifierKey": a.Trace.VerifierKey()})
	return nil
}

// ConsistencyResponse proves that the log of size old is a prefix of the log of size new.
type ConsistencyResponse struct {
	Old     int64    `json:"old"`
	New     int64    `json:"new"`
	OldRoot string   `json:"oldRoot"`
	NewRoot string   `json:"newRoot"`
	Proof   []string `json:"proof"`
}

func (a *API) epcisConsistency(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	num := func(name string) int64 {
		n, err := strconv.ParseInt(v.Get(name), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	c, err := a.Trace.ProveConsistency(r.Context(), p, num("old"), num("new"))
	if err != nil {
		return err
	}
	roots := trace.HashesB64([]tlog.Hash{c.OldRoot, c.NewRoot})
	WriteJSON(w, http.StatusOK, ConsistencyResponse{Old: c.Old, New: c.New, OldRoot: roots[0], NewRoot: roots[1],
		Proof: trace.HashesB64(c.Proof)})
	return nil
}

// Location is a registered location.
type Location struct {
	ID           int64  `json:"id"`
	URI          string `json:"uri"`
	NameZh       string `json:"name_zh"`
	NameEn       string `json:"name_en"`
	Kind         string `json:"kind"`
	RegionCode   string `json:"region_code"`
	EnterpriseID int64  `json:"enterprise_id"`
	ParentURI    string `json:"parent_uri,omitempty"`
}

func locationOut(l store.EPCISLocation) Location {
	return Location{ID: l.ID, URI: l.URI, NameZh: l.NameZh, NameEn: l.NameEn, Kind: l.Kind, RegionCode: l.RegionCode,
		EnterpriseID: l.EnterpriseID, ParentURI: l.ParentURI}
}

func (a *API) epcisLocations(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ls, err := a.Trace.Locations(r.Context(), p)
	if err != nil {
		return err
	}
	out := List[Location]{Data: make([]Location, 0, len(ls)), Page: PageInfo{Page: 1, PerPage: len(ls), Total: len(ls)}}
	for _, l := range ls {
		out.Data = append(out.Data, locationOut(l))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// NewLocation is the body of POST /epcis/locations.
type NewLocation struct {
	GLN          string `json:"gln"`
	Extension    string `json:"extension"`
	NameZh       string `json:"name_zh"`
	NameEn       string `json:"name_en"`
	Kind         string `json:"kind"`
	RegionCode   string `json:"region_code"`
	EnterpriseID int64  `json:"enterprise_id"`
	ParentURI    string `json:"parent_uri"`
}

func (a *API) epcisAddLocation(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewLocation
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l, err := a.Trace.AddLocation(r.Context(), p, trace.NewLocation(in))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/epcis/locations")
	WriteJSON(w, http.StatusCreated, locationOut(l))
	return nil
}

// ProvenanceResponse is the provenance graph: lots as nodes, transformations as edges, and
// the places the material was commissioned.
type ProvenanceResponse struct {
	Lots    []string         `json:"lots"`
	Edges   []ProvenanceEdge `json:"edges"`
	Origins []Origin         `json:"origins"`
	Hops    int              `json:"hops"`
}

// ProvenanceEdge is one transformation step.
type ProvenanceEdge struct {
	From   string `json:"from"`
	To     string `json:"to"`
	HashID string `json:"hashID"`
}

// Origin is a lot and where it was commissioned.
type Origin struct {
	Lot          string `json:"lot"`
	Location     string `json:"location"`
	Kind         string `json:"kind"`
	NameZh       string `json:"name_zh"`
	EnterpriseID int64  `json:"enterprise_id"`
}

func (a *API) epcisProvenance(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	var pv trace.Provenance
	switch dir := v.Get("direction"); {
	case v.Get("mine") != "":
		pv, err = a.Trace.TraceFromMine(r.Context(), p, v.Get("mine"))
	case dir == "" || dir == "back" || dir == "forward":
		pv, err = a.Trace.Trace(r.Context(), p, v.Get("lot"), dir != "forward")
	default:
		err = apperr.New(apperr.Invalid, "invalid_query", "epcis.err.provenance_direction", dir).
			With("direction", "epcis.err.provenance_direction", dir)
	}
	if err != nil {
		return err
	}
	out := ProvenanceResponse{Lots: pv.Lots, Edges: []ProvenanceEdge{}, Origins: []Origin{}, Hops: pv.Hops}
	if out.Lots == nil {
		out.Lots = []string{}
	}
	for _, e := range pv.Edges {
		out.Edges = append(out.Edges, ProvenanceEdge{From: e.From, To: e.To, HashID: e.HashID})
	}
	for _, o := range pv.Origins {
		out.Origins = append(out.Origins, Origin{Lot: o.Lot, Location: o.Location.URI, Kind: o.Location.Kind,
			NameZh: o.Location.NameZh, EnterpriseID: o.Location.EnterpriseID})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}
