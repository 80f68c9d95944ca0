package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

// Random and malformed input for T15, from fixed seeds so that a failure
// reproduces.

var ws1Pieces = []string{
	"C", "E", "c", "e", ";", ";", ";;", ",", ",,", " ", "\t", "\r\n", "\x00", "\xff", "\xc3\x28", "é",
	"AUTH", "NOOP", "OPEN", "CLOSE", "SF", "SETFILTER", "CLRQ", "CLRQUEUE", "CHALLENGE", "VERSION", "VER",
	"COPYRIGHT", "INTERFACES", "WCYD", "0", "1", "255", "256", "65535", "65536", "4294967296", "-1", "0x", "0xFFFF",
	"0b101", "0o17", "1e3", "12abc", "-", "::", "FF:FF", "GG:01", "01::02", "{01:02", "0,10,6", "0,0,0,-",
	"2026-11-22T00:25:11Z", "2025-13-01T00:00:00Z", "2024-02-30", "0123456789ABCDEF0123456789ABCDEF",
	"%s", "%n", "\"", "{", "}", "[", "]", strings.Repeat("A", 40), strings.Repeat("9", 30),
}

// garbageWS1 returns n malformed or random ws1 messages.
func garbageWS1(n int) []string {
	r := rand.New(rand.NewPCG(1, 15))
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		switch r.IntN(4) {
		case 0: // a plausible prefix, then pieces
			b.WriteString([]string{"C;", "E;", "C;SF;", "C;AUTH;", "E;0,10,6,0,,0,", "C;OPEN;", " C ; "}[r.IntN(7)])
		case 1: // raw bytes
			k := 1 + r.IntN(40)
			for i := 0; i < k; i++ {
				b.WriteByte(byte(r.IntN(256)))
			}
		}
		k := r.IntN(12)
		for i := 0; i < k; i++ {
			b.WriteString(ws1Pieces[r.IntN(len(ws1Pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

var ws1Positive = regexp.MustCompile(`^\+;[^\r\n]*$`)
var ws1Negative = regexp.MustCompile(`^-;([\x21-\x3A\x3C-\x7E]{0,32});([0-9]+);(.*)$`)

// checkWS1Reply checks the documented ws1 reply forms (docs/protocols.md,
// error codes).
func checkWS1Reply(s string) error {
	if ws1Positive.MatchString(s) {
		return nil
	}
	m := ws1Negative.FindStringSubmatch(s)
	if m == nil {
		return errors.New("neither +;… nor -;<CMD>;<code>;<text>")
	}
	code, _ := strconv.Atoi(m[2])
	if code < 1 || code > 10 {
		return fmt.Errorf("code %d outside 1..10", code)
	}
	if m[3] != errText[code] {
		return fmt.Errorf("text %q, want %q for code %d", m[3], errText[code], code)
	}
	return nil
}

// garbageWS2 returns n malformed or random ws2 messages; messages whose
// type is "+" or "-" (ignored without a reply) are left out.
func garbageWS2(n int) []string {
	r := rand.New(rand.NewPCG(2, 15))
	types := []any{"CMD", "cmd", "C", "COMMAND", "E", "EVENT", "event", " c ", "XYZ", "", "VARIABLE", 5, nil, true, []any{}, map[string]any{}}
	cmds := []any{"NOOP", "noop", "AUTH", "OPEN", "CLOSE", "SF", "SETFILTER", "CLRQ", "CHALLENGE", "VERSION", "COPYRIGHT", "FOO", "", " ", 7, nil, strings.Repeat("X", 40), "\u00e9"}
	vals := []any{nil, 0, -1, 1.5, 1e300, "x", "", "0x0A", "-", "0,1,2", []any{1, "2", -3}, []any{256}, map[string]any{}, true, strings.Repeat("9", 25)}
	keys := []string{"vscpHead", "head", "vscpClass", "class", "vscpType", "type", "vscpObId", "vscpDateTime", "dateTime", "datetime", "timestamp", "timestamp_ns", "vscpGuid", "guid", "vscpData", "data", "note",
		"filter_class", "mask_class", "filter_guid", "mask_priority", "iv", "crypto"}
	obj := func(k int) map[string]any {
		m := map[string]any{}
		for i := 0; i < k; i++ {
			m[keys[r.IntN(len(keys))]] = vals[r.IntN(len(vals))]
		}
		return m
	}
	out := make([]string, 0, n)
	for len(out) < n {
		var msg string
		switch r.IntN(5) {
		case 0, 1: // a well-formed object with random members
			m := map[string]any{"type": types[r.IntN(len(types))]}
			if r.IntN(4) > 0 {
				m["command"] = cmds[r.IntN(len(cmds))]
			}
			switch r.IntN(3) {
			case 0:
				m["args"] = obj(r.IntN(5))
			case 1:
				m["event"] = obj(r.IntN(8))
			default:
				m["args"] = vals[r.IntN(len(vals))]
			}
			b, _ := json.Marshal(m)
			msg = string(b)
		case 2: // truncated or corrupted JSON
			b, _ := json.Marshal(map[string]any{"type": "CMD", "command": cmds[r.IntN(len(cmds))], "args": obj(3)})
			cut := r.IntN(len(b) + 1)
			msg = string(b[:cut])
			if r.IntN(2) == 0 {
				msg += ws1Pieces[r.IntN(len(ws1Pieces))]
			}
		case 3: // random bytes
			k := r.IntN(60)
			bs := make([]byte, k)
			for i := range bs {
				bs[i] = byte(r.IntN(256))
			}
			msg = string(bs)
		default: // other JSON values
			msg = []string{"null", "1", "\"CMD\"", "[]", "{}", "[{\"type\":\"CMD\"}]", "{\"type\":\"CMD\"} x", "{\"type\":\"CMD\",\"command\":\"NOOP\",}", "{\"type\":\"CMD\",\"type\":7}", "{'type':'CMD'}"}[r.IntN(10)]
		}
		if ignoredWS2(msg) {
			continue
		}
		out = append(out, msg)
	}
	return out
}

// ignoredWS2 reports whether msg is an object whose type is "+" or "-".
func ignoredWS2(msg string) bool {
	var m map[string]any
	if json.Unmarshal([]byte(msg), &m) != nil {
		return false
	}
	s, ok := m["type"].(string)
	s = strings.Trim(s, " \t\r\n\v\f")
	return ok && (s == "+" || s == "-")
}

// checkWS2Reply checks the documented ws2 reply forms (docs/protocols.md,
// commands).
func checkWS2Reply(s string) error {
	v, err := decodeJSON(s)
	if err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return errors.New("not a JSON object")
	}
	typ, ok := m["type"].(string)
	if !ok {
		return errors.New(`no string "type"`)
	}
	if _, ok := m["command"].(string); !ok {
		return errors.New(`no string "command"`)
	}
	switch typ {
	case "+":
		if _, ok := m["args"]; !ok {
			return errors.New(`positive reply without "args"`)
		}
	case "-":
		n, ok := m["errcode"].(json.Number)
		if !ok {
			return errors.New("errcode not a number")
		}
		code, err := strconv.Atoi(string(n))
		if err != nil || code < 1 || code > 10 {
			return fmt.Errorf("errcode %v outside 1..10", n)
		}
		if m["errstr"] != errText[code] {
			return fmt.Errorf("errstr %q, want %q", m["errstr"], errText[code])
		}
	default:
		return fmt.Errorf("reply type %q", typ)
	}
	return nil
}
