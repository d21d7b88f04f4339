#!/usr/bin/python3
"""Generate the golden .npz test archives for github.com/go-memmap/memmap.

What it makes (relative to this script's directory, testdata/):
  npz/*.npz          small archives written by real NumPy (np.savez,
                     np.savez_compressed) or by Python's zipfile, valid and
                     malformed.
  npz/manifest.json  one entry per archive: valid or the error category a
                     reader must give, and per member its name, np.load key,
                     whether it is an array, descr, shape, fortran_order,
                     compression and values ("formula": the shared value
                     formula of gen_golden.py, or "text" for raw bytes).

Every valid archive is read back with np.load and compared with the
manifest; every malformed one must make np.load (or zipfile) raise.

Run (needs NumPy; the system python has it):
    /usr/bin/python3 testdata/gen_npz.py
It deletes npz/ and regenerates it. The output is deterministic: NumPy's
savez stamps members 1980-01-01 (zipfile's default for zf.open(name, 'w')),
and every hand-built member uses a fixed ZipInfo date_time, so running it
again leaves `git diff` empty.
"""

import sys

try:
    import numpy as np
except ImportError:
    sys.stderr.write("gen_npz.py: NumPy is required; run /usr/bin/python3 testdata/gen_npz.py\n")
    sys.exit(1)

import io
import json
import os
import shutil
import struct
import zipfile

# The value formula shared with gen_golden.py and the Go tests; formula.py
# sits next to this script. No __pycache__ is left in testdata/.
sys.dont_write_bytecode = True
from formula import formula_array  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "npz")
DATE = (2020, 1, 2, 3, 4, 6)


def npy_bytes(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


manifest = []


def arr(name, descr, shape, order='C', compression='stored'):
    return {"name": name, "key": name[:-4] if name.endswith(".npy") else name,
            "is_array": True, "descr": descr, "shape": list(shape),
            "fortran_order": order == 'F', "compression": compression,
            "values": "formula"}


def text(name, content, compression='stored'):
    return {"name": name, "key": name[:-4] if name.endswith(".npy") else name,
            "is_array": False, "compression": compression, "values": "text",
            "text": content}


def add(file, members, note, error=None, numpy_fails=None):
    manifest.append({"file": file, "valid": error is None, "error": error,
                     "numpy_fails": error is not None if numpy_fails is None else numpy_fails,
                     "members": members, "note": note})


def path(name):
    return os.path.join(OUT, name)


# The arrays np.savez stores, by keyword name.
KW = [("a", "<f8", (3, 4), 'C'), ("b", "<i4", (5,), 'C'), ("c", "|b1", (2, 3), 'F'),
      ("d", ">i2", (2, 2), 'C'), ("e", "<c16", (), 'C'), ("f", "<u8", (0, 3), 'C'),
      ("g", ">f4", (2, 3, 4), 'F')]


def savez_members(compression):
    return [arr(n + ".npy", d, s, o, compression) for n, d, s, o in KW]


def kwargs():
    return {n: formula_array(d, s, o) for n, d, s, o in KW}


def build_valid():
    np.savez(path("savez_kw.npz"), **kwargs())
    add("savez_kw.npz", savez_members("stored"), "np.savez with keyword names: stored members")

    np.savez_compressed(path("savez_compressed.npz"), **kwargs())
    add("savez_compressed.npz", savez_members("deflated"), "np.savez_compressed: deflated members")

    np.savez(path("savez_positional.npz"), formula_array("<f4", (4,)), formula_array("|u1", (3, 2)),
             kw=formula_array("<i8", (2,)))
    add("savez_positional.npz", [arr("kw.npy", "<i8", (2,)), arr("arr_0.npy", "<f4", (4,)),
                                 arr("arr_1.npy", "|u1", (3, 2))],
        "np.savez with positional arrays (arr_0, arr_1) after a keyword one")

    np.savez(path("with_text.npz"), x=formula_array("<f8", (6,)))
    with zipfile.ZipFile(path("with_text.npz"), "a") as z:
        z.writestr(zipfile.ZipInfo("notes.txt", DATE), "hello npz\n")
        z.writestr(zipfile.ZipInfo("fake.npy", DATE), "not an array")
        zi = zipfile.ZipInfo("packed.txt", DATE)
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, "deflated text " * 20)
    add("with_text.npz", [arr("x.npy", "<f8", (6,)), text("notes.txt", "hello npz\n"),
                          text("fake.npy", "not an array"),
                          text("packed.txt", "deflated text " * 20, "deflated")],
        "np.savez plus non-array members added with zipfile (a .npy-named one without the magic)")

    with zipfile.ZipFile(path("zip64.npz"), "w") as z:
        for name, descr, shape, comp in [("p.npy", "<i4", (3, 4), zipfile.ZIP_STORED),
                                         ("q.npy", ">f8", (5,), zipfile.ZIP_DEFLATED)]:
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = comp
            with z.open(zi, "w", force_zip64=True) as w:
                w.write(npy_bytes(formula_array(descr, shape)))
    add("zip64.npz", [arr("p.npy", "<i4", (3, 4)), arr("q.npy", ">f8", (5,), compression="deflated")],
        "zipfile with force_zip64: zip64 extra fields in the local headers")

    with zipfile.ZipFile(path("odd_names.npz"), "w") as z:
        for name, descr in [("../x.npy", "<i2"), ("/abs.npy", "<u4"), ("a\\b.npy", "|i1"), ("dir/y.npy", "<f4")]:
            z.writestr(zipfile.ZipInfo(name, DATE), npy_bytes(formula_array(descr, (4,))))
    add("odd_names.npz", [arr("../x.npy", "<i2", (4,)), arr("/abs.npy", "<u4", (4,)),
                          arr("a\\b.npy", "|i1", (4,)), arr("dir/y.npy", "<f4", (4,))],
        "member names that would be dangerous as paths: they are only names")

    with zipfile.ZipFile(path("zeros_ratio.npz"), "w") as z:
        zi = zipfile.ZipInfo("z.npy", DATE)
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, npy_bytes(np.zeros(1 << 19, dtype="<u8")))
    add("zeros_ratio.npz", [dict(arr("z.npy", "<u8", (1 << 19,), compression="deflated"), values="zeros")],
        "4 MiB of zeros deflated ~1000:1: a small zip bomb; valid with the defaults, refused with a lower ratio or total limit")

    np.savez(path("empty.npz"))
    add("empty.npz", [], "np.savez with no arrays: a 22-byte empty zip")


def patch(src, dst, fn):
    with open(path(src), "rb") as f:
        b = bytearray(f.read())
    fn(b)
    with open(path(dst), "wb") as f:
        f.write(bytes(b))


def central(b, i=0):
    """Offset of the i-th central directory record."""
    at = -1
    for _ in range(i + 1):
        at = b.index(b"PK\x01\x02", at + 1)
    return at


def local(b, i=0):
    at = -1
    for _ in range(i + 1):
        at = b.index(b"PK\x03\x04", at + 1)
    return at


def build_malformed():
    src = "savez_kw.npz"
    raw = open(path(src), "rb").read()
    eocd = raw.rindex(b"PK\x05\x06")
    cd = central(raw)
    with open(path("truncated_cd.npz"), "wb") as f:
        f.write(raw[:cd + (eocd - cd) // 2])
    add("truncated_cd.npz", None, "savez_kw.npz cut in the middle of its central directory", "format")

    with open(path("truncated_member.npz"), "wb") as f:
        f.write(raw[:local(raw, 1) - 10])
    add("truncated_member.npz", None, "savez_kw.npz cut inside its first member's data", "format")

    def size_past_eof(b):
        c = central(b)
        struct.pack_into("<II", b, c + 20, 0x7fff0000, 0x7fff0000)
    patch(src, "size_past_eof.npz", size_past_eof)
    add("size_past_eof.npz", None, "the first member's sizes in the central directory run past the archive's end", "format")

    def name_mismatch(b):
        lo = local(b)
        b[lo + 30] = ord("z")  # "a.npy" -> "z.npy" in the local header only
    patch(src, "local_name_mismatch.npz", name_mismatch)
    add("local_name_mismatch.npz", None, "the local header names the first member differently from the central directory", "format")

    def method_mismatch(b):
        struct.pack_into("<H", b, local(b) + 8, 8)
    patch(src, "local_method_mismatch.npz", method_mismatch)
    add("local_method_mismatch.npz", None, "the local header says deflated, the central directory stored "
        "(zipfile reads the directory's method, so np.load succeeds; other tools disagree, so a reader refuses)",
        "format", numpy_fails=False)

    def overlap(b):
        # The second member's directory record points at the first member's local header.
        c0, c1 = central(b, 0), central(b, 1)
        b[c1 + 42:c1 + 46] = b[c0 + 42:c0 + 46]
    patch(src, "overlap.npz", overlap)
    add("overlap.npz", None, "two directory records share one local header (overlapping members)", "format")

    add("not_a_zip.npz", None, "an .npy file, not a zip", "format")
    with open(path("not_a_zip.npz"), "wb") as f:
        f.write(npy_bytes(formula_array("<f8", (3,))))

    # Member-level problems: the archive opens, the member fails.
    def bad_crc(b):
        c = central(b)
        crc = struct.unpack_from("<I", b, c + 16)[0]
        struct.pack_into("<I", b, c + 16, crc ^ 1)
        struct.pack_into("<I", b, local(b) + 14, crc ^ 1)
    patch("savez_compressed.npz", "bad_crc_deflated.npz", bad_crc)
    add("bad_crc_deflated.npz", None, "member a.npy (deflated) has a wrong CRC-32: the archive opens, reading a.npy fails", "checksum")
    patch("savez_kw.npz", "bad_crc_stored.npz", bad_crc)
    add("bad_crc_stored.npz", None, "member a.npy (stored) has a wrong CRC-32: mapping works (not verified), Verify fails", "checksum")

    def forged_size(b):
        # z.npy declares 2^31 uncompressed bytes from ~4 KiB: a forged ratio.
        c = central(b)
        struct.pack_into("<I", b, c + 24, 0x7fffffff)
        struct.pack_into("<I", b, local(b) + 22, 0x7fffffff)
    patch("zeros_ratio.npz", "forged_size.npz", forged_size)
    add("forged_size.npz", None, "a deflated member declaring 2 GiB from 4 KiB: refused before decompressing "
        "(np.load reads only the bytes the NPY header needs and never notices)", "too_large", numpy_fails=False)

    def short_size(b):
        c = central(b)
        n = struct.unpack_from("<I", b, c + 24)[0]
        struct.pack_into("<I", b, c + 24, n - 8)
        struct.pack_into("<I", b, local(b) + 22, n - 8)
    patch("savez_compressed.npz", "size_mismatch.npz", short_size)
    add("size_mismatch.npz", None, "a.npy decompresses to 8 bytes more than declared", "size")


def check():
    for e in manifest:
        p = path(e["file"])
        if not e["valid"]:
            if not e["numpy_fails"]:
                with np.load(p) as z:
                    for k in z.files:
                        z[k]
                continue
            try:
                with np.load(p) as z:
                    for k in z.files:
                        z[k]
            except Exception:
                continue
            raise SystemExit("%s: np.load did not fail" % e["file"])
        with np.load(p) as z:
            assert z.files == [m["key"] for m in e["members"]], (e["file"], z.files)
            for m in e["members"]:
                got = z[m["key"]]
                assert isinstance(got, bytes) != m["is_array"], m
                if not m["is_array"]:
                    assert got == m["text"].encode(), m
                    continue
                assert got.dtype.str == m["descr"] or got.dtype.descr[0][1] == m["descr"], (m, got.dtype.str)
                assert list(got.shape) == m["shape"], m
                assert got.flags.f_contiguous and not got.flags.c_contiguous or not m["fortran_order"] or got.ndim < 2, m
                if m["values"] == "zeros":
                    want = np.zeros(m["shape"], m["descr"])
                else:
                    want = formula_array(m["descr"], m["shape"], 'F' if m["fortran_order"] else 'C')
                assert np.array_equal(got, want), m
        with zipfile.ZipFile(p) as z:
            methods = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED}
            for info, m in zip(z.infolist(), e["members"]):
                assert info.filename == m["name"] and info.compress_type == methods[m["compression"]], (info, m)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    build_valid()
    build_malformed()
    check()
    with open(path("manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print("wrote %d archives, %d bytes" % (len(manifest), total))


main()
