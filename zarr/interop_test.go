package zarr_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// makeStores is a Python script that writes zarr-python stores of every
// kind this package reads into the folder given, each with a .bin file of
// z[...].tobytes(), and an .npy file per source array for the writing
// test (the folder comes as {"out": folder} on its input); it prints the
// list of stores.
const makeStores = `
import zarr, numcodecs, os
out = json.load(sys.stdin)['out']
rng = np.random.default_rng(11)

def data(dtype, shape):
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == 'b':
        return rng.integers(0, 2, size=shape).astype(dt)
    if dt.kind == 'U':
        chars = np.array(list('abcxyzé€𝄞 '))
        s = [''.join(rng.choice(chars, size=rng.integers(0, dt.itemsize // 4 + 1))) for _ in range(n)]
        return np.array(s, dtype=dt).reshape(shape)
    a = np.frombuffer(rng.bytes(n * dt.itemsize), dtype=dt).reshape(shape).copy()
    if dt.kind == 'f':
        flat = a.reshape(-1)
        flat[:4] = [np.nan, np.inf, -np.inf, -0.0][:len(flat[:4])]
    return a

cases = []
def add(name, a, chunks, fill_value=0, region=None, fill_bytes=None, **kw):
    path = os.path.join(out, name + '.zarr')
    if region is None:
        z = zarr.array(a, chunks=chunks, store=path, fill_value=fill_value, **kw)
    else:  # only part of the array written: the other chunks stay missing
        z = zarr.open(path, mode='w', shape=a.shape, chunks=chunks, dtype=a.dtype, fill_value=fill_value, **kw)
        z[region] = a[region]
    if fill_bytes is not None:
        # zarr-python 2.13 cannot create a V or structured array with
        # another fill than 0, but reads one: set it in the .zarray.
        import base64
        meta = json.load(open(path + '/.zarray'))
        meta['fill_value'] = base64.standard_b64encode(fill_bytes).decode()
        json.dump(meta, open(path + '/.zarray', 'w'))
    z = zarr.open(path, mode='r')
    with open(path + '.bin', 'wb') as f:
        f.write(z[...].tobytes())
    cases.append(dict(name=name, path=path, descr=z.dtype.str if z.dtype.fields is None else str(z.dtype.descr),
                      shape=list(z.shape), compressor=z.compressor.codec_id if z.compressor else None))

shape, chunks = (37, 23), (10, 7)
f8 = data('<f8', shape)
add('default', f8, chunks)
add('none', f8, chunks, compressor=None)
add('zlib', f8, chunks, compressor=numcodecs.Zlib(level=1))
add('gzip', f8, chunks, compressor=numcodecs.GZip(level=5))
add('zstd', f8, chunks, compressor=numcodecs.Zstd(level=3))
add('lz4', f8, chunks, compressor=numcodecs.LZ4())
add('blosc_zstd_bitshuffle', f8, chunks, compressor=numcodecs.Blosc(cname='zstd', clevel=3, shuffle=2))
add('F_none', f8, chunks, order='F', compressor=None)
add('F_zlib', f8, chunks, order='F', compressor=numcodecs.Zlib())
add('slash', f8, chunks, dimension_separator='/', compressor=None)
add('F_slash_3d', data('>i4', (5, 6, 7)), (2, 4, 3), order='F', dimension_separator='/', compressor=numcodecs.Zlib())
add('one_chunk_larger', f8, (64, 64), compressor=None)
add('zero_d', data('<i8', ()), (), compressor=None)
add('empty', data('<f4', (0, 5)), (4, 2), compressor=None)
for descr in ['>f8', '<f4', '>i2', '|u1', '|i1', '<u8', '|b1', '<f2', '>f2', '<M8[s]', '>m8[ms]',
              '<c16', '>c8', '|S5', '<U3', '>U2', '|V4']:
    for comp in [None, numcodecs.Zlib()]:
        name = descr.replace('<', 'le_').replace('>', 'be_').replace('|', '').replace('[', '_').replace(']', '')
        add(name + ('_zlib' if comp else '_none'), data(descr, (11, 3)), (4, 2), compressor=comp)
rec = np.dtype([('a', '<f8'), ('b', '>i4', (2,)), ('c', 'S3'), ('d', [('e', '<u2'), ('f', '|b1')])])
add('structured', data(rec, (9,)), (4,), compressor=numcodecs.Zlib())
add('structured_none', data(rec, (9,)), (4,), compressor=None)
region = (slice(0, 10), slice(0, 7))
add('missing_nan', f8, chunks, fill_value=np.nan, region=region, compressor=None)
add('missing_inf', f8, chunks, fill_value=np.inf, region=region, compressor=numcodecs.Zlib())
add('missing_ninf_f4', data('>f4', shape), chunks, fill_value=-np.inf, region=region, compressor=None)
add('missing_f2', data('<f2', shape), chunks, fill_value=1.5, region=region, compressor=None)
add('missing_int', data('>i2', shape), chunks, fill_value=-42, region=region, compressor=None)
add('missing_u8', data('<u8', shape), chunks, fill_value=2**64 - 1, region=region, compressor=None)
add('missing_bool', data('|b1', shape), chunks, fill_value=True, region=region, compressor=None)
add('missing_c16', data('<c16', shape), chunks, fill_value=complex(np.nan, -2.5), region=region, compressor=None)
add('missing_M8', data('<M8[D]', shape), chunks, fill_value=np.datetime64('2001-02-03'), region=region, compressor=None)
add('missing_NaT', data('>m8[s]', shape), chunks, fill_value=np.timedelta64('NaT'), region=region, compressor=None)
add('missing_S', data('|S4', shape), chunks, fill_value=b'ab', region=region, compressor=None)
add('missing_U', data('<U3', shape), chunks, fill_value='x€', region=region, compressor=None)
add('missing_V', data('|V3', shape), chunks, fill_value=None, fill_bytes=b'\x01\x02\x03', region=region, compressor=None)
add('missing_struct', data(rec, shape), chunks, fill_value=None, fill_bytes=np.array((1.5, [2, 3], b'xy', (4, True)), dtype=rec).tobytes(), region=region, compressor=None)
g = zarr.open_group(os.path.join(out, 'group.zarr'), mode='w')
g.attrs['title'] = 'a group'
m = g.create_dataset('member', data=f8, chunks=chunks, compressor=None)
m.attrs['units'] = 'm'
g.create_group('sub').create_dataset('deep', data=data('<i2', (5,)), chunks=(2,))
json.dump(cases, sys.stdout)
`

type storeCase struct {
	Name, Path, Descr string
	Shape             []int
	Compressor        *string
}

// zarrPythonStores has zarr-python write its stores into a new folder
// and returns the folder and the cases.
func zarrPythonStores(t *testing.T) (string, []storeCase) {
	t.Helper()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	var cases []storeCase
	numpytest.RunJSON(t, makeStores, map[string]string{"out": dir}, &cases)
	return dir, cases
}

// Every store zarr-python writes (each codec, C and F order, "." and "/"
// keys, partial edge chunks, every dtype, missing chunks with every kind of
// fill value, 0-d and empty arrays, a group) reads bit-exact: ReadRegion
// over the whole array and ToRaw give z[...].tobytes(), OpenChunk gives the bytes
// ReadChunk does (mapped in place when uncompressed), and ToNPY writes
// what np.load reads equal.
func TestReadZarrPythonStores(t *testing.T) {
	t.Parallel()
	_, cases := zarrPythonStores(t)
	require.Greater(t, len(cases), 40)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			a, err := zarr.Open(c.Path) // every codec zarr-python wrote: none is skipped
			require.NoError(t, err)
			want, err := os.ReadFile(c.Path + ".bin")
			require.NoError(t, err)
			require.Equal(t, c.Shape, a.Shape())
			require.Equal(t, c.Descr, a.Descr())
			got, err := a.ReadRegion(make([]int, len(c.Shape)), c.Shape, nil)
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "ReadRegion differs from z[...].tobytes()")
			raw := filepath.Join(t.TempDir(), "out.raw")
			require.NoError(t, zarr.ToRaw(a, raw, zarr.WithWorkers(3), zarr.WithMemory(1)))
			got, err = os.ReadFile(raw)
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "ToRaw differs from z[...].tobytes()")
			checkChunks(t, a)
		})
	}
}

// checkChunks opens every chunk of a with OpenChunk and compares it with
// ReadChunk's bytes.
func checkChunks(t *testing.T, a *zarr.Array) {
	t.Helper()
	grid := a.GridShape()
	idx := make([]int, len(grid))
	var s compute.ChunkScratch
	for _, n := range grid {
		if n == 0 {
			return
		}
	}
	for {
		want, err := a.ReadChunk(idx, nil)
		require.NoError(t, err)
		f, err := a.OpenChunk(idx, &s)
		require.NoError(t, err)
		require.Equal(t, a.ChunkShape(), f.Shape())
		require.Equal(t, a.FortranOrder(), f.FortranOrder())
		require.Equal(t, a.Descr(), f.Descr())
		got := make([]byte, f.NBytes())
		_, err = f.ReadAt(got, 0)
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "chunk %v", idx)
		_, statErr := os.Stat(filepath.Join(a.Path(), filepath.FromSlash(a.Key(idx))))
		if a.Codec() != nil || statErr != nil {
			require.True(t, f.IsInMemory(), "a compressed or missing chunk is decoded")
		} else if a.ZarrFormat() == 2 {
			require.False(t, f.IsInMemory(), "an uncompressed chunk is mapped")
		}
		require.NoError(t, f.Close())
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < grid[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// The group zarr-python wrote lists its members and opens them, by name
// and by path, with their attributes.
func TestReadZarrPythonGroup(t *testing.T) {
	t.Parallel()
	dir, _ := zarrPythonStores(t)
	g, err := zarr.OpenGroup(filepath.Join(dir, "group.zarr"))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"title": "a group"}, g.Attrs())
	arrays, groups, err := g.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"member"}, arrays)
	require.Equal(t, []string{"sub"}, groups)
	m, err := g.Open("member")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"units": "m"}, m.Attrs())
	byPath, err := zarr.Open(filepath.Join(dir, "group.zarr", "member"))
	require.NoError(t, err)
	require.Equal(t, m.Shape(), byPath.Shape())
	deep, err := g.Open("sub/deep")
	if !errors.Is(err, memmap.ErrUnsupported) { // blosc, zarr-python's default
		require.NoError(t, err)
		require.Equal(t, []int{5}, deep.Shape())
	}
	sub, err := g.Group("sub")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "group.zarr", "sub"), sub.Path())
	_, err = zarr.Open(filepath.Join(dir, "group.zarr"))
	require.ErrorIs(t, err, zarr.ErrFormat, "a group is not an array")
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = zarr.OpenGroup(filepath.Join(dir, "group.zarr", "member"))
	require.ErrorIs(t, err, zarr.ErrFormat, "an array is not a group")
}

// makeSources writes .npy files of every dtype and order into the folder
// given as {"out": folder} and prints their names and paths.
const makeSources = `
import os
out = json.load(sys.stdin)['out']
rng = np.random.default_rng(12)
rec = np.dtype([('a', '<f8'), ('b', '>i4', (2,)), ('c', 'S3'), ('d', [('e', '<u2'), ('f', '|b1')])])
sources = []
def add(name, dtype, shape, order='C'):
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == 'b':
        a = rng.integers(0, 2, size=shape).astype(dt)
    elif dt.kind == 'U':
        a = np.array([''.join(rng.choice(list('aé€𝄞z'), size=rng.integers(0, dt.itemsize // 4 + 1))) for _ in range(n)], dtype=dt).reshape(shape)
    else:
        a = np.frombuffer(rng.bytes(n * dt.itemsize), dtype=dt).reshape(shape)
    path = os.path.join(out, name + '.npy')
    np.save(path, np.asfortranarray(a) if order == 'F' else np.ascontiguousarray(a))
    sources.append(dict(name=name, path=path))
add('f8', '<f8', (37, 23))
add('f8_F', '<f8', (37, 23), 'F')
add('i4_3d_F', '>i4', (5, 6, 7), 'F')
for descr in ['>f8', '<f4', '>i2', '|u1', '<u8', '|b1', '<f2', '<M8[s]', '>m8[ms]', '<c16', '>c8', '|S5', '<U3', '>U2', '|V4']:
    add(descr.replace('<', 'le_').replace('>', 'be_').replace('|', '').replace('[', '_').replace(']', ''), descr, (11, 3))
add('structured', rec, (9,))
add('zero_d', '<i8', ())
add('empty', '<f4', (0, 5))
json.dump(sources, sys.stdout)
`

// checkStores has zarr-python read each store Go wrote and compare it with
// its source .npy (z[...] equal to np.load bit for bit, same dtype and
// shape) and with the .npy Go converted it back into; fill-value stores
// are compared with the bytes Go read from them. The .npy's fortran_order
// must be np.save's for z[...]. It prints the mismatches.
const checkStores = `
import io, zarr
bad = []
for c in json.load(sys.stdin):
    try:
        z = zarr.open(c['store'], mode='r')
        got = z[...]
        if 'npy' in c:
            a = np.load(c['npy'])
            if got.dtype != a.dtype or got.shape != a.shape or got.tobytes() != a.tobytes():
                bad.append([c['store'], 'differs from the source', str(got.dtype), str(a.dtype)])
            back = np.load(c['back'])
            with open(c['back'], 'rb') as f:
                np.lib.format.read_magic(f)
                fortran = np.lib.format.read_array_header_1_0(f)[1]
            saved = io.BytesIO()
            np.save(saved, got)  # z[...] is in the store's order
            saved.seek(0)
            np.lib.format.read_magic(saved)
            want_fortran = np.lib.format.read_array_header_1_0(saved)[1]
            if back.dtype != a.dtype or back.tobytes() != a.tobytes() or fortran != want_fortran:
                bad.append([c['store'], 'ToNPY differs', str(back.dtype), str(fortran)])
        if 'bin' in c:
            if got.tobytes() != open(c['bin'], 'rb').read():
                bad.append([c['store'], 'fill differs', repr(z.fill_value)])
        if z.order != c['order'] or (z.compressor.codec_id if z.compressor else None) != c['codec']:
            bad.append([c['store'], 'metadata', z.order, repr(z.compressor)])
    except Exception as e:
        bad.append([c['store'], repr(e)])
json.dump(bad, sys.stdout)
`

// storeCheck is one store for checkStores.
type storeCheck struct {
	Store string  `json:"store"`
	NPY   string  `json:"npy,omitempty"`
	Back  string  `json:"back,omitempty"`
	Bin   string  `json:"bin,omitempty"`
	Order string  `json:"order"`
	Codec *string `json:"codec"`
}

func checkOf(a *zarr.Array) storeCheck {
	c := storeCheck{Store: a.Path(), Order: "C"}
	if a.FortranOrder() {
		c.Order = "F"
	}
	if a.Codec() != nil {
		id := a.Codec().ID()
		c.Codec = &id
	}
	return c
}

// Stores this package writes from .npy files (every dtype, C and F order,
// each codec, both separators, partial chunks), read back by zarr-python,
// equal their sources bit for bit, and ToNPY of them gives the source
// again; stores with only some chunks written read the fill value there in
// zarr-python as here.
func TestZarrPythonReadsWrittenStores(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	dir := t.TempDir()
	var sources []struct{ Name, Path string }
	numpytest.RunJSON(t, makeSources, map[string]string{"out": dir}, &sources)
	var codecs []codec.Codec
	for _, name := range []string{"none", "zlib", "gzip", "zstd", "lz4", "blosc-lz4", "blosc-zstd", "blosc-zlib"} {
		c, err := codec.Parse(name)
		if errors.Is(err, memmap.ErrUnsupported) {
			t.Logf("codec %s not implemented yet: not written", name)
			continue
		}
		require.NoError(t, err)
		codecs = append(codecs, c)
	}
	var checks []storeCheck
	for i, s := range sources {
		src, err := mmarray.Open(s.Path, mmarray.ReadOnly)
		require.NoError(t, err)
		shape := src.Shape()
		chunks := make([]int, len(shape))
		for axis, n := range shape {
			chunks[axis] = max(1, n/3+1) // partial chunks at the edges
		}
		for j, c := range codecs {
			opts := []zarr.FromFileOption{zarr.WithCodec(c), zarr.WithChunks(chunks...), zarr.WithWorkers(1 + (i+j)%3)}
			if (i+j)%2 == 1 {
				opts = append(opts, zarr.WithDimensionSeparator("/"), zarr.WithFortranOrder(!src.FortranOrder()))
			}
			store := filepath.Join(dir, fmt.Sprintf("%s.%d%s.zarr", s.Name, j, c2s(c)))
			a, err := zarr.FromFile(src, store, opts...)
			require.NoError(t, err, store)
			back := store + ".npy"
			require.NoError(t, zarr.ToNPY(a, back))
			check := checkOf(a)
			check.NPY, check.Back = s.Path, back
			checks = append(checks, check)
		}
		require.NoError(t, src.Close())
	}
	checks = append(checks, writeFillStores(t, dir, codecs)...)
	var bad [][]string
	numpytest.RunJSON(t, checkStores, checks, &bad)
	require.Empty(t, bad)
}

func c2s(c codec.Codec) string {
	if c == nil {
		return "none"
	}
	return c.ID()
}

// writeFillStores creates arrays with fill values of every kind and writes
// one chunk of each, saving what ReadRegion reads from the whole array.
func writeFillStores(t *testing.T, dir string, codecs []codec.Codec) []storeCheck {
	t.Helper()
	fills := []struct {
		descr string
		fill  []byte
	}{
		{">f4", []byte{0x7F, 0xC0, 0, 0}},                   // NaN
		{"<f8", []byte{0, 0, 0, 0, 0, 0, 0xF0, 0xFF}},       // -inf
		{"<f2", []byte{0x00, 0x3E}},                         // 1.5
		{"<c8", []byte{0, 0, 0xC0, 0x7F, 0, 0, 0x20, 0xC0}}, // (NaN, -2.5)
		{">i2", []byte{0xFF, 0xD6}},                         // -42
		{"<u8", bytes.Repeat([]byte{0xFF}, 8)},
		{"|b1", []byte{1}},
		{"<M8[D]", []byte{0x10, 0x2C, 0, 0, 0, 0, 0, 0}},
		{">m8[s]", []byte{0x80, 0, 0, 0, 0, 0, 0, 0}}, // NaT
		{"|S3", []byte("ab\x00")},
		{"<U2", []byte{'x', 0, 0, 0, 0xAC, 0x20, 0, 0}}, // "x€"
		{">U1", []byte{0, 1, 0xD1, 0x1E}},               // U+1D11E, a surrogate pair in JSON
		{"|V3", []byte{1, 2, 3}},
		{"[('a', '<u2'), ('b', 'S1')]", []byte{7, 0, 'z'}},
		{"<f8", nil}, // null: missing chunks are zeros here
	}
	var checks []storeCheck
	for i, f := range fills {
		store := filepath.Join(dir, "fill"+string(rune('a'+i))+".zarr")
		a, err := zarr.Create(store, f.descr, []int{5, 4}, []int{2, 3}, zarr.WithFill(f.fill), zarr.WithCodec(codecs[i%len(codecs)]))
		require.NoError(t, err)
		chunk := bytes.Repeat([]byte{0x41}, a.ChunkBytes())
		require.NoError(t, a.WriteChunk([]int{1, 0}, chunk))
		got, err := a.ReadRegion([]int{0, 0}, []int{5, 4}, nil)
		require.NoError(t, err)
		check := checkOf(a)
		if f.fill != nil { // zarr-python's null fill leaves items uninitialised
			check.Bin = store + ".bin"
			require.NoError(t, os.WriteFile(check.Bin, got, 0o644))
		}
		checks = append(checks, check)
	}
	return checks
}

// nonFiniteAttrs has zarr-python write attributes holding NaN and the
// infinities, which its JSON writes as bare NaN, Infinity and -Infinity
// (as xarray's _FillValue: NaN often is), onto an array and a group.
const nonFiniteAttrs = `
import zarr
out = json.load(sys.stdin)['out']
g = zarr.open_group(out, mode='w')
g.attrs['nan'] = float('nan')
z = g.create_dataset('a', shape=(3,), chunks=(2,), dtype='<f8', compressor=None)
z.attrs.update({'_FillValue': float('nan'), 'inf': [float('inf'), -float('inf'), 1.5], 'text': 'NaN, Infinity', 'nested': {'x': float('-inf')}})
json.dump('ok', sys.stdout)
`

// Attributes zarr-python writes with NaN or an infinity read as those
// floats, strings that spell them as strings: Open used to refuse such an
// array as invalid JSON.
func TestReadNonFiniteAttrs(t *testing.T) {
	t.Parallel()
	numpytest.RequireModule(t, "zarr")
	store := filepath.Join(t.TempDir(), "g.zarr")
	var ok string
	numpytest.RunJSON(t, nonFiniteAttrs, map[string]string{"out": store}, &ok)
	require.Equal(t, "ok", ok)
	g, err := zarr.OpenGroup(store)
	require.NoError(t, err)
	require.True(t, math.IsNaN(g.Attrs()["nan"].(float64)))
	a, err := g.Open("a")
	require.NoError(t, err)
	attrs := a.Attrs()
	require.True(t, math.IsNaN(attrs["_FillValue"].(float64)))
	require.Equal(t, []any{math.Inf(1), math.Inf(-1), 1.5}, attrs["inf"])
	require.Equal(t, "NaN, Infinity", attrs["text"])
	require.Equal(t, map[string]any{"x": math.Inf(-1)}, attrs["nested"])
}
