package stats

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A streaming reader of one worksheet of an XLSX file, for imports. excelize's row iterator
// decodes the sheet with encoding/xml, one token and several allocations per element, and
// reads 15–23k rows/s on the reference machine; an import must read 100,000. The sheet of
// an import is a flat grid of <row>/<c>/<v> (or <is><t>) elements, so a scanner that looks
// only for those tags, over the inflated bytes, does the same job in a few passes of
// bytes.IndexByte. excelize still writes every workbook zhanxin produces, and the tests
// check this reader against files excelize writes.
//
// Cells come back as excelize's Rows.Columns(Options{RawCellValue: true}) gives them: shared
// and inline strings as their text, every other type as the raw <v> (numbers unformatted,
// so a display format never rounds a value).

// errBadXLSX is a file that is not a workbook this reader understands; the import reports
// it as import.err.xlsx.
var errBadXLSX = errors.New("not a readable XLSX workbook")

// xlsxMaxInflated caps the inflated size of the parts read, so that a small zip of a huge
// (or endless) XML part cannot exhaust memory: far above any sheet of 50 MB compressed.
const xlsxMaxInflated = 2 << 30

// xlsxMaxRows and xlsxMaxCols are Excel's own limits.
const (
	xlsxMaxRows = 1 << 20
	xlsxMaxCols = 1 << 14
)

// xlsxSheet streams the rows of one worksheet.
type xlsxSheet struct {
	sc     scanner
	closer io.Closer
	sst    []string
	row    int      // number of the current row
	cells  []string // the current row's cells, reused
	merged []string // merged ranges, known once every row is read
	// rowsHint is the last row of the sheet's declared used range (0: not declared),
	// known once the first row is read.
	rowsHint int
	inflated uint64 // the sheet part's declared inflated size
	lr       *limitedReader
	done     bool
	text     []byte // scratch for element text
}

// openXLSXSheet opens the sheet named want, or the first sheet when the workbook has none
// of that name.
func openXLSXSheet(r io.ReaderAt, size int64, want string) (*xlsxSheet, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errBadXLSX
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	readPart := func(name string) ([]byte, error) {
		f := files[name]
		if f == nil {
			return nil, nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil, errBadXLSX
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, xlsxMaxInflated+1))
		if err != nil || len(b) > xlsxMaxInflated {
			return nil, errBadXLSX
		}
		return b, nil
	}
	wb, err := readPart("xl/workbook.xml")
	if err != nil || wb == nil {
		return nil, errBadXLSX
	}
	rels, err := readPart("xl/_rels/workbook.xml.rels")
	if err != nil {
		return nil, err
	}
	// The sheet's relationship id, then its part name.
	var rid, firstRID string
	for _, tag := range sheetRE.FindAll(wb, -1) {
		a := xmlAttrs(tag)
		if firstRID == "" {
			firstRID = a["id"]
		}
		if unescapeXML(a["name"]) == want {
			rid = a["id"]
		}
	}
	if rid == "" {
		rid = firstRID
	}
	var target, sstTarget string
	for _, tag := range relRE.FindAll(rels, -1) {
		a := xmlAttrs(tag)
		if a["Id"] == rid {
			target = a["Target"]
		}
		if strings.HasSuffix(a["Type"], "/sharedStrings") {
			sstTarget = a["Target"]
		}
	}
	if target == "" {
		return nil, errBadXLSX
	}
	sheet := files[partName(target)]
	if sheet == nil {
		return nil, errBadXLSX
	}
	s := &xlsxSheet{}
	if sstTarget == "" {
		sstTarget = "sharedStrings.xml"
	}
	if b, err := readPart(partName(sstTarget)); err != nil {
		return nil, err
	} else if b != nil {
		if s.sst, err = parseSharedStrings(b); err != nil {
			return nil, err
		}
	}
	rc, err := sheet.Open()
	if err != nil {
		return nil, errBadXLSX
	}
	s.closer, s.inflated = rc, sheet.UncompressedSize64
	s.lr = &limitedReader{r: rc, n: xlsxMaxInflated}
	s.sc.br = bufio.NewReaderSize(s.lr, 1<<20)
	return s, nil
}

// partName resolves a relationship target, relative to xl/ or absolute, to a zip name.
func partName(target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Clean("xl/" + target)
}

func (s *xlsxSheet) Close() error { return s.closer.Close() }

// expectedRows estimates the rows of the whole sheet from how many bytes the rows read so
// far took: the declared used range when it is believable, else the sheet's inflated size
// at the rate so far.
func (s *xlsxSheet) expectedRows(read int) int {
	if s.rowsHint > 0 {
		return s.rowsHint
	}
	used := uint64(xlsxMaxInflated-s.lr.n) - uint64(s.sc.br.Buffered())
	if used == 0 || read == 0 {
		return 0
	}
	return int(min(s.inflated/used*uint64(read)*11/10, xlsxMaxRows))
}

// limitedReader fails, rather than ending quietly, once more than n bytes are read.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errBadXLSX
	}
	return n, err
}

var (
	sheetRE = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?sheet\s[^>]*>`)
	relRE   = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?Relationship\s[^>]*>`)
	attrRE  = regexp.MustCompile(`([A-Za-z0-9_:]+)\s*=\s*"([^"]*)"`)
)

// xmlAttrs reads a start tag's attributes, under their full and their local names.
func xmlAttrs(tag []byte) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllSubmatch(tag, -1) {
		k, v := string(a[1]), string(a[2])
		m[k] = v
		if _, local, ok := strings.Cut(k, ":"); ok {
			m[local] = v
		}
	}
	return m
}

func unescapeXML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	b, _ := appendText(nil, []byte(s))
	return string(b)
}

// tagName is the local name of a tag's bytes (after '<', before '>') and whether it is an
// end tag.
func tagName(tag []byte) (name []byte, closing bool) {
	if len(tag) > 0 && tag[0] == '/' {
		tag, closing = tag[1:], true
	}
	end := 0
	for end < len(tag) && tag[end] != ' ' && tag[end] != '\t' && tag[end] != '\n' && tag[end] != '\r' && tag[end] != '/' {
		end++
	}
	name = tag[:end]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name, closing
}

// attr finds the value of attribute key (unprefixed) in a tag's bytes.
func attr(tag []byte, key string) ([]byte, bool) {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(key))
		if j < 0 {
			return nil, false
		}
		j += i
		k := j + len(key)
		before := j == 0 || tag[j-1] == ' ' || tag[j-1] == '\t' || tag[j-1] == '\n' || tag[j-1] == '\r'
		for k < len(tag) && (tag[k] == ' ' || tag[k] == '\t') {
			k++
		}
		if before && k+1 < len(tag) && tag[k] == '=' {
			k++
			for k < len(tag) && (tag[k] == ' ' || tag[k] == '\t') {
				k++
			}
			if k < len(tag) && (tag[k] == '"' || tag[k] == '\'') {
				q := tag[k]
				end := bytes.IndexByte(tag[k+1:], q)
				if end < 0 {
					return nil, false
				}
				return tag[k+1 : k+1+end], true
			}
		}
		i = j + len(key)
	}
}

// scanner steps through XML as text and tags.
type scanner struct {
	br  *bufio.Reader
	tag []byte // the last tag, without '<' and '>'
}

// next reads up to and including the next tag, appending the text before it to text
// when text is not nil. It returns io.EOF at the end.
func (sc *scanner) next(text *[]byte) error {
	for {
		chunk, err := sc.br.ReadSlice('<')
		if text != nil {
			*text = append(*text, chunk...)
		}
		if err == nil {
			if text != nil {
				*text = (*text)[:len(*text)-1]
			}
			break
		}
		if err != bufio.ErrBufferFull {
			return err
		}
	}
	sc.tag = sc.tag[:0]
	for {
		chunk, err := sc.br.ReadSlice('>')
		sc.tag = append(sc.tag, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return errBadXLSX
		}
		// A '>' inside a quoted attribute value does not end the tag.
		if bytes.Count(sc.tag, []byte{'"'})%2 == 0 {
			break
		}
	}
	sc.tag = sc.tag[:len(sc.tag)-1]
	if bytes.HasPrefix(sc.tag, []byte("!--")) {
		for !bytes.HasSuffix(sc.tag, []byte("--")) {
			chunk, err := sc.br.ReadSlice('>')
			if err != nil && err != bufio.ErrBufferFull {
				return errBadXLSX
			}
			sc.tag = append(sc.tag, chunk...)
			sc.tag = bytes.TrimSuffix(sc.tag, []byte(">"))
		}
	}
	return nil
}

// selfClosing reports whether the last tag is <x/>.
func (sc *scanner) selfClosing() bool { return len(sc.tag) > 0 && sc.tag[len(sc.tag)-1] == '/' }

// parseSharedStrings reads the shared strings table: each <si>'s text is its <t>, or the
// <t>s of its rich-text runs joined; phonetic guides (<rPh>) are not part of it.
func parseSharedStrings(b []byte) ([]string, error) {
	sc := &scanner{br: bufio.NewReaderSize(bytes.NewReader(b), 1<<16)}
	var out []string
	var cur, text []byte
	inSI, inT, inPh := false, false, false
	for {
		var tp *[]byte
		if inT {
			text = text[:0]
			tp = &text
		}
		err := sc.next(tp)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, errBadXLSX
		}
		if inT {
			if !inPh {
				if cur, err = appendText(cur, text); err != nil {
					return nil, err
				}
			}
			inT = false
		}
		name, closing := tagName(sc.tag)
		switch {
		case string(name) == "si" && !closing:
			if sc.selfClosing() {
				out = append(out, "")
				continue
			}
			inSI, cur = true, cur[:0]
		case string(name) == "si":
			if inSI {
				out = append(out, unescapeBSTR(string(cur)))
			}
			inSI = false
		case string(name) == "t" && !closing:
			inT = inSI && !sc.selfClosing()
		case string(name) == "rPh":
			inPh = !closing && !sc.selfClosing()
		}
	}
}

// next reads the next row that has a <row> element; it returns io.EOF after the last.
// The cells slice is reused by the following call.
func (s *xlsxSheet) next() (int, []string, error) {
	if s.done {
		return 0, nil, io.EOF
	}
	sc := &s.sc
	inRow := false
	col := -1
	var cellType []byte
	var typeBuf [16]byte
	for {
		err := sc.next(nil)
		if err == io.EOF {
			s.done = true
			if inRow {
				return s.row, s.cells, nil
			}
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, errBadXLSX
		}
		name, closing := tagName(sc.tag)
		if closing {
			if string(name) == "row" {
				return s.row, s.cells, nil
			}
			continue
		}
		switch string(name) {
		case "row":
			n := s.row + 1
			if r, ok := attr(sc.tag, "r"); ok {
				v, err := strconv.Atoi(string(r))
				if err != nil || v < 1 {
					return 0, nil, errBadXLSX
				}
				n = v
			}
			if n > xlsxMaxRows || n <= s.row {
				return 0, nil, errBadXLSX
			}
			s.row, s.cells, col = n, s.cells[:0], -1
			if sc.selfClosing() {
				return s.row, s.cells, nil
			}
			inRow = true
		case "c":
			if !inRow {
				return 0, nil, errBadXLSX
			}
			col++
			if r, ok := attr(sc.tag, "r"); ok {
				c := 0
				for _, ch := range r {
					if ch < 'A' || ch > 'Z' || c > xlsxMaxCols {
						break
					}
					c = c*26 + int(ch-'A'+1)
				}
				if c == 0 || c > xlsxMaxCols {
					return 0, nil, errBadXLSX
				}
				col = c - 1
			}
			if col >= xlsxMaxCols {
				return 0, nil, errBadXLSX
			}
			cellType = typeBuf[:0]
			if t, ok := attr(sc.tag, "t"); ok {
				cellType = append(cellType, t...)
			}
			if sc.selfClosing() {
				continue
			}
			v, err := s.cellValue(sc, cellType)
			if err != nil {
				return 0, nil, err
			}
			for len(s.cells) <= col {
				s.cells = append(s.cells, "")
			}
			s.cells[col] = v
		case "dimension":
			// The used range, e.g. A1:K500001: how many rows to expect, so that the rows
			// are held in one allocation instead of a slice grown and copied as it fills.
			if ref, ok := attr(sc.tag, "ref"); ok {
				if _, last, ok := bytes.Cut(ref, []byte(":")); ok {
					i := bytes.IndexAny(last, "0123456789")
					// A row takes at least ten bytes of XML: a range larger than the sheet
					// could hold is not believed.
					if n, ok := atoi(last[max(i, 0):]); ok && i >= 0 && n <= xlsxMaxRows && uint64(n) <= s.inflated/10 {
						s.rowsHint = n
					}
				}
			}
		case "mergeCell":
			if ref, ok := attr(sc.tag, "ref"); ok {
				s.merged = append(s.merged, string(ref))
			}
		}
	}
}

// cellValue reads a cell's content up to its </c> and returns its value.
func (s *xlsxSheet) cellValue(sc *scanner, typ []byte) (string, error) {
	var val string
	inPh := false
	var isText []byte // the inline string's text; nil when the cell has none
	for {
		if err := sc.next(nil); err != nil {
			return "", errBadXLSX
		}
		name, closing := tagName(sc.tag)
		switch {
		case string(name) == "c" && closing:
			if isText != nil && string(typ) == "inlineStr" {
				return unescapeBSTR(string(isText)), nil
			}
			return val, nil
		case string(name) == "v" && !closing:
			if sc.selfClosing() {
				continue
			}
			s.text = s.text[:0]
			if err := sc.next(&s.text); err != nil {
				return "", errBadXLSX
			}
			if string(typ) == "s" {
				i, ok := atoi(bytes.TrimSpace(s.text))
				if !ok || i >= len(s.sst) {
					return "", errBadXLSX
				}
				val = s.sst[i]
				continue
			}
			if bytes.IndexByte(s.text, '&') < 0 {
				val = string(s.text)
				continue
			}
			raw, err := appendText(nil, s.text)
			if err != nil {
				return "", err
			}
			val = string(raw)
		case string(name) == "is" && !closing:
			if isText == nil {
				isText = []byte{}
			}
		case string(name) == "rPh":
			inPh = !closing && !sc.selfClosing()
		case string(name) == "t" && !closing:
			if sc.selfClosing() || inPh {
				continue
			}
			s.text = s.text[:0]
			if err := sc.next(&s.text); err != nil {
				return "", errBadXLSX
			}
			var err error
			if isText, err = appendText(isText, s.text); err != nil {
				return "", err
			}
		}
	}
}

// atoi reads a non-negative decimal integer.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// appendText appends XML character data with its entity and character references resolved.
func appendText(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...), nil
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		end := bytes.IndexByte(b, ';')
		if end < 0 {
			return nil, errBadXLSX
		}
		ref := string(b[1:end])
		b = b[end+1:]
		switch ref {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if !strings.HasPrefix(ref, "#") {
				return nil, errBadXLSX
			}
			var n uint64
			var err error
			if strings.HasPrefix(ref, "#x") || strings.HasPrefix(ref, "#X") {
				n, err = strconv.ParseUint(ref[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ref[1:], 10, 32)
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return nil, errBadXLSX
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}

var bstrRE = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// unescapeBSTR resolves the _xHHHH_ escapes Excel writes in strings for characters XML
// cannot hold (e.g. _x000D_), as excelize does when reading.
func unescapeBSTR(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return bstrRE.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 32)
		return string(rune(n))
	})
}
