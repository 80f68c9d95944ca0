package auth

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// Throttle parameters (docs/security.md, auth-throttle).
const (
	throttleWindow   = 10 * time.Minute
	throttleFree     = 5 // failures tolerated without delay
	throttleBase     = 500 * time.Millisecond
	throttleMaxDelay = 10 * time.Second
	throttleMaxKeys  = 10000
	// throttleKeep is how many recent failures per key are remembered: the
	// delay reaches its cap at n = 10, so older failures cannot change it.
	throttleKeep = 10
)

// Throttle is the per-instance, per-IP delay applied before AUTH decryption
// after repeated credential failures. Keys are IPv4 addresses and IPv6 /64
// prefixes; at most 10000 keys are kept, evicting the least recently updated.
// Safe for concurrent use.
type Throttle struct {
	now func() time.Time

	mu    sync.Mutex
	byKey map[netip.Prefix]*list.Element // of *throttleEntry
	lru   list.List                      // front = most recently updated
}

type throttleEntry struct {
	key      netip.Prefix
	failures [throttleKeep]time.Time // ring of the most recent failures
	next     int                     // ring position of the next write
	count    int                     // valid ring entries
}

// NewThrottle returns an empty throttle. now is the clock (time.Now when
// nil); tests pass a fake one.
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{now: now, byKey: map[netip.Prefix]*list.Element{}}
}

// throttleKey maps a peer to its key: the IPv4 address, or the /64 of an
// IPv6 address, after dropping the zone and unmapping. One IPv6 host
// usually controls a whole /64, so keying single addresses would be
// useless.
func throttleKey(peer netip.Addr) netip.Prefix {
	a := peer.WithZone("").Unmap()
	if !a.IsValid() {
		return netip.Prefix{}
	}
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// recent counts the entry's failures inside the window ending at now.
func (e *throttleEntry) recent(now time.Time) int {
	n := 0
	for i := 0; i < e.count; i++ {
		if now.Sub(e.failures[i]) < throttleWindow {
			n++
		}
	}
	return n
}

// Delay returns how long an AUTH from peer must wait before decryption:
// 0 while fewer than 5 credential failures were recorded for its key in the
// last 10 minutes, then 500 ms × 2^(n−5) capped at 10 s.
func (t *Throttle) Delay(peer netip.Addr) time.Duration {
	key := throttleKey(peer)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.byKey[key]
	if !ok {
		return 0
	}
	e := el.Value.(*throttleEntry)
	n := e.recent(now)
	if n == 0 {
		// Everything expired: forget the key rather than keep it until
		// it is evicted.
		t.lru.Remove(el)
		delete(t.byKey, key)
		return 0
	}
	return throttleDelay(n)
}

func throttleDelay(n int) time.Duration {
	if n < throttleFree {
		return 0
	}
	shift := n - throttleFree
	if shift >= 5 { // 500 ms × 32 is already beyond the cap
		return throttleMaxDelay
	}
	return min(throttleBase<<shift, throttleMaxDelay)
}

// RecordFailure records one credential (CRED) failure for peer's key.
// Syntax failures are not recorded. Success never clears the record.
func (t *Throttle) RecordFailure(peer netip.Addr) {
	key := throttleKey(peer)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.byKey[key]
	if ok {
		t.lru.MoveToFront(el)
	} else {
		el = t.lru.PushFront(&throttleEntry{key: key})
		t.byKey[key] = el
		for len(t.byKey) > throttleMaxKeys {
			oldest := t.lru.Back()
			t.lru.Remove(oldest)
			delete(t.byKey, oldest.Value.(*throttleEntry).key)
		}
	}
	e := el.Value.(*throttleEntry)
	e.failures[e.next] = now
	e.next = (e.next + 1) % throttleKeep
	if e.count < throttleKeep {
		e.count++
	}
}

// Len returns the number of keys currently tracked.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byKey)
}
