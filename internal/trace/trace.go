// Package trace is the product-flow repository (产品流向追溯): EPCIS 2.0 capture and query on
// top of package epcis, the locations master data that says which enterprise owns which
// place, and the tamper-evident Merkle log every accepted event is appended to.
//
// Who may do what is decided in internal/auth (CaptureEvents, ReadEvents, ManageLocations);
// the row-level rules are here: an enterprise user captures only at its own locations and
// reads only its own events.
package trace

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/epcis/schema"
	"zhanxin/internal/gs1"
	"zhanxin/internal/store"
)

// LogOrigin names the log in its checkpoints (the C2SP checkpoint's first line) and its
// signing key.
const LogOrigin = "zhanxin.epcis.log"

// keySetting is where the log's Ed25519 signing key lives: the settings table of the
// database, so that every server of a deployment signs with the same key. It is never
// logged or returned by any endpoint; only the verifier key is published.
const keySetting = "epcis_log_signing_key"

// Limits of a capture request. The body itself is capped by the web server.
const (
	CaptureEventLimit = 10000
)

// Service runs capture, query and the log. Make one at start-up: it holds the schema,
// compiled on first use.
type Service struct {
	db       *store.DB
	now      func() time.Time
	reader   *epcis.Reader
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// New builds the service, generating the log's signing key on first start.
func New(ctx context.Context, db *store.DB, now func() time.Time) (*Service, error) {
	// The schema compiles on the first capture, not here: most servers never capture.
	v := schema.Lazy()
	skey, vkey, err := note.GenerateKey(rand.Reader, LogOrigin)
	if err != nil {
		return nil, err
	}
	stored, err := db.EnsureSetting(ctx, keySetting, skey+"\n"+vkey)
	if err != nil {
		return nil, err
	}
	skey, vkey, _ = strings.Cut(stored, "\n")
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("epcis log signing key in settings %q is unusable: %w", keySetting, err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("epcis log verifier key is unusable: %w", err)
	}
	return &Service{db: db, now: now, signer: signer, verifier: verifier, vkey: vkey,
		reader: epcis.NewReader(v, epcis.Limits{}, epcis.Rules{})}, nil
}

// VerifierKey is the public key that checks the log's checkpoints (note verifier format).
func (s *Service) VerifierKey() string { return s.vkey }

// Verifier checks the log's checkpoints.
func (s *Service) Verifier() note.Verifier { return s.verifier }

// CanonLocation returns the form a location is stored and compared in: the GS1 Digital
// Link https://id.gs1.org/414/GLN[/254/extension] for an SGLN URN or any Digital Link of a
// GLN, and the value unchanged otherwise. Events may name a place either way; both must
// find the same registered location.
func CanonLocation(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "urn:epc:id:sgln:"); ok {
		parts := strings.Split(rest, ".")
		if len(parts) != 3 || len(parts[0])+len(parts[1]) != 12 || !gs1.Digits(parts[0]+parts[1]) {
			return s
		}
		out := "https://id.gs1.org/414/" + parts[0] + parts[1] + gs1.CheckDigit(parts[0]+parts[1])
		if parts[2] != "0" && parts[2] != "" {
			out += "/254/" + parts[2]
		}
		return out
	}
	if i := strings.Index(s, "/414/"); i > 0 && strings.HasPrefix(s, "http") {
		rest := s[i+5:]
		gln, ext, _ := strings.Cut(rest, "/254/")
		if len(gln) == 13 && gs1.Digits(gln) && !strings.Contains(ext, "/") {
			out := "https://id.gs1.org/414/" + gln
			if ext != "" {
				out += "/254/" + ext
			}
			return out
		}
	}
	return s
}

// ValidGLN reports whether s is 13 digits with a correct check digit.
func ValidGLN(s string) bool {
	return len(s) == 13 && gs1.Digits(s) && gs1.CheckDigit(s[:12]) == s[12:]
}

// normVocab stores a CBV value in one spelling (the CBV 2.0 web URI), so that a query for
// "shipping" finds an event written with urn:epcglobal:cbv:bizstep:shipping.
func normVocab(v *cbv.Vocab, s string) string {
	if s == "" {
		return ""
	}
	if term, in, known := v.Split(s); in && known {
		return v.Web + term
	}
	return s
}

// isLocationType reports whether a source/destination type is CBV "location".
func isLocationType(t string) bool {
	return normVocab(cbv.SourceDestType, t) == cbv.SourceDestType.Web+"location"
}

// EPCSpellings returns the spellings of one EPC or EPC class that name the same thing: the
// EPC URN (pure identity or class) and the GS1 Digital Link on id.gs1.org, for SGTIN, LGTIN
// and SSCC. A URN has exactly one Digital Link. A Digital Link does not say how long the
// GS1 company prefix is, which the URN needs, so every length the standard allows (6 to 12
// digits) is offered: only one of them can match a stored URN of the same key. Anything
// else is returned as it is.
func EPCSpellings(s string) []string {
	s = strings.TrimSpace(s)
	out := []string{s}
	for _, k := range []struct{ prefix, ai, sep string }{
		{"urn:epc:id:sgtin:", "01", "/21/"}, {"urn:epc:class:lgtin:", "01", "/10/"}, {"urn:epc:id:sscc:", "00", ""},
	} {
		rest, ok := strings.CutPrefix(s, k.prefix)
		if !ok {
			continue
		}
		parts := strings.SplitN(rest, ".", 3)
		if k.ai == "00" {
			// SSCC: CompanyPrefix.ExtensionSerialReference, 17 digits before the check digit.
			if len(parts) != 2 || len(parts[0])+len(parts[1]) != 17 || !gs1.Digits(parts[0]+parts[1]) {
				return out
			}
			body := parts[1][:1] + parts[0] + parts[1][1:]
			return append(out, "https://id.gs1.org/00/"+body+gs1.CheckDigit(body))
		}
		if len(parts) != 3 || len(parts[0])+len(parts[1]) != 13 {
			return out
		}
		if !gs1.Digits(parts[0]+parts[1]) || parts[2] == "" {
			return out
		}
		body := parts[1][:1] + parts[0] + parts[1][1:]
		return append(out, "https://id.gs1.org/01/"+body+gs1.CheckDigit(body)+k.sep+parts[2])
	}
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return out
	}
	for _, k := range []struct{ ai, sep, prefix string }{{"/01/", "/21/", "urn:epc:id:sgtin:"}, {"/01/", "/10/", "urn:epc:class:lgtin:"}, {"/00/", "", "urn:epc:id:sscc:"}} {
		i := strings.Index(s, k.ai)
		if i < 0 {
			continue
		}
		key, rest := s[i+4:], ""
		if k.sep != "" {
			var ok bool
			if key, rest, ok = strings.Cut(key, k.sep); !ok || rest == "" || strings.ContainsAny(rest, "/?#") {
				continue
			}
		}
		want := 14
		if k.ai == "/00/" {
			want = 18
		}
		if len(key) != want || !gs1.Digits(key) || gs1.CheckDigit(key[:want-1]) != key[want-1:] {
			continue
		}
		if s != "https://id.gs1.org"+s[i:] {
			out = append(out, "https://id.gs1.org"+s[i:])
		}
		for l := 6; l <= 12; l++ {
			cp, ref := key[1:1+l], key[:1]+key[1+l:want-1]
			if k.ai == "/00/" {
				out = append(out, k.prefix+cp+"."+ref)
			} else {
				out = append(out, k.prefix+cp+"."+ref+"."+rest)
			}
		}
		return out
	}
	return out
}
