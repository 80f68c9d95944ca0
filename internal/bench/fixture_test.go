package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// stallLimit fails a benchmark round that makes no progress for this long.
const stallLimit = 10 * time.Second

// dialParallel is how many handshakes the generator runs at once.
const dialParallel = 32

// readBufSize is each client's frame buffer.
const readBufSize = 64 << 10

// paddedCount is a counter on a cache line of its own: every client reader
// bumps one, and neighbours must not contend.
type paddedCount struct {
	atomic.Uint64
	_ [56]byte
}

// firstError keeps the first error reported by a generator goroutine for
// the benchmark goroutine, which alone may call Fatal.
type firstError struct {
	once sync.Once
	err  atomic.Pointer[error]
}

func (f *firstError) set(err error) {
	f.once.Do(func() { f.err.Store(&err) })
}

func (f *firstError) get() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

// counter reads one counter of the instance.
func counter(d *driver.Driver, name string) uint64 {
	v, ok := d.Stats().CounterByName[name]
	if !ok {
		panic("no counter " + name)
	}
	return v
}

// waitCounter polls until counter name reaches want (counters are bumped
// after the write that they count, so they may trail the client by a
// moment).
func waitCounter(tb testing.TB, d *driver.Driver, name string, want uint64) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := counter(d, name)
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			tb.Fatalf("counter %s = %d, want %d", name, got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitProgress waits until done is closed. progress reports a number that
// grows while the work advances; when it stands still for stallLimit the
// round fails with describe's text. check, if not nil, is called on every
// tick and fails the round at once when it returns an error.
func waitProgress(tb testing.TB, done <-chan struct{}, errs *firstError, progress func() uint64, describe func() string, check func() error) {
	tb.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, lastChange := progress(), time.Now()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		if err := errs.get(); err != nil {
			tb.Fatalf("load generator: %v", err)
		}
		if check != nil {
			if err := check(); err != nil {
				tb.Fatal(err)
			}
		}
		if p := progress(); p != last {
			last, lastChange = p, time.Now()
		} else if time.Since(lastChange) > stallLimit {
			tb.Fatalf("no progress for %v: %s", stallLimit, describe())
		}
	}
}

// closedConn reports whether err is the end of a connection the generator
// closed itself.
func closedConn(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF)
}

// ---------------------------------------------------------------------------
// Fan-out: host → N clients.

// fanout is an instance with N authenticated, OPEN clients, each with a
// reader goroutine that counts the event frames it receives. It is kept
// across the b.N rounds of one sub-benchmark.
type fanout struct {
	d       *driver.Driver
	proto   Proto
	clients []*Client
	recv    []paddedCount
	round   atomic.Pointer[fanoutRound]
	sent    uint64 // events written by the host so far (benchmark goroutine)
	errs    firstError
	closing atomic.Bool
	readers sync.WaitGroup
}

// fanoutRound is one batch of host writes: every client must reach want.
type fanoutRound struct {
	want      uint64
	remaining atomic.Int64
	done      chan struct{}
}

func newFanout(tb testing.TB, p Proto, n int) *fanout {
	tb.Helper()
	if err := RaiseFileLimit(); err != nil {
		tb.Logf("raising RLIMIT_NOFILE: %v", err)
	}
	d, err := OpenServer()
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clients, err := DialMany(ctx, d.Addr().String(), p, true, n, dialParallel, readBufSize)
	if err != nil {
		_ = d.Close()
		tb.Fatalf("dial %d %s clients: %v", n, p, err)
	}
	f := &fanout{d: d, proto: p, clients: clients, recv: make([]paddedCount, n)}
	idle := &fanoutRound{done: make(chan struct{})}
	f.round.Store(idle)
	for i := range clients {
		f.readers.Add(1)
		go f.read(i)
	}
	return f
}

// read counts the event frames of client i.
func (f *fanout) read(i int) {
	defer f.readers.Done()
	fr := f.clients[i].Frames()
	prefix := wires[f.proto].hostEvent
	cnt := &f.recv[i]
	for {
		op, n, err := fr.Next()
		if err != nil {
			if !f.closing.Load() || !closedConn(err) {
				f.errs.set(fmt.Errorf("client %d: %w", i, err))
			}
			return
		}
		if op != OpText {
			f.errs.set(fmt.Errorf("client %d: %w: opcode %d", i, ErrProtocol, op))
			return
		}
		ok, err := fr.HasPrefix(n, prefix)
		if err == nil {
			err = fr.Skip(n)
		}
		if err != nil {
			f.errs.set(fmt.Errorf("client %d: %w", i, err))
			return
		}
		if !ok {
			f.errs.set(fmt.Errorf("client %d: a %d-byte text frame that is not an event", i, n))
			return
		}
		c := cnt.Add(1)
		if r := f.round.Load(); c == r.want {
			if r.remaining.Add(-1) == 0 {
				close(r.done)
			}
		} else if c > r.want {
			f.errs.set(fmt.Errorf("client %d: %d events received, only %d written", i, c, r.want))
			return
		}
	}
}

// minReceived is the progress of the slowest client.
func (f *fanout) minReceived() uint64 {
	m := f.recv[0].Load()
	for i := 1; i < len(f.recv); i++ {
		if v := f.recv[i].Load(); v < m {
			m = v
		}
	}
	return m
}

func (f *fanout) totalReceived() uint64 {
	var t uint64
	for i := range f.recv {
		t += f.recv[i].Load()
	}
	return t
}

// window is how far the host may run ahead of the slowest client. The
// session queues drop their oldest entries beyond max-client-queue-size,
// which is the specified behaviour for a slow client and not what this
// benchmark measures; the window also bounds the queues' memory.
func (f *fanout) window() uint64 {
	w := uint64(4<<20) / uint64(len(f.clients))
	return min(max(w, 2048), MaxClientQueue/2)
}

// run writes n events from the host and waits until every client has all
// of them. It returns the time from the first write to the last delivery.
func (f *fanout) run(tb testing.TB, n int, start func()) time.Duration {
	tb.Helper()
	d := f.d
	dropped0 := counter(d, "session_dropped_overflow")
	delivered0 := counter(d, "events_delivered")
	r := &fanoutRound{want: f.sent + uint64(n), done: make(chan struct{})}
	r.remaining.Store(int64(len(f.clients)))
	f.round.Store(r)
	ev := &driver.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}
	window := f.window()
	hostDone := make(chan struct{})

	if start != nil {
		start()
	}
	t0 := time.Now()
	go func() {
		defer close(hostDone)
		base := f.sent
		for i := 0; i < n; i++ {
			if i&1023 == 0 && uint64(n) > window {
				for base+uint64(i)-f.minReceived() > window {
					if f.errs.get() != nil || f.closing.Load() {
						return
					}
					time.Sleep(20 * time.Microsecond)
				}
			}
			if err := d.Write(ev, 0); err != nil {
				f.errs.set(fmt.Errorf("host write %d: %w", i, err))
				return
			}
		}
	}()
	waitProgress(tb, r.done, &f.errs, f.totalReceived, func() string {
		return fmt.Sprintf("host wrote %d of %d events; slowest client has %d of %d", counter(d, "host_events_written"), n, f.minReceived()-f.sent, n)
	}, func() error {
		if v := counter(d, "session_dropped_overflow"); v != dropped0 {
			return fmt.Errorf("events lost: session_dropped_overflow went from %d to %d", dropped0, v)
		}
		return nil
	})
	elapsed := time.Since(t0)
	<-hostDone
	if err := f.errs.get(); err != nil {
		tb.Fatalf("load generator: %v", err)
	}
	f.sent += uint64(n)
	for i := range f.recv {
		if got := f.recv[i].Load(); got != f.sent {
			tb.Fatalf("client %d received %d events, want %d", i, got, f.sent)
		}
	}
	if v := counter(d, "session_dropped_overflow"); v != dropped0 {
		tb.Fatalf("session_dropped_overflow went from %d to %d", dropped0, v)
	}
	waitCounter(tb, d, "events_delivered", delivered0+uint64(n)*uint64(len(f.clients)))
	return elapsed
}

func (f *fanout) close() {
	f.closing.Store(true)
	CloseAll(f.clients)
	f.readers.Wait()
	_ = f.d.Close()
}

// ---------------------------------------------------------------------------
// Client → host.

// uplink is an instance with authenticated (not OPEN) clients that send
// events, each with a goroutine draining the server's replies, while the
// host side takes the events with Read.
type uplink struct {
	d       *driver.Driver
	proto   Proto
	clients []*Client
	replies []paddedCount // +EVENT replies per client
	batch   []byte        // batchFrames pre-built masked event frames
	frameLn int
	sent    []uint64      // events sent per client so far
	read    atomic.Uint64 // events taken by the host so far
	errs    firstError
	closing atomic.Bool
	drains  sync.WaitGroup
}

// batchFrames is how many frames one write carries.
const batchFrames = 128

// inWindow bounds the events in flight between the clients and Read, well
// below max-in-queue, so that a refusal (code 3) can only be a server fault.
const inWindow = 32 << 10

func newUplink(tb testing.TB, p Proto, n int) *uplink {
	tb.Helper()
	if err := RaiseFileLimit(); err != nil {
		tb.Logf("raising RLIMIT_NOFILE: %v", err)
	}
	d, err := OpenServer()
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clients, err := DialMany(ctx, d.Addr().String(), p, false, n, dialParallel, readBufSize)
	if err != nil {
		_ = d.Close()
		tb.Fatalf("dial %d %s clients: %v", n, p, err)
	}
	u := &uplink{d: d, proto: p, clients: clients, replies: make([]paddedCount, n), sent: make([]uint64, n)}
	u.batch = RepeatMaskedText(wires[p].event, batchFrames)
	u.frameLn = len(u.batch) / batchFrames
	for i := range clients {
		u.drains.Add(1)
		go u.drain(i)
	}
	return u
}

// drain counts client i's +EVENT replies; any other frame is an error.
func (u *uplink) drain(i int) {
	defer u.drains.Done()
	fr := u.clients[i].Frames()
	want := wires[u.proto].eventOK
	cnt := &u.replies[i]
	for {
		op, n, err := fr.Next()
		if err != nil {
			if !u.closing.Load() || !closedConn(err) {
				u.errs.set(fmt.Errorf("client %d: %w", i, err))
			}
			return
		}
		p, err := fr.Payload(n)
		if err != nil {
			u.errs.set(fmt.Errorf("client %d: %w", i, err))
			return
		}
		if op != OpText || string(p) != string(want) {
			u.errs.set(fmt.Errorf("client %d: reply opcode %d %q, want %q", i, op, p, want))
			return
		}
		cnt.Add(1)
	}
}

// send writes quota events from client i, pipelined, staying within the
// in-flight window.
func (u *uplink) send(i, quota int, inflight *atomic.Uint64) {
	c := u.clients[i]
	for quota > 0 {
		k := min(quota, batchFrames)
		for inflight.Load()-u.read.Load() > inWindow {
			if u.errs.get() != nil || u.closing.Load() {
				return
			}
			time.Sleep(20 * time.Microsecond)
		}
		inflight.Add(uint64(k))
		if err := c.Write(u.batch[:k*u.frameLn]); err != nil {
			u.errs.set(fmt.Errorf("client %d write: %w", i, err))
			return
		}
		quota -= k
	}
}

// run sends n events spread over the clients and takes them with Read. It
// returns the time from the first send to the last Read.
func (u *uplink) run(tb testing.TB, n int, start func()) time.Duration {
	tb.Helper()
	d := u.d
	full0 := counter(d, "client_events_rejected_full")
	accepted0 := counter(d, "client_events_accepted")
	var inflight atomic.Uint64
	inflight.Store(u.read.Load())
	quotas := make([]int, len(u.clients))
	for i := range quotas {
		quotas[i] = n / len(u.clients)
		if i < n%len(u.clients) {
			quotas[i]++
		}
	}
	if start != nil {
		start()
	}
	t0 := time.Now()
	var senders sync.WaitGroup
	for i, q := range quotas {
		senders.Add(1)
		go func() {
			defer senders.Done()
			u.send(i, q, &inflight)
		}()
	}
	for i := 0; i < n; i++ {
		ev, err := d.Read(stallLimit)
		if err != nil {
			if e := u.errs.get(); e != nil {
				tb.Fatalf("load generator: %v", e)
			}
			tb.Fatalf("Read %d of %d: %v (accepted %d, refused full %d)", i, n, err,
				counter(d, "client_events_accepted")-accepted0, counter(d, "client_events_rejected_full")-full0)
		}
		if ev.Class != 10 || ev.Type != 6 || len(ev.Data) != 3 {
			tb.Fatalf("Read %d: event %+v", i, ev)
		}
		u.read.Add(1)
	}
	elapsed := time.Since(t0)
	senders.Wait()
	if err := u.errs.get(); err != nil {
		tb.Fatalf("load generator: %v", err)
	}
	for i, q := range quotas {
		u.sent[i] += uint64(q)
	}
	// Every event must have had its +EVENT reply.
	done := make(chan struct{})
	var stop atomic.Bool
	go func() {
		defer close(done)
		for !stop.Load() {
			all := true
			for i := range u.replies {
				if u.replies[i].Load() < u.sent[i] {
					all = false
					break
				}
			}
			if all {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	defer stop.Store(true)
	waitProgress(tb, done, &u.errs, u.totalReplies, func() string {
		return fmt.Sprintf("%d of %d replies", u.totalReplies(), sum(u.sent))
	}, nil)
	if v := counter(d, "client_events_rejected_full"); v != full0 {
		tb.Fatalf("client_events_rejected_full went from %d to %d", full0, v)
	}
	if v := counter(d, "client_events_accepted"); v != accepted0+uint64(n) {
		tb.Fatalf("client_events_accepted = %d, want %d", v, accepted0+uint64(n))
	}
	return elapsed
}

func (u *uplink) totalReplies() uint64 {
	var t uint64
	for i := range u.replies {
		t += u.replies[i].Load()
	}
	return t
}

func sum(v []uint64) uint64 {
	var t uint64
	for _, x := range v {
		t += x
	}
	return t
}

func (u *uplink) close() {
	u.closing.Store(true)
	CloseAll(u.clients)
	u.drains.Wait()
	_ = u.d.Close()
}

// ---------------------------------------------------------------------------
// NOOP round trip.

// pinger is an instance with one authenticated client.
type pinger struct {
	d      *driver.Driver
	proto  Proto
	client *Client
	frame  []byte
}

func newPinger(tb testing.TB, p Proto) *pinger {
	tb.Helper()
	d, err := OpenServer()
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Dial(ctx, d.Addr().String(), p, false, 4096)
	if err != nil {
		_ = d.Close()
		tb.Fatalf("dial: %v", err)
	}
	return &pinger{d: d, proto: p, client: c, frame: AppendMaskedText(nil, wires[p].noop)}
}

// run does n NOOP round trips and returns each one's duration.
func (pg *pinger) run(tb testing.TB, n int, start func()) []time.Duration {
	tb.Helper()
	lat := make([]time.Duration, n)
	want := wires[pg.proto].noopOK
	fr := pg.client.Frames()
	_ = pg.client.SetReadDeadline(time.Now().Add(time.Minute + time.Duration(n)*time.Millisecond))
	if start != nil {
		start()
	}
	for i := range lat {
		t0 := time.Now()
		if err := pg.client.Write(pg.frame); err != nil {
			tb.Fatalf("NOOP %d: %v", i, err)
		}
		p, err := fr.ReadText()
		if err != nil {
			tb.Fatalf("NOOP %d reply: %v", i, err)
		}
		lat[i] = time.Since(t0)
		if string(p) != string(want) {
			tb.Fatalf("NOOP %d reply %q, want %q", i, p, want)
		}
	}
	return lat
}

func (pg *pinger) close() {
	_ = pg.client.Close()
	_ = pg.d.Close()
}

// percentile returns the q-quantile (0 ≤ q ≤ 1) of sorted durations,
// nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return sorted[i]
}

func latencyQuantiles(lat []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(lat)
	slices.Sort(s)
	return percentile(s, 0.50), percentile(s, 0.99)
}
