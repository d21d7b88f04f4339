package compute

import (
	"math"
	"slices"

	"github.com/go-memmap/memmap/mmarray"
)

// A group-by keeps its groups in open-addressing hash tables whose keys are
// packed into uint64 words: an integer key is one word (its bits, the sign
// bit flipped for signed keys so that words compare as the keys do), a
// string key as many words as its item needs (see stringKeys). Comparing
// words in order sorts the keys as NumPy's np.unique does, so the tables
// never need the decoded keys.

// chunkAcc is one group's aggregate within a chunk. The sum comes first
// and the count second, the two words addWindowSumsAsm updates in one
// register (unsafe.go asserts the layout).
type chunkAcc[K kernelType] struct {
	sum      float64 // the sum of the values that are not NaN, added plainly in row order
	count    int64   // those values
	min, max K       // their extremes; unset while count is 0
}

// groupAcc is one group's aggregate over the chunks merged so far: the
// chunks' sums are added in chunk order with compensation.
type groupAcc[K kernelType] struct {
	count    int64
	sum      fsum
	min, max K
}

// merge adds a partial aggregate whose sum is o: a chunk's (o.lo is 0) or a
// table's state written to a spill file. The first of equal extremes wins,
// so the result depends only on the order of the merges, which is the
// chunks' order.
func (a *groupAcc[K]) merge(count int64, o fsum, lo, hi K) {
	a.sum.merge(o)
	if count == 0 {
		return
	}
	if a.count == 0 {
		a.min, a.max = lo, hi
	} else {
		if lo < a.min {
			a.min = lo
		}
		if hi > a.max {
			a.max = hi
		}
	}
	a.count += count
}

// keyTable is the hash index shared by both tables: entry i's key is
// keys[i*words:(i+1)*words], and slots hold entry indices plus one (0 is an
// empty slot), at most half of them used.
type keyTable struct {
	words int
	keys  []uint64
	slots []int32
	n     int // entries
}

func newKeyTable(words int) keyTable {
	return keyTable{words: words, slots: make([]int32, 64)}
}

// hashWords mixes a key's words (murmur3's finalizer after each word), so
// that keys of a few low bits spread over all the slots.
func hashWords(key []uint64) uint64 {
	h := uint64(len(key)) * 0x9e3779b97f4a7c15
	for _, w := range key {
		h = mix64(h ^ w)
	}
	return h
}

// mix64 is murmur3's 64-bit finalizer.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// hash1 is hashWords of a one-word key, inlined into the hot loop.
func hash1(w uint64) uint64 { return mix64(0x9e3779b97f4a7c15 ^ w) }

// find returns the entry holding key, or -1 and the empty slot where it
// would go.
func (t *keyTable) find(key []uint64, h uint64) (entry, slot int) {
	mask := len(t.slots) - 1
	s := int(h) & mask
	for {
		e := int(t.slots[s]) - 1
		if e < 0 {
			return -1, s
		}
		if slices.Equal(t.keys[e*t.words:(e+1)*t.words], key) {
			return e, s
		}
		s = (s + 1) & mask
	}
}

// insert adds key as a new entry at slot (from find) and returns its index.
// It grows the slots when they are half full.
func (t *keyTable) insert(key []uint64, slot int) int {
	e := t.n
	t.keys = append(t.keys, key...)
	t.slots[slot] = int32(e + 1)
	t.n++
	if 2*t.n > len(t.slots) {
		t.grow()
	}
	return e
}

func (t *keyTable) grow() {
	t.slots = make([]int32, 2*len(t.slots))
	mask := len(t.slots) - 1
	for e := range t.n {
		s := int(hashWords(t.keys[e*t.words:(e+1)*t.words])) & mask
		for t.slots[s] != 0 {
			s = (s + 1) & mask
		}
		t.slots[s] = int32(e + 1)
	}
}

// reset empties the table, keeping its memory for the next chunk.
func (t *keyTable) reset() {
	clear(t.slots)
	t.keys = t.keys[:0]
	t.n = 0
}

// bytes is the memory the index holds.
func (t *keyTable) bytes() int64 { return int64(cap(t.keys))*8 + int64(len(t.slots))*4 }

// chunkTable is one chunk's groups.
type chunkTable[K kernelType] struct {
	keyTable
	accs    []chunkAcc[K]
	dropped int64 // rows left out for a missing key
	// window holds the aggregates of one-word keys from windowBase to
	// windowBase+denseSpan-1, indexed by key minus windowBase, for the
	// chunk's blocks whose keys all lie in it: the common small key domain
	// is aggregated without a lookup per row. seen marks the offsets in
	// use, listed in first-seen order in used; flushWindow moves them into
	// the hash table's entries.
	window      []chunkAcc[K]
	seen        []bool
	used        []int32
	windowBase  uint64
	windowValid bool
	// sumsOnly has the window keep counts and sums only, for a group-by
	// asked for neither Min nor Max: its loop marks in seen and used only
	// the offsets of NaN values, and listUsed lists the others (those of
	// a nonzero count) before the window is read or cleared. The hash
	// table's entries keep every aggregate either way; the extremes are
	// then left out of the result, whichever way a row went.
	sumsOnly bool
	unlisted bool // the window may hold offsets in use not yet in used
	// windowTop is at least the greatest offset in use in the window, so
	// that listUsed reads no further: a small key domain fills a small
	// part of the window.
	windowTop uint64
}

func newChunkTable[K kernelType](words int) *chunkTable[K] {
	return &chunkTable[K]{keyTable: newKeyTable(words)}
}

func (t *chunkTable[K]) reset() {
	t.keyTable.reset()
	t.accs = t.accs[:0]
	t.dropped = 0
	t.clearWindow()
}

// add aggregates vals by keys (len(vals) keys of t.words words each; lo and
// hi are the least and greatest of one-word keys, from keyLoader.load).
// With dropZero, a key of all-zero words is left out: a NaT datetime. NaN
// values count in no aggregate but still make their group exist, as in
// pandas.
func (t *chunkTable[K]) add(keys []uint64, lo, hi uint64, vals []K, dropZero bool) {
	if t.words == 1 {
		t.add1(keys[:len(vals)], lo, hi, vals, dropZero)
		return
	}
	w := t.words
	for i, v := range vals {
		key := keys[i*w : (i+1)*w]
		if dropZero && allZero(key) {
			t.dropped++
			continue
		}
		e, s := t.find(key, hashWords(key))
		if e < 0 {
			e = t.insert(key, s)
			t.accs = append(t.accs, chunkAcc[K]{})
		}
		t.accs[e].add(v)
	}
}

// add1 is add for one-word keys. Where the keys of the block lie within
// denseSpan of each other and of the window's base, the rows are aggregated
// in the window, one add per row and no lookup; otherwise the window is
// flushed and every row probes the hash table, with the probe written out
// so that nothing is called per row. Each group's rows are added in row order either way, but a group
// aggregated partly in the window and partly in the table (the window moved
// within the chunk) has its two partial sums added: the result depends only
// on the chunk's rows, never on the number of workers.
func (t *chunkTable[K]) add1(keys []uint64, lo, hi uint64, vals []K, dropZero bool) {
	if len(keys) == 0 {
		return
	}
	if t.toWindow(lo, hi, dropZero) {
		t.addWindow(keys, t.windowBase, vals, hi-t.windowBase, true)
		return
	}
	t.addHash(keys, vals, dropZero)
}

// addUnpacked is add1 for keys given as words before the flip
// (intKeys.words), none of them missing. They are packed, into packed, only
// for the hash table: in the window a row's offset is its word's offset
// from the base's, the same flipped or not (flipping the sign bit adds
// 1<<63 to both). A block whose keys lie in the window as it is, the
// common case, is checked without finding their range.
func (t *chunkTable[K]) addUnpacked(words []uint64, flip uint64, vals []K, packed []uint64) {
	if len(words) == 0 {
		return
	}
	if t.windowValid {
		if top, mayNaN := spanOffsets(words, t.windowBase^flip, sliceAs[uint64](vals)); top < denseSpan {
			t.addWindow(words, t.windowBase^flip, vals, top, mayNaN)
			return
		}
	}
	lo, hi := flippedRange(words, flip)
	if t.toWindow(lo, hi, false) {
		top, mayNaN := spanOffsets(words, t.windowBase^flip, sliceAs[uint64](vals))
		t.addWindow(words, t.windowBase^flip, vals, top, mayNaN)
		return
	}
	packed = packed[:len(words)]
	for i, w := range words {
		packed[i] = w ^ flip
	}
	t.addHash(packed, vals, false)
}

// spanOffsets returns the OR of the words' offsets from base, in four
// lanes (eight at a time in assembly): every word lies from base to
// base+denseSpan-1 exactly when it is below denseSpan (a power of two),
// and then no offset is above it. It also reports whether values, the
// rows' values as words (as long as words), may hold a NaN read as
// float64: false only where the assembly found none, as it reads them
// beside the words. That read is worth its time even for values that are
// not float64: the window's adds that follow scatter a load and a store
// or two per row, too many in flight for the values to stream from memory
// at the rate they can.
func spanOffsets(words []uint64, base uint64, values []uint64) (or uint64, mayNaN bool) {
	var o0, o1, o2, o3 uint64
	i := 0
	mayNaN = true
	if hasAVX2 {
		o0, mayNaN = offsetsOrAVX2(words, base, values[:len(words)])
		i = len(words) &^ 7
		for _, v := range sliceAs[float64](values[i:len(words)]) {
			mayNaN = mayNaN || v != v
		}
	}
	for ; i+4 <= len(words); i += 4 {
		o0 |= words[i] - base
		o1 |= words[i+1] - base
		o2 |= words[i+2] - base
		o3 |= words[i+3] - base
	}
	for _, w := range words[i:] {
		o0 |= w - base
	}
	return o0 | o1 | o2 | o3, mayNaN
}

// flippedRange returns the least and greatest of the words' packed keys,
// w^flip, without writing them: for a flip of the sign bit they are the
// words' signed extremes.
func flippedRange(words []uint64, flip uint64) (lo, hi uint64) {
	if flip == 0 {
		return integerRange(words)
	}
	slo, shi := integerRange(sliceAs[int64](words))
	return uint64(slo) ^ flip, uint64(shi) ^ flip
}

// toWindow reports whether a block of keys from lo to hi goes to the
// window (not with dropZero and a zero key among them), which is moved to
// base lo, flushed, if the keys lie outside it.
func (t *chunkTable[K]) toWindow(lo, hi uint64, dropZero bool) bool {
	if hi-lo >= denseSpan || dropZero && lo == 0 {
		return false
	}
	if !t.windowValid || lo < t.windowBase || hi-t.windowBase >= denseSpan {
		t.flushWindow()
		if t.window == nil {
			t.window = make([]chunkAcc[K], denseSpan)
			t.seen = make([]bool, denseSpan)
			t.used = make([]int32, 0, denseSpan) // as addWindowAllAsm needs
		}
		t.windowBase, t.windowValid = lo, true
	}
	return true
}

// addWindow aggregates the rows whose keys are words at offsets below
// denseSpan from base in the window; top is at least the greatest offset
// (below denseSpan), and mayNaN is false only where no value is NaN.
func (t *chunkTable[K]) addWindow(keys []uint64, base uint64, vals []K, top uint64, mayNaN bool) {
	t.windowTop |= top
	if t.sumsOnly {
		t.addWindowSums(keys, base, vals, mayNaN)
		return
	}
	window := t.window[:denseSpan]
	vals = vals[:len(keys)]
	if words, floats, ok := t.asmWindow(vals, mayNaN); ok {
		t.used = t.used[:addWindowAllAsm(words, keys, base, floats, t.seen[:denseSpan], t.used)]
		return
	}
	for i, k := range keys {
		v := vals[i]
		o := (k - base) & (denseSpan - 1)
		a := &window[o]
		if v == v && a.count != 0 {
			if v < a.min {
				a.min = v
			}
			if v > a.max {
				a.max = v
			}
			a.count++
			a.sum += float64(v)
			continue
		}
		// NaN, or the offset's first value.
		if !t.seen[o] {
			t.seen[o] = true
			t.used = append(t.used, int32(o))
		}
		a.add(v)
	}
}

// addWindowSums is addWindow for a sumsOnly table: a count and an add per
// row, nothing tested but NaN. A NaN value's offset is marked in use, so
// that a group of NaN values only still exists; the others are listed
// later by listUsed. Each group's rows are added in row order, as addWindow
// adds them, from the same +0.
//
// float64 values with no NaN among them are added in assembly where there
// is AVX2 (that no value is NaN comes from spanOffsets's assembly), with
// the same additions: there each row's count and sum are updated in one
// register and stored at once.
func (t *chunkTable[K]) addWindowSums(keys []uint64, base uint64, vals []K, mayNaN bool) {
	window := t.window[:denseSpan]
	vals = vals[:len(keys)]
	t.unlisted = true
	if words, floats, ok := t.asmWindow(vals, mayNaN); ok {
		addWindowSumsAsm(words, keys, base, floats)
		return
	}
	for i, k := range keys {
		v := vals[i]
		o := (k - base) & (denseSpan - 1)
		if v == v {
			window[o].count++
			window[o].sum += float64(v)
			continue
		}
		if !t.seen[o] {
			t.seen[o] = true
			t.used = append(t.used, int32(o))
		}
	}
}

// asmWindow returns the window as the words the assembly window kernels
// take, and vals as float64, where those kernels can add vals: float64
// values none of which is NaN (mayNaN false), on AVX2.
func (t *chunkTable[K]) asmWindow(vals []K, mayNaN bool) (words []uint64, floats []float64, ok bool) {
	floats, ok = any(vals).([]float64)
	if !ok || mayNaN || !hasAVX2 {
		return nil, nil, false
	}
	return windowWords(any(t.window[:denseSpan]).([]chunkAcc[float64])), floats, true
}

// listUsed adds to used the window's offsets that addWindowSums gave a
// value but did not list, in offset order, after those it listed for NaN
// values (in first-seen order): the order depends only on the rows.
func (t *chunkTable[K]) listUsed() {
	if !t.unlisted {
		return
	}
	t.unlisted = false
	end := min(t.windowTop, denseSpan-1) + 1
	window, seen := t.window[:end], t.seen[:end]
	for o := range window {
		if window[o].count != 0 && !seen[o] {
			seen[o] = true
			t.used = append(t.used, int32(o))
		}
	}
}

// addHash aggregates the rows by probing the hash table, the window
// flushed first. The window's rows came before this block's: they go into
// the entries first, so that each entry takes its rows in order (the first
// of equal extremes is kept).
func (t *chunkTable[K]) addHash(keys []uint64, vals []K, dropZero bool) {
	t.flushWindow()
	for i, k := range keys {
		if dropZero && k == 0 {
			t.dropped++
			continue
		}
		mask := len(t.slots) - 1
		s := int(hash1(k)) & mask
		var e int
		for {
			e = int(t.slots[s]) - 1
			if e < 0 {
				e = t.insert1(k, s)
				break
			}
			if t.keys[e] == k {
				break
			}
			s = (s + 1) & mask
		}
		t.accs[e].add(vals[i])
	}
}

// flushWindow moves the window's aggregates into the table's entries, in
// first-seen order, and empties the window. The window is flushed before
// any later row goes to the entries, so the entries' own rows came first,
// and on equal extremes theirs are kept.
func (t *chunkTable[K]) flushWindow() {
	if !t.windowValid {
		return
	}
	t.listUsed()
	for _, o := range t.used {
		e := t.entry1(t.windowBase + uint64(o))
		t.accs[e].merge(&t.window[o])
	}
	t.clearWindow()
}

// clearWindow empties the window.
func (t *chunkTable[K]) clearWindow() {
	t.listUsed()
	for _, o := range t.used {
		t.window[o] = chunkAcc[K]{}
		t.seen[o] = false
	}
	t.used = t.used[:0]
	t.windowValid, t.windowTop = false, 0
}

// settle readies the chunk's groups for groups and groupCount once its
// rows are all added: the window is flushed into the entries, unless there
// are none (every row went to the window), when the window's aggregates
// are the groups as they are.
func (t *chunkTable[K]) settle() {
	t.listUsed()
	if t.n != 0 {
		t.flushWindow()
	}
}

// groupCount is the number of groups of a settled chunk.
func (t *chunkTable[K]) groupCount() int {
	if t.windowValid {
		return len(t.used)
	}
	return t.n
}

// groups calls f with each group of a settled chunk, in first-seen order,
// until f returns an error. A window's group is the entry flushWindow would
// make of it, bit for bit: its sum started at +0, as an entry's does, so
// it is never -0 and adding it to the entry's +0 changes nothing.
func (t *chunkTable[K]) groups(f func(key []uint64, a *chunkAcc[K]) error) error {
	if t.windowValid {
		var key [1]uint64
		for _, o := range t.used {
			key[0] = t.windowBase + uint64(o)
			if err := f(key[:], &t.window[o]); err != nil {
				return err
			}
		}
		return nil
	}
	w := t.words
	for e := range t.accs {
		if err := f(t.keys[e*w:(e+1)*w], &t.accs[e]); err != nil {
			return err
		}
	}
	return nil
}

// denseSpan is the widest range of one-word keys in a block that add1
// aggregates in its window: a block's length, so that a window is no larger
// than the block's keys. A power of two, so that masking an offset bounds
// it for the compiler.
const denseSpan = stageLen

// entry1 returns the entry of one-word key k, added if new.
func (t *chunkTable[K]) entry1(k uint64) int {
	mask := len(t.slots) - 1
	s := int(hash1(k)) & mask
	for {
		e := int(t.slots[s]) - 1
		if e < 0 {
			return t.insert1(k, s)
		}
		if t.keys[e] == k {
			return e
		}
		s = (s + 1) & mask
	}
}

// insert1 adds one-word key k as a new entry at the empty slot s.
func (t *chunkTable[K]) insert1(k uint64, s int) int {
	e := t.n
	t.keys = append(t.keys, k)
	t.accs = append(t.accs, chunkAcc[K]{})
	t.slots[s] = int32(e + 1)
	t.n++
	if 2*t.n > len(t.slots) {
		t.grow()
	}
	return e
}

func allZero(key []uint64) bool {
	for _, w := range key {
		if w != 0 {
			return false
		}
	}
	return true
}

// merge adds the aggregate o of later rows.
func (a *chunkAcc[K]) merge(o *chunkAcc[K]) {
	if o.count == 0 {
		return
	}
	if a.count == 0 {
		a.min, a.max = o.min, o.max
	} else {
		if o.min < a.min {
			a.min = o.min
		}
		if o.max > a.max {
			a.max = o.max
		}
	}
	a.count += o.count
	a.sum += o.sum
}

// add aggregates one value; NaN (only a float kernel has it) is left out.
func (a *chunkAcc[K]) add(v K) {
	if v != v {
		return
	}
	if a.count == 0 {
		a.min, a.max = v, v
	} else {
		if v < a.min {
			a.min = v
		}
		if v > a.max {
			a.max = v
		}
	}
	a.count++
	a.sum += float64(v)
}

// groupTable is the groups of the chunks merged so far.
type groupTable[K kernelType] struct {
	keyTable
	accs []groupAcc[K]
	// dense holds, for the one-word keys from denseBase to
	// denseBase+denseSpan-1, each key's entry plus one (0 while the key
	// has none): a chunk merged from its window finds the entries of the
	// keys in this span with no hashing. denseBase is the first such
	// chunk's window base. Its 16 KiB are outside the entries the budget
	// counts (entryBytes), a fixed amount beside them.
	dense     []int32
	denseBase uint64
}

func newGroupTable[K kernelType](words int) *groupTable[K] {
	return &groupTable[K]{keyTable: newKeyTable(words)}
}

// groupAccBytes is the memory of one groupAcc (count, two float64s, two
// kernel values).
const groupAccBytes = 40

// entryBytes is what one entry of a groupTable with words-word keys costs
// at most: its key, its aggregate, and two slots (at most half are used).
func entryBytes(words int) int64 { return int64(words)*8 + groupAccBytes + 2*4 }

// merge adds a partial aggregate for key.
func (t *groupTable[K]) merge(key []uint64, count int64, sum fsum, lo, hi K) {
	e, s := t.find(key, hashWords(key))
	if e < 0 {
		e = t.insert(key, s)
		t.accs = append(t.accs, groupAcc[K]{})
	}
	t.accs[e].merge(count, sum, lo, hi)
}

// mergeChunk adds a settled chunk's groups.
func (t *groupTable[K]) mergeChunk(c *chunkTable[K]) {
	if c.windowValid {
		t.mergeWindow(c)
		return
	}
	_ = c.groups(func(key []uint64, a *chunkAcc[K]) error {
		t.merge(key, a.count, fsum{hi: a.sum}, a.min, a.max)
		return nil
	})
}

// mergeWindow is mergeChunk for a chunk whose groups are its window's (the
// keys one word each): each group's entry is found through dense where its
// key lies in dense's span, else by hashing, and merged as mergeChunk
// merges it, in the same order.
func (t *groupTable[K]) mergeWindow(c *chunkTable[K]) {
	if t.dense == nil {
		t.dense = make([]int32, denseSpan)
		t.denseBase = c.windowBase
	}
	var key [1]uint64
	for _, o := range c.used {
		key[0] = c.windowBase + uint64(o)
		d := key[0] - t.denseBase
		e := -1
		if d < denseSpan {
			e = int(t.dense[d]) - 1
		}
		if e < 0 {
			var s int
			if e, s = t.find(key[:], hash1(key[0])); e < 0 {
				e = t.insert(key[:], s)
				t.accs = append(t.accs, groupAcc[K]{})
			}
			if d < denseSpan {
				t.dense[d] = int32(e + 1)
			}
		}
		a := &c.window[o]
		t.accs[e].merge(a.count, fsum{hi: a.sum}, a.min, a.max)
	}
}

// sortedEntries returns the entries' indices in key order.
func (t *groupTable[K]) sortedEntries() []int {
	idx := make([]int, t.n)
	for i := range idx {
		idx[i] = i
	}
	w := t.words
	slices.SortFunc(idx, func(a, b int) int {
		return slices.Compare(t.keys[a*w:(a+1)*w], t.keys[b*w:(b+1)*w])
	})
	return idx
}

// finishGroup turns a group's aggregate into a Group with the fields in
// aggs, the others zero, with the value type's NaN for the mean and
// extremes of a group whose values are all NaN (as pandas).
func finishGroup[Key mmarray.Element, V Real, K kernelType](key Key, a groupAcc[K], aggs Aggregates) Group[Key, V] {
	g := Group[Key, V]{Key: key}
	sum := a.sum.value()
	var mean float64
	var lo, hi V
	if a.count == 0 {
		mean = math.NaN()
		lo = fromKernel[V](K(math.NaN()))
		hi = lo
	} else {
		mean = sum / float64(a.count)
		lo, hi = fromKernel[V](a.min), fromKernel[V](a.max)
	}
	if aggs&GroupCount != 0 {
		g.Count = a.count
	}
	if aggs&GroupSum != 0 {
		g.Sum = sum
	}
	if aggs&GroupMean != 0 {
		g.Mean = mean
	}
	if aggs&GroupMin != 0 {
		g.Min = lo
	}
	if aggs&GroupMax != 0 {
		g.Max = hi
	}
	return g
}
