package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isASCIISpace reports the ASCII whitespace that trimming removes:
// SP, HT, LF, VT, FF, CR. Unicode spaces are deliberately not included.
func isASCIISpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// trimASCII removes leading and trailing ASCII whitespace only.
func trimASCII(s string) string {
	start, end := 0, len(s)
	for start < end && isASCIISpace(s[start]) {
		start++
	}
	for end > start && isASCIISpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isHexDigit(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// allHex reports whether s is non-empty and consists of hex digits only.
func allHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

// jsonKind names the JSON type of raw for error messages ("string",
// "number", "bool", "null", "array", "object"), or "invalid JSON".
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "string"
	case '[':
		return "array"
	case '{':
		return "object"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "number"
	}
	return "invalid JSON"
}

// shortValue renders a JSON value for an error message, cut to a readable
// length so that a huge or hostile value cannot flood the log.
func shortValue(raw json.RawMessage) string {
	const limit = 64
	s := strings.TrimSpace(string(raw))
	if utf8.RuneCountInString(s) > limit {
		r := []rune(s)
		s = string(r[:limit]) + "…"
	}
	return s
}

// typeError is the uniform "wrong JSON type" error.
func typeError(want string, raw json.RawMessage) error {
	k := jsonKind(raw)
	if k == "null" || k == "bool" || k == "number" {
		return fmt.Errorf("expected %s, got %s %s", want, k, shortValue(raw))
	}
	return fmt.Errorf("expected %s, got %s", want, k)
}

// printableName makes an untrusted user name safe for a log line: at most
// 64 characters, every non-printable character or invalid byte replaced by
// '?'.
func printableName(s string) string {
	const limit = 64
	var b strings.Builder
	n := 0
	for len(s) > 0 && n < limit {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if r == utf8.RuneError && size <= 1 || !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// parseUintToken parses the narrow number form used by rights and allowed
// events: decimal digits, or "0x"/"0X" followed by hex digits, no sign, no
// inner spaces, at most max.
func parseUintToken(s string, max uint64) (uint64, bool) {
	base := uint64(10)
	digits := s
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base = 16
		digits = s[2:]
	}
	if digits == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d uint64
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d > max || v > (max-d)/base {
			return 0, false
		}
		v = v*base + d
	}
	return v, true
}
