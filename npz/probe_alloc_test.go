package npz_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// longHeaderArchive is a zip of members deflated members, each a valid
// version 2.0 .npy of an empty array whose header is padded with spaces to
// headerLen bytes: a few KiB compressed each, which a raised header limit
// allows. It also returns one member's bytes.
func longHeaderArchive(t *testing.T, members, headerLen int) (archive, member []byte) {
	t.Helper()
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }"
	member = append([]byte(npyheader.Magic), 2, 0)
	member = binary.LittleEndian.AppendUint32(member, uint32(headerLen))
	member = append(member, dict...)
	member = append(member, bytes.Repeat([]byte{' '}, headerLen-len(dict)-1)...)
	member = append(member, '\n')
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("m%d.npy", i), Method: zip.Deflate})
		require.NoError(t, err)
		_, err = w.Write(member)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes(), member
}

// allocated is how many bytes f allocates on the heap, in all goroutines.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Listing deflated members with long headers costs what npyheader.Read
// costs to read those headers from their streams, and little more: the
// stream goes straight to npyheader (before, the probe read the member
// into a buffer, copied it and parsed the copy: each header was copied
// about four times, 1229 MiB for four 32 MiB headers). A member the ratio
// or total limit refuses is not read past its first bytes at all, and
// says why in its Err.
func TestLongHeadersAreReadOnceWithinLimits(t *testing.T) {
	// Not parallel: TotalAlloc counts the allocations of every goroutine.
	const members, headerLen = 4, 8 << 20
	raw, member := longHeaderArchive(t, members, headerLen)
	var compressed bytes.Buffer
	fw, err := flate.NewWriter(&compressed, flate.DefaultCompression)
	require.NoError(t, err)
	_, err = fw.Write(member)
	require.NoError(t, err)
	require.NoError(t, fw.Close())

	// What npyheader itself allocates to read one such header from a
	// deflate stream, the flate reader included.
	var readErr error
	perHeader := allocated(func() {
		_, readErr = npyheader.Read(flate.NewReader(bytes.NewReader(compressed.Bytes())), npyheader.WithMaxHeaderSize(1<<30))
	})
	require.NoError(t, readErr)

	var a *npz.Archive
	listing := allocated(func() {
		a, err = npz.NewReader(bytes.NewReader(raw), int64(len(raw)), npz.WithMaxHeaderSize(1<<30))
	})
	require.NoError(t, err)
	for _, m := range a.Members() {
		require.NoError(t, m.Err, m.Name)
		require.Equal(t, int64(12+headerLen), m.Header.DataOffset, m.Name)
	}
	require.NoError(t, a.Close())
	// Room for the directory, the Members and the flate reader, and for
	// npyheader's buffer growing in other steps as the bytes arrive in other
	// chunks: a tenth, where the copies took a half more.
	const slack = 1 << 20
	require.LessOrEqual(t, listing, members*perHeader*11/10+slack,
		"listing %d members allocated %d MiB; npyheader.Read takes %d MiB for each header",
		members, listing>>20, perHeader>>20)

	for name, limit := range map[string]npz.ReaderOption{
		"ratio": npz.WithMaxRatio(100),     // spaces deflate about 1000:1
		"total": npz.WithMaxTotal(1 << 20), // less than one member
	} {
		listing := allocated(func() {
			a, err = npz.NewReader(bytes.NewReader(raw), int64(len(raw)), npz.WithMaxHeaderSize(1<<30), limit)
		})
		require.NoError(t, err, name)
		for _, m := range a.Members() {
			require.True(t, m.IsArray, "%s: %s", name, m.Name)
			require.ErrorIs(t, m.Err, memmap.ErrTooLarge, "%s: %s", name, m.Name)
			_, err := a.Open(m.Name)
			require.ErrorIs(t, err, memmap.ErrTooLarge, "%s: %s", name, m.Name)
		}
		require.NoError(t, a.Close())
		require.Less(t, listing, uint64(slack), "%s: the refused members' headers were read", name)
	}
}
