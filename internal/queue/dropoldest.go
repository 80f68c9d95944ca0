package queue

import (
	"sync"
	"sync/atomic"
)

// DropOldestStats are the counters of a DropOldest queue.
type DropOldestStats struct {
	Pushed, Dropped, Cleared uint64
	MaxDepth                 int
}

// DropOldest is a bounded FIFO whose producer never waits: when it is full,
// Push discards the oldest entry (and reports it), so a slow consumer can
// never hold up the producer. It is the per-session queue.
type DropOldest[T any] struct {
	mu       sync.Mutex
	items    ring[T]
	capacity int
	maxDepth int
	ready    chan struct{}

	pushed, dropped, cleared atomic.Uint64
}

// NewDropOldest returns a queue holding at most capacity entries (at least 1).
func NewDropOldest[T any](capacity int) *DropOldest[T] {
	if capacity < 1 {
		capacity = 1
	}
	return &DropOldest[T]{capacity: capacity, ready: make(chan struct{}, 1)}
}

// Push appends v. When the queue was full the oldest entry is removed and
// returned with dropped = true.
func (q *DropOldest[T]) Push(v T) (old T, dropped bool) {
	q.mu.Lock()
	if q.items.len() >= q.capacity {
		old = q.items.popFront()
		dropped = true
	}
	q.items.pushBack(v, q.capacity)
	if n := q.items.len(); n > q.maxDepth {
		q.maxDepth = n
	}
	q.mu.Unlock()
	q.pushed.Add(1)
	if dropped {
		q.dropped.Add(1)
	}
	hint(q.ready)
	return old, dropped
}

// PopBatch moves up to max entries (max ≤ 0: all) to dst, oldest first, and
// returns the extended slice. Taking many at once lets the writer coalesce
// frames into one write.
func (q *DropOldest[T]) PopBatch(dst []T, max int) []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.items.len()
	if max > 0 && n > max {
		n = max
	}
	for i := 0; i < n; i++ {
		dst = append(dst, q.items.popFront())
	}
	if q.items.len() > 0 {
		hint(q.ready)
	}
	return dst
}

// Clear empties the queue and returns how many entries it held.
func (q *DropOldest[T]) Clear() int {
	q.mu.Lock()
	n := q.items.clear()
	q.mu.Unlock()
	q.cleared.Add(uint64(n))
	return n
}

// Ready fires (at least once) after an entry may have become available.
func (q *DropOldest[T]) Ready() <-chan struct{} { return q.ready }

// Len is the current number of entries.
func (q *DropOldest[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items.len()
}

// Cap is the capacity.
func (q *DropOldest[T]) Cap() int { return q.capacity }

// Stats returns the counters.
func (q *DropOldest[T]) Stats() DropOldestStats {
	q.mu.Lock()
	md := q.maxDepth
	q.mu.Unlock()
	return DropOldestStats{Pushed: q.pushed.Load(), Dropped: q.dropped.Load(), Cleared: q.cleared.Load(), MaxDepth: md}
}
