// Package reserve runs the strategic reserves (战略储备): depots of two kinds — 储备矿区, a
// deposit or part of one held unmined, and 实物储备库, warehouse stock run by an operator
// enterprise — with a stock card per depot and product, the operations that move stock
// (收储 purchase, 轮换 rotation, 投放 release, in-ground reservation and its release) and
// coordinated stockpiling (联合储备): partner regions or companies holding shares of a depot.
//
// Stock is kept in the quota ledger. Each product has one ledger of kind reserve (its
// commodity is the product code; base unit grams of the product, shown in t). In it:
//
//	depot stock   rsv:<product>:depot:<id>    flagged: debits never exceed credits, so no
//	                                           depot goes below zero
//	enterprise    rsv:<product>:ent:<id>      the seller or buyer of stock (unflagged: it is
//	                                           the world outside the reserve)
//	deposit       rsv:<product>:deposit:<id>  a deposit's minable tonnage (in-ground only)
//
// 收储 moves enterprise → depot, 投放 depot → enterprise, 轮换 is a linked pair (old stock
// out to the enterprise, fresh stock in from it: both or neither), and in-ground
// reservation moves deposit → depot (its release the reverse). Every operation is its
// record and its transfers in one transaction, audited.
package reserve

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/ledger"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// Service runs the reserves' use cases.
type Service struct {
	DB     *store.DB
	Now    func() time.Time
	Ledger *ledger.Service
}

// New returns a Service with its ledger.
func New(db *store.DB, now func() time.Time) *Service {
	return &Service{DB: db, Now: now, Ledger: ledger.New(db, now)}
}

// Depot kinds.
const (
	InGround = "in_ground"
	Physical = "physical"
)

// Operation kinds.
const (
	Purchase        = "purchase"
	Rotation        = "rotation"
	Release         = "release"
	InGroundReserve = "in_ground_reserve"
	InGroundRelease = "in_ground_release"
)

// OpKinds lists the operations in the order forms show them.
var OpKinds = []string{Purchase, Rotation, Release, InGroundReserve, InGroundRelease}

// depotKindOf is the depot kind each operation applies to.
var depotKindOf = map[string]string{Purchase: Physical, Rotation: Physical, Release: Physical,
	InGroundReserve: InGround, InGroundRelease: InGround}

func invalid(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

func notFound(id any) *apperr.Error {
	return apperr.New(apperr.NotFound, "unknown_depot", "reserve.err.unknown_depot", id).With("depot", "reserve.err.unknown_depot", id)
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// NewDepot is a depot as a regulator enters it. An in-ground depot names its deposit (the
// region is the deposit's); a physical one its region and operator enterprise.
type NewDepot struct {
	Code        string `json:"code"`
	NameZh      string `json:"name_zh"`
	NameEn      string `json:"name_en"`
	Kind        string `json:"kind"`
	RegionCode  string `json:"region_code"`
	OperatorID  int64  `json:"operator_id"`
	DepositCode string `json:"deposit_code"`
	Source      string `json:"source"`
	Note        string `json:"note"`
}

// CreateDepot records a depot.
func (s *Service) CreateDepot(ctx context.Context, p *auth.Principal, n NewDepot) (store.ReserveDepot, error) {
	if err := auth.Require(p, auth.ManageReserves); err != nil {
		return store.ReserveDepot{}, err
	}
	n.Code, n.NameZh, n.NameEn, n.Source = strings.TrimSpace(n.Code), strings.TrimSpace(n.NameZh), strings.TrimSpace(n.NameEn), strings.TrimSpace(n.Source)
	n.RegionCode, n.DepositCode, n.Note = strings.TrimSpace(n.RegionCode), strings.TrimSpace(n.DepositCode), strings.TrimSpace(n.Note)
	e := apperr.New(apperr.Invalid, "bad_depot", "reserve.err.depot")
	if !codeRE.MatchString(n.Code) {
		e.With("code", "reserve.err.code", n.Code)
	}
	if n.NameZh == "" {
		e.With("name_zh", "reserve.err.name")
	}
	if n.Source == "" {
		e.With("source", "reserve.err.source")
	}
	switch n.Kind {
	case InGround:
		if n.DepositCode == "" {
			e.With("deposit_code", "reserve.err.deposit_required")
		}
		if n.OperatorID != 0 {
			e.With("operator_id", "reserve.err.operator_in_ground")
		}
	case Physical:
		if n.RegionCode == "" {
			e.With("region_code", "reserve.err.region_required")
		}
		if n.OperatorID == 0 {
			e.With("operator_id", "reserve.err.operator_required")
		}
		if n.DepositCode != "" {
			e.With("deposit_code", "reserve.err.deposit_physical")
		}
	default:
		e.With("kind", "reserve.err.kind", n.Kind)
	}
	if len(e.Fields) > 0 {
		return store.ReserveDepot{}, e
	}
	var out store.ReserveDepot
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		d := store.ReserveDepot{Code: n.Code, NameZh: n.NameZh, NameEn: n.NameEn, Kind: n.Kind, RegionCode: n.RegionCode,
			OperatorID: n.OperatorID, Source: n.Source, Note: n.Note, CreatedBy: p.Username, CreatedAt: s.Now()}
		if n.Kind == InGround {
			dep, err := tx.DepositByCode(ctx, n.DepositCode)
			if errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_deposit", "deposit_code", "reserve.err.unknown_deposit", n.DepositCode)
			} else if err != nil {
				return err
			}
			d.DepositID, d.RegionCode = dep.ID, dep.RegionCode
		} else {
			if _, err := tx.RegionByCode(ctx, n.RegionCode); errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_region", "region_code", "reserve.err.unknown_region", n.RegionCode)
			} else if err != nil {
				return err
			}
			if _, err := tx.EnterpriseByID(ctx, n.OperatorID); errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_enterprise", "operator_id", "reserve.err.unknown_enterprise", n.OperatorID)
			} else if err != nil {
				return err
			}
		}
		id, err := tx.InsertReserveDepot(ctx, d)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "depot_exists", "reserve.err.depot_exists", n.Code).With("code", "reserve.err.depot_exists", n.Code)
		} else if err != nil {
			return err
		}
		if out, err = tx.ReserveDepotByID(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, d.CreatedAt, p, "reserve.depot.create", "reserve_depot", n.Code, nil, n)
	})
	return out, err
}

// visible: an enterprise user sees the depots it operates or holds a share of.
func (s *Service) visible(ctx context.Context, p *auth.Principal, d store.ReserveDepot) (bool, error) {
	if p.Role != auth.Enterprise {
		return true, nil
	}
	if p.EnterpriseID == 0 {
		return false, nil
	}
	if d.OperatorID == p.EnterpriseID {
		return true, nil
	}
	ss, err := s.DB.ReserveShares(ctx, d.ID)
	for _, x := range ss {
		if x.EnterpriseID == p.EnterpriseID {
			return true, err
		}
	}
	return false, err
}

// depot reads a depot p may see; one outside p's scope is "not found", like a missing one.
func (s *Service) depot(ctx context.Context, p *auth.Principal, id int64) (store.ReserveDepot, error) {
	if err := auth.Require(p, auth.ReadReserves); err != nil {
		return store.ReserveDepot{}, err
	}
	d, err := s.DB.ReserveDepotByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, notFound(id)
	} else if err != nil {
		return d, err
	}
	ok, err := s.visible(ctx, p, d)
	if err == nil && !ok {
		return store.ReserveDepot{}, notFound(id)
	}
	return d, err
}

// DepotRow is a depot in the list, with its total stock over all products (grams; the
// products differ, so it is shown per product on the depot's page, this only says
// whether it holds anything).
type DepotRow struct {
	store.ReserveDepot
	Products int
	Partners int
}

// Depots lists the depots p may see.
func (s *Service) Depots(ctx context.Context, p *auth.Principal) ([]DepotRow, error) {
	if err := auth.Require(p, auth.ReadReserves); err != nil {
		return nil, err
	}
	var ent int64
	if p.Role == auth.Enterprise {
		if p.EnterpriseID == 0 {
			return nil, nil
		}
		ent = p.EnterpriseID
	}
	ds, err := s.DB.ReserveDepots(ctx, ent)
	if err != nil {
		return nil, err
	}
	out := make([]DepotRow, len(ds))
	for i, d := range ds {
		out[i].ReserveDepot = d
		st, err := s.DB.ReserveStocks(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		sh, err := s.DB.ReserveShares(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		out[i].Products, out[i].Partners = len(st), len(sh)
	}
	return out, nil
}

// Holding is a partner's part of one product's stock, computed from the depot's ledger
// balance and the partner's share; the depot's owner holds what the partners do not.
type Holding struct {
	Partner     string `json:"partner"`
	PartnerName string `json:"partner_name"`
	Product     string `json:"product"`
	SharePPM    int64  `json:"share_ppm"`
	HoldingG    int64  `json:"holding_g"`
}

// Detail is a depot with its stock cards, partner shares and every partner's holding.
type Detail struct {
	Depot    store.ReserveDepot
	Stocks   []store.ReserveStock
	Shares   []store.ReserveShare
	Holdings []Holding
	// OwnPPM is the part no partner holds.
	OwnPPM int64
}

// Share is g × ppm / 10⁶, rounded down, without overflow.
func Share(g, ppm int64) int64 {
	hi, lo := bits.Mul64(uint64(g), uint64(ppm))
	q, _ := bits.Div64(hi, lo, 1_000_000)
	return int64(q)
}

// Depot reads a depot with its stock, shares and holdings.
func (s *Service) Depot(ctx context.Context, p *auth.Principal, id int64) (Detail, error) {
	d, err := s.depot(ctx, p, id)
	if err != nil {
		return Detail{}, err
	}
	out := Detail{Depot: d, OwnPPM: 1_000_000}
	if out.Stocks, err = s.DB.ReserveStocks(ctx, id); err != nil {
		return out, err
	}
	if out.Shares, err = s.DB.ReserveShares(ctx, id); err != nil {
		return out, err
	}
	for _, sh := range out.Shares {
		out.OwnPPM -= sh.SharePPM
		for _, st := range out.Stocks {
			out.Holdings = append(out.Holdings, Holding{Partner: sh.Partner, PartnerName: sh.PartnerName, Product: st.Product,
				SharePPM: sh.SharePPM, HoldingG: Share(max(st.Balance(), 0), sh.SharePPM)})
		}
	}
	return out, nil
}

// ShareIn is a partner's share as entered: a region code or an enterprise id, and a
// percentage ("25", "12.5").
type ShareIn struct {
	RegionCode   string `json:"region_code,omitempty"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	Percent      string `json:"percent"`
	Note         string `json:"note,omitempty"`
}

// SetShares replaces a depot's partner shares; together they may not exceed 100%.
func (s *Service) SetShares(ctx context.Context, p *auth.Principal, depotID int64, in []ShareIn) error {
	if err := auth.Require(p, auth.ManageReserves); err != nil {
		return err
	}
	e := apperr.New(apperr.Invalid, "bad_shares", "reserve.err.shares")
	var ss []store.ReserveShare
	seen := map[string]bool{}
	var total int64
	for i, x := range in {
		at := "shares[" + strconv.Itoa(i) + "]."
		x.RegionCode = strings.TrimSpace(x.RegionCode)
		sh := store.ReserveShare{DepotID: depotID, RegionCode: x.RegionCode, EnterpriseID: x.EnterpriseID, Note: strings.TrimSpace(x.Note)}
		switch {
		case (x.RegionCode == "") == (x.EnterpriseID == 0):
			e.With(at+"partner", "reserve.err.partner_one")
		case x.RegionCode != "":
			sh.Partner = "R:" + x.RegionCode
		default:
			sh.Partner = "E:" + strconv.FormatInt(x.EnterpriseID, 10)
		}
		if sh.Partner != "" && seen[sh.Partner] {
			e.With(at+"partner", "reserve.err.partner_twice", sh.Partner)
		}
		seen[sh.Partner] = true
		ppm, ok := resource.ParsePercent(x.Percent)
		if !ok || ppm == nil || *ppm == 0 {
			e.With(at+"percent", "reserve.err.percent", x.Percent)
		} else {
			sh.SharePPM = *ppm
			total += *ppm
		}
		ss = append(ss, sh)
	}
	if total > 1_000_000 {
		e.With("shares", "reserve.err.shares_over", resource.FormatPercent(total))
	}
	if len(e.Fields) > 0 {
		return e
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		d, err := tx.ReserveDepotByID(ctx, depotID)
		if errors.Is(err, store.ErrNotFound) {
			return notFound(depotID)
		} else if err != nil {
			return err
		}
		for i, sh := range ss {
			at := "shares[" + strconv.Itoa(i) + "]."
			if sh.RegionCode != "" {
				if _, err := tx.RegionByCode(ctx, sh.RegionCode); errors.Is(err, store.ErrNotFound) {
					return invalid("unknown_region", at+"region_code", "reserve.err.unknown_region", sh.RegionCode)
				} else if err != nil {
					return err
				}
			} else if _, err := tx.EnterpriseByID(ctx, sh.EnterpriseID); errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_enterprise", at+"enterprise_id", "reserve.err.unknown_enterprise", sh.EnterpriseID)
			} else if err != nil {
				return err
			}
		}
		old, err := s.DB.ReserveShares(ctx, depotID)
		if err != nil {
			return err
		}
		if err := tx.ReplaceReserveShares(ctx, depotID, ss); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "reserve.shares.set", "reserve_depot", d.Code, old, in)
	})
}

// NewOp is an operation as a regulator enters it. AmountT is the tonnage moved (for a
// rotation: out of the depot); InT is a rotation's tonnage in. Product is a product code
// of package resource. EnterpriseID is the seller or buyer (physical depots only).
type NewOp struct {
	DepotID      int64  `json:"depot_id"`
	Kind         string `json:"kind"`
	Product      string `json:"product"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	AmountT      string `json:"amount_t"`
	InT          string `json:"in_t,omitempty"`
	Date         string `json:"date"`
	DocNo        string `json:"doc_no"`
	Reason       string `json:"reason"`
}

func tonnes(field, s string) (int64, *apperr.Field) {
	g, f := ledger.ParseTonnes(s)
	if f != nil || g <= 0 {
		return 0, &apperr.Field{Name: field, Key: "reserve.err.amount", Args: []any{s}}
	}
	return g, nil
}

// Operate records an operation and moves its stock, all or nothing.
func (s *Service) Operate(ctx context.Context, p *auth.Principal, n NewOp) (store.ReserveOp, error) {
	if err := auth.Require(p, auth.ManageReserves); err != nil {
		return store.ReserveOp{}, err
	}
	n.Product, n.Date, n.DocNo, n.Reason = strings.TrimSpace(n.Product), strings.TrimSpace(n.Date), strings.TrimSpace(n.DocNo), strings.TrimSpace(n.Reason)
	e := apperr.New(apperr.Invalid, "bad_operation", "reserve.err.operation")
	want, known := depotKindOf[n.Kind]
	if !known {
		e.With("kind", "reserve.err.op_kind", n.Kind)
	}
	var inG, outG int64
	amount, f := tonnes("amount_t", n.AmountT)
	if f != nil {
		e.Fields = append(e.Fields, *f)
	}
	switch n.Kind {
	case Purchase, InGroundReserve:
		inG = amount
	case Release, InGroundRelease:
		outG = amount
	case Rotation:
		outG = amount
		g, f := tonnes("in_t", n.InT)
		if f != nil {
			e.Fields = append(e.Fields, *f)
		}
		inG = g
	}
	physical := want == Physical
	if physical && n.EnterpriseID == 0 {
		e.With("enterprise_id", "reserve.err.enterprise_required")
	}
	if known && !physical && n.EnterpriseID != 0 {
		e.With("enterprise_id", "reserve.err.enterprise_in_ground")
	}
	if _, err := time.Parse("2006-01-02", n.Date); err != nil {
		e.With("date", "reserve.err.date", n.Date)
	}
	if n.DocNo == "" || utf8.RuneCountInString(n.DocNo) > 100 {
		e.With("doc_no", "reserve.err.doc_no")
	}
	if n.Reason == "" || utf8.RuneCountInString(n.Reason) > 500 {
		e.With("reason", "reserve.err.reason")
	}
	if len(e.Fields) > 0 {
		return store.ReserveOp{}, e
	}
	var out store.ReserveOp
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		d, err := tx.ReserveDepotByID(ctx, n.DepotID)
		if errors.Is(err, store.ErrNotFound) {
			return notFound(n.DepotID)
		} else if err != nil {
			return err
		}
		if d.Kind != want {
			return invalid("wrong_depot_kind", "kind", "reserve.err.wrong_depot_kind", n.Kind, d.Code, d.Kind)
		}
		prod, err := tx.ProductByCode(ctx, n.Product)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_product", "product", "reserve.err.unknown_product", n.Product)
		} else if err != nil {
			return err
		}
		var dep store.Deposit
		if !physical {
			if dep, err = tx.DepositByCode(ctx, d.DepositCode); err != nil {
				return err
			}
			if dep.Mineral != prod.Code {
				return invalid("wrong_product", "product", "reserve.err.in_ground_product", n.Product, dep.Code, dep.Mineral)
			}
		} else if _, err := tx.EnterpriseByID(ctx, n.EnterpriseID); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_enterprise", "enterprise_id", "reserve.err.unknown_enterprise", n.EnterpriseID)
		} else if err != nil {
			return err
		}
		now := s.Now()
		year, _ := strconv.Atoi(n.Date[:4])
		acc, err := s.accounts(ctx, tx, p, d, prod, dep, n.EnterpriseID, year, now)
		if err != nil {
			return err
		}
		stock, err := tx.ReserveStock(ctx, d.ID, prod.Code)
		if err != nil {
			return err
		}
		if outG > 0 && n.Kind != Rotation && outG > stock.Balance() {
			return invalid("insufficient_stock", "amount_t", "reserve.err.insufficient", d.Code, prod.Code,
				ledger.FormatTonnes(stock.Balance()), ledger.FormatTonnes(outG))
		}
		if n.Kind == InGroundReserve {
			if dep.RemainingG == nil {
				return invalid("remaining_unknown", "amount_t", "reserve.err.remaining_unknown", dep.Code)
			}
			held, err := tx.InGroundReserved(ctx, dep.ID)
			if err != nil {
				return err
			}
			if free := *dep.RemainingG - held; inG > free {
				return invalid("over_remaining", "amount_t", "reserve.err.over_remaining", dep.Code,
					ledger.FormatTonnes(*dep.RemainingG), ledger.FormatTonnes(held), ledger.FormatTonnes(inG))
			}
		}
		ref := n.DocNo
		var ts []ledger.Transfer
		mk := func(dr, cr string, g int64, code ledger.Code, flags ledger.TransferFlags) {
			ts = append(ts, ledger.Transfer{ID: ledger.NewID(now), DebitAccount: dr, CreditAccount: cr, Amount: g, Code: code, Flags: flags, Ref: ref})
		}
		switch n.Kind {
		case Purchase:
			mk(acc.ent, acc.depot, inG, ledger.CodePurchase, 0)
		case Release:
			mk(acc.depot, acc.ent, outG, ledger.CodeRelease, 0)
		case Rotation:
			// Old stock leaves first, so a rotation cannot ship out stock that only its own
			// fresh delivery would have covered.
			mk(acc.depot, acc.ent, outG, ledger.CodeRotate, ledger.Linked)
			mk(acc.ent, acc.depot, inG, ledger.CodeRotate, 0)
		case InGroundReserve:
			mk(acc.deposit, acc.depot, inG, ledger.CodeSetAside, 0)
		case InGroundRelease:
			mk(acc.depot, acc.deposit, outG, ledger.CodeRelease, 0)
		}
		if _, err := s.Ledger.CreateTransfersTx(ctx, tx, p, ts); err != nil {
			if overdrawn(err) {
				return invalid("insufficient_stock", "amount_t", "reserve.err.insufficient", d.Code, prod.Code,
					ledger.FormatTonnes(stock.Balance()), ledger.FormatTonnes(outG))
			}
			return err
		}
		ids := make([]string, len(ts))
		for i, t := range ts {
			ids[i] = t.ID.String()
		}
		out = store.ReserveOp{DepotID: d.ID, Product: prod.Code, Kind: n.Kind, EnterpriseID: n.EnterpriseID, InG: inG, OutG: outG,
			OpDate: n.Date, DocNo: n.DocNo, Reason: n.Reason, TransferIDs: strings.Join(ids, ","), CreatedBy: p.Username, CreatedAt: now}
		if out.ID, err = tx.InsertReserveOp(ctx, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "reserve.op."+n.Kind, "reserve_depot", d.Code, nil, out)
	})
	return out, err
}

type opAccounts struct{ depot, ent, deposit string }

// accounts finds or opens the product's reserve ledger and the accounts an operation
// needs.
func (s *Service) accounts(ctx context.Context, tx *store.Tx, p *auth.Principal, d store.ReserveDepot, prod store.Product,
	dep store.Deposit, ent int64, year int, now time.Time) (opAccounts, error) {
	var out opAccounts
	if err := tx.LockProduct(ctx, prod.Code); err != nil {
		return out, err
	}
	l, err := tx.ReserveLedger(ctx, prod.Code)
	if errors.Is(err, store.ErrNotFound) {
		l = store.Ledger{Commodity: prod.Code, Kind: string(ledger.Reserve), Year: year, CreatedAt: now}
		if l.ID, err = tx.InsertLedger(ctx, l); err != nil {
			return out, err
		}
		if err := audit.Record(ctx, tx, now, p, "ledger.create", "ledger", strconv.FormatInt(l.ID, 10), nil, l); err != nil {
			return out, err
		}
	} else if err != nil {
		return out, err
	}
	open := func(a store.LedgerAccount) (string, error) {
		x, err := tx.LedgerAccountByCode(ctx, a.Code)
		if err == nil {
			return x.Code, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		a.LedgerID, a.CreatedAt = l.ID, now
		id, err := tx.InsertLedgerAccount(ctx, a)
		if err != nil {
			return "", err
		}
		if a.Code == out.depot {
			if err := tx.InsertReserveStock(ctx, d.ID, prod.Code, id); err != nil {
				return "", err
			}
		}
		return a.Code, audit.Record(ctx, tx, now, p, "ledger.account.create", "ledger_account", a.Code, nil, a)
	}
	pname := prod.NameZh
	out.depot = fmt.Sprintf("rsv:%s:depot:%d", prod.Code, d.ID)
	if _, err := open(store.LedgerAccount{Code: out.depot, Name: d.NameZh + " · " + pname, HolderKind: string(ledger.City),
		RegionCode: d.RegionCode, Flags: int64(ledger.DebitsMustNotExceedCredits)}); err != nil {
		return out, err
	}
	if ent != 0 {
		out.ent = fmt.Sprintf("rsv:%s:ent:%d", prod.Code, ent)
		e, err := tx.EnterpriseByID(ctx, ent)
		if err != nil {
			return out, err
		}
		if _, err := open(store.LedgerAccount{Code: out.ent, Name: e.NameZh + " · " + pname, HolderKind: string(ledger.EnterpriseHolder),
			EnterpriseID: ent}); err != nil {
			return out, err
		}
	}
	if dep.ID != 0 {
		out.deposit = fmt.Sprintf("rsv:%s:deposit:%d", prod.Code, dep.ID)
		if _, err := open(store.LedgerAccount{Code: out.deposit, Name: dep.NameZh + " · 可采储量 / minable", HolderKind: string(ledger.City),
			RegionCode: dep.RegionCode}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Ops lists a depot's operations, of one product or all ("").
func (s *Service) Ops(ctx context.Context, p *auth.Principal, depotID int64, product string) ([]store.ReserveOp, error) {
	if _, err := s.depot(ctx, p, depotID); err != nil {
		return nil, err
	}
	ops, err := s.DB.ReserveOps(ctx, depotID, product)
	return scopeOps(p, ops), err
}

// scopeOps hides from an enterprise user which other enterprise a depot traded with, as
// the ledger's statements do.
func scopeOps(p *auth.Principal, ops []store.ReserveOp) []store.ReserveOp {
	if p.Role != auth.Enterprise {
		return ops
	}
	for i := range ops {
		if ops[i].EnterpriseID != p.EnterpriseID {
			ops[i].EnterpriseID, ops[i].EnterpriseName = 0, ""
		}
	}
	return ops
}

// StockCard is a depot's stock of one product between two instants: the ledger statement
// of its account (opening balance, each movement with the balance after it, closing
// balance) and the operations' records.
type StockCard struct {
	Depot     store.ReserveDepot
	Stock     store.ReserveStock
	Statement ledger.Statement
	Ops       []store.ReserveOp
}

// StockCard reads a stock card.
func (s *Service) StockCard(ctx context.Context, p *auth.Principal, depotID int64, product string, from, to time.Time) (StockCard, error) {
	d, err := s.depot(ctx, p, depotID)
	if err != nil {
		return StockCard{}, err
	}
	st, err := s.DB.ReserveStock(ctx, depotID, product)
	if errors.Is(err, store.ErrNotFound) {
		return StockCard{}, apperr.New(apperr.NotFound, "unknown_stock", "reserve.err.unknown_stock", d.Code, product).
			With("product", "reserve.err.unknown_stock", d.Code, product)
	} else if err != nil {
		return StockCard{}, err
	}
	out := StockCard{Depot: d, Stock: st}
	if out.Statement, err = s.Ledger.StatementUnscoped(ctx, p, st.AccountCode, from, to, 0); err != nil {
		return out, err
	}
	ops, err := s.DB.ReserveOps(ctx, depotID, product)
	out.Ops = scopeOps(p, ops)
	return out, err
}

// overdrawn: the ledger refused a leg because the depot would go below zero (in a
// rotation the other leg then fails as "linked event failed", so look at every field).
func overdrawn(err error) bool {
	for _, f := range apperr.From(err).Fields {
		if f.Key == "ledger.err.exceeds_credits" {
			return true
		}
	}
	return false
}
