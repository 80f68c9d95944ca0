package vscp

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// randomEvent returns an event in the canonical domain of the codecs: a
// valid datetime without fraction (or unset), head frame bits other than 01,
// and a note only when withNote is set (the string form has none).
func randomEvent(r *rand.Rand, withNote bool) Event {
	e := Event{
		Head:      uint16(r.Uint32()),
		OBID:      r.Uint32(),
		Timestamp: r.Uint32(),
		Class:     uint16(r.Uint32()),
		Type:      uint16(r.Uint32()),
	}
	if e.Head&HeadFrameMask == HeadFrameUnixNS {
		e.Head ^= HeadFrameMask // 01 → 10: the UNIX_NS bits do not survive decoding by design
	}
	if r.IntN(8) != 0 {
		y := 1970 + r.IntN(maxYear-minYear+1)
		m := 1 + r.IntN(12)
		e.DateTime = dt(y, m, 1+r.IntN(daysIn(y, m)), r.IntN(24), r.IntN(60), r.IntN(60), 0)
	}
	for i := range e.GUID {
		if r.IntN(3) != 0 {
			e.GUID[i] = byte(r.Uint32())
		}
	}
	n := r.IntN(16)
	if r.IntN(10) == 0 {
		n = r.IntN(MaxData + 1)
	}
	if n > 0 {
		e.Data = make([]byte, n)
		for i := range e.Data {
			e.Data[i] = byte(r.Uint32())
		}
	}
	if withNote {
		var b strings.Builder
		alphabet := []rune{'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\x00', '\x1f', '<', '>', '&', 'é', '世', '😀', '\u2028', '\u2029', '\x7f'}
		for range r.IntN(20) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		e.Note = b.String()
	}
	return e
}

func TestRoundTripString(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for i := range 5000 {
		e := randomEvent(r, false)
		buf = AppendEventString(buf[:0], &e)
		got, err := ParseEventString(string(buf), testNow)
		if err != nil {
			t.Fatalf("event %d: ParseEventString(%q): %v", i, buf, err)
		}
		want := e
		if want.DateTime.IsUnset() {
			want.DateTime = nowDT
		}
		if d := sameEvent(&got, &want); d != "" {
			t.Fatalf("event %d: %q: %s", i, buf, d)
		}
	}
}

func TestRoundTripJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var buf []byte
	for i := range 5000 {
		e := randomEvent(r, true)
		want := e
		if want.DateTime.IsUnset() {
			want.DateTime = nowDT
		}
		for f := JSONBoth; f <= JSONShort; f++ {
			buf = AppendEventJSON(buf[:0], &e, f)
			got, err := DecodeEventJSON(buf, testNow)
			if err != nil {
				t.Fatalf("event %d format %v: DecodeEventJSON(%s): %v", i, f, buf, err)
			}
			if d := sameEvent(&got, &want); d != "" {
				t.Fatalf("event %d format %v: %s: %s", i, f, buf, d)
			}
		}
	}
}

func TestRoundTripFilterText(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 2000 {
		var f Filter
		f.FilterPriority, f.MaskPriority = uint8(r.Uint32()), uint8(r.Uint32())
		f.FilterClass, f.MaskClass = uint16(r.Uint32()), uint16(r.Uint32())
		f.FilterType, f.MaskType = uint16(r.Uint32()), uint16(r.Uint32())
		for j := range 16 {
			f.FilterGUID[j], f.MaskGUID[j] = byte(r.Uint32()), byte(r.Uint32())
		}
		got, err := ParseFilter(f.FilterText(), f.MaskText())
		if err != nil || got != f {
			t.Fatalf("filter %d: %q %q → %+v, %v", i, f.FilterText(), f.MaskText(), got, err)
		}
	}
}

// TestMatchAgainstDefinition compares Match with a literal transcription of
// the mask rule on random filters and events.
func TestMatchAgainstDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pick := func() byte { // biased towards values that make matches likely
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return 0xFF
		}
		return byte(r.Uint32())
	}
	mask := func() byte { // mostly "don't care", so that some events pass
		if r.IntN(4) != 0 {
			return 0
		}
		return pick()
	}
	near := func(v byte) byte { // the filter value, or something else
		if r.IntN(4) != 0 {
			return v
		}
		return pick()
	}
	passes, fails := 0, 0
	for i := range 20000 {
		var f Filter
		f.FilterPriority, f.MaskPriority = pick()&7, mask()
		f.FilterClass, f.MaskClass = uint16(pick())<<8|uint16(pick()), uint16(mask())<<8|uint16(mask())
		f.FilterType, f.MaskType = uint16(pick()), uint16(mask())
		var e Event
		e.Head = uint16(r.Uint32())&^0x00E0 | uint16(near(f.FilterPriority)&7)<<5
		e.Class = uint16(near(byte(f.FilterClass>>8)))<<8 | uint16(near(byte(f.FilterClass)))
		e.Type = uint16(near(byte(f.FilterType)))
		for j := range 16 {
			f.FilterGUID[j], f.MaskGUID[j] = pick(), mask()
			e.GUID[j] = near(f.FilterGUID[j])
		}
		want := ((uint8((e.Head>>5)&7))^f.FilterPriority)&f.MaskPriority == 0 &&
			(e.Class^f.FilterClass)&f.MaskClass == 0 &&
			(e.Type^f.FilterType)&f.MaskType == 0
		for j := range 16 {
			want = want && (e.GUID[j]^f.FilterGUID[j])&f.MaskGUID[j] == 0
		}
		if got := f.Match(&e); got != want {
			t.Fatalf("case %d: Match = %v; definition %v (filter %+v event %+v)", i, got, want, f, e)
		}
		if want {
			passes++
		} else {
			fails++
		}
	}
	if passes < 100 || fails < 100 {
		t.Fatalf("generator is lopsided: %d passes, %d fails", passes, fails)
	}
}
