package ws

import (
	"strconv"
	"strings"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// ws1 frames are text frames carrying the reply line; every builder below
// returns a complete frame.

func ws1Frame(line string) []byte { return textFrame([]byte(line)) }

// ws1Error is `-;<CMD>;<code>;<text>`, always four fields.
func ws1Error(cmd string, code int) []byte {
	return ws1Frame("-;" + cmd + ";" + strconv.Itoa(code) + ";" + errorText[code])
}

func ws1OK(cmd string) []byte { return ws1Frame("+;" + cmd) }

func ws1Greeting(sid string) []byte { return ws1Frame("+;AUTH0;" + sid) }

// encodeWS1Event is the `E;…` frame of an outgoing event.
func encodeWS1Event(ev *vscp.Event) []byte {
	var tmp [64 + 5*vscp.MaxData]byte
	line := append(tmp[:0], "E;"...)
	line = vscp.AppendEventString(line, ev)
	return textFrame(line)
}

// handleWS1 processes one ws1 message.
func (s *session) handleWS1(msg []byte) {
	text := trimSpace(string(msg))
	fields := strings.Split(text, ";")
	for i := range fields {
		fields[i] = trimSpace(fields[i])
	}
	typ := fields[0]
	switch {
	case typ == "C":
		if len(fields) < 2 || fields[1] == "" {
			s.reply(ws1Error("", codeSyntax), actNone)
			return
		}
		s.ws1Command(fields[1], fields[2:])
	case typ == "E":
		evText := ""
		if i := strings.IndexByte(text, ';'); i >= 0 {
			evText = text[i+1:]
		}
		s.ws1Event(evText)
	case strings.HasPrefix(typ, "C"):
		s.reply(ws1Error("", codeSyntax), actNone)
	case strings.HasPrefix(typ, "E"):
		s.hub.counters.Inc(stats.ClientEventsReceived)
		s.hub.counters.Inc(stats.ClientEventsRejectedSyntax)
		s.reply(ws1Error("EVENT", codeSyntax), actNone)
	default:
		s.reply(ws1Error("", codeUnknownType), actNone)
	}
}

func (s *session) ws1Command(token string, args []string) {
	cmd := echoName(token)
	switch strings.ToUpper(token) {
	case "NOOP":
		s.reply(ws1OK(cmd), actNone)
	case "CHALLENGE":
		s.reply(ws1Greeting(s.sid), actNone)
	case "AUTH":
		s.ws1Auth(args)
	case "OPEN":
		if s.user() == nil {
			s.reply(ws1Error(cmd, codeNotAuth), actNone)
			return
		}
		s.reply(ws1OK(cmd), actOpen)
	case "CLOSE":
		s.reply(ws1OK(cmd), actClose)
	case "SETFILTER", "SF":
		code := s.setFilter(func() (vscp.Filter, error) {
			if len(args) < 2 {
				return vscp.Filter{}, errMissingArgs
			}
			return vscp.ParseFilter(args[0], args[1])
		})
		if code != 0 {
			s.reply(ws1Error(cmd, code), actNone)
			return
		}
		s.reply(ws1OK(cmd), actNone)
	case "CLRQUEUE", "CLRQ":
		if s.user() == nil {
			s.reply(ws1Error(cmd, codeNotAuth), actNone)
			return
		}
		s.reply(ws1OK(cmd), actClear)
	case "VERSION", "VER":
		s.reply(ws1Frame("+;"+cmd+";"+version.String()+";"+version.WS1Protocol), actNone)
	case "COPYRIGHT":
		s.reply(ws1Frame("+;"+cmd+";"+version.Copyright), actNone)
	default:
		s.reply(ws1Error(cmd, codeUnknownCmd), actNone)
	}
}

// ws1Auth is `C;AUTH;<iv>;<crypto>`.
func (s *session) ws1Auth(args []string) {
	var r authResult
	if len(args) < 2 {
		r = s.authenticate("", "", false)
	} else {
		r = s.authenticate(args[0], args[1], true)
	}
	switch r.outcome {
	case auth.OK:
		s.finishAuth(r, ws1Frame("+;AUTH1;"+strings.Join(r.user.AUTH1Fields(), ";")))
	case auth.Syntax:
		s.finishAuth(r, ws1Error("AUTH", codeSyntax))
	default:
		s.finishAuth(r, ws1Error("AUTH", codeNotAuth))
	}
}

// ws1EventOK is the `+;EVENT` frame, shared by every accepted event.
var ws1EventOK = ws1OK("EVENT")

// ws1Event is `E;<event-string>`.
func (s *session) ws1Event(text string) {
	s.event(func() (vscp.Event, int) {
		ev, err := vscp.ParseEventString(text, time.Now())
		if err != nil {
			return ev, codeSyntax
		}
		return ev, 0
	}, func(code int) []byte { return ws1Error("EVENT", code) }, ws1EventOK)
}
