package vscp

import (
	"strings"
	"testing"
)

func TestAppendEventString(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"K21 E1", e1(), "96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33"},
		{"K22 zero event without data", Event{Class: 10, Type: 6}, "0,10,6,0,,0," + z16},
		{"ws1 #70 host event", Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}, "0,10,6,0,,0," + z16 + ",0x01,0x02,0x03"},
		{"empty non-nil data", Event{Class: 10, Type: 6, Data: []byte{}}, "0,10,6,0,,0," + z16},
		{"maximum values", Event{Head: 0xFFFF, OBID: 0xFFFFFFFF, Timestamp: 0xFFFFFFFF, Class: 0xFFFF, Type: 0xFFFF, GUID: mustGUID(t, "::"), Data: []byte{0, 0xAB, 0xFF}},
			"65535,65535,65535,4294967295,,4294967295,FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF,0x00,0xAB,0xFF"},
		{"nano and note are not printed", Event{DateTime: dt(2026, 11, 22, 0, 17, 50, 123456000), Note: "x"}, "0,0,0,0,2026-11-22T00:17:50Z,0," + z16},
		{"host out-of-range date printed verbatim", Event{DateTime: DateTime{Year: 2024, Month: 13, Day: 32}}, "0,0,0,0,2024-13-32T00:00:00Z,0," + z16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(AppendEventString([]byte("E;"), &tc.ev)); got != "E;"+tc.want {
				t.Fatalf("got  %q\nwant %q", got, "E;"+tc.want)
			}
		})
	}
}

func TestAppendEventStringDoesNotAllocate(t *testing.T) {
	e := e1()
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = AppendEventString(buf[:0], &e) }); n != 0 {
		t.Fatalf("AppendEventString allocates %v times", n)
	}
}

func TestParseEventString(t *testing.T) {
	const g5 = "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01"
	data := func(b ...byte) []byte { return b }
	tests := []struct {
		name    string
		in      string
		want    Event
		wantErr string
	}{
		{"K14 minimal with data", "0,20,3,0,,0,-,1,2,3",
			Event{Class: 20, Type: 3, DateTime: nowDT, Data: data(1, 2, 3)}, ""},
		{"K15 mixed number bases", "0x60,10,6,7,2024-03-04T05:06:07Z,1234," + g5 + ",0x10,17,0b11",
			Event{Head: 0x60, Class: 10, Type: 6, OBID: 7, DateTime: dt(2024, 3, 4, 5, 6, 7, 0), Timestamp: 1234, GUID: mustGUID(t, g5), Data: data(0x10, 0x11, 0x03)}, ""},
		{"K16 space separator and short GUID", "1,2,3,4,2024-03-04 05:06:07,0,00:01:02,5",
			Event{Head: 1, Class: 2, Type: 3, OBID: 4, DateTime: dt(2024, 3, 4, 5, 6, 7, 0), GUID: GUID{0, 1, 2}, Data: data(5)}, ""},
		{"K17 offset and fraction", "0,10,6,0,2024-03-04T05:06:07.5+01:00,0,-",
			Event{Class: 10, Type: 6, DateTime: dt(2024, 3, 4, 4, 6, 7, 500000000)}, ""},
		{"K18 UNIX_NS form", "256,20,3,0,,1700000000000000000,-",
			Event{Class: 20, Type: 3, DateTime: dt(2023, 11, 14, 22, 13, 20, 0), Timestamp: 404635648}, ""},
		{"K19 four tokens", "0,20,3,0", Event{Class: 20, Type: 3, DateTime: nowDT}, ""},
		{"K20 three tokens", "0,20,3", Event{}, "3 token(s); need at least 4"},
		{"K20 empty data token", "0,10,6,0,,0,-,", Event{}, "token 7 (data byte 0): empty"},
		{"K20 data byte overflow", "0,10,6,0,,0,-,0x100", Event{}, "token 7 (data byte 0): value 0x100 exceeds 255"},
		{"K20 timestamp overflow", "0,10,6,0,,4294967296,-", Event{}, "token 5 (timestamp): value 4294967296 exceeds 4294967295"},
		{"K20 February 30", "0,10,6,0,2024-02-30T00:00:00Z,0,-", Event{}, "token 4 (datetime)"},

		// ws1 conformance rows (TestWS1), decoding part.
		{"ws1 #54", "0,10,6,0,,0,-,1,2", Event{Class: 10, Type: 6, DateTime: nowDT, Data: data(1, 2)}, ""},
		{"ws1 #55", "0,10,6", Event{}, "need at least"},
		{"ws1 #57 datetime 0 is now", "0,30,5,0,0,0," + "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00,1,2,3,4,5,6",
			Event{Class: 30, Type: 5, DateTime: nowDT, GUID: mustGUID(t, "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00"), Data: data(1, 2, 3, 4, 5, 6)}, ""},
		{"ws1 #58 millisecond fraction", "0,30,5,0,2026-11-22T00:25:11.048Z,0,-,1,2,3",
			Event{Class: 30, Type: 5, DateTime: dt(2026, 11, 22, 0, 25, 11, 48000000), Data: data(1, 2, 3)}, ""},
		{"ws1 #59 month 13", "0,10,6,0,2025-13-01T00:00:00Z,0,-", Event{}, "month outside"},
		{"ws1 #60 data 256", "0,10,6,0,,0,-,256", Event{}, "value 256 exceeds 255"},
		{"ws1 #62 short GUID", "0,10,6,0,,0,01:02", Event{Class: 10, Type: 6, DateTime: nowDT, GUID: GUID{1, 2}}, ""},
		{"ws1 #63 non-hex GUID", "0,10,6,0,,0,GG:01", Event{}, "token 6 (GUID)"},
		{"ws1 #68 head in hex", "0x20,10,1,0,,0,-", Event{Head: 0x20, Class: 10, Type: 1, DateTime: nowDT}, ""},

		// Trimming and absent fields.
		{"whole string and tokens trimmed", " \t 0 , 10 , 6 , 9 , 2024-03-04T05:06:07Z , 5 , 01:02 , 7 , 0x08 \r\n",
			Event{Class: 10, Type: 6, OBID: 9, DateTime: dt(2024, 3, 4, 5, 6, 7, 0), Timestamp: 5, GUID: GUID{1, 2}, Data: data(7, 8)}, ""},
		{"empty obid is 0", "0,10,6,,,,", Event{Class: 10, Type: 6, DateTime: nowDT}, ""},
		{"five tokens", "0,10,6,0,2024-03-04T05:06:07Z", Event{Class: 10, Type: 6, DateTime: dt(2024, 3, 4, 5, 6, 7, 0)}, ""},
		{"six tokens", "0,10,6,0,,77", Event{Class: 10, Type: 6, DateTime: nowDT, Timestamp: 77}, ""},
		{"empty GUID token", "0,10,6,0,,0,", Event{Class: 10, Type: 6, DateTime: nowDT}, ""},
		{"GUID in every form: UUID", "0,10,6,0,,0,{FFAA1122-3344-5566-7788-99AABBCCDDEE}",
			Event{Class: 10, Type: 6, DateTime: nowDT, GUID: mustGUID(t, "FF:AA:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE")}, ""},
		{"GUID double colon", "0,10,6,0,,0,::01", Event{Class: 10, Type: 6, DateTime: nowDT, GUID: mustGUID(t, "::01")}, ""},
		{"explicit zero GUID", "0,10,6,0,,0," + z16, Event{Class: 10, Type: 6, DateTime: nowDT}, ""},
		{"datetime lower t and z", "0,10,6,0,2024-03-04t05:06:07z,0,-", Event{Class: 10, Type: 6, DateTime: dt(2024, 3, 4, 5, 6, 7, 0)}, ""},
		{"obid u32 max", "0,10,6,4294967295", Event{Class: 10, Type: 6, OBID: 4294967295, DateTime: nowDT}, ""},
		{"data octal and binary", "0,10,6,0,,0,-,0o377,0B1,017", Event{Class: 10, Type: 6, DateTime: nowDT, Data: data(255, 1, 17)}, ""},
		{"512 data bytes", "0,10,6,0,,0,-" + strings.Repeat(",7", 512), Event{Class: 10, Type: 6, DateTime: nowDT, Data: []byte(strings.Repeat("\x07", 512))}, ""},

		// Frame bits.
		{"UNIX_NS with ns 0 uses token 4", "0x160,10,6,0,2024-03-04T05:06:07Z,0,-", Event{Head: 0x60, Class: 10, Type: 6, DateTime: dt(2024, 3, 4, 5, 6, 7, 0)}, ""},
		{"UNIX_NS with empty ns uses now", "256,10,6,0,,,-", Event{Class: 10, Type: 6, DateTime: nowDT}, ""},
		{"UNIX_NS overrides token 4", "256,10,6,0,2000-01-01T00:00:00Z,0x17B9775B31B48315,-",
			Event{Class: 10, Type: 6, DateTime: dt(2024, 3, 4, 5, 6, 7, 123456789), Timestamp: 2934296576}, ""},
		{"UNIX_NS u64 max", "256,10,6,0,,18446744073709551615,-",
			Event{Class: 10, Type: 6, DateTime: dt(2554, 7, 21, 23, 34, 33, 709551615), Timestamp: uint32((18446744073709551615 / 1000) % (1 << 32))}, ""},
		{"UNIX_NS u64 overflow", "256,10,6,0,,18446744073709551616,-", Event{}, "token 5 (timestamp): value 18446744073709551616 exceeds"},
		{"UNIX_NS still validates token 4", "256,10,6,0,garbage,1700000000000000000,-", Event{}, "token 4 (datetime)"},
		{"reserved frame bits 10 pass through", "0x260,10,6,0,,5,-", Event{Head: 0x260, Class: 10, Type: 6, DateTime: nowDT, Timestamp: 5}, ""},
		{"reserved frame bits 11 pass through", "0x360,10,6,0,,5,-", Event{Head: 0x360, Class: 10, Type: 6, DateTime: nowDT, Timestamp: 5}, ""},

		// Errors.
		{"empty string", "", Event{}, "1 token(s)"},
		{"blank string", " \r\n", Event{}, "1 token(s)"},
		{"semicolon", "0,10,6,0;", Event{}, "contains ';'"},
		{"ws1 frame prefix is not part of the event", "E;0,10,6,0", Event{}, "contains ';'"},
		{"semicolon inside data", "0,10,6,0,,0,-,1;2", Event{}, "contains ';'"},
		{"empty head", ",10,6,0", Event{}, "token 0 (head): missing"},
		{"empty class", "0, ,6,0", Event{}, "token 1 (class): missing"},
		{"empty type", "0,10,,0", Event{}, "token 2 (type): missing"},
		{"head overflow", "65536,10,6,0", Event{}, "token 0 (head): value 65536 exceeds 65535"},
		{"type overflow", "0,10,70000,0", Event{}, "token 2 (type): value 70000 exceeds 65535"},
		{"garbage class", "0,12abc,6,0", Event{}, "token 1 (class): invalid number"},
		{"negative type", "0,10,-1,0", Event{}, "token 2 (type): invalid number"},
		{"obid overflow", "0,10,6,4294967296", Event{}, "token 3 (obid): value 4294967296 exceeds"},
		{"garbage obid", "0,10,6,x", Event{}, "token 3 (obid)"},
		{"datetime dash", "0,10,6,0,-,0,-", Event{}, "token 4 (datetime)"},
		{"datetime 00", "0,10,6,0,00,0,-", Event{}, "token 4 (datetime)"},
		{"garbage timestamp", "0,10,6,0,,1x,-", Event{}, "token 5 (timestamp)"},
		{"empty middle data token", "0,10,6,0,,0,-,1,,3", Event{}, "token 8 (data byte 1): empty"},
		{"garbage data", "0,10,6,0,,0,-,1,zz", Event{}, "token 8 (data byte 1): invalid number"},
		{"data fraction", "0,10,6,0,,0,-,1.5", Event{}, "token 7 (data byte 0): invalid number"},
		{"513 data bytes", "0,10,6,0,,0,-" + strings.Repeat(",7", 513), Event{}, "513 data bytes; at most 512"},
		{"17-byte GUID", "0,10,6,0,,0,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10", Event{}, "more than 16 bytes"},
		{"lone brace GUID", "0,10,6,0,,0,{", Event{}, "unbalanced brace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEventString(tc.in, testNow)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseEventString(%q) err = %v; want error containing %q", tc.in, err, tc.wantErr)
				}
				if d := sameEvent(&got, &Event{}); d != "" {
					t.Fatalf("error result is not the zero event: %s", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEventString(%q): %v", tc.in, err)
			}
			if d := sameEvent(&got, &tc.want); d != "" {
				t.Fatalf("ParseEventString(%q): %s", tc.in, d)
			}
		})
	}
}
