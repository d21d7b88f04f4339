package npyheader

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-memmap/memmap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoldenFiles checks Parse against ../testdata/manifest.json, written
// from NumPy 1.24.2 by testdata/gen_golden.py.
func TestGoldenFiles(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "testdata")
	raw, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	require.NoError(t, err, "testdata/manifest.json is committed with the golden files")
	var entries []struct {
		File         string  `json:"file"`
		Descr        *string `json:"descr"`
		Shape        []int64 `json:"shape"` // int64: some malformed shapes do not fit a 32-bit int
		FortranOrder *bool   `json:"fortran_order"`
		Version      []uint8 `json:"version"`
		DataOffset   *int64  `json:"data_offset"`
		Error        *string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &entries))
	sentinels := map[string]error{
		"bad_magic": ErrBadMagic, "version": ErrVersion, "truncated": ErrTruncated,
		"header_too_large": ErrHeaderTooLarge, "syntax": ErrSyntax, "keys": ErrHeaderKeys,
		"shape": ErrShape, "fortran_order": ErrFortranOrder, "descr": ErrDescr, "too_large": memmap.ErrTooLarge,
	}
	for _, e := range entries {
		t.Run(e.File, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(root, e.File))
			require.NoError(t, err)
			h, err := Parse(b)
			cat := ""
			if e.Error != nil {
				cat = *e.Error
			}
			if want, ok := sentinels[cat]; ok {
				require.Error(t, err)
				assert.ErrorIs(t, err, want)
				if cat != "header_too_large" {
					return
				}
				// Well-formed but large: it parses with a larger limit.
				h, err = Parse(b, WithMaxHeaderSize(1<<20))
			}
			require.NoError(t, err)
			if e.Descr != nil {
				assert.Equal(t, *e.Descr, h.DType.String())
			}
			if e.Shape != nil {
				shape := make([]int64, len(h.Shape))
				for i, d := range h.Shape {
					shape[i] = int64(d)
				}
				assert.Equal(t, e.Shape, shape)
			}
			if e.FortranOrder != nil {
				assert.Equal(t, *e.FortranOrder, h.FortranOrder)
			}
			if e.Version != nil {
				assert.Equal(t, Version{e.Version[0], e.Version[1]}, h.Version)
			}
			if e.DataOffset != nil {
				assert.Equal(t, *e.DataOffset, h.DataOffset)
			}
			size, err := h.DataSize()
			require.NoError(t, err)
			switch cat {
			case "object":
				assert.ErrorIs(t, h.DType.CheckMappable(), ErrObjectDType)
			case "truncated_data":
				assert.Less(t, int64(len(b)), h.DataOffset+size)
			default:
				assert.NoError(t, h.DType.CheckMappable())
				assert.Equal(t, int64(len(b)), h.DataOffset+size, "file size")
			}
		})
	}
}
