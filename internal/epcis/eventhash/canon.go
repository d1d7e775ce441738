package eventhash

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"

	"zhanxin/internal/epcis/cbv"
)

// trim removes leading and trailing white space as Python's str.strip() does (§5.1): Go's
// unicode.IsSpace plus the information separators U+001C–U+001F.
func trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
	})
}

// canonTime writes a Part A timestamp as UTC with exactly three fraction digits (§5.2), with
// the CBV rounding rule: a fourth fraction digit of 5–9 adds a millisecond, with carry. A
// value without a zone is taken as UTC (§10 D6). A value that does not parse is returned
// unchanged. Accepted, leniently as the reference does: 'T', 't' or a space between date
// and time, any number of fraction digits, a zone Z, ±HH:MM, ±HHMM or ±HH. (Parsed by hand:
// this runs for every timestamp of every captured event.)
func canonTime(s string) string {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return s
	}
	num := func(x string) (int, bool) {
		n := 0
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return 0, false
			}
			n = n*10 + int(x[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	mo, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	h, ok4 := num(s[11:13])
	mi, ok5 := num(s[14:16])
	sec, ok6 := num(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return s
	}
	rest := s[19:]
	frac := ""
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return s
		}
		frac, rest = rest[1:i], rest[i:]
	}
	loc := time.UTC
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case rest[0] == '+' || rest[0] == '-':
		z := strings.Replace(rest[1:], ":", "", 1)
		if len(z) != 2 && len(z) != 4 {
			return s
		}
		zh, ok := num(z[:2])
		zm := 0
		if len(z) == 4 {
			zm, ok = num(z[2:])
		}
		if !ok {
			return s
		}
		off := zh*3600 + zm*60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	default:
		return s
	}
	// time.Date would normalise out-of-range values (month 13, 25:00); a real date parser
	// refuses them, so the value is kept unchanged as the reference does for unparsable input.
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return s
	}
	frac += "0000"
	ms, _ := num(frac[:3])
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), loc)
	if t.Day() != d {
		return s // 31 February and the like
	}
	if frac[3] >= '5' {
		t = t.Add(time.Millisecond)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// canonValue normalises every value other than a Part A timestamp (§5.3): CBV URNs become
// web URIs, anything numeric becomes Python's float repr, and GS1 identifiers become
// canonical GS1 Digital Link URIs.
func canonValue(s string) string {
	s = cbv.URNToWeb(s)
	s = canonNumber(s)
	if !strings.Contains(s, ".") {
		return s
	}
	switch {
	case strings.HasPrefix(s, "urn:epc:"):
		if dl, ok := epcURNToDL(s); ok {
			return dl
		}
	case strings.HasPrefix(s, "http:") || strings.HasPrefix(s, "https:"):
		if dl, ok := canonDigitalLink(s); ok {
			return dl
		}
	}
	return s
}

// canonNumber rewrites a numeric string as the reference does (§5.3 b, §10 D7): through a
// float64, so "26.0" → "26", "0123" → "123", "0.00001" → "1e-05". That this applies to
// every value (serial numbers too) and loses precision beyond 2^53 is the reference's
// behaviour, and the vectors depend on it. Infinite results stay unchanged (§10 D8).
func canonNumber(s string) string {
	if s == "" || !isNumber(s) {
		return s
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !isRangeErr(err) {
		return s
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	if f == math.Trunc(f) {
		if f == 0 {
			return "0" // also -0
		}
		i, _ := new(big.Float).SetFloat64(f).Int(nil)
		return i.String()
	}
	// Python's repr switches to exponent form below 1e-4; Go's 'g' would also do so from
	// 1e21 (and at 1e6 in shortest mode), so the two formats are chosen by hand.
	if math.Abs(f) >= 1e-4 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'e', -1, 64)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isNumber reports whether s has Python's float() syntax for a finite decimal number
// (§5.3 b): ^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$, matched by
// hand because it runs on every value of every event.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if j := digitRun(s, i); j >= 0 {
		i = j
		if i < len(s) && s[i] == '.' {
			i++
			if j := digitRun(s, i); j >= 0 {
				i = j
			}
		}
	} else if i < len(s) && s[i] == '.' {
		if i = digitRun(s, i+1); i < 0 {
			return false
		}
	} else {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i = digitRun(s, i); i < 0 {
			return false
		}
	}
	return i == len(s)
}

// digitRun matches \d(_?\d)* at i and returns where it ends, or -1.
func digitRun(s string, i int) int {
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return -1
	}
	i++
	for i < len(s) {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			i++
		case s[i] == '_' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			i += 2
		default:
			return i
		}
	}
	return i
}
