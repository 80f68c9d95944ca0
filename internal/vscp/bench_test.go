package vscp

import (
	"testing"
)

func benchEvent() Event {
	e := e1()
	e.Data = []byte{1, 2, 3, 4, 5, 6, 7, 8}
	e.Note = "kitchen <temp> & \"humidity\""
	return e
}

func BenchmarkAppendEventString(b *testing.B) {
	e := benchEvent()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEventString(buf[:0], &e)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendEventJSON(b *testing.B) {
	e := benchEvent()
	for f := JSONBoth; f <= JSONShort; f++ {
		b.Run(f.String(), func(b *testing.B) {
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendEventJSON(buf[:0], &e, f)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	f := mustFilter(b, "3,10,6,FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01", "7,0xFFFF,0xFFFF,::")
	pass := Event{Head: 0x60, Class: 10, Type: 6, GUID: mustGUID(b, "FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01")}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if f.Match(&pass) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("filter did not match")
	}
}

func BenchmarkParseEventString(b *testing.B) {
	const s = "0x60,10,6,7,2024-03-04T05:06:07Z,1234,FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01,0x10,17,0b11"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEventString(s, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEventJSON(b *testing.B) {
	in := []byte(`{"vscpHead":96,"vscpObId":1,"vscpDateTime":"2017-01-13T10:16:02Z","vscpTimeStamp":50817,"vscpClass":10,"vscpType":8,"vscpGuid":"00:00:00:00:00:00:00:00:00:00:00:00:00:01:00:02","vscpData":[1,2,3]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEventJSON(in, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseGUID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseGUID("FF:FF:FF:FF:FF:FF:FF:F5:00:00:00:00:00:00:00:01"); err != nil {
			b.Fatal(err)
		}
	}
}
