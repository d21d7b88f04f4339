//go:build unix

package regular

import "golang.org/x/sys/unix"

// nonblock makes opening a named pipe return at once instead of waiting
// for a writer, so that it can be refused as not a regular file. On a
// regular file the flag changes nothing: reads from the page cache never
// block in the sense O_NONBLOCK means.
const nonblock = unix.O_NONBLOCK
