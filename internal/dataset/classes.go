package dataset

import (
	"errors"
	"fmt"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/stats"
	"zhanxin/internal/store"
)

// classes.json: the enterprise classes of the cultivation module with their default
// criteria, and the designations a source makes (the article calls 虔东稀土 a 龙头企业).

type classFile struct {
	Classes      []classRow       `json:"classes"`
	Designations []designationRow `json:"designations"`
}

type classRow struct {
	Code      string         `json:"code"`
	NameZh    string         `json:"name_zh"`
	NameEn    string         `json:"name_en"`
	Combine   string         `json:"combine"`
	Note      string         `json:"note"`
	Source    string         `json:"source"`
	SortOrder int            `json:"sort_order"`
	Criteria  []criterionRow `json:"criteria"`
}

// criterionRow is a default criterion. Only kinds that need no number ship by default:
// a threshold is added by the user with its source.
type criterionRow struct {
	Kind   string `json:"kind"`
	Note   string `json:"note"`
	Source string `json:"source"`
}

type designationRow struct {
	Enterprise string `json:"enterprise"`
	Class      string `json:"class"`
	Period     string `json:"period"`
	Source     string `json:"source"`
	Quote      string `json:"quote"`
}

// classes loads the classes. Default criteria are written only when a class is new: the
// rules are the user's to edit afterwards, and loading again must not undo those edits.
func (l *loader) classes(c *contents) error {
	ctx, tx := l.ctx, l.tx
	for n, r := range c.classes.Classes {
		if r.Combine == "" {
			r.Combine = "all"
		}
		k := store.EnterpriseClass{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn, Combine: r.Combine, Note: r.Note,
			Source: r.Source, SortOrder: r.SortOrder}
		old, err := tx.EnterpriseClassByCode(ctx, k.Code)
		isNew := errors.Is(err, store.ErrNotFound)
		if err != nil && !isNew {
			return err
		}
		if !isNew {
			k.Combine = old.Combine // a reload keeps the combination the user chose
		}
		if err := upsert(l, "enterprise_class", k.Code, k, func() (store.EnterpriseClass, error) { return tx.EnterpriseClassByCode(ctx, k.Code) },
			eq[store.EnterpriseClass], func() error { return tx.UpsertEnterpriseClass(ctx, k) }); err != nil {
			return rowErr("classes.json", n, r.Code, err)
		}
		if !isNew {
			l.sum.Unchanged += len(r.Criteria) // left as the user keeps them
			continue
		}
		for _, cr := range r.Criteria {
			x := store.ClassCriterion{ClassCode: k.Code, Kind: cr.Kind, Note: cr.Note, Source: cr.Source}
			id, err := tx.InsertClassCriterion(ctx, x)
			if err != nil {
				return rowErr("classes.json", n, r.Code, err)
			}
			x.ID = id
			l.sum.Created++
			if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "class_criterion", fmt.Sprint(id), nil, x); err != nil {
				return err
			}
		}
	}
	for n, r := range c.classes.Designations {
		e, err := tx.EnterpriseByName(ctx, r.Enterprise)
		if errors.Is(err, store.ErrNotFound) {
			return rowErr("classes.json", n, r.Enterprise,
				apperr.New(apperr.Invalid, "unknown_enterprise", "err.dataset.enterprise", r.Enterprise))
		} else if err != nil {
			return err
		}
		d := store.Designation{EnterpriseID: e.ID, ClassCode: r.Class, Period: r.Period, Source: r.Source, Quote: r.Quote}
		if err := upsert(l, "enterprise_designation", fmt.Sprintf("%d/%s", e.ID, r.Class), d,
			func() (store.Designation, error) { return tx.DesignationOf(ctx, e.ID, r.Class) }, eq[store.Designation],
			func() error { return tx.UpsertDesignation(ctx, d) }); err != nil {
			return rowErr("classes.json", n, r.Enterprise, err)
		}
	}
	return nil
}

// funds.json: the funds the article names. A size no source gives is left out (null).
type fundFile struct {
	Funds []fundRow `json:"funds"`
}

type fundRow struct {
	Code      string `json:"code"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Size      string `json:"size"` // in 万元; "" when not given
	Note      string `json:"note"`
	Quote     string `json:"quote"`
	Source    string `json:"source"`
	SortOrder int    `json:"sort_order"`
}

func (l *loader) funds(c *contents) error {
	ctx, tx := l.ctx, l.tx
	for n, r := range c.funds.Funds {
		f := store.Fund{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn, Kind: r.Kind, Status: r.Status, Note: r.Note, Quote: r.Quote,
			Source: r.Source, SortOrder: r.SortOrder}
		if r.Size != "" {
			v, err := stats.ParseValue(r.Size, "万元", "万元")
			if err != nil {
				return rowErr("funds.json", n, r.Code, err)
			}
			size := int64(v)
			f.Size = &size
		}
		same := func(a, b store.Fund) bool {
			sa, sb := a.Size, b.Size
			a.Size, b.Size = nil, nil
			return a == b && ((sa == nil && sb == nil) || (sa != nil && sb != nil && *sa == *sb))
		}
		if err := upsert(l, "fund", f.Code, f, func() (store.Fund, error) { return tx.FundByCode(ctx, f.Code) }, same,
			func() error { return tx.UpsertFund(ctx, f) }); err != nil {
			return rowErr("funds.json", n, r.Code, err)
		}
	}
	return nil
}

// innovation.json: the platforms, alliances and talent programmes the article names; the
// centres it only counts have no row.
type unitFile struct {
	Units []unitRow `json:"units"`
}

type unitRow struct {
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Category  string `json:"category"`
	Level     string `json:"level"`
	Status    string `json:"status"`
	Note      string `json:"note"`
	Quote     string `json:"quote"`
	Source    string `json:"source"`
	SortOrder int    `json:"sort_order"`
}

func (l *loader) units(c *contents) error {
	ctx, tx := l.ctx, l.tx
	for n, r := range c.innovation.Units {
		u := store.InnovationUnit{NameZh: r.NameZh, NameEn: r.NameEn, Category: r.Category, Level: r.Level, Status: r.Status, Note: r.Note,
			Quote: r.Quote, Source: r.Source, SortOrder: r.SortOrder}
		old, err := tx.InnovationUnitByName(ctx, u.NameZh)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if u.ID, err = tx.InsertInnovationUnit(ctx, u); err != nil {
				return rowErr("innovation.json", n, r.NameZh, err)
			}
			l.sum.Created++
			if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "innovation_unit", fmt.Sprint(u.ID), nil, u); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			u.ID = old.ID
			if old.NameEn == u.NameEn && old.Category == u.Category && old.Level == u.Level && old.Status == u.Status && old.Note == u.Note &&
				old.Quote == u.Quote && old.Source == u.Source && old.SortOrder == u.SortOrder {
				l.sum.Unchanged++
				continue
			}
			if err := tx.UpdateInnovationUnit(ctx, u); err != nil {
				return rowErr("innovation.json", n, r.NameZh, err)
			}
			l.sum.Updated++
			if err := audit.Record(ctx, tx, l.now, l.p, "dataset.load", "innovation_unit", fmt.Sprint(u.ID), old, u); err != nil {
				return err
			}
		}
	}
	return nil
}

// policy.json: policy documents and their instruments. Rates are percents as written.
type policyFile struct {
	Documents   []policyDocRow  `json:"documents"`
	Instruments []policyInstRow `json:"instruments"`
}

type policyDocRow struct {
	Code      string `json:"code"`
	TitleZh   string `json:"title_zh"`
	TitleEn   string `json:"title_en"`
	DocNumber string `json:"doc_number"`
	Issuer    string `json:"issuer"`
	Issued    string `json:"issued"`
	Areas     *int64 `json:"areas"`
	Note      string `json:"note"`
	Quote     string `json:"quote"`
	Source    string `json:"source"`
	SortOrder int    `json:"sort_order"`
}

type policyInstRow struct {
	Code             string `json:"code"`
	DocumentCode     string `json:"document_code"`
	NameZh           string `json:"name_zh"`
	NameEn           string `json:"name_en"`
	Kind             string `json:"kind"`
	EligibilityClass string `json:"eligibility_class"`
	StandardRate     string `json:"standard_rate"`
	ReducedRate      string `json:"reduced_rate"`
	BaseIndicator    string `json:"base_indicator"`
	RateNote         string `json:"rate_note"`
	Note             string `json:"note"`
	Quote            string `json:"quote"`
	Source           string `json:"source"`
	SortOrder        int    `json:"sort_order"`
}

func percent(s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := stats.ParseValue(s, "%", "%")
	if err != nil {
		return nil, err
	}
	x := int64(v)
	return &x, nil
}

func (l *loader) policies(c *contents) error {
	ctx, tx := l.ctx, l.tx
	for n, r := range c.policy.Documents {
		d := store.PolicyDocument{Code: r.Code, TitleZh: r.TitleZh, TitleEn: r.TitleEn, DocNumber: r.DocNumber, Issuer: r.Issuer, Issued: r.Issued,
			Areas: r.Areas, Note: r.Note, Quote: r.Quote, Source: r.Source, SortOrder: r.SortOrder}
		same := func(a, b store.PolicyDocument) bool {
			aa, ba := a.Areas, b.Areas
			a.Areas, b.Areas = nil, nil
			return a == b && ((aa == nil && ba == nil) || (aa != nil && ba != nil && *aa == *ba))
		}
		if err := upsert(l, "policy_document", d.Code, d, func() (store.PolicyDocument, error) { return tx.PolicyDocumentByCode(ctx, d.Code) },
			same, func() error { return tx.UpsertPolicyDocument(ctx, d) }); err != nil {
			return rowErr("policy.json", n, r.Code, err)
		}
	}
	for n, r := range c.policy.Instruments {
		std, err := percent(r.StandardRate)
		if err != nil {
			return rowErr("policy.json", n, r.Code, err)
		}
		red, err := percent(r.ReducedRate)
		if err != nil {
			return rowErr("policy.json", n, r.Code, err)
		}
		p := store.PolicyInstrument{Code: r.Code, DocumentCode: r.DocumentCode, NameZh: r.NameZh, NameEn: r.NameEn, Kind: r.Kind,
			EligibilityClass: r.EligibilityClass, StandardRate: std, ReducedRate: red, BaseIndicator: r.BaseIndicator, RateNote: r.RateNote,
			Note: r.Note, Quote: r.Quote, Source: r.Source, SortOrder: r.SortOrder}
		same := func(a, b store.PolicyInstrument) bool {
			eq := func(x, y *int64) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
			ok := eq(a.StandardRate, b.StandardRate) && eq(a.ReducedRate, b.ReducedRate)
			a.StandardRate, a.ReducedRate, b.StandardRate, b.ReducedRate = nil, nil, nil, nil
			return ok && a == b
		}
		if err := upsert(l, "policy_instrument", p.Code, p, func() (store.PolicyInstrument, error) { return tx.PolicyInstrumentByCode(ctx, p.Code) },
			same, func() error { return tx.UpsertPolicyInstrument(ctx, p) }); err != nil {
			return rowErr("policy.json", n, r.Code, err)
		}
	}
	return nil
}
