package stats

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// Values are stored as integers in millionths of the indicator's unit ("micro"), so that
// sums are exact and 万元 and 亿元 convert without rounding: 1 万元 = 0.0001 亿元 exactly.
const microPerUnit = 1_000_000

// Micro is a value in millionths of its unit.
type Micro int64

// unitScale gives, for each unit that can be entered instead of an indicator's unit, how
// many of the indicator's unit one entered unit is, as an exact fraction.
var unitScale = map[[2]string]*big.Rat{
	{"万元", "亿元"}:  big.NewRat(1, 10000),
	{"亿元", "万元"}:  big.NewRat(10000, 1),
	{"元", "万元"}:   big.NewRat(1, 10000),
	{"元", "亿元"}:   big.NewRat(1, 100000000),
	{"吨", "t"}:    big.NewRat(1, 1),
	{"t", "万吨"}:   big.NewRat(1, 10000),
	{"万吨", "t"}:   big.NewRat(10000, 1),
	{"万台", "台"}:   big.NewRat(10000, 1),
	{"万辆", "辆"}:   big.NewRat(10000, 1),
	{"万套", "套"}:   big.NewRat(10000, 1),
	{"GW", "MW"}:  big.NewRat(1000, 1),
	{"kW", "MW"}:  big.NewRat(1, 1000),
	{"万千瓦", "MW"}: big.NewRat(10, 1),
}

// ConvertibleUnits lists the units that may be entered for an indicator in unit: its own
// first, then the others in a fixed order so that messages read the same every time.
func ConvertibleUnits(unit string) []string {
	var others []string
	for k := range unitScale {
		if k[1] == unit {
			others = append(others, k[0])
		}
	}
	sort.Strings(others)
	return append([]string{unit}, others...)
}

// ParseValue reads a decimal number written in unit and returns it in millionths of
// target. Thousands separators (, and ，) and surrounding spaces are allowed. A value that
// needs more than six decimals in the target unit is refused rather than rounded.
func ParseValue(s, unit, target string) (Micro, error) {
	clean := strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	if clean == "" {
		return 0, fmt.Errorf("empty value")
	}
	r, ok := new(big.Rat).SetString(clean)
	if !ok || strings.ContainsAny(clean, "eE/") {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if unit != target {
		f, ok := unitScale[[2]string{unit, target}]
		if !ok {
			return 0, fmt.Errorf("unit %q cannot be converted to %q", unit, target)
		}
		r.Mul(r, f)
	}
	r.Mul(r, big.NewRat(microPerUnit, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("%q %s has more than 6 decimals in %s", s, unit, target)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return Micro(r.Num().Int64()), nil
}

// String writes the value with as many decimals as it needs, at least decimals.
func (m Micro) String() string { return m.Format(0) }

// Format writes the value with at least decimals decimals and no trailing zeros beyond.
func (m Micro) Format(decimals int) string {
	neg := m < 0
	v := int64(m)
	if neg {
		v = -v
	}
	whole, frac := v/microPerUnit, v%microPerUnit
	fs := fmt.Sprintf("%06d", frac)
	fs = strings.TrimRight(fs, "0")
	for len(fs) < decimals {
		fs += "0"
	}
	out := fmt.Sprintf("%d", whole)
	if fs != "" {
		out += "." + fs
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Float is the value as a float, for charts and statistics, never for storage.
func (m Micro) Float() float64 { return float64(m) / microPerUnit }
