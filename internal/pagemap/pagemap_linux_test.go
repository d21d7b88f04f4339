package pagemap

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestPresent(t *testing.T) {
	const pages = 8
	ps := unix.Getpagesize()
	b, err := unix.Mmap(-1, 0, pages*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	require.NoError(t, err)
	defer unix.Munmap(b)
	n, err := Present(b)
	require.NoError(t, err)
	require.Zero(t, n, "fresh anonymous pages")
	b[0], b[3*ps+5], b[pages*ps-1] = 1, 1, 1
	n, err = Present(b)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, err = Present(b[3*ps+5 : 3*ps+6])
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = Present[byte](nil)
	require.NoError(t, err)
	require.Zero(t, n)
}
