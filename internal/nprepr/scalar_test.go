package nprepr

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// TestFloatsAndComplexMatchNumPy compares AppendFloat and AppendComplex
// with NumPy's str of scalars over random bit patterns of each size (every
// exponent, so both notations and both cut-offs) and the edge values.
func TestFloatsAndComplexMatchNumPy(t *testing.T) {
	t.Parallel()
	var got struct {
		F2, F4, F8 []uint64
		S2, S4, S8 []string
		C8, C16    [][2]uint64
		SC8, SC16  []string
	}
	numpytest.RunJSON(t, `
rng = np.random.default_rng(7)
out = {}
for bits, t, u in [(2, np.float16, np.uint16), (4, np.float32, np.uint32), (8, np.float64, np.uint64)]:
    raw = rng.integers(0, 2**(8*bits), 3000, dtype=np.uint64, endpoint=False).astype(u)
    edges = np.array([0.0, -0.0, 1e-4, 1e16, 0.1, 1/3, 2**-14, 65504, 1e38, 5e-324], dtype=np.float64)
    with np.errstate(all='ignore'):
        vals = np.concatenate([raw.view(t), edges.astype(t), np.nextafter(edges.astype(t), t(np.inf))])
    out['F%d' % bits] = [int(x) for x in vals.view(u)]
    out['S%d' % bits] = [str(x) for x in vals]
for bits, t, u in [(8, np.complex64, np.uint32), (16, np.complex128, np.uint64)]:
    parts = rng.integers(0, 2**(4*bits), (2000, 2), dtype=np.uint64, endpoint=False).astype(u)
    parts[:50, 0] = 0
    parts[50:100, 0] = np.array(-0.0, t(0).real.dtype).view(u)
    vals = parts.view(t).ravel()
    out['C%d' % bits] = [[int(a), int(b)] for a, b in parts]
    out['SC%d' % bits] = [str(x) for x in vals]
print(json.dumps(out))
`, nil, &got)
	var mismatches []string
	check := func(what string, want string, text []byte) {
		if string(text) != want {
			mismatches = append(mismatches, fmt.Sprintf("%s: %q, NumPy %q", what, text, want))
		}
	}
	var buf []byte
	for i, b := range got.F2 {
		check(fmt.Sprintf("float16 %#04x", b), got.S2[i], AppendFloat(buf[:0], mmarray.Float16(b).Float64(), 16))
	}
	for i, b := range got.F4 {
		check(fmt.Sprintf("float32 %#08x", b), got.S4[i], AppendFloat(buf[:0], float64(math.Float32frombits(uint32(b))), 32))
	}
	for i, b := range got.F8 {
		check(fmt.Sprintf("float64 %#016x", b), got.S8[i], AppendFloat(buf[:0], math.Float64frombits(b), 64))
	}
	for i, p := range got.C8 {
		re, im := float64(math.Float32frombits(uint32(p[0]))), float64(math.Float32frombits(uint32(p[1])))
		check(fmt.Sprintf("complex64 %#x", p), got.SC8[i], AppendComplex(buf[:0], re, im, 32))
	}
	for i, p := range got.C16 {
		check(fmt.Sprintf("complex128 %#x", p), got.SC16[i], AppendComplex(buf[:0], math.Float64frombits(p[0]), math.Float64frombits(p[1]), 64))
	}
	if len(got.S8) < 3000 || len(got.SC16) < 2000 {
		t.Fatalf("NumPy gave %d float64 and %d complex128 cases", len(got.S8), len(got.SC16))
	}
	if len(mismatches) > 0 {
		n := len(mismatches)
		t.Errorf("%d values print differently from NumPy, the first:\n%s", n, strings.Join(mismatches[:min(n, 20)], "\n"))
	}
}

// TestDatetimesMatchNumPy compares AppendDatetime and AppendTimedelta with
// NumPy's str of datetime64 and timedelta64 scalars: random counts of every
// unit (and a multiple), spread over magnitudes, with NaT.
func TestDatetimesMatchNumPy(t *testing.T) {
	t.Parallel()
	var got []struct {
		Unit      string
		Count     int64
		Date, Dur string
	}
	numpytest.RunJSON(t, `
rng = np.random.default_rng(11)
# the largest count per unit whose date NumPy prints with a year of at most 6 digits
limits = {'Y': 10**5, 'M': 10**6, 'W': 10**7, 'D': 10**8, 'h': 10**9, 'm': 10**10, 's': 10**12,
          'ms': 10**15, 'us': 10**18, 'ns': 2**62, 'ps': 2**62, 'fs': 2**62, 'as': 2**62, '10s': 10**11, '3D': 10**7}
out = []
for unit, lim in limits.items():
    for mag in [10, 1000, 10**6, lim]:
        mag = min(mag, lim)
        for c in rng.integers(-mag, mag, 40):
            c = int(c)
            out.append({'Unit': unit, 'Count': c, 'Date': str(np.datetime64(c, unit)), 'Dur': str(np.timedelta64(c, unit))})
    out.append({'Unit': unit, 'Count': -2**63, 'Date': str(np.datetime64('NaT', unit)), 'Dur': str(np.timedelta64('NaT', unit))})
print(json.dumps(out))
`, nil, &got)
	var mismatches []string
	var buf []byte
	for _, c := range got {
		if s := string(AppendDatetime(buf[:0], c.Count, c.Unit)); s != c.Date {
			mismatches = append(mismatches, fmt.Sprintf("datetime64(%d, %q): %q, NumPy %q", c.Count, c.Unit, s, c.Date))
		}
		if s := string(AppendTimedelta(buf[:0], c.Count, c.Unit)); s != c.Dur {
			mismatches = append(mismatches, fmt.Sprintf("timedelta64(%d, %q): %q, NumPy %q", c.Count, c.Unit, s, c.Dur))
		}
	}
	if len(got) < 1000 {
		t.Fatalf("NumPy gave %d cases", len(got))
	}
	if len(mismatches) > 0 {
		n := len(mismatches)
		t.Errorf("%d of %d values print differently from NumPy, the first:\n%s", n, 2*len(got), strings.Join(mismatches[:min(n, 30)], "\n"))
	}
}
