package trace

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"zhanxin/internal/apperr"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// LeafData is what an event's log leaf commits to: its hash ID, whether it is an error
// declaration, its record time, and the SHA-256 of the stored document. Editing any stored
// column that carries meaning changes the leaf, and with it the root.
func LeafData(l store.EPCISLeaf) []byte {
	decl := 0
	if l.Declaration {
		decl = 1
	}
	sum := sha256.Sum256([]byte(l.Doc))
	return fmt.Appendf(nil, "zhanxin-epcis-event/1\n%s\n%d\n%d\n%x\n", l.HashID, decl, l.RecordTime, sum)
}

// hashReader reads stored hashes for tlog, from the batch being appended (pending) or the
// database, caching what it read: appending a batch touches the same few right-edge
// hashes again and again.
type hashReader struct {
	ctx   context.Context
	read  func(context.Context, []int64) ([][]byte, error)
	cache map[int64]tlog.Hash
}

func newHashReader(ctx context.Context, read func(context.Context, []int64) ([][]byte, error)) *hashReader {
	return &hashReader{ctx: ctx, read: read, cache: map[int64]tlog.Hash{}}
}

func (r *hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var miss []int64
	for _, x := range indexes {
		if _, ok := r.cache[x]; !ok {
			miss = append(miss, x)
		}
	}
	if len(miss) > 0 {
		got, err := r.read(r.ctx, miss)
		if err != nil {
			return nil, err
		}
		for i, b := range got {
			if len(b) != tlog.HashSize {
				return nil, fmt.Errorf("epcis log: stored hash %d has %d bytes", miss[i], len(b))
			}
			r.cache[miss[i]] = tlog.Hash(b)
		}
	}
	for i, x := range indexes {
		out[i] = r.cache[x]
	}
	return out, nil
}

// appendLeaves appends leaves to the log of size start inside tx and returns the new root.
// The caller holds the head lock (store.Tx.LockEPCISLog).
func appendLeaves(ctx context.Context, tx *store.Tx, r *hashReader, start int64, leaves [][]byte) (tlog.Hash, error) {
	var all [][]byte
	for i, leaf := range leaves {
		n := start + int64(i)
		hs, err := tlog.StoredHashesForRecordHash(n, tlog.RecordHash(leaf), r)
		if err != nil {
			return tlog.Hash{}, err
		}
		base := tlog.StoredHashIndex(0, n)
		for j, h := range hs {
			r.cache[base+int64(j)] = h
			all = append(all, h[:])
		}
	}
	if err := tx.InsertEPCISLogHashes(ctx, tlog.StoredHashIndex(0, start), all); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(start+int64(len(leaves)), r)
}

// Checkpoint is a signed statement of the log's size and root (C2SP checkpoint format).
type Checkpoint struct {
	Size int64
	Root tlog.Hash
	Note string // the signed note: origin, size, base64 root, blank line, signature
}

func (s *Service) sign(size int64, root tlog.Hash) (Checkpoint, error) {
	text := LogOrigin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
	msg, err := note.Sign(&note.Note{Text: text}, s.signer)
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Size: size, Root: root, Note: string(msg)}, nil
}

// ParseCheckpoint verifies a signed checkpoint with v and reads its size and root.
func ParseCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != LogOrigin {
		return Checkpoint{}, errors.New("not a checkpoint of " + LogOrigin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, errors.New("checkpoint size is not a number")
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != tlog.HashSize {
		return Checkpoint{}, errors.New("checkpoint root is not a base64 SHA-256 hash")
	}
	return Checkpoint{Size: size, Root: tlog.Hash(b), Note: string(msg)}, nil
}

// CurrentCheckpoint signs the log's head. Anyone who may read events may read it.
func (s *Service) CurrentCheckpoint(ctx context.Context, p *auth.Principal) (Checkpoint, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return Checkpoint{}, err
	}
	size, root, err := s.db.EPCISLogHead(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	return s.sign(size, rootOf(size, root))
}

func rootOf(size int64, b []byte) tlog.Hash {
	if size == 0 || len(b) != tlog.HashSize {
		return tlog.Hash{}
	}
	return tlog.Hash(b)
}

// Consistency is the proof that the log of size Old is a prefix of the log of size New.
type Consistency struct {
	Old, New         int64
	OldRoot, NewRoot tlog.Hash
	Proof            tlog.TreeProof
}

// ProveConsistency proves that the tree of size old is a prefix of the tree of size new.
func (s *Service) ProveConsistency(ctx context.Context, p *auth.Principal, old, new int64) (Consistency, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return Consistency{}, err
	}
	size, _, err := s.db.EPCISLogHead(ctx)
	if err != nil {
		return Consistency{}, err
	}
	bad := apperr.New(apperr.Invalid, "invalid_tree_size", "epcis.err.tree_sizes", old, new, size)
	if old < 1 || new < old || new > size {
		return Consistency{}, bad.With("old", "epcis.err.tree_sizes", old, new, size)
	}
	r := newHashReader(ctx, s.db.EPCISLogHashes)
	c := Consistency{Old: old, New: new}
	if c.OldRoot, err = tlog.TreeHash(old, r); err != nil {
		return c, err
	}
	if c.NewRoot, err = tlog.TreeHash(new, r); err != nil {
		return c, err
	}
	c.Proof, err = tlog.ProveTree(new, old, r)
	return c, err
}

// Inclusion is the proof that the event at LogIndex is in the tree of size TreeSize.
type Inclusion struct {
	LogIndex int64
	TreeSize int64
	Root     tlog.Hash
	Leaf     tlog.Hash
	Proof    tlog.RecordProof
}

func proveInclusion(r *hashReader, leaf []byte, index, size int64, root tlog.Hash) (Inclusion, error) {
	proof, err := tlog.ProveRecord(size, index, r)
	return Inclusion{LogIndex: index, TreeSize: size, Root: root, Leaf: tlog.RecordHash(leaf), Proof: proof}, err
}

// HashesB64 writes hashes in base64, as checkpoints do.
func HashesB64(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Events   int64
	HeadSize int64
	Root     tlog.Hash
	Problems []string
	// tree reads the hashes recomputed from the events, for CheckCheckpoint.
	tree tlog.HashReader
}

// Verify recomputes the log from the stored events alone and compares it with the stored
// hashes and the head: an edited event changes its leaf, a removed one leaves a gap or a
// short log, reordered ones put leaves in the wrong places; each changes the root. It
// reports every problem instead of stopping at the first, so the operator sees the extent.
//
// It needs no signing key and no service: the command line runs it on any database.
func Verify(ctx context.Context, db *store.DB) (VerifyReport, error) {
	var rep VerifyReport
	size, root, err := db.EPCISLogHead(ctx)
	if err != nil {
		return rep, err
	}
	rep.HeadSize = size
	// Recompute every stored hash in memory; a log of 10^7 events needs ~640 MB, so this
	// is what a verifier machine does, not a request handler.
	mem := map[int64]tlog.Hash{}
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			h, ok := mem[x]
			if !ok {
				return nil, fmt.Errorf("hash %d not computed", x)
			}
			out[i] = h
		}
		return out, nil
	})
	rep.tree = r
	next := int64(0)
	err = db.EachEPCISLeaf(ctx, func(l store.EPCISLeaf) error {
		if l.LogIndex != next {
			rep.Problems = append(rep.Problems, fmt.Sprintf("log index %d expected, found %d: an event is missing or out of place", next, l.LogIndex))
			if len(rep.Problems) > 100 {
				return errors.New("too many problems")
			}
		}
		hs, err := tlog.StoredHashesForRecordHash(next, tlog.RecordHash(LeafData(l)), r)
		if err != nil {
			return err
		}
		base := tlog.StoredHashIndex(0, next)
		for j, h := range hs {
			mem[base+int64(j)] = h
		}
		next++
		rep.Events++
		return nil
	})
	if err != nil && len(rep.Problems) <= 100 {
		return rep, err
	}
	if rep.Events != size {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the log head says %d events, the database holds %d", size, rep.Events))
	}
	if rep.Events > 0 {
		rep.Root, err = tlog.TreeHash(rep.Events, r)
		if err != nil {
			return rep, err
		}
	}
	if rep.Root != rootOf(size, root) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("root recomputed from the events %s differs from the log head's %s",
			base64.StdEncoding.EncodeToString(rep.Root[:]), base64.StdEncoding.EncodeToString(root)))
	}
	// The stored hashes serve the proofs; a tampered one would make proofs lie.
	stored := newHashReader(ctx, db.EPCISLogHashes)
	first := int64(-1)
	for i := int64(0); i < tlog.StoredHashCount(rep.Events) && len(rep.Problems) <= 100; i += 500 {
		var idx []int64
		for j := i; j < min(i+500, tlog.StoredHashCount(rep.Events)); j++ {
			idx = append(idx, j)
		}
		got, err := stored.ReadHashes(idx)
		if err != nil {
			rep.Problems = append(rep.Problems, err.Error())
			break
		}
		for k, h := range got {
			if h != mem[idx[k]] && first < 0 {
				first = idx[k]
				rep.Problems = append(rep.Problems, fmt.Sprintf("stored tree hash %d differs from the recomputed one", idx[k]))
			}
		}
	}
	return rep, nil
}

// Checkpoint signs the head at the given tree size if it is a size the log has had (every
// size up to the current one is: the log only grows).
func (s *Service) Checkpoint(ctx context.Context, p *auth.Principal, size int64) (Checkpoint, error) {
	if err := auth.Require(p, auth.ReadEvents); err != nil {
		return Checkpoint{}, err
	}
	cur, _, err := s.db.EPCISLogHead(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	if size < 1 || size > cur {
		return Checkpoint{}, apperr.New(apperr.Invalid, "invalid_tree_size", "epcis.err.tree_size", size, cur).
			With("size", "epcis.err.tree_size", size, cur)
	}
	root, err := tlog.TreeHash(size, newHashReader(ctx, s.db.EPCISLogHashes))
	if err != nil {
		return Checkpoint{}, err
	}
	return s.sign(size, root)
}

// StoredVerifier returns the verifier key kept in the database with the signing key, for
// checking a checkpoint when no key is given. A rewrite that also replaced the key pair is
// still caught: an earlier checkpoint, signed with the old key, no longer verifies.
func StoredVerifier(ctx context.Context, db *store.DB) (note.Verifier, error) {
	v, ok, err := db.Setting(ctx, keySetting)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("the database holds no EPCIS log key: no event has ever been captured")
	}
	_, vkey, _ := strings.Cut(v, "\n")
	return note.NewVerifier(vkey)
}

// CheckCheckpoint checks the log recomputed by Verify against a checkpoint published
// earlier (its signature already checked by ParseCheckpoint): the log must still hold at
// least the checkpoint's events, and the checkpoint's tree must be a prefix of the
// recomputed one, shown by a consistency proof built from the recomputed hashes and checked
// with tlog.CheckTree. Someone with write access to the database can rebuild the log and its
// head so that Verify alone passes; they cannot make an earlier checkpoint match an edited
// history.
func (rep *VerifyReport) CheckCheckpoint(cp Checkpoint) {
	b64 := func(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
	if cp.Size > rep.Events {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the checkpoint covers %d events but the log holds %d: events were removed or the log was rebuilt shorter", cp.Size, rep.Events))
		return
	}
	if cp.Size == 0 || rep.tree == nil {
		return
	}
	old, err := tlog.TreeHash(cp.Size, rep.tree)
	if err != nil {
		rep.Problems = append(rep.Problems, "tree hash at the checkpoint's size: "+err.Error())
		return
	}
	if old != cp.Root {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the first %d events hash to %s, the checkpoint says %s: events before the checkpoint were edited, removed, inserted or reordered",
			cp.Size, b64(old), b64(cp.Root)))
		return
	}
	proof, err := tlog.ProveTree(rep.Events, cp.Size, rep.tree)
	if err == nil {
		err = tlog.CheckTree(proof, rep.Events, rep.Root, cp.Size, cp.Root)
	}
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("no consistency proof from the checkpoint (size %d) to the log (size %d): %v", cp.Size, rep.Events, err))
	}
}
