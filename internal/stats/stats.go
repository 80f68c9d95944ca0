// Package stats holds the per-instance event and session counters shown in
// the status document: unsigned 64-bit, monotonic since open, updated and
// read atomically.
package stats

import "sync/atomic"

// Counter names one counter.
type Counter int

// The counters, in the order the status document lists them.
const (
	SessionsAccepted Counter = iota
	SessionsRejectedMaxClients
	SessionsRejectedRemote
	SessionsClosed
	AuthOK
	AuthFailed
	AuthClosed
	AuthTimeouts
	AuthThrottled
	BinaryIgnored
	ClientEventsReceived
	ClientEventsAccepted
	ClientEventsRejectedAuth
	ClientEventsRejectedRights
	ClientEventsRejectedSyntax
	ClientEventsRejectedFull
	PriorityClamped
	InFiltered
	HostEventsRead
	HostEventsWritten
	HostWriteFull
	OutFiltered
	OutUnrouted
	EventsForwarded
	EventsDelivered
	SessionDroppedOverflow
	SessionFiltered
	SessionCleared
	SessionDiscarded
	MQTTConnects
	MQTTDisconnects
	MQTTPublished
	MQTTPublishDropped
	MQTTPublishErrors
	MQTTReceived
	MQTTDecodeErrors
	MQTTLoopSuppressed
	MQTTOutQueueFull
	numCounters
)

var names = [numCounters]string{
	"sessions_accepted",
	"sessions_rejected_max_clients",
	"sessions_rejected_remote",
	"sessions_closed",
	"auth_ok",
	"auth_failed",
	"auth_closed",
	"auth_timeouts",
	"auth_throttled",
	"binary_ignored",
	"client_events_received",
	"client_events_accepted",
	"client_events_rejected_auth",
	"client_events_rejected_rights",
	"client_events_rejected_syntax",
	"client_events_rejected_full",
	"priority_clamped",
	"in_filtered",
	"host_events_read",
	"host_events_written",
	"host_write_full",
	"out_filtered",
	"out_unrouted",
	"events_forwarded",
	"events_delivered",
	"session_dropped_overflow",
	"session_filtered",
	"session_cleared",
	"session_discarded",
	"mqtt_connects",
	"mqtt_disconnects",
	"mqtt_published",
	"mqtt_publish_dropped",
	"mqtt_publish_errors",
	"mqtt_received",
	"mqtt_decode_errors",
	"mqtt_loop_suppressed",
	"mqtt_out_queue_full",
}

// String is the counter's name in the status document.
func (c Counter) String() string {
	if c < 0 || c >= numCounters {
		return "unknown"
	}
	return names[c]
}

// slot pads each counter to its own cache line: the delivery counters are
// bumped by every session writer at once, and sharing a line would make
// them contend.
type slot struct {
	v atomic.Uint64
	_ [56]byte
}

// Counters is one instance's set of counters. The zero value is ready.
type Counters struct {
	c [numCounters]slot
}

// Inc adds one to c.
func (s *Counters) Inc(c Counter) { s.c[c].v.Add(1) }

// Add adds n to c.
func (s *Counters) Add(c Counter, n uint64) { s.c[c].v.Add(n) }

// Get reads c.
func (s *Counters) Get(c Counter) uint64 { return s.c[c].v.Load() }

// Value is one named counter reading.
type Value struct {
	Name  string
	Value uint64
}

// Snapshot reads every counter, in document order.
func (s *Counters) Snapshot() []Value {
	out := make([]Value, numCounters)
	for i := range out {
		out[i] = Value{Name: names[i], Value: s.c[i].v.Load()}
	}
	return out
}
