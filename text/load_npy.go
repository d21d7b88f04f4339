package text

import (
	"io"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// LoadToNPY reads text from r as Load does and writes the rows into a new
// .npy file at path through mmarray's streaming Writer (NewWriter), so that
// text larger than memory becomes an .npy file within the memory budget.
// The file appears at path only when it is complete: an error, in the text
// or in writing, leaves at path what was there before. The file's shape is
// np.loadtxt's before its squeeze, (rows, columns) for a simple dtype and
// (rows,) for a structured one, as np.loadtxt gives it with ndmin=2 (or 1
// when structured); WithNdmin does not change it, and Result.Shape is still
// the squeezed shape np.loadtxt would return.
func LoadToNPY(r io.Reader, path string, opts ...LoadOption) (Result, error) {
	sink := npySink{path: path}
	res, err := Load(r, &sink, opts...)
	if err == nil {
		err = sink.w.Close()
	} else if sink.w != nil {
		sink.w.Abort()
	}
	return res, err
}

// LoadFileToNPY is LoadToNPY for the text file at textPath, read through
// gzip when its name ends in .gz. Errors name the text file.
func LoadFileToNPY(textPath, npyPath string, opts ...LoadOption) (Result, error) {
	sink := npySink{path: npyPath}
	res, err := LoadFile(textPath, &sink, opts...)
	if err == nil {
		err = sink.w.Close()
	} else if sink.w != nil {
		sink.w.Abort()
	}
	return res, err
}

// npySink is a RowSink writing into a new .npy file.
type npySink struct {
	path string
	w    *mmarray.Writer
}

func (s *npySink) Begin(dtype npyheader.DType, rowShape []int) error {
	w, err := mmarray.NewWriter(s.path, dtype.String(), rowShape)
	s.w = w
	return err // which names the file
}

func (s *npySink) WriteRows(records []byte, _ int) error {
	return s.w.WriteRows(records)
}
