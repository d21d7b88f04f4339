package text

import "unsafe"

// All of the package's unsafe code is here.

// bytesString views b as a string without copying, for strconv's parsers,
// which take strings; the string must not outlive b's next change.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
