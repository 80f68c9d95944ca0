package vscp

import (
	"testing"
)

func TestPriority(t *testing.T) {
	tests := []struct {
		head uint16
		want uint8
	}{
		{0x0000, 0}, {0x0020, 1}, {0x0060, 3}, {0x00E0, 7}, {0x001F, 0}, {0xFFFF, 7}, {0x0340, 2},
	}
	for _, tc := range tests {
		e := Event{Head: tc.head}
		if got := e.Priority(); got != tc.want {
			t.Errorf("Priority(head %#04x) = %d; want %d", tc.head, got, tc.want)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	orig := e1()
	orig.Note = "n"
	c := orig.Clone()
	if d := sameEvent(c, &orig); d != "" {
		t.Fatalf("clone differs: %s", d)
	}
	c.Data[0] = 0xEE
	c.GUID[0] = 0xEE
	c.Head = 1
	if orig.Data[0] != 0x11 || orig.GUID[0] != 0 || orig.Head != 96 {
		t.Fatalf("modifying the clone changed the original: %+v", orig)
	}
	if (&Event{}).Clone().Data != nil {
		t.Fatal("clone of nil data must stay nil")
	}
	if d := (&Event{Data: []byte{}}).Clone().Data; d == nil || len(d) != 0 {
		t.Fatalf("clone of empty data = %#v", d)
	}
}

func TestSetUnixNano(t *testing.T) {
	tests := []struct {
		name string
		head uint16
		ns   uint64
		want Event
	}{
		{"UNIX_NS host frame", 0x0160, 0x17B9775B31B48315, Event{Head: 0x60, DateTime: dt(2024, 3, 4, 5, 6, 7, 123456789), Timestamp: 2934296576}},
		{"zero ns is unset, timestamp 0", 0x0100, 0, Event{}},
		{"K18 value", 0x0100, 1700000000000000000, Event{DateTime: dt(2023, 11, 14, 22, 13, 20, 0), Timestamp: 404635648}},
		{"reserved bits cleared too", 0x03E0, 1000, Event{Head: 0xE0, DateTime: dt(1970, 1, 1, 0, 0, 0, 1000), Timestamp: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Event{Head: tc.head, Timestamp: 99, DateTime: dt(2000, 1, 1, 0, 0, 0, 0)}
			e.SetUnixNano(tc.ns)
			if d := sameEvent(&e, &tc.want); d != "" {
				t.Fatal(d)
			}
		})
	}
}

func TestEventString(t *testing.T) {
	e := e1()
	if got, want := e.String(), "96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33"; got != want {
		t.Fatalf("String() = %q; want %q", got, want)
	}
}
