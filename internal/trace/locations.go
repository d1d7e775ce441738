package trace

import (
	"context"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/epcis"
	"zhanxin/internal/store"
)

// LocationKinds are the places of the rare earth and tungsten chain.
var LocationKinds = []string{"mine", "separation_plant", "metal_plant", "magnet_plant", "warehouse", "port"}

// NewLocation is what registering a location takes. GLN is 13 digits; Extension, if any,
// makes it an SGLN (a sub-location such as a dock or a stockpile).
type NewLocation struct {
	GLN          string
	Extension    string
	NameZh       string
	NameEn       string
	Kind         string
	RegionCode   string
	EnterpriseID int64
	ParentURI    string
}

// AddLocation registers a location. Bad input names every field at fault and writes nothing.
func (s *Service) AddLocation(ctx context.Context, p *auth.Principal, in NewLocation) (store.EPCISLocation, error) {
	if err := auth.Require(p, auth.ManageLocations); err != nil {
		return store.EPCISLocation{}, err
	}
	e := apperr.New(apperr.Invalid, "invalid_location", "epcis.err.location")
	if !ValidGLN(in.GLN) {
		e.With("gln", "epcis.err.gln", in.GLN)
	}
	if strings.ContainsAny(in.Extension, "/ ") || len(in.Extension) > 20 {
		e.With("extension", "epcis.err.extension", in.Extension)
	}
	if strings.TrimSpace(in.NameZh) == "" {
		e.With("name_zh", "epcis.err.location_name")
	}
	kindOK := false
	for _, k := range LocationKinds {
		kindOK = kindOK || k == in.Kind
	}
	if !kindOK {
		e.With("kind", "epcis.err.location_kind", in.Kind, strings.Join(LocationKinds, ", "))
	}
	if _, err := s.db.RegionByCode(ctx, in.RegionCode); err != nil {
		e.With("region_code", "epcis.err.location_region", in.RegionCode)
	}
	if _, err := s.db.EnterpriseByID(ctx, in.EnterpriseID); err != nil {
		e.With("enterprise_id", "epcis.err.location_enterprise", in.EnterpriseID)
	}
	if len(e.Fields) > 0 {
		return store.EPCISLocation{}, e
	}
	uri := "https://id.gs1.org/414/" + in.GLN
	if in.Extension != "" {
		uri += "/254/" + in.Extension
	}
	l := store.EPCISLocation{URI: uri, NameZh: strings.TrimSpace(in.NameZh), NameEn: strings.TrimSpace(in.NameEn), Kind: in.Kind,
		RegionCode: in.RegionCode, EnterpriseID: in.EnterpriseID, ParentURI: CanonLocation(in.ParentURI), CreatedAt: s.now().UTC()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertEPCISLocation(ctx, l)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "location_exists", "epcis.err.location_exists", uri).With("gln", "epcis.err.location_exists", uri)
		}
		if err != nil {
			return err
		}
		l.ID = id
		return audit.Record(ctx, tx, l.CreatedAt, p, "epcis.location.create", "epcis_location", strconv.FormatInt(id, 10), nil, l)
	})
	return l, err
}

// Locations lists the registered locations: all for those who read every event, an
// enterprise's own for its users.
func (s *Service) Locations(ctx context.Context, p *auth.Principal) ([]store.EPCISLocation, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return nil, err
	}
	all, err := s.db.EPCISLocations(ctx)
	if err != nil || p.Role != auth.Enterprise {
		return all, err
	}
	var own []store.EPCISLocation
	for _, l := range all {
		if l.EnterpriseID == p.EnterpriseID {
			own = append(own, l)
		}
	}
	return own, nil
}

type locationIndex map[string]store.EPCISLocation

func (s *Service) locations(ctx context.Context) (locationIndex, error) {
	all, err := s.db.EPCISLocations(ctx)
	if err != nil {
		return nil, err
	}
	idx := make(locationIndex, len(all))
	for _, l := range all {
		idx[l.URI] = l
	}
	return idx, nil
}

// descendants returns uri and every location under it (WD_ query parameters).
func (idx locationIndex) descendants(uri string) []string {
	out := []string{uri}
	seen := map[string]bool{uri: true}
	for i := 0; i < len(out); i++ {
		for _, l := range idx {
			if l.ParentURI == out[i] && !seen[l.URI] {
				seen[l.URI] = true
				out = append(out, l.URI)
			}
		}
	}
	return out
}

// check applies the location rule to one event: an enterprise user captures only where it
// operates. The event's own place (readPoint, bizLocation) and the places goods leave from
// (sources of type location) must be registered locations of the user's enterprise; a
// destination must be a registered location (of anyone: shipping to a customer is the
// point). Regulators and admins capture anywhere.
func (idx locationIndex) check(p *auth.Principal, ev *epcis.Event, i int, b epcis.Binding) []Problem {
	if p.Role != auth.Enterprise {
		return nil
	}
	ptr := func(field string) string {
		if b == epcis.XMLBinding {
			return "event " + strconv.Itoa(i) + "/" + field
		}
		return "/epcisBody/eventList/" + strconv.Itoa(i) + "/" + field
	}
	var out []Problem
	own := func(field, uri string) {
		l, ok := idx[CanonLocation(uri)]
		switch {
		case !ok:
			out = append(out, Problem{Event: i, Pointer: ptr(field), Code: "location.unknown", Value: uri,
				Message: "location is not registered", Key: "epcis.err.location_unknown", Args: []any{i, ptr(field), uri}})
		case l.EnterpriseID != p.EnterpriseID:
			out = append(out, Problem{Event: i, Pointer: ptr(field), Code: "location.not-own", Value: uri,
				Message: "location belongs to another enterprise", Key: "epcis.err.location_not_own", Args: []any{i, ptr(field), uri}})
		}
	}
	if (ev.ReadPoint == nil || ev.ReadPoint.ID == "") && (ev.BizLocation == nil || ev.BizLocation.ID == "") {
		out = append(out, Problem{Event: i, Pointer: ptr("bizLocation"), Code: "location.missing",
			Message: "the event names no readPoint or bizLocation", Key: "epcis.err.location_missing", Args: []any{i}})
	}
	if ev.ReadPoint != nil && ev.ReadPoint.ID != "" {
		own("readPoint", ev.ReadPoint.ID)
	}
	if ev.BizLocation != nil && ev.BizLocation.ID != "" {
		own("bizLocation", ev.BizLocation.ID)
	}
	for k, sd := range ev.SourceList {
		if isLocationType(sd.Type) {
			own("sourceList/"+strconv.Itoa(k), sd.ID)
		}
	}
	for k, sd := range ev.DestinationList {
		if _, ok := idx[CanonLocation(sd.ID)]; isLocationType(sd.Type) && !ok {
			f := "destinationList/" + strconv.Itoa(k)
			out = append(out, Problem{Event: i, Pointer: ptr(f), Code: "location.unknown", Value: sd.ID,
				Message: "location is not registered", Key: "epcis.err.location_unknown", Args: []any{i, ptr(f), sd.ID}})
		}
	}
	return out
}

// owner is the enterprise an event belongs to, for who may read it: the enterprise of its
// business location, else of its read point, else the capturing enterprise user's.
func (idx locationIndex) owner(p *auth.Principal, ev *epcis.Event) int64 {
	for _, loc := range []*epcis.Location{ev.BizLocation, ev.ReadPoint} {
		if loc != nil {
			if l, ok := idx[CanonLocation(loc.ID)]; ok {
				return l.EnterpriseID
			}
		}
	}
	if p.Role == auth.Enterprise {
		return p.EnterpriseID
	}
	return 0
}
