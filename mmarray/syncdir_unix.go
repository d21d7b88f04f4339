//go:build unix

package mmarray

import (
	"errors"
	"os"
	"path/filepath"
)

// syncDir makes a rename in the folder holding path durable (fsync of the
// folder).
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
