// Package queue provides the bounded queues of the driver: Blocking for the
// host side (the producer waits, with a timeout, for space) and DropOldest for
// the per-session queues (the producer never waits; the oldest entry goes).
package queue

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by Blocking.
var (
	ErrClosed  = errors.New("queue closed")
	ErrTimeout = errors.New("queue wait timed out")
	ErrFull    = errors.New("queue full")
)

// Forever, passed as a wait duration, waits without a deadline.
const Forever time.Duration = -1

// BlockingStats are the counters of a Blocking queue.
type BlockingStats struct {
	Pushed, Popped, Full, Timeouts uint64
}

// Blocking is a bounded FIFO whose producers may wait for space and whose
// consumers may wait for entries, each with a timeout, and which Close
// wakes. Several producers and consumers may use it at once; each entry goes
// to exactly one consumer.
//
// Waiting uses two one-slot "hint" channels instead of sync.Cond so that a
// waiter can also select on a timer and on the close channel. A hint is
// re-armed whenever the condition may still hold for another waiter, so no
// wake-up is lost.
type Blocking[T any] struct {
	mu       sync.Mutex
	items    ring[T]
	capacity int
	closed   bool

	readable chan struct{}
	writable chan struct{}
	done     chan struct{}

	pushed, popped, full, timeouts atomic.Uint64
}

// NewBlocking returns a queue holding at most capacity entries (at least 1).
func NewBlocking[T any](capacity int) *Blocking[T] {
	if capacity < 1 {
		capacity = 1
	}
	return &Blocking[T]{
		capacity: capacity,
		readable: make(chan struct{}, 1),
		writable: make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

func hint(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// timerFor returns a channel that fires after wait, or nil (never fires)
// for Forever; stop must be called when done.
func timerFor(wait time.Duration) (<-chan time.Time, func()) {
	if wait < 0 {
		return nil, func() {}
	}
	t := time.NewTimer(wait)
	return t.C, func() { t.Stop() }
}

// TryPush appends v without waiting. It returns ErrFull or ErrClosed when it
// cannot.
func (q *Blocking[T]) TryPush(v T) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushLocked(v)
}

func (q *Blocking[T]) pushLocked(v T) error {
	if q.closed {
		return ErrClosed
	}
	if q.items.len() >= q.capacity {
		return ErrFull
	}
	q.items.pushBack(v, q.capacity)
	q.pushed.Add(1)
	hint(q.readable)
	if q.items.len() < q.capacity {
		hint(q.writable)
	}
	return nil
}

// Push appends v, waiting up to wait for space (Forever: no limit, 0: no
// wait). It returns ErrFull when the wait expires and ErrClosed when the
// queue is or becomes closed.
func (q *Blocking[T]) Push(v T, wait time.Duration) error {
	err := q.TryPush(v)
	if err != ErrFull || wait == 0 {
		if err == ErrFull {
			q.full.Add(1)
		}
		return err
	}
	expired, stop := timerFor(wait)
	defer stop()
	for {
		select {
		case <-q.writable:
		case <-q.done:
			return ErrClosed
		case <-expired:
			q.full.Add(1)
			return ErrFull
		}
		if err := q.TryPush(v); err != ErrFull {
			return err
		}
	}
}

// TryPop removes the oldest entry without waiting.
func (q *Blocking[T]) TryPop() (T, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.popLocked()
}

func (q *Blocking[T]) popLocked() (T, bool) {
	var zero T
	if q.items.len() == 0 {
		return zero, false
	}
	v := q.items.popFront()
	q.popped.Add(1)
	hint(q.writable)
	if q.items.len() > 0 {
		hint(q.readable)
	}
	return v, true
}

// Pop removes the oldest entry, waiting up to wait for one (Forever: no
// limit). It returns ErrTimeout only after the wait has elapsed, and
// ErrClosed when the queue is or becomes closed; entries left in a closed
// queue are not handed out.
func (q *Blocking[T]) Pop(wait time.Duration) (T, error) {
	var zero T
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return zero, ErrClosed
	}
	v, ok := q.popLocked()
	q.mu.Unlock()
	if ok {
		return v, nil
	}
	if wait == 0 {
		q.timeouts.Add(1)
		return zero, ErrTimeout
	}
	expired, stop := timerFor(wait)
	defer stop()
	for {
		select {
		case <-q.readable:
		case <-q.done:
			return zero, ErrClosed
		case <-expired:
			q.timeouts.Add(1)
			return zero, ErrTimeout
		}
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return zero, ErrClosed
		}
		v, ok := q.popLocked()
		q.mu.Unlock()
		if ok {
			return v, nil
		}
	}
}

// Unread puts v back at the head, ahead of everything else, even when the
// queue is full: it is for a consumer that took an entry and could not
// hand it on (VSCPRead when malloc fails), so nothing is lost.
func (q *Blocking[T]) Unread(v T) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	q.items.pushFront(v, q.capacity)
	q.popped.Add(^uint64(0)) // the entry was not consumed after all
	hint(q.readable)
	return nil
}

// Close wakes every waiter with ErrClosed and discards the entries; it
// returns how many were discarded. Later calls return 0.
func (q *Blocking[T]) Close() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0
	}
	q.closed = true
	close(q.done)
	return q.items.clear()
}

// Done is closed when the queue is closed.
func (q *Blocking[T]) Done() <-chan struct{} { return q.done }

// Readable fires (at least once) after an entry may have become available;
// a consumer that selects on it must still use TryPop.
func (q *Blocking[T]) Readable() <-chan struct{} { return q.readable }

// Len is the current number of entries.
func (q *Blocking[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items.len()
}

// Cap is the capacity.
func (q *Blocking[T]) Cap() int { return q.capacity }

// Stats returns the counters.
func (q *Blocking[T]) Stats() BlockingStats {
	return BlockingStats{Pushed: q.pushed.Load(), Popped: q.popped.Load(), Full: q.full.Load(), Timeouts: q.timeouts.Load()}
}
