package gs1

import "testing"

func TestCheckDigit(t *testing.T) {
	// GTIN-13 4006381333931 and GLN 0614141000005, SSCC 106141411234567897 (GS1 examples).
	for _, key := range []string{"4006381333931", "0614141000005", "106141411234567897", "10614141000019"} {
		if got := CheckDigit(key[:len(key)-1]); got != key[len(key)-1:] {
			t.Errorf("CheckDigit(%s) = %s, want %s", key[:len(key)-1], got, key[len(key)-1:])
		}
	}
}

func TestDigits(t *testing.T) {
	for s, want := range map[string]bool{"0123": true, "": false, "12a": false, "١٢": false, " 1": false} {
		if Digits(s) != want {
			t.Errorf("Digits(%q) = %v, want %v", s, !want, want)
		}
	}
}
