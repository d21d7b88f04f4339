package compute

// WithGroupMemory exports withGroupMemory to the tests of package
// compute_test, which make group-bys spill with a tiny budget.
var WithGroupMemory = withGroupMemory
