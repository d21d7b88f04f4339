package pagemap

import (
	"encoding/binary"
	"fmt"
	"os"
)

// Present counts the pages holding s that are mapped into the process now
// (bit 63 of each page's pagemap entry, readable without privileges).
func Present[E any](s []E) (int, error) {
	if len(s) == 0 {
		return 0, nil
	}
	ps := uintptr(os.Getpagesize())
	start, size := span(s)
	first := start / ps
	last := (start + size - 1) / ps
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	entries := make([]byte, 8*(last-first+1))
	if _, err := f.ReadAt(entries, int64(first)*8); err != nil {
		return 0, fmt.Errorf("read pagemap: %w", err)
	}
	present := 0
	for i := 0; i < len(entries); i += 8 {
		present += int(binary.LittleEndian.Uint64(entries[i:]) >> 63)
	}
	return present, nil
}
