package ledger_test

// A seeded simulation in the manner of TigerBeetle's VOPR. Workers generate random batches
// — issues and grants down the hierarchy, consumption, lapses, reservations with and
// without timeouts, posts (full, partial, too large) and voids, idempotent retries, reused
// ids with other content, invalid transfers and linked chains — against a simulated clock.
// After every step:
//
//   - every new row in the database is replayed, in seq order, through an independent
//     model of the rules, which must accept it (no flagged account ever overdrawn, no post
//     after expiry, no double resolution, …) and then hold exactly the database's balances;
//   - reconciliation must pass;
//   - in serial steps the model predicts each batch's outcome — created, exists, or the
//     refusal code of every transfer — and the ledger must agree exactly;
//   - in concurrent steps, where the interleaving is the scheduler's, each worker checks
//     what holds in any order: retries are "exists" with the original seq, reused ids and
//     invalid transfers are refused, and a refused batch left none of its transfers.
//
// ZHANXIN_VOPR_SEED=n replays a run (the seed is printed on failure); the operations are a
// function of the seed, and with ZHANXIN_VOPR_SERIAL=1 so is everything else.
// 250 steps by default (seconds); ZHANXIN_VOPR_LONG=1 runs 20,000 (many minutes);
// ZHANXIN_VOPR_STEPS=n any number.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/ledger"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

func TestVOPR(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("ZHANXIN_VOPR_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ZHANXIN_VOPR_SEED=%q: %v", v, err)
		}
		seed = s
	}
	// A number of steps, not a time budget, so that a seed replays the same run.
	steps := 250
	if os.Getenv("ZHANXIN_VOPR_LONG") == "1" {
		steps = 20_000
	}
	if v, err := strconv.Atoi(os.Getenv("ZHANXIN_VOPR_STEPS")); err == nil && v > 0 {
		steps = v
	}
	serial := os.Getenv("ZHANXIN_VOPR_SERIAL") == "1"
	t.Logf("seed %d (replay: ZHANXIN_VOPR_SEED=%d)", seed, seed)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("FAILED with seed %d — replay: ZHANXIN_VOPR_SEED=%d ZHANXIN_VOPR_SERIAL=%v go test ./internal/ledger/ -run TestVOPR",
					seed, seed, serial)
			}
		})
		sim := newSim(t, db, seed)
		for step := range steps {
			concurrent := !serial && sim.rng.IntN(2) == 0
			sim.step(t, concurrent)
			if t.Failed() {
				t.Fatalf("step %d", step)
			}
			sim.clk.Advance(time.Duration(sim.rng.IntN(20_000)) * time.Millisecond)
		}
		// Let every reservation expire, release them, and check once more.
		sim.clk.Advance(10 * time.Minute)
		if _, err := sim.f.svc.ExpirePending(ctx, regulator); err != nil {
			t.Fatal(err)
		}
		sim.sync(t)
		for id, p := range sim.m.pend {
			if p.state == open && p.expiresAt != 0 {
				t.Fatalf("reservation %s still open after its expiry", id)
			}
		}
		sim.f.mustReconcile(t)
		t.Logf("%s: %d steps, %d transfers (%d reservations), %d batches accepted, %d refused", db.Dialect, steps, len(sim.m.seqOf),
			len(sim.m.pend), sim.accepted, sim.refused)
	})
}

const (
	open = iota
	posted
	voided
	expired
)

// The model: accounts by code, pending transfers, and every stored transfer normalised.

type mAcct struct {
	code               string
	ledger             int64
	flags              ledger.AccountFlags
	dpe, dpo, cpe, cpo int64
}

type mPend struct {
	dr, cr    string
	amount    int64
	code      ledger.Code
	expiresAt int64
	state     int
}

type model struct {
	accts     map[string]*mAcct
	codeOf    map[int64]string
	transfers map[ledger.ID]ledger.Transfer // normalised, as stored
	seqOf     map[ledger.ID]int64
	pend      map[ledger.ID]*mPend
	lastSeq   int64
}

type sim struct {
	f        *fixture
	clk      *clock
	db       *store.DB
	m        *model
	rng      *rand.Rand
	workers  []*worker
	accepted int
	refused  int
}

type worker struct {
	n     int
	rng   *rand.Rand
	ids   uint64
	acked []ledger.Transfer // accepted transfers, as sent
	pends []ledger.ID       // reservations this worker made
}

func newSim(t *testing.T, db *store.DB, seed uint64) *sim {
	f := setup(t, db)
	s := &sim{f: f, clk: f.clk, db: db, rng: rand.New(rand.NewPCG(seed, 0))}
	s.m = &model{accts: map[string]*mAcct{}, codeOf: map[int64]string{}, transfers: map[ledger.ID]ledger.Transfer{},
		seqOf: map[ledger.ID]int64{}, pend: map[ledger.ID]*mPend{}}
	pg, err := db.ListLedgerAccounts(ctx, store.LedgerAccountFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range pg.Rows {
		s.m.accts[a.Code] = &mAcct{code: a.Code, ledger: a.LedgerID, flags: ledger.AccountFlags(a.Flags)}
		s.m.codeOf[a.ID] = a.Code
	}
	for w := range 3 {
		s.workers = append(s.workers, &worker{n: w, rng: rand.New(rand.NewPCG(seed, uint64(w+1)))})
	}
	return s
}

// step runs one batch per worker, one after the other (with predictions) or all at once.
func (s *sim) step(t *testing.T, concurrent bool) {
	batches := make([][]ledger.Transfer, len(s.workers))
	kinds := make([][]string, len(s.workers))
	for i, w := range s.workers {
		batches[i], kinds[i] = w.batch(s)
	}
	if !concurrent {
		for i, w := range s.workers {
			want := s.m.predict(batches[i], s.clk.Now().UnixMilli())
			res, err := s.f.svc.CreateTransfers(ctx, regulator, batches[i])
			s.compare(t, w, batches[i], want, res, err)
			w.record(s, batches[i], kinds[i], res, err)
			s.sync(t)
		}
	} else {
		res := make([][]ledger.Result, len(s.workers))
		errs := make([]error, len(s.workers))
		var wg sync.WaitGroup
		for i := range s.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i], errs[i] = s.f.svc.CreateTransfers(ctx, regulator, batches[i])
			}()
		}
		wg.Wait()
		for i, w := range s.workers {
			w.check(t, s, batches[i], kinds[i], res[i], errs[i])
			w.record(s, batches[i], kinds[i], res[i], errs[i])
		}
		s.sync(t)
	}
	s.f.mustReconcile(t)
}

func (s *sim) compare(t *testing.T, w *worker, batch []ledger.Transfer, want []ledger.Result, res []ledger.Result, err error) {
	t.Helper()
	if err != nil && !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("worker %d: %v", w.n, err)
	}
	for i := range batch {
		g, x := res[i], want[i]
		gc, xc := "", ""
		if g.Failure != nil {
			gc = g.Failure.Code
		}
		if x.Failure != nil {
			xc = x.Failure.Code
		}
		if g.Status != x.Status || gc != xc {
			t.Errorf("worker %d transfer %d (%+v): ledger says %s %s, model says %s %s", w.n, i, batch[i], g.Status, gc, x.Status, xc)
		}
	}
}

// batch makes a random batch and says what each transfer is meant to test.
func (w *worker) batch(s *sim) ([]ledger.Transfer, []string) {
	r := w.rng
	n := 1 + r.IntN(4)
	var out []ledger.Transfer
	var kinds []string
	edges := [][2]string{{nation, jiangxi}, {jiangxi, ganzhou}, {ganzhou, ent1}, {ganzhou, ent2}}
	ents := []string{ent1, ent2}
	id := func() ledger.ID { w.ids++; return ledger.IDFromUint64(uint64(w.n+1)<<56|0x5eed, w.ids) }
	// Mostly one of the last few reservations (likely still open), sometimes any.
	somePending := func() ledger.ID {
		if k := len(w.pends); r.IntN(4) > 0 && k > 3 {
			return w.pends[k-1-r.IntN(3)]
		}
		return w.pends[r.IntN(len(w.pends))]
	}
	for range n {
		var x ledger.Transfer
		kind := ""
		switch k := r.IntN(100); {
		case k < 12:
			x, kind = ledger.Transfer{ID: id(), DebitAccount: issue, CreditAccount: nation, Amount: 500 + r.Int64N(2000), Code: ledger.CodeIssue}, "issue"
		case k < 32:
			e := edges[r.IntN(len(edges))]
			x, kind = ledger.Transfer{ID: id(), DebitAccount: e[0], CreditAccount: e[1], Amount: 1 + r.Int64N(300), Code: ledger.CodeGrant}, "grant"
		case k < 44:
			x, kind = ledger.Transfer{ID: id(), DebitAccount: ents[r.IntN(2)], CreditAccount: consumed, Amount: 1 + r.Int64N(120), Code: ledger.CodeConsume}, "consume"
		case k < 47:
			x, kind = ledger.Transfer{ID: id(), DebitAccount: ents[r.IntN(2)], CreditAccount: lapsed, Amount: 1 + r.Int64N(30), Code: ledger.CodeLapse}, "lapse"
		case k < 60:
			e := edges[r.IntN(len(edges))]
			x = ledger.Transfer{ID: id(), DebitAccount: e[0], CreditAccount: e[1], Amount: 1 + r.Int64N(150), Code: ledger.CodeReserve, Flags: ledger.Pending}
			if r.IntN(2) == 0 {
				x.Timeout = uint32(1 + r.IntN(60))
			}
			kind = "pending"
		case k < 70 && len(w.pends) > 0:
			p := somePending()
			x, kind = ledger.Transfer{ID: id(), PendingID: p, Flags: ledger.PostPending}, "post"
			switch r.IntN(3) {
			case 0:
				x.Amount = 1 + r.Int64N(160) // sometimes more than reserved
			case 1:
				if pd := s.m.pend[p]; pd != nil {
					x.DebitAccount, x.CreditAccount = pd.dr, pd.cr // explicit, as TigerBeetle allows
				}
			}
		case k < 76 && len(w.pends) > 0:
			x, kind = ledger.Transfer{ID: id(), PendingID: somePending(), Flags: ledger.VoidPending}, "void"
		case k < 84 && len(w.acked) > 0:
			// An exact copy. (Chain members are not picked: alone, or last in a batch, a
			// linked transfer means something else.)
			if x, kind = w.acked[r.IntN(len(w.acked))], "retry"; x.Flags&ledger.Linked != 0 {
				kind = ""
			}
		case k < 88 && len(w.acked) > 0:
			if x, kind = w.acked[r.IntN(len(w.acked))], "reuse"; x.Flags&ledger.Linked != 0 {
				kind = ""
			}
			x.Ref += "·改"
		case k < 95:
			e := edges[r.IntN(len(edges))]
			x, kind = ledger.Transfer{ID: id(), DebitAccount: e[0], CreditAccount: e[1], Amount: 1 + r.Int64N(50), Code: ledger.CodeGrant}, "grant"
		default:
			switch r.IntN(5) {
			case 0:
				x = ledger.Transfer{ID: id(), DebitAccount: ent1, CreditAccount: consumed, Amount: -1 - r.Int64N(9), Code: ledger.CodeConsume}
			case 1:
				x = ledger.Transfer{ID: id(), DebitAccount: ganzhou, CreditAccount: "2018/ion/ghost", Amount: 5, Code: ledger.CodeGrant}
			case 2:
				x = ledger.Transfer{ID: id(), DebitAccount: nation, CreditAccount: wNation, Amount: 5, Code: ledger.CodeGrant}
			case 3:
				x = ledger.Transfer{DebitAccount: nation, CreditAccount: jiangxi, Amount: 5, Code: ledger.CodeGrant}
			case 4:
				x = ledger.Transfer{ID: id(), PendingID: id(), Flags: ledger.VoidPending}
			}
			kind = "invalid"
		}
		if kind == "" {
			continue
		}
		out = append(out, x)
		kinds = append(kinds, kind)
	}
	// Now and then a linked chain of the first few transfers, rarely left open.
	if len(out) > 1 && r.IntN(4) == 0 {
		end := 1 + r.IntN(len(out)-1)
		for i := 0; i < end; i++ {
			if kinds[i] != "retry" && kinds[i] != "reuse" {
				out[i].Flags |= ledger.Linked
			}
		}
		if r.IntN(8) == 0 && kinds[len(out)-1] != "retry" && kinds[len(out)-1] != "reuse" {
			out[len(out)-1].Flags |= ledger.Linked
		}
	}
	return out, kinds
}

// record remembers what an accepted batch created, for later retries, reuses and posts.
func (w *worker) record(s *sim, batch []ledger.Transfer, kinds []string, res []ledger.Result, err error) {
	if err != nil {
		s.refused++
		return
	}
	s.accepted++
	for i, r := range res {
		if r.Status != ledger.Created {
			continue
		}
		w.acked = append(w.acked, batch[i])
		if batch[i].Flags&ledger.Pending != 0 {
			w.pends = append(w.pends, batch[i].ID)
		}
	}
}

// check is what holds for a batch whatever else ran at the same time.
func (w *worker) check(t *testing.T, s *sim, batch []ledger.Transfer, kinds []string, res []ledger.Result, err error) {
	t.Helper()
	if err != nil && !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("worker %d: %v", w.n, err)
	}
	for i, k := range kinds {
		r := res[i]
		switch k {
		case "retry":
			if r.Status == ledger.Failed {
				t.Errorf("worker %d: a retry failed: %+v", w.n, r.Failure)
			}
			if err == nil && (r.Status != ledger.Exists || r.Transfer.Seq != s.m.seqOf[batch[i].ID]) {
				t.Errorf("worker %d: retry of %s: %s seq %v, want exists seq %d", w.n, batch[i].ID, r.Status, r.Transfer, s.m.seqOf[batch[i].ID])
			}
		case "reuse":
			if err == nil || (r.Status == ledger.Failed && r.Failure.Code != "id_conflict") {
				t.Errorf("worker %d: reuse of %s: %s %v", w.n, batch[i].ID, r.Status, err)
			}
		case "invalid":
			if err == nil || r.Status == ledger.Created {
				t.Errorf("worker %d: invalid transfer %d accepted", w.n, i)
			}
		}
	}
	if err != nil { // nothing of a refused batch may be in the database
		for i, x := range batch {
			if kinds[i] == "retry" || kinds[i] == "reuse" || x.ID.IsZero() {
				continue
			}
			if _, e := s.db.LedgerTransferByID(ctx, x.ID[:]); e == nil {
				t.Errorf("worker %d: transfer %d of a refused batch was written", w.n, i)
			}
		}
	}
}

// sync replays the database's new rows, in seq order, through the model.
func (s *sim) sync(t *testing.T) {
	t.Helper()
	rows, err := s.db.LedgerTransfersAfter(ctx, s.m.lastSeq, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := s.m.replay(r); err != nil {
			t.Fatalf("replay of transfer %d: %v", r.Seq, err)
		}
	}
	pg, err := s.db.ListLedgerAccounts(ctx, store.LedgerAccountFilter{}, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range pg.Rows {
		m := s.m.accts[a.Code]
		if m.dpe != a.DebitsPending || m.dpo != a.DebitsPosted || m.cpe != a.CreditsPending || m.cpo != a.CreditsPosted {
			t.Fatalf("%s: database %d/%d/%d/%d, model %d/%d/%d/%d", a.Code, a.DebitsPending, a.DebitsPosted, a.CreditsPending,
				a.CreditsPosted, m.dpe, m.dpo, m.cpe, m.cpo)
		}
	}
}

func (m *model) replay(r store.LedgerTransfer) error {
	dr, cr := m.accts[m.codeOf[r.DebitAccountID]], m.accts[m.codeOf[r.CreditAccountID]]
	if dr == nil || cr == nil || dr.ledger != r.LedgerID || cr.ledger != r.LedgerID || dr == cr {
		return fmt.Errorf("accounts %d→%d in ledger %d", r.DebitAccountID, r.CreditAccountID, r.LedgerID)
	}
	if r.Seq <= m.lastSeq {
		return fmt.Errorf("seq %d after %d", r.Seq, m.lastSeq)
	}
	m.lastSeq = r.Seq
	f := ledger.TransferFlags(r.Flags)
	var id, pid ledger.ID
	copy(id[:], r.ID)
	copy(pid[:], r.PendingID)
	if f&(ledger.PostPending|ledger.VoidPending|ledger.Expire) != 0 {
		p := m.pend[pid]
		switch {
		case p == nil:
			return fmt.Errorf("resolves unknown reservation %s", pid)
		case p.state != open:
			return fmt.Errorf("resolves reservation %s a second time", pid)
		case p.dr != dr.code || p.cr != cr.code:
			return fmt.Errorf("resolves %s with other accounts", pid)
		case f&ledger.Expire != 0 && (p.expiresAt == 0 || r.TS < p.expiresAt || r.Amount != p.amount):
			return fmt.Errorf("expiry of %s at %d (expires %d)", pid, r.TS, p.expiresAt)
		case f&ledger.Expire == 0 && p.expiresAt != 0 && r.TS >= p.expiresAt:
			return fmt.Errorf("post/void of %s at %d after its expiry %d", pid, r.TS, p.expiresAt)
		case f&ledger.PostPending != 0 && r.Amount > p.amount, f&ledger.VoidPending != 0 && r.Amount != p.amount:
			return fmt.Errorf("resolves %s (%d) with %d", pid, p.amount, r.Amount)
		}
		dr.dpe -= p.amount
		cr.cpe -= p.amount
		switch {
		case f&ledger.PostPending != 0:
			dr.dpo += r.Amount
			cr.cpo += r.Amount
			p.state = posted
		case f&ledger.VoidPending != 0:
			p.state = voided
		default:
			p.state = expired
		}
	} else if f&ledger.Pending != 0 {
		dr.dpe += r.Amount
		cr.cpe += r.Amount
		p := &mPend{dr: dr.code, cr: cr.code, amount: r.Amount, code: ledger.Code(r.Code)}
		if r.Timeout > 0 {
			p.expiresAt = r.TS + r.Timeout*1000
		}
		m.pend[id] = p
	} else {
		dr.dpo += r.Amount
		cr.cpo += r.Amount
	}
	for _, a := range []*mAcct{dr, cr} {
		if a.flags&ledger.DebitsMustNotExceedCredits != 0 && a.dpe+a.dpo > a.cpo {
			return fmt.Errorf("%s overdrawn: %d + %d > %d", a.code, a.dpe, a.dpo, a.cpo)
		}
		if a.flags&ledger.CreditsMustNotExceedDebits != 0 && a.cpe+a.cpo > a.dpo {
			return fmt.Errorf("%s breaks its flag", a.code)
		}
		if a.dpe < 0 || a.cpe < 0 {
			return fmt.Errorf("%s has negative pending", a.code)
		}
	}
	if f&ledger.Expire == 0 {
		m.transfers[id] = ledger.Transfer{ID: id, DebitAccount: dr.code, CreditAccount: cr.code, Amount: r.Amount, PendingID: pid,
			Timeout: uint32(r.Timeout), Code: ledger.Code(r.Code), Flags: f, Ref: r.Ref}
		m.seqOf[id] = r.Seq
	}
	return nil
}

// predict says what the ledger must answer to batch at time now (Unix ms), by the rules
// applied to the model's own state: TigerBeetle's semantics, linked chains all or nothing,
// the whole batch all or nothing, expired reservations released first.
func (m *model) predict(batch []ledger.Transfer, now int64) []ledger.Result {
	accts := map[string]*mAcct{}
	for k, a := range m.accts {
		c := *a
		accts[k] = &c
	}
	pend := map[ledger.ID]*mPend{}
	for k, p := range m.pend {
		c := *p
		pend[k] = &c
	}
	for _, p := range pend {
		if p.state == open && p.expiresAt != 0 && p.expiresAt <= now {
			accts[p.dr].dpe -= p.amount
			accts[p.cr].cpe -= p.amount
			p.state = expired
		}
	}
	made := map[ledger.ID]ledger.Transfer{}
	res := make([]ledger.Result, len(batch))
	type snap struct {
		accts map[string]mAcct
		pend  map[ledger.ID]mPend
		made  map[ledger.ID]ledger.Transfer
	}
	save := func() snap {
		s := snap{accts: map[string]mAcct{}, pend: map[ledger.ID]mPend{}, made: map[ledger.ID]ledger.Transfer{}}
		for k, a := range accts {
			s.accts[k] = *a
		}
		for k, p := range pend {
			s.pend[k] = *p
		}
		for k, x := range made {
			s.made[k] = x
		}
		return s
	}
	restore := func(s snap) {
		for k, a := range s.accts {
			*accts[k] = a
		}
		for k := range pend {
			if p, ok := s.pend[k]; ok {
				*pend[k] = p
			} else {
				delete(pend, k)
			}
		}
		made = s.made
	}
	normal := func(x ledger.Transfer) ledger.Transfer {
		if x.Flags&(ledger.PostPending|ledger.VoidPending) != 0 {
			if p := pend[x.PendingID]; p != nil {
				if x.DebitAccount == "" {
					x.DebitAccount = p.dr
				}
				if x.CreditAccount == "" {
					x.CreditAccount = p.cr
				}
				if x.Code == 0 {
					x.Code = p.code
				}
				if x.Amount == 0 {
					x.Amount = p.amount
				}
			}
		}
		return x
	}
	one := func(x ledger.Transfer) (ledger.Status, string) {
		if f := x.Validate(); f != nil {
			return ledger.Failed, f.Code
		}
		old, ok := m.transfers[x.ID]
		if !ok {
			old, ok = made[x.ID]
		}
		if ok {
			if normal(x) != old {
				return ledger.Failed, "id_conflict"
			}
			return ledger.Exists, ""
		}
		var dr, cr *mAcct
		amount, code, release := x.Amount, x.Code, int64(0)
		var p *mPend
		if x.Flags&(ledger.PostPending|ledger.VoidPending) != 0 {
			p = pend[x.PendingID]
			_, plain := m.transfers[x.PendingID]
			_, plainHere := made[x.PendingID]
			switch {
			case p == nil && (plain || plainHere):
				return ledger.Failed, "pending_transfer_not_pending"
			case p == nil:
				return ledger.Failed, "pending_transfer_not_found"
			case p.state == posted:
				return ledger.Failed, "pending_transfer_already_posted"
			case p.state == voided:
				return ledger.Failed, "pending_transfer_already_voided"
			case p.state == expired || (p.expiresAt != 0 && p.expiresAt <= now):
				return ledger.Failed, "pending_transfer_expired"
			case x.DebitAccount != "" && x.DebitAccount != p.dr:
				return ledger.Failed, "pending_transfer_has_different_debit_account"
			case x.CreditAccount != "" && x.CreditAccount != p.cr:
				return ledger.Failed, "pending_transfer_has_different_credit_account"
			case code != 0 && code != p.code:
				return ledger.Failed, "pending_transfer_has_different_code"
			}
			dr, cr, code, release = accts[p.dr], accts[p.cr], p.code, p.amount
			if x.Flags&ledger.PostPending != 0 {
				if amount == 0 {
					amount = p.amount
				} else if amount > p.amount {
					return ledger.Failed, "exceeds_pending_transfer_amount"
				}
			} else {
				if amount != 0 && amount != p.amount {
					return ledger.Failed, "pending_transfer_has_different_amount"
				}
				amount = p.amount
			}
		} else {
			dr, cr = accts[x.DebitAccount], accts[x.CreditAccount]
			switch {
			case dr == nil:
				return ledger.Failed, "debit_account_not_found"
			case cr == nil:
				return ledger.Failed, "credit_account_not_found"
			case dr.ledger != cr.ledger:
				return ledger.Failed, "accounts_must_have_the_same_ledger"
			}
		}
		dpe, dpo, cpe, cpo := dr.dpe-release, dr.dpo, cr.cpe-release, cr.cpo
		switch {
		case x.Flags&ledger.Pending != 0:
			dpe, cpe = dpe+amount, cpe+amount
		case x.Flags&ledger.VoidPending == 0:
			dpo, cpo = dpo+amount, cpo+amount
		}
		if dr.flags&ledger.DebitsMustNotExceedCredits != 0 && dpe+dpo > dr.cpo {
			return ledger.Failed, "exceeds_credits"
		}
		if cr.flags&ledger.CreditsMustNotExceedDebits != 0 && cpe+cpo > cr.dpo {
			return ledger.Failed, "exceeds_debits"
		}
		dr.dpe, dr.dpo, cr.cpe, cr.cpo = dpe, dpo, cpe, cpo
		if p != nil {
			if x.Flags&ledger.PostPending != 0 {
				p.state = posted
			} else {
				p.state = voided
			}
		}
		if x.Flags&ledger.Pending != 0 {
			np := &mPend{dr: dr.code, cr: cr.code, amount: amount, code: code}
			if x.Timeout > 0 {
				np.expiresAt = now + int64(x.Timeout)*1000
			}
			pend[x.ID] = np
		}
		n := normal(x)
		n.Amount, n.Code = amount, code
		made[x.ID] = n
		return ledger.Created, ""
	}
	chainStart, chainFailed, failed := -1, false, false
	var saved snap
	for i, x := range batch {
		res[i].Index, res[i].ID = i, x.ID
		linked := x.Flags&ledger.Linked != 0
		if chainStart < 0 && linked {
			chainStart, saved = i, save()
		}
		if chainFailed {
			res[i].Status, res[i].Failure = ledger.LinkedFailed, &ledger.Failure{Code: "linked_event_failed"}
		} else {
			var st ledger.Status
			var code string
			if f := x.Validate(); f == nil && linked && i == len(batch)-1 {
				st, code = ledger.Failed, "linked_event_chain_open"
			} else {
				st, code = one(x)
			}
			res[i].Status = st
			if st == ledger.Failed {
				failed = true
				res[i].Failure = &ledger.Failure{Code: code}
				if chainStart >= 0 {
					restore(saved)
					for j := chainStart; j < i; j++ {
						if res[j].Status == ledger.Created || res[j].Status == ledger.Exists {
							res[j].Status, res[j].Failure = ledger.LinkedFailed, &ledger.Failure{Code: "linked_event_failed"}
						}
					}
					chainFailed = linked
				}
			}
		}
		if !linked && chainStart >= 0 {
			chainStart, chainFailed = -1, false
		}
	}
	if failed {
		for i := range res {
			if res[i].Status == ledger.Created || res[i].Status == ledger.Exists {
				res[i].Status = ledger.NotApplied
			}
		}
	}
	return res
}
