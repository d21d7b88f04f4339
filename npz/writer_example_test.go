package npz_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// Copy mapped arrays into an archive, as np.savez(path, arr, weights=arr)
// would: keyword names first, then positional ones. Every stored member's
// array data starts at a multiple of 64 bytes in the archive.
func ExampleCreate() {
	dir, err := os.MkdirTemp("", "npz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	src, err := mmarray.Create(filepath.Join(dir, "weights.npy"), "<f4", []int{2, 3})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	view, err := mmarray.View[float32](src)
	if err != nil {
		log.Fatal(err)
	}
	view.Fill(0.5)

	path := filepath.Join(dir, "model.npz")
	w, err := npz.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := w.WriteArray("weights", src); err != nil {
		log.Fatal(err)
	}
	if err := w.WriteArray(w.NextPositional(), src); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // writes the central directory
		log.Fatal(err)
	}

	// Any zip reader sees ordinary stored .npy members.
	archive, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer archive.Close()
	info, err := archive.Stat()
	if err != nil {
		log.Fatal(err)
	}
	zr, err := zip.NewReader(archive, info.Size())
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range zr.File {
		start, err := f.DataOffset()
		if err != nil {
			log.Fatal(err)
		}
		h, err := npyheader.Read(io.NewSectionReader(archive, start, int64(f.UncompressedSize64)))
		if err != nil {
			log.Fatal(err)
		}
		dataAt := start + h.DataOffset
		fmt.Printf("%s: %s %v, data at byte %d (64-byte aligned: %v)\n",
			f.Name, h.DType, h.Shape, dataAt, dataAt%npz.MemberAlign == 0)
	}
	// Output:
	// weights.npy: <f4 [2 3], data at byte 192 (64-byte aligned: true)
	// arr_0.npy: <f4 [2 3], data at byte 448 (64-byte aligned: true)
}

// squares produces the int64 squares 0, 1, 4, 9, ... as little-endian
// bytes, on demand: the array never exists in memory.
type squares struct{ next, count int64 }

func (s *squares) Read(p []byte) (int, error) {
	n := 0
	for ; len(p)-n >= 8 && s.next < s.count; s.next++ {
		binary.LittleEndian.PutUint64(p[n:], uint64(s.next*s.next))
		n += 8
	}
	if n == 0 && s.next == s.count {
		return 0, io.EOF
	}
	return n, nil
}

// Stream an array into a compressed archive, as np.savez_compressed does:
// WriteFrom takes exactly the number of bytes the header declares from any
// io.Reader.
func ExampleWriter_WriteFrom() {
	const n = 100_000
	dt, err := npyheader.ParseDescr("<i8")
	if err != nil {
		log.Fatal(err)
	}
	h := npyheader.Header{DType: dt, Shape: []int{n}}

	var archive bytes.Buffer
	w := npz.NewWriter(&archive, npz.Compressed())
	if err := w.WriteFrom("squares", h, &squares{count: n}); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// Read it back with archive/zip, as np.load(...)["squares"] would.
	zr, err := zip.NewReader(bytes.NewReader(archive.Bytes()), int64(archive.Len()))
	if err != nil {
		log.Fatal(err)
	}
	f := zr.File[0]
	member, err := f.Open()
	if err != nil {
		log.Fatal(err)
	}
	defer member.Close()
	back, err := npyheader.Read(member)
	if err != nil {
		log.Fatal(err)
	}
	first := make([]int64, 4)
	if err := binary.Read(member, binary.LittleEndian, first); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Name, f.Method == zip.Deflate, back.DType, back.Shape, first)
	// Output:
	// squares.npy true <i8 [100000] [0 1 4 9]
}
