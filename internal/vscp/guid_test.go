package vscp

import (
	"strings"
	"testing"
)

const z16 = "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"

func TestParseGUID(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // canonical text; "" when an error is expected
		wantErr string
	}{
		{"K5 dash", "-", z16, ""},
		{"K5 empty", "", z16, ""},
		{"K6 short groups zero-filled", "1:2:3", "01:02:03:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"K7 mixed case and one digit", "0a:0B:c", "0A:0B:0C:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"K8 double colon groups", "::01:02", "FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:01:02", ""},
		{"K8 double colon alone", "::", "FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF", ""},
		{"K9 dash colon groups", "-:01:02", "00:00:00:00:00:00:00:00:00:00:00:00:00:00:01:02", ""},
		{"K10 UUID", "FFAA1122-3344-5566-7788-99AABBCCDDEE", "FF:AA:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE", ""},
		{"K11 braces", "{01:02}", "01:02:00:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"K11 0x prefixed groups", "0x0:0x0:0x0", z16, ""},
		{"K12 four-digit groups", "FFFF:FFFF:FFFF:FFF5:0000:0000:0000:0001", "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01", ""},
		{"K12 bare 32-digit run", "000102030405060708090A0B0C0D0E0F", "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F", ""},
		{"K13 17 bytes", "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10", "", "more than 16 bytes"},
		{"K13 non-hex", "GG:01", "", "unexpected 'G'"},
		{"K13 empty inner group", "01::02", "", "group 2 is empty"},
		{"K13 lone open brace", "{01:02", "", "unbalanced brace"},

		// Zero forms.
		{"braced empty", "{}", z16, ""},
		{"braced dash", "{-}", z16, ""},
		{"explicit zeros", z16, z16, ""},
		{"whitespace trimmed", " \t01:02\r\n", "01:02:00:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"only whitespace", "   ", z16, ""},

		// Group sizes.
		{"three digits are two bytes", "abc", "0A:BC:00:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"four digits are two bytes", "1234:5", "12:34:05:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"six digits are three bytes", "123456", "12:34:56:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"odd five digits", "12345", "", "odd number (5)"},
		{"odd seven digits", "0x1234567", "", "odd number (7)"},
		{"odd 31 digits", strings.Repeat("A", 31), "", "odd number (31)"},
		{"33 digit run", strings.Repeat("A", 33), "", "odd number"},
		{"34 digit run is 17 bytes", strings.Repeat("A", 34), "", "more than 16 bytes"},
		{"0x prefixed 32-digit run", "0x000102030405060708090A0B0C0D0E0F", "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F", ""},
		{"upper 0X prefix", "0XAB:0Xcd", "AB:CD:00:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"0x prefix without digits", "0x:01", "", "no hex digits after 0x"},
		{"exactly 16 bytes mixed groups", "0102:03:040506:0708090A0B0C0D:0E:0F", "01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:00", ""},

		// Empty groups.
		{"trailing colon", "01:", "", "group 2 is empty"},
		{"leading colon", ":01", "", "group 1 is empty"},
		{"single colon", ":", "", "empty"},
		{"triple colon", ":::01", "", "group 1 is empty"},
		{"double colon trailing colon", "::01:", "", "empty"},

		// Right-aligned vscpd 15.1 forms.
		{"double colon full 16 bytes", "::00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F", "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F", ""},
		{"double colon 17 bytes", "::00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10", "", "more than 16 bytes"},
		{"double colon two-byte group", "::abcd", "FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:AB:CD", ""},
		{"dash colon long run", "-:0102030405060708", "00:00:00:00:00:00:00:00:01:02:03:04:05:06:07:08", ""},
		{"dash colon without groups", "-:", "", "group 1 is empty"},
		{"braced double colon", "{::01}", "FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:01", ""},

		// UUID.
		{"UUID lower case", "ffaa1122-3344-5566-7788-99aabbccddee", "FF:AA:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE", ""},
		{"UUID braced", "{ffaa1122-3344-5566-7788-99aabbccddee}", "FF:AA:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE", ""},
		{"UUID non-hex", "FFAA1122-3344-5566-7788-99AABBCCDDEG", "", "unexpected 'G' in UUID form"},
		{"UUID wrong dash positions", "FFAA112-23344-5566-7788-99AABBCCDDEE", "", "unexpected '-'"},
		{"UUID short last part", "FFAA1122-3344-5566-7788-99AABBCCDD", "", "unexpected '-'"},

		// Anything else.
		{"lone open brace", "{", "", "unbalanced brace"},
		{"lone close brace", "}", "", "unbalanced brace"},
		{"close brace only at end", "01:02}", "", "unbalanced brace"},
		{"double braces", "{{01}}", "", "unexpected '{'"},
		{"inner space", "01: 02", "", "unexpected ' '"},
		{"double dash", "--", "", "unexpected '-'"},
		{"dash group", "01-02", "", "unexpected '-'"},
		{"comma", "01,02", "", "unexpected ','"},
		{"sign", "+1", "", "unexpected '+'"},
		{"non-ASCII", "0\u00e9", "", "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ParseGUID(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseGUID(%q) = %v, %v; want error containing %q", tc.in, g, err, tc.wantErr)
				}
				if g != (GUID{}) {
					t.Fatalf("ParseGUID(%q) returned non-zero GUID with error", tc.in)
				}
				return
			}
			if err != nil || g.String() != tc.want {
				t.Fatalf("ParseGUID(%q) = %v, %v; want %s", tc.in, g, err, tc.want)
			}
		})
	}
}

func TestGUIDText(t *testing.T) {
	g := GUID{0x00, 0x01, 0xAB, 0xcd, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xFF}
	const want = "00:01:AB:CD:04:05:06:07:08:09:0A:0B:0C:0D:0E:FF"
	if s := g.String(); s != want || len(s) != 47 {
		t.Fatalf("String() = %q; want %q", s, want)
	}
	if got := string(g.AppendText([]byte("x="))); got != "x="+want {
		t.Fatalf("AppendText = %q", got)
	}
	if (GUID{}).String() != z16 {
		t.Fatalf("zero GUID = %q", GUID{}.String())
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = g.AppendText(buf[:0]) }); n != 0 {
		t.Fatalf("AppendText allocates %v times", n)
	}
}

func TestGUIDIsZero(t *testing.T) {
	if !(GUID{}).IsZero() {
		t.Fatal("zero GUID not IsZero")
	}
	for i := range 16 {
		var g GUID
		g[i] = 1
		if g.IsZero() {
			t.Fatalf("GUID with byte %d set reported zero", i)
		}
	}
}
