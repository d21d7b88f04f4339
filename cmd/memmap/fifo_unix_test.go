//go:build unix

package main

import (
	"syscall"
	"testing"
)

// makeFIFO makes a named pipe at path and reports whether the platform has them.
func makeFIFO(t *testing.T, path string) bool {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return true
}
