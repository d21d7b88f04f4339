package compute

// WithRowChunkBytes sets the bytes of rows in a chunk of Filter, Where and
// Concatenate, so that tests over small files have many chunks.
func WithRowChunkBytes(n int) Option {
	return func(c *config) { c.rowChunk = n }
}
