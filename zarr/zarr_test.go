package zarr_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

func requireMisuse(t *testing.T, fn func()) {
	t.Helper()
	var got any
	func() {
		defer func() { got = recover() }()
		fn()
	}()
	m, ok := got.(*memmap.Misuse)
	require.True(t, ok, "want a *memmap.Misuse panic, got %T %v", got, got)
	require.True(t, strings.HasPrefix(m.Error(), "zarr: "), m.Error())
}

// int32Source writes an .npy file of shape, in C or Fortran order, whose
// item at flat C index i is i, and opens it.
func int32Source(t *testing.T, shape []int, fortran bool) *mmarray.File {
	t.Helper()
	f, err := mmarray.Create(filepath.Join(t.TempDir(), "src.npy"), "<i4", shape, mmarray.WithFortranOrder(fortran))
	require.NoError(t, err)
	a, err := mmarray.View[int32](f)
	require.NoError(t, err)
	vals := make([]int32, a.Len())
	for i := range vals {
		vals[i] = int32(i)
	}
	a.SetRange(0, vals)
	require.NoError(t, f.Flush())
	t.Cleanup(func() { f.Close() })
	return f
}

// want is the C-order bytes of the box [start, start+shape) of an array of
// full shape whose item at flat C index i is i.
func want(full, start, shape []int) []byte {
	var out []byte
	count := 1
	for _, n := range shape {
		count *= n
	}
	idx := make([]int, len(shape))
	for range count {
		flat := 0
		for axis := range full {
			flat = flat*full[axis] + start[axis] + idx[axis]
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(flat))
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// FromFile and ReadRegion agree on every box, for C and Fortran sources
// and stores, with and without a codec, "." and "/" keys, one worker or
// several, a budget small enough to release the source behind the
// workers, and progress reported up to the total.
func TestFromFileAndReadRegion(t *testing.T) {
	t.Parallel()
	full := []int{13, 7, 5}
	zlib := codec.NewZlib(1)
	for _, srcF := range []bool{false, true} {
		for _, storeF := range []bool{false, true} {
			for _, c := range []codec.Codec{nil, zlib} {
				name := fmtName(srcF, storeF, c)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					src := int32Source(t, full, srcF)
					var mu sync.Mutex
					var last, total int64
					path := filepath.Join(t.TempDir(), "a.zarr")
					a, err := zarr.FromFile(src, path, zarr.WithChunks(4, 3, 5), zarr.WithCodec(c),
						zarr.WithFortranOrder(storeF), zarr.WithDimensionSeparator("/"), zarr.WithWorkers(3),
						zarr.WithMemory(1), zarr.WithProgress(func(done, all int64) {
							mu.Lock()
							defer mu.Unlock()
							require.Greater(t, done, last)
							last, total = done, all
						}))
					require.NoError(t, err)
					require.Equal(t, int64(13*7*5*4), total)
					require.Equal(t, total, last)
					require.Equal(t, []int{4, 3, 5}, a.ChunkShape())
					require.Equal(t, []int{4, 3, 1}, a.GridShape())
					require.Equal(t, "/", a.DimensionSeparator())
					require.Equal(t, "<i4", a.DType().String())
					require.Equal(t, 4*3*5*4, a.ChunkBytes())
					require.Equal(t, 2, a.ZarrFormat())
					require.Nil(t, a.DimensionNames())
					_, err = os.Stat(filepath.Join(path, "3", "2", "0"))
					require.NoError(t, err, "nested chunk keys")
					for _, box := range [][2][]int{
						{{0, 0, 0}, full}, {{3, 2, 1}, {5, 4, 3}}, {{12, 6, 4}, {1, 1, 1}}, {{4, 0, 0}, {0, 7, 5}}, {{0, 3, 0}, {13, 1, 5}},
					} {
						got, err := a.ReadRegion(box[0], box[1], nil)
						require.NoError(t, err)
						require.Equal(t, want(full, box[0], box[1]), got, "box %v", box)
					}
					again, err := zarr.Open(path)
					require.NoError(t, err)
					got, err := again.ReadRegion([]int{0, 0, 0}, full, make([]byte, 0, 2000))
					require.NoError(t, err)
					require.Equal(t, want(full, []int{0, 0, 0}, full), got)
				})
			}
		}
	}
}

func fmtName(srcF, storeF bool, c codec.Codec) string {
	order := func(f bool) string {
		if f {
			return "F"
		}
		return "C"
	}
	id := "none"
	if c != nil {
		id = c.ID()
	}
	return "src" + order(srcF) + "_store" + order(storeF) + "_" + id
}

// ToNPY writes the store's array into an .npy file equal to the source, in
// the store's order, from one worker or several and within a small budget.
func TestToNPY(t *testing.T) {
	t.Parallel()
	for _, fortran := range []bool{false, true} {
		src := int32Source(t, []int{9, 4}, fortran)
		a, err := zarr.FromFile(src, filepath.Join(t.TempDir(), "a.zarr"), zarr.WithChunks(2, 3), zarr.WithCodec(codec.NewGzip(1)))
		require.NoError(t, err)
		require.Equal(t, fortran, a.FortranOrder(), "the source's order by default")
		for _, workers := range []int{1, 4} {
			out := filepath.Join(t.TempDir(), "out.npy")
			var mu sync.Mutex
			var calls int
			var last int64
			require.NoError(t, zarr.ToNPY(a, out, zarr.WithWorkers(workers), zarr.WithMemory(1), zarr.WithProgress(func(done, total int64) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				require.Equal(t, int64(9*4*4), total)
				require.Greater(t, done, last)
				last = done
			})))
			require.Equal(t, 10, calls, "one call per chunk")
			require.Equal(t, int64(9*4*4), last)
			f, err := mmarray.Open(out, mmarray.ReadOnly)
			require.NoError(t, err)
			require.Equal(t, fortran, f.FortranOrder())
			v, err := mmarray.View[int32](f)
			require.NoError(t, err)
			got := make([]int32, v.Len())
			v.CopyTo(got)
			for i, x := range got {
				require.Equal(t, int32(i), x)
			}
			require.NoError(t, f.Close())
		}
	}
	// A store that cannot be read leaves no file behind.
	src := int32Source(t, []int{4}, false)
	a, err := zarr.FromFile(src, filepath.Join(t.TempDir(), "b.zarr"), zarr.WithChunks(2))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(a.Path(), "1"), []byte("short"), 0o644))
	out := filepath.Join(t.TempDir(), "out.npy")
	err = zarr.ToNPY(a, out)
	require.ErrorIs(t, err, zarr.ErrFormat)
	_, statErr := os.Stat(out)
	require.ErrorIs(t, statErr, fs.ErrNotExist)
	// Nor does ToRaw.
	out = filepath.Join(t.TempDir(), "out.raw")
	err = zarr.ToRaw(a, out)
	require.ErrorIs(t, err, zarr.ErrFormat)
	_, statErr = os.Stat(out)
	require.ErrorIs(t, statErr, fs.ErrNotExist)
	// A path ToNPY cannot create a file at is left as it was: ToNPY used
	// to remove whatever was there, an empty folder or a device.
	folder := filepath.Join(t.TempDir(), "folder.npy")
	require.NoError(t, os.Mkdir(folder, 0o755))
	err = zarr.ToNPY(a, folder)
	require.ErrorIs(t, err, memmap.ErrUnsupported)
	st, statErr := os.Stat(folder)
	require.NoError(t, statErr, "the folder is still there")
	require.True(t, st.IsDir())
	// Nor does ToRaw: it used to remove the folder too.
	err = zarr.ToRaw(a, folder)
	require.ErrorIs(t, err, memmap.ErrUnsupported)
	st, statErr = os.Stat(folder)
	require.NoError(t, statErr, "the folder is still there")
	require.True(t, st.IsDir())
}

// Damaged chunks give errors, never a crash: an uncompressed chunk file
// shorter or longer than a chunk (refused before it is mapped), a
// compressed one that does not decode, one far larger than any encoding,
// a folder where a chunk file should be.
func TestDamagedChunks(t *testing.T) {
	t.Parallel()
	for _, c := range []codec.Codec{nil, codec.NewZlib(1)} {
		dir := t.TempDir()
		a, err := zarr.Create(filepath.Join(dir, "a.zarr"), "<f8", []int{8}, []int{4}, zarr.WithCodec(c))
		require.NoError(t, err)
		require.NoError(t, a.WriteChunk([]int{0}, make([]byte, 32)))
		chunk := filepath.Join(a.Path(), "0")
		stored, err := os.ReadFile(chunk)
		require.NoError(t, err)
		var damaged [][]byte
		if c == nil {
			damaged = [][]byte{stored[:31], append(stored, 0), nil}
		} else {
			// (Bytes after the end of a zlib stream are ignored, as
			// numcodecs ignores them.)
			damaged = [][]byte{stored[:len(stored)-1], bytes.Repeat([]byte{0x78}, 70000), nil}
		}
		var s compute.ChunkScratch
		for _, d := range damaged {
			require.NoError(t, os.WriteFile(chunk, d, 0o644))
			_, err := a.ReadChunk([]int{0}, nil)
			require.ErrorIs(t, err, zarr.ErrFormat, "ReadChunk of %d bytes", len(d))
			require.ErrorContains(t, err, "read chunk 0 of ")
			_, err = a.OpenChunk([]int{0}, &s)
			require.ErrorIs(t, err, zarr.ErrFormat, "OpenChunk of %d bytes", len(d))
		}
		if c != nil {
			require.NoError(t, os.WriteFile(chunk, stored[:len(stored)-1], 0o644))
			_, err := a.ReadChunk([]int{0}, nil)
			require.ErrorIs(t, err, codec.ErrCorrupt)
		}
		require.NoError(t, os.Remove(chunk))
		require.NoError(t, os.Mkdir(chunk, 0o755))
		_, err = a.ReadChunk([]int{0}, nil)
		require.Error(t, err)
		_, err = a.OpenChunk([]int{0}, &s)
		require.Error(t, err)
	}
}

// Create writes metadata zarr-python reads (checked in the interop test)
// and refuses what it cannot store; misuse panics.
func TestCreateErrorsAndMisuse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.zarr")
	a, err := zarr.Create(path, "<f8", []int{3, 4}, []int{2, 2}, zarr.WithAttrs(map[string]any{"k": "v"}))
	require.NoError(t, err)
	require.Equal(t, make([]byte, 8), a.FillValue(), "fill 0 by default, as zarr-python")
	_, err = zarr.Create(path, "<f8", []int{3}, []int{2})
	require.ErrorIs(t, err, fs.ErrExist, "an existing store is not overwritten")
	reopened, err := zarr.Open(path)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"k": "v"}, reopened.Attrs())
	require.NoError(t, reopened.SetAttrs(map[string]any{"n": 1.0}))
	again, err := zarr.Open(path)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"n": 1.0}, again.Attrs())

	_, err = zarr.Create(filepath.Join(dir, "b"), "<q8", []int{3}, []int{2})
	require.ErrorIs(t, err, npyheader.ErrDescr)
	_, err = zarr.Create(filepath.Join(dir, "c"), "|O", []int{3}, []int{2})
	require.ErrorIs(t, err, memmap.ErrUnsupported)
	_, err = zarr.Create(filepath.Join(dir, "d"), "[(('t', 'a'), '<f8')]", []int{3}, []int{2})
	require.ErrorIs(t, err, memmap.ErrUnsupported, "titles")
	_, err = zarr.Create(filepath.Join(dir, "e"), "<f8", []int{1 << 30}, []int{1 << 29})
	require.ErrorIs(t, err, memmap.ErrTooLarge)
	_, err = zarr.Create(filepath.Join(dir, "f"), "<f8", []int{-1}, []int{2})
	require.ErrorIs(t, err, zarr.ErrFormat)
	_, err = zarr.Create(filepath.Join(dir, "g"), "<f8", []int{3}, []int{0})
	require.ErrorIs(t, err, zarr.ErrFormat)
	for _, name := range []string{"b", "c", "d", "e", "f", "g"} {
		_, err := os.Stat(filepath.Join(dir, name))
		require.ErrorIs(t, err, fs.ErrNotExist, "a refused Create leaves nothing")
	}

	requireMisuse(t, func() { zarr.Create(filepath.Join(dir, "h"), "<f8", []int{3}, []int{2, 2}) })
	requireMisuse(t, func() { zarr.Create(filepath.Join(dir, "i"), "<f8", []int{3}, []int{2}, zarr.WithFill([]byte{1})) })
	requireMisuse(t, func() { a.Key([]int{2, 0}) })
	requireMisuse(t, func() { a.Key([]int{0}) })
	requireMisuse(t, func() { a.WriteChunk([]int{0, 0}, make([]byte, 31)) })
	requireMisuse(t, func() { a.ReadChunk([]int{-1, 0}, nil) })
	requireMisuse(t, func() { a.ReadRegion([]int{0, 0}, []int{4, 1}, nil) })
	requireMisuse(t, func() { zarr.WithDimensionSeparator("-") })
	requireMisuse(t, func() { zarr.WithChunks(2, 0) })
	requireMisuse(t, func() { zarr.WithWorkers(-1) })
	requireMisuse(t, func() { zarr.WithMemory(-1) })
}

// Malformed .zarray files are refused with the documented sentinels.
func TestOpenRefusesBadMetadata(t *testing.T) {
	t.Parallel()
	base := map[string]string{
		"zarr_format": `2`, "shape": `[4]`, "chunks": `[2]`, "dtype": `"<f8"`, "compressor": `null`,
		"fill_value": `0`, "order": `"C"`, "filters": `null`,
	}
	for _, c := range []struct {
		key, value string
		want       error
	}{
		{"zarr_format", `3`, zarr.ErrFormat},
		{"shape", `[-1]`, zarr.ErrFormat},
		{"shape", `"4"`, zarr.ErrFormat},
		{"chunks", `[0]`, zarr.ErrFormat},
		{"chunks", `[2, 2]`, zarr.ErrFormat},
		{"chunks", `[4294967296]`, memmap.ErrTooLarge},
		{"dtype", `"<q8"`, zarr.ErrFormat},
		{"dtype", `"|O"`, memmap.ErrUnsupported},
		{"dtype", `[["a"]]`, zarr.ErrFormat},
		{"dtype", `7`, zarr.ErrFormat},
		{"compressor", `{"id": "no-such-codec"}`, memmap.ErrUnsupported},
		{"fill_value", `"x"`, zarr.ErrFormat},
		{"order", `"K"`, zarr.ErrFormat},
		{"filters", `[{"id": "delta", "dtype": "<f8"}]`, memmap.ErrUnsupported},
		{"dimension_separator", `"-"`, zarr.ErrFormat},
		{"order", `missing`, zarr.ErrFormat},
	} {
		meta := map[string]string{}
		for k, v := range base {
			meta[k] = v
		}
		meta[c.key] = c.value
		if c.value == "missing" {
			delete(meta, c.key)
		}
		var parts []string
		for k, v := range meta {
			parts = append(parts, `"`+k+`": `+v)
		}
		path := filepath.Join(t.TempDir(), "a.zarr")
		require.NoError(t, os.Mkdir(path, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(path, ".zarray"), []byte("{"+strings.Join(parts, ", ")+"}"), 0o644))
		_, err := zarr.Open(path)
		require.ErrorIs(t, err, c.want, "%s: %s", c.key, c.value)
		require.ErrorContains(t, err, "open "+path+": ")
	}
	path := filepath.Join(t.TempDir(), "a.zarr")
	require.NoError(t, os.Mkdir(path, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(path, ".zarray"), []byte("{not json"), 0o644))
	_, err := zarr.Open(path)
	require.ErrorIs(t, err, zarr.ErrFormat)
	valid := `{"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<f8", "order": "C", "fill_value": 0}`
	// Text after the object, which zarr-python's json.loads refuses too
	// (it used to be ignored).
	require.NoError(t, os.WriteFile(filepath.Join(path, ".zarray"), []byte(valid+`{"zarr_format": 2}`), 0o644))
	_, err = zarr.Open(path)
	require.ErrorIs(t, err, zarr.ErrFormat, "a .zarray with text after its object")
	require.NoError(t, os.WriteFile(filepath.Join(path, ".zarray"), []byte(valid+"\n"), 0o644))
	_, err = zarr.Open(path)
	require.NoError(t, err, "white space after the object")
	require.NoError(t, os.WriteFile(filepath.Join(path, ".zattrs"), []byte("[1]"), 0o644))
	_, err = zarr.Open(path)
	require.ErrorIs(t, err, zarr.ErrFormat, ".zattrs not an object")
}

// WriteChunk replaces a chunk whole while readers read it: each read sees
// the old chunk or the new one, never a mix, and no temporary file stays.
func TestWriteChunkIsAtomic(t *testing.T) {
	t.Parallel()
	a, err := zarr.Create(filepath.Join(t.TempDir(), "a.zarr"), "|u1", []int{1 << 16}, []int{1 << 16})
	require.NoError(t, err)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s compute.ChunkScratch
		for {
			select {
			case <-stop:
				return
			default:
			}
			f, err := a.OpenChunk([]int{0}, &s)
			if !assertNoError(t, err) {
				return
			}
			b := make([]byte, f.NBytes())
			f.ReadAt(b, 0)
			f.Close()
			if !assertUniform(t, b) {
				return
			}
		}
	}()
	for i := range 50 {
		require.NoError(t, a.WriteChunk([]int{0}, bytes.Repeat([]byte{byte(i)}, 1<<16)))
	}
	close(stop)
	wg.Wait()
	entries, err := os.ReadDir(a.Path())
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{".zarray", "0"}, names)
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("read: %v", err)
		return false
	}
	return true
}

func assertUniform(t *testing.T, b []byte) bool {
	t.Helper()
	for _, x := range b {
		if x != b[0] {
			t.Errorf("a chunk read while written holds %d and %d", b[0], x)
			return false
		}
	}
	return true
}

// A group made here lists and opens its members.
func TestCreateGroup(t *testing.T) {
	t.Parallel()
	g, err := zarr.CreateGroup(filepath.Join(t.TempDir(), "g.zarr"), map[string]any{"a": "b"})
	require.NoError(t, err)
	_, err = g.Create("x", "<i2", []int{3}, []int{2})
	require.NoError(t, err)
	_, err = zarr.CreateGroup(filepath.Join(g.Path(), "sub"), nil)
	require.NoError(t, err)
	opened, err := zarr.OpenGroup(g.Path())
	require.NoError(t, err)
	require.Equal(t, map[string]any{"a": "b"}, opened.Attrs())
	require.Equal(t, 2, opened.ZarrFormat())
	arrays, groups, err := opened.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"x"}, arrays)
	require.Equal(t, []string{"sub"}, groups)
	x, err := opened.Open("x")
	require.NoError(t, err)
	require.Equal(t, "<i2", x.Descr())
	_, err = zarr.CreateGroup(g.Path(), nil)
	require.ErrorIs(t, err, fs.ErrExist)
}

// Any File converts: a raw file at an offset, a stored .npz member (mapped
// in place inside the archive) and a compressed one (decompressed in
// memory), in C and Fortran order.
func TestFromFileSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	full := []int{7, 5}
	for _, fortran := range []bool{false, true} {
		src := int32Source(t, full, fortran)
		raw := filepath.Join(t.TempDir(), "raw.bin")
		data := make([]byte, 3+src.NBytes())
		_, err := src.ReadAt(data[3:], 0)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(raw, data, 0o644))
		rawFile, err := mmarray.OpenRaw(raw, mmarray.ReadOnly, "<i4", full, 3, mmarray.WithFortranOrder(fortran))
		require.NoError(t, err)
		sources := map[string]*mmarray.File{"raw": rawFile}
		for _, compressed := range []bool{false, true} {
			var opts []npz.WriterOption
			if compressed {
				opts = append(opts, npz.Compressed())
			}
			archive := filepath.Join(t.TempDir(), "a.npz")
			w, err := npz.Create(archive, opts...)
			require.NoError(t, err)
			require.NoError(t, w.WriteArray("m", src))
			require.NoError(t, w.Close())
			ar, err := npz.Open(archive, mmarray.ReadOnly)
			require.NoError(t, err)
			t.Cleanup(func() { ar.Close() })
			m, err := ar.Open("m")
			require.NoError(t, err)
			require.Equal(t, compressed, m.IsInMemory())
			sources[map[bool]string{false: "stored", true: "deflated"}[compressed]] = m
		}
		for name, f := range sources {
			path := filepath.Join(dir, fmtName(fortran, fortran, nil)+name+".zarr")
			a, err := zarr.FromFile(f, path, zarr.WithChunks(3, 2), zarr.WithMemory(1))
			require.NoError(t, err, name)
			got, err := a.ReadRegion([]int{0, 0}, full, nil)
			require.NoError(t, err)
			require.Equal(t, want(full, []int{0, 0}, full), got, name)
			require.NoError(t, f.Close())
		}
	}
}

// A conversion that fails leaves no store behind.
func TestFromFileFailureRemovesTheStore(t *testing.T) {
	t.Parallel()
	src := int32Source(t, []int{4, 4}, false)
	require.NoError(t, src.Close())
	path := filepath.Join(t.TempDir(), "a.zarr")
	_, err := zarr.FromFile(src, path, zarr.WithChunks(2, 2))
	require.ErrorIs(t, err, memmap.ErrClosed)
	_, statErr := os.Stat(path)
	require.ErrorIs(t, statErr, fs.ErrNotExist)
}

// FromFile writes the same arrays whether a chunk is encoded from the
// mapping (a whole chunk that is one run of a C-order file: chunks that
// span every axis but the first) or gathered first (edge chunks, Fortran
// files and stores, chunks narrower than the array), with and without a
// codec.
func TestFromFileContiguousChunks(t *testing.T) {
	t.Parallel()
	full := []int{13, 7, 5}
	blosc := codec.NewBlosc("lz4", 5, codec.ByteShuffle, 0)
	for _, chunks := range [][]int{{4, 7, 5}, {13, 7, 5}, {1, 7, 5}, {4, 1, 5}, {4, 3, 5}} {
		for _, fortran := range []bool{false, true} {
			for _, c := range []codec.Codec{nil, blosc} {
				name := fmt.Sprintf("%v_%s", chunks, fmtName(fortran, fortran, c))
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					src := int32Source(t, full, fortran)
					path := filepath.Join(t.TempDir(), "a.zarr")
					a, err := zarr.FromFile(src, path, zarr.WithChunks(chunks...), zarr.WithCodec(c), zarr.WithWorkers(2))
					require.NoError(t, err)
					got, err := a.ReadRegion([]int{0, 0, 0}, full, nil)
					require.NoError(t, err)
					require.Equal(t, want(full, []int{0, 0, 0}, full), got)
				})
			}
		}
	}
}

// An edge chunk encoded from the mapping with its padding built block by
// block (codec.EncodePadded) decodes to the chunk an uncompressed store
// gathers, the fill value past the edge included.
func TestFromFileEdgeChunksAsGathered(t *testing.T) {
	t.Parallel()
	full := []int{13, 7, 5}
	blosc := codec.NewBlosc("lz4", 5, codec.ByteShuffle, 0)
	for _, chunks := range [][]int{{4, 7, 5}, {6, 7, 5}, {4, 3, 5}} {
		src := int32Source(t, full, false)
		raw, err := zarr.FromFile(src, filepath.Join(t.TempDir(), "raw.zarr"), zarr.WithChunks(chunks...))
		require.NoError(t, err)
		packed, err := zarr.FromFile(src, filepath.Join(t.TempDir(), "blosc.zarr"), zarr.WithChunks(chunks...), zarr.WithCodec(blosc))
		require.NoError(t, err)
		grid := raw.GridShape()
		for i := range grid[0] {
			for j := range grid[1] {
				idx := []int{i, j, 0}
				want, err := raw.ReadChunk(idx, nil)
				require.NoError(t, err)
				got, err := packed.ReadChunk(idx, nil)
				require.NoError(t, err)
				require.Equal(t, want, got, "chunks %v, chunk %v", chunks, idx)
			}
		}
	}
}

// A symbolic link in a store, at a chunk's key or at .zattrs, is replaced
// by what WriteChunk or SetAttrs writes, as zarr-python's os.replace
// replaces it: the file it names, outside the store, is left alone (it
// used to be overwritten through the link).
func TestWritesReplaceSymlinksInTheStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside.txt")
	require.NoError(t, os.WriteFile(outside, []byte("precious"), 0o644))
	for _, sep := range []string{".", "/"} {
		a, err := zarr.Create(filepath.Join(t.TempDir(), "a.zarr"), "|u1", []int{2, 8}, []int{1, 8}, zarr.WithDimensionSeparator(sep))
		require.NoError(t, err)
		chunk := filepath.Join(a.Path(), filepath.FromSlash(a.Key([]int{1, 0})))
		require.NoError(t, os.MkdirAll(filepath.Dir(chunk), 0o755))
		require.NoError(t, os.Symlink(outside, chunk))
		require.NoError(t, os.Symlink(outside, filepath.Join(a.Path(), ".zattrs")))
		require.NoError(t, a.WriteChunk([]int{1, 0}, []byte("chunk 1!")))
		require.NoError(t, a.SetAttrs(map[string]any{"k": "v"}))
		got, err := os.ReadFile(outside)
		require.NoError(t, err)
		require.Equal(t, "precious", string(got))
		for _, name := range []string{chunk, filepath.Join(a.Path(), ".zattrs")} {
			st, err := os.Lstat(name)
			require.NoError(t, err)
			require.True(t, st.Mode().IsRegular(), "%s is a file of its own now", name)
		}
		b, err := a.ReadChunk([]int{1, 0}, nil)
		require.NoError(t, err)
		require.Equal(t, "chunk 1!", string(b))
		reopened, err := zarr.Open(a.Path())
		require.NoError(t, err)
		require.Equal(t, map[string]any{"k": "v"}, reopened.Attrs())
	}
}

// A region whose bytes do not fit an int is refused with
// memmap.ErrTooLarge: its size used to wrap around, and ReadRegion
// returned no bytes and no error for a box of 2^80 items.
func TestReadRegionTooLarge(t *testing.T) {
	t.Parallel()
	if strconv.IntSize < 64 {
		t.Skip("the shapes need a 64-bit int")
	}
	const big = math.MaxInt >> 23 // 2^40 - 1
	a, err := zarr.Create(filepath.Join(t.TempDir(), "a.zarr"), "<f8", []int{big, big}, []int{1 << 20, 1 << 8})
	require.NoError(t, err)
	for _, shape := range [][]int{{big, big}, {big, 1 << 21}} {
		b, err := a.ReadRegion([]int{0, 0}, shape, nil)
		require.ErrorIs(t, err, memmap.ErrTooLarge, "shape %v", shape)
		require.Nil(t, b)
	}
	b, err := a.ReadRegion([]int{big / 2, 7}, []int{2, 3}, nil)
	require.NoError(t, err)
	require.Equal(t, make([]byte, 2*3*8), b, "a small region of missing chunks is the fill value")
	// ToRaw refuses the array before touching its path: it used to
	// remove a file already there.
	existing := filepath.Join(t.TempDir(), "existing.raw")
	require.NoError(t, os.WriteFile(existing, []byte("keep"), 0o644))
	require.ErrorIs(t, zarr.ToRaw(a, existing), memmap.ErrTooLarge)
	kept, err := os.ReadFile(existing)
	require.NoError(t, err)
	require.Equal(t, "keep", string(kept))
}

// ToNPY writes fortran_order as np.save(path, z[...]) does: True only for
// an array that is not C-contiguous too, so a Fortran-order store with a
// zero-length axis, or with at most one axis longer than 1, gives a C-order
// header (the same bytes); it used to say Fortran for every store of two
// or more axes.
func TestToNPYFortranFlagAsNPSave(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		shape   []int
		fortran bool
	}{
		{[]int{4, 0, 3}, false},
		{[]int{1, 5}, false},
		{[]int{5, 1, 1}, false},
		{[]int{1, 1}, false},
		{[]int{2, 3}, true},
		{[]int{2, 1, 3}, true},
	} {
		chunks := make([]int, len(c.shape))
		for i := range chunks {
			chunks[i] = 2
		}
		a, err := zarr.Create(filepath.Join(t.TempDir(), "a.zarr"), "<i2", c.shape, chunks, zarr.WithFortranOrder(true))
		require.NoError(t, err)
		out := filepath.Join(t.TempDir(), "out.npy")
		require.NoError(t, zarr.ToNPY(a, out))
		f, err := mmarray.Open(out, mmarray.ReadOnly)
		require.NoError(t, err)
		require.Equal(t, c.fortran, f.FortranOrder(), "shape %v", c.shape)
		require.NoError(t, f.Close())
	}
}

// A member name with a "." or ".." segment is refused with fs.ErrInvalid,
// as zarr-python refuses it, by Group.Open, Group.Group and Group.Create:
// "../x" used to reach a sibling of the group's folder.
func TestGroupRefusesNamesOutsideIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g, err := zarr.CreateGroup(filepath.Join(dir, "g.zarr"), nil)
	require.NoError(t, err)
	_, err = zarr.Create(filepath.Join(dir, "outside"), "<i2", []int{3}, []int{2})
	require.NoError(t, err)
	_, err = zarr.CreateGroup(filepath.Join(dir, "outsidegroup"), nil)
	require.NoError(t, err)
	_, err = g.Create("sub/a", "<i2", []int{3}, []int{2})
	require.NoError(t, err)
	for _, name := range []string{"../outside", "sub/../../outside", "./sub/a", "sub/./a", "sub/a/.", "..", ".", ""} {
		_, err := g.Open(name)
		require.ErrorIs(t, err, fs.ErrInvalid, "Open(%q)", name)
		_, err = g.Group(strings.Replace(name, "outside", "outsidegroup", 1))
		require.ErrorIs(t, err, fs.ErrInvalid, "Group(%q)", name)
	}
	for _, name := range []string{"../outsidenew", "sub/../../outsidenew", "./new", "sub/./new", "new/.."} {
		_, err = g.Create(name, "<i2", []int{3}, []int{2})
		require.ErrorIs(t, err, fs.ErrInvalid, "Create(%q)", name)
	}
	_, err = os.Stat(filepath.Join(dir, "outsidenew"))
	require.ErrorIs(t, err, fs.ErrNotExist, "nothing created outside the group")
	a, err := g.Open("/sub//a/")
	require.NoError(t, err, "slashes are dropped, as zarr-python drops them")
	require.Equal(t, []int{3}, a.Shape())
}

// Members lists a member whose folder is a symbolic link, as zarr-python
// lists it (its listing follows links): it used to be left out, though
// Open reads it.
func TestMembersFollowLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g, err := zarr.CreateGroup(filepath.Join(dir, "g.zarr"), nil)
	require.NoError(t, err)
	_, err = zarr.Create(filepath.Join(dir, "elsewhere"), "<i2", []int{3}, []int{2})
	require.NoError(t, err)
	_, err = zarr.CreateGroup(filepath.Join(dir, "elsewheregroup"), nil)
	require.NoError(t, err)
	require.NoError(t, os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(g.Path(), "linked")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "elsewheregroup"), filepath.Join(g.Path(), "linkedgroup")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(g.Path(), "dangling")))
	arrays, groups, err := g.Members()
	require.NoError(t, err)
	require.Equal(t, []string{"linked"}, arrays)
	require.Equal(t, []string{"linkedgroup"}, groups)
	a, err := g.Open("linked")
	require.NoError(t, err)
	require.Equal(t, []int{3}, a.Shape())
}

// Attributes JSON cannot hold (NaN) are refused by SetAttrs and WithAttrs
// with memmap.ErrUnsupported, as the Caveats say, and the old ones stay.
func TestNonFiniteAttrsAreNotWritten(t *testing.T) {
	t.Parallel()
	a, err := zarr.Create(filepath.Join(t.TempDir(), "a.zarr"), "<f8", []int{3}, []int{2}, zarr.WithAttrs(map[string]any{"k": 1.0}))
	require.NoError(t, err)
	require.ErrorIs(t, a.SetAttrs(map[string]any{"x": math.NaN()}), memmap.ErrUnsupported)
	reopened, err := zarr.Open(a.Path())
	require.NoError(t, err)
	require.Equal(t, map[string]any{"k": 1.0}, reopened.Attrs())
	_, err = zarr.Create(filepath.Join(t.TempDir(), "b.zarr"), "<f8", []int{3}, []int{2}, zarr.WithAttrs(map[string]any{"x": math.Inf(1)}))
	require.ErrorIs(t, err, memmap.ErrUnsupported)
}

// Every chunk FromFile writes, edge chunks encoded from the mapping
// included, decodes to the items at its place in the chunk's order and
// the fill value past the array's edge, built here from the source's
// definition: for C and Fortran files and chunks, edges cut along the
// outermost axis only (encoded from the mapping), along others too, and
// chunks larger than the array; zero, non-zero and null fills; Blosc with
// several blocks per chunk (the edge inside one), zlib, and v3's crc32c.
func TestFromFileChunksHoldItemsAndFill(t *testing.T) {
	t.Parallel()
	fills := map[string][]byte{"zero": nil, "minus-seven": binary.LittleEndian.AppendUint32(nil, 0xFFFFFFF9), "null": nil}
	codecs := map[string]codec.Codec{
		"blosc": codec.NewBlosc("lz4", 1, codec.ByteShuffle, 0), // blocks of 64 KiB
		"zlib":  codec.NewZlib(1),
		"crc":   nil, // v3's crc32c
	}
	cases := []struct{ full, chunks []int }{
		{[]int{100_000}, []int{70_000}},
		{[]int{50_000}, []int{70_000}},
		{[]int{13, 7, 5}, []int{4, 7, 5}},
		{[]int{13, 7, 5}, []int{4, 3, 5}},
		{[]int{13, 7, 5}, []int{13, 7, 2}},
		{[]int{3, 20_000}, []int{2, 20_000}},
		{[]int{20_000, 3}, []int{20_000, 2}},
		{[]int{20_000, 3}, []int{30_000, 3}},
	}
	for _, c := range cases {
		for _, srcFortran := range []bool{false, true} {
			src := int32Source(t, c.full, srcFortran)
			for _, chunkFortran := range []bool{false, true} {
				for fillName, fill := range fills {
					for codecName, cd := range codecs {
						name := fmt.Sprintf("%v in chunks %v, file F %v, chunks F %v, fill %s, %s", c.full, c.chunks, srcFortran, chunkFortran, fillName, codecName)
						opts := []zarr.FromFileOption{zarr.WithChunks(c.chunks...), zarr.WithFortranOrder(chunkFortran)}
						if fillName != "zero" {
							opts = append(opts, zarr.WithFill(fill))
						}
						if cd != nil {
							opts = append(opts, zarr.WithCodec(cd))
						} else {
							crc, err := codec.FromV3("crc32c", nil)
							require.NoError(t, err)
							opts = append(opts, zarr.WithFormat(3), zarr.WithCodec(crc))
						}
						a, err := zarr.FromFile(src, filepath.Join(t.TempDir(), "a.zarr"), opts...)
						require.NoError(t, err, name)
						checkChunksHoldItemsAndFill(t, name, a, c.full, c.chunks, chunkFortran, fill)
					}
				}
			}
		}
	}
}

// checkChunksHoldItemsAndFill checks every chunk of a, an int32 array of
// shape full whose item at flat C index i is i, against its definition.
func checkChunksHoldItemsAndFill(t *testing.T, name string, a *zarr.Array, full, chunks []int, fortran bool, fill []byte) {
	t.Helper()
	grid := a.GridShape()
	count := 1
	for _, n := range grid {
		count *= n
	}
	chunkLen := 1
	for _, n := range chunks {
		chunkLen *= n
	}
	idx := make([]int, len(grid))
	for range count {
		got, err := a.ReadChunk(idx, nil)
		require.NoError(t, err, name)
		want := make([]byte, 0, 4*chunkLen)
		pos := make([]int, len(chunks))
		for range chunkLen {
			inside, flat := true, 0
			for axis := range chunks {
				coord := idx[axis]*chunks[axis] + pos[axis]
				inside = inside && coord < full[axis]
				flat = flat*full[axis] + coord
			}
			switch {
			case inside:
				want = binary.LittleEndian.AppendUint32(want, uint32(flat))
			case fill == nil:
				want = append(want, 0, 0, 0, 0)
			default:
				want = append(want, fill...)
			}
			// The next position in the chunk's order.
			for k := range chunks {
				axis := len(chunks) - 1 - k
				if fortran {
					axis = k
				}
				if pos[axis]++; pos[axis] < chunks[axis] {
					break
				}
				pos[axis] = 0
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: chunk %v differs from its items and fill", name, idx)
		}
		for axis := len(grid) - 1; axis >= 0; axis-- {
			if idx[axis]++; idx[axis] < grid[axis] {
				break
			}
			idx[axis] = 0
		}
	}
}
