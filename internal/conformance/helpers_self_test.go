package conformance

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// TestHelpers checks the test helpers against fixed known answers, so that a
// conformance failure is never a helper bug.
func TestHelpers(t *testing.T) {
	t.Run("crypto_known_answers", func(t *testing.T) {
		// The AUTH known answers of docs/protocols.md, key K1.
		const iv = "55BCA4DC7C1FD9C3E6967F37C8747698"
		k, v := mustHex(keyK1), mustHex(iv)
		for _, c := range []struct {
			plain []byte
			want  string
		}{
			{zeroPad("admin:secret"), "42273E9F3440DABA5B0CC05242F742B2"},
			{pkcs7("admin:secret"), "4A0D96DBF9F49C50C92B5378E978B97D"},
			{spacePad("admin:secret"), "F1F5F339EA144EE0C4AEDB68734F2CBA"},
			{pkcs7("admin;secret"), "11169286213A9F7194097EE773317BE2"},
			{zeroPad("user:secret"), "EED9CCEF87CDEC1C6FF59240134AB9F9"},
			{zeroPad("admin:wrong"), "4BB59306FFB060986C12873ACFF92C60"},
		} {
			if got := encrypt(k, v, c.plain); got != c.want {
				t.Errorf("encrypt(%q) = %s, want %s", c.plain, got, c.want)
			}
		}
		if got := cryptoFor(k, iv, "admin:secret"); got != "42273E9F3440DABA5B0CC05242F742B2" {
			t.Errorf("cryptoFor = %s", got)
		}
		// K2 replay vector: admin:secret + 4 spaces.
		if got := encrypt(mustHex(keyK2), mustHex(replayIV), spacePad("admin:secret")); got != strings.ToUpper(replayCrypto) {
			t.Errorf("replay vector = %s, want %s", got, strings.ToUpper(replayCrypto))
		}
		if n := len(zeroPadNode("0123456789abcdef")); n != 32 {
			t.Errorf("node padding of 16 bytes = %d bytes, want 32", n)
		}
	})
	t.Run("passwords", func(t *testing.T) {
		// MD5 of "name:password".
		if md5Hex("admin:secret") != "2d1e4f91dae49cd08eaba2293e422273" || md5Hex("user:secret") != "8c3088f1b27432344f14d82033749797" {
			t.Fatal("md5Hex disagrees with the known answers")
		}
	})
	t.Run("codecs", func(t *testing.T) {
		// Event codec known answers K21, K22, K23, K24.
		e1 := seqEvent(0)
		e1.Head, e1.OBID, e1.DateTime, e1.Timestamp = 96, 5, dt(2024, 3, 4, 5, 6, 7), 1234
		e1.GUID = mustGUID("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F")
		e1.Data = []byte{0x11, 0x22, 0x33}
		if got := fmtEvent(e1); got != "96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33" {
			t.Errorf("K21: %s", got)
		}
		if got := fmtEvent(hostEvent(10, 6)); got != "0,10,6,0,,0,"+z16 {
			t.Errorf("K22: %s", got)
		}
		if got := jsonEvent(e1, "vscp"); got != `{"vscpHead":96,"vscpObId":5,"vscpDateTime":"2024-03-04T05:06:07Z","vscpTimeStamp":1234,"vscpClass":10,"vscpType":6,"vscpGuid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","vscpData":[17,34,51],"vscpNote":""}` {
			t.Errorf("K23: %s", got)
		}
		if got := jsonEvent(e1, "short"); got != `{"head":96,"obid":5,"datetime":"2024-03-04T05:06:07Z","timestamp":1234,"class":10,"type":6,"guid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","data":[17,34,51],"note":""}` {
			t.Errorf("K24: %s", got)
		}
		if got := ws2EventFrame(event70(), "both"); got != frame48 {
			t.Errorf("ws2 both-keys event frame: %s", got)
		}
		if got := ws2EventFrame(event70(), "vscp"); got != frame49 {
			t.Errorf("ws2 vscp-keys event frame (row 49): %s", got)
		}
	})
	t.Run("reply_checkers", func(t *testing.T) {
		for _, ok := range []string{"+;NOOP", "-;;9;Unknown type, only know 'COMMAND' and 'EVENT'.", "-;SF;7;Not allowed to do that (check privileges)", "+;AUTH0;ABC"} {
			if err := checkWS1Reply(ok); err != nil {
				t.Errorf("%q: %v", ok, err)
			}
		}
		for _, bad := range []string{"-;5;Not authorised.", "-;X;0;Everything is OK.", "-;X;2;Unknown command", "OK", "-;X;11;x"} {
			if checkWS1Reply(bad) == nil {
				t.Errorf("%q accepted", bad)
			}
		}
		for _, ok := range []string{plus("NOOP"), minus("", 8), minus("EVENT", 6)} {
			if err := checkWS2Reply(ok); err != nil {
				t.Errorf("%q: %v", ok, err)
			}
		}
		for _, bad := range []string{`{"command":"NOOP"}`, `{"type":"-","command":"","errcode":9,"errstr":"x"}`, `[1]`, `{"type":"EVENT","command":""}`} {
			if checkWS2Reply(bad) == nil {
				t.Errorf("%q accepted", bad)
			}
		}
		if !ignoredWS2(`{"type":" + "}`) || ignoredWS2(`{"type":"C"}`) {
			t.Error("ignoredWS2")
		}
		if len(garbageWS1(50)) != 50 || len(garbageWS2(50)) != 50 {
			t.Error("garbage generators")
		}
	})
	t.Run("frame_writer", func(t *testing.T) {
		for _, n := range []int{0, 125, 126, 65535, 65536} {
			b := wsFrame(true, websocket.TextMessage, make([]byte, n))
			hdr := 2 + 4
			if n >= 126 {
				hdr += 2
			}
			if n > 65535 {
				hdr += 6
			}
			if len(b) != hdr+n || b[0] != 0x81 || b[1]&0x80 == 0 {
				t.Errorf("frame of %d bytes: len %d header % X", n, len(b), b[:2])
			}
		}
	})
}
