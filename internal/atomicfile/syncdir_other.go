//go:build !unix

package atomicfile

// syncDir does nothing where folders cannot be synced (Windows).
func syncDir(dir string) error { return nil }
