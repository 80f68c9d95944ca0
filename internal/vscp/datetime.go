package vscp

import (
	"fmt"
	"strconv"
	"time"
)

// DateTime is the UTC date and time of an event. The zero value (year
// through second all zero) is "unset". Values that came from the host are
// kept verbatim even when they are not a valid calendar instant, so the
// fields are plain integers rather than a time.Time.
type DateTime struct {
	Year                             uint16
	Month, Day, Hour, Minute, Second uint8
	Nano                             uint32
}

// Bounds of the instants that a UNIX_NS frame carries (docs/c-api.md, "The
// two event layouts"): [1970-01-01, 2262-04-11), where an int64 nanosecond
// count since 1970 fits.
const (
	minYear   = 1970
	maxYear   = 9999
	limitYear = 2262
	limitMon  = 4
	limitDay  = 11
)

// IsUnset reports whether year through second are all zero; nano is ignored.
func (d DateTime) IsUnset() bool {
	return d.Year == 0 && d.Month == 0 && d.Day == 0 && d.Hour == 0 && d.Minute == 0 && d.Second == 0
}

// DateTimeOf returns the UTC fields and nanoseconds of t.
func DateTimeOf(t time.Time) DateTime {
	u := t.UTC()
	y, m, d := u.Date()
	hh, mm, ss := u.Clock()
	return DateTime{
		Year: uint16(y), Month: uint8(m), Day: uint8(d),
		Hour: uint8(hh), Minute: uint8(mm), Second: uint8(ss),
		Nano: uint32(u.Nanosecond()),
	}
}

// DateTimeFromUnixNano returns the UTC fields of ns nanoseconds after the
// epoch. 0 means "no time" in the UNIX_NS frame and yields the unset value.
func DateTimeFromUnixNano(ns uint64) DateTime {
	if ns == 0 {
		return DateTime{}
	}
	// ns may exceed MaxInt64, so split before handing it to time.Unix.
	return DateTimeOf(time.Unix(int64(ns/1e9), int64(ns%1e9)))
}

// isLeap reports whether y is a Gregorian leap year.
func isLeap(y int) bool {
	return y%4 == 0 && (y%100 != 0 || y%400 == 0)
}

// daysIn returns the number of days of month m (1–12) in year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// validCalendar reports whether the fields name a real instant (no leap
// seconds). The year is not range-checked here.
func (d DateTime) validCalendar() bool {
	return d.Month >= 1 && d.Month <= 12 &&
		d.Day >= 1 && int(d.Day) <= daysIn(int(d.Year), int(d.Month)) &&
		d.Hour <= 23 && d.Minute <= 59 && d.Second <= 59 && d.Nano < 1e9
}

// UnixNano returns the nanoseconds since the epoch. ok is false when the
// fields are not a valid calendar instant in [1970-01-01T00:00:00Z,
// 2262-04-11T00:00:00Z), the range a v15.1 UNIX_NS frame can carry; the
// host ABI then falls back to date fields.
func (d DateTime) UnixNano() (int64, bool) {
	if !d.validCalendar() || d.Year < minYear {
		return 0, false
	}
	// Compare before converting: time.Time.UnixNano is undefined past 2262.
	if d.Year > limitYear ||
		d.Year == limitYear && (d.Month > limitMon || d.Month == limitMon && d.Day >= limitDay) {
		return 0, false
	}
	t := time.Date(int(d.Year), time.Month(d.Month), int(d.Day),
		int(d.Hour), int(d.Minute), int(d.Second), int(d.Nano), time.UTC)
	return t.UnixNano(), true
}

// String returns the text of AppendText.
func (d DateTime) String() string {
	var buf [20]byte
	return string(d.AppendText(buf[:0]))
}

// AppendText appends the ws1 event form YYYY-MM-DDTHH:MM:SSZ (never a
// fraction) and nothing when the datetime is unset. Out-of-range host values
// are printed as the numbers they are (month 255 prints "255"), like
// upstream.
func (d DateTime) AppendText(dst []byte) []byte {
	if d.IsUnset() {
		return dst
	}
	dst = appendPadded(dst, uint64(d.Year), 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, uint64(d.Month), 2)
	dst = append(dst, '-')
	dst = appendPadded(dst, uint64(d.Day), 2)
	dst = append(dst, 'T')
	dst = appendPadded(dst, uint64(d.Hour), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, uint64(d.Minute), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, uint64(d.Second), 2)
	return append(dst, 'Z')
}

// appendPadded appends v in decimal, zero-padded to at least width digits
// (printf "%0*d" without fmt).
func appendPadded(dst []byte, v uint64, width int) []byte {
	n := 1
	for p := v; p >= 10; p /= 10 {
		n++
	}
	for ; n < width; n++ {
		dst = append(dst, '0')
	}
	return strconv.AppendUint(dst, v, 10)
}

// ParseDateTime parses s (trimmed) in the datetime grammar:
//
//	YYYY-MM-DD("T"|"t"|" ")hh:mm:ss["." 1–9 digits]["Z"|"z"|("+"|"-")hh:mm]
//
// No zone means UTC; an offset is converted to UTC, and the result must
// still lie in years 1970–9999. The fraction becomes Nano, right-padded to 9
// digits. The words "" and "0" ("now") are field rules, left to callers.
func ParseDateTime(s string) (DateTime, error) {
	t := trim(s)
	fail := func(why string) (DateTime, error) {
		return DateTime{}, fmt.Errorf("invalid datetime %s: %s", quote(t), why)
	}
	const baseLen = len("YYYY-MM-DDThh:mm:ss")
	if len(t) < baseLen {
		return fail("too short for YYYY-MM-DDThh:mm:ss")
	}
	num := func(from, n int) (int, bool) {
		v := 0
		for i := from; i < from+n; i++ {
			c := t[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	second, ok6 := num(17, 2)
	sep := t[10]
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || t[4] != '-' || t[7] != '-' ||
		(sep != 'T' && sep != 't' && sep != ' ') || t[13] != ':' || t[16] != ':' {
		return fail("not of the form YYYY-MM-DDThh:mm:ss")
	}
	switch {
	case year < minYear || year > maxYear:
		return fail("year outside 1970–9999")
	case month < 1 || month > 12:
		return fail("month outside 1–12")
	case day < 1 || day > daysIn(year, month):
		return fail(fmt.Sprintf("day %d does not exist in %04d-%02d", day, year, month))
	case hour > 23:
		return fail("hour outside 0–23")
	case minute > 59:
		return fail("minute outside 0–59")
	case second > 59:
		return fail("second outside 0–59")
	}

	rest := t[baseLen:]
	nano := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		digits := n - 1
		switch {
		case digits == 0:
			return fail("no digits after '.'")
		case digits > 9:
			return fail("fraction longer than 9 digits")
		}
		for i := 1; i < n; i++ {
			nano = nano*10 + int(rest[i]-'0')
		}
		for range 9 - digits {
			nano *= 10
		}
		rest = rest[n:]
	}

	offset := 0 // seconds east of UTC
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := digits2(rest[1], rest[2])
		om, okm := digits2(rest[4], rest[5])
		if !okh || !okm {
			return fail("offset is not ±hh:mm")
		}
		if oh > 23 || om > 59 {
			return fail("offset outside ±23:59")
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return fail(fmt.Sprintf("unexpected %s after the time", quote(rest)))
	}

	d := DateTime{
		Year: uint16(year), Month: uint8(month), Day: uint8(day),
		Hour: uint8(hour), Minute: uint8(minute), Second: uint8(second),
		Nano: uint32(nano),
	}
	if offset == 0 {
		return d, nil
	}
	u := time.Date(year, time.Month(month), day, hour, minute, second, nano, time.UTC).
		Add(-time.Duration(offset) * time.Second)
	if u.Year() < minYear || u.Year() > maxYear {
		return fail("the UTC instant lies outside years 1970–9999")
	}
	return DateTimeOf(u), nil
}

// digits2 decodes two decimal digits.
func digits2(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}
