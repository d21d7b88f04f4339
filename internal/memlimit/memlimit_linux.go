package memlimit

// Available returns the bytes of memory the process can still take: the
// least of MemAvailable and the room under each memory cgroup limit above
// the process. The error wraps ErrUnknown when /proc/meminfo cannot be read.
func Available() (int64, error) { return available("/proc", "/sys/fs/cgroup") }
