package compute

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/go-memmap/memmap/mmarray"
)

// benchmarkChunk returns the spec of int64 keys i % 1000 held in memory
// and float64 values i*0.5, one chunk of each.
func benchmarkChunk(b *testing.B) (groupSpec, []float64) {
	raw := make([]byte, 8*chunkLen)
	vals := make([]float64, chunkLen)
	for i := range chunkLen {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(i%1000))
		vals[i] = float64(i) * 0.5
	}
	f, err := mmarray.OpenRawBytes("keys", raw, mmarray.ReadOnly, "<i8", nil)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := mmarray.View[int64](f)
	if err != nil {
		b.Fatal(err)
	}
	return groupSpec{words: 1, newLoader: func() keyLoader { return newIntKeys[int64, int64](keys, 1<<63) }}, vals
}

// BenchmarkGroupChunkAdd aggregates one chunk of float64 values i*0.5 by
// int64 keys i % 1000 held in memory (mmbench's groupby workload without
// the mapping): the per-row cost of a chunk's keys and table, on one core,
// with every aggregate (the window's full kernel) and with sums only (its
// lean one, for a group-by asked for neither Min nor Max).
func BenchmarkGroupChunkAdd(b *testing.B) {
	benchmarkGroupChunk(b, func() func(*chunkTable[float64]) {
		return func(c *chunkTable[float64]) { c.flushWindow() }
	})
}

// BenchmarkGroupChunkFold is BenchmarkGroupChunkAdd with each chunk
// settled and merged into a table of the chunks so far, as a group-by
// folds it (its window straight into the merged table), instead of
// flushed into its own table's entries: the per-row cost of a chunk's
// rows and its merge.
func BenchmarkGroupChunkFold(b *testing.B) {
	benchmarkGroupChunk(b, func() func(*chunkTable[float64]) {
		merged := newGroupTable[float64](1)
		return func(c *chunkTable[float64]) {
			c.settle()
			merged.mergeChunk(c)
		}
	})
}

// benchmarkGroupChunk adds benchmarkChunk's rows to a chunk, then ends
// the chunk with a function newEnd makes for each window kernel, and
// resets its table.
func benchmarkGroupChunk(b *testing.B, newEnd func() func(*chunkTable[float64])) {
	spec, vals := benchmarkChunk(b)
	for _, k := range []struct {
		name     string
		extremes bool
	}{{"all", true}, {"sums", false}} {
		b.Run(k.name, func(b *testing.B) {
			c := newGroupChunk[float64](1, spec.newLoader(), k.extremes)
			end := newEnd()
			b.SetBytes(16 * chunkLen)
			for b.Loop() {
				c.add(0, vals, spec)
				end(c.table)
				c.table.reset()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/chunkLen, "ns/row")
		})
	}
}

// TestMergeWindowMatchesMerge checks that chunks merged from their
// windows into a table (mergeChunk, through the table's dense entries where
// the keys lie in its span) leave the same entries, in the same order and
// bit for bit, as the same chunks' groups merged one by one by hashing:
// windows at the dense span's base, within it, partly past its end, below
// it and far from it, with the full kernel and with sums only, NaN and -0
// among the values and a key of NaN values only.
func TestMergeWindowMatchesMerge(t *testing.T) {
	t.Parallel()
	negZero := math.Copysign(0, -1)
	bases := []uint64{1000, 1000, 3000, 1000 + denseSpan - 10, 400, 1 << 40, 1000, 999, math.MaxUint64 - denseSpan + 1, 1000}
	for _, sumsOnly := range []bool{false, true} {
		r := rand.New(rand.NewPCG(13, 13))
		dense, hashed := newGroupTable[float64](1), newGroupTable[float64](1)
		for _, base := range bases {
			c := newChunkTable[float64](1)
			c.sumsOnly = sumsOnly
			for range 3 {
				n := stageLen - r.IntN(2000)
				keys, vals := make([]uint64, n), make([]float64, n)
				for i := range keys {
					o := uint64(r.IntN(300)) * uint64(r.IntN(14))
					keys[i] = base + o
					vals[i] = []float64{float64(r.IntN(9) - 4), negZero, math.NaN(), r.NormFloat64()}[r.IntN(4)]
					if o == 77 {
						vals[i] = math.NaN()
					}
				}
				lo, hi := integerRange(keys)
				c.add1(keys, lo, hi, vals, false)
			}
			c.settle()
			if !c.windowValid {
				t.Fatalf("base %#x: the chunk's rows did not all go to its window", base)
			}
			dense.mergeChunk(c)
			_ = c.groups(func(key []uint64, a *chunkAcc[float64]) error {
				hashed.merge(key, a.count, fsum{hi: a.sum}, a.min, a.max)
				return nil
			})
		}
		if dense.denseBase != bases[0] {
			t.Errorf("dense span at %#x, want the first chunk's base %#x", dense.denseBase, bases[0])
		}
		if !slices.Equal(dense.keys, hashed.keys) {
			t.Fatalf("sums only %v: %d keys through the dense entries, %d hashed, or in another order", sumsOnly, dense.n, hashed.n)
		}
		bits := math.Float64bits
		for e, h := range hashed.accs {
			d := dense.accs[e]
			if d.count != h.count || bits(d.sum.hi) != bits(h.sum.hi) || bits(d.sum.lo) != bits(h.sum.lo) ||
				bits(d.min) != bits(h.min) || bits(d.max) != bits(h.max) {
				t.Errorf("sums only %v, key %#x: %+v through the dense entries, %+v hashed", sumsOnly, hashed.keys[e], d, h)
			}
		}
		for d, e := range dense.dense {
			if e != 0 && dense.keys[e-1] != dense.denseBase+uint64(d) {
				t.Errorf("dense entry %d of key %#x holds entry %d of key %#x", d, dense.denseBase+uint64(d), e-1, dense.keys[e-1])
			}
		}
	}
}

// TestAddUnpackedMatchesPacked checks that a chunk table fed a block's
// keys unpacked (addUnpacked: in place, the window checked by offsets, keys
// packed only for the hash table) ends with the same groups, bit for bit
// and in the same order, as one fed the packed keys (add1), for signed and
// unsigned keys near zero and near their types' ends, keys that drift
// (the window moves), blocks as wide as the window and one wider, and far
// keys (the hash table), with NaN, -0 and +0 among the values.
func TestAddUnpackedMatchesPacked(t *testing.T) {
	t.Parallel()
	const stages = 12
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name string
		flip uint64
		key  func(i int) uint64 // the word before the flip of row i
	}{
		{"signed near zero", 1 << 63, func(i int) uint64 { return uint64(int64(i%101 - 50)) }},
		{"signed near the least", 1 << 63, func(i int) uint64 { return uint64(math.MinInt64 + int64(i%77)) }},
		{"signed near the greatest", 1 << 63, func(i int) uint64 { return uint64(math.MaxInt64 - int64(i%77)) }},
		{"unsigned near the greatest", 0, func(i int) uint64 { return math.MaxUint64 - uint64(i%300) }},
		{"unsigned near zero", 0, func(i int) uint64 { return uint64(i % 1000) }},
		{"drifting", 1 << 63, func(i int) uint64 { return uint64(int64(i/3 - 9000)) }},
		{"window-wide blocks", 0, func(i int) uint64 { return uint64(i%stageLen + i/stageLen*(denseSpan/2)) }},
		{"a block wider than the window", 1 << 63, func(i int) uint64 {
			if i/stageLen == 5 {
				return uint64(i % (denseSpan + 1))
			}
			return uint64(i % 20)
		}},
		{"a row past the window", 0, func(i int) uint64 {
			if i%stageLen == 4003 && i/stageLen%3 == 1 {
				return denseSpan + 10 // in the fourth of spanOffsets's lanes
			}
			return uint64(i % 50)
		}},
		{"far keys", 1 << 63, func(i int) uint64 {
			if i%5000 == 17 {
				return uint64(int64(i) << 30)
			}
			return uint64(int64(i%64 - 32))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(3, uint64(len(c.name))))
			packedTable, unpackedTable := newChunkTable[float64](1), newChunkTable[float64](1)
			want := map[uint64]*chunkAcc[float64]{} // by packed key, in row order
			abs := map[uint64]float64{}             // the sum of each group's absolute values
			packed, scratch := make([]uint64, stageLen), make([]uint64, stageLen)
			for s := range stages {
				n := stageLen - r.IntN(3)*1000 // some blocks short
				words, vals := make([]uint64, n), make([]float64, n)
				for j := range n {
					i := s*stageLen + j
					words[j] = c.key(i)
					vals[j] = []float64{float64(r.IntN(7) - 3), negZero, 0, math.NaN(), math.Ldexp(r.NormFloat64(), r.IntN(60)-30)}[r.IntN(5)]
				}
				for j, w := range words {
					if want[w^c.flip] == nil {
						want[w^c.flip] = &chunkAcc[float64]{}
					}
					want[w^c.flip].add(vals[j])
					if vals[j] == vals[j] {
						abs[w^c.flip] += math.Abs(vals[j])
					}
				}
				lo, hi := packKeys(packed, words, c.flip)
				packedTable.add1(packed[:n], lo, hi, vals, false)
				unpackedTable.addUnpacked(words, c.flip, vals, scratch)
			}
			packedTable.flushWindow()
			unpackedTable.flushWindow()
			if !slices.Equal(packedTable.keys, unpackedTable.keys) {
				t.Fatalf("%d keys unpacked, %d packed, or in another order", unpackedTable.n, packedTable.n)
			}
			if len(want) != unpackedTable.n {
				t.Errorf("%d groups, want %d", unpackedTable.n, len(want))
			}
			bits := math.Float64bits
			for e, p := range packedTable.accs {
				got, key := unpackedTable.accs[e], packedTable.keys[e]
				if got.count != p.count || bits(got.sum) != bits(p.sum) || bits(got.min) != bits(p.min) || bits(got.max) != bits(p.max) {
					t.Errorf("key %#x: %+v unpacked, %+v packed", key, got, p)
				}
				// Each group's rows in row order, its sum maybe in two
				// parts (window and table).
				w := want[key]
				if w == nil || got.count != w.count || bits(got.min) != bits(w.min) || bits(got.max) != bits(w.max) ||
					math.Abs(got.sum-w.sum) > 1e-12*abs[key] {
					t.Errorf("key %#x: %+v, want %+v", key, got, w)
				}
			}
		})
	}
}

// TestIntKeysWords checks that intKeys.words gives each row's key widened
// to a word before the flip, for a contiguous view read in place, a
// strided one, one of another byte order and one of int32 keys, from rows
// not aligned to anything.
func TestIntKeysWords(t *testing.T) {
	t.Parallel()
	const n = 3*stageLen + 5
	check := func(t *testing.T, words []uint64, want func(i int) uint64, start int) {
		t.Helper()
		for j, w := range words {
			if w != want(start+j) {
				t.Fatalf("row %d: word %#x, want %#x", start+j, w, want(start+j))
			}
		}
	}
	raw := make([]byte, 8*2*n)
	for i := range 2 * n {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(int64(i-n)))
	}
	f, err := mmarray.OpenRawBytes("keys", raw, mmarray.ReadOnly, "<i8", nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := mmarray.View[int64](f)
	if err != nil {
		t.Fatal(err)
	}
	strided := all.Slice(mmarray.Span(0, 2*n, 2))
	swapped := make([]byte, 4*n)
	for i := range n {
		binary.BigEndian.PutUint32(swapped[4*i:], uint32(int32(i*7-n)))
	}
	bf, err := mmarray.OpenRawBytes("keys", swapped, mmarray.ReadOnly, ">i4", nil)
	if err != nil {
		t.Fatal(err)
	}
	big, err := mmarray.View[int32](bf)
	if err != nil {
		t.Fatal(err)
	}
	for _, start := range []int{0, 1, stageLen - 3, n - stageLen} {
		in := newIntKeys[int64, int64](all, 1<<63)
		words := in.words(start, stageLen)
		check(t, words, func(i int) uint64 { return uint64(int64(i - n)) }, start)
		if want, _ := all.Contiguous(); &words[0] != &sliceAs[uint64](want)[start] {
			t.Errorf("contiguous int64 keys from row %d copied, not read in place", start)
		}
		check(t, newIntKeys[int64, int64](strided, 1<<63).words(start, stageLen),
			func(i int) uint64 { return uint64(int64(2*i - n)) }, start)
		check(t, newIntKeys[int32, int64](big, 1<<63).words(start, stageLen),
			func(i int) uint64 { return uint64(int64(i*7 - n)) }, start)
	}
}

// TestChunkFoldsInOrder checks that chunks handed to chunkFolds in any
// order, from several goroutines, are folded in chunk order: chunk c holds
// the one group of key c, and the merged table takes its keys in the order
// the chunks are folded.
func TestChunkFoldsInOrder(t *testing.T) {
	t.Parallel()
	const chunks = 200
	agg := newGroupAggregator[float64](1, 1<<30, t.TempDir())
	defer agg.close()
	folds := chunkFolds[float64]{spare: &groupChunks[float64]{}, agg: agg, cancel: func() {}, pending: map[int]*groupChunk[float64]{}}
	order := rand.New(rand.NewPCG(5, 5)).Perm(chunks)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				chunk := newGroupChunk[float64](1, nil, true)
				chunk.table.add1([]uint64{uint64(c)}, uint64(c), uint64(c), []float64{1}, false)
				folds.done(c, chunk)
			}
		}()
	}
	for _, c := range order {
		next <- c
	}
	close(next)
	wg.Wait()
	want := make([]uint64, chunks)
	for c := range want {
		want[c] = uint64(c)
	}
	if !slices.Equal(agg.global.keys, want) || len(folds.pending) != 0 {
		t.Errorf("keys merged in the order %v, %d chunks left pending; want the chunks' order", agg.global.keys, len(folds.pending))
	}
}

// TestSpanOffsets checks spanOffsets against each word's own test, for
// blocks of every length to 40 with one word just outside the span (below
// the base or at its end) at each place, and none; that the assembly's OR
// of offsets, where there is one, is the Go loop's; and that it reports a
// NaN among the values, at each place (never none where there is one, and
// none where there is none, where there is assembly).
func TestSpanOffsets(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	for _, base := range []uint64{0, 1 << 63, math.MaxUint64 - denseSpan + 1, 12345} {
		for n := range 41 {
			words, values := make([]uint64, n), make([]float64, n)
			for i := range words {
				words[i] = base + uint64(r.IntN(denseSpan))
				values[i] = r.NormFloat64()
			}
			bits := sliceAs[uint64](values)
			top, mayNaN := spanOffsets(words, base, bits)
			if top >= denseSpan || hasAVX2 && mayNaN {
				t.Fatalf("base %#x: %d words in the span, no NaN: offsets %#x, NaN %v", base, n, top, mayNaN)
			}
			for _, w := range words {
				if w-base > top {
					t.Fatalf("base %#x: offset %#x above %#x", base, w-base, top)
				}
			}
			for i := range words {
				v := values[i]
				values[i] = math.NaN()
				if _, mayNaN := spanOffsets(words, base, bits); !mayNaN {
					t.Fatalf("base %#x: a NaN at %d of %d values is not seen", base, i, n)
				}
				values[i] = v
				for _, out := range []uint64{base - 1, base + denseSpan} {
					w := words[i]
					words[i] = out
					if top, _ := spanOffsets(words, base, bits); top < denseSpan {
						t.Fatalf("base %#x: word %d of %d, %#x, is within the span", base, i, n, out)
					}
					if hasAVX2 {
						var want uint64
						for _, w := range words[:n&^7] {
							want |= w - base
						}
						if got, _ := offsetsOrAVX2(words, base, bits); got != want {
							t.Fatalf("base %#x, %d words: offsetsOrAVX2 %#x, want %#x", base, n, got, want)
						}
					}
					words[i] = w
				}
			}
		}
	}
}

// TestGroupWaveFor checks that a group-by's waves hold as many chunk
// tables per worker as a quarter of the walk's budget has room for, from
// groupWaveLen to maxGroupWaveLen.
func TestGroupWaveFor(t *testing.T) {
	t.Parallel()
	table := chunkTableBytes(1)
	for _, tc := range []struct {
		budget  int64
		workers int
		want    int
	}{
		{64 << 20, 2, groupWaveLen * 2},                   // room for 2 tables in all: the least
		{4 * 5 * 2 * table, 2, 5 * 2},                     // room for 5 per worker
		{4 * 5 * 3 * table, 3, 5 * 3},                     // the same with 3 workers
		{1 << 40, 2, maxGroupWaveLen * 2},                 // the most
		{4 * maxGroupWaveLen * table, 1, maxGroupWaveLen}, // just the most, one worker
		{0, 8, groupWaveLen * 8},                          // no room: the least
	} {
		if got := groupWaveFor(tc.budget, table, tc.workers); got != tc.want {
			t.Errorf("groupWaveFor(%d, %d, %d) = %d, want %d", tc.budget, table, tc.workers, got, tc.want)
		}
	}
}

// TestWindowAsm checks that the assembly's window adds, sums only
// (addWindowSumsAsm) and every aggregate (addWindowAllAsm), leave the
// window bit for bit as the Go loops do (counts, sums and extremes, ±0
// among the values), and the same offsets listed in the same order, for
// blocks of every length to 40 and a whole stage, over bases near both
// ends of the words and keys at the window's ends.
func TestWindowAsm(t *testing.T) {
	t.Parallel()
	requireAVX2(t)
	r := rand.New(rand.NewPCG(17, 17))
	negZero := math.Copysign(0, -1)
	lengths := []int{stageLen}
	for n := range 41 {
		lengths = append(lengths, n)
	}
	for _, sumsOnly := range []bool{true, false} {
		for _, base := range []uint64{0, 1 << 63, math.MaxUint64 - denseSpan + 1} {
			for _, n := range lengths {
				keys, vals := make([]uint64, n), make([]float64, n)
				for i := range keys {
					o := []uint64{0, denseSpan - 1, uint64(r.IntN(16)), uint64(r.IntN(denseSpan))}[r.IntN(4)]
					keys[i] = base + o
					vals[i] = []float64{r.NormFloat64() * 1e6, negZero, 0, 1e-300, math.Inf(1), math.Inf(-1), float64(r.IntN(3))}[r.IntN(7)]
					if o > 0 && o < 16 {
						// Zeros of both signs only: the first of equal
						// extremes is kept.
						vals[i] = []float64{negZero, 0}[r.IntN(2)]
					}
				}
				asm, loop := newChunkTable[float64](1), newChunkTable[float64](1)
				for _, c := range []*chunkTable[float64]{asm, loop} {
					c.sumsOnly = sumsOnly
					c.toWindow(base, base, false)
				}
				for range 2 {
					asm.addWindow(keys, base, vals, denseSpan-1, false)
					loop.addWindow(keys, base, vals, denseSpan-1, true)
				}
				asm.listUsed()
				loop.listUsed()
				for o := range denseSpan {
					a, l := asm.window[o], loop.window[o]
					same := a.count == l.count && math.Float64bits(a.sum) == math.Float64bits(l.sum)
					if !sumsOnly && a.count != 0 {
						same = same && math.Float64bits(a.min) == math.Float64bits(l.min) && math.Float64bits(a.max) == math.Float64bits(l.max)
					}
					if !same {
						t.Fatalf("sums only %v, base %#x, %d rows, offset %d: assembly %+v, Go %+v", sumsOnly, base, n, o, a, l)
					}
				}
				if !slices.Equal(asm.used, loop.used) {
					t.Fatalf("sums only %v, base %#x, %d rows: assembly lists %v, Go %v", sumsOnly, base, n, asm.used, loop.used)
				}
			}
		}
	}
}
