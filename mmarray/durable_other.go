//go:build !linux

package mmarray

import "os"

// reserve does nothing outside Linux: the writes that follow report a
// full disk themselves.
func reserve(f *os.File, off, n int64) error { return nil }

// startWriteback does nothing outside Linux, which alone has
// sync_file_range: the fdatasync that follows writes everything.
func startWriteback(f *os.File, off, n int64) {}
