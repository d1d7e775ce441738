package epcis

import (
	"fmt"
	"sort"
	"strings"
)

// Source says which check found a problem, so that a rejection always tells whether the
// standard or the platform refused the event.
type Source string

// The sources of problems.
const (
	// SourceSyntax: the document cannot be read at all (malformed JSON or XML, too deep,
	// too large, not an EPCIS document).
	SourceSyntax Source = "syntax"
	// SourceSchema: the official EPCIS 2.0 JSON schema rejects it.
	SourceSchema Source = "schema"
	// SourceModel: it cannot be read into the event model (a time that does not parse, a
	// number that is not one, an event type the platform does not take).
	SourceModel Source = "model"
	// SourceRule: valid EPCIS, but against a rule of this platform (rules.go).
	SourceRule Source = "rule"
)

// Problem is one thing wrong with a document, located precisely enough to fix it.
type Problem struct {
	// Event is the index of the event in the document's event list, or -1 for the document
	// itself.
	Event int
	// Pointer is the JSON pointer (RFC 6901) of the offending value in the JSON document;
	// for XML it is the path of the element, such as /EPCISBody/EventList/ObjectEvent[2]/bizStep.
	Pointer string
	// Line is the line in an XML document (0 for JSON).
	Line   int
	Source Source
	// Code is stable and names the problem for translation: "json.syntax",
	// "schema.required", "rule.cbv-unknown", "rule.uom-missing" … (see the constants).
	Code string
	// Value is the offending value, if one, for messages ("shipingg").
	Value string
	// Message says what is wrong and why, in English.
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Event >= 0 {
		fmt.Fprintf(&b, "event %d: ", p.Event)
	}
	if p.Pointer != "" {
		b.WriteString(p.Pointer)
		b.WriteString(": ")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	b.WriteString(p.Message)
	b.WriteString(" [")
	b.WriteString(p.Code)
	b.WriteString("]")
	return b.String()
}

// Problem codes outside the schema (whose codes are "schema." + the failing keyword).
const (
	CodeJSONSyntax = "json.syntax"
	CodeXMLSyntax  = "xml.syntax"
	CodeTooDeep    = "doc.too-deep"
	CodeTooLarge   = "doc.too-large"
	CodeNotEPCIS   = "doc.not-epcis"
	CodeBadValue   = "model.bad-value"  // wrong JSON type, unparsable time or number
	CodeEventType  = "model.event-type" // not one of the five event types
	CodeCBVUnknown = "rule.cbv-unknown" // a CBV-namespace value that is not a CBV term
	CodeUOMMissing = "rule.uom-missing" // a quantity without a unit
	CodeUOMInvalid = "rule.uom-invalid" // a unit that is not a UN/ECE Rec 20 code
)

// Error is returned by the readers when anything is wrong. Problems are in document order.
// A document with only per-event problems is still returned, so that a caller that asked to
// keep the valid events of a capture can do so.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "epcis: " + e.Problems[0].String()
	}
	return fmt.Sprintf("epcis: %d problems, first: %s", len(e.Problems), e.Problems[0].String())
}

// Fatal reports whether the document could not be read at all.
func (e *Error) Fatal() bool {
	for _, p := range e.Problems {
		if p.Source == SourceSyntax {
			return true
		}
	}
	return false
}

// ForEvent returns the problems of event i.
func (e *Error) ForEvent(i int) []Problem {
	var out []Problem
	for _, p := range e.Problems {
		if p.Event == i {
			out = append(out, p)
		}
	}
	return out
}

// sortProblems orders problems by event (document-level first), keeping the order in which
// they were found within an event.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Event < ps[j].Event })
}
