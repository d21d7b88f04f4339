package mmarray

import (
	"fmt"

	"github.com/go-memmap/memmap/pagecache"
)

// Mode is one of NumPy's memmap modes.
type Mode int

// The modes, named after NumPy's aliases. The zero Mode is invalid.
const (
	// ReadOnly is NumPy's "r": the array cannot be written.
	ReadOnly Mode = iota + 1
	// ReadWrite is NumPy's "r+": writes reach the file.
	ReadWrite
	// Write is NumPy's "w+": create or overwrite the file, then read and write it.
	Write
	// CopyOnWrite is NumPy's "c": writes change memory only, never the file.
	CopyOnWrite
)

var modeNames = []struct {
	mode        Mode
	short, long string
}{
	{ReadOnly, "r", "readonly"},
	{ReadWrite, "r+", "readwrite"},
	{Write, "w+", "write"},
	{CopyOnWrite, "c", "copyonwrite"},
}

// ParseMode accepts NumPy's mode strings "r", "r+", "w+", "c" and their
// aliases "readonly", "readwrite", "write", "copyonwrite".
func ParseMode(s string) (Mode, error) {
	for _, n := range modeNames {
		if s == n.short || s == n.long {
			return n.mode, nil
		}
	}
	return 0, fmt.Errorf("%w %q: mode must be one of \"r\", \"r+\", \"w+\", \"c\" (or \"readonly\", \"readwrite\", \"write\", \"copyonwrite\")", ErrMode, s)
}

// String returns NumPy's short name for the mode ("r", "r+", "w+", "c").
func (m Mode) String() string {
	for _, n := range modeNames {
		if m == n.mode {
			return n.short
		}
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// CheckOpen reports whether m is a mode for opening an existing file, as
// Open, OpenFile and npz.Open take: ReadOnly, ReadWrite or CopyOnWrite. It
// returns an error wrapping ErrMode for Write, which would overwrite the file
// (use Create to make a new one), and for a Mode that is none of the four.
func (m Mode) CheckOpen() error {
	switch m {
	case ReadOnly, ReadWrite, CopyOnWrite:
		return nil
	case Write:
		return fmt.Errorf("%w: w+ would overwrite an existing file; use Create to make a new one", ErrMode)
	default:
		return fmt.Errorf("%w: %v", ErrMode, m)
	}
}

func (m Mode) valid() bool { return m >= ReadOnly && m <= CopyOnWrite }

// writesFile reports whether writes through the mapping reach the file.
func (m Mode) writesFile() bool { return m == ReadWrite || m == Write }

// access is the mapping access that implements the mode.
func (m Mode) access() pagecache.Access {
	switch m {
	case ReadWrite, Write:
		return pagecache.ReadWrite
	case CopyOnWrite:
		return pagecache.CopyOnWrite
	default:
		return pagecache.ReadOnly
	}
}
