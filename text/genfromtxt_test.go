package text

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-memmap/memmap"
)

func TestGenfromtxtErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		opts     []GenOption
		want     string
		sentinel error
	}{
		{"invalid row", "1 2\n\n3 4 5\n", nil, "line 3: got 3 columns instead of 2: text: wrong number of columns", ErrColumns},
		{"invalid row after the header", "skip\n1 2\n3\n", []GenOption{WithSkipHeader(1)}, "line 3: got 1 columns instead of 2: text: wrong number of columns", ErrColumns},
		{"int64 overflow", "1\n99999999999999999999\n", []GenOption{WithDType(mustDescr(t, "<i8"))}, "line 2, column 1: '99999999999999999999' does not fit int64: text: invalid value", ErrSyntax},
		{"int8 out of range", "300\n", []GenOption{WithDType(mustDescr(t, "|i1"))}, "row 1, column 1: 300 does not fit int8: text: invalid value", ErrSyntax},
		{"longdouble", "0x10\n", []GenOption{WithInferredDType()}, "column 1: the values would make a longdouble column: memmap: not supported", memmap.ErrUnsupported},
		{"filling value", "1,\n", []GenOption{WithDelimiter(","), WithFillingValues("zero")}, "filling value 'zero' of column 1 is not of its type: text: invalid value", ErrSyntax},
		{"names without a line", "\n \n", []GenOption{WithNames()}, "no line to take the names from: text: wrong number of columns", ErrColumns},
		{"structured dtype width", "1 2 3\n", []GenOption{WithDType(mustDescr(t, "[('a', '<i4'), ('b', '<i4')]"))}, "the dtype has 2 fields for 3 columns: text: wrong number of columns", ErrColumns},
		{"utf-8", "1\n\xff\n", nil, "line 2: byte 0xff is not UTF-8: text: invalid encoding", ErrEncoding},
		{"datetime", "1\n", []GenOption{WithDType(mustDescr(t, "<M8[D]"))}, "dtype <M8[D] cannot be read from text: memmap: not supported", memmap.ErrUnsupported},
	}
	for _, tt := range tests {
		_, err := Genfromtxt(strings.NewReader(tt.in), tt.opts...)
		if err == nil || err.Error() != tt.want || !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: error %v; want %q wrapping %v", tt.name, err, tt.want, tt.sentinel)
		}
	}
}

func TestGenfromtxtMisusePanics(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		f    func()
		want string // the panic's message starts with it
	}{
		"several comment markers":  {func() { Genfromtxt(strings.NewReader(""), WithComments("#", "%")) }, "text: "},
		"skip_footer and max_rows": {func() { Genfromtxt(strings.NewReader(""), WithSkipFooter(1), WithMaxRows(2)) }, "text: "},
		"negative skip_header":     {func() { WithSkipHeader(-1) }, "text: WithSkipHeader(-1): "},
		"negative skip_footer":     {func() { WithSkipFooter(-1) }, "text: WithSkipFooter(-1): "},
	}
	for name, tt := range tests {
		func() {
			defer func() {
				if m, ok := recover().(*memmap.Misuse); !ok || !strings.HasPrefix(m.Error(), tt.want) {
					t.Errorf("%s: recovered %v, want a *memmap.Misuse starting %q", name, m, tt.want)
				}
			}()
			tt.f()
		}()
	}
}

// FuzzGenfromtxt checks that no text makes Genfromtxt panic, and that its
// errors wrap this module's sentinels.
func FuzzGenfromtxt(f *testing.F) {
	for _, c := range genCorpus() {
		f.Add(c.text, true, true)
		f.Add(c.text, false, false)
	}
	f.Fuzz(func(t *testing.T, in string, names, mask bool) {
		opts := []GenOption{WithInferredDType(), WithDelimiter(","), WithMissingValues("N/A"), WithInvalidRaise(false)}
		if names {
			opts = append(opts, WithNames(), WithSkipFooter(1))
		}
		if mask {
			opts = append(opts, WithUseMask(), WithAutostrip())
		}
		res, err := Genfromtxt(strings.NewReader(in), opts...)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrColumns) && !errors.Is(err, ErrEncoding) && !errors.Is(err, memmap.ErrUnsupported) {
				t.Fatalf("error %v wraps none of the sentinels", err)
			}
			return
		}
		res.Data.Close()
		if res.Mask != nil {
			res.Mask.Close()
		}
	})
}
