package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/go-memmap/memmap/mmarray"
)

// runRecover repairs an .npy file that an append left unfinished
// (mmarray.Recover) and prints what it did on one line.
func runRecover(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("recover", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	names, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	path, err := oneFile("recover", names)
	if err != nil {
		return err
	}
	r, err := mmarray.Recover(path)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, r)
	return err
}
