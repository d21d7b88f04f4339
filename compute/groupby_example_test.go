package compute_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/go-memmap/memmap/compute"
	"github.com/go-memmap/memmap/mmarray"
)

func ExampleGroupByString() {
	dir, err := os.MkdirTemp("", "compute-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// A table of sales: a structured .npy file, one record per sale.
	f, err := mmarray.Create(filepath.Join(dir, "sales.npy"), "[('country', 'S2'), ('amount', '<f8')]", []int{6})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rows, _ := mmarray.View[[]byte](f)
	country, _ := mmarray.Field[string](rows, "country")
	amount, _ := mmarray.Field[float64](rows, "amount")
	for i, s := range []struct {
		country string
		amount  float64
	}{{"US", 10}, {"FR", 4}, {"US", 2.5}, {"DE", math.NaN()}, {"FR", 6}, {"US", 1}} {
		country.Set1(s.country, i)
		amount.Set1(s.amount, i)
	}

	groups, err := compute.GroupByString(context.Background(), country, amount)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range groups.Groups {
		fmt.Printf("%s: count %d, sum %g, mean %g, min %g, max %g\n", g.Key, g.Count, g.Sum, g.Mean, g.Min, g.Max)
	}
	// The same groups as a structured .npy file NumPy loads.
	if err := groups.WriteNPY(filepath.Join(dir, "by_country.npy")); err != nil {
		log.Fatal(err)
	}
	// Output:
	// DE: count 0, sum 0, mean NaN, min NaN, max NaN
	// FR: count 2, sum 10, mean 5, min 4, max 6
	// US: count 3, sum 13.5, mean 4.5, min 1, max 10
}

func ExampleGroupByTime() {
	dir, err := os.MkdirTemp("", "compute-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	f, err := mmarray.Create(filepath.Join(dir, "events.npy"), "[('at', '<M8[s]'), ('bytes', '<i4')]", []int{5})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rows, _ := mmarray.View[[]byte](f)
	at, _ := mmarray.Field[mmarray.Datetime64](rows, "at")
	size, _ := mmarray.Field[int32](rows, "bytes")
	seconds, _ := mmarray.ParseTimeUnit("s")
	for i, e := range []struct {
		at    string
		bytes int32
	}{{"1969-12-31T23:59:59Z", 5}, {"2024-02-29T10:00:00Z", 100}, {"", 7}, {"2024-02-01T00:00:00Z", 50}, {"2024-03-01T00:00:00Z", 1}} {
		t := mmarray.Datetime64(mmarray.NaT)
		if e.at != "" {
			tm, _ := time.Parse(time.RFC3339, e.at)
			t, _ = seconds.Datetime(tm)
		}
		at.Set1(t, i)
		size.Set1(e.bytes, i)
	}

	// Per month, as at.astype("M8[M]") floors the times; NaT is dropped.
	groups, err := compute.GroupByTime(context.Background(), at, "M", size)
	if err != nil {
		log.Fatal(err)
	}
	months, _ := mmarray.ParseTimeUnit("M")
	for _, g := range groups.Groups {
		start, _ := months.Time(g.Key)
		fmt.Printf("%s: %d events, %g bytes, largest %d\n", start.Format("2006-01"), g.Count, g.Sum, g.Max)
	}
	fmt.Println("dropped:", groups.Dropped)
	// Output:
	// 1969-12: 1 events, 5 bytes, largest 5
	// 2024-02: 2 events, 150 bytes, largest 100
	// 2024-03: 1 events, 1 bytes, largest 1
	// dropped: 1
}

func ExampleWithAggregates() {
	dir, err := os.MkdirTemp("", "compute-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// Two columns: a store's id and the amount of a sale there.
	kf, err := mmarray.Create(filepath.Join(dir, "store.npy"), "<i8", []int{6})
	if err != nil {
		log.Fatal(err)
	}
	defer kf.Close()
	vf, err := mmarray.Create(filepath.Join(dir, "amount.npy"), "<f8", []int{6})
	if err != nil {
		log.Fatal(err)
	}
	defer vf.Close()
	store, _ := mmarray.View[int64](kf)
	amount, _ := mmarray.View[float64](vf)
	for i, s := range []struct {
		store  int64
		amount float64
	}{{7, 10}, {3, 4}, {7, 2.5}, {5, math.NaN()}, {3, 6}, {7, 1}} {
		store.Set1(s.store, i)
		amount.Set1(s.amount, i)
	}

	// df.groupby("store")["amount"].sum(): sums only, the other fields
	// zero, and a file with the key and sum fields only.
	groups, err := compute.GroupBy(context.Background(), store, amount, compute.WithAggregates(compute.GroupSum))
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range groups.Groups {
		fmt.Printf("store %d: sum %g (count %d, max %g)\n", g.Key, g.Sum, g.Count, g.Max)
	}
	if err := groups.WriteNPY(filepath.Join(dir, "sums.npy")); err != nil {
		log.Fatal(err)
	}
	sums, err := mmarray.Open(filepath.Join(dir, "sums.npy"), mmarray.ReadOnly)
	if err != nil {
		log.Fatal(err)
	}
	defer sums.Close()
	fmt.Println(sums.DType())
	// Output:
	// store 3: sum 10 (count 0, max 0)
	// store 5: sum 0 (count 0, max 0)
	// store 7: sum 13.5 (count 0, max 0)
	// [('key', '<i8'), ('sum', '<f8')]
}
