package epcis

import (
	"fmt"
	"regexp"
	"strconv"

	"zhanxin/internal/epcis/cbv"
)

// Rules are this platform's checks on top of the EPCIS standard. They are kept apart from
// the schema (package schema) so that every rejection says whether the standard or the
// platform refused it (Problem.Source). They run on the model, so they apply to both
// bindings alike.
type Rules struct {
	// KnownUnit, if set, says whether the platform can convert a UN/ECE Recommendation 20
	// unit code to its base units. If nil, any code of the Rec 20 form is accepted here and
	// the conversion step decides.
	KnownUnit func(uom string) bool
}

// rec20Form is the shape of a UN/ECE Rec 20 common code, as the JSON schema checks it.
var rec20Form = regexp.MustCompile(`^[A-Z0-9]{2,3}$`)

// Check applies the rules to one event. i is its index and ptr its location (a JSON pointer,
// or the element path for XML). fromXML adds the structural checks that the JSON schema
// makes for JSON input but nothing makes for XML.
func (r Rules) Check(e *Event, i int, ptr string, fromXML bool) []Problem {
	c := checker{event: i, ptr: ptr}
	if fromXML {
		c.structure(e)
	}
	c.vocab(cbv.BizStep, e.BizStep, "/bizStep")
	c.vocab(cbv.Disposition, e.Disposition, "/disposition")
	if pd := e.PersistentDisposition; pd != nil {
		for j, v := range pd.Set {
			c.vocab(cbv.Disposition, v, "/persistentDisposition/set/"+strconv.Itoa(j))
		}
		for j, v := range pd.Unset {
			c.vocab(cbv.Disposition, v, "/persistentDisposition/unset/"+strconv.Itoa(j))
		}
	}
	for j, bt := range e.BizTransactionList {
		c.vocab(cbv.BizTransactionType, bt.Type, "/bizTransactionList/"+strconv.Itoa(j)+"/type")
	}
	for j, sd := range e.SourceList {
		c.vocab(cbv.SourceDestType, sd.Type, "/sourceList/"+strconv.Itoa(j)+"/type")
	}
	for j, sd := range e.DestinationList {
		c.vocab(cbv.SourceDestType, sd.Type, "/destinationList/"+strconv.Itoa(j)+"/type")
	}
	if ed := e.ErrorDeclaration; ed != nil {
		c.vocab(cbv.ErrorReason, ed.Reason, "/errorDeclaration/reason")
	}
	for j, se := range e.SensorElementList {
		for k, sr := range se.Reports {
			p := "/sensorElementList/" + strconv.Itoa(j) + "/sensorReport/" + strconv.Itoa(k)
			c.vocab(cbv.MeasurementType, sr.Type, p+"/type")
			c.vocab(cbv.SensorAlertType, sr.Exception, p+"/exception")
			c.vocab(cbv.Component, sr.Component, p+"/component")
		}
	}
	for _, ql := range []struct {
		name string
		list []Quantity
	}{{"quantityList", e.QuantityList}, {"childQuantityList", e.ChildQuantityList},
		{"inputQuantityList", e.InputQuantityList}, {"outputQuantityList", e.OutputQuantityList}} {
		for j, q := range ql.list {
			c.quantity(r, q, "/"+ql.name+"/"+strconv.Itoa(j))
		}
	}
	return c.probs
}

type checker struct {
	event int
	ptr   string
	probs []Problem
}

func (c *checker) add(src Source, code, at, value, format string, args ...any) {
	c.probs = append(c.probs, Problem{Event: c.event, Pointer: c.ptr + at, Source: src, Code: code,
		Value: value, Message: fmt.Sprintf(format, args...)})
}

// vocab: a value written in a CBV (or GS1 Web Vocabulary) namespace must be a term of it.
// A bare word can only mean a CBV term, so an unknown one ("shiping") is a typo, not a
// private vocabulary; a URI outside the CBV namespaces is a private value, which EPCIS
// allows. The schema catches unknown bare words in JSON; this rule also covers XML and the
// URN and web URI spellings ("urn:epcglobal:cbv:bizstep:shiping"), which the schema lets
// through or rejects for another reason.
func (c *checker) vocab(v *cbv.Vocab, value, at string) {
	if value == "" {
		return
	}
	if _, in, known := v.Split(value); in && !known {
		c.add(SourceRule, CodeCBVUnknown, at, value,
			"%q is not a CBV %s: write a CBV 2.0 term (such as %q) or a URI of your own vocabulary", value, v.Name, v.Terms()[0])
	}
}

// quantity: every quantity needs a unit, because the platform converts every quantity to a
// base unit (tonnes of REO or WO3 equivalent) for mass balance and quota accounting, and a
// bare number cannot be converted. EPCIS itself reads a missing uom as "a count of items";
// for a count, write the Rec 20 code for pieces (H87) or each (EA).
func (c *checker) quantity(r Rules, q Quantity, at string) {
	switch {
	case q.Quantity != "" && q.UOM == "":
		c.add(SourceRule, CodeUOMMissing, at, string(q.Quantity),
			"quantity %s of %s has no unit (uom): the platform converts every quantity to a base unit, and a number without a unit cannot be converted; give a UN/ECE Rec 20 code such as KGM or TNE (H87 for pieces)", q.Quantity, q.EPCClass)
	case q.UOM != "" && !rec20Form.MatchString(q.UOM):
		c.add(SourceRule, CodeUOMInvalid, at+"/uom", q.UOM,
			"unit %q is not a UN/ECE Rec 20 code (two or three capital letters or digits, such as KGM)", q.UOM)
	case q.UOM != "" && r.KnownUnit != nil && !r.KnownUnit(q.UOM):
		c.add(SourceRule, CodeUOMInvalid, at+"/uom", q.UOM,
			"unit %q is not one the platform can convert to its base units", q.UOM)
	}
}

// structure checks what the JSON schema checks for JSON input, for events read from XML,
// which has no schema here: the fields every event needs, and the closed values.
func (c *checker) structure(e *Event) {
	if e.EventTime.IsZero() {
		c.add(SourceModel, CodeBadValue, "/eventTime", "", "eventTime is required")
	}
	if !tzOffset.MatchString(e.EventTimeZoneOffset) {
		c.add(SourceModel, CodeBadValue, "/eventTimeZoneOffset", e.EventTimeZoneOffset,
			"eventTimeZoneOffset is required, as ±hh:mm between -14:00 and +14:00")
	}
	switch {
	case e.Type == TransformationEvent:
		if e.Action != "" {
			c.add(SourceModel, CodeBadValue, "/action", string(e.Action), "a TransformationEvent has no action")
		}
	case e.Action != ActionAdd && e.Action != ActionObserve && e.Action != ActionDelete:
		c.add(SourceModel, CodeBadValue, "/action", string(e.Action), "action must be ADD, OBSERVE or DELETE")
	}
	if e.Type == AssociationEvent && e.ParentID == "" {
		c.add(SourceModel, CodeBadValue, "/parentID", "", "an AssociationEvent needs a parentID")
	}
	for j, q := range allQuantities(e) {
		if q.EPCClass == "" {
			c.add(SourceModel, CodeBadValue, "/quantity/"+strconv.Itoa(j), "", "a quantity element needs an epcClass")
		}
	}
}

var tzOffset = regexp.MustCompile(`^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$`)

func allQuantities(e *Event) []Quantity {
	var all []Quantity
	for _, l := range [][]Quantity{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		all = append(all, l...)
	}
	return all
}
