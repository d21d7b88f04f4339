//go:build !unix

package regular

// nonblock is nothing where named pipes are not in the file system to
// block on (Windows) or there is no such flag.
const nonblock = 0
