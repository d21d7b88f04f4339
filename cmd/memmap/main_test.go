package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
)

// runCLI runs the command in-process and returns its exit status, stdout
// and stderr.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// infoFields parses info's output into one map per section (a file, or a
// member of an archive): key → value, for the lines "  key   value".
func infoFields(out string) []map[string]string {
	var sections []map[string]string
	line := regexp.MustCompile(`^  (format|descr|shape|order|data offset|bytes|resident|storage)\s+(.*)$`)
	for _, l := range strings.Split(out, "\n") {
		if l != "" && l[0] != ' ' {
			sections = append(sections, map[string]string{})
			continue
		}
		if m := line.FindStringSubmatch(l); m != nil && len(sections) > 0 {
			sections[len(sections)-1][m[1]] = m[2]
		}
	}
	return sections
}

// headerFactsScript writes arrays with NumPy and prints, for each file (and
// each member of the archive), the facts np.lib.format reads from its
// header, in the form info prints them.
const headerFactsScript = `
import os
d = json.load(sys.stdin)
rec = np.dtype([('x', '<f8'), ('name', 'S5'), ('pos', [('lat', '>f4'), ('n', '<u2')]), ('v', '<i4', (2, 3))])
arrays = {
    'f8.npy': np.arange(1000, dtype='<f8'),
    'fortran.npy': np.asfortranarray(np.arange(12, dtype='>i4').reshape(3, 4)),
    'rec.npy': np.zeros(7, dtype=rec),
    'u.npy': np.array(['a', 'bc'], dtype='<U3'),
    'scalar.npy': np.array(2.5, dtype='<f2'),
    'empty.npy': np.zeros((0, 3), dtype='<c16'),
    'dt.npy': np.arange(5).astype('<M8[ns]'),
}
facts = {}
def header_facts(f):
    version = np.lib.format.read_magic(f)
    shape, fortran, dtype = np.lib.format._read_array_header(f, version)
    return {'format': 'npy %d.%d' % version,
            'descr': repr(np.lib.format.dtype_to_descr(dtype)),
            'shape': repr(tuple(shape)), 'order': 'F' if fortran else 'C',
            'data offset': str(f.tell()),
            'bytes': str(int(np.prod(shape)) * dtype.itemsize)}
for name, a in arrays.items():
    np.save(os.path.join(d, name), a)
    with open(os.path.join(d, name), 'rb') as f:
        facts[name] = header_facts(f)
np.savez(os.path.join(d, 'stored.npz'), a=arrays['f8.npy'], r=arrays['rec.npy'])
np.savez_compressed(os.path.join(d, 'deflated.npz'), a=arrays['fortran.npy'])
for archive in ['stored.npz', 'deflated.npz']:
    path = os.path.join(d, archive)
    with zipfile.ZipFile(path) as z, open(path, 'rb') as raw:
        for info in z.infolist():
            with z.open(info) as m:
                fa = header_facts(m)
            if info.compress_type == zipfile.ZIP_STORED:
                raw.seek(info.header_offset + 26)
                n, m = np.frombuffer(raw.read(4), '<u2')
                start = info.header_offset + 30 + int(n) + int(m)
                fa['data offset'] = str(start + int(fa['data offset']))
                fa['storage'] = 'in place'
            else:
                fa['data offset'] += ' (in the decompressed member)'
                fa['storage'] = 'deflated (%d bytes compressed)' % info.compress_size
            facts[archive + ':' + info.filename] = fa
print(json.dumps(facts))
`

func TestInfoMatchesNumPyHeaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var facts map[string]map[string]string
	numpytest.RunJSON(t, headerFactsScript, dir, &facts)
	var mismatches []string
	check := func(what string, got, want map[string]string) {
		for k, w := range want {
			if got[k] != w {
				mismatches = append(mismatches, fmt.Sprintf("%s: %s = %q, NumPy %q", what, k, got[k], w))
			}
		}
	}
	for _, file := range []string{"f8.npy", "fortran.npy", "rec.npy", "u.npy", "scalar.npy", "empty.npy", "dt.npy"} {
		code, out, errOut := runCLI("info", filepath.Join(dir, file))
		if code != exitOK {
			t.Fatalf("info %s: status %d, stderr %q", file, code, errOut)
		}
		sections := infoFields(out)
		if len(sections) != 1 {
			t.Fatalf("info %s: %d sections in\n%s", file, len(sections), out)
		}
		check(file, sections[0], facts[file])
		if !regexp.MustCompile(`^(\d+\.\d)% \((\d+) of (\d+) pages\)$|^- \(no data\)$`).MatchString(sections[0]["resident"]) {
			mismatches = append(mismatches, fmt.Sprintf("%s: resident %q", file, sections[0]["resident"]))
		}
	}
	for _, archive := range []string{"stored.npz", "deflated.npz"} {
		code, out, errOut := runCLI("info", filepath.Join(dir, archive))
		if code != exitOK {
			t.Fatalf("info %s: status %d, stderr %q", archive, code, errOut)
		}
		sections := infoFields(out)[1:] // the archive's own line first
		members := regexp.MustCompile(`(?m)^member "[^"]*" \((.*)\)$`).FindAllStringSubmatch(out, -1)
		if len(members) != len(sections) || len(members) == 0 {
			t.Fatalf("info %s: members %v, sections %d in\n%s", archive, members, len(sections), out)
		}
		for i, m := range members {
			key := archive + ":" + m[1]
			if facts[key] == nil {
				t.Fatalf("info %s: member %s unknown to NumPy", archive, m[1])
			}
			check(key, sections[i], facts[key])
		}
		if len(members) != strings.Count(strings.Join(mapKeys(facts), "\n"), archive+":") {
			mismatches = append(mismatches, fmt.Sprintf("%s: %d members listed", archive, len(members)))
		}
	}
	// A member on its own, named ARCHIVE:KEY.
	code, out, errOut := runCLI("info", filepath.Join(dir, "stored.npz")+":r")
	if code != exitOK {
		t.Fatalf("info stored.npz:r: status %d, stderr %q", code, errOut)
	}
	want := facts["stored.npz:r.npy"]
	delete(want, "storage")
	check("stored.npz:r", infoFields(out)[0], want)
	if !strings.Contains(out, "    pos          record") || !strings.Contains(out, "      lat          >f4") ||
		!strings.Contains(out, "    v            <i4 (2, 3)") {
		mismatches = append(mismatches, "stored.npz:r: fields not listed as nested:\n"+out)
	}
	if len(mismatches) > 0 {
		t.Errorf("info disagrees with NumPy's headers:\n%s", strings.Join(mismatches, "\n"))
	}
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// TestInfoRaw maps raw files with np.memmap's arguments and compares the
// shape, order and size with np.memmap's.
func TestInfoRaw(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw := filepath.Join(dir, "data.bin")
	out := numpytest.Run(t, `
np.arange(100, dtype='<f4').tofile(sys.argv[1])
for dtype, shape, offset, order in [('<f4', None, 0, 'C'), ('>i2', (7, 3), 6, 'F'), ('|u1', None, 13, 'C')]:
    m = np.memmap(sys.argv[1], dtype=dtype, mode='r', offset=offset, shape=shape, order=order)
    print(repr(m.shape), 'F' if (m.ndim > 1 and m.flags.f_contiguous) else 'C', m.nbytes)
`, raw)
	want := strings.Split(strings.TrimSpace(out), "\n")
	cases := [][]string{
		{"--dtype", "<f4"},
		{"--dtype", ">i2", "--shape", "7,3", "--offset", "6", "--order", "F"},
		{"--dtype", "|u1", "--offset", "13"},
	}
	for i, args := range cases {
		code, got, errOut := runCLI(append(append([]string{"info"}, args...), raw)...)
		if code != exitOK {
			t.Fatalf("info %v: status %d, stderr %q", args, code, errOut)
		}
		s := infoFields(got)[0]
		if line := s["shape"] + " " + s["order"] + " " + s["bytes"]; line != want[i] {
			t.Errorf("info %v: %q, np.memmap %q", args, line, want[i])
		}
	}
}

// headScript writes one .npy per dtype with values that exercise NumPy's
// printing and prints, for the first rows, str() of each scalar (repr() for
// S and U items, as head prints them).
const headScript = `
import os
d = json.load(sys.stdin)
f64 = [0.1, 1e20, 1.5, float('nan'), float('-inf'), 1e-5, 123456789.0, 1e16, 9999999999999998.0,
       1e-4, 0.99e-4, -0.0, 0.0, 5e-324, 1.7976931348623157e308, 2.0**60, 1/3, -2.5e-300, 100.0, 12345.678]
cases = {
    'f8': np.array(f64, dtype='<f8'),
    'f4': np.array(f64, dtype='>f4'),
    'f2': np.array(f64 + [65504.0, 6e-8, 0.0001, 1000.0], dtype='<f2'),
    'c16': np.array([2j, -2j, 1e20+1j, complex('nan+infj'), 1.5-0.0j, -1.5+0.25j, complex(-0.0, 1), 0j], dtype='<c16'),
    'c8': np.array([0.1+0.2j, -3-1e-7j, 1e30j], dtype='>c8'),
    'i8': np.array([0, -1, 2**63-1, -2**63], dtype='<i8'),
    'u8': np.array([0, 2**64-1], dtype='>u8'),
    'i1': np.array([-128, 127], dtype='i1'),
    'b1': np.array([True, False], dtype='?'),
    'S': np.array([b'abc', b"it's", b'a"b\'c', b'\x00x', b'\t\n\\', b'\xff\x7f', b''], dtype='S6'),
    'U': np.array(['abc', "it's", 'h\u00e9llo', '\u4e2d', '\x07', 'tab\t', '\U0001f600', ''], dtype='<U6'),
    'M8[ns]': np.array([0, -1, 10**18, 'NaT'], dtype='<M8[ns]'),
    'M8[D]': np.array(['2020-02-29', '1900-03-01', '0001-01-01', '9999-12-31', 'NaT', '1969-12-31'], dtype='<M8[D]'),
    'M8[s]': np.array([-3, 86400 * 366, 253402300799], dtype='>M8[s]'),
    'M8[Y]': np.array([0, 53, -1970], dtype='<M8[Y]'),
    'M8[M]': np.array([0, -1, 25], dtype='<M8[M]'),
    'M8[W]': np.array([0, -1, 3], dtype='<M8[W]'),
    'M8[h]': np.array([0, -1, 30], dtype='<M8[h]'),
    'M8[m]': np.array([0, -1, 61], dtype='<M8[m]'),
    'M8[ms]': np.array([0, -1, 1234567], dtype='<M8[ms]'),
    'M8[us]': np.array([0, -1, 1234567], dtype='<M8[us]'),
    'M8[10s]': np.array([3, -7], dtype='<M8[10s]'),
    'm8[s]': np.array([5, -5, 0, 'NaT'], dtype='<m8[s]'),
    'm8[ms]': np.array([1, 1000], dtype='<m8[ms]'),
    'm8[D]': np.array([1, -2], dtype='<m8[D]'),
    'm8[10s]': np.array([5], dtype='<m8[10s]'),
}
out = {}
for name, a in cases.items():
    np.save(os.path.join(d, name + '.npy'), a)
    fmt = repr if a.dtype.kind in 'SU' else str
    out[name] = [fmt(x) for x in a]
rec = np.zeros(4, dtype=[('x', '<f8'), ('name', 'S4'), ('city', '<U5'), ('when', '<M8[D]'), ('ok', '?'), ('n', '>i2')])
rec['x'] = [1, 2.5, -3e-7, float('nan')]
rec['name'] = [b'ab', b"it's", b'', b'\x01']
rec['city'] = ['Oslo', 'Z\u00fcrich', '', 'x']
rec['when'] = ['2001-09-09', 'NaT', '1970-01-01', '2038-01-19']
rec['ok'] = [True, False, True, False]
rec['n'] = [1, -2, 300, -32768]
np.save(os.path.join(d, 'rec.npy'), rec)
out['rec'] = [list(rec.dtype.names)] + [[(repr if rec.dtype[f].kind in 'SU' else str)(r[f]) for f in rec.dtype.names] for r in rec]
print(json.dumps(out))
`

func TestHeadMatchesNumPyPrinting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var want map[string][]json.RawMessage
	numpytest.RunJSON(t, headScript, dir, &want)
	var mismatches []string
	for name, rows := range want {
		if name == "rec" {
			continue
		}
		mismatches = append(mismatches, headMismatches(t, dir, name, "100", len(rows), func(i int, line string) string {
			var w string
			if err := json.Unmarshal(rows[i], &w); err != nil {
				t.Fatal(err)
			}
			if line != w {
				return fmt.Sprintf("%q, NumPy %q", line, w)
			}
			return ""
		})...)
	}
	// Records: a header line of names, then one row per record, each field
	// as NumPy prints it, columns two or more spaces apart.
	code, out, errOut := runCLI("head", filepath.Join(dir, "rec.npy"))
	if code != exitOK {
		t.Fatalf("head rec.npy: status %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	gap := regexp.MustCompile(`\s{2,}`)
	if len(lines) != len(want["rec"]) {
		t.Fatalf("head rec.npy: %d lines, NumPy %d rows:\n%s", len(lines), len(want["rec"]), out)
	}
	for i, raw := range want["rec"] {
		var w []string
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatal(err)
		}
		if got := gap.Split(strings.TrimSpace(lines[i]), -1); fmt.Sprint(got) != fmt.Sprint(w) {
			mismatches = append(mismatches, fmt.Sprintf("rec line %d: %q, NumPy %q", i, got, w))
		}
	}
	if len(mismatches) > 0 {
		t.Errorf("head disagrees with NumPy's printing:\n%s", strings.Join(mismatches, "\n"))
	}
}

// headMismatches runs head -n limit on dir/name.npy and compares its lines
// with NumPy's: first their number, want, then each line through
// match(i, line), which returns "" when line is NumPy's i-th or the
// mismatch to report.
func headMismatches(t *testing.T, dir, name, limit string, want int, match func(i int, line string) string) []string {
	t.Helper()
	code, out, errOut := runCLI("head", "-n", limit, filepath.Join(dir, name+".npy"))
	if code != exitOK {
		t.Fatalf("head %s: status %d, stderr %q", name, code, errOut)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != want {
		return []string{fmt.Sprintf("%s: %d lines, NumPy %d", name, len(got), want)}
	}
	var mismatches []string
	for i, line := range got {
		if m := match(i, line); m != "" {
			mismatches = append(mismatches, fmt.Sprintf("%s[%d]: %s", name, i, m))
		}
	}
	return mismatches
}

// TestHeadRows checks -n, rows of 2-D arrays (C and Fortran order), npz
// members and a raw file, against values NumPy wrote.
func TestHeadRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpytest.Run(t, `
import os
d = sys.argv[1]
a = np.arange(12, dtype='<i2').reshape(3, 4)
np.save(os.path.join(d, 'c.npy'), a)
np.save(os.path.join(d, 'f.npy'), np.asfortranarray(a))
np.savez(os.path.join(d, 'z.npz'), a=a)
np.savez_compressed(os.path.join(d, 'zc.npz'), a=a)
a.tofile(os.path.join(d, 'raw.bin'))
`, dir)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"head", "c.npy"}, "[0 1 2 3]\n[4 5 6 7]\n[8 9 10 11]\n"},
		{[]string{"head", "f.npy", "-n", "2"}, "[0 1 2 3]\n[4 5 6 7]\n"},
		{[]string{"head", "-n", "0", "c.npy"}, ""},
		{[]string{"head", "z.npz:a", "-n", "1"}, "[0 1 2 3]\n"},
		{[]string{"head", "zc.npz:a.npy", "-n", "1"}, "[0 1 2 3]\n"},
		{[]string{"head", "--dtype", "<i2", "--shape", "(4, 3)", "--order", "F", "raw.bin", "-n", "1"}, "[0 4 8]\n"},
		{[]string{"head", "--dtype", "<i2", "--offset", "22", "raw.bin"}, "11\n"},
	}
	for _, c := range cases {
		args := append([]string(nil), c.args...)
		for i, a := range args {
			if strings.Contains(a, ".npy") || strings.Contains(a, ".npz") || strings.HasSuffix(a, ".bin") {
				args[i] = filepath.Join(dir, a)
			}
		}
		code, out, errOut := runCLI(args...)
		if code != exitOK || out != c.want {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want %q", c.args, code, out, errOut, c.want)
		}
	}
}

// TestBadInput: every bad argument or file gives one line on stderr
// starting "memmap: ", status 2, and nothing on stdout.
func TestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	numpytest.Run(t, `
import os
d = sys.argv[1]
np.save(os.path.join(d, 'good.npy'), np.arange(1000.0))
data = open(os.path.join(d, 'good.npy'), 'rb').read()
open(os.path.join(d, 'truncated.npy'), 'wb').write(data[:-100])
open(os.path.join(d, 'header-only.npy'), 'wb').write(data[:40])
open(os.path.join(d, 'junk.npy'), 'wb').write(b'not an npy file at all')
np.savez(os.path.join(d, 'z.npz'), a=np.arange(3))
zdata = open(os.path.join(d, 'z.npz'), 'rb').read()
open(os.path.join(d, 'cut.npz'), 'wb').write(zdata[:len(zdata) // 2])
`, dir)
	fifo := filepath.Join(dir, "fifo.npy")
	hasFIFO := makeFIFO(t, fifo)
	p := func(name string) string { return filepath.Join(dir, name) }
	cases := []struct {
		args []string
		want string // a part of the message
	}{
		{[]string{"info", p("truncated.npy")}, "truncated.npy"},
		{[]string{"head", p("truncated.npy")}, "truncated.npy"},
		{[]string{"info", p("header-only.npy")}, "header-only.npy"},
		{[]string{"info", p("junk.npy")}, "junk.npy"},
		{[]string{"info", fifo}, "fifo.npy"},
		{[]string{"head", fifo}, "fifo.npy"},
		{[]string{"info", "--dtype", "<f8", fifo}, "fifo.npy"},
		{[]string{"info", dir}, dir},
		{[]string{"head", dir}, dir},
		{[]string{"info", p("missing.npy")}, "missing.npy"},
		{[]string{"info", p("cut.npz")}, "cut.npz"},
		{[]string{"head", p("z.npz")}, "name one"},
		{[]string{"head", p("z.npz") + ":nope"}, "nope"},
		{[]string{"info", "--bogus", p("good.npy")}, "bogus"},
		{[]string{"head", "-n", "x", p("good.npy")}, "-n"},
		{[]string{"head", "-n", "-1", p("good.npy")}, "-n"},
		{[]string{"info", "--shape", "3", p("good.npy")}, "--dtype"},
		{[]string{"info", "--dtype", "<f8", "--order", "Q", p("good.npy")}, "--order"},
		{[]string{"info", "--dtype", "<f8", "--shape", "a,b", p("good.npy")}, "--shape"},
		{[]string{"info", "--dtype", "<f8", "--offset", "-1", p("good.npy")}, "--offset"},
		{[]string{"info", "--dtype", "<f8", "--shape", "10000", p("good.npy")}, "good.npy"},
		{[]string{"info", "--dtype", "float64", p("good.npy")}, "float64"},
		{[]string{"info"}, "no file"},
		{[]string{"info", p("good.npy"), p("good.npy")}, "one file"},
		{[]string{"frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		if !hasFIFO && slices.Contains(c.args, fifo) {
			continue
		}
		code, out, errOut := runCLI(c.args...)
		lines := strings.Count(errOut, "\n")
		if code != exitUsage || out != "" || lines != 1 || !strings.HasPrefix(errOut, "memmap: ") ||
			!strings.Contains(errOut, c.want) {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want status 2, one line naming %q", c.args, code, out, errOut, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	if code, out, errOut := runCLI(); code != exitUsage || out != "" || !strings.HasPrefix(errOut, "usage:") {
		t.Errorf("no arguments: status %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"info", "-h"}, {"head", "--help"}, {"stats", "-h"}} {
		if code, out, errOut := runCLI(args...); code != exitOK || !strings.HasPrefix(out, "usage:") || errOut != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestBuiltCommand runs the real binary once, so that the exit status and
// the streams are the process's, not run's.
func TestBuiltCommand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "memmap")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	missing := filepath.Join(dir, "missing.npy")
	cmd := exec.Command(bin, "info", missing)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitUsage {
		t.Fatalf("memmap info missing.npy: %v, want exit status 2", err)
	}
	if want := "memmap: open " + missing + ": "; !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q, want one line starting %q", stderr.String(), want)
	}
	_ = os.Remove(bin)
}

// TestHeadLongRows: rows of more than 1000 elements are summarized as
// NumPy's str summarizes them (compared with NumPy's padding and line
// breaks collapsed: head does not align elements), and -n beyond one block of rows prints
// every row asked for.
func TestHeadLongRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var want map[string][]string
	numpytest.RunJSON(t, `
import os, re
d = json.load(sys.stdin)
cases = {'wide': np.arange(2 * 1001).reshape(2, 1001), 'cube': np.arange(2 * 40 * 40).reshape(2, 40, 40),
         'narrow': np.arange(3 * 1000).reshape(3, 1000), 'tall': np.arange(2500, dtype='<u2')}
out = {}
for name, a in cases.items():
    np.save(os.path.join(d, name + '.npy'), a)
    out[name] = [re.sub(r'\[ ', '[', ' '.join(str(row).split())) for row in a]
print(json.dumps(out))
`, dir, &want)
	space := regexp.MustCompile(`\s+`)
	var mismatches []string
	for name, rows := range want {
		mismatches = append(mismatches, headMismatches(t, dir, name, "100000", len(rows), func(i int, line string) string {
			if g := space.ReplaceAllString(line, " "); g != rows[i] {
				return fmt.Sprintf("%.80q, NumPy %.80q", g, rows[i])
			}
			return ""
		})...)
	}
	if len(mismatches) > 0 {
		t.Errorf("head disagrees with NumPy's str:\n%s", strings.Join(mismatches, "\n"))
	}
}
