// Package quota runs the quota administration on top of the quota ledger (配额): issuing
// and granting quota batch by batch down the hierarchy with the signed responsibility
// letters or contracts and the expert review of each grant, the 20-working-day deadline for
// passing quota down, and production reports that consume quota. Every movement of quota is
// a ledger transfer made in the same database transaction as the records here; this
// package keeps no balance of its own.
package quota

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// Service runs the quota use cases.
type Service struct {
	DB     *store.DB
	Now    func() time.Time
	Ledger *ledger.Service
}

// New returns a Service with its ledger.
func New(db *store.DB, now func() time.Time) *Service {
	return &Service{DB: db, Now: now, Ledger: ledger.New(db, now)}
}

func invalid(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

func notFound(code, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.NotFound, code, key, args...)
}

// NewGrant is a grant as a regulator enters it. From is the granting account (the
// ledger's issuance account for the national total), To the receiving one; both of one
// ledger. AmountT is tonnes of the ledger's base unit as written ("17,900", "8.5").
// ID, when given, is the client's transfer id (UUID or 32 hex digits): the same grant sent
// twice is recorded once.
type NewGrant struct {
	ID           string `json:"id"`
	From         string `json:"from"`
	To           string `json:"to"`
	AmountT      string `json:"amount_t"`
	Batch        string `json:"batch"`
	GrantedOn    string `json:"granted_on"`
	DocNo        string `json:"doc_no"`
	Source       string `json:"source"`
	SourceStatus string `json:"source_status"`
	Note         string `json:"note"`
	// ConfirmViolations confirms a grant to an enterprise whose reports went over quota
	// last year, after the violation and the proposed cut were shown.
	ConfirmViolations bool `json:"confirm_violations"`
}

// SourceStatuses: REFERENCE.md's V (seen in the source) and D (derived), E, the
// regulator's own record of a grant it made, and S, synthetic demonstration data (示例数据).
var SourceStatuses = []string{"V", "D", "E", "S"}

func validDate(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil }

// Grant records a grant: a ledger transfer from the granting account to the receiving
// one (an issue when the granting account is the unflagged national issuance account),
// and the grant's record, in one transaction. A grant larger than what the granting
// account has left is refused with that balance in the message.
func (s *Service) Grant(ctx context.Context, p *auth.Principal, n NewGrant) (store.QuotaGrant, error) {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return store.QuotaGrant{}, err
	}
	var out store.QuotaGrant
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = s.GrantTx(ctx, tx, p, n)
		return err
	})
	return out, err
}

// GrantTx is Grant inside the caller's transaction (the dataset loader's); it reports
// whether the grant is new (false: the same grant was recorded before). The caller has
// checked the permission. A grant may leave GrantedOn empty only when it is a published
// figure (status V or D) whose source gives no date.
func (s *Service) GrantTx(ctx context.Context, tx *store.Tx, p *auth.Principal, n NewGrant) (store.QuotaGrant, bool, error) {
	n.Batch, n.DocNo, n.Source, n.Note = strings.TrimSpace(n.Batch), strings.TrimSpace(n.DocNo), strings.TrimSpace(n.Source), strings.TrimSpace(n.Note)
	if n.SourceStatus == "" {
		n.SourceStatus = "E"
	}
	e := apperr.New(apperr.Invalid, "bad_grant", "quota.err.grant")
	amount, f := ledger.ParseTonnes(n.AmountT)
	if f != nil || amount <= 0 {
		e.With("amount_t", "quota.err.amount", n.AmountT)
	}
	if n.Batch == "" || utf8.RuneCountInString(n.Batch) > 40 {
		e.With("batch", "quota.err.batch")
	}
	if !validDate(n.GrantedOn) && !(n.GrantedOn == "" && (n.SourceStatus == "V" || n.SourceStatus == "D")) {
		e.With("granted_on", "quota.err.date", n.GrantedOn)
	}
	if n.Source == "" {
		e.With("source", "quota.err.source_required")
	}
	if !contains(SourceStatuses, n.SourceStatus) {
		e.With("source_status", "quota.err.source_status", n.SourceStatus, strings.Join(SourceStatuses, ", "))
	}
	if n.From == "" {
		e.With("from", "quota.err.account_required")
	}
	if n.To == "" {
		e.With("to", "quota.err.account_required")
	}
	var id ledger.ID
	if n.ID != "" {
		var err error
		if id, err = ledger.ParseID(n.ID); err != nil || id.IsZero() {
			e.With("id", "quota.err.id", n.ID)
		}
	} else {
		id = ledger.NewID(s.Now())
	}
	if len(e.Fields) > 0 {
		return store.QuotaGrant{}, false, e
	}
	from, err := tx.LedgerAccountByCode(ctx, n.From)
	if errors.Is(err, store.ErrNotFound) {
		return store.QuotaGrant{}, false, invalid("unknown_account", "from", "quota.err.unknown_account", n.From)
	} else if err != nil {
		return store.QuotaGrant{}, false, err
	}
	to, err := tx.LedgerAccountByCode(ctx, n.To)
	if errors.Is(err, store.ErrNotFound) {
		return store.QuotaGrant{}, false, invalid("unknown_account", "to", "quota.err.unknown_account", n.To)
	} else if err != nil {
		return store.QuotaGrant{}, false, err
	}
	if from.LedgerID != to.LedgerID {
		return store.QuotaGrant{}, false, invalid("different_ledgers", "to", "quota.err.different_ledgers", n.From, n.To)
	}
	if from.HolderKind == "enterprise" || from.HolderKind == "sink" || to.HolderKind == "sink" {
		return store.QuotaGrant{}, false, invalid("not_a_grant", "from", "quota.err.not_a_grant", n.From, n.To)
	}
	warn, err := warningTx(ctx, tx, to)
	if err != nil {
		return store.QuotaGrant{}, false, err
	}
	if warn != nil && !n.ConfirmViolations {
		if _, err := tx.QuotaGrantByTransfer(ctx, id.String()); errors.Is(err, store.ErrNotFound) {
			return store.QuotaGrant{}, false, violationsRefusal(*warn, amount)
		}
	}
	code := ledger.CodeGrant
	if from.HolderKind == "nation" && from.Flags&int64(ledger.DebitsMustNotExceedCredits) == 0 {
		code = ledger.CodeIssue
	}
	t := ledger.Transfer{ID: id, DebitAccount: n.From, CreditAccount: n.To, Amount: amount, Code: code, Ref: ref(n)}
	if existing, err := tx.QuotaGrantByTransfer(ctx, id.String()); err == nil {
		// The same grant sent again: the ledger says whether it is really the same.
		if _, err := s.Ledger.CreateTransfersTx(ctx, tx, p, []ledger.Transfer{t}); err != nil {
			return store.QuotaGrant{}, false, err
		}
		return existing, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.QuotaGrant{}, false, err
	}
	_, err = s.Ledger.CreateTransfersTx(ctx, tx, p, []ledger.Transfer{t})
	if ae := (*apperr.Error)(nil); errors.As(err, &ae) && ae.Code == "exceeds_credits" {
		avail := from.CreditsPosted - from.DebitsPosted - from.DebitsPending
		return store.QuotaGrant{}, false, invalid("exceeds_balance", "amount_t", "quota.err.exceeds_balance",
			ledger.FormatTonnes(amount), n.From, ledger.FormatTonnes(avail))
	} else if err != nil {
		return store.QuotaGrant{}, false, err
	}
	now := s.Now()
	g := store.QuotaGrant{LedgerID: from.LedgerID, Batch: n.Batch, FromAccount: n.From, ToAccount: n.To, AmountG: amount,
		TransferID: id.String(), GrantedOn: n.GrantedOn, DocNo: n.DocNo, Source: n.Source, SourceStatus: n.SourceStatus,
		Note: n.Note, CreatedBy: p.Username, CreatedAt: now}
	gid, err := tx.InsertQuotaGrant(ctx, g)
	if err != nil {
		return store.QuotaGrant{}, false, err
	}
	var after any = g
	if warn != nil {
		// The audit keeps what the regulator confirmed it had seen.
		after = struct {
			store.QuotaGrant
			Confirmed Violation `json:"confirmed_violation"`
		}{g, *warn}
	}
	if err := audit.Record(ctx, tx, now, p, "quota.grant", "quota_grant", id.String(), nil, after); err != nil {
		return store.QuotaGrant{}, false, err
	}
	out, err := tx.QuotaGrantByID(ctx, gid)
	return out, true, err
}

func ref(n NewGrant) string {
	r := n.Batch
	if n.DocNo != "" {
		r += " " + n.DocNo
	}
	if utf8.RuneCountInString(r) > 200 {
		r = string([]rune(r)[:200])
	}
	return r
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// visible: an enterprise user sees the grants to or from its own accounts only.
func visible(p *auth.Principal, g store.QuotaGrant) bool {
	if p.Role != auth.Enterprise {
		return true
	}
	return p.EnterpriseID != 0 && (g.ToEnterpr == p.EnterpriseID || g.FromEnterp == p.EnterpriseID)
}

// Grants lists the grants p may see.
func (s *Service) Grants(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[store.QuotaGrant], error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return store.Page[store.QuotaGrant]{}, err
	}
	f := store.GrantFilter{}
	if p.Role == auth.Enterprise {
		if p.EnterpriseID == 0 {
			return store.Page[store.QuotaGrant]{}, nil
		}
		f.EnterpriseID = p.EnterpriseID
	}
	return s.DB.ListQuotaGrants(ctx, f, q)
}

// GrantDetail is a grant with its documents and reviews.
type GrantDetail struct {
	store.QuotaGrant
	Documents []store.QuotaDocument
	Reviews   []store.QuotaReview
}

// grant reads a grant p may see; another enterprise's is "not found", like a missing one.
func (s *Service) grant(ctx context.Context, p *auth.Principal, id int64) (store.QuotaGrant, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return store.QuotaGrant{}, err
	}
	g, err := s.DB.QuotaGrantByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(p, g)) {
		return store.QuotaGrant{}, notFound("unknown_grant", "quota.err.unknown_grant", id)
	}
	return g, err
}

// GrantDetail reads a grant with its documents and reviews.
func (s *Service) GrantDetail(ctx context.Context, p *auth.Principal, id int64) (GrantDetail, error) {
	g, err := s.grant(ctx, p, id)
	if err != nil {
		return GrantDetail{}, err
	}
	d := GrantDetail{QuotaGrant: g}
	if d.Documents, err = s.DB.QuotaDocuments(ctx, id); err != nil {
		return d, err
	}
	d.Reviews, err = s.DB.QuotaReviews(ctx, id)
	return d, err
}

// MaxDocument is the largest document stored (a scanned, signed letter fits easily; below the server's 10 MiB body limit, so the limit is this one's message).
const MaxDocument = 8 << 20

// DocumentKinds: 责任书 (responsibility letter) and 合同书 (contract).
var DocumentKinds = []string{"responsibility_letter", "contract"}

// allowedTypes are the formats a signed document arrives in.
var allowedTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true}

// AttachDocument stores a grant's signed document with its SHA-256.
func (s *Service) AttachDocument(ctx context.Context, p *auth.Principal, grantID int64, kind, filename, contentType string, body []byte) (store.QuotaDocument, error) {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return store.QuotaDocument{}, err
	}
	if _, err := s.grant(ctx, p, grantID); err != nil {
		return store.QuotaDocument{}, err
	}
	filename = strings.TrimSpace(filename)
	contentType, _, _ = strings.Cut(contentType, ";")
	contentType = strings.TrimSpace(contentType)
	e := apperr.New(apperr.Invalid, "bad_document", "quota.err.document")
	if !contains(DocumentKinds, kind) {
		e.With("kind", "quota.err.document_kind", kind)
	}
	if filename == "" || utf8.RuneCountInString(filename) > 200 || strings.ContainsAny(filename, "/\\\x00") {
		e.With("file", "quota.err.filename", filename)
	}
	if !allowedTypes[contentType] {
		e.With("file", "quota.err.content_type", contentType)
	}
	if len(body) == 0 {
		e.With("file", "quota.err.empty_document")
	}
	if len(body) > MaxDocument {
		return store.QuotaDocument{}, apperr.New(apperr.TooLarge, "document_too_large", "quota.err.document_too_large",
			len(body), MaxDocument).With("file", "quota.err.document_too_large", len(body), MaxDocument)
	}
	if len(e.Fields) > 0 {
		return store.QuotaDocument{}, e
	}
	sum := sha256.Sum256(body)
	d := store.QuotaDocument{GrantID: grantID, Kind: kind, Filename: filename, ContentType: contentType, Size: int64(len(body)),
		SHA256: hex.EncodeToString(sum[:]), Body: body, UploadedBy: p.Username, UploadedAt: s.Now()}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertQuotaDocument(ctx, d)
		if err != nil {
			return err
		}
		d.ID = id
		meta := d
		meta.Body = nil
		return audit.Record(ctx, tx, d.UploadedAt, p, "quota.document.attach", "quota_grant", itoa(grantID), nil, meta)
	})
	d.Body = nil
	return d, err
}

// Document reads a document with its body, for download; scoped like its grant.
func (s *Service) Document(ctx context.Context, p *auth.Principal, id int64) (store.QuotaDocument, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return store.QuotaDocument{}, err
	}
	d, err := s.DB.QuotaDocumentBody(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, notFound("unknown_document", "quota.err.unknown_document", id)
	} else if err != nil {
		return d, err
	}
	if _, err := s.grant(ctx, p, d.GrantID); err != nil {
		return store.QuotaDocument{}, notFound("unknown_document", "quota.err.unknown_document", id)
	}
	return d, nil
}

// NewReview is an expert review as entered.
type NewReview struct {
	ReviewedOn string `json:"reviewed_on"`
	Experts    string `json:"experts"`
	Conclusion string `json:"conclusion"`
	Opinion    string `json:"opinion"`
}

// Conclusions of an expert review.
var Conclusions = []string{"approved", "conditional", "rejected"}

// AddReview records a grant's expert review (专家审查).
func (s *Service) AddReview(ctx context.Context, p *auth.Principal, grantID int64, n NewReview) (store.QuotaReview, error) {
	if err := auth.Require(p, auth.ManageQuota); err != nil {
		return store.QuotaReview{}, err
	}
	if _, err := s.grant(ctx, p, grantID); err != nil {
		return store.QuotaReview{}, err
	}
	n.Experts, n.Opinion = strings.TrimSpace(n.Experts), strings.TrimSpace(n.Opinion)
	e := apperr.New(apperr.Invalid, "bad_review", "quota.err.review")
	if !validDate(n.ReviewedOn) {
		e.With("reviewed_on", "quota.err.date", n.ReviewedOn)
	}
	if n.Experts == "" {
		e.With("experts", "quota.err.experts_required")
	}
	if !contains(Conclusions, n.Conclusion) {
		e.With("conclusion", "quota.err.conclusion", n.Conclusion, strings.Join(Conclusions, ", "))
	}
	if len(e.Fields) > 0 {
		return store.QuotaReview{}, e
	}
	r := store.QuotaReview{GrantID: grantID, ReviewedOn: n.ReviewedOn, Experts: n.Experts, Conclusion: n.Conclusion,
		Opinion: n.Opinion, CreatedBy: p.Username, CreatedAt: s.Now()}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertQuotaReview(ctx, r)
		if err != nil {
			return err
		}
		r.ID = id
		return audit.Record(ctx, tx, r.CreatedAt, p, "quota.review.add", "quota_grant", itoa(grantID), nil, r)
	})
	return r, err
}
