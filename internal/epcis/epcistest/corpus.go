// Package epcistest locates the EPCIS conformance corpus (GS1 examples, JSON schema, event
// hash vectors) for tests. The corpus lives outside the repository, in ../shared beside the
// repository root, and is read as it is: tests never change it.
package epcistest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the directory shared/conformance/epcis, found by walking up from the test's
// working directory. If it is missing, the test fails when the environment variable CI is
// set (the CI clone must have it, so a missing corpus is a broken set-up, not a reason to
// pass) and is skipped, loudly, otherwise.
func Dir(t testing.TB) string {
	t.Helper()
	if d, ok := find(); ok {
		return d
	}
	const msg = "EPCIS conformance corpus not found: expected shared/conformance/epcis in a parent directory (or ../shared beside the repository)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED — " + msg)
	return ""
}

func find() (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{
			filepath.Join(d, "shared", "conformance", "epcis"),
			filepath.Join(d, "..", "shared", "conformance", "epcis"),
		} {
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return filepath.Clean(c), true
			}
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// Path joins elements onto the corpus directory.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}
