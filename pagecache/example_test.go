package pagecache_test

import (
	"fmt"
	"log"
	"os"

	"github.com/go-memmap/memmap/pagecache"
)

func ExampleMap() {
	f, err := os.CreateTemp("", "pagecache-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close() // after m.Close: the mapping uses the file

	if _, err := f.WriteString("hello, mapped world"); err != nil {
		log.Fatal(err)
	}

	// Map 6 bytes at the unaligned offset 7, writably.
	m, err := pagecache.Map(f, 7, 6, pagecache.ReadWrite)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%d bytes, %v)\n", m.Bytes(), m.Len(), m.Access())

	copy(m.Bytes(), "MAPPED")
	if err := m.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := m.Close(); err != nil {
		log.Fatal(err)
	}

	data, err := os.ReadFile(f.Name())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(data))
	// Output:
	// mapped (6 bytes, ReadWrite)
	// hello, MAPPED world
}
