package npyimage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-memmap/memmap/internal/npyimage"
	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/npyheader"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	require.Same(t, mmarray.ErrFileSize, npyimage.ErrFileSize, "one sentinel, exported by mmarray")
	header := func(descr string, shape ...int) npyheader.Header {
		dt, err := npyheader.ParseDescr(descr)
		require.NoError(t, err)
		return npyheader.Header{DType: dt, Shape: shape, DataOffset: 128}
	}
	for _, tc := range []struct {
		name      string
		h         npyheader.Header
		imageLen  int64
		wantBytes int64
		wantErr   error
	}{
		{"exact", header("<f8", 3, 4), 128 + 96, 96, nil},
		{"longer image", header("<f8", 3, 4), 1 << 20, 96, nil},
		{"empty array", header("<f8", 0, 4), 128, 0, nil},
		{"one byte short", header("<f8", 3, 4), 128 + 95, 0, mmarray.ErrFileSize},
		{"header past the image", header("|u1", 0), 127, 0, mmarray.ErrFileSize},
		{"object dtype", header("|O", 1), 1 << 20, 0, npyheader.ErrObjectDType},
	} {
		n, err := npyimage.Check(tc.h, tc.imageLen)
		if tc.wantErr != nil {
			require.ErrorIs(t, err, tc.wantErr, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.wantBytes, n, tc.name)
	}
}
