package store

import (
	"context"
	"database/sql"
)

// This file holds the SQL of policy documents and instruments (migration 0010).

// PolicyDocument is a row of policy_documents. Areas is nil when the source states none.
type PolicyDocument struct {
	Code      string
	TitleZh   string
	TitleEn   string
	DocNumber string
	Issuer    string
	Issued    string
	Areas     *int64
	Note      string
	Quote     string
	Source    string
	SortOrder int
	// Retired is the date (YYYY-MM-DD) the document stopped applying, "" while in force;
	// RetiredNote says why. Set only by RetirePolicyDocument.
	Retired     string
	RetiredNote string
}

const policyDocColumns = "code, title_zh, title_en, doc_number, issuer, issued, areas, note, quote, source, sort_order"

func scanPolicyDoc(r rowScanner) (PolicyDocument, error) {
	var d PolicyDocument
	var areas sql.NullInt64
	err := r.Scan(&d.Code, &d.TitleZh, &d.TitleEn, &d.DocNumber, &d.Issuer, &d.Issued, &areas, &d.Note, &d.Quote, &d.Source, &d.SortOrder,
		&d.Retired, &d.RetiredNote)
	d.Areas = ptrOf(areas)
	return d, err
}

// UpsertPolicyDocument inserts or replaces a document by code.
func (t *Tx) UpsertPolicyDocument(ctx context.Context, d PolicyDocument) error {
	_, err := t.exec(ctx, `INSERT INTO policy_documents(`+policyDocColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET title_zh = excluded.title_zh, title_en = excluded.title_en, doc_number = excluded.doc_number,
		issuer = excluded.issuer, issued = excluded.issued, areas = excluded.areas, note = excluded.note, quote = excluded.quote,
		source = excluded.source, sort_order = excluded.sort_order`,
		d.Code, d.TitleZh, d.TitleEn, d.DocNumber, d.Issuer, d.Issued, nullPtr(d.Areas), d.Note, d.Quote, d.Source, d.SortOrder)
	return err
}

// PolicyDocumentByCode reads a document inside a write transaction.
func (t *Tx) PolicyDocumentByCode(ctx context.Context, code string) (PolicyDocument, error) {
	d, err := scanPolicyDoc(t.queryRow(ctx, "SELECT "+policyDocColumns+", retired, retired_note FROM policy_documents WHERE code = ?", code))
	return d, notFound(err)
}

// PolicyDocuments lists the documents in display order.
func (db *DB) PolicyDocuments(ctx context.Context) ([]PolicyDocument, error) {
	return all(ctx, db, scanPolicyDoc, "SELECT "+policyDocColumns+", retired, retired_note FROM policy_documents ORDER BY sort_order, code")
}

// PolicyInstrument is a row of policy_instruments. Rates are percent millionths; nil
// when the instrument has none.
type PolicyInstrument struct {
	Code             string
	DocumentCode     string
	NameZh           string
	NameEn           string
	Kind             string
	EligibilityClass string
	StandardRate     *int64
	ReducedRate      *int64
	BaseIndicator    string
	RateNote         string
	Note             string
	Quote            string
	Source           string
	SortOrder        int
	Retired          string // as for PolicyDocument
	RetiredNote      string
}

const policyInstColumns = `code, document_code, name_zh, name_en, kind, COALESCE(eligibility_class, ''), standard_rate_micro, reduced_rate_micro,
	COALESCE(base_indicator, ''), rate_note, note, quote, source, sort_order, retired, retired_note`

func scanPolicyInst(r rowScanner) (PolicyInstrument, error) {
	var p PolicyInstrument
	var std, red sql.NullInt64
	err := r.Scan(&p.Code, &p.DocumentCode, &p.NameZh, &p.NameEn, &p.Kind, &p.EligibilityClass, &std, &red, &p.BaseIndicator, &p.RateNote,
		&p.Note, &p.Quote, &p.Source, &p.SortOrder, &p.Retired, &p.RetiredNote)
	p.StandardRate, p.ReducedRate = ptrOf(std), ptrOf(red)
	return p, err
}

// UpsertPolicyInstrument inserts or replaces an instrument by code.
func (t *Tx) UpsertPolicyInstrument(ctx context.Context, p PolicyInstrument) error {
	_, err := t.exec(ctx, `INSERT INTO policy_instruments(code, document_code, name_zh, name_en, kind, eligibility_class, standard_rate_micro,
		reduced_rate_micro, base_indicator, rate_note, note, quote, source, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET document_code = excluded.document_code, name_zh = excluded.name_zh, name_en = excluded.name_en,
		kind = excluded.kind, eligibility_class = excluded.eligibility_class, standard_rate_micro = excluded.standard_rate_micro,
		reduced_rate_micro = excluded.reduced_rate_micro, base_indicator = excluded.base_indicator, rate_note = excluded.rate_note,
		note = excluded.note, quote = excluded.quote, source = excluded.source, sort_order = excluded.sort_order`,
		p.Code, p.DocumentCode, p.NameZh, p.NameEn, p.Kind, nullStr(p.EligibilityClass), nullPtr(p.StandardRate), nullPtr(p.ReducedRate),
		nullStr(p.BaseIndicator), p.RateNote, p.Note, p.Quote, p.Source, p.SortOrder)
	return err
}

// PolicyInstrumentByCode reads an instrument inside a write transaction.
func (t *Tx) PolicyInstrumentByCode(ctx context.Context, code string) (PolicyInstrument, error) {
	p, err := scanPolicyInst(t.queryRow(ctx, "SELECT "+policyInstColumns+" FROM policy_instruments WHERE code = ?", code))
	return p, notFound(err)
}

// PolicyInstruments lists the instruments in display order.
func (db *DB) PolicyInstruments(ctx context.Context) ([]PolicyInstrument, error) {
	return all(ctx, db, scanPolicyInst, "SELECT "+policyInstColumns+" FROM policy_instruments ORDER BY sort_order, code")
}

// RetirePolicyDocument marks a document no longer in force from date, with the reason.
func (t *Tx) RetirePolicyDocument(ctx context.Context, code, date, note string) error {
	_, err := t.exec(ctx, "UPDATE policy_documents SET retired = ?, retired_note = ? WHERE code = ?", date, note, code)
	return err
}

// RetirePolicyInstrument marks an instrument no longer in force from date, with the reason.
func (t *Tx) RetirePolicyInstrument(ctx context.Context, code, date, note string) error {
	_, err := t.exec(ctx, "UPDATE policy_instruments SET retired = ?, retired_note = ? WHERE code = ?", date, note, code)
	return err
}

// PolicyInstrumentsOf lists a document's instruments inside a write transaction.
func (t *Tx) PolicyInstrumentsOf(ctx context.Context, document string) ([]PolicyInstrument, error) {
	return all(ctx, t, scanPolicyInst, "SELECT "+policyInstColumns+" FROM policy_instruments WHERE document_code = ? ORDER BY sort_order, code", document)
}
