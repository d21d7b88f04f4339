package nprepr

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/mmarray"
)

// parseUnit splits a dtype's unit text into its base unit and multiplier
// with mmarray.ParseTimeUnit. The generic unit "" is base "" of 1 (NumPy
// prints its counts as seconds); a unit ParseTimeUnit refuses yields ok
// false, and its counts print raw.
func parseUnit(unit string) (base string, mult int64, ok bool) {
	if unit == "" {
		return "", 1, true
	}
	u, err := mmarray.ParseTimeUnit(unit)
	if err != nil {
		return "", 0, false
	}
	return u.Base(), u.Multiplier(), true
}

// fractionDigits is the number of decimals NumPy prints after the seconds
// for each sub-second base unit.
var fractionDigits = map[string]int{"ms": 3, "us": 6, "ns": 9, "ps": 12, "fs": 15, "as": 18}

// unitNames are the words NumPy's str of a timedelta64 scalar uses.
var unitNames = map[string]string{
	"Y": "years", "M": "months", "W": "weeks", "D": "days", "h": "hours", "m": "minutes",
	"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds",
	"ps": "picoseconds", "fs": "femtoseconds", "as": "attoseconds", "": "generic time units",
}

// AppendDatetime appends a datetime64 count of the given unit (the dtype's
// text inside the brackets: "D", "ns", "10s") as NumPy's str prints it: ISO
// 8601 down to the unit ("2020-01-31", "2020-01-31T12:00:00.000000000"),
// or "NaT".
func AppendDatetime(dst []byte, count int64, unit string) []byte {
	if count == math.MinInt64 {
		return append(dst, "NaT"...)
	}
	base, mult, known := parseUnit(unit)
	hi, v := bits.Mul64(uint64(abs64(count)), uint64(mult))
	if !known || hi != 0 || v > math.MaxInt64 {
		return appendRawCount(dst, count, unit)
	}
	n := int64(v)
	if count < 0 {
		n = -n
	}
	switch base {
	case "Y":
		return appendYear(dst, 1970+n)
	case "M":
		dst = appendYear(dst, 1970+floorDiv(n, 12))
		dst = append(dst, '-')
		return append2(dst, floorMod(n, 12)+1)
	case "W":
		return appendDate(dst, n*7)
	case "D":
		return appendDate(dst, n)
	case "h":
		return appendClock(dst, n*3600, 2)
	case "m":
		return appendClock(dst, n*60, 3)
	case "s", "":
		return appendClock(dst, n, 4)
	}
	digits, ok := fractionDigits[base]
	if !ok {
		return appendRawCount(dst, count, unit)
	}
	perSecond := int64(math.Pow10(digits))
	dst = appendClock(dst, floorDiv(n, perSecond), 4)
	frac := strconv.FormatInt(floorMod(n, perSecond), 10)
	dst = append(dst, '.')
	dst = append(dst, strings.Repeat("0", digits-len(frac))...)
	return append(dst, frac...)
}

// AppendTimedelta appends a timedelta64 count of the given unit as NumPy's
// str prints it: "5 seconds" ("50 seconds" for 5 of unit "10s"), or "NaT".
func AppendTimedelta(dst []byte, count int64, unit string) []byte {
	if count == math.MinInt64 {
		return append(dst, "NaT"...)
	}
	base, mult, known := parseUnit(unit)
	name, ok := unitNames[base]
	hi, v := bits.Mul64(uint64(abs64(count)), uint64(mult))
	if !known || !ok || hi != 0 || v > math.MaxInt64 {
		return appendRawCount(dst, count, unit)
	}
	if count < 0 {
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, v, 10)
	dst = append(dst, ' ')
	return append(dst, name...)
}

// appendRawCount is the fallback for a count this package cannot place on
// the calendar: the count and its unit, as "12345 [10s]".
func appendRawCount(dst []byte, count int64, unit string) []byte {
	dst = strconv.AppendInt(dst, count, 10)
	dst = append(dst, " ["...)
	dst = append(dst, unit...)
	return append(dst, ']')
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x // MinInt64 (NaT) is handled before
	}
	return x
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// appendClock appends the date and time of a count of seconds since the
// epoch, with fields hours, minutes and seconds up to the given count of
// fields after the date (2: hours, 3: minutes, 4: seconds).
func appendClock(dst []byte, seconds int64, fields int) []byte {
	days := floorDiv(seconds, 86400)
	rest := floorMod(seconds, 86400)
	dst = appendDate(dst, days)
	dst = append(dst, 'T')
	dst = append2(dst, rest/3600)
	if fields >= 3 {
		dst = append(dst, ':')
		dst = append2(dst, rest/60%60)
	}
	if fields >= 4 {
		dst = append(dst, ':')
		dst = append2(dst, rest%60)
	}
	return dst
}

// appendDate appends the proleptic Gregorian date of a count of days since
// 1970-01-01 (Howard Hinnant's civil_from_days).
func appendDate(dst []byte, days int64) []byte {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	dst = appendYear(dst, y)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendYear appends a year as NumPy does, as C's %04d: four characters
// at least, the sign of a negative year counted ("-072").
func appendYear(dst []byte, y int64) []byte {
	width := 4
	if y < 0 {
		dst = append(dst, '-')
		y = -y
		width = 3
	}
	s := strconv.FormatInt(y, 10)
	dst = append(dst, strings.Repeat("0", max(0, width-len(s)))...)
	return append(dst, s...)
}

func append2(dst []byte, v int64) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}
