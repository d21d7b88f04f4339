// Command memmap looks into NumPy .npy and .npz files, and raw binary
// files, through the memmap library: it maps them rather than reading them
// into memory.
//
//	memmap info FILE                 what the header says, and how much is in the page cache
//	memmap info --dtype '<f4' --shape 100,16 [--offset N] [--order C|F] FILE
//	memmap head [-n 10] FILE         the first rows, printed as NumPy prints the values
//	memmap head ARCHIVE.npz:NAME     a member of an archive
//	memmap stats [--axis K] [--workers N] [--memory SIZE] [--json] FILE | ARCHIVE.npz:NAME
//	memmap recover FILE              repair an .npy file an interrupted append left
//	memmap convert [FLAGS] IN OUT    copy an array between .npy, raw, .npz, text files and Zarr stores
//
// Every command that reads one array (info, head, stats, convert's input)
// also takes a Zarr store (package zarr, v2 or v3): a folder whose name
// ends in .zarr, or any folder holding a .zarray, a .zgroup or a zarr.json;
// STORE/NAME names an array of a group. info lists each array of a group (of its groups too).
//
// info prints, for an .npy file (or a raw file described by np.memmap's
// arguments --dtype, --shape, --offset and --order; without --shape the
// shape is 1-D, inferred from the file's size), the format version, the
// descr (with the fields of a structured dtype, nested ones indented), the
// shape, the order (C or F), the data offset, the data's size in bytes and
// the share of its pages resident in the page cache. For a Zarr array it
// prints the format (zarr 2 or zarr 3), descr (and fields), shape, chunks,
// order, the codec's configuration as a v2 .zarray holds it (v3: its name
// and configuration; or none), the fill value
// as NumPy prints an item (None for null), the chunks stored of the grid's,
// the array's bytes, the bytes stored (chunk and metadata files, as
// zarr-python's nbytes_stored) and their ratio. For an .npz archive it
// prints the same for each member, with its storage: "in place" (stored,
// mapped from the archive) or "deflated". The residency of a deflated member
// is not shown: it has no pages in the archive to count.
//
// head prints the first -n rows (along the first axis), one per line.
// Numbers, bools, datetimes and timedeltas print as NumPy's str of the
// scalar ("0.1", "1e+20", "True", "2020-01-31T12:00:00", "5 seconds"),
// S and U items as their repr (b'abc', 'abc'); the fields of a structured
// dtype are columns, under a header line of their names; further axes of a
// row print in brackets, "[1.0 2.5]", and a row of more than 1000 elements
// is summarized as NumPy summarizes it, "[0 1 2 ... 997 998 999]".
// Elements are not padded to a common width as NumPy's array printing pads
// them, and floats keep their shortest digits ("0.5", not "5.0e-01").
//
// head reads only the chunks of a Zarr array that hold the rows it prints.
//
// stats scans the whole array once with compute.Describe (a Zarr array
// with compute.DescribeChunks, chunk by chunk, and DescribeAxisChunks for
// --axis; the output is the same), on --workers
// goroutines (default GOMAXPROCS), and prints count, nan_count, sum, mean,
// std (ddof 0), min, max, argmin and argmax, one "name value" line each. As
// in Describe, NaNs are counted apart and left out of the rest: the values
// are those of np.nanmean, np.nanstd, np.nanmin, np.nanargmin and so on, and
// sum is np.nansum of the array converted to float64, except that the sum of
// integers and bools is exact, without np.sum's wrap-around. argmin and
// argmax print the flat C-order index and the index along each axis that
// np.unravel_index gives ("7 (1, 3)"), or "-" when no element is a number.
// Sums and extremes of integers and bools print as integers; floats as NumPy
// prints them. With --json it prints one object instead:
//
//	{"file": "x.npy", "dtype": "<f8", "shape": [3, 4], "axis": null, "count": 10,
//	 "sum": 55.5, "mean": 5.55, "std": 2.9, "min": 0.5, "max": 10, "argmin": 0,
//	 "argmax": 11, "nan_count": 2}
//
// with numbers as JSON numbers (argmin and argmax flat indices, null when
// there is none) and NaN and infinities as the strings "nan", "inf" and
// "-inf".
//
// With --axis K (negative counting from the end, as in NumPy) stats computes
// the statistics along axis K in one pass (compute.DescribeAxis): one of each
// per position of the other axes, as np.nanmean(a, axis=K) and the others
// give them. The text lines then hold arrays of the other axes' shape,
// printed as NumPy's str prints them on one line ("[1.5 2.5 3.5]",
// summarized beyond 1000 values), argmin and argmax being indices along the
// axis ("-" where a line has no number); after shape comes an "axis K"
// line. The JSON object has "axis": K and each statistic as nested lists of
// the other axes' shape (one level per axis, as NumPy's tolist; a single
// value for a 1-D array), argmin and argmax null where a line has no
// number:
//
//	{"file": "x.npy", "dtype": "<f8", "shape": [3, 2], "axis": 0, "count": [3, 3],
//	 "sum": [6, 9], "mean": [2, 3], ..., "argmin": [0, 0], "argmax": [2, 2], "nan_count": [0, 0]}
//
// --memory SIZE (256MiB, 1GiB, 1e9; K, M, G and T are binary, KB, MB, GB
// and TB decimal) bounds the memory the scan keeps resident
// (compute.WithMemory): over a file larger than that, the pages it has passed
// are released as it goes, so its RSS stays near SIZE instead of growing to
// the file's size. The default is compute's: a quarter of the memory the
// process can still take (cgroup limits included). The budget never changes
// the statistics.
//
// On a terminal, a scan of 256 MiB or more shows a progress bar on stderr.
// stats takes the raw-file flags of info.
//
// recover repairs, in place, an .npy file that an append stopped before its
// end (mmarray.Recover): whole rows past the header's shape are adopted
// into it and a partial row at the end is cut off, or, when the file holds
// fewer rows than its header claims, the shape is cut to the whole rows it
// holds. It prints one line saying what it did:
//
//	grow.npy: adopted 12 unsynced trailing rows (100 -> 112); dropped a partial row of 5 bytes
//
// convert copies an array from one file into another, each format known by
// its name: .npy, raw (.raw, .bin: the data bytes alone, in the array's
// storage order), .npz, and text (.csv, .txt, .tsv, each also compressed as
// .gz). Extensions are known in any case (.CSV, .Npz), except .gz: as NumPy
// compresses only names ending in ".gz", a name ending in .GZ or .Gz is
// refused rather than taken for plain text. The input is an .npy file, a raw
// file described by info's flags, a member ARCHIVE.npz:NAME, or a text file;
// an .npy output holds the input's header (np.save's for a raw input) and
// data unchanged. Text is read as np.loadtxt reads it, streaming into an
// .npy output in bounded memory, with loadtxt's shape before it squeezes
// (ndmin=2: rows by columns, one column too; ndmin=1 for a structured dtype)
// whatever the output (info's raw-file flags other than --dtype are
// refused), with its keywords as flags: --delimiter (default: white space,
// also for .csv), --comments (repeat for several markers), --skiprows,
// --usecols, --max-rows, --quotechar and --dtype (a descr, default <f8); or,
// with --reader genfromtxt, as np.genfromtxt reads it, in memory, with
// --names, --missing-values, --filling-values, --skip-header and
// --skip-footer (and without --dtype, the column types inferred as NumPy
// infers them). Several inputs go into a new archive, one member each, named
// after the file (a.npy becomes "a") or the member; one input into
// OUT.npz:NAME becomes member NAME. An archive into a folder (an existing
// one, or a name ending in "/") becomes one NAME.npy per member. Text output
// is np.savetxt's, byte for byte, with its arguments as flags: --fmt (once
// for the whole row, or once per column; default %.18e), --delimiter
// (default " "), --newline, --header, --footer and --comments. Every output
// is written under a temporary name beside it, synced and renamed when
// complete: a conversion that fails or is interrupted never leaves a file
// under the output's name, and an existing output is replaced only by a
// complete one. An archive unpacked into a folder is one output per member,
// each written so: a failure part-way leaves the members extracted before it
// (complete) in the folder. Members are extracted under the last element of
// their key; two that would get the same name (a/x and b/x), or a key naming
// no file, fail the conversion before anything is written. On a terminal,
// conversions of 256 MiB or more show a progress bar: of the bytes written
// for binary outputs, of the input file's bytes (compressed or not) for
// text streamed into an .npy file, and a count of the bytes written, with
// no total, for text outputs; text read into memory first (genfromtxt, or
// loadtxt into another format) shows none while it is read.
//
// A Zarr store is an input or an output of convert too (zarr.FromFile,
// zarr.ToNPY and zarr.ToRaw, chunks converted on --workers goroutines in
// parallel, default GOMAXPROCS, holding at most --memory, default a
// quarter of the memory available). Any
// input but a folder of text goes into a new store OUT.zarr, with --chunks
// N,M,... (default zarr-python's guess, chunks of 1 to 8 MiB) and --codec
// (none, zlib, gzip, zstd, lz4, blosc-lz4, blosc-zstd or blosc-zlib, each
// at numcodecs' default level; default blosc-lz4, zarr-python's default
// compressor); --zarr-format 3 writes Zarr v3 (zarr.json, chunk keys
// "c/0/1"; its codecs are gzip, zstd and the blosc ones, or none) instead
// of v2, the default, which zarr-python 2 and Dask read. A store (or a
// group's array STORE/NAME) goes into an .npy file, byte for byte np.save's
// of the array; into a raw file (.raw, .bin), the array's bytes in C order
// and the store's dtype, as z[...].tofile writes them; or into a new
// archive OUT.npz as its one member, NAME for OUT.npz:NAME, else named
// after the store (data.zarr becomes "data", STORE/m "m"). The store is written into a hidden temporary folder beside
// OUT (.OUT.tmp-RANDOM) and renamed onto OUT when complete, so that a
// conversion that fails or is interrupted leaves no store under OUT; an
// existing OUT is refused unless it is an empty folder (a store is a
// folder of files, which a rename cannot replace whole).
//
// A file is an archive if its name ends in .npz or it starts as a zip file
// does; ARCHIVE.npz:NAME names a member (by np.load's key or its name).
// Errors in the arguments or the files print one line, "memmap: <message>",
// and exit with status 2.
//
// # Caveats
//
//   - A Zarr store converts to an .npy file, a raw file or an .npz member
//     only (convert one of those further), and a store is never written
//     over: remove it first. Into an .npz member, the store is first
//     converted into a hidden .npy file beside the archive, then packed:
//     the disk holds the array twice meanwhile. A conversion killed
//     by a signal leaves its temporary folder (.OUT.tmp-RANDOM) behind, as it
//     leaves a temporary file for the other outputs.
//   - head of a Zarr array holds the rows it prints in memory at once (-n of
//     them, decoded from their chunks).
//   - With --axis, the results (a compute.Stats, over a hundred bytes, per
//     position of the other axes) and their text or JSON are built in memory
//     before they are printed: statistics along the last axis of a
//     (100 million, 2) file take gigabytes.
//   - stats describes bools, integers and floats of up to 8 bytes; complex,
//     datetime, timedelta, string, longdouble and structured dtypes are
//     refused.
//   - stats reads the array in C order, so a Fortran-order file is read
//     strided, and a deflated .npz member is decompressed into memory first.
//   - The memory budget bounds what the scan keeps mapped; the pages it read
//     stay in the kernel's page cache, as a read file's do, until the kernel
//     needs the memory. A deflated .npz member is decompressed into memory
//     whole, whatever the budget.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-memmap/memmap"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK    = 0
	exitUsage = 2 // bad arguments, a bad file, any other failure
)

const usage = `usage:
  memmap info [--dtype DESCR [--shape N,M,...] [--offset BYTES] [--order C|F]] FILE
  memmap head [-n ROWS] FILE | ARCHIVE.npz:NAME
  memmap stats [--axis K] [--workers N] [--memory SIZE] [--json] FILE | ARCHIVE.npz:NAME
  memmap recover FILE
  memmap convert [FLAGS] IN OUT | IN... OUT.npz | ARCHIVE.npz FOLDER/
  memmap convert [--chunks N,M,...] [--codec blosc-lz4] [--zarr-format 2|3] [--workers N] [--memory SIZE] IN OUT.zarr
  memmap convert [--workers N] [--memory SIZE] STORE.zarr[/NAME] OUT.npy | OUT.raw | OUT.npz[:NAME]

info  the header facts of an .npy file, of each member of an .npz archive, or of
      a raw file described by --dtype (np.memmap's arguments), and the share
      of the data resident in the page cache
head  the first rows (default 10), values printed as NumPy prints them
stats count, nan_count, sum, mean, std, min, max, argmin, argmax of the whole
      array, or along --axis K, NaNs left out (np.nanmean...); --json for one
      JSON object
recover adopt the whole rows an interrupted append left after an .npy file's
      shape, cut off a partial row; prints what it did
convert copy an array between .npy, raw (.raw, .bin), .npz and text (.csv,
      .txt, .tsv, each also .gz) files, known by their names: IN is an .npy
      file, a raw file (info's flags), ARCHIVE.npz:NAME or text, read with
      np.loadtxt's --delimiter, --comments, --skiprows, --usecols,
      --max-rows, --quotechar, --dtype, or with --reader genfromtxt and
      --names, --missing-values, --filling-values, --skip-header,
      --skip-footer; several inputs
      pack into an archive (members named after the files, or OUT.npz:NAME
      for one), an archive unpacks into a folder as NAME.npy; text output
      takes np.savetxt's --fmt (once, or once per column), --delimiter,
      --newline, --header, --footer, --comments; the default delimiter is
      NumPy's, also for .csv: white space to read, " " to write (give
      --delimiter , for commas); a Zarr store (OUT.zarr) takes --chunks
      (default zarr-python's guess) and --codec (none, zlib, gzip, zstd, lz4,
      blosc-lz4, blosc-zstd, blosc-zlib; default blosc-lz4) and
      --zarr-format (2, the default, or 3), and converts to an .npy file,
      a raw file (C order) or an .npz member; --workers and --memory bound
      a Zarr conversion's goroutines and memory
head and stats take info's raw-file flags too; info, head and stats take a
Zarr store (STORE.zarr, or STORE.zarr/NAME for an array of a group).
`

// errHelp means usage was asked for and printed.
var errHelp = errors.New("help requested")

// run is main without the process: it returns the exit status and prints
// every failure as one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if h := args[0]; h == "-h" || h == "-help" || h == "--help" || h == "help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	err := runCommand(args, stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	default:
		fmt.Fprintf(stderr, "memmap: %s\n", oneLine(err))
		return exitUsage
	}
}

// runCommand runs the command args[0]. The library panics with a
// *memmap.Misuse on arguments it refuses (a delimiter that is also a
// comment marker, say); flags pass the user's text to it, so such a panic
// is the user's error and returned as one; any other panic is a bug and
// goes on.
func runCommand(args []string, stdout, stderr io.Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			m, ok := p.(*memmap.Misuse)
			if !ok {
				panic(p)
			}
			err = fmt.Errorf("%s: %w", args[0], m)
		}
	}()
	switch args[0] {
	case "info":
		err = runInfo(args[1:], stdout)
	case "head":
		err = runHead(args[1:], stdout)
	case "stats":
		err = runStats(args[1:], stdout, stderr)
	case "recover":
		err = runRecover(args[1:], stdout)
	case "convert":
		err = runConvert(args[1:], stdout, stderr)
	default:
		err = fmt.Errorf("unknown command %q (want info, head, stats, recover or convert; memmap -h for usage)", args[0])
	}
	return err
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("memmap head FILE -n 3"), as users type them, and
// returns the positional ones. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				return nil, errHelp
			}
			return nil, fmt.Errorf("%s: %w", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// oneFile checks that exactly one file was named.
func oneFile(cmd string, names []string) (string, error) {
	switch len(names) {
	case 1:
		return names[0], nil
	case 0:
		return "", fmt.Errorf("%s: no file given", cmd)
	default:
		return "", fmt.Errorf("%s: one file at a time, got %d (%s)", cmd, len(names), strings.Join(names, " "))
	}
}

// oneLine keeps an error message on one line.
func oneLine(err error) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(err.Error())
}
