// Package eventhash computes the GS1 CBV 2.0 "EPCIS Event Hash ID" of an event,
// ni:///sha-256;<hex>?ver=CBV2.0, exactly as ../shared/conformance/epcis/EVENT-HASH.md
// specifies (its "Implement" choices where it offers them). Section numbers in comments
// (§4.2 …) refer to that document.
//
// An event is first turned into a neutral tree of named nodes (FromJSON, FromXML), then into
// the pre-hash string (PreHash), then hashed (ID). The hash is the idempotency key of
// capture: the same event sent twice, or sent once as JSON and once as XML, gets the same ID.
package eventhash

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// Node is one node of the neutral tree (§3): a named field with a text value and children.
type Node struct {
	Name  string
	Value string
	Kids  []*Node
	// Entry is set for the elements of bizTransactionList, sourceList and destinationList
	// (typed entries); Name and Value are then unused.
	Entry *Entry
}

// Entry is a typed entry: a business transaction, source or destination with its type.
type Entry struct {
	Kind string // "bizTransaction", "source" or "destination"
	ID   string
	Type string // empty if the input had none (EPCIS makes it optional for bizTransaction)
}

// ID returns the hash ID of a pre-hash string (§2, §8).
func ID(prehash string) string {
	sum := sha256.Sum256([]byte(prehash))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

// field is one entry of a canonical order (§4.1): a field name and, for fields whose
// children are rendered in order, the order of those children. sub == nil means the field
// is a leaf; its children, if any, are left for Part B as remnants (§4.2).
type field struct {
	name string
	sub  []field
}

func leaves(names ...string) []field {
	f := make([]field, len(names))
	for i, n := range names {
		f[i] = field{name: n}
	}
	return f
}

var (
	epcOrder      = leaves("epc")
	quantityOrder = []field{{"quantityElement", leaves("epcClass", "quantity", "uom")}}
	sensorOrder   = []field{{"sensorElement", []field{
		{"sensorMetadata", leaves("time", "startTime", "endTime", "deviceID", "deviceMetadata",
			"rawData", "dataProcessingMethod", "bizRules")},
		{"sensorReport", leaves("type", "exception", "deviceID", "deviceMetadata", "rawData",
			"dataProcessingMethod", "time", "microorganism", "chemicalSubstance", "value",
			"component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue",
			"maxValue", "meanValue", "sDev", "percRank", "percValue", "uom",
			"coordinateReferenceSystem")},
	}}}

	// eventOrder is Part A (§4.1). bizTransactionList, sourceList, destinationList and ilmd
	// are deliberately absent: the reference renders them in Part B and the vectors depend on
	// it (§10 D1).
	eventOrder = []field{
		{"eventTime", nil}, {"eventTimeZoneOffset", nil}, {"certificationInfo", nil},
		{"parentID", nil}, {"epcList", epcOrder}, {"inputEPCList", epcOrder},
		{"childEPCs", epcOrder}, {"quantityList", quantityOrder},
		{"childQuantityList", quantityOrder}, {"inputQuantityList", quantityOrder},
		{"outputEPCList", epcOrder}, {"outputQuantityList", quantityOrder}, {"action", nil},
		{"transformationID", nil}, {"bizStep", nil}, {"disposition", nil},
		{"persistentDisposition", leaves("set", "unset")}, {"readPoint", leaves("id")},
		{"bizLocation", leaves("id")}, {"sensorElementList", sensorOrder},
	}
)

// excluded are event-level fields that are never hashed (§4.4): the hash identifies what
// happened, not when it was recorded, what ID the sender gave it or whether it was later
// declared wrong.
var excluded = map[string]bool{"eventID": true, "recordTime": true, "errorDeclaration": true, "type": true}

// PreHash returns the pre-hash string of an event node whose Name is the event type (§4).
// The node's children are consumed; pass a fresh tree.
func PreHash(event *Node) string {
	var b strings.Builder
	b.Grow(1024) // a typical event's pre-hash string is 0.5–2 kB
	b.WriteString("eventType=")
	b.WriteString(event.Name)
	renderOrdered(&b, &event.Kids, eventOrder)
	rest := event.Kids[:0]
	for _, k := range event.Kids {
		if k.Entry != nil || !excluded[k.Name] {
			rest = append(rest, k)
		}
	}
	renderList(&b, rest)
	return b.String()
}

// Segment is the part of a pre-hash string that one top-level field produced. Comparing
// segments tells which fields of two events differ in meaning (after all of the hash's
// canonicalisation: time zones, URN versus Digital Link, CBV spellings, numbers), which is
// how the JSON and XML twins of the GS1 examples are compared.
type Segment struct {
	Field string // eventType, a standard field, or the Clark name of an extension
	Text  string
}

// Segments returns the pre-hash string of an event cut into its fields, in pre-hash order;
// joined, they are PreHash (a test checks this on every vector). Slower than PreHash: use
// it to explain a difference, not to hash. The node's children are consumed.
func Segments(event *Node) []Segment {
	segs := []Segment{{Field: "eventType", Text: "eventType=" + event.Name}}
	// Part A, field by field: renderOrdered split up. Gathering happens once, before any
	// field is consumed, as in renderOrdered; at the event level it finds nothing unless the
	// event lacks both eventTime and action (§4.2.1).
	exts := gatherExtensions(&event.Kids)
	for _, f := range eventOrder {
		var b strings.Builder
		renderFields(&b, &event.Kids, []field{f})
		if b.Len() > 0 {
			segs = append(segs, Segment{Field: f.name, Text: b.String()})
		}
	}
	for _, x := range exts {
		var b strings.Builder
		renderGeneric(&b, x)
		segs = append(segs, Segment{Field: x.Name, Text: b.String()})
	}
	if len(exts) > 1 {
		tail := segs[len(segs)-len(exts):]
		sort.SliceStable(tail, func(i, j int) bool { return tail[i].Text < tail[j].Text })
	}
	// Part B: each remaining node rendered alone, then all sorted together, as renderList
	// does. (gatherExtensions never applies at the event level: eventTime is there.)
	var rest []Segment
	for _, k := range event.Kids {
		if k.Entry == nil && excluded[k.Name] {
			continue
		}
		var b strings.Builder
		renderGeneric(&b, k)
		rest = append(rest, Segment{Field: k.Name, Text: b.String()})
	}
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].Text < rest[j].Text })
	return append(segs, rest...)
}

// renderOrdered writes the children named in order, in that order, and removes from *kids
// every child it has written completely (§4.2).
func renderOrdered(b *strings.Builder, kids *[]*Node, order []field) {
	exts := gatherExtensions(kids)
	renderFields(b, kids, order)
	if len(exts) > 0 {
		renderList(b, exts)
	}
}

// renderFields is renderOrdered without the gathering of extensions.
func renderFields(b *strings.Builder, kids *[]*Node, order []field) {
	var parts []string
	for _, f := range order {
		parts = parts[:0]
		remaining := (*kids)[:0]
		// Filtering in place is safe: remaining never overtakes the loop index.
		for _, c := range *kids {
			if c.Entry != nil || c.Name != f.name {
				remaining = append(remaining, c)
				continue
			}
			g := ""
			if f.sub != nil {
				var gb strings.Builder
				renderOrdered(&gb, &c.Kids, f.sub)
				g = gb.String()
			}
			v := trim(c.Value)
			if v != "" {
				if isTimeField(f.name) {
					v = canonTime(v)
				} else {
					v = canonValue(v)
				}
			}
			switch {
			case v != "":
				parts = append(parts, f.name+"="+v+g)
			case g != "":
				parts = append(parts, f.name+g)
			}
			if len(c.Kids) > 0 {
				remaining = append(remaining, c) // remnants go to Part B
			}
		}
		*kids = remaining
		if len(parts) > 1 {
			sort.Strings(parts)
		}
		for _, p := range parts {
			b.WriteString(p)
		}
	}
}

// isTimeField selects the timestamps of Part A (§4.2): only these are converted to UTC.
func isTimeField(name string) bool {
	return name == "eventTime" || name == "time" || name == "startTime" || name == "endTime"
}

// gatherExtensions takes user extensions out of a standard structure so they are written
// after its standard fields (§4.2.1). The conditions are the reference's, quirks included
// (§10 D5): a namespace must end in "/", a lone child is never gathered, and a level with a
// name containing "eventTime" or "action" is taken to be the event level.
func gatherExtensions(kids *[]*Node) []*Node {
	if len(*kids) <= 1 {
		return nil
	}
	for _, c := range *kids {
		if strings.Contains(c.Name, "eventTime") || strings.Contains(c.Name, "action") {
			return nil
		}
	}
	var exts []*Node
	remaining := (*kids)[:0]
	for _, c := range *kids {
		if c.Entry == nil && strings.Contains(c.Name, "{") && strings.Contains(c.Name, "/}") {
			exts = append(exts, c)
		} else {
			remaining = append(remaining, c)
		}
	}
	*kids = remaining
	return exts
}

// renderList writes nodes with the generic renderer, sorted byte-wise (§4.3).
func renderList(b *strings.Builder, nodes []*Node) {
	if len(nodes) == 0 {
		return
	}
	parts := make([]string, len(nodes))
	sorted := true
	for i, n := range nodes {
		var nb strings.Builder
		renderGeneric(&nb, n)
		parts[i] = nb.String()
		// The reference does not sort a list that holds a bare bizTransaction, source or
		// destination node; that only happens with malformed input (§4.3).
		if n.Entry == nil && (n.Name == "bizTransaction" || n.Name == "source" || n.Name == "destination") {
			sorted = false
		}
	}
	if sorted {
		sort.Strings(parts)
	}
	for _, p := range parts {
		b.WriteString(p)
	}
}

// renderGeneric writes a node as name[=value] followed by its sorted children (§4.3). Part B
// never converts timestamps.
func renderGeneric(b *strings.Builder, n *Node) {
	if e := n.Entry; e != nil {
		// Type first, as CBV says (§10 D2); without a type, the value alone (§10 D3).
		if t := trim(e.Type); t != "" {
			b.WriteString("type=")
			b.WriteString(canonValue(t))
		}
		b.WriteString(e.Kind)
		b.WriteString("=")
		b.WriteString(canonValue(trim(e.ID)))
		return
	}
	b.WriteString(n.Name)
	if v := trim(n.Value); v != "" {
		b.WriteString("=")
		b.WriteString(canonValue(v))
	}
	renderList(b, n.Kids)
}
