package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jobj is a JSON object that keeps its members in order, so output reads like the GS1
// examples (type first, then the standard fields in the standard's order, extensions last)
// and is the same byte for byte on every run.
type jobj []jmember

type jmember struct {
	key string
	// name is set for extension members: their final key (prefix:local) is chosen only when
	// the whole document's prefixes are known.
	name *Name
	val  any // string, json.Number, bool, nil, jobj, []any
}

// MarshalJSON writes the object; values are written by writeJSON.
func (o jobj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case jobj:
		b.WriteByte('{')
		for i, m := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, m.key)
			b.WriteByte(':')
			if err := writeJSON(b, m.val); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		writeString(b, x)
	case json.Number:
		b.WriteString(string(x))
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	default:
		return fmt.Errorf("epcis: cannot write %T as JSON", v)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}
