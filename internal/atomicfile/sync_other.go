//go:build !linux

package atomicfile

import "os"

// SyncData writes f's data to stable storage (fsync: the systems other
// than Linux have no portable fdatasync).
func SyncData(f *os.File) error { return f.Sync() }
