package mqtt

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// pfNow is the "now" of the decoding tests.
var pfNow = time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)

var pfNowDT = vscp.DateTimeOf(pfNow)

// pfM5 is the binary payload of E1 (M5).
const pfM5 = "00000060000004D207E80304050607000A0006000102030405060708090A0B0C0D0E0F00031122337460"

func pfHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pfNormal returns e with empty data as nil so that reflect.DeepEqual
// compares events by value.
func pfNormal(e vscp.Event) vscp.Event {
	if len(e.Data) == 0 {
		e.Data = nil
	}
	return e
}

func pfEqual(a, b vscp.Event) bool { return reflect.DeepEqual(pfNormal(a), pfNormal(b)) }

func TestEncodeKnownAnswers(t *testing.T) {
	e1 := pfE1()
	tests := []struct {
		id     string
		format config.MQTTFormat
		jf     vscp.JSONFormat
		want   string
	}{
		{"M9 xml vscp", config.MQTTFormatXML, vscp.JSONVSCP,
			`<event vscpHead="96" vscpObId="5" vscpDateTime="2024-03-04T05:06:07Z" vscpTimeStamp="1234" vscpClass="10" vscpType="6" vscpGuid="00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" vscpData="0x11,0x22,0x33" vscpNote="" />`},
		{"xml short", config.MQTTFormatXML, vscp.JSONShort,
			`<event head="96" obid="5" datetime="2024-03-04T05:06:07Z" timestamp="1234" class="10" type="6" guid="00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" data="0x11,0x22,0x33" note="" />`},
		{"xml both", config.MQTTFormatXML, vscp.JSONBoth,
			`<event vscpHead="96" vscpObId="5" vscpDateTime="2024-03-04T05:06:07Z" vscpTimeStamp="1234" vscpClass="10" vscpType="6" vscpGuid="00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" vscpData="0x11,0x22,0x33" vscpNote=""` +
				` head="96" obid="5" datetime="2024-03-04T05:06:07Z" timestamp="1234" class="10" type="6" guid="00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" data="0x11,0x22,0x33" note="" />`},
		{"K23 json vscp", config.MQTTFormatJSON, vscp.JSONVSCP,
			`{"vscpHead":96,"vscpObId":5,"vscpDateTime":"2024-03-04T05:06:07Z","vscpTimeStamp":1234,"vscpClass":10,"vscpType":6,"vscpGuid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","vscpData":[17,34,51],"vscpNote":""}`},
		{"K24 json short", config.MQTTFormatJSON, vscp.JSONShort,
			`{"head":96,"obid":5,"datetime":"2024-03-04T05:06:07Z","timestamp":1234,"class":10,"type":6,"guid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","data":[17,34,51],"note":""}`},
		{"K21 string", config.MQTTFormatString, vscp.JSONBoth,
			`96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33`},
		{"auto encodes as json", config.MQTTFormatAuto, vscp.JSONShort,
			`{"head":96,"obid":5,"datetime":"2024-03-04T05:06:07Z","timestamp":1234,"class":10,"type":6,"guid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","data":[17,34,51],"note":""}`},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := string(Encode(nil, &e1, tc.format, tc.jf)); got != tc.want {
				t.Errorf("Encode =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	t.Run("M5 binary", func(t *testing.T) {
		if got := strings.ToUpper(hex.EncodeToString(Encode(nil, &e1, config.MQTTFormatBinary, vscp.JSONBoth))); got != pfM5 {
			t.Errorf("Encode binary = %s, want %s", got, pfM5)
		}
	})
	t.Run("appends to dst", func(t *testing.T) {
		got := Encode([]byte("x"), &e1, config.MQTTFormatString, vscp.JSONBoth)
		if !bytes.HasPrefix(got, []byte("x96,10,")) {
			t.Errorf("Encode did not append: %q", got)
		}
	})
}

func TestXMLEncodeEmptyEventAndEscaping(t *testing.T) {
	ev := vscp.Event{Class: 10, Type: 6, Note: "a&b<c>\"d'e\tf\ng\rh\x01i\x7Fj\u00e9\uFFFE\xff"}
	got := string(AppendEventXML(nil, &ev, vscp.JSONShort))
	want := `<event head="0" obid="0" datetime="" timestamp="0" class="10" type="6" guid="00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00" data="" ` +
		`note="a&amp;b&lt;c&gt;&quot;d&apos;e&#x9;f&#xA;g&#xD;h` + "\uFFFDi\x7Fj\u00e9\uFFFD\uFFFD" + `" />`
	if got != want {
		t.Fatalf("xml =\n%s\nwant\n%s", got, want)
	}
	back, err := DecodeEventXML([]byte(got), pfNow)
	if err != nil {
		t.Fatal(err)
	}
	if wantNote := "a&b<c>\"d'e\tf\ng\rh\uFFFDi\x7Fj\u00e9\uFFFD\uFFFD"; back.Note != wantNote {
		t.Errorf("decoded note %q, want %q", back.Note, wantNote)
	}
}

func TestDetectAutoRule(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    config.MQTTFormat
	}{
		{"M10 binary", "\x00\x00\x00\x60", config.MQTTFormatBinary},
		{"M10 json", ` {"class":10}`, config.MQTTFormatJSON},
		{"M10 xml", `<event class="10" />`, config.MQTTFormatXML},
		{"M10 string", `0,10,6,0`, config.MQTTFormatString},
		{"two bytes 0x00 0x00 is binary", "\x00\x00", config.MQTTFormatBinary},
		{"lone 0x00 is string", "\x00", config.MQTTFormatString},
		{"empty is string", "", config.MQTTFormatString},
		{"blank is string", " \t\r\n\v\f", config.MQTTFormatString},
		{"all ASCII whitespace before json", " \t\r\n\v\f{}", config.MQTTFormatJSON},
		{"whitespace before xml", "\n\n<?xml version=\"1.0\"?><event/>", config.MQTTFormatXML},
		{"whitespace before 0x00 is string", " \x00\x00", config.MQTTFormatString},
		{"NBSP is not whitespace", "\u00a0{}", config.MQTTFormatString},
		{"array is string", "[1]", config.MQTTFormatString},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect([]byte(tc.payload)); got != tc.want {
				t.Errorf("Detect(%q) = %v, want %v", tc.payload, got, tc.want)
			}
		})
	}
}

func TestDecodeAutoM10(t *testing.T) {
	withNow := func(e vscp.Event) vscp.Event { e.DateTime = pfNowDT; return e }
	tests := []struct {
		name    string
		payload []byte
		want    vscp.Event
	}{
		{"binary M5", pfHex(t, pfM5), pfE1Binary()},
		{"json", []byte(` {"class":10}`), withNow(vscp.Event{Class: 10})},
		{"xml", []byte(`<event class="10" />`), withNow(vscp.Event{Class: 10})},
		{"string", []byte(`0,10,6,0`), withNow(vscp.Event{Class: 10, Type: 6})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.payload, config.MQTTFormatAuto, pfNow)
			if err != nil {
				t.Fatal(err)
			}
			if !pfEqual(got, tc.want) {
				t.Errorf("Decode = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeExplicitFormatDoesNotDetect(t *testing.T) {
	tests := []struct {
		payload string
		format  config.MQTTFormat
	}{
		{`<event class="10" />`, config.MQTTFormatJSON},
		{`{"class":10}`, config.MQTTFormatXML},
		{`{"class":10}`, config.MQTTFormatString},
		{`0,10,6,0`, config.MQTTFormatBinary},
		{`0,10,6,0`, config.MQTTFormat(5)},
		{`0,10,6,0`, config.MQTTFormat(-1)},
	}
	for _, tc := range tests {
		if _, err := Decode([]byte(tc.payload), tc.format, pfNow); err == nil {
			t.Errorf("Decode(%q, %v) succeeded", tc.payload, tc.format)
		}
	}
}

func TestDecodeStringAndJSONFollowTheirCodecs(t *testing.T) {
	// K14 and K26 through the MQTT entry point.
	got, err := Decode([]byte("0,20,3,0,,0,-,1,2,3\n"), config.MQTTFormatString, pfNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := (vscp.Event{Class: 20, Type: 3, DateTime: pfNowDT, Data: []byte{1, 2, 3}}); !pfEqual(got, want) {
		t.Errorf("string K14 = %+v", got)
	}
	got, err = Decode([]byte(`{"head":96,"timestamp_ns":"0x17B9775B31B48315","class":10,"type":8,"guid":"-","data":[]}`), config.MQTTFormatJSON, pfNow)
	if err != nil {
		t.Fatal(err)
	}
	want := vscp.Event{Head: 96, Class: 10, Type: 8, Timestamp: 2934296576,
		DateTime: vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Nano: 123456789}}
	if !pfEqual(got, want) {
		t.Errorf("json K26 = %+v", got)
	}
}

func TestDecodeXML(t *testing.T) {
	withNow := func(e vscp.Event) vscp.Event { e.DateTime = pfNowDT; return e }
	dt := vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7}
	g := vscp.GUID{0, 1, 2}
	tests := []struct {
		name string
		in   string
		want vscp.Event
	}{
		{"M9 output decodes to E1", `<event vscpHead="96" vscpObId="5" vscpDateTime="2024-03-04T05:06:07Z" vscpTimeStamp="1234" vscpClass="10" vscpType="6" vscpGuid="00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F" vscpData="0x11,0x22,0x33" vscpNote="" />`, pfE1()},
		{"short names", `<event head="0x60" obid="5" datetime="2024-03-04 05:06:07" timestamp="1234" class="10" type="6" guid="0:1:2" data="1, 0b10 ,0o3" note="hi"/>`,
			vscp.Event{Head: 0x60, OBID: 5, DateTime: dt, Timestamp: 1234, Class: 10, Type: 6, GUID: g, Data: []byte{1, 2, 3}, Note: "hi"}},
		{"vscp* wins over the short name", `<event class="1" vscpClass="2" type="3" vscpType="4" note="s" vscpNote="v" data="9" vscpData="8" guid="01" vscpGuid="02"/>`,
			withNow(vscp.Event{Class: 2, Type: 4, Note: "v", Data: []byte{8}, GUID: vscp.GUID{2}})},
		{"datetime before dateTime", `<event dateTime="2000-01-01T00:00:00Z" datetime="2024-03-04T05:06:07Z"/>`, vscp.Event{DateTime: dt}},
		{"dateTime alias", `<event dateTime="2024-03-04T05:06:07Z"/>`, vscp.Event{DateTime: dt}},
		{"vscpDateTime first", `<event datetime="2000-01-01T00:00:00Z" vscpDateTime="2024-03-04T05:06:07Z"/>`, vscp.Event{DateTime: dt}},
		{"offset and fraction", `<event datetime="2024-03-04T06:06:07.5+01:00"/>`, vscp.Event{DateTime: vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Nano: 500000000}}},
		{"missing datetime is now", `<event/>`, withNow(vscp.Event{})},
		{"empty datetime is now", `<event datetime=""/>`, withNow(vscp.Event{})},
		{"datetime 0 is now", `<event datetime=" 0 "/>`, withNow(vscp.Event{})},
		{"empty values are absent", `<event head="" class="" guid="" data="" note=""/>`, withNow(vscp.Event{})},
		{"guid dash", `<event guid="-"/>`, withNow(vscp.Event{})},
		{"timestamp_ns", `<event head="256" timestamp_ns="0x17B9775B31B48315" class="10"/>`,
			vscp.Event{Class: 10, Timestamp: 2934296576, DateTime: vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Nano: 123456789}}},
		{"timestamp_ns keeps an explicit timestamp", `<event timestamp="7" timestamp_ns="1700000000000000000"/>`,
			vscp.Event{Timestamp: 7, DateTime: vscp.DateTime{Year: 2023, Month: 11, Day: 14, Hour: 22, Minute: 13, Second: 20}}},
		{"reserved head bits pass", `<event head="0x260"/>`, withNow(vscp.Event{Head: 0x260})},
		{"entities in the note", `<event note="&lt;&amp;&gt;&quot;&apos;&#x41;&#10;"/>`, withNow(vscp.Event{Note: "<&>\"'A\n"})},
		{"single quotes", `<event class='10'/>`, withNow(vscp.Event{Class: 10})},
		{"other attributes and children ignored", `<event class="10" measurement="1" sizedata="9"><data>1,2</data><x y="z"/>text</event>`, withNow(vscp.Event{Class: 10})},
		{"prefixed attributes ignored", `<event xmlns:a="urn:a" a:class="7" class="10"/>`, withNow(vscp.Event{Class: 10})},
		{"default namespace accepted", `<event xmlns="urn:vscp" class="10"/>`, withNow(vscp.Event{Class: 10})},
		{"prolog, comments, trailing whitespace", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><!DOCTYPE event>\n<event class=\"10\"/>\n<!-- end -->\n", withNow(vscp.Event{Class: 10})},
		{"repeated attribute: last wins", `<event class="1" class="2"/>`, withNow(vscp.Event{Class: 2})},
		{"512 data bytes", `<event data="` + strings.Repeat("1,", 511) + `1"/>`, withNow(vscp.Event{Data: bytes.Repeat([]byte{1}, 512)})},
		{"max values", `<event head="65535" obid="4294967295" timestamp="0xFFFFFFFF" class="0xFFFF" type="65535"/>`,
			withNow(vscp.Event{Head: 0xFFFF, OBID: 0xFFFFFFFF, Timestamp: 0xFFFFFFFF, Class: 0xFFFF, Type: 0xFFFF})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in), config.MQTTFormatXML, pfNow)
			if err != nil {
				t.Fatal(err)
			}
			if !pfEqual(got, tc.want) {
				t.Errorf("Decode =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestDecodeXMLErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ``},
		{"blank", " \n"},
		{"wrong root", `<evt class="10"/>`},
		{"root name case", `<Event class="10"/>`},
		{"unclosed root", `<event class="10">`},
		{"mismatched end", `<event class="10"></evnt>`},
		{"two roots", `<event/><event/>`},
		{"text after root", `<event/>x`},
		{"text before root", `x<event/>`},
		{"attribute without value", `<event class/>`},
		{"unknown entity", `<event note="&nbsp;"/>`},
		{"bad number", `<event class="10x"/>`},
		{"negative", `<event type="-1"/>`},
		{"head overflow", `<event head="65536"/>`},
		{"class overflow", `<event vscpClass="0x10000"/>`},
		{"obid overflow", `<event obid="4294967296"/>`},
		{"timestamp_ns overflow", `<event timestamp_ns="18446744073709551616"/>`},
		{"bad data byte", `<event data="256"/>`},
		{"empty data token", `<event data="1,,2"/>`},
		{"513 data bytes", `<event data="` + strings.Repeat("1,", 512) + `1"/>`},
		{"bad guid", `<event guid="GG:01"/>`},
		{"bad datetime", `<event datetime="2024-02-30T00:00:00Z"/>`},
		{"vscp* error wins even with a good short value", `<event class="10" vscpClass="x"/>`},
		{"invalid UTF-8", "<event note=\"\xff\"/>"},
		{"non-UTF-8 encoding declaration", `<?xml version="1.0" encoding="ISO-8859-1"?><event/>`},
		{"end tag first", `</event>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ev, err := Decode([]byte(tc.in), config.MQTTFormatXML, pfNow); err == nil {
				t.Errorf("Decode(%q) = %+v, want an error", tc.in, ev)
			}
		})
	}
}

// pfRand generates random events for the round-trip tests.
type pfRand struct{ r *rand.Rand }

func newPFRand() pfRand { return pfRand{rand.New(rand.NewPCG(20240304, 50607))} }

// noteRunes are the note characters used by the round trips: XML and JSON
// specials, whitespace XML must keep, and non-ASCII text.
var noteRunes = []rune("abcXYZ019 &<>\"'\\/\t\n\r{}[],;:=é€😀\u2028\u0085")

// event returns a random event. valid: a calendar datetime (1970–9999),
// otherwise any field values, possibly unset; head never has the UNIX_NS
// frame bits, which every decoder clears.
func (p pfRand) event(valid bool) vscp.Event {
	r := p.r
	var e vscp.Event
	for {
		e.Head = uint16(r.Uint32())
		if e.Head&vscp.HeadFrameMask != vscp.HeadFrameUnixNS {
			break
		}
	}
	e.OBID, e.Timestamp = r.Uint32(), r.Uint32()
	e.Class, e.Type = uint16(r.Uint32()), uint16(r.Uint32())
	for i := range e.GUID {
		e.GUID[i] = byte(r.Uint32())
	}
	n := r.IntN(9)
	if r.IntN(4) == 0 {
		n = r.IntN(vscp.MaxData + 1)
	}
	if n > 0 {
		e.Data = make([]byte, n)
		for i := range e.Data {
			e.Data[i] = byte(r.Uint32())
		}
	}
	if valid {
		y := 1970 + r.IntN(8030)
		m := 1 + r.IntN(12)
		days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		e.DateTime = vscp.DateTime{Year: uint16(y), Month: uint8(m), Day: uint8(1 + r.IntN(days)),
			Hour: uint8(r.IntN(24)), Minute: uint8(r.IntN(60)), Second: uint8(r.IntN(60)), Nano: r.Uint32N(1e9)}
	} else if r.IntN(4) != 0 {
		e.DateTime = vscp.DateTime{Year: uint16(r.Uint32()), Month: uint8(r.Uint32()), Day: uint8(r.Uint32()),
			Hour: uint8(r.Uint32()), Minute: uint8(r.Uint32()), Second: uint8(r.Uint32()), Nano: r.Uint32()}
	}
	var note []rune
	for range r.IntN(12) {
		note = append(note, noteRunes[r.IntN(len(noteRunes))])
	}
	e.Note = string(note)
	return e
}

func TestRoundTripEncodeDecode(t *testing.T) {
	const n = 400
	tests := []struct {
		name   string
		format config.MQTTFormat
		jf     vscp.JSONFormat
		valid  bool // needs a calendar datetime
		note   bool // carries the note
	}{
		{"json both", config.MQTTFormatJSON, vscp.JSONBoth, true, true},
		{"json vscp", config.MQTTFormatJSON, vscp.JSONVSCP, true, true},
		{"json short", config.MQTTFormatJSON, vscp.JSONShort, true, true},
		{"xml both", config.MQTTFormatXML, vscp.JSONBoth, true, true},
		{"xml vscp", config.MQTTFormatXML, vscp.JSONVSCP, true, true},
		{"xml short", config.MQTTFormatXML, vscp.JSONShort, true, true},
		{"string", config.MQTTFormatString, vscp.JSONBoth, true, false},
		{"binary", config.MQTTFormatBinary, vscp.JSONBoth, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gen := newPFRand()
			for i := range n {
				ev := gen.event(tc.valid)
				payload := Encode(nil, &ev, tc.format, tc.jf)
				if got := Detect(payload); got != tc.format {
					t.Fatalf("event %d: Detect = %v, want %v", i, got, tc.format)
				}
				for _, f := range []config.MQTTFormat{tc.format, config.MQTTFormatAuto} {
					got, err := Decode(payload, f, pfNow)
					if err != nil {
						t.Fatalf("event %d: Decode(%q, %v): %v", i, payload, f, err)
					}
					want := ev
					want.DateTime.Nano = 0 // no format carries the fraction
					if !tc.note {
						want.Note = ""
					}
					if tc.format == config.MQTTFormatBinary {
						want.OBID = 0 // a binary frame has no obid
					}
					if !pfEqual(got, want) {
						t.Fatalf("event %d (%v):\n got %+v\nwant %+v\npayload %q", i, f, got, want, payload)
					}
				}
			}
		})
	}
}
