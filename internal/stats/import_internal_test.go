package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestFastDecimalAgreesWithParseValue: the importer's integer fast path gives exactly
// ParseValue's result, or steps aside, for every kind of cell.
func TestFastDecimalAgreesWithParseValue(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	units := [][2]string{{"亿元", "亿元"}, {"万元", "亿元"}, {"亿元", "万元"}, {"元", "亿元"}, {"万吨", "t"}, {"kW", "MW"}, {"台", "亿元"}}
	cases := []string{"0", "-0", "1", "12.5", "0.000001", "0.0000001", "123456789012345678", "1234567890123456789", "9223372036854.775807",
		"9223372036854.775808", "1.", ".5", "+5", "1,000", "1e3", "", "-", "--1", "1.2.3", "00012.3400", "-3.5", "99999999999999.999999"}
	for i := 0; i < 20000; i++ {
		digits := r.IntN(16) + 1
		s := fmt.Sprint(r.Int64N(int64(math.Pow10(min(digits, 18)))))
		if f := r.IntN(9); f > 0 {
			s += "." + fmt.Sprintf("%0*d", f, r.Int64N(int64(math.Pow10(f))))
		}
		if r.IntN(4) == 0 {
			s = "-" + s
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		for _, u := range units {
			want, werr := ParseValue(s, u[0], u[1])
			got, ok := fastDecimal(s, u[0], u[1])
			if ok && (werr != nil || got != want) {
				t.Fatalf("fastDecimal(%q, %s→%s) = %d; ParseValue = %d, %v", s, u[0], u[1], got, want, werr)
			}
			pv, perr := parseValue(s, u[0], u[1])
			if pv != want || (perr == nil) != (werr == nil) {
				t.Fatalf("parseValue(%q, %s→%s) = %d, %v; ParseValue = %d, %v", s, u[0], u[1], pv, perr, want, werr)
			}
		}
	}
}

// TestModifiedZWithoutAgreesWithModifiedZ: the importer's in-place score of a value
// against the rest of its sorted series is bit-for-bit ModifiedZ's.
func TestModifiedZWithoutAgreesWithModifiedZ(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		n := r.IntN(30) + 1
		series := make([]float64, n)
		for j := range series {
			switch r.IntN(3) {
			case 0:
				series[j] = float64(r.IntN(5)) // many ties, zero MADs
			default:
				series[j] = math.Round(r.NormFloat64()*1000) / 100
			}
		}
		own := series[r.IntN(n)]
		sorted := append([]float64(nil), series...)
		sort.Float64s(sorted)
		var hist []float64
		removed := false
		for _, v := range series {
			if v == own && !removed {
				removed = true
				continue
			}
			hist = append(hist, v)
		}
		wz, wok := ModifiedZ(hist, own)
		gz, gn, gok := modifiedZWithout(sorted, own, own)
		if wok != gok || gn != len(hist) || (wok && math.Float64bits(wz) != math.Float64bits(gz)) {
			t.Fatalf("series %v, own %v: ModifiedZ = %v, %v; modifiedZWithout = %v, %v (n %d)", series, own, wz, wok, gz, gok, gn)
		}
	}
}
