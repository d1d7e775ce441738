// Package xmltree reads an XML document into a small element tree with resolved namespaces,
// with limits on depth and size, for the EPCIS XML binding. Both the event model and the
// event hash read this tree, so a document is parsed once.
//
// Why not encoding/xml's Unmarshal into structs: EPCIS events carry user extensions at any
// depth, whose names are only known at run time, and the event hash needs every element and
// attribute in document order. A generic tree keeps all of it.
package xmltree

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Element is one XML element.
type Element struct {
	// Space is the namespace IRI (empty if the element is unqualified); Local the local name.
	Space, Local string
	// Decls are the namespace declarations on this element (Local = prefix, empty for the
	// default namespace; Value = IRI). Names are already resolved; prefixes are kept only so
	// that output can reuse the document's prefixes.
	Decls []Attr
	// Attrs are the attributes other than namespace declarations, in document order.
	Attrs []Attr
	// Text is the character data before the first child element, untrimmed; character data
	// after a child element (mixed content) is not kept, because EPCIS does not use it.
	Text string
	// Kids are the child elements in document order.
	Kids []*Element
	// Line is the line of the start tag, for error messages.
	Line int
}

// Attr is one attribute.
type Attr struct {
	Space, Local, Value string
}

// Name returns the element's name in Clark notation: {namespace}local, or local alone.
func (e *Element) Name() string { return Clark(e.Space, e.Local) }

// Clark writes a qualified name as {namespace}local (James Clark's notation), the form the
// CBV event hash uses, or local alone for an unqualified name.
func Clark(space, local string) string {
	if space == "" {
		return local
	}
	return "{" + space + "}" + local
}

// Child returns the first child with no namespace and the given local name, or nil (also
// when e is nil, so lookups can be chained).
func (e *Element) Child(local string) *Element {
	if e == nil {
		return nil
	}
	for _, k := range e.Kids {
		if k.Space == "" && k.Local == local {
			return k
		}
	}
	return nil
}

// Attr returns the value of the unqualified attribute local, and whether it is present.
func (e *Element) Attr(local string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, a := range e.Attrs {
		if a.Space == "" && a.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// Find returns the first element, in document order, with no namespace and the given local
// name, or nil. It walks iteratively, so a deep tree cannot exhaust the stack.
func (e *Element) Find(local string) *Element {
	stack := []*Element{e}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Space == "" && n.Local == local {
			return n
		}
		for i := len(n.Kids) - 1; i >= 0; i-- {
			stack = append(stack, n.Kids[i])
		}
	}
	return nil
}

// Limits bound what Parse accepts.
type Limits struct {
	MaxDepth int   // element nesting; 0 means DefaultMaxDepth
	MaxBytes int64 // bytes read; 0 means no limit (the caller already capped the body)
}

// DefaultMaxDepth is far above the deepest EPCIS document in the GS1 examples (about 12)
// and far below anything that could hurt.
const DefaultMaxDepth = 64

// ErrDepth and ErrTooLarge are returned (wrapped) when a limit is hit.
var (
	ErrDepth    = errors.New("xml: nested too deeply")
	ErrTooLarge = errors.New("xml: document too large")
)

// Parse reads one XML document and returns its root element.
//
// Unqualified elements named "extension" or "baseExtension" are removed and their children
// put in their place: they are EPCIS 1.x wrappers that carry no meaning of their own, and
// both the event hash and the model read through them. Comments, processing instructions
// and the DOCTYPE are ignored; encoding/xml expands no custom entities, so entity bombs
// cannot occur.
func Parse(r io.Reader, lim Limits) (*Element, error) {
	maxDepth := lim.MaxDepth
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	var cr *countingReader
	if lim.MaxBytes > 0 {
		cr = &countingReader{r: r, left: lim.MaxBytes + 1}
		r = cr
	}
	d := xml.NewDecoder(r)
	d.Strict = true
	// Non-UTF-8 encodings are refused rather than guessed: EPCIS documents are UTF-8.
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") {
			return in, nil
		}
		return nil, fmt.Errorf("xml: unsupported encoding %q", label)
	}
	var (
		root  *Element
		stack []*Element
		// wrap counts open unwrapped extension elements per stack level, so their end tags
		// are matched without pushing a node.
		wrap []bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if cr != nil && cr.left <= 0 {
				return nil, fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, lim.MaxBytes)
			}
			line, _ := d.InputPos()
			return nil, fmt.Errorf("xml: line %d: %w", line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(wrap) >= maxDepth {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("%w: more than %d levels at line %d", ErrDepth, maxDepth, line)
			}
			if len(stack) > 0 && t.Name.Space == "" && (t.Name.Local == "extension" || t.Name.Local == "baseExtension") {
				wrap = append(wrap, true)
				continue
			}
			line, _ := d.InputPos()
			el := &Element{Space: t.Name.Space, Local: t.Name.Local, Line: line}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					el.Decls = append(el.Decls, Attr{Local: a.Name.Local, Value: a.Value})
					continue
				}
				if a.Name.Space == "" && a.Name.Local == "xmlns" {
					el.Decls = append(el.Decls, Attr{Value: a.Value})
					continue
				}
				el.Attrs = append(el.Attrs, Attr{Space: a.Name.Space, Local: a.Name.Local, Value: a.Value})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("xml: more than one root element")
				}
				root = el
			} else {
				parent := stack[len(stack)-1]
				parent.Kids = append(parent.Kids, el)
			}
			stack = append(stack, el)
			wrap = append(wrap, false)
		case xml.EndElement:
			w := wrap[len(wrap)-1]
			wrap = wrap[:len(wrap)-1]
			if !w {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			el := stack[len(stack)-1]
			// Text before the first child only: later character data is mixed content.
			if len(el.Kids) == 0 {
				el.Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("xml: no root element")
	}
	return root, nil
}

// countingReader fails once more than the allowed bytes have been read.
type countingReader struct {
	r    io.Reader
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
