//go:build unix

package npz_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/npz"
)

// inflateChildEnv names the temp folder of the child process of
// TestKilledInflateLeavesNoTempFile.
const inflateChildEnv = "NPZ_TEST_INFLATE_CHILD_DIR"

// blockingReader serves an archive from memory until armed and asked for a
// byte at or past blockAt; then it says so on stdout and blocks forever,
// so that the member being inflated stays half-written.
type blockingReader struct {
	raw     []byte
	armed   atomic.Bool
	blockAt int64
}

func (r *blockingReader) ReadAt(p []byte, off int64) (int, error) {
	if r.armed.Load() && off+int64(len(p)) > r.blockAt {
		fmt.Println("blocked mid-inflate")
		select {}
	}
	return bytes.NewReader(r.raw).ReadAt(p, off)
}

// A process killed (SIGKILL) while a deflated member inflates into a
// temporary file leaves nothing in the temp folder: the file has no name
// from the start (O_TMPFILE on Linux, unlinked at once elsewhere). The
// child, this test binary run again, blocks its archive's reads halfway
// through the member's compressed bytes, so it is killed mid-inflate.
func TestKilledInflateLeavesNoTempFile(t *testing.T) {
	if dir := os.Getenv(inflateChildEnv); dir != "" {
		inflateChild(t, dir)
		return
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledInflateLeavesNoTempFile$")
	cmd.Env = append(os.Environ(), inflateChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	blocked := false
	lines := bufio.NewScanner(stdout)
	var seen []string
	for lines.Scan() {
		seen = append(seen, lines.Text())
		if lines.Text() == "blocked mid-inflate" {
			blocked = true
			break
		}
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred cleanup runs
	go io.Copy(io.Discard, stdout)
	_ = cmd.Wait()
	require.True(t, blocked, "the child never reached the middle of the inflate: stdout %q, stderr %s", seen, stderr.String())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Empty(t, names, "a killed inflate left files in the temp folder")
}

// inflateChild is the child's side: it opens a deflated 8 MiB member into
// a temporary file in dir, with the archive's reads blocking halfway.
func inflateChild(t *testing.T, dir string) {
	var buf bytes.Buffer
	w := npz.NewWriter(&buf, npz.Compressed())
	const n = 1 << 20
	require.NoError(t, w.WriteFrom("zeros", writerHeader(t, "<f8", false, n), bytes.NewReader(make([]byte, 8*n))))
	require.NoError(t, w.Close())
	r := &blockingReader{raw: buf.Bytes()}
	a, err := npz.NewReader(r, int64(buf.Len()), npz.WithMemoryLimit(1), npz.WithTempDir(dir))
	require.NoError(t, err)
	m, err := a.Member("zeros")
	require.NoError(t, err)
	require.Equal(t, npz.TempFile, m.Storage)
	r.blockAt = m.ContentOffset + m.CompressedSize/2
	r.armed.Store(true)
	_, err = a.Open("zeros") // blocks until killed
	t.Fatalf("the inflate was not blocked: %v", err)
}
