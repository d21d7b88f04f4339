// Package bytesize parses the byte counts the commands take on their
// command lines (mmbench's --size, memmap stats' --memory): "4GiB",
// "512MiB", "1.5G", "1e9", "1073741824".
package bytesize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// units are the suffixes Parse accepts, in lower case. Single letters are
// binary, as in dd and most memory tools; "GB" and friends are decimal.
var units = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// Parse parses a positive byte count: a number (digits, a decimal point,
// an exponent) and an optional unit, B, K/KiB, M/MiB, G/GiB, T/TiB (binary)
// or KB, MB, GB, TB (decimal), in any case, with or without a space between.
// A fraction of a byte is dropped. Zero, negative counts and counts of 8 EiB
// or more are errors, whose message quotes s.
func Parse(s string) (int64, error) {
	t := strings.TrimSpace(s)
	// The number is the longest prefix of digits, '.', '+', '-' and exponent
	// characters; an 'e' is an exponent only when a digit or sign follows.
	i := 0
	for i < len(t) {
		c := t[i]
		if c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-' {
			i++
			continue
		}
		if (c == 'e' || c == 'E') && i+1 < len(t) && (t[i+1] >= '0' && t[i+1] <= '9' || t[i+1] == '+' || t[i+1] == '-') {
			i++
			continue
		}
		break
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("invalid size %q (want e.g. 4GiB, 512MiB, 1e9)", s)
	}
	mult, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)", s, t[i:])
	}
	bytes := v * mult
	if math.IsNaN(bytes) || bytes < 1 || bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: must be at least one byte and below 8 EiB", s)
	}
	return int64(bytes), nil
}
