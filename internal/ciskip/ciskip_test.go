package ciskip_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/go-memmap/memmap/internal/ciskip"
)

// The helper runs in a child test process, once with CI set and once
// without: it must fail in the first and skip in the second.
func TestSkipfFailsUnderCI(t *testing.T) {
	if os.Getenv("CISKIP_CHILD") != "" {
		ciskip.Skipf(t, "cannot run here")
		return
	}
	for _, ci := range []string{"true", ""} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSkipfFailsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "CISKIP_CHILD=1", "CI="+ci)
		out, err := cmd.CombinedOutput()
		failed := err != nil
		if failed != (ci != "") {
			t.Errorf("CI=%q: failed %v, want %v\n%s", ci, failed, ci != "", out)
		}
	}
}
