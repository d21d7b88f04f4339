package compute

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/go-memmap/memmap"
)

// groupConfig is what the group-by options set.
type groupConfig struct {
	spillDir   string     // where spill files go; "" is os.TempDir()
	aggregates Aggregates // the aggregates asked for; 0 is GroupAll
}

// minGroupEntries is the fewest groups the merged table (and a spilled
// partition's table) may hold, however small the budget: the spill needs
// partitions to shrink by at least this much to end.
const minGroupEntries = 1024

// WithSpillDir has a group-by write the groups that do not fit its memory
// budget to temporary files in dir instead of os.TempDir(). The files are
// removed before the group-by returns.
func WithSpillDir(dir string) Option {
	return func(c *config) { c.group.spillDir = dir }
}

// spillFanout is how many partitions a spill splits groups into at each
// level, by 4 bits of their keys' hash.
const (
	spillFanout = 16
	spillBits   = 4
	spillLevels = 64 / spillBits
)

// groupAggregator merges chunk tables in chunk order into one table, and
// once that table would outgrow the budget, spills: it writes the table's
// groups, then every later chunk's groups, as records to spillFanout
// partition files by the hash of their keys. Each partition is then merged
// on its own, its records read in the order they were written, so each
// group's partials are merged in the same order as without a spill and the
// result is the same bit for bit. A partition with more groups than the
// budget allows is split again by the next bits of the hash.
type groupAggregator[K kernelType] struct {
	words      int
	maxEntries int // groups the budget allows in one table
	global     *groupTable[K]
	baseDir    string
	dir        string // this group-by's spill directory, once it spills
	parts      []*spillWriter
	rec        []byte
	err        error
}

// newGroupAggregator returns an aggregator whose table holds at most
// budget bytes, spilling into a new directory in spillDir.
func newGroupAggregator[K kernelType](words int, budget int64, spillDir string) *groupAggregator[K] {
	// Appending may leave the keys and aggregates with twice the capacity
	// they use: half the budget is for the entries.
	maxEntries := int(min(budget/(2*entryBytes(words)), math.MaxInt32/4))
	return &groupAggregator[K]{
		words:      words,
		maxEntries: max(maxEntries, minGroupEntries),
		global:     newGroupTable[K](words),
		baseDir:    spillDir,
		rec:        make([]byte, recordBytes(words)),
	}
}

// recordBytes is the size of a spilled group: its key words, count, sum
// (two float64s) and extremes.
func recordBytes(words int) int { return 8*words + 40 }

// fold merges a settled chunk's table, or spills it; it returns the first
// error a spill met, every later call too.
func (a *groupAggregator[K]) fold(c *chunkTable[K]) error {
	if a.err != nil {
		return a.err
	}
	if a.parts == nil && a.global.n+c.groupCount() > a.maxEntries {
		a.err = a.startSpill()
	}
	if a.err != nil {
		return a.err
	}
	if a.parts == nil {
		a.global.mergeChunk(c)
		return nil
	}
	a.err = c.groups(func(key []uint64, acc *chunkAcc[K]) error {
		return a.writeRecord(key, acc.count, fsum{hi: acc.sum}, acc.min, acc.max)
	})
	return a.err
}

// startSpill opens the partitions and writes the merged table into them.
func (a *groupAggregator[K]) startSpill() error {
	dir, err := os.MkdirTemp(a.baseDir, "memmap-groupby-")
	if err != nil {
		return fmt.Errorf("spill groups: %w", err)
	}
	a.dir = dir
	a.parts, err = createPartitions(dir, "p")
	if err != nil {
		return err
	}
	t, w := a.global, a.words
	for e, acc := range t.accs {
		if err := a.writeRecord(t.keys[e*w:(e+1)*w], acc.count, acc.sum, acc.min, acc.max); err != nil {
			return err
		}
	}
	a.global = nil
	return nil
}

func (a *groupAggregator[K]) writeRecord(key []uint64, count int64, sum fsum, lo, hi K) error {
	encodeRecord(a.rec, key, count, sum, valueAs[uint64](lo), valueAs[uint64](hi))
	return a.parts[partitionOf(key, 0)].write(a.rec)
}

func encodeRecord(rec []byte, key []uint64, count int64, sum fsum, lo, hi uint64) {
	for i, w := range key {
		binary.LittleEndian.PutUint64(rec[8*i:], w)
	}
	r := rec[8*len(key):]
	binary.LittleEndian.PutUint64(r, uint64(count))
	binary.LittleEndian.PutUint64(r[8:], math.Float64bits(sum.hi))
	binary.LittleEndian.PutUint64(r[16:], math.Float64bits(sum.lo))
	binary.LittleEndian.PutUint64(r[24:], lo)
	binary.LittleEndian.PutUint64(r[32:], hi)
}

// partitionOf is the partition of key at a level of splitting: the
// level's 4 bits of its hash, from the top.
func partitionOf(key []uint64, level int) int {
	return int(hashWords(key)>>(64-spillBits*(level+1))) & (spillFanout - 1)
}

// result returns every group, sorted by key.
func (a *groupAggregator[K]) result() (groupResult[K], error) {
	var res groupResult[K]
	if a.parts == nil {
		t := a.global
		res.keys, res.accs, res.order = t.keys, t.accs, t.sortedEntries()
		return res, nil
	}
	if err := closePartitions(a.parts); err != nil {
		return res, err
	}
	for _, p := range a.parts {
		if err := a.mergePartition(p.path, 1, &res); err != nil {
			return res, err
		}
	}
	a.parts = nil
	all := &groupTable[K]{keyTable: keyTable{words: a.words, keys: res.keys, n: len(res.accs)}, accs: res.accs}
	res.order = all.sortedEntries()
	return res, nil
}

// mergePartition merges the records of one partition file into a table and
// appends its groups to res; where they are more than the budget allows, it
// splits the file by the hash bits of level and merges the parts.
func (a *groupAggregator[K]) mergePartition(path string, level int, res *groupResult[K]) error {
	t := newGroupTable[K](a.words)
	key := make([]uint64, a.words)
	overflow := false
	err := readRecords(path, a.rec, func() bool {
		count, sum, lo, hi := decodeRecord[K](a.rec, key)
		e, s := t.find(key, hashWords(key))
		if e < 0 {
			if t.n >= a.maxEntries {
				overflow = true
				return false
			}
			e = t.insert(key, s)
			t.accs = append(t.accs, groupAcc[K]{})
		}
		t.accs[e].merge(count, sum, lo, hi)
		return true
	})
	if err != nil {
		return err
	}
	if !overflow {
		res.keys = append(res.keys, t.keys...)
		res.accs = append(res.accs, t.accs...)
		return removeSpill(path)
	}
	t = nil
	if level >= spillLevels {
		return fmt.Errorf("spill groups: more than %d groups share a 64-bit hash: %w", a.maxEntries, memmap.ErrTooLarge)
	}
	parts, err := createPartitions(filepath.Dir(path), fmt.Sprintf("%s.", filepath.Base(path)))
	if err != nil {
		return err
	}
	var werr error
	err = readRecords(path, a.rec, func() bool {
		decodeRecord[K](a.rec, key)
		werr = parts[partitionOf(key, level)].write(a.rec)
		return werr == nil
	})
	if err == nil {
		err = werr
	}
	if cerr := closePartitions(parts); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := removeSpill(path); err != nil {
		return err
	}
	for _, p := range parts {
		if err := a.mergePartition(p.path, level+1, res); err != nil {
			return err
		}
	}
	return nil
}

// decodeRecord reads a record written by encodeRecord, its key into key.
func decodeRecord[K kernelType](rec []byte, key []uint64) (count int64, sum fsum, lo, hi K) {
	for i := range key {
		key[i] = binary.LittleEndian.Uint64(rec[8*i:])
	}
	r := rec[8*len(key):]
	count = int64(binary.LittleEndian.Uint64(r))
	sum.hi = math.Float64frombits(binary.LittleEndian.Uint64(r[8:]))
	sum.lo = math.Float64frombits(binary.LittleEndian.Uint64(r[16:]))
	lo = valueAs[K](binary.LittleEndian.Uint64(r[24:]))
	hi = valueAs[K](binary.LittleEndian.Uint64(r[32:]))
	return count, sum, lo, hi
}

// close removes the spill files, if any.
func (a *groupAggregator[K]) close() {
	if a.parts != nil {
		closePartitions(a.parts)
	}
	if a.dir != "" {
		os.RemoveAll(a.dir)
	}
}

// spillWriter is one partition file being written.
type spillWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

func (s *spillWriter) write(rec []byte) error {
	if _, err := s.w.Write(rec); err != nil {
		return fmt.Errorf("spill groups: %w", err)
	}
	return nil
}

func createPartitions(dir, prefix string) ([]*spillWriter, error) {
	parts := make([]*spillWriter, spillFanout)
	for i := range parts {
		path := filepath.Join(dir, fmt.Sprintf("%s%x", prefix, i))
		f, err := os.Create(path)
		if err != nil {
			closePartitions(parts[:i])
			return nil, fmt.Errorf("spill groups: %w", err)
		}
		parts[i] = &spillWriter{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}
	}
	return parts, nil
}

// closePartitions flushes and closes the files, returning the first error.
func closePartitions(parts []*spillWriter) error {
	var first error
	for _, p := range parts {
		if p.f == nil {
			continue
		}
		err := p.w.Flush()
		if cerr := p.f.Close(); err == nil {
			err = cerr
		}
		p.f = nil
		if err != nil && first == nil {
			first = fmt.Errorf("spill groups: %w", err)
		}
	}
	return first
}

// readRecords reads the file's records into rec one after another, calling
// each until it returns false.
func readRecords(path string, rec []byte, each func() bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read spilled groups: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		if _, err := io.ReadFull(r, rec); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read spilled groups from %s: %w", path, err)
		}
		if !each() {
			return nil
		}
	}
}

func removeSpill(path string) error {
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove spilled groups: %w", err)
	}
	return nil
}
