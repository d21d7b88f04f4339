//go:build !linux

package memlimit

// Available returns an error wrapping ErrUnknown: outside Linux there is no
// /proc/meminfo nor memory cgroup to read.
func Available() (int64, error) { return 0, ErrUnknown }
