package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// A stall limit that is not a positive number of days is refused before anything starts.
func TestServeRefusesABadProjectStallLimit(t *testing.T) {
	target := "sqlite:" + filepath.Join(t.TempDir(), "z.db")
	for _, v := range []string{"0", "-3"} {
		code, _, errOut := run(t, "", nil, "serve", "--db", target, "--addr", "127.0.0.1:0", "--project-stall-days", v)
		if code == 0 || !strings.Contains(errOut, "--project-stall-days="+v) || !strings.Contains(errOut, "正整数") {
			t.Errorf("--project-stall-days %s: code %d, stderr %q", v, code, errOut)
		}
	}
}
