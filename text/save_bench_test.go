package text

import (
	"io"
	"testing"
)

// BenchmarkSave writes 100,000 rows of 10 float64 columns to io.Discard
// with np.savetxt's default %.18e and with %g.
func BenchmarkSave(b *testing.B) {
	const rows, cols = 100000, 10
	a := newArray[float64](b, "<f8", rows, cols)
	for i := range rows {
		for j := range cols {
			a.Set2(float64(i)*1.000001+float64(j)/7, i, j)
		}
	}
	for _, format := range []string{"%.18e", "%g"} {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(rows * cols * 8)
			b.ReportAllocs()
			for b.Loop() {
				if err := Save(io.Discard, a, WithFmt(format)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
