package stats

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The sheet reader is checked against excelize: for workbooks excelize writes (with its
// ordinary API, which uses the shared strings table, and with its stream writer, which
// writes strings inline), every row must come back exactly as excelize's own row iterator
// returns it with raw cell values.

// excelizeRows reads a sheet with excelize's row iterator, as the import did before.
func excelizeRows(t *testing.T, b []byte, sheet string) map[int][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if cells = trimEmpty(cells); len(cells) > 0 {
			out[line] = cells
		}
	}
	return out
}

// readerRows reads a sheet with the streaming reader.
func readerRows(t *testing.T, b []byte, sheet string) (map[int][]string, []string) {
	t.Helper()
	sh, err := openXLSXSheet(bytes.NewReader(b), int64(len(b)), sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	out := map[int][]string{}
	for {
		line, cells, err := sh.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("row after %d: %v", line, err)
		}
		if _, dup := out[line]; dup {
			t.Fatalf("row %d read twice", line)
		}
		if cells = trimEmpty(slices.Clone(cells)); len(cells) > 0 {
			out[line] = cells
		}
	}
	return out, sh.merged
}

func trimEmpty(cells []string) []string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

func sameRows(t *testing.T, want, got map[int][]string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("excelize read no rows: the test workbook is wrong")
	}
	for line, w := range want {
		if g := got[line]; !slices.Equal(w, g) {
			t.Errorf("row %d: reader %q, excelize %q", line, g, w)
		}
	}
	for line, g := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("row %d: reader %q, excelize has no such row", line, g)
		}
	}
}

// awkwardValues are cell values that exercise escaping and encoding.
var awkwardValues = []any{
	"SYN01", "360702", "赣州市章贡区", "2012-07", "2012Q3", "2012", "<&>\"'", "a & b < c", "  leading and trailing  ",
	"line\nbreak", "tab\there", "_x0041_ stays literal", "emoji 🚗 and 稀土", "", "=not a formula", "0012",
	12, -3, 74.59, 166.29, 0.30000000000000004, 1e21, 1234567890.123456, int64(9007199254740993), true, false,
}

func TestXLSXReaderAgreesWithExcelizeSharedStrings(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "说明")
	if _, err := f.NewSheet(importSheet); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("说明", "A1", "not this sheet")
	r := rand.New(rand.NewPCG(3, 4))
	// Gaps: rows 1–40 with every fifth row missing, cells scattered over A–M with holes.
	for row := 1; row <= 40; row++ {
		if row%5 == 0 {
			continue
		}
		for col := 1; col <= 13; col++ {
			if r.IntN(4) == 0 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(col, row)
			if err := f.SetCellValue(importSheet, cell, awkwardValues[r.IntN(len(awkwardValues))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A date cell (a serial number with a date format) and rich text (runs in the shared
	// strings table).
	if err := f.SetCellValue(importSheet, "B41", time.Date(2012, 7, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellRichText(importSheet, "C41", []excelize.RichTextRun{{Text: "稀土"}, {Text: "永磁 & more", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula(importSheet, "D41", "1+1"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unzipPart(t, buf.Bytes(), "xl/worksheets/sheet2.xml"), []byte(`t="s"`)) {
		t.Fatal("the workbook has no shared-string cells: the test does not test them")
	}
	got, merged := readerRows(t, buf.Bytes(), importSheet)
	sameRows(t, excelizeRows(t, buf.Bytes(), importSheet), got)
	if got[41][2] != "稀土永磁 & more" || len(merged) != 0 {
		t.Errorf("rich text %q, merged %v", got[41][2], merged)
	}
}

func TestXLSXReaderAgreesWithExcelizeStreamWriter(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for row := 1; row <= 2000; row += 1 + r.IntN(2) {
		vals := make([]any, 11)
		for i := range vals {
			switch r.IntN(6) {
			case 0:
				vals[i] = nil // an empty cell
			case 1:
				vals[i] = []excelize.RichTextRun{{Text: "inline "}, {Text: fmt.Sprint(row, "<>&")}}
			default:
				vals[i] = awkwardValues[r.IntN(len(awkwardValues))]
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sheet := unzipPart(t, buf.Bytes(), "xl/worksheets/sheet1.xml")
	if !bytes.Contains(sheet, []byte(`t="inlineStr"`)) {
		t.Fatal("the stream writer wrote no inline strings: the test does not test them")
	}
	// No sheet named 数据: the first sheet is read.
	got, _ := readerRows(t, buf.Bytes(), importSheet)
	sameRows(t, excelizeRows(t, buf.Bytes(), "Sheet1"), got)
}

func TestXLSXReaderListsMergedCells(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for i, h := range ImportHeaders {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue("Sheet1", cell, h)
	}
	f.SetCellValue("Sheet1", "A2", "SYN01")
	for _, m := range [][2]string{{"F1", "G1"}, {"A3", "A5"}} {
		if err := f.MergeCell("Sheet1", m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, merged := readerRows(t, buf.Bytes(), importSheet)
	slices.Sort(merged)
	if !slices.Equal(merged, []string{"A3:A5", "F1:G1"}) {
		t.Fatalf("merged %v, want A3:A5 and F1:G1", merged)
	}
}

func TestXLSXReaderRefusesWhatIsNotAWorkbook(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("hello.txt")
	io.WriteString(w, "not a workbook")
	zw.Close()
	// A real workbook whose sheet XML is cut off in the middle of a row.
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "指标代码")
	f.SetCellValue("Sheet1", "A2", "SYN01")
	var good bytes.Buffer
	f.Write(&good)
	f.Close()
	cut := rezip(t, good.Bytes(), "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		i := bytes.Index(b, []byte(`<row r="2"`))
		return b[:i+20]
	})
	badIndex := rezip(t, good.Bytes(), "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`<v>1</v>`), []byte(`<v>99</v>`), 1) // no shared string 99
	})
	for name, b := range map[string][]byte{"not a zip": []byte("PK\x03\x04 but nothing else"), "zip without workbook": zipped.Bytes()} {
		if _, err := openXLSXSheet(bytes.NewReader(b), int64(len(b)), importSheet); !errors.Is(err, errBadXLSX) {
			t.Errorf("%s: %v, want errBadXLSX", name, err)
		}
	}
	for name, b := range map[string][]byte{"cut sheet": cut, "shared string out of range": badIndex} {
		sh, err := openXLSXSheet(bytes.NewReader(b), int64(len(b)), importSheet)
		if err != nil {
			t.Fatalf("%s: open: %v", name, err)
		}
		for err == nil {
			_, _, err = sh.next()
		}
		if !errors.Is(err, errBadXLSX) {
			t.Errorf("%s: %v, want errBadXLSX", name, err)
		}
		sh.Close()
	}
}

func unzipPart(t *testing.T, b []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			defer rc.Close()
			out, _ := io.ReadAll(rc)
			return out
		}
	}
	t.Fatalf("no %s in the workbook", name)
	return nil
}

// rezip copies a workbook with one part changed by edit.
func rezip(t *testing.T, b []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		content, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			content = edit(content)
		}
		w, _ := zw.Create(f.Name)
		w.Write(content)
	}
	zw.Close()
	if !strings.HasPrefix(out.String(), "PK") {
		t.Fatal("rezip wrote no zip")
	}
	return out.Bytes()
}

// BenchmarkXLSXRead: the read phase of an XLSX import (hashing, the sheet reader, cell
// clean-up and row assembly) against excelize's row iterator reading the same workbook,
// 100,000 rows in the template's layout.
//
//	go test ./internal/stats -run '^$' -bench XLSXRead
func BenchmarkXLSXRead(b *testing.B) {
	const rows = 100_000
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", importSheet)
	sw, err := f.NewStreamWriter(importSheet)
	if err != nil {
		b.Fatal(err)
	}
	hdr := make([]any, len(ImportHeaders))
	for i, h := range ImportHeaders {
		hdr[i] = h
	}
	sw.SetRow("A1", hdr)
	for i := 2; i <= rows+1; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, []any{"SYN01", fmt.Sprintf("Z%05d", i%3000), "SYN-I042", "", "2015-03",
			float64(i%100000) / 100, "万元", "合成数据 / synthetic", "report", "", ""}); err != nil {
			b.Fatal(err)
		}
	}
	sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	var ours, theirs time.Duration
	for range b.N {
		start := time.Now()
		pf, err := readImport(ImportSource{Name: "b.xlsx", R: bytes.NewReader(data), Size: int64(len(data))}, ImportOptions{})
		if err != nil || len(pf.rows) != rows || len(pf.fileErr) > 0 {
			b.Fatalf("read %d rows, %v %v", len(pf.rows), pf.fileErr, err)
		}
		ours += time.Since(start)
		start = time.Now()
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		it, _ := x.Rows(importSheet)
		n := 0
		for it.Next() {
			if _, err := it.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			n++
		}
		x.Close()
		theirs += time.Since(start)
		if n != rows+1 {
			b.Fatalf("excelize read %d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/ours.Seconds(), "rows/s")
	b.ReportMetric(float64(rows*b.N)/theirs.Seconds(), "excelize_rows/s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "ratio")
}
