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
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"zhanxin/internal/epcis"
	"zhanxin/internal/epcis/cbv"
	"zhanxin/internal/epcis/schema"
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
		if len(parts) != 3 || len(parts[0])+len(parts[1]) != 12 || !digits(parts[0]+parts[1]) {
			return s
		}
		out := "https://id.gs1.org/414/" + parts[0] + parts[1] + checkDigit(parts[0]+parts[1])
		if parts[2] != "0" && parts[2] != "" {
			out += "/254/" + parts[2]
		}
		return out
	}
	if i := strings.Index(s, "/414/"); i > 0 && strings.HasPrefix(s, "http") {
		rest := s[i+5:]
		gln, ext, _ := strings.Cut(rest, "/254/")
		if len(gln) == 13 && digits(gln) && !strings.Contains(ext, "/") {
			out := "https://id.gs1.org/414/" + gln
			if ext != "" {
				out += "/254/" + ext
			}
			return out
		}
	}
	return s
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// checkDigit is the GS1 mod-10 check digit of a key without it.
func checkDigit(body string) string {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return strconv.Itoa((10 - sum%10) % 10)
}

// ValidGLN reports whether s is 13 digits with a correct check digit.
func ValidGLN(s string) bool {
	return len(s) == 13 && digits(s) && checkDigit(s[:12]) == s[12:]
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
