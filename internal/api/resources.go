package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/allocation"
	"zhanxin/internal/apperr"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// The resource and quota endpoints: minerals and products, deposits, rights with their
// flags, quota grants with documents and expert reviews, pass-down deadlines and the
// working-day calendar, production reports and violations. They call the same use cases as
// the pages. Quantities are given twice: exact integer grams (amount_g) and the same as a
// decimal string of tonnes (amount_t), never as a binary float.

func (a *API) resourceEndpoints() []Endpoint {
	return []Endpoint{
		{"GET /api/v1/products", a.listProducts},
		{"GET /api/v1/deposits", a.listDeposits},
		{"POST /api/v1/deposits", a.createDeposit},
		{"GET /api/v1/deposits/{id}", a.getDeposit},
		{"GET /api/v1/rights", a.listRights},
		{"POST /api/v1/rights", a.createRight},
		{"GET /api/v1/quota/grants", a.listGrants},
		{"POST /api/v1/quota/grants", a.createGrant},
		{"GET /api/v1/quota/grants/{id}", a.getGrant},
		{"POST /api/v1/quota/grants/{id}/documents", a.attachDocument},
		{"POST /api/v1/quota/grants/{id}/reviews", a.addReview},
		{"GET /api/v1/quota/documents/{id}", a.getDocument},
		{"GET /api/v1/quota/deadlines", a.listDeadlines},
		{"GET /api/v1/quota/calendar", a.listCalendar},
		{"POST /api/v1/quota/calendar/{day}", a.setCalendarDay},
		{"DELETE /api/v1/quota/calendar/{day}", a.deleteCalendarDay},
		{"POST /api/v1/quota/rules", a.setReportRule},
		{"POST /api/v1/quota/closed-periods", a.closePeriod},
		{"GET /api/v1/quota/reports", a.listReports},
		{"POST /api/v1/quota/reports", a.createReport},
		{"GET /api/v1/quota/reports/{id}", a.getReport},
		{"GET /api/v1/quota/violations", a.listViolations},
		{"GET /api/v1/quota/grant-warnings", a.grantWarning},
		{"GET /api/v1/ledger/accounts", a.listLedgerAccounts},
		{"GET /api/v1/ledger/statement", a.ledgerStatement},
		{"GET /api/v1/ledger/reconcile", a.ledgerReconcile},
		{"GET /api/v1/allocation/rounds", a.listRounds},
		{"POST /api/v1/allocation/rounds", a.createRound},
		{"GET /api/v1/allocation/rounds/{id}", a.getRound},
		{"POST /api/v1/allocation/rounds/{id}/rules", a.setRoundRules},
		{"POST /api/v1/allocation/rounds/{id}/apply", a.applyRound},
		{"GET /api/v1/allocation/rounds/{id}/target-risk", a.roundTargetRisk},
	}
}

func (a *API) resources() *resource.Service { return &resource.Service{DB: a.DB, Now: a.Now} }
func (a *API) quota() *quota.Service        { return quota.New(a.DB, a.Now) }

// tonnes writes grams as an exact decimal string of tonnes ("17900", "0.0015").
func tonnes(g int64) string {
	return strings.ReplaceAll(strings.TrimSuffix(ledger.FormatTonnes(g), " t"), ",", "")
}

func optTonnes(g *int64) *string {
	if g == nil {
		return nil
	}
	s := tonnes(*g)
	return &s
}

func optPercent(ppm *int64) *string {
	if ppm == nil {
		return nil
	}
	s := strings.TrimSuffix(resource.FormatPercent(*ppm), "%")
	return &s
}

// Product is a mineral or product.
type Product struct {
	Code      string  `json:"code"`
	NameZh    string  `json:"name_zh"`
	NameEn    string  `json:"name_en"`
	Kind      string  `json:"kind"`
	Commodity *string `json:"commodity"`
	UnitZh    string  `json:"unit_zh"`
	UnitEn    string  `json:"unit_en"`
	Oxide     string  `json:"oxide"`
	OxidePct  *string `json:"oxide_pct"`
	Basis     string  `json:"basis"`
	Source    string  `json:"source"`
}

var productListing = listing{sorts: []string{"code", "name", "kind", "oxide"}}

func (a *API) listProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := productListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.resources().Products(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, func(x store.Product) Product {
		return Product{Code: x.Code, NameZh: x.NameZh, NameEn: x.NameEn, Kind: x.Kind, Commodity: nullString(x.Commodity), UnitZh: x.UnitZh,
			UnitEn: x.UnitEn, Oxide: x.Oxide, OxidePct: optPercent(x.OxidePPM), Basis: x.Basis, Source: x.Source}
	}))
	return nil
}

// Deposit is a deposit (or a region's total) with reserves in tonnes of its mineral's
// unit; null is unknown.
type Deposit struct {
	ID               int64          `json:"id"`
	Code             string         `json:"code"`
	NameZh           string         `json:"name_zh"`
	NameEn           string         `json:"name_en"`
	RegionCode       string         `json:"region_code"`
	Mineral          string         `json:"mineral"`
	Unit             string         `json:"unit"`
	Type             string         `json:"type"`
	ProvenT          *string        `json:"proven_t"`
	RemainingT       *string        `json:"remaining_t"`
	GradePct         *string        `json:"grade_pct"`
	NationalSharePct *string        `json:"national_share_pct"`
	ShareQualifier   string         `json:"share_qualifier"`
	Source           string         `json:"source"`
	SourceStatus     string         `json:"source_status"`
	Quote            string         `json:"quote"`
	Note             string         `json:"note"`
	Elements         []DepositShare `json:"elements,omitempty"`
}

// DepositShare is one element's cited share of a deposit's REO.
type DepositShare struct {
	Element  string `json:"element"`
	SharePct string `json:"share_pct"`
	Source   string `json:"source"`
	Quote    string `json:"quote"`
}

func depositOf(d store.Deposit) Deposit {
	var share *int64
	if d.NationalShareBP != nil {
		v := *d.NationalShareBP * 100
		share = &v
	}
	return Deposit{ID: d.ID, Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, RegionCode: d.RegionCode, Mineral: d.Mineral,
		Unit: d.MineralUnit, Type: d.Type, ProvenT: optTonnes(d.ProvenG), RemainingT: optTonnes(d.RemainingG),
		GradePct: optPercent(d.GradePPM), NationalSharePct: optPercent(share), ShareQualifier: d.ShareQualifier, Source: d.Source,
		SourceStatus: d.SourceStatus, Quote: d.Quote, Note: d.Note}
}

var depositListing = listing{sorts: []string{"code", "name", "region", "mineral", "type", "proven", "remaining"}}

func (a *API) listDeposits(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := depositListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.resources().Deposits(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, depositOf))
	return nil
}

func (a *API) getDeposit(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	d, err := a.resources().Deposit(r.Context(), p, pathID(r))
	if err != nil {
		return err
	}
	out := depositOf(d.Deposit)
	out.Elements = []DepositShare{}
	for _, e := range d.Elements {
		v := e.SharePPM
		out.Elements = append(out.Elements, DepositShare{Element: e.Element, SharePct: *optPercent(&v), Source: e.Source, Quote: e.Quote})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createDeposit(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body resource.NewDeposit
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	d, err := a.resources().CreateDeposit(r.Context(), p, body)
	if err != nil {
		return err
	}
	full, err := a.resources().Deposit(r.Context(), p, d.ID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, depositOf(full.Deposit))
	return nil
}

// Right is an exploration or mining right with its flags.
type Right struct {
	ID                    int64          `json:"id"`
	PermitNo              string         `json:"permit_no"`
	Kind                  string         `json:"kind"`
	HolderID              int64          `json:"holder_id"`
	HolderName            string         `json:"holder_name"`
	HolderStateControlled bool           `json:"holder_state_controlled"`
	DepositID             *int64         `json:"deposit_id"`
	AreaKm2               *string        `json:"area_km2"`
	GrantedOn             string         `json:"granted_on"`
	ValidFrom             string         `json:"valid_from"`
	ValidTo               string         `json:"valid_to"`
	CapacityT             *string        `json:"capacity_t"`
	Status                string         `json:"status"`
	Source                string         `json:"source"`
	LastReport            *string        `json:"last_report"`
	Flags                 resource.Flags `json:"flags"`
}

func rightOf(x resource.RightView) Right {
	return Right{ID: x.ID, PermitNo: x.PermitNo, Kind: x.Kind, HolderID: x.HolderID, HolderName: x.HolderName,
		HolderStateControlled: x.HolderStateControlled, DepositID: nullInt(x.DepositID), AreaKm2: optTonnes(x.AreaM2),
		GrantedOn: x.GrantedOn, ValidFrom: x.ValidFrom, ValidTo: x.ValidTo, CapacityT: optTonnes(x.CapacityG), Status: x.Status,
		Source: x.Source, LastReport: nullString(x.LastReport), Flags: x.Flags}
}

var rightListing = listing{sorts: []string{"permit", "kind", "holder", "valid_to", "status", "granted_on"}}

func (a *API) listRights(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := rightListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.resources().Rights(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, rightOf))
	return nil
}

func (a *API) createRight(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body resource.NewRight
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	x, err := a.resources().CreateRight(r.Context(), p, body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, rightOf(x))
	return nil
}

// Grant is a quota grant.
type Grant struct {
	ID           int64    `json:"id"`
	Ledger       string   `json:"ledger"`
	Batch        string   `json:"batch"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	AmountG      int64    `json:"amount_g"`
	AmountT      string   `json:"amount_t"`
	TransferID   string   `json:"transfer_id"`
	GrantedOn    *string  `json:"granted_on"`
	DocNo        string   `json:"doc_no"`
	Source       string   `json:"source"`
	SourceStatus string   `json:"source_status"`
	Note         string   `json:"note"`
	Documents    int      `json:"documents"`
	Reviews      int      `json:"reviews"`
	DocumentList []Doc    `json:"document_list,omitempty"`
	ReviewList   []Review `json:"review_list,omitempty"`
}

// Doc is a grant's stored document; Content is base64 only when one document is asked for.
type Doc struct {
	ID          int64     `json:"id"`
	GrantID     int64     `json:"grant_id"`
	Kind        string    `json:"kind"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Content     string    `json:"content_base64,omitempty"`
}

// Review is an expert review.
type Review struct {
	ID         int64  `json:"id"`
	GrantID    int64  `json:"grant_id"`
	ReviewedOn string `json:"reviewed_on"`
	Experts    string `json:"experts"`
	Conclusion string `json:"conclusion"`
	Opinion    string `json:"opinion"`
}

func grantOf(g store.QuotaGrant) Grant {
	return Grant{ID: g.ID, Ledger: g.LedgerKey, Batch: g.Batch, From: g.FromAccount, To: g.ToAccount, AmountG: g.AmountG,
		AmountT: tonnes(g.AmountG), TransferID: g.TransferID, GrantedOn: nullString(g.GrantedOn), DocNo: g.DocNo, Source: g.Source,
		SourceStatus: g.SourceStatus, Note: g.Note, Documents: g.Documents, Reviews: g.Reviews}
}

func docOf(d store.QuotaDocument) Doc {
	return Doc{ID: d.ID, GrantID: d.GrantID, Kind: d.Kind, Filename: d.Filename, ContentType: d.ContentType, Size: d.Size,
		SHA256: d.SHA256, UploadedBy: d.UploadedBy, UploadedAt: d.UploadedAt.UTC()}
}

func reviewOf(x store.QuotaReview) Review {
	return Review{ID: x.ID, GrantID: x.GrantID, ReviewedOn: x.ReviewedOn, Experts: x.Experts, Conclusion: x.Conclusion, Opinion: x.Opinion}
}

var grantListing = listing{sorts: []string{"granted_on", "batch", "from", "to", "amount", "ledger"}}

func (a *API) listGrants(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := grantListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := a.quota().Grants(r.Context(), p, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, grantOf))
	return nil
}

func (a *API) writeGrant(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	p, _ := principal(r)
	d, err := a.quota().GrantDetail(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := grantOf(d.QuotaGrant)
	out.DocumentList, out.ReviewList = []Doc{}, []Review{}
	for _, x := range d.Documents {
		out.DocumentList = append(out.DocumentList, docOf(x))
	}
	for _, x := range d.Reviews {
		out.ReviewList = append(out.ReviewList, reviewOf(x))
	}
	WriteJSON(w, status, out)
	return nil
}

func (a *API) getGrant(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	return a.writeGrant(w, r, http.StatusOK, pathID(r))
}

func (a *API) createGrant(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body quota.NewGrant
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	g, err := a.quota().Grant(r.Context(), p, body)
	if err != nil {
		return err
	}
	return a.writeGrant(w, r, http.StatusCreated, g.ID)
}

// NewDocument is a document sent as JSON: its bytes in base64.
type NewDocument struct {
	Kind        string `json:"kind"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Content     string `json:"content_base64"`
}

func (a *API) attachDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body NewDocument
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(body.Content)
	if err != nil {
		return apperr.New(apperr.Invalid, "bad_document", "quota.err.document").With("content_base64", "quota.err.base64")
	}
	d, err := a.quota().AttachDocument(r.Context(), p, pathID(r), body.Kind, body.Filename, body.ContentType, b)
	if err != nil {
		if e := apperr.From(err); e.Kind != apperr.Internal {
			for i := range e.Fields {
				if e.Fields[i].Name == "file" {
					e.Fields[i].Name = "content_base64"
				}
			}
		}
		return err
	}
	WriteJSON(w, http.StatusCreated, docOf(d))
	return nil
}

func (a *API) getDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	d, err := a.quota().Document(r.Context(), p, pathID(r))
	if err != nil {
		return err
	}
	out := docOf(d)
	out.Content = base64.StdEncoding.EncodeToString(d.Body)
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) addReview(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body quota.NewReview
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	x, err := a.quota().AddReview(r.Context(), p, pathID(r), body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, reviewOf(x))
	return nil
}

// Deadline is the pass-down duty of a grant received by a province or city.
type Deadline struct {
	GrantID  int64   `json:"grant_id"`
	Account  string  `json:"account"`
	Batch    string  `json:"batch"`
	Received *string `json:"received_on"`
	AmountG  int64   `json:"amount_g"`
	Due      *string `json:"due_on"`
	PassedG  int64   `json:"passed_g"`
	PassedOn *string `json:"passed_on"`
	Status   string  `json:"status"`
	WorkDays int     `json:"work_days"`
}

func (a *API) listDeadlines(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ds, err := a.quota().Deadlines(r.Context(), p)
	if err != nil {
		return err
	}
	out := []Deadline{}
	for _, d := range ds {
		out = append(out, Deadline{GrantID: d.GrantID, Account: d.Account, Batch: d.Batch, Received: nullString(d.Received), AmountG: d.AmountG,
			Due: nullString(d.Due), PassedG: d.PassedG, PassedOn: nullString(d.PassedOn), Status: d.Status, WorkDays: d.WorkDays})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

// CalendarDay is a working-day calendar exception.
type CalendarDay struct {
	Day  string `json:"day"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

func (a *API) listCalendar(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	days, err := a.quota().Calendar(r.Context(), p)
	if err != nil {
		return err
	}
	out := []CalendarDay{}
	for _, d := range days {
		out = append(out, CalendarDay(d))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

func (a *API) setCalendarDay(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	d := store.CalendarDay{Day: r.PathValue("day"), Kind: body.Kind, Name: strings.TrimSpace(body.Name)}
	if err := a.quota().SetCalendarDay(r.Context(), p, d); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, CalendarDay(d))
	return nil
}

func (a *API) deleteCalendarDay(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.quota().DeleteCalendarDay(r.Context(), p, r.PathValue("day")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) setReportRule(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Ledger    string `json:"ledger"`
		AllowOver bool   `json:"allow_over"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := a.quota().SetReportRule(r.Context(), p, body.Ledger, body.AllowOver); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, body)
	return nil
}

func (a *API) closePeriod(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Ledger string `json:"ledger"`
		Period string `json:"period"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := a.quota().ClosePeriod(r.Context(), p, body.Ledger, body.Period); err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, body)
	return nil
}

// Report is a production report.
type Report struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	Enterprise   string    `json:"enterprise"`
	Ledger       string    `json:"ledger"`
	Account      string    `json:"account"`
	Period       string    `json:"period"`
	AmountG      int64     `json:"amount_g"`
	AmountT      string    `json:"amount_t"`
	ConsumedG    int64     `json:"consumed_g"`
	OverG        int64     `json:"over_g"`
	TransferID   *string   `json:"transfer_id"`
	Late         bool      `json:"late"`
	DueOn        string    `json:"due_on"`
	Note         string    `json:"note"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

func reportOf(x store.QuotaReport) Report {
	return Report{ID: x.ID, EnterpriseID: x.EnterpriseID, Enterprise: x.EnterpriseName, Ledger: x.LedgerKey, Account: x.Account,
		Period: x.Period, AmountG: x.AmountG, AmountT: tonnes(x.AmountG), ConsumedG: x.ConsumedG, OverG: x.OverG,
		TransferID: nullString(x.TransferID), Late: x.Late, DueOn: x.DueOn, Note: x.Note, CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt.UTC()}
}

var reportListing = listing{sorts: []string{"period", "enterprise", "amount", "over", "submitted"}}

func (a *API) listReports(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := reportListing.parseList(r)
	if err != nil {
		return err
	}
	flagged, err := boolParam(r, "flagged")
	if err != nil {
		return err
	}
	res, err := a.quota().Reports(r.Context(), p, flagged, q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, reportOf))
	return nil
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	x, err := a.quota().ReportByID(r.Context(), p, pathID(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, reportOf(x))
	return nil
}

func (a *API) createReport(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body quota.NewReport
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	x, err := a.quota().Report(r.Context(), p, body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, reportOf(x))
	return nil
}

func (a *API) listViolations(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	y := r.URL.Query().Get("year")
	year, err := strconv.Atoi(y)
	if err != nil || year < 1949 || year > 2200 {
		return invalidQuery().With("year", "quota.err.year", y)
	}
	vs, err := a.quota().Violations(r.Context(), p, year)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []quota.Violation{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": vs})
	return nil
}

// LedgerAccount is an account with its four balances in grams.
type LedgerAccount struct {
	Code           string  `json:"code"`
	Name           string  `json:"name"`
	Ledger         string  `json:"ledger"`
	Holder         string  `json:"holder"`
	EnterpriseID   *int64  `json:"enterprise_id"`
	RegionCode     *string `json:"region_code"`
	Flags          int64   `json:"flags"`
	CreditsPosted  int64   `json:"credits_posted"`
	DebitsPosted   int64   `json:"debits_posted"`
	CreditsPending int64   `json:"credits_pending"`
	DebitsPending  int64   `json:"debits_pending"`
}

var ledgerAccountListing = listing{sorts: []string{"code", "name", "holder", "ledger"}}

func (a *API) ledgerKeys(r *http.Request) (map[int64]string, error) {
	p, _ := principal(r)
	ls, err := ledger.New(a.DB, a.Now).Ledgers(r.Context(), p)
	out := map[int64]string{}
	for _, l := range ls {
		out[l.ID] = l.Key()
	}
	return out, err
}

func (a *API) listLedgerAccounts(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	q, info, err := ledgerAccountListing.parseList(r)
	if err != nil {
		return err
	}
	res, err := ledger.New(a.DB, a.Now).Accounts(r.Context(), p, 0, q)
	if err != nil {
		return err
	}
	keys, err := a.ledgerKeys(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, page(res, info, func(x ledger.Account) LedgerAccount {
		return LedgerAccount{Code: x.Code, Name: x.Name, Ledger: keys[x.LedgerID], Holder: string(x.Holder), EnterpriseID: nullInt(x.EnterpriseID),
			RegionCode: nullString(x.RegionCode), Flags: int64(x.Flags), CreditsPosted: x.CreditsPosted, DebitsPosted: x.DebitsPosted,
			CreditsPending: x.CreditsPending, DebitsPending: x.DebitsPending}
	}))
	return nil
}

// StatementLine is one transfer on a statement.
type StatementLine struct {
	Seq          int64     `json:"seq"`
	Timestamp    time.Time `json:"timestamp"`
	Side         string    `json:"side"`
	Counterparty string    `json:"counterparty"`
	AmountG      int64     `json:"amount_g"`
	Code         string    `json:"code"`
	Pending      bool      `json:"pending"`
	Ref          string    `json:"ref"`
	CreditsAfter int64     `json:"credits_posted_after"`
	DebitsAfter  int64     `json:"debits_posted_after"`
}

func statementLineOf(l ledger.Line) StatementLine {
	return StatementLine{Seq: l.Seq, Timestamp: l.Timestamp.UTC(), Side: l.Side, Counterparty: l.Counterparty,
		AmountG: l.Amount, Code: ledger.Codes[l.Code].Name, Pending: l.Flags&ledger.Pending != 0, Ref: l.Ref,
		CreditsAfter: l.CreditsPosted, DebitsAfter: l.DebitsPosted}
}

// BalanceAt is an account's balances at an instant.
type BalanceAt struct {
	At             time.Time `json:"at"`
	CreditsPosted  int64     `json:"credits_posted"`
	DebitsPosted   int64     `json:"debits_posted"`
	CreditsPending int64     `json:"credits_pending"`
	DebitsPending  int64     `json:"debits_pending"`
	AvailableG     int64     `json:"available_g"`
}

func balanceOf(b ledger.Balance) BalanceAt {
	return BalanceAt{At: b.At.UTC(), CreditsPosted: b.CreditsPosted, DebitsPosted: b.DebitsPosted, CreditsPending: b.CreditsPending,
		DebitsPending: b.DebitsPending, AvailableG: b.Available()}
}

func (a *API) ledgerStatement(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	e := invalidQuery()
	acct := v.Get("account")
	if acct == "" {
		e.With("account", "quota.err.account_required")
	}
	from, err1 := time.ParseInLocation("2006-01-02", v.Get("from"), ledger.ChinaTime)
	if err1 != nil {
		e.With("from", "quota.err.date", v.Get("from"))
	}
	to, err2 := ledger.EndOfDay(v.Get("to"))
	if err2 != nil {
		e.With("to", "quota.err.date", v.Get("to"))
	}
	if err1 == nil && err2 == nil && to.Before(from) {
		e.With("to", "quota.ledger.err.to_before_from", v.Get("to"), v.Get("from"))
	}
	if len(e.Fields) > 0 {
		return e
	}
	st, err := ledger.New(a.DB, a.Now).Statement(r.Context(), p, acct, from, to, 10000)
	if err != nil {
		return err
	}
	lines := []StatementLine{}
	for _, l := range st.Lines {
		lines = append(lines, statementLineOf(l))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"account": acct, "opening": balanceOf(st.Opening), "closing": balanceOf(st.Closing),
		"lines": lines, "more": st.More})
	return nil
}

func (a *API) ledgerReconcile(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	rep, err := ledger.New(a.DB, a.Now).Reconcile(r.Context(), p)
	if err != nil {
		return err
	}
	type line struct {
		Ledger        string `json:"ledger"`
		Accounts      int    `json:"accounts"`
		Transfers     int64  `json:"transfers"`
		DebitsPosted  int64  `json:"debits_posted"`
		CreditsPosted int64  `json:"credits_posted"`
		OK            bool   `json:"ok"`
	}
	out := struct {
		OK            bool      `json:"ok"`
		At            time.Time `json:"at"`
		Ledgers       []line    `json:"ledgers"`
		Discrepancies []string  `json:"discrepancies"`
	}{OK: rep.OK(), At: rep.At.UTC(), Ledgers: []line{}, Discrepancies: []string{}}
	for _, l := range rep.Ledgers {
		out.Ledgers = append(out.Ledgers, line{Ledger: l.Ledger.Key(), Accounts: l.Accounts, Transfers: l.Transfers,
			DebitsPosted: l.DebitsPosted, CreditsPosted: l.CreditsPosted, OK: l.OK})
	}
	lang := a.Lang(r)
	for _, d := range rep.Discrepancies {
		out.Discrepancies = append(out.Discrepancies, d.Ledger+": "+a.Cat.T(lang, d.Key, d.Args...))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// Round is an allocation round with its rules and, for a run, the result.
type Round struct {
	ID          int64          `json:"id"`
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Ledger      string         `json:"ledger"`
	PoolAccount string         `json:"pool_account"`
	SupplyG     int64          `json:"supply_g"`
	Status      string         `json:"status"`
	Note        string         `json:"note"`
	Tiers       []RoundTier    `json:"tiers,omitempty"`
	Requests    []RoundRequest `json:"requests,omitempty"`
	Run         *RoundRun      `json:"run,omitempty"`
}

// RoundTier names a tier.
type RoundTier struct {
	Tier   int    `json:"tier"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// RoundRequest is a request with its rules, in grams.
type RoundRequest struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Enterprise   string `json:"enterprise"`
	Account      string `json:"account"`
	Tier         int    `json:"tier"`
	RequestedG   int64  `json:"requested_g"`
	MinG         int64  `json:"min_g"`
	CapG         int64  `json:"cap_g"`
	Reason       string `json:"reason"`
}

// RoundRun is the allocation at ScalePct of the supply; LossG against 100% when scaled.
type RoundRun struct {
	ScalePct   int          `json:"scale_pct"`
	SupplyG    int64        `json:"supply_g"`
	AllocatedG int64        `json:"allocated_g"`
	LeftG      int64        `json:"left_g"`
	Applied    bool         `json:"applied"`
	Shares     []RoundShare `json:"shares"`
}

// RoundShare is one enterprise's share and why.
type RoundShare struct {
	EnterpriseID int64    `json:"enterprise_id"`
	Enterprise   string   `json:"enterprise"`
	Tier         int      `json:"tier"`
	GuaranteeG   int64    `json:"guarantee_g"`
	ProRataG     int64    `json:"pro_rata_g"`
	GotG         int64    `json:"got_g"`
	LossG        *int64   `json:"loss_g"`
	Explanation  []string `json:"explanation"`
}

func roundOf(x store.AllocRound) Round {
	return Round{ID: x.ID, Code: x.Code, Name: x.Name, Ledger: x.LedgerKey, PoolAccount: x.PoolAccount, SupplyG: x.SupplyG,
		Status: x.Status, Note: x.Note}
}

func (a *API) listRounds(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	rs, err := allocation.New(a.DB, a.Now).Rounds(r.Context(), p)
	if err != nil {
		return err
	}
	out := []Round{}
	for _, x := range rs {
		out = append(out, roundOf(x))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

func (a *API) writeRound(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	p, _ := principal(r)
	scale := 100
	if v := r.URL.Query().Get("scale_pct"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return invalidQuery().With("scale_pct", "allocation.err.scale", v)
		}
		scale = n
	}
	svc := allocation.New(a.DB, a.Now)
	v, err := svc.Round(r.Context(), p, id)
	if err != nil {
		return err
	}
	run, err := svc.Run(r.Context(), p, id, scale)
	if err != nil {
		return err
	}
	out := roundOf(v.AllocRound)
	for _, t := range v.Tiers {
		out.Tiers = append(out.Tiers, RoundTier(t))
	}
	out.Requests = []RoundRequest{}
	for _, q := range v.Requests {
		out.Requests = append(out.Requests, RoundRequest{EnterpriseID: q.EnterpriseID, Enterprise: q.EnterpriseName, Account: q.Account,
			Tier: q.Tier, RequestedG: q.RequestedG, MinG: q.MinG, CapG: q.CapG, Reason: q.Reason})
	}
	lang := a.Lang(r)
	rr := &RoundRun{ScalePct: scale, SupplyG: run.Result.SupplyG, AllocatedG: run.Result.AllocatedG, LeftG: run.Result.LeftG,
		Applied: v.Status == "applied", Shares: []RoundShare{}}
	for _, sh := range run.Result.Shares {
		x := RoundShare{EnterpriseID: sh.EnterpriseID, Enterprise: sh.Name, Tier: sh.Tier, GuaranteeG: sh.GuaranteeG, ProRataG: sh.ProRataG,
			GotG: sh.GotG, Explanation: []string{}}
		if run.LossG != nil {
			l := run.LossG[sh.EnterpriseID]
			x.LossG = &l
		}
		for _, st := range sh.Steps {
			x.Explanation = append(x.Explanation, a.Cat.T(lang, st.Key, st.Args...))
		}
		rr.Shares = append(rr.Shares, x)
	}
	out.Run = rr
	WriteJSON(w, status, out)
	return nil
}

func (a *API) getRound(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	return a.writeRound(w, r, http.StatusOK, pathID(r))
}

func (a *API) createRound(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body allocation.NewRound
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	x, err := allocation.New(a.DB, a.Now).CreateRound(r.Context(), p, body)
	if err != nil {
		return err
	}
	return a.writeRound(w, r, http.StatusCreated, x.ID)
}

func (a *API) setRoundRules(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var body struct {
		Tiers    []allocation.TierIn    `json:"tiers"`
		Requests []allocation.RequestIn `json:"requests"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := allocation.New(a.DB, a.Now).SetRules(r.Context(), p, pathID(r), body.Tiers, body.Requests); err != nil {
		return err
	}
	return a.writeRound(w, r, http.StatusOK, pathID(r))
}

func (a *API) applyRound(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if _, err := allocation.New(a.DB, a.Now).Apply(r.Context(), p, pathID(r)); err != nil {
		return err
	}
	return a.writeRound(w, r, http.StatusOK, pathID(r))
}

// grantWarning is what a regulator sees before granting quota to an account: the
// grantee's over-quota violation of the year before, with the proposed cut (none: empty).
func (a *API) grantWarning(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	v, err := a.quota().GrantWarning(r.Context(), p, r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	vs := []quota.Violation{}
	if v != nil {
		vs = append(vs, *v)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": vs})
	return nil
}

// roundTargetRisk is the plan targets a scenario of a round puts at risk (scale_pct,
// default 90: "next year's quota falls 10%"), with every input and, where a share of
// the gap cannot be computed, the reason.
func (a *API) roundTargetRisk(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	scale := 90
	if v := r.URL.Query().Get("scale_pct"); v != "" {
		if scale, err = strconv.Atoi(v); err != nil {
			return invalidQuery().With("scale_pct", "allocation.err.scale", v)
		}
	}
	risk, err := allocation.New(a.DB, a.Now).TargetsAtRisk(r.Context(), p, pathID(r), scale)
	if err != nil {
		return err
	}
	for i := range risk.Targets {
		if risk.Targets[i].Enterprises == nil {
			risk.Targets[i].Enterprises = []allocation.RiskEnterprise{}
		}
	}
	WriteJSON(w, http.StatusOK, risk)
	return nil
}
