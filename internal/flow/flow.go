// Package flow is the rare earth and tungsten layer on top of the EPCIS repository
// (internal/trace): which product an EPCIS class is and how much REO or WO3 it holds, the
// checks that read the captured events (mass balance, yields, in-transit loss, production
// versus quota, shipments out of the region or to the unlicensed, exports without a
// licence, late reports), and the workflow of the anomalies they find.
//
// Every quantity is converted to integer grams of REO or WO3 equivalent, the quota
// ledger's base unit, so balances compare with the ledger exactly.
package flow

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/bits"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/gs1"
	"zhanxin/internal/store"
)

// Service runs the flow layer's use cases.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// China time: months and the 10th-of-the-month deadline are counted in it.
var cst = time.FixedZone("CST", 8*3600)

// Stages of the chain a product can be at. Ore and concentrate are what must not leave the
// region for processing elsewhere.
var Stages = []string{"ore", "concentrate", "oxide", "metal", "alloy", "magnet", "other"}

// Units are the UN/ECE mass units a quantity may be given in, with their size in grams.
var Units = map[string]int64{"GRM": 1, "KGM": 1000, "TNE": 1000000}

// Settings are the checks' tolerances. Basis points (1/100 of a percent) of the larger
// side of the comparison.
type Settings struct {
	BalanceToleranceBP int64 `json:"balance_tolerance_bp"`
	TransitToleranceBP int64 `json:"transit_tolerance_bp"`
	QuotaToleranceBP   int64 `json:"quota_tolerance_bp"`
	NotReceivedDays    int64 `json:"not_received_days"`
}

// DefaultSettings apply until a regulator changes them.
var DefaultSettings = Settings{BalanceToleranceBP: 50, TransitToleranceBP: 100, QuotaToleranceBP: 100, NotReceivedDays: 30}

const settingsKey = "flow.settings"

// Settings returns the tolerances in force.
func (s *Service) Settings(ctx context.Context, p *auth.Principal) (Settings, error) {
	if err := auth.Require(p, auth.ReadFlow); err != nil {
		return Settings{}, err
	}
	return s.settings(ctx)
}

func (s *Service) settings(ctx context.Context) (Settings, error) {
	v, ok, err := s.DB.Setting(ctx, settingsKey)
	if err != nil || !ok {
		return DefaultSettings, err
	}
	out := DefaultSettings
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return DefaultSettings, err
	}
	return out, nil
}

// SetSettings changes the tolerances. Each must be 0–10,000 basis points; the days 1–365.
func (s *Service) SetSettings(ctx context.Context, p *auth.Principal, in Settings) (Settings, error) {
	if err := auth.Require(p, auth.ManageFlow); err != nil {
		return Settings{}, err
	}
	e := apperr.New(apperr.Invalid, "bad_flow_settings", "flow.err.settings")
	for _, f := range []struct {
		name string
		v    int64
	}{{"balance_tolerance_bp", in.BalanceToleranceBP}, {"transit_tolerance_bp", in.TransitToleranceBP}, {"quota_tolerance_bp", in.QuotaToleranceBP}} {
		if f.v < 0 || f.v > 10000 {
			e.With(f.name, "flow.err.tolerance", f.v)
		}
	}
	if in.NotReceivedDays < 1 || in.NotReceivedDays > 365 {
		e.With("not_received_days", "flow.err.days", in.NotReceivedDays)
	}
	if len(e.Fields) > 0 {
		return Settings{}, e
	}
	before, err := s.settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	b, _ := json.Marshal(in)
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, settingsKey, string(b)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now().UTC(), p, "flow.settings", "setting", settingsKey, before, in)
	})
	return in, err
}

// NewProduct maps an EPCIS class to a product. Content and yields are percentages as
// decimal strings ("92", "0.35"); an empty yield leaves that side of the band open.
type NewProduct struct {
	EPCClass    string `json:"epc_class"`
	ProductCode string `json:"product_code"`
	Stage       string `json:"stage"`
	Oxide       string `json:"oxide"`
	ContentPct  string `json:"content_pct"`
	YieldMinPct string `json:"yield_min_pct"`
	YieldMaxPct string `json:"yield_max_pct"`
	Source      string `json:"source"`
}

// SetProduct adds or replaces the mapping of the class's GTIN. Every field at fault is
// named; nothing is written then.
func (s *Service) SetProduct(ctx context.Context, p *auth.Principal, in NewProduct) (store.FlowProduct, error) {
	if err := auth.Require(p, auth.ManageFlow); err != nil {
		return store.FlowProduct{}, err
	}
	e := apperr.New(apperr.Invalid, "bad_flow_product", "flow.err.product")
	gtin, gerr := GTINOf(in.EPCClass)
	if gerr != nil {
		e.With("epc_class", "flow.err.class_form", in.EPCClass)
	}
	stageOK := false
	for _, st := range Stages {
		stageOK = stageOK || st == in.Stage
	}
	if !stageOK {
		e.With("stage", "flow.err.stage", in.Stage, strings.Join(Stages, ", "))
	}
	if in.Oxide != "REO" && in.Oxide != "WO3" {
		e.With("oxide", "flow.err.oxide", in.Oxide)
	}
	// Oxide equivalent may exceed the mass itself: a kilogram of neodymium metal is 1.166 kg
	// of Nd2O3 equivalent.
	content, ok := parsePercentBand(in.ContentPct)
	if !ok || content < 1 {
		e.With("content_pct", "flow.err.content", in.ContentPct)
	}
	band := func(field, v string) *int64 {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		ppm, ok := parsePercentBand(v)
		if !ok {
			e.With(field, "flow.err.yield", v)
			return nil
		}
		return &ppm
	}
	lo, hi := band("yield_min_pct", in.YieldMinPct), band("yield_max_pct", in.YieldMaxPct)
	if lo != nil && hi != nil && *lo > *hi {
		e.With("yield_max_pct", "flow.err.yield_order", in.YieldMinPct, in.YieldMaxPct)
	}
	if len(e.Fields) > 0 {
		return store.FlowProduct{}, e
	}
	now := s.Now().UTC()
	f := store.FlowProduct{GTIN: gtin, ProductCode: in.ProductCode, Stage: in.Stage, Oxide: in.Oxide, ContentPPM: content,
		YieldMinPPM: lo, YieldMaxPPM: hi, Source: strings.TrimSpace(in.Source), CreatedAt: now, UpdatedAt: now}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ProductByCode(ctx, in.ProductCode); errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.Invalid, "bad_flow_product", "flow.err.product").With("product_code", "flow.err.product_code", in.ProductCode)
		} else if err != nil {
			return err
		}
		before, err := tx.FlowProductByGTIN(ctx, gtin)
		var prev any
		if err == nil {
			prev, f.CreatedAt = before, before.CreatedAt
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.UpsertFlowProduct(ctx, f); err != nil {
			return err
		}
		if f, err = tx.FlowProductByGTIN(ctx, gtin); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "flow.product.set", "flow_product", gtin, prev, f)
	})
	return f, err
}

// parsePercentBand reads a yield percentage, which may exceed 100 (a transformation that
// gains oxide equivalent, e.g. oxidising a metal) up to 200.
func parsePercentBand(s string) (int64, bool) {
	r, ok := new(big.Rat).SetString(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if !ok || r.Sign() < 0 {
		return 0, false
	}
	r.Mul(r, big.NewRat(10000, 1))
	if !r.IsInt() || r.Cmp(big.NewRat(2000000, 1)) > 0 {
		return 0, false
	}
	return r.Num().Int64(), true
}

// Products lists the mappings.
func (s *Service) Products(ctx context.Context, p *auth.Principal) ([]store.FlowProduct, error) {
	if err := auth.Require(p, auth.ReadFlow); err != nil {
		return nil, err
	}
	return s.DB.FlowProducts(ctx)
}

// GTINOf returns the GTIN-14 an EPC class names: an LGTIN class URN
// (urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot), an SGTIN pattern
// (urn:epc:idpat:sgtin:CompanyPrefix.IndicatorItemRef.*) or a GS1 Digital Link with /01/.
func GTINOf(class string) (string, error) {
	class = strings.TrimSpace(class)
	for _, prefix := range []string{"urn:epc:class:lgtin:", "urn:epc:idpat:sgtin:"} {
		if rest, ok := strings.CutPrefix(class, prefix); ok {
			parts := strings.SplitN(rest, ".", 3)
			if len(parts) < 2 || len(parts[1]) < 1 || len(parts[0])+len(parts[1]) != 13 || !gs1.Digits(parts[0]+parts[1]) {
				return "", errClassForm
			}
			body := parts[1][:1] + parts[0] + parts[1][1:]
			return body + gs1.CheckDigit(body), nil
		}
	}
	if i := strings.Index(class, "/01/"); i > 0 && strings.HasPrefix(class, "http") {
		g, _, _ := strings.Cut(class[i+4:], "/")
		g, _, _ = strings.Cut(g, "?")
		if (len(g) == 8 || len(g) == 12 || len(g) == 13 || len(g) == 14) && gs1.Digits(g) {
			g = strings.Repeat("0", 14-len(g)) + g
			if gs1.CheckDigit(g[:13]) == g[13:] {
				return g, nil
			}
		}
	}
	return "", errClassForm
}

var errClassForm = errors.New("not an LGTIN class, SGTIN pattern or Digital Link with a GTIN")

// Converter turns EPCIS quantities into grams of REO or WO3 equivalent.
type Converter struct {
	byGTIN map[string]store.FlowProduct
}

// NewConverter holds the mappings given.
func NewConverter(ps []store.FlowProduct) *Converter {
	c := &Converter{byGTIN: make(map[string]store.FlowProduct, len(ps))}
	for _, p := range ps {
		c.byGTIN[p.GTIN] = p
	}
	return c
}

// Converter loads every mapping.
func (s *Service) Converter(ctx context.Context) (*Converter, error) {
	ps, err := s.DB.FlowProducts(ctx)
	if err != nil {
		return nil, err
	}
	return NewConverter(ps), nil
}

// Product returns the mapping of a class.
func (c *Converter) Product(class string) (store.FlowProduct, bool) {
	g, err := GTINOf(class)
	if err != nil {
		return store.FlowProduct{}, false
	}
	p, ok := c.byGTIN[g]
	return p, ok
}

// Convert returns quantity (an exact decimal) of uom of class in grams of oxide
// equivalent: quantity × unit × content, rounded to the nearest gram (half away from
// zero). An unknown class or unit is refused by name.
func (c *Converter) Convert(class, quantity, uom string) (int64, error) {
	p, ok := c.Product(class)
	if !ok {
		return 0, apperr.New(apperr.Invalid, "unknown_class", "flow.err.unknown_class", class).With("epcClass", "flow.err.unknown_class", class)
	}
	unit, ok := Units[uom]
	if !ok {
		return 0, apperr.New(apperr.Invalid, "unknown_unit", "flow.err.unknown_unit", uom, class).With("uom", "flow.err.unknown_unit", uom, class)
	}
	if g, ok := convertFast(quantity, unit*p.ContentPPM); ok {
		return g, nil
	}
	q, ok := new(big.Rat).SetString(quantity)
	if !ok || q.Sign() < 0 {
		return 0, apperr.New(apperr.Invalid, "bad_quantity", "flow.err.quantity", quantity, class).With("quantity", "flow.err.quantity", quantity, class)
	}
	q.Mul(q, new(big.Rat).SetFrac64(unit*p.ContentPPM, 1000000))
	return roundRat(q), nil
}

// convertFast is Convert for a plain decimal ("1234.567") whose product with the factor
// (grams per unit × content in ppm) fits in 63 bits: the common case, without big.Rat's
// allocations and gcd, which were a large share of a year's balance. ok is false
// otherwise, and the exact big.Rat path decides.
func convertFast(quantity string, factor int64) (int64, bool) {
	whole, frac, _ := strings.Cut(quantity, ".")
	if whole == "" || len(whole)+len(frac) > 18 || len(frac) > 12 || !gs1.Digits(whole) || (frac != "" && !gs1.Digits(frac)) {
		return 0, false
	}
	var m uint64
	for _, c := range whole + frac {
		m = m*10 + uint64(c-'0')
	}
	hi, lo := bits.Mul64(m, uint64(factor))
	if hi != 0 || lo > math.MaxInt64/2 {
		return 0, false
	}
	d := uint64(1000000)
	for range frac {
		d *= 10
	}
	return int64((2*lo + d) / (2 * d)), true
}

func roundRat(r *big.Rat) int64 {
	n, d := new(big.Int).Set(r.Num()), r.Denom()
	twice := new(big.Int).Mul(n, big.NewInt(2))
	twice.Add(twice, d)
	twice.Quo(twice, new(big.Int).Mul(d, big.NewInt(2)))
	return twice.Int64()
}
