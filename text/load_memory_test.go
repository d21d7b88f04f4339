package text

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"testing"

	"github.com/go-memmap/memmap/npyheader"
)

// rowReader generates rows of three numbers as they are read, so that a
// large input takes no memory of its own.
type rowReader struct {
	row, rows int
	buf       []byte
	pending   []byte // the unread end of buf
}

func (r *rowReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pending) == 0 {
			if r.row == r.rows {
				return n, io.EOF
			}
			b := strconv.AppendInt(r.buf[:0], int64(r.row), 10)
			b = append(b, ".25,"...)
			b = strconv.AppendInt(b, int64(r.row%1000), 10)
			b = append(b, ",\""...)
			b = strconv.AppendInt(b, int64(-r.row), 10)
			r.buf = append(b, "\"\n"...)
			r.pending = r.buf
			r.row++
		}
		m := copy(p[n:], r.pending)
		r.pending = r.pending[m:]
		n += m
	}
	return n, nil
}

// countingSink counts rows and checks their order by the first column:
// rowReader's row i starts with i.25, read as a little-endian float64 of a
// record of three.
type countingSink struct {
	rows     int64
	disorder error // the first row out of order
}

func (s *countingSink) Begin(_ npyheader.DType, _ []int) error { return nil }
func (s *countingSink) WriteRows(records []byte, rows int) error {
	const recordSize = 3 * 8
	for r := range rows {
		first := math.Float64frombits(binary.LittleEndian.Uint64(records[r*recordSize:]))
		if want := float64(s.rows+int64(r)) + 0.25; first != want && s.disorder == nil {
			s.disorder = fmt.Errorf("row %d starts with %v, want %v", s.rows+int64(r), first, want)
		}
	}
	s.rows += int64(rows)
	return nil
}

// TestLoadMemoryIsBounded streams about 100 MiB of text through Load with a
// 4 MiB budget: blocks and records are reused, so that what Load allocates
// in all is a few budgets, not a fraction of the input. Not parallel:
// the count is the whole process's.
func TestLoadMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MiB")
	}
	const rows = 5_000_000
	const budget = 4 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var sink countingSink
	_, err := Load(&rowReader{rows: rows}, &sink, WithDelimiter(","), WithQuoteChar('"'), WithMemory(budget), WithWorkers(2))
	runtime.ReadMemStats(&after)
	if err != nil || sink.rows != rows || sink.disorder != nil {
		t.Fatalf("loaded %d rows: %v; %v", sink.rows, err, sink.disorder)
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("Load allocated %.1f MiB in all", float64(got)/(1<<20))
	if got > 4*budget {
		t.Errorf("Load allocated %d MiB in all for a %d MiB budget", got>>20, budget>>20)
	}
}
