package vscp

// MaxData is the largest number of data bytes an event may carry.
const MaxData = 512

// Frame-version bits of head (bits 8–9). The value HeadFrameUnixNS marks a
// vscpd 15.1 frame whose time is carried as nanoseconds since the epoch
// (timestamp_ns) instead of date fields; decoders clear it, while the
// reserved values 0x0200 and 0x0300 pass through unchanged.
const (
	HeadFrameMask   uint16 = 0x0300
	HeadFrameUnixNS uint16 = 0x0100
)

// Event is the driver's single internal event representation. The zero value
// is a valid event with an unset datetime and no data.
type Event struct {
	Head      uint16
	OBID      uint32
	DateTime  DateTime
	Timestamp uint32 // microseconds, relative, wraps
	Class     uint16
	Type      uint16
	GUID      GUID
	Data      []byte // at most MaxData bytes
	Note      string // JSON/MQTT only; never crosses the host ABI
}

// Priority returns the 3-bit priority in head: 0 is highest, 7 lowest.
func (e *Event) Priority() uint8 {
	return uint8(e.Head>>5) & 7
}

// Clone returns a deep copy, so that an event fanned out to several sessions
// can be modified per recipient without aliasing its data.
func (e *Event) Clone() *Event {
	c := *e
	if e.Data != nil {
		c.Data = append(make([]byte, 0, len(e.Data)), e.Data...)
	}
	return &c
}

// String returns the ws1 string form (AppendEventString), for logs.
func (e *Event) String() string {
	return string(AppendEventString(make([]byte, 0, 128), e))
}

// TimestampFromUnixNano derives the relative microsecond timestamp that an
// absolute nanosecond time stands for: (ns / 1000) mod 2^32.
func TimestampFromUnixNano(ns uint64) uint32 {
	return uint32(ns / 1000)
}

// SetUnixNano applies the time of a v15.1 UNIX_NS frame: the frame bits of
// head are cleared, the datetime becomes the UTC instant ns (unset when ns is
// 0) and the timestamp becomes (ns / 1000) mod 2^32.
func (e *Event) SetUnixNano(ns uint64) {
	e.Head &^= HeadFrameMask
	e.DateTime = DateTimeFromUnixNano(ns)
	e.Timestamp = TimestampFromUnixNano(ns)
}
