package vscp

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// JSONFormat selects the key set of the JSON event object
// (ws2-event-format; the same selection applies to MQTT payloads).
type JSONFormat uint8

const (
	// JSONBoth emits the vscp* keys followed by the short keys (18 in all).
	JSONBoth JSONFormat = iota
	// JSONVSCP emits only the nine vscp* keys.
	JSONVSCP
	// JSONShort emits only the nine short keys.
	JSONShort
)

// ParseJSONFormat maps the configuration words "both", "vscp" and "short"
// (case-insensitive, trimmed) to a JSONFormat.
func ParseJSONFormat(word string) (JSONFormat, error) {
	w := trim(word)
	for f := JSONBoth; f <= JSONShort; f++ {
		if equalFoldASCII(w, f.String()) {
			return f, nil
		}
	}
	return JSONBoth, fmt.Errorf("invalid event format %s: want \"both\", \"vscp\" or \"short\"", quote(w))
}

// String returns the configuration word of f.
func (f JSONFormat) String() string {
	switch f {
	case JSONBoth:
		return "both"
	case JSONVSCP:
		return "vscp"
	case JSONShort:
		return "short"
	}
	return "JSONFormat(" + strconv.Itoa(int(f)) + ")"
}

// equalFoldASCII compares ASCII case-insensitively; strings.EqualFold would
// also fold Unicode (e.g. the Kelvin sign to "k"), which is not wanted here.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// lowerHex spells \u escapes the way encoding/json does.
const lowerHex = "0123456789abcdef"

// Key sets of the output object, in output order. Each key carries its
// opening quote, closing quote and colon so that the encoder copies one
// constant per field.
var (
	vscpKeys  = [9]string{`"vscpHead":`, `"vscpObId":`, `"vscpDateTime":`, `"vscpTimeStamp":`, `"vscpClass":`, `"vscpType":`, `"vscpGuid":`, `"vscpData":`, `"vscpNote":`}
	shortKeys = [9]string{`"head":`, `"obid":`, `"datetime":`, `"timestamp":`, `"class":`, `"type":`, `"guid":`, `"data":`, `"note":`}
)

// AppendEventJSON appends the compact JSON object of e with the key set
// selected by f. Integers are decimal, datetime and GUID use the ws1 event
// text forms, data is an array of decimal bytes ([] when empty, never base64
// or null) and the note is escaped without HTML escaping. An unknown format
// is treated as JSONBoth.
func AppendEventJSON(dst []byte, e *Event, f JSONFormat) []byte {
	dst = append(dst, '{')
	switch f {
	case JSONVSCP:
		dst = appendEventFields(dst, e, &vscpKeys)
	case JSONShort:
		dst = appendEventFields(dst, e, &shortKeys)
	default:
		dst = appendEventFields(dst, e, &vscpKeys)
		dst = append(dst, ',')
		dst = appendEventFields(dst, e, &shortKeys)
	}
	return append(dst, '}')
}

func appendEventFields(dst []byte, e *Event, keys *[9]string) []byte {
	dst = append(dst, keys[0]...)
	dst = strconv.AppendUint(dst, uint64(e.Head), 10)
	dst = append(dst, ',')
	dst = append(dst, keys[1]...)
	dst = strconv.AppendUint(dst, uint64(e.OBID), 10)
	dst = append(dst, ',')
	dst = append(dst, keys[2]...)
	dst = append(dst, '"')
	dst = e.DateTime.AppendText(dst) // digits, '-', 'T', ':', 'Z' only: nothing to escape
	dst = append(dst, '"', ',')
	dst = append(dst, keys[3]...)
	dst = strconv.AppendUint(dst, uint64(e.Timestamp), 10)
	dst = append(dst, ',')
	dst = append(dst, keys[4]...)
	dst = strconv.AppendUint(dst, uint64(e.Class), 10)
	dst = append(dst, ',')
	dst = append(dst, keys[5]...)
	dst = strconv.AppendUint(dst, uint64(e.Type), 10)
	dst = append(dst, ',')
	dst = append(dst, keys[6]...)
	dst = append(dst, '"')
	dst = e.GUID.AppendText(dst)
	dst = append(dst, '"', ',')
	dst = append(dst, keys[7]...)
	dst = append(dst, '[')
	for i, b := range e.Data {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendUint(dst, uint64(b), 10)
	}
	dst = append(dst, ']', ',')
	dst = append(dst, keys[8]...)
	return AppendJSONString(dst, e.Note)
}

// AppendJSONString appends s as a JSON string literal. It escapes what JSON
// requires (quote, backslash, control characters), plus U+2028/U+2029 so the
// text is also valid JavaScript, and replaces invalid UTF-8 with U+FFFD,
// matching encoding/json with SetEscapeHTML(false): '<', '>' and '&' are
// left alone.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0x0F])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[r&0x0F])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
