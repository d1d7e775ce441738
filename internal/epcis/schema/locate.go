package schema

import "strconv"

// flattener carries the validated value, to repair locations (see locate).
type flattener struct{ doc any }

// locate finds the object whose member name failed propertyNames. jsonschema v6.0.3 stores
// that error's InstanceLocation without copying it, and later validations of sibling values
// overwrite the shared slice, so only its length can be trusted. The location of the
// nearest enclosing error is a proper copy and a prefix of the true one; the rest is found
// by looking for the member in the document below that prefix, preferring the candidate
// that agrees most with the damaged tokens.
func (f flattener) locate(trusted, damaged []string, member string) []string {
	if len(trusted) > len(damaged) {
		trusted = nil
	}
	base, ok := lookup(f.doc, trusted)
	if !ok {
		return append([]string(nil), damaged...)
	}
	var best []string
	bestScore := -1
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		if len(path) == len(damaged) {
			if m, ok := v.(map[string]any); ok {
				if _, has := m[member]; has {
					score := 0
					for i := range path {
						if path[i] == damaged[i] {
							score++
						}
					}
					if score > bestScore {
						best, bestScore = append([]string(nil), path...), score
					}
				}
			}
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(c, append(path, k))
			}
		case []any:
			for i, c := range x {
				walk(c, append(path, strconv.Itoa(i)))
			}
		}
	}
	walk(base, append([]string(nil), trusted...))
	if best == nil {
		return append([]string(nil), damaged...)
	}
	return best
}

// lookup follows a path of tokens into a decoded JSON value.
func lookup(v any, path []string) (any, bool) {
	for _, t := range path {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[t]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
