package zarr

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-memmap/memmap"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

// A fill value is kept as the bytes of one element, in the array's dtype and
// byte order: what a missing chunk repeats. In .zarray it is JSON, as
// zarr-python 2.13 encodes it (zarr/meta.py encode_fill_value and
// decode_fill_value): null for none; for floats a number or "NaN",
// "Infinity", "-Infinity"; for complex numbers [real, imag] in the same
// form; integers and datetimes (M8, m8: the int64 count) as numbers; bools
// as true/false; S, V and structured items as the base64 of their bytes;
// U as the string itself.

// NumPy's NaN bit patterns: np.nan is the quiet NaN with no payload, and
// converting it to float32 or float16 keeps that form. Go's math.NaN()
// sets a payload bit, so the patterns are spelled out.
const (
	nan64 = 0x7FF8000000000000
	nan32 = 0x7FC00000
	nan16 = 0x7E00
)

// parseFill decodes a .zarray "fill_value" for dt into one element's bytes;
// null gives nil.
func parseFill(raw json.RawMessage, dt npyheader.DType) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: fill_value: %v", ErrFormat, err)
	}
	fill := make([]byte, dt.ItemSize)
	if err := decodeFill(fill, v, dt); err != nil {
		return nil, fmt.Errorf("fill_value %s for dtype %s: %w", raw, dt, err)
	}
	return fill, nil
}

func byteOrder(dt npyheader.DType) binary.ByteOrder {
	if dt.Order == npyheader.BigEndian || (dt.Order != npyheader.LittleEndian && npyheader.NativeOrder() == npyheader.BigEndian) {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// decodeFill stores v, a fill value decoded from JSON (numbers as
// json.Number), as an element of dt into fill.
func decodeFill(fill []byte, v any, dt npyheader.DType) error {
	order := byteOrder(dt)
	switch dt.Kind {
	case npyheader.Bool:
		switch v := v.(type) {
		case bool:
			if v {
				fill[0] = 1
			}
			return nil
		case json.Number: // np.array(1, dtype=bool)
			x, err := v.Float64()
			if err != nil {
				return fmt.Errorf("%w: %v", ErrFormat, err)
			}
			if x != 0 {
				fill[0] = 1
			}
			return nil
		}
	case npyheader.Int, npyheader.Uint, npyheader.Datetime, npyheader.Timedelta:
		if s, ok := v.(string); ok && s == "NaT" && (dt.Kind == npyheader.Datetime || dt.Kind == npyheader.Timedelta) {
			nat := int64(mmarray.NaT)
			order.PutUint64(fill, uint64(nat))
			return nil
		}
		n, ok := v.(json.Number)
		if !ok {
			break
		}
		return putInteger(fill, n, dt, order)
	case npyheader.Float:
		return putFloat(fill, v, dt.ItemSize, order)
	case npyheader.Complex:
		parts, ok := v.([]any)
		if !ok || len(parts) != 2 {
			break
		}
		half := dt.ItemSize / 2
		if err := putFloat(fill[:half], parts[0], half, order); err != nil {
			return err
		}
		return putFloat(fill[half:], parts[1], half, order)
	case npyheader.Bytes:
		s, ok := v.(string)
		if !ok {
			break
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			b = []byte(s) // zarr-python falls back to the text itself
		}
		copy(fill, b)
		return nil
	case npyheader.Void:
		s, ok := v.(string)
		if !ok {
			break
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("%w: not base64: %v", ErrFormat, err)
		}
		copy(fill, b)
		return nil
	case npyheader.Unicode:
		s, ok := v.(string)
		if !ok {
			break
		}
		for i := 0; len(s) > 0 && 4*i < len(fill); i++ {
			r, size := utf8.DecodeRuneInString(s)
			order.PutUint32(fill[4*i:], uint32(r))
			s = s[size:]
		}
		return nil
	default:
		return fmt.Errorf("%w: fill values of kind %c", memmap.ErrUnsupported, dt.Kind)
	}
	return fmt.Errorf("%w: not a fill value for this dtype", ErrFormat)
}

// putInteger stores the integer n as an element of dt: an integer in range,
// or a float with an integral value (np.array(2.0, dtype=int)).
func putInteger(fill []byte, n json.Number, dt npyheader.DType, order binary.ByteOrder) error {
	var u uint64
	var inRange bool
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		u, inRange = uint64(i), dt.Kind != npyheader.Uint || i >= 0
		if dt.Kind == npyheader.Int && dt.ItemSize < 8 {
			limit := int64(1) << (8*dt.ItemSize - 1)
			inRange = i >= -limit && i < limit
		}
		if dt.Kind == npyheader.Uint && dt.ItemSize < 8 {
			inRange = i >= 0 && uint64(i) < uint64(1)<<(8*dt.ItemSize)
		}
	} else if x, err := strconv.ParseUint(string(n), 10, 64); err == nil {
		u, inRange = x, dt.Kind == npyheader.Uint && dt.ItemSize == 8
	} else if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return putInteger(fill, json.Number(strconv.FormatInt(int64(f), 10)), dt, order)
	}
	if !inRange {
		return fmt.Errorf("%w: %s is not an integer of this dtype", ErrFormat, n)
	}
	switch dt.ItemSize {
	case 1, 2, 4, 8:
		putUint(fill, u, dt.ItemSize, order)
	default:
		return fmt.Errorf("%w: integers of %d bytes", memmap.ErrUnsupported, dt.ItemSize)
	}
	return nil
}

// putFloat stores v, a number or one of "NaN", "Infinity", "-Infinity", as
// a float of size bytes.
func putFloat(fill []byte, v any, size int, order binary.ByteOrder) error {
	var x float64
	isNaN := false
	switch v := v.(type) {
	case string:
		switch v {
		case "NaN":
			isNaN = true
		case "Infinity":
			x = math.Inf(1)
		case "-Infinity":
			x = math.Inf(-1)
		default:
			// v3's "0x...": the float's bits as an unsigned integer.
			bits, err := strconv.ParseUint(strings.TrimPrefix(v, "0x"), 16, 8*size)
			if !strings.HasPrefix(v, "0x") || err != nil {
				return fmt.Errorf("%w: %q is not a float", ErrFormat, v)
			}
			putUint(fill, bits, size, order)
			return nil
		}
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !math.IsInf(f, 0) { // 1e400 is inf, as in Python
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		x = f
	default:
		return fmt.Errorf("%w: %v is not a float", ErrFormat, v)
	}
	switch size {
	case 2:
		h := uint16(mmarray.Float16FromFloat64(x))
		if isNaN {
			h = nan16
		}
		order.PutUint16(fill, h)
	case 4:
		b := math.Float32bits(float32(x))
		if isNaN {
			b = nan32
		}
		order.PutUint32(fill, b)
	case 8:
		b := math.Float64bits(x)
		if isNaN {
			b = nan64
		}
		order.PutUint64(fill, b)
	default:
		return fmt.Errorf("%w: fill values for floats of %d bytes", memmap.ErrUnsupported, size)
	}
	return nil
}

func putUint(b []byte, u uint64, size int, order binary.ByteOrder) {
	switch size {
	case 1:
		b[0] = byte(u)
	case 2:
		order.PutUint16(b, uint16(u))
	case 4:
		order.PutUint32(b, uint32(u))
	case 8:
		order.PutUint64(b, u)
	}
}

// fillJSON is the .zarray "fill_value" for one element's bytes (nil: null),
// as zarr-python encodes it.
func fillJSON(fill []byte, dt npyheader.DType) (any, error) {
	if fill == nil {
		return nil, nil
	}
	order := byteOrder(dt)
	switch dt.Kind {
	case npyheader.Bool:
		return fill[0] != 0, nil
	case npyheader.Int, npyheader.Datetime, npyheader.Timedelta:
		var i int64
		switch dt.ItemSize {
		case 1:
			i = int64(int8(fill[0]))
		case 2:
			i = int64(int16(order.Uint16(fill)))
		case 4:
			i = int64(int32(order.Uint32(fill)))
		case 8:
			i = int64(order.Uint64(fill))
		}
		return json.Number(strconv.FormatInt(i, 10)), nil
	case npyheader.Uint:
		var u uint64
		switch dt.ItemSize {
		case 1:
			u = uint64(fill[0])
		case 2:
			u = uint64(order.Uint16(fill))
		case 4:
			u = uint64(order.Uint32(fill))
		case 8:
			u = order.Uint64(fill)
		}
		return json.Number(strconv.FormatUint(u, 10)), nil
	case npyheader.Float:
		return floatJSON(fill, dt.ItemSize, order)
	case npyheader.Complex:
		half := dt.ItemSize / 2
		re, err := floatJSON(fill[:half], half, order)
		if err != nil {
			return nil, err
		}
		im, err := floatJSON(fill[half:], half, order)
		return []any{re, im}, err
	case npyheader.Bytes:
		// zarr-python encodes the NumPy scalar, whose trailing NULs are gone.
		return base64.StdEncoding.EncodeToString(bytes.TrimRight(fill, "\x00")), nil
	case npyheader.Void:
		return base64.StdEncoding.EncodeToString(fill), nil
	case npyheader.Unicode:
		runes := make([]rune, 0, len(fill)/4)
		for i := 0; i+4 <= len(fill); i += 4 {
			runes = append(runes, rune(order.Uint32(fill[i:])))
		}
		for len(runes) > 0 && runes[len(runes)-1] == 0 {
			runes = runes[:len(runes)-1]
		}
		return string(runes), nil
	}
	return nil, fmt.Errorf("%w: fill values of kind %c", memmap.ErrUnsupported, dt.Kind)
}

func floatJSON(b []byte, size int, order binary.ByteOrder) (any, error) {
	var x float64
	switch size {
	case 2:
		x = mmarray.Float16(order.Uint16(b)).Float64()
	case 4:
		x = float64(math.Float32frombits(order.Uint32(b)))
	case 8:
		x = math.Float64frombits(order.Uint64(b))
	default:
		return nil, fmt.Errorf("%w: fill values for floats of %d bytes", memmap.ErrUnsupported, size)
	}
	switch {
	case math.IsNaN(x):
		return "NaN", nil
	case math.IsInf(x, 1):
		return "Infinity", nil
	case math.IsInf(x, -1):
		return "-Infinity", nil
	}
	return json.Number(pythonFloatRepr(x)), nil
}

// pythonFloatRepr is Python's repr of a finite float, as json.dumps writes
// it: the shortest digits that read back as x, in fixed point ("0.0",
// "123456789.0") when the decimal exponent is from -4 to 15, else as
// "1e+16" or "1e-05" (Go's shortest 'g' switches to exponents sooner).
func pythonFloatRepr(x float64) string {
	s := strconv.FormatFloat(x, 'e', -1, 64)
	exp, err := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
	if err != nil || exp < -4 || exp >= 16 {
		return s
	}
	s = strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
