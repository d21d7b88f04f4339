package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/internal/bytesize"
	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npz"
	"github.com/go-memmap/memmap/zarr"
	"github.com/go-memmap/memmap/zarr/codec"
)

// zarrArgs are convert's flags for a Zarr output.
type zarrArgs struct {
	chunks string
	codec  string
	format int
}

func (z *zarrArgs) register(fs *flag.FlagSet) {
	fs.StringVar(&z.chunks, "chunks", "", "Zarr output: the chunk shape, comma-separated (default: zarr-python's guess, chunks of 1 to 8 MiB)")
	fs.StringVar(&z.codec, "codec", "blosc-lz4", "Zarr output: none, zlib, gzip, zstd, lz4, blosc-lz4, blosc-zstd or blosc-zlib")
	fs.IntVar(&z.format, "zarr-format", 2, "Zarr output: the format, 2 (zarr-python 2, Dask) or 3 (zarr.json)")
}

// zarrRunArgs are convert's flags for a conversion into or out of a Zarr
// store: the workers and the memory budget of zarr's conversions.
type zarrRunArgs struct {
	workers int
	memory  string
}

func (r *zarrRunArgs) register(fs *flag.FlagSet) {
	fs.IntVar(&r.workers, "workers", 0, "Zarr conversions: chunks converted at once (default: GOMAXPROCS, within --memory)")
	fs.StringVar(&r.memory, "memory", "", "Zarr conversions: bound the memory the workers hold, e.g. 256MiB (default: a quarter of the memory available)")
}

// options are the zarr run options of the flags, checked.
func (r *zarrRunArgs) options() ([]zarr.RunOption, error) {
	if r.workers < 0 {
		return nil, fmt.Errorf("--workers: must not be negative, not %d", r.workers)
	}
	opts := []zarr.RunOption{zarr.WithWorkers(r.workers)}
	if r.memory != "" {
		budget, err := bytesize.Parse(r.memory)
		if err != nil {
			return nil, fmt.Errorf("--memory: %w", err)
		}
		opts = append(opts, zarr.WithMemory(budget))
	}
	return opts, nil
}

// given names the Zarr flags set on the command line.
func (z *zarrArgs) given(set map[string]bool) []string {
	var names []string
	for _, name := range []string{"chunks", "codec", "zarr-format"} {
		if set[name] {
			names = append(names, "--"+name)
		}
	}
	return names
}

// isStore reports whether path names a Zarr store, as an input or an
// output: a name ending in .zarr (in any case, a trailing separator
// allowed), or an existing folder holding a .zarray, a .zgroup or a v3
// zarr.json (a member of a group, "data.zarr/name", is one).
func isStore(path string) bool {
	trimmed := strings.TrimRight(path, "/"+string(filepath.Separator))
	if strings.EqualFold(filepath.Ext(trimmed), ".zarr") {
		return true
	}
	for _, meta := range []string{".zarray", ".zgroup", "zarr.json"} {
		if st, err := os.Stat(filepath.Join(path, meta)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// openGroup opens path as a Zarr group (v2 or v3) when it is one and not
// an array; nil when it is not.
func openGroup(path string) *zarr.Group {
	if _, err := zarr.Open(path); err == nil {
		return nil
	}
	g, err := zarr.OpenGroup(path)
	if err != nil {
		return nil
	}
	return g
}

// openStore opens the Zarr array at path for cmd; a group is refused with
// the names of its arrays, since it holds several.
func openStore(cmd, path string) (*zarr.Array, error) {
	a, err := zarr.Open(path)
	if err == nil {
		return a, nil
	}
	if g := openGroup(path); g != nil {
		arrays, _, err := g.Members()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s %s: a Zarr group holds several arrays; name one as %s (arrays: %s)",
			cmd, path, filepath.Join(path, "NAME"), strings.Join(arrays, ", "))
	}
	return nil, err
}

// parseChunks reads --chunks for an array of rank ndim.
func parseChunks(s string, ndim int) ([]int, error) {
	chunks, err := parseShape(s)
	if err != nil {
		return nil, fmt.Errorf("--chunks: %q is not a list of positive integers", s)
	}
	if len(chunks) != ndim {
		return nil, fmt.Errorf("--chunks: %d lengths for an array of %d axes", len(chunks), ndim)
	}
	for _, n := range chunks {
		if n <= 0 {
			return nil, fmt.Errorf("--chunks: %q is not a list of positive integers", s)
		}
	}
	return chunks, nil
}

// writeStore converts f into a new Zarr store at output (zarr.FromFile),
// with the chunks and codec of z and, on a terminal, a progress bar of the
// array's bytes. The store is written into a hidden temporary folder beside
// output and renamed onto it when complete, so that a conversion that fails
// or is interrupted never leaves a store under output's name. output must
// not exist, or be an empty folder: a store is a folder of files, which a
// rename cannot replace whole.
func writeStore(f *mmarray.File, output string, z zarrArgs, run []zarr.RunOption, stderr io.Writer) error {
	if z.format != 2 && z.format != 3 {
		return fmt.Errorf("--zarr-format: 2 or 3, not %d", z.format)
	}
	c, err := codec.Parse(z.codec)
	if err != nil {
		return fmt.Errorf("--codec: %w", err)
	}
	if z.format == 3 && c != nil {
		if _, _, err := codec.V3Config(c); err != nil {
			return fmt.Errorf("--codec %s: not a codec of Zarr v3 (gzip, zstd and blosc are)", z.codec)
		}
	}
	opts := []zarr.FromFileOption{zarr.WithCodec(c), zarr.WithFormat(z.format)}
	for _, o := range run {
		opts = append(opts, o)
	}
	if z.chunks != "" {
		chunks, err := parseChunks(z.chunks, len(f.Shape()))
		if err != nil {
			return err
		}
		opts = append(opts, zarr.WithChunks(chunks...))
	}
	output = strings.TrimRight(output, "/"+string(filepath.Separator))
	if err := checkStoreOutput(output); err != nil {
		return err
	}
	total, _ := f.Header().DataSize()
	if bar := newBar(stderr, "convert", total); bar != nil {
		defer bar.Finish()
		opts = append(opts, zarr.WithProgress(func(done, _ int64) { _ = bar.Set64(done) }))
	}
	tmp, err := os.MkdirTemp(filepath.Dir(output), "."+filepath.Base(output)+".tmp-")
	if err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	defer os.RemoveAll(tmp) // after an error; nothing is left there after the rename
	// MkdirTemp's folder is private (0700); a store gets what mkdir gives
	// under the usual umask, as zarr-python's folders do.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	if _, err := zarr.FromFile(f, tmp, opts...); err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	if err := os.Rename(tmp, output); err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	return nil
}

// checkStoreOutput refuses an output that exists and is not an empty
// folder.
func checkStoreOutput(output string) error {
	st, err := os.Stat(output)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("convert to %s: %w: a file is there, not a folder for a Zarr store", output, fs.ErrExist)
	}
	entries, err := os.ReadDir(output)
	if err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("convert to %s: %w: the folder is not empty (a store is never overwritten; remove it first)", output, fs.ErrExist)
	}
	return nil
}

// readStore converts the Zarr array at input into a new .npy file
// (zarr.ToNPY), raw file (zarr.ToRaw: C order, the store's dtype) or
// archive member OUT.npz[:NAME] at output, written under a temporary name
// beside output and renamed when complete, as convert's other outputs
// are. A member is first written as an .npy file beside the archive
// (hidden, removed when done) and then packed: the disk holds the array
// twice meanwhile.
func readStore(input, output string, run []zarr.RunOption, stderr io.Writer) error {
	archive, member := archiveOutput(output)
	switch {
	case archive != "":
	case isStore(output) || (formatOf(output) != formatNPY && formatOf(output) != formatRaw):
		return fmt.Errorf("convert %s: a Zarr store converts to an .npy file, a raw file (.raw, .bin) or an .npz member, not to %s", input, output)
	case strings.HasSuffix(output, ".gz"):
		return fmt.Errorf("convert %s: an .npy or raw output is not compressed, not %s", input, output)
	}
	a, err := openStore("convert", input)
	if err != nil {
		return err
	}
	var opts []zarr.ToNPYOption
	for _, o := range run {
		opts = append(opts, o)
	}
	total, _ := arrayBytes(a.Shape(), a.DType().ItemSize) // 0, no bar, for an array no file can hold
	if bar := newBar(stderr, "convert", total); bar != nil {
		defer bar.Finish()
		opts = append(opts, zarr.WithProgress(func(done, _ int64) { _ = bar.Set64(done) }))
	}
	if archive != "" {
		if member == "" {
			member = memberName(strings.TrimRight(input, "/"+string(filepath.Separator)))
		}
		return storeToMember(a, archive, member, opts)
	}
	tmp, err := atomicfile.Create(output)
	if err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	defer tmp.Abort() // after an error; nothing after Commit
	// ToNPY and ToRaw truncate and write the temporary file in place (the
	// same file Commit syncs and renames).
	if formatOf(output) == formatRaw {
		err = zarr.ToRaw(a, tmp.Temp().Name(), opts...)
	} else {
		err = zarr.ToNPY(a, tmp.Temp().Name(), opts...)
	}
	if err != nil {
		return err
	}
	if err := tmp.Commit(); err != nil {
		return fmt.Errorf("convert to %s: %w", output, err)
	}
	return nil
}

// storeToMember writes the Zarr array a into a new archive at archive as
// its one member, name: converted into a hidden .npy file beside the
// archive, which is then packed (stored, as np.savez stores it) and
// removed.
func storeToMember(a *zarr.Array, archive, name string, opts []zarr.ToNPYOption) error {
	tmp, err := os.CreateTemp(filepath.Dir(archive), "."+filepath.Base(archive)+".member-*.npy")
	if err != nil {
		return fmt.Errorf("convert to %s: %w", archive, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := zarr.ToNPY(a, tmp.Name(), opts...); err != nil {
		return err
	}
	f, err := mmarray.Open(tmp.Name(), mmarray.ReadOnly)
	if err != nil {
		return fmt.Errorf("convert to %s: %w", archive, err)
	}
	defer f.Close()
	return writeAtomically(archive, func(w io.Writer) error {
		zw := npz.NewWriter(w)
		if err := zw.WriteArray(name, f); err != nil {
			return err
		}
		return zw.Close()
	})
}

// arrayBytes is the number of bytes of an array of shape and items of
// itemSize bytes (1 for the item count), false when it passes 2^62.
func arrayBytes(shape []int, itemSize int) (int64, bool) {
	n := int64(1)
	for _, d := range append([]int{itemSize}, shape...) {
		if d != 0 && n > (1<<62)/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// printStore prints what info shows of a Zarr array: its metadata and what
// its chunks take on disk.
func printStore(w io.Writer, indent string, a *zarr.Array) error {
	dt := a.DType()
	fmt.Fprintf(w, "%sformat       zarr %d\n", indent, a.ZarrFormat())
	fmt.Fprintf(w, "%sdescr        %s\n", indent, dt.Repr())
	if dt.Structured() {
		fmt.Fprintf(w, "%sfields\n", indent)
		printFields(w, indent+"  ", dt.Fields)
	}
	fmt.Fprintf(w, "%sshape        %s\n", indent, nprepr.Shape(a.Shape()))
	fmt.Fprintf(w, "%schunks       %s\n", indent, nprepr.Shape(a.ChunkShape()))
	order := "C"
	if a.FortranOrder() {
		order = "F"
	}
	fmt.Fprintf(w, "%sorder        %s\n", indent, order)
	config := "none"
	if c := a.Codec(); c != nil {
		// The compressor as a v2 .zarray holds it, the codec's name and
		// configuration for v3 (the bytes and transpose codecs that v3
		// lists too are the dtype's byte order and the order above).
		value := any(c.Config())
		if a.ZarrFormat() == 3 {
			name, configuration, err := codec.V3Config(c)
			if err != nil {
				return err
			}
			value = map[string]any{"name": name, "configuration": configuration}
		}
		b, err := json.Marshal(value) // sorted keys
		if err != nil {
			return err
		}
		config = string(b)
	}
	fmt.Fprintf(w, "%scodec        %s\n", indent, config)
	fill, err := fillText(a)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%sfill_value   %s\n", indent, fill)
	u, err := storeUsage(a)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%sstored       %d of %d chunks\n", indent, u.stored, u.grid)
	size, ok := arrayBytes(a.Shape(), dt.ItemSize)
	if ok {
		fmt.Fprintf(w, "%sbytes        %d\n", indent, size)
	}
	fmt.Fprintf(w, "%sstored bytes %d\n", indent, u.bytes)
	if ok && u.bytes > 0 {
		fmt.Fprintf(w, "%sratio        %.2f\n", indent, float64(size)/float64(u.bytes))
	} else {
		fmt.Fprintf(w, "%sratio        -\n", indent)
	}
	return nil
}

// fillText is the fill value as NumPy prints an item of the array's dtype
// ("0.0", "nan", a tuple for a structured dtype), or None for zarr's null.
func fillText(a *zarr.Array) (string, error) {
	item := a.FillValue()
	if item == nil {
		return "None", nil
	}
	f, err := mmarray.OpenRawBytes("fill_value", item, mmarray.ReadOnly, a.Descr(), []int{1})
	if err != nil {
		return "", err
	}
	defer f.Close()
	t, err := nprepr.Columns(f)
	if err != nil {
		return "", err
	}
	if !a.DType().Structured() {
		return string(t.Columns[0].Append(nil, 0)), nil
	}
	return string(nprepr.AppendTuple(nil, len(t.Columns), func(dst []byte, i int) []byte {
		return t.Columns[i].Append(dst, 0)
	})), nil
}

// chunkUsage is what a store takes: how many of the grid's chunks are
// stored, and the bytes of their files and of the metadata files, as
// zarr-python's nchunks_initialized and nbytes_stored count them.
type chunkUsage struct {
	stored, grid, bytes int64
}

// storeUsage looks up the file of each chunk of the grid (a missing one
// reads as the fill value) and the array's metadata files.
func storeUsage(a *zarr.Array) (chunkUsage, error) {
	grid := a.GridShape()
	var u chunkUsage
	n, ok := arrayBytes(grid, 1)
	if !ok {
		return u, fmt.Errorf("info %s: a grid of %s chunks: %w", a.Path(), nprepr.Shape(grid), memmap.ErrTooLarge)
	}
	u.grid = n
	for _, meta := range []string{".zarray", ".zattrs", "zarr.json"} {
		if st, err := os.Stat(filepath.Join(a.Path(), meta)); err == nil {
			u.bytes += st.Size()
		}
	}
	idx := make([]int, len(grid))
	for range n {
		st, err := os.Stat(filepath.Join(a.Path(), filepath.FromSlash(a.Key(idx))))
		switch {
		case err == nil:
			u.stored++
			u.bytes += st.Size()
		case !errors.Is(err, fs.ErrNotExist):
			return u, fmt.Errorf("info %s: %w", a.Path(), err)
		}
		for i := len(idx) - 1; i >= 0; i-- { // the next index in C order
			if idx[i]++; idx[i] < grid[i] {
				break
			}
			idx[i] = 0
		}
	}
	return u, nil
}

// printStoreInfo is info for a Zarr store: an array, or each array of a
// group (and of its groups, depth first).
func printStoreInfo(w io.Writer, path string) error {
	g := openGroup(path)
	if g == nil {
		a, err := zarr.Open(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: Zarr array\n", path)
		return printStore(w, "  ", a)
	}
	names, err := groupArrays(g, "")
	if err != nil {
		return err
	}
	plural := "s"
	if len(names) == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "%s: Zarr group, %d array%s\n", path, len(names), plural)
	bad := 0
	for _, name := range names {
		fmt.Fprintf(w, "array %q\n", name)
		a, err := g.Open(name)
		if err == nil {
			err = printStore(w, "  ", a)
		}
		if err != nil {
			bad++
			fmt.Fprintf(w, "  error        %s\n", oneLine(err))
		}
	}
	if bad > 0 {
		return fmt.Errorf("info %s: %d of %d arrays: %w", path, bad, len(names), errMembers)
	}
	return nil
}

// groupArrays lists the arrays of g and of its groups, as paths relative
// to g ("a", "sub/b"), each group's arrays before its groups'.
func groupArrays(g *zarr.Group, prefix string) ([]string, error) {
	arrays, groups, err := g.Members()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, a := range arrays {
		names = append(names, prefix+a)
	}
	for _, name := range groups {
		sub, err := g.Group(name)
		if err != nil {
			return nil, err
		}
		more, err := groupArrays(sub, prefix+name+"/")
		if err != nil {
			return nil, err
		}
		names = append(names, more...)
	}
	return names, nil
}

// headStore prints the first n rows of the Zarr array at path, read with
// ReadRegion (only the chunks of those rows are decoded).
func headStore(w io.Writer, path string, n int) error {
	a, err := openStore("head", path)
	if err != nil {
		return err
	}
	shape := a.Shape()
	start := make([]int, len(shape))
	if len(shape) > 0 {
		shape[0] = min(shape[0], n)
	}
	b, err := a.ReadRegion(start, shape, nil)
	if err != nil {
		return err
	}
	f, err := mmarray.OpenRawBytes(path, b, mmarray.ReadOnly, a.Descr(), shape)
	if err != nil {
		return err
	}
	defer f.Close()
	return printHead(w, f, n)
}
