package vscp

import (
	"bytes"
	"fmt"
	"time"
)

// testNow is the clock reading handed to the parsers; it is far from every
// datetime in the inputs so a "now" fill is unmistakable.
var testNow = time.Date(2031, 7, 8, 9, 10, 11, 121314151, time.UTC)

var nowDT = DateTimeOf(testNow)

// seqGUID is 00:01:02:...:0F.
var seqGUID = GUID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// e1 is the known-answer event E1, with every field set.
func e1() Event {
	return Event{
		Head: 96, OBID: 5, DateTime: dt(2024, 3, 4, 5, 6, 7, 0), Timestamp: 1234,
		Class: 10, Type: 6, GUID: seqGUID, Data: []byte{0x11, 0x22, 0x33},
	}
}

// sameEvent compares events field by field, treating nil and empty data as
// equal; it returns a description of the first difference.
func sameEvent(got, want *Event) string {
	switch {
	case got.Head != want.Head:
		return fmt.Sprintf("head %#x, want %#x", got.Head, want.Head)
	case got.OBID != want.OBID:
		return fmt.Sprintf("obid %d, want %d", got.OBID, want.OBID)
	case got.DateTime != want.DateTime:
		return fmt.Sprintf("datetime %+v, want %+v", got.DateTime, want.DateTime)
	case got.Timestamp != want.Timestamp:
		return fmt.Sprintf("timestamp %d, want %d", got.Timestamp, want.Timestamp)
	case got.Class != want.Class:
		return fmt.Sprintf("class %d, want %d", got.Class, want.Class)
	case got.Type != want.Type:
		return fmt.Sprintf("type %d, want %d", got.Type, want.Type)
	case got.GUID != want.GUID:
		return fmt.Sprintf("GUID %v, want %v", got.GUID, want.GUID)
	case !bytes.Equal(got.Data, want.Data):
		return fmt.Sprintf("data % X, want % X", got.Data, want.Data)
	case got.Note != want.Note:
		return fmt.Sprintf("note %q, want %q", got.Note, want.Note)
	}
	return ""
}
