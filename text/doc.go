// Package text reads NumPy's text formats, as np.loadtxt reads them, into
// records ready for an .npy file.
//
// # Reading
//
// Cells are parsed exactly as NumPy 1.24's loadtxt parses them (its C
// parser, numpy/core/src/multiarray/textreading), which is not Go's
// strconv:
//
//   - White space around a number is ignored; Python's white space, which
//     includes U+00A0, U+3000 and the ASCII separators \x1c-\x1f.
//   - Floats have Python's syntax: no underscores ("1_000") and no
//     hexadecimal ("0x1p-2"), both of which strconv.ParseFloat accepts;
//     "inf", "infinity" and "nan" in any case, with a sign; an exponent
//     out of range gives ±inf or ±0 ("1e400" is inf), not an error. NaNs
//     have Python's bits (0x7ff8000000000000, with the sign of "-nan").
//   - Integers are parsed as integers, never through a float, so int64
//     keeps all its digits; one out of its type's range is refused.
//   - A cell that is not an integer but is a float ("1.5", "1e3") is read
//     into an integer column truncated toward zero, NumPy 1.23's
//     deprecated fallback (it warns; this package does not).
//   - Bools are integers: "0" is false, any other integer true; "True" is
//     refused, as in NumPy.
//   - Complex numbers are "1+2j", "1-2j", "2j", "3", optionally in
//     parentheses with white space inside them; not "1+2J" nor "1 + 2j".
//   - S<n> stores the characters as latin-1 bytes (a character above
//     U+00FF is refused), U<n> as UCS-4; both are cut to n characters.
//
// # Caveats
//
//   - Where NumPy parses an integer through a float to a value its type
//     cannot hold ("300" as int8, "-1" as uint8, "nan" as int32), its C
//     cast gives a machine-dependent value (44, 255, -2**31 on x86-64);
//     this package refuses the cell instead.
package text
