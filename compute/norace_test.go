//go:build !race

package compute_test

// raceEnabled reports a build with the race detector, whose instrumented
// loops make the largest tests run on less data.
const raceEnabled = false
