package bytesize_test

import (
	"strings"
	"testing"

	"github.com/go-memmap/memmap/internal/bytesize"
)

func TestParse(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"4GiB":       4 << 30,
		"4gib":       4 << 30,
		"512MiB":     512 << 20,
		"256MiB":     256 << 20,
		"1e9":        1_000_000_000,
		"1E9":        1_000_000_000,
		"1.5G":       3 << 29,
		"2GB":        2_000_000_000,
		"100 KiB":    100 << 10,
		"1073741824": 1 << 30,
		"8KiB":       8 << 10,
		"1TiB":       1 << 40,
		" 16M ":      16 << 20,
		"2.5e3MB":    2_500_000_000,
		"1.5":        1, // a fraction of a byte is dropped
		"64mib":      64 << 20,
	}
	for in, want := range good {
		got, err := bytesize.Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "4 parsecs", "-1GiB", "0", "0.5", "1e30EiB", "8EiB", "1e19", "NaN", "4GiBs", "1e", "e9", "--1"} {
		got, err := bytesize.Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "\""+in+"\"") || strings.Contains(msg, "\n") {
			t.Errorf("Parse(%q): error %q does not quote the input on one line", in, msg)
		}
	}
}
