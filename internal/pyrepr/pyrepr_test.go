package pyrepr_test

import (
	"encoding/hex"
	"testing"

	"github.com/go-memmap/memmap/internal/numpytest"
	"github.com/go-memmap/memmap/internal/pyrepr"
)

// Python's own repr is the oracle, run at test time.
func TestMatchesPythonRepr(t *testing.T) {
	t.Parallel()
	texts := []string{
		"", "abc", "it's", `a"b`, `a'b"c`, `\`, "\t\n\r", "\x00\x1f\x7f",
		"é名前", "\u00a0\u00ad", "\u200b\u2028", "\U000e0001", "😀", "\ufffd",
		"\u0085\u009f", "'\"", "x\x01y",
	}
	blobs := [][]byte{
		nil, []byte("abc"), []byte("it's"), []byte(`a'b"c`), {0, 0x1f, 0x7f, 0x80, 0xff},
		[]byte("\t\n\r\\"), []byte("é"),
	}
	in := struct {
		Texts []string `json:"texts"`
		Blobs []string `json:"blobs"`
	}{Texts: texts}
	for _, b := range blobs {
		in.Blobs = append(in.Blobs, hex.EncodeToString(b))
	}
	var want struct {
		Texts []string `json:"texts"`
		Blobs []string `json:"blobs"`
	}
	numpytest.RunJSON(t, `
q = json.load(sys.stdin)
json.dump({"texts": [repr(s) for s in q["texts"]],
           "blobs": [repr(bytes.fromhex(b)) for b in q["blobs"]]}, sys.stdout)
`, in, &want)
	for i, s := range texts {
		if got := pyrepr.Str(s); got != want.Texts[i] {
			t.Errorf("Str(%q) = %s, Python's repr is %s", s, got, want.Texts[i])
		}
		if got := string(pyrepr.AppendStr([]byte("x="), s)); got != "x="+want.Texts[i] {
			t.Errorf("AppendStr(x=, %q) = %s", s, got)
		}
	}
	for i, b := range blobs {
		if got := string(pyrepr.AppendBytes(nil, b)); got != want.Blobs[i] {
			t.Errorf("AppendBytes(%q) = %s, Python's repr is %s", b, got, want.Blobs[i])
		}
	}
}
