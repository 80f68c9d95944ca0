package vscp

import (
	"fmt"
	"strings"
)

// GUID is a 16-byte VSCP GUID, most significant byte first.
type GUID [16]byte

// guidTextLen is the length of the canonical "XX:XX:...:XX" form.
const guidTextLen = 16*3 - 1

const upperHex = "0123456789ABCDEF"

// IsZero reports whether all 16 bytes are zero, the value that asks for the
// interface GUID when a client sends it.
func (g GUID) IsZero() bool {
	return g == GUID{}
}

// String returns the canonical 47-character upper-case form
// "XX:XX:...:XX" used by every output of the driver.
func (g GUID) String() string {
	var buf [guidTextLen]byte
	return string(g.AppendText(buf[:0]))
}

// AppendText appends the canonical form of String to dst. It does not
// allocate when dst has room for 47 more bytes.
func (g GUID) AppendText(dst []byte) []byte {
	for i, b := range g {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, upperHex[b>>4], upperHex[b&0x0F])
	}
	return dst
}

// ParseGUID parses s in the GUID grammar after trimming ASCII whitespace. The
// accepted forms are "" and "-" (all zero), colon-separated groups
// (left-aligned, zero-filled), "::" (all 0xFF), "::" + groups (right-aligned,
// 0xFF-filled), "-:" + groups (right-aligned, zero-filled) and the 8-4-4-4-12
// UUID form, each optionally wrapped in one pair of braces.
func ParseGUID(s string) (GUID, error) {
	var g GUID
	t := trim(s)
	body := t
	open := strings.HasPrefix(body, "{")
	if open {
		body = body[1:]
	}
	close := strings.HasSuffix(body, "}")
	if close {
		body = body[:len(body)-1]
	}
	if open != close {
		return g, fmt.Errorf("invalid GUID %s: unbalanced brace", quote(t))
	}

	switch {
	case body == "" || body == "-":
		return g, nil
	case body == "::":
		for i := range g {
			g[i] = 0xFF
		}
		return g, nil
	case strings.HasPrefix(body, "::"):
		return parseRightAligned(t, body[2:], 0xFF)
	case strings.HasPrefix(body, "-:"):
		return parseRightAligned(t, body[2:], 0x00)
	case isUUIDShape(body):
		return parseUUID(t, body)
	}
	if _, err := parseGroups(t, body, &g); err != nil {
		return GUID{}, err
	}
	return g, nil
}

// parseRightAligned handles the vscpd 15.1 forms in which the given bytes are
// the least significant ones and the leading bytes are fill.
func parseRightAligned(whole, groups string, fill byte) (GUID, error) {
	var tmp GUID
	n, err := parseGroups(whole, groups, &tmp)
	if err != nil {
		return GUID{}, err
	}
	var g GUID
	for i := range 16 - n {
		g[i] = fill
	}
	copy(g[16-n:], tmp[:n])
	return g, nil
}

// isUUIDShape reports whether body has the length and dash positions of the
// 8-4-4-4-12 UUID form. Hex digits are checked by parseUUID so that a
// non-hex character gets a precise message.
func isUUIDShape(body string) bool {
	return len(body) == 36 && body[8] == '-' && body[13] == '-' && body[18] == '-' && body[23] == '-'
}

func parseUUID(whole, body string) (GUID, error) {
	var g GUID
	n := 0
	for i := 0; i < len(body); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		hi := hexVal(body[i])
		if hi == 0xFF {
			return GUID{}, fmt.Errorf("invalid GUID %s: unexpected %q in UUID form", quote(whole), body[i])
		}
		i++
		lo := hexVal(body[i])
		if lo == 0xFF {
			return GUID{}, fmt.Errorf("invalid GUID %s: unexpected %q in UUID form", quote(whole), body[i])
		}
		g[n] = hi<<4 | lo
		n++
	}
	return g, nil
}

// parseGroups decodes colon-separated groups into out from index 0 and
// returns the number of bytes written. Group sizes: 1–2 digits are one byte,
// 3–4 digits two bytes (left-padded), an even count of 6 or more is count/2
// bytes, an odd count of 5 or more is ambiguous and rejected.
func parseGroups(whole, groups string, out *GUID) (int, error) {
	n := 0
	rest := groups
	for idx := 1; ; idx++ {
		grp := rest
		end := strings.IndexByte(rest, ':')
		if end >= 0 {
			grp = rest[:end]
		}
		if grp == "" {
			return 0, fmt.Errorf("invalid GUID %s: group %d is empty", quote(whole), idx)
		}
		digits := grp
		if len(digits) >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') {
			digits = digits[2:]
			if digits == "" {
				return 0, fmt.Errorf("invalid GUID %s: group %d has no hex digits after 0x", quote(whole), idx)
			}
		}
		for i := 0; i < len(digits); i++ {
			if hexVal(digits[i]) == 0xFF {
				return 0, fmt.Errorf("invalid GUID %s: unexpected %q in group %d", quote(whole), digits[i], idx)
			}
		}
		nd := len(digits)
		var size int
		switch {
		case nd <= 2:
			size = 1
		case nd <= 4:
			size = 2
		case nd%2 == 1:
			return 0, fmt.Errorf("invalid GUID %s: group %d has an odd number (%d) of hex digits", quote(whole), idx, nd)
		default:
			size = nd / 2
		}
		if n+size > len(out) {
			return 0, fmt.Errorf("invalid GUID %s: more than 16 bytes", quote(whole))
		}
		// Left-pad to a whole number of bytes: "c" is 0x0C, "abc" is 0x0A 0xBC.
		pad := size*2 - nd
		for b := range size {
			var v byte
			for k := b * 2; k < b*2+2; k++ {
				v <<= 4
				if p := k - pad; p >= 0 {
					v |= hexVal(digits[p])
				}
			}
			out[n+b] = v
		}
		n += size
		if end < 0 {
			return n, nil
		}
		rest = rest[end+1:]
	}
}
