package driver_test

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Read returns ErrTimeout only after the timeout has really elapsed, never
// earlier.
func TestReadTimesOutOnlyAfterTheTimeout(t *testing.T) {
	d := open(t, baseConfig())
	for _, timeout := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond} {
		t.Run(timeout.String(), func(t *testing.T) {
			start := time.Now()
			got, err := d.Read(timeout)
			elapsed := time.Since(start)
			if err := errIs(err, driver.ErrTimeout); err != nil {
				t.Fatalf("Read(%v) = %v: %v", timeout, got, err)
			}
			if got != nil {
				t.Errorf("Read returned event %v with ErrTimeout", got)
			}
			if elapsed < timeout {
				t.Errorf("ErrTimeout after %v, before the %v timeout", elapsed, timeout)
			}
			if elapsed > timeout+5*time.Second {
				t.Errorf("ErrTimeout only after %v for a %v timeout", elapsed, timeout)
			}
		})
	}
	if got := counter(t, d, "host_events_read"); got != 0 {
		t.Errorf("host_events_read = %d after timeouts only", got)
	}
}

// A waiting Read returns as soon as an event arrives, not at its timeout.
func TestReadWakesWhenAnEventArrives(t *testing.T) {
	d := open(t, baseConfig())
	const timeout = 30 * time.Second
	type result struct {
		ev      *vscp.Event
		err     error
		elapsed time.Duration
	}
	res := make(chan result, 1)
	go func() {
		start := time.Now()
		e, err := d.Read(timeout)
		res <- result{e, err, time.Since(start)}
	}()
	time.Sleep(50 * time.Millisecond)
	if ok, err := d.Submit(ev(10, 6, 42)); !ok || err != nil {
		t.Fatalf("Submit = %v, %v", ok, err)
	}
	r := <-res
	if r.err != nil || r.ev == nil || r.ev.OBID != 42 {
		t.Fatalf("Read = %v, %v; want obid 42", r.ev, r.err)
	}
	if r.elapsed >= timeout {
		t.Fatalf("Read took the whole %v timeout", r.elapsed)
	}
}

// An event with more than 512 data bytes is an invalid parameter (C code 34),
// for every entry point; 512 is fine.
func TestOversizedEventIsErrParameter(t *testing.T) {
	d := open(t, baseConfig())
	big := make([]byte, vscp.MaxData+1)
	max := make([]byte, vscp.MaxData)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"Write 513 bytes", func() error { return d.Write(&vscp.Event{Data: big}, time.Second) }, driver.ErrParameter},
		{"WriteOwned 513 bytes", func() error { return d.WriteOwned(&vscp.Event{Data: big}, time.Second) }, driver.ErrParameter},
		{"Write nil", func() error { return d.Write(nil, time.Second) }, driver.ErrParameter},
		{"WriteOwned nil", func() error { return d.WriteOwned(nil, time.Second) }, driver.ErrParameter},
		{"Submit 513 bytes", func() error { _, err := d.Submit(&vscp.Event{Data: big}); return err }, driver.ErrParameter},
		{"Submit nil", func() error { _, err := d.Submit(nil); return err }, driver.ErrParameter},
		{"Write 512 bytes", func() error { return d.Write(&vscp.Event{Data: max}, time.Second) }, nil},
		{"Write no data", func() error { return d.Write(&vscp.Event{}, time.Second) }, nil},
		{"Submit 512 bytes", func() error { _, err := d.Submit(&vscp.Event{Data: max}); return err }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Only the two valid writes count as written.
	waitCounters(t, d, map[string]uint64{"host_events_written": 2, "out_unrouted": 2})
}

// Write deep-copies the event, so the caller may reuse it at once. The
// out-filter lets only class 20 through; the caller rewrites each event to
// class 10 (and scribbles over the rest) right after Write, which must not
// change what the dispatcher sees.
func TestWriteCopiesTheEvent(t *testing.T) {
	d := open(t, with(baseConfig(), "filter", obj{"out-filter": "0,20,0,-", "out-mask": "0,0xFFFF,0,-"}))
	const n = 200
	e := ev(20, 1, 0, 1, 2, 3, 4)
	for i := range n {
		e.Class, e.OBID = 20, uint32(i)
		e.Data = append(e.Data[:0], 1, 2, 3, 4)
		if err := d.Write(e, time.Second); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
		e.Class = 10
		e.Head = 0xFFFF
		e.GUID = vscp.GUID{}
		e.Data[0] = 0xEE
		e.Data = append(e.Data, 9)
	}
	waitCounters(t, d, map[string]uint64{"host_events_written": n, "out_unrouted": n, "out_filtered": 0})
}

// The out-filter discards and counts out_filtered; with no session to receive
// it, an event that passes counts out_unrouted. host_events_written counts
// every accepted Write.
func TestOutFilterCountsFilteredAndUnrouted(t *testing.T) {
	tests := []struct {
		name                   string
		filter                 obj
		classes                []uint16
		wantFiltered, wantUnrt uint64
	}{
		{"no filter passes all", nil, []uint16{10, 20, 30}, 0, 3},
		{"class 20 only", obj{"out-filter": "0,20,0,-", "out-mask": "0,0xFFFF,0,-"}, []uint16{20, 10, 20, 30, 20}, 2, 3},
		{"class 20 type 5 only", obj{"out-filter": "0,20,5,-", "out-mask": "0,0xFFFF,0xFFFF,-"}, []uint16{20, 20, 10}, 3, 0},
		{"priority 0 only", obj{"out-filter": "0,0,0,-", "out-mask": "7,0,0,-"}, []uint16{20, 10}, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := baseConfig()
			if tc.filter != nil {
				doc["filter"] = tc.filter
			}
			d := open(t, doc)
			for i, c := range tc.classes {
				if err := d.WriteOwned(ev(c, 1, uint32(i)), time.Second); err != nil {
					t.Fatalf("WriteOwned: %v", err)
				}
			}
			waitCounters(t, d, map[string]uint64{
				"host_events_written": uint64(len(tc.classes)),
				"out_filtered":        tc.wantFiltered,
				"out_unrouted":        tc.wantUnrt,
			})
			if got := counter(t, d, "host_write_full"); got != 0 {
				t.Errorf("host_write_full = %d", got)
			}
		})
	}
}

// Submitted events come out of Read in FIFO order, unchanged, each exactly
// once; host_events_read counts them.
func TestSubmitReadFIFOPreservesEvents(t *testing.T) {
	d := open(t, baseConfig())
	const n = 100
	sent := make([]*vscp.Event, n)
	for i := range sent {
		data := make([]byte, i%9)
		for j := range data {
			data[j] = byte(i + j)
		}
		sent[i] = ev(uint16(10+i%3), uint16(i%7), uint32(1000+i), data...)
		if ok, err := d.Submit(sent[i]); !ok || err != nil {
			t.Fatalf("Submit %d = %v, %v", i, ok, err)
		}
	}
	if got := d.Stats().InDepth; got != n {
		t.Fatalf("in-queue depth %d, want %d", got, n)
	}
	for i, want := range sent {
		got, err := d.Read(time.Second)
		if err != nil {
			t.Fatalf("Read %d: %v", i, err)
		}
		if got.OBID != want.OBID || got.Class != want.Class || got.Type != want.Type || got.Head != want.Head ||
			got.GUID != want.GUID || got.Timestamp != want.Timestamp || !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("Read %d = %+v, want %+v", i, got, want)
		}
	}
	if _, err := d.Read(10 * time.Millisecond); !errors.Is(err, driver.ErrTimeout) {
		t.Fatalf("Read after draining: %v, want ErrTimeout", err)
	}
	if got := counter(t, d, "host_events_read"); got != n {
		t.Errorf("host_events_read = %d, want %d", got, n)
	}
}

// An event the in-filter rejects is not queued and counts in_filtered; Submit
// reports it as (false, nil), not an error.
func TestSubmitInFilterRejectsAndCounts(t *testing.T) {
	d := open(t, with(baseConfig(), "filter", obj{"in-filter": "0,20,0,-", "in-mask": "0,0xFFFF,0,-"}))
	tests := []struct {
		class  uint16
		queued bool
	}{{20, true}, {10, false}, {21, false}, {20, true}, {0, false}}
	var wantFiltered uint64
	var wantQueued []uint32
	for i, tc := range tests {
		ok, err := d.Submit(ev(tc.class, 1, uint32(i)))
		if err != nil || ok != tc.queued {
			t.Errorf("Submit class %d = %v, %v; want %v, nil", tc.class, ok, err, tc.queued)
		}
		if tc.queued {
			wantQueued = append(wantQueued, uint32(i))
		} else {
			wantFiltered++
		}
	}
	if got := counter(t, d, "in_filtered"); got != wantFiltered {
		t.Errorf("in_filtered = %d, want %d", got, wantFiltered)
	}
	var got []uint32
	for {
		e, err := d.Read(20 * time.Millisecond)
		if err != nil {
			break
		}
		got = append(got, e.OBID)
	}
	if !slices.Equal(got, wantQueued) {
		t.Errorf("read obids %v, want %v", got, wantQueued)
	}
}

// The in-queue holds exactly max-in-queue events; one more is refused without
// waiting and counted client_events_rejected_full.
func TestSubmitOnFullInQueueIsErrFull(t *testing.T) {
	tests := []struct{ capacity int }{{1}, {3}}
	for _, tc := range tests {
		t.Run("max-in-queue "+strconv.Itoa(tc.capacity), func(t *testing.T) {
			d := open(t, with(baseConfig(), "max-in-queue", tc.capacity))
			for i := range tc.capacity {
				if ok, err := d.Submit(ev(10, 1, uint32(i))); !ok || err != nil {
					t.Fatalf("Submit %d = %v, %v", i, ok, err)
				}
			}
			start := time.Now()
			ok, err := d.Submit(ev(10, 1, 99))
			if ok || !errors.Is(err, driver.ErrFull) {
				t.Fatalf("Submit on a full queue = %v, %v; want false, ErrFull", ok, err)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("Submit on a full queue waited %v", el)
			}
			if got := counter(t, d, "client_events_rejected_full"); got != 1 {
				t.Errorf("client_events_rejected_full = %d, want 1", got)
			}
			if st := d.Stats(); st.InDepth != tc.capacity || st.InCapacity != tc.capacity {
				t.Errorf("in-queue depth/capacity %d/%d, want %d/%d", st.InDepth, st.InCapacity, tc.capacity, tc.capacity)
			}
			// The refused event is not in the queue; the first one is.
			if e, err := d.Read(time.Second); err != nil || e.OBID != 0 {
				t.Fatalf("Read = %v, %v; want obid 0", e, err)
			}
			if ok, err := d.Submit(ev(10, 1, 100)); !ok || err != nil {
				t.Fatalf("Submit after a Read freed a slot = %v, %v", ok, err)
			}
		})
	}
}

// Unread (VSCPRead's malloc failure path) puts an event back at the head,
// ahead of everything, even into a full queue, and it is counted as read only
// once it is finally read.
func TestUnreadPutsTheEventBackFirst(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
	}{{"room left", 10}, {"queue full", 2}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, with(baseConfig(), "max-in-queue", tc.capacity))
			for i := range 2 {
				if ok, err := d.Submit(ev(10, 1, uint32(i))); !ok || err != nil {
					t.Fatalf("Submit = %v, %v", ok, err)
				}
			}
			first, err := d.Read(time.Second)
			if err != nil || first.OBID != 0 {
				t.Fatalf("Read = %v, %v", first, err)
			}
			if ok, err := d.Submit(ev(10, 1, 2)); !ok || err != nil { // fills a capacity-2 queue
				t.Fatalf("Submit = %v, %v", ok, err)
			}
			if err := d.Unread(first); err != nil {
				t.Fatalf("Unread: %v", err)
			}
			var got []uint32
			for range 3 {
				e, err := d.Read(time.Second)
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				got = append(got, e.OBID)
			}
			if want := []uint32{0, 1, 2}; !slices.Equal(got, want) {
				t.Errorf("order after Unread %v, want %v", got, want)
			}
			// Read handed out four events; Unread takes no count back,
			// because counters never decrease.
			if got := counter(t, d, "host_events_read"); got != 4 {
				t.Errorf("host_events_read = %d, want 4", got)
			}
		})
	}
}

// Concurrent Read calls on one instance each get distinct events: every event
// goes to exactly one caller, and each caller sees its events in FIFO order.
func TestConcurrentReadersGetEachEventOnce(t *testing.T) {
	d := open(t, baseConfig())
	const readers, n = 4, 2000
	got := make([][]uint32, readers)
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			for {
				e, err := d.Read(0)
				if err != nil {
					if !errors.Is(err, driver.ErrClosed) {
						t.Errorf("reader %d: %v", r, err)
					}
					return
				}
				got[r] = append(got[r], e.OBID)
			}
		})
	}
	for i := range n {
		if ok, err := d.Submit(ev(10, 1, uint32(i))); !ok || err != nil {
			t.Fatalf("Submit %d = %v, %v", i, ok, err)
		}
	}
	deadline := time.Now().Add(eventually)
	for counter(t, d, "host_events_read") < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	d.Close()
	wg.Wait()

	seen := make([]int, n)
	total := 0
	for r, ids := range got {
		if !slices.IsSorted(ids) {
			t.Errorf("reader %d saw events out of FIFO order", r)
		}
		for _, id := range ids {
			seen[id]++
		}
		total += len(ids)
		t.Logf("reader %d got %d events", r, len(ids))
	}
	if total != n {
		t.Errorf("readers got %d events in all, want %d", total, n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("event %d delivered %d times", id, c)
		}
	}
}

// Close wakes a Read that waits forever; it returns ErrClosed within 1 s of
// Close.
func TestCloseWakesBlockedReaders(t *testing.T) {
	d := open(t, baseConfig())
	const readers = 3
	errs := make(chan error, readers)
	for range readers {
		go func() {
			_, err := d.Read(0)
			errs <- err
		}()
	}
	time.Sleep(100 * time.Millisecond) // let them block
	start := time.Now()
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	timeout := time.After(time.Second)
	for range readers {
		select {
		case err := <-errs:
			if !errors.Is(err, driver.ErrClosed) {
				t.Errorf("blocked Read returned %v, want ErrClosed", err)
			}
		case <-timeout:
			t.Fatalf("blocked Read still waiting 1 s after Close began")
		}
	}
	t.Logf("blocked readers released %v after Close began", time.Since(start))
}

// After Close every call returns ErrClosed, without waiting, and queued
// events are discarded rather than handed out.
func TestCallsAfterCloseAreErrClosed(t *testing.T) {
	d := open(t, baseConfig())
	for i := range 3 {
		if ok, err := d.Submit(ev(10, 1, uint32(i))); !ok || err != nil {
			t.Fatalf("Submit = %v, %v", ok, err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Write", func() error { return d.Write(ev(10, 1, 1), time.Second) }},
		{"Write forever", func() error { return d.Write(ev(10, 1, 1), 0) }},
		{"WriteOwned", func() error { return d.WriteOwned(ev(10, 1, 1), time.Second) }},
		{"Read with queued events", func() error { _, err := d.Read(time.Second); return err }},
		{"Read forever", func() error { _, err := d.Read(0); return err }},
		{"Submit", func() error { _, err := d.Submit(ev(10, 1, 1)); return err }},
		{"Unread", func() error { return d.Unread(ev(10, 1, 1)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- tc.call() }()
			select {
			case err := <-done:
				if !errors.Is(err, driver.ErrClosed) {
					t.Fatalf("got %v, want ErrClosed", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("call after Close blocked")
			}
		})
	}
}

// Close may be called again, also concurrently, and later calls do nothing.
func TestCloseIsIdempotent(t *testing.T) {
	d := open(t, baseConfig())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := d.Close(); err != nil {
				t.Errorf("concurrent Close: %v", err)
			}
		})
	}
	wg.Wait()
	if err := d.Close(); err != nil {
		t.Fatalf("Close after Close: %v", err)
	}
	if dialable(d.Addr().String()) {
		t.Fatal("listener still accepting after Close")
	}
}

// Close takes at most 2 s and force-closes every connection, including an
// idle raw TCP connection and a keep-alive HTTP connection.
func TestCloseIsBoundedAndClosesConnections(t *testing.T) {
	d := open(t, baseConfig())
	raw, err := net.DialTimeout("tcp", d.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	partial, err := net.DialTimeout("tcp", d.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer partial.Close()
	if _, err := partial.Write([]byte("GET /rest HTTP/1.1\r\nHost: x\r\n")); err != nil { // headers never finish
		t.Fatal(err)
	}
	keepAlive, err := net.DialTimeout("tcp", d.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer keepAlive.Close()
	if _, err := keepAlive.Write([]byte("GET /rest HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = keepAlive.SetReadDeadline(time.Now().Add(httpTimeout))
	resp, err := http.ReadResponse(bufio.NewReader(keepAlive), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("keep-alive request: %v, %v", resp, err)
	}
	resp.Body.Close()

	start := time.Now()
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if el := time.Since(start); el >= 2*time.Second {
		t.Errorf("Close took %v, want < 2 s", el)
	}
	for name, c := range map[string]net.Conn{"idle": raw, "partial request": partial, "keep-alive": keepAlive} {
		_ = c.SetReadDeadline(time.Now().Add(httpTimeout))
		buf := make([]byte, 512)
		var rerr error
		for rerr == nil {
			_, rerr = c.Read(buf)
		}
		var ne net.Error
		if errors.As(rerr, &ne) && ne.Timeout() {
			t.Errorf("%s connection still open %v after Close", name, httpTimeout)
		}
	}
}

// Close is safe while Write calls race it. A racing Write
// returns nil (queued, then discarded) or ErrClosed, nothing else.
func TestCloseRacingWritersAndReaders(t *testing.T) {
	for round := range 5 {
		d := open(t, baseConfig())
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 3 {
			wg.Go(func() {
				for i := 0; ; i++ {
					err := d.Write(ev(10, 1, uint32(i)), 0)
					if errors.Is(err, driver.ErrClosed) {
						return
					}
					if err != nil {
						t.Errorf("round %d writer %d: %v", round, w, err)
						return
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			})
		}
		wg.Go(func() {
			for i := 0; ; i++ {
				if _, err := d.Submit(ev(10, 1, uint32(i))); errors.Is(err, driver.ErrClosed) {
					return
				}
				if _, err := d.Read(time.Millisecond); errors.Is(err, driver.ErrClosed) {
					return
				}
			}
		})
		time.Sleep(20 * time.Millisecond)
		if err := d.Close(); err != nil {
			t.Errorf("round %d: Close: %v", round, err)
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			close(stop)
			t.Fatalf("round %d: callers still running 5 s after Close", round)
		}
	}
}
