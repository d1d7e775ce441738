// Package gen generates a deterministic, clearly synthetic statistics dataset at any scale
// up to the national one of issue 3 (3,000 regions, 200 industries, 200,000 enterprises,
// 10 years of months, 10 indicators): the reference data, and the fact rows as CSV in the
// import format, streamed so that 10^8 rows never sit in memory.
//
// Nothing generated can be mistaken for real data: region codes start with "Z" (GB/T 2260
// codes are six digits), industry and indicator codes with "SYN", every unified social
// credit code has registration authority "X" and region segment 000000 (neither is
// assigned in GB 32100-2015, yet the check character is valid so that imports accept it),
// and every name and source says 合成 / synthetic.
package gen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"zhanxin/internal/enterprise"
	"zhanxin/internal/store"
)

// Source is the source of every generated record and fact.
const Source = "合成数据 / synthetic"

// Config sizes a dataset. The zero value of a field means its national default.
type Config struct {
	Regions     int // every region: nation, provinces, cities, counties (national: 3,000)
	Industries  int // every industry node (national: 200)
	Enterprises int // national: 200,000
	Months      int // consecutive months from StartYear-01 (national: 120, ten years)
	Indicators  int // 1–10 (national: 10)
	StartYear   int // national: 2015
	Seed        uint64
}

// National is the scale of issue 3's speed section.
func National() Config {
	return Config{Regions: 3000, Industries: 200, Enterprises: 200_000, Months: 120, Indicators: 10, StartYear: 2015, Seed: 1}
}

// Small is a dataset for tests: a few of everything.
func Small() Config {
	return Config{Regions: 40, Industries: 12, Enterprises: 30, Months: 24, Indicators: 4, StartYear: 2020, Seed: 1}
}

func (c Config) norm() Config {
	n := National()
	if c.Regions == 0 {
		c.Regions = n.Regions
	}
	if c.Industries == 0 {
		c.Industries = n.Industries
	}
	if c.Enterprises == 0 {
		c.Enterprises = n.Enterprises
	}
	if c.Months == 0 {
		c.Months = n.Months
	}
	if c.Indicators <= 0 || c.Indicators > len(indicatorDefs) {
		c.Indicators = len(indicatorDefs)
	}
	if c.StartYear == 0 {
		c.StartYear = n.StartYear
	}
	c.Regions = max(c.Regions, 4)
	c.Industries = max(c.Industries, 3)
	c.Enterprises = max(c.Enterprises, 1)
	return c
}

// Rows is the number of enterprise fact rows WriteFacts writes.
func (c Config) Rows() int64 {
	c = c.norm()
	return int64(c.Enterprises) * int64(c.Indicators) * int64(c.Months)
}

// Dataset is the reference data.
type Dataset struct {
	Config      Config
	Regions     []store.Region // parents before children
	Counties    []string
	Industries  []store.Industry // parents before children
	Leaves      []string         // industries enterprises belong to
	Indicators  []store.Indicator
	Enterprises []store.Enterprise // ID is 1-based position, before loading
}

type indicatorDef struct {
	code, zh, en, unit, entryUnit, agg, partOf string
	scale                                      int64 // typical monthly value in the entry unit, hundredths
}

// indicatorDefs are the ten synthetic indicators, all monthly. Money is entered in 万元
// for indicators kept in 亿元, so that every import converts units exactly; SYN02 is part
// of SYN01, so that imports exercise the part/whole rule in bulk.
var indicatorDefs = []indicatorDef{
	{"SYN01", "合成主营业务收入", "Synthetic revenue", "亿元", "万元", "sum", "", 500_000},
	{"SYN02", "合成利税", "Synthetic profit and tax", "亿元", "万元", "sum", "SYN01", 0},
	{"SYN03", "合成工业产值", "Synthetic output value", "亿元", "万元", "sum", "", 450_000},
	{"SYN04", "合成产量", "Synthetic output", "t", "t", "sum", "", 12_000},
	{"SYN05", "合成能耗", "Synthetic energy use", "t", "t", "sum", "", 3_000},
	{"SYN06", "合成从业人员", "Synthetic employees", "人", "人", "sum", "", 20_000},
	{"SYN07", "合成出口额", "Synthetic exports", "万元", "万元", "sum", "", 80_000},
	{"SYN08", "合成研发投入", "Synthetic R&D spending", "万元", "万元", "sum", "", 20_000},
	{"SYN09", "合成产能利用率", "Synthetic capacity utilisation", "%", "%", "average", "", 7_500},
	{"SYN10", "合成订单指数", "Synthetic order index", "点", "点", "none", "", 10_000},
}

// Reference builds the reference data of c.
func (c Config) Reference() *Dataset {
	c = c.norm()
	ds := &Dataset{Config: c}
	// Regions: one nation, then provinces, cities and counties in the proportions of
	// China's administrative divisions (~1 : 10 : 85 per province).
	rest := c.Regions - 1
	provinces := max(1, rest/100)
	cities := max(provinces, rest/10)
	counties := max(1, rest-provinces-cities)
	ds.Regions = append(ds.Regions, store.Region{Code: "Z000000", NameZh: "合成国家", NameEn: "Synthetic nation", Kind: "nation", Source: Source})
	for p := 0; p < provinces; p++ {
		ds.Regions = append(ds.Regions, store.Region{Code: fmt.Sprintf("Z%02d0000", p+1), NameZh: fmt.Sprintf("合成省%02d", p+1),
			NameEn: fmt.Sprintf("Synthetic province %d", p+1), Kind: "province", ParentCode: "Z000000", Source: Source})
	}
	cityCode := func(i int) string { return fmt.Sprintf("Z%02d%02d00", i%provinces+1, i/provinces+1) }
	for i := 0; i < cities; i++ {
		ds.Regions = append(ds.Regions, store.Region{Code: cityCode(i), NameZh: "合成市" + cityCode(i)[1:], NameEn: "Synthetic city " + cityCode(i)[1:],
			Kind: "city", ParentCode: fmt.Sprintf("Z%02d0000", i%provinces+1), Source: Source})
	}
	for i := 0; i < counties; i++ {
		city := cityCode(i % cities)
		code := fmt.Sprintf("%s%03d", city[:5], i/cities+1)
		ds.Regions = append(ds.Regions, store.Region{Code: code, NameZh: "合成县" + code[1:], NameEn: "Synthetic county " + code[1:],
			Kind: "county", ParentCode: city, Source: Source})
		ds.Counties = append(ds.Counties, code)
	}
	// Industries: four roots, a quarter as middle nodes, the rest leaves.
	roots := 4
	mids := max(1, (c.Industries-roots)/4)
	leaves := max(1, c.Industries-roots-mids)
	for i := 0; i < roots; i++ {
		ds.Industries = append(ds.Industries, store.Industry{Code: fmt.Sprintf("SYN-I%d", i+1), NameZh: fmt.Sprintf("合成产业%d", i+1),
			NameEn: fmt.Sprintf("Synthetic industry %d", i+1), SortOrder: i, Source: Source})
	}
	for i := 0; i < mids; i++ {
		ds.Industries = append(ds.Industries, store.Industry{Code: fmt.Sprintf("SYN-I%d-%02d", i%roots+1, i/roots+1),
			NameZh: fmt.Sprintf("合成产业%d-%02d", i%roots+1, i/roots+1), NameEn: fmt.Sprintf("Synthetic industry %d-%02d", i%roots+1, i/roots+1),
			ParentCode: fmt.Sprintf("SYN-I%d", i%roots+1), SortOrder: 10 + i, Source: Source})
	}
	for i := 0; i < leaves; i++ {
		parent := ds.Industries[roots+i%mids].Code
		code := fmt.Sprintf("%s-%03d", parent, i/mids+1)
		ds.Industries = append(ds.Industries, store.Industry{Code: code, NameZh: "合成" + code[4:], NameEn: "Synthetic " + code[4:],
			ParentCode: parent, SortOrder: 1000 + i, Source: Source})
		ds.Leaves = append(ds.Leaves, code)
	}
	for i, d := range indicatorDefs[:c.Indicators] {
		ind := store.Indicator{Code: d.code, NameZh: d.zh, NameEn: d.en, Unit: d.unit, PeriodType: "month", Aggregation: d.agg,
			Decimals: 2, SortOrder: 900 + i, Source: Source}
		if d.partOf != "" && c.Indicators > 1 {
			ind.PartOf = d.partOf
		}
		zero := int64(0)
		ind.Min = &zero
		ds.Indicators = append(ds.Indicators, ind)
	}
	// Enterprises spread over counties and leaf industries by a hash, so that some
	// counties have many and some none, as in life.
	for i := 0; i < c.Enterprises; i++ {
		h := mix(c.Seed, uint64(i), 0xE)
		ds.Enterprises = append(ds.Enterprises, store.Enterprise{ID: int64(i + 1), NameZh: fmt.Sprintf("合成企业%06d", i+1),
			NameEn: fmt.Sprintf("Synthetic enterprise %d", i+1), USCC: USCC(i), RegionCode: ds.Counties[h%uint64(len(ds.Counties))],
			Note: "合成数据，非真实企业 / synthetic, not a real enterprise", Source: Source})
	}
	return ds
}

// USCC is the synthetic unified social credit code of enterprise i (0-based): registration
// authority X, category X, region 000000, then the number, with a valid check character.
func USCC(i int) string {
	first := fmt.Sprintf("XX%015d", i+1)
	c, _ := enterprise.USCCCheckChar(first)
	return first + string(c)
}

// leafOf is the industry of enterprise i.
func (ds *Dataset) leafOf(i int) string {
	return ds.Leaves[mix(ds.Config.Seed, uint64(i), 0x1)%uint64(len(ds.Leaves))]
}

// mix is SplitMix64 of the seed and a few numbers: the same inputs give the same value in
// any order, so any slice of the dataset can be generated alone.
func mix(seed uint64, xs ...uint64) uint64 {
	h := seed ^ 0x9E3779B97F4A7C15
	for _, x := range xs {
		h ^= x + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h += 0x9E3779B97F4A7C15
		h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9
		h = (h ^ (h >> 27)) * 0x94D049BB133111EB
		h ^= h >> 31
	}
	return h
}

// Load writes the reference data into db in one transaction, enterprises in bulk. It sets
// each enterprise's ID to the one the database gave it.
func (ds *Dataset) Load(ctx context.Context, db *store.DB) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range ds.Regions {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		for _, i := range ds.Industries {
			if err := tx.UpsertIndustry(ctx, i); err != nil {
				return err
			}
		}
		for _, i := range ds.Indicators {
			if i.PartOf != "" {
				continue
			}
			if err := tx.UpsertIndicator(ctx, i); err != nil {
				return err
			}
		}
		for _, i := range ds.Indicators { // parts after their wholes (foreign key)
			if i.PartOf != "" {
				if err := tx.UpsertIndicator(ctx, i); err != nil {
					return err
				}
			}
		}
		ids, err := tx.InsertEnterprisesBulk(ctx, ds.Enterprises, time.Unix(1_700_000_000, 0))
		if err != nil {
			return err
		}
		for i := range ds.Enterprises {
			ds.Enterprises[i].ID = ids[i]
		}
		return nil
	})
}

// Slice selects part of the fact rows: enterprises [FromEnterprise, ToEnterprise) and
// months [FromMonth, ToMonth), 0-based; a zero To means to the end.
type Slice struct {
	FromEnterprise, ToEnterprise int
	FromMonth, ToMonth           int
}

// WriteFacts writes the enterprise fact rows of s as CSV in the import format (UTF-8,
// header line, no byte-order mark), enterprise by enterprise, and returns how many rows
// it wrote. Values are in each indicator's entry unit with two decimals.
func (ds *Dataset) WriteFacts(w io.Writer, s Slice) (int64, error) {
	c := ds.Config
	if s.ToEnterprise == 0 || s.ToEnterprise > c.Enterprises {
		s.ToEnterprise = c.Enterprises
	}
	if s.ToMonth == 0 || s.ToMonth > c.Months {
		s.ToMonth = c.Months
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("指标代码,行政区代码,产业代码,企业统一社会信用代码,报告期,数值,单位,来源,来源状态,原文/备注\n")
	periods := make([]string, c.Months)
	for m := range periods {
		periods[m] = fmt.Sprintf("%04d-%02d", c.StartYear+m/12, m%12+1)
	}
	var n int64
	buf := make([]byte, 0, 256)
	for e := s.FromEnterprise; e < s.ToEnterprise; e++ {
		ent := ds.Enterprises[e]
		leaf := ds.leafOf(e)
		size := 1 + int64(mix(c.Seed, uint64(e), 0x5)%50) // enterprises differ in size 1–50×
		for k, d := range indicatorDefs[:c.Indicators] {
			for m := s.FromMonth; m < s.ToMonth; m++ {
				v := ds.value(e, k, m, size)
				buf = buf[:0]
				buf = append(buf, d.code...)
				buf = append(buf, ',')
				buf = append(buf, ent.RegionCode...)
				buf = append(buf, ',')
				buf = append(buf, leaf...)
				buf = append(buf, ',')
				buf = append(buf, ent.USCC...)
				buf = append(buf, ',')
				buf = append(buf, periods[m]...)
				buf = append(buf, ',')
				buf = appendHundredths(buf, v)
				buf = append(buf, ',')
				buf = append(buf, d.entryUnit...)
				buf = append(buf, ","+Source+",estimate,\n"...)
				if _, err := bw.Write(buf); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, bw.Flush()
}

// value is a monthly value in hundredths of the entry unit: the enterprise's size times
// the indicator's scale, growing about 8% a year, with a seasonal swing and ±5% noise.
// SYN02 is 5–15% of SYN01 for the same key, so the part never exceeds its whole.
func (ds *Dataset) value(e, k, m int, size int64) int64 {
	d := indicatorDefs[k]
	if d.partOf != "" {
		whole := ds.value(e, 0, m, size)
		return whole * int64(5+mix(ds.Config.Seed, uint64(e), uint64(m), 0x2)%11) / 100
	}
	base := d.scale * size
	if d.unit == "%" {
		base = d.scale // a rate does not grow with the enterprise
	}
	growth := 1000 + int64(m)*1000*8/100/12 // per mille
	season := 1000 + int64([]int{-60, -90, 10, 20, 30, 10, 0, -10, 20, 30, 40, 80}[m%12])
	noise := 950 + int64(mix(ds.Config.Seed, uint64(e), uint64(k), uint64(m))%101)
	v := base * growth / 1000 * season / 1000 * noise / 1000
	if d.unit == "%" {
		v = min(v, 10_000)
	}
	return max(v, 1)
}

func appendHundredths(b []byte, v int64) []byte {
	b = strconv.AppendInt(b, v/100, 10)
	b = append(b, '.')
	f := v % 100
	if f < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, f, 10)
}
