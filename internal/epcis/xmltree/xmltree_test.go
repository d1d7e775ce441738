package xmltree

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE project>
<r:root xmlns:r="urn:r" xmlns:x="https://x.example/ns/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <!-- a comment -->
  <a>text &amp; more<![CDATA[ <raw> ]]><b x:attr="1" plain="2">in b</b>mixed tail ignored</a>
  <extension><x:c xsi:type="xsd:string">inside wrapper</x:c><baseExtension><d/></baseExtension></extension>
</r:root>`
	root, err := Parse(strings.NewReader(doc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if root.Name() != "{urn:r}root" || len(root.Decls) != 3 {
		t.Fatalf("root %s with %d declarations", root.Name(), len(root.Decls))
	}
	// The EPCIS 1.x wrappers extension/baseExtension are gone, their children promoted.
	var names []string
	for _, k := range root.Kids {
		names = append(names, k.Name())
	}
	if got := strings.Join(names, " "); got != "a {https://x.example/ns/}c d" {
		t.Errorf("children %q", got)
	}
	a := root.Child("a")
	if a.Text != "text & more <raw> " {
		t.Errorf("text before the first child: %q", a.Text)
	}
	b := a.Child("b")
	if v, _ := b.Attr("plain"); v != "2" || len(b.Attrs) != 2 || b.Attrs[0].Space != "https://x.example/ns/" {
		t.Errorf("attributes %+v", b.Attrs)
	}
	if root.Find("b") != b || root.Find("nothing") != nil {
		t.Error("Find")
	}
	var nilEl *Element
	if nilEl.Child("x") != nil {
		t.Error("Child on nil")
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100)
	if _, err := Parse(strings.NewReader(deep), Limits{MaxDepth: 50}); !errors.Is(err, ErrDepth) {
		t.Errorf("depth: %v", err)
	}
	if _, err := Parse(strings.NewReader(deep), Limits{MaxDepth: 100}); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	if _, err := Parse(strings.NewReader("<a>"+strings.Repeat("x", 100)+"</a>"), Limits{MaxBytes: 50}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size: %v", err)
	}
	for _, bad := range []string{``, `<a>`, `<a></b>`, `<a/><b/>`, `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, `<a>&custom;</a>`} {
		if _, err := Parse(strings.NewReader(bad), Limits{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
