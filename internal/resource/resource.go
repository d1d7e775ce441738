// Package resource holds the resource base the quota system governs (资源): minerals and
// products with their base units and oxide content, deposits with their reserves and
// element distribution, and exploration and mining rights with the checks the regulator
// wants to see — the article's state-holding rule (新增探矿权、采矿权纳入国有控股公司) as
// a warning, expired and idle rights as flags.
package resource

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
)

// Service runs the resource use cases against a database with a clock.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

func invalid(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

// Products lists minerals and products.
func (s *Service) Products(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[store.Product], error) {
	if err := auth.Require(p, auth.ReadResources); err != nil {
		return store.Page[store.Product]{}, err
	}
	return s.DB.ListProducts(ctx, q)
}

// Deposits lists deposits.
func (s *Service) Deposits(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[store.Deposit], error) {
	if err := auth.Require(p, auth.ReadResources); err != nil {
		return store.Page[store.Deposit]{}, err
	}
	return s.DB.ListDeposits(ctx, q)
}

// DepositDetail is a deposit with its element distribution.
type DepositDetail struct {
	store.Deposit
	Elements []store.DepositElement
}

// Deposit reads one deposit with its elements.
func (s *Service) Deposit(ctx context.Context, p *auth.Principal, id int64) (DepositDetail, error) {
	if err := auth.Require(p, auth.ReadResources); err != nil {
		return DepositDetail{}, err
	}
	d, err := s.DB.DepositByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return DepositDetail{}, apperr.New(apperr.NotFound, "unknown_deposit", "resources.err.unknown_deposit", id)
	} else if err != nil {
		return DepositDetail{}, err
	}
	es, err := s.DB.DepositElements(ctx, id)
	return DepositDetail{Deposit: d, Elements: es}, err
}

// DepositTypes are the kinds of deposit; regional_total is a region's sum where a source
// gives no per-deposit figures (the article's city-wide reserves).
var DepositTypes = []string{"ionic_clay", "rock", "vein", "skarn", "regional_total", "other"}

// SourceStatuses: V seen in the source, D derived by arithmetic from V figures, NV not
// verified (REFERENCE.md's legend), E an enterprise or regulator's own record.
var SourceStatuses = []string{"V", "D", "NV", "E"}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$`)

// NewDeposit is what a regulator enters. Quantities are tonnes as written ("838200",
// "45.69万" is not accepted: units are explicit); "" is unknown. Grade and share are
// percentages as written ("0.08", "40").
type NewDeposit struct {
	Code          string `json:"code"`
	NameZh        string `json:"name_zh"`
	NameEn        string `json:"name_en"`
	RegionCode    string `json:"region_code"`
	Mineral       string `json:"mineral"`
	Type          string `json:"type"`
	ProvenT       string `json:"proven_t"`
	RemainingT    string `json:"remaining_t"`
	GradePct      string `json:"grade_pct"`
	NationalShare string `json:"national_share_pct"`
	AboutShare    bool   `json:"national_share_about"`
	Source        string `json:"source"`
	SourceStatus  string `json:"source_status"`
	Quote         string `json:"quote"`
	Note          string `json:"note"`
}

// ParsePercent reads a percentage with up to four decimals ("40", "64.83") into parts per
// million of the whole (40% → 400000); "" is nil (unknown).
func ParsePercent(s string) (*int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return nil, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 4 || whole == "" {
		return nil, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 100 {
		return nil, false
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64); err != nil || f < 0 {
			return nil, false
		}
	}
	v := w*10000 + f*1 // ten-thousandths of a percent = ppm
	if v > 1000000 {
		return nil, false
	}
	return &v, true
}

// FormatPercent writes ppm as a percentage with the decimals it needs: 400000 → "40%".
func FormatPercent(ppm int64) string {
	w, f := ppm/10000, ppm%10000
	s := strconv.FormatInt(w, 10)
	if f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(10000+f, 10)[1:], "0")
	}
	return s + "%"
}

func tonnes(field, s string) (*int64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	g, f := ledger.ParseTonnes(s)
	if f != nil {
		return nil, invalid("bad_tonnes", field, "resources.err.tonnes", s)
	}
	return &g, nil
}

// Validate checks a deposit's own rules and converts it.
func (n NewDeposit) Validate() (store.Deposit, error) {
	d := store.Deposit{Code: strings.TrimSpace(n.Code), NameZh: strings.TrimSpace(n.NameZh), NameEn: strings.TrimSpace(n.NameEn),
		RegionCode: n.RegionCode, Mineral: n.Mineral, Type: n.Type, Source: strings.TrimSpace(n.Source), SourceStatus: n.SourceStatus,
		Quote: strings.TrimSpace(n.Quote), Note: strings.TrimSpace(n.Note)}
	e := apperr.New(apperr.Invalid, "bad_deposit", "resources.err.deposit")
	if !codeRE.MatchString(d.Code) {
		e.With("code", "resources.err.code", d.Code)
	}
	if d.NameZh == "" {
		e.With("name_zh", "resources.err.name_required")
	}
	if !contains(DepositTypes, d.Type) {
		e.With("type", "resources.err.deposit_type", d.Type, strings.Join(DepositTypes, ", "))
	}
	if d.Source == "" {
		e.With("source", "resources.err.source_required")
	}
	if !contains(SourceStatuses, d.SourceStatus) {
		e.With("source_status", "resources.err.source_status", d.SourceStatus, strings.Join(SourceStatuses, ", "))
	}
	var err error
	var ae *apperr.Error
	if d.ProvenG, err = tonnes("proven_t", n.ProvenT); errors.As(err, &ae) {
		e.Fields = append(e.Fields, ae.Fields...)
	}
	if d.RemainingG, err = tonnes("remaining_t", n.RemainingT); errors.As(err, &ae) {
		e.Fields = append(e.Fields, ae.Fields...)
	}
	if d.ProvenG != nil && d.RemainingG != nil && *d.RemainingG > *d.ProvenG {
		e.With("remaining_t", "resources.err.remaining_over_proven", n.RemainingT, n.ProvenT)
	}
	var ok bool
	if d.GradePPM, ok = ParsePercent(n.GradePct); !ok || (d.GradePPM != nil && *d.GradePPM == 0) {
		e.With("grade_pct", "resources.err.percent", n.GradePct)
	}
	share, ok := ParsePercent(n.NationalShare)
	if !ok {
		e.With("national_share_pct", "resources.err.percent", n.NationalShare)
	} else if share != nil {
		bp := *share / 100
		if bp*100 != *share {
			e.With("national_share_pct", "resources.err.percent", n.NationalShare)
		}
		d.NationalShareBP = &bp
	}
	if n.AboutShare {
		d.ShareQualifier = "about"
	}
	if len(e.Fields) > 0 {
		return d, e
	}
	return d, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// CreateDeposit records a deposit.
func (s *Service) CreateDeposit(ctx context.Context, p *auth.Principal, n NewDeposit) (store.Deposit, error) {
	if err := auth.Require(p, auth.ManageResources); err != nil {
		return store.Deposit{}, err
	}
	d, err := n.Validate()
	if err != nil {
		return d, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.refs(ctx, tx, d); err != nil {
			return err
		}
		d.CreatedAt, d.UpdatedAt = s.Now(), s.Now()
		id, err := tx.InsertDeposit(ctx, d)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "deposit_exists", "resources.err.deposit_exists", d.Code).With("code", "resources.err.deposit_exists", d.Code)
		} else if err != nil {
			return err
		}
		d.ID = id
		return audit.Record(ctx, tx, d.CreatedAt, p, "resources.deposit.create", "deposit", d.Code, nil, d)
	})
	return d, err
}

// refs checks that a deposit's region and mineral exist.
func (s *Service) refs(ctx context.Context, tx *store.Tx, d store.Deposit) error {
	if _, err := tx.RegionByCode(ctx, d.RegionCode); errors.Is(err, store.ErrNotFound) {
		return invalid("unknown_region", "region_code", "resources.err.unknown_region", d.RegionCode)
	} else if err != nil {
		return err
	}
	if _, err := tx.ProductByCode(ctx, d.Mineral); errors.Is(err, store.ErrNotFound) {
		return invalid("unknown_mineral", "mineral", "resources.err.unknown_mineral", d.Mineral)
	} else if err != nil {
		return err
	}
	return nil
}

// Element is one element's share of a deposit's REO as entered, with its citation.
type Element struct {
	Element  string `json:"element"`
	SharePct string `json:"share_pct"`
	Source   string `json:"source"`
	Quote    string `json:"quote"`
}

// rareEarths are the oxides an element distribution may name (the 15 lanthanides without
// promethium, plus yttrium and scandium), written as sources write them.
var rareEarths = []string{"La2O3", "CeO2", "Pr6O11", "Nd2O3", "Sm2O3", "Eu2O3", "Gd2O3", "Tb4O7", "Dy2O3", "Ho2O3",
	"Er2O3", "Tm2O3", "Yb2O3", "Lu2O3", "Y2O3", "Sc2O3"}

// SetElements replaces a deposit's element distribution. Every share needs its source (a
// distribution is never shipped or guessed uncited), and the shares may not add up to
// more than 100%; a partial distribution (only what the source gives) is allowed.
func (s *Service) SetElements(ctx context.Context, p *auth.Principal, depositID int64, es []Element) error {
	if err := auth.Require(p, auth.ManageResources); err != nil {
		return err
	}
	e := apperr.New(apperr.Invalid, "bad_elements", "resources.err.elements")
	var rows []store.DepositElement
	var sum int64
	seen := map[string]bool{}
	for i, x := range es {
		at := "elements[" + strconv.Itoa(i) + "]."
		if !contains(rareEarths, x.Element) {
			e.With(at+"element", "resources.err.element", x.Element, strings.Join(rareEarths, ", "))
		} else if seen[x.Element] {
			e.With(at+"element", "resources.err.element_twice", x.Element)
		}
		seen[x.Element] = true
		v, ok := ParsePercent(x.SharePct)
		if !ok || v == nil {
			e.With(at+"share_pct", "resources.err.percent", x.SharePct)
		} else {
			sum += *v
		}
		if strings.TrimSpace(x.Source) == "" {
			e.With(at+"source", "resources.err.source_required")
		}
		if v != nil {
			rows = append(rows, store.DepositElement{DepositID: depositID, Element: x.Element, SharePPM: *v,
				Source: strings.TrimSpace(x.Source), Quote: strings.TrimSpace(x.Quote)})
		}
	}
	if sum > 1000000 {
		e.With("elements", "resources.err.elements_over_100", FormatPercent(sum))
	}
	if len(e.Fields) > 0 {
		return e
	}
	d, err := s.DB.DepositByID(ctx, depositID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.New(apperr.NotFound, "unknown_deposit", "resources.err.unknown_deposit", depositID)
	} else if err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceDepositElements(ctx, depositID, rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "resources.deposit.elements", "deposit", d.Code, nil, rows)
	})
}

// Flags are what the regulator is warned about on a right.
type Flags struct {
	Expired bool `json:"expired"`
	// Idle: a mining right in force for a year or more whose holder has reported no
	// production of the deposit's commodity in the last twelve months.
	Idle bool `json:"idle"`
	// NotStateHeld: the holder is not state-controlled, against the article's policy that
	// new exploration and mining rights go to state-controlled companies. A warning: the
	// right is recorded all the same.
	NotStateHeld bool `json:"not_state_held"`
}

// RightView is a right with its flags.
type RightView struct {
	store.Right
	Flags Flags
}

// FlagsOf works out a right's flags on a day (CST date YYYY-MM-DD).
func FlagsOf(r store.Right, today string) Flags {
	f := Flags{Expired: r.ValidTo < today, NotStateHeld: !r.HolderStateControlled}
	if r.Kind == "mining" && r.Status == "active" && !f.Expired && r.Commodity != "" {
		yearAgo := shiftYear(today, -1)
		if r.ValidFrom <= yearAgo {
			// periods are "2024-03" or "2024Q1"; both compare as text against "2024-03".
			f.Idle = r.LastReport == "" || periodEnd(r.LastReport) < yearAgo
		}
	}
	return f
}

func shiftYear(day string, n int) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return t.AddDate(n, 0, 0).Format("2006-01-02")
}

// periodEnd is the last day of a report period as YYYY-MM-DD.
func periodEnd(period string) string {
	if y, q, ok := strings.Cut(period, "Q"); ok {
		qi, _ := strconv.Atoi(q)
		yi, _ := strconv.Atoi(y)
		return time.Date(yi, time.Month(qi*3)+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	return t.AddDate(0, 1, -1).Format("2006-01-02")
}

// Today is the calendar day in China (UTC+8).
func Today(now time.Time) string { return now.In(ledger.ChinaTime).Format("2006-01-02") }

// Rights lists rights with their flags. An enterprise user sees its own rights only.
func (s *Service) Rights(ctx context.Context, p *auth.Principal, q store.ListQuery) (store.Page[RightView], error) {
	var out store.Page[RightView]
	if err := auth.Require(p, auth.ReadResources); err != nil {
		return out, err
	}
	f := store.RightFilter{}
	if p.Role == auth.Enterprise {
		if p.EnterpriseID == 0 {
			return out, nil
		}
		f.HolderID = p.EnterpriseID
	}
	pg, err := s.DB.ListRights(ctx, f, q)
	out.Total = pg.Total
	today := Today(s.Now())
	for _, r := range pg.Rows {
		out.Rows = append(out.Rows, RightView{Right: r, Flags: FlagsOf(r, today)})
	}
	return out, err
}

// Right reads one right; another enterprise's right is "not found" to an enterprise user,
// exactly like one that does not exist.
func (s *Service) Right(ctx context.Context, p *auth.Principal, id int64) (RightView, error) {
	if err := auth.Require(p, auth.ReadResources); err != nil {
		return RightView{}, err
	}
	r, err := s.DB.RightByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Role == auth.Enterprise && r.HolderID != p.EnterpriseID) {
		return RightView{}, apperr.New(apperr.NotFound, "unknown_right", "resources.err.unknown_right", id)
	} else if err != nil {
		return RightView{}, err
	}
	return RightView{Right: r, Flags: FlagsOf(r, Today(s.Now()))}, nil
}

// NewRight is what a regulator enters. Area in km² and capacity in tonnes a year, as
// written; "" unknown.
type NewRight struct {
	PermitNo              string `json:"permit_no"`
	Kind                  string `json:"kind"`
	HolderID              int64  `json:"holder_id"`
	HolderStateControlled bool   `json:"holder_state_controlled"`
	DepositCode           string `json:"deposit_code"`
	AreaKm2               string `json:"area_km2"`
	GrantedOn             string `json:"granted_on"`
	ValidFrom             string `json:"valid_from"`
	ValidTo               string `json:"valid_to"`
	CapacityT             string `json:"capacity_t"`
	Status                string `json:"status"`
	Source                string `json:"source"`
	Note                  string `json:"note"`
}

var permitRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

func validDate(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil }

// ParseArea reads km² with up to six decimals into m², exactly.
func ParseArea(s string) (*int64, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	g, f := ledger.ParseTonnes(s) // the same exact six-decimal reading: 1 km² = 10^6 m²
	if f != nil || g == 0 {
		return nil, false
	}
	return &g, true
}

// CreateRight records a right and returns it with its flags: a holder that is not
// state-controlled is recorded and flagged, not refused.
func (s *Service) CreateRight(ctx context.Context, p *auth.Principal, n NewRight) (RightView, error) {
	if err := auth.Require(p, auth.ManageResources); err != nil {
		return RightView{}, err
	}
	r := store.Right{PermitNo: strings.TrimSpace(n.PermitNo), Kind: n.Kind, HolderID: n.HolderID,
		HolderStateControlled: n.HolderStateControlled, GrantedOn: n.GrantedOn, ValidFrom: n.ValidFrom, ValidTo: n.ValidTo,
		Status: n.Status, Source: strings.TrimSpace(n.Source), Note: strings.TrimSpace(n.Note)}
	e := apperr.New(apperr.Invalid, "bad_right", "resources.err.right")
	if !permitRE.MatchString(r.PermitNo) {
		e.With("permit_no", "resources.err.permit_no", r.PermitNo)
	}
	if r.Kind != "exploration" && r.Kind != "mining" {
		e.With("kind", "resources.err.right_kind", r.Kind)
	}
	if r.Status == "" {
		r.Status = "active"
	}
	if !contains([]string{"active", "suspended", "revoked"}, r.Status) {
		e.With("status", "resources.err.right_status", r.Status)
	}
	for _, d := range []struct{ field, v string }{{"granted_on", r.GrantedOn}, {"valid_from", r.ValidFrom}, {"valid_to", r.ValidTo}} {
		if !validDate(d.v) {
			e.With(d.field, "resources.err.date", d.v)
		}
	}
	if validDate(r.ValidFrom) && validDate(r.ValidTo) && r.ValidTo < r.ValidFrom {
		e.With("valid_to", "resources.err.valid_to_before_from", r.ValidTo, r.ValidFrom)
	}
	var ok bool
	if r.AreaM2, ok = ParseArea(n.AreaKm2); !ok {
		e.With("area_km2", "resources.err.area", n.AreaKm2)
	}
	if c, err := tonnes("capacity_t", n.CapacityT); err != nil {
		e.With("capacity_t", "resources.err.tonnes", n.CapacityT)
	} else if c != nil && *c == 0 {
		e.With("capacity_t", "resources.err.tonnes", n.CapacityT)
	} else {
		r.CapacityG = c
	}
	if r.Source == "" {
		e.With("source", "resources.err.source_required")
	}
	if len(e.Fields) > 0 {
		return RightView{}, e
	}
	var out RightView
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnterpriseByID(ctx, r.HolderID); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_enterprise", "holder_id", "resources.err.unknown_enterprise", r.HolderID)
		} else if err != nil {
			return err
		}
		if n.DepositCode != "" {
			d, err := tx.DepositByCode(ctx, n.DepositCode)
			if errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_deposit", "deposit_code", "resources.err.unknown_deposit_code", n.DepositCode)
			} else if err != nil {
				return err
			}
			r.DepositID = d.ID
		}
		now := s.Now()
		r.CreatedAt, r.UpdatedAt = now, now
		id, err := tx.InsertRight(ctx, r)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "right_exists", "resources.err.right_exists", r.PermitNo).With("permit_no", "resources.err.right_exists", r.PermitNo)
		} else if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, "resources.right.create", "right", r.PermitNo, nil, r); err != nil {
			return err
		}
		stored, err := tx.RightByPermit(ctx, r.PermitNo)
		if err != nil {
			return err
		}
		stored.ID = id
		out = RightView{Right: stored, Flags: FlagsOf(stored, Today(now))}
		return nil
	})
	return out, err
}
