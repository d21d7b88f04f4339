package npyheader

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-memmap/memmap/internal/pyrepr"
)

// This file holds the values of the Python literals that can appear in an
// NPY header, as literal.go parses them.

type pyKind uint8

const (
	pyNone pyKind = iota
	pyBool
	pyInt
	pyFloat // float or imaginary literal; the value itself is not kept
	pyStr
	pyBytes
	pyTuple
	pyList
	pyDict
	pySet
)

func (k pyKind) String() string {
	switch k {
	case pyNone:
		return "None"
	case pyBool:
		return "bool"
	case pyInt:
		return "int"
	case pyFloat:
		return "float"
	case pyStr:
		return "str"
	case pyBytes:
		return "bytes"
	case pyTuple:
		return "tuple"
	case pyList:
		return "list"
	case pyDict:
		return "dict"
	case pySet:
		return "set"
	}
	return "unknown"
}

// pyValue is a parsed Python literal.
type pyValue struct {
	kind     pyKind
	b        bool   // pyBool
	mag      uint64 // pyInt: magnitude
	neg      bool   // pyInt: negative
	overflow bool   // pyInt: magnitude does not fit in uint64
	signed   bool   // produced by a unary +/- (Python forbids stacking them)
	s        string // pyStr (UTF-8), pyBytes (raw bytes)
	items    []pyValue
	vals     []pyValue // pyDict: values, parallel to items (the keys)
	pos      int       // character index in the source
}

// int64 returns the value of a pyInt or pyBool as int64; ok is false when it
// does not fit.
func (v pyValue) int64() (int64, bool) {
	if v.kind == pyBool {
		if v.b {
			return 1, true
		}
		return 0, true
	}
	if v.overflow {
		return 0, false
	}
	if v.neg {
		if v.mag > 1<<63 {
			return 0, false
		}
		return -int64(v.mag), true // wraps correctly for 1<<63
	}
	if v.mag > 1<<63-1 {
		return 0, false
	}
	return int64(v.mag), true
}

// shortRepr is a bounded description of a value for error messages.
func (v pyValue) shortRepr() string {
	var s string
	switch v.kind {
	case pyNone:
		s = "None"
	case pyBool:
		if v.b {
			s = "True"
		} else {
			s = "False"
		}
	case pyInt:
		if v.overflow {
			s = "<int too large>"
		} else {
			s = strconv.FormatUint(v.mag, 10)
			if v.neg {
				s = "-" + s
			}
		}
	case pyFloat:
		s = "<float>"
	case pyStr:
		s = pyrepr.Str(v.s)
	case pyBytes:
		s = string(pyrepr.AppendBytes(nil, []byte(v.s)))
	default:
		open, close := "(", ")"
		switch v.kind {
		case pyList:
			open, close = "[", "]"
		case pyDict, pySet:
			open, close = "{", "}"
		}
		var b strings.Builder
		b.WriteString(open)
		for i, it := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > 80 {
				b.WriteString("...")
				break
			}
			b.WriteString(it.shortRepr())
			if v.kind == pyDict {
				b.WriteString(": ")
				b.WriteString(v.vals[i].shortRepr())
			}
		}
		if v.kind == pyTuple && len(v.items) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
		s = b.String()
	}
	return truncate(s, 117)
}

// hashKey returns a string that is equal for two hashable values exactly
// when Python considers them equal as dict keys (floats are never equal to
// anything, which only matters for pathological headers). ok is false for
// unhashable values.
func (v pyValue) hashKey() (string, bool) {
	switch v.kind {
	case pyNone:
		return "N", true
	case pyBool:
		if v.b {
			return "I1", true
		}
		return "I0", true
	case pyInt:
		if v.overflow {
			return fmt.Sprintf("X%d", v.pos), true
		}
		if v.neg {
			return "I-" + strconv.FormatUint(v.mag, 10), true
		}
		return "I" + strconv.FormatUint(v.mag, 10), true
	case pyFloat:
		return fmt.Sprintf("F%d", v.pos), true
	case pyStr:
		return "S" + strconv.Itoa(len(v.s)) + ":" + v.s, true
	case pyBytes:
		return "B" + strconv.Itoa(len(v.s)) + ":" + v.s, true
	case pyTuple:
		var b strings.Builder
		b.WriteString("T(")
		for _, it := range v.items {
			k, ok := it.hashKey()
			if !ok {
				return "", false
			}
			b.WriteString(strconv.Itoa(len(k)))
			b.WriteByte(':')
			b.WriteString(k)
		}
		b.WriteString(")")
		return b.String(), true
	}
	return "", false
}
