package mmarray_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
)

var _ io.WriterTo = (*mmarray.File)(nil)

// recordingWriter keeps every slice it is given, to show what WriteTo
// passes to Write.
type recordingWriter struct {
	bytes.Buffer
	writes [][]byte
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, p)
	return w.Buffer.Write(p)
}

// WriteTo writes the whole .npy image, header then data, from every kind of
// File, and WriteDataTo the data alone: the bytes equal the file (or image)
// they came from, changes made through views included, and the data goes to
// Write as the mapped slice itself, not a copy.
func TestWriteToWritesTheImage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := testdataPath("npy/f8_le_3x4_C.npy")
	image, err := os.ReadFile(path)
	require.NoError(t, err)
	created := filepath.Join(dir, "created.npy")
	container := embed(t, image)

	type opened struct {
		f    *mmarray.File
		want []byte // the image WriteTo must write
	}
	for name, open := range map[string]func(t *testing.T) opened{
		"Open r": func(t *testing.T) opened {
			f, err := mmarray.Open(path, mmarray.ReadOnly)
			require.NoError(t, err)
			return opened{f, image}
		},
		"Open c, changed": func(t *testing.T) opened {
			f, err := mmarray.Open(path, mmarray.CopyOnWrite)
			require.NoError(t, err)
			a, err := mmarray.View[float64](f)
			require.NoError(t, err)
			a.Set(-1.5, 2, 3)
			want := bytes.Clone(image)
			copy(want[len(want)-8:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0xbf})
			return opened{f, want}
		},
		"OpenFile with a section": func(t *testing.T) opened {
			osFile, err := os.Open(container)
			require.NoError(t, err)
			defer osFile.Close()
			f, err := mmarray.OpenFile(osFile, mmarray.ReadOnly, mmarray.WithSection(sectionPrefixLen, int64(len(image))+100))
			require.NoError(t, err)
			return opened{f, image}
		},
		"OpenBytes with trailing bytes": func(t *testing.T) opened {
			f, err := mmarray.OpenBytes("mem.npy", append(bytes.Clone(image), 1, 2, 3), mmarray.CopyOnWrite)
			require.NoError(t, err)
			return opened{f, image}
		},
		"Create, written": func(t *testing.T) opened {
			f, err := mmarray.Create(created, "<f8", []int{3, 4})
			require.NoError(t, err)
			a, err := mmarray.View[float64](f)
			require.NoError(t, err)
			for i := range 12 {
				a.Set(float64(i), i/4, i%4)
			}
			require.NoError(t, f.Flush())
			want, err := os.ReadFile(created)
			require.NoError(t, err)
			return opened{f, want}
		},
	} {
		t.Run(name, func(t *testing.T) {
			o := open(t)
			defer o.f.Close()
			var w recordingWriter
			n, err := o.f.WriteTo(&w)
			require.NoError(t, err)
			require.Equal(t, int64(len(o.want)), n)
			require.Equal(t, o.want, w.Bytes())
			require.Len(t, w.writes, 2, "the header, then the data in one Write")
			require.Equal(t, o.f.NBytes(), int64(len(w.writes[1])))
			a, err := mmarray.View[float64](o.f)
			require.NoError(t, err)
			data, contiguous := a.Contiguous()
			if contiguous {
				require.Equal(t, unsafe.Pointer(&data[0]), unsafe.Pointer(&w.writes[1][0]), "the data is written from the mapping itself")
			}

			var dataOnly recordingWriter
			n, err = o.f.WriteDataTo(&dataOnly)
			require.NoError(t, err)
			require.Equal(t, o.f.NBytes(), n)
			require.Equal(t, o.want[int64(len(o.want))-n:], dataOnly.Bytes())
			require.Len(t, dataOnly.writes, 1, "WriteDataTo writes the data in one Write")
			if contiguous {
				require.Equal(t, unsafe.Pointer(&data[0]), unsafe.Pointer(&dataOnly.writes[0][0]), "the data is written from the mapping itself")
			}
		})
	}
}

// A raw file has no header of its own: WriteTo writes the one Create would
// (np.save's) for the declared dtype, shape and order, then the raw data,
// so the result opens as the same array.
func TestWriteToGivesRawFilesAHeader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw.dat")
	data := make([]byte, 7+24)
	for i := range data {
		data[i] = byte(i)
	}
	require.NoError(t, os.WriteFile(raw, data, 0o644))
	f, err := mmarray.OpenRaw(raw, mmarray.ReadOnly, ">i2", []int{3, 4}, 7, mmarray.WithFortranOrder(true))
	require.NoError(t, err)
	defer f.Close()
	var out bytes.Buffer
	n, err := f.WriteTo(&out)
	require.NoError(t, err)
	require.Equal(t, int64(out.Len()), n)

	reference := filepath.Join(dir, "reference.npy")
	c, err := mmarray.Create(reference, ">i2", []int{3, 4}, mmarray.WithFortranOrder(true))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	want, err := os.ReadFile(reference)
	require.NoError(t, err)
	copy(want[len(want)-24:], data[7:])
	require.Equal(t, want, out.Bytes())

	g, err := mmarray.OpenBytes("copy.npy", out.Bytes(), mmarray.ReadOnly)
	require.NoError(t, err)
	require.Equal(t, f.Shape(), g.Shape())
	require.True(t, g.FortranOrder())
	require.NoError(t, g.Close())
}

// WriteTo and WriteDataTo report a closed File and a failing writer.
func TestWriteToErrors(t *testing.T) {
	t.Parallel()
	f, err := mmarray.Open(testdataPath("npy/f8_le_3x4_C.npy"), mmarray.ReadOnly)
	require.NoError(t, err)
	var w bytes.Buffer
	_, err = f.WriteTo(&failingWriter{})
	require.ErrorIs(t, err, errWriterFailed)
	n, err := f.WriteDataTo(&failingWriter{})
	require.ErrorIs(t, err, errWriterFailed)
	require.Equal(t, int64(10), n, "the bytes w took are counted")
	require.NoError(t, f.Close())
	n, err = f.WriteTo(&w)
	require.ErrorIs(t, err, memmap.ErrClosed)
	require.Zero(t, n)
	require.Zero(t, w.Len())
	n, err = f.WriteDataTo(&w)
	require.ErrorIs(t, err, memmap.ErrClosed)
	require.Zero(t, n)
	require.Zero(t, w.Len())
}

var errWriterFailed = errors.New("the writer failed")

// failingWriter accepts 10 bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > 10 {
		k := 10 - w.n
		w.n = 10
		return k, errWriterFailed
	}
	w.n += len(p)
	return len(p), nil
}
