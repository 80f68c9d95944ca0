package vscp

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseJSONFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    JSONFormat
		wantErr bool
	}{
		{"both", JSONBoth, false},
		{"vscp", JSONVSCP, false},
		{"short", JSONShort, false},
		{" BOTH ", JSONBoth, false},
		{"\tVsCp\n", JSONVSCP, false},
		{"Short", JSONShort, false},
		{"", JSONBoth, true},
		{"full", JSONBoth, true},
		{"s hort", JSONBoth, true},
		{"\u212Aboth", JSONBoth, true}, // no Unicode case folding
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseJSONFormat(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseJSONFormat(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
	for f := JSONBoth; f <= JSONShort; f++ {
		if g, err := ParseJSONFormat(f.String()); err != nil || g != f {
			t.Errorf("String/Parse round trip of %d: %v, %v", f, g, err)
		}
	}
}

func TestAppendEventJSON(t *testing.T) {
	const k23 = `{"vscpHead":96,"vscpObId":5,"vscpDateTime":"2024-03-04T05:06:07Z","vscpTimeStamp":1234,"vscpClass":10,"vscpType":6,"vscpGuid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","vscpData":[17,34,51],"vscpNote":""}`
	const k24 = `{"head":96,"obid":5,"datetime":"2024-03-04T05:06:07Z","timestamp":1234,"class":10,"type":6,"guid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","data":[17,34,51],"note":""}`
	host := Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}
	tests := []struct {
		name string
		ev   Event
		f    JSONFormat
		want string
	}{
		{"K23 E1 vscp keys", e1(), JSONVSCP, k23},
		{"K24 E1 short keys", e1(), JSONShort, k24},
		{"E1 both key sets", e1(), JSONBoth, k23[:len(k23)-1] + "," + k24[1:]},
		{"ws2 6.2 host event both", host, JSONBoth, `{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","vscpData":[1,2,3],"vscpNote":"","head":0,"obid":0,"datetime":"","timestamp":0,"class":10,"type":6,"guid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","data":[1,2,3],"note":""}`},
		{"ws2 #49 host event vscp", host, JSONVSCP, `{"vscpHead":0,"vscpObId":0,"vscpDateTime":"","vscpTimeStamp":0,"vscpClass":10,"vscpType":6,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","vscpData":[1,2,3],"vscpNote":""}`},
		{"no data is an empty array", Event{}, JSONShort, `{"head":0,"obid":0,"datetime":"","timestamp":0,"class":0,"type":0,"guid":"` + z16 + `","data":[],"note":""}`},
		{"note escaped without HTML escaping", Event{Note: "a\"b\\c\n<tag>&\u00e9\x01"}, JSONShort,
			`{"head":0,"obid":0,"datetime":"","timestamp":0,"class":0,"type":0,"guid":"` + z16 + `","data":[],"note":"a\"b\\c\n<tag>&` + "\u00e9" + `\u0001"}`},
		{"unknown format is both", e1(), JSONFormat(9), k23[:len(k23)-1] + "," + k24[1:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendEventJSON([]byte("x"), &tc.ev, tc.f)
			if string(got) != "x"+tc.want {
				t.Fatalf("got  %s\nwant x%s", got, tc.want)
			}
			if !json.Valid(got[1:]) {
				t.Fatalf("not valid JSON: %s", got[1:])
			}
		})
	}
}

func TestAppendEventJSONDoesNotAllocate(t *testing.T) {
	e := e1()
	e.Note = "note with \"quotes\" and \u00e9"
	buf := make([]byte, 0, 1024)
	for f := JSONBoth; f <= JSONShort; f++ {
		if n := testing.AllocsPerRun(100, func() { buf = AppendEventJSON(buf[:0], &e, f) }); n != 0 {
			t.Fatalf("AppendEventJSON(%v) allocates %v times", f, n)
		}
	}
}

// TestAppendJSONStringMatchesEncodingJSON pins the escaper to the output of
// encoding/json with HTML escaping off, including invalid UTF-8 and the
// JavaScript line separators.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		"", "plain", `"`, `\`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "<>&", "\u2028\u2029", "\u00e9\u4e16\U0001F600",
		"\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "mixed \xffend\n",
	}
	for _, in := range inputs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			t.Fatal(err)
		}
		got := AppendJSONString(nil, in)
		if string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("AppendJSONString(%q) = %s; encoding/json %s", in, got, want.String())
		}
	}
}

func TestDecodeEventJSON(t *testing.T) {
	data := func(b ...byte) []byte { return b }
	g39 := mustGUID(t, "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00")
	tests := []struct {
		name    string
		in      string
		want    Event
		wantErr string
	}{
		{"K25 vscp keys", `{"vscpHead":96,"vscpObId":1,"vscpDateTime":"2017-01-13T10:16:02Z","vscpTimeStamp":50817,"vscpClass":10,"vscpType":8,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:01:00:02","vscpData":[1,2,3]}`,
			Event{Head: 96, OBID: 1, DateTime: dt(2017, 1, 13, 10, 16, 2, 0), Timestamp: 50817, Class: 10, Type: 8, GUID: GUID{13: 1, 15: 2}, Data: data(1, 2, 3)}, ""},
		{"K26 timestamp_ns as hex string", `{"head":96,"timestamp_ns":"0x17B9775B31B48315","class":10,"type":8,"guid":"-","data":[]}`,
			Event{Head: 96, DateTime: dt(2024, 3, 4, 5, 6, 7, 123456789), Timestamp: 2934296576, Class: 10, Type: 8}, ""},
		{"K27 data as string", `{"class":10,"type":6,"data":"0x01,2"}`, Event{Class: 10, Type: 6, DateTime: nowDT, Data: data(1, 2)}, ""},
		{"K27 numbers as strings", `{"class":"10","type":"0x06"}`, Event{Class: 10, Type: 6, DateTime: nowDT}, ""},
		{"K28 garbage class string", `{"vscpClass":"10x","vscpType":-1}`, Event{}, `field "vscpClass": invalid number`},
		{"K28 negative type", `{"vscpClass":10,"vscpType":-1}`, Event{}, `field "vscpType": negative number`},
		{"K28 data byte 256", `{"class":10,"data":[256]}`, Event{}, `field "data": element 0: value 256 exceeds 255`},
		{"K28 GUID as number", `{"class":10,"guid":7}`, Event{}, `field "guid": want a string, got a number`},

		// ws2 conformance rows (TestWS2), decoding part.
		{"ws2 #37 minimal", `{"vscpClass":10,"vscpType":6}`, Event{Class: 10, Type: 6, DateTime: nowDT}, ""},
		{"ws2 #38", `{"vscpHead":0,"vscpClass":10,"vscpType":6,"vscpData":[1,2,3]}`, Event{Class: 10, Type: 6, DateTime: nowDT, Data: data(1, 2, 3)}, ""},
		{"ws2 #39 dateTime alias and mixed keys", `{"head":0,"vscpClass":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:17:50.123456Z","timestamp":0,"guid":"FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00","data":[1,2,3,4,5,6],"note":"x"}`,
			Event{Class: 30, Type: 5, DateTime: dt(2026, 11, 22, 0, 17, 50, 123456000), GUID: g39, Data: data(1, 2, 3, 4, 5, 6), Note: "x"}, ""},
		{"ws2 #40 numeric strings in data", `{"class":"10","type":"0x06","data":["1","0x02"]}`, Event{Class: 10, Type: 6, DateTime: nowDT, Data: data(1, 2)}, ""},
		{"ws2 #41 month as written", `{"vscpClass":10,"vscpType":6,"vscpDateTime":"2025-01-02T03:04:05Z"}`, Event{Class: 10, Type: 6, DateTime: dt(2025, 1, 2, 3, 4, 5, 0)}, ""},
		{"ws2 #42 timestamp_ns", `{"class":10,"type":8,"timestamp_ns":"0x17B9775B31B48315"}`, Event{Class: 10, Type: 8, DateTime: dt(2024, 3, 4, 5, 6, 7, 123456789), Timestamp: 2934296576}, ""},
		{"ws2 #43 data 256", `{"vscpClass":10,"vscpType":6,"vscpData":[256]}`, Event{}, "value 256 exceeds 255"},
		{"ws2 #44 513 data elements", `{"vscpClass":10,"vscpType":6,"vscpData":[` + strings.Repeat("1,", 512) + `1]}`, Event{}, "more than 512 data bytes"},
		{"ws2 #45 negative class", `{"vscpClass":-1,"vscpType":6}`, Event{}, `field "vscpClass": negative number`},
		{"ws2 #45 fractional class", `{"vscpClass":1.5,"vscpType":6}`, Event{}, `field "vscpClass": number "1.5" has a fraction or exponent`},
		{"ws2 #46 event is a string", `"x"`, Event{}, "event must be a JSON object, got a string"},
		{"ws2 #46 event missing", ``, Event{}, "event must be a JSON object, got nothing"},

		// Data.
		{"512 data elements", `{"data":[` + strings.Repeat("255,", 511) + `255]}`, Event{DateTime: nowDT, Data: bytes.Repeat([]byte{255}, 512)}, ""},
		{"data string of 512", `{"data":"` + strings.Repeat("1,", 511) + `1"}`, Event{DateTime: nowDT, Data: bytes.Repeat([]byte{1}, 512)}, ""},
		{"data string of 513", `{"data":"` + strings.Repeat("1,", 512) + `1"}`, Event{}, "513 data bytes; at most 512"},
		{"data empty string", `{"data":""}`, Event{DateTime: nowDT}, ""},
		{"data blank string", `{"data":"  "}`, Event{DateTime: nowDT}, ""},
		{"data string trimmed tokens", `{"data":" 1 , 0b10 ,0o3 "}`, Event{DateTime: nowDT, Data: data(1, 2, 3)}, ""},
		{"data string empty token", `{"data":"1,,2"}`, Event{}, `field "data": data byte 1: empty`},
		{"data string trailing comma", `{"data":"1,"}`, Event{}, "data byte 1: empty"},
		{"data string byte overflow", `{"data":"0x100"}`, Event{}, "value 0x100 exceeds 255"},
		{"data null element", `{"data":[1,null]}`, Event{}, "element 1: missing value"},
		{"data empty string element", `{"data":[""]}`, Event{}, "element 0: missing value"},
		{"data negative element", `{"data":[-1]}`, Event{}, "element 0: negative number"},
		{"data fraction element", `{"data":[1.0]}`, Event{}, "element 0: number \"1.0\" has a fraction"},
		{"data exponent element", `{"data":[1e2]}`, Event{}, "fraction or exponent"},
		{"data nested array", `{"data":[[1]]}`, Event{}, "element 0: want a non-negative integer or a numeric string, got an array"},
		{"data boolean element", `{"data":[true]}`, Event{}, "got a boolean"},
		{"data object", `{"data":{"0":1}}`, Event{}, "want an array or a string, got an object"},
		{"data number", `{"data":5}`, Event{}, "want an array or a string, got a number"},
		{"data base64 is not accepted", `{"data":"AQID"}`, Event{}, "invalid number"},

		// Numbers.
		{"numbers at their maxima", `{"head":65535,"obid":4294967295,"timestamp":4294967295,"class":65535,"type":65535}`,
			Event{Head: 0xFFFF, OBID: 0xFFFFFFFF, Timestamp: 0xFFFFFFFF, Class: 0xFFFF, Type: 0xFFFF, DateTime: nowDT}, ""},
		{"class overflow", `{"class":65536}`, Event{}, `field "class": value 65536 exceeds 65535`},
		{"obid overflow", `{"vscpObId":4294967296}`, Event{}, `field "vscpObId": value 4294967296 exceeds 4294967295`},
		{"timestamp overflow string", `{"timestamp":"0x100000000"}`, Event{}, `field "timestamp": value 0x100000000 exceeds`},
		{"exact big integer, no float rounding", `{"timestamp_ns":9007199254740993}`,
			Event{DateTime: DateTimeFromUnixNano(9007199254740993), Timestamp: uint32((9007199254740993 / 1000) % (1 << 32))}, ""},
		{"timestamp_ns u64 max", `{"timestamp_ns":18446744073709551615}`,
			Event{DateTime: dt(2554, 7, 21, 23, 34, 33, 709551615), Timestamp: 1271310319}, ""},
		{"timestamp_ns overflow", `{"timestamp_ns":18446744073709551616}`, Event{}, `field "timestamp_ns": value 18446744073709551616 exceeds`},
		{"exponent rejected", `{"class":1e1}`, Event{}, "has a fraction or exponent"},
		{"upper exponent rejected", `{"class":1E1}`, Event{}, "has a fraction or exponent"},
		{"negative zero rejected", `{"class":-0}`, Event{}, "negative number"},
		{"integral fraction rejected", `{"class":10.0}`, Event{}, "has a fraction"},
		{"boolean rejected", `{"class":true}`, Event{}, `field "class": want a non-negative integer or a numeric string, got a boolean`},
		{"array rejected", `{"type":[1]}`, Event{}, "got an array"},
		{"object rejected", `{"head":{}}`, Event{}, "got an object"},
		{"string with sign rejected", `{"class":"-1"}`, Event{}, "invalid number"},
		{"string with escapes decoded", `{"class":"\u0031\u0030"}`, Event{Class: 10, DateTime: nowDT}, ""},
		{"trimmed numeric string", `{"class":" 0b1010 "}`, Event{Class: 10, DateTime: nowDT}, ""},
		{"empty numeric string is absent", `{"class":"","head":" "}`, Event{DateTime: nowDT}, ""},

		// Aliases, precedence and null.
		{"vscp key wins over short key", `{"class":11,"vscpClass":10}`, Event{Class: 10, DateTime: nowDT}, ""},
		{"losing alias is not validated", `{"vscpClass":10,"class":"garbage"}`, Event{Class: 10, DateTime: nowDT}, ""},
		{"null vscp key falls back to short key", `{"vscpClass":null,"class":12}`, Event{Class: 12, DateTime: nowDT}, ""},
		{"null is absent", `{"head":null,"obid":null,"datetime":null,"timestamp":null,"class":null,"type":null,"guid":null,"data":null,"note":null,"timestamp_ns":null}`,
			Event{DateTime: nowDT}, ""},
		{"datetime before dateTime", `{"dateTime":"2001-01-01T00:00:00Z","datetime":"2002-02-02T00:00:00Z"}`, Event{DateTime: dt(2002, 2, 2, 0, 0, 0, 0)}, ""},
		{"vscpDateTime before datetime", `{"datetime":"2002-02-02T00:00:00Z","vscpDateTime":"2003-03-03T00:00:00Z"}`, Event{DateTime: dt(2003, 3, 3, 0, 0, 0, 0)}, ""},
		{"vscpGuid wins", `{"guid":"01","vscpGuid":"02"}`, Event{DateTime: nowDT, GUID: GUID{2}}, ""},
		{"vscpData wins", `{"data":[1],"vscpData":"2"}`, Event{DateTime: nowDT, Data: data(2)}, ""},
		{"vscpNote wins", `{"note":"a","vscpNote":"b"}`, Event{DateTime: nowDT, Note: "b"}, ""},
		{"keys are case-sensitive", `{"CLASS":10,"Class":11,"vscpclass":12}`, Event{DateTime: nowDT}, ""},
		{"duplicate key last wins", `{"class":1,"class":2}`, Event{Class: 2, DateTime: nowDT}, ""},
		{"unknown keys ignored", `{"class":10,"measurement":{"x":[1,2]},"sizedata":99,"crc":"bad"}`, Event{Class: 10, DateTime: nowDT}, ""},

		// Datetime.
		{"datetime empty string is now", `{"datetime":""}`, Event{DateTime: nowDT}, ""},
		{"datetime zero string is now", `{"datetime":"0"}`, Event{DateTime: nowDT}, ""},
		{"datetime zero number is now", `{"datetime":0}`, Event{DateTime: nowDT}, ""},
		{"datetime space separator and offset", `{"datetime":"2024-03-04 05:06:07-01:00"}`, Event{DateTime: dt(2024, 3, 4, 6, 6, 7, 0)}, ""},
		{"datetime other number", `{"datetime":1}`, Event{}, `field "datetime": want a datetime string or the number 0`},
		{"datetime 0.0", `{"datetime":0.0}`, Event{}, "want a datetime string or the number 0"},
		{"datetime boolean", `{"vscpDateTime":false}`, Event{}, `field "vscpDateTime": want a datetime string`},
		{"datetime invalid", `{"dateTime":"2024-02-30T00:00:00Z"}`, Event{}, `field "dateTime": invalid datetime`},
		{"datetime upstream dash", `{"datetime":"-"}`, Event{}, "invalid datetime"},

		// timestamp_ns.
		{"timestamp_ns overrides datetime and keeps explicit timestamp", `{"datetime":"2000-01-01T00:00:00Z","timestamp":42,"timestamp_ns":1700000000000000000}`,
			Event{DateTime: dt(2023, 11, 14, 22, 13, 20, 0), Timestamp: 42}, ""},
		{"timestamp_ns with zero timestamp derives it", `{"timestamp":0,"timestamp_ns":1700000000000000000}`,
			Event{DateTime: dt(2023, 11, 14, 22, 13, 20, 0), Timestamp: 404635648}, ""},
		{"timestamp_ns zero is ignored", `{"datetime":"2000-01-01T00:00:00Z","timestamp":5,"timestamp_ns":0}`,
			Event{DateTime: dt(2000, 1, 1, 0, 0, 0, 0), Timestamp: 5}, ""},
		{"timestamp_ns does not hide an invalid datetime", `{"datetime":"bad","timestamp_ns":1}`, Event{}, "invalid datetime"},
		{"timestamp_ns negative", `{"timestamp_ns":-1}`, Event{}, "negative number"},

		// Frame bits of head.
		{"head frame bits 01 cleared", `{"head":"0x0160"}`, Event{Head: 0x60, DateTime: nowDT}, ""},
		{"head frame bits 10 kept", `{"head":"0x0260"}`, Event{Head: 0x260, DateTime: nowDT}, ""},
		{"head frame bits 11 kept", `{"head":"0x0360"}`, Event{Head: 0x360, DateTime: nowDT}, ""},

		// GUID and note.
		{"GUID short form", `{"guid":"01:02"}`, Event{DateTime: nowDT, GUID: GUID{1, 2}}, ""},
		{"GUID empty string", `{"guid":""}`, Event{DateTime: nowDT}, ""},
		{"GUID invalid", `{"vscpGuid":"01::02"}`, Event{}, `field "vscpGuid": invalid GUID`},
		{"GUID array", `{"guid":[1,2]}`, Event{}, "want a string, got an array"},
		{"note with escapes", `{"note":"a\"\n\u00e9<>&"}`, Event{DateTime: nowDT, Note: "a\"\n\u00e9<>&"}, ""},
		{"note number rejected", `{"note":5}`, Event{}, `field "note": want a string, got a number`},

		// Shape.
		{"whitespace around object", " \n{\"class\":1}\t ", Event{Class: 1, DateTime: nowDT}, ""},
		{"empty object", `{}`, Event{DateTime: nowDT}, ""},
		{"null event", `null`, Event{}, "got null"},
		{"array event", `[1]`, Event{}, "got an array"},
		{"number event", `5`, Event{}, "got a number"},
		{"trailing garbage", `{"class":1}x`, Event{}, "invalid character"},
		{"two objects", `{}{}`, Event{}, "invalid character"},
		{"truncated", `{"class":1`, Event{}, "unexpected end"},
		{"single-quoted key", `{'class':1}`, Event{}, "invalid character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeEventJSON([]byte(tc.in), testNow)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("DecodeEventJSON(%s) err = %v; want error containing %q", tc.in, err, tc.wantErr)
				}
				if d := sameEvent(&got, &Event{}); d != "" {
					t.Fatalf("error result is not the zero event: %s", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeEventJSON(%s): %v", tc.in, err)
			}
			if d := sameEvent(&got, &tc.want); d != "" {
				t.Fatalf("DecodeEventJSON(%s): %s", tc.in, d)
			}
		})
	}
}

func TestDecodeFilterJSON(t *testing.T) {
	const g5 = "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01"
	tests := []struct {
		name    string
		in      string
		want    Filter
		wantErr string
	}{
		{"K34 hex string and integer", `{"filter_class":"0x0A","mask_class":65535}`, Filter{FilterClass: 10, MaskClass: 0xFFFF}, ""},
		{"ws2 #31 integers", `{"filter_class":10,"mask_class":65535}`, Filter{FilterClass: 10, MaskClass: 0xFFFF}, ""},
		{"ws2 #32 strings and GUIDs", `{"filter_class":"0x0A","mask_class":"0xFFFF","filter_guid":"-","mask_guid":""}`, Filter{FilterClass: 10, MaskClass: 0xFFFF}, ""},
		{"ws2 #33 garbage class", `{"filter_class":"abc"}`, Filter{}, `field "filter_class": invalid number`},
		{"ws2 #34 class overflow", `{"mask_class":70000}`, Filter{}, `field "mask_class": value 70000 exceeds 65535`},
		{"ws2 #21 GUID dash", `{"filter_guid":"-"}`, Filter{}, ""},

		{"null accepts all", `null`, Filter{}, ""},
		{"blank accepts all", ` `, Filter{}, ""},
		{"empty object accepts all", `{}`, Filter{}, ""},
		{"every key", `{"filter_priority":7,"filter_class":"10","filter_type":"0b110","filter_guid":"` + g5 + `","mask_priority":"0o7","mask_class":65535,"mask_type":65535,"mask_guid":"::"}`,
			Filter{FilterPriority: 7, FilterClass: 10, FilterType: 6, FilterGUID: mustGUID(t, g5), MaskPriority: 7, MaskClass: 0xFFFF, MaskType: 0xFFFF, MaskGUID: mustGUID(t, "::")}, ""},
		{"null members are zero", `{"filter_priority":null,"filter_class":null,"filter_type":null,"filter_guid":null,"mask_priority":null,"mask_class":null,"mask_type":null,"mask_guid":null}`, Filter{}, ""},
		{"unknown keys ignored", `{"filter_class":1,"x":[{}],"FILTER_CLASS":"bad"}`, Filter{FilterClass: 1}, ""},
		{"priority is u8", `{"filter_priority":255}`, Filter{FilterPriority: 255}, ""},
		{"priority overflow", `{"mask_priority":256}`, Filter{}, `field "mask_priority": value 256 exceeds 255`},
		{"type overflow", `{"filter_type":"0x10000"}`, Filter{}, `field "filter_type": value 0x10000 exceeds 65535`},
		{"negative", `{"filter_class":-1}`, Filter{}, "negative number"},
		{"fraction", `{"filter_class":1.5}`, Filter{}, "fraction"},
		{"exponent", `{"filter_class":1e1}`, Filter{}, "exponent"},
		{"boolean", `{"mask_type":true}`, Filter{}, "got a boolean"},
		{"GUID as number", `{"filter_guid":0}`, Filter{}, `field "filter_guid": want a string, got a number`},
		{"GUID invalid", `{"mask_guid":"GG"}`, Filter{}, `field "mask_guid": invalid GUID`},
		{"array args", `[]`, Filter{}, "filter must be a JSON object, got an array"},
		{"string args", `"0,10,6,-"`, Filter{}, "got a string"},
		{"number args", `5`, Filter{}, "got a number"},
		{"invalid JSON", `{"filter_class":}`, Filter{}, "invalid character"},
		{"duplicate key last wins", `{"filter_class":1,"filter_class":2}`, Filter{FilterClass: 2}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeFilterJSON([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("DecodeFilterJSON(%s) = %+v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				if got != (Filter{}) {
					t.Fatalf("error result is not the zero filter: %+v", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("DecodeFilterJSON(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseDataList(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantErr string
	}{
		{"empty is no data", "", nil, ""},
		{"blank is no data", " \t", nil, ""},
		{"mixed bases trimmed", " 0x01 , 2,0o3,0b100 ", []byte{1, 2, 3, 4}, ""},
		{"512 bytes", strings.Repeat("9,", 511) + "9", bytes.Repeat([]byte{9}, 512), ""},
		{"513 bytes", strings.Repeat("9,", 512) + "9", nil, "513 data bytes"},
		{"empty token", "1, ,2", nil, "data byte 1: empty"},
		{"overflow", "1,256", nil, "data byte 1: value 256 exceeds 255"},
		{"garbage", "0x1g", nil, "data byte 0: invalid number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDataList(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
					t.Fatalf("ParseDataList(%q) = % X, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) || (tc.want == nil) != (got == nil) {
				t.Fatalf("ParseDataList(%q) = % X, %v; want % X", tc.in, got, err, tc.want)
			}
		})
	}
}
