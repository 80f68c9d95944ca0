package auth

import (
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock for the throttle.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestThrottleSchedule(t *testing.T) {
	want := []time.Duration{
		0, 0, 0, 0, 0, // n < 5
		500 * time.Millisecond, // n = 5
		time.Second,
		2 * time.Second,
		4 * time.Second,
		8 * time.Second,
		10 * time.Second, // n = 10: 16 s capped
		10 * time.Second,
		10 * time.Second,
	}
	clock := newFakeClock()
	th := NewThrottle(clock.Now)
	peer := netip.MustParseAddr("192.0.2.7")
	for n, d := range want {
		if got := th.Delay(peer); got != d {
			t.Fatalf("n=%d: Delay = %v, want %v", n, got, d)
		}
		th.RecordFailure(peer)
		clock.Advance(time.Second)
	}
	for n := 13; n < 100; n++ {
		th.RecordFailure(peer)
	}
	if got := th.Delay(peer); got != 10*time.Second {
		t.Fatalf("n=100: %v", got)
	}
}

func TestThrottleDelayFunction(t *testing.T) {
	cases := map[int]time.Duration{
		0: 0, 4: 0, 5: 500 * time.Millisecond, 6: time.Second, 9: 8 * time.Second,
		10: 10 * time.Second, 11: 10 * time.Second, 64: 10 * time.Second, 1 << 30: 10 * time.Second,
	}
	for n, want := range cases {
		if got := throttleDelay(n); got != want {
			t.Errorf("d(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestThrottleWindow(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(clock.Now)
	peer := netip.MustParseAddr("198.51.100.1")
	for range 5 {
		th.RecordFailure(peer)
	}
	clock.Advance(10*time.Minute - time.Nanosecond)
	if got := th.Delay(peer); got != 500*time.Millisecond {
		t.Fatalf("just inside the window: %v", got)
	}
	clock.Advance(time.Nanosecond)
	if got := th.Delay(peer); got != 0 {
		t.Fatalf("after 10 minutes: %v", got)
	}
	if th.Len() != 0 {
		t.Fatal("an expired key is kept")
	}

	// Sliding: failures spread over time leave the window one by one.
	for range 6 {
		th.RecordFailure(peer)
		clock.Advance(time.Minute)
	}
	// Failures at 0..5 min, now at 6 min: n = 6.
	if got := th.Delay(peer); got != time.Second {
		t.Fatalf("n=6: %v", got)
	}
	clock.Advance(4 * time.Minute) // now 10 min: the first failure expired
	if got := th.Delay(peer); got != 500*time.Millisecond {
		t.Fatalf("n=5: %v", got)
	}
	clock.Advance(time.Minute) // second expired: n = 4
	if got := th.Delay(peer); got != 0 {
		t.Fatalf("n=4: %v", got)
	}
}

func TestThrottleSuccessDoesNotClear(t *testing.T) {
	th := NewThrottle(newFakeClock().Now)
	peer := netip.MustParseAddr("203.0.113.9")
	for range 5 {
		th.RecordFailure(peer)
	}
	// There is deliberately no API to clear: only expiry forgets.
	first := th.Delay(peer)
	second := th.Delay(peer)
	if first == 0 || second != first {
		t.Fatalf("Delay must not consume the record: %v then %v", first, second)
	}
}

func TestThrottleKeys(t *testing.T) {
	cases := []struct {
		name      string
		failing   string
		other     string
		sharedKey bool
	}{
		{"same IPv4 address", "192.0.2.1", "192.0.2.1", true},
		{"other IPv4 address", "192.0.2.1", "192.0.2.2", false},
		{"same IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"other IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"mapped IPv4 is IPv4", "::ffff:192.0.2.1", "192.0.2.1", true},
		{"zone ignored", "fe80::1%eth0", "fe80::2%eth1", true},
		{"IPv4 not IPv6", "0.0.0.1", "::1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			th := NewThrottle(newFakeClock().Now)
			for range 5 {
				th.RecordFailure(netip.MustParseAddr(c.failing))
			}
			got := th.Delay(netip.MustParseAddr(c.other)) != 0
			if got != c.sharedKey {
				t.Fatalf("shared = %v, want %v", got, c.sharedKey)
			}
		})
	}
	t.Run("invalid address does not panic", func(t *testing.T) {
		th := NewThrottle(nil)
		th.RecordFailure(netip.Addr{})
		_ = th.Delay(netip.Addr{})
	})
}

func TestThrottleLRUBound(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(clock.Now)
	addr := func(i int) netip.Addr {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	a := netip.MustParseAddr("192.0.2.1")
	b := netip.MustParseAddr("192.0.2.2")
	for range 5 {
		th.RecordFailure(a)
		th.RecordFailure(b)
	}
	for i := range throttleMaxKeys - 2 {
		th.RecordFailure(addr(i))
	}
	if th.Len() != throttleMaxKeys {
		t.Fatalf("Len = %d", th.Len())
	}
	// Updating a makes b the least recently updated key.
	th.RecordFailure(a)
	th.RecordFailure(addr(throttleMaxKeys)) // one key too many
	if th.Len() != throttleMaxKeys {
		t.Fatalf("Len = %d after overflow, want %d", th.Len(), throttleMaxKeys)
	}
	if th.Delay(b) != 0 {
		t.Fatal("least recently updated key not evicted")
	}
	if th.Delay(a) != time.Second {
		t.Fatalf("recently updated key lost: %v", th.Delay(a))
	}
	// Delay is a read: it does not refresh a key's place.
	for i := range 2 * throttleMaxKeys {
		th.RecordFailure(netip.AddrFrom4([4]byte{172, 16 + byte(i>>16), byte(i >> 8), byte(i)}))
		if i%1000 == 0 {
			_ = th.Delay(a)
		}
	}
	if th.Len() > throttleMaxKeys || th.Delay(a) != 0 {
		t.Fatal("bound not kept or a refreshed by Delay")
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				p := netip.MustParseAddr("10.0." + strconv.Itoa(g) + "." + strconv.Itoa(i%7))
				th.RecordFailure(p)
				_ = th.Delay(p)
			}
		}()
	}
	wg.Wait()
	if th.Len() != 8*7 {
		t.Fatalf("Len = %d", th.Len())
	}
}
