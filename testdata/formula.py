"""The value formula of the golden files and the tests, in one place.

gen_golden.py and gen_npz.py import it (they live in this directory); the Go
tests' numpytest.Run (internal/numpytest) reads this file and puts it at the
top of every NumPy script it runs, so every Python copy of the formula is this
one. The Go side is Value in internal/numpytest/formula, which its tests
compare with formula_array for every kind.
It needs only numpy; keep it free of other imports and of side effects.

k is the flat row-major (C-order) index of the logical element, whatever the
array's memory order (see README.md, "Value formulas").
"""

import numpy as np


def formula_kind(dt):
    """The formula's name for a dtype: "bool", "int", "float" or "complex".

    Raises ValueError for a dtype the formula does not cover."""
    kind = np.dtype(dt).kind
    if kind == "b":
        return "bool"
    if kind in "iu":
        return "int"
    if kind == "f":
        return "float"
    if kind == "c":
        return "complex"
    raise ValueError("no value formula for dtype %s" % np.dtype(dt))


def formula_array(dt, shape, order='C'):
    """Element k of an array of dtype dt and the given shape, in C order;
    order='F' lays the same values out in Fortran order.

        bool     k % 3 == 0
        int      int64(k*7 - 5) cast to dt, wrapping around (u1: k=0 -> 251)
        float    k*0.5 - 3.25 (exact in f2, f4 and f8)
        complex  (k*0.5 - 3.25) + (k*0.25 + 1)i
    """
    dt = np.dtype(dt)
    shape = tuple(shape)
    n = int(np.prod(shape, dtype=np.int64))
    k = np.arange(n, dtype=np.int64)
    kind = formula_kind(dt)
    if kind == "bool":
        v = k % 3 == 0
    elif kind == "int":
        v = k * 7 - 5
    elif kind == "float":
        v = k * 0.5 - 3.25
    else:
        v = (k * 0.5 - 3.25) + (k * 0.25 + 1) * 1j
    with np.errstate(all="ignore"):
        a = v.astype(dt)  # wrap-around casts for ints and uints
    a = a.reshape(shape)
    return np.asfortranarray(a) if order == 'F' else a
