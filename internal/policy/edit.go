package policy

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// Editing documents and instruments: planners and admins create, edit and retire them;
// every write is audited in its transaction; bad input is refused field by field with
// nothing written. Retiring keeps the row (it is named by audits and past estimates) and
// takes the instrument out of the eligibility and benefit lists.

// Kinds are the instrument kinds the schema allows, in display order.
var Kinds = []string{"tax_rate", "subsidy", "land", "finance", "other"}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9:_.-]{0,63}$`)

// DocumentInput is a document as a planner enters it; numbers are text as typed.
type DocumentInput struct {
	Code, TitleZh, TitleEn, DocNumber, Issuer, Issued string
	Areas                                             string // "" when the source states none
	Note, Quote, Source                               string
	SortOrder                                         string
}

// InstrumentInput is an instrument as a planner enters it. Rates are percentages as
// typed ("25", "15"); both or neither.
type InstrumentInput struct {
	Code, DocumentCode, NameZh, NameEn, Kind, EligibilityClass string
	StandardRate, ReducedRate                                  string
	BaseIndicator, RateNote, Note, Quote, Source               string
	SortOrder                                                  string
}

func invalid() *apperr.Error {
	return apperr.New(apperr.Invalid, "invalid_policy", "pol.err.invalid")
}

func trim(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(*s)
	}
}

func sortOrder(e *apperr.Error, v string) int {
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.With("sort_order", "pol.err.sort_order", v)
	}
	return n
}

// rate reads a percentage between 0 and 100 into millionths of a percent.
func rate(e *apperr.Error, field, v string) *int64 {
	m, err := stats.ParseValue(v, "%", "%")
	if err != nil || m < 0 || m > 100_000_000 {
		e.With(field, "pol.err.rate", v)
		return nil
	}
	x := int64(m)
	return &x
}

// SaveDocument creates (create) or edits a document. A create with a code in use, or an
// edit of a missing one, is refused.
func (s *Service) SaveDocument(ctx context.Context, p *auth.Principal, in DocumentInput, create bool) (store.PolicyDocument, error) {
	if err := auth.Require(p, auth.ManagePolicy); err != nil {
		return store.PolicyDocument{}, err
	}
	trim(&in.Code, &in.TitleZh, &in.TitleEn, &in.DocNumber, &in.Issuer, &in.Issued, &in.Areas, &in.Note, &in.Quote, &in.Source, &in.SortOrder)
	e := invalid()
	if !codeRE.MatchString(in.Code) {
		e.With("code", "pol.err.code", in.Code)
	}
	if in.TitleZh == "" {
		e.With("title_zh", "pol.err.title")
	}
	if in.Source == "" {
		e.With("source", "pol.err.source")
	}
	d := store.PolicyDocument{Code: in.Code, TitleZh: in.TitleZh, TitleEn: in.TitleEn, DocNumber: in.DocNumber, Issuer: in.Issuer, Issued: in.Issued,
		Note: in.Note, Quote: in.Quote, Source: in.Source, SortOrder: sortOrder(e, in.SortOrder)}
	if in.Areas != "" {
		n, err := strconv.ParseInt(in.Areas, 10, 64)
		if err != nil || n < 0 {
			e.With("areas", "pol.err.areas", in.Areas)
		}
		d.Areas = &n
	}
	if len(e.Fields) > 0 {
		return d, e
	}
	now := s.Now()
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.PolicyDocumentByCode(ctx, d.Code)
		found := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case create && found:
			return apperr.New(apperr.Conflict, "policy_exists", "pol.err.exists", d.Code, old.TitleZh).With("code", "pol.err.exists", d.Code, old.TitleZh)
		case !create && !found:
			return apperr.Missing("policy_document")
		}
		if err := tx.UpsertPolicyDocument(ctx, d); err != nil {
			return err
		}
		if create {
			return audit.Record(ctx, tx, now, p, "policy_document.create", "policy_document", d.Code, nil, d)
		}
		d.Retired, d.RetiredNote = old.Retired, old.RetiredNote
		return audit.Record(ctx, tx, now, p, "policy_document.update", "policy_document", d.Code, old, d)
	})
	return d, err
}

// SaveInstrument creates (create) or edits an instrument; its document, class and base
// indicator must exist, and a new instrument cannot be added to a retired document.
func (s *Service) SaveInstrument(ctx context.Context, p *auth.Principal, in InstrumentInput, create bool) (store.PolicyInstrument, error) {
	if err := auth.Require(p, auth.ManagePolicy); err != nil {
		return store.PolicyInstrument{}, err
	}
	trim(&in.Code, &in.DocumentCode, &in.NameZh, &in.NameEn, &in.Kind, &in.EligibilityClass, &in.StandardRate, &in.ReducedRate,
		&in.BaseIndicator, &in.RateNote, &in.Note, &in.Quote, &in.Source, &in.SortOrder)
	e := invalid()
	if !codeRE.MatchString(in.Code) {
		e.With("code", "pol.err.code", in.Code)
	}
	if in.NameZh == "" {
		e.With("name_zh", "pol.err.name")
	}
	if !slices.Contains(Kinds, in.Kind) {
		e.With("kind", "pol.err.kind", in.Kind)
	}
	if in.Source == "" {
		e.With("source", "pol.err.source")
	}
	if in.DocumentCode == "" {
		e.With("document_code", "pol.err.document", in.DocumentCode)
	}
	x := store.PolicyInstrument{Code: in.Code, DocumentCode: in.DocumentCode, NameZh: in.NameZh, NameEn: in.NameEn, Kind: in.Kind,
		EligibilityClass: in.EligibilityClass, BaseIndicator: in.BaseIndicator, RateNote: in.RateNote, Note: in.Note, Quote: in.Quote,
		Source: in.Source, SortOrder: sortOrder(e, in.SortOrder)}
	switch {
	case in.StandardRate == "" && in.ReducedRate == "":
	case in.StandardRate == "" || in.ReducedRate == "":
		e.With("reduced_rate", "pol.err.rates_pair")
	default:
		x.StandardRate, x.ReducedRate = rate(e, "standard_rate", in.StandardRate), rate(e, "reduced_rate", in.ReducedRate)
		if x.StandardRate != nil && x.ReducedRate != nil && *x.ReducedRate > *x.StandardRate {
			e.With("reduced_rate", "pol.err.rates_order", in.ReducedRate, in.StandardRate)
		}
	}
	now := s.Now()
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if x.DocumentCode != "" {
			doc, err := tx.PolicyDocumentByCode(ctx, x.DocumentCode)
			if errors.Is(err, store.ErrNotFound) {
				e.With("document_code", "pol.err.document", x.DocumentCode)
			} else if err != nil {
				return err
			} else if doc.Retired != "" && create {
				e.With("document_code", "pol.err.document_retired", x.DocumentCode, doc.Retired)
			}
		}
		if x.EligibilityClass != "" {
			if _, err := tx.EnterpriseClassByCode(ctx, x.EligibilityClass); errors.Is(err, store.ErrNotFound) {
				e.With("eligibility_class", "pol.err.class", x.EligibilityClass)
			} else if err != nil {
				return err
			}
		}
		if x.BaseIndicator != "" {
			if _, err := tx.IndicatorByCode(ctx, x.BaseIndicator); errors.Is(err, store.ErrNotFound) {
				e.With("base_indicator", "pol.err.indicator", x.BaseIndicator)
			} else if err != nil {
				return err
			}
		}
		if len(e.Fields) > 0 {
			return e
		}
		old, err := tx.PolicyInstrumentByCode(ctx, x.Code)
		found := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case create && found:
			return apperr.New(apperr.Conflict, "policy_exists", "pol.err.exists", x.Code, old.NameZh).With("code", "pol.err.exists", x.Code, old.NameZh)
		case !create && !found:
			return apperr.Missing("policy_instrument")
		}
		if err := tx.UpsertPolicyInstrument(ctx, x); err != nil {
			return err
		}
		if create {
			return audit.Record(ctx, tx, now, p, "policy_instrument.create", "policy_instrument", x.Code, nil, x)
		}
		x.Retired, x.RetiredNote = old.Retired, old.RetiredNote
		return audit.Record(ctx, tx, now, p, "policy_instrument.update", "policy_instrument", x.Code, old, x)
	})
	return x, err
}

// RetireDocument retires a document from today with the reason, and with it every
// instrument of it still in force, each audited.
func (s *Service) RetireDocument(ctx context.Context, p *auth.Principal, code, note string) error {
	if err := auth.Require(p, auth.ManagePolicy); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return invalid().With("retired_note", "pol.err.retire_note")
	}
	now := s.Now()
	day := now.Format("2006-01-02")
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		d, err := tx.PolicyDocumentByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("policy_document")
		} else if err != nil {
			return err
		}
		if d.Retired != "" {
			return apperr.New(apperr.Conflict, "policy_retired", "pol.err.retired", code, d.Retired).With("code", "pol.err.retired", code, d.Retired)
		}
		insts, err := tx.PolicyInstrumentsOf(ctx, code)
		if err != nil {
			return err
		}
		for _, in := range insts {
			if in.Retired == "" {
				if err := retireInstrument(ctx, tx, p, now, in, day, note); err != nil {
					return err
				}
			}
		}
		if err := tx.RetirePolicyDocument(ctx, code, day, note); err != nil {
			return err
		}
		after := d
		after.Retired, after.RetiredNote = day, note
		return audit.Record(ctx, tx, now, p, "policy_document.retire", "policy_document", code, d, after)
	})
}

// RetireInstrument retires one instrument from today with the reason.
func (s *Service) RetireInstrument(ctx context.Context, p *auth.Principal, code, note string) error {
	if err := auth.Require(p, auth.ManagePolicy); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return invalid().With("retired_note", "pol.err.retire_note")
	}
	now := s.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.PolicyInstrumentByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Missing("policy_instrument")
		} else if err != nil {
			return err
		}
		if in.Retired != "" {
			return apperr.New(apperr.Conflict, "policy_retired", "pol.err.retired", code, in.Retired).With("code", "pol.err.retired", code, in.Retired)
		}
		return retireInstrument(ctx, tx, p, now, in, now.Format("2006-01-02"), note)
	})
}

func retireInstrument(ctx context.Context, tx *store.Tx, p *auth.Principal, now time.Time, in store.PolicyInstrument, day, note string) error {
	if err := tx.RetirePolicyInstrument(ctx, in.Code, day, note); err != nil {
		return err
	}
	after := in
	after.Retired, after.RetiredNote = day, note
	return audit.Record(ctx, tx, now, p, "policy_instrument.retire", "policy_instrument", in.Code, in, after)
}
