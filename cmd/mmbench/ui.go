package main

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// ui writes progress bars and messages to stderr, and only when stderr is a
// terminal, so that redirected output holds just the table (on stdout) and
// errors.
type ui struct {
	w io.Writer // nil: quiet
}

func newUI(stderr io.Writer) *ui {
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &ui{w: stderr}
	}
	return &ui{}
}

func (u *ui) printf(format string, args ...any) {
	if u.w != nil {
		fmt.Fprintf(u.w, format, args...)
	}
}

// bar is a progress bar, or nothing when the ui is quiet. Its methods are
// safe for concurrent use (progressbar locks).
type bar struct{ pb *progressbar.ProgressBar }

func (u *ui) bar(total int64, description string) *bar {
	if u.w == nil {
		return &bar{}
	}
	return &bar{pb: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(u.w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100e6),
		progressbar.OptionClearOnFinish(),
	)}
}

// countBar counts runs rather than bytes.
func (u *ui) countBar(total int, description string) *bar {
	if u.w == nil {
		return &bar{}
	}
	return &bar{pb: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(u.w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *bar) add(n int) {
	if b.pb != nil {
		b.pb.Add(n)
	}
}

func (b *bar) describe(s string) {
	if b.pb != nil {
		b.pb.Describe(s)
	}
}

func (b *bar) finish() {
	if b.pb != nil {
		b.pb.Finish()
	}
}
