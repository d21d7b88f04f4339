package mmarray_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// float16Inputs are float32 and float64 values that exercise every rounding
// case: for each float16, its exact value, the halfway points to its
// neighbours and one unit in the last place either side of them, plus
// overflow, underflow, NaN payloads and random bit patterns.
func float16Inputs() (f32 []float32, f64 []float64) {
	for bits := range 1 << 16 {
		h := mmarray.Float16(bits)
		if h.IsNaN() || h&0x7fff == 0x7c00 {
			continue
		}
		next := mmarray.Float16(bits + 1)
		if next&0x7fff == 0x7c00 {
			next = h // the halfway point to infinity is covered below
		}
		mid := (h.Float64() + next.Float64()) / 2
		for _, x := range []float64{h.Float64(), mid} {
			f64 = append(f64, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
			x32 := float32(x)
			f32 = append(f32, x32, math.Nextafter32(x32, float32(math.Inf(1))), math.Nextafter32(x32, float32(math.Inf(-1))))
		}
	}
	for _, x := range []float64{65504, 65519.99, 65520, 65536, 1e300, 5.96e-8, 2.98e-8, 2.9802322387695312e-08, 1e-300, math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)} {
		f64 = append(f64, x, -x)
		f32 = append(f32, float32(x), -float32(x))
	}
	for _, nan := range []uint32{0x7fc00000, 0x7f800001, 0x7fa00000, 0xffc12345, 0x7f802000} {
		f32 = append(f32, math.Float32frombits(nan))
	}
	for _, nan := range []uint64{0x7ff8000000000000, 0x7ff0000000000001, 0xfff4000000000000, 0x7ff0040000000000} {
		f64 = append(f64, math.Float64frombits(nan))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		f32 = append(f32, math.Float32frombits(rng.Uint32()))
		f64 = append(f64, math.Float64frombits(rng.Uint64()))
	}
	return f32, f64
}

// Every float16 converts to float32 and float64, and every rounding case
// from float32 and float64 converts to float16, to exactly the bits NumPy's
// astype gives.
func TestFloat16ConversionsMatchNumPyBitForBit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f32, f64 := float16Inputs()
	in32 := make([]byte, 4*len(f32))
	for i, x := range f32 {
		binary.LittleEndian.PutUint32(in32[4*i:], math.Float32bits(x))
	}
	in64 := make([]byte, 8*len(f64))
	for i, x := range f64 {
		binary.LittleEndian.PutUint64(in64[8*i:], math.Float64bits(x))
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	require.NoError(t, os.WriteFile(path("in32"), in32, 0o644))
	require.NoError(t, os.WriteFile(path("in64"), in64, 0o644))
	numpytest.Run(t, `
d = sys.argv[1] + '/'
with np.errstate(all='ignore'):
    h = np.arange(1 << 16, dtype='<u2').view('<f2')
    h.astype('<f4').tofile(d + 'h32')
    h.astype('<f8').tofile(d + 'h64')
    np.fromfile(d + 'in32', '<f4').astype('<f2').tofile(d + 'out32')
    np.fromfile(d + 'in64', '<f8').astype('<f2').tofile(d + 'out64')
`, dir)
	read := func(name string) []byte {
		b, err := os.ReadFile(path(name))
		require.NoError(t, err)
		return b
	}
	h32, h64 := read("h32"), read("h64")
	for bits := range 1 << 16 {
		h := mmarray.Float16(bits)
		require.Equal(t, binary.LittleEndian.Uint32(h32[4*bits:]), math.Float32bits(h.Float32()), "float16 %#04x to float32", bits)
		require.Equal(t, binary.LittleEndian.Uint64(h64[8*bits:]), math.Float64bits(h.Float64()), "float16 %#04x to float64", bits)
	}
	out32, out64 := read("out32"), read("out64")
	for i, x := range f32 {
		require.Equal(t, binary.LittleEndian.Uint16(out32[2*i:]), mmarray.Float16FromFloat32(x).Bits(), "float32 %#08x", math.Float32bits(x))
	}
	for i, x := range f64 {
		require.Equal(t, binary.LittleEndian.Uint16(out64[2*i:]), mmarray.Float16FromFloat64(x).Bits(), "float64 %#016x", math.Float64bits(x))
	}
}

// String prints the shortest decimal that reads back as the same float16:
// the digits NumPy prints, for every float16.
func TestFloat16StringIsShortestRoundTrip(t *testing.T) {
	t.Parallel()
	// NumPy picks positional or exponent notation by its own rules; the
	// digits, and so the values they parse to, are the same.
	out := numpytest.Run(t, `
h = np.arange(1 << 16, dtype='<u2').view('<f2')
print('\n'.join(str(x) for x in h))
`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1<<16)
	for bits := range 1 << 16 {
		h := mmarray.Float16(bits)
		if h.IsNaN() {
			continue
		}
		s := h.String()
		ours, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, s)
		require.Equal(t, h, mmarray.Float16FromFloat64(ours), "%#04x printed as %s", bits, s)
		numpys, err := strconv.ParseFloat(lines[bits], 64)
		require.NoError(t, err, lines[bits])
		require.Equal(t, numpys, ours, "%#04x: NumPy prints %s, String %s", bits, lines[bits], s)
	}
}
