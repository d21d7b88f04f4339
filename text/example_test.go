package text_test

import (
	"fmt"
	"strings"

	"github.com/go-memmap/memmap/mmarray"
	"github.com/go-memmap/memmap/text"
)

func ExampleLoadArray() {
	csv := "# x, y\r\n1.5,2\r\n-inf,1e400\r\n"
	f, err := text.LoadArray(strings.NewReader(csv), text.WithDelimiter(","))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	a, err := mmarray.View[float64](f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Descr(), f.Shape(), a.At2(0, 0), a.At2(1, 0), a.At2(1, 1))
	// Output: <f8 [2 2] 1.5 -Inf +Inf
}

func ExampleLoad() {
	in := "a 1\nb 2\nc x\n"
	var sink text.MemorySink
	res, err := text.Load(strings.NewReader(in), &sink, text.WithUseCols(1))
	fmt.Println(res.Rows, len(sink.Data), err)
	// Output: 2 16 line 3, column 2: could not convert 'x' to float64: text: invalid value
}

func ExampleGenfromtxt() {
	csv := "# id, name, score\n1, ann, 2.5\n2, bob, N/A\n"
	res, err := text.Genfromtxt(strings.NewReader(csv),
		text.WithDelimiter(","), text.WithNames(), text.WithInferredDType(),
		text.WithAutostrip(), text.WithMissingValues("N/A"), text.WithUseMask())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Data.Close()
	defer res.Mask.Close()
	fmt.Println(res.Data.Descr(), res.Data.Shape())
	fmt.Println(res.Mask.Descr())
	// Output:
	// [('id', '<i8'), ('name', '|S3'), ('score', '<f8')] [2]
	// [('id', '|b1'), ('name', '|b1'), ('score', '|b1')]
}
