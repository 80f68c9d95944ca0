package conformance

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// withUsers is the config override adding inline users (userids from 5).
func withUsers(us ...user) cfg {
	list := make([]any, len(us))
	for i, u := range us {
		list[i] = u
	}
	return cfg{"users": list}
}

func merge(a, b cfg) cfg {
	out := cfg{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestAuth covers the login, user and remote-address rules that are
// observable over the wire.
func TestAuth(t *testing.T) {
	cases := []namedCase{
		{"remotes", func(t *testing.T) {
			// Remote rules evaluated for peer 127.0.0.1.
			rules := []struct {
				remotes any
				allow   bool
			}{
				{"+192.168.0.0/16", false},
				{"-127.0.0.1", false},
				{[]string{"+127.0.0.0/8", "-127.0.0.1"}, false}, // last match wins
				{[]string{"-127.0.0.0/8", "+127.0.0.1"}, true},
				{"+10.0.0.0/8", false}, // no match, a + rule exists
				{"-10.0.0.0/8", true},  // no match, no + rule
				{"+::1", false},        // ::1 is not 127.0.0.1
				{"+127.1.2.3/8", true}, // host bits cleared
				{"+::ffff:127.0.0.1/128", true},
				{"", true},
				{"+10.0.0.0/8, +127.0.0.1", true},
				{[]string{"+10.0.0.0/8,+127.0.0.2", "+127.0.0.1/32"}, true},
			}
			var us []user
			for i, r := range rules {
				us = append(us, mkUser(fmt.Sprintf("r%d", i), "secret", "rights", "user", "remotes", r.remotes))
			}
			f := newFixture(t, withUsers(us...))
			for i, r := range rules {
				for _, proto := range []string{"ws1", "ws2"} {
					c := f.dial(proto)
					name := fmt.Sprintf("r%d:secret", i)
					switch {
					case proto == "ws1" && r.allow:
						c.send(c.authLine(name))
						if got := c.next(); !strings.HasPrefix(got, "+;AUTH1;") {
							t.Errorf("remotes %v: %s AUTH %q, want +;AUTH1", r.remotes, proto, got)
						}
					case proto == "ws1":
						if got := c.next2(c.authLine(name)); got != ws1Neg("AUTH", 5) {
							t.Errorf("remotes %v: %s AUTH %q, want code 5", r.remotes, proto, got)
						}
					case r.allow:
						if got := c.next2(c.ws2Auth(name)); got != plus("AUTH") {
							t.Errorf("remotes %v: %s AUTH %q, want +AUTH", r.remotes, proto, got)
						}
					default:
						if got := c.next2(c.ws2Auth(name)); got != minus("AUTH", 5) {
							t.Errorf("remotes %v: %s AUTH %q, want -AUTH/5", r.remotes, proto, got)
						}
					}
				}
			}
		}},
		{"ws_right_required", func(t *testing.T) {
			f := newFixture(t, withUsers(
				mkUser("w1", "secret", "rights", []string{"ws1"}),
				mkUser("web", "secret", "rights", "web"),
				mkUser("wsg", "secret", "rights", "websockets"),
			))
			c := f.ws1()
			got := c.login("w1")
			if fields := strings.Split(got, ";"); len(fields) != 12 || fields[8] != "0x2" {
				t.Fatalf("AUTH1 %q: want 12 fields with rights 0x2", got)
			}
			c.roundTrip("E;0,10,6,0,,0,-", ws1Neg("EVENT", 6))
			c = f.ws1()
			c.roundTrip(c.authLine("web:secret"), ws1Neg("AUTH", 5))
			c = f.ws2()
			c.rt2(c.ws2Auth("web:secret"), minus("AUTH", 5))
			c = f.ws1()
			if got := c.login("wsg"); strings.Split(got, ";")[8] != "0x170002" {
				t.Fatalf("AUTH1 %q: want rights 0x170002", got)
			}
		}},
		{"credential_forms", func(t *testing.T) {
			f := newFixture(t, merge(withUsers(mkUser("colon", "se:cret", "rights", "user")), cfg{"max-auth-failures": 0}))
			c := f.ws1()
			enc := func(plain []byte) string { return "C;AUTH;" + c.sid + ";" + encrypt(c.f.key, mustHex(c.sid), plain) }
			for _, bad := range []string{":secret", "admin", "admin:", "nouser:secret", "admin:Secret", "ADMIN:secret", " : "} {
				c.roundTrip(enc(zeroPad(bad)), ws1Neg("AUTH", 5))
				c.challenge()
			}
			// Invalid PKCS#7 padding is left in place, so the password differs.
			c.roundTrip(enc(append([]byte("admin:secret"), 3, 3, 3, 4)), ws1Neg("AUTH", 5))
			c.challenge()
			for _, good := range [][]byte{
				zeroPad(" admin : secret "),                   // trimmed
				zeroPad("colon:se:cret"),                      // split at the first ':'
				[]byte("admin:secret\x00garbage-after-nul!!"), // cut at NUL (32 bytes)
				spacePad("admin:secret"),
				pkcs7("user:secret"),
			} {
				c.send(enc(good))
				c.expectPrefix("+;AUTH1;")
			}
			c.roundTrip(enc(zeroPad("colon:se:cret")), "+;AUTH1;5;colon;********;;0,0,0,"+z16+";0,0,0,"+z16+";0x17007F;;;")
		}},
		{"sid_rotation_rules_ws1", func(t *testing.T) {
			c := newFixture(t, cfg{"max-auth-failures": 0}).ws1()
			s0 := c.sid
			same := func(when string, want string) {
				t.Helper()
				if got := c.challenge(); got != want {
					t.Fatalf("after %s: SID %s, want %s", when, got, want)
				}
			}
			c.roundTrip("C;AUTH", ws1Neg("AUTH", 1))
			same("a syntax failure", s0)
			c.roundTrip("C;AUTH;"+randomHex16()+";"+c.crypto("admin:secret"), ws1Neg("AUTH", 1))
			same("an iv ≠ SID failure", s0)
			same("CHALLENGE", s0)
			c.roundTrip("C;NOOP", "+;NOOP")
			same("NOOP", s0)
			c.login("admin")
			same("a successful AUTH", s0)
			c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			s1 := c.challenge()
			if s1 == s0 {
				t.Fatalf("SID not rotated by a code-5 failure")
			}
			c.roundTrip("C;AUTH;"+s1+";ABC", ws1Neg("AUTH", 1))
			same("a syntax failure", s1)
			c.roundTrip(c.authLine("nows:secret"), ws1Neg("AUTH", 5))
			if s2 := c.challenge(); s2 == s1 || s2 == s0 {
				t.Fatalf("SID not rotated by a no-ws-right failure")
			}
		}},
		{"sid_rotation_rules_ws2", func(t *testing.T) {
			c := newFixture(t, cfg{"max-auth-failures": 0}).ws2()
			s0 := c.sid
			c.rt2(cmd("AUTH", nil), minus("AUTH", 8))
			c.rt2(cmd("AUTH", map[string]string{"iv": c.sid, "crypto": "ABC"}), minus("AUTH", 8))
			if got := c.challenge(); got != s0 {
				t.Fatalf("SID changed by syntax failures: %s → %s", s0, got)
			}
			c.login("user")
			if got := c.challenge(); got != s0 {
				t.Fatalf("SID changed by a successful AUTH")
			}
			c.rt2(c.ws2Auth("user:wrong"), minus("AUTH", 5))
			if got := c.challenge(); got == s0 {
				t.Fatalf("SID not rotated by -AUTH/5")
			}
		}},
		{"max_auth_failures_counts_syntax_and_cred", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.roundTrip("C;AUTH", ws1Neg("AUTH", 1))
			c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			c.roundTrip("C;AUTH;"+c.sid+";ABC", ws1Neg("AUTH", 1))
			c.expectClose(websocket.ClosePolicyViolation, "too many authentication failures", frameTimeout)
			f.waitCounter("auth_closed", "1", func(v uint64) bool { return v == 1 })
			f.expectCounter("auth_failed", 3)
			c2 := f.ws2()
			c2.rt2(cmd("AUTH", nil), minus("AUTH", 8))
			c2.rt2(c2.ws2Auth("admin:wrong"), minus("AUTH", 5))
			c2.rt2(cmd("auth", map[string]any{"iv": 1}), minus("AUTH", 8))
			c2.expectClose(websocket.ClosePolicyViolation, "too many authentication failures", frameTimeout)
		}},
		{"max_auth_failures_5", func(t *testing.T) {
			c := newFixture(t, cfg{"max-auth-failures": 5}).ws1()
			for i := 0; i < 4; i++ {
				c.roundTrip("C;AUTH;x;y", ws1Neg("AUTH", 1))
			}
			c.noop()
			c.roundTrip("C;AUTH", ws1Neg("AUTH", 1))
			c.expectClose(websocket.ClosePolicyViolation, "too many authentication failures", frameTimeout)
		}},
		{"max_auth_failures_0_unlimited", func(t *testing.T) {
			c := newFixture(t, cfg{"max-auth-failures": 0}).ws1()
			for i := 0; i < 12; i++ {
				c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
				c.challenge()
			}
			c.login("admin")
		}},
		{"syntax_failure_keeps_login", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			c.roundTrip("C;AUTH;"+c.sid, ws1Neg("AUTH", 1))
			f.write(event70())
			c.expect(line70)
			c.roundTrip("C;SF;0,0,0,-;0,0,0,-", "+;SF")
		}},
		{"reauth_keeps_open_and_resets_filter", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			c.roundTrip("C;SF;0,20,0,-;0,0xFFFF,0,-", "+;SF")
			f.write(event70())
			f.settle()
			c.expectNothing(quiet)
			c.roundTrip(c.authLine("admin:secret"), adminAuth1)
			f.write(event70())
			c.expect(line70) // still OPEN, filter back to the user's (accept all)
		}},
		{"reauth_keeps_queue", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			f.write(event70())
			f.settle()
			c.roundTrip(c.authLine("user:secret"), userAuth1)
			c.roundTrip("C;OPEN", "+;OPEN")
			c.expect(line70)
		}},
		{"user_filter_applies_and_is_restored", func(t *testing.T) {
			f := newFixture(t, withUsers(mkUser("flt", "secret", "rights", "user/set-filter", "filter", "0,20,0,-", "mask", "0,0xFFFF,0,-")))
			c := f.ws1()
			got := c.login("flt")
			want := "+;AUTH1;5;flt;********;;0,20,0," + z16 + ";0,65535,0," + z16 + ";0x417007F;;;"
			if got != want {
				t.Fatalf("AUTH1 %q, want %q", got, want)
			}
			c.open()
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 1))
			c.expect("E;0,20,1,0,,0," + z16)
			c.expectNothing(quiet)
			c.roundTrip("C;SF;;", "+;SF") // accept all
			f.write(hostEvent(10, 6))
			c.expect("E;0,10,6,0,,0," + z16)
			c.roundTrip(c.authLine("flt:secret"), want)
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 2))
			c.expect("E;0,20,2,0,,0," + z16)
			c.expectNothing(quiet)
		}},
		{"failed_reauth_deauthenticates", func(t *testing.T) {
			f := newFixture(t, nil)
			a, b := f.ws1(), f.ws2()
			a.loginOpen("admin")
			b.loginOpen("admin")
			a.roundTrip(a.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			f.write(event70())
			b.expectJSON(frame48)
			b.rt2(ws2Event(map[string]any{"class": 10, "type": 6}), plus("EVENT"))
			a.expectNothing(quiet)
			a.roundTrip("C;OPEN", ws1Neg("OPEN", 5))
			a.roundTrip("E;0,10,6,0,,0,-", ws1Neg("EVENT", 5))
			a.roundTrip("C;CLRQ", ws1Neg("CLRQ", 5))
			a.roundTrip("C;SF;;", ws1Neg("SF", 5))
		}},
		{"failed_reauth_discards_queue", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			f.write(event70())
			f.settle()
			c.rt2(c.ws2Auth("admin:wrong"), minus("AUTH", 5))
			c.challenge()
			c.login("admin")
			c.rt2(cmd("OPEN", nil), plus("OPEN"))
			c.expectNothing(quiet)
			f.expectCounterAtLeast("session_discarded", 1)
		}},
		{"encryption_none", func(t *testing.T) {
			f := newFixture(t, cfg{"encryption": "none", "key-file": nil, "max-auth-failures": 0})
			c := f.ws1()
			hexOf := func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
			c.roundTrip("C;AUTH;"+c.sid+";"+encrypt(mustHex(keyK1), mustHex(c.sid), zeroPad("admin:secret")), ws1Neg("AUTH", 5))
			c.challenge()
			c.roundTrip("C;AUTH;"+c.sid+";ABC", ws1Neg("AUTH", 1))
			c.roundTrip("C;AUTH;"+c.sid+";"+hexOf([]byte("admin:secret")), adminAuth1)
			c.roundTrip("C;AUTH;"+c.sid+";"+hexOf(zeroPad("admin:secret")), adminAuth1)
			c.roundTrip("C;AUTH;"+c.sid+";"+strings.ToLower(hexOf(pkcs7("user:secret"))), userAuth1)
			c2 := f.ws2()
			c2.rt2(cmd("AUTH", map[string]string{"iv": c2.sid, "crypto": hexOf([]byte("admin:secret"))}), plus("AUTH"))
		}},
		{"aes256", func(t *testing.T) {
			key := keyK1 + "00112233445566778899AABBCCDDEEFF"
			f := newFixtureFiles(t, cfg{"encryption": "aes256", "key-file": "k256.key"}, map[string]string{"k256.key": key + "\n"})
			if len(f.key) != 32 {
				t.Fatalf("test key %d bytes", len(f.key))
			}
			c := f.ws1()
			c.roundTrip(c.authLine("admin:secret"), adminAuth1)
			c2 := f.ws1()
			c2.roundTrip("C;AUTH;"+c2.sid+";"+encrypt(mustHex(keyK1), mustHex(c2.sid), zeroPad("admin:secret")), ws1Neg("AUTH", 5))
			c3 := f.ws2()
			c3.login("admin")
		}},
		{"aes192", func(t *testing.T) {
			key := keyK1 + "0011223344556677"
			f := newFixtureFiles(t, cfg{"encryption": "AES192", "key-file": "k192.key"}, map[string]string{"k192.key": key})
			f.ws1().login("admin")
		}},
		{"long_key_file_first_bytes", func(t *testing.T) {
			var b strings.Builder
			b.WriteString(keyK1[:16] + "\n  " + keyK1[16:] + "\r\n")
			for i := 0; i < 240; i++ {
				fmt.Fprintf(&b, "%02x", i)
				if i%32 == 31 {
					b.WriteString("\n")
				}
			}
			f := newFixtureFiles(t, cfg{"key-file": "long.key"}, map[string]string{"long.key": b.String()})
			f.ws1().login("admin")
		}},
		{"bind_sid_false_replay", func(t *testing.T) {
			f := newFixture(t, cfg{"auth-bind-sid": false, "key-file": nil})
			c := f.ws1()
			c.roundTrip("C;AUTH;"+replayIV+";"+replayCrypto, adminAuth1)
			c2 := f.ws2()
			c2.rt2(`{"type":"cmd","command":"auth","args":{"iv":"`+replayIV+`","crypto":"`+replayCrypto+`"}}`, plus("AUTH"))
			// Any IV works, for clients that draw their own.
			c3 := f.ws1()
			iv := randomHex16()
			c3.roundTrip("C;AUTH;"+iv+";"+encrypt(mustHex(keyK2), mustHex(iv), zeroPad("user:secret")), userAuth1)
		}},
		{"bind_sid_true_rejects_replay", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil})
			c := f.ws1()
			c.roundTrip("C;AUTH;"+replayIV+";"+replayCrypto, ws1Neg("AUTH", 1))
			c.login("admin") // the default key K2 with the real SID
		}},
		{"multi_block_credentials", func(t *testing.T) {
			long := mkUser("averylongusername-0123456789", "averylongpassword-0123456789-xyz", "rights", "user")
			f := newFixture(t, withUsers(long))
			cred := "averylongusername-0123456789:averylongpassword-0123456789-xyz" // 61 bytes, 4 blocks
			c := f.ws1()
			c.send(c.authLine(cred))
			c.expectPrefix("+;AUTH1;5;averylongusername-0123456789;")
			c2 := f.ws1()
			c2.send("C;AUTH;" + strings.ToLower(c2.sid) + ";" + strings.ToLower(encrypt(f.key, mustHex(c2.sid), spacePad(cred))))
			c2.expectPrefix("+;AUTH1;5;")
			c3 := f.ws2()
			c3.rt2(cmd("AUTH", map[string]string{"iv": c3.sid, "crypto": encrypt(f.key, mustHex(c3.sid), pkcs7(cred))}), plus("AUTH"))
		}},
		{"crypto_length_limits", func(t *testing.T) {
			f := newFixture(t, cfg{"max-auth-failures": 0})
			c := f.ws1()
			plain := zeroPad("admin:secret")
			plain = append(plain, make([]byte, 512-len(plain))...)
			c.roundTrip("C;AUTH;"+c.sid+";"+encrypt(f.key, mustHex(c.sid), plain), adminAuth1) // 1024 hex digits
			plain = append(plain, make([]byte, 16)...)
			c.roundTrip("C;AUTH;"+c.sid+";"+encrypt(f.key, mustHex(c.sid), plain), ws1Neg("AUTH", 1)) // 1056
			c.roundTrip("C;AUTH;"+c.sid+";"+c.crypto("admin:secret")+"ABCD", ws1Neg("AUTH", 1))       // 36
			c.roundTrip("C;AUTH;"+c.sid[:30]+";"+c.crypto("admin:secret"), ws1Neg("AUTH", 1))         // short iv
		}},
		{"auth_extra_args_and_trimming", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.roundTrip("C;AUTH;"+c.sid+";"+c.crypto("admin:secret")+";extra;more", adminAuth1)
			c2 := f.ws2()
			c2.rt2(cmd("AUTH", map[string]string{"iv": " " + c2.sid + "\t", "crypto": " " + c2.crypto("admin:secret") + " "}), plus("AUTH"))
		}},
		{"auth1_reply_fields", func(t *testing.T) {
			note := "héllo; wörld: \"quoted\""
			u := mkUser("full", "secret",
				"fullname", "Full; Name\r\nX",
				"note", note,
				"events", []string{"0x14:*", " *:0x0A ", "30:9"},
				"remotes", []string{"+127.0.0.1", " -10.0.0.0/8 "},
				"rights", "user/set-filter",
				"filter", "1,20,3,-",
				"mask", "0,0xFFFF,0,FF:FF",
				"max-priority", 2)
			c := newFixture(t, withUsers(u)).ws1()
			want := "+;AUTH1;5;full;********;Full  Name  X;1,20,3," + z16 + ";0,65535,0,FF:FF:00:00:00:00:00:00:00:00:00:00:00:00:00:00" +
				";0x417007F;+127.0.0.1,-10.0.0.0/8;0014:*,*:000A,001E:0009;" + b64(note)
			c.roundTrip(c.authLine("full:secret"), want)
		}},
		{"allowed_events_and_class_rights_ws2", func(t *testing.T) {
			f := newFixture(t, withUsers(mkUser("hlo", "secret", "rights", []string{"ws", "send-events", "hlo-events"})))
			c := f.ws2()
			c.login("ev")
			c.rt2(ws2Event(map[string]any{"class": 20, "type": 3}), minus("EVENT", 6))
			c.rt2(ws2Event(map[string]any{"class": 40, "type": 6}), plus("EVENT"))
			c.rt2(ws2Event(map[string]any{"class": 10, "type": 99}), plus("EVENT"))
			c2 := f.ws1()
			c2.login("hlo")
			c2.roundTrip("E;0,1028,1,0,,0,-", "+;EVENT")
			c2.roundTrip("E;0,0,1,0,,0,-", ws1Neg("EVENT", 6))    // no l1ctrl-events
			c2.roundTrip("E;0,1024,1,0,,0,-", ws1Neg("EVENT", 6)) // no l2ctrl-events
			c2.roundTrip("E;0,10,6", ws1Neg("EVENT", 1))          // parse before class rights
			c3 := f.ws1()
			c3.login("rcv")
			c3.roundTrip("E;0,10,6", ws1Neg("EVENT", 6)) // send-events before parse
		}},
		{"throttle_after_five_cred_failures", func(t *testing.T) {
			f := newFixture(t, cfg{"auth-throttle": true, "max-auth-failures": 0})
			c := f.ws1()
			start := time.Now()
			for i := 0; i < 5; i++ {
				c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
				c.challenge()
			}
			if d := time.Since(start); d > 2500*time.Millisecond {
				t.Fatalf("five failures took %v, want no throttle below 5 failures", d)
			}
			if v := f.counter("auth_throttled"); v != 0 {
				t.Fatalf("auth_throttled = %d before the 6th AUTH, want 0", v)
			}
			// SYNTAX failures are answered before the throttle wait.
			t0 := time.Now()
			c.roundTrip("C;AUTH;"+c.sid+";ABC", ws1Neg("AUTH", 1))
			if d := time.Since(t0); d >= 450*time.Millisecond {
				t.Fatalf("syntax failure answered after %v, want no throttle", d)
			}
			t0 = time.Now()
			c.roundTrip(c.authLine("admin:secret"), adminAuth1)
			if d := time.Since(t0); d < 500*time.Millisecond || d > frameTimeout {
				t.Fatalf("6th AUTH answered after %v, want ≥ 500 ms (throttle d(5))", d)
			}
			f.expectCounterAtLeast("auth_throttled", 1)
			// Per IP, not per connection; success does not clear the record.
			c2 := f.ws2()
			t0 = time.Now()
			c2.login("user")
			if d := time.Since(t0); d < 500*time.Millisecond {
				t.Fatalf("AUTH on a new connection answered after %v, want ≥ 500 ms", d)
			}
			f.expectCounterAtLeast("auth_throttled", 2)
		}},
		{"throttle_off_by_config", func(t *testing.T) {
			f := newFixture(t, cfg{"max-auth-failures": 0})
			c := f.ws1()
			for i := 0; i < 7; i++ {
				c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
				c.challenge()
			}
			t0 := time.Now()
			c.login("admin")
			if d := time.Since(t0); d >= 450*time.Millisecond {
				t.Fatalf("AUTH answered after %v with auth-throttle false", d)
			}
			f.expectCounter("auth_throttled", 0)
		}},
	}
	runNamed(t, cases)
}
