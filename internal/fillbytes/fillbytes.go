// Package fillbytes fills bytes with copies of an item (a fill value), in
// pieces of at most a megabyte: a memmove cannot be preempted, and one
// over a large buffer not yet faulted in keeps the garbage collector's
// workers spinning for tens of milliseconds.
package fillbytes

// piece bounds one copy.
const piece = 1 << 20

// Items writes copies of item over dst, the first starting phase bytes
// into item: dst[i] is item[(phase+i)%len(item)]. An empty item writes
// zeros.
func Items(dst, item []byte, phase int) {
	if len(item) == 0 {
		for done := 0; done < len(dst); done += piece {
			clear(dst[done:min(done+piece, len(dst))])
		}
		return
	}
	phase %= len(item)
	n := copy(dst, item[phase:])
	n += copy(dst[n:], item[:phase])
	// dst[:n] is one whole item from phase on (or all of dst): doubling
	// copies of whole items keep the period.
	step := max(piece/len(item), 1) * len(item)
	for n < len(dst) {
		n += copy(dst[n:], dst[:min(n, step)])
	}
}
