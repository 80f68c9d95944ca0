package conformance

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Expected AUTH1 replies of rows 29, 31 and 32.
const (
	adminAuth1 = "+;AUTH1;0;admin;********;Sample administrator;0,0,0," + z16 + ";0,0,0," + z16 +
		";0xFFFFFFFFFFFFFFFF;+127.0.0.0/8,+::1,+192.168.0.0/16;;dXNlcm5hbWUgJ2FkbWluJyBwYXNzd29yZCAnc2VjcmV0Jw=="
	userAuth1 = "+;AUTH1;1;user;********;Sample user;0,0,0," + z16 + ";0,0,0," + z16 +
		";0x17007F;;;dXNlcm5hbWUgJ3VzZXInIHBhc3N3b3JkICdzZWNyZXQn"
	evAuth1 = "+;AUTH1;2;ev;********;;0,0,0," + z16 + ";0,0,0," + z16 + ";0x17007F;;000A:*,*:0006;"
)

type rowCase struct {
	n    int
	name string
	run  func(t *testing.T)
}

func runRows(t *testing.T, rows []rowCase) {
	t.Helper()
	for _, r := range rows {
		t.Run(row(r.n, r.name), func(t *testing.T) {
			t.Parallel()
			r.run(t)
		})
	}
}

// simple1 is a row "connect /ws1 (optionally log in as who), send s, expect
// want".
func simple1(who, s, want string) func(t *testing.T) {
	return func(t *testing.T) {
		c := newFixture(t, nil).ws1()
		if who != "" {
			c.login(who)
		}
		c.roundTrip(s, want)
	}
}

// checkEvent compares the fields of an event the host read.
func checkEvent(t *testing.T, ev *vscp.Event, class, typ uint16, guid string, data []byte) {
	t.Helper()
	if ev.Class != class || ev.Type != typ {
		t.Fatalf("host read class %d type %d, want %d %d (%s)", ev.Class, ev.Type, class, typ, fmtEvent(ev))
	}
	if got := fmtGUID(ev.GUID); got != guid {
		t.Fatalf("host read GUID %s, want %s", got, guid)
	}
	if !bytes.Equal(ev.Data, data) && !(len(ev.Data) == 0 && len(data) == 0) {
		t.Fatalf("host read data % X, want % X", ev.Data, data)
	}
	if ev.OBID == 0 {
		t.Fatalf("host read obid 0, want the session-id (never 0)")
	}
}

// checkNow checks datetime ≈ now UTC and timestamp ≠ 0 (normalisation N3, N4).
func checkNow(t *testing.T, ev *vscp.Event) {
	t.Helper()
	if !aboutNow(ev.DateTime) {
		t.Fatalf("datetime %s (nano %d), want now UTC", fmtDateTime(ev.DateTime), ev.DateTime.Nano)
	}
	if ev.Timestamp == 0 {
		t.Fatalf("timestamp 0, want the driver timestamp")
	}
}

func dt(y uint16, mo, d, h, mi, s uint8) vscp.DateTime {
	return vscp.DateTime{Year: y, Month: mo, Day: d, Hour: h, Minute: mi, Second: s}
}

func checkDate(t *testing.T, ev *vscp.Event, want vscp.DateTime, nano uint32) {
	t.Helper()
	got := ev.DateTime
	got.Nano = 0
	if got != want || ev.DateTime.Nano != nano {
		t.Fatalf("datetime %s nano %d, want %s nano %d", fmtDateTime(ev.DateTime), ev.DateTime.Nano, fmtDateTime(want), nano)
	}
}

// event70 is the host event of ws1 row 70 and ws2 row 48.
func event70() *vscp.Event { return &vscp.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}} }

const line70 = "E;0,10,6,0,,0," + z16 + ",0x01,0x02,0x03"

// TestWS1 is the ws1 conformance table, one numbered subtest per row:
// transport, commands, AUTH, SETFILTER, client and host events, queueing
// and forwarding, each with its byte-exact replies.
func TestWS1(t *testing.T) {
	rows := []rowCase{
		{1, "greeting", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			if !ws1Greeting.MatchString(c.greeting) {
				t.Fatalf("greeting %q does not match %s", c.greeting, ws1Greeting)
			}
			if strings.Count(c.greeting, ";") != 2 {
				t.Fatalf("greeting %q: want exactly 3 fields", c.greeting)
			}
		}},
		{2, "get_without_upgrade_426", func(t *testing.T) {
			f := newFixture(t, nil)
			resp, body := httpGet(t, "http://"+f.addr+"/ws1")
			if resp.StatusCode != http.StatusUpgradeRequired || body != "WS upgrade expected\n" {
				t.Fatalf("HTTP %d %q, want 426 %q", resp.StatusCode, body, "WS upgrade expected\n")
			}
		}},
		{3, "max_clients_503", func(t *testing.T) {
			f := newFixture(t, cfg{"max-clients": 1})
			f.ws1()
			_, resp, body := httpRaw(t, f.addr, upgradeRequest(f.addr, "/ws1"))
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("HTTP %d, want 503", resp.StatusCode)
			}
			if body != "Too many clients\n" {
				t.Fatalf("body %q, want %q", body, "Too many clients\n")
			}
		}},
		{4, "allow_remotes_403", func(t *testing.T) {
			f := newFixture(t, cfg{"allow-remotes": "-127.0.0.1"})
			f.expectHandshakeStatus("/ws1", http.StatusForbidden)
		}},
		{5, "ping_pong", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			if err := c.conn.WriteControl(websocket.PingMessage, []byte("x"), time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			select {
			case p := <-c.pongs:
				if p != "x" {
					t.Fatalf("pong payload %q, want %q", p, "x")
				}
			case <-time.After(frameTimeout):
				t.Fatalf("no pong within %v", frameTimeout)
			}
		}},
		{6, "binary_ignored", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.sendBinary([]byte("C;NOOP"))
			c.roundTrip("C;NOOP", "+;NOOP")
			c.expectNothing(quiet)
		}},
		{7, "fragmented_text", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.sendRaw(wsFrame(false, websocket.TextMessage, []byte("C;NO")))
			time.Sleep(50 * time.Millisecond)
			c.sendRaw(wsFrame(true, 0, []byte("OP")))
			c.expect("+;NOOP")
			c.roundTrip("C;VERSION", "+;VERSION;"+drvVersion+";1.0.0.0")
		}},
		{8, "message_too_big_1009", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.send("C;" + strings.Repeat("A", 65537-2))
			c.expectClose(websocket.CloseMessageTooBig, anyReason, frameTimeout)
		}},
		{9, "auth_timeout_1008", func(t *testing.T) {
			c := newFixture(t, cfg{"auth-timeout": 1}).ws1()
			start := time.Now()
			at := c.expectClose(websocket.ClosePolicyViolation, "authentication timeout", 3*time.Second)
			if d := at.Sub(start); d < authTimeoutMin {
				t.Fatalf("closed after %v, want at least %v (auth-timeout 1 s, minus 50 ms for measuring)", d, authTimeoutMin)
			}
		}},
		{10, "noop", simple1("", "C;NOOP", "+;NOOP")},
		{11, "noop_lowercase", simple1("", "C;noop", "+;NOOP")},
		{12, "noop_whitespace", simple1("", "  C ; noop \r\n", "+;NOOP")},
		{13, "noop_prefix_is_unknown", simple1("", "C;NOOPXYZ", ws1Neg("NOOPXYZ", 2))},
		{14, "lowercase_type", simple1("", "c;NOOP", ws1Neg("", 9))},
		{15, "empty_frame", simple1("", "", ws1Neg("", 9))},
		{16, "empty_command", simple1("", "C;", ws1Neg("", 1))},
		{17, "cnoop", simple1("", "CNOOP", ws1Neg("", 1))},
		{18, "unknown_command", simple1("", "C;foo", ws1Neg("FOO", 2))},
		{19, "version", simple1("", "C;VERSION", "+;VERSION;"+drvVersion+";1.0.0.0")},
		{20, "ver", simple1("", "C;ver", "+;VER;"+drvVersion+";1.0.0.0")},
		{21, "copyright", simple1("", "C;COPYRIGHT", "+;COPYRIGHT;"+copyrightText)},
		{22, "challenge_unauth", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;CHALLENGE", "+;AUTH0;"+c.sid)
		}},
		{23, "challenge_admin", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.login("admin")
			c.roundTrip("C;challenge", "+;AUTH0;"+c.sid)
		}},
		{24, "auth_no_args", simple1("", "C;AUTH", ws1Neg("AUTH", 1))},
		{25, "auth_one_arg", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;"+c.sid, ws1Neg("AUTH", 1))
		}},
		{26, "auth_short_crypto", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;"+c.sid+";ABC", ws1Neg("AUTH", 1))
		}},
		{27, "auth_non_hex_crypto", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;"+c.sid+";"+strings.Repeat("Z", 32), ws1Neg("AUTH", 1))
		}},
		{28, "auth_iv_not_sid", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			iv := "0123456789ABCDEF0123456789ABCDEF"
			c.roundTrip("C;AUTH;"+iv+";"+encrypt(c.f.key, mustHex(iv), zeroPad("admin:secret")), ws1Neg("AUTH", 1))
		}},
		{29, "auth_admin_lowercase_sid", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;"+strings.ToLower(c.sid)+";"+c.crypto("admin:secret"), adminAuth1)
		}},
		{30, "auth_lowercase_command_and_crypto", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;auth;"+c.sid+";"+strings.ToLower(c.crypto("admin:secret")), adminAuth1)
		}},
		{31, "auth_user", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip(c.authLine("user:secret"), userAuth1)
		}},
		{32, "auth_ev", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip(c.authLine("ev:secret"), evAuth1)
		}},
		{33, "auth_pkcs7", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;"+c.sid+";"+encrypt(c.f.key, mustHex(c.sid), pkcs7("admin:secret")), adminAuth1)
		}},
		{34, "auth_extra_zero_block", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			plain := append(zeroPad("admin:secret"), make([]byte, 16)...)
			c.roundTrip("C;AUTH;"+c.sid+";"+encrypt(c.f.key, mustHex(c.sid), plain), adminAuth1)
		}},
		{35, "auth_semicolon_separator", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip("C;AUTH;"+c.sid+";"+encrypt(c.f.key, mustHex(c.sid), pkcs7("admin;secret")), adminAuth1)
		}},
		{36, "auth_wrong_password", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
		}},
		{37, "challenge_after_cred_failure_new_sid", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			old := c.sid
			c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			if sid2 := c.challenge(); sid2 == old {
				t.Fatalf("SID not rotated after a code-5 AUTH: still %s", sid2)
			}
		}},
		{38, "auth_with_old_sid_after_failure", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			old := c.sid
			c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			c.roundTrip("C;AUTH;"+old+";"+cryptoFor(c.f.key, old, "admin:secret"), ws1Neg("AUTH", 1))
		}},
		{39, "auth_unknown_user_and_no_ws_right", func(t *testing.T) {
			f := newFixture(t, nil)
			for _, cred := range []string{"nouser:secret", "nows:secret"} {
				c := f.ws1()
				c.roundTrip(c.authLine(cred), ws1Neg("AUTH", 5))
			}
		}},
		{40, "three_failures_close_1008", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			for i := 0; i < 3; i++ {
				if i > 0 {
					c.challenge()
				}
				c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			}
			c.expectClose(websocket.ClosePolicyViolation, "too many authentication failures", frameTimeout)
		}},
		{41, "open_unauth", simple1("", "C;OPEN", ws1Neg("OPEN", 5))},
		{42, "close_unauth", simple1("", "C;CLOSE", "+;CLOSE")},
		{43, "sf_unauth", simple1("", "C;SF;0,0,0,-;0,0,0,-", ws1Neg("SF", 5))},
		{44, "clrq_unauth", simple1("", "C;CLRQ", ws1Neg("CLRQ", 5))},
		{45, "open_admin", simple1("admin", "C;OPEN", "+;OPEN")},
		{46, "sf_admin", simple1("admin", "C;SF;0,10,6,-;0,0xFFFF,0xFFFF,-", "+;SF")},
		{47, "setfilter_lowercase", simple1("admin", "C;setfilter;0,10,6,-;0,0xFFFF,0xFFFF,-", "+;SETFILTER")},
		{48, "sf_hex_and_guids", simple1("admin", "C;SF;0x0,0x0,0x0,"+z16+";0x0,0xffff,0xffff,"+z16, "+;SF")},
		{49, "sf_without_right", simple1("user", "C;SF;0,10,6,-;0,0xFFFF,0xFFFF,-", ws1Neg("SF", 7))},
		{50, "sf_missing_mask_filter_unchanged", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			c.roundTrip("C;SF;0,20,0,-;0,0xFFFF,0,-", "+;SF")
			c.roundTrip("C;SF;0,10,6,-", ws1Neg("SF", 1))
			c.open()
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 1))
			if got := c.expectEventLine(); !strings.HasPrefix(got, "0,20,1,") {
				t.Fatalf("delivered %q, want only the class-20 event (filter unchanged)", got)
			}
			c.expectNothing(quiet)
		}},
		{51, "sf_bad_guid_then_noop", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.login("admin")
			c.roundTrip("C;SF;0,10,6,ZZ;0,0,0,-", ws1Neg("SF", 1))
			c.roundTrip("C;NOOP", "+;NOOP")
		}},
		{52, "clrq_and_clrqueue", func(t *testing.T) {
			c := newFixture(t, nil).ws1()
			c.login("admin")
			c.roundTrip("C;CLRQ", "+;CLRQ")
			c.roundTrip("C;clrqueue", "+;CLRQUEUE")
		}},
		{53, "event_unauth", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.roundTrip("E;0,10,6,0,,0,-,1,2", ws1Neg("EVENT", 5))
			c.roundTrip("C;NOOP", "+;NOOP")
			f.expectNoRead(quiet)
		}},
		{54, "event_admin_read", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			c.roundTrip("E;0,10,6,0,,0,-,1,2", "+;EVENT")
			ev := f.read()
			checkEvent(t, ev, 10, 6, ifgText, []byte{1, 2})
			checkNow(t, ev)
		}},
		{55, "event_three_tokens", simple1("admin", "E;0,10,6", ws1Neg("EVENT", 1))},
		{56, "event_four_tokens", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			c.roundTrip("E;0,10,6,0", "+;EVENT")
			ev := f.read()
			checkEvent(t, ev, 10, 6, ifgText, nil)
			checkNow(t, ev)
		}},
		{57, "event_guid_and_data", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			c.roundTrip("E;0,30,5,0,0,0,FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00,1,2,3,4,5,6", "+;EVENT")
			ev := f.read()
			checkEvent(t, ev, 30, 5, "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00", []byte{1, 2, 3, 4, 5, 6})
			checkNow(t, ev)
		}},
		{58, "event_datetime", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			c.roundTrip("E;0,30,5,0,2026-11-22T00:25:11.048Z,0,-,1,2,3", "+;EVENT")
			ev := f.read()
			checkEvent(t, ev, 30, 5, ifgText, []byte{1, 2, 3})
			checkDate(t, ev, dt(2026, 11, 22, 0, 25, 11), 48000000)
		}},
		{59, "event_bad_month", simple1("admin", "E;0,10,6,0,2025-13-01T00:00:00Z,0,-", ws1Neg("EVENT", 1))},
		{60, "event_data_256", simple1("admin", "E;0,10,6,0,,0,-,256", ws1Neg("EVENT", 1))},
		{61, "event_513_bytes", simple1("admin", "E;0,10,6,0,,0,-"+strings.Repeat(",1", 513), ws1Neg("EVENT", 1))},
		{62, "event_short_guid", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			c.roundTrip("E;0,10,6,0,,0,01:02", "+;EVENT")
			checkEvent(t, f.read(), 10, 6, "01:02:00:00:00:00:00:00:00:00:00:00:00:00:00:00", nil)
		}},
		{63, "event_bad_guid", simple1("admin", "E;0,10,6,0,,0,GG:01", ws1Neg("EVENT", 1))},
		{64, "event_hlo_without_right", simple1("user", "E;0,1028,0,0,,0,-", ws1Neg("EVENT", 6))},
		{65, "event_l1ctrl_user", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("user")
			c.roundTrip("E;0,512,1,0,,0,-", "+;EVENT")
			checkEvent(t, f.read(), 512, 1, ifgText, nil)
		}},
		{66, "event_without_send_right", simple1("rcv", "E;0,10,6,0,,0,-", ws1Neg("EVENT", 6))},
		{67, "event_allow_list", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("ev")
			c.roundTrip("E;0,20,3,0,,0,-", ws1Neg("EVENT", 6))
			c.roundTrip("E;0,40,6,0,,0,-", "+;EVENT")
			checkEvent(t, f.read(), 40, 6, ifgText, nil)
			f.expectNoRead(quiet)
		}},
		{68, "event_priority_clamped", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("ev")
			c.roundTrip("E;0x20,10,1,0,,0,-", "+;EVENT")
			if ev := f.read(); ev.Head != 0x60 {
				t.Fatalf("head %#x, want 0x60", ev.Head)
			}
			f.expectCounter("priority_clamped", 1)
		}},
		{69, "in_queue_full", func(t *testing.T) {
			f := newFixture(t, cfg{"max-in-queue": 1})
			c := f.ws1()
			c.login("admin")
			c.roundTrip("E;0,10,6,0,,0,-,1", "+;EVENT")
			c.roundTrip("E;0,10,6,0,,0,-,2", ws1Neg("EVENT", 3))
			checkEvent(t, f.read(), 10, 6, ifgText, []byte{1})
			f.expectNoRead(quiet)
		}},
		{70, "host_event_minimal", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			f.write(event70())
			c.expect(line70)
		}},
		{71, "host_event_full", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			f.write(&vscp.Event{Head: 0x60, Class: 10, Type: 6, OBID: 5, DateTime: dt(2024, 3, 4, 5, 6, 7), Timestamp: 1234,
				GUID: mustGUID("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F"), Data: []byte{0x11, 0x22, 0x33}})
			c.expect("E;96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33")
		}},
		{72, "queued_until_open", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			f.write(event70())
			f.settle()
			c.expectNothing(quiet)
			c.send("C;OPEN")
			c.expect("+;OPEN")
			c.expect(line70)
		}},
		{73, "session_filter", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			c.roundTrip("C;SF;0,20,0,-;0,0xFFFF,0,-", "+;SF")
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 3))
			c.expect("E;0,20,3,0,,0," + z16)
			c.expectNothing(quiet)
		}},
		{74, "close_clrq_open", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			c.roundTrip("C;CLOSE", "+;CLOSE")
			f.write(event70())
			f.settle()
			c.roundTrip("C;CLRQ", "+;CLRQ")
			c.roundTrip("C;OPEN", "+;OPEN")
			c.expectNothing(quiet)
		}},
		{75, "unauth_does_not_queue", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			f.write(event70())
			f.settle()
			c.roundTrip(c.authLine("admin:secret"), adminAuth1)
			c.roundTrip("C;OPEN", "+;OPEN")
			c.expectNothing(quiet)
		}},
		{76, "forward_to_other_session", func(t *testing.T) {
			f := newFixture(t, nil)
			a, b := f.ws1(), f.ws1()
			a.loginOpen("admin")
			b.loginOpen("admin")
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			ev := f.read()
			checkEvent(t, ev, 10, 6, ifgText, nil)
			checkNow(t, ev)
			b.expect("E;" + fmtEvent(ev))
			a.expectNothing(quiet)
		}},
		{77, "no_forward_to_unauth_or_closed", func(t *testing.T) {
			f := newFixture(t, nil)
			a, unauth, closed := f.ws1(), f.ws1(), f.ws1()
			a.loginOpen("admin")
			closed.login("admin")
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			a.noop()
			unauth.expectNothing(quiet)
			closed.expectNothing(quiet)
			// Forwarded copies are not queued for a CLOSED session either
			// (forwarding looks at OPEN at that moment).
			closed.roundTrip("C;OPEN", "+;OPEN")
			closed.expectNothing(quiet)
		}},
		{78, "receive_sent_events", func(t *testing.T) {
			f := newFixture(t, cfg{"receive-sent-events": true})
			a := f.ws1()
			a.loginOpen("admin")
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			ev := f.read()
			a.expect("E;" + fmtEvent(ev))
		}},
		{79, "pipelined_burst", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.burst(c.authLine("admin:secret"), "C;NOOP", "C;OPEN", "E;0,30,5,0,,0,-,1")
			c.expect(adminAuth1)
			c.expect("+;NOOP")
			c.expect("+;OPEN")
			c.expect("+;EVENT")
			checkEvent(t, f.read(), 30, 5, ifgText, []byte{1})
		}},
		{80, "close_1001_on_shutdown", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			start := time.Now()
			go func() { _ = f.d.Close() }()
			c.expectClose(websocket.CloseGoingAway, "server shutdown", 2*time.Second)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("close frame after %v, want within 2 s", d)
			}
		}},
	}
	runRows(t, rows)
}
