package mqtt

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// pfFuzzNow is the fixed "now" of the fuzz targets.
var pfFuzzNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func pfSeedPayloads(f *testing.F) [][]byte {
	e1 := pfE1()
	seeds := [][]byte{
		nil,
		{0},
		{0, 0},
		[]byte(` {"class":10}`),
		[]byte(`<event class="10" />`),
		[]byte(`0,10,6,0`),
		[]byte(`0,20,3,0,,0,-,1,2,3`),
		[]byte(`256,20,3,0,,1700000000000000000,-`),
		[]byte(`{"head":96,"timestamp_ns":"0x17B9775B31B48315","class":10,"type":8,"guid":"-","data":[]}`),
		[]byte(`<?xml version="1.0"?><event vscpClass="10" data="1,2" datetime="2024-03-04T05:06:07Z"><x/></event>`),
		Encode(nil, &e1, config.MQTTFormatXML, vscp.JSONBoth),
		Encode(nil, &e1, config.MQTTFormatJSON, vscp.JSONBoth),
		Encode(nil, &e1, config.MQTTFormatString, vscp.JSONBoth),
		EncodeBinary(nil, &e1),
	}
	for _, h := range []string{pfM7, "000000000000000000000000000000000A00060000000000000000000000000000000000000C78"} {
		b, err := hex.DecodeString(h)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzDecode decodes random payloads in every format (and two invalid
// format values): it must never panic, a decoded event never has more than
// 512 data bytes, and a decoded event survives a binary round trip except
// for what the frame does not carry (obid, note, nanoseconds).
func FuzzDecode(f *testing.F) {
	for _, s := range pfSeedPayloads(f) {
		for format := range uint8(5) {
			f.Add(s, format)
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte, format uint8) {
		mf := config.MQTTFormat(int(format%7) - 1) // -1 … 5: two invalid values
		ev, err := Decode(payload, mf, pfFuzzNow)
		if err != nil {
			return
		}
		if mf < config.MQTTFormatJSON || mf > config.MQTTFormatAuto {
			t.Fatalf("format %d decoded", mf)
		}
		if len(ev.Data) > vscp.MaxData {
			t.Fatalf("%d data bytes", len(ev.Data))
		}
		bin := EncodeBinary(nil, &ev)
		back, err := DecodeBinary(bin)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		want := ev
		want.OBID, want.Note, want.DateTime.Nano = 0, "", 0
		if want.Head&vscp.HeadFrameMask == vscp.HeadFrameUnixNS {
			want.Head &^= vscp.HeadFrameMask
		}
		if !pfEqual(back, want) {
			t.Fatalf("binary round trip: got %+v, want %+v", back, want)
		}
		for _, jf := range []vscp.JSONFormat{vscp.JSONBoth, vscp.JSONVSCP, vscp.JSONShort} {
			_ = Encode(nil, &ev, config.MQTTFormatXML, jf)
			_ = Encode(nil, &ev, config.MQTTFormatJSON, jf)
		}
	})
}

// FuzzDecodeBinary decodes random binary payloads: never a panic, at most
// 512 data bytes, and a type-0 frame whose CRC checks re-encodes to exactly
// the bytes it was decoded from (trailing bytes aside).
func FuzzDecodeBinary(f *testing.F) {
	for _, s := range pfSeedPayloads(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		ev, err := DecodeBinary(p)
		if err != nil {
			return
		}
		if len(ev.Data) > vscp.MaxData {
			t.Fatalf("%d data bytes", len(ev.Data))
		}
		n := len(ev.Data)
		if len(p) < 39+n || int(binary.BigEndian.Uint16(p[35:])) != n {
			t.Fatalf("decoded %d data bytes from a %d-byte payload", n, len(p))
		}
		head := binary.BigEndian.Uint16(p[2:])
		if p[1] == 0x00 && head&vscp.HeadFrameMask != vscp.HeadFrameUnixNS && CRC16CCITTFalse(p[2:39+n]) == 0 {
			if got := EncodeBinary(nil, &ev); !bytes.Equal(got, p[:39+n]) {
				t.Fatalf("re-encoded\n%X\nwant\n%X", got, p[:39+n])
			}
		}
	})
}

// FuzzParseTemplate parses random templates: never a panic, and a literal
// template renders as its text.
func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		"vscp/{{guid}}/{{class}}/{{type}}/{{nickname}}", "{{{ xdata[3] }}}", "{{a{b}}", "{{{x}}", "x}}}", "{{guid[15]}}{{data[511]}}",
		"{{measurement-value}}", "{{ifguid}}/{{driver-name}}/{{fmtpublish}}",
	} {
		f.Add(s, false)
	}
	user := map[string]string{"u": "U", "guid": "G"}
	e1 := pfE1()
	f.Fuzz(func(t *testing.T, text string, instance bool) {
		kind := PublishTopic
		if instance {
			kind = InstanceTopic
		}
		tpl, _ := ParseTemplate(text, kind, user)
		got := tpl.Render(pfInstance(), &e1, config.MQTTFormatBinary)
		if tpl.Literal() && got != text {
			t.Fatalf("literal template %q renders %q", text, got)
		}
		_ = tpl.Render(nil, nil, config.MQTTFormatAuto)
	})
}
