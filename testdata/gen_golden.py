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
                 data_offset, value formula, expected error category and
                 the exception NumPy itself raised.

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
import os
import shutil
import struct
import warnings

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
    """The formula arrays, in C order, as documented in README.md."""
    n = int(np.prod(shape, dtype=np.int64)) if len(shape) else 1
    k = np.arange(n, dtype=np.int64)
    kind = dt.kind
    if kind == "b":
        a, v = (k % 3 == 0), "bool"
    elif kind in "iu":
        a, v = (k * 7 - 5), "int"
    elif kind == "f":
        a, v = (k * 0.5 - 3.25), "float"
    elif kind == "c":
        a, v = (k * 0.5 - 3.25) + (k * 0.25 + 1) * 1j, "complex"
    else:
        raise ValueError(dt)
    with np.errstate(all="ignore"):
        a = a.astype(dt)  # wrap-around casts for ints/uints
    return a.reshape(shape, order="C"), v


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
    gen_malformed()

    names = [e["file"] for e in entries]
    assert len(names) == len(set(names))
    on_disk = sorted("npy/" + f for f in os.listdir(NPY_DIR)) + \
        sorted("malformed/" + f for f in os.listdir(BAD_DIR))
    assert sorted(names) == sorted(on_disk)

    with open(MANIFEST, "w", encoding="utf8") as f:
        json.dump(entries, f, indent=1, ensure_ascii=False)
        f.write("\n")

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
