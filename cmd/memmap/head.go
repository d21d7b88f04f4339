package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/mmarray"
)

func runHead(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("head", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n := fs.Int("n", 10, "number of rows to print")
	var raw rawArgs
	raw.register(fs)
	names, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	path, err := oneFile("head", names)
	if err != nil {
		return err
	}
	if *n < 0 {
		return fmt.Errorf("-n: must not be negative, not %d", *n)
	}
	if err := raw.check(fs); err != nil {
		return err
	}
	if raw.dtype == "" && isStore(path) {
		return headStore(stdout, path, *n)
	}
	f, err := openArray("head", path, raw)
	if err != nil {
		return err
	}
	defer f.Close()
	return printHead(stdout, f, *n)
}

// headBlock is how many rows are formatted before they are written: the
// memory head needs is bounded by it, whatever -n asks for.
const headBlock = 1000

// printHead prints the first n rows of f. Columns of a structured dtype are
// right-aligned under a header line of their names, as a table; a column
// only grows wider, block by block, so rows far down may stand out of line.
func printHead(w io.Writer, f *mmarray.File, n int) error {
	t, err := nprepr.Columns(f)
	if err != nil {
		return err
	}
	structured := f.DType().Structured()
	rows := min(n, t.Rows)
	names := make([]string, len(t.Columns))
	widths := make([]int, len(t.Columns))
	for j, c := range t.Columns {
		names[j] = c.Name
		widths[j] = utf8.RuneCountInString(c.Name)
	}
	bw := bufio.NewWriter(w)
	cells := make([][]string, min(rows, headBlock))
	var buf []byte
	for first := 0; first < rows; first += headBlock {
		block := cells[:min(headBlock, rows-first)]
		for i := range block {
			block[i] = block[i][:0]
			for j, c := range t.Columns {
				buf = c.Append(buf[:0], first+i)
				block[i] = append(block[i], string(buf))
				widths[j] = max(widths[j], utf8.RuneCount(buf))
			}
		}
		if structured && first == 0 {
			writeRow(bw, names, widths)
		}
		for _, row := range block {
			if structured {
				writeRow(bw, row, widths)
			} else {
				fmt.Fprintln(bw, row[0])
			}
		}
	}
	if structured && rows == 0 {
		writeRow(bw, names, widths)
	}
	return bw.Flush()
}

// writeRow writes cells right-aligned to widths, two spaces apart.
func writeRow(w io.Writer, cells []string, widths []int) {
	for j, c := range cells {
		if j > 0 {
			io.WriteString(w, "  ")
		}
		for range widths[j] - utf8.RuneCountInString(c) {
			io.WriteString(w, " ")
		}
		io.WriteString(w, c)
	}
	io.WriteString(w, "\n")
}
