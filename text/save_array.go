package text

import (
	"fmt"
	"io"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// SaveArray writes the whole array of f as text to w, as Save does with
// the view of f's dtype (its records, for a structured dtype): what
// np.savetxt(w, np.load(path)) writes. It spares a caller who does not
// know the dtype in advance the choice of a view type.
func SaveArray(w io.Writer, f *mmarray.File, opts ...SaveOption) error {
	return saveArray("save text", f, func(s saver) error { return s.save(w, opts) })
}

// SaveArrayFile writes the whole array of f as text to the file at path,
// as SaveFile does (gzip-compressed for a name ending in .gz).
func SaveArrayFile(path string, f *mmarray.File, opts ...SaveOption) error {
	return saveArray("save "+path, f, func(s saver) error { return s.saveFile(path, opts) })
}

// saver saves one view, whatever its element type.
type saver interface {
	save(w io.Writer, opts []SaveOption) error
	saveFile(path string, opts []SaveOption) error
}

type viewSaver[T mmarray.Element] struct{ a *mmarray.Array[T] }

func (v viewSaver[T]) save(w io.Writer, opts []SaveOption) error { return Save(w, v.a, opts...) }
func (v viewSaver[T]) saveFile(path string, opts []SaveOption) error {
	return SaveFile(path, v.a, opts...)
}

func viewOf[T mmarray.Element](f *mmarray.File) (saver, error) {
	a, err := mmarray.View[T](f)
	if err != nil {
		return nil, err
	}
	return viewSaver[T]{a}, nil
}

// saveArray picks the view type of f's dtype. Dtypes Save refuses get the
// raw []byte view, which Save refuses with memmap.ErrUnsupported.
func saveArray(context string, f *mmarray.File, do func(saver) error) error {
	dt := f.DType()
	var s saver
	var err error
	switch size := dt.ItemSize; {
	case dt.Structured():
		s, err = viewOf[[]byte](f)
	case dt.Kind == npyheader.Bool:
		s, err = viewOf[bool](f)
	case dt.Kind == npyheader.Int && size == 1:
		s, err = viewOf[int8](f)
	case dt.Kind == npyheader.Int && size == 2:
		s, err = viewOf[int16](f)
	case dt.Kind == npyheader.Int && size == 4:
		s, err = viewOf[int32](f)
	case dt.Kind == npyheader.Int:
		s, err = viewOf[int64](f)
	case dt.Kind == npyheader.Uint && size == 1:
		s, err = viewOf[uint8](f)
	case dt.Kind == npyheader.Uint && size == 2:
		s, err = viewOf[uint16](f)
	case dt.Kind == npyheader.Uint && size == 4:
		s, err = viewOf[uint32](f)
	case dt.Kind == npyheader.Uint:
		s, err = viewOf[uint64](f)
	case dt.Kind == npyheader.Float && size == 2:
		s, err = viewOf[mmarray.Float16](f)
	case dt.Kind == npyheader.Float && size == 4:
		s, err = viewOf[float32](f)
	case dt.Kind == npyheader.Float && size == 8:
		s, err = viewOf[float64](f)
	case dt.Kind == npyheader.Complex && size == 8:
		s, err = viewOf[complex64](f)
	case dt.Kind == npyheader.Complex && size == 16:
		s, err = viewOf[complex128](f)
	case dt.Kind == npyheader.Unicode:
		s, err = viewOf[string](f)
	case dt.Kind == npyheader.Datetime:
		s, err = viewOf[mmarray.Datetime64](f)
	case dt.Kind == npyheader.Timedelta:
		s, err = viewOf[mmarray.Timedelta64](f)
	default: // S, V, longdouble
		s, err = viewOf[[]byte](f)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", context, err)
	}
	return do(s)
}
