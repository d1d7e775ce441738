package stats

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/enterprise"
	"zhanxin/internal/store"
)

// Import of facts from XLSX and CSV files. A file is read whole (XLSX streamed with
// the sheet reader of xlsxread.go), every row is checked by the same functions that check a value
// typed into the entry form (checkFields, checkRights, checkRules in service.go), against
// maps preloaded in a handful of queries instead of a query per row, and then — only if no
// row has a problem — every new revision, fact_current row and roll-up delta is written in
// one transaction with one audit record. A dry run does everything but the write.
//
// Rows are judged against the state the database will be in once the whole file is in:
// a part is compared with its whole as the file leaves it, growth with the year-ago value
// as the file leaves it, an outlier with the series as the file leaves it. So the order
// of rows never matters, and a file that corrects a whole and its part together passes.

// ImportMaxBytes is the largest file an import accepts; larger files are refused before
// they are read.
const ImportMaxBytes = 50 << 20

// maxListedProblems caps the problems a report lists; the rest are counted.
const maxListedProblems = 10000

// Import columns, in template order.
const (
	colIndicator = iota
	colRegion
	colIndustry
	colUSCC
	colPeriod
	colValue
	colUnit
	colSource
	colSourceStatus
	colNote
	colReason
	colQualifier
	nImportCols
)

// ImportHeaders are the template's column headers, in order. The first ten are the
// template's; 更正原因 is optional and gives the reason for correcting a value that is
// already submitted or approved; 数值说明 is optional and says whether the source gives
// the number exactly, approximately (约) or as a lower bound (超). It comes last so that
// files written for the older template still line up.
var ImportHeaders = [nImportCols]string{"指标代码", "行政区代码", "产业代码", "企业统一社会信用代码", "报告期", "数值", "单位", "来源",
	"来源状态", "原文/备注", "更正原因", "数值说明"}

// importRequired are the columns a file must have.
var importRequired = []int{colIndicator, colRegion, colIndustry, colPeriod, colValue, colUnit, colSource}

// headerAliases lets a file use English headers (or the field names of the API) as well.
var headerAliases = map[string]int{
	"indicator": colIndicator, "indicator_code": colIndicator, "region": colRegion, "region_code": colRegion,
	"industry": colIndustry, "industry_code": colIndustry, "uscc": colUSCC, "enterprise_uscc": colUSCC,
	"period": colPeriod, "value": colValue, "unit": colUnit, "source": colSource, "source_status": colSourceStatus,
	"quote": colNote, "note": colNote, "原文": colNote, "备注": colNote, "reason": colReason,
	"qualifier": colQualifier,
}

// fieldColumn is the column an error field of the checks is reported in.
var fieldColumn = map[string]int{"indicator": colIndicator, "region": colRegion, "industry": colIndustry,
	"enterprise": colUSCC, "uscc": colUSCC, "period": colPeriod, "value": colValue, "unit": colUnit, "source": colSource,
	"source_status": colSourceStatus, "reason": colReason, "qualifier": colQualifier}

// ImportSource is an uploaded file.
type ImportSource struct {
	Name string
	R    io.ReaderAt
	Size int64
}

// ImportProgress is how far an import or dry run is: Phase is "read", "check" or
// "write"; Done and Total count rows (bytes while reading).
type ImportProgress struct {
	Phase       string
	Done, Total int64
}

// ImportOptions adjust an import.
type ImportOptions struct {
	// Reason is the correction reason for rows that give none in 更正原因.
	Reason string
	// Progress, if set, is called now and then from the importing goroutine.
	Progress func(ImportProgress)
	// MaxBytes overrides ImportMaxBytes (benchmarks load larger files); 0 keeps it.
	MaxBytes int64
}

// Problem is one thing wrong with a file: where (the row as Excel shows it, the header
// being row 1, and the column by header and letter) and why (a catalogue key).
type Problem struct {
	Row    int    `json:"row"`    // 0: the whole file
	Column string `json:"column"` // header name; "": the whole row
	Letter string `json:"letter"` // column letter; "" when the column is absent
	Code   string `json:"code"`
	Key    string `json:"key"`
	Args   []any  `json:"args,omitempty"`
}

// ImportReport is what a dry run found, or what an import did.
type ImportReport struct {
	FileName     string    `json:"file_name"`
	Format       string    `json:"format"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	Rows         int       `json:"rows"`      // data rows read (blank rows skipped)
	New          int       `json:"new"`       // keys without a value yet
	Revised      int       `json:"revised"`   // keys whose value changes
	Unchanged    int       `json:"unchanged"` // the same value is already in force: nothing is written
	Problems     []Problem `json:"problems"`
	MoreProblems int       `json:"more_problems"` // problems beyond the listed ones
	Warnings     []Problem `json:"warnings"`      // outliers: flagged, not refused
	MoreWarnings int       `json:"more_warnings"`
	Committed    bool      `json:"committed"`
	// Seconds spent reading the file, checking its rows, and writing (facts and
	// fact_current; roll-ups), for the logs and the benchmarks.
	Seconds struct {
		Read, Check, Facts, Rollups float64
	} `json:"seconds"`
}

// ProblemCount is the number of problems, listed or not.
func (r *ImportReport) ProblemCount() int { return len(r.Problems) + r.MoreProblems }

// ToWrite is the number of rows a commit writes.
func (r *ImportReport) ToWrite() int { return r.New + r.Revised }

// UnmarshalJSON restores integer arguments, which JSON turns into floats, so that %d
// messages still format.
func (p *Problem) UnmarshalJSON(b []byte) error {
	type plain Problem
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	for i, a := range q.Args {
		if f, ok := a.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			q.Args[i] = int64(f)
		}
	}
	*p = Problem(q)
	return nil
}

func (r *ImportReport) addProblem(p Problem) {
	if len(r.Problems) < maxListedProblems {
		r.Problems = append(r.Problems, p)
	} else {
		r.MoreProblems++
	}
}

func (r *ImportReport) addWarning(p Problem) {
	if len(r.Warnings) < maxListedProblems {
		r.Warnings = append(r.Warnings, p)
	} else {
		r.MoreWarnings++
	}
}

// Error is the report as an error: Invalid, with the first problems as fields named
// "row N, column X" for the API's error shape.
func (r *ImportReport) Error() *apperr.Error {
	e := apperr.New(apperr.Invalid, "import_invalid", "import.err.invalid", r.ProblemCount())
	for i, p := range r.Problems {
		if i == 100 {
			break
		}
		e.With(p.Place(), p.Key, p.Args...)
	}
	return e
}

// Place names where the problem is, e.g. "row 7, 数值 (F)".
func (p Problem) Place() string {
	switch {
	case p.Row == 0 && p.Column == "":
		return "file"
	case p.Column == "":
		return fmt.Sprintf("row %d", p.Row)
	case p.Letter == "":
		return fmt.Sprintf("row %d, %s", p.Row, p.Column)
	}
	return fmt.Sprintf("row %d, %s (%s)", p.Row, p.Column, p.Letter)
}

// importRow is one data row as read.
type importRow struct {
	line  int // row number as Excel shows it
	cells [nImportCols]string
}

// parsedFile is a file read into rows.
type parsedFile struct {
	format  string
	colIdx  [nImportCols]int // position of each column in the file, -1 when absent
	rows    []importRow
	sha     string
	fileErr []Problem // problems with the file as a whole (header, encoding, merged cells)
	// mergedHeader: the header row has merged cells, which explains any missing column.
	mergedHeader bool
}

func (pf *parsedFile) letter(col int) string {
	if pf.colIdx[col] < 0 {
		return ""
	}
	name, _ := excelize.ColumnNumberToName(pf.colIdx[col] + 1)
	return name
}

func (pf *parsedFile) problem(line, col int, code, key string, args ...any) Problem {
	p := Problem{Row: line, Code: code, Key: key, Args: args}
	if col >= 0 {
		p.Column, p.Letter = ImportHeaders[col], pf.letter(col)
	}
	return p
}

// readImport reads src into rows, refusing files over the size limit before reading.
func readImport(src ImportSource, opt ImportOptions) (*parsedFile, error) {
	limit := opt.MaxBytes
	if limit == 0 {
		limit = ImportMaxBytes
	}
	if src.Size > limit {
		return nil, apperr.New(apperr.TooLarge, "import_too_large", "import.err.too_large",
			fmt.Sprintf("%.1f", float64(src.Size)/(1<<20)), limit>>20)
	}
	if src.Size == 0 {
		return nil, apperr.New(apperr.Invalid, "import_empty", "import.err.empty")
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(src.R, 0, src.Size)); err != nil {
		return nil, err
	}
	pf := &parsedFile{sha: hex.EncodeToString(h.Sum(nil))}
	for i := range pf.colIdx {
		pf.colIdx[i] = -1
	}
	var head [4]byte
	n, _ := src.R.ReadAt(head[:], 0)
	progress := func(done int64) {
		if opt.Progress != nil {
			opt.Progress(ImportProgress{Phase: "read", Done: done, Total: src.Size})
		}
	}
	var err error
	if n == 4 && string(head[:]) == "PK\x03\x04" {
		pf.format = "xlsx"
		// The rows of a sheet are not known until it is read: report rows read, no total.
		err = pf.readXLSX(src, func(rows int64) {
			if opt.Progress != nil {
				opt.Progress(ImportProgress{Phase: "read", Done: rows})
			}
		})
	} else {
		pf.format = "csv"
		err = pf.readCSV(src, progress)
	}
	return pf, err
}

// setHeader maps the header row's cells to columns and reports missing or doubled ones.
func (pf *parsedFile) setHeader(cells []string) {
	for i, c := range cells {
		name := normHeader(c)
		if name == "" {
			continue
		}
		col := -1
		for j, h := range ImportHeaders {
			if normHeader(h) == name {
				col = j
			}
		}
		if col < 0 {
			if a, ok := headerAliases[strings.ToLower(name)]; ok {
				col = a
			}
		}
		if col < 0 {
			continue // extra columns (a user's own notes) are ignored
		}
		if pf.colIdx[col] >= 0 {
			letter, _ := excelize.ColumnNumberToName(i + 1)
			pf.fileErr = append(pf.fileErr, Problem{Row: 1, Column: ImportHeaders[col], Letter: letter, Code: "duplicate_column",
				Key: "import.err.duplicate_column", Args: []any{ImportHeaders[col]}})
			continue
		}
		pf.colIdx[col] = i
	}
	for _, col := range importRequired {
		if pf.colIdx[col] < 0 && !pf.mergedHeader {
			pf.fileErr = append(pf.fileErr, Problem{Row: 1, Column: ImportHeaders[col], Code: "missing_column",
				Key: "import.err.missing_column", Args: []any{ImportHeaders[col]}})
		}
	}
}

// normHeader drops spaces, a BOM and required-field stars, and makes brackets half-width.
func normHeader(s string) string {
	s = strings.NewReplacer("\ufeff", "", " ", "", "\u3000", "", "*", "", "＊", "", "（", "(", "）", ")", "／", "/").Replace(s)
	return strings.TrimSpace(s)
}

// addRow keeps a data row, skipping rows whose cells are all blank.
func (pf *parsedFile) addRow(line int, cells []string) {
	var r importRow
	r.line = line
	blank := true
	for col, i := range pf.colIdx {
		if i >= 0 && i < len(cells) {
			v := strings.TrimSpace(cells[i])
			r.cells[col] = v
			blank = blank && v == ""
		}
	}
	for _, c := range cells {
		blank = blank && strings.TrimSpace(c) == ""
	}
	if !blank {
		pf.rows = append(pf.rows, r)
	}
}

// readCSV reads a CSV file in UTF-8 (with or without a byte-order mark) or, when the
// bytes are not UTF-8, in GB18030 (what Excel writes on a Chinese Windows).
func (pf *parsedFile) readCSV(src ImportSource, progress func(int64)) error {
	sr := io.NewSectionReader(src.R, 0, src.Size)
	valid, err := isUTF8(io.NewSectionReader(src.R, 0, src.Size))
	if err != nil {
		return err
	}
	var r io.Reader = &countingReader{r: sr, every: 4 << 20, fn: progress}
	if !valid {
		r = simplifiedchinese.GB18030.NewDecoder().Reader(r)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	// How many rows to expect, from the length of the first lines, so that the rows are
	// held in one allocation instead of a slice grown and copied as it fills.
	if head, _ := br.Peek(1 << 16); len(head) > 0 {
		if lines := bytes.Count(head, []byte("\n")); lines > 1 {
			est := src.Size / int64(len(head)) * int64(lines) * 11 / 10
			pf.rows = make([]importRow, 0, min(est, 1<<22))
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				pf.fileErr = append(pf.fileErr, Problem{Row: line, Code: "bad_csv", Key: "import.err.csv", Args: []any{pe.Err.Error()}})
				return nil
			}
			return err
		}
		if line == 1 {
			pf.setHeader(rec)
			if !valid && pf.colIdx[colIndicator] < 0 {
				// Neither UTF-8 nor a GB18030 file with our header: say which encodings work.
				pf.fileErr = []Problem{{Row: 0, Code: "bad_encoding", Key: "import.err.encoding"}}
				return nil
			}
			continue
		}
		pf.addRow(line, rec)
	}
	if line == 0 {
		pf.fileErr = append(pf.fileErr, Problem{Code: "import_empty", Key: "import.err.empty"})
	}
	return nil
}

// isUTF8 reports whether r holds valid UTF-8, reading it in blocks.
func isUTF8(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var carry []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := br.Read(buf)
		chunk := append(carry, buf[:n]...)
		// Keep an incomplete trailing sequence for the next block.
		cut := len(chunk)
		for i := 1; i <= 3 && i <= len(chunk); i++ {
			if utf8.RuneStart(chunk[len(chunk)-i]) {
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					cut = len(chunk) - i
				}
				break
			}
		}
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = append(carry[:0], chunk[cut:]...)
		if err == io.EOF {
			return len(carry) == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

type countingReader struct {
	r       io.Reader
	n, last int64
	every   int64
	fn      func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n-c.last >= c.every {
		c.last = c.n
		c.fn(c.n)
	}
	return n, err
}

// importSheet is the sheet an XLSX import reads: the template's data sheet, else the first.
const importSheet = "数据"

// readXLSX streams the data sheet (数据, else the first) with the sheet reader of
// xlsxread.go, reading raw cell values (a cell's display format must not round a number).
// Merged cells are refused: a merged header hides which column is which, and a merged
// data cell holds one value for several rows.
func (pf *parsedFile) readXLSX(src ImportSource, progress func(int64)) error {
	sh, err := openXLSXSheet(src.R, src.Size, importSheet)
	if err != nil {
		pf.fileErr = append(pf.fileErr, Problem{Code: "bad_xlsx", Key: "import.err.xlsx"})
		return nil
	}
	defer sh.Close()
	rows := 0
	for {
		line, cells, err := sh.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			pf.fileErr = append(pf.fileErr, Problem{Row: line, Code: "bad_xlsx", Key: "import.err.xlsx"})
			return nil
		}
		rows++
		if rows == 1 && sh.rowsHint > 1 {
			pf.rows = make([]importRow, 0, sh.rowsHint-1)
		} else if rows == 4096 {
			// The rows are held in one allocation of the expected size instead of a slice
			// grown and copied as it fills.
			if n := sh.expectedRows(rows); n > cap(pf.rows) {
				pf.rows = append(make([]importRow, 0, n), pf.rows...)
			}
		}
		if line == 1 {
			pf.setHeader(cells)
			continue
		}
		if rows == 1 {
			pf.setHeader(nil) // the sheet has no row 1: every column is missing
		}
		if i := pf.colIdx[colValue]; i >= 0 && i < len(cells) {
			cells[i] = excelNumber(cells[i])
		}
		if i := pf.colIdx[colPeriod]; i >= 0 && i < len(cells) {
			cells[i] = excelPeriod(cells[i])
		}
		pf.addRow(line, cells)
		if rows%65536 == 0 {
			progress(int64(line))
		}
	}
	if rows == 0 {
		pf.fileErr = append(pf.fileErr, Problem{Code: "import_empty", Key: "import.err.empty"})
	}
	// The merged ranges come after the rows in the sheet's XML, so they are judged at the
	// end; they are listed first, as the first thing to fix.
	slices.Sort(sh.merged)
	var merged []Problem
	for _, ref := range slices.Compact(sh.merged) {
		first, _, _ := strings.Cut(ref, ":")
		c, r, _ := excelize.CellNameToCoordinates(first)
		letter, _ := excelize.ColumnNumberToName(max(c, 1))
		key := "import.err.merged"
		if r == 1 {
			key = "import.err.merged_header"
			pf.mergedHeader = true
		}
		merged = append(merged, Problem{Row: r, Letter: letter, Code: "merged_cells", Key: key, Args: []any{ref}})
	}
	if pf.mergedHeader {
		// A merged header explains any missing column: that is the problem to report.
		pf.fileErr = slices.DeleteFunc(pf.fileErr, func(p Problem) bool { return p.Code == "missing_column" })
	}
	pf.fileErr = append(merged, pf.fileErr...)
	return nil
}

var longFloat = regexp.MustCompile(`^-?\d+\.\d{10,}$|[eE]`)

// excelNumber turns a raw numeric cell into the decimal Excel shows: Excel keeps 15
// significant digits, so binary noise such as 0.30000000000000004 (a formula's result) is
// the 0.3 the user sees, while a typed 74.59 stays exactly 74.59.
func excelNumber(raw string) string {
	if !longFloat.MatchString(raw) {
		return raw
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return raw
	}
	g, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	return strconv.FormatFloat(g, 'f', -1, 64)
}

// excelPeriod turns a date serial (Excel reads a typed 2012-07 as July 2012) back into
// the period 2012-07; anything else is left as it is.
func excelPeriod(raw string) string {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 20000 || n > 80000 { // serials of 1954–2119; 2012 stays a year
		return raw
	}
	t, err := excelize.ExcelDateToTime(float64(n), false)
	if err != nil || t.Day() != 1 {
		return raw
	}
	return t.Format("2006-01")
}

// refData is the reference data an import checks against, read in a few queries.
type refData struct {
	indicators  map[string]*store.Indicator
	regions     map[string]*store.Region
	industries  map[string]*store.Industry
	enterprises map[int64]*store.Enterprise
	byUSCC      map[string]*store.Enterprise
	zonesOf     map[string][]string // member → zones containing it
	status      map[[2]string]string
	partsOf     map[string][]string // indicator → indicators declared part of it
}

func loadRefData(ctx context.Context, tx *store.BulkTx, usccs []string) (*refData, error) {
	rd := &refData{indicators: map[string]*store.Indicator{}, regions: map[string]*store.Region{},
		industries: map[string]*store.Industry{}, enterprises: map[int64]*store.Enterprise{}, byUSCC: map[string]*store.Enterprise{},
		zonesOf: map[string][]string{}, status: map[[2]string]string{}, partsOf: map[string][]string{}}
	inds, err := tx.AllIndicators(ctx)
	if err != nil {
		return nil, err
	}
	for i := range inds {
		rd.indicators[inds[i].Code] = &inds[i]
		if inds[i].PartOf != "" {
			rd.partsOf[inds[i].PartOf] = append(rd.partsOf[inds[i].PartOf], inds[i].Code)
		}
	}
	regs, err := tx.AllRegions(ctx)
	if err != nil {
		return nil, err
	}
	for i := range regs {
		rd.regions[regs[i].Code] = &regs[i]
	}
	ins, err := tx.AllIndustries(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ins {
		rd.industries[ins[i].Code] = &ins[i]
	}
	zm, err := tx.AllZoneMembers(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range zm {
		rd.zonesOf[p[1]] = append(rd.zonesOf[p[1]], p[0])
	}
	ps, err := tx.PeriodStatuses(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		rd.status[[2]string{p.Region, p.Period}] = p.Status
	}
	ents, err := tx.EnterprisesByUSCC(ctx, usccs)
	if err != nil {
		return nil, err
	}
	for i := range ents {
		rd.enterprises[ents[i].ID] = &ents[i]
		rd.byUSCC[ents[i].USCC] = &ents[i]
	}
	return rd, nil
}

// regionTargets mirrors store.Tx.RegionRollupTargets over the preloaded maps: the region,
// its parent chain, and every zone containing one of them.
func (rd *refData) regionTargets(code string) []string {
	var out []string
	seen := map[string]bool{}
	for c := code; c != "" && !seen[c]; {
		seen[c] = true
		out = append(out, c)
		g := rd.regions[c]
		if g == nil {
			break
		}
		c = g.ParentCode
	}
	chain := append([]string(nil), out...)
	for _, c := range chain {
		for _, z := range rd.zonesOf[c] {
			if !seen[z] {
				seen[z] = true
				out = append(out, z)
			}
		}
	}
	return out
}

// industryAncestors mirrors store.Tx.IndustryAncestors.
func (rd *refData) industryAncestors(code string) []string {
	var out []string
	seen := map[string]bool{}
	for c := code; c != "" && !seen[c]; {
		seen[c] = true
		out = append(out, c)
		i := rd.industries[c]
		if i == nil {
			break
		}
		c = i.ParentCode
	}
	return out
}

// fileValue is a key's value in the file and the row that gives it.
type fileValue struct {
	value     int64
	qualifier string
	line      int
}

// importLookup answers the checks' questions from the preloaded maps, with the file's
// values overlaid for the "final" state.
type importLookup struct {
	rd     *refData
	cur    map[store.FactKey]store.CurrentFact // values in force of the series the file touches
	file   map[store.FactKey]fileValue         // the file's values of rows whose fields are valid
	series map[store.SeriesKey][]float64       // final values of each series, sorted
}

func (l *importLookup) indicator(_ context.Context, code string) (store.Indicator, bool, error) {
	if i := l.rd.indicators[code]; i != nil {
		return *i, true, nil
	}
	return store.Indicator{}, false, nil
}

func (l *importLookup) region(_ context.Context, code string) (store.Region, bool, error) {
	if g := l.rd.regions[code]; g != nil {
		return *g, true, nil
	}
	return store.Region{}, false, nil
}

func (l *importLookup) industryExists(_ context.Context, code string) (bool, error) {
	return l.rd.industries[code] != nil, nil
}

func (l *importLookup) enterprise(_ context.Context, id int64) (store.Enterprise, bool, error) {
	if e := l.rd.enterprises[id]; e != nil {
		return *e, true, nil
	}
	return store.Enterprise{}, false, nil
}

func (l *importLookup) periodStatus(_ context.Context, region, period string) (string, error) {
	if s, ok := l.rd.status[[2]string{region, period}]; ok {
		return s, nil
	}
	return "open", nil
}

func (l *importLookup) stored(_ context.Context, k store.FactKey) (store.CurrentFact, bool, error) {
	c, ok := l.cur[k]
	return c, ok, nil
}

func (l *importLookup) final(_ context.Context, k store.FactKey) (store.CurrentFact, bool, error) {
	if v, ok := l.file[k]; ok {
		return store.CurrentFact{FactKey: k, Value: v.value, Qualifier: v.qualifier}, true, nil
	}
	c, ok := l.cur[k]
	return c, ok, nil
}

func (l *importLookup) finalParts(ctx context.Context, k store.FactKey) ([]store.CurrentFact, error) {
	var out []store.CurrentFact
	for _, ind := range l.rd.partsOf[k.Indicator] {
		pk := k
		pk.Indicator = ind
		if c, ok, _ := l.final(ctx, pk); ok {
			c.Indicator = ind
			out = append(out, c)
		}
	}
	return out, nil
}

func (l *importLookup) outlier(_ context.Context, k store.FactKey, x float64) (float64, int, bool, error) {
	s := l.series[store.SeriesKey{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry, EnterpriseID: k.EnterpriseID}]
	z, n, ok := modifiedZWithout(s, x, x)
	return z, n, ok, nil
}

// modifiedZWithout is ModifiedZ(history, x) where history is sorted with one occurrence
// of own (the value being checked, already part of its series) removed. It reads the
// sorted series in place instead of copying and sorting per row; the medians it picks are
// the same elements ModifiedZ's sorts pick, so the result is identical to the last bit.
func modifiedZWithout(sorted []float64, own, x float64) (float64, int, bool) {
	pos := sort.SearchFloat64s(sorted, own)
	removed := pos < len(sorted) && sorted[pos] == own
	m := len(sorted)
	if removed {
		m--
	} else {
		pos = m // nothing to skip
	}
	at := func(i int) float64 {
		if i >= pos {
			return sorted[i+1]
		}
		return sorted[i]
	}
	if !removed {
		at = func(i int) float64 { return sorted[i] }
	}
	if m < 4 {
		return 0, m, false
	}
	var med float64
	if m%2 == 1 {
		med = at(m / 2)
	} else {
		med = (at(m/2-1) + at(m/2)) / 2
	}
	// Deviations from the median in increasing order: walk outwards from it.
	c := sort.Search(m, func(i int) bool { return at(i) >= med })
	l, r := c-1, c
	next := func() float64 {
		var dl, dr float64 = math.Inf(1), math.Inf(1)
		if l >= 0 {
			dl = math.Abs(at(l) - med)
		}
		if r < m {
			dr = math.Abs(at(r) - med)
		}
		if dl <= dr {
			l--
			return dl
		}
		r++
		return dr
	}
	var prev, cur float64
	for i := 0; i <= m/2; i++ {
		prev, cur = cur, next()
	}
	mad := cur
	if m%2 == 0 {
		mad = (prev + cur) / 2
	}
	if mad == 0 {
		return 0, m, false
	}
	return 0.6745 * (x - med) / mad, m, true
}

// checkedRow is a row that passed every check, ready to write.
type checkedRow struct {
	line int
	r    *resolved
}

// checkImport checks every row of pf against the database seen through tx. It fills the
// report and returns the rows that passed.
func (s *Service) checkImport(ctx context.Context, tx *store.BulkTx, p *auth.Principal, pf *parsedFile, opt ImportOptions, rep *ImportReport) ([]checkedRow, *importLookup, *refData, error) {
	progress := func(phase string, done, total int) {
		if opt.Progress != nil {
			opt.Progress(ImportProgress{Phase: phase, Done: int64(done), Total: int64(total)})
		}
	}
	var usccs []string
	seenUSCC := map[string]bool{}
	for i := range pf.rows {
		u := strings.ToUpper(pf.rows[i].cells[colUSCC])
		pf.rows[i].cells[colUSCC] = u
		if u != "" && !seenUSCC[u] {
			seenUSCC[u] = true
			usccs = append(usccs, u)
		}
	}
	start := time.Now()
	defer func() { rep.Seconds.Check = time.Since(start).Seconds() }()
	rd, err := loadRefData(ctx, tx, usccs)
	if err != nil {
		return nil, nil, nil, err
	}
	lk := &importLookup{rd: rd, file: make(map[store.FactKey]fileValue, len(pf.rows))}
	var ok []checkedRow
	total := len(pf.rows)
	add := func(line int, e *apperr.Error, regionFromUSCC bool) {
		if len(e.Fields) == 0 {
			col := -1
			switch e.Code {
			case "other_region":
				col = colRegion
				if regionFromUSCC {
					col = colUSCC
				}
			case "other_enterprise":
				col = colUSCC
			case "period_locked", "period_submitted":
				col = colPeriod
			}
			rep.addProblem(pf.problem(line, col, e.Code, e.Key, e.Args...))
			return
		}
		for _, f := range e.Fields {
			col, ok := fieldColumn[f.Name]
			if !ok {
				col = -1
			}
			if f.Name == "region" && regionFromUSCC {
				col = colUSCC
			}
			rep.addProblem(pf.problem(line, col, e.Code, f.Key, f.Args...))
		}
	}
	for i := range pf.rows {
		row := &pf.rows[i]
		if i%65536 == 0 {
			progress("check", i, total)
		}
		in := Input{Indicator: row.cells[colIndicator], Region: row.cells[colRegion], Industry: row.cells[colIndustry],
			Period: row.cells[colPeriod], Value: row.cells[colValue], Unit: row.cells[colUnit], Source: row.cells[colSource],
			SourceStatus: row.cells[colSourceStatus], Quote: row.cells[colNote], Reason: row.cells[colReason]}
		if in.Reason == "" {
			in.Reason = opt.Reason
		}
		q, qok := importQualifiers[row.cells[colQualifier]]
		if !qok {
			// Reported here, with the words a user can type, rather than by checkFields,
			// whose message names the codes of the entry form.
			rep.addProblem(pf.problem(row.line, colQualifier, "bad_qualifier", "import.err.qualifier", row.cells[colQualifier]))
			continue
		}
		in.Qualifier = q
		uscc := row.cells[colUSCC]
		var usccErr *apperr.Error
		if uscc != "" {
			if err := enterprise.ValidateUSCC(uscc); err != nil {
				usccErr = apperr.From(err)
			} else if e := rd.byUSCC[uscc]; e == nil {
				usccErr = apperr.New(apperr.Invalid, "unknown_uscc", "import.err.unknown_uscc", uscc).With("uscc", "import.err.unknown_uscc", uscc)
			} else {
				in.EnterpriseID = e.ID
			}
		}
		regionFromUSCC := in.Region == "" && in.EnterpriseID != 0
		r, err := checkFields(ctx, lk, in)
		if err != nil {
			e := apperr.From(err)
			if e.Kind == apperr.Internal {
				return nil, nil, nil, err
			}
			if usccErr != nil {
				add(row.line, usccErr, false)
				if in.Region == "" { // the region was to come from the enterprise
					e.Fields = slices.DeleteFunc(e.Fields, func(f apperr.Field) bool { return f.Name == "region" })
				}
			}
			if len(e.Fields) > 0 {
				add(row.line, e, regionFromUSCC)
			}
			continue
		}
		if usccErr != nil {
			add(row.line, usccErr, false)
			continue
		}
		r.principal = p
		if err := checkRights(ctx, lk, p, r); err != nil {
			e := apperr.From(err)
			if e.Kind == apperr.Internal {
				return nil, nil, nil, err
			}
			add(row.line, e, regionFromUSCC)
			continue
		}
		k := r.key()
		if first, dup := lk.file[k]; dup {
			rep.addProblem(pf.problem(row.line, -1, "duplicate_row", "import.err.duplicate_row", row.line, first.line))
			continue
		}
		lk.file[k] = fileValue{value: int64(r.value), qualifier: r.in.Qualifier, line: row.line}
		ok = append(ok, checkedRow{line: row.line, r: r})
	}
	// The values in force of every series the file touches, and of the series its rows'
	// wholes and parts belong to.
	seriesSet := make(map[store.SeriesKey]bool, len(ok))
	for _, c := range ok {
		k := c.r.key()
		sk := store.SeriesKey{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry, EnterpriseID: k.EnterpriseID}
		seriesSet[sk] = true
		if w := c.r.ind.PartOf; w != "" {
			sk.Indicator = w
			seriesSet[sk] = true
		}
		for _, pt := range rd.partsOf[k.Indicator] {
			sk.Indicator = pt
			seriesSet[sk] = true
		}
	}
	keys := make([]store.SeriesKey, 0, len(seriesSet))
	for k := range seriesSet {
		keys = append(keys, k)
	}
	lk.cur = map[store.FactKey]store.CurrentFact{}
	if err := tx.CurrentOfSeries(ctx, keys, func(c store.CurrentFact) error {
		lk.cur[c.FactKey] = c
		return nil
	}); err != nil {
		return nil, nil, nil, err
	}
	// Final series for the outlier check: the file's values, and the stored values of the
	// periods the file does not give.
	lk.series = make(map[store.SeriesKey][]float64, len(seriesSet))
	seriesOf := func(k store.FactKey) store.SeriesKey {
		return store.SeriesKey{Indicator: k.Indicator, Region: k.Region, Industry: k.Industry, EnterpriseID: k.EnterpriseID}
	}
	for k, c := range lk.cur {
		if _, inFile := lk.file[k]; !inFile {
			sk := seriesOf(k)
			lk.series[sk] = append(lk.series[sk], Micro(c.Value).Float())
		}
	}
	for k, v := range lk.file {
		sk := seriesOf(k)
		lk.series[sk] = append(lk.series[sk], Micro(v.value).Float())
	}
	for _, vs := range lk.series {
		if len(vs) > 1 {
			sort.Float64s(vs)
		}
	}
	passed := ok[:0]
	for i, c := range ok {
		if i%65536 == 0 {
			progress("check", len(pf.rows)-len(ok)+i, total)
		}
		if err := checkRules(ctx, lk, c.r); err != nil {
			e := apperr.From(err)
			if e.Kind == apperr.Internal {
				return nil, nil, nil, err
			}
			add(c.line, e, false)
			continue
		}
		for _, w := range c.r.warnings {
			rep.addWarning(pf.problem(c.line, colValue, w.Code, w.Key, w.Args...))
		}
		switch {
		case !c.r.hasPrev:
			rep.New++
		case c.r.same():
			rep.Unchanged++
		default:
			rep.Revised++
		}
		passed = append(passed, c)
	}
	progress("check", total, total)
	return passed, lk, rd, nil
}

// CheckImport is the dry run: it reads and checks the whole file and reports every
// problem and what a commit would do, writing nothing.
func (s *Service) CheckImport(ctx context.Context, p *auth.Principal, src ImportSource, opt ImportOptions) (*ImportReport, error) {
	if err := auth.Require(p, auth.EnterStats); err != nil {
		return nil, err
	}
	pf, rep, err := s.readForImport(src, opt)
	if err != nil || rep.ProblemCount() > 0 && len(pf.rows) == 0 {
		return rep, err
	}
	err = s.DB.ReadBulk(ctx, func(tx *store.BulkTx) error {
		_, _, _, err := s.checkImport(ctx, tx, p, pf, opt, rep)
		return err
	})
	return rep, err
}

func (s *Service) readForImport(src ImportSource, opt ImportOptions) (*parsedFile, *ImportReport, error) {
	start := time.Now()
	pf, err := readImport(src, opt)
	if err != nil {
		return nil, nil, err
	}
	rep := &ImportReport{FileName: src.Name, Format: pf.format, Size: src.Size, SHA256: pf.sha, Rows: len(pf.rows),
		Problems: []Problem{}, Warnings: []Problem{}}
	rep.Seconds.Read = time.Since(start).Seconds()
	for _, pr := range pf.fileErr {
		rep.addProblem(pr)
	}
	if len(pf.fileErr) == 0 && len(pf.rows) == 0 {
		rep.addProblem(Problem{Code: "import_empty", Key: "import.err.empty"})
	}
	if len(pf.fileErr) > 0 {
		pf.rows = nil // a file whose header or layout is wrong is not read row by row
	}
	return pf, rep, nil
}

// Import checks the whole file exactly as CheckImport does and, if no row has a problem,
// writes it in one transaction: every new or changed value as a new revision, fact_current,
// the roll-ups, and one audit record with the counts, the file name and its SHA-256. If any
// row has a problem nothing is written and the report comes back with an Invalid error.
func (s *Service) Import(ctx context.Context, p *auth.Principal, src ImportSource, opt ImportOptions) (*ImportReport, error) {
	if err := auth.Require(p, auth.EnterStats); err != nil {
		return nil, err
	}
	pf, rep, err := s.readForImport(src, opt)
	if err != nil {
		return rep, err
	}
	if rep.ProblemCount() > 0 {
		return rep, rep.Error()
	}
	now := s.Now()
	err = s.DB.WriteBulk(ctx, func(tx *store.BulkTx) error {
		rows, lk, rd, err := s.checkImport(ctx, tx, p, pf, opt, rep)
		if err != nil {
			return err
		}
		if rep.ProblemCount() > 0 {
			return rep.Error()
		}
		return s.writeImport(ctx, tx, p, rows, lk, rd, rep, opt, now)
	})
	if err != nil {
		rep.New, rep.Revised, rep.Unchanged = 0, 0, 0
		// A value changed by someone else between the check and the write, or a key
		// another writer created meanwhile (PostgreSQL): refused whole, as a conflict.
		if errors.Is(err, store.ErrConcurrentChange) || store.IsUniqueViolation(err) {
			return rep, apperr.New(apperr.Conflict, "import_conflict", "import.err.conflict").Wrap(err)
		}
		return rep, err
	}
	rep.Committed = true
	if rep.ToWrite() >= analyzeAfterRows {
		// The import is committed whatever happens here: a failed refresh of the planner's
		// statistics leaves it to autovacuum (PostgreSQL) or the next import.
		_ = s.DB.AnalyzeStats(context.WithoutCancel(ctx))
	}
	return rep, nil
}

// analyzeAfterRows is the size of import after which the planner's statistics are
// refreshed: a file that changes the tables' size noticeably, not a county's monthly form.
const analyzeAfterRows = 50_000

// rollupKey identifies a roll-up row by the ranks of its codes in sorted order, so that
// summing the deltas of a large file costs an integer-keyed map update per target and
// sorting them into the table's key order compares integers, not strings.
type rollupKey struct {
	basis                               byte
	indicator, region, industry, period int32
}

// ranks maps each code to its rank among the sorted codes.
func ranks(codes []string) (map[string]int32, []string) {
	slices.Sort(codes)
	codes = slices.Compact(codes)
	m := make(map[string]int32, len(codes))
	for i, c := range codes {
		m[c] = int32(i)
	}
	return m, codes
}

// writeImport writes the checked rows: the same rows, revisions, statuses, quality flags,
// roll-up deltas and audit as Enter would write for each, in bulk.
func (s *Service) writeImport(ctx context.Context, tx *store.BulkTx, p *auth.Principal, rows []checkedRow, lk *importLookup, rd *refData,
	rep *ImportReport, opt ImportOptions, now time.Time) error {
	// The revision numbers of the facts being replaced, read for those alone.
	var prevIDs []int64
	for _, c := range rows {
		if c.r.hasPrev && !c.r.same() {
			prevIDs = append(prevIDs, c.r.prev.FactID)
		}
	}
	revs, err := tx.Revisions(ctx, prevIDs)
	if err != nil {
		return err
	}
	facts := make([]store.ImportFact, 0, rep.ToWrite())
	for _, c := range rows {
		r := c.r
		if r.same() {
			continue // unchanged: Enter writes nothing either
		}
		rev := 1
		var prevID int64
		if r.hasPrev {
			prev, ok := revs[r.prev.FactID]
			if !ok {
				return fmt.Errorf("import: fact %d in force has no revision row", r.prev.FactID)
			}
			rev = prev + 1
			prevID = r.prev.FactID
		}
		unit := r.in.Unit
		if unit == "" {
			unit = r.ind.Unit
		}
		facts = append(facts, store.ImportFact{Fact: store.Fact{FactKey: r.key(), Value: int64(r.value),
			Entered: r.in.Value + " " + unit, Source: r.in.Source, SourceStatus: r.in.SourceStatus, Quote: r.in.Quote,
			Revision: rev, Reason: r.in.Reason, Status: r.status, Quality: r.quality, Qualifier: r.in.Qualifier}, PrevFactID: prevID})
	}
	// Key order: facts get ascending ids in fact_current's primary-key order, so both
	// tables' B-trees are appended to rather than split all over.
	slices.SortFunc(facts, func(a, b store.ImportFact) int {
		return cmp.Or(cmp.Compare(a.Indicator, b.Indicator), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Industry, b.Industry),
			cmp.Compare(a.EnterpriseID, b.EnterpriseID), cmp.Compare(a.Period, b.Period))
	})
	total := int64(len(facts))
	start := time.Now()
	if err := tx.InsertImportedFacts(ctx, facts, p.Username, now, func(done int) {
		if opt.Progress != nil {
			opt.Progress(ImportProgress{Phase: "write", Done: int64(done), Total: total})
		}
	}); err != nil {
		return err
	}
	rep.Seconds.Facts = time.Since(start).Seconds()
	start = time.Now()
	if err := s.applyImportRollups(ctx, tx, facts, lk, rd); err != nil {
		return err
	}
	rep.Seconds.Rollups = time.Since(start).Seconds()
	// The approvals list's counts: one change per region × period the file touches.
	pairs := map[[2]string]*store.PairCounts{}
	for i := range facts {
		f := &facts[i]
		pc := pairs[[2]string{f.Region, f.Period}]
		if pc == nil {
			pc = &store.PairCounts{Region: f.Region, Period: f.Period}
			pairs[[2]string{f.Region, f.Period}] = pc
		}
		if f.PrevFactID != 0 {
			pc.Count(lk.cur[f.FactKey].Status, f.EnterpriseID, -1)
		}
		pc.Count(f.Status, f.EnterpriseID, +1)
	}
	counts := make([]store.PairCounts, 0, len(pairs))
	for _, pc := range pairs {
		counts = append(counts, *pc)
	}
	if err := tx.AddRegionPeriodCounts(ctx, counts); err != nil {
		return err
	}
	return audit.Record(ctx, tx.Tx, now, p, "fact.import", "import", rep.SHA256, nil, map[string]any{
		"file": rep.FileName, "format": rep.Format, "size": rep.Size, "sha256": rep.SHA256, "rows": rep.Rows,
		"new": rep.New, "revised": rep.Revised, "unchanged": rep.Unchanged, "outliers": len(rep.Warnings) + rep.MoreWarnings})
}

// applyImportRollups sums the roll-up deltas of every written fact (the rule of
// Service.rollup: enterprises' figures into every region and industry ancestor, counties'
// figures into every region ancestor for their own industry) and applies them at once,
// in the roll-up table's key order.
func (s *Service) applyImportRollups(ctx context.Context, tx *store.BulkTx, facts []store.ImportFact, lk *importLookup, rd *refData) error {
	var inds, regs, ins, pers []string
	for c := range rd.indicators {
		inds = append(inds, c)
	}
	for c := range rd.regions {
		regs = append(regs, c)
	}
	for c := range rd.industries {
		ins = append(ins, c)
	}
	seenPer := map[string]bool{}
	for i := range facts {
		if p := facts[i].Period; !seenPer[p] {
			seenPer[p] = true
			pers = append(pers, p)
		}
	}
	indR, indS := ranks(inds)
	regR, regS := ranks(regs)
	insR, insS := ranks(ins)
	perR, perS := ranks(pers)
	// Sums are four integers per key, kept apart from the key's strings until the end:
	// growing a slice of full RollupDeltas (112 bytes each) for hundreds of thousands of
	// keys cost more than the summing. A file's facts land on about four roll-up rows
	// each, so that is the first guess of the capacity.
	index := make(map[rollupKey]int, 4*len(facts))
	keys := make([]rollupKey, 0, 4*len(facts))
	sums := make([][4]int64, 0, 4*len(facts))
	regionT := map[string][]int32{}
	industryA := map[string][]int32{}
	targets := func(cache map[string][]int32, rank map[string]int32, code string, f func(string) []string) []int32 {
		if v, ok := cache[code]; ok {
			return v
		}
		var out []int32
		for _, c := range f(code) {
			out = append(out, rank[c])
		}
		cache[code] = out
		return out
	}
	for i := range facts {
		f := &facts[i]
		ind := rd.indicators[f.Indicator]
		if ind.Aggregation != "sum" && ind.Aggregation != "average" {
			continue
		}
		var basis byte
		var regions, industries []int32
		switch {
		case f.EnterpriseID != 0:
			basis = 'e'
			regions = targets(regionT, regR, f.Region, rd.regionTargets)
			industries = targets(industryA, insR, f.Industry, rd.industryAncestors)
		case rd.regions[f.Region].Kind == "county":
			basis = 'r'
			regions = targets(regionT, regR, f.Region, rd.regionTargets)
			industries = []int32{insR[f.Industry]}
		default:
			continue
		}
		var d store.RollupDelta
		if f.PrevFactID != 0 {
			old := lk.cur[f.FactKey]
			d.Sum -= old.Value
			d.N--
			if old.Status == "approved" {
				d.ApprovedSum -= old.Value
				d.ApprovedN--
			}
		}
		d.Sum += f.Value
		d.N++
		if f.Status == "approved" {
			d.ApprovedSum += f.Value
			d.ApprovedN++
		}
		k := rollupKey{basis: basis, indicator: indR[f.Indicator], period: perR[f.Period]}
		for _, g := range regions {
			for _, n := range industries {
				k.region, k.industry = g, n
				j, ok := index[k]
				if !ok {
					j = len(sums)
					index[k] = j
					keys = append(keys, k)
					sums = append(sums, [4]int64{})
				}
				x := &sums[j]
				x[0] += d.Sum
				x[1] += d.N
				x[2] += d.ApprovedSum
				x[3] += d.ApprovedN
			}
		}
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := keys[a], keys[b]
		return cmp.Or(cmp.Compare(x.basis, y.basis), cmp.Compare(x.indicator, y.indicator), cmp.Compare(x.region, y.region),
			cmp.Compare(x.industry, y.industry), cmp.Compare(x.period, y.period))
	})
	ds := make([]store.RollupDelta, len(order))
	for i, j := range order {
		k := keys[j]
		x := sums[j]
		ds[i] = store.RollupDelta{Sum: x[0], N: x[1], ApprovedSum: x[2], ApprovedN: x[3]}
		ds[i].Basis, ds[i].Indicator, ds[i].Region, ds[i].Industry, ds[i].Period = string(k.basis), indS[k.indicator], regS[k.region], insS[k.industry], perS[k.period]
	}
	return tx.ApplyRollupsBulk(ctx, ds)
}

// parseValue is ParseValue with a fast path for the plain decimals nearly every cell
// holds ("1234", "-12.5"): integer arithmetic instead of big.Rat, exactly the same result.
// Anything else — separators, signs, exponents, overflow, more than six decimals — takes
// ParseValue's path, so its errors are the same too.
func parseValue(s, unit, target string) (Micro, error) {
	if v, ok := fastDecimal(s, unit, target); ok {
		return v, nil
	}
	return ParseValue(s, unit, target)
}

// fastScale is unitScale as integer fractions.
var fastScale = func() map[[2]string][2]uint64 {
	m := map[[2]string][2]uint64{}
	for k, r := range unitScale {
		if r.Num().IsUint64() && r.Denom().IsUint64() && r.Sign() > 0 {
			m[k] = [2]uint64{r.Num().Uint64(), r.Denom().Uint64()}
		}
	}
	return m
}()

var pow10 = [...]uint64{1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12}

func fastDecimal(s, unit, target string) (Micro, bool) {
	num, den := uint64(1), uint64(1)
	if unit != target {
		f, ok := fastScale[[2]string{unit, target}]
		if !ok {
			return 0, false
		}
		num, den = f[0], f[1]
	}
	neg := false
	i := 0
	if len(s) > 0 && s[0] == '-' {
		neg, i = true, 1
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 18 {
				return 0, false
			}
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || (dot && frac == 0) || frac > 12 {
		return 0, false
	}
	// value·1e6 = mant·num·10^(6−frac) / den
	hi, lo := bits.Mul64(mant, num)
	if hi != 0 {
		return 0, false
	}
	if frac <= 6 {
		hi, lo = bits.Mul64(lo, pow10[6-frac])
		if hi != 0 {
			return 0, false
		}
	} else {
		d2, o := bits.Mul64(den, pow10[frac-6])
		if d2 != 0 {
			return 0, false
		}
		den = o
	}
	if lo%den != 0 {
		return 0, false // more than six decimals: ParseValue says so
	}
	v := lo / den
	if v > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -Micro(v), true
	}
	return Micro(v), true
}

// templateNotes explains each column on the template's 说明 sheet, in Chinese and English.
var templateNotes = [nImportCols][2]string{
	{"必填。指标代码，见下方指标表。", "Required. The indicator code (see the table below)."},
	{"行政区代码（GB/T 2260）。填写企业统一社会信用代码时可留空，取企业所在地。", "Region code (GB/T 2260). May be left blank for an enterprise's row: its region is used."},
	{"必填。产业代码。", "Required. The industry code."},
	{"可选。企业的 18 位统一社会信用代码，校验位必须正确，企业须已登记。", "Optional. The enterprise's 18-character unified social credit code; its check character must be right and the enterprise registered."},
	{"必填。年度写 2012，季度写 2012Q3，月度写 2012-07，须与指标的报告频率一致。", "Required. 2012 for a year, 2012Q3 for a quarter, 2012-07 for a month, matching the indicator."},
	{"必填。数字，可带千分位逗号；不要填文字。", "Required. A number, thousands separators allowed; no text."},
	{"可留空（取指标单位）。万元、亿元等可换算单位会精确换算。", "May be blank (the indicator's unit). Convertible units such as 万元 and 亿元 convert exactly."},
	{"必填。数据来源，如统计公报、企业报表。", "Required. The source, e.g. a statistical bulletin or an enterprise report."},
	{"可留空（report）。可填 article、verified、derived、unverified、report、estimate。", "May be blank (report): article, verified, derived, unverified, report or estimate."},
	{"可选。原文摘录或备注。", "Optional. The quoted sentence or a note."},
	{"更正已报送或已审核数据时必填：更正原因。", "Required when correcting a submitted or approved value: why."},
	{"可选。按来源的写法：留空或“精确”“确数”为确数，“约”为近似数，“超”为下限（如“超100亿元”“60多家”），下限不用于计算增速。",
		"Optional. As the source writes it: blank, 精确 or 确数 (exact), 约 (about), 超 (over: a lower bound, e.g. “超100亿元”), which is never used for growth."},
}

// importQualifiers maps what a user may type in 数值说明 to the stored qualifier code
// (see Qualifiers): the Chinese words the template explains, and the codes themselves.
var importQualifiers = map[string]string{"": "", "精确": "", "确数": "", "约": "about", "超": "over", "about": "about", "over": "over"}

// WriteImportTemplate writes the import template: for "xlsx" a workbook whose 数据 sheet
// has the headers (code and period columns formatted as text, so that Excel keeps 2012-07
// and leading zeros as typed) and whose 说明 sheet explains each column and lists the
// indicators; for "csv" the header line in UTF-8 with a byte-order mark (Excel needs it).
func WriteImportTemplate(w io.Writer, format string, inds []store.Indicator) error {
	if format == "csv" {
		if _, err := io.WriteString(w, "\xEF\xBB\xBF"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.Write(ImportHeaders[:])
		cw.Flush()
		return cw.Error()
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", importSheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"#E8EEF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	for i, h := range ImportHeaders {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellValue(importSheet, col+"1", h); err != nil {
			return err
		}
		if i != colValue {
			if err := f.SetColStyle(importSheet, col, text); err != nil {
				return err
			}
		}
		width := 14.0
		if i == colUSCC || i == colNote || i == colSource {
			width = 24
		}
		f.SetColWidth(importSheet, col, col, width)
	}
	last, _ := excelize.ColumnNumberToName(nImportCols)
	if err := f.SetCellStyle(importSheet, "A1", last+"1", bold); err != nil {
		return err
	}
	f.SetPanes(importSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	const notes = "说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	rows := [][]any{{"列 / column", "说明", "Notes"}}
	for i, h := range ImportHeaders {
		rows = append(rows, []any{h, templateNotes[i][0], templateNotes[i][1]})
	}
	rows = append(rows, []any{}, []any{"指标代码", "指标名称", "Indicator", "单位 / unit", "可填单位 / units accepted", "报告频率 / period type"})
	for _, ind := range inds {
		rows = append(rows, []any{ind.Code, ind.NameZh, ind.NameEn, ind.Unit, strings.Join(ConvertibleUnits(ind.Unit), "、"), ind.PeriodType})
	}
	for i, r := range rows {
		if err := f.SetSheetRow(notes, "A"+strconv.Itoa(i+1), &r); err != nil {
			return err
		}
	}
	f.SetColWidth(notes, "A", "A", 22)
	f.SetColWidth(notes, "B", "C", 60)
	f.SetCellStyle(notes, "A1", "C1", bold)
	f.SetActiveSheet(0)
	return f.Write(w)
}
