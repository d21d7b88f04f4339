package text

import "github.com/go-memmap/memmap/internal/misuse"

// GenOption configures Genfromtxt and GenfromtxtFile: the options shared
// with Load (Option) and those named after np.genfromtxt's own keywords.
// A later option overrides an earlier one.
type GenOption interface{ applyGen(*genOptions) }

type genOptions struct {
	loadOptions
	infer          bool
	names          bool
	skipHeader     int
	skipFooter     int
	missing        []string
	filling        []string
	noInvalidRaise bool
	autostrip      bool
	usemask        bool
}

type genOptionFunc func(*genOptions)

func (f genOptionFunc) applyGen(o *genOptions) { f(o) }

// WithInferredDType infers each column's dtype from its values,
// np.genfromtxt's dtype=None: the first of bool ("true" or "false" in any
// case), int64, float64, complex128 and text that holds every value
// (missing values aside); text columns are S<n> (U<n> when a value is not
// latin-1, or when WithEncoding is given, as NumPy does), n the longest
// value. Columns of one type make a 2-D result, mixed types a structured
// one with fields f0, f1, ... (or the names of WithNames).
func WithInferredDType() GenOption {
	return genOptionFunc(func(o *genOptions) { o.infer = true })
}

// WithNames takes the field names from the first line that is not blank
// (after the skipped header), np.genfromtxt's names=True: the line may
// start with the comment marker. Names are cleaned as NumPy's
// NameValidator cleans them (spaces become _, characters such as
// ~!@#$%^&*()-=+|]}[{';:/?.>,<" are dropped, "return", "file" and "print"
// gain a _, an empty name becomes f0, f1, ..., a repeated one gains _1,
// _2, ...). The result is structured.
func WithNames() GenOption {
	return genOptionFunc(func(o *genOptions) { o.names = true })
}

// WithSkipHeader skips the first n lines, np.genfromtxt's skip_header. A
// negative n panics.
func WithSkipHeader(n int) GenOption {
	if n < 0 {
		misuse.Panicf("text: WithSkipHeader(%d): negative line count", n)
	}
	return genOptionFunc(func(o *genOptions) { o.skipHeader = n })
}

// WithSkipFooter drops the last n rows, np.genfromtxt's skip_footer
// (counting invalid rows as NumPy counts them). It cannot be used with
// WithMaxRows, as in NumPy: Genfromtxt panics. A negative n panics.
func WithSkipFooter(n int) GenOption {
	if n < 0 {
		misuse.Panicf("text: WithSkipFooter(%d): negative line count", n)
	}
	return genOptionFunc(func(o *genOptions) { o.skipFooter = n })
}

// WithMissingValues adds text that marks a value as missing in every
// column, np.genfromtxt's missing_values given as a string "a,b" (the empty
// field is always missing). A missing value takes its column's filling
// value and, with WithUseMask, is masked.
func WithMissingValues(values ...string) GenOption {
	vs := append([]string(nil), values...)
	return genOptionFunc(func(o *genOptions) { o.missing = vs })
}

// WithFillingValues sets the values that replace missing or invalid ones,
// np.genfromtxt's filling_values, written as text of the column's type
// ("0", "-999.5", "nan"): one value for every column (NumPy's scalar), or
// several for the first columns in order (NumPy's list). Without it the
// defaults are False, -1, nan, nan+0j; a text column keeps its text.
func WithFillingValues(values ...string) GenOption {
	vs := append([]string(nil), values...)
	return genOptionFunc(func(o *genOptions) { o.filling = vs })
}

// WithInvalidRaise says whether a row with the wrong number of columns is
// an error (true, the default, np.genfromtxt's invalid_raise=True) or is
// dropped (false).
func WithInvalidRaise(raise bool) GenOption {
	return genOptionFunc(func(o *genOptions) { o.noInvalidRaise = !raise })
}

// WithAutostrip strips white space around every value, np.genfromtxt's
// autostrip=True (text columns keep it otherwise).
func WithAutostrip() GenOption {
	return genOptionFunc(func(o *genOptions) { o.autostrip = true })
}

// WithUseMask makes Genfromtxt return a mask beside the data,
// np.genfromtxt's usemask=True: true where a value was missing.
func WithUseMask() GenOption {
	return genOptionFunc(func(o *genOptions) { o.usemask = true })
}
