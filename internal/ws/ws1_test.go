package ws

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

const (
	z16     = "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"
	ifgText = "FF:FF:FF:FF:FF:FF:FF:FE:00:00:00:00:00:00:AB:CD"
)

// ws1 conformance rows (TestWS1) that need no connection and no login.
func TestWS1CommandsInAnyState(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS1)
	drv := version.String()
	tests := []struct{ row, in, want string }{
		{"10", "C;NOOP", "+;NOOP"},
		{"11", "C;noop", "+;NOOP"},
		{"12", "  C ; noop \r\n", "+;NOOP"},
		{"13", "C;NOOPXYZ", "-;NOOPXYZ;2;Unknown command."},
		{"14", "c;NOOP", "-;;9;Unknown type, only know 'COMMAND' and 'EVENT'."},
		{"15", "", "-;;9;Unknown type, only know 'COMMAND' and 'EVENT'."},
		{"16", "C;", "-;;1;Syntax error."},
		{"16 blank token", "C;  ", "-;;1;Syntax error."},
		{"16 no separator", "C", "-;;1;Syntax error."},
		{"17", "CNOOP", "-;;1;Syntax error."},
		{"17 COMMAND", "COMMAND;NOOP", "-;;1;Syntax error."},
		{"18", "C;foo", "-;FOO;2;Unknown command."},
		{"19", "C;VERSION", "+;VERSION;" + drv + ";1.0.0.0"},
		{"20", "C;ver", "+;VER;" + drv + ";1.0.0.0"},
		{"21", "C;COPYRIGHT", "+;COPYRIGHT;" + version.Copyright},
		{"22", "C;CHALLENGE", "+;AUTH0;" + s.sid},
		{"24", "C;AUTH", "-;AUTH;1;Syntax error."},
		{"25", "C;AUTH;" + s.sid, "-;AUTH;1;Syntax error."},
		{"41", "C;OPEN", "-;OPEN;5;Not authorised."},
		{"42", "C;CLOSE", "+;CLOSE"},
		{"43", "C;SF;0,0,0,-;0,0,0,-", "-;SF;5;Not authorised."},
		{"44", "C;CLRQ", "-;CLRQ;5;Not authorised."},
		{"53", "E;0,10,6,0,,0,-,1,2", "-;EVENT;5;Not authorised."},
		{"EVENT prefix", "EVENT;0,10,6", "-;EVENT;1;Syntax error."},
		{"echo too long", "C;" + strings.Repeat("X", 33), "-;;2;Unknown command."},
		{"echo non-printable", "C;A\x01B", "-;;2;Unknown command."},
		{"upper-case echo of mixed case", "C;SetFilter;0,0,0,-;0,0,0,-", "-;SETFILTER;5;Not authorised."},
		{"lower-case e", "e;0,10,6", "-;;9;Unknown type, only know 'COMMAND' and 'EVENT'."},
		{"bytes >= 0x80 are ordinary", "C;\xff", "-;;2;Unknown command."},
	}
	for _, tc := range tests {
		t.Run(tc.row, func(t *testing.T) {
			got := send(s, tc.in)
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("%q → %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWS1AuthSyntaxFailuresKeepTheSID(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxAuthFailures = 0 })
	s := f.session(protoWS1)
	sid := s.sid
	for _, in := range []string{
		"C;AUTH;" + sid + ";ABC",                                             // 26: not a multiple of 32
		"C;AUTH;" + sid + ";" + strings.Repeat("Z", 32),                      // 27
		"C;AUTH;0123456789ABCDEF0123456789ABCDEF;" + strings.Repeat("A", 32), // 28: iv ≠ SID
		"C;AUTH;" + sid[:30] + ";" + strings.Repeat("A", 32),                 // short iv
		"C;AUTH;" + sid + ";" + strings.Repeat("A", 1056),                    // > 1024 hex digits
	} {
		if got := send(s, in); len(got) != 1 || got[0] != "-;AUTH;1;Syntax error." {
			t.Fatalf("%q → %q", in, got)
		}
		if s.sid != sid {
			t.Fatal("a syntax failure rotated the SID")
		}
	}
	if got := f.counters.Get(stats.AuthFailed); got != 5 {
		t.Fatalf("auth_failed = %d, want 5", got)
	}
}

func TestWS1AuthSuccessReplyFields(t *testing.T) {
	tests := []struct{ user, want string }{
		{"admin", "+;AUTH1;0;admin;********;Sample administrator;0,0,0," + z16 + ";0,0,0," + z16 +
			";0xFFFFFFFFFFFFFFFF;+127.0.0.0/8,+::1,+192.168.0.0/16;;dXNlcm5hbWUgJ2FkbWluJyBwYXNzd29yZCAnc2VjcmV0Jw=="},
		{"user", "+;AUTH1;1;user;********;Sample user;0,0,0," + z16 + ";0,0,0," + z16 +
			";0x17007F;;;dXNlcm5hbWUgJ3VzZXInIHBhc3N3b3JkICdzZWNyZXQn"},
		{"ev", "+;AUTH1;2;ev;********;;0,0,0," + z16 + ";0,0,0," + z16 + ";0x17007F;;000A:*,*:0006;"},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			f := newFixture(t, nil)
			s := f.session(protoWS1)
			sid := s.sid
			if got := login(t, s, tc.user); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			if s.sid != sid || s.user() == nil || s.user().Name != tc.user {
				t.Fatal("successful AUTH must attach the user and keep the SID")
			}
			if s.unauthSince.Load() != 0 {
				t.Fatal("authenticated session still counts towards auth-timeout")
			}
		})
	}
}

func TestWS1AuthCredentialFailureDeauthenticates(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxAuthFailures = 0 })
	s := f.session(protoWS1)
	login(t, s, "admin")
	send(s, "C;OPEN")
	f.h.Dispatch(&vscp.Event{Class: 10, Type: 6})
	if !s.open.Load() || s.events.Len() != 1 {
		t.Fatal("setup: session should be open with one queued event")
	}
	old := s.sid
	got := send(s, "C;AUTH;"+s.sid+";"+crypto(t, s.sid, "admin:wrong")) // 36
	if len(got) != 1 || got[0] != "-;AUTH;5;Not authorised." {
		t.Fatalf("reply %q", got)
	}
	if s.sid == old {
		t.Fatal("37: the SID must rotate after a credential failure")
	}
	if s.user() != nil || s.open.Load() || s.events.Len() != 0 {
		t.Fatal("refused credentials: user detached, OPEN cleared, queue discarded")
	}
	if f.counters.Get(stats.SessionDiscarded) != 1 {
		t.Fatal("the discarded event is counted")
	}
	// 38: the old SID no longer binds.
	if got := send(s, "C;AUTH;"+old+";"+crypto(t, old, "admin:secret")); got[0] != "-;AUTH;1;Syntax error." {
		t.Fatalf("AUTH with the old SID: %q", got)
	}
	// 37: CHALLENGE reports the new SID and does not rotate it.
	if got := send(s, "C;CHALLENGE"); got[0] != "+;AUTH0;"+s.sid {
		t.Fatalf("CHALLENGE: %q", got)
	}
}

func TestWS1CredentialFailures(t *testing.T) {
	for _, cred := range []string{"nouser:secret", "nows:secret", "admin:wrong", "admin", ":secret", "admin:"} {
		t.Run(cred, func(t *testing.T) {
			f := newFixture(t, nil)
			s := f.session(protoWS1)
			got := send(s, "C;AUTH;"+s.sid+";"+crypto(t, s.sid, cred))
			if len(got) != 1 || got[0] != "-;AUTH;5;Not authorised." {
				t.Fatalf("%q → %q", cred, got)
			}
		})
	}
}

func TestWS1MaxAuthFailuresClosesWith1008(t *testing.T) {
	f := newFixture(t, nil) // max-auth-failures 3
	s := f.session(protoWS1)
	for i := 1; i <= 3; i++ {
		s.handle([]byte("C;AUTH;" + s.sid + ";" + crypto(t, s.sid, "admin:wrong")))
	}
	w := writer{s: s}
	reps := w.take()
	if len(reps) != 4 {
		t.Fatalf("%d frames, want 3 replies and a close", len(reps))
	}
	for i := 0; i < 3; i++ {
		if payload(reps[i].data) != "-;AUTH;5;Not authorised." {
			t.Fatalf("reply %d: %q", i, payload(reps[i].data))
		}
	}
	c := reps[3]
	if !c.close || c.data[0] != finBit|opClose || payload(c.data)[2:] != "too many authentication failures" ||
		int(c.data[2])<<8|int(c.data[3]) != closePolicyViolated {
		t.Fatalf("close frame % X", c.data)
	}
	if f.counters.Get(stats.AuthClosed) != 1 {
		t.Fatal("auth_closed not counted")
	}
}

func TestWS1AuthenticatedCommands(t *testing.T) {
	tests := []struct{ row, user, in, want string }{
		{"23", "admin", "C;challenge", "+;AUTH0;"},
		{"45", "admin", "C;OPEN", "+;OPEN"},
		{"46", "admin", "C;SF;0,10,6,-;0,0xFFFF,0xFFFF,-", "+;SF"},
		{"47", "admin", "C;setfilter;0,10,6,-;0,0xFFFF,0xFFFF,-", "+;SETFILTER"},
		{"48", "admin", "C;SF;0x0,0x0,0x0," + z16 + ";0x0,0xffff,0xffff," + z16, "+;SF"},
		{"49", "user", "C;SF;0,10,6,-;0,0xFFFF,0xFFFF,-", "-;SF;7;Not allowed to do that (check privileges)"},
		{"50", "admin", "C;SF;0,10,6,-", "-;SF;1;Syntax error."},
		{"51", "admin", "C;SF;0,10,6,ZZ;0,0,0,-", "-;SF;1;Syntax error."},
		{"52", "admin", "C;CLRQ", "+;CLRQ"},
		{"52b", "admin", "C;clrqueue", "+;CLRQUEUE"},
		{"55", "admin", "E;0,10,6", "-;EVENT;1;Syntax error."},
		{"59", "admin", "E;0,10,6,0,2025-13-01T00:00:00Z,0,-", "-;EVENT;1;Syntax error."},
		{"60", "admin", "E;0,10,6,0,,0,-,256", "-;EVENT;1;Syntax error."},
		{"63", "admin", "E;0,10,6,0,,0,GG:01", "-;EVENT;1;Syntax error."},
		{"64", "user", "E;0,1028,0,0,,0,-", "-;EVENT;6;Not allowed to send event."},
		{"65", "user", "E;0,512,1,0,,0,-", "+;EVENT"},
		{"66", "rcv", "E;0,10,6,0,,0,-", "-;EVENT;6;Not allowed to send event."},
		{"67a", "ev", "E;0,20,3,0,,0,-", "-;EVENT;6;Not allowed to send event."},
		{"67b", "ev", "E;0,40,6,0,,0,-", "+;EVENT"},
		{"l2ctrl", "rcv", "E;0,1024,0,0,,0,-", "-;EVENT;6;Not allowed to send event."},
		{"513 bytes", "admin", "E;0,10,6,0,,0,-" + strings.Repeat(",1", 513), "-;EVENT;1;Syntax error."},
	}
	for _, tc := range tests {
		t.Run(tc.row, func(t *testing.T) {
			f := newFixture(t, nil)
			s := f.session(protoWS1)
			login(t, s, tc.user)
			before := s.state.Load().filter
			got := send(s, tc.in)
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Fatalf("%q → %q, want %q", tc.in, got, tc.want)
			}
			if strings.HasPrefix(tc.want, "-;SF") && s.state.Load().filter != before {
				t.Fatal("a failed SF must leave the filter unchanged")
			}
		})
	}
}

func TestWS1ClientEventIsNormalisedAndQueuedForTheHost(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS1)
	login(t, s, "admin")
	if got := send(s, "E;0,10,6,0,,0,-,1,2"); got[0] != "+;EVENT" { // 54
		t.Fatalf("reply %q", got)
	}
	if got := send(s, "E;0,30,5,0,0,0,FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00,1,2,3,4,5,6"); got[0] != "+;EVENT" { // 57
		t.Fatalf("reply %q", got)
	}
	host := f.hostEvents()
	if len(host) != 2 {
		t.Fatalf("host got %d events", len(host))
	}
	e := host[0]
	if e.Class != 10 || e.Type != 6 || string(e.Data) != "\x01\x02" || e.OBID != s.id || e.OBID == 0 ||
		e.GUID != testIFG || e.Timestamp == 0 || e.DateTime.IsUnset() {
		t.Fatalf("54: %v", e)
	}
	if host[1].GUID.String() != "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00" || len(host[1].Data) != 6 {
		t.Fatalf("57: %v", host[1])
	}
}

func TestWS1PriorityClampedToMaxPriority(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS1)
	login(t, s, "ev")
	send(s, "E;0x20,10,1,0,,0,-") // 68
	if h := f.hostEvents()[0].Head; h != 0x60 {
		t.Fatalf("head %#x, want 0x60", h)
	}
	if f.counters.Get(stats.PriorityClamped) != 1 {
		t.Fatal("priority_clamped not counted")
	}
}

func TestWS1InQueueFullIsCode3AndNotForwarded(t *testing.T) {
	f := newFixture(t, nil)
	a, b := f.session(protoWS1), f.session(protoWS1)
	login(t, a, "admin")
	login(t, b, "admin")
	send(b, "C;OPEN")
	f.full = true
	if got := send(a, "E;0,10,6,0,,0,-"); got[0] != "-;EVENT;3;Transmit buffer full." { // 69
		t.Fatalf("reply %q", got)
	}
	if b.events.Len() != 0 {
		t.Fatal("a refused event must not be forwarded")
	}
}

func TestWS1ForwardingRules(t *testing.T) {
	tests := []struct {
		name                 string
		forward, receiveSent bool
		bOpen, bAuth         bool
		wantB, wantA         int
	}{
		{"76 forwarded to other open sessions", true, false, true, true, 1, 0},
		{"77 not to a closed session", true, false, false, true, 0, 0},
		{"77 not to an unauthenticated session", true, false, false, false, 0, 0},
		{"forward-client-events false", false, false, true, true, 0, 0},
		{"78 receive-sent-events echoes to the sender", true, true, true, true, 1, 1},
		{"receive-sent-events alone", false, true, true, true, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *Options) {
				o.ForwardClientEvents = tc.forward
				o.ReceiveSentEvents = tc.receiveSent
			})
			a, b := f.session(protoWS1), f.session(protoWS2)
			login(t, a, "admin")
			send(a, "C;OPEN")
			if tc.bAuth {
				login(t, b, "admin")
			}
			if tc.bOpen {
				send(b, `{"type":"C","command":"OPEN"}`)
			}
			send(a, "E;0,10,6,0,,0,-,7")
			bq, aq := queued(b), queued(a)
			if len(bq) != tc.wantB || len(aq) != tc.wantA {
				t.Fatalf("B got %d, A got %d; want %d, %d", len(bq), len(aq), tc.wantB, tc.wantA)
			}
			if tc.wantB == 1 && !strings.Contains(bq[0], fmt.Sprintf(`"vscpObId":%d`, a.id)) {
				t.Fatalf("51: B (ws2) got %s", bq[0])
			}
			if tc.wantA == 1 && !strings.HasPrefix(aq[0], fmt.Sprintf("E;0,10,6,%d,", a.id)) {
				t.Fatalf("A (ws1) got %s", aq[0])
			}
		})
	}
}

func TestDispatchRoutesHostEvents(t *testing.T) {
	f := newFixture(t, nil)
	admin, unauth, nows, user := f.session(protoWS1), f.session(protoWS1), f.session(protoWS1), f.session(protoWS2)
	login(t, admin, "admin")
	login(t, user, "admin")
	send(user, `{"type":"C","command":"SF","args":{"filter_class":20,"mask_class":65535}}`)
	send(nows, "C;AUTH;"+nows.sid+";"+crypto(t, nows.sid, "rcv:secret"))
	f.h.Dispatch(&vscp.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}})
	f.h.Dispatch(&vscp.Event{Class: 20, Type: 3})
	// Closed sessions queue too; only authentication, receive-events and the
	// filter decide.
	if got := queued(admin); len(got) != 2 || got[0] != "E;0,10,6,0,,0,"+z16+",0x01,0x02,0x03" { // 70
		t.Fatalf("admin: %q", got)
	}
	if unauth.events.Len() != 0 {
		t.Fatal("75: unauthenticated sessions do not queue")
	}
	if got := queued(nows); len(got) != 2 {
		t.Fatalf("rcv (receive-events) got %d", len(got))
	}
	if got := queued(user); len(got) != 1 || !strings.Contains(got[0], `"vscpClass":20`) {
		t.Fatalf("a session with a class-20 filter: %q", got)
	}
}

func TestDispatchOutFilterAndUnrouted(t *testing.T) {
	outFilter, _ := vscp.ParseFilter("0,10,0,-", "0,0xFFFF,0,-")
	f := newFixture(t, func(o *Options) { o.OutFilter = outFilter })
	s := f.session(protoWS1)
	login(t, s, "admin")
	f.h.Dispatch(&vscp.Event{Class: 20})
	if f.counters.Get(stats.OutFiltered) != 1 || s.events.Len() != 0 {
		t.Fatal("the out-filter must stop class 20")
	}
	f.h.Dispatch(&vscp.Event{Class: 10})
	if s.events.Len() != 1 {
		t.Fatal("class 10 passes")
	}
	send(s, "C;AUTH;"+s.sid+";"+crypto(t, s.sid, "admin:wrong"))
	f.h.Dispatch(&vscp.Event{Class: 10})
	if f.counters.Get(stats.OutUnrouted) != 1 {
		t.Fatal("an event nobody may receive counts out_unrouted")
	}
}

func TestWS1WriterActionsOrderEvents(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS1)
	login(t, s, "admin")
	f.h.Dispatch(&vscp.Event{Class: 10, Type: 6})
	// 72: the queued event is released only after +;OPEN is applied.
	if s.open.Load() {
		t.Fatal("not open before OPEN")
	}
	send(s, "C;OPEN")
	if !s.open.Load() || s.events.Len() != 1 {
		t.Fatal("OPEN applied, event still queued for the writer")
	}
	// 74: CLOSE, host writes, CLRQ, OPEN → nothing.
	send(s, "C;CLOSE")
	f.h.Dispatch(&vscp.Event{Class: 10, Type: 6})
	send(s, "C;CLRQ")
	if s.events.Len() != 0 || f.counters.Get(stats.SessionCleared) != 2 {
		t.Fatalf("CLRQ left %d events", s.events.Len())
	}
}

func TestWS1SetFilterAppliesToQueuedEvents(t *testing.T) {
	f := newFixture(t, nil)
	s := f.session(protoWS1)
	login(t, s, "admin")
	f.h.Dispatch(&vscp.Event{Class: 10})
	f.h.Dispatch(&vscp.Event{Class: 20})
	send(s, "C;SF;0,20,0,-;0,0xFFFF,0,-")
	st := s.state.Load()
	var passed []uint16
	for _, o := range s.events.PopBatch(nil, 0) {
		if receives(st, o.ev) {
			passed = append(passed, o.ev.Class)
		}
	}
	if len(passed) != 1 || passed[0] != 20 {
		t.Fatalf("W6: send-time filter passed %v, want [20]", passed)
	}
}

func TestWS1RecoveredPanicAnswersCode10(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.Submit = func(*vscp.Event) (bool, error) { panic("host side failed") }
	})
	s := f.session(protoWS1)
	login(t, s, "admin")
	got := send(s, "E;0,10,6,0")
	if len(got) != 1 || got[0] != "-;;10;Exception or other general error." {
		t.Fatalf("T15: %q", got)
	}
	if got := send(s, "C;NOOP"); got[0] != "+;NOOP" {
		t.Fatal("the session goes on after a recovered panic")
	}
}

func TestEchoName(t *testing.T) {
	tests := map[string]string{"noop": "NOOP", " sf ": "SF", "": "", strings.Repeat("a", 32): strings.Repeat("A", 32),
		strings.Repeat("a", 33): "", "a b": "", "ä": ""}
	for in, want := range tests {
		if got := echoName(in); got != want {
			t.Errorf("echoName(%q) = %q, want %q", in, got, want)
		}
	}
}
