// Package schema validates EPCIS 2.0 JSON-LD documents and events against the official GS1
// JSON schema (EPCIS-JSON-Schema.json, draft-07, embedded here as published).
//
// The schema's patterns use ECMAScript look-ahead ("^(?!(urn:epcglobal:cbv|…))"), which Go's
// RE2-based regexp cannot compile, so patterns run on dlclark/regexp2 in ECMAScript mode.
// Formats (uri, date-time) are asserted, as draft-07 allows and the schema intends.
//
// This package answers only "does the JSON match the standard's schema". Rules of our own
// (CBV terms, units on quantities) are in package epcis, kept apart so that a rejection can
// always say whether the standard or the platform refused the event.
package schema

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders the validator's messages in English; translations are keyed on Keyword by
// the caller. It holds no mutable state.
var printer = message.NewPrinter(language.English)

// Source is the schema document, byte for byte as GS1 published it (EPCIS repository commit
// 2b888bef, May 2023); a test compares it with the conformance corpus copy.
//
//go:embed EPCIS-JSON-Schema.json
var Source []byte

// ID is the schema's $id; the root schema checks documents and single events.
const ID = "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json"

// Validator holds the compiled schema. It is safe for concurrent use. Compiling takes about
// 100 ms, which a server that never captures should not pay at start-up: Lazy defers it to
// the first validation; New compiles at once.
type Validator struct {
	once sync.Once
	err  error
	done atomic.Bool
	root *jsonschema.Schema
	// event is the schema of an event inside a document (EPCIS-Document-Event); byType the
	// definition it applies to each of the five standard types (see ValidateEvent).
	event  *jsonschema.Schema
	byType map[string]*jsonschema.Schema
}

// New compiles the embedded schema.
func New() (*Validator, error) {
	v := Lazy()
	if err := v.Compile(); err != nil {
		return nil, err
	}
	return v, nil
}

// Lazy returns a validator that compiles the embedded schema on first use, once, however
// many goroutines validate at the same time.
func Lazy() *Validator { return &Validator{} }

// Compile compiles the schema if that has not happened yet and reports whether it could be.
// The schema is embedded, so an error here is a broken build, not bad input.
func (v *Validator) Compile() error {
	v.once.Do(func() { v.err = v.compile() })
	return v.err
}

// Compiled reports whether the schema has been compiled (start-up must not do it).
func (v *Validator) Compiled() bool { return v.done.Load() }

func (v *Validator) compile() error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Source))
	if err != nil {
		return fmt.Errorf("schema: read embedded schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(ecmaCompile)
	// No loader: every reference is inside the document, and validation must never fetch
	// anything from the network.
	c.UseLoader(noLoader{})
	if err := c.AddResource(ID, doc); err != nil {
		return fmt.Errorf("schema: add: %w", err)
	}
	byType := map[string]*jsonschema.Schema{}
	compile := func(ptr string) (*jsonschema.Schema, error) {
		sch, err := c.Compile(ID + ptr)
		if err != nil {
			return nil, fmt.Errorf("schema: compile %s: %w", ptr, err)
		}
		return sch, nil
	}
	root, err := compile("")
	if err != nil {
		return err
	}
	event, err := compile("#/definitions/EPCIS-Document-Event")
	if err != nil {
		return err
	}
	for _, t := range []string{"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"} {
		if byType[t], err = compile("#/definitions/" + t); err != nil {
			return err
		}
	}
	v.root, v.event, v.byType = root, event, byType
	v.done.Store(true)
	return nil
}

// unusable is what validation reports if the schema did not compile: every document is
// refused rather than let through unchecked.
func (v *Validator) unusable() []Error {
	return []Error{{Keyword: "schema", Message: "the EPCIS schema could not be compiled: " + v.err.Error()}}
}

// Error is one schema violation.
type Error struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value in the validated value.
	Pointer string
	// Keyword is the schema keyword that failed: required, enum, pattern, format, type,
	// propertyNames, additionalProperties, anyOf, …; stable, for translation.
	Keyword string
	// Message says what is wrong, in English.
	Message string
}

func (e Error) String() string { return e.Pointer + ": " + e.Message }

// Validate checks a decoded JSON value (from encoding/json with UseNumber, or any value of
// map[string]any, []any, string, json.Number, float64, bool and nil) against the schema:
// an EPCISDocument, an EPCISQueryDocument or a single event. It returns nil if it conforms.
func (v *Validator) Validate(doc any) []Error {
	if v.Compile() != nil {
		return v.unusable()
	}
	return collect(v.root.Validate(doc), doc)
}

// ValidateEvent checks one event of a document's event list, as the schema checks the items
// of eventList (EPCIS-Document-Event). Pointers are relative to the event.
//
// EPCIS-Document-Event applies "if type is ObjectEvent then the ObjectEvent definition" and
// so on for the five types, and Extended-Event for any other type. For an event whose type
// is one of the five, that is exactly the type's definition, so it is applied directly: the
// same schema, without trying the four conditions that cannot match (a good part of the
// cost on small events). Anything else goes through EPCIS-Document-Event itself.
func (v *Validator) ValidateEvent(event any) []Error {
	if v.Compile() != nil {
		return v.unusable()
	}
	sch := v.event
	if m, ok := event.(map[string]any); ok {
		if t, ok := m["type"].(string); ok && v.byType[t] != nil {
			sch = v.byType[t]
		}
	}
	return collect(sch.Validate(event), event)
}

func collect(err error, doc any) []Error {
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Error{{Keyword: "invalid", Message: err.Error()}}
	}
	var out []Error
	f := flattener{doc: doc}
	f.flatten(ve, nil, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return dedupe(out)
}

// flatten turns the validator's error tree into a list a person can act on. The tree has one
// node per schema keyword on the way (allOf, if/then, $ref …); only the leaves say what is
// wrong. Two kinds of node need care:
//
//   - a failed anyOf/oneOf produces one failure per alternative. If all of them are about the
//     value itself (a string that is neither a URI nor a standard term), they are reported
//     once, together. Otherwise only the alternative that got furthest into the value is
//     reported (the "best match" rule of other validators): an ObjectEvent with a broken
//     quantityList should hear about the quantity, not that it lacks an epcList;
//   - a failed propertyNames is reported at the offending member, with its name.
func (f flattener) flatten(e *jsonschema.ValidationError, trusted []string, out *[]Error) {
	if len(e.Causes) == 0 {
		*out = append(*out, Error{
			Pointer: pointer(e.InstanceLocation),
			Keyword: keyword(e.ErrorKind),
			Message: e.ErrorKind.LocalizedString(printer),
		})
		return
	}
	switch k := e.ErrorKind.(type) {
	case *kind.PropertyNames:
		loc := f.locate(trusted, e.InstanceLocation, k.Property)
		*out = append(*out, Error{
			Pointer: pointer(append(loc, k.Property)),
			Keyword: "propertyNames",
			Message: fmt.Sprintf("field %q is not allowed here: it is not a standard field, and an extension field needs a namespaced name (prefix:name or an absolute URI)", k.Property),
		})
		return
	case *kind.AnyOf, *kind.OneOf:
		at := pointer(e.InstanceLocation)
		branches := make([][]Error, len(e.Causes))
		same := true
		for i, c := range e.Causes {
			f.flatten(c, e.InstanceLocation, &branches[i])
			for _, l := range branches[i] {
				same = same && l.Pointer == at
			}
		}
		if same {
			var msgs []string
			for _, b := range branches {
				for _, l := range b {
					msgs = append(msgs, l.Message)
				}
			}
			*out = append(*out, Error{Pointer: at, Keyword: keyword(e.ErrorKind),
				Message: "matches none of the allowed forms: " + strings.Join(msgs, "; or ")})
			return
		}
		best := 0
		for i := range branches {
			if better(branches[i], branches[best]) {
				best = i
			}
		}
		*out = append(*out, branches[best]...)
		return
	}
	for _, c := range e.Causes {
		f.flatten(c, e.InstanceLocation, out)
	}
}

// better reports whether alternative a got further than b: its deepest error is deeper, or
// as deep with fewer errors.
func better(a, b []Error) bool {
	da, db := maxDepth(a), maxDepth(b)
	if da != db {
		return da > db
	}
	return len(a) < len(b)
}

func maxDepth(errs []Error) int {
	m := 0
	for _, e := range errs {
		if d := strings.Count(e.Pointer, "/"); d > m {
			m = d
		}
	}
	return m
}

func keyword(k jsonschema.ErrorKind) string {
	p := k.KeywordPath()
	if len(p) == 0 {
		return "schema"
	}
	return p[len(p)-1]
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

func dedupe(in []Error) []Error {
	seen := make(map[Error]bool, len(in))
	out := in[:0]
	for _, e := range in {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// ecmaCompile compiles schema patterns as ECMAScript regular expressions.
func ecmaCompile(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	// No MatchTimeout: regexp2's timeout runs on a coarse background clock (100 ms ticks),
	// and on a busy machine it made valid documents fail ('f0f0f0' "not matching"
	// ^[A-Fa-f0-9]+$). The patterns are the schema's own, fixed, and all run in linear time
	// (anchored look-aheads over literals and bounded character classes), so a hostile
	// string cannot make them backtrack.
	return (*ecmaRegexp)(re), nil
}

type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema: refusing to load %s: only the embedded EPCIS schema is used", url)
}
