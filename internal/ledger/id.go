package ledger

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// ID is a transfer's client-chosen 128-bit id, big-endian, as in TigerBeetle.
//
// Why 128 bits and not a free string: the id is the idempotency key of every retry, so it
// must compare exactly — a string invites "the same" id differing in case, width, spaces or
// Unicode form, which would silently create a second transfer. Sixteen bytes also make the
// unique index compact and fixed-width at 10^7 rows, and clients can mint ids without
// asking the server: a UUID (any version) is a valid ID, and time-ordered ones (UUIDv7,
// NewID) keep index inserts append-only. Document numbers and report references, which
// people do read, go in Transfer.Ref instead.
//
// 0 and 2^128-1 are reserved (TigerBeetle's rule): zero means "not set".
type ID [16]byte

var maxID = ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// IsZero reports whether id is unset.
func (id ID) IsZero() bool { return id == ID{} }

// String is the UUID form, 8-4-4-4-12 lowercase hex digits.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// bytes is the id as stored (nil for zero, which is never stored).
func (id ID) bytes() []byte {
	if id.IsZero() {
		return nil
	}
	b := make([]byte, 16)
	copy(b, id[:])
	return b
}

func idFrom(b []byte) ID {
	var id ID
	copy(id[:], b)
	return id
}

var errBadID = errors.New("an id is 32 hexadecimal digits, optionally in the UUID form 8-4-4-4-12")

// ParseID reads an id written as a UUID or as 32 hexadecimal digits.
func ParseID(s string) (ID, error) {
	var id ID
	h := s
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return id, errBadID
		}
		h = strings.ReplaceAll(s, "-", "")
	}
	if len(h) != 32 {
		return id, errBadID
	}
	if _, err := hex.Decode(id[:], []byte(h)); err != nil {
		return id, errBadID
	}
	return id, nil
}

// IDFromUint64 makes an id whose low 64 bits are n (for tests, simulations and imports
// that number their transfers).
func IDFromUint64(hi, lo uint64) ID {
	var id ID
	binary.BigEndian.PutUint64(id[:8], hi)
	binary.BigEndian.PutUint64(id[8:], lo)
	return id
}

// NewID returns a time-ordered random id in the UUIDv7 layout (48 bits of Unix ms, then
// random bits), for clients such as the web forms that mint an id when a form is shown so
// that a resubmission is recognised as a retry.
func NewID(now time.Time) ID {
	var id ID
	rand.Read(id[6:])
	ms := uint64(now.UnixMilli())
	id[0], id[1], id[2], id[3], id[4], id[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // RFC 4122 variant
	return id
}

// MarshalText writes the UUID form (JSON, forms, CSV).
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText reads what ParseID reads.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
