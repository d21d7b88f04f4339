package pagecache

import (
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"github.com/go-memmap/memmap"
)

// openDirect opens path with O_DIRECT, its alignment from statx
// (STATX_DIOALIGN, Linux 6.1 on): a kernel or file system that does not
// report it is taken as having no direct I/O. name is the file's name in
// errors (path may be a /proc/self/fd link).
func openDirect(path, name string) (*DirectWriter, error) {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_DIOALIGN|unix.STATX_TYPE, &st); err != nil {
		return nil, &fs.PathError{Op: "statx", Path: name, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("not a regular file: %w", memmap.ErrUnsupported)
	}
	if st.Mask&unix.STATX_DIOALIGN == 0 || st.Dio_mem_align == 0 || st.Dio_offset_align == 0 {
		return nil, fmt.Errorf("the file system reports no direct I/O: %w", memmap.ErrUnsupported)
	}
	// At least a page, so that a direct write never shares a page with
	// bytes written through the page cache.
	align := max(int(max(st.Dio_mem_align, st.Dio_offset_align)), PageSize())
	if align&(align-1) != 0 || align > 1<<20 {
		return nil, fmt.Errorf("direct I/O alignment %d: %w", align, memmap.ErrUnsupported)
	}
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_DIRECT|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EINVAL {
			return nil, fmt.Errorf("O_DIRECT refused: %w", memmap.ErrUnsupported)
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &DirectWriter{f: os.NewFile(uintptr(fd), name), align: align}, nil
	}
}
