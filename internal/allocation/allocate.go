// Package allocation allocates a year's local supply of a product (资源供应配置) to the
// local enterprises that ask for it, by rules a planner can read and edit: priority tiers
// (strategic emerging industries first, deeper local processing first …), a minimum
// guarantee and a cap per enterprise, and pro-rata sharing within a tier. The result is
// exact in grams, says for every enterprise what it got and why, and can be run as a
// scenario (the supply scaled, say −10% of the ionic rare earth quota) without touching
// the ledger; applying a round makes one ledger transfer per enterprise.
package allocation

import (
	"math/bits"
	"sort"
	"strconv"

	"zhanxin/internal/ledger"
)

// Request is one enterprise's request with the rules that apply to it. MinG is the
// minimum guarantee, CapG the cap (0: no cap beyond the request). Tier 1 is served first.
type Request struct {
	EnterpriseID int64
	Name         string
	Tier         int
	RequestedG   int64
	MinG         int64
	CapG         int64
}

// Step is one reason in an enterprise's explanation, as a catalogue key and its arguments
// already written out (amounts as exact tonnes, tiers as numbers), so that it reads in
// either language and survives being stored as JSON.
type Step struct {
	Key  string `json:"key"`
	Args []any  `json:"args"`
}

func t(g int64) string { return ledger.FormatTonnes(g) }

func tierName(n int) string { return strconv.Itoa(n) }

// Share is what one enterprise gets and why.
type Share struct {
	Request
	WantG      int64 // the request as the cap allows
	GuaranteeG int64 // from the minimum-guarantee pass
	ProRataG   int64 // from its tier's share of what was left
	GotG       int64
	Steps      []Step
}

// Result is an allocation of SupplyG.
type Result struct {
	SupplyG    int64
	AllocatedG int64
	LeftG      int64 // supply nobody asked for
	Shares     []Share
}

// Allocate divides supply among the requests:
//
//  1. Each request is limited by its cap: want = min(request, cap).
//  2. Minimum guarantees first, tier by tier: each gets min(guarantee, want). If the
//     supply cannot cover a tier's guarantees, that tier's guarantees are cut pro rata and
//     lower tiers get no guarantee.
//  3. What is left goes tier by tier: a tier whose outstanding wants fit gets them in full;
//     the first tier that does not fit shares what is left pro rata to outstanding want,
//     and the tiers below get nothing more.
//
// Pro-rata shares are whole grams by the largest-remainder method (ties to the lower
// enterprise id), so the shares add up to exactly what was divided.
func Allocate(supplyG int64, reqs []Request) Result {
	res := Result{SupplyG: supplyG}
	shares := make([]Share, len(reqs))
	for i, r := range reqs {
		want := r.RequestedG
		if r.CapG > 0 && r.CapG < want {
			want = r.CapG
		}
		shares[i] = Share{Request: r, WantG: want}
		if want < r.RequestedG {
			shares[i].Steps = append(shares[i].Steps, Step{"allocation.why.capped", []any{t(r.RequestedG), t(r.CapG)}})
		}
	}
	order := make([]int, len(shares))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		sa, sb := shares[order[a]], shares[order[b]]
		if sa.Tier != sb.Tier {
			return sa.Tier < sb.Tier
		}
		return sa.EnterpriseID < sb.EnterpriseID
	})
	tiers := groupTiers(shares, order)
	left := supplyG

	// 2. Minimum guarantees.
	for _, tier := range tiers {
		need := make([]int64, len(tier))
		var total int64
		for k, i := range tier {
			need[k] = min(shares[i].MinG, shares[i].WantG)
			total += need[k]
		}
		if total == 0 {
			continue
		}
		if total <= left {
			for k, i := range tier {
				if need[k] > 0 {
					shares[i].GuaranteeG = need[k]
					shares[i].Steps = append(shares[i].Steps, Step{"allocation.why.guarantee", []any{t(need[k])}})
				}
			}
			left -= total
			continue
		}
		got := proRata(left, need, ids(shares, tier))
		for k, i := range tier {
			if need[k] > 0 {
				shares[i].GuaranteeG = got[k]
				shares[i].Steps = append(shares[i].Steps, Step{"allocation.why.guarantee_cut", []any{t(need[k]), t(total), t(left), t(got[k])}})
			}
		}
		left = 0
		break
	}
	// 3. The rest, tier by tier.
	for _, tier := range tiers {
		out := make([]int64, len(tier))
		var total int64
		for k, i := range tier {
			out[k] = shares[i].WantG - shares[i].GuaranteeG
			total += out[k]
		}
		if total == 0 {
			continue
		}
		if left == 0 {
			for k, i := range tier {
				if out[k] > 0 {
					shares[i].Steps = append(shares[i].Steps, Step{"allocation.why.nothing_left", []any{tierName(shares[i].Tier)}})
				}
			}
			continue
		}
		if total <= left {
			for k, i := range tier {
				if out[k] > 0 {
					shares[i].ProRataG = out[k]
					shares[i].Steps = append(shares[i].Steps, Step{"allocation.why.tier_full", []any{tierName(shares[i].Tier), t(out[k])}})
				}
			}
			left -= total
			continue
		}
		got := proRata(left, out, ids(shares, tier))
		for k, i := range tier {
			if out[k] > 0 {
				shares[i].ProRataG = got[k]
				shares[i].Steps = append(shares[i].Steps, Step{"allocation.why.pro_rata", []any{tierName(shares[i].Tier), t(left), t(total), t(out[k]), t(got[k])}})
			}
		}
		left = 0
	}
	for i := range shares {
		shares[i].GotG = shares[i].GuaranteeG + shares[i].ProRataG
		res.AllocatedG += shares[i].GotG
	}
	res.LeftG = supplyG - res.AllocatedG
	for _, i := range order {
		res.Shares = append(res.Shares, shares[i])
	}
	return res
}

func groupTiers(shares []Share, order []int) [][]int {
	var out [][]int
	for _, i := range order {
		if len(out) == 0 || shares[out[len(out)-1][0]].Tier != shares[i].Tier {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], i)
	}
	return out
}

func ids(shares []Share, tier []int) []int64 {
	out := make([]int64, len(tier))
	for k, i := range tier {
		out[k] = shares[i].EnterpriseID
	}
	return out
}

// proRata divides amount (at most the sum of weights) in proportion to weights, in whole
// grams, by the largest-remainder method; ties go to the lower id.
func proRata(amount int64, weights []int64, idsOf []int64) []int64 {
	var total int64
	for _, w := range weights {
		total += w
	}
	out := make([]int64, len(weights))
	if total == 0 {
		return out
	}
	type rem struct {
		k  int
		r  int64
		id int64
	}
	rems := make([]rem, len(weights))
	var given int64
	for k, w := range weights {
		q, r := mulDiv(amount, w, total)
		out[k] = q
		given += q
		rems[k] = rem{k, r, idsOf[k]}
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].r != rems[b].r {
			return rems[a].r > rems[b].r
		}
		return rems[a].id < rems[b].id
	})
	for j := 0; given < amount; j++ {
		if weights[rems[j].k] > 0 {
			out[rems[j].k]++
			given++
		}
	}
	return out
}

// mulDiv returns a*b/c and its remainder exactly for 0 ≤ a, b ≤ c: the product of two
// gram counts overflows int64 long before a city's supply does, so it is taken in 128 bits.
func mulDiv(a, b, c int64) (int64, int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	return int64(q), int64(r)
}
