//go:build !linux

package pagecache

import (
	"fmt"

	"github.com/go-memmap/memmap"
)

func openDirect(string, string) (*DirectWriter, error) {
	return nil, fmt.Errorf("direct I/O: %w", memmap.ErrUnsupported)
}
