package vscp

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func dt(y, mo, d, h, mi, s int, nano uint32) DateTime {
	return DateTime{Year: uint16(y), Month: uint8(mo), Day: uint8(d), Hour: uint8(h), Minute: uint8(mi), Second: uint8(s), Nano: nano}
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    DateTime
		wantErr string
	}{
		{"K35 fraction of six digits", "2026-11-22T00:17:50.123456Z", dt(2026, 11, 22, 0, 17, 50, 123456000), ""},
		{"K35 no zone is UTC", "2000-01-01T12:33:14", dt(2000, 1, 1, 12, 33, 14, 0), ""},
		{"K35 month 13", "2024-13-01T00:00:00Z", DateTime{}, "month outside 1–12"},

		// Separators and zone spellings.
		{"lower t and z", "2024-03-04t05:06:07z", dt(2024, 3, 4, 5, 6, 7, 0), ""},
		{"space separator", "2024-03-04 05:06:07", dt(2024, 3, 4, 5, 6, 7, 0), ""},
		{"trimmed", " \t2024-03-04T05:06:07Z\r\n", dt(2024, 3, 4, 5, 6, 7, 0), ""},
		{"month stored as written", "2025-01-02T03:04:05Z", dt(2025, 1, 2, 3, 4, 5, 0), ""},

		// Fractions: right-padded to nine digits, 1–9 digits only.
		{"fraction one digit", "2024-03-04T05:06:07.5Z", dt(2024, 3, 4, 5, 6, 7, 500000000), ""},
		{"fraction three digits", "2026-11-22T00:25:11.048Z", dt(2026, 11, 22, 0, 25, 11, 48000000), ""},
		{"fraction nine digits", "2024-03-04T05:06:07.123456789", dt(2024, 3, 4, 5, 6, 7, 123456789), ""},
		{"fraction leading zeros", "2024-03-04T05:06:07.000000001Z", dt(2024, 3, 4, 5, 6, 7, 1), ""},
		{"fraction ten digits", "2024-03-04T05:06:07.1234567890Z", DateTime{}, "longer than 9 digits"},
		{"fraction without digits", "2024-03-04T05:06:07.Z", DateTime{}, "no digits after '.'"},
		{"comma fraction", "2024-03-04T05:06:07,5Z", DateTime{}, "unexpected"},

		// Offsets are converted to UTC.
		{"K17 offset +01:00 with fraction", "2024-03-04T05:06:07.5+01:00", dt(2024, 3, 4, 4, 6, 7, 500000000), ""},
		{"negative offset", "2024-03-04T22:30:00-02:30", dt(2024, 3, 5, 1, 0, 0, 0), ""},
		{"offset crosses a year", "2024-01-01T00:30:00+01:00", dt(2023, 12, 31, 23, 30, 0, 0), ""},
		{"offset into leap day", "2024-02-28T23:00:00-01:00", dt(2024, 2, 29, 0, 0, 0, 0), ""},
		{"offset skips non-leap day", "2023-02-28T23:00:00-01:00", dt(2023, 3, 1, 0, 0, 0, 0), ""},
		{"zero offset", "2024-03-04T05:06:07-00:00", dt(2024, 3, 4, 5, 6, 7, 0), ""},
		{"maximum offset", "2024-03-04T05:06:07+23:59", dt(2024, 3, 3, 5, 7, 7, 0), ""},
		{"offset hour 24", "2024-03-04T05:06:07+24:00", DateTime{}, "offset outside"},
		{"offset minute 60", "2024-03-04T05:06:07+01:60", DateTime{}, "offset outside"},
		{"offset without colon", "2024-03-04T05:06:07+0100", DateTime{}, "unexpected"},
		{"offset short", "2024-03-04T05:06:07+01", DateTime{}, "unexpected"},
		{"offset non-digit", "2024-03-04T05:06:07+0a:00", DateTime{}, "not ±hh:mm"},
		{"offset before 1970 in UTC", "1970-01-01T00:30:00+01:00", DateTime{}, "outside years 1970–9999"},
		{"offset after 9999 in UTC", "9999-12-31T23:30:00-01:00", DateTime{}, "outside years 1970–9999"},
		{"zone after Z", "2024-03-04T05:06:07Z+01:00", DateTime{}, "unexpected"},
		{"named zone", "2024-03-04T05:06:07 UTC", DateTime{}, "unexpected"},

		// Calendar rules.
		{"leap day 2024", "2024-02-29T00:00:00Z", dt(2024, 2, 29, 0, 0, 0, 0), ""},
		{"leap day 2000", "2000-02-29T00:00:00Z", dt(2000, 2, 29, 0, 0, 0, 0), ""},
		{"no leap day 2100", "2100-02-29T00:00:00Z", DateTime{}, "day 29 does not exist in 2100-02"},
		{"no leap day 2023", "2023-02-29T00:00:00Z", DateTime{}, "day 29 does not exist"},
		{"February 30", "2024-02-30T00:00:00Z", DateTime{}, "day 30 does not exist"},
		{"April 31", "2024-04-31T00:00:00Z", DateTime{}, "day 31 does not exist"},
		{"December 31", "2024-12-31T23:59:59Z", dt(2024, 12, 31, 23, 59, 59, 0), ""},
		{"day 0", "2024-01-00T00:00:00Z", DateTime{}, "day 0 does not exist"},
		{"month 0", "2024-00-01T00:00:00Z", DateTime{}, "month outside"},
		{"hour 24", "2024-01-01T24:00:00Z", DateTime{}, "hour outside"},
		{"minute 60", "2024-01-01T00:60:00Z", DateTime{}, "minute outside"},
		{"leap second", "2016-12-31T23:59:60Z", DateTime{}, "second outside"},
		{"year 1970", "1970-01-01T00:00:00Z", dt(1970, 1, 1, 0, 0, 0, 0), ""},
		{"year 1969", "1969-12-31T23:59:59Z", DateTime{}, "year outside"},
		{"year 9999", "9999-12-31T23:59:59Z", dt(9999, 12, 31, 23, 59, 59, 0), ""},
		{"upstream zero date", "0000-00-00T00:00:00Z", DateTime{}, "year outside"},

		// Shape.
		{"empty", "", DateTime{}, "too short"},
		{"now word is not a datetime", "0", DateTime{}, "too short"},
		{"dash", "-", DateTime{}, "too short"},
		{"date only", "2024-03-04", DateTime{}, "too short"},
		{"no seconds", "2024-03-04T05:06Z", DateTime{}, "too short"},
		{"one-digit month", "2024-3-04T05:06:07Z", DateTime{}, "not of the form"},
		{"slash date", "2024/03/04T05:06:07Z", DateTime{}, "not of the form"},
		{"bad separator", "2024-03-04X05:06:07Z", DateTime{}, "not of the form"},
		{"five-digit year", "12024-03-04T05:06:07Z", DateTime{}, "not of the form"},
		{"signed field", "2024-+3-04T05:06:07Z", DateTime{}, "not of the form"},
		{"trailing garbage", "2024-03-04T05:06:07Zx", DateTime{}, "unexpected"},
		{"inner trailing space", "2024-03-04T05:06:07 Z", DateTime{}, "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDateTime(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseDateTime(%q) = %+v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				if got != (DateTime{}) {
					t.Fatalf("ParseDateTime(%q) returned %+v with an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseDateTime(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDateTimeAppendText(t *testing.T) {
	tests := []struct {
		name string
		in   DateTime
		want string
	}{
		{"unset prints nothing", DateTime{}, ""},
		{"unset ignores nano", DateTime{Nano: 5}, ""},
		{"zero padded", dt(2024, 3, 4, 5, 6, 7, 0), "2024-03-04T05:06:07Z"},
		{"no fraction", dt(2026, 11, 22, 0, 17, 50, 123456000), "2026-11-22T00:17:50Z"},
		{"small year padded", dt(7, 1, 1, 0, 0, 0, 0), "0007-01-01T00:00:00Z"},
		{"only seconds set", DateTime{Second: 1}, "0000-00-00T00:00:01Z"},
		{"host out of range printed as numbers", DateTime{Year: 65535, Month: 255, Day: 100, Hour: 99, Minute: 255, Second: 60}, "65535-255-100T99:255:60Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.in.AppendText([]byte("|"))); got != "|"+tc.want {
				t.Fatalf("AppendText = %q; want %q", got, "|"+tc.want)
			}
			if got := tc.in.String(); got != tc.want {
				t.Fatalf("String = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestDateTimeIsUnset(t *testing.T) {
	if !(DateTime{}).IsUnset() || !(DateTime{Nano: 999}).IsUnset() {
		t.Fatal("zero fields must be unset whatever nano is")
	}
	for i, d := range []DateTime{{Year: 1}, {Month: 1}, {Day: 1}, {Hour: 1}, {Minute: 1}, {Second: 1}} {
		if d.IsUnset() {
			t.Errorf("case %d: %+v reported unset", i, d)
		}
	}
}

func TestDateTimeOf(t *testing.T) {
	loc := time.FixedZone("x", 2*3600)
	in := time.Date(2024, 3, 4, 7, 6, 7, 123456789, loc)
	if got, want := DateTimeOf(in), dt(2024, 3, 4, 5, 6, 7, 123456789); got != want {
		t.Fatalf("DateTimeOf = %+v; want %+v", got, want)
	}
}

func TestDateTimeFromUnixNano(t *testing.T) {
	tests := []struct {
		name string
		ns   uint64
		want DateTime
	}{
		{"zero is unset", 0, DateTime{}},
		{"one nanosecond", 1, dt(1970, 1, 1, 0, 0, 0, 1)},
		{"K18 instant", 1700000000000000000, dt(2023, 11, 14, 22, 13, 20, 0)},
		{"K26 instant", 0x17B9775B31B48315, dt(2024, 3, 4, 5, 6, 7, 123456789)},
		{"max int64", 1<<63 - 1, dt(2262, 4, 11, 23, 47, 16, 854775807)},
		{"beyond int64", 1 << 63, dt(2262, 4, 11, 23, 47, 16, 854775808)},
		{"max uint64", 1<<64 - 1, dt(2554, 7, 21, 23, 34, 33, 709551615)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DateTimeFromUnixNano(tc.ns); got != tc.want {
				t.Fatalf("DateTimeFromUnixNano(%d) = %+v; want %+v", tc.ns, got, tc.want)
			}
		})
	}
}

func TestDateTimeUnixNano(t *testing.T) {
	tests := []struct {
		name string
		in   DateTime
		want int64
		ok   bool
	}{
		{"epoch", dt(1970, 1, 1, 0, 0, 0, 0), 0, true},
		{"with nano", dt(2024, 3, 4, 5, 6, 7, 123456789), 0x17B9775B31B48315, true},
		{"last representable day", dt(2262, 4, 10, 23, 59, 59, 999999999), 9223286399999999999, true},
		{"limit day excluded", dt(2262, 4, 11, 0, 0, 0, 0), 0, false},
		{"after limit", dt(2300, 1, 1, 0, 0, 0, 0), 0, false},
		{"before 1970", dt(1969, 12, 31, 23, 59, 59, 0), 0, false},
		{"unset", DateTime{}, 0, false},
		{"month 13", dt(2024, 13, 1, 0, 0, 0, 0), 0, false},
		{"February 30", dt(2024, 2, 30, 0, 0, 0, 0), 0, false},
		{"leap day", dt(2024, 2, 29, 0, 0, 0, 0), 1709164800000000000, true},
		{"non-leap day 29", dt(2023, 2, 29, 0, 0, 0, 0), 0, false},
		{"hour 24", dt(2024, 1, 1, 24, 0, 0, 0), 0, false},
		{"second 60", dt(2024, 1, 1, 0, 0, 60, 0), 0, false},
		{"nano overflow", dt(2024, 1, 1, 0, 0, 0, 1e9), 0, false},
		{"host UNIX_NS marker fields", DateTime{Year: 0xFFFF, Month: 0xFF}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.in.UnixNano()
			if got != tc.want || ok != tc.ok {
				t.Fatalf("UnixNano(%+v) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestTimeVectors checks section "time" of testdata/vectors.json (known answers of the VSCP
// specification): datetime text ↔
// timestamp_ns ↔ the µs timestamp derived from it.
func TestTimeVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatalf("known-answer vectors: %v", err)
	}
	var doc struct {
		Time []struct {
			DateTime string `json:"datetime"`
			V151     struct {
				Head        string `json:"head_frame_bits"`
				Year        uint16 `json:"year"`
				Month       uint8  `json:"month"`
				TimestampNS string `json:"timestamp_ns"`
				Hex         string `json:"timestamp_ns_hex"`
			} `json:"v15_1"`
			V150 struct {
				Year                             uint16
				Month, Day, Hour, Minute, Second uint8
			} `json:"v15_0"`
			TimestampUS uint32 `json:"timestamp_us_from_ns"`
		} `json:"time"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Time) == 0 {
		t.Fatal("no time vectors")
	}
	for _, v := range doc.Time {
		t.Run(v.DateTime, func(t *testing.T) {
			d, err := ParseDateTime(v.DateTime)
			if err != nil {
				t.Fatal(err)
			}
			f := v.V150
			if d.Year != f.Year || d.Month != f.Month || d.Day != f.Day || d.Hour != f.Hour || d.Minute != f.Minute || d.Second != f.Second {
				t.Fatalf("fields %+v; want %+v", d, f)
			}
			ns, err := strconv.ParseUint(v.V151.TimestampNS, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if hx, err := ParseNumber(v.V151.Hex, MaxU64); err != nil || hx != ns {
				t.Fatalf("hex %s = %d, %v; want %d", v.V151.Hex, hx, err, ns)
			}
			got, ok := d.UnixNano()
			if !ok || uint64(got) != ns {
				t.Fatalf("UnixNano = %d, %v; want %d", got, ok, ns)
			}
			if back := DateTimeFromUnixNano(ns); back != d {
				t.Fatalf("DateTimeFromUnixNano(%d) = %+v; want %+v", ns, back, d)
			}
			if ts := TimestampFromUnixNano(ns); ts != v.TimestampUS {
				t.Fatalf("timestamp = %d; want %d", ts, v.TimestampUS)
			}
			// The v15.1 host frame (year 0xFFFF, month 0xFF, head 0x0100).
			if v.V151.Year != 0xFFFF || v.V151.Month != 0xFF || v.V151.Head != "0x0100" {
				t.Fatalf("unexpected v15.1 marker %+v", v.V151)
			}
			e := Event{Head: HeadFrameUnixNS | 0x60}
			e.SetUnixNano(ns)
			if e.Head != 0x60 || e.DateTime != d || e.Timestamp != v.TimestampUS {
				t.Fatalf("SetUnixNano: %+v", e)
			}
		})
	}
}
