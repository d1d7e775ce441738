// Package epcis is the neutral model of GS1 EPCIS 2.0 events and documents, with readers
// for the JSON-LD and XML bindings, a JSON-LD writer, and the platform's own rules on top of
// the standard's schema.
//
// Reading a document (ReadJSON, ReadXML) does everything capture needs in one pass over the
// input: limits against hostile input, validation against the official JSON schema (package
// schema), the model, the platform rules (rules.go) and the CBV 2.0 event hash ID (package
// eventhash), which is the idempotency key of capture.
//
// The model keeps every standard field typed and every user extension losslessly, so that an
// event read from either binding can be written back as JSON-LD with the same meaning and the
// same hash ID.
package epcis

import (
	"math/big"
	"strconv"
	"time"
)

// EventType is one of the five EPCIS 2.0 event types.
type EventType string

// The event types.
const (
	ObjectEvent         EventType = "ObjectEvent"
	AggregationEvent    EventType = "AggregationEvent"
	TransactionEvent    EventType = "TransactionEvent"
	TransformationEvent EventType = "TransformationEvent"
	AssociationEvent    EventType = "AssociationEvent"
)

// Valid reports whether t is one of the five standard types. EPCIS also allows extension
// event types named by URI; the platform does not accept them, because nothing downstream
// (mass balance, provenance) would know what they mean.
func (t EventType) Valid() bool {
	switch t {
	case ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent:
		return true
	}
	return false
}

// Action says how an event relates to the lifecycle of the things it names.
type Action string

// The actions.
const (
	ActionAdd     Action = "ADD"
	ActionObserve Action = "OBSERVE"
	ActionDelete  Action = "DELETE"
)

// Event is one EPCIS event of any of the five types. Fields a type does not use stay empty.
//
// Presence: a nil slice means the field was absent; a non-nil empty slice means it was
// present and empty ("epcList": []), which the schema distinguishes (an ObjectEvent needs an
// epcList or a quantityList, and an empty one satisfies that).
//
// Values are kept as written (a bizStep may be "shipping", the CBV URN or the web URI); use
// package cbv to compare them (cbv.BizStep.Full).
type Event struct {
	Type                EventType
	EventTime           time.Time // with the offset it was written in
	EventTimeZoneOffset string    // "+08:00" as written
	RecordTime          time.Time // zero if absent; set by the repository on capture
	EventID             string
	ErrorDeclaration    *ErrorDeclaration
	CertificationInfo   []string

	ParentID      string   // Aggregation, Transaction, Association
	EPCList       []string // Object, Transaction
	ChildEPCs     []string // Aggregation, Association
	InputEPCList  []string // Transformation
	OutputEPCList []string // Transformation

	QuantityList       []Quantity // Object, Transaction
	ChildQuantityList  []Quantity // Aggregation, Association
	InputQuantityList  []Quantity // Transformation
	OutputQuantityList []Quantity // Transformation

	Action                Action // all but Transformation
	TransformationID      string // Transformation
	BizStep               string
	Disposition           string
	PersistentDisposition *PersistentDisposition // Object, Transformation
	ReadPoint             *Location
	BizLocation           *Location
	BizTransactionList    []BizTransaction
	SourceList            []SourceDest
	DestinationList       []SourceDest
	SensorElementList     []SensorElement
	ILMD                  *ILMD // Object, Transformation: instance/lot master data

	// Extensions are the event's user extension fields, in input order.
	Extensions []Field

	// Namespaces are the JSON-LD prefixes (prefix → IRI) the source document declared for
	// this event. String values may be CURIEs that rely on them, so they are written back;
	// events read from XML have none (the XML binding never expands value CURIEs other than
	// gs1: and cbv:).
	Namespaces map[string]string

	// HashID is the CBV 2.0 event hash ID of the event as read (not an EPCIS field: it is
	// computed, never taken from input).
	HashID string
}

// ErrorDeclaration says that an earlier event was wrong. A declared event still exists but
// must not count (a corrected shipment is not shipped twice); CorrectiveEventIDs name the
// events that replace it.
type ErrorDeclaration struct {
	DeclarationTime    time.Time
	Reason             string // CBV error reason (did_not_occur, incorrect_data) or a URI
	CorrectiveEventIDs []string
	Extensions         []Field
}

// Quantity is a quantity of an EPC class (a product, lot or class of things).
type Quantity struct {
	EPCClass string
	Quantity Decimal // empty if absent: "some, amount unknown"
	// UOM is a UN/ECE Recommendation 20 unit code (KGM, TNE, LTR …); empty means a count of
	// items.
	UOM        string
	Extensions []Field // XML only: the JSON schema allows no extensions here
}

// Decimal is a number exactly as written in the input ("200", "12.50", "1e3"), so that no
// precision is lost before the platform converts it to its base unit.
type Decimal string

// Rat returns the exact value. ok is false if the text is not a number.
func (d Decimal) Rat() (r *big.Rat, ok bool) {
	if d == "" {
		return nil, false
	}
	return new(big.Rat).SetString(string(d))
}

// Float64 returns the value as a float64.
func (d Decimal) Float64() (float64, error) { return strconv.ParseFloat(string(d), 64) }

// PersistentDisposition lists dispositions that stay in force (Set) or end (Unset) with
// this event, beyond the event itself.
type PersistentDisposition struct {
	Set, Unset []string
}

// Location is a read point or business location: a URI (usually an SGLN or GLN Digital Link)
// plus any user extensions.
type Location struct {
	ID         string
	Extensions []Field
}

// BizTransaction is a business transaction (purchase order, despatch advice, licence …) the
// event belongs to. Type is optional.
type BizTransaction struct {
	Type string
	ID   string
}

// SourceDest is a source or destination of a transfer of ownership, possession or location.
type SourceDest struct {
	Type string // owning_party, possessing_party, location, or a URI
	ID   string
}

// SensorElement is one device's readings.
type SensorElement struct {
	Metadata   *SensorMetadata
	Reports    []SensorReport
	Extensions []Field
}

// SensorMetadata describes how a sensor element's readings were taken.
type SensorMetadata struct {
	Time, StartTime, EndTime time.Time
	DeviceID                 string
	DeviceMetadata           string
	RawData                  string
	DataProcessingMethod     string
	BizRules                 string
	Extensions               []Field
}

// SensorReport is one reading or alert.
type SensorReport struct {
	Type                      string // measurement type (Temperature …) or a URI
	Exception                 string // ALARM_CONDITION, ERROR_CONDITION or a URI
	DeviceID                  string
	DeviceMetadata            string
	RawData                   string
	DataProcessingMethod      string
	BizRules                  string
	Time                      time.Time
	Microorganism             string
	ChemicalSubstance         string
	Value                     Decimal
	Component                 string
	StringValue               string
	BooleanValue              *bool
	HexBinaryValue            string
	URIValue                  string
	MinValue                  Decimal
	MaxValue                  Decimal
	MeanValue                 Decimal
	SDev                      Decimal
	PercRank                  Decimal
	PercValue                 Decimal
	UOM                       string
	CoordinateReferenceSystem string
	Extensions                []Field
}

// ILMD is instance/lot master data: user fields describing the things an event creates.
type ILMD struct {
	Fields []Field
}
