// Package export writes a table to XLSX (with excelize's streaming writer, so large tables
// do not sit in memory) or to CSV (UTF-8 with a byte-order mark, which Excel needs to read
// Chinese text correctly).
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Format is an export file format.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat returns the format named by s; ok is false for anything else.
func ParseFormat(s string) (Format, bool) {
	switch Format(s) {
	case XLSX, CSV:
		return Format(s), true
	}
	return "", false
}

// Table is what gets exported: a title (the sheet name), headers, rows of cells. Cells are
// strings, integers, floats or times; numbers stay numbers in Excel.
type Table struct {
	Title   string
	Headers []string
	Rows    [][]any
}

// Write writes t in format f to w.
func Write(w io.Writer, f Format, t Table) error {
	if f == CSV {
		return writeCSV(w, t)
	}
	return writeXLSX(w, t)
}

func writeCSV(w io.Writer, t Table) error {
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Headers); err != nil {
		return err
	}
	rec := make([]string, len(t.Headers))
	for _, row := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = cellString(row[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64) // never 1e-06 in a spreadsheet
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	default:
		return fmt.Sprint(x)
	}
}

func writeXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.Title
	if sheet == "" {
		sheet = "Sheet1"
	}
	if len([]rune(sheet)) > 31 { // Excel's limit on sheet names
		sheet = string([]rune(sheet)[:31])
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head := make([]any, len(t.Headers))
	for i, h := range t.Headers {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range t.Rows {
		cells := make([]any, len(row))
		for i, v := range row {
			if tm, ok := v.(time.Time); ok {
				cells[i] = cellString(tm) // a plain text timestamp reads the same in every locale
				continue
			}
			cells[i] = v
		}
		addr, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(addr, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// Serve writes t as a download named base.<format>, with a UTF-8 file name for Chinese.
func Serve(w http.ResponseWriter, f Format, base string, t Table) error {
	name := base + "." + string(f)
	ctype := "text/csv; charset=utf-8"
	if f == XLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename=\"export."+string(f)+"\"; filename*=UTF-8''"+url.PathEscape(name))
	return Write(w, f, t)
}
