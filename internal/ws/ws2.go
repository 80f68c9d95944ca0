package ws

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

var errMissingArgs = errors.New("missing arguments")

// ws2 frames: one compact JSON object each, keys in the fixed order shown
// below.

func ws2Frame(b []byte) []byte { return textFrame(b) }

// ws2OK is `{"type":"+","command":"<CMD>","args":<args>}`; args is raw
// JSON ("null" when empty).
func ws2OK(cmd string, args string) []byte {
	b := make([]byte, 0, 48+len(cmd)+len(args))
	b = append(b, `{"type":"+","command":`...)
	b = vscp.AppendJSONString(b, cmd)
	b = append(b, `,"args":`...)
	if args == "" {
		args = "null"
	}
	b = append(b, args...)
	b = append(b, '}')
	return ws2Frame(b)
}

// ws2Error is `{"type":"-","command":"<CMD>","errcode":n,"errstr":"<text>"}`.
func ws2Error(cmd string, code int) []byte {
	b := make([]byte, 0, 96+len(cmd))
	b = append(b, `{"type":"-","command":`...)
	b = vscp.AppendJSONString(b, cmd)
	b = append(b, `,"errcode":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"errstr":`...)
	b = vscp.AppendJSONString(b, errorText[code])
	b = append(b, '}')
	return ws2Frame(b)
}

func ws2Greeting(sid string) []byte {
	return ws2Frame([]byte(`{"type":"+","args":["AUTH0","` + sid + `"]}`))
}

// encodeWS2Event is the `{"type":"EVENT","event":{…}}` frame of an
// outgoing event.
func encodeWS2Event(ev *vscp.Event, f vscp.JSONFormat) []byte {
	var tmp [512 + 8*vscp.MaxData]byte
	b := append(tmp[:0], `{"type":"EVENT","event":`...)
	b = vscp.AppendEventJSON(b, ev, f)
	b = append(b, '}')
	return textFrame(b)
}

func jsonObject(fields ...string) string {
	var b []byte
	b = append(b, '{')
	for i := 0; i+1 < len(fields); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = vscp.AppendJSONString(b, fields[i])
		b = append(b, ':')
		b = vscp.AppendJSONString(b, fields[i+1])
	}
	return string(append(b, '}'))
}

// stringMember returns obj[key] when it is a JSON string.
func stringMember(obj map[string]json.RawMessage, key string) (string, bool) {
	raw, ok := obj[key]
	if !ok {
		return "", false
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	return v, true
}

// isJSONNull reports whether raw is absent or the literal null.
func isJSONNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// handleWS2 processes one ws2 message.
func (s *session) handleWS2(msg []byte) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(msg, &obj); err != nil || obj == nil {
		s.reply(ws2Error("", codeParse), actNone) // not JSON or not an object (null included)
		return
	}
	typ, ok := stringMember(obj, "type")
	if !ok {
		s.reply(ws2Error("", codeUnknownType), actNone) // type missing or not a string
		return
	}
	switch strings.ToUpper(trimSpace(typ)) {
	case "C", "CMD", "COMMAND":
		s.ws2Command(obj)
	case "E", "EVENT":
		s.ws2Event(obj)
	case "+", "-":
		// A client's own replies are ignored.
	default:
		s.reply(ws2Error("", codeUnknownType), actNone)
	}
}

func (s *session) ws2Command(obj map[string]json.RawMessage) {
	name, ok := stringMember(obj, "command")
	if !ok {
		s.reply(ws2Error("", codeParse), actNone)
		return
	}
	if trimSpace(name) == "" {
		s.reply(ws2Error("", codeSyntax), actNone)
		return
	}
	cmd := echoName(name)
	args := obj["args"]
	switch strings.ToUpper(trimSpace(name)) {
	case "NOOP":
		s.reply(ws2OK(cmd, ""), actNone)
	case "CHALLENGE":
		s.reply(ws2OK(cmd, jsonObject("sid", s.sid)), actNone)
	case "AUTH":
		s.ws2Auth(cmd, args)
	case "OPEN":
		if s.user() == nil {
			s.reply(ws2Error(cmd, codeNotAuth), actNone)
			return
		}
		s.reply(ws2OK(cmd, ""), actOpen)
	case "CLOSE":
		s.reply(ws2OK(cmd, ""), actClose)
	case "SETFILTER", "SF":
		code := s.setFilter(func() (vscp.Filter, error) {
			if isJSONNull(args) {
				return vscp.Filter{}, nil
			}
			if b := bytes.TrimSpace(args); len(b) == 0 || b[0] != '{' {
				return vscp.Filter{}, errMissingArgs
			}
			return vscp.DecodeFilterJSON(args)
		})
		if code != 0 {
			s.reply(ws2Error(cmd, code), actNone)
			return
		}
		s.reply(ws2OK(cmd, ""), actNone)
	case "CLRQUEUE", "CLRQ":
		if s.user() == nil {
			s.reply(ws2Error(cmd, codeNotAuth), actNone)
			return
		}
		s.reply(ws2OK(cmd, ""), actClear)
	case "VERSION", "VER":
		s.reply(ws2OK(cmd, jsonObject("version", version.WS2Protocol, "driver-version", version.String())), actNone)
	case "COPYRIGHT":
		s.reply(ws2OK(cmd, jsonObject("copyright", version.Copyright)), actNone)
	default:
		s.reply(ws2Error(cmd, codeUnknownCmd), actNone)
	}
}

// ws2Auth is AUTH with args {"iv":"…","crypto":"…"}.
func (s *session) ws2Auth(cmd string, args json.RawMessage) {
	var r authResult
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(args, &obj); err != nil || obj == nil {
		r = s.authenticate("", "", false)
	} else {
		iv, ok1 := stringMember(obj, "iv")
		crypto, ok2 := stringMember(obj, "crypto")
		r = s.authenticate(iv, crypto, ok1 && ok2)
	}
	switch r.outcome {
	case auth.OK:
		s.finishAuth(r, ws2OK(cmd, ""))
	case auth.Syntax:
		s.finishAuth(r, ws2Error(cmd, codeParse))
	default:
		s.finishAuth(r, ws2Error(cmd, codeNotAuth))
	}
}

// ws2EventOK is the `+EVENT` frame, shared by every accepted event.
var ws2EventOK = ws2OK("EVENT", "")

// ws2Event is an E/EVENT message: {"type":"E","event":{…}}.
func (s *session) ws2Event(obj map[string]json.RawMessage) {
	s.event(func() (vscp.Event, int) {
		raw, ok := obj["event"]
		if b := bytes.TrimSpace(raw); !ok || len(b) == 0 || b[0] != '{' {
			return vscp.Event{}, codeParse
		}
		ev, err := vscp.DecodeEventJSON(raw, time.Now())
		if err != nil {
			return ev, codeSyntax
		}
		return ev, 0
	}, func(code int) []byte { return ws2Error("EVENT", code) }, ws2EventOK)
}
