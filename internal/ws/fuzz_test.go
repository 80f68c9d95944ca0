package ws

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Every ws1 message gets exactly one reply of a documented form, and never a
// panic. The AUTH close that may follow a reply is a close frame, not a
// reply.
func FuzzWS1Message(f *testing.F) {
	for _, s := range []string{"C;NOOP", "C;AUTH;x;y", "E;0,10,6,0,,0,-,1,2", "C;SF;0,10,6,-;0,0xFFFF,0,-", "", "c", "E", "C;;;", "  C ; noop \r\n", "E;0,10,6,0,2024-02-30T00:00:00Z,0,-", "C;OPEN", "C;CLRQ"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	fx := newFixture(f, func(o *Options) { o.MaxAuthFailures = 0 })
	f.Fuzz(func(t *testing.T, msg string, loggedIn bool) {
		s := fx.sessionFor(t, protoWS1)
		if loggedIn {
			login(t, s, "admin")
		}
		got := send(s, msg)
		if len(got) != 1 {
			t.Fatalf("%q: %d replies", msg, len(got))
		}
		r := got[0]
		switch {
		case strings.HasPrefix(r, "+;"):
		case strings.HasPrefix(r, "-;"):
			parts := strings.SplitN(r, ";", 4)
			code, err := strconv.Atoi(parts[2])
			if len(parts) != 4 || err != nil || code < 1 || code > 10 || parts[3] != errorText[code] {
				t.Fatalf("%q: malformed negative reply %q", msg, r)
			}
		default:
			t.Fatalf("%q: reply %q", msg, r)
		}
		s.events.Clear()
	})
}

// Every ws2 message gets at most one reply (none only for "+"/"-"), a
// JSON object with a string "type".
func FuzzWS2Message(f *testing.F) {
	for _, s := range []string{`{"type":"CMD","command":"NOOP"}`, `{"type":"E","event":{"class":10,"type":6}}`, `hello`, `[1]`, `null`, `{"type":5}`, `{"type":"+"}`, `{"type":"CMD","command":"SF","args":{"filter_class":"0x0A"}}`, `{"type":"CMD","command":"AUTH","args":{"iv":"00","crypto":"11"}}`} {
		f.Add(s, true)
		f.Add(s, false)
	}
	fx := newFixture(f, func(o *Options) { o.MaxAuthFailures = 0 })
	f.Fuzz(func(t *testing.T, msg string, loggedIn bool) {
		s := fx.sessionFor(t, protoWS2)
		if loggedIn {
			login(t, s, "admin")
		}
		got := send(s, msg)
		if len(got) > 1 {
			t.Fatalf("%q: %d replies", msg, len(got))
		}
		for _, r := range got {
			var v map[string]json.RawMessage
			if err := json.Unmarshal([]byte(r), &v); err != nil {
				t.Fatalf("%q: reply %q is not a JSON object", msg, r)
			}
			var typ string
			if err := json.Unmarshal(v["type"], &typ); err != nil {
				t.Fatalf("%q: reply %q has no string type", msg, r)
			}
		}
		s.events.Clear()
	})
}
