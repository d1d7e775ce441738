package epcis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
)

// Limits bound what the readers accept. The capture endpoint caps the request body as well;
// these limits make the readers safe on their own.
type Limits struct {
	// MaxBytes is the largest document read; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxDepth is the deepest nesting of JSON objects and arrays, or of XML elements; 0 means
	// DefaultMaxDepth.
	MaxDepth int
	// Workers is how many goroutines check the events of one large JSON document; 0 means
	// GOMAXPROCS, 1 means none.
	Workers int
}

// Defaults. The deepest GS1 example nests 13 levels (extensions inside a sensor element of
// an event in a document), so 64 leaves room for real extensions while a hostile document
// nested thousands deep is refused before any recursive code sees it.
const (
	DefaultMaxBytes = 64 << 20
	DefaultMaxDepth = 64
)

func (l Limits) bytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

func (l Limits) workers() int {
	if l.Workers > 0 {
		return l.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (l Limits) depth() int {
	if l.MaxDepth > 0 {
		return l.MaxDepth
	}
	return DefaultMaxDepth
}

// readAll reads at most max bytes, failing (not truncating) if there is more.
func readAll(r io.Reader, max int64) ([]byte, *Problem) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, &Problem{Event: -1, Source: SourceSyntax, Code: CodeJSONSyntax, Message: "cannot read the document: " + err.Error()}
	}
	if int64(len(b)) > max {
		return nil, tooLarge(max)
	}
	return b, nil
}

func tooLarge(max int64) *Problem {
	return &Problem{Event: -1, Source: SourceSyntax, Code: CodeTooLarge,
		Message: fmt.Sprintf("the document is larger than %d bytes", max)}
}

// decodeJSON parses one JSON value with numbers kept as literals (json.Number), after
// checking its nesting depth. The depth check is a single pass over the bytes and runs
// first, so a document nested 10,000 deep costs microseconds and never reaches a recursive
// decoder, validator or tree walker.
func decodeJSON(b []byte, maxDepth int) (any, *Problem) {
	if off, ok := checkDepth(b, maxDepth); !ok {
		return nil, &Problem{Event: -1, Source: SourceSyntax, Code: CodeTooDeep,
			Message: fmt.Sprintf("JSON nested more than %d levels deep (at byte %d)", maxDepth, off)}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, jsonSyntax(err, b)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &Problem{Event: -1, Source: SourceSyntax, Code: CodeJSONSyntax,
			Message: fmt.Sprintf("unexpected data after the JSON value (at byte %d)", d.InputOffset())}
	}
	return v, nil
}

func jsonSyntax(err error, b []byte) *Problem {
	p := &Problem{Event: -1, Source: SourceSyntax, Code: CodeJSONSyntax}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(b, se.Offset)
		p.Message = fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, se.Error())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		p.Message = "malformed JSON: the document ends too early"
	default:
		p.Message = "malformed JSON: " + err.Error()
	}
	return p
}

func lineCol(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line = 1 + bytes.Count(b[:off], []byte{'\n'})
	col = int(off) - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}

// checkDepth scans JSON text for the nesting depth of objects and arrays, skipping strings.
// It does not validate the JSON (the decoder does); it only guarantees that nothing deeper
// than max gets decoded.
func checkDepth(b []byte, max int) (offset int, ok bool) {
	depth := 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++ // skip the escaped character
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return i, false
			}
		case '}', ']':
			depth--
		}
	}
	return 0, true
}
