package cultivation

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"zhanxin/internal/auth"
	"zhanxin/internal/store"
)

// Criterion states: a criterion holds, does not hold, or cannot be judged because the
// enterprise has no value for it (or several values that do not add up).
const (
	Pass      = "pass"
	Fail      = "fail"
	NoData    = "no_data"
	Ambiguous = "ambiguous"
)

// Class states: the enterprise qualifies, does not, cannot be decided from the data it
// has, or the class has no rule at all.
const (
	Qualifies  = "qualifies"
	NotQualify = "not"
	Undecided  = "undecided"
	NoRules    = "no_rules"
)

// CriterionResult is one criterion judged for one enterprise: the value found with its
// period and source, or why there is none.
type CriterionResult struct {
	Criterion    store.ClassCriterion
	State        string
	Value        int64 // micro, in the indicator's unit
	Period       string
	Source       string
	SourceStatus string
	Rows         int // values that were added up (one per industry the enterprise reports in)
	LeaderLinks  int
	Designation  *store.Designation
}

// ClassResult is one class judged for one enterprise.
type ClassResult struct {
	Class    store.EnterpriseClass
	State    string
	Criteria []CriterionResult
	OnList   bool // on the class's cultivation list
}

// facts of one enterprise, as evaluate reads them.
type facts struct {
	values  []store.EnterpriseFactValue
	desig   map[string]store.Designation
	leading int
	onList  map[string]bool
}

// evaluate judges one class on one enterprise's facts. It reads nothing: every input is
// passed in, so the same function serves one enterprise page and a whole register.
func evaluate(c Class, inds map[string]store.Indicator, f facts) ClassResult {
	r := ClassResult{Class: c.EnterpriseClass, OnList: f.onList[c.Code]}
	if len(c.Criteria) == 0 {
		r.State = NoRules
		return r
	}
	pass, fail := 0, 0
	for _, k := range c.Criteria {
		cr := judge(k, inds[k.Indicator], f)
		switch cr.State {
		case Pass:
			pass++
		case Fail:
			fail++
		}
		r.Criteria = append(r.Criteria, cr)
	}
	n := len(c.Criteria)
	switch {
	case c.Combine == "any" && pass > 0, c.Combine != "any" && pass == n:
		r.State = Qualifies
	case c.Combine == "any" && fail == n, c.Combine != "any" && fail > 0:
		r.State = NotQualify
	default:
		r.State = Undecided
	}
	return r
}

func judge(k store.ClassCriterion, ind store.Indicator, f facts) CriterionResult {
	cr := CriterionResult{Criterion: k, State: NoData}
	switch k.Kind {
	case "designated":
		if d, ok := f.desig[k.ClassCode]; ok {
			cr.State, cr.Designation, cr.Period, cr.Source = Pass, &d, d.Period, d.Source
		} else {
			cr.State = Fail
		}
		return cr
	case "chain_leader":
		cr.LeaderLinks = f.leading
		cr.State = Fail
		if f.leading > 0 {
			cr.State = Pass
		}
		return cr
	}
	var rows []store.EnterpriseFactValue
	for _, v := range f.values {
		if v.Indicator == k.Indicator && (k.Period == "" || v.Period == k.Period) {
			rows = append(rows, v)
		}
	}
	if len(rows) == 0 {
		if k.Period != "" {
			cr.Period = k.Period
		}
		return cr
	}
	// The latest period when the rule names none; period strings of one indicator share
	// one period type, so they order as text.
	latest := rows[0].Period
	for _, v := range rows {
		latest = max(latest, v.Period)
	}
	var sources []string
	for _, v := range rows {
		if v.Period != latest {
			continue
		}
		cr.Rows++
		cr.Value += v.Value
		if !slices.Contains(sources, v.Source) {
			sources = append(sources, v.Source)
		}
		cr.SourceStatus = v.SourceStatus
	}
	cr.Period, cr.Source = latest, strings.Join(sources, "、")
	// An enterprise's figures in several industries add up to its total only for an
	// additive indicator; a share or an average cannot be combined that way.
	if cr.Rows > 1 && ind.Aggregation != "sum" {
		cr.State = Ambiguous
		return cr
	}
	if compare(cr.Value, k.Comparison, k.Threshold) {
		cr.State = Pass
	} else {
		cr.State = Fail
	}
	return cr
}

func compare(v int64, op string, t int64) bool {
	switch op {
	case ">=":
		return v >= t
	case ">":
		return v > t
	case "<=":
		return v <= t
	case "<":
		return v < t
	case "=":
		return v == t
	}
	return false
}

// indicatorCodes lists the indicators the catalogue's criteria name.
func (c Catalogue) indicatorCodes() []string {
	var out []string
	for _, cl := range c.Classes {
		for _, k := range cl.Criteria {
			if k.Kind == "indicator" && !slices.Contains(out, k.Indicator) {
				out = append(out, k.Indicator)
			}
		}
	}
	return out
}

// gather reads the facts of the given enterprises (all when ids is nil) in four queries.
func (s *Service) gather(ctx context.Context, c Catalogue, ids []int64) (map[int64]*facts, error) {
	vals, err := s.DB.EnterpriseFactValues(ctx, ids, c.indicatorCodes())
	if err != nil {
		return nil, err
	}
	ds, err := s.DB.Designations(ctx, ids)
	if err != nil {
		return nil, err
	}
	leaders, err := s.DB.ChainLeaders(ctx, ids)
	if err != nil {
		return nil, err
	}
	lists, err := s.DB.CultivationEntries(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]*facts{}
	get := func(id int64) *facts {
		if out[id] == nil {
			out[id] = &facts{desig: map[string]store.Designation{}, onList: map[string]bool{}}
		}
		return out[id]
	}
	for id, v := range vals {
		get(id).values = v
	}
	for _, d := range ds {
		get(d.EnterpriseID).desig[d.ClassCode] = d
	}
	for id, n := range leaders {
		get(id).leading = n
	}
	for _, l := range lists {
		get(l.EnterpriseID).onList[l.ClassCode] = true
	}
	for _, id := range ids {
		get(id)
	}
	return out, nil
}

// Evaluation is every class judged for one enterprise.
type Evaluation struct {
	Enterprise store.Enterprise
	Classes    []ClassResult
	Indicators map[string]store.Indicator
}

// Evaluate judges every class for one enterprise p may see.
func (s *Service) Evaluate(ctx context.Context, p *auth.Principal, id int64) (Evaluation, error) {
	e, err := s.visible(ctx, p, id)
	if err != nil {
		return Evaluation{}, err
	}
	c, err := s.catalogue(ctx)
	if err != nil {
		return Evaluation{}, err
	}
	fs, err := s.gather(ctx, c, []int64{id})
	if err != nil {
		return Evaluation{}, err
	}
	ev := Evaluation{Enterprise: e, Indicators: c.Indicators}
	for _, cl := range c.Classes {
		ev.Classes = append(ev.Classes, evaluate(cl, c.Indicators, *fs[id]))
	}
	return ev, nil
}

// Member is one enterprise judged for one class.
type Member struct {
	Enterprise store.Enterprise
	Result     ClassResult
}

// RegisterFilter narrows a register: only enterprises on the cultivation list, only those
// that qualify.
type RegisterFilter struct {
	OnList    bool
	Qualified bool
}

// Register judges one class (every class when class is "") for every enterprise p may
// see; q filters, sorts and pages the result. It returns the class asked for, the page
// and the indicators the rules name.
func (s *Service) Register(ctx context.Context, p *auth.Principal, class string, f RegisterFilter, q store.ListQuery) (Class, store.Page[Member], map[string]store.Indicator, error) {
	var page store.Page[Member]
	if err := auth.Require(p, auth.ReadCultivation); err != nil {
		return Class{}, page, nil, err
	}
	c, err := s.catalogue(ctx)
	if err != nil {
		return Class{}, page, nil, err
	}
	classes := c.Classes
	var cl Class
	if class != "" {
		i := slices.IndexFunc(c.Classes, func(x Class) bool { return x.Code == class })
		if i < 0 {
			return Class{}, page, nil, missingClass()
		}
		cl, classes = c.Classes[i], c.Classes[i:i+1]
	}
	ents, err := s.DB.AllEnterprises(ctx, auth.EnterprisesVisibleTo(p))
	if err != nil {
		return cl, page, nil, err
	}
	var scope []int64
	if !auth.EnterprisesVisibleTo(p).All {
		scope = make([]int64, 0, len(ents))
		for _, e := range ents {
			scope = append(scope, e.ID)
		}
	}
	fs, err := s.gather(ctx, c, scope)
	if err != nil {
		return cl, page, nil, err
	}
	var rows []Member
	empty := &facts{desig: map[string]store.Designation{}, onList: map[string]bool{}}
	for _, k := range classes {
		for _, e := range ents {
			ef := fs[e.ID]
			if ef == nil {
				ef = empty
			}
			r := evaluate(k, c.Indicators, *ef)
			if (f.OnList && !r.OnList) || (f.Qualified && r.State != Qualifies) {
				continue
			}
			rows = append(rows, Member{Enterprise: e, Result: r})
		}
	}
	page = store.SlicePage(rows, q, map[string]func(a, b Member) int{
		"name":  func(a, b Member) int { return strings.Compare(a.Enterprise.NameZh, b.Enterprise.NameZh) },
		"id":    func(a, b Member) int { return cmp.Compare(a.Enterprise.ID, b.Enterprise.ID) },
		"state": func(a, b Member) int { return strings.Compare(a.Result.State, b.Result.State) },
	}, func(m Member) string {
		return m.Enterprise.NameZh + " " + m.Enterprise.NameEn + " " + m.Enterprise.USCC
	})
	return cl, page, c.Indicators, nil
}
