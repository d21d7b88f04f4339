package npz

import (
	"bufio"
	"os"

	"github.com/go-memmap/memmap/mmarray"
)

// inflateToTempFile decompresses (or copies) m, checked, into a temporary
// file that no name reaches, wherever the OS allows it, from before the
// first byte is written: a process killed while it writes leaves nothing
// behind. The member's File maps its own descriptor of it.
func (a *Archive) inflateToTempFile(m *Member, crc uint32) (*mmarray.File, error) {
	if err := a.admit(m); err != nil { // before making a file
		return nil, err
	}
	tmp, leftover, err := createUnreachableTemp(a.opts.tempDir)
	if err != nil {
		return nil, err
	}
	defer tmp.Close() // the File has its own descriptor
	bw := bufio.NewWriterSize(tmp, 1<<20)
	err = a.extract(m, crc, bw)
	if err == nil {
		err = bw.Flush()
	}
	var f *mmarray.File
	if err == nil {
		f, err = mmarray.OpenFile(tmp, a.mode, mmarray.WithMaxHeaderSize(a.opts.maxHeaderSize))
	}
	if err != nil {
		if leftover != "" {
			tmp.Close()
			os.Remove(leftover)
		}
		return nil, err
	}
	if leftover != "" {
		a.mu.Lock()
		a.leftovers = append(a.leftovers, leftover)
		a.mu.Unlock()
	}
	return f, nil
}

// createUnreachableTemp creates a read-write temporary file in dir that no
// name reaches: an O_TMPFILE file on Linux, else one created and unlinked
// at once. Where an open file cannot be unlinked (Windows), it returns the
// file's name as leftover, for Archive.Close to remove.
func createUnreachableTemp(dir string) (f *os.File, leftover string, err error) {
	if f, ok := openUnnamedTemp(dir); ok {
		return f, "", nil
	}
	f, err = os.CreateTemp(dir, "npz-member-*.npy")
	if err != nil {
		return nil, "", err
	}
	if os.Remove(f.Name()) != nil {
		return f, f.Name(), nil
	}
	return f, "", nil
}
