package queue

// ring is a growable circular buffer. It starts small and doubles up to the
// queue's capacity, so a queue configured for ten million events costs
// nothing until it is actually filled.
type ring[T any] struct {
	buf  []T
	head int // index of the oldest element
	n    int
}

func (r *ring[T]) len() int { return r.n }

// pushBack appends v; the caller has checked capacity.
func (r *ring[T]) pushBack(v T, limit int) {
	if r.n == len(r.buf) {
		r.grow(limit)
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

// pushFront puts v before the oldest element.
func (r *ring[T]) pushFront(v T, limit int) {
	if r.n == len(r.buf) {
		r.grow(limit)
	}
	r.head = (r.head - 1 + len(r.buf)) % len(r.buf)
	r.buf[r.head] = v
	r.n++
}

func (r *ring[T]) popFront() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero // let the GC have it
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return v
}

// grow doubles the buffer, up to limit (but always by at least one slot,
// because pushFront may exceed the limit by design).
func (r *ring[T]) grow(limit int) {
	size := 2 * len(r.buf)
	if size < 16 {
		size = 16
	}
	if size > limit && limit > len(r.buf) {
		size = limit
	}
	if size <= len(r.buf) {
		size = len(r.buf) + 1
	}
	nb := make([]T, size)
	for i := 0; i < r.n; i++ {
		nb[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf = nb
	r.head = 0
}

// clear drops every element and returns how many there were.
func (r *ring[T]) clear() int {
	n := r.n
	var zero T
	for i := 0; i < r.n; i++ {
		r.buf[(r.head+i)%len(r.buf)] = zero
	}
	r.head, r.n = 0, 0
	return n
}
