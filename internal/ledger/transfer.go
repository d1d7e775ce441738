package ledger

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// TransferFlags are TigerBeetle's transfer flags (same bit values), plus Expire.
type TransferFlags uint16

const (
	// Linked chains this transfer to the next: the chain applies all or nothing.
	Linked TransferFlags = 1 << 0
	// Pending reserves the amount (counted in *_pending) until posted, voided or expired.
	Pending TransferFlags = 1 << 1
	// PostPending posts the pending transfer PendingID, in full (Amount 0) or in part.
	PostPending TransferFlags = 1 << 2
	// VoidPending releases the pending transfer PendingID.
	VoidPending TransferFlags = 1 << 3
	// Expire marks the system row that released an expired pending transfer. Clients may
	// not set it; such rows have no id of their own.
	Expire TransferFlags = 1 << 12

	clientFlags = Linked | Pending | PostPending | VoidPending
)

// Code says why quota moved (TigerBeetle's transfer code). Zero is not a code.
type Code uint16

const (
	CodeIssue      Code = 1 // 下达总量: the national total into the nation's account
	CodeGrant      Code = 2 // 分配下达: a parent grants to a child
	CodeConsume    Code = 3 // 生产消耗: production consumes quota
	CodeExport     Code = 4 // 出口
	CodeLapse      Code = 5 // 作废: unused quota lapses at year end
	CodeReturn     Code = 6 // 退回/收回: quota goes back up
	CodeCorrection Code = 7 // 更正: corrects an earlier transfer (transfers are never edited)
	CodeReserve    Code = 8 // 预留: a two-phase reservation
	CodeAllocate   Code = 9 // 供应配置: supply allocated to an enterprise
	// Strategic reserves (package reserve).
	CodePurchase Code = 10 // 收储: stock bought into a depot
	CodeRotate   Code = 11 // 轮换: one leg of a rotation (old stock out, fresh stock in)
	CodeRelease  Code = 12 // 投放: stock released from a depot, or in-ground tonnage freed
	CodeSetAside Code = 13 // 划定储备: a deposit's tonnage reserved in the ground
)

// Codes names every code, for forms and messages.
var Codes = map[Code]struct{ Name, Zh, En string }{
	CodeIssue:      {"issue", "下达总量", "issue"},
	CodeGrant:      {"grant", "分配下达", "grant"},
	CodeConsume:    {"consume", "生产消耗", "consumption"},
	CodeExport:     {"export", "出口", "export"},
	CodeLapse:      {"lapse", "作废", "lapse"},
	CodeReturn:     {"return", "退回", "return"},
	CodeCorrection: {"correction", "更正", "correction"},
	CodeReserve:    {"reserve", "预留", "reservation"},
	CodeAllocate:   {"allocate", "供应配置", "allocation"},
	CodePurchase:   {"purchase", "收储", "reserve purchase"},
	CodeRotate:     {"rotate", "轮换", "reserve rotation"},
	CodeRelease:    {"release", "投放", "reserve release"},
	CodeSetAside:   {"set_aside", "划定储备", "set aside in the ground"},
}

// Transfer is what a client asks for. Accounts are named by code. A post or void may leave
// the accounts and code empty (they are taken from the pending transfer) and its Amount 0
// (the pending transfer's full amount).
type Transfer struct {
	ID            ID            `json:"id"`
	DebitAccount  string        `json:"debit_account,omitempty"`
	CreditAccount string        `json:"credit_account,omitempty"`
	Amount        int64         `json:"amount"` // grams of the ledger's base unit
	PendingID     ID            `json:"pending_id,omitzero"`
	Timeout       uint32        `json:"timeout,omitempty"` // seconds; pending transfers only; 0 never expires
	Code          Code          `json:"code"`
	Flags         TransferFlags `json:"flags,omitempty"`
	Ref           string        `json:"ref,omitempty"` // document number, report id: what people read
}

// Stored is a transfer as the ledger holds it: accounts, code and amount resolved, with its
// position (Seq) and time. A system expiry row has a zero ID.
type Stored struct {
	Transfer
	Seq       int64     `json:"seq"`
	LedgerID  int64     `json:"ledger_id"`
	Timestamp time.Time `json:"timestamp"`
}

// MaxBatch is the most transfers one call takes (TigerBeetle's batch size).
const MaxBatch = 8190

// maxRef bounds Transfer.Ref, in characters.
const maxRef = 200

// Failure is why one transfer was refused: a stable code, the field at fault and a
// catalogue message with its arguments.
type Failure struct {
	Code  string `json:"code"`
	Field string `json:"field"`
	Key   string `json:"-"`
	Args  []any  `json:"-"`
}

func fail(code, field string, args ...any) *Failure {
	return &Failure{Code: code, Field: field, Key: "ledger.err." + code, Args: args}
}

// Validate checks the rules of a transfer that need no database.
func (t Transfer) Validate() *Failure {
	switch {
	case t.ID.IsZero():
		return fail("id_must_not_be_zero", "id")
	case t.ID == maxID:
		return fail("id_must_not_be_int_max", "id")
	case t.Flags&^clientFlags != 0:
		return fail("reserved_flag", "flags", int64(t.Flags))
	}
	n := 0
	for _, f := range []TransferFlags{Pending, PostPending, VoidPending} {
		if t.Flags&f != 0 {
			n++
		}
	}
	if n > 1 {
		return fail("flags_are_mutually_exclusive", "flags")
	}
	if utf8.RuneCountInString(t.Ref) > maxRef {
		return fail("ref_too_long", "ref", maxRef)
	}
	if t.Amount < 0 {
		return fail("amount_negative", "amount", t.Amount)
	}
	if t.Flags&(PostPending|VoidPending) != 0 {
		switch {
		case t.PendingID.IsZero():
			return fail("pending_id_must_not_be_zero", "pending_id")
		case t.PendingID == maxID:
			return fail("pending_id_must_not_be_int_max", "pending_id")
		case t.PendingID == t.ID:
			return fail("pending_id_must_be_different", "pending_id")
		case t.Timeout != 0:
			return fail("timeout_reserved_for_pending_transfer", "timeout")
		case t.Code != 0 && !t.Code.valid():
			return fail("unknown_code", "code", int64(t.Code))
		case t.DebitAccount != "" && t.DebitAccount == t.CreditAccount:
			return fail("accounts_must_be_different", "credit_account", t.DebitAccount)
		}
		return nil
	}
	switch {
	case !t.PendingID.IsZero():
		return fail("pending_id_must_be_zero", "pending_id")
	case t.Timeout != 0 && t.Flags&Pending == 0:
		return fail("timeout_reserved_for_pending_transfer", "timeout")
	case t.DebitAccount == "":
		return fail("debit_account_required", "debit_account")
	case t.CreditAccount == "":
		return fail("credit_account_required", "credit_account")
	case t.DebitAccount == t.CreditAccount:
		return fail("accounts_must_be_different", "credit_account", t.DebitAccount)
	case t.Amount == 0:
		return fail("amount_must_not_be_zero", "amount")
	case t.Code == 0:
		return fail("code_must_not_be_zero", "code")
	case !t.Code.valid():
		return fail("unknown_code", "code", int64(t.Code))
	}
	return nil
}

func (c Code) valid() bool { _, ok := Codes[c]; return ok }

// Status is the outcome for one transfer of a batch.
type Status string

const (
	Created Status = "created" // applied now
	Exists  Status = "exists"  // the same transfer was applied before: the original is returned
	Failed  Status = "failed"  // refused: Code, Field and the message say why
	// LinkedFailed: refused because another transfer of its linked chain failed.
	LinkedFailed Status = "linked_event_failed"
	// NotApplied: valid, but not written because another transfer of the batch failed.
	NotApplied Status = "not_applied"
)

// Result is the outcome for the transfer at Index.
type Result struct {
	Index    int      `json:"index"`
	ID       ID       `json:"id"`
	Status   Status   `json:"status"`
	Failure  *Failure `json:"failure,omitempty"`
	Transfer *Stored  `json:"transfer,omitempty"` // created or exists: as stored
}

// pending states.
const (
	open = iota
	posted
	voided
	expired
)

// acct is an account locked for the batch, its balances changing in memory.
type acct struct {
	store.LedgerAccount
	legs []int // indexes into engine.rows of the batch's transfers touching the account
}

// pend is a pending transfer a batch refers to: stored, or created earlier in the batch.
type pend struct {
	id            ID
	seq           int64 // 0 until written (created in this batch)
	row           int   // index into engine.rows when created in this batch, else -1
	debit, credit *acct
	amount        int64
	code          Code
	flags         TransferFlags
	expiresAt     int64 // Unix ms; 0 never
	state         int
}

// engine applies a batch in memory against the locked accounts; nothing reaches the
// database until every transfer has passed.
type engine struct {
	nowMS, ts  int64
	byCode     map[string]*acct
	byID       map[int64]*acct
	stored     map[ID]store.LedgerTransfer // transfers of the batch's ids already in the database
	pendings   map[ID]*pend
	created    map[ID]int // id → row index, for transfers created in this batch
	rows       []store.LedgerTransfer
	rowOf      []int // transfer index → row index, -1 when no row
	closed     []int64
	expired    int
	ledgerName func(id int64) string
	undo       []func() // while inside a linked chain
	inChain    bool
}

// CreateTransfers applies a batch of transfers in one database transaction, all or nothing,
// with one audit record for the batch. On success every result is Created or Exists. If
// any transfer fails, nothing is written; the results say which failed and why, and the
// error (apperr Invalid, or Conflict when every failure is a conflict) lists them as
// fields "transfers[i].field".
//
// Expired pending transfers are released by this call too: every pending transfer whose
// expiry is at or before the call's clock reading is released — a system row with flag
// Expire, in the same transaction, before the batch's own transfers are applied — so the
// batch already sees the reservation gone. (ExpirePending does only that.)
func (s *Service) CreateTransfers(ctx context.Context, p *auth.Principal, ts []Transfer) ([]Result, error) {
	if err := auth.Require(p, auth.TransferQuota); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, nil
	}
	if len(ts) > MaxBatch {
		return nil, apperr.New(apperr.TooLarge, "batch_too_large", "ledger.err.batch_too_large", len(ts), MaxBatch)
	}
	res, _, err := s.run(ctx, p, ts)
	return res, err
}

// ExpirePending releases every pending transfer that has expired by now and returns how
// many it released.
func (s *Service) ExpirePending(ctx context.Context, p *auth.Principal) (int, error) {
	if err := auth.Require(p, auth.TransferQuota); err != nil {
		return 0, err
	}
	_, n, err := s.run(ctx, p, nil)
	return n, err
}

// errRetry: another transaction resolved a pending transfer between this one's read and
// its lock; running the batch again sees the new state.
var errRetry = errors.New("ledger: concurrent resolution, retry")

// errNeedLookup: the optimistic pass met an existing id (or a refusal) and the batch must
// be applied again with every id looked up first.
var errNeedLookup = errors.New("ledger: apply again with id lookups")

// optimisticMin is the batch size from which the first pass skips looking up every id.
//
// Idempotency needs to know which ids exist. Looking up 1,000 ids costs 1,000 index probes
// per batch, while the unique index on id checks the same thing again on insert anyway.
// So a large batch is first applied assuming that all its ids are new; if the insert meets
// an existing id — a retry — or any transfer is refused, the transaction is rolled back
// and the batch applied again with every id looked up, so that results (exists,
// id_conflict, the reasons of refusals) are exact. Retries and refusals pay twice; the
// common case pays once. Small batches (forms, API calls) look up directly.
const optimisticMin = 64

// run is CreateTransfers' body, retried when PostgreSQL reports a conflict that a fresh
// attempt resolves (see store.IsLedgerRetryable).
func (s *Service) run(ctx context.Context, p *auth.Principal, ts []Transfer) ([]Result, int, error) {
	var (
		res     []Result
		expired int
		err     error
	)
	lookup := len(ts) < optimisticMin
	for attempt := 0; attempt < 8; {
		err = s.DB.Write(ctx, func(tx *store.Tx) error {
			var e error
			res, expired, e = s.apply(ctx, tx, p, ts, lookup)
			return e
		})
		if errors.Is(err, errNeedLookup) && !lookup {
			lookup = true
			continue
		}
		if !errors.Is(err, errRetry) && !store.IsLedgerRetryable(err) {
			break
		}
		attempt++
		time.Sleep(time.Duration(attempt) * time.Millisecond)
	}
	return res, expired, err
}

// expiryScan bounds how many expired reservations one transaction releases; any others
// are released by the next write.
const expiryScan = 4096

func (s *Service) apply(ctx context.Context, tx *store.Tx, p *auth.Principal, ts []Transfer, lookup bool) ([]Result, int, error) {
	now := s.Now()
	e := &engine{nowMS: now.UnixMilli(), pendings: map[ID]*pend{}, created: map[ID]int{}}
	res := make([]Result, len(ts))
	fails := make([]*Failure, len(ts))
	for i := range ts {
		res[i] = Result{Index: i, ID: ts[i].ID}
		fails[i] = ts[i].Validate()
	}

	// 1. Pending transfers referred to by posts and voids. Their rows never change, so they
	// may be read before locking; they say which accounts to lock.
	var pendingIDs [][]byte
	seen := map[ID]bool{}
	for i, t := range ts {
		if fails[i] == nil && t.Flags&(PostPending|VoidPending) != 0 && !seen[t.PendingID] {
			seen[t.PendingID] = true
			pendingIDs = append(pendingIDs, t.PendingID.bytes())
		}
	}
	var pendRows []store.LedgerTransfer
	var err error
	if len(pendingIDs) > 0 {
		if pendRows, err = tx.LedgerTransfersByID(ctx, pendingIDs); err != nil {
			return nil, 0, err
		}
	}
	// 2. Expired reservations to release.
	exp, err := tx.ExpiredLedgerPendings(ctx, e.nowMS, expiryScan)
	if err != nil {
		return nil, 0, err
	}
	// 3. Lock every account the batch touches, in one ordered statement.
	var codes []string
	seenCode := map[string]bool{}
	for i, t := range ts {
		if fails[i] != nil {
			continue
		}
		for _, c := range []string{t.DebitAccount, t.CreditAccount} {
			if c != "" && !seenCode[c] {
				seenCode[c] = true
				codes = append(codes, c)
			}
		}
	}
	var ids []int64
	for _, r := range append(pendRows, exp...) {
		ids = append(ids, r.DebitAccountID, r.CreditAccountID)
	}
	locked, err := tx.LockLedgerAccounts(ctx, codes, ids)
	if err != nil {
		return nil, 0, err
	}
	e.byCode = make(map[string]*acct, len(locked))
	e.byID = make(map[int64]*acct, len(locked))
	e.ts = e.nowMS
	for i := range locked {
		a := &acct{LedgerAccount: locked[i]}
		e.byCode[a.Code], e.byID[a.ID] = a, a
		// A transfer's time never precedes that of an earlier transfer of its accounts, even
		// across servers with skewed clocks: balance-at-date relies on it.
		e.ts = max(e.ts, a.LastTS)
	}
	e.ledgerName = func(id int64) string {
		l, err := tx.LedgerByID(ctx, id)
		if err != nil {
			return strconv.FormatInt(id, 10)
		}
		return ledgerOf(l).Key()
	}
	// 4. Under the locks: which ids exist already, and which pending transfers are resolved.
	var existing []store.LedgerTransfer
	if lookup {
		var idBytes [][]byte
		for i, t := range ts {
			if fails[i] == nil {
				idBytes = append(idBytes, t.ID.bytes())
			}
		}
		if existing, err = tx.LedgerTransfersByID(ctx, idBytes); err != nil {
			return nil, 0, err
		}
	}
	e.stored = make(map[ID]store.LedgerTransfer, len(existing))
	for _, x := range existing {
		e.stored[idFrom(x.ID)] = x
	}
	for _, r := range append(pendRows, exp...) {
		if id := idFrom(r.ID); e.pendings[id] == nil {
			e.pendings[id] = e.storedPending(r)
		}
	}
	if len(e.pendings) > 0 {
		keys := make([][]byte, 0, len(e.pendings))
		for id := range e.pendings {
			keys = append(keys, id.bytes())
		}
		resolved, err := tx.LedgerResolutions(ctx, keys)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range resolved {
			if pd := e.pendings[idFrom(r.PendingID)]; pd != nil {
				pd.state = stateOf(TransferFlags(r.Flags))
			}
		}
	}
	// 5. Release expired reservations first, so that the batch sees them gone.
	for _, r := range exp {
		if pd := e.pendings[idFrom(r.ID)]; pd.state == open { // else resolved since the scan
			e.release(pd)
		}
	}
	// 6. The batch, in order, linked chains all or nothing.
	e.rowOf = make([]int, len(ts))
	chainStart, chainFailed := -1, false
	failed := 0
	for i := range ts {
		e.rowOf[i] = -1
		linked := ts[i].Flags&Linked != 0
		if chainStart < 0 && linked {
			chainStart, e.inChain, e.undo = i, true, e.undo[:0]
		}
		if chainFailed {
			res[i].Status = LinkedFailed
			res[i].Failure = fail("linked_event_failed", "flags")
		} else {
			f := fails[i]
			if f == nil && linked && i == len(ts)-1 {
				f = fail("linked_event_chain_open", "flags")
			}
			if f == nil {
				f = e.one(i, ts[i], &res[i])
			}
			if f != nil {
				res[i].Status, res[i].Failure = Failed, f
				failed++
				if chainStart >= 0 {
					for k := len(e.undo) - 1; k >= 0; k-- {
						e.undo[k]()
					}
					for j := chainStart; j < i; j++ {
						if res[j].Status == Created || res[j].Status == Exists {
							res[j].Status, res[j].Failure, res[j].Transfer = LinkedFailed, fail("linked_event_failed", "flags"), nil
							e.rowOf[j] = -1
						}
					}
					chainFailed = linked
				}
			}
		}
		if !linked && chainStart >= 0 {
			chainStart, chainFailed, e.inChain = -1, false, false
		}
	}
	if failed > 0 {
		if !lookup {
			return nil, 0, errNeedLookup
		}
		for i := range res {
			if res[i].Status == Created || res[i].Status == Exists {
				res[i].Status = NotApplied
				res[i].Transfer = nil
			}
		}
		return res, 0, batchError(res, len(ts))
	}
	// 7. Write: rows, balances, the open set, one audit record.
	if len(e.rows) == 0 {
		return res, 0, nil
	}
	seqs, err := tx.ReserveLedgerSeqs(ctx, len(e.rows))
	if err != nil {
		return nil, 0, err
	}
	for k := range e.rows {
		e.rows[k].Seq = seqs[k]
	}
	var opens []store.OpenPending
	for _, pd := range e.pendings {
		if pd.row >= 0 && pd.state == open {
			opens = append(opens, store.OpenPending{Seq: e.rows[pd.row].Seq, ExpiresAt: pd.expiresAt})
		}
	}
	if err := tx.InsertLedgerTransfers(ctx, e.rows); err != nil {
		if !lookup && store.IsUniqueViolation(err) {
			return nil, 0, errNeedLookup
		}
		return nil, 0, err
	}
	// Each touched account: its new balances, and one history row for the batch.
	var touched []store.LedgerAccount
	var hist []store.LedgerHistory
	for _, a := range locked {
		x := e.byID[a.ID]
		if len(x.legs) == 0 {
			continue
		}
		x.LastTS = e.ts
		touched = append(touched, x.LedgerAccount)
		seqs := make([]int64, len(x.legs))
		for j, k := range x.legs {
			seqs[j] = e.rows[k].Seq
		}
		hist = append(hist, store.LedgerHistory{AccountID: x.ID, TS: e.ts, Seq: seqs[len(seqs)-1], DebitsPending: x.DebitsPending,
			DebitsPosted: x.DebitsPosted, CreditsPending: x.CreditsPending, CreditsPosted: x.CreditsPosted, Seqs: seqs})
	}
	if err := tx.UpdateLedgerAccountBalances(ctx, touched); err != nil {
		return nil, 0, err
	}
	if err := tx.InsertLedgerHistory(ctx, hist); err != nil {
		return nil, 0, err
	}
	if n, err := tx.CloseLedgerPendings(ctx, e.closed); err != nil {
		return nil, 0, err
	} else if n != int64(len(e.closed)) {
		return nil, 0, errRetry
	}
	if err := tx.OpenLedgerPendings(ctx, opens); err != nil {
		return nil, 0, err
	}
	var first, last ID
	created := 0
	for i := range res {
		if e.rowOf[i] >= 0 {
			res[i].Transfer.Seq = e.rows[e.rowOf[i]].Seq
		}
		if res[i].Status == Created {
			if created == 0 {
				first = ts[i].ID
			}
			last = ts[i].ID
			created++
		}
	}
	rec := batchAudit{Transfers: len(ts), Created: created, Exists: len(ts) - created, Expired: e.expired,
		SeqFrom: e.rows[0].Seq, SeqTo: e.rows[len(e.rows)-1].Seq, At: time.UnixMilli(e.ts).UTC()}
	action, entity := "ledger.pending.expire", "expiry"
	if created > 0 {
		rec.FirstID, rec.LastID = first.String(), last.String()
		action, entity = "ledger.transfers.create", rec.FirstID+".."+rec.LastID
	}
	if err := audit.Record(ctx, tx, now, p, action, "ledger_batch", entity, nil, rec); err != nil {
		return nil, 0, err
	}
	return res, e.expired, nil
}

// batchAudit is the audit record of one batch: one record per batch, not per transfer, so
// that auditing does not halve the ledger's rate; the ids and seq range find the rows.
type batchAudit struct {
	Transfers int       `json:"transfers"`
	Created   int       `json:"created"`
	Exists    int       `json:"exists"`
	Expired   int       `json:"expired_released"`
	FirstID   string    `json:"first_id,omitempty"`
	LastID    string    `json:"last_id,omitempty"`
	SeqFrom   int64     `json:"seq_from"`
	SeqTo     int64     `json:"seq_to"`
	At        time.Time `json:"timestamp"`
}

func stateOf(f TransferFlags) int {
	switch {
	case f&PostPending != 0:
		return posted
	case f&VoidPending != 0:
		return voided
	case f&Expire != 0:
		return expired
	}
	return open
}

func (e *engine) storedPending(r store.LedgerTransfer) *pend {
	pd := &pend{id: idFrom(r.ID), seq: r.Seq, row: -1, debit: e.byID[r.DebitAccountID], credit: e.byID[r.CreditAccountID],
		amount: r.Amount, code: Code(r.Code), flags: TransferFlags(r.Flags)}
	if r.Timeout > 0 {
		pd.expiresAt = r.TS + r.Timeout*1000
	}
	return pd
}

// release writes the system row that gives back an expired reservation.
func (e *engine) release(pd *pend) {
	dr, cr := pd.debit, pd.credit
	dr.DebitsPending -= pd.amount
	cr.CreditsPending -= pd.amount
	pd.state = expired
	e.closed = append(e.closed, pd.seq)
	e.expired++
	e.add(nil, dr, cr, pd.amount, pd.id.bytes(), int64(pd.code), int64(Expire), 0, "")
}

// add appends the row of a transfer whose effect on dr and cr is already applied, and
// returns its index.
func (e *engine) add(id []byte, dr, cr *acct, amount int64, pendingID []byte, code, flags, timeout int64, ref string) int {
	k := len(e.rows)
	e.rows = append(e.rows, store.LedgerTransfer{ID: id, LedgerID: dr.LedgerID, DebitAccountID: dr.ID, CreditAccountID: cr.ID,
		Amount: amount, PendingID: pendingID, Code: code, Flags: flags, Timeout: timeout, TS: e.ts, Ref: ref})
	dr.legs = append(dr.legs, k)
	cr.legs = append(cr.legs, k)
	return k
}

// normalized fills what a post or void may leave out from its pending transfer.
func (e *engine) normalized(t Transfer) Transfer {
	if t.Flags&(PostPending|VoidPending) == 0 {
		return t
	}
	pd := e.pendings[t.PendingID]
	if pd == nil {
		return t
	}
	if t.DebitAccount == "" && pd.debit != nil {
		t.DebitAccount = pd.debit.Code
	}
	if t.CreditAccount == "" && pd.credit != nil {
		t.CreditAccount = pd.credit.Code
	}
	if t.Code == 0 {
		t.Code = pd.code
	}
	if t.Amount == 0 {
		t.Amount = pd.amount
	}
	return t
}

// differs returns the first field in which t differs from the stored row x ("" if none).
func (e *engine) differs(t Transfer, x store.LedgerTransfer) string {
	t = e.normalized(t)
	switch {
	case e.codeOf(x.DebitAccountID) != t.DebitAccount:
		return "debit_account"
	case e.codeOf(x.CreditAccountID) != t.CreditAccount:
		return "credit_account"
	case x.Amount != t.Amount:
		return "amount"
	case idFrom(x.PendingID) != t.PendingID:
		return "pending_id"
	case x.Timeout != int64(t.Timeout):
		return "timeout"
	case x.Code != int64(t.Code):
		return "code"
	case x.Flags != int64(t.Flags):
		return "flags"
	case x.Ref != t.Ref:
		return "ref"
	}
	return ""
}

func (e *engine) codeOf(id int64) string {
	if a := e.byID[id]; a != nil {
		return a.Code
	}
	return "\x00" // an account not locked for this batch: never equal to a given code
}

func (e *engine) storedView(t Transfer, x store.LedgerTransfer) *Stored {
	t = e.normalized(t)
	return &Stored{Transfer: t, Seq: x.Seq, LedgerID: x.LedgerID, Timestamp: time.UnixMilli(x.TS).UTC()}
}

// one applies transfer i, or says why it cannot be applied.
func (e *engine) one(i int, t Transfer, r *Result) *Failure {
	if x, ok := e.stored[t.ID]; ok {
		if f := e.differs(t, x); f != "" {
			return fail("id_conflict", f, t.ID.String(), f)
		}
		r.Status, r.Transfer = Exists, e.storedView(t, x)
		return nil
	}
	if k, ok := e.created[t.ID]; ok {
		if f := e.differs(t, e.rows[k]); f != "" {
			return fail("id_conflict", f, t.ID.String(), f)
		}
		r.Status, r.Transfer = Exists, e.storedView(t, e.rows[k])
		e.rowOf[i] = k // its seq is known only once the batch's seqs are reserved
		return nil
	}
	var dr, cr *acct
	var pd *pend
	amount, code := t.Amount, t.Code
	var pendAmt int64 // reservation released by a post or void
	if t.Flags&(PostPending|VoidPending) != 0 {
		pd = e.pendings[t.PendingID]
		_, inBatch := e.created[t.PendingID]
		switch {
		case pd == nil && inBatch: // a plain transfer created earlier in this batch
			return fail("pending_transfer_not_pending", "pending_id", t.PendingID.String())
		case pd == nil:
			return fail("pending_transfer_not_found", "pending_id", t.PendingID.String())
		case pd.flags&Pending == 0:
			return fail("pending_transfer_not_pending", "pending_id", t.PendingID.String())
		case pd.state == posted:
			return fail("pending_transfer_already_posted", "pending_id", t.PendingID.String())
		case pd.state == voided:
			return fail("pending_transfer_already_voided", "pending_id", t.PendingID.String())
		case pd.state == expired || (pd.expiresAt != 0 && pd.expiresAt <= e.nowMS):
			return fail("pending_transfer_expired", "pending_id", t.PendingID.String(), time.UnixMilli(pd.expiresAt).UTC().Format(time.RFC3339))
		}
		dr, cr = pd.debit, pd.credit
		switch {
		case t.DebitAccount != "" && t.DebitAccount != dr.Code:
			return fail("pending_transfer_has_different_debit_account", "debit_account", t.DebitAccount, dr.Code)
		case t.CreditAccount != "" && t.CreditAccount != cr.Code:
			return fail("pending_transfer_has_different_credit_account", "credit_account", t.CreditAccount, cr.Code)
		case code != 0 && code != pd.code:
			return fail("pending_transfer_has_different_code", "code", int64(code), int64(pd.code))
		}
		code, pendAmt = pd.code, pd.amount
		if t.Flags&PostPending != 0 {
			if amount == 0 {
				amount = pd.amount
			} else if amount > pd.amount {
				return fail("exceeds_pending_transfer_amount", "amount", amount, pd.amount)
			}
		} else {
			if amount != 0 && amount != pd.amount {
				return fail("pending_transfer_has_different_amount", "amount", amount, pd.amount)
			}
			amount = pd.amount
		}
	} else {
		dr, cr = e.byCode[t.DebitAccount], e.byCode[t.CreditAccount]
		switch {
		case dr == nil:
			return fail("debit_account_not_found", "debit_account", t.DebitAccount)
		case cr == nil:
			return fail("credit_account_not_found", "credit_account", t.CreditAccount)
		case dr.LedgerID != cr.LedgerID:
			return fail("accounts_must_have_the_same_ledger", "credit_account",
				dr.Code, e.ledgerName(dr.LedgerID), cr.Code, e.ledgerName(cr.LedgerID))
		}
	}

	// New balances, refusing overflow and the flags' limits before changing anything.
	dp, dpo, cp, cpo := dr.DebitsPending, dr.DebitsPosted, cr.CreditsPending, cr.CreditsPosted
	posting := t.Flags&(Pending|VoidPending) == 0 // plain transfers and posts move posted balances
	dp -= pendAmt
	cp -= pendAmt
	var ok1, ok2 bool
	switch {
	case t.Flags&Pending != 0:
		dp, ok1 = add(dp, amount)
		cp, ok2 = add(cp, amount)
	case posting:
		dpo, ok1 = add(dpo, amount)
		cpo, ok2 = add(cpo, amount)
	default:
		ok1, ok2 = true, true
	}
	if _, ok := add(dp, dpo); !ok || !ok1 {
		return fail("overflows_debits", "amount", dr.Code)
	}
	if _, ok := add(cp, cpo); !ok || !ok2 {
		return fail("overflows_credits", "amount", cr.Code)
	}
	if AccountFlags(dr.Flags)&DebitsMustNotExceedCredits != 0 && dp+dpo > dr.CreditsPosted {
		// The message gives the balance a person needs to fix the grant or report.
		avail := dr.CreditsPosted - dr.DebitsPosted - dr.DebitsPending
		return fail("exceeds_credits", "amount", dr.Code, amount, avail, dr.CreditsPosted, dr.DebitsPosted, dr.DebitsPending)
	}
	if AccountFlags(cr.Flags)&CreditsMustNotExceedDebits != 0 && cp+cpo > cr.DebitsPosted {
		avail := cr.DebitsPosted - cr.CreditsPosted - cr.CreditsPending
		return fail("exceeds_debits", "amount", cr.Code, amount, avail, cr.DebitsPosted, cr.CreditsPosted, cr.CreditsPending)
	}
	// The same account can be on both sides of this check only through a pending transfer's
	// accounts, which are distinct; dr != cr is guaranteed by Validate and by the pending.

	if e.inChain {
		d0, c0 := dr.LedgerAccount, cr.LedgerAccount
		dl, cl := len(dr.legs), len(cr.legs)
		nrows := len(e.rows)
		nclosed := len(e.closed)
		e.undo = append(e.undo, func() {
			dr.LedgerAccount, cr.LedgerAccount, dr.legs, cr.legs = d0, c0, dr.legs[:dl], cr.legs[:cl]
			e.rows, e.closed = e.rows[:nrows], e.closed[:nclosed]
			delete(e.created, t.ID)
		})
		if pd != nil {
			st := pd.state
			e.undo = append(e.undo, func() { pd.state = st })
		}
		if t.Flags&Pending != 0 {
			e.undo = append(e.undo, func() { delete(e.pendings, t.ID) })
		}
	}
	dr.DebitsPending, dr.DebitsPosted, cr.CreditsPending, cr.CreditsPosted = dp, dpo, cp, cpo
	var pendingID []byte
	if pd != nil {
		pendingID = t.PendingID.bytes()
		if t.Flags&PostPending != 0 {
			pd.state = posted
		} else {
			pd.state = voided
		}
		if pd.row < 0 {
			e.closed = append(e.closed, pd.seq)
		}
	}
	k := e.add(t.ID.bytes(), dr, cr, amount, pendingID, int64(code), int64(t.Flags), int64(t.Timeout), t.Ref)
	e.created[t.ID], e.rowOf[i] = k, k
	if t.Flags&Pending != 0 {
		np := &pend{id: t.ID, row: k, debit: dr, credit: cr, amount: amount, code: code, flags: t.Flags}
		if t.Timeout > 0 {
			np.expiresAt = e.ts + int64(t.Timeout)*1000
		}
		e.pendings[t.ID] = np
	}
	st := e.normalized(t)
	st.Amount, st.Code = amount, code
	r.Status, r.Transfer = Created, &Stored{Transfer: st, LedgerID: dr.LedgerID, Timestamp: time.UnixMilli(e.ts).UTC()}
	return nil
}

func add(a, b int64) (int64, bool) {
	if b > 0 && a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// batchError describes a refused batch: one field per failed transfer.
func batchError(res []Result, n int) *apperr.Error {
	failed, conflicts := 0, 0
	codes := map[string]bool{}
	for _, r := range res {
		if r.Status == Failed {
			failed++
			codes[r.Failure.Code] = true
			if isConflict(r.Failure.Code) {
				conflicts++
			}
		}
	}
	kind := apperr.Invalid
	if conflicts == failed {
		kind = apperr.Conflict
	}
	code := "ledger_batch_rejected"
	if len(codes) == 1 {
		for c := range codes {
			code = c
		}
	}
	e := apperr.New(kind, code, "ledger.err.batch", failed, n)
	for _, r := range res {
		if r.Status == Failed {
			e.With(fmt.Sprintf("transfers[%d].%s", r.Index, r.Failure.Field), r.Failure.Key, r.Failure.Args...)
		}
	}
	return e
}

func isConflict(code string) bool {
	switch code {
	case "id_conflict", "pending_transfer_already_posted", "pending_transfer_already_voided":
		return true
	}
	return false
}
