//go:build !linux

package mmarray

import "os"

// syncData writes f's data to stable storage (fsync: the systems other
// than Linux have no portable fdatasync).
func syncData(f *os.File) error { return f.Sync() }

// reserve does nothing outside Linux: the writes that follow report a
// full disk themselves.
func reserve(f *os.File, off, n int64) error { return nil }
