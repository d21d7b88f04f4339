package npz_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// forgedHeaderMember is a 133-byte .npy member whose version 2.0 prefix
// declares a header of 0xFFFFFFFF bytes.
func forgedHeaderMember() []byte {
	b := append([]byte(npyheader.Magic), 2, 0)
	b = binary.LittleEndian.AppendUint32(b, 0xFFFFFFFF)
	return append(b, bytes.Repeat([]byte{' '}, 133-len(b))...)
}

// An 8-member archive, each member declaring a 0xFFFFFFFF-byte header, with
// the header limit raised to 1 GiB, opens with small memory: each member
// is listed with a truncated header, and nothing near the declared 4 GiB
// per member is allocated (before, each probe allocated the declared
// length). Stored and deflated members, from a file and from memory.
func TestForgedHeaderLengthAllocatesNothing(t *testing.T) {
	// Not parallel: TotalAlloc counts the allocations of every goroutine.
	content := forgedHeaderMember()
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := range 8 {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("m%d.npy", i), Method: method})
			require.NoError(t, err)
			_, err = w.Write(content)
			require.NoError(t, err)
		}
		require.NoError(t, zw.Close())
		raw := buf.Bytes()
		path := filepath.Join(t.TempDir(), "forged.npz")
		require.NoError(t, os.WriteFile(path, raw, 0o644))

		for _, source := range []string{"file", "memory"} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var a *npz.Archive
			var err error
			if source == "file" {
				a, err = npz.Open(path, mmarray.ReadOnly, npz.WithMaxHeaderSize(1<<30))
			} else {
				a, err = npz.NewReader(bytes.NewReader(raw), int64(len(raw)), npz.WithMaxHeaderSize(1<<30))
			}
			require.NoError(t, err)
			runtime.ReadMemStats(&after)
			members := a.Members()
			require.Len(t, members, 8)
			for _, m := range members {
				require.True(t, m.IsArray, m.Name)
				require.ErrorIs(t, m.Err, npyheader.ErrTruncated, "method %d, %s, %s", method, source, m.Name)
				_, err := a.Open(m.Name)
				require.ErrorIs(t, err, npyheader.ErrTruncated)
			}
			require.NoError(t, a.Close())
			require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20),
				"method %d, %s: opening allocated far more than the archive's %d bytes", method, source, len(raw))
		}
	}
}
