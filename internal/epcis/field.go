package epcis

// Name is the name of a user extension field.
//
// Space is the namespace IRI when the name is namespaced: an XML element in a namespace, or a
// JSON key prefix:local whose prefix the document declared. Otherwise Space is empty and
// Local holds the name as written (a plain XML element name, an undeclared prefix:local
// JSON key, or a full IRI used as a JSON key). This is the same reading the CBV event hash
// gives names, so a name means the same thing to the model and to the hash.
type Name struct {
	Space  string
	Local  string
	Prefix string // the prefix the source used; a hint for output, not part of the name
}

// Clark returns the name as {namespace}local, or Local alone if not namespaced.
func (n Name) Clark() string {
	if n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// Field is one user extension field: a name and a value. An XML element that occurs several
// times gives several fields with the same name; JSON gives one field with an array value.
type Field struct {
	Name  Name
	Value Value
	// Attr marks a field read from an XML attribute. It is written to JSON as a member like
	// any other; the flag only lets XML output (if ever needed) restore the attribute.
	Attr bool
}

// Kind is the kind of a Value.
type Kind uint8

// The kinds of value. Number keeps its literal text; XML gives only String and Object.
const (
	String Kind = iota
	Number
	Bool
	Null
	Object
	Array
)

// Value is the value of an extension field: a scalar, an object of fields, or an array.
type Value struct {
	Kind Kind
	// Text is the scalar's text: the string, the number literal, "true"/"false". For an
	// Object it is the character data of an XML element that also has attributes or
	// children (written to JSON as "#text", the convention the event hash reads), usually
	// empty.
	Text   string
	Fields []Field // Object
	Items  []Value // Array
}

// Field returns the first field of an Object value with the given Clark name.
func (v Value) Field(clark string) (Field, bool) {
	for _, f := range v.Fields {
		if f.Name.Clark() == clark {
			return f, true
		}
	}
	return Field{}, false
}
