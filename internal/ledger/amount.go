package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"zhanxin/internal/apperr"
)

// Quantities are whole grams in int64 everywhere: no float ever holds a quota, so sums are
// exact. These functions are the only way text becomes an amount.

// ParseAmount reads an amount of grams as written in JSON or on a command line: decimal
// digits only. A fractional, negative, exponent-form or too-large number is refused with
// its own reason rather than rounded, truncated or wrapped. Zero is returned as 0 without
// error (a post of 0 means "the full pending amount"; Validate refuses it elsewhere).
func ParseAmount(s string) (int64, *Failure) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, fail("amount_not_integer", "amount", s)
	case strings.HasPrefix(s, "-"):
		return 0, fail("amount_negative", "amount", s)
	case strings.ContainsAny(s, "eE"):
		return 0, fail("amount_not_integer", "amount", s)
	case strings.Contains(s, "."):
		return 0, fail("amount_fractional", "amount", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fail("amount_not_integer", "amount", s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fail("amount_too_large", "amount", s, int64(math.MaxInt64))
	}
	return n, nil
}

const gramsPerTonne = 1_000_000

// ParseTonnes reads a quantity in tonnes — "17,900", "17900", "8.5" — into grams, exactly:
// up to six decimals (one gram); a finer fraction is refused, not rounded.
func ParseTonnes(s string) (int64, *Failure) {
	t := strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	intPart, frac, hasFrac := strings.Cut(t, ".")
	if hasFrac && len(frac) > 6 {
		return 0, fail("amount_fractional", "amount", s)
	}
	if hasFrac && frac == "" {
		return 0, fail("amount_not_integer", "amount", s)
	}
	whole, f := ParseAmount(intPart)
	if f != nil {
		f.Args = []any{s}
		if f.Code == "amount_too_large" {
			f.Args = append(f.Args, int64(math.MaxInt64))
		}
		return 0, f
	}
	var g int64
	if hasFrac {
		for i := 0; i < len(frac); i++ {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, fail("amount_not_integer", "amount", s)
			}
		}
		g, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	if whole > (math.MaxInt64-g)/gramsPerTonne {
		return 0, fail("amount_too_large", "amount", s, int64(math.MaxInt64))
	}
	return whole*gramsPerTonne + g, nil
}

// FormatGrams writes grams with thousands separators: 17,900,000,000.
func FormatGrams(g int64) string {
	neg := g < 0
	u := uint64(g)
	if neg {
		u = uint64(-(g + 1)) + 1 // safe for MinInt64
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatTonnes writes grams as tonnes, exactly (integer arithmetic, trailing zeros
// dropped): 17900000000 → "17,900 t", 1500 → "0.0015 t".
func FormatTonnes(g int64) string {
	neg := g < 0
	u := uint64(g)
	if neg {
		u = uint64(-(g + 1)) + 1
	}
	whole, frac := u/gramsPerTonne, u%gramsPerTonne
	s := FormatGrams(int64(whole))
	if frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	if neg {
		s = "-" + s
	}
	return s + " t"
}

// wireTransfer is a transfer as JSON carries it; every field is kept raw so that each can
// be checked and refused with its own reason.
type wireTransfer struct {
	ID            json.RawMessage `json:"id"`
	DebitAccount  json.RawMessage `json:"debit_account"`
	CreditAccount json.RawMessage `json:"credit_account"`
	Amount        json.RawMessage `json:"amount"`
	PendingID     json.RawMessage `json:"pending_id"`
	Timeout       json.RawMessage `json:"timeout"`
	Code          json.RawMessage `json:"code"`
	Flags         json.RawMessage `json:"flags"`
	Ref           json.RawMessage `json:"ref"`
}

var flagNames = map[string]TransferFlags{
	"linked": Linked, "pending": Pending, "post_pending_transfer": PostPending, "void_pending_transfer": VoidPending,
}

// DecodeTransfers reads a JSON array of transfers. Amounts are JSON integers or strings of
// digits (JavaScript loses precision above 2^53, so large gram counts may come quoted);
// ids are UUID or 32-hex strings; code is a number or a name ("grant"); flags a number or
// a list of names. Unknown fields are refused. Every bad field of every transfer is
// reported at once, as CreateTransfers reports refusals: apperr Invalid with fields
// "transfers[i].field".
func DecodeTransfers(r io.Reader) ([]Transfer, error) {
	var raws []json.RawMessage
	dec := json.NewDecoder(r)
	if err := dec.Decode(&raws); err != nil {
		return nil, apperr.New(apperr.BadRequest, "bad_json", "ledger.err.json", err.Error()).Wrap(err)
	}
	out := make([]Transfer, len(raws))
	var res []Result
	for i, raw := range raws {
		if f := decodeOne(raw, &out[i]); f != nil {
			res = append(res, Result{Index: i, ID: out[i].ID, Status: Failed, Failure: f})
		}
	}
	if len(res) > 0 {
		return nil, batchError(res, len(raws))
	}
	return out, nil
}

func decodeOne(raw json.RawMessage, t *Transfer) *Failure {
	var w wireTransfer
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fail("bad_transfer_json", "", err.Error())
	}
	str := func(m json.RawMessage, field string, dst *string) *Failure {
		if len(m) == 0 || string(m) == "null" {
			return nil
		}
		if err := json.Unmarshal(m, dst); err != nil {
			return fail("field_not_string", field)
		}
		return nil
	}
	id := func(m json.RawMessage, field string, dst *ID) *Failure {
		var s string
		if f := str(m, field, &s); f != nil || s == "" {
			return f
		}
		v, err := ParseID(s)
		if err != nil {
			return fail("bad_id", field, s)
		}
		*dst = v
		return nil
	}
	if f := id(w.ID, "id", &t.ID); f != nil {
		return f
	}
	if f := str(w.DebitAccount, "debit_account", &t.DebitAccount); f != nil {
		return f
	}
	if f := str(w.CreditAccount, "credit_account", &t.CreditAccount); f != nil {
		return f
	}
	if f := str(w.Ref, "ref", &t.Ref); f != nil {
		return f
	}
	if f := id(w.PendingID, "pending_id", &t.PendingID); f != nil {
		return f
	}
	if len(w.Amount) > 0 && string(w.Amount) != "null" {
		text := string(w.Amount)
		if text[0] == '"' {
			if err := json.Unmarshal(w.Amount, &text); err != nil {
				return fail("amount_not_integer", "amount", string(w.Amount))
			}
		} else if text[0] != '-' && (text[0] < '0' || text[0] > '9') {
			return fail("amount_not_integer", "amount", text)
		}
		n, f := ParseAmount(text)
		if f != nil {
			return f
		}
		t.Amount = n
	}
	if len(w.Timeout) > 0 && string(w.Timeout) != "null" {
		n, err := strconv.ParseUint(string(w.Timeout), 10, 32)
		if err != nil {
			return fail("bad_timeout", "timeout", string(w.Timeout))
		}
		t.Timeout = uint32(n)
	}
	if len(w.Code) > 0 && string(w.Code) != "null" {
		var name string
		if json.Unmarshal(w.Code, &name) == nil {
			c, ok := codeByName(name)
			if !ok {
				return fail("unknown_code_name", "code", name)
			}
			t.Code = c
		} else {
			n, err := strconv.ParseUint(string(w.Code), 10, 16)
			if err != nil {
				return fail("unknown_code_name", "code", string(w.Code))
			}
			t.Code = Code(n)
		}
	}
	if len(w.Flags) > 0 && string(w.Flags) != "null" {
		var names []string
		if json.Unmarshal(w.Flags, &names) == nil {
			for _, n := range names {
				f, ok := flagNames[n]
				if !ok {
					return fail("unknown_flag", "flags", n)
				}
				t.Flags |= f
			}
		} else {
			n, err := strconv.ParseUint(string(w.Flags), 10, 16)
			if err != nil {
				return fail("unknown_flag", "flags", string(w.Flags))
			}
			t.Flags = TransferFlags(n)
		}
	}
	return nil
}

func codeByName(name string) (Code, bool) {
	for c, v := range Codes {
		if v.Name == name {
			return c, true
		}
	}
	return 0, false
}
