package eventhash

import (
	"regexp"
	"strings"
)

// The regular expressions of §7, RE2-compatible as written there. d is the character class D.
const d = `["'\-.0-9;<=>?A-Z_a-z]`

var (
	dlGate     = regexp.MustCompile(`^https?:[^?#]*/(01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai)/\d{4}[^/]`)
	dlOnGS1    = regexp.MustCompile(`^https://id\.gs1\.org/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)/\d{4}[^/]`)
	dlGTIN14   = regexp.MustCompile(`^https://id\.gs1\.org/01/\d{14}`)
	dlGTIN13   = regexp.MustCompile(`^https://id\.gs1\.org/01/\d{13}`)
	dlGTIN12   = regexp.MustCompile(`^https://id\.gs1\.org/01/\d{12}`)
	dlGTIN8    = regexp.MustCompile(`^https://id\.gs1\.org/01/\d{8}`)
	dlCPVLast  = regexp.MustCompile(`^https://id\.gs1\.org/(01/\d{14}|8006/\d{18})/22/` + d + `{0,20}$`)
	dlCPVMid   = regexp.MustCompile(`^https://id\.gs1\.org/(01/\d{14}|8006/\d{18})/22/(` + d + `|/){0,20}$`)
	dlLotAndSN = regexp.MustCompile(`^https://id\.gs1\.org/(01/\d{14}|8006/\d{18})/10/` + d + `{0,20}/21/` + d + `{0,20}$`)
	dlValid    = regexp.MustCompile(`^https://id\.gs1\.org/(` + strings.Join([]string{
		`00/\d{18}`, `01/\d{14}`, `01/\d{14}/21/` + d + `{0,20}`, `01/\d{14}/10/` + d + `{0,20}`,
		`01/\d{14}/235/` + d + `{0,28}`, `253/\d{13}` + d + `{0,17}`, `255/\d{13}\d{0,12}`,
		`401/` + d + `{0,30}`, `402/\d{17}`, `414/\d{13}`, `414/\d{13}/254/` + d + `{0,20}`,
		`417/\d{13}`, `8003/\d{14}` + d + `{0,16}`, `8004/` + d + `{0,30}`, `8006/\d{18}`,
		`8006/\d{18}/21/` + d + `{0,20}`, `8006/\d{18}/10/` + d + `{0,20}`,
		`8010/[#\-/0-9A-Z]{0,30}`, `8010/[#\-/0-9A-Z]{0,30}/8011/\d{0,12}`, `8017/\d{18}`,
		`8018/\d{18}`,
	}, "|") + `)$`)
)

// dlAliasPairs are the short names of GS1 Digital Link primary keys and qualifiers, replaced
// in this order (§7 step 3).
var dlAliasPairs = [][2]string{
	{"/gtin/", "/01/"}, {"/itip/", "/8006/"}, {"/cpid/", "/8010/"}, {"/gln/", "/414/"},
	{"/party/", "/417/"}, {"/gsrnp/", "/8017/"}, {"/gsrn/", "/8018/"}, {"/gcn/", "/255/"},
	{"/sscc/", "/00/"}, {"/gdti/", "/253/"}, {"/ginc/", "/401/"}, {"/gsin/", "/402/"},
	{"/grai/", "/8003/"}, {"/giai/", "/8004/"}, {"/cpv/", "/22/"}, {"/lot/", "/10/"},
	{"/ser/", "/21/"},
}

// dlKeys are the primary keys searched for when moving a URI to id.gs1.org, in priority
// order (§7 step 4).
var dlKeys = []string{"/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/",
	"/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/"}

// canonDigitalLink reduces a GS1 Digital Link URI to the constrained canonical form (§7):
// domain id.gs1.org, numeric AIs, no query, GTIN padded to 14 digits, no CPV, and only the
// most specific qualifier. ok is false when the value is not such a URI; it is then hashed as
// written, custom domain and query string included.
func canonDigitalLink(u string) (string, bool) {
	if !dlGateFast(u) || !dlGate.MatchString(u) {
		return "", false
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	// Sequential, not a single strings.Replacer pass: each replacement sees the result of the
	// previous ones, as in the reference.
	for _, p := range dlAliasPairs {
		u = strings.ReplaceAll(u, p[0], p[1])
	}
	if !dlOnGS1.MatchString(u) {
		for _, k := range dlKeys {
			if i := strings.Index(u, k); i >= 0 {
				u = "https://id.gs1.org" + u[i:]
				break
			}
		}
	}
	if !dlGTIN14.MatchString(u) {
		const p = "https://id.gs1.org/01/"
		switch {
		case dlGTIN13.MatchString(u):
			u = p + "0" + u[len(p):]
		case dlGTIN12.MatchString(u):
			u = p + "00" + u[len(p):]
		case dlGTIN8.MatchString(u):
			u = p + "000000" + u[len(p):]
		}
	}
	if dlCPVLast.MatchString(u) {
		u = u[:strings.Index(u, "/22/")]
	} else if dlCPVMid.MatchString(u) {
		i := strings.Index(u, "/22/")
		tail := u[i+len("/22/"):]
		if j := strings.IndexByte(tail, '/'); j >= 0 {
			u = u[:i] + tail[j:]
		} else {
			u = u[:i]
		}
	}
	if dlLotAndSN.MatchString(u) {
		i := strings.Index(u, "/10/")
		j := strings.Index(u[i+1:], "/21/") + i + 1
		u = u[:i] + u[j:]
	}
	if !dlValid.MatchString(u) {
		return "", false
	}
	return u, true
}

// dlGateFast is a cheap necessary condition for dlGate: some "/<key>/" followed by four
// digits before the first '?' or '#'. Most URIs in events (vocabularies, documents) fail it,
// and then no regular expression runs.
func dlGateFast(u string) bool {
	end := strings.IndexAny(u, "?#")
	if end < 0 {
		end = len(u)
	}
	for i := strings.IndexByte(u, '/'); i >= 0 && i < end; {
		rest := u[i+1:]
		if j := strings.IndexByte(rest, '/'); j > 0 && j+5 <= len(rest) && dlGateKeys[rest[:j]] {
			ok := true
			for _, c := range rest[j+1 : j+5] {
				ok = ok && c >= '0' && c <= '9'
			}
			if ok {
				return true
			}
		}
		k := strings.IndexByte(rest, '/')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

var dlGateKeys = map[string]bool{}

func init() {
	for _, k := range strings.Split("01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai", "|") {
		dlGateKeys[k] = true
	}
}
