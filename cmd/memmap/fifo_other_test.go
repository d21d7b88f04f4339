//go:build !unix

package main

import "testing"

// makeFIFO reports that this platform has no named pipes in its file system.
func makeFIFO(t *testing.T, path string) bool { return false }
