// Package memlimit finds how much memory the process can still take: the
// memory the kernel reports available (MemAvailable in /proc/meminfo),
// and, inside a memory cgroup, the room left under its limit and under
// each of its ancestors' (cgroup v2 memory.max and memory.high, v1
// memory.limit_in_bytes), whichever is least. Package compute takes a
// fraction of it as an operation's default memory budget.
//
// A cgroup's usage counts the page cache its processes read; its inactive
// file pages, the first the kernel reclaims, are counted as room, as
// container runtimes do for a working set.
package memlimit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrUnknown reports that the available memory could not be found: no
// /proc/meminfo (an operating system other than Linux), or one without
// MemAvailable (a kernel before 3.14).
var ErrUnknown = errors.New("memlimit: available memory unknown")

// available is Available reading the files under procRoot (/proc) and
// cgroupRoot (/sys/fs/cgroup), which tests make up.
func available(procRoot, cgroupRoot string) (int64, error) {
	kb, err := fieldOf(filepath.Join(procRoot, "meminfo"), "MemAvailable:")
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUnknown, err)
	}
	if kb > math.MaxInt64/1024 {
		kb = math.MaxInt64 / 1024
	}
	avail := kb * 1024
	groups, err := os.ReadFile(filepath.Join(procRoot, "self", "cgroup"))
	if err != nil {
		return avail, nil // no cgroups: the machine's memory is the limit
	}
	for _, line := range strings.Split(string(groups), "\n") {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var room int64 = -1
		switch {
		case parts[0] == "0" && parts[1] == "": // cgroup v2
			room = roomV2(cgroupRoot, parts[2])
		case hasController(parts[1], "memory"): // cgroup v1
			room = roomV1(filepath.Join(cgroupRoot, "memory"), parts[2])
		}
		if room >= 0 {
			avail = min(avail, room)
		}
	}
	return avail, nil
}

func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// roomV2 is the least room under the limits of cgroup v2 group and its
// ancestors, or -1 if none has a limit. The unified hierarchy is mounted at
// root itself or, on a hybrid system, at root/unified.
func roomV2(root, group string) int64 {
	if _, err := os.Stat(filepath.Join(root, "cgroup.controllers")); err != nil {
		root = filepath.Join(root, "unified")
	}
	return leastRoom(root, group, func(dir string) int64 {
		limit := int64(-1)
		for _, name := range []string{"memory.max", "memory.high"} {
			if v, ok := readLimit(filepath.Join(dir, name)); ok && (limit < 0 || v < limit) {
				limit = v
			}
		}
		if limit < 0 {
			return -1
		}
		usage, ok := readLimit(filepath.Join(dir, "memory.current"))
		if !ok {
			return -1
		}
		inactive, _ := fieldOf(filepath.Join(dir, "memory.stat"), "inactive_file")
		return max(0, limit-max(0, usage-inactive))
	})
}

// roomV1 is roomV2 for the cgroup v1 memory hierarchy mounted at root,
// where no limit is a huge number.
func roomV1(root, group string) int64 {
	return leastRoom(root, group, func(dir string) int64 {
		limit, ok := readLimit(filepath.Join(dir, "memory.limit_in_bytes"))
		if !ok {
			return -1
		}
		usage, ok := readLimit(filepath.Join(dir, "memory.usage_in_bytes"))
		if !ok {
			return -1
		}
		inactive, err := fieldOf(filepath.Join(dir, "memory.stat"), "total_inactive_file")
		if err != nil {
			inactive, _ = fieldOf(filepath.Join(dir, "memory.stat"), "inactive_file")
		}
		return max(0, limit-max(0, usage-inactive))
	})
}

// leastRoom applies room to the directory of group under root and of each
// of its ancestors up to root, skipping those that do not exist (a
// cgroup namespace shows a path the mount does not have), and returns the
// least result that is not -1, or -1.
func leastRoom(root, group string, room func(dir string) int64) int64 {
	least := int64(-1)
	for g := path.Clean("/" + group); ; g = path.Dir(g) {
		if r := room(filepath.Join(root, filepath.FromSlash(g))); r >= 0 && (least < 0 || r < least) {
			least = r
		}
		if g == "/" {
			return least
		}
	}
}

// readLimit reads a file holding one number, or "max" (no limit, reported
// as not found).
func readLimit(name string) (int64, bool) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// fieldOf returns the number after key on the line of file name that starts
// with key ("MemAvailable:  123 kB", "inactive_file 456").
func fieldOf(name, key string) (int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			break
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no %s line", name, strings.TrimSuffix(key, ":"))
}
