package eventhash

import (
	"strings"

	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/epcis/xmltree"
)

// XMLEvents returns the events of an XML EPCIS document: the children of the first element
// named EventList, in document order (§3.2 step 1). This covers EPCISDocument and
// EPCISQueryDocument alike.
func XMLEvents(root *xmltree.Element) []*xmltree.Element {
	if l := root.Find("EventList"); l != nil {
		return l.Kids
	}
	return nil
}

// FromXML turns one XML event element into the neutral tree (§3.2). The unqualified
// extension wrappers are already gone (xmltree.Parse removes them).
func FromXML(el *xmltree.Element) *Node {
	n := &Node{Name: el.Name(), Value: xmlCURIE(trim(el.Text))}
	if hasEntries(el) {
		// A bizTransactionList, sourceList or destinationList: its children become typed
		// entries, and everything else in it is dropped, as in the reference (§10 D15).
		for _, k := range el.Kids {
			if k.Space != "" || !isEntryName(k.Local) {
				continue
			}
			t, _ := k.Attr("type")
			n.Kids = append(n.Kids, &Node{Entry: &Entry{Kind: k.Local, ID: k.Text, Type: xmlCURIE(t)}})
		}
		return n
	}
	for _, a := range el.Attrs {
		n.Kids = append(n.Kids, &Node{Name: xmltree.Clark(a.Space, a.Local), Value: xmlCURIE(a.Value)})
	}
	for _, k := range el.Kids {
		n.Kids = append(n.Kids, FromXML(k))
	}
	return n
}

func isEntryName(s string) bool {
	return s == "bizTransaction" || s == "source" || s == "destination"
}

func hasEntries(el *xmltree.Element) bool {
	for _, k := range el.Kids {
		if k.Space == "" && isEntryName(k.Local) {
			return true
		}
	}
	return false
}

// xmlCURIE expands the gs1: and cbv: CURIEs, and only those, whatever the document declares
// (§3.2 step 5): that is what the reference does, and the vectors depend on other prefixes
// staying as written.
func xmlCURIE(s string) string {
	if strings.HasPrefix(s, "gs1:") {
		s = strings.ReplaceAll(s, "gs1:", cbv.GS1Namespace)
	}
	if strings.HasPrefix(s, "cbv:") {
		s = strings.ReplaceAll(s, "cbv:", cbv.CBVNamespace)
	}
	return s
}
