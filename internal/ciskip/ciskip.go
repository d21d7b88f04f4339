// Package ciskip skips a test that this machine cannot run, except under
// CI (the environment variable CI set), where the test fails instead: a
// test that silently stopped running there would go unnoticed.
package ciskip

import (
	"os"
	"testing"
)

// Skipf skips the test with the message, or fails it with the message
// when CI is set.
func Skipf(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI is set: this test must run there)", args...)
	}
	t.Skipf(format, args...)
}
