package conformance

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

var (
	versionReply2   = `{"type":"+","command":"VERSION","args":{"version":"1.0.0-0","driver-version":"` + drvVersion + `"}}`
	verReply2       = `{"type":"+","command":"VER","args":{"version":"1.0.0-0","driver-version":"` + drvVersion + `"}}`
	copyrightReply2 = `{"type":"+","command":"COPYRIGHT","args":{"copyright":"` + copyrightText + `"}}`
	frame48         = `{"type":"EVENT","event":{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","vscpData":[1,2,3],"vscpNote":"","head":0,"obid":0,"datetime":"","timestamp":0,"class":10,"type":6,"guid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","data":[1,2,3],"note":""}}`
	frame49         = `{"type":"EVENT","event":{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","vscpData":[1,2,3],"vscpNote":""}}`
)

func challengeReply2(cmdName, sid string) string {
	return `{"type":"+","command":"` + cmdName + `","args":{"sid":"` + sid + `"}}`
}

// simple2 is a row "connect /ws2 (optionally log in as who), send s, expect
// the JSON frame want".
func simple2(who, s, want string) func(t *testing.T) {
	return func(t *testing.T) {
		c := newFixture(t, nil).ws2()
		if who != "" {
			c.login(who)
		}
		c.send(s)
		c.expectJSON(want)
	}
}

// rt2 sends s and expects the JSON frame want.
func (c *client) rt2(s, want string) {
	c.t.Helper()
	c.send(s)
	c.expectJSON(want)
}

var ws2GreetingRE = regexp.MustCompile(`^\{"type":"\+","args":\["AUTH0","([0-9A-F]{32})"\]\}$`)

// TestWS2 is the ws2 conformance table, one numbered subtest per row:
// message dispatch, commands, AUTH, SETFILTER, client and host events,
// queueing and forwarding, each with its exact replies.
func TestWS2(t *testing.T) {
	rows := []rowCase{
		{1, "greeting", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			if !ws2GreetingRE.MatchString(c.greeting) {
				t.Fatalf("greeting %q, want %s", c.greeting, ws2GreetingRE)
			}
			checkJSON(t, c.greeting, `{"type":"+","args":["AUTH0","`+c.sid+`"]}`)
			var m map[string]any
			if err := json.Unmarshal([]byte(c.greeting), &m); err != nil {
				t.Fatal(err)
			}
			if _, ok := m["command"]; ok {
				t.Fatalf("greeting has a command key: %s", c.greeting)
			}
		}},
		{2, "noop", simple2("", `{"type":"CMD","command":"NOOP","args":null}`, plus("NOOP"))},
		{3, "noop_lowercase_padded", simple2("", `{"type":"cmd","command":" noop ","args":{}}`, plus("NOOP"))},
		{4, "noop_no_args", simple2("", `{"type":"C","command":"NOOP"}`, plus("NOOP"))},
		{5, "noop_array_args", simple2("", `{"type":"CMD","command":"NOOP","args":["x"]}`, plus("NOOP"))},
		{6, "not_json", simple2("", `hello`, `{"type":"-","command":"","errcode":8,"errstr":"Parse error, invalid format."}`)},
		{7, "not_object", simple2("", `[1,2]`, minus("", 8))},
		{8, "unknown_type", simple2("", `{"type":"XYZ"}`, `{"type":"-","command":"","errcode":9,"errstr":"Unknown type, only know 'COMMAND' and 'EVENT'."}`)},
		{9, "missing_type", simple2("", `{"command":"NOOP","args":null}`, minus("", 9))},
		{10, "type_not_string", simple2("", `{"type":5}`, minus("", 9))},
		{11, "plus_type_ignored", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.send(`{"type":"+","args":[]}`)
			c.rt2(`{"type":"C","command":"NOOP"}`, plus("NOOP"))
			c.expectNothing(quiet)
		}},
		{12, "unknown_command", simple2("", `{"type":"CMD","command":"FOO","args":null}`, `{"type":"-","command":"FOO","errcode":2,"errstr":"Unknown command."}`)},
		{13, "missing_command", simple2("", `{"type":"CMD","args":null}`, minus("", 8))},
		{14, "version", simple2("", `{"type":"CMD","command":"VERSION"}`, versionReply2)},
		{15, "ver", simple2("", cmd("ver", nil), verReply2)},
		{16, "copyright", simple2("", cmd("COPYRIGHT", nil), copyrightReply2)},
		{17, "challenge_unauth", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(cmd("CHALLENGE", nil), challengeReply2("CHALLENGE", c.sid))
		}},
		{18, "challenge_admin", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.login("admin")
			c.rt2(cmd("challenge", nil), challengeReply2("CHALLENGE", c.sid))
		}},
		{19, "open_unauth", simple2("", cmd("OPEN", nil), `{"type":"-","command":"OPEN","errcode":5,"errstr":"Not authorised."}`)},
		{20, "close_unauth", simple2("", cmd("CLOSE", nil), plus("CLOSE"))},
		{21, "sf_unauth", simple2("", cmd("SF", map[string]any{"filter_guid": "-"}), minus("SF", 5))},
		{22, "clrq_unauth", simple2("", cmd("CLRQ", nil), minus("CLRQ", 5))},
		{23, "auth_admin", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(`{"type":"CMD","command":"AUTH","args":{"iv":"`+c.sid+`","crypto":"`+c.crypto("admin:secret")+`"}}`, plus("AUTH"))
		}},
		{24, "auth_lowercase", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(`{"type":"cmd","command":"auth","args":{"iv":"`+strings.ToLower(c.sid)+`","crypto":"`+strings.ToLower(c.crypto("admin:secret"))+`"}}`, plus("AUTH"))
		}},
		{25, "auth_iv_not_sid", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			iv := randomHex16()
			for iv == c.sid {
				iv = randomHex16()
			}
			c.rt2(cmd("AUTH", map[string]string{"iv": iv, "crypto": cryptoFor(c.f.key, iv, "admin:secret")}), minus("AUTH", 8))
		}},
		{26, "auth_replay_vector_unbound", func(t *testing.T) {
			c := newFixture(t, cfg{"auth-bind-sid": false, "key-file": nil}).ws2()
			c.rt2(`{"type":"cmd","command":"auth","args":{"iv":"`+replayIV+`","crypto":"`+replayCrypto+`"}}`, plus("AUTH"))
		}},
		{27, "auth_wrong_password_rotates_sid", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			old := c.sid
			c.rt2(c.ws2Auth("admin:wrong"), minus("AUTH", 5))
			if c.challenge() == old {
				t.Fatalf("SID not rotated after -AUTH/5")
			}
		}},
		{28, "auth_non_hex_crypto", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(cmd("AUTH", map[string]string{"iv": c.sid, "crypto": strings.Repeat("Z", 32)}), minus("AUTH", 8))
		}},
		{29, "auth_bad_args", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(`{"type":"CMD","command":"AUTH","args":null}`, minus("AUTH", 8))
			c.rt2(`{"type":"CMD","command":"AUTH","args":{"iv":123,"crypto":"`+c.crypto("admin:secret")+`"}}`, minus("AUTH", 8))
		}},
		{30, "auth_no_ws_right", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.rt2(c.ws2Auth("nows:secret"), minus("AUTH", 5))
		}},
		{31, "setfilter_numbers", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.loginOpen("admin")
			c.rt2(cmd("SETFILTER", map[string]any{"filter_class": 10, "mask_class": 65535}), plus("SETFILTER"))
			f.write(hostEvent(20, 6))
			f.write(event70())
			c.expectJSON(frame48)
			c.expectNothing(quiet)
		}},
		{32, "sf_strings", simple2("admin", cmd("sf", map[string]any{"filter_class": "0x0A", "mask_class": "0xFFFF", "filter_guid": "-", "mask_guid": ""}), plus("SF"))},
		{33, "setfilter_invalid_unchanged", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.loginOpen("admin")
			c.rt2(cmd("SETFILTER", map[string]any{"filter_class": 10, "mask_class": 65535}), plus("SETFILTER"))
			c.rt2(cmd("SETFILTER", map[string]any{"filter_class": "abc"}), minus("SETFILTER", 1))
			f.write(hostEvent(20, 6))
			f.write(event70())
			c.expectJSON(frame48)
			c.expectNothing(quiet)
		}},
		{34, "setfilter_out_of_range", simple2("admin", cmd("SETFILTER", map[string]any{"mask_class": 70000}), minus("SETFILTER", 1))},
		{35, "setfilter_without_right", simple2("user", cmd("SETFILTER", map[string]any{"filter_class": 10, "mask_class": 65535}),
			`{"type":"-","command":"SETFILTER","errcode":7,"errstr":"Not allowed to do that (check privileges)"}`)},
		{36, "clrq_and_clrqueue", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.login("admin")
			c.rt2(cmd("CLRQ", nil), plus("CLRQ"))
			c.rt2(cmd("CLRQUEUE", nil), plus("CLRQUEUE"))
		}},
		{37, "event_unauth", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.rt2(`{"type":"EVENT","event":{"vscpClass":10,"vscpType":6}}`, minus("EVENT", 5))
			c.rt2(cmd("NOOP", nil), plus("NOOP"))
			f.expectNoRead(quiet)
		}},
		{38, "event_admin", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			c.rt2(`{"type":"E","event":{"vscpHead":0,"vscpClass":10,"vscpType":6,"vscpData":[1,2,3]}}`, plus("EVENT"))
			ev := f.read()
			checkEvent(t, ev, 10, 6, ifgText, []byte{1, 2, 3})
			checkNow(t, ev)
		}},
		{39, "event_mixed_keys", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			c.rt2(`{"type":"E","event":{"head":0,"vscpClass":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:17:50.123456Z","timestamp":0,"guid":"FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00","data":[1,2,3,4,5,6],"note":"x"}}`, plus("EVENT"))
			ev := f.read()
			checkEvent(t, ev, 30, 5, "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00", []byte{1, 2, 3, 4, 5, 6})
			checkDate(t, ev, dt(2026, 11, 22, 0, 17, 50), 123456000)
		}},
		{40, "event_string_numbers", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			c.rt2(`{"type":"event","event":{"class":"10","type":"0x06","data":["1","0x02"]}}`, plus("EVENT"))
			checkEvent(t, f.read(), 10, 6, ifgText, []byte{1, 2})
		}},
		{41, "event_month_as_written", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			c.rt2(ws2Event(map[string]any{"vscpClass": 10, "vscpType": 6, "vscpDateTime": "2025-01-02T03:04:05Z"}), plus("EVENT"))
			checkDate(t, f.read(), dt(2025, 1, 2, 3, 4, 5), 0)
		}},
		{42, "event_timestamp_ns", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			c.rt2(ws2Event(map[string]any{"class": 10, "type": 8, "timestamp_ns": "0x17B9775B31B48315"}), plus("EVENT"))
			ev := f.read()
			checkDate(t, ev, dt(2024, 3, 4, 5, 6, 7), 123456789)
			if ev.Timestamp != 2934296576 {
				t.Fatalf("timestamp %d, want 2934296576 ((ns/1000) mod 2^32)", ev.Timestamp)
			}
		}},
		{43, "event_data_256", simple2("admin", ws2Event(map[string]any{"vscpClass": 10, "vscpType": 6, "vscpData": []int{256}}), minus("EVENT", 1))},
		{44, "event_513_bytes", simple2("admin", ws2Event(map[string]any{"vscpClass": 10, "vscpType": 6, "vscpData": make([]int, 513)}), minus("EVENT", 1))},
		{45, "event_negative_and_fraction", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			c.rt2(`{"type":"EVENT","event":{"vscpClass":-1,"vscpType":6}}`, minus("EVENT", 1))
			c.rt2(`{"type":"EVENT","event":{"vscpClass":1.5,"vscpType":6}}`, minus("EVENT", 1))
			f.expectNoRead(quiet)
		}},
		{46, "event_not_object", func(t *testing.T) {
			c := newFixture(t, nil).ws2()
			c.login("admin")
			c.rt2(`{"type":"EVENT","event":"x"}`, minus("EVENT", 8))
			c.rt2(`{"type":"EVENT"}`, minus("EVENT", 8))
		}},
		{47, "event_hlo_without_right", simple2("user", ws2Event(map[string]any{"vscpClass": 1028, "vscpType": 0}),
			`{"type":"-","command":"EVENT","errcode":6,"errstr":"Not allowed to send event."}`)},
		{48, "host_event_both", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.loginOpen("admin")
			f.write(event70())
			c.expectJSON(frame48)
		}},
		{49, "host_event_vscp_format", func(t *testing.T) {
			f := newFixture(t, cfg{"ws2-event-format": "vscp"})
			c := f.ws2()
			c.loginOpen("admin")
			f.write(event70())
			c.expectJSON(frame49)
		}},
		{50, "queued_until_open", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			f.write(event70())
			f.settle()
			c.expectNothing(quiet)
			c.send(cmd("OPEN", nil))
			c.expectJSON(plus("OPEN"))
			c.expectJSON(frame48)
		}},
		{51, "forward_ws1_to_ws2", func(t *testing.T) {
			f := newFixture(t, nil)
			a, b := f.ws1(), f.ws2()
			a.loginOpen("admin")
			b.loginOpen("admin")
			a.roundTrip("E;0,10,6,0,,0,-,7", "+;EVENT")
			ev := f.read()
			checkEvent(t, ev, 10, 6, ifgText, []byte{7})
			// The forwarded copy is the normalised event (obid = A's
			// session-id, GUID filled, datetime set) in the "both" key set.
			if ev.OBID == 0 {
				t.Fatalf("obid 0")
			}
			b.expectEvent2(ev, "both")
			a.expectNothing(quiet)
		}},
		{52, "pipelined_burst", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.burst(c.ws2Auth("admin:secret"), cmd("NOOP", nil), cmd("VERSION", nil), cmd("COPYRIGHT", nil), cmd("OPEN", nil),
				ws2Event(map[string]any{"vscpClass": 30, "vscpType": 5, "vscpData": []int{1}}),
				cmd("setfilter", map[string]any{"filter_class": 10, "mask_class": 65535, "filter_priority": 0, "mask_type": 0}))
			for _, want := range []string{plus("AUTH"), plus("NOOP"), versionReply2, copyrightReply2, plus("OPEN"), plus("EVENT"), plus("SETFILTER")} {
				c.expectJSON(want)
			}
			checkEvent(t, f.read(), 30, 5, ifgText, []byte{1})
		}},
	}
	runRows(t, rows)
}

// expectEvent2 checks that the next ws2 frame is byte-exactly the event
// envelope of ev.
func (c *client) expectEvent2(ev *vscp.Event, format string) {
	c.t.Helper()
	c.expectJSON(ws2EventFrame(ev, format))
}
