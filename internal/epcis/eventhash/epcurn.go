package eventhash

import (
	"strings"
)

// epcURNToDL converts an EPC URN to its canonical GS1 Digital Link URI (§6). The table is the
// reference implementation's, which differs from the EPC Tag Data Standard in a few corners
// for 12-digit company prefixes (§6, last paragraph); ok is false for anything it does not
// cover, and the value is then hashed as written.
func epcURNToDL(s string) (string, bool) {
	const dl = "https://id.gs1.org"
	scheme, rest, ok := splitURN(s)
	if !ok {
		return "", false
	}
	switch scheme {
	case "id:sgtin":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRef(f[0], f[1], 13) || !serial(f[2], 1, 20) {
			return "", false
		}
		return dl + "/01/" + gtin14(f[0], f[1]) + "/21/" + pct(f[2]), true
	case "id:sscc":
		f := strings.SplitN(rest, ".", 2)
		if len(f) != 2 || !cpRef(f[0], f[1], 17) {
			return "", false
		}
		d := f[1][:1] + f[0] + f[1][1:]
		return dl + "/00/" + d + chk(d), true
	case "id:sgln":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRefEmpty(f[0], f[1], 12) || !serial(f[2], 1, 20) {
			return "", false
		}
		u := dl + "/414/" + f[0] + f[1] + chk(f[0]+f[1])
		if f[2] != "0" {
			u += "/254/" + pct(f[2])
		}
		return u, true
	case "id:grai":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRefEmpty(f[0], f[1], 12) || !serial(f[2], 1, 16) {
			return "", false
		}
		d := "0" + f[0] + f[1]
		return dl + "/8003/" + d + chk(d) + pct(f[2]), true
	case "id:giai":
		f := strings.SplitN(rest, ".", 2)
		if len(f) != 2 || !isCP(f[0]) || !serial(f[1], 1, 30-len(f[0])) {
			return "", false
		}
		return dl + "/8004/" + f[0] + pct(f[1]), true
	case "id:gsrn", "id:gsrnp":
		f := strings.SplitN(rest, ".", 2)
		if len(f) != 2 || !cpRef(f[0], f[1], 17) {
			return "", false
		}
		ai := "/8018/"
		if scheme == "id:gsrnp" {
			ai = "/8017/"
		}
		return dl + ai + f[0] + f[1] + chk(f[0]+f[1]), true
	case "id:gdti":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRefEmpty(f[0], f[1], 12) || !serial(f[2], 0, 19) {
			return "", false
		}
		return dl + "/253/" + f[0] + f[1] + chk(f[0]+f[1]) + pct(f[2]), true
	case "id:cpi":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !isCP(f[0]) || !cpiRef(f[1], 30-len(f[0])) || !digits(f[2], 1, 12) {
			return "", false
		}
		return dl + "/8010/" + pct(f[0]+f[1]) + "/8011/" + f[2], true
	case "id:sgcn":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRefEmpty(f[0], f[1], 12) || !digits(f[2], 1, 12) {
			return "", false
		}
		return dl + "/255/" + f[0] + f[1] + chk(f[0]+f[1]) + f[2], true
	case "id:ginc":
		f := strings.SplitN(rest, ".", 2)
		if len(f) != 2 || !isCP(f[0]) || !serial(f[1], 1, 30-len(f[0])) {
			return "", false
		}
		return dl + "/401/" + f[0] + pct(f[1]), true
	case "id:gsin":
		f := strings.SplitN(rest, ".", 2)
		if len(f) != 2 || !cpRef(f[0], f[1], 16) {
			return "", false
		}
		return dl + "/402/" + f[0] + f[1] + chk(f[0]+f[1]), true
	case "id:itip":
		f := strings.SplitN(rest, ".", 5)
		if len(f) != 5 || !cpRef(f[0], f[1], 13) || !digits(f[2], 2, 2) || !digits(f[3], 2, 2) || !serial(f[4], 1, 20) {
			return "", false
		}
		return dl + "/8006/" + gtin14(f[0], f[1]) + f[2] + f[3] + "/21/" + pct(f[4]), true
	case "id:upui":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRef(f[0], f[1], 13) || !serial(f[2], 1, 28) {
			return "", false
		}
		return dl + "/01/" + gtin14(f[0], f[1]) + "/235/" + pct(f[2]), true
	case "id:pgln":
		f := strings.SplitN(rest, ".", 2)
		if len(f) != 2 || !cpRefEmpty(f[0], f[1], 12) {
			return "", false
		}
		return dl + "/417/" + f[0] + f[1] + chk(f[0]+f[1]), true
	case "class:lgtin":
		f := strings.SplitN(rest, ".", 3)
		if len(f) != 3 || !cpRef(f[0], f[1], 13) || !serial(f[2], 1, 20) {
			return "", false
		}
		return dl + "/01/" + gtin14(f[0], f[1]) + "/10/" + pct(f[2]), true
	case "idpat:sgtin", "idpat:upui":
		f := strings.Split(rest, ".")
		if len(f) != 3 || f[2] != "*" || !cpRef(f[0], f[1], 13) {
			return "", false
		}
		return dl + "/01/" + gtin14(f[0], f[1]), true
	case "idpat:grai":
		f := strings.Split(rest, ".")
		if len(f) != 3 || f[2] != "*" || !cpRefEmpty(f[0], f[1], 12) {
			return "", false
		}
		d := "0" + f[0] + f[1]
		return dl + "/8003/" + d + chk(d), true
	case "idpat:gdti", "idpat:sgcn":
		f := strings.Split(rest, ".")
		if len(f) != 3 || f[2] != "*" || !cpRefEmpty(f[0], f[1], 12) {
			return "", false
		}
		ai := "/253/"
		if scheme == "idpat:sgcn" {
			ai = "/255/"
		}
		return dl + ai + f[0] + f[1] + chk(f[0]+f[1]), true
	case "idpat:cpi":
		f := strings.Split(rest, ".")
		if len(f) != 3 || f[2] != "*" || !isCP(f[0]) || !cpiRef(f[1], 30-len(f[0])) {
			return "", false
		}
		return dl + "/8010/" + pct(f[0]+f[1]), true
	case "idpat:itip":
		f := strings.Split(rest, ".")
		if len(f) != 5 || f[4] != "*" || !cpRef(f[0], f[1], 13) || !digits(f[2], 2, 2) || !digits(f[3], 2, 2) {
			return "", false
		}
		return dl + "/8006/" + gtin14(f[0], f[1]) + f[2] + f[3], true
	}
	return "", false
}

// splitURN splits "urn:epc:id:sgtin:rest" into "id:sgtin" and "rest".
func splitURN(s string) (scheme, rest string, ok bool) {
	s, ok = strings.CutPrefix(s, "urn:epc:")
	if !ok {
		return "", "", false
	}
	kind, s, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", false
	}
	name, rest, ok := strings.Cut(s, ":")
	return kind + ":" + name, rest, ok
}

// isCP: a GS1 company prefix is 6 to 12 digits.
func isCP(s string) bool { return digits(s, 6, 12) }

// cpRef: company prefix plus a non-empty digit reference of total length n.
func cpRef(cp, ref string, n int) bool {
	return isCP(cp) && len(ref) >= 1 && digits(ref, 0, n) && len(cp)+len(ref) == n
}

// cpRefEmpty: like cpRef, but the reference may be empty (a 12-digit prefix fills it all).
func cpRefEmpty(cp, ref string, n int) bool {
	return isCP(cp) && digits(ref, 0, n) && len(cp)+len(ref) == n
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// gtin14 builds a GTIN-14 from a company prefix and an item reference whose first digit is
// the indicator digit.
func gtin14(cp, ir string) string {
	d := ir[:1] + cp + ir[1:]
	return d + chk(d)
}

// chk is the GS1 mod-10 check digit: weights 3,1,3,… from the rightmost digit.
func chk(d string) string {
	sum := 0
	for i := 0; i < len(d); i++ {
		w := 1
		if (len(d)-1-i)%2 == 0 {
			w = 3
		}
		sum += int(d[i]-'0') * w
	}
	return string(rune('0' + (10-sum%10)%10))
}

// serial reports whether s is min..max characters of the EPC serial alphabet (§6 "S"),
// counting a %xx escape as one character.
func serial(s string, min, max int) bool {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !pctOK(s[i+1], s[i+2]) {
				return false
			}
			i += 3
		} else {
			if !serialChar(c) {
				return false
			}
			i++
		}
		n++
	}
	return n >= min && n <= max
}

func serialChar(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	}
	return strings.IndexByte("!')(*+,.:;=_-", c) >= 0
}

// pctOK lists the escapes the EPC serial alphabet allows (§6).
func pctOK(h, l byte) bool {
	hexDigit := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f'
	}
	switch h {
	case '2':
		return l == '1' || l == '2' || l >= '5' && l <= '9' || hexDigit(l) && l > '9'
	case '3':
		return hexDigit(l)
	case '4':
		return hexDigit(l) && l != '0'
	case '5':
		return l >= '0' && l <= '9' || l == 'A' || l == 'a' || l == 'F' || l == 'f'
	case '6':
		return hexDigit(l) && l != '0'
	case '7':
		return l >= '0' && l <= '9' || l == 'A' || l == 'a'
	}
	return false
}

// cpiRef: 1..max characters of [0-9A-Z-] or the escapes %23 %2D %2F %30-%39 %41-%4F %50-%5A.
func cpiRef(s string, max int) bool {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) {
				return false
			}
			h, l := s[i+1], s[i+2]
			ok := false
			switch h {
			case '2':
				ok = strings.IndexByte("3dfDF", l) >= 0
			case '3':
				ok = l >= '0' && l <= '9'
			case '4':
				ok = l >= '1' && l <= '9' || l >= 'A' && l <= 'F' || l >= 'a' && l <= 'f'
			case '5':
				ok = l >= '0' && l <= '9' || l == 'A' || l == 'a'
			}
			if !ok {
				return false
			}
			i += 3
		} else {
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '-') {
				return false
			}
			i++
		}
		n++
	}
	return n >= 1 && n <= max
}

// pct percent-encodes the characters that a GS1 Digital Link path must not carry raw (§6);
// existing %xx escapes stay as written.
var pctReplacer = strings.NewReplacer("!", "%21", "(", "%28", ")", "%29", "*", "%2A", "+", "%2B", ",", "%2C", ":", "%3A")

func pct(s string) string { return pctReplacer.Replace(s) }
