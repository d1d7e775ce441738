// Package gs1 holds the GS1 key arithmetic that the EPCIS repository (internal/trace) and
// the flow checks (internal/flow) both need when they turn URNs into keys.
package gs1

// Digits reports whether s is a non-empty run of ASCII digits.
func Digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// CheckDigit is the GS1 mod-10 check digit of a key given without it (GS1 General
// Specifications §7.9.1): weights 3 and 1 alternate from the right.
func CheckDigit(body string) string {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return string(rune('0' + (10-sum%10)%10))
}
