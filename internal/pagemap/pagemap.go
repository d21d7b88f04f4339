// Package pagemap tells which pages of a range of the process's memory are
// mapped into it now, from /proc/self/pagemap: what the process's resident
// set (RSS) counts. mincore answers another question for a file mapping
// (are the file's pages in the page cache, mapped by anyone or not), so
// tests of code that releases pages (pagecache's Release, compute's memory
// budget) count with this instead.
package pagemap

import "errors"

// ErrUnsupported reports an operating system without /proc/self/pagemap.
var ErrUnsupported = errors.New("pagemap: /proc/self/pagemap is Linux's")
