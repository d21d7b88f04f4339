package text

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/go-memmap/memmap/npyheader"
)

// csvOf makes rows of ten float columns in format, the benchmark workload.
func csvOf(rows int, format string) []byte {
	var b bytes.Buffer
	for i := range rows {
		for c := range 10 {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, format, float64(i*10+c)/7)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// discard is a RowSink that keeps nothing.
type discard struct{}

func (discard) Begin(_ npyheader.DType, _ []int) error { return nil }
func (discard) WriteRows(_ []byte, _ int) error        { return nil }

// BenchmarkLoadCSV reads floats as %.6g writes them (the fast path) and
// as np.savetxt's default %.18e does (through strconv).
func BenchmarkLoadCSV(b *testing.B) {
	for _, format := range []string{"%.6g", "%.18e"} {
		b.Run(format, func(b *testing.B) {
			data := csvOf(20000, format)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(bytes.NewReader(data), discard{}, WithDelimiter(",")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseAllocatesNothingPerRow parses a block twice with one parser:
// the second time, with its buffers grown, it must not allocate at all.
func TestParseAllocatesNothingPerRow(t *testing.T) {
	o := defaultLoadOptions()
	o.delimiter = ','
	o.quote = '"'
	lay, err := newLayout(mustDescr(t, "[('a', '<f8'), ('b', '<i8'), ('c', '<U4'), ('d', '<c16')]"), nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := newParser(&o, lay)
	var in bytes.Buffer
	for i := range 1000 {
		fmt.Fprintf(&in, "%g,%d,\"x,%d\",%d+1j # c\n", float64(i)/3, i, i%10, i)
	}
	b := &block{data: in.Bytes(), firstLine: 1}
	p.parse(b)
	if b.err != nil || b.rows != 1000 {
		t.Fatalf("parsed %d rows: %v", b.rows, b.err)
	}
	if n := testing.AllocsPerRun(5, func() { p.parse(b) }); n != 0 {
		t.Errorf("parsing 1000 rows allocated %v times", n)
	}
}
