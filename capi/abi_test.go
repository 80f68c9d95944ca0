package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

var testGUID = [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// Write direction: layout → internal.
func TestWriteMapping(t *testing.T) {
	dt := vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7}
	tests := []struct {
		name string
		abi  config.ABI
		raw  rawEvent
		want vscp.Event
	}{
		{"v15.0 copies head and date fields verbatim", config.ABIv150,
			rawEvent{Head: 0x0360, OBID: 9, Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Timestamp: 1234, Class: 10, Type: 6, GUID: testGUID},
			vscp.Event{Head: 0x0360, OBID: 9, DateTime: dt, Timestamp: 1234, Class: 10, Type: 6, GUID: testGUID}},
		{"v15.0 keeps out-of-range host dates as they are", config.ABIv150,
			rawEvent{Year: 9999, Month: 13, Day: 40, Hour: 25, Minute: 61, Second: 99},
			vscp.Event{DateTime: vscp.DateTime{Year: 9999, Month: 13, Day: 40, Hour: 25, Minute: 61, Second: 99}}},
		{"v15.0 all-zero date stays unset", config.ABIv150,
			rawEvent{Class: 10},
			vscp.Event{Class: 10}},
		{"v15.1 original frame reads day..second and timestamp", config.ABIv151,
			rawEvent{Head: 0x0060, Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Timestamp: 77, TimestampNS: 0xDEAD},
			vscp.Event{Head: 0x0060, DateTime: dt, Timestamp: 77}},
		{"v15.1 reserved frame bits 0x0200 pass through", config.ABIv151,
			rawEvent{Head: 0x0260, Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7},
			vscp.Event{Head: 0x0260, DateTime: dt}},
		{"v15.1 UNIX_NS frame by head bits", config.ABIv151,
			rawEvent{Head: 0x0160, TimestampNS: 1709528767000000000, Timestamp: 5},
			vscp.Event{Head: 0x0060, DateTime: dt, Timestamp: 2934173120}},
		{"v15.1 UNIX_NS frame recognised by year 0xFFFF and month 0xFF", config.ABIv151,
			rawEvent{Head: 0x0060, Year: 0xFFFF, Month: 0xFF, TimestampNS: 1709528767000000000},
			vscp.Event{Head: 0x0060, DateTime: dt, Timestamp: 2934173120}},
		{"v15.1 UNIX_NS with timestamp_ns 0 is unset", config.ABIv151,
			rawEvent{Head: 0x0100, Year: 0xFFFF, Month: 0xFF},
			vscp.Event{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.raw.toEvent(tc.abi)
			if got.Head != tc.want.Head || got.OBID != tc.want.OBID || got.DateTime != tc.want.DateTime ||
				got.Timestamp != tc.want.Timestamp || got.Class != tc.want.Class || got.Type != tc.want.Type ||
				got.GUID != tc.want.GUID || got.Note != "" {
				t.Fatalf("got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

// Read direction: internal → layout.
func TestReadMapping(t *testing.T) {
	now := time.Date(2026, 11, 22, 1, 2, 3, 456, time.UTC)
	dt := vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Nano: 9}
	tests := []struct {
		name string
		abi  config.ABI
		ev   vscp.Event
		want rawEvent
	}{
		{"v15.0 writes the date fields and drops nano", config.ABIv150,
			vscp.Event{Head: 0x60, OBID: 3, DateTime: dt, Timestamp: 11, Class: 10, Type: 6},
			rawEvent{Head: 0x60, OBID: 3, Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7, Timestamp: 11, Class: 10, Type: 6}},
		{"v15.0 unset date is all zero", config.ABIv150,
			vscp.Event{Class: 10},
			rawEvent{Class: 10}},
		{"v15.1 writes a UNIX_NS frame", config.ABIv151,
			vscp.Event{Head: 0x60, DateTime: dt, Timestamp: 11},
			rawEvent{Head: 0x160, Year: 0xFFFF, Month: 0xFF, TimestampNS: 1709528767000000009, UnixNS: true}},
		{"v15.1 clears reserved frame bits before marking UNIX_NS", config.ABIv151,
			vscp.Event{Head: 0x360, DateTime: dt},
			rawEvent{Head: 0x160, Year: 0xFFFF, Month: 0xFF, TimestampNS: 1709528767000000009, UnixNS: true}},
		{"v15.1 unset date becomes the current time", config.ABIv151,
			vscp.Event{},
			rawEvent{Head: 0x100, Year: 0xFFFF, Month: 0xFF, TimestampNS: uint64(now.UnixNano()), UnixNS: true}},
		{"v15.1 date before 1970 falls back to an original frame", config.ABIv151,
			vscp.Event{Head: 0x160, DateTime: vscp.DateTime{Year: 1969, Month: 12, Day: 31, Hour: 23}, Timestamp: 5},
			rawEvent{Head: 0x060, Year: 1969, Month: 12, Day: 31, Hour: 23, Timestamp: 5}},
		{"v15.1 date at 2262-04-11 falls back to an original frame", config.ABIv151,
			vscp.Event{DateTime: vscp.DateTime{Year: 2262, Month: 4, Day: 11}},
			rawEvent{Year: 2262, Month: 4, Day: 11}},
		{"v15.1 invalid calendar date falls back to an original frame", config.ABIv151,
			vscp.Event{DateTime: vscp.DateTime{Year: 2024, Month: 2, Day: 30}, Timestamp: 8},
			rawEvent{Year: 2024, Month: 2, Day: 30, Timestamp: 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fromEvent(&tc.ev, tc.abi, now)
			got.Data, tc.want.Data = nil, nil
			if got.Head != tc.want.Head || got.OBID != tc.want.OBID || got.Year != tc.want.Year ||
				got.Month != tc.want.Month || got.Day != tc.want.Day || got.Hour != tc.want.Hour ||
				got.Minute != tc.want.Minute || got.Second != tc.want.Second || got.Timestamp != tc.want.Timestamp ||
				got.TimestampNS != tc.want.TimestampNS || got.UnixNS != tc.want.UnixNS ||
				got.Class != tc.want.Class || got.Type != tc.want.Type {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// testdata/vectors.json "time": the datetime ↔ timestamp_ns known answers, in both
// directions, plus the µs timestamp derived on VSCPWrite.
func TestTimeVectors(t *testing.T) {
	var v struct {
		Time []struct {
			Datetime string `json:"datetime"`
			V151     struct {
				TimestampNS string `json:"timestamp_ns"`
			} `json:"v15_1"`
			V150 struct {
				Year, Month, Day, Hour, Minute, Second int
			} `json:"v15_0"`
			TimestampUS uint32 `json:"timestamp_us_from_ns"`
		} `json:"time"`
	}
	loadVectors(t, &v)
	if len(v.Time) == 0 {
		t.Fatal("no time vectors")
	}
	for _, tv := range v.Time {
		t.Run(tv.Datetime, func(t *testing.T) {
			ns, err := strconv.ParseUint(tv.V151.TimestampNS, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			dt, err := vscp.ParseDateTime(tv.Datetime)
			if err != nil {
				t.Fatal(err)
			}
			r := fromEvent(&vscp.Event{DateTime: dt}, config.ABIv151, time.Now())
			if !r.UnixNS || r.TimestampNS != ns || r.Year != 0xFFFF || r.Month != 0xFF || r.Head&0x0300 != 0x0100 {
				t.Fatalf("v15.1 read: %+v, want timestamp_ns %d", r, ns)
			}
			r0 := fromEvent(&vscp.Event{DateTime: dt}, config.ABIv150, time.Now())
			if int(r0.Year) != tv.V150.Year || int(r0.Month) != tv.V150.Month || int(r0.Day) != tv.V150.Day ||
				int(r0.Hour) != tv.V150.Hour || int(r0.Minute) != tv.V150.Minute || int(r0.Second) != tv.V150.Second {
				t.Fatalf("v15.0 read: %+v, want %+v", r0, tv.V150)
			}
			ev := (&rawEvent{Head: 0x0100, Year: 0xFFFF, Month: 0xFF, TimestampNS: ns}).toEvent(config.ABIv151)
			if ev.DateTime != dt || ev.Timestamp != tv.TimestampUS {
				t.Fatalf("v15.1 write: %+v / %d, want %+v / %d", ev.DateTime, ev.Timestamp, dt, tv.TimestampUS)
			}
		})
	}
}

func loadVectors(t *testing.T, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatalf("known-answer vectors: %v", err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}
