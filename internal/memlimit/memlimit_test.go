package memlimit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeFiles makes the files under root, by slash-separated path.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
}

const meminfo = "MemTotal:       24684000 kB\nMemFree:        20000000 kB\nMemAvailable:    1000000 kB\nBuffers:  1 kB\n"

const (
	kB  = 1024
	MiB = 1 << 20
)

func TestAvailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"no cgroups", map[string]string{"proc/meminfo": meminfo}, 1000000 * kB},
		{"v1 unlimited", map[string]string{
			"proc/meminfo":                         meminfo,
			"proc/self/cgroup":                     "4:memory:/job\n3:cpu:/\n",
			"sys/memory/job/memory.limit_in_bytes": "9223372036854771712\n",
			"sys/memory/job/memory.usage_in_bytes": "100\n",
			"sys/memory/memory.limit_in_bytes":     "9223372036854771712\n",
			"sys/memory/memory.usage_in_bytes":     "1000\n",
		}, 1000000 * kB},
		{"v1 limit, inactive file pages are room", map[string]string{
			"proc/meminfo":                           meminfo,
			"proc/self/cgroup":                       "9:name=systemd:/\n4:cpuacct,memory:/a/job\n",
			"sys/memory/a/job/memory.limit_in_bytes": "268435456\n",
			"sys/memory/a/job/memory.usage_in_bytes": "209715200\n",
			"sys/memory/a/job/memory.stat":           "cache 1\ninactive_file 1\ntotal_inactive_file 104857600\n",
		}, 256*MiB - (200*MiB - 100*MiB)},
		{"v1 parent's limit is less", map[string]string{
			"proc/meminfo":                           meminfo,
			"proc/self/cgroup":                       "4:memory:/a/job\n",
			"sys/memory/a/job/memory.limit_in_bytes": "268435456\n",
			"sys/memory/a/job/memory.usage_in_bytes": "0\n",
			"sys/memory/a/memory.limit_in_bytes":     "134217728\n",
			"sys/memory/a/memory.usage_in_bytes":     "33554432\n",
		}, 128*MiB - 32*MiB},
		{"v1 usage over the limit", map[string]string{
			"proc/meminfo":                         meminfo,
			"proc/self/cgroup":                     "4:memory:/job\n",
			"sys/memory/job/memory.limit_in_bytes": "1000\n",
			"sys/memory/job/memory.usage_in_bytes": "2000\n",
		}, 0},
		{"v2 max and high", map[string]string{
			"proc/meminfo":                meminfo,
			"proc/self/cgroup":            "0::/user/job\n",
			"sys/cgroup.controllers":      "cpu memory\n",
			"sys/user/job/memory.max":     "536870912\n",
			"sys/user/job/memory.high":    "402653184\n",
			"sys/user/job/memory.current": "67108864\n",
			"sys/user/job/memory.stat":    "anon 1\ninactive_file 16777216\nactive_file 5\n",
			"sys/user/memory.max":         "max\n",
			"sys/user/memory.current":     "999999999999\n",
		}, 384*MiB - (64*MiB - 16*MiB)},
		{"v2 hybrid under unified, namespace path missing", map[string]string{
			"proc/meminfo":                     "MemAvailable: 2048 kB\n",
			"proc/self/cgroup":                 "0::/gone/away\n4:memory:/\n",
			"sys/unified/memory.max":           "1048576\n",
			"sys/unified/memory.current":       "0\n",
			"sys/memory/memory.usage_in_bytes": "5\n",
		}, 1 * MiB},
		{"meminfo is less", map[string]string{
			"proc/meminfo":           "MemAvailable: 1024 kB\n",
			"proc/self/cgroup":       "0::/job\n",
			"sys/cgroup.controllers": "memory\n",
			"sys/job/memory.max":     "1073741824\n",
			"sys/job/memory.current": "0\n",
		}, 1 * MiB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			got, err := available(filepath.Join(root, "proc"), filepath.Join(root, "sys"))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAvailableUnknown(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	_, err := available(filepath.Join(root, "proc"), filepath.Join(root, "sys"))
	require.ErrorIs(t, err, ErrUnknown)
	writeFiles(t, root, map[string]string{"proc/meminfo": "MemTotal: 5 kB\n"}) // before Linux 3.14
	_, err = available(filepath.Join(root, "proc"), filepath.Join(root, "sys"))
	require.ErrorIs(t, err, ErrUnknown)
}

// TestAvailableHere reads this machine's files: a positive amount on Linux.
func TestAvailableHere(t *testing.T) {
	t.Parallel()
	got, err := Available()
	if _, statErr := os.Stat("/proc/meminfo"); statErr != nil {
		require.ErrorIs(t, err, ErrUnknown)
		return
	}
	require.NoError(t, err)
	require.Positive(t, got)
	t.Logf("available: %d MiB", got/MiB)
}
