package epcis

import "time"

// DocType is the kind of document an event list came in.
type DocType string

// The document types. SingleEvent is an event sent on its own (capture accepts it).
const (
	EPCISDocument           DocType = "EPCISDocument"
	EPCISQueryDocument      DocType = "EPCISQueryDocument"
	EPCISMasterDataDocument DocType = "EPCISMasterDataDocument" // XML only; no events
	SingleEvent             DocType = "Event"
)

// Binding is the syntax a document was read from.
type Binding string

// The bindings.
const (
	JSONBinding Binding = "json"
	XMLBinding  Binding = "xml"
)

// Document is an EPCIS document: a header and a list of events.
type Document struct {
	Type               DocType
	Binding            Binding
	ID                 string // JSON-LD "id" of the document
	SchemaVersion      string
	CreationDate       time.Time
	InstanceIdentifier string
	Sender, Receiver   string

	// Header is the document header, kept as fields: epcisHeader in JSON (master data);
	// EPCISHeader in XML (the SBDH and master data). Master data is handled later, by the
	// master data module, so it is carried, not interpreted. The JSON writer writes it back
	// only for JSON input: the XML header (SBDH) has no JSON-LD form.
	Header []Field
	// MasterData is the body of an EPCISMasterDataDocument (XML): its vocabulary list.
	MasterData []Field

	// Query results (EPCISQueryDocument).
	QueryName      string
	SubscriptionID string

	Events []*Event

	// Namespaces are the prefixes the document's @context declared (JSON only; see
	// Event.Namespaces).
	Namespaces map[string]string
	// Extensions are document-level user fields.
	Extensions []Field
}
