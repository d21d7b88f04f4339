package npyheader

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func nat(s string) string {
	// Replace the native-order marker N by this machine's order character.
	return strings.ReplaceAll(s, "N", string(rune(NativeOrder())))
}

func TestParseDescrSimple(t *testing.T) {
	t.Parallel()
	n := NativeOrder()
	tests := []struct {
		in   string
		want DType
		str  string
	}{
		{"<f8", DType{Kind: Float, Order: '<', ItemSize: 8}, "<f8"},
		{">f8", DType{Kind: Float, Order: '>', ItemSize: 8}, ">f8"},
		{"f8", DType{Kind: Float, Order: n, ItemSize: 8}, nat("Nf8")},
		{"'<f8'", DType{Kind: Float, Order: '<', ItemSize: 8}, "<f8"},
		{`"<f4"`, DType{Kind: Float, Order: '<', ItemSize: 4}, "<f4"},
		{" u'<i2' ", DType{Kind: Int, Order: '<', ItemSize: 2}, "<i2"},
		{"=i4", DType{Kind: Int, Order: n, ItemSize: 4}, nat("Ni4")},
		{"|i4", DType{Kind: Int, Order: n, ItemSize: 4}, nat("Ni4")},
		{"<i1", DType{Kind: Int, Order: '|', ItemSize: 1}, "|i1"},
		{">u1", DType{Kind: Uint, Order: '|', ItemSize: 1}, "|u1"},
		{">u8", DType{Kind: Uint, Order: '>', ItemSize: 8}, ">u8"},
		{"?", DType{Kind: Bool, Order: '|', ItemSize: 1}, "|b1"},
		{"<?", DType{Kind: Bool, Order: '|', ItemSize: 1}, "|b1"},
		{"b1", DType{Kind: Bool, Order: '|', ItemSize: 1}, "|b1"},
		{"<f2", DType{Kind: Float, Order: '<', ItemSize: 2}, "<f2"},
		{"<f16", DType{Kind: Float, Order: '<', ItemSize: 16}, "<f16"},
		{">c32", DType{Kind: Complex, Order: '>', ItemSize: 32}, ">c32"},
		{"<c8", DType{Kind: Complex, Order: '<', ItemSize: 8}, "<c8"},
		{"|S5", DType{Kind: Bytes, Order: '|', ItemSize: 5}, "|S5"},
		{">S5", DType{Kind: Bytes, Order: '|', ItemSize: 5}, "|S5"},
		{"S", DType{Kind: Bytes, Order: '|', ItemSize: 0}, "|S0"},
		{"S05", DType{Kind: Bytes, Order: '|', ItemSize: 5}, "|S5"},
		{"<U3", DType{Kind: Unicode, Order: '<', ItemSize: 12}, "<U3"},
		{">U3", DType{Kind: Unicode, Order: '>', ItemSize: 12}, ">U3"},
		{"U", DType{Kind: Unicode, Order: n, ItemSize: 0}, nat("NU0")},
		{"|U2", DType{Kind: Unicode, Order: n, ItemSize: 8}, nat("NU2")},
		{"V16", DType{Kind: Void, Order: '|', ItemSize: 16}, "|V16"},
		{"<V0", DType{Kind: Void, Order: '|', ItemSize: 0}, "|V0"},
		{"|O", DType{Kind: Object, Order: '|', ItemSize: 8}, "|O"},
		{"O8", DType{Kind: Object, Order: '|', ItemSize: 8}, "|O"},
		{"O4", DType{Kind: Object, Order: '|', ItemSize: 8}, "|O"},
		{"M8", DType{Kind: Datetime, Order: n, ItemSize: 8}, nat("NM8")},
		{"<M8[ns]", DType{Kind: Datetime, Order: '<', ItemSize: 8, Unit: "ns"}, "<M8[ns]"},
		{">m8[D]", DType{Kind: Timedelta, Order: '>', ItemSize: 8, Unit: "D"}, ">m8[D]"},
		{"<M8[10s]", DType{Kind: Datetime, Order: '<', ItemSize: 8, Unit: "10s"}, "<M8[10s]"},
		{"<M8[1s]", DType{Kind: Datetime, Order: '<', ItemSize: 8, Unit: "s"}, "<M8[s]"},
		{"<M8[007ms]", DType{Kind: Datetime, Order: '<', ItemSize: 8, Unit: "7ms"}, "<M8[7ms]"},
		{"<M8[μs]", DType{Kind: Datetime, Order: '<', ItemSize: 8, Unit: "us"}, "<M8[us]"},
		{"<m8[as]", DType{Kind: Timedelta, Order: '<', ItemSize: 8, Unit: "as"}, "<m8[as]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDescr(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, d)
			assert.Nil(t, d.Fields)
			assert.False(t, d.Structured())
			assert.Equal(t, tt.str, d.String())
			assert.Equal(t, "'"+tt.str+"'", d.Repr())
			back, err := ParseDescr(d.String())
			require.NoError(t, err)
			assert.True(t, back.Equal(d))
			back, err = ParseDescr(d.Repr())
			require.NoError(t, err)
			assert.True(t, back.Equal(d))
		})
	}
}

func TestParseDescrInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "x", "i3", "f3", "<b2", "b", "i0", "i", "?1", "u", "<", "c4", "f1", "M4", "M8[", "<M8[]",
		"<M8[ns", "M8[ns]x", "<M8[xs]", "<M8[-5s]", "<M8[ 5s]", "i8[ns]", "S-1", "S+5", "float64",
		"l", "d", "a5", "i4,f8", "(2,)i4", " i4x", "<>f8", "'f8", "5", "[('a', 5)]", "[('a',)]",
		"[('a', '<i4', (2,), 5)]", "[(b'a', '<i4')]", "[((1, 'a'), '<i4')]", "[(('a', 'b', 'c'), '<i4')]",
		"[('a', '<i4'), ('a', '<f8')]", "[(('t', 't'), '<i4')]", "[(('t', 'a'), '<i4'), ('t', '<i4')]",
		"[('a', '<i4'), (('a', 'b'), '<i4')]", "[('', '<i4'), ('', '<f8')]", "[('a', '<i4', (-1,))]",
		"[('a', '<i4', -2)]", "[('a', '<i4', (True,))]", "[('a', '<i4', 2.0)]", "[('a', '<i4', '2')]",
		"[('a', ('<i4',))]", "[('a', ('<i4', (2,), 3))]", "('<i4', (2,))", "['<i4']", "[5]",
		"{'a': 1}", "[('a', 'S99999999999')]", "[('a', 'U999999999')]",
		"[('a', 'V2000000000'), ('b', 'V2000000000')]", "[('a', '<f8', (99999, 99999))]",
		"[('a', '<i4', " + strings.Repeat("(", 5) + "1" + strings.Repeat(",)", 5) + ")]",
		"[('a', '<i4', (" + strings.Repeat("1, ", 33) + "))]",
		strings.Repeat("[('a', ", 70) + "'<i4'" + strings.Repeat(")]", 70),
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDescr(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDescr)
			assertNamesSentinelOnce(t, err, ErrDescr)
		})
	}
}

func TestParseDescrStructured(t *testing.T) {
	t.Parallel()
	i4 := DType{Kind: Int, Order: '<', ItemSize: 4}
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	i1 := DType{Kind: Int, Order: '|', ItemSize: 1}
	tests := []struct {
		name string
		in   string
		want DType
		str  string // "" means same as in
	}{
		{"simple", "[('x', '<i4'), ('y', '<f8')]",
			DType{Kind: Void, Order: '|', ItemSize: 12, Fields: []Field{{Name: "x", Type: i4}, {Name: "y", Type: f8, Offset: 4}}}, ""},
		{"subarray", "[('x', '<i4', (2,)), ('y', '<f8', (2, 2))]",
			DType{Kind: Void, Order: '|', ItemSize: 40, Fields: []Field{{Name: "x", Type: i4, Shape: []int{2}}, {Name: "y", Type: f8, Shape: []int{2, 2}, Offset: 8}}}, ""},
		{"int shape and scalar shapes", "[('a', '<i4', 3), ('b', '<i4', 1), ('c', '<i4', ()), ('d', '<i4', [0])]",
			DType{Kind: Void, Order: '|', ItemSize: 20, Fields: []Field{
				{Name: "a", Type: i4, Shape: []int{3}}, {Name: "b", Type: i4, Offset: 12},
				{Name: "c", Type: i4, Offset: 16}, {Name: "d", Type: i4, Shape: []int{0}, Offset: 20}}},
			"[('a', '<i4', (3,)), ('b', '<i4'), ('c', '<i4'), ('d', '<i4', (0,))]"},
		{"aligned", "[('f0', '|i1'), ('', '|V3'), ('f1', '<i4'), ('f2', '|i1'), ('', '|V3')]",
			DType{Kind: Void, Order: '|', ItemSize: 12, Fields: []Field{{Name: "f0", Type: i1}, {Name: "f1", Type: i4, Offset: 4}, {Name: "f2", Type: i1, Offset: 8}}}, ""},
		{"offsets", "[('', '|V1'), ('a', '<i4'), ('', '|V1'), ('b', '<i4')]",
			DType{Kind: Void, Order: '|', ItemSize: 10, Fields: []Field{{Name: "a", Type: i4, Offset: 1}, {Name: "b", Type: i4, Offset: 6}}}, ""},
		{"padding merged", "[('a', '|i1'), ('', '|V1'), ('', '|V2'), ('', '<i4', (2,)), ('b', '|i1')]",
			DType{Kind: Void, Order: '|', ItemSize: 13, Fields: []Field{{Name: "a", Type: i1}, {Name: "b", Type: i1, Offset: 12}}},
			"[('a', '|i1'), ('', '|V11'), ('b', '|i1')]"},
		{"titles", "[(('aa', 'a'), '<i4'), (\"it's\", '|i1')]",
			DType{Kind: Void, Order: '|', ItemSize: 5, Fields: []Field{{Name: "a", Title: "aa", Type: i4}, {Name: "it's", Type: i1, Offset: 4}}}, ""},
		{"empty struct", "[('', '|V8')]", DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{}}, ""},
		{"empty list", "[]", DType{Kind: Void, Order: '|', ItemSize: 0, Fields: []Field{}}, ""},
		{"empty name kept", "[('', '<i4'), ('', '|V4'), ('b', '<f8')]",
			DType{Kind: Void, Order: '|', ItemSize: 16, Fields: []Field{{Name: "", Type: i4}, {Name: "b", Type: f8, Offset: 8}}}, ""},
		{"nested", "[('a', '<i4', (2, 3)), ('b', [('c', '>f4')])]",
			DType{Kind: Void, Order: '|', ItemSize: 28, Fields: []Field{
				{Name: "a", Type: i4, Shape: []int{2, 3}},
				{Name: "b", Offset: 24, Type: DType{Kind: Void, Order: '|', ItemSize: 4, Fields: []Field{{Name: "c", Type: DType{Kind: Float, Order: '>', ItemSize: 4}}}}}}}, ""},
		{"nested subarray of struct", "[('a', [('b', '<i4'), ('', '|V4')], (3,))]",
			DType{Kind: Void, Order: '|', ItemSize: 24, Fields: []Field{
				{Name: "a", Shape: []int{3}, Type: DType{Kind: Void, Order: '|', ItemSize: 8, Fields: []Field{{Name: "b", Type: i4}}}}}}, ""},
		{"subarray of subarray", "[('c', ('<f8', (5,)), (2,))]",
			DType{Kind: Void, Order: '|', ItemSize: 80, Fields: []Field{{Name: "c", Type: f8, Shape: []int{2, 5}, ShapeLevels: [][]int{{2}, {5}}}}}, ""},
		{"subarray of subarray 3 levels", "[('c', (('<f8', (5,)), (3, 4)), (2,))]",
			DType{Kind: Void, Order: '|', ItemSize: 960, Fields: []Field{{Name: "c", Type: f8, Shape: []int{2, 3, 4, 5}, ShapeLevels: [][]int{{2}, {3, 4}, {5}}}}}, ""},
		{"tuple type no outer", "[('c', ('<f8', (5,)))]",
			DType{Kind: Void, Order: '|', ItemSize: 40, Fields: []Field{{Name: "c", Type: f8, Shape: []int{5}}}}, "[('c', '<f8', (5,))]"},
		{"datetime and strings", "[('t', '<M8[ns]'), ('s', '|S3'), ('u', '>U2'), ('v', '|V2')]",
			DType{Kind: Void, Order: '|', ItemSize: 21, Fields: []Field{
				{Name: "t", Type: DType{Kind: Datetime, Order: '<', ItemSize: 8, Unit: "ns"}},
				{Name: "s", Type: DType{Kind: Bytes, Order: '|', ItemSize: 3}, Offset: 8},
				{Name: "u", Type: DType{Kind: Unicode, Order: '>', ItemSize: 8}, Offset: 11},
				{Name: "v", Type: DType{Kind: Void, Order: '|', ItemSize: 2}, Offset: 19}}}, ""},
		{"non-latin1 and escapes", `[('名前', '<i4'), ('tab\t', '|i1')]`,
			DType{Kind: Void, Order: '|', ItemSize: 5, Fields: []Field{{Name: "名前", Type: i4}, {Name: "tab\t", Type: i1, Offset: 4}}}, ""},
		{"list entries and double quotes", `[["x", "<i4"]]`,
			DType{Kind: Void, Order: '|', ItemSize: 4, Fields: []Field{{Name: "x", Type: i4}}}, "[('x', '<i4')]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDescr(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, d)
			assert.True(t, d.Structured())
			want := tt.str
			if want == "" {
				want = tt.in
			}
			assert.Equal(t, want, d.String())
			assert.Equal(t, want, d.Repr())
			back, err := ParseDescr(d.String())
			require.NoError(t, err)
			assert.True(t, back.Equal(d), "%s reads back as %s", d, back)
		})
	}
}

func TestDTypePredicates(t *testing.T) {
	t.Parallel()
	other := "<"
	if NativeOrder() == LittleEndian {
		other = ">"
	}
	tests := []struct {
		in       string
		native   bool
		object   bool
		mappable bool
	}{
		{"|u1", true, false, true},
		{nat("Nf8"), true, false, true},
		{other + "f8", false, false, true},
		{"|O", true, true, false},
		{"[('a', '|O')]", true, true, false},
		{"[('a', [('b', 'O', (2,))])]", true, true, false},
		{"[('a', '" + other + "i4')]", false, false, true},
		{"[('a', [('b', '" + other + "i4')])]", false, false, true},
		{"[('a', '|S3'), ('b', '" + nat("Ni8") + "')]", true, false, true},
	}
	for _, tt := range tests {
		d, err := ParseDescr(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.native, d.IsNative(), tt.in)
		assert.Equal(t, tt.object, d.HasObject(), tt.in)
		err = d.CheckMappable()
		if tt.mappable {
			assert.NoError(t, err, tt.in)
		} else {
			assert.ErrorIs(t, err, ErrObjectDType, tt.in)
			assert.Contains(t, err.Error(), "nothing in this project unpickles")
		}
	}
}

func TestDTypeEqual(t *testing.T) {
	t.Parallel()
	a, err := ParseDescr("[('a', '<i4', (2,)), ('b', '<f8')]")
	require.NoError(t, err)
	b, err := ParseDescr("[('a','<i4',(2,)),('b','<f8')]") // another spelling of the same dtype
	require.NoError(t, err)
	assert.True(t, a.Equal(b))
	assert.True(t, b.Equal(a))
	for _, other := range []string{
		"[('a', '<i4', (3,)), ('b', '<f8')]", "[('a', '>i4', (2,)), ('b', '<f8')]", "[('a', '<i4', (2,)), ('c', '<f8')]",
		"[('a', '<i4', (2,)), ('b', '<f8'), ('', '|V1')]", "[(('t', 'a'), '<i4', (2,)), ('b', '<f8')]", "|V16",
		"[('a', ('<i4', (2,)), (1,)), ('b', '<f8')]",
	} {
		o, err := ParseDescr(other)
		require.NoError(t, err, other)
		assert.False(t, a.Equal(o), other)
	}
	// Empty struct vs plain void of the same size.
	e, err := ParseDescr("[('', '|V8')]")
	require.NoError(t, err)
	v, err := ParseDescr("|V8")
	require.NoError(t, err)
	assert.False(t, e.Equal(v))
	assert.Equal(t, "[('', '|V8')]", e.String())
	assert.Equal(t, "|V8", v.String())
}

func TestKindAndByteOrderString(t *testing.T) {
	t.Parallel()
	kinds := map[Kind]string{
		Bool: "bool", Int: "int", Uint: "uint", Float: "float", Complex: "complex", Bytes: "bytes",
		Unicode: "unicode", Void: "void", Object: "object", Datetime: "datetime", Timedelta: "timedelta",
		'x': "Kind('x')", 0: `Kind('\x00')`,
	}
	for k, want := range kinds {
		assert.Equal(t, want, k.String(), "Kind %q", byte(k))
		assert.Equal(t, want, fmt.Sprint(k), "Kind %q", byte(k))
	}
	orders := map[ByteOrder]string{
		LittleEndian: "little-endian", BigEndian: "big-endian", NotApplicable: "not applicable",
		'=': "ByteOrder('=')",
	}
	for o, want := range orders {
		assert.Equal(t, want, o.String(), "ByteOrder %q", byte(o))
		assert.Equal(t, want, fmt.Sprint(o), "ByteOrder %q", byte(o))
	}
	// Every kind ParseDescr can return has a name.
	for _, s := range []string{"?", "<i4", "<u2", "<f8", "<c16", "S3", "<U2", "V4", "O", "<M8[ns]", "<m8"} {
		d, err := ParseDescr(s)
		require.NoError(t, err, s)
		assert.NotContains(t, d.Kind.String(), "Kind(", s)
		assert.NotContains(t, d.Order.String(), "ByteOrder(", s)
	}
	d, err := ParseDescr(">f8")
	require.NoError(t, err)
	assert.Equal(t, "float big-endian\n", fmt.Sprintln(d.Kind, d.Order))
}

func TestNativeOrder(t *testing.T) {
	t.Parallel()
	want := LittleEndian
	switch runtime.GOARCH {
	case "s390x", "ppc64", "mips", "mips64", "sparc64":
		want = BigEndian
	}
	assert.Equal(t, want, NativeOrder())
}
