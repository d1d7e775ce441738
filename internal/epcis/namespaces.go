package epcis

import (
	"sort"
	"strconv"
	"strings"

	"zhanxin/internal/epcis/cbv"
)

// Choosing JSON-LD prefixes for output.
//
// An extension name is {namespace}local in the model; JSON-LD writes it prefix:local with
// the prefix declared in @context. The prefix itself means nothing, but a declared prefix
// also expands string values that start with it (a CURIE), in JSON-LD and in the event hash.
// So a prefix must never be declared where a value uses the same "prefix:" as plain text:
// XML never expands such values (only gs1: and cbv:), and a JSON document that did not
// declare the prefix did not either. Otherwise the written event would mean something else
// and hash differently. The rules:
//
//   - the prefixes an event's source declared are declared again (its values may rely on
//     them);
//   - every namespace of an extension name gets a prefix: the one the source used if free,
//     else a fresh one; never one that appears unexpanded in the event's values;
//   - a declaration goes into the document's @context if it is consistent and harmless for
//     every event, and into the event's own @context otherwise.

// nsScope is what one event needs from @context.
type nsScope struct {
	declared   map[string]string // prefix → IRI, declared by the source
	unexpanded map[string]bool   // prefixes used as text that must stay undeclared
	needed     map[string]string // prefix → IRI to declare
	prefixOf   map[string]string // namespace IRI → prefix used in keys
}

// implicitPrefix: gs1 and cbv are always declared (the standard context declares them, and
// the event hash treats them as declared), so they are used but never written.
func implicitPrefix(iri string) string {
	switch iri {
	case cbv.GS1Namespace:
		return "gs1"
	case cbv.CBVNamespace:
		return "cbv"
	}
	return ""
}

func newScope(o jobj, declared map[string]string) *nsScope {
	s := &nsScope{declared: declared, unexpanded: map[string]bool{}, needed: map[string]string{}, prefixOf: map[string]string{}}
	for p, iri := range declared {
		s.needed[p] = iri
		if _, ok := s.prefixOf[iri]; !ok || p < s.prefixOf[iri] {
			s.prefixOf[iri] = p
		}
	}
	var spaces []Name
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case jobj:
			for _, m := range x {
				if m.name != nil {
					if m.name.Space != "" {
						if !seen[m.name.Space] {
							seen[m.name.Space] = true
							spaces = append(spaces, *m.name)
						}
					} else {
						s.noteText(m.name.Local)
					}
				}
				walk(m.val)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			s.noteText(x)
		}
	}
	walk(o)
	for _, n := range spaces {
		if _, ok := s.prefixOf[n.Space]; ok {
			continue
		}
		if p := implicitPrefix(n.Space); p != "" {
			s.prefixOf[n.Space] = p
			continue
		}
		p := s.free(n.Prefix)
		s.prefixOf[n.Space] = p
		s.needed[p] = n.Space
	}
	return s
}

// noteText records the prefix of a CURIE-like string that the source did not declare.
func (s *nsScope) noteText(t string) {
	p, _, ok := strings.Cut(t, ":")
	if !ok || p == "" {
		return
	}
	switch p {
	case "http", "https", "urn", "gs1", "cbv":
		return
	}
	if _, declared := s.declared[p]; !declared {
		s.unexpanded[p] = true
	}
}

// free returns hint if it can be declared in this event, else hint1, hint2, ….
func (s *nsScope) free(hint string) string {
	ok := func(p string) bool {
		if _, taken := s.needed[p]; taken || s.unexpanded[p] {
			return false
		}
		switch p {
		case "", "http", "https", "urn", "gs1", "cbv":
			return false
		}
		return !strings.ContainsAny(p, ":/#?@ ")
	}
	if ok(hint) {
		return hint
	}
	if hint == "" || strings.ContainsAny(hint, ":/#?@ ") {
		hint = "ext"
	}
	for i := 1; ; i++ {
		if p := hint + strconv.Itoa(i); ok(p) {
			return p
		}
	}
}

// rename gives every extension member its final key.
func (s *nsScope) rename(v any) {
	switch x := v.(type) {
	case jobj:
		for i := range x {
			if n := x[i].name; n != nil && n.Space != "" {
				x[i].key = s.prefixOf[n.Space] + ":" + n.Local
			}
			s.rename(x[i].val)
		}
	case []any:
		for _, e := range x {
			s.rename(e)
		}
	}
}

// placeNamespaces decides, for a document's scopes, which declarations go into the
// document's @context (returned) and which into each scope's own @context (returned per
// scope, nil if none). Scope 0 may be the document header, whose declarations always go
// to the document.
func placeNamespaces(scopes []*nsScope, headerFirst bool) (doc map[string]string, own []map[string]string) {
	doc = map[string]string{}
	own = make([]map[string]string, len(scopes))
	fits := func(p, iri string) bool {
		for _, s := range scopes {
			if have, ok := s.needed[p]; ok && have != iri {
				return false
			}
			if s.unexpanded[p] && s.needed[p] != iri {
				return false
			}
		}
		return true
	}
	for i, s := range scopes {
		for p, iri := range s.needed {
			if _, done := doc[p]; done && doc[p] == iri {
				continue
			}
			if (i == 0 && headerFirst) || fits(p, iri) {
				if _, clash := doc[p]; !clash {
					doc[p] = iri
					continue
				}
			}
			if own[i] == nil {
				own[i] = map[string]string{}
			}
			own[i][p] = iri
		}
	}
	return doc, own
}

// contextJSON writes an @context array: the standard context (if withStandard) and one
// object per declaration, sorted by prefix, as in the GS1 examples.
func contextJSON(decls map[string]string, withStandard bool) []any {
	var out []any
	if withStandard {
		out = append(out, StandardContext)
	}
	keys := make([]string, 0, len(decls))
	for p := range decls {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		out = append(out, jobj{{key: p, val: decls[p]}})
	}
	return out
}
