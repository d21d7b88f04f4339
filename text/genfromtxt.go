package text

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/misuse"
	"github.com/go-memmap/memmap/internal/pyrepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// GenResult is what Genfromtxt returns: the data as np.genfromtxt returns
// it, as an in-memory .npy File, and with WithUseMask its mask, a File of
// the same shape whose items are true where a value was missing (bool, or
// a structured dtype of one bool field per field when the data is
// structured, as a MaskedArray's mask).
type GenResult struct {
	Data *mmarray.File
	Mask *mmarray.File // nil without WithUseMask
}

// GenfromtxtFile is Genfromtxt for the file at path, through gzip when its
// name ends in .gz. Errors name the file.
func GenfromtxtFile(path string, opts ...GenOption) (GenResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return GenResult{}, err
	}
	defer f.Close()
	r, closeGzip, err := gunzipped(f, path)
	if err != nil {
		return GenResult{}, fmt.Errorf("genfromtxt %s: %w", path, err)
	}
	defer closeGzip()
	res, err := genfromtxt(r, path, opts)
	if err != nil {
		return res, fmt.Errorf("genfromtxt %s: %w", path, err)
	}
	return res, nil
}

// Genfromtxt reads text as NumPy 1.24's np.genfromtxt does, with the
// options named after its keywords, and returns the result in memory (it
// needs every row before it knows the dtype, and np.genfromtxt holds them
// all too). Values are parsed with Python's int(), float() and complex()
// syntaxes, as np.genfromtxt parses them (not np.loadtxt's: "1_000" and
// "1+2J" are numbers here); a value that does not parse takes its column's
// filling value, as in NumPy. Rows are split as np.genfromtxt splits them:
// the text from the comment marker on is dropped, spaces and line ends
// are stripped from the line, and the rest is split at the delimiter, or
// at runs of white space by default; a line left empty is skipped.
//
// The options shared with Load are WithDelimiter, WithComments (one
// marker at most; several panic), WithMaxRows, WithDType (default
// float64), WithEncoding and WithNdmin.
func Genfromtxt(r io.Reader, opts ...GenOption) (GenResult, error) {
	return genfromtxt(r, "genfromtxt", opts)
}

// genKind is the type of a column's values before they are stored.
type genKind int

const (
	genBool genKind = iota
	genInt
	genFloat
	genComplex
	genStr   // U<n>
	genBytes // S<n>
)

// genColumn is how a column is converted and stored.
type genColumn struct {
	kind    genKind
	dt      npyheader.DType // the item's dtype; ItemSize 0 until sized
	checked bool            // NumPy's StringConverter._checked
	fill    genValue
}

// genValue is one converted value.
type genValue struct {
	b bool
	i int64
	f float64
	c complex128
	s string
}

func genfromtxt(r io.Reader, name string, opts []GenOption) (GenResult, error) {
	o := genOptions{loadOptions: defaultLoadOptions()}
	for _, opt := range opts {
		opt.applyGen(&o)
	}
	if len(o.comments) > 1 {
		misuse.Panicf("text: genfromtxt takes one comment marker, not %d", len(o.comments))
	}
	if o.maxRows > 0 && o.skipFooter > 0 {
		misuse.Panicf("text: skip_footer and max_rows cannot be used together, as in NumPy")
	}
	lines, err := readLines(r, &o.loadOptions)
	if err != nil {
		return GenResult{}, err
	}
	comment := ""
	if len(o.comments) == 1 {
		comment = o.comments[0]
	}
	split := func(line string) []string {
		if comment != "" {
			line, _, _ = strings.Cut(line, comment)
		}
		line = strings.Trim(line, " \r\n")
		if line == "" {
			return nil
		}
		var values []string
		if o.delimiter < 0 {
			values = strings.FieldsFunc(line, isPySpace)
		} else {
			values = strings.Split(line, string(rune(o.delimiter)))
		}
		if o.autostrip {
			for i, v := range values {
				values[i] = pyStrip(v)
			}
		}
		return values
	}

	// The first line that is not blank gives the number of columns, and
	// with names=True the names.
	lines = lines[min(o.skipHeader, len(lines)):]
	firstIdx := -1
	var first []string
	for k, line := range lines {
		if o.names && comment != "" && strings.Contains(line, comment) {
			line = strings.Join(strings.Split(line, comment)[1:], "")
		}
		if first = split(line); len(first) > 0 {
			firstIdx = k
			break
		}
	}
	var names []string
	if o.names {
		if len(first) == 0 {
			return GenResult{}, fmt.Errorf("no line to take the names from: %w", ErrColumns)
		}
		if comment != "" && strings.Contains(comment, pyStrip(first[0])) {
			first = first[1:]
		}
		stripped := make([]string, len(first))
		for i, v := range first {
			stripped[i] = pyStrip(v)
		}
		names = validateNames(stripped)
	}
	nbcols := len(first)

	// Rows, and the rows with the wrong number of columns, numbered as
	// NumPy numbers them for skip_footer.
	type invalidRow struct{ npIndex, line, got int }
	var rows [][]string
	var rowLines []int
	var invalid []invalidRow
	for i := 0; firstIdx >= 0 && firstIdx+i < len(lines); i++ {
		line := lines[firstIdx+i]
		if i == 0 && o.names {
			line = ""
		}
		values := split(line)
		if len(values) == 0 {
			continue
		}
		lineNo := o.skipHeader + firstIdx + i + 1
		if len(values) != nbcols {
			invalid = append(invalid, invalidRow{i + o.skipHeader + 1, lineNo, len(values)})
			continue
		}
		rows = append(rows, values)
		rowLines = append(rowLines, lineNo)
		if o.maxRows > 0 && int64(len(rows)) == o.maxRows {
			break
		}
	}
	missing := append([]string{""}, o.missing...)
	isMissing := func(v string) bool { return slices.Contains(missing, pyStrip(v)) }

	cols, err := genColumns(&o, nbcols, rows, isMissing)
	if err != nil {
		return GenResult{}, err
	}

	skipFooter := o.skipFooter
	if nbinvalid := len(invalid); nbinvalid > 0 {
		nbrows := len(rows) + nbinvalid - skipFooter
		if skipFooter > 0 {
			skipped := 0
			for _, inv := range invalid {
				if inv.npIndex > nbrows+o.skipHeader {
					skipped++
				}
			}
			invalid = invalid[:nbinvalid-skipped]
			skipFooter -= skipped
		}
		if len(invalid) > 0 && !o.noInvalidRaise {
			inv := invalid[0]
			return GenResult{}, fmt.Errorf("line %d: got %d columns instead of %d: %w", inv.line, inv.got, nbcols, ErrColumns)
		}
	}
	if skipFooter > 0 {
		n := max(len(rows)-skipFooter, 0)
		rows, rowLines = rows[:n], rowLines[:n]
	}

	// Values, with NumPy's loose conversion: what does not parse is filled.
	values := make([][]genValue, len(rows))
	for ri, row := range rows {
		values[ri] = make([]genValue, nbcols)
		for ci, v := range row {
			val, err := convertLoose(&cols[ci], v)
			if err != nil {
				return GenResult{}, fmt.Errorf("line %d, column %d: %w", rowLines[ri], ci+1, err)
			}
			values[ri][ci] = val
		}
	}

	dt, structured, err := genDType(&o, cols, names, values)
	if err != nil {
		return GenResult{}, err
	}
	shape := []int{len(rows)}
	if !structured && len(rows) > 0 {
		shape = append(shape, nbcols)
	}
	shape = ndminShape(shape, o.ndmin)
	// The records are made after their header, in the image the File
	// holds: the result is not copied once more.
	hdr, err := encodeHeader(name, dt, shape)
	if err != nil {
		return GenResult{}, err
	}
	image, err := genRecords(len(hdr), dt, structured, cols, values)
	if err != nil {
		return GenResult{}, err
	}
	copy(image, hdr)
	var res GenResult
	if res.Data, err = openImage(name, image); err != nil {
		return GenResult{}, err
	}
	if o.usemask {
		mdt := npyheader.DType{Kind: npyheader.Bool, Order: '|', ItemSize: 1}
		if structured {
			mdt = boolFields(dt)
		}
		hdr, err := encodeHeader(name+" mask", mdt, shape)
		if err != nil {
			res.Data.Close()
			return GenResult{}, err
		}
		mask := make([]byte, len(hdr), len(hdr)+len(rows)*nbcols)
		copy(mask, hdr)
		for _, row := range rows {
			for _, v := range row {
				mask = append(mask, boolByte(isMissing(v)))
			}
		}
		if structured {
			markMissingValues(mask[len(hdr):], cols, values, o.missing)
		}
		if res.Mask, err = openImage(name+" mask", mask); err != nil {
			res.Data.Close()
			return GenResult{}, err
		}
	}
	return res, nil
}

// readLines reads the whole input, decodes it and splits it into lines at
// \n, \r\n and \r, as Python's universal newlines do.
func readLines(r io.Reader, o *loadOptions) ([]string, error) {
	if o.encoding == encodingLatin1 {
		r = &latin1Reader{r: r}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if o.encoding == encodingUTF8Sig {
		raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
	}
	if o.encoding != encodingLatin1 && !utf8.Valid(raw) {
		bad := firstInvalidUTF8(raw)
		return nil, fmt.Errorf("line %d: byte %#x is not UTF-8: %w", 1+lineEnds(raw[:bad]), raw[bad], ErrEncoding)
	}
	text := string(raw)
	var lines []string
	for text != "" {
		k := strings.IndexAny(text, "\r\n")
		if k < 0 {
			lines = append(lines, text)
			break
		}
		lines = append(lines, text[:k])
		if text[k] == '\r' && k+1 < len(text) && text[k+1] == '\n' {
			k++
		}
		text = text[k+1:]
	}
	return lines, nil
}

// validateNames is NumPy's NameValidator with its defaults.
func validateNames(names []string) []string {
	const deleteChars = "~!@#$%^&*()-=+\\|]}[{';: /?.>,<\""
	out := make([]string, 0, len(names))
	seen := map[string]int{}
	nbempty := 0
	for _, item := range names {
		item = strings.ReplaceAll(pyStrip(item), " ", "_")
		item = strings.Map(func(r rune) rune {
			if strings.ContainsRune(deleteChars, r) {
				return -1
			}
			return r
		}, item)
		switch {
		case item == "":
			item = fmt.Sprintf("f%d", nbempty)
			for slices.Contains(names, item) {
				nbempty++
				item = fmt.Sprintf("f%d", nbempty)
			}
			nbempty++
		case item == "return" || item == "file" || item == "print":
			item += "_"
		}
		if cnt := seen[item]; cnt > 0 {
			out = append(out, fmt.Sprintf("%s_%d", item, cnt))
		} else {
			out = append(out, item)
		}
		seen[item]++
	}
	return out
}

// genColumns lays out the columns: from the dtype given, or inferred from
// the values as NumPy's StringConverter upgrades them.
func genColumns(o *genOptions, nbcols int, rows [][]string, isMissing func(string) bool) ([]genColumn, error) {
	cols := make([]genColumn, nbcols)
	if o.infer {
		for c := range cols {
			kind, err := inferKind(rows, c, isMissing)
			if err != nil {
				return nil, err
			}
			anyMissing := false
			if kind == genBool {
				for _, row := range rows {
					if _, ok := pyBool(row[c]); !ok {
						anyMissing = true // a missing value: others parse
					}
				}
			}
			cols[c] = genColumn{kind: kind, checked: !anyMissing}
		}
	} else {
		dt := o.dtype
		if !o.hasDType {
			dt = npyheader.DType{Kind: npyheader.Float, Order: npyheader.NativeOrder(), ItemSize: 8}
		}
		if dt.Structured() {
			if len(dt.Fields) != nbcols {
				return nil, fmt.Errorf("the dtype has %d fields for %d columns: %w", len(dt.Fields), nbcols, ErrColumns)
			}
			for c, f := range dt.Fields {
				if len(f.Shape) > 0 {
					return nil, fmt.Errorf("field %q: subarray fields: %w", f.Name, memmap.ErrUnsupported)
				}
				k, err := genKindOf(f.Type)
				if err != nil {
					return nil, fmt.Errorf("field %q: %w", f.Name, err)
				}
				cols[c] = genColumn{kind: k, dt: f.Type, checked: true}
			}
		} else {
			k, err := genKindOf(dt)
			if err != nil {
				return nil, err
			}
			for c := range cols {
				cols[c] = genColumn{kind: k, dt: dt, checked: true}
			}
		}
	}
	for c := range cols {
		col := &cols[c]
		col.fill = defaultFill(col.kind)
		if n := len(o.filling); n > 0 && (n == 1 || c < n) {
			text := o.filling[0]
			if n > 1 {
				text = o.filling[c]
			}
			v, ok := strictParse(col.kind, text)
			if !ok {
				return nil, fmt.Errorf("filling value %s of column %d is not of its type: %w", pyrepr.Str(text), c+1, ErrSyntax)
			}
			col.fill = v
		}
	}
	return cols, nil
}

// inferKind upgrades column c through bool, int64, float64, complex128,
// longdouble and text until every value parses or is missing, as NumPy's
// StringConverter.iterupgrade does.
func inferKind(rows [][]string, c int, isMissing func(string) bool) (genKind, error) {
	all := func(parses func(string) bool) bool {
		for _, row := range rows {
			if !parses(row[c]) && !isMissing(row[c]) {
				return false
			}
		}
		return true
	}
	for kind := genBool; kind < genStr; kind++ {
		if all(func(v string) bool { _, ok := strictParse(kind, v); return ok }) {
			return kind, nil
		}
	}
	if all(strtoldOK) {
		return 0, fmt.Errorf("column %d: the values would make a longdouble column: %w", c+1, memmap.ErrUnsupported)
	}
	return genStr, nil
}

// genKindOf is the kind that a dtype given to Genfromtxt converts with.
func genKindOf(dt npyheader.DType) (genKind, error) {
	if _, err := columnOf(dt); err != nil {
		return 0, err
	}
	switch dt.Kind {
	case npyheader.Bool:
		return genBool, nil
	case npyheader.Int, npyheader.Uint:
		return genInt, nil
	case npyheader.Float:
		return genFloat, nil
	case npyheader.Complex:
		return genComplex, nil
	case npyheader.Unicode:
		return genStr, nil
	}
	return genBytes, nil
}

func defaultFill(k genKind) genValue {
	switch k {
	case genInt:
		return genValue{i: -1}
	case genFloat:
		return genValue{f: pyNaN}
	case genComplex:
		return genValue{c: complex(pyNaN, 0)}
	case genBytes:
		return genValue{s: "???"}
	}
	return genValue{}
}

// strictParse converts v with the function of kind, as
// StringConverter._strict_call does (an int must also fit an int64).
func strictParse(k genKind, v string) (genValue, bool) {
	switch k {
	case genBool:
		b, ok := pyBool(v)
		return genValue{b: b}, ok
	case genInt:
		i, isInt, fits := pyInt(v)
		return genValue{i: i}, isInt && fits
	case genFloat:
		f, ok := pyFloat(v)
		return genValue{f: f}, ok
	case genComplex:
		re, im, ok := pyComplex(v)
		return genValue{c: complex(re, im)}, ok
	case genBytes:
		_, ok := latin1Bytes(v) // stored as latin-1 by genRecords
		return genValue{s: v}, ok
	}
	return genValue{s: v}, true
}

// convertLoose converts v as StringConverter._loose_call does: a value
// that does not parse takes the column's filling value. An integer too
// large for int64 is an error, as NumPy's OverflowError.
func convertLoose(col *genColumn, v string) (genValue, error) {
	if col.kind == genInt {
		i, isInt, fits := pyInt(v)
		if isInt && !fits {
			return genValue{}, fmt.Errorf("%s does not fit int64: %w", pyrepr.Str(v), ErrSyntax)
		}
		if isInt {
			return genValue{i: i}, nil
		}
		return col.fill, nil
	}
	if val, ok := strictParse(col.kind, v); ok {
		return val, nil
	}
	return col.fill, nil
}

// genDType is the result's dtype: 2-D of one dtype, or structured.
func genDType(o *genOptions, cols []genColumn, names []string, values [][]genValue) (npyheader.DType, bool, error) {
	native := string(npyheader.NativeOrder())
	descrOf := func(k genKind, width int) string {
		switch k {
		case genBool:
			return "|b1"
		case genInt:
			return native + "i8"
		case genFloat:
			return native + "f8"
		case genComplex:
			return native + "c16"
		case genStr:
			return fmt.Sprintf("%sU%d", native, width)
		}
		return fmt.Sprintf("|S%d", width)
	}
	if !o.infer {
		dt := o.dtype
		if !o.hasDType {
			dt = npyheader.DType{Kind: npyheader.Float, Order: npyheader.NativeOrder(), ItemSize: 8}
		}
		switch {
		case names == nil:
			return dt, dt.Structured(), nil
		case dt.Structured():
			dt = dt.Clone()
			if len(names) != len(dt.Fields) {
				return dt, false, fmt.Errorf("%d names for %d fields: %w", len(names), len(dt.Fields), ErrColumns)
			}
			for i := range dt.Fields {
				dt.Fields[i].Name = names[i]
			}
			d, err := npyheader.ParseDescr(dt.String()) // checks the names
			return d, true, err
		}
		fields := make([]string, len(names))
		for i, n := range names {
			fields[i] = fmt.Sprintf("(%s, %s)", pyrepr.Str(n), pyrepr.Str(dt.String()))
		}
		d, err := npyheader.ParseDescr("[" + strings.Join(fields, ", ") + "]")
		return d, true, err
	}
	// Text columns are bytes unless an encoding was given or a value is
	// not latin-1.
	if !o.encodingSet {
		allLatin1 := true
		for _, row := range values {
			for c, v := range row {
				if cols[c].kind == genStr {
					if _, ok := latin1Bytes(v.s); !ok {
						allLatin1 = false
					}
				}
			}
		}
		if allLatin1 {
			for c := range cols {
				if cols[c].kind == genStr {
					cols[c].kind = genBytes
				}
			}
		}
	}
	widthOf := func(c int) (int, error) {
		if len(values) == 0 {
			return 0, fmt.Errorf("no rows to find the width of text column %d: %w", c+1, ErrColumns)
		}
		w := 0
		for _, row := range values {
			w = max(w, utf8.RuneCountInString(row[c].s))
		}
		return w, nil
	}
	if names == nil {
		base := map[genKind]bool{}
		for _, col := range cols {
			if col.checked {
				base[col.kind] = true
			}
		}
		if len(base) == 1 {
			var k genKind
			for k = range base {
			}
			width := 0
			if k >= genStr {
				for c := range cols {
					// Unchecked bool columns become text too: "True", "False".
					if cols[c].kind == genBool {
						for _, row := range values {
							row[c].s = map[bool]string{true: "True", false: "False"}[row[c].b]
						}
					}
					w, err := widthOf(c)
					if err != nil {
						return npyheader.DType{}, false, err
					}
					width = max(width, w)
				}
			}
			for c := range cols {
				from := cols[c].kind
				cols[c].kind = k
				if from == genBool && k != genBool {
					for _, row := range values {
						b := row[c].b
						row[c] = genValue{i: boolInt(b), f: float64(boolInt(b)), c: complex(float64(boolInt(b)), 0), s: row[c].s}
					}
				}
			}
			d, err := npyheader.ParseDescr(descrOf(k, width))
			return d, false, err
		}
		names = make([]string, len(cols))
		for i := range names {
			names[i] = fmt.Sprintf("f%d", i)
		}
	}
	fields := make([]string, len(cols))
	for c, col := range cols {
		width := 0
		if col.kind >= genStr {
			w, err := widthOf(c)
			if err != nil {
				return npyheader.DType{}, false, err
			}
			width = w
		}
		fields[c] = fmt.Sprintf("(%s, %s)", pyrepr.Str(names[c]), pyrepr.Str(descrOf(col.kind, width)))
	}
	d, err := npyheader.ParseDescr("[" + strings.Join(fields, ", ") + "]")
	return d, true, err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func boolByte(b bool) byte { return byte(boolInt(b)) }

// genRecords stores the values as records of dt, after room bytes left
// for the header.
func genRecords(room int, dt npyheader.DType, structured bool, cols []genColumn, values [][]genValue) ([]byte, error) {
	items := make([]column, len(cols))
	rowSize := 0
	for c := range cols {
		it := dt
		off := c * dt.ItemSize
		if structured {
			it, off = dt.Fields[c].Type, dt.Fields[c].Offset
		}
		col, err := columnOf(it)
		if err != nil {
			return nil, err
		}
		col.offset = off
		items[c] = col
	}
	if structured {
		rowSize = dt.ItemSize
	} else {
		rowSize = len(cols) * dt.ItemSize
	}
	out := make([]byte, room+len(values)*rowSize)
	for r, row := range values {
		rec := out[room+r*rowSize : room+(r+1)*rowSize]
		for c, v := range row {
			it := &items[c]
			dst := rec[it.offset : it.offset+it.size]
			switch it.kind {
			case npyheader.Bool:
				dst[0] = boolByte(v.b)
			case npyheader.Int, npyheader.Uint:
				if it.kind == npyheader.Int && (v.i < it.lo || v.i > int64(it.hi)) || it.kind == npyheader.Uint && (v.i < 0 || uint64(v.i) > it.hi) {
					return nil, fmt.Errorf("row %d, column %d: %d does not fit %s: %w", r+1, c+1, v.i, it.name, ErrSyntax)
				}
				putUint(dst, it.size, uint64(v.i), it.big)
			case npyheader.Float:
				if it.size == 4 {
					putUint(dst, 4, uint64(math.Float32bits(float32(v.f))), it.big)
				} else {
					putUint(dst, 8, math.Float64bits(v.f), it.big)
				}
			case npyheader.Complex:
				h := it.size / 2
				if h == 4 {
					putUint(dst[:4], 4, uint64(math.Float32bits(float32(real(v.c)))), it.big)
					putUint(dst[4:], 4, uint64(math.Float32bits(float32(imag(v.c)))), it.big)
				} else {
					putUint(dst[:8], 8, math.Float64bits(real(v.c)), it.big)
					putUint(dst[8:], 8, math.Float64bits(imag(v.c)), it.big)
				}
			case npyheader.Unicode:
				putUCS4(dst, []byte(v.s), it.big)
			case npyheader.Bytes:
				putLatin1(dst, []byte(v.s)) // the text is latin-1: checked when parsed
			}
		}
	}
	return out, nil
}

// markMissingValues masks, in a structured result, the values equal to
// what a user's missing value converts to, as np.genfromtxt does after
// it builds a structured result (not for S columns, whose bytes NumPy
// compares with a str).
func markMissingValues(mask []byte, cols []genColumn, values [][]genValue, missing []string) {
	ncols := len(cols)
	for c, col := range cols {
		if col.kind == genBytes {
			continue
		}
		for _, m := range missing {
			if m == "" {
				continue
			}
			mv, ok := strictParse(col.kind, m)
			if !ok {
				mv = col.fill
			}
			for r, row := range values {
				v := row[c]
				var eq bool
				switch col.kind {
				case genBool:
					eq = v.b == mv.b
				case genInt:
					eq = v.i == mv.i
				case genFloat:
					eq = v.f == mv.f
				case genComplex:
					eq = v.c == mv.c
				default:
					eq = v.s == mv.s
				}
				if eq {
					mask[r*ncols+c] = 1
				}
			}
		}
	}
}

// boolFields is the mask dtype of a structured dtype: one bool per field.
func boolFields(dt npyheader.DType) npyheader.DType {
	fields := make([]string, len(dt.Fields))
	for i, f := range dt.Fields {
		fields[i] = fmt.Sprintf("(%s, '|b1')", pyrepr.Str(f.Name))
	}
	d, err := npyheader.ParseDescr("[" + strings.Join(fields, ", ") + "]")
	if err != nil {
		panic(err) // unreachable: the names came from a parsed dtype
	}
	return d
}

// encodeHeader is the .npy header of an in-memory result, which its data
// is then written after.
func encodeHeader(name string, dt npyheader.DType, shape []int) ([]byte, error) {
	hdr, err := npyheader.Header{DType: dt, Shape: shape}.Encode()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return hdr, nil
}

// openImage makes an in-memory .npy File of image, a header and its data,
// which the File then owns.
func openImage(name string, image []byte) (*mmarray.File, error) {
	return mmarray.OpenBytes(name, image, mmarray.ReadWrite, mmarray.WithOwnedImage())
}
