package vscp

import (
	"strings"
	"testing"
)

func mustGUID(t testing.TB, s string) GUID {
	t.Helper()
	g, err := ParseGUID(s)
	if err != nil {
		t.Fatalf("ParseGUID(%q): %v", s, err)
	}
	return g
}

func mustFilter(t testing.TB, filter, mask string) Filter {
	t.Helper()
	f, err := ParseFilter(filter, mask)
	if err != nil {
		t.Fatalf("ParseFilter(%q, %q): %v", filter, mask, err)
	}
	return f
}

func TestFilterMatch(t *testing.T) {
	const g5 = "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01"
	tests := []struct {
		name         string
		filter, mask string
		ev           Event
		want         bool
	}{
		{"K29 class 10 type 1 passes", "0,10,6,-", "0,0xFFFF,0,-", Event{Class: 10, Type: 1}, true},
		{"K29 class 11 fails", "0,10,6,-", "0,0xFFFF,0,-", Event{Class: 11, Type: 6}, false},
		{"K30 priority 7 passes", "7,0,0,-", "7,0,0,-", Event{Head: 0xE0}, true},
		{"K30 priority 0 fails", "7,0,0,-", "7,0,0,-", Event{Head: 0x00}, false},
		{"K31 zero mask any filter", "7,1234,5678," + g5, "0,0,0,-", Event{Head: 0x20, Class: 1, Type: 2}, true},
		{"K31 zero mask host event", "3,10,6,::", "", Event{Head: 0xFFFF, Class: 0xFFFF, Type: 0xFFFF, GUID: GUID{1, 2, 3}}, true},
		{"K32 GUID equal passes", "0,0,0," + g5, "0,0,0,::", Event{GUID: mustGUID(t, g5)}, true},
		{"K32 last GUID byte differs", "0,0,0," + g5, "0,0,0,::", Event{GUID: mustGUID(t, "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:02")}, false},

		{"zero filter accepts all", "", "", Event{Head: 0xE0, Class: 0xFFFF, Type: 9, GUID: GUID{0xFF}}, true},
		{"type mask", "0,0,6,-", "0,0,0xFFFF,-", Event{Class: 99, Type: 7}, false},
		{"type mask pass", "0,0,6,-", "0,0,0xFFFF,-", Event{Class: 99, Type: 6}, true},
		{"partial class mask", "0,0x0100,0,-", "0,0xFF00,0,-", Event{Class: 0x01AB}, true},
		{"partial class mask fail", "0,0x0100,0,-", "0,0xFF00,0,-", Event{Class: 0x02AB}, false},
		{"priority ignores other head bits", "3,0,0,-", "7,0,0,-", Event{Head: 0x0360 | 0x1F}, true},
		{"GUID first half checked", "0,0,0,::", "0,0,0,80", Event{GUID: GUID{0x7F}}, false},
		{"GUID mask bit-wise", "0,0,0,-:01", "0,0,0,-:01", Event{GUID: GUID{15: 0xFF}}, true},
		{"GUID mask bit-wise fail", "0,0,0,-:01", "0,0,0,-:01", Event{GUID: GUID{15: 0xFE}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFilter(t, tc.filter, tc.mask)
			if got := f.Match(&tc.ev); got != tc.want {
				t.Fatalf("filter %q mask %q Match(%+v) = %v; want %v", tc.filter, tc.mask, tc.ev, got, tc.want)
			}
		})
	}
}

func TestFilterMatchDoesNotAllocate(t *testing.T) {
	f := mustFilter(t, "3,10,6,::01", "7,0xFFFF,0xFFFF,::")
	e := Event{Head: 0x60, Class: 10, Type: 6, GUID: mustGUID(t, "::01")}
	if n := testing.AllocsPerRun(1000, func() { _ = f.Match(&e) }); n != 0 {
		t.Fatalf("Match allocates %v times", n)
	}
}

func TestParseFilterHalf(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		prio    uint8
		class   uint16
		typ     uint16
		guid    string
		wantErr string
	}{
		{"K33 empty string is all zero", "", 0, 0, 0, z16, ""},
		{"K33 two tokens", "0,10", 0, 10, 0, z16, ""},
		{"K33 five tokens", "0,10,6,-,5", 0, 0, 0, "", "5 comma-separated tokens"},
		{"K33 class overflow", "0,0x1FFFF,0,-", 0, 0, 0, "", "token 1 (class): value 0x1FFFF exceeds 65535"},

		{"blank is all zero", "  \t ", 0, 0, 0, z16, ""},
		{"one token", "5", 5, 0, 0, z16, ""},
		{"three tokens", "1,2,3", 1, 2, 3, z16, ""},
		{"full", " 7 , 0x0A , 0b110 , {01:02} ", 7, 10, 6, "01:02:00:00:00:00:00:00:00:00:00:00:00:00:00:00", ""},
		{"empty numeric tokens are zero", ",,,", 0, 0, 0, z16, ""},
		{"empty GUID token", "1,2,3,", 1, 2, 3, z16, ""},
		{"priority is u8", "255,0,0,-", 255, 0, 0, z16, ""},
		{"priority overflow", "256,0,0,-", 0, 0, 0, "", "token 0 (priority): value 256 exceeds 255"},
		{"type overflow", "0,0,70000,-", 0, 0, 0, "", "token 2 (type): value 70000 exceeds 65535"},
		{"bad number", "0,abc,0,-", 0, 0, 0, "", "token 1 (class): invalid number"},
		{"bad GUID", "0,0,0,GG", 0, 0, 0, "", "token 3 (GUID)"},
		{"trailing comma is a fifth token", "0,0,0,-,", 0, 0, 0, "", "5 comma-separated tokens"},
		{"UUID GUID", "0,0,0,FFAA1122-3344-5566-7788-99AABBCCDDEE", 0, 0, 0, "FF:AA:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c, ty, g, err := ParseFilterHalf(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseFilterHalf(%q) err = %v; want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || p != tc.prio || c != tc.class || ty != tc.typ || g.String() != tc.guid {
				t.Fatalf("ParseFilterHalf(%q) = %d,%d,%d,%v,%v; want %d,%d,%d,%s",
					tc.in, p, c, ty, g, err, tc.prio, tc.class, tc.typ, tc.guid)
			}
		})
	}
}

func TestParseFilter(t *testing.T) {
	f, err := ParseFilter("1,10,6,::01", "7,0xFFFF,0,-")
	if err != nil {
		t.Fatal(err)
	}
	want := Filter{FilterPriority: 1, FilterClass: 10, FilterType: 6, FilterGUID: mustGUID(t, "::01"),
		MaskPriority: 7, MaskClass: 0xFFFF}
	if f != want {
		t.Fatalf("got %+v; want %+v", f, want)
	}
	if _, err := ParseFilter("0,abc", ""); err == nil || !strings.HasPrefix(err.Error(), "filter: token 1 (class)") {
		t.Fatalf("bad filter half: err = %v", err)
	}
	if f, err := ParseFilter("0,10,6,-", "0,0x10000"); err == nil || !strings.HasPrefix(err.Error(), "mask: token 1 (class)") || f != (Filter{}) {
		t.Fatalf("bad mask half: %+v, %v", f, err)
	}
}

func TestFilterText(t *testing.T) {
	f := mustFilter(t, "1,0x0A,6,::01", "7,65535,0,-")
	if got, want := f.FilterText(), "1,10,6,FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:01"; got != want {
		t.Errorf("FilterText = %q; want %q", got, want)
	}
	if got, want := f.MaskText(), "7,65535,0,"+z16; got != want {
		t.Errorf("MaskText = %q; want %q", got, want)
	}
	// The text form parses back to the same filter.
	if g := mustFilter(t, f.FilterText(), f.MaskText()); g != f {
		t.Errorf("text round trip: %+v != %+v", g, f)
	}
}
