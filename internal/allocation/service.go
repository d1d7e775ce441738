package allocation

import (
	"context"
	"encoding/json"
	"errors"
	"math/bits"
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

// Service runs allocation rounds.
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

// TierIn names a tier as entered.
type TierIn struct {
	Tier   int    `json:"tier"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// RequestIn is a request as entered: tonnes as written; "" is none (minimum 0, no cap).
type RequestIn struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Account      string `json:"account"`
	Tier         int    `json:"tier"`
	RequestedT   string `json:"requested_t"`
	MinT         string `json:"min_t"`
	CapT         string `json:"cap_t"`
	Reason       string `json:"reason"`
}

// NewRound is a round as a planner enters it: the supply of a supply_allocation ledger's
// pool account, and the rules.
type NewRound struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Ledger      string      `json:"ledger"`
	PoolAccount string      `json:"pool_account"`
	SupplyT     string      `json:"supply_t"`
	Note        string      `json:"note"`
	Tiers       []TierIn    `json:"tiers"`
	Requests    []RequestIn `json:"requests"`
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

func optTonnes(s string) (int64, bool) {
	if strings.TrimSpace(s) == "" {
		return 0, true
	}
	g, f := ledger.ParseTonnes(s)
	return g, f == nil
}

// rules checks tiers and requests on their own and converts them.
func rules(tiers []TierIn, reqs []RequestIn) ([]store.AllocTier, []store.AllocRequest, *apperr.Error) {
	e := apperr.New(apperr.Invalid, "bad_rules", "allocation.err.rules")
	named := map[int]bool{}
	var ts []store.AllocTier
	for i, t := range tiers {
		at := "tiers[" + strconv.Itoa(i) + "]."
		if t.Tier < 1 || t.Tier > 9 || named[t.Tier] {
			e.With(at+"tier", "allocation.err.tier", t.Tier)
		}
		if strings.TrimSpace(t.NameZh) == "" {
			e.With(at+"name_zh", "allocation.err.tier_name")
		}
		named[t.Tier] = true
		ts = append(ts, store.AllocTier{Tier: t.Tier, NameZh: strings.TrimSpace(t.NameZh), NameEn: strings.TrimSpace(t.NameEn)})
	}
	seen := map[int64]bool{}
	var rs []store.AllocRequest
	for i, r := range reqs {
		at := "requests[" + strconv.Itoa(i) + "]."
		if seen[r.EnterpriseID] {
			e.With(at+"enterprise_id", "allocation.err.enterprise_twice", r.EnterpriseID)
		}
		seen[r.EnterpriseID] = true
		if !named[r.Tier] {
			e.With(at+"tier", "allocation.err.tier_unnamed", r.Tier)
		}
		req, f := ledger.ParseTonnes(r.RequestedT)
		ok := f == nil && req > 0
		if !ok {
			e.With(at+"requested_t", "allocation.err.tonnes", r.RequestedT)
		}
		mn, ok1 := optTonnes(r.MinT)
		if !ok1 {
			e.With(at+"min_t", "allocation.err.tonnes", r.MinT)
		} else if ok && mn > req {
			e.With(at+"min_t", "allocation.err.min_over_request", r.MinT, r.RequestedT)
		}
		cp, ok2 := optTonnes(r.CapT)
		if !ok2 {
			e.With(at+"cap_t", "allocation.err.tonnes", r.CapT)
		} else if cp > 0 && cp < mn {
			e.With(at+"cap_t", "allocation.err.cap_under_min", r.CapT, r.MinT)
		}
		rs = append(rs, store.AllocRequest{EnterpriseID: r.EnterpriseID, Account: strings.TrimSpace(r.Account), Tier: r.Tier,
			RequestedG: req, MinG: mn, CapG: cp, Reason: strings.TrimSpace(r.Reason)})
	}
	if len(e.Fields) > 0 {
		return nil, nil, e
	}
	return ts, rs, nil
}

// checkAccounts: each request's account is its enterprise's account in the round's ledger.
func checkAccounts(ctx context.Context, tx *store.Tx, ledgerID int64, rs []store.AllocRequest) error {
	for i, r := range rs {
		a, err := tx.LedgerAccountByCode(ctx, r.Account)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (a.LedgerID != ledgerID || a.EnterpriseID != r.EnterpriseID)) {
			return invalid("bad_request_account", "requests["+strconv.Itoa(i)+"].account", "allocation.err.account", r.Account, r.EnterpriseID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// CreateRound records a round in draft with its rules.
func (s *Service) CreateRound(ctx context.Context, p *auth.Principal, n NewRound) (store.AllocRound, error) {
	if err := auth.Require(p, auth.ManageAllocation); err != nil {
		return store.AllocRound{}, err
	}
	e := apperr.New(apperr.Invalid, "bad_round", "allocation.err.round")
	if !codeRE.MatchString(n.Code) {
		e.With("code", "allocation.err.code", n.Code)
	}
	if strings.TrimSpace(n.Name) == "" {
		e.With("name", "allocation.err.name")
	}
	supply, f := ledger.ParseTonnes(n.SupplyT)
	if f != nil {
		e.With("supply_t", "allocation.err.tonnes", n.SupplyT)
	}
	if len(e.Fields) > 0 {
		return store.AllocRound{}, e
	}
	ts, rs, rerr := rules(n.Tiers, n.Requests)
	if rerr != nil {
		return store.AllocRound{}, rerr
	}
	var out store.AllocRound
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		c, k, y, err := ledger.ParseLedgerKey(n.Ledger)
		if err != nil {
			return err
		}
		l, err := tx.LedgerByKey(ctx, string(c), string(k), y)
		if errors.Is(err, store.ErrNotFound) || (err == nil && k != ledger.SupplyAllocation) {
			return invalid("not_an_allocation_ledger", "ledger", "allocation.err.ledger", n.Ledger)
		} else if err != nil {
			return err
		}
		pool, err := tx.LedgerAccountByCode(ctx, n.PoolAccount)
		if errors.Is(err, store.ErrNotFound) || (err == nil && pool.LedgerID != l.ID) {
			return invalid("bad_pool_account", "pool_account", "allocation.err.pool", n.PoolAccount, n.Ledger)
		} else if err != nil {
			return err
		}
		if err := checkAccounts(ctx, tx, l.ID, rs); err != nil {
			return err
		}
		now := s.Now()
		out = store.AllocRound{Code: n.Code, Name: strings.TrimSpace(n.Name), LedgerID: l.ID, PoolAccount: n.PoolAccount, SupplyG: supply,
			Status: "draft", Note: strings.TrimSpace(n.Note), CreatedBy: p.Username, CreatedAt: now, LedgerKey: n.Ledger}
		id, err := tx.InsertAllocRound(ctx, out)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "round_exists", "allocation.err.round_exists", n.Code).With("code", "allocation.err.round_exists", n.Code)
		} else if err != nil {
			return err
		}
		out.ID = id
		if err := tx.ReplaceAllocRules(ctx, id, ts, rs); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "allocation.round.create", "alloc_round", n.Code, nil, n)
	})
	return out, err
}

// SetRules replaces a draft round's rules; an applied round's rules are history.
func (s *Service) SetRules(ctx context.Context, p *auth.Principal, roundID int64, tiers []TierIn, reqs []RequestIn) error {
	if err := auth.Require(p, auth.ManageAllocation); err != nil {
		return err
	}
	ts, rs, rerr := rules(tiers, reqs)
	if rerr != nil {
		return rerr
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.AllocRoundByID(ctx, roundID)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.NotFound, "unknown_round", "allocation.err.unknown_round", roundID)
		} else if err != nil {
			return err
		}
		if r.Status != "draft" {
			return apperr.New(apperr.Conflict, "round_applied", "allocation.err.applied", r.Code)
		}
		if err := checkAccounts(ctx, tx, r.LedgerID, rs); err != nil {
			return err
		}
		old, err := tx.AllocRequests(ctx, roundID)
		if err != nil {
			return err
		}
		if err := tx.ReplaceAllocRules(ctx, roundID, ts, rs); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), p, "allocation.rules.set", "alloc_round", r.Code, old, rs)
	})
}

// RoundView is a round with its rules and, once applied, results. For an enterprise user
// the requests and results are its own only.
type RoundView struct {
	store.AllocRound
	Tiers    []store.AllocTier
	Requests []store.AllocRequest
	Results  []store.AllocResult
}

func (s *Service) round(ctx context.Context, p *auth.Principal, id int64) (RoundView, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return RoundView{}, err
	}
	r, err := s.DB.AllocRoundByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return RoundView{}, apperr.New(apperr.NotFound, "unknown_round", "allocation.err.unknown_round", id)
	} else if err != nil {
		return RoundView{}, err
	}
	v := RoundView{AllocRound: r}
	if v.Tiers, v.Requests, err = s.DB.AllocRules(ctx, id); err != nil {
		return v, err
	}
	if v.Results, err = s.DB.AllocResults(ctx, id); err != nil {
		return v, err
	}
	if p.Role == auth.Enterprise {
		var rq []store.AllocRequest
		for _, x := range v.Requests {
			if x.EnterpriseID == p.EnterpriseID {
				rq = append(rq, x)
			}
		}
		var rs []store.AllocResult
		for _, x := range v.Results {
			if x.EnterpriseID == p.EnterpriseID {
				rs = append(rs, x)
			}
		}
		v.Requests, v.Results = rq, rs
	}
	return v, nil
}

// Round reads a round.
func (s *Service) Round(ctx context.Context, p *auth.Principal, id int64) (RoundView, error) {
	return s.round(ctx, p, id)
}

// Rounds lists every round.
func (s *Service) Rounds(ctx context.Context, p *auth.Principal) ([]store.AllocRound, error) {
	if err := auth.Require(p, auth.ReadQuota); err != nil {
		return nil, err
	}
	return s.DB.AllocRounds(ctx)
}

// Outcome is a round run on its supply scaled by ScalePct (100: as entered), beside the
// run at 100% when scaled: Loss is what each enterprise gets less in the scenario.
type Outcome struct {
	Round  store.AllocRound
	Tiers  []store.AllocTier
	Scale  int
	Result Result
	Base   *Result
	LossG  map[int64]int64
}

// Run computes a round's allocation as a scenario, touching nothing. ScalePct scales the
// supply (90: "next year's quota falls 10%"). An enterprise user sees its own share only.
func (s *Service) Run(ctx context.Context, p *auth.Principal, id int64, scalePct int) (Outcome, error) {
	if scalePct < 0 || scalePct > 1000 {
		return Outcome{}, invalid("bad_scale", "scale_pct", "allocation.err.scale", scalePct)
	}
	v, err := s.round(ctx, p, id)
	if err != nil {
		return Outcome{}, err
	}
	// The enterprise's own share depends on everyone's requests: compute on all of them,
	// then show only its own.
	_, all, err := s.DB.AllocRules(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	reqs := requestsOf(all)
	out := Outcome{Round: v.AllocRound, Tiers: v.Tiers, Scale: scalePct}
	out.Result = Allocate(Scaled(v.SupplyG, scalePct), reqs)
	if scalePct != 100 {
		base := Allocate(v.SupplyG, reqs)
		out.Base = &base
		out.LossG = map[int64]int64{}
		b := map[int64]int64{}
		for _, x := range base.Shares {
			b[x.EnterpriseID] = x.GotG
		}
		for _, x := range out.Result.Shares {
			out.LossG[x.EnterpriseID] = b[x.EnterpriseID] - x.GotG
		}
	}
	if p.Role == auth.Enterprise {
		out.Result.Shares = ownShares(out.Result.Shares, p.EnterpriseID)
		if out.Base != nil {
			out.Base.Shares = ownShares(out.Base.Shares, p.EnterpriseID)
		}
	}
	return out, nil
}

// Scaled is supply × pct / 100 in whole grams, rounded down.
func Scaled(supplyG int64, pct int) int64 {
	hi, lo := bits.Mul64(uint64(supplyG), uint64(pct))
	q, _ := bits.Div64(hi, lo, 100)
	return int64(q)
}

func ownShares(ss []Share, ent int64) []Share {
	var out []Share
	for _, x := range ss {
		if x.EnterpriseID == ent {
			out = append(out, x)
		}
	}
	return out
}

func requestsOf(rs []store.AllocRequest) []Request {
	out := make([]Request, len(rs))
	for i, r := range rs {
		out[i] = Request{EnterpriseID: r.EnterpriseID, Name: r.EnterpriseName, Tier: r.Tier, RequestedG: r.RequestedG, MinG: r.MinG, CapG: r.CapG}
	}
	return out
}

// Apply allocates a draft round for real: one ledger transfer (code allocate) from the
// pool account to each enterprise's account that gets anything, the results with their
// explanations, and the round marked applied — all in one transaction. The ledger refuses
// the batch if the pool holds less than is allocated; nothing is written then.
func (s *Service) Apply(ctx context.Context, p *auth.Principal, id int64) (RoundView, error) {
	if err := auth.Require(p, auth.ManageAllocation); err != nil {
		return RoundView{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.AllocRoundByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.NotFound, "unknown_round", "allocation.err.unknown_round", id)
		} else if err != nil {
			return err
		}
		if r.Status != "draft" {
			return apperr.New(apperr.Conflict, "round_applied", "allocation.err.applied", r.Code)
		}
		rs, err := tx.AllocRequests(ctx, id)
		if err != nil {
			return err
		}
		res := Allocate(r.SupplyG, requestsOf(rs))
		acct := map[int64]string{}
		for _, x := range rs {
			acct[x.EnterpriseID] = x.Account
		}
		now := s.Now()
		var ts []ledger.Transfer
		var out []store.AllocResult
		for _, sh := range res.Shares {
			steps, _ := json.Marshal(sh.Steps)
			ar := store.AllocResult{EnterpriseID: sh.EnterpriseID, GotG: sh.GotG, Explanation: string(steps)}
			if sh.GotG > 0 {
				tid := ledger.NewID(now)
				ts = append(ts, ledger.Transfer{ID: tid, DebitAccount: r.PoolAccount, CreditAccount: acct[sh.EnterpriseID], Amount: sh.GotG,
					Code: ledger.CodeAllocate, Ref: "供应配置 / allocation " + r.Code})
				ar.TransferID = tid.String()
			}
			out = append(out, ar)
		}
		if _, err := s.Ledger.CreateTransfersTx(ctx, tx, p, ts); err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Code == "exceeds_credits" {
				pool, _ := tx.LedgerAccountByCode(ctx, r.PoolAccount)
				return invalid("pool_short", "pool_account", "allocation.err.pool_short", r.PoolAccount,
					ledger.FormatTonnes(pool.CreditsPosted-pool.DebitsPosted-pool.DebitsPending), ledger.FormatTonnes(res.AllocatedG))
			}
			return err
		}
		if err := tx.InsertAllocResults(ctx, id, out); err != nil {
			return err
		}
		if err := tx.MarkAllocRoundApplied(ctx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "allocation.round.apply", "alloc_round", r.Code, nil, out)
	})
	if err != nil {
		return RoundView{}, err
	}
	return s.round(ctx, p, id)
}

// Steps decodes a stored explanation.
func Steps(explanation string) []Step {
	var out []Step
	json.Unmarshal([]byte(explanation), &out)
	return out
}
