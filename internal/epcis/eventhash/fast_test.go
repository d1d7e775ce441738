package eventhash

import (
	"math/rand"
	"regexp"
	"testing"
)

// The hand-written matchers must agree with the regular expressions of the specification,
// which they replace for speed. Checked on random strings over the relevant alphabets.

var specNumber = regexp.MustCompile(`^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$`)

func TestIsNumberMatchesSpec(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const alphabet = "0123456789_.eE+-x "
	for i := 0; i < 200000; i++ {
		b := make([]byte, rng.Intn(8))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		s := string(b)
		if isNumber(s) != specNumber.MatchString(s) {
			t.Fatalf("isNumber(%q) = %v, spec says %v", s, isNumber(s), !isNumber(s))
		}
	}
}

func TestDLGateFastIsNecessary(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	parts := []string{"/", "01/", "gtin/", "8004/", "414/", "00/", "1234", "5", "?", "#", "a", ".", "x/"}
	matched := 0
	for i := 0; i < 200000; i++ {
		s := []string{"http:", "https:", "ftp:"}[rng.Intn(3)]
		for j := rng.Intn(7); j >= 0; j-- {
			s += parts[rng.Intn(len(parts))]
		}
		if dlGate.MatchString(s) {
			matched++
			if !dlGateFast(s) {
				t.Fatalf("fast gate refuses %q, which the specification's gate accepts", s)
			}
		}
	}
	if matched < 100 {
		t.Fatalf("only %d random strings pass the gate: the test does not test", matched)
	}
}
