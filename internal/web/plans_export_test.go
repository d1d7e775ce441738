package web

import (
	"regexp"
	"slices"
	"testing"
)

var mapNameRE = regexp.MustCompile(`properties:\{name:"([^"]+)"`)

// GanzhouMapNames reads the county names of the embedded map (vendor/ganzhou.js) and fails
// the test unless they are exactly ganzhouMapNames, which the nameMap is built from.
func GanzhouMapNames(t testing.TB) []string {
	t.Helper()
	b, err := embedded.ReadFile("static/vendor/ganzhou.js")
	if err != nil {
		t.Fatalf("the Ganzhou map is not embedded (run make assets): %v", err)
	}
	var names []string
	for _, m := range mapNameRE.FindAllSubmatch(b, -1) {
		names = append(names, string(m[1]))
	}
	got, want := slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(ganzhouMapNames))
	if !slices.Equal(got, want) {
		t.Fatalf("the map's county names changed:\n got  %v\n want %v", got, want)
	}
	if !regexp.MustCompile(`registerMap\("` + ganzhouMapName + `"`).Match(b) {
		t.Fatalf("the map file does not register %q", ganzhouMapName)
	}
	return names
}
