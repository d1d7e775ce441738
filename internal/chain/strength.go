package chain

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Settings are the editable rules of link strength. The default "strong" is the US Cluster
// Mapping rule: location quotient at least 1 and in the top quartile of regions.
type Settings struct {
	Indicator      string  // the output indicator (e.g. REV 主营业务收入)
	Period         string  // "" = the latest period with any value of Indicator
	Region         string  // the local region (Ganzhou 360700)
	Reference      string  // the reference region of the location quotient (a province or the nation)
	TotalIndustry  string  // the denominator industry of the location quotient (IND 工业)
	StrongLQ       float64 // a strong link's location quotient is at least this
	StrongQuantile float64 // … and its share ranks at or above this quantile of peer regions
	MinEnterprises int     // … and it has at least this many local enterprises
}

// DefaultSettings are used for every key that is not set.
var DefaultSettings = Settings{Indicator: "REV", Region: "360700", Reference: "360000", TotalIndustry: "IND",
	StrongLQ: 1, StrongQuantile: 0.75, MinEnterprises: 1}

const settingPrefix = "chain."

// minPeers is the fewest peer regions (the local one included) for which a quartile means
// anything; with fewer the quartile test is "no data", not passed.
const minPeers = 4

func (s Settings) pairs() [][2]string {
	return [][2]string{{"indicator", s.Indicator}, {"period", s.Period}, {"region", s.Region}, {"reference", s.Reference},
		{"total_industry", s.TotalIndustry}, {"strong_lq", strconv.FormatFloat(s.StrongLQ, 'g', -1, 64)},
		{"strong_quantile", strconv.FormatFloat(s.StrongQuantile, 'g', -1, 64)}, {"min_enterprises", strconv.Itoa(s.MinEnterprises)}}
}

// LoadSettings reads the strength settings.
func (s *Service) LoadSettings(ctx context.Context) (Settings, error) {
	out := DefaultSettings
	for _, kv := range out.pairs() {
		v, ok, err := s.DB.Setting(ctx, settingPrefix+kv[0])
		if err != nil {
			return out, err
		}
		if !ok {
			continue
		}
		switch kv[0] {
		case "indicator":
			out.Indicator = v
		case "period":
			out.Period = v
		case "region":
			out.Region = v
		case "reference":
			out.Reference = v
		case "total_industry":
			out.TotalIndustry = v
		case "strong_lq":
			out.StrongLQ, _ = strconv.ParseFloat(v, 64)
		case "strong_quantile":
			out.StrongQuantile, _ = strconv.ParseFloat(v, 64)
		case "min_enterprises":
			out.MinEnterprises, _ = strconv.Atoi(v)
		}
	}
	return out, nil
}

// SettingsInput is the settings form as typed; numbers are parsed here so that a bad one
// is named.
type SettingsInput struct {
	Indicator, Period, Region, Reference, TotalIndustry string
	StrongLQ, StrongQuantile, MinEnterprises            string
}

// SaveSettings validates and stores the settings, audited; a bad value writes nothing.
func (s *Service) SaveSettings(ctx context.Context, p *auth.Principal, in SettingsInput) (Settings, error) {
	var out Settings
	err := s.write(ctx, p, func(tx *store.Tx, now time.Time) error {
		e := apperr.New(apperr.Invalid, "invalid_settings", "chain.err.settings")
		out = Settings{Indicator: strings.TrimSpace(in.Indicator), Period: strings.TrimSpace(in.Period),
			Region: strings.TrimSpace(in.Region), Reference: strings.TrimSpace(in.Reference), TotalIndustry: strings.TrimSpace(in.TotalIndustry)}
		var err error
		if out.StrongLQ, err = strconv.ParseFloat(strings.TrimSpace(in.StrongLQ), 64); err != nil || out.StrongLQ <= 0 {
			e.With("strong_lq", "chain.err.strong_lq", in.StrongLQ)
		}
		if out.StrongQuantile, err = strconv.ParseFloat(strings.TrimSpace(in.StrongQuantile), 64); err != nil || out.StrongQuantile < 0 || out.StrongQuantile > 1 {
			e.With("strong_quantile", "chain.err.strong_quantile", in.StrongQuantile)
		}
		if out.MinEnterprises, err = strconv.Atoi(strings.TrimSpace(in.MinEnterprises)); err != nil || out.MinEnterprises < 1 {
			e.With("min_enterprises", "chain.err.min_enterprises", in.MinEnterprises)
		}
		if _, err := tx.IndicatorByCode(ctx, out.Indicator); err != nil {
			e.With("indicator", "chain.err.indicator", out.Indicator)
		}
		for _, r := range []struct{ field, code string }{{"region", out.Region}, {"reference", out.Reference}} {
			if _, err := tx.RegionByCode(ctx, r.code); err != nil {
				e.With(r.field, "chain.err.region", r.code)
			}
		}
		if _, err := tx.IndustryByCode(ctx, out.TotalIndustry); err != nil {
			e.With("total_industry", "chain.err.industry", out.TotalIndustry)
		}
		if len(e.Fields) > 0 {
			return e
		}
		old := map[string]string{}
		for _, kv := range out.pairs() {
			if v, ok, err := tx.Setting(ctx, settingPrefix+kv[0]); err != nil {
				return err
			} else if ok {
				old[kv[0]] = v
			}
			if err := tx.SetSetting(ctx, settingPrefix+kv[0], kv[1]); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, p, "chain.settings", "setting", "chain", old, out)
	})
	return out, err
}

// Status of a link.
const (
	Gap    = "gap"    // 缺链: no local enterprise
	Weak   = "weak"   // 弱链: below the thresholds
	Strong = "strong" // meets every threshold
)

// Strategy for a link: 补链 fills a gap, 强链 strengthens a weak link, 延链 extends from a
// strong one to the next link downstream.
var Strategy = map[string]string{Gap: "fill", Weak: "strengthen", Strong: "extend"}

// Reason is one sentence of why a link has its status, as a catalogue key and arguments.
type Reason struct {
	Key  string
	Args []any
}

// EnterpriseOutput is an enterprise on a link with its output for the link's industry;
// HasOutput is false when it reported none (or the reader may not see it).
type EnterpriseOutput struct {
	store.LinkPlacement
	Output    float64
	HasOutput bool
}

// LinkStrength is a link with what is computed of it.
type LinkStrength struct {
	Link        store.ChainLink
	Enterprises []EnterpriseOutput
	Leader      string // the 链主's name, "" when none
	Count       int
	Output      float64 // sum of the enterprises' output, in the indicator's unit
	HasOutput   bool
	Share       *float64 // link output / the chain's output
	LQ          *float64 // nil: no reference data (无参照数据), never zero
	Quantile    *float64 // nil: fewer than minPeers peer regions with data
	Peers       int
	Status      string
	Reasons     []Reason
}

// Strategy is the link's strategy code.
func (l LinkStrength) Strategy() string { return Strategy[l.Status] }

// Analysis is a chain's graph with every link's strength.
type Analysis struct {
	*Graph
	Settings Settings
	Period   string
	Unit     string
	Links    []LinkStrength // in the graph's link order
	Counts   map[string]int // links by status
}

// Analyse computes the strength of every link of a chain from the data in force.
func (s *Service) Analyse(ctx context.Context, p *auth.Principal, code string) (*Analysis, error) {
	if err := auth.Require(p, auth.ReadChains); err != nil {
		return nil, err
	}
	g, err := s.graph(ctx, code)
	if err != nil {
		return nil, err
	}
	set, err := s.LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	a := &Analysis{Graph: g, Settings: set, Period: set.Period, Counts: map[string]int{}}
	all, err := s.DB.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range all {
		if i.Code == set.Indicator {
			a.Unit = i.Unit
		}
	}
	if a.Period == "" {
		if a.Period, err = s.DB.LatestPeriod(ctx, set.Indicator); err != nil {
			return nil, err
		}
	}
	inds, err := s.DB.Industries(ctx)
	if err != nil {
		return nil, err
	}
	t := tree{}
	for _, i := range inds {
		t[i.Code] = i.ParentCode
	}
	pl, byEnt, err := s.DB.ChainPlacementFigures(ctx, code, set.Indicator, a.Period)
	if err != nil {
		return nil, err
	}
	g.place(pl)
	industries := []string{set.TotalIndustry}
	for _, l := range g.Links {
		industries = append(industries, l.IndustryCode)
	}
	regionFigs, err := s.DB.IndicatorFigures(ctx, set.Indicator, a.Period, industries)
	if err != nil {
		return nil, err
	}
	kinds, err := s.regionKinds(ctx)
	if err != nil {
		return nil, err
	}
	rv := map[string]map[string]float64{} // region → industry → value
	for _, f := range regionFigs {
		if rv[f.RegionCode] == nil {
			rv[f.RegionCode] = map[string]float64{}
		}
		rv[f.RegionCode][f.IndustryCode] = float64(f.Value) / 1e6
	}
	seeFigures := p.Can(auth.ReadChainFigures)
	var total float64
	for _, l := range g.Links {
		ls := LinkStrength{Link: l}
		for _, pl := range g.Placements[l.ID] {
			eo := EnterpriseOutput{LinkPlacement: pl}
			for _, f := range byEnt[pl.EnterpriseID] {
				// A figure counts for the link when reported under the link's industry or one
				// inside it; a diversified firm's other lines do not inflate this link.
				if t.within(f.IndustryCode, l.IndustryCode) {
					eo.Output += float64(f.Value) / 1e6
					eo.HasOutput = true
				}
			}
			if eo.HasOutput {
				ls.Output += eo.Output
				ls.HasOutput = true
			}
			if !seeFigures {
				eo.Output, eo.HasOutput = 0, false
			}
			if pl.Leader {
				ls.Leader = pl.NameZh
			}
			ls.Enterprises = append(ls.Enterprises, eo)
		}
		ls.Count = len(ls.Enterprises)
		total += ls.Output
		ls.LQ = lq(rv, set.Region, set.Reference, l.IndustryCode, set.TotalIndustry)
		ls.Quantile, ls.Peers = quantile(rv, kinds, set.Region, l.IndustryCode, set.TotalIndustry)
		judge(&ls, set)
		a.Counts[ls.Status]++
		a.Links = append(a.Links, ls)
	}
	for i := range a.Links {
		if total > 0 && a.Links[i].HasOutput {
			sh := a.Links[i].Output / total
			a.Links[i].Share = &sh
		}
	}
	return a, nil
}

func (s *Service) regionKinds(ctx context.Context) (map[string]string, error) {
	rs, err := s.DB.ListRegions(ctx, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rs.Rows {
		out[r.Code] = r.Kind
	}
	return out, nil
}

// lq is the location quotient (local share of the industry in the total) / (reference
// share); nil when any of the four figures is missing or a denominator is zero.
func lq(rv map[string]map[string]float64, local, ref, industry, total string) *float64 {
	li, ok1 := rv[local][industry]
	lt, ok2 := rv[local][total]
	ri, ok3 := rv[ref][industry]
	rt, ok4 := rv[ref][total]
	if !ok1 || !ok2 || !ok3 || !ok4 || lt == 0 || ri == 0 || rt == 0 {
		return nil
	}
	v := (li / lt) / (ri / rt)
	return &v
}

// quantile ranks the local region's share of the industry among the regions of its kind
// that report both figures: the fraction of them whose share is at most the local one.
func quantile(rv map[string]map[string]float64, kinds map[string]string, local, industry, total string) (*float64, int) {
	kind := kinds[local]
	var shares []float64
	mine, have := 0.0, false
	for r, m := range rv {
		if kinds[r] != kind {
			continue
		}
		v, ok1 := m[industry]
		t, ok2 := m[total]
		if !ok1 || !ok2 || t == 0 {
			continue
		}
		shares = append(shares, v/t)
		if r == local {
			mine, have = v/t, true
		}
	}
	if !have || len(shares) < minPeers {
		return nil, len(shares)
	}
	sort.Float64s(shares)
	n := sort.Search(len(shares), func(i int) bool { return shares[i] > mine })
	q := float64(n) / float64(len(shares))
	return &q, len(shares)
}

// judge sets a link's status and the reasons for it.
func judge(ls *LinkStrength, set Settings) {
	if ls.Count == 0 {
		ls.Status = Gap
		ls.Reasons = []Reason{{Key: "chain.reason.gap"}}
		return
	}
	strong := true
	if ls.Count < set.MinEnterprises {
		strong = false
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.few", []any{ls.Count, set.MinEnterprises}})
	}
	switch {
	case ls.LQ == nil:
		strong = false
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.no_lq", nil})
	case *ls.LQ < set.StrongLQ:
		strong = false
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.low_lq", []any{fmt.Sprintf("%.2f", *ls.LQ), fmt.Sprintf("%g", set.StrongLQ)}})
	default:
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.lq_ok", []any{fmt.Sprintf("%.2f", *ls.LQ), fmt.Sprintf("%g", set.StrongLQ)}})
	}
	switch {
	case ls.Quantile == nil:
		strong = false
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.no_peers", []any{ls.Peers, minPeers}})
	case *ls.Quantile < set.StrongQuantile:
		strong = false
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.low_rank", []any{fmt.Sprintf("%.0f%%", *ls.Quantile*100), fmt.Sprintf("%.0f%%", set.StrongQuantile*100)}})
	default:
		ls.Reasons = append(ls.Reasons, Reason{"chain.reason.rank_ok", []any{fmt.Sprintf("%.0f%%", *ls.Quantile*100), fmt.Sprintf("%.0f%%", set.StrongQuantile*100)}})
	}
	if strong {
		ls.Status = Strong
	} else {
		ls.Status = Weak
	}
}
