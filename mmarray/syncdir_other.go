//go:build !unix

package mmarray

// syncDir does nothing where folders cannot be synced (Windows).
func syncDir(path string) error { return nil }
