package vscp

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrEmpty is returned by ParseNumber for empty or blank input. The grammar
// calls this "absent" and leaves its meaning to each field rule (0 for most,
// an error for the head/class/type of a ws1 event), so callers test for it
// with errors.Is.
var ErrEmpty = errors.New("empty")

// Widths of the numeric fields, used as the max argument of ParseNumber.
const (
	MaxU8  = math.MaxUint8
	MaxU16 = math.MaxUint16
	MaxU32 = math.MaxUint32
	MaxU64 = math.MaxUint64
)

// isSpace reports whether c is one of the ASCII whitespace bytes that
// trimming removes. strings.TrimSpace is not used because it also strips
// Unicode spaces such as U+00A0, which the grammars must reject.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\v', '\f':
		return true
	}
	return false
}

// trim strips leading and trailing ASCII whitespace.
func trim(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// hexVal returns the value of a hex digit, or 0xFF for any other byte.
func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0xFF
}

// quote renders untrusted input for an error message, shortened so a hostile
// megabyte-long token cannot blow up a log line.
func quote(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

// ParseNumber parses s in the number grammar after trimming ASCII whitespace:
// decimal (leading zeros allowed, "017" is 17), or hex/octal/binary with a
// 0x/0o/0b prefix in either case. There is no sign, no digit separator and no
// partial parse. A value above max is an error; empty or blank input returns
// ErrEmpty.
func ParseNumber(s string, max uint64) (uint64, error) {
	t := trim(s)
	if t == "" {
		return 0, ErrEmpty
	}
	base := uint64(10)
	digits := t
	if len(t) >= 2 && t[0] == '0' {
		switch t[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			digits = t[2:]
			if digits == "" {
				return 0, fmt.Errorf("invalid number %s: no digits after the %q prefix", quote(t), t[:2])
			}
		}
	}
	var v uint64
	overflow := false
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		d := uint64(hexVal(c))
		if d >= base {
			return 0, fmt.Errorf("invalid number %s: unexpected %q", quote(t), c)
		}
		if overflow {
			continue // keep scanning: a syntax error is the better message
		}
		if v > (math.MaxUint64-d)/base {
			overflow = true
			continue
		}
		v = v*base + d
	}
	if overflow || v > max {
		return 0, fmt.Errorf("value %s exceeds %d", shorten(t), max)
	}
	return v, nil
}

// shorten limits already validated (hence printable) number text for error
// messages without adding quotes, so messages read "value 70000 exceeds 65535".
func shorten(s string) string {
	const limit = 40
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
