package npz

import (
	"bufio"
	"os"

	"github.com/go-memmap/memmap/mmarray"
)

func (a *Archive) inflateToTempFile(m *Member, crc uint32) (*mmarray.File, error) {
	if err := a.admit(m); err != nil { // before making a file
		return nil, err
	}
	tmp, err := os.CreateTemp(a.opts.tempDir, "npz-member-*.npy")
	if err != nil {
		return nil, err
	}
	path := tmp.Name()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	err = a.extract(m, crc, bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	f, err := mmarray.Open(path, a.mode, mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize))
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// On Unix the mapping outlives the name; elsewhere removal fails while
	// the file is mapped, and Close tries again.
	if os.Remove(path) != nil {
		a.leftovers = append(a.leftovers, path)
	}
	return f, nil
}
