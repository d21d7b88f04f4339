package zarr_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// makeSinkSources has zarr-python write the source stores of the Sink
// test into the folder given: C and F order, both byte orders, 0, NaN
// and -1 fills, edge chunks, uncompressed and blosc.
const makeSinkSources = `
import zarr, numcodecs, os
out = json.load(sys.stdin)['out']
rng = np.random.default_rng(5)
cases = []
def add(name, dtype, shape, chunks, fill, compressor, order='C'):
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        a = (rng.standard_normal(shape) * 1e3).astype(dt)
        a.reshape(-1)[:3] = [np.nan, np.inf, -0.0]
    else:
        a = rng.integers(np.iinfo(dt).min, np.iinfo(dt).max, size=shape, dtype=dt.newbyteorder('='), endpoint=True).astype(dt)
    path = os.path.join(out, name + '.zarr')
    zarr.array(a, store=path, chunks=chunks, fill_value=fill, compressor=compressor, order=order)
    cases.append(dict(name=name, path=path))
blosc = numcodecs.Blosc(cname='lz4', clevel=5, shuffle=1)
add('C_native_fill0', '<f8', (37, 23), (10, 7), 0, None)
add('C_native_nan', '<f8', (37, 23), (10, 7), np.nan, blosc)
add('F_native_nan', '<f8', (37, 23), (10, 7), np.nan, None, order='F')
add('C_big_nan', '>f8', (37, 23), (10, 7), np.nan, blosc)
add('F_big_nan_f4', '>f4', (37, 23), (10, 7), np.nan, blosc, order='F')
add('F_big_i4_3d', '>i4', (5, 9, 7), (2, 4, 3), -1, blosc, order='F')
add('C_big_i2_1d', '>i2', (101,), (16,), -1, None)
add('F_native_i8_one_chunk', '<i8', (6, 5), (8, 8), -1, blosc, order='F')
json.dump(cases, sys.stdout)
`

// checkSinkResults compares each result store with NumPy's a*2+1 of its
// source: the whole array as zarr-python reads it, and every stored chunk
// decoded whole (its order, byte order and edge padding, which must be
// the fill value, included), both bit for bit.
const checkSinkResults = `
import zarr, itertools
bad = []
for c in json.load(sys.stdin):
    src, dst = zarr.open(c['src'], mode='r'), zarr.open(c['dst'], mode='r')
    if (dst.dtype, dst.order, dst.fill_value is None, dst.compressor.codec_id) != (src.dtype, src.order, src.fill_value is None, 'blosc'):
        bad.append(c['src'] + ': metadata ' + str((dst.dtype, dst.order, dst.compressor)))
    want = (src[...] * 2 + 1).astype(src.dtype)
    if dst[...].tobytes() != want.tobytes():
        bad.append(c['src'] + ': array differs')
    for idx in itertools.product(*[range(n) for n in dst.cdata_shape]):
        key = '.'.join(map(str, idx))
        def chunk(z):
            raw = open(z.store.path + '/' + key, 'rb').read()
            if z.compressor is not None:
                raw = z.compressor.decode(raw)
            return np.frombuffer(raw, dtype=z.dtype).reshape(z.chunks, order=z.order)
        inside = tuple(slice(0, min(c, n - i * c)) for i, c, n in zip(idx, dst.chunks, dst.shape))
        want = np.full(dst.chunks, dst.fill_value, dtype=dst.dtype)
        want[inside] = (chunk(src) * 2 + 1).astype(src.dtype)[inside]
        if chunk(dst).tobytes() != want.tobytes():
            bad.append(c['src'] + ': chunk ' + key + ' differs')
json.dump(bad, sys.stdout)
`

// twiceAndOne is the test's kernel, a*2+1.
func twiceAndOne[T float32 | float64 | int16 | int32 | int64](dst, src []T) {
	for i, v := range src {
		dst[i] = v*2 + 1
	}
}

func transformTwiceAndOne(ctx context.Context, dst compute.ChunkSink, src *zarr.Array) error {
	opts := []compute.Option{compute.WithWorkers(3)}
	switch src.Descr()[1:] {
	case "f8":
		return compute.TransformChunks(ctx, dst, src, twiceAndOne[float64], opts...)
	case "f4":
		return compute.TransformChunks(ctx, dst, src, twiceAndOne[float32], opts...)
	case "i8":
		return compute.TransformChunks(ctx, dst, src, twiceAndOne[int64], opts...)
	case "i4":
		return compute.TransformChunks(ctx, dst, src, twiceAndOne[int32], opts...)
	case "i2":
		return compute.TransformChunks(ctx, dst, src, twiceAndOne[int16], opts...)
	}
	panic("no kernel for " + src.Descr())
}

// TransformChunks from a zarr-python store into a new store through Sink
// (same grid, order, byte order and fill; blosc-lz4) writes what
// zarr-python reads as NumPy's a*2+1 of the source, bit for bit, each
// chunk whole: C-order chunks transposed to F, bytes swapped, edges
// padded with the fill value.
func TestSinkTransformChunks(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	var cases []struct{ Name, Path string }
	numpytest.RunJSON(t, makeSinkSources, map[string]string{"out": dir}, &cases)
	require.Len(t, cases, 8)
	blosc, err := codec.Parse("blosc-lz4")
	require.NoError(t, err)
	var checks []map[string]string
	for _, c := range cases {
		src, err := zarr.Open(c.Path)
		require.NoError(t, err, c.Name)
		out := filepath.Join(dir, c.Name+"_out.zarr")
		dst, err := zarr.Create(out, src.Descr(), src.Shape(), src.ChunkShape(),
			zarr.WithFortranOrder(src.FortranOrder()), zarr.WithFill(src.FillValue()), zarr.WithCodec(blosc))
		require.NoError(t, err, c.Name)
		sink, err := dst.Sink()
		require.NoError(t, err, c.Name)
		require.NoError(t, transformTwiceAndOne(context.Background(), sink, src), c.Name)
		checks = append(checks, map[string]string{"src": c.Path, "dst": out})
	}
	var bad []string
	numpytest.RunJSON(t, checkSinkResults, checks, &bad)
	require.Empty(t, bad)
}

// Sink refuses a structured dtype in the other byte order (its fields
// would need swapping one by one) with memmap.ErrUnsupported, accepts a
// native one, and its WriteChunk panics on a chunk of the wrong length or
// outside the grid.
func TestSinkRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	other := "[('a', '>f8'), ('b', '<i4')]"
	a, err := zarr.Create(filepath.Join(dir, "swapped.zarr"), other, []int{4}, []int{2})
	require.NoError(t, err)
	_, err = a.Sink()
	require.True(t, errors.Is(err, memmap.ErrUnsupported), "Sink of %s: %v", other, err)

	b, err := zarr.Create(filepath.Join(dir, "f8.zarr"), ">f8", []int{5, 3}, []int{2, 2})
	require.NoError(t, err)
	sink, err := b.Sink()
	require.NoError(t, err)
	requireMisuse(t, func() { sink.WriteChunk([]int{0, 0}, make([]byte, 31)) })
	requireMisuse(t, func() { sink.WriteChunk([]int{3, 0}, make([]byte, 32)) })
}

// Sink swaps each dtype's units (a complex number's halves apart, each
// UCS4 character, the whole item otherwise, nothing for bytes) and pads
// edge chunks with the fill value, whatever the order: the array reads
// back as the big-endian bytes the native chunks held.
func TestSinkByteOrders(t *testing.T) {
	t.Parallel()
	native := npyheader.NativeOrder()
	for _, c := range []struct {
		descr string
		unit  int // bytes per swapped unit
	}{
		{">c8", 4}, {">c16", 8}, {">U2", 4}, {">f2", 2}, {">i8", 8}, {">u4", 4}, {"|S3", 1}, {"<f8", 8}, {"|b1", 1},
	} {
		for _, fortran := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s_F%v", c.descr, fortran), func(t *testing.T) {
				t.Parallel()
				dt, err := npyheader.ParseDescr(c.descr)
				require.NoError(t, err)
				item := dt.ItemSize
				shape, chunks := []int{3, 5}, []int{2, 2}
				fill := bytes.Repeat([]byte{0xAB}, item)
				a, err := zarr.Create(filepath.Join(t.TempDir(), "a.zarr"), c.descr, shape, chunks,
					zarr.WithFortranOrder(fortran), zarr.WithFill(fill))
				require.NoError(t, err)
				sink, err := a.Sink()
				require.NoError(t, err)
				// want: the array's items in C order, in its byte order.
				want := make([]byte, 3*5*item)
				for i := range want {
					want[i] = byte(i*7 + 1)
				}
				swapped := dt.Order != native && dt.Order != npyheader.NotApplicable
				for ci := range 2 {
					for cj := range 3 {
						data := make([]byte, 2*2*item) // C order, native, zero past the edge
						for r := range 2 {
							for k := range 2 {
								i, j := 2*ci+r, 2*cj+k
								if i >= 3 || j >= 5 {
									continue
								}
								at := (r*2 + k) * item
								copy(data[at:at+item], want[(i*5+j)*item:])
								for u := 0; swapped && u < item; u += c.unit {
									slices.Reverse(data[at+u : at+u+c.unit])
								}
							}
						}
						require.NoError(t, sink.WriteChunk([]int{ci, cj}, data))
					}
				}
				got, err := a.ReadRegion([]int{0, 0}, shape, nil)
				require.NoError(t, err)
				require.Equal(t, want, got)
				// Chunk (1, 2) holds only item (2, 4): the rest is the fill.
				chunk, err := a.ReadChunk([]int{1, 2}, nil)
				require.NoError(t, err)
				require.Equal(t, want[(2*5+4)*item:][:item], chunk[:item])
				require.Equal(t, bytes.Repeat(fill, 3), chunk[item:])
			})
		}
	}
}
