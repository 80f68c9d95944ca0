package stats

import (
	"sync"
	"testing"
)

// specNames are the required counter names, written out independently of
// the package; the status document must contain every one of them.
var specNames = []string{
	"sessions_accepted", "sessions_rejected_max_clients", "sessions_rejected_remote", "sessions_closed",
	"auth_ok", "auth_failed", "auth_closed", "auth_timeouts", "auth_throttled", "binary_ignored",
	"client_events_received", "client_events_accepted", "client_events_rejected_auth",
	"client_events_rejected_rights", "client_events_rejected_syntax", "client_events_rejected_full",
	"priority_clamped", "in_filtered", "host_events_read", "host_events_written", "host_write_full",
	"out_filtered", "out_unrouted", "events_forwarded", "events_delivered", "session_dropped_overflow",
	"session_filtered", "session_cleared", "session_discarded", "mqtt_connects", "mqtt_disconnects",
	"mqtt_published", "mqtt_publish_dropped", "mqtt_publish_errors", "mqtt_received",
	"mqtt_decode_errors", "mqtt_loop_suppressed", "mqtt_out_queue_full",
}

func TestSnapshotHasEverySpecCounterOnce(t *testing.T) {
	var c Counters
	snap := c.Snapshot()
	if len(snap) != len(specNames) {
		t.Fatalf("snapshot has %d counters, want %d", len(snap), len(specNames))
	}
	for i, want := range specNames {
		if snap[i].Name != want {
			t.Fatalf("counter %d is %q, want %q", i, snap[i].Name, want)
		}
	}
}

func TestCountersAreAtomic(t *testing.T) {
	var c Counters
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				c.Inc(EventsDelivered)
				c.Add(HostEventsWritten, 2)
			}
		}()
	}
	wg.Wait()
	if got := c.Get(EventsDelivered); got != 8000 {
		t.Fatalf("EventsDelivered = %d, want 8000", got)
	}
	if got := c.Get(HostEventsWritten); got != 16000 {
		t.Fatalf("HostEventsWritten = %d, want 16000", got)
	}
	if EventsDelivered.String() != "events_delivered" || Counter(-1).String() != "unknown" {
		t.Fatal("Counter.String mismatch")
	}
}
