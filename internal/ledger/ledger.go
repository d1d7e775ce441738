// Package ledger is the quota ledger (配额账本): double-entry bookkeeping of mining,
// smelting/separation, export and supply-allocation quotas, modelled on TigerBeetle.
//
// A ledger is one commodity × kind × year. Accounts belong to one ledger and hold four
// balances — debits and credits, each pending and posted. Every movement is an immutable
// transfer that debits one account and credits another by a positive whole number of grams
// of the ledger's base unit. A quota holder (nation, province, city, enterprise) is a
// credit-balance account: quota received is credited, quota passed down or consumed is
// debited, and the flag DebitsMustNotExceedCredits forbids granting or consuming more than
// was received. The usual chart of one ledger:
//
//	issuance (nation, no flag)  ──issue──▶  nation quota (flagged)
//	nation ──grant──▶ province ──grant──▶ city ──grant──▶ enterprise ──consume──▶ sink "consumed"
//	                                                              └──export/lapse──▶ sinks "exported", "lapsed"
//
// The issuance account goes negative by exactly the national total-control figure, so the
// ledger balances to zero. Two-phase transfers reserve quota (pending), then post it — in
// full or in part, releasing the rest — or void it; a pending transfer with a timeout can
// no longer be posted once it has expired. Corrections are new transfers.
//
// CreateTransfers applies a batch in one database transaction: all of it or none of it.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Service runs the ledger's use cases against a database with a clock.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// New returns a ledger Service.
func New(db *store.DB, now func() time.Time) *Service { return &Service{DB: db, Now: now} }

// Commodity is what a ledger counts, in grams of its base unit.
type Commodity string

const (
	REO      Commodity = "reo"       // rare-earth oxide, all types (smelting/separation and export quotas are set as totals)
	REOIonic Commodity = "reo_ionic" // ionic-clay (medium/heavy) rare earth, t REO
	REORock  Commodity = "reo_rock"  // rock/light rare earth, t REO
	WO3      Commodity = "wo3_65"    // tungsten concentrate at 65% WO3
	CaF2     Commodity = "caf2"      // fluorite, t CaF2
)

// Commodities lists the commodities with their names and base units.
var Commodities = []struct {
	Code           Commodity
	NameZh, NameEn string
	UnitZh, UnitEn string
}{
	{REO, "稀土（合计）", "rare earths (total)", "克稀土氧化物（REO）", "grams of REO"},
	{REOIonic, "离子型稀土", "ionic rare earths", "克稀土氧化物（REO）", "grams of REO"},
	{REORock, "岩矿型（轻）稀土", "rock/light rare earths", "克稀土氧化物（REO）", "grams of REO"},
	{WO3, "钨精矿（65% WO3）", "tungsten concentrate (65% WO3)", "克钨精矿（折 65% WO3）", "grams of concentrate at 65% WO3"},
	{CaF2, "萤石", "fluorite", "克 CaF2", "grams of CaF2"},
}

// Valid reports whether c is a known commodity.
func (c Commodity) Valid() bool {
	for _, x := range Commodities {
		if x.Code == c {
			return true
		}
	}
	return false
}

// Kind is what a ledger's quota is for.
type Kind string

const (
	Mining             Kind = "mining"
	SmeltingSeparation Kind = "smelting_separation"
	Export             Kind = "export"
	SupplyAllocation   Kind = "supply_allocation"
	// Reserve is a strategic reserve's stock of one product (its commodity is the product
	// code, its year the year it was opened; stock does not lapse at year end). Package
	// reserve opens these ledgers with their depots, so CreateLedger refuses the kind.
	Reserve Kind = "reserve"
)

// Kinds lists the ledger kinds.
var Kinds = []Kind{Mining, SmeltingSeparation, Export, SupplyAllocation, Reserve}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Holder is who holds an account.
type Holder string

const (
	Nation           Holder = "nation"
	Province         Holder = "province"
	City             Holder = "city"
	EnterpriseHolder Holder = "enterprise"
	Sink             Holder = "sink"
)

// Sink kinds: where quota goes when it leaves the hierarchy.
const (
	Consumed = "consumed"
	Exported = "exported"
	Lapsed   = "lapsed"
)

// AccountFlags are TigerBeetle's account flags (same bit values).
type AccountFlags int64

const (
	// DebitsMustNotExceedCredits: debits_pending + debits_posted ≤ credits_posted, always.
	DebitsMustNotExceedCredits AccountFlags = 1 << 1
	// CreditsMustNotExceedDebits: credits_pending + credits_posted ≤ debits_posted, always.
	CreditsMustNotExceedDebits AccountFlags = 1 << 2
)

// Ledger is a commodity × kind × year.
type Ledger struct {
	ID        int64     `json:"id"`
	Commodity Commodity `json:"commodity"`
	Kind      Kind      `json:"kind"`
	Year      int       `json:"year"`
}

// Key is "commodity/kind/year", the ledger's name on the command line and in messages.
func (l Ledger) Key() string { return fmt.Sprintf("%s/%s/%d", l.Commodity, l.Kind, l.Year) }

// ParseLedgerKey reads "commodity/kind/year".
func ParseLedgerKey(s string) (Commodity, Kind, int, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return "", "", 0, invalid("bad_ledger_key", "ledger", "ledger.err.ledger_key", s)
	}
	y, err := strconv.Atoi(parts[2])
	if err != nil {
		return "", "", 0, invalid("bad_ledger_key", "ledger", "ledger.err.ledger_key", s)
	}
	return Commodity(parts[0]), Kind(parts[1]), y, nil
}

func ledgerOf(l store.Ledger) Ledger {
	return Ledger{ID: l.ID, Commodity: Commodity(l.Commodity), Kind: Kind(l.Kind), Year: l.Year}
}

func invalid(code, field, key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, code, key, args...).With(field, key, args...)
}

// CreateLedger creates the ledger of a commodity, kind and year.
func (s *Service) CreateLedger(ctx context.Context, p *auth.Principal, c Commodity, k Kind, year int) (Ledger, error) {
	if err := auth.Require(p, auth.ManageLedger); err != nil {
		return Ledger{}, err
	}
	switch {
	case !c.Valid():
		return Ledger{}, invalid("unknown_commodity", "commodity", "ledger.err.commodity", string(c))
	case !k.Valid():
		return Ledger{}, invalid("unknown_kind", "kind", "ledger.err.kind", string(k))
	case k == Reserve:
		return Ledger{}, invalid("reserve_ledger", "kind", "ledger.err.reserve_ledger")
	case year < 1949 || year > 2200:
		return Ledger{}, invalid("bad_year", "year", "ledger.err.year", year)
	}
	l := Ledger{Commodity: c, Kind: k, Year: year}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		now := s.Now()
		id, err := tx.InsertLedger(ctx, store.Ledger{Commodity: string(c), Kind: string(k), Year: year, CreatedAt: now})
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "ledger_exists", "ledger.err.ledger_exists", l.Key()).With("ledger", "ledger.err.ledger_exists", l.Key())
		} else if err != nil {
			return err
		}
		l.ID = id
		return audit.Record(ctx, tx, now, p, "ledger.create", "ledger", strconv.FormatInt(id, 10), nil, l)
	})
	return l, err
}

// Ledgers lists every ledger.
func (s *Service) Ledgers(ctx context.Context, p *auth.Principal) ([]Ledger, error) {
	if err := auth.Require(p, auth.ReadLedger); err != nil {
		return nil, err
	}
	ls, err := s.DB.Ledgers(ctx)
	out := make([]Ledger, len(ls))
	for i, l := range ls {
		out[i] = ledgerOf(l)
	}
	return out, err
}

// LedgerByKey finds a ledger by commodity, kind and year.
func (s *Service) LedgerByKey(ctx context.Context, p *auth.Principal, c Commodity, k Kind, year int) (Ledger, error) {
	if err := auth.Require(p, auth.ReadLedger); err != nil {
		return Ledger{}, err
	}
	l, err := s.DB.LedgerByKey(ctx, string(c), string(k), year)
	if errors.Is(err, store.ErrNotFound) {
		return Ledger{}, apperr.New(apperr.NotFound, "unknown_ledger", "ledger.err.unknown_ledger", fmt.Sprintf("%s/%s/%d", c, k, year))
	}
	return ledgerOf(l), err
}

// NewAccount is what a regulator gives to open an account.
type NewAccount struct {
	Code         string       `json:"code"`
	LedgerID     int64        `json:"ledger_id"`
	Name         string       `json:"name"`
	Holder       Holder       `json:"holder"`
	SinkKind     string       `json:"sink_kind,omitempty"`
	EnterpriseID int64        `json:"enterprise_id,omitempty"`
	RegionCode   string       `json:"region_code,omitempty"`
	Flags        AccountFlags `json:"flags"`
}

// Account is an account with its balances.
type Account struct {
	NewAccount
	ID             int64 `json:"id"`
	DebitsPending  int64 `json:"debits_pending"`
	DebitsPosted   int64 `json:"debits_posted"`
	CreditsPending int64 `json:"credits_pending"`
	CreditsPosted  int64 `json:"credits_posted"`
}

func accountOf(a store.LedgerAccount) Account {
	return Account{
		NewAccount: NewAccount{Code: a.Code, LedgerID: a.LedgerID, Name: a.Name, Holder: Holder(a.HolderKind), SinkKind: a.SinkKind,
			EnterpriseID: a.EnterpriseID, RegionCode: a.RegionCode, Flags: AccountFlags(a.Flags)},
		ID: a.ID, DebitsPending: a.DebitsPending, DebitsPosted: a.DebitsPosted, CreditsPending: a.CreditsPending, CreditsPosted: a.CreditsPosted,
	}
}

// codeRE: account codes are typed on command lines and in spreadsheets, so plain ASCII.
var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$`)

// Validate checks an account's own rules (those needing no database).
func (a NewAccount) Validate() error {
	if !codeRE.MatchString(a.Code) {
		return invalid("bad_account_code", "code", "ledger.err.account_code", a.Code)
	}
	if strings.TrimSpace(a.Name) == "" {
		return invalid("account_name_required", "name", "ledger.err.account_name")
	}
	switch a.Holder {
	case Nation, Province, City, EnterpriseHolder, Sink:
	default:
		return invalid("bad_holder", "holder", "ledger.err.holder", string(a.Holder))
	}
	switch {
	case a.Holder == Sink && a.SinkKind != Consumed && a.SinkKind != Exported && a.SinkKind != Lapsed:
		return invalid("bad_sink_kind", "sink_kind", "ledger.err.sink_kind", a.SinkKind)
	case a.Holder != Sink && a.SinkKind != "":
		return invalid("sink_kind_not_allowed", "sink_kind", "ledger.err.sink_kind_not_allowed")
	case a.Holder == EnterpriseHolder && a.EnterpriseID == 0:
		return invalid("enterprise_required", "enterprise_id", "ledger.err.enterprise_required")
	case a.Holder != EnterpriseHolder && a.EnterpriseID != 0:
		return invalid("enterprise_not_allowed", "enterprise_id", "ledger.err.enterprise_not_allowed")
	case (a.Holder == Province || a.Holder == City) && a.RegionCode == "":
		return invalid("region_required", "region_code", "ledger.err.region_required")
	case a.Flags&^(DebitsMustNotExceedCredits|CreditsMustNotExceedDebits) != 0:
		return invalid("bad_account_flags", "flags", "ledger.err.account_flags", int64(a.Flags))
	case a.Flags&DebitsMustNotExceedCredits != 0 && a.Flags&CreditsMustNotExceedDebits != 0:
		return invalid("account_flags_exclusive", "flags", "ledger.err.account_flags_exclusive")
	}
	return nil
}

// CreateAccount opens an account in a ledger.
func (s *Service) CreateAccount(ctx context.Context, p *auth.Principal, na NewAccount) (Account, error) {
	if err := auth.Require(p, auth.ManageLedger); err != nil {
		return Account{}, err
	}
	na.Code, na.Name = strings.TrimSpace(na.Code), strings.TrimSpace(na.Name)
	if err := na.Validate(); err != nil {
		return Account{}, err
	}
	var out Account
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.LedgerByID(ctx, na.LedgerID); errors.Is(err, store.ErrNotFound) {
			return invalid("unknown_ledger", "ledger_id", "ledger.err.unknown_ledger", strconv.FormatInt(na.LedgerID, 10))
		} else if err != nil {
			return err
		}
		if na.EnterpriseID != 0 {
			if _, err := tx.EnterpriseByID(ctx, na.EnterpriseID); errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_enterprise", "enterprise_id", "ledger.err.unknown_enterprise", na.EnterpriseID)
			} else if err != nil {
				return err
			}
		}
		if na.RegionCode != "" {
			if _, err := tx.RegionByCode(ctx, na.RegionCode); errors.Is(err, store.ErrNotFound) {
				return invalid("unknown_region", "region_code", "ledger.err.unknown_region", na.RegionCode)
			} else if err != nil {
				return err
			}
		}
		now := s.Now()
		id, err := tx.InsertLedgerAccount(ctx, store.LedgerAccount{Code: na.Code, LedgerID: na.LedgerID, Name: na.Name,
			HolderKind: string(na.Holder), SinkKind: na.SinkKind, EnterpriseID: na.EnterpriseID, RegionCode: na.RegionCode,
			Flags: int64(na.Flags), CreatedAt: now})
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "account_exists", "ledger.err.account_exists", na.Code).With("code", "ledger.err.account_exists", na.Code)
		} else if err != nil {
			return err
		}
		out = Account{NewAccount: na, ID: id}
		return audit.Record(ctx, tx, now, p, "ledger.account.create", "ledger_account", na.Code, nil, na)
	})
	return out, err
}

// canSee applies the row-level rule: an enterprise user sees only its own enterprise's
// accounts; every other role allowed to read the ledger sees all of them.
func canSee(p *auth.Principal, a store.LedgerAccount) bool {
	if p.Role == auth.Enterprise {
		return a.EnterpriseID != 0 && a.EnterpriseID == p.EnterpriseID
	}
	return true
}

// account reads an account that p may see; one outside p's scope is "not found", exactly
// like one that does not exist, so guessing codes reveals nothing.
func (s *Service) account(ctx context.Context, p *auth.Principal, code string) (store.LedgerAccount, error) {
	if err := auth.Require(p, auth.ReadLedger); err != nil {
		return store.LedgerAccount{}, err
	}
	a, err := s.DB.LedgerAccountByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canSee(p, a)) {
		return store.LedgerAccount{}, apperr.New(apperr.NotFound, "unknown_account", "ledger.err.unknown_account", code).
			With("account", "ledger.err.unknown_account", code)
	}
	return a, err
}

// Account returns an account with its current balances.
func (s *Service) Account(ctx context.Context, p *auth.Principal, code string) (Account, error) {
	a, err := s.account(ctx, p, code)
	if err != nil {
		return Account{}, err
	}
	return accountOf(a), nil
}

// Accounts lists the accounts p may see, optionally of one ledger.
func (s *Service) Accounts(ctx context.Context, p *auth.Principal, ledgerID int64, q store.ListQuery) (store.Page[Account], error) {
	var out store.Page[Account]
	if err := auth.Require(p, auth.ReadLedger); err != nil {
		return out, err
	}
	f := store.LedgerAccountFilter{LedgerID: ledgerID}
	if p.Role == auth.Enterprise {
		if p.EnterpriseID == 0 {
			return out, nil
		}
		f.EnterpriseID = p.EnterpriseID
	}
	pg, err := s.DB.ListLedgerAccounts(ctx, f, q)
	out.Total = pg.Total
	for _, a := range pg.Rows {
		out.Rows = append(out.Rows, accountOf(a))
	}
	return out, err
}
