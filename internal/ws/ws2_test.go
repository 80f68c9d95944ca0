package ws

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

func ws2Reply(cmd string) string { return `{"type":"+","command":"` + cmd + `","args":null}` }

func ws2Err(cmd string, code int) string {
	b := ws2Error(cmd, code)
	return payload(b)
}

// ws2 conformance rows (TestWS2) that need no login.
func TestWS2MessagesInAnyState(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxAuthFailures = 0 })
	s := f.session(protoWS2)
	tests := []struct{ row, in, want string }{
		{"2", `{"type":"CMD","command":"NOOP","args":null}`, ws2Reply("NOOP")},
		{"3", `{"type":"cmd","command":" noop ","args":{}}`, ws2Reply("NOOP")},
		{"4", `{"type":"C","command":"NOOP"}`, ws2Reply("NOOP")},
		{"5", `{"type":"CMD","command":"NOOP","args":["x"]}`, ws2Reply("NOOP")},
		{"6", `hello`, `{"type":"-","command":"","errcode":8,"errstr":"Parse error, invalid format."}`},
		{"6 trailing garbage", `{"type":"C","command":"NOOP"} x`, ws2Err("", 8)},
		{"7", `[1,2]`, ws2Err("", 8)},
		{"7 null", `null`, ws2Err("", 8)},
		{"8", `{"type":"XYZ"}`, `{"type":"-","command":"","errcode":9,"errstr":"Unknown type, only know 'COMMAND' and 'EVENT'."}`},
		{"8 VARIABLE", `{"type":"VARIABLE"}`, ws2Err("", 9)},
		{"9", `{"command":"NOOP","args":null}`, ws2Err("", 9)},
		{"10", `{"type":5}`, ws2Err("", 9)},
		{"12", `{"type":"CMD","command":"FOO","args":null}`, `{"type":"-","command":"FOO","errcode":2,"errstr":"Unknown command."}`},
		{"13", `{"type":"CMD","args":null}`, ws2Err("", 8)},
		{"13 non-string command", `{"type":"CMD","command":7}`, ws2Err("", 8)},
		{"blank command", `{"type":"CMD","command":"  "}`, ws2Err("", 1)},
		{"14", `{"type":"CMD","command":"VERSION"}`, `{"type":"+","command":"VERSION","args":{"version":"1.0.0-0","driver-version":"` + version.String() + `"}}`},
		{"15", `{"type":"CMD","command":"ver"}`, `{"type":"+","command":"VER","args":{"version":"1.0.0-0","driver-version":"` + version.String() + `"}}`},
		{"16", `{"type":"CMD","command":"COPYRIGHT"}`, `{"type":"+","command":"COPYRIGHT","args":{"copyright":"` + version.Copyright + `"}}`},
		{"17", `{"type":"CMD","command":"CHALLENGE"}`, `{"type":"+","command":"CHALLENGE","args":{"sid":"` + s.sid + `"}}`},
		{"19", `{"type":"CMD","command":"OPEN"}`, `{"type":"-","command":"OPEN","errcode":5,"errstr":"Not authorised."}`},
		{"20", `{"type":"CMD","command":"CLOSE"}`, ws2Reply("CLOSE")},
		{"21", `{"type":"CMD","command":"SF","args":{"filter_guid":"-"}}`, ws2Err("SF", 5)},
		{"22", `{"type":"CMD","command":"CLRQ"}`, ws2Err("CLRQ", 5)},
		{"25 iv not the SID", `{"type":"CMD","command":"AUTH","args":{"iv":"0123456789ABCDEF0123456789ABCDEF","crypto":"` + strings.Repeat("A", 32) + `"}}`, ws2Err("AUTH", 8)},
		{"28", `{"type":"CMD","command":"AUTH","args":{"iv":"` + s.sid + `","crypto":"` + strings.Repeat("Z", 32) + `"}}`, ws2Err("AUTH", 8)},
		{"29 null args", `{"type":"CMD","command":"AUTH","args":null}`, ws2Err("AUTH", 8)},
		{"29 numeric iv", `{"type":"CMD","command":"AUTH","args":{"iv":123,"crypto":"` + strings.Repeat("A", 32) + `"}}`, ws2Err("AUTH", 8)},
		{"37", `{"type":"EVENT","event":{"vscpClass":10,"vscpType":6}}`, ws2Err("EVENT", 5)},
		{"quote in echoed command", `{"type":"CMD","command":"a\"b"}`, `{"type":"-","command":"A\"B","errcode":2,"errstr":"Unknown command."}`},
	}
	for _, tc := range tests {
		t.Run(tc.row, func(t *testing.T) {
			got := send(s, tc.in)
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("%s\n got %q\nwant %q", tc.in, got, tc.want)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(got[0]), &v); err != nil {
				t.Fatalf("reply is not JSON: %v", err)
			}
			if _, ok := v["type"].(string); !ok {
				t.Fatal("every frame has a string type")
			}
		})
	}
}

func TestWS2ClientRepliesAreIgnored(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS2)
	for _, in := range []string{`{"type":"+","args":[]}`, `{"type":"-"}`, `{"type":" + "}`} {
		if got := send(s, in); len(got) != 0 {
			t.Fatalf("11: %s got a reply %q", in, got)
		}
	}
}

func TestWS2Auth(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS2)
	in := `{"type":"cmd","command":"auth","args":{"iv":"` + strings.ToLower(s.sid) + `","crypto":"` +
		strings.ToLower(crypto(t, s.sid, "admin:secret")) + `"}}`
	if got := send(s, in); len(got) != 1 || got[0] != ws2Reply("AUTH") { // 24
		t.Fatalf("%q", got)
	}
	if s.user() == nil {
		t.Fatal("not logged in")
	}
	old := s.sid
	if got := login(t, s, "admin:wrong"[:5]+"x"); got != ws2Err("AUTH", 5) { // 27 (unknown user "adminx")
		t.Fatalf("%q", got)
	}
	if s.sid == old || s.user() != nil {
		t.Fatal("27: a credential failure rotates the SID and logs out")
	}
}

func TestWS2ReplayVectorWithoutSIDBinding(t *testing.T) {
	// ws2 #26: the default key, auth-bind-sid false, the fixed replay
	// vector of the old replay scripts (admin:secret plus four spaces).
	f := newFixture(t, func(o *Options) {
		o.AuthBindSID = false
		o.Key = []byte{0xA4, 0xA8, 0x6F, 0x7D, 0x7E, 0x11, 0x9B, 0xA3, 0xF0, 0xCD, 0x06, 0x88, 0x1E, 0x37, 0x1B, 0x98}
	})
	s := f.session(protoWS2)
	got := send(s, `{"type":"cmd","command":"auth","args":{"iv":"5a475c082c80dcdf7f2dfbd976253b24","crypto":"69b1180d2f4809d39be34e19c750107f"}}`)
	if len(got) != 1 || got[0] != ws2Reply("AUTH") {
		t.Fatalf("%q", got)
	}
}

func TestWS2AuthenticatedCommands(t *testing.T) {
	tests := []struct{ row, user, in, want string }{
		{"18", "admin", `{"type":"CMD","command":"challenge"}`, `{"type":"+","command":"CHALLENGE","args":{"sid":"`},
		{"31", "admin", `{"type":"CMD","command":"SETFILTER","args":{"filter_class":10,"mask_class":65535}}`, ws2Reply("SETFILTER")},
		{"32", "admin", `{"type":"CMD","command":"sf","args":{"filter_class":"0x0A","mask_class":"0xFFFF","filter_guid":"-","mask_guid":""}}`, ws2Reply("SF")},
		{"33", "admin", `{"type":"CMD","command":"SETFILTER","args":{"filter_class":"abc"}}`, ws2Err("SETFILTER", 1)},
		{"34", "admin", `{"type":"CMD","command":"SETFILTER","args":{"mask_class":70000}}`, ws2Err("SETFILTER", 1)},
		{"SF args not an object", "admin", `{"type":"CMD","command":"SF","args":[1]}`, ws2Err("SF", 1)},
		{"SF null args accepts all", "admin", `{"type":"CMD","command":"SF","args":null}`, ws2Reply("SF")},
		{"35", "user", `{"type":"CMD","command":"SETFILTER","args":{"filter_class":10,"mask_class":65535}}`, `{"type":"-","command":"SETFILTER","errcode":7,"errstr":"Not allowed to do that (check privileges)"}`},
		{"36", "admin", `{"type":"CMD","command":"CLRQ"}`, ws2Reply("CLRQ")},
		{"36b", "admin", `{"type":"CMD","command":"CLRQUEUE"}`, ws2Reply("CLRQUEUE")},
		{"38", "admin", `{"type":"E","event":{"vscpHead":0,"vscpClass":10,"vscpType":6,"vscpData":[1,2,3]}}`, ws2Reply("EVENT")},
		{"40", "admin", `{"type":"event","event":{"class":"10","type":"0x06","data":["1","0x02"]}}`, ws2Reply("EVENT")},
		{"43", "admin", `{"type":"E","event":{"vscpClass":10,"vscpType":6,"vscpData":[256]}}`, ws2Err("EVENT", 1)},
		{"45", "admin", `{"type":"E","event":{"vscpClass":-1,"vscpType":6}}`, ws2Err("EVENT", 1)},
		{"45b", "admin", `{"type":"E","event":{"vscpClass":1.5,"vscpType":6}}`, ws2Err("EVENT", 1)},
		{"46", "admin", `{"type":"EVENT","event":"x"}`, ws2Err("EVENT", 8)},
		{"46b", "admin", `{"type":"EVENT"}`, ws2Err("EVENT", 8)},
		{"47", "user", `{"type":"E","event":{"vscpClass":1028,"vscpType":0}}`, `{"type":"-","command":"EVENT","errcode":6,"errstr":"Not allowed to send event."}`},
		{"rcv cannot send", "rcv", `{"type":"E","event":{"vscpClass":10,"vscpType":6}}`, ws2Err("EVENT", 6)},
	}
	for _, tc := range tests {
		t.Run(tc.row, func(t *testing.T) {
			f := newFixture(t, nil)
			s := f.session(protoWS2)
			login(t, s, tc.user)
			before := s.state.Load().filter
			got := send(s, tc.in)
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Fatalf("%s\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if strings.Contains(tc.want, `"type":"-","command":"S`) && s.state.Load().filter != before {
				t.Fatal("a failed SETFILTER leaves the filter unchanged")
			}
		})
	}
}

func TestWS2EventFieldsReachTheHost(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS2)
	login(t, s, "admin")
	send(s, `{"type":"E","event":{"head":0,"vscpClass":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:17:50.123456Z","timestamp":0,"guid":"FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00","data":[1,2,3,4,5,6],"note":"x"}}`)
	send(s, `{"type":"E","event":{"vscpClass":10,"vscpType":6,"vscpDateTime":"2025-01-02T03:04:05Z"}}`)
	h := f.hostEvents()
	if len(h) != 2 {
		t.Fatalf("host got %d", len(h))
	}
	if h[0].Class != 30 || h[0].GUID.String() != "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00" || len(h[0].Data) != 6 ||
		h[0].DateTime.Year != 2026 || h[0].DateTime.Second != 50 || h[0].OBID != s.id { // 39
		t.Fatalf("39: %v", h[0])
	}
	if h[1].DateTime.Month != 1 || h[1].DateTime.Day != 2 || h[1].GUID != testIFG { // 41
		t.Fatalf("41: %v", h[1])
	}
}

func TestWS2EventFormats(t *testing.T) {
	ev := &vscp.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}
	both := payload(encodeWS2Event(ev, vscp.JSONBoth))
	if both != `{"type":"EVENT","event":{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"`+z16+`","vscpData":[1,2,3],"vscpNote":"","head":0,"obid":0,"datetime":"","timestamp":0,"class":10,"type":6,"guid":"`+z16+`","data":[1,2,3],"note":""}}` { // 48
		t.Fatalf("48: %s", both)
	}
	short := payload(encodeWS2Event(ev, vscp.JSONVSCP))
	if short != `{"type":"EVENT","event":{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"`+z16+`","vscpData":[1,2,3],"vscpNote":""}}` { // 49
		t.Fatalf("49: %s", short)
	}
	if g := payload(ws2Greeting("ABC")); g != `{"type":"+","args":["AUTH0","ABC"]}` { // 1
		t.Fatalf("1: %s", g)
	}
}

func TestLargeFramesUseExtendedLengths(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536} {
		f := textFrame(make([]byte, n))
		if len(f) != headerLen(n)+n || payload(f) != string(make([]byte, n)) {
			t.Fatalf("n=%d: frame of %d bytes", n, len(f))
		}
	}
}
