package conformance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// replyOf returns type and command of a ws2 reply.
func replyOf(t testing.TB, s string) (typ, command string) {
	t.Helper()
	var r struct {
		Type    *string `json:"type"`
		Command string  `json:"command"`
	}
	if err := json.Unmarshal([]byte(s), &r); err != nil || r.Type == nil {
		t.Fatalf("frame %q: not JSON with a string type", trunc(s))
	}
	return *r.Type, r.Command
}

// expectEcho reads a ws2 reply and checks it is positive with command ==
// want (the clients compare with ===).
func (c *client) expectEcho(want string) string {
	c.t.Helper()
	got := c.next()
	typ, command := replyOf(c.t, got)
	if typ != "+" || command != want {
		c.t.Fatalf("reply %q: want type + and command %q", trunc(got), want)
	}
	return got
}

// TestCompat replays the message sequences of the real clients listed in
// docs/protocols.md ("Which clients work") and checks what each of them
// needs.
func TestCompat(t *testing.T) {
	const fwGUID = "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00"
	cases := []namedCase{
		{"python_test_ws1", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1() // waits ≤ 5 s for the unsolicited greeting
			c.send(c.authLine("admin:secret"))
			c.expectPrefix("+;AUTH1")
			for _, step := range []struct{ send, want string }{
				{"C;NOOP", "+;NOOP"},
				{"C;VERSION", "+;VERSION;" + drvVersion + ";1.0.0.0"},
				{"C;OPEN", "+;OPEN"},
				{"E;0,30,5,0,0,0," + fwGUID + ",1,2,3,4,5,6", "+;EVENT"},
				{"C;CLOSE", "+;CLOSE"},
			} {
				c.roundTrip(step.send, step.want)
			}
			ev := f.read()
			checkEvent(t, ev, 30, 5, fwGUID, []byte{1, 2, 3, 4, 5, 6})
			checkNow(t, ev)
		}},
		{"python_test_ws2", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			var g struct {
				Type string `json:"type"`
				Args []any  `json:"args"`
			}
			if err := json.Unmarshal([]byte(c.greeting), &g); err != nil || g.Type != "+" || len(g.Args) < 2 || g.Args[0] != "AUTH0" || g.Args[1] != c.sid {
				t.Fatalf("greeting %q", c.greeting)
			}
			c.send(cmd("AUTH", map[string]string{"iv": c.sid, "crypto": c.crypto("admin:secret")}))
			c.expectEcho("AUTH")
			for _, x := range []string{"NOOP", "VERSION", "COPYRIGHT", "OPEN"} {
				c.send(cmd(x, map[string]any{}))
				c.expectEcho(x)
			}
			c.send(`{"type":"E","event":{"head":0,"vscpClass":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:17:50.123456Z","timestamp":0,"guid":"` + fwGUID + `","data":[1,2,3,4,5,6],"note":"py"}}`)
			c.expectEcho("EVENT")
			c.send(cmd("CLOSE", map[string]any{}))
			c.expectEcho("CLOSE")
			ev := f.read()
			checkEvent(t, ev, 30, 5, fwGUID, []byte{1, 2, 3, 4, 5, 6})
			checkDate(t, ev, dt(2026, 11, 22, 0, 17, 50), 123456000)
		}},
		{"node_test_ws1_full_zero_block", func(t *testing.T) {
			f := newFixture(t, withUsers(mkUser("nodeu", "secret1234", "rights", "user")))
			c := f.ws1()
			start := time.Now()
			cred := "nodeu:secret1234" // 16 bytes: node pads a whole extra block
			c.send("C;AUTH;" + c.sid + ";" + encrypt(f.key, mustHex(c.sid), zeroPadNode(cred)))
			c.expectPrefix("+;AUTH1;5;nodeu;")
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("AUTH answered after %v, node gives it 2 s", d)
			}
			c.roundTrip("C;NOOP", "+;NOOP")
			c.roundTrip("C;VERSION", "+;VERSION;"+drvVersion+";1.0.0.0")
			c.roundTrip("C;COPYRIGHT", "+;COPYRIGHT;"+copyrightText)
			c.roundTrip("C;OPEN", "+;OPEN")
			c.roundTrip("E;0,30,5,0,2026-11-22T00:25:11.048Z,0,"+fwGUID+",1,2,3,4,5,6", "+;EVENT")
			c.roundTrip("C;CLOSE", "+;CLOSE")
			checkDate(t, f.read(), dt(2026, 11, 22, 0, 25, 11), 48000000)
		}},
		{"node_test_ws2", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.send(cmd("AUTH", map[string]string{"iv": c.sid, "crypto": encrypt(f.key, mustHex(c.sid), zeroPadNode("admin:secret"))}))
			c.expectEcho("AUTH")
			for _, x := range []string{"NOOP", "VERSION", "COPYRIGHT", "CLRQ", "OPEN"} {
				c.send(cmd(x, nil))
				c.expectEcho(x)
			}
			c.send(`{"type":"EVENT","event":{"head":0,"vscpClass":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:25:11.048Z","timestamp":0,"guid":"` + fwGUID + `","data":[1,2,3,4,5,6]}}`)
			c.expectEcho("EVENT")
			c.send(cmd("CLOSE", nil))
			c.expectEcho("CLOSE")
		}},
		{"c_mongoose_ws1_pipelined", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.send(c.authLine("admin:secret"))
			if fields := strings.Split(c.expectPrefix("+;AUTH1"), ";"); len(fields) != 12 {
				t.Fatalf("AUTH1 has %d fields, want 12", len(fields))
			}
			c.burst("C;NOOP", "C;VERSION", "C;OPEN")
			c.expect("+;NOOP")
			c.expect("+;VERSION;" + drvVersion + ";1.0.0.0")
			c.expect("+;OPEN")
		}},
		{"c_mongoose_ws2_strict", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			var g map[string]any
			if err := json.Unmarshal([]byte(c.greeting), &g); err != nil {
				t.Fatal(err)
			}
			args, _ := g["args"].([]any)
			if _, ok := g["type"].(string); !ok || g["command"] != nil || len(args) != 2 {
				t.Fatalf("greeting %q: want string type, no command, two args", c.greeting)
			}
			if _, ok := args[0].(string); !ok {
				t.Fatalf("greeting args[0] not a string")
			}
			c.send(c.ws2Auth("admin:secret"))
			c.expectEcho("AUTH")
			c.burst(cmd("NOOP", nil), cmd("VERSION", nil), cmd("COPYRIGHT", nil), cmd("OPEN", nil))
			for _, x := range []string{"NOOP", "VERSION", "COPYRIGHT", "OPEN"} {
				got := c.expectEcho(x)
				var r struct {
					Args map[string]any `json:"args"`
				}
				_ = json.Unmarshal([]byte(got), &r)
				if x == "VERSION" && r.Args["version"] == nil {
					t.Fatalf("VERSION reply %q", got)
				}
			}
			c.send(`{"type":"EVENT","event":{"vscpHead":0,"vscpClass":30,"class":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:25:11Z","timestamp":0,"guid":"-","data":[1]}}`)
			c.expectEcho("EVENT")
			f.write(event70())
			got := c.next()
			if typ, _ := replyOf(t, got); typ != "EVENT" {
				t.Fatalf("server event %q: want type EVENT", got)
			}
			// Every frame, negative ones included, has a string type.
			for _, m := range []string{"x", "[]", `{"type":"CMD","command":"FOO"}`, `{"type":"E","event":7}`} {
				c.send(m)
				replyOf(t, c.next())
			}
		}},
		{"html_pages_in_a_browser", func(t *testing.T) {
			f := newFixture(t, nil)
			o := dialOpts{header: map[string][]string{"Origin": {"null"}}, compression: true}
			c := f.dialPath("/ws2", "ws2", o)
			if len(c.resp.Header.Values("Sec-WebSocket-Extensions")) != 0 || c.resp.Header.Get("Sec-WebSocket-Protocol") != "" {
				t.Fatalf("negotiated %q / %q", c.resp.Header.Values("Sec-WebSocket-Extensions"), c.resp.Header.Get("Sec-WebSocket-Protocol"))
			}
			c.send(c.ws2Auth("admin:secret")) // CryptoJS: zero padding, upper-case hex
			c.expectEcho("AUTH")
			for _, x := range []string{"NOOP", "VERSION", "COPYRIGHT", "CLRQ", "OPEN"} {
				c.send(cmd(x, nil))
				c.expectEcho(x)
			}
			c.send(`{"type":"E","event":{"head":0,"vscpClass":10,"vscpType":6,"obid":0,"dateTime":"","timestamp":0,"guid":"-","data":[1,2]}}`)
			c.expectEcho("EVENT")
			f.write(event70())
			_, m := c.nextObject()
			e, _ := m["event"].(map[string]any)
			for _, k := range []string{"vscpClass", "vscpType", "guid", "data"} {
				if _, ok := e[k]; !ok {
					t.Fatalf("event frame lacks %s: %v", k, m)
				}
			}
			c.send(cmd("CLOSE", nil))
			c.expectEcho("CLOSE")
			c1 := f.dialPath("/ws1", "ws1", o)
			c1.login("admin")
		}},
		{"test_close_ws2_configured", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil, "auth-bind-sid": false})
			c := f.ws2()
			c.rt2(`{"type":"cmd","command":"auth","args":{"iv":"`+replayIV+`","crypto":"`+replayCrypto+`"}}`, plus("AUTH"))
			c.rt2(`{"type":"cmd","command":"open","args":null}`, plus("OPEN"))
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			select {
			case <-c.pongs:
			case <-time.After(frameTimeout):
				t.Fatal("no pong")
			}
			c.rt2(`{"type":"cmd","command":"close","args":null}`, plus("CLOSE"))
			if err := c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			c.expectClose(websocket.CloseNormalClosure, anyReason, frameTimeout)
		}},
		{"test_close_ws2_default_config", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(`{"type":"cmd","command":"auth","args":{"iv":"`+replayIV+`","crypto":"`+replayCrypto+`"}}`, minus("AUTH", 8))
			c.rt2(`{"type":"cmd","command":"open","args":null}`, minus("OPEN", 5))
			c.rt2(`{"type":"cmd","command":"close","args":null}`, plus("CLOSE"))
		}},
		{"vscp_js", func(t *testing.T) {
			key := keyK1 + "A4A86F7D7E119BA3F0CD06881E371B98" // a 64-hex key; clients use its first 32 hex
			f := newFixtureFiles(t, merge(withUsers(mkUser("a-rather-long-user-name", "and-a-long-password!", "rights", "admin")), cfg{"key-file": "vscp.key"}),
				map[string]string{"vscp.key": key})
			c := f.ws1()
			greetingSID := c.sid
			c.roundTrip("C;CHALLENGE", "+;AUTH0;"+greetingSID) // sent on open; never rotates
			c.send("C;AUTH;" + strings.ToLower(greetingSID) + ";" + strings.ToLower(encrypt(f.key, mustHex(greetingSID), spacePad("admin:secret"))))
			if fields := strings.Split(c.expectPrefix("+;AUTH1"), ";"); len(fields) < 5 {
				t.Fatalf("AUTH1 with %d fields, vscp-js needs ≥ 5", len(fields))
			}
			for _, step := range []struct{ send, want string }{
				{"C;OPEN", "+;OPEN"},
				{"C;CLOSE", "+;CLOSE"},
				{"C;CLRQ", "+;CLRQ"},
				{"C;SF;0x0,0xa,0x6," + ifgText + ";0x0,0xffff,0xffff,FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF", "+;SF"},
				{"C;SF;0x0,0x0,0x0,-;0x0,0x0,0x0,-", "+;SF"},
				{"E;0,10,6,0,2026-11-22T00:25:11.048Z,0,-,0x01,0x02", "+;EVENT"},
				{"E;0,10,6,0,2026-11-22T00:25:11.048Z,0," + ifgText + ",0x01,0x02", "+;EVENT"},
				{"C;OPEN", "+;OPEN"},
				{"C;XYZ", "-;XYZ;2;Unknown command."},
			} {
				c.roundTrip(step.send, step.want)
			}
			f.write(event70())
			c.expect(line70)
			// Multi-block credentials.
			c2 := f.ws1()
			c2.send("C;AUTH;" + strings.ToLower(c2.sid) + ";" + strings.ToLower(encrypt(f.key, mustHex(c2.sid), spacePad("a-rather-long-user-name:and-a-long-password!"))))
			c2.expectPrefix("+;AUTH1;5;a-rather-long-user-name;")
		}},
		{"2020_test_ws1_py", func(t *testing.T) {
			for _, bind := range []bool{false, true} {
				f := newFixture(t, cfg{"key-file": nil, "auth-bind-sid": bind})
				c := f.ws1()
				c.send("C;CHALLENGE")
				c.expectPrefix("+;AUTH0;")
				if bind {
					c.roundTrip("C;AUTH;"+replayIV+";"+replayCrypto, ws1Neg("AUTH", 1))
					continue
				}
				c.roundTrip("C;AUTH;"+replayIV+";"+replayCrypto, adminAuth1)
				c.roundTrip("C;OPEN", "+;OPEN")
				f.write(event70())
				c.expect(line70)
			}
		}},
		{"2020_test_ws1_js_burst", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil, "auth-bind-sid": false})
			c := f.ws1()
			g := "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01"
			c.burst("C;AUTH;"+replayIV+";"+replayCrypto, "C;NOOP", "C;OPEN", "E;0,30,5,0,2020-01-29T23:05:59Z,0,"+g+",1,2,3",
				"C;SF;0,30,5,"+g+";0,0xffff,0xffff,"+g)
			for _, w := range []string{adminAuth1, "+;NOOP", "+;OPEN", "+;EVENT", "+;SF"} {
				c.expect(w)
			}
			checkDate(t, f.read(), dt(2020, 1, 29, 23, 5, 59), 0)
		}},
		{"2020_test_ws2_js_burst", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil, "auth-bind-sid": false})
			c := f.ws2()
			c.burst(`{"type":"cmd","command":"auth","args":{"iv":"`+replayIV+`","crypto":"`+replayCrypto+`"}}`,
				cmd("noop", nil), cmd("open", nil),
				`{"type":"event","event":{"vscpHead":0,"vscpClass":10,"vscpType":6,"vscpObId":0,"vscpDateTime":"2020-01-29T23:05:59Z","vscpTimeStamp":0,"vscpGuid":"-","vscpData":[1,2,3]}}`,
				`{"type":"cmd","command":"setfilter","args":{"mask_priority":0,"mask_class":65535,"mask_type":65535,"mask_guid":"-","filter_priority":0,"filter_class":10,"filter_type":6,"filter_guid":"-"}}`)
			for _, x := range []string{"AUTH", "NOOP", "OPEN", "EVENT", "SETFILTER"} {
				c.expectEcho(x)
			}
			f.write(event70())
			checkJSON(t, c.next(), frame48)
		}},
		{"2020_test_ws2_py", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil, "auth-bind-sid": false})
			c := f.ws2()
			c.rt2(`{"type":"cmd","command":"auth","args":{"iv":"`+replayIV+`","crypto":"`+replayCrypto+`"}}`, plus("AUTH"))
			for _, x := range []string{"noop", "version", "copyright", "open"} {
				c.send(cmd(x, nil))
				c.expectEcho(strings.ToUpper(x))
			}
			c.rt2(`{"type":"event","event":{"head":0,"class":10,"type":6,"obid":0,"datetime":"","timestamp":0,"guid":"-","data":[1]}}`, plus("EVENT"))
			checkEvent(t, f.read(), 10, 6, ifgText, []byte{1})
		}},
		{"firmware_test_ws1_py", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil})
			c := f.ws1()
			c.send("C;CHALLENGE")
			c.expect("+;AUTH0;" + c.sid)
			c.roundTrip("C;AUTH;"+strings.ToLower(c.sid)+";"+strings.ToLower(encrypt(f.key, mustHex(c.sid), pkcs7("admin:secret"))), adminAuth1)
		}},
		{"firmware_test_ws2_py", func(t *testing.T) {
			f := newFixture(t, cfg{"key-file": nil})
			c := f.ws2()
			if !strings.Contains(c.greeting, c.sid) {
				t.Fatalf("SID not in the greeting")
			}
			c.rt2(cmd("AUTH", map[string]string{"iv": strings.ToLower(c.sid), "crypto": strings.ToLower(encrypt(f.key, mustHex(c.sid), pkcs7("admin;secret")))}), plus("AUTH"))
		}},
		{"binary_probe_after_login", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			// A VSCP binary frame (type 0) and some junk.
			c.sendBinary([]byte{0x00, 0x00, 0x00, 0x0A, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02})
			c.sendBinary([]byte("E;0,10,6,0,,0,-"))
			c.roundTrip("C;NOOP", "+;NOOP")
			f.expectNoRead(quiet)
			f.write(event70())
			c.expect(line70)
		}},
		{"cpp_classes", func(t *testing.T) {
			f := newFixture(t, cfg{"auth-bind-sid": false})
			c := f.ws1()
			if strings.Count(c.greeting, ";") != 2 {
				t.Fatalf("ws1 greeting %q: want exactly 3 fields", c.greeting)
			}
			iv := randomHex16()
			plain := append([]byte("admin:secret\x00"), []byte("leftover")...)
			plain = append(plain, make([]byte, 32-len(plain))...)
			for i := 21; i < 32; i++ {
				plain[i] = byte(i) // leftover bytes after the NUL
			}
			c.roundTrip("C;auth;"+iv+";"+encrypt(f.key, mustHex(iv), plain), adminAuth1)
			c.roundTrip("C;open", "+;OPEN")
			c.roundTrip("C;SETFILTER;0,0,0,-;0,0,0,-", "+;SETFILTER")
			c.roundTrip("C;INTERFACES", ws1Neg("INTERFACES", 2))
			c.roundTrip("C;WCYD", ws1Neg("WCYD", 2))
			c2 := f.ws2()
			var g struct {
				Args []string `json:"args"`
			}
			if err := json.Unmarshal([]byte(c2.greeting), &g); err != nil || len(g.Args) != 2 {
				t.Fatalf("ws2 greeting %q: want exactly 2 args", c2.greeting)
			}
			c2.rt2(cmd("auth", map[string]string{"iv": iv, "crypto": encrypt(f.key, mustHex(iv), plain)}), plus("AUTH"))
			c2.rt2(cmd("open", nil), plus("OPEN"))
		}},
		{"legacy_vscpws_md5", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;admin;2d1e4f91dae49cd08eaba2293e422273", ws1Neg("AUTH", 1))
		}},
	}
	runNamed(t, cases)
}
