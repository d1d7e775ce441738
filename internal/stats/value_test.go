package stats

import "testing"

func TestParseValueConvertsExactly(t *testing.T) {
	for _, c := range []struct {
		in, unit, target string
		want             Micro
	}{
		{"166.29", "亿元", "亿元", 166_290_000},
		{"1,662,900", "万元", "亿元", 166_290_000},
		{"1662900", "万元", "亿元", 166_290_000},
		{"0.0001", "亿元", "万元", 1_000_000},
		{"1", "万元", "亿元", 100},
		{"29.3", "%", "%", 29_300_000},
		{"-3.5", "%", "%", -3_500_000},
		{"4", "万吨", "t", 40_000_000_000},
		{" 600 ", "MW", "MW", 600_000_000},
	} {
		got, err := ParseValue(c.in, c.unit, c.target)
		if err != nil || got != c.want {
			t.Errorf("%s %s → %s: %d, %v; want %d", c.in, c.unit, c.target, got, err, c.want)
		}
	}
	for _, c := range [][3]string{
		{"abc", "亿元", "亿元"}, {"1e3", "亿元", "亿元"}, {"", "亿元", "亿元"}, {"1/3", "亿元", "亿元"},
		{"0.00000001", "万元", "亿元"}, // needs more than 6 decimals of 亿元
		{"5", "台", "亿元"},           // wrong unit
		{"99999999999999999999", "亿元", "亿元"},
	} {
		if got, err := ParseValue(c[0], c[1], c[2]); err == nil {
			t.Errorf("%q %s → %s accepted as %d", c[0], c[1], c[2], got)
		}
	}
}

func TestFormat(t *testing.T) {
	for m, want := range map[Micro]string{166_290_000: "166.29", 1_000_000: "1", -3_500_000: "-3.5", 100: "0.0001", 0: "0"} {
		if got := m.String(); got != want {
			t.Errorf("%d: %q want %q", m, got, want)
		}
	}
	if got := Micro(29_300_000).Format(2); got != "29.30" {
		t.Errorf("Format(2): %q", got)
	}
}

func TestPeriods(t *testing.T) {
	for in, want := range map[string]string{"2012": "2012", "2012Q3": "2012Q3", "2012q3": "2012Q3", "2012-07": "2012-07"} {
		p, err := ParsePeriod(in)
		if err != nil || p.String() != want {
			t.Errorf("%s: %v %v", in, p, err)
		}
	}
	for _, bad := range []string{"12", "2012Q5", "2012-13", "2012-7", "20120", "1800", "abcd", "2012M07"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	q, _ := ParsePeriod("2013Q1")
	if q.Prev().String() != "2012Q4" || q.YearAgo().String() != "2012Q1" {
		t.Errorf("prev %s yearago %s", q.Prev(), q.YearAgo())
	}
	m, _ := ParsePeriod("2013-05")
	if !m.Within(Period{Quarter, 2013, 2}) || m.Within(Period{Quarter, 2013, 1}) || !m.Within(Period{Year, 2013, 0}) {
		t.Error("Within")
	}
}
