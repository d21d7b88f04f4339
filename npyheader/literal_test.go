package npyheader

import (
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/pyrepr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lit builds expected values compactly.
func litInt(n int64) pyValue {
	if n < 0 {
		return pyValue{kind: pyInt, mag: uint64(-n), neg: true}
	}
	return pyValue{kind: pyInt, mag: uint64(n)}
}
func litStr(s string) pyValue       { return pyValue{kind: pyStr, s: s} }
func litTuple(v ...pyValue) pyValue { return pyValue{kind: pyTuple, items: v} }
func litList(v ...pyValue) pyValue  { return pyValue{kind: pyList, items: v} }
func litBool(b bool) pyValue        { return pyValue{kind: pyBool, b: b} }
func litBytes(s string) pyValue     { return pyValue{kind: pyBytes, s: s} }
func litDict(kv ...pyValue) pyValue {
	d := pyValue{kind: pyDict, items: []pyValue{}, vals: []pyValue{}}
	for i := 0; i < len(kv); i += 2 {
		d.items = append(d.items, kv[i])
		d.vals = append(d.vals, kv[i+1])
	}
	return d
}

// normalize clears position bookkeeping so values compare by content.
func normalize(v pyValue) pyValue {
	v.pos = 0
	v.signed = false
	if v.overflow {
		v.mag = 0
	}
	for i := range v.items {
		v.items[i] = normalize(v.items[i])
	}
	for i := range v.vals {
		v.vals[i] = normalize(v.vals[i])
	}
	if v.kind == pyDict {
		if v.items == nil {
			v.items = []pyValue{}
		}
		if v.vals == nil {
			v.vals = []pyValue{}
		}
	}
	return v
}

func TestParseLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want pyValue
	}{
		{"0", litInt(0)},
		{"42", litInt(42)},
		{"-7", litInt(-7)},
		{"+7", litInt(7)},
		{"- 7", litInt(-7)},
		{"-(7)", litInt(-7)},
		{"1_000_000", litInt(1000000)},
		{"0x_ff", litInt(255)},
		{"0XFF", litInt(255)},
		{"0o17", litInt(15)},
		{"0b101", litInt(5)},
		{"000", litInt(0)},
		{"0_0", litInt(0)},
		{"9223372036854775807", litInt(9223372036854775807)},
		{"-9223372036854775808", pyValue{kind: pyInt, mag: 1 << 63, neg: true}},
		{"99999999999999999999999", pyValue{kind: pyInt, mag: 0, overflow: true}},
		{"1.5", pyValue{kind: pyFloat}},
		{"1.", pyValue{kind: pyFloat}},
		{".5e-3", pyValue{kind: pyFloat}},
		{"1e5", pyValue{kind: pyFloat}},
		{"3j", pyValue{kind: pyFloat}},
		{"True", litBool(true)},
		{"False", litBool(false)},
		{"None", pyValue{kind: pyNone}},
		{"'abc'", litStr("abc")},
		{`"a'b"`, litStr("a'b")},
		{`'a\'b'`, litStr("a'b")},
		{`'\\ \" \n \r \t \a \b \f \v'`, litStr("\\ \" \n \r \t \a \b \f \v")},
		{`'\x41\u00e9\U0001F600\101\0\777'`, litStr("Aé😀A\x00\u01ff")},
		{"'a\\\nb'", litStr("ab")},
		{`'\q'`, litStr(`\q`)},
		{`r'\n\''`, litStr(`\n\'`)},
		{`R"\x"`, litStr(`\x`)},
		{`u'é'`, litStr("é")},
		{`U'x'`, litStr("x")},
		{`b'\xff\u'`, litBytes("\xff\\u")},
		{`rb'\x'`, litBytes(`\x`)},
		{`'a' "b" u'c'`, litStr("abc")},
		{"'''a'b\n'''", litStr("a'b\n")},
		{`"""x"""`, litStr("x")},
		{"'名前'", litStr("名前")},
		{"()", litTuple()},
		{"(3,)", litTuple(litInt(3))},
		{"(3)", litInt(3)},
		{"(3, 4)", litTuple(litInt(3), litInt(4))},
		{"(3, 4,)", litTuple(litInt(3), litInt(4))},
		{"( 3 ,\n\t4 , )", litTuple(litInt(3), litInt(4))},
		{"[]", litList()},
		{"[1, [2, (3,)],]", litList(litInt(1), litList(litInt(2), litTuple(litInt(3))))},
		{"{}", litDict()},
		{"{'a': 1, 'b': (2,)}", litDict(litStr("a"), litInt(1), litStr("b"), litTuple(litInt(2)))},
		{"{'a': 1, 'a': 2}", litDict(litStr("a"), litInt(2))},
		{"{1: 'x', True: 'y'}", litDict(litInt(1), litStr("y"))},
		{"{(1, 'a'): None,}", litDict(litTuple(litInt(1), litStr("a")), pyValue{kind: pyNone})},
		{"{1, 2}", pyValue{kind: pySet, items: []pyValue{litInt(1), litInt(2)}}},
		{"  {'a': 1} # comment\n  \n", litDict(litStr("a"), litInt(1))},
		{"{ # c1\n 'a' # c2\n : # c3\n 1 }", litDict(litStr("a"), litInt(1))},
		{"\n\t{}\r\n", litDict()},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			got, err := parseLiteral(utf8Text([]byte(tt.src)), false)
			require.NoError(t, err)
			assert.Equal(t, normalize(tt.want), normalize(got))
		})
	}
}

func TestParseLiteralLong(t *testing.T) {
	t.Parallel()
	// NumPy drops every name token "L" that follows a number token.
	got, err := parseLiteral(utf8Text([]byte("(3L, 4 L, 0x10L, 5L L, 6\t\\\nL, 2.5L, 3jL)")), true)
	require.NoError(t, err)
	assert.Equal(t, normalize(litTuple(litInt(3), litInt(4), litInt(16), litInt(5), litInt(6),
		pyValue{kind: pyFloat}, pyValue{kind: pyFloat})), normalize(got))
	// Lower case "l", "L" starting a longer name, or after a newline (a
	// token of its own) is not a suffix.
	for _, src := range []string{"(3l,)", "(3Lx,)", "(3L_,)", "(3 LL,)", "(3\nL,)", "(3 # c\nL,)"} {
		_, err = parseLiteral(utf8Text([]byte(src)), true)
		assert.ErrorIs(t, err, ErrSyntax, "%q", src)
	}
	_, err = parseLiteral(utf8Text([]byte("(3L,)")), false)
	assert.ErrorIs(t, err, ErrSyntax)
}

func TestParseLiteralErrors(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("(", maxLiteralDepth+1) + strings.Repeat(")", maxLiteralDepth+1)
	okDeep := strings.Repeat("[", maxLiteralDepth-1) + strings.Repeat("]", maxLiteralDepth-1)
	_, err := parseLiteral(utf8Text([]byte(okDeep)), false)
	require.NoError(t, err)
	for _, src := range []string{
		"", " ", "{", "{'a': 1", "{'a' 1}", "{'a': }", "(,)", "(1 2)", "[1,,2]", "{,}",
		"'abc", "'ab\nc'", `'\x4'`, `'\u12'`, `'\U00110000'`, `'\ud800'`, `'\N{DASH}'`,
		"0123", "1__0", "1_", "0x", "0b2", "1e", "3abc", "--3", "-(-3)", "-True", "-'a'", "+None",
		"true", "none", "foo", "f'x'", "ur'x'", "'a' b'b'", "b'é'", "1 2", "{} {}", "{[1]: 2}",
		"{{}: 1}", "{(1, [2]): 3}", "{[1], 2}", "'a\x00'", "\x00", "é", "1 if 1 else 2", "{'a': 1}}",
		deep,
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			_, err := parseLiteral(utf8Text([]byte(src)), false)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrSyntax)
		})
	}
}

func TestPyStrRepr(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":             "''",
		"abc":          "'abc'",
		"it's":         `"it's"`,
		`a"b`:          `'a"b'`,
		`a'b"c`:        `'a\'b"c'`,
		`\`:            `'\\'`,
		"\t\n\r":       `'\t\n\r'`,
		"\x00\x1f\x7f": `'\x00\x1f\x7f'`,
		"é名前":          "'é名前'",
		"\u00a0\u00ad": `'\xa0\xad'`,
		"\u200b\u2028": `'\u200b\u2028'`,
		"\U000e0001":   `'\U000e0001'`,
		"😀":            "'😀'",
	}
	for in, want := range tests {
		assert.Equal(t, want, pyrepr.Str(in), "%q", in)
		// The repr parses back to the same string.
		v, err := parseLiteral(utf8Text([]byte(want)), false)
		require.NoError(t, err)
		assert.Equal(t, in, v.s)
	}
}
