package compute

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// GroupByTime is GroupBy for datetime keys truncated to unit (NumPy's text
// inside the brackets of M8[...]: "D", "h", "M", "Y", "W", "15m", ...), as
// keys.astype("M8[unit]") floors them: toward the past, negative times
// included, months and years by the calendar. The groups' keys are counts
// of unit. NaT keys are left out and counted in Dropped, as pandas'
// groupby(dropna=True) does by default. A unit that does not parse, or a
// keys view without a unit, returns an error wrapping mmarray.ErrUnit; a
// pair of units whose ratio does not fit an int64 (attoseconds to weeks)
// one wrapping memmap.ErrUnsupported.
func GroupByTime[V Real](ctx context.Context, keys *mmarray.Array[mmarray.Datetime64], unit string,
	values *mmarray.Array[V], opts ...Option) (*Groups[mmarray.Datetime64, V], error) {
	checkColumns("GroupByTime", keys.Shape(), values.Shape())
	trunc, err := newTruncation(keys.DType().Unit, unit)
	if err != nil {
		return nil, fmt.Errorf("group by datetime64 keys truncated to %q: %w", unit, err)
	}
	keyDType, err := npyheader.ParseDescr(string(npyheader.NativeOrder()) + "M8[" + unit + "]")
	if err != nil {
		return nil, fmt.Errorf("group by datetime64 keys truncated to %q: %w", unit, err)
	}
	spec := newGroupSpec(keys, 1)
	spec.dropZero = true
	spec.newLoader = func() keyLoader {
		return &timeKeys{view: keys, trunc: trunc, stage: make([]mmarray.Datetime64, stageLen)}
	}
	decode := func(w []uint64) mmarray.Datetime64 { return mmarray.Datetime64(w[0] ^ 1<<63) }
	return groupByValues(ctx, values, spec, decode, keyDType, opts)
}

// truncation converts datetime64 counts from one unit to another as
// NumPy's astype does: linear units (weeks and finer) by the ratio of their
// lengths, floored; months and years through the calendar.
type truncation struct {
	mode      truncMode
	mul, div  int64 // the linear ratio: source (or day) to target (or day)
	srcMonths int64 // months per source unit, for a calendar source
	dstMonths int64 // months per target unit, for a calendar target
}

type truncMode int

const (
	linearToLinear     truncMode = iota // floor(x*mul/div)
	linearToCalendar                    // days = floor(x*mul/div), then months
	calendarToCalendar                  // floor(x*srcMonths/dstMonths)
	calendarToLinear                    // days of the month's first day, then floor(days*mul/div)
)

// attoseconds per linear base unit.
var unitAttoseconds = map[string]int64{
	"as": 1, "fs": 1e3, "ps": 1e6, "ns": 1e9, "us": 1e12, "ms": 1e15, "s": 1e18,
}

// unitLength is a unit's length: attoseconds (as a big.Int: a minute is more
// than an int64 of them) for a linear unit, months for a calendar one.
func unitLength(unit string) (length *big.Int, calendar bool, err error) {
	u, err := mmarray.ParseTimeUnit(unit)
	if err != nil {
		return nil, false, err
	}
	count, base := big.NewInt(u.Multiplier()), u.Base()
	second := big.NewInt(unitAttoseconds["s"])
	var per *big.Int
	switch base {
	case "Y":
		return count.Mul(count, big.NewInt(12)), true, nil
	case "M":
		return count, true, nil
	case "W":
		per = new(big.Int).Mul(second, big.NewInt(7*86400))
	case "D":
		per = new(big.Int).Mul(second, big.NewInt(86400))
	case "h":
		per = new(big.Int).Mul(second, big.NewInt(3600))
	case "m":
		per = new(big.Int).Mul(second, big.NewInt(60))
	default:
		per = big.NewInt(unitAttoseconds[base])
	}
	return count.Mul(count, per), false, nil
}

var dayAttoseconds = new(big.Int).Mul(big.NewInt(1e18), big.NewInt(86400))

func newTruncation(from, to string) (truncation, error) {
	src, srcCal, err := unitLength(from)
	if err != nil {
		return truncation{}, err
	}
	dst, dstCal, err := unitLength(to)
	if err != nil {
		return truncation{}, err
	}
	var t truncation
	switch {
	case srcCal && dstCal:
		t.mode, t.srcMonths, t.dstMonths = calendarToCalendar, src.Int64(), dst.Int64()
		return t, nil
	case srcCal:
		t.mode, t.srcMonths = calendarToLinear, src.Int64()
		src = dayAttoseconds
	case dstCal:
		t.mode, t.dstMonths = linearToCalendar, dst.Int64()
		dst = dayAttoseconds
	}
	g := new(big.Int).GCD(nil, nil, src, dst)
	mul, div := new(big.Int).Quo(src, g), new(big.Int).Quo(dst, g)
	if !mul.IsInt64() || !div.IsInt64() {
		return truncation{}, fmt.Errorf("converting %s to %s: %w", from, to, memmap.ErrUnsupported)
	}
	t.mul, t.div = mul.Int64(), div.Int64()
	return t, nil
}

// apply truncates src into dst as packed keys: the count with its sign bit
// flipped, NaT as 0. The mode is switched on once a block.
func (t truncation) apply(dst []uint64, src []int64) {
	const nat, flip = math.MinInt64, 1 << 63
	dst = dst[:len(src)]
	switch t.mode {
	case linearToLinear:
		for i, x := range src {
			if x == nat {
				dst[i] = 0
				continue
			}
			dst[i] = uint64(floorDiv(x*t.mul, t.div)) ^ flip
		}
	case linearToCalendar:
		// The calendar is worked out a block at a time, so that no
		// function is called per element; NaT's garbage is replaced last.
		days := sliceAs[int64](dst)
		for i, x := range src {
			days[i] = floorDiv(x*t.mul, t.div)
		}
		monthsFromDays(days)
		for i, x := range src {
			dst[i] = uint64(floorDiv(days[i], t.dstMonths)) ^ flip
			if x == nat {
				dst[i] = 0
			}
		}
	case calendarToCalendar:
		for i, x := range src {
			if x == nat {
				dst[i] = 0
				continue
			}
			dst[i] = uint64(floorDiv(x*t.srcMonths, t.dstMonths)) ^ flip
		}
	case calendarToLinear:
		months := sliceAs[int64](dst)
		for i, x := range src {
			months[i] = x * t.srcMonths
		}
		daysFromMonths(months)
		for i, x := range src {
			dst[i] = uint64(floorDiv(months[i]*t.mul, t.div)) ^ flip
			if x == nat {
				dst[i] = 0
			}
		}
	}
}

// floorDiv is n/d rounded toward minus infinity, for d > 0.
func floorDiv(n, d int64) int64 {
	q := n / d
	if n%d < 0 {
		q--
	}
	return q
}

// monthsFromDays replaces each day of xs (counted from 1970-01-01) by its
// month (counted from January 1970), by the proleptic Gregorian calendar
// (Howard Hinnant's civil_from_days), written out in the loop, too large
// to be inlined.
func monthsFromDays(xs []int64) {
	for i, days := range xs {
		z := days + 719468
		era := floorDiv(z, 146097)
		doe := z - era*146097
		yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
		y := yoe + era*400
		doy := doe - (365*yoe + yoe/4 - yoe/100)
		mp := (5*doy + 2) / 153
		m := mp + 3
		if mp >= 10 {
			m = mp - 9
			y++
		}
		xs[i] = (y-1970)*12 + m - 1
	}
}

// daysFromMonths replaces each month of xs (counted from January 1970) by
// the day (counted from 1970-01-01) of its first day (Hinnant's
// days_from_civil).
func daysFromMonths(xs []int64) {
	for i, months := range xs {
		y := 1970 + floorDiv(months, 12)
		m := months - floorDiv(months, 12)*12 + 1
		if m <= 2 {
			y--
		}
		era := floorDiv(y, 400)
		yoe := y - era*400
		mp := m + 9
		if m > 2 {
			mp = m - 3
		}
		doy := (153*mp + 2) / 5
		doe := yoe*365 + yoe/4 - yoe/100 + doy
		xs[i] = era*146097 + doe - 719468
	}
}
