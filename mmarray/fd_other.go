//go:build !unix && !windows

package mmarray

import (
	"fmt"
	"os"

	"github.com/go-memmap/memmap"
)

// dupFile has no portable way to duplicate a descriptor here.
func dupFile(*os.File) (*os.File, error) {
	return nil, fmt.Errorf("%w: duplicating a file descriptor on this platform", memmap.ErrUnsupported)
}

func checkAccess(*os.File, Mode) error { return nil }
