//go:build unix

package mmarray_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/stretchr/testify/require"
)

// crashAppenderEnv, when set, makes TestAppendSurvivesSIGKILL the appender
// it runs in a child process: the .npy file to append to.
const crashAppenderEnv = "MMARRAY_TEST_CRASH_APPENDER"

// crashRowValues is the number of int32 values in a row of the crash
// test's file ('<i4' rows of 3), and crashBatch the rows of one Sync.
const (
	crashRowValues = 3
	crashBatch     = 50
)

// appendUntilKilled appends batches of formula rows to path, syncing
// each, and prints the row count on stdout after every Sync, until it is
// killed.
func appendUntilKilled(t *testing.T, path string) {
	w, err := mmarray.OpenAppend(path, mmarray.WithBufferSize(1000))
	require.NoError(t, err)
	out := bufio.NewWriter(os.Stdout)
	for {
		require.NoError(t, mmarray.Append(w, memoryValues[int32](w.Rows()*crashRowValues, crashBatch*crashRowValues)))
		require.NoError(t, w.Sync())
		fmt.Fprintln(out, w.SyncedRows())
		require.NoError(t, out.Flush())
	}
}

// TestAppendSurvivesSIGKILL runs an appender in a child process and kills
// it with SIGKILL at random moments, many times over the same file. After
// each kill, NumPy must load the file (with and without mmap) as a prefix
// of the rows written, holding at least the rows of the last Sync the child
// reported; Recover must then keep every one of those rows, and the next
// child appends after them.
func TestAppendSurvivesSIGKILL(t *testing.T) {
	if path := os.Getenv(crashAppenderEnv); path != "" {
		appendUntilKilled(t, path)
		return
	}
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "grow.npy")
	w, err := mmarray.NewWriter(path, "<i4", []int{crashRowValues})
	require.NoError(t, err)
	require.NoError(t, w.Close())

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const kills = 40
	type snapshot struct {
		Path     string
		Reported int // rows of the last Sync the child reported
	}
	var snapshots []snapshot
	recovered, adopted, dropped := 0, 0, 0
	for kill := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppendSurvivesSIGKILL$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashAppenderEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		var reported atomic.Int64
		reported.Store(int64(recovered))
		lines, synced := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(lines)
			s := bufio.NewScanner(stdout)
			for s.Scan() {
				if n, err := strconv.Atoi(s.Text()); err == nil {
					if reported.Swap(int64(n)) == int64(recovered) && n != recovered {
						close(synced)
					}
				}
			}
		}()
		// The child takes a few milliseconds to start. Every other kill
		// waits for its first Sync, so that the file grows however slow
		// the machine is; the others may land before it.
		if kill%2 == 0 {
			select {
			case <-synced:
			case <-lines:
			}
		}
		time.Sleep(time.Duration(rng.IntN(60_000)) * time.Microsecond)
		require.NoError(t, cmd.Process.Kill())
		<-lines
		err = cmd.Wait()
		require.Error(t, err, "the child must have been killed, not have ended")

		snap := filepath.Join(dir, fmt.Sprintf("killed%02d.npy", kill))
		copyFile(t, path, snap)
		last := int(reported.Load())
		snapshots = append(snapshots, snapshot{snap, last})

		r, err := mmarray.Recover(path)
		require.NoError(t, err, "kill %d", kill)
		require.GreaterOrEqual(t, r.OldRows, last, "kill %d: the header lost synced rows", kill)
		require.GreaterOrEqual(t, r.Rows, last, "kill %d: Recover lost synced rows", kill)
		requireFormulaRows(t, path, r.Rows)
		recovered = r.Rows
		if r.Rows > r.OldRows {
			adopted++
		}
		if r.DroppedBytes > 0 {
			dropped++
		}
	}
	require.Greater(t, recovered, 0, "no child ever synced: the kills came too early")

	var loaded []int
	numpytest.RunJSON(t, `
out = []
for s in json.load(sys.stdin):
    for mode in (None, "r"):
        a = np.load(s["Path"], mmap_mode=mode)
        assert a.dtype == np.dtype("<i4") and a.shape[1:] == (3,), (s, a.dtype, a.shape)
        assert (np.asarray(a).ravel() == formula_array("<i4", (a.size,))).all(), s
    out.append(a.shape[0])
print(json.dumps(out))
`, snapshots, &loaded)
	for i, s := range snapshots {
		require.GreaterOrEqual(t, loaded[i], s.Reported, "kill %d: NumPy sees fewer rows than were synced", i)
	}
	t.Logf("%d kills, %d rows at the end; Recover adopted rows after %d kills, dropped a partial row after %d; rows NumPy loaded after each kill: %v",
		kills, recovered, adopted, dropped, loaded)
}

// requireFormulaRows requires the .npy file at path to hold rows formula
// rows of the crash test's layout.
func requireFormulaRows(t *testing.T, path string, rows int) {
	t.Helper()
	f, err := mmarray.Open(path, mmarray.ReadOnly)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []int{rows, crashRowValues}, f.Shape())
	a, err := mmarray.View[int32](f)
	require.NoError(t, err)
	got := make([]int32, rows*crashRowValues)
	require.Equal(t, len(got), a.CopyTo(got))
	require.Equal(t, memoryValues[int32](0, rows*crashRowValues), got)
}
