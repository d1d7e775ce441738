// Package stats is the statistics core of the article's 现实优势 part: indicators, facts
// with their full revision history, entry and validation, approval up the region
// hierarchy, and roll-ups kept current on write.
package stats

import (
	"fmt"
	"strconv"
	"strings"
)

// PeriodType is how often an indicator is reported.
type PeriodType string

const (
	Year    PeriodType = "year"
	Quarter PeriodType = "quarter"
	Month   PeriodType = "month"
)

// Period is a reporting period: 2012, 2012Q3 or 2012-07.
type Period struct {
	Type  PeriodType
	Year  int
	Index int // quarter 1–4 or month 1–12; 0 for a year
}

// ParsePeriod reads "2012", "2012Q3" or "2012-07".
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("period %q is not 2012, 2012Q3 or 2012-07", s)
	switch {
	case len(s) == 4:
		y, err := strconv.Atoi(s)
		if err != nil {
			return Period{}, bad
		}
		return checkYear(Period{Type: Year, Year: y}, bad)
	case len(s) == 6 && (s[4] == 'Q' || s[4] == 'q'):
		y, err1 := strconv.Atoi(s[:4])
		q, err2 := strconv.Atoi(s[5:])
		if err1 != nil || err2 != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return checkYear(Period{Type: Quarter, Year: y, Index: q}, bad)
	case len(s) == 7 && s[4] == '-':
		y, err1 := strconv.Atoi(s[:4])
		m, err2 := strconv.Atoi(s[5:])
		if err1 != nil || err2 != nil || m < 1 || m > 12 {
			return Period{}, bad
		}
		return checkYear(Period{Type: Month, Year: y, Index: m}, bad)
	}
	return Period{}, bad
}

func checkYear(p Period, bad error) (Period, error) {
	if p.Year < 1949 || p.Year > 2200 {
		return Period{}, bad
	}
	return p, nil
}

// String is the canonical form, which is also the sort order within one type.
func (p Period) String() string {
	switch p.Type {
	case Quarter:
		return fmt.Sprintf("%04dQ%d", p.Year, p.Index)
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.Index)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// YearAgo is the same period one year earlier, the base of year-on-year growth.
func (p Period) YearAgo() Period { p.Year--; return p }

// Prev is the period just before p.
func (p Period) Prev() Period {
	switch p.Type {
	case Quarter:
		if p.Index == 1 {
			return Period{Quarter, p.Year - 1, 4}
		}
		return Period{Quarter, p.Year, p.Index - 1}
	case Month:
		if p.Index == 1 {
			return Period{Month, p.Year - 1, 12}
		}
		return Period{Month, p.Year, p.Index - 1}
	}
	return Period{Year, p.Year - 1, 0}
}

// Within reports whether p lies inside the (longer or equal) period outer.
func (p Period) Within(outer Period) bool {
	if p.Year != outer.Year {
		return false
	}
	switch outer.Type {
	case Year:
		return true
	case Quarter:
		if p.Type == Month {
			return (p.Index-1)/3+1 == outer.Index
		}
		return p.Type == Quarter && p.Index == outer.Index
	}
	return p == outer
}
