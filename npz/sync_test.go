package npz_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/numpytest/formula"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
	"github.com/go-memmap/memmap/npz"
)

// handMember is one stored member of a zip built byte by byte, so that
// tests control what archive writers differ on: flag bit 3, and whether a
// data descriptor follows the data and in which form.
type handMember struct {
	name    string
	content []byte
	flags   uint16
	// descriptor returns the bytes written right after the data (nil: none).
	descriptor func(crc uint32, size int) []byte
}

// handLayout is where buildZip put one member's records.
type handLayout struct {
	local, data, central int64
	descriptor           int64 // where the bytes after the data start
}

// The two data descriptor forms: with 4-byte sizes, with and without the
// optional signature.
func noSignatureDescriptor(crc uint32, size int) []byte {
	b := binary.LittleEndian.AppendUint32(nil, crc)
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	return binary.LittleEndian.AppendUint32(b, uint32(size))
}

func signatureDescriptor(crc uint32, size int) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, 0x08074b50), noSignatureDescriptor(crc, size)...)
}

// buildZip writes a zip of stored members the way the format describes,
// with the local header's CRC and sizes zero when flag bit 3 is set.
func buildZip(t testing.TB, members []handMember) ([]byte, []handLayout) {
	t.Helper()
	var out []byte
	le := binary.LittleEndian
	layouts := make([]handLayout, len(members))
	for i, m := range members {
		crc, size := crc32.ChecksumIEEE(m.content), uint32(len(m.content))
		layouts[i].local = int64(len(out))
		out = le.AppendUint32(out, 0x04034b50)
		out = le.AppendUint16(out, 20) // version needed
		out = le.AppendUint16(out, m.flags)
		out = le.AppendUint16(out, 0)    // stored
		out = le.AppendUint16(out, 0)    // time
		out = le.AppendUint16(out, 0x21) // date: 1980-01-01
		if m.flags&8 != 0 {
			out = append(out, make([]byte, 12)...)
		} else {
			out = le.AppendUint32(out, crc)
			out = le.AppendUint32(out, size)
			out = le.AppendUint32(out, size)
		}
		out = le.AppendUint16(out, uint16(len(m.name)))
		out = le.AppendUint16(out, 0) // extra
		out = append(out, m.name...)
		layouts[i].data = int64(len(out))
		out = append(out, m.content...)
		layouts[i].descriptor = int64(len(out))
		if m.descriptor != nil {
			out = append(out, m.descriptor(crc, len(m.content))...)
		}
	}
	dirStart := len(out)
	for i, m := range members {
		crc, size := crc32.ChecksumIEEE(m.content), uint32(len(m.content))
		layouts[i].central = int64(len(out))
		out = le.AppendUint32(out, 0x02014b50)
		out = le.AppendUint16(out, 20) // version made by
		out = le.AppendUint16(out, 20) // version needed
		out = le.AppendUint16(out, m.flags)
		out = le.AppendUint16(out, 0)
		out = le.AppendUint16(out, 0)
		out = le.AppendUint16(out, 0x21)
		out = le.AppendUint32(out, crc)
		out = le.AppendUint32(out, size)
		out = le.AppendUint32(out, size)
		out = le.AppendUint16(out, uint16(len(m.name)))
		out = append(out, make([]byte, 8)...) // extra, comment, disk, internal attributes
		out = le.AppendUint32(out, 0)         // external attributes
		out = le.AppendUint32(out, uint32(layouts[i].local))
		out = append(out, m.name...)
	}
	dirLen := len(out) - dirStart
	out = le.AppendUint32(out, 0x06054b50)
	out = le.AppendUint32(out, 0) // disk numbers
	out = le.AppendUint16(out, uint16(len(members)))
	out = le.AppendUint16(out, uint16(len(members)))
	out = le.AppendUint32(out, uint32(dirLen))
	out = le.AppendUint32(out, uint32(dirStart))
	out = le.AppendUint16(out, 0) // comment
	return out, layouts
}

// u1Array is an .npy file of n bytes of |u1 data, k*7-5 for element k
// (the shared formula), its last four bytes chosen so that the whole file's
// CRC-32 is crc when forced.
func u1Array(t testing.TB, n int, forced bool, crc uint32) []byte {
	t.Helper()
	dt, err := npyheader.ParseDescr("|u1")
	require.NoError(t, err)
	b, err := npyheader.Header{DType: dt, Shape: []int{n}}.Encode()
	require.NoError(t, err)
	for k := range n {
		b = append(b, byte(k*7-5))
	}
	if forced {
		tail := forceCRC(b[:len(b)-4], crc)
		copy(b[len(b)-4:], tail[:])
		require.Equal(t, crc, crc32.ChecksumIEEE(b), "forced CRC-32")
	}
	return b
}

// forceCRC returns the four bytes that, appended to prefix, make its CRC-32
// equal want. The CRC register after four more bytes depends only on those
// bytes' table indices (the prefix's register is shifted out entirely), so
// the indices follow from want's top bytes, and the bytes from the indices
// and the prefix's register.
func forceCRC(prefix []byte, want uint32) [4]byte {
	table := crc32.MakeTable(crc32.IEEE)
	var byTopByte [256]byte
	for i, v := range table {
		byTopByte[v>>24] = byte(i)
	}
	var index [4]byte
	rest := ^want
	for i := 3; i >= 0; i-- {
		index[i] = byTopByte[rest>>24]
		rest = (rest ^ table[index[i]]) << 8
	}
	register := ^crc32.ChecksumIEEE(prefix)
	var out [4]byte
	for i := range out {
		out[i] = byte(register) ^ index[i]
		register = table[index[i]] ^ register>>8
	}
	return out
}

// setFirstByte opens member key of the archive at path in r+, sets its
// first element to v and closes the File (not the Archive).
func setFirstByte(t testing.TB, a *npz.Archive, key string, v uint8) {
	t.Helper()
	f, err := a.Open(key)
	require.NoError(t, err, key)
	view, err := mmarray.View[uint8](f)
	require.NoError(t, err)
	view.Set(v, 0)
	require.NoError(t, f.Close())
}

// Sync rewrites only CRC-32 fields that are there: the central directory's
// always, the local header's only without flag bit 3, a data descriptor's
// only when every field of it checks out. Archives with flag bit 3 but no
// descriptor (which zipfile reads), descriptors without a signature whose
// CRC-32 equals the signature, and descriptors that do not match are all
// left intact; byte for byte, only the written elements and those CRC
// fields change, and NumPy reads the new values.
func TestSyncRewritesOnlyTheCRCsThatAreThere(t *testing.T) {
	t.Parallel()
	const n = 64
	plain := func() []byte { return u1Array(t, n, false, 0) }
	sigCRC := func() []byte { return u1Array(t, n, true, 0x08074b50) }
	wrongDescriptor := func(crc uint32, size int) []byte { return signatureDescriptor(crc^1, size) }
	for _, tc := range []struct {
		name    string
		members []handMember
		// descriptorCRC: per member, where the descriptor's CRC lies
		// relative to the end of the data, or -1 when none may be written.
		descriptorCRC []int64
	}{
		{"flag 3 without descriptors", []handMember{
			{name: "a.npy", content: plain(), flags: 8},
			{name: "b.npy", content: plain(), flags: 8},
		}, []int64{-1, -1}},
		{"descriptors whose CRC is the signature", []handMember{
			{name: "a.npy", content: sigCRC(), flags: 8, descriptor: noSignatureDescriptor},
			{name: "b.npy", content: sigCRC(), flags: 8, descriptor: signatureDescriptor},
		}, []int64{0, 4}},
		{"mixed", []handMember{
			{name: "a.npy", content: plain(), flags: 8, descriptor: wrongDescriptor},
			{name: "b.npy", content: plain(), flags: 0},
			{name: "c.npy", content: plain(), flags: 8, descriptor: signatureDescriptor},
			{name: "d.npy", content: plain(), flags: 8, descriptor: noSignatureDescriptor},
		}, []int64{-1, -1, 4, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw, layouts := buildZip(t, tc.members)
			path := filepath.Join(t.TempDir(), "hand.npz")
			require.NoError(t, os.WriteFile(path, raw, 0o644))
			a, err := npz.Open(path, mmarray.ReadWrite)
			require.NoError(t, err)
			want := bytes.Clone(raw)
			wantValues := map[string][]int{}
			for i, m := range tc.members {
				key := m.name[:1]
				v := uint8(200 + i)
				setFirstByte(t, a, key, v)
				member, err := a.Member(key)
				require.NoError(t, err)
				content := bytes.Clone(m.content)
				content[member.Header.DataOffset] = v
				copy(want[layouts[i].data:], content)
				for _, b := range content[member.Header.DataOffset:] {
					wantValues[key] = append(wantValues[key], int(b))
				}
				crc := crc32.ChecksumIEEE(content)
				binary.LittleEndian.PutUint32(want[layouts[i].central+16:], crc)
				if m.flags&8 == 0 {
					binary.LittleEndian.PutUint32(want[layouts[i].local+14:], crc)
				}
				if d := tc.descriptorCRC[i]; d >= 0 {
					binary.LittleEndian.PutUint32(want[layouts[i].descriptor+d:], crc)
				}
			}
			require.NoError(t, a.Close())
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			for i := range want {
				if got[i] != want[i] {
					require.Failf(t, "unexpected byte", "offset %d: %#x, want %#x (unchanged %#x)", i, got[i], want[i], raw[i])
				}
			}
			out := numpytest.Run(t, `
with np.load(sys.argv[1]) as z:
    values = {k: z[k].tolist() for k in z.files}
with zipfile.ZipFile(sys.argv[1]) as zf:
    bad = zf.testzip()
print(json.dumps({"values": values, "testzip": bad}))
`, path)
			var numpy struct {
				Values  map[string][]int
				Testzip *string
			}
			require.NoError(t, json.Unmarshal([]byte(out), &numpy))
			require.Equal(t, wantValues, numpy.Values, "np.load reads the new values")
			require.Nil(t, numpy.Testzip, "zipfile's testzip finds no bad CRC")
		})
	}
}

// Sync on an archive from this package's Writer (stored members followed by
// data descriptors with a signature): the directory's and the descriptor's
// CRC-32 both change, so Go's archive/zip (which checks the descriptor),
// Python's zipfile testzip and np.load all accept the changed archive.
func TestSyncWriterArchive(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "w.npz")
	w, err := npz.Create(path)
	require.NoError(t, err)
	require.NoError(t, w.WriteFrom("x", writerHeader(t, "<f8", false, 3, 4), bytes.NewReader(formula.LittleEndian[float64](12))))
	require.NoError(t, w.WriteFrom("y", writerHeader(t, "<i4", false, 5), bytes.NewReader(formula.LittleEndian[int32](5))))
	require.NoError(t, w.Close())

	a, err := npz.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	f, err := a.Open("x")
	require.NoError(t, err)
	v, err := mmarray.View[float64](f)
	require.NoError(t, err)
	v.Set(1234.5, 2, 3)
	require.NoError(t, f.Close())
	require.NoError(t, a.Close())

	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	for _, zf := range zr.File {
		require.NotZero(t, zf.Flags&8, "the Writer writes data descriptors")
		r, err := zf.Open()
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, r)
		require.NoError(t, err, "archive/zip reads %s and checks its data descriptor", zf.Name)
		require.NoError(t, r.Close())
	}
	require.NoError(t, zr.Close())
	out := numpytest.Run(t, `
with np.load(sys.argv[1]) as z:
    x, y = z["x"], z["y"]
with zipfile.ZipFile(sys.argv[1]) as zf:
    bad = zf.testzip()
print(json.dumps({"x23": float(x[2, 3]), "x00": float(x[0, 0]), "y": bool((y == formula_array("<i4", (5,))).all()), "testzip": bad}))
`, path)
	require.JSONEq(t, `{"x23": 1234.5, "x00": -3.25, "y": true, "testzip": null}`, out)
}

// Sync may run while other goroutines list and verify members (run with
// -race): the CRC-32s Members and Member report are the directory's before
// or after a Sync, never torn, and an untouched member always verifies.
func TestSyncConcurrentWithReaders(t *testing.T) {
	t.Parallel()
	path := numpytest.CopyToTemp(t, npzTestdata("savez_kw.npz"))
	a, err := npz.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	f, err := a.Open("a")
	require.NoError(t, err)
	v, err := mmarray.View[float64](f)
	require.NoError(t, err)

	const rounds = 50
	synced := make(map[uint32]bool) // every CRC-32 a Sync left in the directory
	before, err := a.Member("a")
	require.NoError(t, err)
	synced[before.CRC32] = true
	seen := make(chan uint32, 4*rounds)
	done := make(chan struct{})
	errs := make(chan error, 2*rounds)
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			// Every reader reads at least once (done is checked after a
			// round), so each reports a's CRC-32 at least twice.
			for {
				for _, m := range a.Members() {
					if m.Name == "a.npy" {
						seen <- m.CRC32
					}
				}
				m, err := a.Member("a")
				if err != nil {
					errs <- err
					return
				}
				seen <- m.CRC32
				if err := a.Verify("b"); err != nil {
					errs <- err
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	var crcs []uint32
	collected := make(chan struct{})
	go func() {
		for c := range seen {
			crcs = append(crcs, c)
		}
		close(collected)
	}()
	for k := range rounds {
		v.Set(float64(k)+0.5, 0, 0)
		require.NoError(t, a.Sync())
		m, err := a.Member("a")
		require.NoError(t, err)
		synced[m.CRC32] = true
	}
	close(done)
	readers.Wait()
	close(seen)
	<-collected
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Greater(t, len(synced), rounds/2, "the CRC changes with the data")
	require.GreaterOrEqual(t, len(crcs), 4, "two readers, each reporting a's CRC-32 from Members and Member at least once")
	var never []uint32 // reported CRC-32s that no Sync left in the directory
	for _, c := range crcs {
		if !synced[c] {
			never = append(never, c)
		}
	}
	require.Empty(t, never, "of %d CRC-32s reported, these were never in the directory", len(crcs))
	require.NoError(t, f.Close())
	require.NoError(t, a.Close())
	b, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer b.Close()
	for _, m := range b.Members() {
		require.NoError(t, b.Verify(m.Name))
	}
}

// In r+, Array reads a stored member through before mapping it the first
// time: a member whose CRC-32 was already wrong is refused with ErrChecksum
// (Sync would otherwise "repair" the CRC from the damaged bytes), and the
// archive is left exactly as it was. Opening the member again after writes
// does not check the CRC those writes made stale.
func TestReadWriteChecksTheCRCBeforeMapping(t *testing.T) {
	t.Parallel()
	path := numpytest.CopyToTemp(t, npzTestdata("bad_crc_stored.npz"))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	a, err := npz.Open(path, mmarray.ReadWrite)
	require.NoError(t, err)
	f, err := a.Open("a")
	require.ErrorIs(t, err, npz.ErrChecksum)
	require.Nil(t, f)
	b1, err := a.Open("b")
	require.NoError(t, err)
	view, err := mmarray.View[int32](b1)
	require.NoError(t, err)
	view.Set(77, 0)
	b2, err := a.Open("b")
	require.NoError(t, err, "the second r+ Array of a member does not re-check its CRC")
	require.NoError(t, b2.Close())
	view.Set(formula.Value[int32](0), 0) // back to the original bytes
	require.NoError(t, b1.Close())
	require.NoError(t, a.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, raw, after, "Close rewrote nothing: the damaged member stays damaged")
	r, err := npz.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer r.Close()
	require.ErrorIs(t, r.Verify("a"), npz.ErrChecksum)
	require.NoError(t, r.Verify("b"))
}

// Sync (and Close) after the archive was truncated from outside refuse with
// ErrSizeMismatch and write nothing: before, Sync returned nil, wrote the
// CRC of the short bytes at a stale offset and so extended the file again
// with a hole. Sync reads members with positioned reads, never through the
// mapping (which would fault past the new end); the member's File is
// closed before the truncation here all the same.
func TestSyncRefusesATruncatedArchive(t *testing.T) {
	t.Parallel()
	for _, cut := range []int64{-1, 1} { // truncated by one byte; extended by one
		path := filepath.Join(t.TempDir(), "cut.npz")
		w, err := npz.Create(path)
		require.NoError(t, err)
		const n = 4096
		require.NoError(t, w.WriteFrom("x", writerHeader(t, "<f8", false, n), bytes.NewReader(formula.LittleEndian[float64](n))))
		require.NoError(t, w.Close())
		a, err := npz.Open(path, mmarray.ReadWrite)
		require.NoError(t, err)
		f, err := a.Open("x")
		require.NoError(t, err)
		v, err := mmarray.View[float64](f)
		require.NoError(t, err)
		v.Set(-1, 7)
		require.NoError(t, f.Close())
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.NoError(t, os.Truncate(path, st.Size()+cut))
		before, err := os.ReadFile(path)
		require.NoError(t, err)

		require.ErrorIs(t, a.Sync(), npz.ErrSizeMismatch, "cut %d", cut)
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		require.True(t, bytes.Equal(before, after), "cut %d: Sync wrote nothing", cut)
		err = a.Close()
		require.ErrorIs(t, err, npz.ErrSizeMismatch, "cut %d: Close syncs too", cut)
		requireOnePrefix(t, err)
		after, err = os.ReadFile(path)
		require.NoError(t, err)
		require.True(t, bytes.Equal(before, after), "cut %d: Close wrote nothing", cut)
	}
}
