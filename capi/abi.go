package main

import (
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

const (
	maxData     = vscp.MaxData
	frameMask   = 0x0300
	frameUnixNS = 0x0100
	unixNSYear  = 0xFFFF
	unixNSMonth = 0xFF
	nsPerMicro  = 1000
)

// rawEvent is every field of both C layouts, as plain Go values. The
// layout mapping (docs/c-api.md, "The two event layouts") works on it, so
// it is tested without C.
type rawEvent struct {
	Head                             uint16
	OBID                             uint32
	Year                             uint16
	Month, Day, Hour, Minute, Second uint8
	Timestamp                        uint32
	TimestampNS                      uint64
	Class, Type                      uint16
	GUID                             [16]byte
	SizeData                         uint16
	Data                             []byte
	UnixNS                           bool // v15.1 output: write timestamp_ns
	hasData                          bool // pdata was non-NULL
}

// looksLikeV151 is the wrong-ABI diagnostic: a v15.0 instance fed a
// UNIX_NS frame by a v15.1 host sees these values at offsets 8/10.
func (r *rawEvent) looksLikeV151() bool {
	return r.Year == unixNSYear && r.Month == unixNSMonth
}

// toEvent maps a host layout to an event (Write): a v15.1 UNIX_NS frame,
// recognised by the head bits or the 0xFFFF/0xFF marker, gives its date
// from timestamp_ns.
func (r *rawEvent) toEvent(abi config.ABI) *vscp.Event {
	ev := &vscp.Event{
		Head: r.Head, OBID: r.OBID, Timestamp: r.Timestamp,
		Class: r.Class, Type: r.Type, GUID: vscp.GUID(r.GUID), Data: r.Data,
	}
	if abi == config.ABIv151 && (r.Head&frameMask == frameUnixNS || r.looksLikeV151()) {
		ev.Head = r.Head &^ frameMask
		ev.DateTime = vscp.DateTimeFromUnixNano(r.TimestampNS)
		ev.Timestamp = uint32(r.TimestampNS / nsPerMicro)
		return ev
	}
	ev.DateTime = vscp.DateTime{Year: r.Year, Month: r.Month, Day: r.Day, Hour: r.Hour, Minute: r.Minute, Second: r.Second}
	return ev
}

// fromEvent maps an event to a host layout (Read). v15.1 gets a UNIX_NS
// frame unless the date does not fit nanoseconds since 1970; now is used
// for an unset datetime there.
func fromEvent(ev *vscp.Event, abi config.ABI, now time.Time) rawEvent {
	r := rawEvent{
		Head: ev.Head, OBID: ev.OBID, Timestamp: ev.Timestamp,
		Class: ev.Class, Type: ev.Type, GUID: [16]byte(ev.GUID), Data: ev.Data,
	}
	dt := ev.DateTime
	if abi == config.ABIv151 {
		var ns int64
		ok := true
		if dt.IsUnset() {
			ns = now.UnixNano()
		} else {
			ns, ok = dt.UnixNano()
		}
		if ok {
			r.UnixNS = true
			r.Head = (ev.Head &^ frameMask) | frameUnixNS
			r.Year, r.Month = unixNSYear, unixNSMonth
			r.TimestampNS = uint64(ns)
			r.Timestamp = 0 // overlaid by timestamp_ns
			return r
		}
		// Not representable as ns since 1970: an original frame.
		r.Head = ev.Head &^ frameMask
	}
	if !dt.IsUnset() {
		r.Year, r.Month, r.Day = dt.Year, dt.Month, dt.Day
		r.Hour, r.Minute, r.Second = dt.Hour, dt.Minute, dt.Second
	}
	return r
}
