package codec

import (
	"fmt"
	"testing"
)

func TestDeflateCodecsInteroperateWithNumcodecs(t *testing.T) {
	t.Parallel()
	var cases []interopCase
	for _, id := range []string{"zlib", "gzip"} {
		for _, level := range []int{-1, 0, 1, 5, 9} {
			for _, size := range []int{0, 1, 7, 4096, 100003} {
				for _, kind := range []string{"smooth", "random"} {
					config := map[string]any{"id": id, "level": level}
					codec, err := FromConfig(config)
					if err != nil {
						t.Fatal(err)
					}
					cases = append(cases, interopCase{
						name:   fmt.Sprintf("%s level %d, %d bytes %s", id, level, size, kind),
						config: config, codec: codec, itemSize: 1, data: testData(kind, size),
						pythonEncodes: true, pythonDecodes: true,
					})
				}
			}
		}
	}
	checkInterop(t, cases)
}
