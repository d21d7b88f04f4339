package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-memmap/memmap/internal/atomicfile"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
	"github.com/go-memmap/memmap/text"
	"github.com/go-memmap/memmap/zarr"
	"github.com/schollz/progressbar/v3"
)

// format is a kind of file convert reads or writes, known by its name's
// extension.
type format int

const (
	formatNPY format = iota
	formatNPZ
	formatRaw
	formatText
	formatZarr
)

// formatOf names path's format: .npz, .raw and .bin, .csv, .txt and .tsv
// (each also with .gz), .zarr (a Zarr store, a folder), and .npy for
// anything else. The extensions are
// known in any case, but .gz only in lower case (checkGzipCase), as NumPy
// decompresses and compresses only names ending in ".gz".
func formatOf(path string) format {
	name := strings.ToLower(strings.TrimSuffix(path, string(filepath.Separator)))
	name = strings.TrimSuffix(name, ".gz")
	switch filepath.Ext(name) {
	case ".npz":
		return formatNPZ
	case ".raw", ".bin":
		return formatRaw
	case ".csv", ".txt", ".tsv":
		return formatText
	case ".zarr":
		return formatZarr
	}
	return formatNPY
}

// checkGzipCase refuses a name ending in .gz in another case (.GZ, .Gz):
// np.loadtxt and np.savetxt, and the text package, take such a file for
// plain text, which the user hardly means.
func checkGzipCase(name string) error {
	if ext := name[max(len(name)-3, 0):]; strings.EqualFold(ext, ".gz") && ext != ".gz" {
		return fmt.Errorf("convert %s: a compressed file's name ends in .gz, in lower case (NumPy reads and writes any other name as plain text)", name)
	}
	return nil
}

// textArgs are the keywords of np.loadtxt, np.genfromtxt and np.savetxt
// for a text input or output. --delimiter and --comments serve both ways;
// unset, each takes its direction's default (white space and "#" to read,
// " " and "# " to write).
type textArgs struct {
	fmts, comments                     multiString
	delimiter, newline, header, footer string
	skipRows, skipHeader, skipFooter   int
	maxRows                            int64
	useCols, quoteChar, reader         string
	names                              bool
	missing, filling                   multiString
	set                                map[string]bool // the flags given
}

// multiString is a flag that may be given several times.
type multiString []string

func (m *multiString) String() string     { return strings.Join(*m, " ") }
func (m *multiString) Set(s string) error { *m = append(*m, s); return nil }

func (t *textArgs) register(fs *flag.FlagSet) {
	fs.Var(&t.fmts, "fmt", "text output: np.savetxt's fmt, one for the row or, given once per column, one for each (default %.18e)")
	fs.StringVar(&t.delimiter, "delimiter", "", "text: the column delimiter (default: white space to read, a space to write)")
	fs.Var(&t.comments, "comments", "text: comment markers to read (repeat for several; default #), the header's prefix to write (default '# ')")
	fs.StringVar(&t.newline, "newline", "\n", "text output: the line end")
	fs.StringVar(&t.header, "header", "", "text output: a header line, written after --comments")
	fs.StringVar(&t.footer, "footer", "", "text output: a footer line, written after --comments")
	fs.IntVar(&t.skipRows, "skiprows", 0, "text input: lines to skip first, comments included")
	fs.StringVar(&t.useCols, "usecols", "", "text input: the columns to read, comma-separated, from 0 (negative from the end)")
	fs.Int64Var(&t.maxRows, "max-rows", 0, "text input: the rows of data to read at most (default all)")
	fs.StringVar(&t.quoteChar, "quotechar", "", "text input: the character that quotes a field (default: no quoting)")
	fs.StringVar(&t.reader, "reader", "loadtxt", "text input: loadtxt (streaming) or genfromtxt (missing values, names, inferred types; in memory)")
	fs.BoolVar(&t.names, "names", false, "genfromtxt: the first line names the columns")
	fs.Var(&t.missing, "missing-values", "genfromtxt: text that marks a missing value (repeatable)")
	fs.Var(&t.filling, "filling-values", "genfromtxt: the values of missing ones, one for all columns or one per column (repeatable)")
	fs.IntVar(&t.skipHeader, "skip-header", 0, "genfromtxt: lines to skip at the start")
	fs.IntVar(&t.skipFooter, "skip-footer", 0, "genfromtxt: lines to skip at the end")
}

// visit records which flags were given.
func (t *textArgs) visit(fs *flag.FlagSet) {
	t.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { t.set[f.Name] = true })
}

func (t *textArgs) saveOptions() []text.SaveOption {
	opts := []text.SaveOption{text.WithNewline(t.newline), text.WithHeader(t.header), text.WithFooter(t.footer)}
	if t.set["delimiter"] {
		opts = append(opts, text.WithDelimiter(t.delimiter))
	}
	if t.set["comments"] {
		opts = append(opts, text.WithComments(t.comments...))
	}
	switch len(t.fmts) {
	case 0:
	case 1:
		opts = append(opts, text.WithFmt(t.fmts[0]))
	default:
		opts = append(opts, text.WithColumnFmts(t.fmts...))
	}
	return opts
}

// sharedOptions are the reading options loadtxt and genfromtxt share.
func (t *textArgs) sharedOptions(descr string) ([]text.Option, error) {
	var opts []text.Option
	if descr != "" {
		dt, err := npyheader.ParseDescr(descr)
		if err != nil {
			return nil, fmt.Errorf("--dtype: %w", err)
		}
		opts = append(opts, text.WithDType(dt))
	}
	if t.set["delimiter"] {
		if len(t.delimiter) > 1 || t.delimiter == "\n" || t.delimiter == "\r" || t.delimiter >= "\x80" {
			return nil, fmt.Errorf("--delimiter: reading takes one ASCII character other than a line end, not %q", t.delimiter)
		}
		opts = append(opts, text.WithDelimiter(t.delimiter))
	}
	if t.set["comments"] {
		for _, m := range t.comments {
			if m == "" {
				return nil, errors.New("--comments: an empty marker (give none to read without comments)")
			}
		}
		opts = append(opts, text.WithComments(t.comments...))
	}
	if t.maxRows < 0 {
		return nil, fmt.Errorf("--max-rows: must not be negative, not %d", t.maxRows)
	}
	opts = append(opts, text.WithMaxRows(t.maxRows))
	return opts, nil
}

// only refuses the flags of the other reader.
func (t *textArgs) only(reader string, others ...string) error {
	for _, name := range others {
		if t.set[name] {
			return fmt.Errorf("--%s: not a flag of --reader %s", name, reader)
		}
	}
	return nil
}

func (t *textArgs) loadOptions(descr string) ([]text.LoadOption, error) {
	if err := t.only("loadtxt", "names", "missing-values", "filling-values", "skip-header", "skip-footer"); err != nil {
		return nil, err
	}
	shared, err := t.sharedOptions(descr)
	if err != nil {
		return nil, err
	}
	var opts []text.LoadOption
	for _, o := range shared {
		opts = append(opts, o)
	}
	// Every output has the shape of the streamed .npy output (LoadToNPY):
	// np.loadtxt's with ndmin=2, or 1 for a structured dtype.
	ndmin := 2
	if dt, err := npyheader.ParseDescr(descr); err == nil && dt.Structured() {
		ndmin = 1
	}
	opts = append(opts, text.WithNdmin(ndmin))
	if t.skipRows < 0 {
		return nil, fmt.Errorf("--skiprows: must not be negative, not %d", t.skipRows)
	}
	opts = append(opts, text.WithSkipRows(t.skipRows))
	if t.useCols != "" {
		cols, err := parseInts(t.useCols)
		if err != nil {
			return nil, fmt.Errorf("--usecols: %w", err)
		}
		opts = append(opts, text.WithUseCols(cols...))
	}
	if t.quoteChar != "" {
		q := []rune(t.quoteChar)
		if len(q) != 1 || q[0] >= utf8.RuneSelf {
			return nil, fmt.Errorf("--quotechar: one ASCII character, not %q", t.quoteChar)
		}
		opts = append(opts, text.WithQuoteChar(q[0]))
	}
	return opts, nil
}

func (t *textArgs) genOptions(descr string) ([]text.GenOption, error) {
	if err := t.only("genfromtxt", "skiprows", "usecols", "quotechar"); err != nil {
		return nil, err
	}
	shared, err := t.sharedOptions(descr)
	if err != nil {
		return nil, err
	}
	var opts []text.GenOption
	for _, o := range shared {
		opts = append(opts, o)
	}
	if descr == "" {
		opts = append(opts, text.WithInferredDType())
	}
	if t.names {
		opts = append(opts, text.WithNames())
	}
	if len(t.missing) > 0 {
		opts = append(opts, text.WithMissingValues(t.missing...))
	}
	if len(t.filling) > 0 {
		opts = append(opts, text.WithFillingValues(t.filling...))
	}
	if t.skipHeader < 0 || t.skipFooter < 0 {
		return nil, errors.New("--skip-header and --skip-footer must not be negative")
	}
	if t.skipFooter > 0 && t.maxRows > 0 {
		return nil, errors.New("--skip-footer and --max-rows cannot be used together, as in NumPy")
	}
	opts = append(opts, text.WithSkipHeader(t.skipHeader), text.WithSkipFooter(t.skipFooter))
	return opts, nil
}

// parseInts reads "0,2,-1".
func parseInts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("%q is not a list of integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// runConvert converts between .npy files, raw files, .npz archives and
// text: one input to one output, several inputs into an archive, or an
// archive's members into a folder. Each output is written under a
// temporary name in its folder and renamed when complete, so that a failed
// or interrupted conversion never leaves a file under the output's name.
func runConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var raw rawArgs
	raw.register(fs)
	var out textArgs
	out.register(fs)
	var z zarrArgs
	z.register(fs)
	var zrun zarrRunArgs
	zrun.register(fs)
	names, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	out.visit(fs)
	if given := z.given(out.set); len(given) > 0 && (len(names) != 2 || formatOf(names[1]) != formatZarr) {
		return fmt.Errorf("%s: for a Zarr output (IN OUT.zarr)", strings.Join(given, ", "))
	}
	storeIn := len(names) == 2 && isStore(names[0])
	if (out.set["workers"] || out.set["memory"]) && !storeIn && (len(names) != 2 || formatOf(names[1]) != formatZarr) {
		return errors.New("--workers, --memory: for a conversion into or out of a Zarr store (IN OUT.zarr, STORE.zarr OUT)")
	}
	run, err := zrun.options()
	if err != nil {
		return err
	}
	if storeIn {
		if err := raw.check(fs); err != nil {
			return err
		}
		if raw.dtype != "" {
			return fmt.Errorf("--dtype: describes a raw input, not the Zarr store %s", names[0])
		}
		return readStore(names[0], names[1], run, stderr)
	}
	for _, name := range names {
		if err := checkGzipCase(name); err != nil {
			return err
		}
	}
	if len(names) == 2 && formatOf(names[1]) == formatText && len(out.comments) > 1 {
		return fmt.Errorf("--comments: a text output takes one prefix, not %d", len(out.comments))
	}
	if len(names) == 2 && formatOf(names[0]) == formatText && !isFolder(names[1]) {
		// --dtype is the text's dtype here, not a raw file's; the other raw
		// flags describe no text.
		for _, name := range []string{"shape", "offset", "order"} {
			if out.set[name] {
				return fmt.Errorf("--%s: describes a raw input, not the text file %s", name, names[0])
			}
		}
		return convertText(names[0], names[1], raw.dtype, &out, z, run, stderr)
	}
	if err := raw.check(fs); err != nil {
		return err
	}
	if len(names) < 2 {
		return fmt.Errorf("convert: want IN OUT (or IN... OUT.npz, or ARCHIVE.npz FOLDER/), got %d names", len(names))
	}
	inputs, output := names[:len(names)-1], names[len(names)-1]
	switch archive, _ := archiveOutput(output); {
	case len(inputs) > 1 && formatOf(output) == formatZarr:
		return fmt.Errorf("convert: %d inputs into %s: a Zarr store takes one", len(inputs), output)
	case archive != "":
		return packArchive(inputs, output, raw, stderr)
	case len(inputs) > 1:
		return fmt.Errorf("convert: %d inputs into %s: only an .npz archive takes several", len(inputs), output)
	case isFolder(output) && formatOf(output) != formatZarr:
		return extractArchive(inputs[0], output, stderr)
	}
	f, err := openInput(inputs[0], raw)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeArray(f, output, out, z, run, stderr)
}

// isFolder reports whether path names a folder: an existing one, or a name
// ending in a separator.
func isFolder(path string) bool {
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// openInput maps one input array: an .npy file, a raw file (--dtype), or a
// member ARCHIVE.npz:NAME.
func openInput(path string, raw rawArgs) (*mmarray.File, error) {
	if formatOf(path) == formatText {
		return nil, fmt.Errorf("convert %s: a text input converts to one file, not into an archive or a folder", path)
	}
	return openArray("convert", path, raw)
}

// convertText reads the text file in (gzip-compressed when its name ends
// in .gz) as np.loadtxt reads it, streaming it into out when out is an .npy
// file (its shape is loadtxt's before it squeezes: rows by columns, or rows
// of a structured dtype), or as np.genfromtxt reads it (--reader
// genfromtxt, in memory); other outputs are written from the array read.
func convertText(in, out, descr string, t *textArgs, z zarrArgs, run []zarr.RunOption, stderr io.Writer) error {
	var f *mmarray.File
	archive, member := archiveOutput(out)
	switch t.reader {
	case "loadtxt":
		opts, err := t.loadOptions(descr)
		if err != nil {
			return err
		}
		if formatOf(out) == formatNPY && archive == "" {
			return loadTextToNPY(in, out, opts, stderr)
		}
		if f, err = text.LoadArrayFile(in, opts...); err != nil {
			return err
		}
	case "genfromtxt":
		opts, err := t.genOptions(descr)
		if err != nil {
			return err
		}
		r, err := text.GenfromtxtFile(in, opts...)
		if err != nil {
			return err
		}
		f = r.Data
		if r.Mask != nil {
			r.Mask.Close()
		}
	default:
		return fmt.Errorf("--reader: loadtxt or genfromtxt, not %q", t.reader)
	}
	defer f.Close()
	if archive != "" {
		if member == "" {
			member = memberName(in)
		}
		return writeAtomically(archive, func(w io.Writer) error {
			zw := npz.NewWriter(w)
			if err := zw.WriteArray(member, f); err != nil {
				return err
			}
			return zw.Close()
		})
	}
	return writeArray(f, out, *t, z, run, stderr)
}

// writeArray writes f's array to output in output's format, t's keywords
// for text and z's settings for a Zarr store.
func writeArray(f *mmarray.File, output string, t textArgs, z zarrArgs, run []zarr.RunOption, stderr io.Writer) error {
	total, _ := f.Header().DataSize()
	switch formatOf(output) {
	case formatZarr:
		return writeStore(f, output, z, run, stderr)
	case formatText:
		// The text's length is not known beforehand: the bar counts the
		// bytes written, without a total.
		return writeCounted(output, newSpinner(stderr, "convert", total), func(w io.Writer) error {
			return text.SaveArray(w, f, t.saveOptions()...)
		})
	case formatRaw:
		if f.FortranOrder() {
			fmt.Fprintf(stderr, "memmap: %s holds the data in Fortran order, as the input does: read it with --order F\n", output)
		}
		return writeCounted(output, newBar(stderr, "convert", total), func(w io.Writer) error {
			_, err := f.WriteDataTo(w)
			return err
		})
	default:
		return writeCounted(output, newBar(stderr, "convert", total), func(w io.Writer) error {
			_, err := f.WriteTo(w)
			return err
		})
	}
}

// packArchive writes the inputs into a new archive at output, each as a
// member named after its input's base name (NAME for ARCHIVE.npz:NAME), or
// as NAME for a single input into output.npz:NAME.
func packArchive(inputs []string, output string, raw rawArgs, stderr io.Writer) error {
	output, name := archiveOutput(output)
	if name != "" && len(inputs) > 1 {
		return fmt.Errorf("convert: a member name (%s) names one input, got %d", name, len(inputs))
	}
	files := make([]*mmarray.File, len(inputs))
	names := make([]string, len(inputs))
	var total int64
	for i, in := range inputs {
		f, err := openInput(in, raw)
		if err != nil {
			return err
		}
		defer f.Close()
		files[i] = f
		n, _ := f.Header().DataSize()
		total += n
		names[i] = name
		if name == "" {
			names[i] = memberName(in)
		}
	}
	return writeCounted(output, newBar(stderr, "convert", total), func(w io.Writer) error {
		zw := npz.NewWriter(w)
		for i, f := range files {
			if err := zw.WriteArray(names[i], f); err != nil {
				return err
			}
		}
		return zw.Close()
	})
}

// archiveOutput splits an output ARCHIVE.npz:NAME into the archive's path
// and the member's name; an output ARCHIVE.npz has no name, and any other
// output is no archive ("").
func archiveOutput(output string) (archive, name string) {
	if i := strings.LastIndexByte(output, ':'); i > 0 && formatOf(output[:i]) == formatNPZ {
		return output[:i], output[i+1:]
	}
	if formatOf(output) == formatNPZ {
		return output, ""
	}
	return "", ""
}

// memberName is the archive member an input becomes: NAME of
// ARCHIVE.npz:NAME, else the file's base name without its extension.
func memberName(input string) string {
	if _, member, ok := splitMember(input); ok {
		return strings.TrimSuffix(member, ".npy")
	}
	base := filepath.Base(input)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// extractArchive writes each member of the archive at input into folder as
// NAME.npy, NAME being the last element of the member's key. Names that
// would collide (a/x and b/x), or that are empty, are refused before
// anything is written; each file is written atomically, but a failure
// part-way leaves the members written before it.
func extractArchive(input, folder string, stderr io.Writer) error {
	a, err := npz.Open(input, mmarray.ReadOnly)
	if err != nil {
		return err
	}
	defer a.Close()
	members := a.Members()
	outputs := make([]string, len(members))
	byOutput := make(map[string]string, len(members))
	for i, m := range members {
		base := filepath.Base(filepath.FromSlash(m.Key))
		if base == "." || base == ".." || base == string(filepath.Separator) {
			return fmt.Errorf("convert %s: member %q names no file to extract it to", input, m.Name)
		}
		if other, ok := byOutput[base]; ok {
			return fmt.Errorf("convert %s: members %q and %q would both be extracted to %s.npy", input, other, m.Name, base)
		}
		byOutput[base] = m.Name
		outputs[i] = filepath.Join(folder, base+".npy")
	}
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	for i, m := range members {
		f, err := a.Open(m.Name)
		if err != nil {
			return err
		}
		err = writeArray(f, outputs[i], textArgs{}, zarrArgs{}, nil, stderr)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// loadTextToNPY streams the text file in into a new .npy file out
// (text.LoadFileToNPY), with, on a terminal, a progress bar of the file's
// bytes read (compressed ones for .gz) for a file of progressMinBytes or
// more.
func loadTextToNPY(in, out string, opts []text.LoadOption, stderr io.Writer) error {
	st, err := os.Stat(in)
	if err != nil {
		return err
	}
	if bar := newBar(stderr, "convert", st.Size()); bar != nil {
		defer bar.Finish()
		opts = append(opts, text.WithProgress(func(done, _ int64) { bar.Set64(done) }))
	}
	_, err = text.LoadFileToNPY(in, out, opts...)
	return err
}

// writeCounted is writeAtomically with the bytes write produces (before
// any gzip compression) added to bar, which it finishes; a nil bar (off a
// terminal, or a small output) counts nothing.
func writeCounted(path string, bar *progressbar.ProgressBar, write func(io.Writer) error) error {
	if bar != nil {
		defer bar.Finish()
	}
	return writeAtomically(path, countedBy(bar, write))
}

// countedBy returns write with the bytes it writes also added to bar; a nil
// bar counts nothing.
func countedBy(bar *progressbar.ProgressBar, write func(io.Writer) error) func(io.Writer) error {
	if bar == nil {
		return write
	}
	return func(w io.Writer) error { return write(io.MultiWriter(w, bar)) }
}

// writeAtomically calls write with a buffered writer into a temporary file
// beside path (gzip-compressed when path ends in .gz), syncs it and renames
// it to path (atomicfile); on any failure the temporary file is removed and
// path is untouched.
func writeAtomically(path string, write func(io.Writer) error) error {
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("convert to %s: %w", path, err)
	}
	defer tmp.Abort() // after an error; nothing after Commit
	buf := bufio.NewWriterSize(tmp.Temp(), 1<<20)
	var gz *gzip.Writer
	w := io.Writer(buf)
	if strings.HasSuffix(path, ".gz") {
		gz = gzip.NewWriter(buf)
		w = gz
	}
	if err := write(w); err != nil {
		return fmt.Errorf("convert to %s: %w", path, err)
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return fmt.Errorf("convert to %s: %w", path, err)
		}
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("convert to %s: %w", path, err)
	}
	if err := tmp.Commit(); err != nil {
		return fmt.Errorf("convert to %s: %w", path, err)
	}
	return nil
}
