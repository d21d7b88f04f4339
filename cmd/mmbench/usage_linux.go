package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func readUsage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	return usage{minorFaults: int64(ru.Minflt), majorFaults: int64(ru.Majflt)}
}

// resetPeakRSS resets the kernel's peak-RSS mark (VmHWM) of this process:
// writing "5" to /proc/self/clear_refs does that on Linux 4.0 and later. If
// it fails, peakRSS reports the peak since the process started.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is VmHWM from /proc/self/status, in bytes, or getrusage's
// ru_maxrss (the peak since start) if that cannot be read.
func peakRSS() int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		return int64(ru.Maxrss) << 10 // KiB on Linux
	}
	return 0
}
