package mmarray

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
)

// Datetime64 is one element of NumPy's datetime64 (M8[unit]): a count of
// units since 1970-01-01T00:00:00 UTC. The unit is part of the dtype, not
// of the value: parse it with ParseTimeUnit(a.DType().Unit), and convert
// with its Time and Datetime methods.
type Datetime64 int64

// Timedelta64 is one element of NumPy's timedelta64 (m8[unit]): a count of
// units. Convert with TimeUnit's Duration and Timedelta methods.
type Timedelta64 int64

// NaT is NumPy's "not a time", the smallest int64, for Datetime64 and
// Timedelta64 alike. Compare with the IsNaT methods.
const NaT = math.MinInt64

// IsNaT reports whether d is NaT.
func (d Datetime64) IsNaT() bool { return d == NaT }

// IsNaT reports whether d is NaT.
func (d Timedelta64) IsNaT() bool { return d == NaT }

// TimeUnit is a parsed datetime64/timedelta64 unit such as "D", "ns" or
// "25s" (NumPy's text inside the brackets of M8[...]): it converts counts of
// the unit to and from time.Time and time.Duration, exactly or with an
// error, never rounding. Parse it once per array, not per element.
type TimeUnit struct {
	text  string // as NumPy prints it: "25s"
	base  string
	count int64 // the multiplier: 25 for "25s"
	nanos int64 // nanoseconds per base unit; 0 for Y and M
	// attos is attoseconds per base unit for units finer than a
	// nanosecond (ps, fs, as); 0 otherwise.
	attos int64
}

var unitNanos = map[string]int64{
	"W": 7 * 24 * 3600 * 1e9, "D": 24 * 3600 * 1e9, "h": 3600 * 1e9, "m": 60 * 1e9, "s": 1e9,
	"ms": 1e6, "us": 1e3, "ns": 1,
}

var unitAttos = map[string]int64{"ps": 1e6, "fs": 1e3, "as": 1}

// ParseTimeUnit parses a unit as NumPy prints it in a dtype: a base unit
// (Y M W D h m s ms us ns ps fs as) with an optional multiplier ("25s").
// The generic unit "" and anything else give an error wrapping ErrUnit.
func ParseTimeUnit(unit string) (TimeUnit, error) {
	u, err := parseTimeUnit(unit)
	if err != nil {
		return TimeUnit{}, fmt.Errorf("time unit: %w", err)
	}
	return u, nil
}

func parseTimeUnit(unit string) (TimeUnit, error) {
	i := 0
	for i < len(unit) && unit[i] >= '0' && unit[i] <= '9' {
		i++
	}
	u := TimeUnit{text: unit, base: unit[i:], count: 1}
	if i > 0 {
		n, err := strconv.ParseInt(unit[:i], 10, 64)
		if err != nil || n <= 0 {
			return TimeUnit{}, fmt.Errorf("%w: bad multiplier in unit %q", ErrUnit, unit)
		}
		u.count = n
	}
	switch {
	case u.base == "Y" || u.base == "M":
	case unitNanos[u.base] != 0:
		u.nanos = unitNanos[u.base]
	case unitAttos[u.base] != 0:
		u.attos = unitAttos[u.base]
	case u.base == "":
		return TimeUnit{}, fmt.Errorf("%w: a generic datetime64 has no unit", ErrUnit)
	default:
		return TimeUnit{}, fmt.Errorf("%w: unknown unit %q", ErrUnit, unit)
	}
	return u, nil
}

// String is the unit as NumPy prints it: "25s", "D".
func (u TimeUnit) String() string { return u.text }

// Base is the unit without its multiplier: "s" for "25s", "D" for "D".
func (u TimeUnit) Base() string { return u.base }

// Multiplier is the number of base units in one unit: 25 for "25s", 1 for
// "D".
func (u TimeUnit) Multiplier() int64 { return u.count }

// mulExact returns a*b, or false when it overflows an int64.
func mulExact(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
	if hi != 0 || lo > math.MaxInt64 || a == math.MinInt64 || b == math.MinInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// maxCalendarYears bounds the instants Time converts, about a billion years
// either side of 1970, so that time.Date and time.Unix stay exact (and the
// year fits in an int on 32-bit platforms).
const (
	maxCalendarYears = 1 << 30
	maxUnixSeconds   = maxCalendarYears * 366 * 24 * 3600
)

// Time converts d, a count of u since the epoch, to a UTC time.Time. It
// returns an error wrapping ErrNaT for NaT, and ErrValue when the instant is
// beyond time.Time's range or, for units finer than a nanosecond, not a
// whole number of nanoseconds.
func (u TimeUnit) Time(d Datetime64) (time.Time, error) {
	unit := u.text
	if d.IsNaT() {
		return time.Time{}, fmt.Errorf("datetime64 to time: %w", ErrNaT)
	}
	if u.base == "" {
		return time.Time{}, fmt.Errorf("datetime64 to time: %w: the zero TimeUnit has no unit", ErrUnit)
	}
	n, ok := mulExact(int64(d), u.count)
	if !ok {
		return time.Time{}, fmt.Errorf("datetime64 to time: %w: %d×%s overflows", ErrValue, d, unit)
	}
	switch {
	case u.base == "Y" || u.base == "M":
		months := n
		if u.base == "Y" {
			months, ok = mulExact(n, 12)
		}
		if !ok || abs64(months) > 12*maxCalendarYears {
			return time.Time{}, fmt.Errorf("datetime64 to time: %w: %d %s is out of range", ErrValue, d, unit)
		}
		years, month := floorDiv(months, 12)
		return time.Date(1970+int(years), time.Month(month+1), 1, 0, 0, 0, 0, time.UTC), nil
	case u.attos != 0:
		ns, ok := exactNanos(n, u.attos)
		if !ok {
			return time.Time{}, fmt.Errorf("datetime64 to time: %w: %d %s is not a whole number of nanoseconds", ErrValue, d, unit)
		}
		return time.Unix(0, ns).UTC(), nil
	default:
		// Split into seconds and nanoseconds without overflowing: a
		// day count times 86400e9 does not fit in an int64 nanosecond
		// count for many valid dates.
		perSecond := int64(1e9)
		if u.nanos >= perSecond {
			sec, ok := mulExact(n, u.nanos/perSecond)
			if !ok || abs64(sec) > maxUnixSeconds {
				return time.Time{}, fmt.Errorf("datetime64 to time: %w: %d %s is out of range", ErrValue, d, unit)
			}
			return time.Unix(sec, 0).UTC(), nil
		}
		sec, rest := floorDiv(n, perSecond/u.nanos)
		return time.Unix(sec, rest*u.nanos).UTC(), nil
	}
}

// floorDiv divides rounding towards minus infinity, with a remainder in
// [0, d): how NumPy converts negative datetimes to coarser units.
func floorDiv(n, d int64) (q, r int64) {
	q, r = n/d, n%d
	if r < 0 {
		q, r = q-1, r+d
	}
	return q, r
}

// exactNanos converts n attosecond-based units (attos attoseconds each) to
// nanoseconds, reporting false unless that is exact.
func exactNanos(n, attos int64) (int64, bool) {
	perNano := 1e9 / attos
	if n%perNano != 0 {
		return 0, false
	}
	return n / perNano, true
}

// Datetime converts t to a count of u since the epoch. It returns an error
// wrapping ErrValue unless the result is exact and in range: a time that is
// not a whole number of units (for "D", not midnight UTC) is refused rather
// than rounded; truncate t first when rounding is wanted.
func (u TimeUnit) Datetime(t time.Time) (Datetime64, error) {
	unit := u.text
	if u.base == "" {
		return 0, fmt.Errorf("time to datetime64: %w: the zero TimeUnit has no unit", ErrUnit)
	}
	t = t.UTC()
	var n int64
	exact := true
	switch {
	case u.base == "Y" || u.base == "M":
		y, m, day := t.Date()
		exact = day == 1 && t.Equal(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
		n = int64(y-1970)*12 + int64(m-1)
		if u.base == "Y" {
			exact = exact && m == time.January
			n = int64(y - 1970)
		}
	case u.attos != 0:
		ns, ok := nanosSinceEpoch(t)
		if !ok {
			return 0, fmt.Errorf("time to datetime64: %w: %v does not fit in %s", ErrValue, t, unit)
		}
		n, ok = mulExact(ns, 1e9/u.attos)
		if !ok {
			return 0, fmt.Errorf("time to datetime64: %w: %v does not fit in %s", ErrValue, t, unit)
		}
	case u.nanos >= 1e9:
		var rest int64
		n, rest = floorDiv(t.Unix(), u.nanos/1e9)
		exact = rest == 0 && t.Nanosecond() == 0
	default:
		perSecond := 1e9 / u.nanos
		sec, ok := mulExact(t.Unix(), perSecond)
		frac := int64(t.Nanosecond())
		exact = frac%u.nanos == 0
		n = sec + frac/u.nanos
		if !ok || n < sec {
			return 0, fmt.Errorf("time to datetime64: %w: %v does not fit in %s", ErrValue, t, unit)
		}
	}
	q, r := floorDiv(n, u.count)
	if !exact || r != 0 {
		return 0, fmt.Errorf("time to datetime64: %w: %v is not a whole number of %s", ErrValue, t, unit)
	}
	if q == NaT {
		return 0, fmt.Errorf("time to datetime64: %w: %v would read as NaT", ErrValue, t)
	}
	return Datetime64(q), nil
}

// nanosSinceEpoch is t as Unix nanoseconds, reporting false when that
// overflows an int64 (before 1677 or after 2262).
func nanosSinceEpoch(t time.Time) (int64, bool) {
	sec, ok := mulExact(t.Unix(), 1e9)
	if !ok {
		return 0, false
	}
	ns := sec + int64(t.Nanosecond())
	return ns, ns >= sec
}

// Duration converts d, a count of u, to a time.Duration. It returns an
// error wrapping ErrNaT for NaT, ErrUnit for years and months (which have no
// fixed length, as in NumPy), and ErrValue when the result is beyond
// time.Duration's ±292 years or, for units finer than a nanosecond, not a
// whole number of nanoseconds.
func (u TimeUnit) Duration(d Timedelta64) (time.Duration, error) {
	unit := u.text
	if d.IsNaT() {
		return 0, fmt.Errorf("timedelta64 to duration: %w", ErrNaT)
	}
	if u.base == "" {
		return 0, fmt.Errorf("timedelta64 to duration: %w: the zero TimeUnit has no unit", ErrUnit)
	}
	if u.base == "Y" || u.base == "M" {
		return 0, fmt.Errorf("timedelta64 to duration: %w: %s has no fixed length", ErrUnit, unit)
	}
	n, ok := mulExact(int64(d), u.count)
	if ok && u.attos != 0 {
		n, ok = exactNanos(n, u.attos)
	} else if ok {
		n, ok = mulExact(n, u.nanos)
	}
	if !ok {
		return 0, fmt.Errorf("timedelta64 to duration: %w: %d %s is not a whole number of nanoseconds within ±292 years", ErrValue, d, unit)
	}
	return time.Duration(n), nil
}

// Timedelta converts dur to a count of u. It returns an error wrapping
// ErrValue unless the result is exact (dur a whole number of units), and
// ErrUnit for years and months.
func (u TimeUnit) Timedelta(dur time.Duration) (Timedelta64, error) {
	unit := u.text
	if u.base == "" {
		return 0, fmt.Errorf("duration to timedelta64: %w: the zero TimeUnit has no unit", ErrUnit)
	}
	if u.base == "Y" || u.base == "M" {
		return 0, fmt.Errorf("duration to timedelta64: %w: %s has no fixed length", ErrUnit, unit)
	}
	var n, rest int64
	if u.attos != 0 {
		var ok bool
		if n, ok = mulExact(int64(dur), 1e9/u.attos); !ok {
			return 0, fmt.Errorf("duration to timedelta64: %w: %v is out of range for %s", ErrValue, dur, unit)
		}
	} else {
		n, rest = floorDiv(int64(dur), u.nanos)
	}
	q, r := floorDiv(n, u.count)
	if rest != 0 || r != 0 {
		return 0, fmt.Errorf("duration to timedelta64: %w: %v is not a whole number of %s", ErrValue, dur, unit)
	}
	if q == NaT {
		return 0, fmt.Errorf("duration to timedelta64: %w: %v would read as NaT", ErrValue, dur)
	}
	return Timedelta64(q), nil
}
