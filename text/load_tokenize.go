package text

import (
	"bytes"
	"unicode/utf8"
)

// tokenizer splits rows into fields as NumPy 1.24's loadtxt tokenizer
// (tokenize.cpp) does. A row ends at \n, \r or \r\n outside a quoted
// field; a comment runs to the line end; when splitting at white space,
// leading white space of a field is skipped and a last empty field is
// dropped, as Python's str.split() drops it.
type tokenizer struct {
	wsDelim bool // split at runs of white space
	delim   byte
	quoting bool
	quote   byte
	// commentStart marks the bytes a comment marker starts with, so that
	// the scan compares markers only there.
	commentStart [256]bool
	comments     [][]byte
	// stop marks the bytes where the scan of an unquoted field must look
	// closer: line ends, the delimiter (when splitting at white space, the
	// ASCII white space and every non-ASCII byte, which may be part of a
	// non-ASCII space), and the first bytes of comment markers.
	stop [256]bool

	// The fields of the last row: an unquoted field is a slice of the
	// input, a quoted one (whose doubled quotes become one) of buf.
	buf         []byte
	fields      [][]byte
	firstQuoted bool
}

func newTokenizer(o *loadOptions) *tokenizer {
	t := &tokenizer{wsDelim: o.delimiter < 0, quoting: o.quote >= 0}
	if !t.wsDelim {
		t.delim = byte(o.delimiter)
	}
	if t.quoting {
		t.quote = byte(o.quote)
	}
	for _, m := range o.comments {
		t.comments = append(t.comments, []byte(m))
		t.commentStart[m[0]] = true
	}
	for c := range 256 {
		t.stop[c] = c == '\n' || c == '\r' || t.commentStart[c]
		if t.wsDelim {
			t.stop[c] = t.stop[c] || c >= utf8.RuneSelf || pySpaceASCII[c]
		} else {
			t.stop[c] = t.stop[c] || c == int(t.delim)
		}
	}
	return t
}

// field returns field k of the last row.
func (t *tokenizer) field(k int) []byte { return t.fields[k] }

func (t *tokenizer) numFields() int { return len(t.fields) }

// commentAt reports whether a comment marker starts at b[i].
func (t *tokenizer) commentAt(b []byte, i int) bool {
	if !t.commentStart[b[i]] {
		return false
	}
	for _, m := range t.comments {
		if bytes.HasPrefix(b[i:], m) {
			return true
		}
	}
	return false
}

// delimAt returns the length of the delimiter at b[i], or 0.
func (t *tokenizer) delimAt(b []byte, i int) int {
	if t.wsDelim {
		if c := b[i]; c == '\r' || c == '\n' {
			return 0
		}
		return spaceAt(b, i)
	}
	if b[i] == t.delim {
		return 1
	}
	return 0
}

// row tokenizes the row that starts at b[i]. It returns the index just
// past the row's line end and the number of line ends it consumed (more
// than one when a quoted field holds line ends). A row that is blank or
// only a comment has no fields.
func (t *tokenizer) row(b []byte, i int) (next int, lines int) {
	t.buf = t.buf[:0]
	t.fields = t.fields[:0]
	t.firstQuoted = false
fields:
	for {
		// A field starts.
		if t.wsDelim {
			for i < len(b) && b[i] != '\r' && b[i] != '\n' {
				n := spaceAt(b, i)
				if n == 0 {
					break
				}
				i += n
			}
		}
		quotedStart := -1 // where the field starts in buf, if it is quoted
		if t.quoting && i < len(b) && b[i] == t.quote {
			quotedStart = len(t.buf)
			if len(t.fields) == 0 {
				t.firstQuoted = true
			}
			i++
			for {
				j := bytes.IndexByte(b[i:], t.quote)
				if j < 0 { // the input ends inside the quotes
					lines += t.appendQuoted(b[i:])
					i = len(b)
					break
				}
				lines += t.appendQuoted(b[i : i+j])
				i += j + 1
				if i < len(b) && b[i] == t.quote { // a doubled quote
					t.buf = append(t.buf, t.quote)
					i++
					continue
				}
				break
			}
			// What follows a closing quote up to the delimiter is part of
			// the field, unquoted.
		}
		j := i
		for {
			for j < len(b) && !t.stop[b[j]] {
				j++
			}
			if j == len(b) {
				break
			}
			// A comment marker comes first: a longer marker may hold the
			// delimiter, and NumPy strips those comments before it splits.
			if c := b[j]; c == '\n' || c == '\r' || t.commentAt(b, j) || t.delimAt(b, j) > 0 {
				break
			}
			j++
		}
		if quotedStart >= 0 {
			t.buf = append(t.buf, b[i:j]...)
			t.fields = append(t.fields, t.buf[quotedStart:len(t.buf):len(t.buf)])
		} else {
			t.fields = append(t.fields, b[i:j:j])
		}
		if j == len(b) {
			i = j
			break
		}
		switch c := b[j]; {
		case c == '\n' || c == '\r':
			i = j
		case t.commentAt(b, j): // skip to the line end
			k := bytes.IndexAny(b[j:], "\r\n")
			if k < 0 {
				i = len(b)
				break fields
			}
			i = j + k
		default: // a delimiter
			i = j + t.delimAt(b, j)
			continue fields
		}
		// b[i] is \n or \r.
		lines++
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			i++
		}
		i++
		break
	}
	// As NumPy: a row of one empty field is empty, and splitting at white
	// space drops a last empty field; but not when the row's first field
	// was quoted (NumPy tests the first field's flag here).
	if n := len(t.fields); (n == 1 || (n > 0 && t.wsDelim)) && !t.firstQuoted && len(t.fields[n-1]) == 0 {
		t.fields = t.fields[:n-1]
	}
	return i, lines
}

// appendQuoted appends the text of a quoted field to buf, with its line
// ends as \n, as NumPy sees them when it reads a file by name (Python's
// universal newlines), and returns how many there were.
func (t *tokenizer) appendQuoted(s []byte) int {
	n := lineEnds(s)
	if n == 0 || bytes.IndexByte(s, '\r') < 0 {
		t.buf = append(t.buf, s...)
		return n
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		}
		t.buf = append(t.buf, c)
	}
	return n
}

// lineEnds counts the line ends in b: \n, \r and \r\n each count once.
func lineEnds(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if bytes.IndexByte(b, '\r') >= 0 {
		n += bytes.Count(b, []byte{'\r'}) - bytes.Count(b, []byte("\r\n"))
	}
	return n
}

// skipLine returns the index just past the line end of the line that
// starts at b[i], and whether there was one (false: the input ends first,
// or, unless atEOF, a \r ends b and the \n may follow).
func skipLine(b []byte, i int, atEOF bool) (int, bool) {
	k := bytes.IndexAny(b[i:], "\r\n")
	if k < 0 {
		return len(b), false
	}
	k += i
	if b[k] == '\r' {
		if k+1 == len(b) {
			return k + 1, atEOF
		}
		if b[k+1] == '\n' {
			k++
		}
	}
	return k + 1, true
}

// lastRowEnd returns the index just past the last row end in b (0 if
// there is none): where a block of whole rows can be cut off b. Without
// quoting that is the last line end; with quoting, a line end inside a
// quoted field is not one, so b is scanned from its start, which must be
// the start of a row. atEOF says nothing follows b.
func (t *tokenizer) lastRowEnd(b []byte, atEOF bool) int {
	if atEOF {
		return len(b)
	}
	if !t.quoting {
		k := bytes.LastIndexAny(b, "\r\n")
		if k < 0 {
			return 0
		}
		if b[k] == '\r' && k+1 == len(b) { // the \n of a \r\n may follow
			return lastLineEndBefore(b, k)
		}
		return k + 1
	}
	last := 0
	fieldStart := true
	for i := 0; i < len(b); {
		c := b[i]
		if fieldStart {
			if t.wsDelim && c != '\r' && c != '\n' {
				if n := spaceAt(b, i); n > 0 {
					i += n
					continue
				}
			}
			fieldStart = false
			if c == t.quote {
				i++
				for {
					j := bytes.IndexByte(b[i:], t.quote)
					if j < 0 || i+j+1 == len(b) {
						return last // the quotes may close, or double, later
					}
					i += j + 1
					if b[i] != t.quote {
						break
					}
					i++
				}
				continue
			}
		}
		switch {
		case c == '\n' || c == '\r':
			next, ok := skipLine(b, i, false)
			if !ok {
				return last
			}
			i, last, fieldStart = next, next, true
		case t.commentAt(b, i):
			k := bytes.IndexAny(b[i:], "\r\n")
			if k < 0 {
				return last
			}
			i += k
		case t.delimAt(b, i) > 0:
			i += t.delimAt(b, i)
			fieldStart = true
		default:
			i++
		}
	}
	return last
}

// lastLineEndBefore is lastRowEnd without quoting for b[:k].
func lastLineEndBefore(b []byte, k int) int {
	j := bytes.LastIndexAny(b[:k], "\r\n")
	return j + 1
}
