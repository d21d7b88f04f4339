package codec

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// bloscCase is one chunk of the Blosc interop test.
type bloscCase struct {
	size, clevel int
	kind         string
}

func TestBloscInteroperatesWithNumcodecs(t *testing.T) {
	t.Parallel()
	var cases []interopCase
	for _, cname := range []string{"lz4", "zstd", "zlib", "lz4hc", "blosclz"} {
		for _, shuffle := range []Shuffle{NoShuffle, ByteShuffle, BitShuffle} {
			for _, typesize := range []int{1, 2, 4, 8, 16} {
				for _, b := range []bloscCase{
					{0, 5, "smooth"}, {typesize, 5, "smooth"}, {7 * typesize, 5, "smooth"},
					{1001 * typesize, 5, "smooth"}, {1001*typesize + 3, 5, "smooth"},
					{300000 / typesize * typesize, 1, "smooth"}, {300000 / typesize * typesize, 5, "random"},
					{300000 / typesize * typesize, 5, "walk"},
					{80000 / typesize * typesize, 9, "periodic"}, {5000 * typesize, 0, "small"},
					{40000 / typesize * typesize, 3, "small"},
				} {
					config := map[string]any{"id": "blosc", "cname": cname, "clevel": b.clevel, "shuffle": int(shuffle), "blocksize": 0}
					cases = append(cases, bloscInteropCase(t, config, typesize, b))
				}
			}
		}
	}
	// Blocks of a set size, and the automatic shuffle.
	for _, config := range []map[string]any{
		{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 4096},
		{"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 2, "blocksize": 100},
		{"id": "blosc", "cname": "blosclz", "clevel": 5, "shuffle": 1, "blocksize": 70000},
		{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": -1, "blocksize": 0},
	} {
		for _, typesize := range []int{1, 8} {
			cases = append(cases, bloscInteropCase(t, config, typesize, bloscCase{200000, 5, "smooth"}))
		}
	}
	// zarr's default compressor on an 8 MiB chunk of float64.
	cases = append(cases, bloscInteropCase(t, map[string]any{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
		8, bloscCase{8 << 20, 5, "smooth"}))
	theirs := checkInterop(t, cases)
	compared := 0
	for i, c := range cases {
		if theirs[i] == nil || c.decodeOnly {
			continue
		}
		ours, _ := c.codec.Encode(nil, c.data, c.itemSize)
		// Inner LZ4 is the reference encoder, and a memcpyed chunk has
		// nothing left to choose: the bytes must be numcodecs' own. For
		// the others, the header's settings must be.
		memcpyed := theirs[i][2]&bloscFlagMemcpyed != 0
		compared++
		switch {
		case c.config["cname"] == "lz4" || memcpyed:
			if !sameBloscChunk(ours, theirs[i], len(c.data)) {
				t.Errorf("%s: our encoding (%d bytes, header % x) differs from numcodecs' (%d bytes, header % x)",
					c.name, len(ours), ours[:16], len(theirs[i]), theirs[i][:16])
			}
		case ours[2]&bloscFlagMemcpyed == 0:
			if string(ours[:12]) != string(theirs[i][:12]) {
				t.Errorf("%s: our header % x, numcodecs' % x", c.name, ours[:12], theirs[i][:12])
			}
		}
	}
	t.Logf("%d cases, %d encodings compared with numcodecs'", len(cases), compared)
}

// sameBloscChunk says whether two valid Blosc chunks of size bytes hold
// the same header and the same blocks: c-blosc's threads write the blocks in
// the order they finish, so their order and offsets may differ.
func sameBloscChunk(a, b []byte, size int) bool {
	if len(a) != len(b) || string(a[:16]) != string(b[:16]) {
		return false
	}
	if a[2]&bloscFlagMemcpyed != 0 || size == 0 {
		return string(a) == string(b)
	}
	blocksA, blocksB := bloscBlocks(a, size), bloscBlocks(b, size)
	for j := range blocksA {
		if string(blocksA[j]) != string(blocksB[j]) {
			return false
		}
	}
	return true
}

// bloscBlocks are the stored bytes of each block of a valid Blosc chunk.
func bloscBlocks(chunk []byte, size int) [][]byte {
	typesize := int(chunk[3])
	blocksize := int(binary.LittleEndian.Uint32(chunk[8:]))
	nblocks := (size + blocksize - 1) / blocksize
	blocks := make([][]byte, nblocks)
	for j := range blocks {
		bsize := min(blocksize, size-j*blocksize)
		nsplits := 1
		if chunk[2]&bloscFlagDontSplit == 0 && typesize <= 16 && bsize/typesize >= 128 && bsize == blocksize {
			nsplits = typesize
		}
		start := int(binary.LittleEndian.Uint32(chunk[16+4*j:]))
		end := start
		for range nsplits {
			end += 4 + int(binary.LittleEndian.Uint32(chunk[end:]))
		}
		blocks[j] = chunk[start:end]
	}
	return blocks
}

func bloscInteropCase(t *testing.T, config map[string]any, typesize int, b bloscCase) interopCase {
	t.Helper()
	c := map[string]any{}
	for k, v := range config {
		c[k] = v
	}
	c["clevel"] = b.clevel
	codec, err := FromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	return interopCase{
		name:   fmt.Sprintf("%v, typesize %d, %d bytes %s", c, typesize, b.size, b.kind),
		config: c, codec: codec, itemSize: typesize, data: testData(b.kind, b.size),
		pythonEncodes: b.size%typesize == 0, pythonDecodes: b.size > 0,
		decodeOnly: c["cname"] == "blosclz",
	}
}

// TestLZ4HCSearchesAsDeepAsLZ4HC checks the high compression encoder's
// search depth at each clevel against LZ4HC's (the nbSearches of
// lz4hc.c's clTable, LZ4 1.9.3 as c-blosc 1.21 bundles it, which
// c-blosc's clevel indexes): a deeper search compresses little better and
// is hundreds of times slower on data of few distinct bytes.
func TestLZ4HCSearchesAsDeepAsLZ4HC(t *testing.T) {
	t.Parallel()
	lz4hcSearches := []int{1: 2, 2: 2, 3: 4, 4: 8, 5: 16, 6: 32, 7: 64, 8: 128, 9: 256}
	for clevel := 1; clevel <= 9; clevel++ {
		if got := int(lz4hcDepth(clevel)); got != lz4hcSearches[clevel] {
			t.Errorf("clevel %d: depth %d, LZ4HC searches %d", clevel, got, lz4hcSearches[clevel])
		}
	}
}
