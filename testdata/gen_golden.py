#!/usr/bin/python3
"""Generate the golden .npy test files for github.com/go-memmap/memmap.

What it makes (all paths relative to this script's directory, testdata/):
  npy/           valid .npy files written by real NumPy (np.save /
                 np.lib.format.write_array), plus a few hand-built legacy
                 layouts that NumPy still loads (16-byte padding, 2-byte
                 aligned v2.0, no newline, reordered/multi-line keys,
                 Python-2 "3L" ints), structured/string/datetime dtypes and
                 one pickled object array (valid header, must not be mapped).
  malformed/     files every reader must reject (bad magic, bad version,
                 truncation, bad header dicts, oversized headers, ...).
  manifest.json  one entry per file: descr, shape, fortran_order, version,
                 data_offset, value formula, expected error category,
                 the exception NumPy itself raised and, for every file
                 that opens, the values NumPy reads per field ("expect").

Every file is checked against NumPy in this script (valid files must load
with identical bytes, also via mmap_mode='r'; malformed ones must raise).

How to run (from any directory; needs NumPy, the system python has it):
    /usr/bin/python3 testdata/gen_golden.py
It deletes npy/, malformed/ and manifest.json and regenerates them; the
output is deterministic (byte-identical on every run).

Generated with NumPy 1.24.2 (Debian python3-numpy) on CPython 3.11.
"""

import sys

try:
    import numpy as np
except ImportError:
    sys.stderr.write(
        "gen_golden.py: NumPy is required but could not be imported.\n"
        "Run it with a Python that has NumPy, e.g. /usr/bin/python3 "
        "testdata/gen_golden.py\n")
    sys.exit(1)

import ast
import io
import json
import math
import os
import shutil
import struct
import warnings

# formula.py sits next to this script (so it is on sys.path); no
# __pycache__ is left in testdata/.
sys.dont_write_bytecode = True
from formula import formula_array, formula_kind  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NPY_DIR = os.path.join(HERE, "npy")
BAD_DIR = os.path.join(HERE, "malformed")
MANIFEST = os.path.join(HERE, "manifest.json")
MAX_FILE = 100 * 1024
MAGIC = b"\x93NUMPY"

fmt = np.lib.format
entries = []


# --------------------------------------------------------------------------
# helpers

def values_for(shape, dt):
    """The formula array (formula.py), in C order, and the formula's name."""
    return formula_array(dt, shape), formula_kind(dt)


def fmt_exc(e, path=None):
    s = "%s: %s" % (type(e).__name__, e)
    if path:
        s = s.replace(path, os.path.relpath(path, HERE))
    if len(s) > 300:
        s = s[:300] + "...[%d chars]" % len(s)
    return s


def parse_prefix(data):
    """(version, data_offset, header_text) or Nones, parsing like a reader."""
    if len(data) < 8 or data[:6] != MAGIC:
        return None, None, None
    ver = (data[6], data[7])
    if ver == (1, 0):
        if len(data) < 10:
            return ver, None, None
        hl = struct.unpack("<H", data[8:10])[0]
        off, enc = 10 + hl, "latin1"
    elif ver in ((2, 0), (3, 0)):
        if len(data) < 12:
            return ver, None, None
        hl = struct.unpack("<I", data[8:12])[0]
        off, enc = 12 + hl, "latin1" if ver == (2, 0) else "utf8"
    else:
        return ver, None, None
    try:
        text = data[off - hl:off].decode(enc) if off <= len(data) else None
    except UnicodeDecodeError:
        text = None
    return ver, off, text


def header_fields(text):
    """descr/shape/fortran_order as stored, when they are parseable."""
    descr = shape = fo = None
    if text is None:
        return descr, shape, fo
    try:
        d = ast.literal_eval(text.replace("L,", ",").replace("L)", ")"))
    except Exception:
        return descr, shape, fo
    if not isinstance(d, dict):
        return descr, shape, fo
    if isinstance(d.get("descr"), str):
        descr = d["descr"]
    elif isinstance(d.get("descr"), list):
        descr = str(d["descr"])
    s = d.get("shape")
    if isinstance(s, tuple) and all(type(x) is int and -2**63 <= x < 2**63
                                    for x in s):
        shape = list(s)
    if isinstance(d.get("fortran_order"), bool):
        fo = d["fortran_order"]
    return descr, shape, fo


def write_file(rel, data):
    path = os.path.join(HERE, rel)
    with open(path, "wb") as f:
        f.write(data)
    assert len(data) < MAX_FILE, (rel, len(data))
    return path


def npy_bytes(a, version=None):
    b = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fmt.write_array(b, a, version=version, allow_pickle=True)
    return b.getvalue()


def same(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape
            and a.tobytes() == b.tobytes())


def add_valid(rel, data, expect, values, note="", error=None,
              load_kwargs=None, check_mmap=True):
    """Write a valid file and check NumPy loads it back exactly."""
    path = write_file(rel, data)
    kw = load_kwargs or {}
    numpy_error = None
    if error is not None:
        # expected to fail with default arguments; record how
        try:
            np.load(path)
        except Exception as e:
            numpy_error = fmt_exc(e, path)
        else:
            raise AssertionError("%s: expected NumPy to refuse it" % rel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = np.load(path, **kw)
        assert same(got, expect), rel
        if check_mmap:
            mm = np.load(path, mmap_mode="r", **kw)
            assert same(np.asarray(mm), expect), rel + " (mmap)"
            assert mm.flags.f_contiguous if (expect.ndim > 1 and
                                             expect.flags.f_contiguous and
                                             not expect.flags.c_contiguous) \
                else True
            del mm
    ver, off, text = parse_prefix(data)
    descr, shape, fo = header_fields(text)
    entries.append(dict(file=rel, valid=True, descr=descr, shape=shape,
                        fortran_order=fo, version=list(ver), data_offset=off,
                        values=values, error=error, numpy_error=numpy_error,
                        note=note))


def add_bad(rel, data, error, note, numpy_accepts=False, valid=False,
            also_mmap=False, also_read_array=False):
    """Write a malformed file and record what NumPy does with it.

    np.load with default arguments must raise unless numpy_accepts is set;
    with also_mmap, np.load(mmap_mode='r') must raise too and its error is
    appended to numpy_error. also_read_array appends the error of
    np.lib.format.read_array (np.load sniffs only 6 bytes and reports
    non-NPY input as pickled data, hiding the NPY parser's verdict)."""
    path = write_file(rel, data)

    def try_load(**kw):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = np.load(path, **kw)
                desc = "np.load accepted it (shape %r)" % (got.shape,)
                del got
                return desc, False
        except Exception as e:
            return fmt_exc(e, path), True

    numpy_error, raised = try_load()
    assert raised != numpy_accepts, (rel, numpy_error)
    if also_mmap:
        merr, mraised = try_load(mmap_mode="r")
        assert mraised, "%s: NumPy mmap accepted it" % rel
        numpy_error += " | mmap_mode='r': " + merr
    if also_read_array:
        try:
            with open(path, "rb") as f:
                fmt.read_array(f)
            raise AssertionError("%s: read_array accepted it" % rel)
        except AssertionError:
            raise
        except Exception as e:
            numpy_error += " | format.read_array: " + fmt_exc(e, path)
    ver, off, text = parse_prefix(data)
    descr, shape, fo = header_fields(text)
    if numpy_accepts:
        note += " (np.load in NumPy 1.24.2 accepts this file)"
    entries.append(dict(file=rel, valid=valid, descr=descr, shape=shape,
                        fortran_order=fo,
                        version=list(ver) if ver else None,
                        data_offset=off, values="none", error=error,
                        numpy_error=numpy_error, note=note))


def v1_file(text, data=b"", align=64, newline=True, version=(1, 0),
            prefix_for_pad=None):
    """Hand-build an NPY file with header text `text` (str)."""
    major, minor = version
    big = (major, minor) in ((2, 0), (3, 0))
    plen = 12 if big else 10
    h = text.encode("utf8" if version == (3, 0) else "latin1")
    if newline:
        base = prefix_for_pad if prefix_for_pad is not None else plen
        pad = -(base + len(h) + 1) % align
        h = h + b" " * pad + b"\n"
    lenfield = struct.pack("<I" if big else "<H", len(h))
    return MAGIC + bytes([major, minor]) + lenfield + h + data


def shape_name(shape):
    if shape == ():
        return "scalar"
    return "x".join(str(d) for d in shape)


# --------------------------------------------------------------------------
# expected values ("expect" in manifest.json; format in README.md)

NAT = -2**63
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1
# nanoseconds per datetime unit; Y and M have no fixed length
UNIT_NS = {"W": 7 * 86400 * 10**9, "D": 86400 * 10**9, "h": 3600 * 10**9,
           "m": 60 * 10**9, "s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def json_float(x):
    """A float as JSON: a number (-0.0 keeps its sign), or a string for
    the values JSON has no number for."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def ns_or_none(v):
    return str(v) if INT64_MIN <= v <= INT64_MAX else None


def c_order_flat(a):
    """The elements of a (any strides) as a 1-D C-order copy."""
    return np.ascontiguousarray(a).reshape(-1)


def raw_items(a):
    """Each element's itemsize bytes as hex, in C order, read through a
    plain void view so padding and NULs are kept exactly."""
    n = a.dtype.itemsize
    if a.dtype.kind != "V" or a.dtype.names is not None:
        a = a.getfield(np.dtype("V%d" % n), 0)
    return [bytes(x).hex() for x in c_order_flat(a).tolist()]


def time_values(a):
    """M8/m8: the stored int64s as decimal strings ("NaT" for NaT); the
    value in nanoseconds (since the Unix epoch for M8), null when it does not
    fit in an int64 or the unit has no fixed length (m8 in Y or M); for M8
    also the Unix time in whole seconds, rounded down (null only for NaT)."""
    dt = a.dtype
    ints = c_order_flat(a).view(np.dtype(dt.str[0] + "i8")).tolist()
    unit, count = np.datetime_data(dt)
    values, ns, sec = [], [], []
    for v in ints:
        if v == NAT:
            values.append("NaT")
            ns.append(None)
            sec.append(None)
            continue
        values.append(str(v))
        exact = None  # the value in ns as a Python int (no overflow)
        if unit in UNIT_NS:
            exact = v * count * UNIT_NS[unit]
        elif dt.kind == "M" and unit in ("Y", "M"):
            one = np.array([v], dtype=np.dtype("M8[%d%s]" % (count, unit)))
            days = int(one.astype("M8[D]").astype(np.int64)[0])
            exact = days * UNIT_NS["D"]
        ns.append(None if exact is None else ns_or_none(exact))
        if dt.kind == "M":
            sec.append(str(exact // 10**9))
    if dt.kind == "M":
        return values, ns, sec
    return values, ns, None


def leaf_expect(path, a):
    """The expect entry of one array view with a non-structured dtype."""
    dt = a.dtype
    ent = dict(path=path, dtype=dt.str, shape=list(a.shape))
    kind = dt.kind
    flat = c_order_flat(a)
    if kind == "b":
        # NumPy reads any nonzero byte as True
        ent["values"] = (flat.view(np.uint8) != 0).tolist()
    elif kind in "iu":
        ent["values"] = [int(x) for x in flat.tolist()]
    elif kind == "f":
        ent["values"] = [json_float(x) for x in flat.tolist()]
        ent["bits"] = flat.view(
            np.dtype(dt.str[0] + "u%d" % dt.itemsize)).tolist()
    elif kind == "c":
        ent["values"] = [[json_float(z.real), json_float(z.imag)]
                         for z in flat.tolist()]
        bits = flat.view(np.dtype(dt.str[0] + "u%d" % (dt.itemsize // 2)))
        ent["bits"] = bits.reshape(-1, 2).tolist()
    elif kind == "S":
        ent["values"] = [x.hex() for x in flat.tolist()]
    elif kind == "V":
        ent["values"] = raw_items(a)
    elif kind == "U":
        ent["values"] = flat.tolist()
    elif kind in "Mm":
        ent["values"], ent["ns"], sec = time_values(a)
        if sec is not None:
            ent["unix_s"] = sec
    else:
        raise ValueError("no expect for dtype %r" % dt)
    assert len(ent["values"]) == a.size, path
    return ent


def expect_for(a):
    """One entry per field path, depth first in declaration order: "" is
    the whole array; a structured dtype (the array's or a nested field's)
    gets its raw record bytes, then its fields."""
    out = []

    def walk(path, v):
        if v.dtype.names is None:
            out.append(leaf_expect(path, v))
            return
        out.append(dict(path=path, dtype=v.dtype.str, shape=list(v.shape),
                        values=raw_items(v)))
        for name in v.dtype.names:
            assert "." not in name, name
            first = len(out)
            walk(name if not path else path + "." + name, v[name])
            title = v.dtype.fields[name][2:]
            if title:
                out[first]["title"] = title[0]
    walk("", a)
    return out


# --------------------------------------------------------------------------
# generation

def gen_numeric():
    codes = ["b1", "i1", "u1"] + [c for c in ["i2", "u2", "i4", "u4", "i8",
                                              "u8", "f2", "f4", "f8", "c8",
                                              "c16"]]
    shapes = [((), "C"), ((0,), "C"), ((7,), "C"), ((3, 4), "C"),
              ((2, 3, 4), "C"), ((0, 3), "C"), ((3, 4), "F"),
              ((2, 3, 4), "F")]
    for code in codes:
        orders = ["|"] if code in ("b1", "i1", "u1") else ["<", ">"]
        for bo in orders:
            dt = np.dtype(bo + code if bo != "|" else code)
            tag = {"|": "", "<": "_le", ">": "_be"}[bo]
            for shape, order in shapes:
                a, v = values_for(shape, dt)
                if order == "F":
                    a = np.asfortranarray(a)
                    assert a.flags.f_contiguous and not a.flags.c_contiguous
                suffix = "" if shape == () else "_" + order
                rel = "npy/%s%s_%s%s.npy" % (code, tag, shape_name(shape),
                                             suffix)
                data = npy_bytes(a)
                add_valid(rel, data, a, v,
                          note="np.save, %s order" % order)
                ent = entries[-1]
                assert ent["version"] == [1, 0]
                assert ent["fortran_order"] == (order == "F")
                assert ent["descr"] == dt.str
    # forced versions
    for dts, tag in (("<f8", "f8_le"), (">i4", "i4_be")):
        dt = np.dtype(dts)
        a, v = values_for((3, 4), dt)
        for ver in ((2, 0), (3, 0)):
            rel = "npy/%s_3x4_C_v%d.npy" % (tag, ver[0])
            add_valid(rel, npy_bytes(a, version=ver), a, v,
                      note="write_array(version=%r)" % (ver,))
            assert entries[-1]["version"] == list(ver)


def gen_legacy():
    a, _ = values_for((3, 4), np.dtype("<f8"))
    raw = a.tobytes()
    old = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"

    def check(rel, data, note, off_mod=None):
        add_valid(rel, data, a, "float", note=note)
        if off_mod is not None:
            off = entries[-1]["data_offset"]
            assert off % off_mod[0] == off_mod[1], (rel, off)

    check("npy/legacy_f8_le_3x4_align16.npy",
          v1_file(old, raw, align=16),
          "pre-1.14 layout: header padded to 16 bytes, not 64",
          off_mod=(16, 0))
    d = v1_file(old, raw, align=16, version=(2, 0), prefix_for_pad=10)
    check("npy/legacy_v2_f8_le_3x4_align2.npy", d,
          "old v2.0 writer: 12-byte prefix but padding computed for 10, so "
          "data is only 2-byte aligned", off_mod=(16, 2))
    check("npy/legacy_f8_le_3x4_nonewline.npy",
          v1_file(old, raw, newline=False),
          "header without padding or trailing newline; data unaligned")
    check("npy/legacy_f8_le_3x4_keys_multiline.npy",
          v1_file("{'shape': (3, 4),\n 'fortran_order': False,\n"
                  " 'descr': '<f8'}", raw),
          "keys in non-sorted order, line breaks inside the dict, no "
          "trailing comma")
    check("npy/legacy_f8_le_3x4_py2_long.npy",
          v1_file("{'descr': '<f8', 'fortran_order': False, "
                  "'shape': (3L, 4L), }", raw),
          "Python-2 long ints (3L, 4L) in a v1.0 header")
    assert entries[-1]["shape"] == [3, 4]


# test_format.py (NumPy 1.24.2) Pdescr / Ndescr and buffers
Pdescr = [
    ('x', 'i4', (2,)),
    ('y', 'f8', (2, 2)),
    ('z', 'u1')]
PbufferT = [
    ([3, 2], [[6., 4.], [6., 4.]], 8),
    ([4, 3], [[7., 5.], [7., 5.]], 9),
]
Ndescr = [
    ('x', 'i4', (2,)),
    ('Info', [
        ('value', 'c16'),
        ('y2', 'f8'),
        ('Info2', [
            ('name', 'S2'),
            ('value', 'c16', (2,)),
            ('y3', 'f8', (2,)),
            ('z3', 'u4', (2,))]),
        ('name', 'S2'),
        ('z2', 'b1')]),
    ('color', 'S2'),
    ('info', [
        ('Name', 'U8'),
        ('Value', 'c16')]),
    ('y', 'f8', (2, 2)),
    ('z', 'u1')]
NbufferT = [
    ([3, 2], (6j, 6., ('nn', [6j, 4j], [6., 4.], [1, 2]), 'NN', True),
     'cc', ('NN', 6j), [[6., 4.], [6., 4.]], 8),
    ([4, 3], (7j, 7., ('oo', [7j, 5j], [7., 5.], [2, 1]), 'OO', False),
     'dd', ('OO', 7j), [[7., 5.], [7., 5.]], 9),
]


def filled(dt, n=3):
    a = np.zeros(n, dt)
    for i in range(n):
        a[i] = i + 5
    return a


def gen_structured():
    items = []
    for bo, t in (("<", "le"), (">", "be")):
        items.append(("struct_pdescr_%s" % t,
                      np.array(PbufferT, dtype=np.dtype(Pdescr)
                               .newbyteorder(bo)), "test_format.py Pdescr"))
        items.append(("struct_ndescr_%s" % t,
                      np.array(NbufferT, dtype=np.dtype(Ndescr)
                               .newbyteorder(bo)),
                      "test_format.py nested Ndescr"))
    items.append(("struct_aligned_i1_i4_i1",
                  filled(np.dtype("i1,i4,i1", align=True)),
                  "np.dtype('i1,i4,i1', align=True): padding fields"))
    items.append(("struct_offsets_1_6",
                  filled(np.dtype({'names': ['a', 'b'],
                                   'formats': ['<i4', '<i4'],
                                   'offsets': [1, 6]})),
                  "explicit offsets [1,6]: leading and inner padding"))
    items.append(("struct_titles",
                  filled(np.dtype([(('aa', 'a'), '<i4')])),
                  "field with a title: (('aa','a'),'<i4')"))
    items.append(("struct_empty_v8",
                  np.zeros(3, np.dtype({'names': [], 'formats': [],
                                        'itemsize': 8})),
                  "struct with no fields, itemsize 8: [('', '|V8')]"))
    sub = np.zeros(2, dtype=[('c', ('<f8', (5,)), (2,))])
    sub['c'] = np.arange(20, dtype='<f8').reshape(2, 2, 5)
    items.append(("struct_subarray_c", sub,
                  "subarray field [('c',('<f8',(5,)),(2,))]"))
    items.append(("struct_unicode_name_v3",
                  np.array([(1, 2), (3, 4), (5, 6)],
                           dtype=[('id', '<i8'), ('名前', '<i4')]),
                  "non-latin1 field name: NumPy picks format 3.0 (UTF-8)"))
    for name, a, note in items:
        add_valid("npy/%s.npy" % name, npy_bytes(a), a, "none", note=note)
        ent = entries[-1]
        assert ent["descr"] == str(a.dtype.descr), (name, ent["descr"])
        assert fmt.descr_to_dtype(a.dtype.descr) == a.dtype
    assert entries[-1]["version"] == [3, 0]

    # 500 fields with 100-character names: forced to version 2.0.
    dt = np.dtype([((("%03d" % i) * 34)[:100], '<f8') for i in range(500)])
    a = np.zeros(1, dt)
    a.view('<f8')[:] = np.arange(500) * 0.5
    data = npy_bytes(a, version=(2, 0))
    assert len(data) < MAX_FILE
    _, off, text = parse_prefix(data)
    add_valid("npy/struct_500_fields_v2.npy", data, a, "none",
              error="header_too_large",
              load_kwargs={"max_header_size": 200000},
              note="500 fields with 100-char names, forced v2.0; header is "
                   "%d chars > NumPy's default max_header_size 10000, so "
                   "np.load needs max_header_size>=%d (valid file, but a "
                   "reader with the default limit rejects it)"
                   % (len(text), len(text)))


def gen_strings():
    items = [
        ("str_s5", np.array([b"hello", "héllo".encode("latin1"),
                             "名".encode("utf8"), b""], dtype="|S5"),
         "bytes; second item is latin-1 'héllo', third UTF-8 '名'"),
        ("str_u10_le", np.array(["héllo", "名前", "", "abcdefghij"],
                                dtype="<U10"), "UCS-4 little-endian"),
        ("str_u10_be", np.array([["héllo", "名前"], ["", "abcdefghij"]],
                                dtype=">U10"), "UCS-4 big-endian, (2,2)"),
        ("void_v16", np.frombuffer(bytes(range(48)), dtype="|V16").copy(),
         "raw void bytes 0..47"),
        ("dt_m8ns_le", np.array(["2020-01-01T00:00:00.123456789", "NaT",
                                 "1970-01-01"], dtype="<M8[ns]"),
         "datetime64[ns] with NaT"),
        ("dt_m8d_le", np.array(["2020-02-29", "NaT", "1969-12-31"],
                               dtype="<M8[D]"), "datetime64[D] with NaT"),
        ("td_m8s_be", np.array([1, -2, np.timedelta64("NaT")],
                               dtype=">m8[s]"),
         "timedelta64[s] big-endian with NaT"),
        ("dt_m8_10s_le", np.array(["2020-01-01T00:00:10", "NaT",
                                   "1970-01-01T00:00:00"], dtype="<M8[10s]"),
         "datetime64[10s] (unit multiplier) with NaT"),
    ]
    for name, a, note in items:
        add_valid("npy/%s.npy" % name, npy_bytes(a), a, "none", note=note)
        assert entries[-1]["descr"] == a.dtype.str, entries[-1]

    # object array: valid header, pickled payload; must not be mapped
    a = np.array([1, "a", None], dtype=object)
    data = npy_bytes(a)
    rel = "npy/object_pickle.npy"
    path = write_file(rel, data)
    try:
        np.load(path)
        raise AssertionError("object array loaded without allow_pickle")
    except ValueError as e:
        numpy_error = fmt_exc(e, path)
    got = np.load(path, allow_pickle=True)
    assert got.dtype == object and list(got) == [1, "a", None]
    try:
        np.load(path, mmap_mode="r", allow_pickle=True)
        raise AssertionError("object array mmapped")
    except ValueError as e:
        numpy_error += " | mmap_mode='r': " + fmt_exc(e, path)
    ver, off, text = parse_prefix(data)
    descr, shape, fo = header_fields(text)
    assert descr == "|O"
    entries.append(dict(file=rel, valid=True, descr=descr, shape=shape,
                        fortran_order=fo, version=list(ver), data_offset=off,
                        values="none", error="object",
                        numpy_error=numpy_error,
                        note="object dtype; data is a pickle. Header parses, "
                             "but readers must refuse to map it"))


# float16 bit patterns: zeros, ±1, max, min normal, subnormals, infinities,
# NaNs (quiet, negative, signalling payload) and a few rounded values
F2_BITS = [0x0000, 0x8000, 0x3c00, 0xbc00, 0x3800, 0x7bff, 0xfbff, 0x0400,
           0x0001, 0x03ff, 0x8001, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7c01,
           0x3555, 0x4248, 0xc900, 0x5640]
# unit tag in file names (no tag differs only in case: "M" and "m")
UNIT_TAGS = [("Y", "year"), ("M", "month"), ("W", "week"), ("D", "day"),
             ("h", "hour"), ("m", "minute"), ("s", "s"), ("ms", "ms"),
             ("us", "us"), ("ns", "ns"), ("10s", "10s"), ("25s", "25s")]
# instants (within the datetime64[ns] range) cast down to each unit; NumPy
# floors, so the pre-1970 ones round towards the past
INSTANTS_NS = ["2020-02-29T12:34:56.789123456", "1969-12-31T23:59:59.999999999",
               "1900-03-01T06:07:08.5", "1677-09-22T00:00:00",
               "2262-04-11T00:00:00"]
# dates beyond the datetime64[ns] range, for the coarser units
INSTANTS_FAR = ["2500-07-04", "1000-01-01"]


def datetime_values(unit):
    dt = np.dtype("M8[%s]" % unit)
    ints = [0, 1, -1, NAT]
    ints += [int(np.datetime64(x, "ns").astype(dt).astype(np.int64))
             for x in INSTANTS_NS]
    if unit == "ns":
        ints += [INT64_MAX, INT64_MIN + 1]
    else:
        ints += [int(np.datetime64(x, "D").astype(dt).astype(np.int64))
                 for x in INSTANTS_FAR]
    return np.array(ints, np.int64)


def timedelta_values(unit):
    ints = [0, 1, -1, NAT, 1234567, -7654321, 10**12, -(10**12)]
    if unit == "ns":
        ints += [INT64_MAX, INT64_MIN + 1]
    return np.array(ints, np.int64)


def with_bytes(dt, shape, raw):
    """An array of dtype dt whose memory is exactly raw (hand-patched
    data NumPy would never write itself, such as bools that are 2)."""
    return np.frombuffer(bytes(raw), dtype=dt).reshape(shape).copy()


def fill_fields(a, seed=0):
    """Deterministic distinct values in every leaf field of a."""
    def fill(v, k):
        dt = v.dtype
        if dt.names is not None:
            for j, name in enumerate(dt.names):
                fill(v[name], k * 10 + j + 1)
            return
        n = v.size
        i = np.arange(n, dtype=np.int64) + k
        kind = dt.kind
        if kind == "b":
            x = (i % 2 == 0)
        elif kind in "iu":
            # spread over the whole range: negatives, and u8 above 2**63
            bits = 8 * dt.itemsize
            x = [(m * 0x9E3779B97F4A7C15 + 12345) % (1 << bits)
                 for m in i.tolist()]
            if kind == "i":
                x = [m - (1 << bits) if m >> (bits - 1) else m for m in x]
            x = np.array(x, dtype=dt.newbyteorder("="))
        elif kind == "f":
            x = i * 0.75 - 2.5
        elif kind == "c":
            x = (i * 0.75 - 2.5) + (0.5 - i * 0.25) * 1j
        elif kind == "S":
            x = np.array([("s%d" % m).encode() * 3 for m in i.tolist()])
        elif kind == "U":
            x = np.array(["é日%d😀" % m for m in i.tolist()])
        elif kind == "M":
            x = (i * 86400123 - 10**9).astype("M8[ms]")
        elif kind == "m":
            x = (i * 3600 - 100000).astype("m8[s]")
        elif kind == "V":
            x = np.array([bytes([(m * 7 + j) % 256 for j in range(dt.itemsize)])
                          for m in i.tolist()], dtype=dt)
        else:
            raise ValueError(dt)
        with np.errstate(all="ignore"):
            v[...] = np.asarray(x).astype(dt, casting="unsafe").reshape(v.shape)
    fill(a, seed)
    return a


def struct_array(dt, shape, pad=None):
    """A record array with fill_fields values; pad, if set, is written
    first into every byte, so gaps between fields keep it."""
    a = np.zeros(shape, np.dtype(dt))
    if pad is not None:
        a.view(np.uint8).reshape(-1)[:] = pad
    return fill_fields(a)


def gen_typed():
    """Files for every non-numeric dtype a view reads, with values that
    are checked through manifest.json's "expect"."""
    items = []
    for bo, t in (("<", "le"), (">", "be")):
        a = np.array(F2_BITS, bo + "u2").view(bo + "f2").reshape(4, 5)
        items.append(("f2_special_%s" % t, a,
                      "float16 edge cases by bit pattern: -0, max, "
                      "subnormals, inf, NaNs with sign and payload"))
    items.append(("f2_special_le_F", np.asfortranarray(items[0][1]),
                  "float16 edge cases, Fortran order"))
    items.append(("b1_nonzero_bytes",
                  with_bytes("|b1", (2, 4), [0, 1, 2, 255, 128, 0, 1, 7]),
                  "hand-patched bool bytes other than 0 and 1; NumPy reads "
                  "nonzero as True"))
    s6 = np.array([[b"ab\0cd", b"abc\0\0\0", b"\0\0x"],
                   [b"", b"\xff\xfe\x80", b"abcdef"]], dtype="|S6")
    items.append(("str_s6_nuls", s6,
                  "|S6: embedded, trailing and leading NULs, high bytes, "
                  "full width"))
    items.append(("str_s6_nuls_F", np.asfortranarray(s6),
                  "|S6 as above, Fortran order"))
    items.append(("str_s1", np.array([b"a", b"", b"\0", b"\x7f"], "|S1"),
                  "|S1"))
    u5 = [["é", "日本", "😀x", "a\0b"], ["", "abcde", "\U0010ffff", "ß\0\0"]]
    for bo, t in (("<", "le"), (">", "be")):
        items.append(("str_u5_%s" % t, np.array(u5, bo + "U5"),
                      "UCS-4 %s: é, 日本, emoji beyond the BMP, U+10FFFF, "
                      "embedded and trailing NULs, full width" % t))
    items.append(("str_u5_le_F", np.asfortranarray(np.array(u5, "<U5")),
                  "<U5 as above, Fortran order"))
    items.append(("void_v3",
                  with_bytes("|V3", (2, 2), [1, 2, 3, 0, 0, 0, 7, 0, 0, 255,
                                             0, 9]),
                  "|V3 raw bytes with trailing NULs (kept)"))
    for unit, tag in UNIT_TAGS:
        for bo, t in (("<", "le"), (">", "be")):
            a = datetime_values(unit).view(bo + "M8[%s]" % unit) \
                if bo == "<" else \
                datetime_values(unit).astype(">i8").view(">M8[%s]" % unit)
            items.append(("dt_%s_%s" % (tag, t), a,
                          "datetime64[%s] %s: epoch, ±1, NaT, instants "
                          "before 1970 and far from it" % (unit, t)))
            v = timedelta_values(unit)
            a = v.view("<m8[%s]" % unit) if bo == "<" else \
                v.astype(">i8").view(">m8[%s]" % unit)
            items.append(("td_%s_%s" % (tag, t), a,
                          "timedelta64[%s] %s: 0, ±1, NaT, negatives, "
                          "values whose ns overflow" % (unit, t)))
    items.append(("dt_s_2x3_F",
                  np.asfortranarray(datetime_values("s")[:6]
                                    .view("<M8[s]").reshape(2, 3)),
                  "datetime64[s] (2,3), Fortran order"))

    packed = [("a", "<i4"), ("b", "<f8"), ("c", "|u1"), ("d", "<f2")]
    items.append(("struct_packed", struct_array(packed, (4,)),
                  "packed record: i4, f8, u1, f2"))
    items.append(("struct_aligned_pad",
                  struct_array(np.dtype(packed, align=True), (4,), pad=0xEE),
                  "the same with align=True: padding bytes are 0xEE"))
    items.append(("struct_gaps_itemsize",
                  struct_array({"names": ["x", "y"], "formats": ["<i2", ">f4"],
                                "offsets": [3, 8], "itemsize": 16}, (3,),
                               pad=0xAB),
                  "explicit offsets and itemsize: gaps before, between and "
                  "after fields are 0xAB"))
    items.append(("struct_nested",
                  struct_array([("id", "<i4"),
                                ("pos", [("x", "<f4"), ("y", "<f4")]),
                                ("meta", [("flag", "|b1"),
                                          ("inner", [("k", ">i2"),
                                                     ("t", "<M8[s]")])])],
                               (3,)),
                  "records nested three deep"))
    items.append(("struct_subarrays",
                  struct_array([("v", "<f4", (3,)), ("m", "<i2", (2, 3)),
                                ("ss", ("<u2", (2,)), (3,)),
                                ("recs", [("p", "<i4"), ("q", "|u1")], (2,)),
                                ("z", "|u1")], (2,)),
                  "subarray fields: 1-D, 2-D, subarray of a subarray "
                  "(3,)x(2,), subarray of records"))
    items.append(("struct_titles_2",
                  struct_array([(("Temperature in C", "temp"), "<f8"),
                                (("the count", "n"), "<i2"),
                                ("plain", "|u1")], (3,)),
                  "fields with titles; path is the name, 'title' the title"))
    items.append(("struct_be",
                  struct_array([("a", ">i4"), ("b", ">f8"), ("c", ">f2"),
                                ("d", ">c8"), ("e", ">u8"),
                                ("f", ">i2", (2,))], (3,)),
                  "big-endian fields"))
    items.append(("struct_mixed_order",
                  struct_array([("le", "<i4"), ("be", ">i4"), ("f", ">f4"),
                                ("g", "<f4"), ("u", ">U3"), ("w", "<U2"),
                                ("c", "<c16")], (3,)),
                  "little- and big-endian fields in one record"))
    st = struct_array([("name", "|S4"), ("label", "<U3"), ("when", "<M8[ms]"),
                       ("dur", ">m8[us]"), ("raw", "|V3"), ("ok", "|b1")],
                      (4,))
    st["when"][1] = np.datetime64("NaT")
    st["dur"][2] = np.timedelta64("NaT")
    st["name"][3] = b"a\0b"
    ok = st.getfield(np.dtype("u1"), st.dtype.fields["ok"][1])
    ok[:] = [2, 0, 255, 1]
    items.append(("struct_strings_times", st,
                  "string, datetime, timedelta, void and bool fields; NaTs; "
                  "hand-patched bools 2 and 255"))
    rec = [("x", "<i2"), ("y", ">f8"), ("s", "|S2")]
    items.append(("struct_2x3_C", struct_array(rec, (2, 3)),
                  "2-D record array"))
    items.append(("struct_2x3_F",
                  np.asfortranarray(struct_array(rec, (2, 3))),
                  "2-D record array, Fortran order"))
    items.append(("struct_scalar", struct_array(packed, ()),
                  "0-d record array"))

    for name, a, note in items:
        add_valid("npy/%s.npy" % name, npy_bytes(a), a, "none", note=note)
        ent = entries[-1]
        want = a.dtype.str if a.dtype.names is None else str(a.dtype.descr)
        assert ent["descr"] == want, (name, ent["descr"], want)
        assert ent["fortran_order"] == (a.ndim > 1 and a.flags.f_contiguous
                                        and not a.flags.c_contiguous), name


def gen_malformed():
    a, _ = values_for((3, 4), np.dtype("<f8"))
    raw = a.tobytes()
    good_text = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"
    good = npy_bytes(a)
    body = good[8:]  # length field + header + data of a valid v1.0 file

    # bad versions (test_format.py bad_version_magic), followed by a valid
    # v1.0-style header and data so only the version is wrong
    for vb in (b"\x01\x01", b"\x00\x00", b"\x00\x01", b"\x02\x02",
               b"\xff\xff"):
        add_bad("malformed/bad_magic_%s.npy" % vb.hex(), MAGIC + vb + body,
                "version", "unsupported version %d.%d after a correct "
                "\\x93NUMPY prefix (test_format.py bad_version_magic)"
                % (vb[0], vb[1]))
    add_bad("malformed/bad_version_4_0.npy", MAGIC + b"\x04\x00" + body,
            "version", "unknown version 4.0")
    # wrong magic bytes (test_format.py malformed_magic)
    for name, m in (("92", b"\x92NUMPY\x01\x00"),
                    ("00", b"\x00NUMPY\x01\x00"),
                    ("lowercase", b"\x93numpy\x01\x00"),
                    ("matlb", b"\x93MATLB\x01\x00")):
        add_bad("malformed/bad_prefix_%s.npy" % name, m + body, "bad_magic",
                "magic prefix %r is not \\x93NUMPY" % m[:6], also_read_array=True)
    # truncation before/inside the header
    add_bad("malformed/truncated_magic_4.npy", b"\x93NUM", "truncated",
            "file ends inside the magic string (4 bytes)", also_read_array=True)
    add_bad("malformed/truncated_magic_7.npy", b"\x93NUMPY\x01",
            "truncated", "file ends inside the version bytes (7 bytes)", also_read_array=True)
    add_bad("malformed/empty.npy", b"", "truncated", "empty file", also_read_array=True)
    add_bad("malformed/one_byte.npy", b"\x93", "truncated",
            "a single byte", also_read_array=True)
    add_bad("malformed/truncated_header_len.npy", MAGIC + b"\x01\x00\x76",
            "truncated", "file ends inside the 2-byte header length")
    add_bad("malformed/header_len_beyond_eof.npy",
            MAGIC + b"\x01\x00" + struct.pack("<H", 0xFFF0) + good[10:128],
            "truncated", "HEADER_LEN 65520 but the file is 128 bytes long")
    add_bad("malformed/header_cut.npy", good[:60], "truncated",
            "header text cut in the middle (file ends at byte 60)")
    # header dictionary problems
    add_bad("malformed/missing_key.npy",
            v1_file("{'descr': '<f8', 'shape': (3, 4), }", raw), "keys",
            "no 'fortran_order' key")
    add_bad("malformed/extra_key.npy",
            v1_file("{'descr': '<f8', 'extrakey': -1, 'fortran_order': "
                    "False, 'shape': (3, 4), }", raw), "keys",
            "extra key 'extrakey'")
    add_bad("malformed/not_a_dict.npy",
            v1_file("[('descr', '<f8'), ('fortran_order', False), "
                    "('shape', (3, 4))]", raw), "keys",
            "header is a list, not a dict")
    add_bad("malformed/shape_list.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': [3, 4], }", raw), "shape",
            "shape is a list, not a tuple")
    add_bad("malformed/shape_float.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (3.0, 4), }", raw), "shape",
            "shape contains a float")
    add_bad("malformed/shape_int.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': 12, }", raw), "shape",
            "shape is a bare int, not a tuple")
    add_bad("malformed/shape_negative.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (-1, 4), }", raw), "shape",
            "negative dimension -1 with 12 elements of data: np.load's "
            "fromfile(count=-4) reads everything and shape=(-1,4) infers 3; "
            "mmap_mode='r' raises", numpy_accepts=True, also_mmap=True)
    add_bad("malformed/shape_negative_3.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (3, -4), }", raw), "shape",
            "negative dimension -4 (not -1): np.load still infers it "
            "from the 12 elements present; mmap_mode='r' raises",
            numpy_accepts=True, also_mmap=True)
    add_bad("malformed/fortran_order_int.npy",
            v1_file("{'descr': '<f8', 'fortran_order': 0, "
                    "'shape': (3, 4), }", raw), "fortran_order",
            "fortran_order is 0, not a bool")
    add_bad("malformed/descr_x.npy",
            v1_file("{'descr': 'x', 'fortran_order': False, "
                    "'shape': (3, 4), }", raw), "descr",
            "descr 'x' is not a dtype")
    add_bad("malformed/unterminated_dict.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (3, 4), ", raw), "syntax",
            "dict never closed (NumPy leaks tokenize.TokenError)")
    add_bad("malformed/nul_in_header.npy",
            v1_file("{'descr': '<f8',\x00 'fortran_order': False, "
                    "'shape': (3, 4), }", raw), "syntax",
            "NUL byte between dict entries")
    deep = "'<f8'"
    for _ in range(1000):
        deep = "[('a',%s)]" % deep
    text = "{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % deep
    assert len(text) < 10000
    add_bad("malformed/descr_nested_1000.npy", v1_file(text, b"\0" * 8),
            "syntax", "descr nested 1000 levels deep (header %d chars, "
            "under the 10000 limit); Python's parser refuses >200 nested "
            "brackets. A reader whose literal parser accepts it must still "
            "reject it (depth limit)" % len(text))
    # header over 10000 characters
    hdt = np.dtype("i," * 1000 + "i")
    h = np.zeros((), hdt)
    h[()] = tuple(range(1001))
    data = npy_bytes(h)
    _, _, htext = parse_prefix(data)
    assert len(htext) > 10000
    add_bad("malformed/header_too_large.npy", data, "header_too_large",
            "valid 0-d array of dtype 'i,'*1000+'i' written by np.save "
            "(v1.0, header %d chars > default max_header_size 10000). "
            "test_format.py test_huge_header uses 'i,'*10000 (170 KB); "
            "shrunk here to stay under 100 KiB" % len(htext),
            valid=True, also_mmap=True)
    path = os.path.join(HERE, "malformed/header_too_large.npy")
    assert same(np.load(path, max_header_size=len(htext)), h)
    assert same(np.load(path, allow_pickle=True), h)
    # data section problems
    add_bad("malformed/truncated_data_f8_3x4.npy", good[:-1],
            "truncated_data", "valid <f8 (3,4) file with the last byte cut",
            valid=False, also_mmap=True)
    add_bad("malformed/truncated_data_header_only.npy", good[:128],
            "truncated_data", "valid <f8 (3,4) header with no data at all",
            also_mmap=True)
    add_bad("malformed/shape_dim_2pow70.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (%d,), }" % 2**70, raw), "too_large",
            "dimension 2**70 does not fit in int64", also_mmap=True)
    add_bad("malformed/shape_product_overflow.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (%d, %d), }" % (2**40, 2**40), raw),
            "too_large", "each dimension fits int64 but 2**40*2**40 "
            "overflows it (wraps to 0)", also_mmap=True)
    add_bad("malformed/shape_count_overflow_negative.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (%d, 3), }" % 2**62, raw),
            "too_large", "element count 3*2**62 overflows int64 (wraps "
            "to -2**62)", also_mmap=True)
    add_bad("malformed/shape_bytes_overflow.npy",
            v1_file("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (%d, 3), }" % 2**61, raw),
            "too_large", "element count 3*2**61 fits int64 but count*8 "
            "bytes does not", also_mmap=True)


def add_expect():
    """Give every file that opens with default settings its expected values,
    read back from the file by NumPy itself."""
    for e in entries:
        if not e["valid"] or e["error"] is not None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.load(os.path.join(HERE, e["file"]))
        e["expect"] = expect_for(a)


def to_json(v, depth=0):
    """json.dump(indent=1), except that a list of scalars (or of lists of
    scalars, such as complex [re, im] pairs) stays on one line."""
    pad = " " * depth
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(
            "%s %s: %s" % (pad, json.dumps(k, ensure_ascii=False),
                           to_json(x, depth + 1)) for k, x in v.items()) \
            + "\n" + pad + "}"
    if isinstance(v, list) and any(
            isinstance(x, dict) or (isinstance(x, list) and any(
                isinstance(y, (dict, list)) for y in x)) for x in v):
        return "[\n" + ",\n".join(
            "%s %s" % (pad, to_json(x, depth + 1)) for x in v) \
            + "\n" + pad + "]"
    return json.dumps(v, ensure_ascii=False, allow_nan=False)


def main():
    for d in (NPY_DIR, BAD_DIR):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
    if os.path.exists(MANIFEST):
        os.remove(MANIFEST)

    gen_numeric()
    gen_legacy()
    gen_structured()
    gen_strings()
    gen_typed()
    gen_malformed()
    add_expect()

    names = [e["file"] for e in entries]
    assert len(names) == len(set(names))
    on_disk = sorted("npy/" + f for f in os.listdir(NPY_DIR)) + \
        sorted("malformed/" + f for f in os.listdir(BAD_DIR))
    assert sorted(names) == sorted(on_disk)

    with open(MANIFEST, "w", encoding="utf8") as f:
        f.write(to_json(entries) + "\n")
    with open(MANIFEST, encoding="utf8") as f:
        assert json.load(f) == json.loads(json.dumps(entries))

    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in names)
    total += os.path.getsize(MANIFEST)
    by = {}
    for e in entries:
        k = e["error"] or ("valid:" + e["values"])
        by[k] = by.get(k, 0) + 1
    print("NumPy %s: wrote %d files (%d npy/, %d malformed/), %d bytes "
          "incl. manifest" % (np.__version__, len(names),
                              sum(n.startswith("npy/") for n in names),
                              sum(n.startswith("malformed/") for n in names),
                              total))
    for k in sorted(by):
        print("  %-22s %d" % (k, by[k]))
    for e in entries:
        if e["file"].startswith("malformed/"):
            print("  %-45s %-16s %s" % (e["file"], e["error"],
                                        (e["numpy_error"] or "ACCEPTED")[:90]))


if __name__ == "__main__":
    main()
