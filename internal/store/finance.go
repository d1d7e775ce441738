package store

import (
	"context"
	"database/sql"
	"time"
)

// This file holds the SQL of funds and financing (migration 0010): funds, their
// commitments and investments into enterprises and projects, enterprises' financing
// instruments, and the listing pipeline's stage history.

// Fund is a row of funds. Size is nil when no source gives it.
type Fund struct {
	Code      string
	NameZh    string
	NameEn    string
	Kind      string // equity, industry, venture, guidance
	Status    string // proposed, raising, operating, closed
	Size      *int64 // 万元 millionths
	Note      string
	Quote     string
	Source    string
	SortOrder int
}

const fundColumns = "code, name_zh, name_en, kind, status, size_micro, note, quote, source, sort_order"

func scanFund(r rowScanner) (Fund, error) {
	var f Fund
	var size sql.NullInt64
	err := r.Scan(&f.Code, &f.NameZh, &f.NameEn, &f.Kind, &f.Status, &size, &f.Note, &f.Quote, &f.Source, &f.SortOrder)
	f.Size = ptrOf(size)
	return f, err
}

// UpsertFund inserts or replaces a fund by code.
func (t *Tx) UpsertFund(ctx context.Context, f Fund) error {
	_, err := t.exec(ctx, `INSERT INTO funds(`+fundColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind,
		status = excluded.status, size_micro = excluded.size_micro, note = excluded.note, quote = excluded.quote,
		source = excluded.source, sort_order = excluded.sort_order`,
		f.Code, f.NameZh, f.NameEn, f.Kind, f.Status, nullPtr(f.Size), f.Note, f.Quote, f.Source, f.SortOrder)
	return err
}

// FundByCode reads a fund inside a write transaction.
func (t *Tx) FundByCode(ctx context.Context, code string) (Fund, error) {
	f, err := scanFund(t.queryRow(ctx, "SELECT "+fundColumns+" FROM funds WHERE code = ?", code))
	return f, notFound(err)
}

// Funds lists the funds in display order.
func (db *DB) Funds(ctx context.Context) ([]Fund, error) {
	return all(ctx, db, scanFund, "SELECT "+fundColumns+" FROM funds ORDER BY sort_order, code")
}

// FundInvestment is a commitment or investment of a fund into an enterprise or a project.
type FundInvestment struct {
	ID           int64
	FundCode     string
	Fund         string // fund name, when listed
	Kind         string // commitment, investment
	EnterpriseID int64
	ProjectID    int64
	Target       string // enterprise or project name, when listed
	Amount       int64  // 万元 millionths
	Date         string // YYYY-MM-DD
	Note         string
	Source       string
	CreatedBy    string
	CreatedAt    time.Time
}

// InsertFundInvestment adds an investment and returns its id.
func (t *Tx) InsertFundInvestment(ctx context.Context, v FundInvestment) (int64, error) {
	return t.insertID(ctx, `INSERT INTO fund_investments(fund_code, kind, enterprise_id, project_id, amount_micro, on_date, note, source,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.FundCode, v.Kind, nullInt(v.EnterpriseID), nullInt(v.ProjectID),
		v.Amount, v.Date, v.Note, v.Source, v.CreatedBy, v.CreatedAt.UnixMilli())
}

// FinanceScope limits finance lists: all; one enterprise (its own rows and its projects');
// one region (its enterprises and the projects in it).
type FinanceScope = EnterpriseScope

func financeConds(s FinanceScope, entCol, projCol string) ([]string, []any) {
	switch {
	case s.All:
		return nil, nil
	case s.EnterpriseID != 0:
		if projCol == "" {
			return []string{entCol + " = ?"}, []any{s.EnterpriseID}
		}
		return []string{"(" + entCol + " = ? OR p.enterprise_id = ?)"}, []any{s.EnterpriseID, s.EnterpriseID}
	case s.RegionCode != "":
		if projCol == "" {
			return []string{"e.region_code = ?"}, []any{s.RegionCode}
		}
		return []string{"(e.region_code = ? OR p.region_code = ?)"}, []any{s.RegionCode, s.RegionCode}
	}
	return []string{"1 = 0"}, nil
}

var investmentList = listSpec{
	from: `fund_investments v JOIN funds f ON f.code = v.fund_code LEFT JOIN enterprises e ON e.id = v.enterprise_id
		LEFT JOIN projects p ON p.id = v.project_id`,
	columns: `v.id, v.fund_code, f.name_zh, v.kind, COALESCE(v.enterprise_id, 0), COALESCE(v.project_id, 0),
		COALESCE(e.name_zh, p.name_zh), v.amount_micro, v.on_date, v.note, v.source, v.created_by, v.created_at`,
	sorts:       map[string]string{"date": "v.on_date", "amount": "v.amount_micro", "fund": "f.name_zh", "kind": "v.kind", "id": "v.id"},
	defaultSort: "v.on_date DESC",
	filterCols:  []string{"f.name_zh", "e.name_zh", "p.name_zh", "v.note"},
	tiebreak:    "v.id",
}

// InvestmentFilter narrows the investment list.
type InvestmentFilter struct {
	FundCode     string
	EnterpriseID int64
	ProjectID    int64
}

// ListFundInvestments lists the investments within scope.
func (db *DB) ListFundInvestments(ctx context.Context, s FinanceScope, f InvestmentFilter, q ListQuery) (Page[FundInvestment], error) {
	conds, args := financeConds(s, "v.enterprise_id", "v.project_id")
	if f.FundCode != "" {
		conds, args = append(conds, "v.fund_code = ?"), append(args, f.FundCode)
	}
	if f.EnterpriseID != 0 {
		conds, args = append(conds, "v.enterprise_id = ?"), append(args, f.EnterpriseID)
	}
	if f.ProjectID != 0 {
		conds, args = append(conds, "v.project_id = ?"), append(args, f.ProjectID)
	}
	return list(ctx, db, investmentList, q, conds, args, func(r rowScanner) (FundInvestment, error) {
		var v FundInvestment
		var c int64
		err := r.Scan(&v.ID, &v.FundCode, &v.Fund, &v.Kind, &v.EnterpriseID, &v.ProjectID, &v.Target, &v.Amount, &v.Date, &v.Note,
			&v.Source, &v.CreatedBy, &c)
		v.CreatedAt = time.UnixMilli(c).UTC()
		return v, err
	})
}

// ProjectByIDForFinance reads a project inside a write transaction (parks.go, which the
// projects module owns, reads through the pool only).
func (t *Tx) ProjectByIDForFinance(ctx context.Context, id int64) (Project, error) {
	p, err := scanProject(t.queryRow(ctx, "SELECT "+projectColumns+" FROM projects WHERE id = ?", id))
	return p, notFound(err)
}

// Financing is an enterprise's financing instrument.
type Financing struct {
	ID           int64
	EnterpriseID int64
	Enterprise   string
	Kind         string // bond, mtn, scf, loan, equity
	Amount       int64  // 万元 millionths
	IssuedOn     string
	MaturesOn    string
	Note         string
	Source       string
	CreatedBy    string
	CreatedAt    time.Time
}

// InsertFinancing adds an instrument and returns its id.
func (t *Tx) InsertFinancing(ctx context.Context, f Financing) (int64, error) {
	return t.insertID(ctx, `INSERT INTO financings(enterprise_id, kind, amount_micro, issued_on, matures_on, note, source, created_by,
		created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.EnterpriseID, f.Kind, f.Amount, f.IssuedOn, f.MaturesOn, f.Note, f.Source,
		f.CreatedBy, f.CreatedAt.UnixMilli())
}

var financingList = listSpec{
	from: "financings v JOIN enterprises e ON e.id = v.enterprise_id",
	columns: `v.id, v.enterprise_id, e.name_zh, v.kind, v.amount_micro, v.issued_on, v.matures_on, v.note, v.source, v.created_by,
		v.created_at`,
	sorts:       map[string]string{"issued": "v.issued_on", "amount": "v.amount_micro", "enterprise": "e.name_zh", "kind": "v.kind", "id": "v.id"},
	defaultSort: "v.issued_on DESC",
	filterCols:  []string{"e.name_zh", "v.note"},
	tiebreak:    "v.id",
}

// ListFinancings lists the instruments within scope, optionally of one enterprise.
func (db *DB) ListFinancings(ctx context.Context, s FinanceScope, enterpriseID int64, q ListQuery) (Page[Financing], error) {
	conds, args := financeConds(s, "v.enterprise_id", "")
	if enterpriseID != 0 {
		conds, args = append(conds, "v.enterprise_id = ?"), append(args, enterpriseID)
	}
	return list(ctx, db, financingList, q, conds, args, func(r rowScanner) (Financing, error) {
		var f Financing
		var c int64
		err := r.Scan(&f.ID, &f.EnterpriseID, &f.Enterprise, &f.Kind, &f.Amount, &f.IssuedOn, &f.MaturesOn, &f.Note, &f.Source, &f.CreatedBy, &c)
		f.CreatedAt = time.UnixMilli(c).UTC()
		return f, err
	})
}

// ListingStage is one step of an enterprise's listing history.
type ListingStage struct {
	ID           int64
	EnterpriseID int64
	Enterprise   string
	Stage        string // reserve, tutoring, filed, listed
	Date         string
	Reason       string
	Source       string
	CreatedBy    string
	CreatedAt    time.Time
}

// InsertListingStage appends a stage to an enterprise's history.
func (t *Tx) InsertListingStage(ctx context.Context, l ListingStage) (int64, error) {
	return t.insertID(ctx, `INSERT INTO listing_stages(enterprise_id, stage, on_date, reason, source, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, l.EnterpriseID, l.Stage, l.Date, l.Reason, l.Source, l.CreatedBy, l.CreatedAt.UnixMilli())
}

func scanListing(r rowScanner) (ListingStage, error) {
	var l ListingStage
	var c int64
	err := r.Scan(&l.ID, &l.EnterpriseID, &l.Enterprise, &l.Stage, &l.Date, &l.Reason, &l.Source, &l.CreatedBy, &c)
	l.CreatedAt = time.UnixMilli(c).UTC()
	return l, err
}

const listingColumns = "l.id, l.enterprise_id, e.name_zh, l.stage, l.on_date, l.reason, l.source, l.created_by, l.created_at"

// LatestListingStage reads an enterprise's stage now inside a write transaction.
func (t *Tx) LatestListingStage(ctx context.Context, enterpriseID int64) (ListingStage, error) {
	l, err := scanListing(t.queryRow(ctx, "SELECT "+listingColumns+` FROM listing_stages l JOIN enterprises e ON e.id = l.enterprise_id
		WHERE l.enterprise_id = ? ORDER BY l.id DESC LIMIT 1`, enterpriseID))
	return l, notFound(err)
}

// ListingHistory lists every stage of the enterprises within scope, oldest first.
func (db *DB) ListingHistory(ctx context.Context, s FinanceScope) ([]ListingStage, error) {
	conds, args := financeConds(s, "l.enterprise_id", "")
	q := "SELECT " + listingColumns + " FROM listing_stages l JOIN enterprises e ON e.id = l.enterprise_id"
	for i, c := range conds {
		if i == 0 {
			q += " WHERE " + c
		} else {
			q += " AND " + c
		}
	}
	return all(ctx, db, scanListing, q+" ORDER BY l.enterprise_id, l.id", args...)
}
