package compute

import (
	"context"
	"fmt"
	"math"
	"reflect"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// Astype writes the view's elements converted to the dtype descr into a new
// C-order .npy file at path, as NumPy's np.save(path, a.astype(descr)) does
// with its default unsafe casting; descr is one of the real dtypes, in
// either byte order ("<i4", ">f8", "|b1", "<f2", ...). The conversions are
// NumPy's on x86-64, bit for bit:
//
//   - integers and bools to integers keep the low bits (int wrap-around);
//   - floats to integers truncate toward zero; NaN, infinities and values
//     out of range give what NumPy's cast loops over contiguous data give
//     there: the smallest int32 (int8 to uint16: its low bits, 0) or int64,
//     for uint32 and uint64 2³¹ and 2⁶³ (NaN, too negative) or 0 (too
//     large), less negative values wrapping around (Float16 to uint32: the
//     low 32 bits of the int64 conversion, as NumPy's loop for it);
//   - anything to bool is whether it is nonzero (NaN is true);
//   - to floats: rounded to nearest, ties to even, too large to ±inf,
//     Float16 as NumPy's half-float conversion.
//
// The file is flushed and closed before Astype returns, and removed if
// anything fails. Errors wrap npyheader's sentinels for a descr that does
// not parse, memmap.ErrUnsupported for one that is not a real dtype
// (complex, strings, datetimes), Create's and Flush's errors, or are the
// context's. Datetime64 and Timedelta64 views convert as their int64
// counts, NaT included.
func Astype[T Real](ctx context.Context, a *mmarray.Array[T], path, descr string, opts ...Option) error {
	dt, err := npyheader.ParseDescr(descr)
	if err != nil {
		return fmt.Errorf("astype %s: %w", path, err)
	}
	switch k, size := dt.Kind, dt.ItemSize; {
	case k == npyheader.Bool:
		return astypeTo[T, bool](ctx, a, path, descr, opts)
	case k == npyheader.Int && size == 1:
		return astypeTo[T, int8](ctx, a, path, descr, opts)
	case k == npyheader.Int && size == 2:
		return astypeTo[T, int16](ctx, a, path, descr, opts)
	case k == npyheader.Int && size == 4:
		return astypeTo[T, int32](ctx, a, path, descr, opts)
	case k == npyheader.Int && size == 8:
		return astypeTo[T, int64](ctx, a, path, descr, opts)
	case k == npyheader.Uint && size == 1:
		return astypeTo[T, uint8](ctx, a, path, descr, opts)
	case k == npyheader.Uint && size == 2:
		return astypeTo[T, uint16](ctx, a, path, descr, opts)
	case k == npyheader.Uint && size == 4:
		return astypeTo[T, uint32](ctx, a, path, descr, opts)
	case k == npyheader.Uint && size == 8:
		return astypeTo[T, uint64](ctx, a, path, descr, opts)
	case k == npyheader.Float && size == 2:
		return astypeTo[T, mmarray.Float16](ctx, a, path, descr, opts)
	case k == npyheader.Float && size == 4:
		return astypeTo[T, float32](ctx, a, path, descr, opts)
	case k == npyheader.Float && size == 8:
		return astypeTo[T, float64](ctx, a, path, descr, opts)
	}
	return fmt.Errorf("astype %s: %w: dtype %s is not a real dtype", path, memmap.ErrUnsupported, descr)
}

func astypeTo[T, U Real](ctx context.Context, a *mmarray.Array[T], path, descr string, opts []Option) error {
	cfg := newConfig(opts)
	switch familyOf[T]() {
	case signedFamily:
		return astypeVia[T, U, int64](ctx, a, path, descr, cfg, castIntegers[int64, U])
	case unsignedFamily:
		return astypeVia[T, U, uint64](ctx, a, path, descr, cfg, castIntegers[uint64, U])
	}
	if reflect.TypeFor[T]() == float16Type && reflect.TypeFor[U]().Kind() == reflect.Uint32 {
		// NumPy's half to uint32 loop is not vectorised: its C conversion,
		// through int64, gives the low 32 bits.
		return astypeVia[T, U, float64](ctx, a, path, descr, cfg, func(dst []U, src []float64) {
			castLowBits(sliceAs[uint32](dst), src, truncInt64)
		})
	}
	return astypeVia[T, U, float64](ctx, a, path, descr, cfg, castFloats[U])
}

// astypeVia widens the view's elements to K (exactly: every element of T
// is a K) and casts them to U with cast.
func astypeVia[T, U Real, K kernelType](ctx context.Context, a *mmarray.Array[T], path, descr string, cfg config,
	cast func(dst []U, src []K)) error {
	widen := widenerFor[T, K]()
	kbufs := make([][]K, cfg.workers)
	for w := range kbufs {
		kbufs[w] = make([]K, stageLen)
	}
	return toNewFile("astype", path, descr, a.Shape(), []*mmarray.File{a.File()}, func(dst *mmarray.Array[U]) error {
		return runTransform(ctx, dst, []*mmarray.Array[T]{a}, cfg, func(w int, out []U, src [][]T) {
			xs, _ := widen(src[0], kbufs[w]) // blocks are at most stageLen: all of it
			cast(out, xs)
		})
	})
}

// castIntegers converts int64s or uint64s to U as C (and NumPy) does:
// integers keep their low bits, bools are x != 0, floats are rounded to
// nearest.
func castIntegers[K int64 | uint64, U Real](dst []U, src []K) {
	switch reflect.TypeFor[U]() {
	case float16Type:
		out := sliceAs[mmarray.Float16](dst)
		for i, x := range src {
			out[i] = mmarray.Float16FromFloat64(float64(x)) // beyond 2⁵³ both roundings give ±inf
		}
		return
	}
	switch reflect.TypeFor[U]().Kind() {
	case reflect.Bool:
		castNonzero(sliceAs[bool](dst), src)
	case reflect.Int8:
		castPlain(sliceAs[int8](dst), src)
	case reflect.Int16:
		castPlain(sliceAs[int16](dst), src)
	case reflect.Int32:
		castPlain(sliceAs[int32](dst), src)
	case reflect.Int64:
		castPlain(sliceAs[int64](dst), src)
	case reflect.Uint8:
		castPlain(sliceAs[uint8](dst), src)
	case reflect.Uint16:
		castPlain(sliceAs[uint16](dst), src)
	case reflect.Uint32:
		castPlain(sliceAs[uint32](dst), src)
	case reflect.Uint64:
		castPlain(sliceAs[uint64](dst), src)
	case reflect.Float32:
		castPlain(sliceAs[float32](dst), src)
	case reflect.Float64:
		castPlain(sliceAs[float64](dst), src)
	}
}

// castFloats converts float64s (exactly the floats of any width read) to U
// as NumPy's cast loops do on x86-64 (see Astype): Go leaves a float out of
// an integer type's range implementation-defined, so those cases are
// spelled out here.
func castFloats[U Real](dst []U, src []float64) {
	switch reflect.TypeFor[U]() {
	case float16Type:
		out := sliceAs[mmarray.Float16](dst)
		for i, x := range src {
			out[i] = mmarray.Float16FromFloat64(x)
		}
		return
	}
	switch reflect.TypeFor[U]().Kind() {
	case reflect.Bool:
		castNonzero(sliceAs[bool](dst), src)
	case reflect.Int8:
		castLowBits(sliceAs[int8](dst), src, truncInt32)
	case reflect.Int16:
		castLowBits(sliceAs[int16](dst), src, truncInt32)
	case reflect.Int32:
		castLowBits(sliceAs[int32](dst), src, truncInt32)
	case reflect.Int64:
		castLowBits(sliceAs[int64](dst), src, truncInt64)
	case reflect.Uint8:
		castLowBits(sliceAs[uint8](dst), src, truncInt32)
	case reflect.Uint16:
		castLowBits(sliceAs[uint16](dst), src, truncInt32)
	case reflect.Uint32:
		out := sliceAs[uint32](dst)
		for i, x := range src {
			out[i] = truncUint32(x)
		}
	case reflect.Uint64:
		out := sliceAs[uint64](dst)
		for i, x := range src {
			out[i] = truncUint64(x)
		}
	case reflect.Float32:
		castPlain(sliceAs[float32](dst), src)
	case reflect.Float64:
		copy(sliceAs[float64](dst), src)
	}
}

// castPlain is Go's conversion, which for these pairs is C's.
func castPlain[D int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64, K kernelType](dst []D, src []K) {
	for i, x := range src {
		dst[i] = D(x)
	}
}

func castNonzero[K kernelType](dst []bool, src []K) {
	for i, x := range src {
		dst[i] = x != 0
	}
}

// castLowBits truncates each float to an int32 or int64 with trunc and keeps
// the result's low bits: C compilers convert a float to a narrower integer
// through int32 (uint32 through int64) with SSE's cvttsd2si.
func castLowBits[D int8 | int16 | int32 | int64 | uint8 | uint16 | uint32, I int32 | int64](dst []D, src []float64, trunc func(float64) I) {
	for i, x := range src {
		dst[i] = D(trunc(x))
	}
}

// truncInt32 is x86-64's cvttsd2si into 32 bits: x truncated toward zero,
// or the "integer indefinite" value, the smallest int32, for NaN and values
// out of range.
func truncInt32(x float64) int32 {
	if x > -(1<<31)-1 && x < 1<<31 {
		return int32(x)
	}
	return math.MinInt32
}

// truncInt64 is cvttsd2si into 64 bits (see truncInt32).
func truncInt64(x float64) int64 {
	if x >= -(1<<63) && x < 1<<63 {
		return int64(x)
	}
	return math.MinInt64
}

// truncUint32 is the float to uint32 conversion of NumPy's cast loop over
// contiguous data as GCC vectorises it for x86-64: values from 2³¹ on are
// converted less 2³¹ into 32 bits with the top bit set back, others into
// 32 bits (truncInt32).
func truncUint32(x float64) uint32 {
	if x >= 1<<31 {
		return uint32(truncInt32(x-(1<<31))) ^ (1 << 31)
	}
	return uint32(truncInt32(x))
}

// truncUint64 is C's float to uint64 conversion as GCC compiles it for
// x86-64: values from 2⁶³ on are converted less 2⁶³ with the top bit set
// back, others as int64.
func truncUint64(x float64) uint64 {
	if x >= 1<<63 {
		return uint64(truncInt64(x-(1<<63))) ^ (1 << 63)
	}
	return uint64(truncInt64(x))
}
