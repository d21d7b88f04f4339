//go:build !linux && !darwin

package pagecache

import "os"

// fillHoles does nothing where lseek cannot find holes: Windows files are
// sparse only when marked so, and other systems are not supported.
func fillHoles(f *os.File, end int64) error { return nil }
