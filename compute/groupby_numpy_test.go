package compute_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
)

// numpyGroupBy writes the group-by cases' key and value files into the
// folder named on its standard input, and prints each case with NumPy's
// groups: np.unique(keys, return_inverse=True), then np.bincount of the
// inverse (with the values as weights) and np.minimum.at/np.maximum.at,
// NaN values left out and NaT keys dropped, as pandas' groupby does. It
// also saves each case's expected groups for numpyGroupByFiles.
const numpyGroupBy = `
import os
d = json.load(sys.stdin)
rng = np.random.default_rng(11)
n = 2 * 65536 + 1001  # three chunks of the engine
cases = []
def agg(keys, vals):
    w = vals.astype(np.float64)
    ok = ~np.isnan(w)
    uniq, inv = np.unique(keys, return_inverse=True)
    inv = inv.ravel()
    g = len(uniq)
    cnt = np.bincount(inv[ok], minlength=g)
    s = np.bincount(inv[ok], weights=w[ok], minlength=g)
    a = np.bincount(inv[ok], weights=np.abs(w[ok]), minlength=g)
    if vals.dtype.kind == "f":
        lo = np.full(g, np.inf); hi = np.full(g, -np.inf)
        np.minimum.at(lo, inv[ok], w[ok]); np.maximum.at(hi, inv[ok], w[ok])
        lo[cnt == 0] = np.nan; hi[cnt == 0] = np.nan
        conv = lambda x: repr(float(x))
    else:
        big = vals.astype(np.uint64 if vals.dtype.kind == "u" else np.int64)
        lo = np.full(g, np.iinfo(big.dtype).max, dtype=big.dtype); hi = np.full(g, np.iinfo(big.dtype).min, dtype=big.dtype)
        np.minimum.at(lo, inv, big); np.maximum.at(hi, inv, big)
        conv = lambda x: str(int(x))
    return uniq, cnt, s, a, lo, hi, conv
def case(name, kind, keyfile, keyfield, valfile, valfield, keys, vals, unit="", dropped=0):
    uniq, cnt, s, a, lo, hi, conv = agg(keys, vals)
    if kind == "S":
        ks = [bytes(k).hex() for k in uniq]
    elif kind == "U":
        ks = [str(k) for k in uniq]
    elif kind == "M":
        ks = [str(int(k)) for k in uniq.astype(np.int64)]
    else:
        ks = [str(int(k)) for k in uniq]
    np.savez(os.path.join(d, name + "_want.npz"), key=uniq, count=cnt, sum=s, abs=a,
             min=lo.astype(vals.dtype.newbyteorder("=")), max=hi.astype(vals.dtype.newbyteorder("=")))
    cases.append({"name": name, "kind": kind, "keys": [keyfile, keyfield], "values": [valfile, valfield],
                  "key_code": np.dtype(keys.dtype).str[1:].split("[")[0], "value_code": np.dtype(vals.dtype).str[1:],
                  "unit": unit, "dropped": int(dropped),
                  "want": {"keys": ks, "count": [int(c) for c in cnt], "sum": [repr(float(x)) for x in s],
                           "abs": [repr(float(x)) for x in a], "min": [conv(x) for x in lo], "max": [conv(x) for x in hi]}})
def save(name, a):
    np.save(os.path.join(d, name), a)
    return name
def float_values(keys, dt="<f8"):
    v = np.round(rng.standard_normal(n) * 100, 2)
    v[rng.integers(0, n, 300)] = np.nan
    v[keys == keys[0]] = np.nan  # a group of NaNs only
    return v.astype(dt)
# Integer and bool keys of every dtype and byte order: a small range with
# the extremes of the dtype, and for 64-bit keys also all distinct.
for code in ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]:
    for bo in ("|" if code in ("b1", "i1", "u1") else "<>"):
        dt = np.dtype(bo + code)
        for wide in ([False, True] if code[1] == "8" else [False]):
            if code == "b1":
                k = rng.random(n) < 0.3
            else:
                info = np.iinfo(dt)
                if wide:
                    k = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt.newbyteorder("="))
                else:
                    k = rng.integers(max(info.min, -300), min(info.max, 300), n, endpoint=True, dtype=dt.newbyteorder("="))
                k[5] = info.min; k[n - 5] = info.max
            k = k.astype(dt)
            v = float_values(k) if code != "b1" else np.round(rng.standard_normal(n), 2)
            name = "key_%s%s%s" % ({"<": "le", ">": "be", "|": ""}[bo], code, "_wide" if wide else "")
            case(name, "int", save(name + "_k.npy", k), "", save(name + "_v.npy", v), "", k, v)
# Keys that drift (the one-word keys' window moves within a chunk), some
# far from the rest (their blocks probe the hash table for keys the window
# holds too).
k = np.arange(n, dtype="<i8") // 7
k[rng.integers(0, n, 50)] = rng.integers(-2**40, 2**40, 50)
v = float_values(k)
case("key_drift", "int", save("key_drift_k.npy", k), "", save("key_drift_v.npy", v), "", k, v)
# Values of every real dtype and byte order, by int64 keys.
keys = rng.integers(-500, 500, n).astype("<i8")
kfile = save("keys.npy", keys)
for code in ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
    for bo in ("|" if code in ("b1", "i1", "u1") else "<>"):
        dt = np.dtype(bo + code)
        if code == "b1":
            v = rng.random(n) < 0.5
        elif dt.kind in "iu":
            info = np.iinfo(dt)
            v = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt.newbyteorder("="))
        else:
            v = float_values(keys)
        v = v.astype(dt)
        name = "value_%s%s" % ({"<": "le", ">": "be", "|": ""}[bo], code)
        case(name, "int", kfile, "", save(name + ".npy", v), "", keys, v)
# S and U keys: fields of a structured file.
countries = np.array([b"US", b"FR", b"D", b"", b"\xe9x", b"CN", b"A\x00"], dtype="S2")
cities = np.array(["Paris", "é", "中国", "😀a", "ab", "a", "", "Zürich"], dtype="<U7")
rec = np.zeros(n, dtype=[("country", "S2"), ("city", "<U7"), ("name", "S11"), ("bcity", ">U2"), ("x", "<f4"), ("m", ">i2")])
rec["country"] = countries[rng.integers(0, len(countries), n)]
rec["city"] = cities[rng.integers(0, len(cities), n)]
rec["bcity"] = rec["city"].astype(">U2")
rec["name"] = np.char.add(np.char.add(b"nm", rng.integers(0, 5000, n).astype("S5")), b"xyzw")
x = float_values(rec["country"], "<f4")
x[rec["city"] == "Zürich"] = np.nan
rec["x"] = x
rec["m"] = rng.integers(-30000, 30000, n)
sfile = save("table.npy", rec)
case("country", "S", sfile, "country", sfile, "x", rec["country"], rec["x"])
case("city", "U", sfile, "city", sfile, "x", rec["city"], rec["x"])
case("bcity", "U", sfile, "bcity", sfile, "m", rec["bcity"], rec["m"])
case("name", "S", sfile, "name", sfile, "m", rec["name"], rec["m"])
# Datetime keys truncated to units, negative times and NaT among them.
def times(unit, lo, hi):
    t = rng.integers(lo, hi, n).astype("<M8[%s]" % unit)
    t[rng.integers(0, n, 200)] = np.datetime64("NaT")
    return t
for src, lo, hi, units in [("ns", -2**62, 2**62, ["D", "h", "M", "Y", "W", "15m", "7D"]),
                           ("s", -10**10, 10**10, ["D", "M", "h"]),
                           ("D", -80000, 80000, ["Y", "M", "W"]),
                           ("M", -3000, 3000, ["Y", "D", "5Y"])]:
    t = times(src, lo, hi)
    tfile = save("t_%s.npy" % src, t)
    keep = ~np.isnat(t)
    for unit in units:
        v = float_values(t.astype("M8[%s]" % unit))
        name = "time_%s_%s" % (src, unit)
        case(name, "M", tfile, "", save(name + "_v.npy", v), "", t[keep].astype("M8[%s]" % unit), v[keep], unit, (~keep).sum())
print(json.dumps(cases))
`

// numpyGroupByFiles loads the .npy files the Go group-bys wrote and
// compares them with the groups numpyGroupBy saved, printing the
// differences.
const numpyGroupByFiles = `
import os
d = json.load(sys.stdin)
bad = []
for name in d["names"]:
    got = np.load(os.path.join(d["dir"], name + "_got.npy"))
    want = np.load(os.path.join(d["dir"], name + "_want.npz"))
    if got.dtype.names != ("key", "count", "sum", "mean", "min", "max"):
        bad.append("%s: fields %s" % (name, got.dtype.names)); continue
    if got["count"].dtype != np.int64 or got["sum"].dtype != np.float64 or got["min"].dtype != want["min"].dtype:
        bad.append("%s: dtype %s" % (name, got.dtype)); continue
    tol = 1e-11 * want["abs"]
    checks = [("key", np.array_equal(got["key"], want["key"])),
              ("count", np.array_equal(got["count"], want["count"])),
              ("sum", np.all(np.abs(got["sum"] - want["sum"]) <= tol)),
              ("mean", np.allclose(got["mean"], want["sum"] / want["count"], rtol=0, atol=0, equal_nan=True) or
                       np.all(np.isnan(got["mean"]) == (want["count"] == 0)) and
                       np.all(np.abs(got["mean"] - want["sum"] / want["count"])[want["count"] > 0] <= (tol / np.maximum(want["count"], 1))[want["count"] > 0] + 1e-300)),
              ("min", np.array_equal(got["min"], want["min"], equal_nan=got["min"].dtype.kind == "f")),
              ("max", np.array_equal(got["max"], want["max"], equal_nan=got["max"].dtype.kind == "f"))]
    bad += ["%s: %s differs" % (name, what) for what, ok in checks if not ok]
print(json.dumps(bad))
`

type groupCase struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Keys      [2]string `json:"keys"`
	Values    [2]string `json:"values"`
	KeyCode   string    `json:"key_code"`
	ValueCode string    `json:"value_code"`
	Unit      string    `json:"unit"`
	Dropped   int64     `json:"dropped"`
	Want      struct {
		Keys  []string `json:"keys"`
		Count []int64  `json:"count"`
		Sum   []string `json:"sum"`
		Abs   []string `json:"abs"`
		Min   []string `json:"min"`
		Max   []string `json:"max"`
	} `json:"want"`
}

// TestGroupByMatchesNumPy runs every case of numpyGroupBy with 1, 2, 3
// and 8 workers, checks that the results are the same bit for bit and that
// they are NumPy's (keys, counts and extremes exactly, sums and means within
// 1e-11 of the sum of the group's absolute values, NumPy's bincount adding
// in row order where this package adds with compensation), writes each
// one-worker result with WriteNPY and has NumPy load and check the files.
func TestGroupByMatchesNumPy(t *testing.T) {
	dir := t.TempDir()
	var cases []groupCase
	numpytest.RunJSON(t, numpyGroupBy, dir, &cases)
	if len(cases) == 0 {
		t.Fatal("NumPy wrote no cases")
	}
	var (
		mu    sync.Mutex // guards names
		names []string   // the cases run, whose files NumPy checks
	)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			for _, bad := range runGroupCase(t, dir, c) {
				t.Error(bad)
			}
			mu.Lock()
			names = append(names, c.Name)
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		var bad []string
		numpytest.RunJSON(t, numpyGroupByFiles, map[string]any{"dir": dir, "names": names}, &bad)
		for _, b := range bad {
			t.Error("NumPy on the written file:", b)
		}
	})
}

// openColumn opens a column of the case: a whole 1-D file, or a field of
// a structured one.
func openColumn[T mmarray.Element](t *testing.T, dir string, col [2]string) *mmarray.Array[T] {
	t.Helper()
	f, err := mmarray.Open(filepath.Join(dir, col[0]), mmarray.ReadOnly)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	if col[1] == "" {
		a, err := mmarray.View[T](f)
		must(t, err)
		return a
	}
	rows, err := mmarray.View[[]byte](f)
	must(t, err)
	a, err := mmarray.Field[T](rows, col[1])
	must(t, err)
	return a
}

func runGroupCase(t *testing.T, dir string, c groupCase) []string {
	switch c.Kind {
	case "S", "U":
		switch c.ValueCode {
		case "f4":
			return checkStringCase[float32](t, dir, c)
		case "i2":
			return checkStringCase[int16](t, dir, c)
		}
	case "M":
		keys := openColumn[mmarray.Datetime64](t, dir, c.Keys)
		return checkGroupCase(t, dir, c, func(ctx context.Context, opts ...compute.Option) (*compute.Groups[mmarray.Datetime64, float64], error) {
			return compute.GroupByTime(ctx, keys, c.Unit, openColumn[float64](t, dir, c.Values), opts...)
		}, func(k mmarray.Datetime64) string { return strconv.FormatInt(int64(k), 10) })
	case "int":
		if c.KeyCode != "i8" {
			switch c.KeyCode {
			case "b1":
				return checkIntCase[bool, float64](t, dir, c)
			case "i1":
				return checkIntCase[int8, float64](t, dir, c)
			case "u1":
				return checkIntCase[uint8, float64](t, dir, c)
			case "i2":
				return checkIntCase[int16, float64](t, dir, c)
			case "u2":
				return checkIntCase[uint16, float64](t, dir, c)
			case "i4":
				return checkIntCase[int32, float64](t, dir, c)
			case "u4":
				return checkIntCase[uint32, float64](t, dir, c)
			case "u8":
				return checkIntCase[uint64, float64](t, dir, c)
			}
		}
		switch c.ValueCode {
		case "b1":
			return checkIntCase[int64, bool](t, dir, c)
		case "i1":
			return checkIntCase[int64, int8](t, dir, c)
		case "u1":
			return checkIntCase[int64, uint8](t, dir, c)
		case "i2":
			return checkIntCase[int64, int16](t, dir, c)
		case "u2":
			return checkIntCase[int64, uint16](t, dir, c)
		case "i4":
			return checkIntCase[int64, int32](t, dir, c)
		case "u4":
			return checkIntCase[int64, uint32](t, dir, c)
		case "i8":
			return checkIntCase[int64, int64](t, dir, c)
		case "u8":
			return checkIntCase[int64, uint64](t, dir, c)
		case "f2":
			return checkIntCase[int64, mmarray.Float16](t, dir, c)
		case "f4":
			return checkIntCase[int64, float32](t, dir, c)
		case "f8":
			return checkIntCase[int64, float64](t, dir, c)
		}
	}
	t.Fatalf("case %s: no runner for %s keys and %s values", c.Name, c.KeyCode, c.ValueCode)
	return nil
}

func checkIntCase[Key compute.GroupKey, V compute.Real](t *testing.T, dir string, c groupCase) []string {
	keys, values := openColumn[Key](t, dir, c.Keys), openColumn[V](t, dir, c.Values)
	return checkGroupCase(t, dir, c, func(ctx context.Context, opts ...compute.Option) (*compute.Groups[Key, V], error) {
		return compute.GroupBy(ctx, keys, values, opts...)
	}, intString[Key])
}

func checkStringCase[V compute.Real](t *testing.T, dir string, c groupCase) []string {
	keyString := func(k string) string { return k }
	if c.Kind == "S" {
		keyString = func(k string) string { return hex.EncodeToString([]byte(k)) }
	}
	keys, values := openColumn[string](t, dir, c.Keys), openColumn[V](t, dir, c.Values)
	return checkGroupCase(t, dir, c, func(ctx context.Context, opts ...compute.Option) (*compute.Groups[string, V], error) {
		return compute.GroupByString(ctx, keys, values, opts...)
	}, keyString)
}

// checkGroupCase runs a case's group-by with each worker count and returns
// what differs between them and from NumPy's groups.
func checkGroupCase[Key mmarray.Element, V compute.Real](t *testing.T, dir string, c groupCase,
	groupBy func(context.Context, ...compute.Option) (*compute.Groups[Key, V], error), keyString func(Key) string) []string {
	ctx := context.Background()
	first, err := groupBy(ctx, compute.WithWorkers(1))
	must(t, err)
	var bad []string
	for _, workers := range []int{2, 3, 8} {
		g, err := groupBy(ctx, compute.WithWorkers(workers))
		must(t, err)
		if diff := sameGroups(first, g); diff != "" {
			bad = append(bad, fmt.Sprintf("%d workers against 1: %s", workers, diff))
		}
	}
	must(t, first.WriteNPY(filepath.Join(dir, c.Name+"_got.npy")))
	w := c.Want
	if len(first.Groups) != len(w.Keys) || first.Dropped != c.Dropped {
		return append(bad, fmt.Sprintf("%d groups, %d dropped; NumPy %d, %d", len(first.Groups), first.Dropped, len(w.Keys), c.Dropped))
	}
	parse := func(s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		must(t, err)
		return f
	}
	extreme := func(v V) string {
		if isFloatType[V]() {
			return strconv.FormatFloat(asFloat(v), 'g', -1, 64)
		}
		return intString(v)
	}
	for i, g := range first.Groups {
		if len(bad) > 10 {
			break
		}
		want := fmt.Sprintf("key %s count %d min %s max %s", w.Keys[i], w.Count[i], w.Min[i], w.Max[i])
		if isFloatType[V]() {
			want = fmt.Sprintf("key %s count %d min %s max %s", w.Keys[i], w.Count[i],
				strconv.FormatFloat(parse(w.Min[i]), 'g', -1, 64), strconv.FormatFloat(parse(w.Max[i]), 'g', -1, 64))
		}
		got := fmt.Sprintf("key %s count %d min %s max %s", keyString(g.Key), g.Count, extreme(g.Min), extreme(g.Max))
		if got != want {
			bad = append(bad, fmt.Sprintf("group %d: %s; NumPy %s", i, got, want))
			continue
		}
		sum, tol := parse(w.Sum[i]), 1e-11*parse(w.Abs[i])
		mean := sum / float64(w.Count[i])
		if !(math.Abs(g.Sum-sum) <= tol) || !(math.Abs(g.Mean-mean) <= tol/float64(w.Count[i])) && !(math.IsNaN(g.Mean) && math.IsNaN(mean)) {
			bad = append(bad, fmt.Sprintf("group %d (key %s): sum %v mean %v; NumPy %v, %v", i, w.Keys[i], g.Sum, g.Mean, sum, mean))
		}
	}
	return bad
}
