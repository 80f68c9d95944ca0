package ws

import (
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Error codes and their exact texts (docs/protocols.md, error codes), shared
// by ws1 and ws2.
const (
	codeSyntax       = 1
	codeUnknownCmd   = 2
	codeBufferFull   = 3
	codeNotAuth      = 5
	codeNotAllowedEv = 6
	codeNoPrivilege  = 7
	codeParse        = 8
	codeUnknownType  = 9
	codeGeneral      = 10
)

var errorText = [...]string{
	0:  "Everything is OK.",
	1:  "Syntax error.",
	2:  "Unknown command.",
	3:  "Transmit buffer full.",
	4:  "Having problems to allocate memory.",
	5:  "Not authorised.",
	6:  "Not allowed to send event.",
	7:  "Not allowed to do that (check privileges)",
	8:  "Parse error, invalid format.",
	9:  "Unknown type, only know 'COMMAND' and 'EVENT'.",
	10: "Exception or other general error.",
}

// echoName is the <CMD> of a reply: the token trimmed and upper-cased if it
// is 1–32 printable ASCII characters, else empty.
func echoName(token string) string {
	t := strings.TrimSpace(token)
	if len(t) == 0 || len(t) > 32 {
		return ""
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 0x21 || t[i] > 0x7E {
			return ""
		}
	}
	return strings.ToUpper(t)
}

// trimSpace removes ASCII whitespace (SP, HT, CR, LF, VT, FF) at both ends.
func trimSpace(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// authResult is the outcome of an AUTH command, for either protocol.
type authResult struct {
	outcome auth.Outcome
	user    *auth.User
	close   bool // max-auth-failures reached: close after the reply
}

// authenticate runs an AUTH command for the session: syntax check,
// throttle, credential check. present is false when iv or crypto is
// missing.
func (s *session) authenticate(iv, crypto string, present bool) authResult {
	h := s.hub
	var ivb, cb []byte
	ok := present
	if ok {
		ivb, cb, ok = h.verifier.CheckSyntax(iv, crypto, s.sid)
	}
	if !ok {
		h.log.Warn("AUTH failed", zap.String("peer", peerString(s.peer)), zap.String("reason", string(auth.ReasonSyntax)))
		return s.authFailed(authResult{outcome: auth.Syntax})
	}
	if h.throttle != nil {
		if d := h.throttle.Delay(s.peer); d > 0 {
			h.counters.Inc(stats.AuthThrottled)
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-s.writerDone:
			case <-h.stop:
			}
			t.Stop()
		}
	}
	user, outcome, reason, name := h.verifier.Authenticate(ivb, cb, s.peer)
	if outcome != auth.OK {
		h.log.Warn("AUTH failed", zap.String("peer", peerString(s.peer)), zap.String("reason", string(reason)), zap.String("user", name))
		if h.throttle != nil {
			h.throttle.RecordFailure(s.peer)
		}
		// Refused credentials: detach, new SID; the writer clears the
		// OPEN flag and discards the queue as it sends the reply.
		s.state.Store(nil)
		s.unauthSince.Store(h.now())
		s.sid = auth.NewSID()
		return s.authFailed(authResult{outcome: auth.Cred})
	}
	s.state.Store(&authState{user: user, filter: user.Filter})
	s.unauthSince.Store(0)
	h.counters.Inc(stats.AuthOK)
	h.log.Info("AUTH ok", zap.Uint32("session", s.id), zap.String("peer", peerString(s.peer)), zap.String("user", user.Name), zap.String("protocol", s.proto.String()))
	return authResult{outcome: auth.OK, user: user}
}

func (s *session) authFailed(r authResult) authResult {
	s.hub.counters.Inc(stats.AuthFailed)
	s.authFailures++
	if max := s.hub.opts.MaxAuthFailures; max > 0 && s.authFailures >= max {
		r.close = true
		s.hub.counters.Inc(stats.AuthClosed)
	}
	return r
}

// finishAuth queues the reply and, when the failure limit is reached, the
// 1008 close after it.
func (s *session) finishAuth(r authResult, reply []byte) {
	act := actNone
	if r.outcome == auth.Cred {
		act = actDeauth
	}
	s.reply(reply, act)
	if r.close {
		s.closeWith(closePolicyViolated, "too many authentication failures")
	}
}

// user is the logged-in user, or nil.
func (s *session) user() *auth.User {
	if st := s.state.Load(); st != nil {
		return st.user
	}
	return nil
}

// setFilter checks and applies SETFILTER; parse runs only after the state
// and rights checks. It returns 0 or the error code.
func (s *session) setFilter(parse func() (vscp.Filter, error)) int {
	st := s.state.Load()
	if st == nil {
		return codeNotAuth
	}
	if !st.user.Rights.Has(auth.RightSetFilter) {
		return codeNoPrivilege
	}
	f, err := parse()
	if err != nil {
		return codeSyntax
	}
	s.state.Store(&authState{user: st.user, filter: f})
	return 0
}

// event runs a client event through the checks ws1 and ws2 share, in the
// order docs/protocols.md gives: authenticated, send-events, parse (which
// returns the event or the error code of a malformed message), then
// clientEvent. It replies with fail(code) or ok, and forwards an accepted
// event after the reply.
func (s *session) event(parse func() (vscp.Event, int), fail func(code int) []byte, ok []byte) {
	h := s.hub
	h.counters.Inc(stats.ClientEventsReceived)
	u := s.user()
	var ev vscp.Event
	code, queued := 0, false
	switch {
	case u == nil:
		h.counters.Inc(stats.ClientEventsRejectedAuth)
		code = codeNotAuth
	case !u.Rights.Has(auth.RightSendEvents):
		h.counters.Inc(stats.ClientEventsRejectedRights)
		code = codeNotAllowedEv
	default:
		if ev, code = parse(); code != 0 {
			h.counters.Inc(stats.ClientEventsRejectedSyntax)
		} else {
			code, queued = s.clientEvent(u, &ev)
		}
	}
	if code != 0 {
		s.reply(fail(code), actNone)
		return
	}
	s.reply(ok, actNone)
	h.forward(s, &ev)
	if queued && h.opts.Publish != nil {
		h.opts.Publish(&ev) // only what passed the in-filter is published
	}
}

// clientEvent runs the remaining event checks for a parsed event of an
// authenticated sender with send-events: class rights and allow-list,
// normalisation, in-filter and in-queue. It returns 0 when the event was
// accepted (the caller then replies and forwards), or the error code, and
// whether the in-filter passed it to the host.
func (s *session) clientEvent(u *auth.User, ev *vscp.Event) (int, bool) {
	h := s.hub
	if !u.CanSendClass(ev.Class, ev.Type) {
		h.counters.Inc(stats.ClientEventsRejectedRights)
		return codeNotAllowedEv, false
	}
	s.normalise(u, ev)
	// The host gets its own copy: it may change what Read returns, while
	// the sessions and the bridge go on reading ev.
	queued, err := h.opts.Submit(ev.Clone())
	if err != nil {
		return codeBufferFull, false // counted by Submit
	}
	h.counters.Inc(stats.ClientEventsAccepted)
	return 0, queued
}

// normalise sets what the driver owns in a client event: obid is the
// session id, an empty GUID the interface GUID, a zero timestamp the
// driver's, and the priority is clamped to max-priority. (An unset datetime
// has already become now in the parsers.)
func (s *session) normalise(u *auth.User, ev *vscp.Event) {
	h := s.hub
	ev.OBID = s.id
	if ev.GUID.IsZero() {
		ev.GUID = h.opts.InterfaceGUID
	}
	if ev.Timestamp == 0 {
		ev.Timestamp = h.driverTimestamp()
	}
	if head, clamped := u.ClampPriority(ev.Head); clamped {
		h.log.Debug("priority clamped", zap.Uint32("session", s.id), zap.Uint16("from", ev.Head), zap.Uint16("to", head))
		ev.Head = head
		h.counters.Inc(stats.PriorityClamped)
	}
}

// driverTimestamp is µs since the instance opened, mod 2^32, never 0.
func (h *Hub) driverTimestamp() uint32 {
	ts := uint32(time.Since(h.opts.Started).Microseconds())
	if ts == 0 {
		ts = 1
	}
	return ts
}
