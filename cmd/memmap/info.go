package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/go-memmap/memmap/internal/nprepr"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// errMembers reports that an archive was listed but some members could not be.
var errMembers = errors.New("some members cannot be read")

func runInfo(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var raw rawArgs
	raw.register(fs)
	names, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	path, err := oneFile("info", names)
	if err != nil {
		return err
	}
	if err := raw.check(fs); err != nil {
		return err
	}
	switch archive, member, isMember := splitMember(path); {
	case raw.dtype == "" && isStore(path):
		return printStoreInfo(stdout, path)
	case raw.dtype != "":
		f, err := openRaw(path, raw)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(stdout, "%s: raw file\n", path)
		return printFile(stdout, "  ", f, "raw", f.DataOffset())
	case isMember:
		f, err := openMember(archive, member)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(stdout, "%s: member %q of an .npz archive\n", path, member)
		return printFile(stdout, "  ", f, "npy "+f.Header().Version.String(), f.DataOffset())
	case isArchive(path):
		return printArchive(stdout, path)
	default:
		f, err := mmarray.Open(path, mmarray.ReadOnly)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(stdout, "%s: .npy file\n", path)
		return printFile(stdout, "  ", f, "npy "+f.Header().Version.String(), f.DataOffset())
	}
}

// printArchive lists each member of an .npz archive with its header facts.
func printArchive(w io.Writer, path string) error {
	a, err := npz.Open(path, mmarray.ReadOnly)
	if err != nil {
		return err
	}
	defer a.Close()
	members := a.Members()
	plural := "s"
	if len(members) == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "%s: .npz archive, %d member%s\n", path, len(members), plural)
	bad := 0
	for _, m := range members {
		fmt.Fprintf(w, "member %q (%s)\n", m.Key, m.Name)
		if m.Err != nil {
			bad++
			fmt.Fprintf(w, "  error        %s\n", oneLine(m.Err))
			continue
		}
		if !m.IsArray {
			fmt.Fprintf(w, "  not an array (%d bytes; np.load returns it as bytes)\n", m.UncompressedSize)
			continue
		}
		if m.Storage != npz.InPlace {
			// Opening it would decompress it: the header is all there is to show.
			fmt.Fprintf(w, "  storage      deflated (%d bytes compressed)\n", m.CompressedSize)
			printHeader(w, "  ", m.Header, "npy "+m.Header.Version.String(), m.Header.DataOffset, " (in the decompressed member)")
			continue
		}
		fmt.Fprintf(w, "  storage      in place\n")
		f, err := a.Open(m.Name)
		if err != nil {
			bad++
			fmt.Fprintf(w, "  error        %s\n", oneLine(err))
			continue
		}
		err = printFile(w, "  ", f, "npy "+m.Header.Version.String(), m.DataOffset)
		f.Close()
		if err != nil {
			return err
		}
	}
	if bad > 0 {
		return fmt.Errorf("info %s: %d of %d members: %w", path, bad, len(members), errMembers)
	}
	return nil
}

// printFile prints the header facts of a mapped File and its residency.
func printFile(w io.Writer, indent string, f *mmarray.File, format string, dataOffset int64) error {
	printHeader(w, indent, f.Header(), format, dataOffset, "")
	resident, total, err := f.Resident()
	if err != nil {
		return err
	}
	if total == 0 {
		fmt.Fprintf(w, "%sresident     - (no data)\n", indent)
		return nil
	}
	fmt.Fprintf(w, "%sresident     %.1f%% (%d of %d pages)\n", indent, 100*float64(resident)/float64(total), resident, total)
	return nil
}

// printHeader prints an NPY header's facts (for a raw File, the header
// its arguments make, with the shape inferred), offsetNote after the data
// offset.
func printHeader(w io.Writer, indent string, h npyheader.Header, format string, dataOffset int64, offsetNote string) {
	fmt.Fprintf(w, "%sformat       %s\n", indent, format)
	fmt.Fprintf(w, "%sdescr        %s\n", indent, h.DType.Repr())
	if h.DType.Structured() {
		fmt.Fprintf(w, "%sfields\n", indent)
		printFields(w, indent+"  ", h.DType.Fields)
	}
	fmt.Fprintf(w, "%sshape        %s\n", indent, nprepr.Shape(h.Shape))
	order := "C"
	if h.FortranOrder {
		order = "F"
	}
	fmt.Fprintf(w, "%sorder        %s\n", indent, order)
	fmt.Fprintf(w, "%sdata offset  %d%s\n", indent, dataOffset, offsetNote)
	if n, err := h.DataSize(); err == nil {
		fmt.Fprintf(w, "%sbytes        %d\n", indent, n)
	} else {
		fmt.Fprintf(w, "%sbytes        (%s)\n", indent, oneLine(err))
	}
}

// printFields lists a structured dtype's fields, one per line with their
// dtype, subarray shape and byte offset; nested records are indented.
func printFields(w io.Writer, indent string, fields []npyheader.Field) {
	for _, fl := range fields {
		kind := fl.Type.String()
		if fl.Type.Structured() {
			kind = "record"
		}
		if len(fl.Shape) > 0 {
			kind += " " + nprepr.Shape(fl.Shape)
		}
		name := fl.Name
		if fl.Title != "" {
			name += " (title " + strconv.Quote(fl.Title) + ")"
		}
		fmt.Fprintf(w, "%s%-12s %-12s offset %d\n", indent, name, kind, fl.Offset)
		if fl.Type.Structured() {
			printFields(w, indent+"  ", fl.Type.Fields)
		}
	}
}
