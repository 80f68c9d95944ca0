package conformance

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

type exchange struct{ send, want string }

// TestWS1Grammar covers the ws1 message grammar and echo rules (message
// types, command syntax, event syntax) beyond the TestWS1 rows.
func TestWS1Grammar(t *testing.T) {
	a32 := strings.Repeat("A", 32)
	cases := []namedCase{
		{"unauth_forms", func(t *testing.T) {
			c := newFixture(t, cfg{"max-auth-failures": 0}).ws1()
			for _, x := range []exchange{
				{"COMMAND", ws1Neg("", 1)},
				{"C NOOP", ws1Neg("", 1)},
				{"C;  ", ws1Neg("", 1)},
				{"C", ws1Neg("", 1)},
				{"EVENT;0,10,6,0", ws1Neg("EVENT", 1)},
				{"Ex", ws1Neg("EVENT", 1)},
				{"e;0,10,6", ws1Neg("", 9)},
				{"X;NOOP", ws1Neg("", 9)},
				{";C;NOOP", ws1Neg("", 9)},
				{"  ", ws1Neg("", 9)},
				{"C;NOOP;extra;args", "+;NOOP"},
				{"C;" + a32, ws1Neg(a32, 2)},
				{"C;" + a32 + "A", ws1Neg("", 2)},
				{"C;NO\x01OP", ws1Neg("", 2)},
				{"C;sf", ws1Neg("SF", 5)},
				{"C;SetFilter;0,0,0,-;0,0,0,-", ws1Neg("SETFILTER", 5)},
				{"C;clrqueue", ws1Neg("CLRQUEUE", 5)},
				{"C;auth;x", ws1Neg("AUTH", 1)},
				{"C;Copyright", "+;COPYRIGHT;" + copyrightText},
				{"C;Version;x", "+;VERSION;" + drvVersion + ";1.0.0.0"},
				{"C;close", "+;CLOSE"},
				{"E", ws1Neg("EVENT", 5)},
				{"E;garbage", ws1Neg("EVENT", 5)},
				{"C;STATISTICS", ws1Neg("STATISTICS", 2)},
				{"C;INTERFACE", ws1Neg("INTERFACE", 2)},
			} {
				c.roundTrip(x.send, x.want)
			}
		}},
		{"event_syntax_admin", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			for _, x := range []exchange{
				{"E", ws1Neg("EVENT", 1)},
				{"E;", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0;x", ws1Neg("EVENT", 1)},
				{"E;0,20,3", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,,0,-,", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,,0,-,0x100", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,,4294967296,-", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,2024-02-30T00:00:00Z,0,-", ws1Neg("EVENT", 1)},
				{"E;65536,10,6,0", ws1Neg("EVENT", 1)},
				{"E;0,10,6,4294967296", ws1Neg("EVENT", 1)},
				{"E;-1,10,6,0", ws1Neg("EVENT", 1)},
				{"E;12abc,10,6,0", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,,0,01::02", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,,0,{01:02", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,,0,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10", ws1Neg("EVENT", 1)},
				{"E;0,10,6,0,2024-03-04T05:06,0,-", ws1Neg("EVENT", 1)},
			} {
				c.roundTrip(x.send, x.want)
			}
			f.expectNoRead(quiet)
		}},
		{"event_input_known_answers", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			send := func(s string) *vscp.Event {
				t.Helper()
				c.roundTrip(s, "+;EVENT")
				return f.read()
			}
			// K15: mixed bases; obid replaced by the session-id (N1).
			id := send("E;0,10,6,0").OBID
			ev := send("E;0x60,10,6,4242,2024-03-04T05:06:07Z,1234,FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01,0x10,17,0b11")
			if ev.Head != 0x60 || ev.Timestamp != 1234 || ev.OBID != id || !bytes.Equal(ev.Data, []byte{0x10, 0x11, 0x03}) {
				t.Fatalf("K15: %s", fmtEvent(ev))
			}
			checkDate(t, ev, dt(2024, 3, 4, 5, 6, 7), 0)
			// K16.
			ev = send("E;1,2,3,4,2024-03-04 05:06:07,0,00:01:02,5")
			checkEvent(t, ev, 2, 3, "00:01:02:00:00:00:00:00:00:00:00:00:00:00:00:00", []byte{5})
			checkDate(t, ev, dt(2024, 3, 4, 5, 6, 7), 0)
			if ev.OBID != id || ev.Timestamp == 0 {
				t.Fatalf("K16: obid %d (session %d) timestamp %d", ev.OBID, id, ev.Timestamp)
			}
			// K17: offset converted to UTC, fraction kept as nano.
			checkDate(t, send("E;0,10,6,0,2024-03-04T05:06:07.5+01:00,0,-"), dt(2024, 3, 4, 4, 6, 7), 500000000)
			// K18: UNIX_NS form.
			ev = send("E;256,20,3,0,,1700000000000000000,-")
			checkDate(t, ev, dt(2023, 11, 14, 22, 13, 20), 0)
			if ev.Head != 0 || ev.Timestamp != 404635648 {
				t.Fatalf("K18: head %#x timestamp %d", ev.Head, ev.Timestamp)
			}
			// K19 and the GUID forms (docs/protocols.md, sending an event).
			checkEvent(t, send("E;0,20,3,0"), 20, 3, ifgText, nil)
			for guid, want := range map[string]string{
				"::01:02":                              "FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:01:02",
				"-:01:02":                              "00:00:00:00:00:00:00:00:00:00:00:00:00:00:01:02",
				"{01:02}":                              "01:02:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
				"FFAA1122-3344-5566-7788-99AABBCCDDEE": "FF:AA:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE",
				"0a:0B:c":                              "0A:0B:0C:00:00:00:00:00:00:00:00:00:00:00:00:00",
				"FFFF:FFFF:FFFF:FFF5:0000:0000:0000:0001": "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01",
				z16: ifgText, // all zero → interface GUID (N2)
			} {
				checkEvent(t, send("E;0,10,6,0,,0,"+guid), 10, 6, want, nil)
			}
		}},
	}
	runNamed(t, cases)
}

// TestWS2Rules covers ws2 message dispatch, SETFILTER and the JSON event
// input rules beyond the TestWS2 rows.
func TestWS2Rules(t *testing.T) {
	cases := []namedCase{
		{"dispatch", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			for _, x := range []exchange{
				{`{"type":"CMD","command":"  "}`, minus("", 1)},
				{`{"type":"CMD","command":5}`, minus("", 8)},
				{cmd(strings.Repeat("X", 33), nil), minus("", 2)},
				{cmd(strings.Repeat("X", 32), nil), minus(strings.Repeat("X", 32), 2)},
				{`{"type":"XYZ","type":"CMD","command":"NOOP"}`, plus("NOOP")},
				{`{"type":"COMMAND","command":"noop","unknown":[1,{"a":2}]}`, plus("NOOP")},
				{`{"type":"CMD","command":"NOOP","args":null} x`, minus("", 8)},
				{"{\"type\":\"CMD\",\"command\":\"NOOP\",\"args\":null} \r\n", plus("NOOP")},
				{`{"type":"VARIABLE"}`, minus("", 9)},
				{`{"type":null}`, minus("", 9)},
				{`"CMD"`, minus("", 8)},
				{``, minus("", 8)},
				{`{"type":" event ","event":{"class":10,"type":6}}`, minus("EVENT", 5)},
				{`{"type":"CMD","command":"CHALLENGE","args":[1,2]}`, challengeReply2("CHALLENGE", c.sid)},
				{`{"type":"CMD","command":"clrqueue"}`, minus("CLRQUEUE", 5)},
				{`{"type":"CMD","command":"sf","args":"junk"}`, minus("SF", 5)},
			} {
				c.rt2(x.send, x.want)
			}
			// D6: "+" and "-" messages are ignored.
			c.send(`{"type":"-","command":"NOOP"}`)
			c.send(`{"type":" + "}`)
			c.rt2(cmd("NOOP", nil), plus("NOOP"))
			c.expectNothing(quiet)
		}},
		{"setfilter_full_replace", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.loginOpen("admin")
			for _, x := range []exchange{
				{cmd("SETFILTER", []int{1}), minus("SETFILTER", 1)},
				{cmd("SETFILTER", "x"), minus("SETFILTER", 1)},
				{cmd("SETFILTER", map[string]any{"filter_priority": 256}), minus("SETFILTER", 1)},
				{cmd("SETFILTER", map[string]any{"filter_guid": "GG"}), minus("SETFILTER", 1)},
				{cmd("SETFILTER", map[string]any{"filter_class": -1}), minus("SETFILTER", 1)},
				{cmd("SETFILTER", map[string]any{"filter_class": 1.5}), minus("SETFILTER", 1)},
				{cmd("SETFILTER", map[string]any{"filter_guid": 5}), minus("SETFILTER", 1)},
			} {
				c.rt2(x.send, x.want)
			}
			c.rt2(cmd("SETFILTER", map[string]any{"filter_class": "0x14", "mask_class": "0xFFFF"}), plus("SETFILTER"))
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 1))
			c.expectEvent2(hostEvent(20, 1), "both")
			c.expectNothing(quiet)
			// Full replace: absent keys are 0, so the class is no longer masked.
			c.rt2(cmd("SETFILTER", map[string]any{"filter_type": 6, "mask_type": 65535, "mask_class": nil}), plus("SETFILTER"))
			f.write(hostEvent(20, 1))
			f.write(hostEvent(10, 6))
			c.expectEvent2(hostEvent(10, 6), "both")
			c.expectNothing(quiet)
			for _, args := range []any{nil, map[string]any{}} {
				c.rt2(cmd("SF", map[string]any{"filter_class": 99, "mask_class": 65535}), plus("SF"))
				c.rt2(cmd("SF", args), plus("SF"))
				f.write(hostEvent(30, 1))
				c.expectEvent2(hostEvent(30, 1), "both")
			}
			c.rt2(cmd("SF", map[string]any{"filter_guid": ifgText, "mask_guid": "::", "filter_priority": "7", "mask_priority": 7}), plus("SF"))
			f.write(&vscp.Event{Head: 0xE0, Class: 1, GUID: ifg})
			f.write(&vscp.Event{Head: 0xE0, Class: 2})
			f.write(&vscp.Event{Head: 0x00, Class: 3, GUID: ifg})
			c.expectEvent2(&vscp.Event{Head: 0xE0, Class: 1, GUID: ifg}, "both")
			c.expectNothing(quiet)
		}},
		{"setfilter_rights_before_parsing", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.rt2(cmd("SETFILTER", "junk"), minus("SETFILTER", 5))
			c.login("user")
			c.rt2(cmd("SETFILTER", "junk"), minus("SETFILTER", 7))
			c1 := f.ws1()
			c1.login("user")
			c1.roundTrip("C;SF;junk", ws1Neg("SF", 7))
		}},
		{"event_input_known_answers", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			send := func(ev map[string]any) *vscp.Event {
				t.Helper()
				c.rt2(ws2Event(ev), plus("EVENT"))
				return f.read()
			}
			id := send(map[string]any{"class": 10, "type": 6}).OBID
			// K25: obid replaced by the session-id.
			ev := send(map[string]any{"vscpHead": 96, "vscpObId": 4242, "vscpDateTime": "2017-01-13T10:16:02Z", "vscpTimeStamp": 50817, "vscpClass": 10, "vscpType": 8, "vscpGuid": "00:00:00:00:00:00:00:00:00:00:00:00:00:01:00:02", "vscpData": []int{1, 2, 3}})
			checkEvent(t, ev, 10, 8, "00:00:00:00:00:00:00:00:00:00:00:00:00:01:00:02", []byte{1, 2, 3})
			checkDate(t, ev, dt(2017, 1, 13, 10, 16, 2), 0)
			if ev.Head != 96 || ev.Timestamp != 50817 || ev.OBID != id {
				t.Fatalf("K25: %s", fmtEvent(ev))
			}
			// K26: timestamp_ns; GUID "-" becomes the interface GUID (N2).
			ev = send(map[string]any{"head": 96, "timestamp_ns": "0x17B9775B31B48315", "class": 10, "type": 8, "guid": "-", "data": []int{}})
			checkEvent(t, ev, 10, 8, ifgText, nil)
			checkDate(t, ev, dt(2024, 3, 4, 5, 6, 7), 123456789)
			if ev.Timestamp != 2934296576 {
				t.Fatalf("K26 timestamp %d", ev.Timestamp)
			}
			// K27.
			checkEvent(t, send(map[string]any{"class": 10, "type": 6, "data": "0x01,2"}), 10, 6, ifgText, []byte{1, 2})
			checkEvent(t, send(map[string]any{"class": 10, "type": 6, "data": ""}), 10, 6, ifgText, nil)
			// vscp* wins, then the first listed spelling.
			checkEvent(t, send(map[string]any{"class": 20, "vscpClass": 10, "type": 7, "vscpType": 6}), 10, 6, ifgText, nil)
			checkDate(t, send(map[string]any{"class": 10, "type": 6, "dateTime": "2024-01-01T00:00:00Z", "datetime": "2025-01-01T00:00:00Z"}), dt(2025, 1, 1, 0, 0, 0), 0)
			// null = absent; number 0 = now.
			ev = send(map[string]any{"class": 10, "type": 6, "guid": nil, "data": nil, "vscpDateTime": nil, "note": nil})
			checkEvent(t, ev, 10, 6, ifgText, nil)
			checkNow(t, ev)
			checkNow(t, send(map[string]any{"class": 10, "type": 6, "datetime": 0}))
			checkNow(t, send(map[string]any{"class": 10, "type": 6, "datetime": "0"}))
			// An explicit timestamp survives timestamp_ns.
			ev = send(map[string]any{"class": 10, "type": 6, "timestamp_ns": 1700000000000000000, "timestamp": 77})
			checkDate(t, ev, dt(2023, 11, 14, 22, 13, 20), 0)
			if ev.Timestamp != 77 {
				t.Fatalf("timestamp %d, want the explicit 77", ev.Timestamp)
			}
			// Frame-version bits 01 cleared.
			if ev = send(map[string]any{"head": "0x160", "class": 10, "type": 6}); ev.Head != 0x60 {
				t.Fatalf("head %#x, want 0x60", ev.Head)
			}
			// K28 and other invalid values.
			for _, bad := range []map[string]any{
				{"vscpClass": "10x", "vscpType": -1},
				{"class": 10, "data": []int{256}},
				{"class": 10, "guid": 7},
				{"class": 70000},
				{"class": 10, "obid": 4294967296},
				{"class": 10, "timestamp": -5},
				{"class": 10, "data": json.RawMessage("[1.0]")},
				{"class": 10, "type": json.RawMessage("6.0")},
				{"class": 10, "data": []any{"x"}},
				{"class": 10, "data": 5},
				{"class": 10, "note": 5},
				{"class": 10, "datetime": "2024-13-01T00:00:00Z"},
				{"class": 10, "datetime": 5},
				{"class": 10, "head": json.RawMessage("1e2")},
				{"class": true},
			} {
				c.rt2(ws2Event(bad), minus("EVENT", 1))
			}
			f.expectNoRead(quiet)
		}},
	}
	runNamed(t, cases)
}
