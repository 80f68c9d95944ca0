package vscp

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// Fuzz targets: no input may panic, a failed parse returns the zero value,
// and a successful parse satisfies the model's invariants and survives
// re-encoding. Seeds are the codec known answers (K rows) and edge cases.

var eventStringSeeds = []string{
	"0,20,3,0,,0,-,1,2,3",
	"0x60,10,6,7,2024-03-04T05:06:07Z,1234,FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01,0x10,17,0b11",
	"1,2,3,4,2024-03-04 05:06:07,0,00:01:02,5",
	"0,10,6,0,2024-03-04T05:06:07.5+01:00,0,-",
	"256,20,3,0,,1700000000000000000,-",
	"0,20,3,0",
	"0,20,3",
	"0,10,6,0,,0,-,",
	"0,10,6,0,,0,-,0x100",
	"0,10,6,0,,4294967296,-",
	"0,10,6,0,2024-02-30T00:00:00Z,0,-",
	"96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33",
	"0,10,6,0,,0,00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
	"0,10,6,0;",
}

func FuzzParseEventString(f *testing.F) {
	for _, s := range eventStringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEventString(s, testNow)
		if err != nil {
			if d := sameEvent(&e, &Event{}); d != "" {
				t.Fatalf("error %v with non-zero event: %s", err, d)
			}
			return
		}
		checkParsedEvent(t, &e)
		out := AppendEventString(nil, &e)
		e2, err := ParseEventString(string(out), testNow)
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", out, s, err)
		}
		want := e
		want.DateTime.Nano = 0 // the string form has no fraction
		if d := sameEvent(&e2, &want); d != "" {
			t.Fatalf("re-parse of %q (from %q): %s", out, s, d)
		}
		if out2 := AppendEventString(nil, &e2); string(out2) != string(out) {
			t.Fatalf("output not stable: %q then %q", out, out2)
		}
	})
}

// checkParsedEvent asserts what every successfully decoded client event
// satisfies.
func checkParsedEvent(t *testing.T, e *Event) {
	t.Helper()
	if len(e.Data) > MaxData {
		t.Fatalf("%d data bytes", len(e.Data))
	}
	if e.Head&HeadFrameMask == HeadFrameUnixNS {
		t.Fatalf("head %#x keeps the UNIX_NS frame bits", e.Head)
	}
	if e.DateTime.IsUnset() || !e.DateTime.validCalendar() || e.DateTime.Year < minYear {
		t.Fatalf("datetime %+v is not a valid instant", e.DateTime)
	}
}

var eventJSONSeeds = []string{
	`{"vscpHead":96,"vscpObId":1,"vscpDateTime":"2017-01-13T10:16:02Z","vscpTimeStamp":50817,"vscpClass":10,"vscpType":8,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:01:00:02","vscpData":[1,2,3]}`,
	`{"head":96,"timestamp_ns":"0x17B9775B31B48315","class":10,"type":8,"guid":"-","data":[]}`,
	`{"class":10,"type":6,"data":"0x01,2"}`,
	`{"class":"10","type":"0x06"}`,
	`{"vscpClass":"10x","vscpType":-1}`,
	`{"class":10,"data":[256]}`,
	`{"class":10,"guid":7}`,
	`{"head":0,"vscpClass":30,"vscpType":5,"obid":0,"dateTime":"2026-11-22T00:17:50.123456Z","timestamp":0,"guid":"FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:02:00:00","data":[1,2,3,4,5,6],"note":"x"}`,
	`{"vscpClass":1.5,"vscpType":6}`,
	`{"datetime":0,"note":"a\"\u00e9\u2028","data":["1","0x02"]}`,
	`"x"`,
	`null`,
}

func FuzzDecodeEventJSON(f *testing.F) {
	for _, s := range eventJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := DecodeEventJSON(in, testNow)
		if err != nil {
			if d := sameEvent(&e, &Event{}); d != "" {
				t.Fatalf("error %v with non-zero event: %s", err, d)
			}
			return
		}
		checkParsedEvent(t, &e)
		want := e
		want.DateTime.Nano = 0 // the JSON output has no fraction
		for form := JSONBoth; form <= JSONShort; form++ {
			out := AppendEventJSON(nil, &e, form)
			if !json.Valid(out) {
				t.Fatalf("format %v: invalid JSON output %q", form, out)
			}
			e2, err := DecodeEventJSON(out, testNow)
			if err != nil {
				t.Fatalf("format %v: re-decode of %s: %v", form, out, err)
			}
			if d := sameEvent(&e2, &want); d != "" {
				t.Fatalf("format %v: re-decode of %s (from %s): %s", form, out, in, d)
			}
		}
	})
}

var guidSeeds = []string{
	"-", "", "1:2:3", "0a:0B:c", "::01:02", "::", "-:01:02", "FFAA1122-3344-5566-7788-99AABBCCDDEE",
	"{01:02}", "0x0:0x0:0x0", "FFFF:FFFF:FFFF:FFF5:0000:0000:0000:0001", "000102030405060708090A0B0C0D0E0F",
	"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10", "GG:01", "01::02", "{01:02", "12345",
}

func FuzzParseGUID(f *testing.F) {
	for _, s := range guidSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGUID(s)
		if err != nil {
			if g != (GUID{}) {
				t.Fatalf("error %v with non-zero GUID %v", err, g)
			}
			return
		}
		text := g.String()
		if len(text) != guidTextLen || strings.ToUpper(text) != text {
			t.Fatalf("String() = %q", text)
		}
		for _, form := range []string{text, "{" + text + "}", " " + text + "\t"} {
			if g2, err := ParseGUID(form); err != nil || g2 != g {
				t.Fatalf("re-parse of %q (from %q) = %v, %v; want %v", form, s, g2, err, g)
			}
		}
	})
}

var dateTimeSeeds = []string{
	"2026-11-22T00:17:50.123456Z", "2000-01-01T12:33:14", "2024-13-01T00:00:00Z",
	"2024-03-04T05:06:07.5+01:00", "2024-03-04 05:06:07", "2024-02-29t00:00:00z", "2023-02-29T00:00:00Z",
	"1970-01-01T00:30:00+01:00", "9999-12-31T23:59:59.999999999-00:00", "0", "",
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range dateTimeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDateTime(s)
		if err != nil {
			if d != (DateTime{}) {
				t.Fatalf("error %v with non-zero datetime %+v", err, d)
			}
			return
		}
		if d.Year < minYear || d.Year > maxYear || !d.validCalendar() {
			t.Fatalf("ParseDateTime(%q) = %+v: not a valid instant", s, d)
		}
		text := d.String()
		d2, err := ParseDateTime(text)
		want := d
		want.Nano = 0
		if err != nil || d2 != want {
			t.Fatalf("re-parse of %q (from %q) = %+v, %v; want %+v", text, s, d2, err, want)
		}
		ns, ok := d.UnixNano()
		if ok != (d.Year < limitYear || d.Year == limitYear && (d.Month < limitMon || d.Month == limitMon && d.Day < limitDay)) {
			t.Fatalf("UnixNano ok = %v for %+v", ok, d)
		}
		if ok {
			if back := DateTimeFromUnixNano(uint64(ns)); back != d && ns != 0 {
				t.Fatalf("DateTimeFromUnixNano(UnixNano(%+v)) = %+v", d, back)
			}
		}
	})
}

var filterJSONSeeds = []string{
	`{"filter_class":"0x0A","mask_class":65535}`,
	`{"filter_class":10,"mask_class":65535}`,
	`{"filter_class":"0x0A","mask_class":"0xFFFF","filter_guid":"-","mask_guid":""}`,
	`{"filter_class":"abc"}`,
	`{"mask_class":70000}`,
	`{"filter_priority":7,"mask_priority":"0b111","filter_guid":"::01","mask_guid":"::"}`,
	`null`, `{}`, `[]`, ``,
}

func FuzzDecodeFilterJSON(f *testing.F) {
	for _, s := range filterJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		flt, err := DecodeFilterJSON(in)
		if err != nil {
			if flt != (Filter{}) {
				t.Fatalf("error %v with non-zero filter %+v", err, flt)
			}
			return
		}
		back, err := ParseFilter(flt.FilterText(), flt.MaskText())
		if err != nil || back != flt {
			t.Fatalf("text round trip of %+v = %+v, %v", flt, back, err)
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"10", " 0x1F ", "0X1f", "0b101", "0o17", "017", "-1", "12abc", "1e3", "0x", "abc", "65536", "18446744073709551616"} {
		f.Add(s, uint64(MaxU32))
	}
	f.Fuzz(func(t *testing.T, s string, max uint64) {
		v, err := ParseNumber(s, max)
		if err != nil {
			if v != 0 {
				t.Fatalf("error %v with value %d", err, v)
			}
			if trim(s) == "" && !errors.Is(err, ErrEmpty) {
				t.Fatalf("blank input gave %v, not ErrEmpty", err)
			}
			return
		}
		if v > max {
			t.Fatalf("ParseNumber(%q, %d) = %d above max", s, max, v)
		}
		// Cross-check with strconv on the same digits.
		tt := trim(s)
		base := 10
		if len(tt) > 2 && tt[0] == '0' {
			switch tt[1] {
			case 'x', 'X':
				base, tt = 16, tt[2:]
			case 'o', 'O':
				base, tt = 8, tt[2:]
			case 'b', 'B':
				base, tt = 2, tt[2:]
			}
		}
		ref, rerr := strconv.ParseUint(tt, base, 64)
		if rerr != nil || ref != v {
			t.Fatalf("ParseNumber(%q) = %d; strconv says %d, %v", s, v, ref, rerr)
		}
	})
}
