package queue

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestBlockingIsFIFO(t *testing.T) {
	q := NewBlocking[int](10)
	for i := 0; i < 10; i++ {
		if err := q.TryPush(i); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	for i := 0; i < 10; i++ {
		v, err := q.Pop(0)
		if err != nil || v != i {
			t.Fatalf("pop = %d, %v; want %d", v, err, i)
		}
	}
}

func TestBlockingFullQueue(t *testing.T) {
	tests := []struct {
		name     string
		wait     time.Duration
		minDelay time.Duration
	}{
		{"no wait returns ErrFull at once", 0, 0},
		{"timed wait returns ErrFull only after the timeout", 60 * time.Millisecond, 60 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := NewBlocking[int](1)
			if err := q.TryPush(1); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := q.Push(2, tc.wait)
			if !errors.Is(err, ErrFull) {
				t.Fatalf("err = %v, want ErrFull", err)
			}
			if d := time.Since(start); d < tc.minDelay {
				t.Fatalf("returned after %v, before the %v timeout", d, tc.minDelay)
			}
			if q.Stats().Full != 1 {
				t.Fatalf("Full counter = %d, want 1", q.Stats().Full)
			}
		})
	}
}

func TestBlockingPushWaitsForSpace(t *testing.T) {
	q := NewBlocking[int](1)
	_ = q.TryPush(1)
	done := make(chan error)
	go func() { done <- q.Push(2, 5*time.Second) }()
	time.Sleep(20 * time.Millisecond)
	if v, _ := q.Pop(0); v != 1 {
		t.Fatalf("pop = %d, want 1", v)
	}
	if err := <-done; err != nil {
		t.Fatalf("blocked push: %v", err)
	}
	if v, _ := q.Pop(0); v != 2 {
		t.Fatalf("pop = %d, want 2", v)
	}
}

func TestBlockingPopTimesOutOnlyAfterTheWait(t *testing.T) {
	q := NewBlocking[int](1)
	start := time.Now()
	_, err := q.Pop(50 * time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("timed out after %v, before 50ms", d)
	}
}

func TestBlockingPopWakesOnPush(t *testing.T) {
	q := NewBlocking[int](4)
	got := make(chan int)
	go func() {
		v, err := q.Pop(Forever)
		if err != nil {
			v = -1
		}
		got <- v
	}()
	time.Sleep(10 * time.Millisecond)
	_ = q.TryPush(42)
	select {
	case v := <-got:
		if v != 42 {
			t.Fatalf("got %d, want 42", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiting Pop was not woken by Push")
	}
}

func TestBlockingCloseWakesEveryWaiter(t *testing.T) {
	full := NewBlocking[int](1)
	_ = full.TryPush(1)
	empty := NewBlocking[int](1)
	errs := make(chan error, 2)
	go func() { errs <- full.Push(2, Forever) }()
	go func() { _, err := empty.Pop(Forever); errs <- err }()
	time.Sleep(30 * time.Millisecond)
	if n := full.Close(); n != 1 {
		t.Fatalf("Close discarded %d, want 1", n)
	}
	empty.Close()
	for i := 0; i < 2; i++ {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("waiter returned %v, want ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a waiter stayed blocked after Close")
		}
	}
	if err := full.TryPush(3); !errors.Is(err, ErrClosed) {
		t.Fatalf("push after close: %v, want ErrClosed", err)
	}
	if _, err := full.Pop(Forever); !errors.Is(err, ErrClosed) {
		t.Fatalf("pop after close: %v, want ErrClosed", err)
	}
	if full.Close() != 0 {
		t.Fatal("second Close must discard nothing")
	}
}

func TestBlockingCloseReturnsDiscardedCount(t *testing.T) {
	q := NewBlocking[int](10)
	for i := 0; i < 7; i++ {
		_ = q.TryPush(i)
	}
	if n := q.Close(); n != 7 {
		t.Fatalf("Close discarded %d, want 7", n)
	}
}

func TestBlockingUnreadPutsEntryFirstEvenWhenFull(t *testing.T) {
	q := NewBlocking[int](2)
	_ = q.TryPush(1)
	_ = q.TryPush(2)
	v, _ := q.Pop(0)
	_ = q.TryPush(3) // full again
	if err := q.Unread(v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{1, 2, 3} {
		if got, err := q.Pop(0); err != nil || got != want {
			t.Fatalf("pop = %d, %v; want %d", got, err, want)
		}
	}
}

func TestBlockingDeliversEachEntryExactlyOnceUnderConcurrency(t *testing.T) {
	const producers, perProducer, consumers = 4, 2000, 4
	q := NewBlocking[int](16)
	seen := make([]int, producers*perProducer)
	var mu sync.Mutex
	var pw, cw sync.WaitGroup
	for p := 0; p < producers; p++ {
		pw.Add(1)
		go func(p int) {
			defer pw.Done()
			for i := 0; i < perProducer; i++ {
				if err := q.Push(p*perProducer+i, Forever); err != nil {
					t.Errorf("push: %v", err)
					return
				}
			}
		}(p)
	}
	for c := 0; c < consumers; c++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			for {
				v, err := q.Pop(Forever)
				if err != nil {
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	pw.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for q.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	q.Close()
	cw.Wait()
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("entry %d delivered %d times", v, n)
		}
	}
}

func TestBlockingPerProducerOrderIsKept(t *testing.T) {
	q := NewBlocking[[2]int](8)
	const n = 3000
	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				_ = q.Push([2]int{p, i}, Forever)
			}
		}(p)
	}
	next := [2]int{}
	for got := 0; got < 2*n; got++ {
		v, err := q.Pop(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if v[1] != next[v[0]] {
			t.Fatalf("producer %d: got %d, want %d", v[0], v[1], next[v[0]])
		}
		next[v[0]]++
	}
	wg.Wait()
}

func TestRingGrowsLazilyUpToCapacity(t *testing.T) {
	q := NewBlocking[int](10_000_000)
	_ = q.TryPush(1)
	if c := cap(q.items.buf); c > 64 {
		t.Fatalf("a huge capacity allocated %d slots for one entry", c)
	}
	small := NewBlocking[int](20)
	for i := 0; i < 20; i++ {
		if err := small.TryPush(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := small.TryPush(21); !errors.Is(err, ErrFull) {
		t.Fatalf("push beyond capacity: %v, want ErrFull", err)
	}
	if c := len(small.items.buf); c != 20 {
		t.Fatalf("buffer grew to %d, want exactly the capacity 20", c)
	}
}

func TestDropOldestDropsTheOldestAndNeverBlocks(t *testing.T) {
	q := NewDropOldest[int](3)
	for i := 1; i <= 3; i++ {
		if _, dropped := q.Push(i); dropped {
			t.Fatalf("push %d dropped", i)
		}
	}
	old, dropped := q.Push(4)
	if !dropped || old != 1 {
		t.Fatalf("overflow dropped (%d, %v), want (1, true)", old, dropped)
	}
	got := q.PopBatch(nil, 0)
	if len(got) != 3 || got[0] != 2 || got[2] != 4 {
		t.Fatalf("PopBatch = %v, want [2 3 4]", got)
	}
	st := q.Stats()
	if st.Pushed != 4 || st.Dropped != 1 || st.MaxDepth != 3 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestDropOldestPopBatchHonoursMaxAndRearmsReady(t *testing.T) {
	q := NewDropOldest[int](10)
	for i := 0; i < 5; i++ {
		q.Push(i)
	}
	<-q.Ready()
	got := q.PopBatch(nil, 2)
	if len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Fatalf("PopBatch(2) = %v", got)
	}
	select {
	case <-q.Ready():
	default:
		t.Fatal("Ready not re-armed while entries remain")
	}
}

func TestDropOldestClearCounts(t *testing.T) {
	q := NewDropOldest[int](10)
	q.Push(1)
	q.Push(2)
	if n := q.Clear(); n != 2 {
		t.Fatalf("Clear = %d, want 2", n)
	}
	if q.Len() != 0 || q.Stats().Cleared != 2 {
		t.Fatalf("after Clear: len %d, stats %+v", q.Len(), q.Stats())
	}
}

func BenchmarkBlockingPushPop(b *testing.B) {
	q := NewBlocking[int](1024)
	for i := 0; i < b.N; i++ {
		_ = q.TryPush(i)
		_, _ = q.TryPop()
	}
}

func BenchmarkDropOldestPush(b *testing.B) {
	q := NewDropOldest[int](1000)
	for i := 0; i < b.N; i++ {
		q.Push(i)
	}
}
