//go:build !linux

package main

// Fault counts and peak RSS are measured on Linux only; elsewhere they are
// reported as zero.

func readUsage() usage { return usage{} }
func resetPeakRSS()    {}
func peakRSS() int64   { return 0 }
