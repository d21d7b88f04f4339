//go:build !linux

package npz

import "os"

// openUnnamedTemp reports that unnamed temporary files (Linux's O_TMPFILE)
// are not available here.
func openUnnamedTemp(dir string) (*os.File, bool) { return nil, false }
