package npyheader

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzSeeds returns the header prefixes used to seed FuzzParse.
func fuzzSeeds(t testing.TB) [][]byte {
	f8 := DType{Kind: Float, Order: '<', ItemSize: 8}
	var seeds [][]byte
	for _, h := range []Header{
		{DType: f8, Shape: []int{3, 4}},
		{DType: f8, Shape: []int{3, 4}, FortranOrder: true},
		{DType: f8},
		{DType: DType{Kind: Datetime, Order: '>', ItemSize: 8, Unit: "10s"}, Shape: []int{0, 2}},
		{DType: DType{Kind: Unicode, Order: '<', ItemSize: 12}, Shape: []int{5}},
		{DType: DType{Kind: Object, Order: '|', ItemSize: 8}, Shape: []int{5}},
	} {
		b, err := h.Encode()
		require.NoError(t, err)
		seeds = append(seeds, b)
	}
	for _, descr := range []string{
		"[('x', '<i4', (2,)), ('y', '>f8', (2, 2)), ('z', '|u1')]",
		"[('f0', '|i1'), ('', '|V3'), ('f1', '<i4'), ('f2', '|i1'), ('', '|V3')]",
		"[(('title', 'a'), '<i4'), ('b', [('c', '>f4', (1,)), ('d', '|S3')])]",
		"[('c', ('<f8', (5,)), (2,))]",
		"[('名前', '<U2'), (\"it's\", '<M8[ns]')]",
		"[('', '|V8')]",
	} {
		d, err := ParseDescr(descr)
		require.NoError(t, err)
		b, err := Header{DType: d, Shape: []int{2, 3}}.Encode()
		require.NoError(t, err)
		seeds = append(seeds, b)
	}
	seeds = append(seeds,
		v1("{'shape': (3L,), 'fortran_order': True, 'descr': u'<f8'} # c\n"),
		v1("{'descr': r'\\x', 'fortran_order': False, 'shape': (0x10, 0b1, 0o7, 1_0)}"),
		npyPrefix(2, 0, "{'descr': [(('\\u540d', 'n'), '<i4', 3)], 'fortran_order': False, 'shape': ()}"),
		npyPrefix(3, 0, "{'descr': '''<f8''', 'fortran_order': False, 'shape': (True,),}"),
		[]byte("\x93NUMPY\x01\x00"),
	)
	// Golden files written by NumPy, if another package has generated them.
	root := filepath.Join("..", "testdata")
	_ = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".npy") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		b, _ := io.ReadAll(io.LimitReader(f, 4096))
		seeds = append(seeds, b)
		return nil
	})
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	opts := WithMaxHeaderSize(1 << 20)
	f.Fuzz(func(t *testing.T, b []byte) {
		// ParseDescr on the raw bytes as text must not panic either.
		if d, err := ParseDescr(string(b)); err == nil {
			back, err := ParseDescr(d.String())
			if err != nil || !back.Equal(d) {
				t.Fatalf("descr %q: String() %q does not round-trip: %v", b, d.String(), err)
			}
		}
		h, err := Parse(b)
		if err != nil {
			return
		}
		if h.DataOffset > int64(len(b)) {
			t.Fatalf("DataOffset %d beyond input of %d bytes", h.DataOffset, len(b))
		}
		_ = h.DType.CheckMappable()
		_ = h.DType.IsNative()
		enc, out, err := h.Encoded()
		if errors.Is(err, ErrVersion) || errors.Is(err, ErrHeaderTooLarge) {
			// The version that was read cannot hold the canonical text (a
			// \u escape in a 1.0 header, or a compact header grown by
			// padding): let Encode choose, as NumPy would.
			h.Version = Version{}
			enc, out, err = h.Encoded()
			h.Version = out.Version
		}
		if err != nil {
			t.Fatalf("accepted header %+v does not encode: %v", h, err)
		}
		got, err := Parse(enc, opts)
		if err != nil {
			t.Fatalf("encoded header %q does not parse: %v", enc, err)
		}
		if got.Version != h.Version || got.FortranOrder != h.FortranOrder || !slices.Equal(got.Shape, h.Shape) ||
			!got.DType.Equal(h.DType) || got.DataOffset != out.DataOffset || out.DataOffset != int64(len(enc)) {
			t.Fatalf("round trip mismatch:\n in  %+v\n out %+v", h, got)
		}
		// Encoding again is stable.
		enc2, err := got.Encode()
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("second encode differs: %v", err)
		}
	})
}
