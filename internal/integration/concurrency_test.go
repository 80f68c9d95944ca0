package integration

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

const (
	nClients   = 200 // half ws1, half ws2
	perClient  = 50  // events each client sends
	hostEvents = 500 // events the host writes
	hostClass  = 10  // host events: class 10, type 6, data [seq>>8, seq&0xFF]
	clientCls  = 20  // client events: class 20, type 3, data [client index, seq]
	// runLimit bounds a whole scenario; it only turns a hang into a
	// failure with a report.
	runLimit = 120 * time.Second
)

// frameKind classifies a frame a client receives.
type frameKind int

const (
	kindOther frameKind = iota
	kindEventReply
	kindEvent
)

// inbound is a parsed frame: for events the class, obid and up to 4 data
// bytes (ndata counts them all).
type inbound struct {
	kind  frameKind
	class int
	obid  int
	data  [4]int
	ndata int
}

func (in *inbound) addData(v int) {
	if in.ndata < len(in.data) {
		in.data[in.ndata] = v
	}
	in.ndata++
}

// atoi parses a non-empty unsigned decimal.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// The parsers below avoid allocations and full JSON decoding: 200 clients
// take about two million frames under the race detector.

// parseWS1 reads "+;EVENT" and "E;head,class,type,obid,date,ts,GUID,d…".
func parseWS1(msg []byte) (inbound, error) {
	if string(msg) == "+;EVENT" {
		return inbound{kind: kindEventReply}, nil
	}
	body, ok := bytes.CutPrefix(msg, []byte("E;"))
	if !ok {
		return inbound{}, fmt.Errorf("unexpected frame %q", msg)
	}
	in := inbound{kind: kindEvent}
	for i := 0; len(body) > 0 || i < 7; i++ {
		f := body
		if j := bytes.IndexByte(body, ','); j >= 0 {
			f, body = body[:j], body[j+1:]
		} else if len(body) > 0 {
			body = nil
		} else if i < 7 {
			return inbound{}, fmt.Errorf("short event %q", msg)
		}
		var ok bool
		switch {
		case i == 1:
			in.class, ok = atoi(f)
		case i == 3:
			in.obid, ok = atoi(f)
		case i >= 7:
			var v uint64
			var err error
			if len(f) == 4 && f[0] == '0' && f[1] == 'x' {
				v, err = strconv.ParseUint(string(f[2:]), 16, 8)
			} else {
				err = errors.New("not 0xHH")
			}
			ok = err == nil
			in.addData(int(v))
		default:
			ok = true
		}
		if !ok {
			return inbound{}, fmt.Errorf("field %d of %q", i, msg)
		}
	}
	return in, nil
}

// jsonNumberAfter returns the integer following key in a compact JSON text.
func jsonNumberAfter(msg []byte, key string) (int, bool) {
	i := bytes.Index(msg, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := msg[i+len(key):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	return atoi(rest[:j])
}

// parseWS2 reads the +EVENT reply and event frames.
func parseWS2(msg []byte) (inbound, error) {
	if string(msg) == `{"type":"+","command":"EVENT","args":null}` {
		return inbound{kind: kindEventReply}, nil
	}
	if !bytes.HasPrefix(msg, []byte(`{"type":"EVENT","event":{`)) {
		return inbound{}, fmt.Errorf("unexpected frame %q", msg)
	}
	in := inbound{kind: kindEvent}
	var ok1, ok2 bool
	in.class, ok1 = jsonNumberAfter(msg, `"vscpClass":`)
	in.obid, ok2 = jsonNumberAfter(msg, `"vscpObId":`)
	const dataKey = `"vscpData":[`
	i := bytes.Index(msg, []byte(dataKey))
	if !ok1 || !ok2 || i < 0 {
		return inbound{}, fmt.Errorf("event fields in %q", msg)
	}
	rest := msg[i+len(dataKey):]
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return inbound{}, fmt.Errorf("data in %q", msg)
	}
	for d := range bytes.SplitSeq(rest[:end], []byte(",")) {
		if end == 0 {
			break
		}
		v, ok := atoi(d)
		if !ok {
			return inbound{}, fmt.Errorf("data in %q", msg)
		}
		in.addData(v)
	}
	return in, nil
}

// nextText reads the next text message into buf (reused) with the read
// deadline already set.
func (cl *client) nextText(buf []byte) ([]byte, error) {
	for {
		mt, r, err := cl.c.NextReader()
		if err != nil {
			return nil, err
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
		}
		if mt == websocket.TextMessage {
			return buf, nil
		}
	}
}

// clientEvent is the message client idx sends as its seq-th event.
func clientEvent(ws2 bool, idx, seq int) string {
	if ws2 {
		return fmt.Sprintf(`{"type":"E","event":{"vscpHead":0,"vscpClass":%d,"vscpType":3,"vscpData":[%d,%d]}}`, clientCls, idx, seq)
	}
	return fmt.Sprintf("E;0,%d,3,0,,0,-,%d,%d", clientCls, idx, seq)
}

// tally is what one client of the 200 saw.
type tally struct {
	replies   int
	host      int           // host events, checked to arrive in order
	forwarded int           // other clients' events
	perSender [nClients]int // next expected seq per sender
	obid      [nClients]int // the sender's obid as forwarded
	err       error
}

func (tl *tally) fail(format string, args ...any) {
	if tl.err == nil {
		tl.err = fmt.Errorf(format, args...)
	}
}

// take checks one received frame of client self.
func (tl *tally) take(self int, in inbound) {
	switch {
	case in.kind == kindEventReply:
		tl.replies++
		if tl.replies > perClient {
			tl.fail("more than %d +EVENT replies", perClient)
		}
	case in.class == hostClass:
		if in.ndata != 2 || in.data[0]<<8|in.data[1] != tl.host || in.obid != 0 {
			tl.fail("host event #%d: data %v (%d bytes) obid %d, want [%d %d] obid 0 (lost, duplicated or out of order)",
				tl.host, in.data, in.ndata, in.obid, tl.host>>8, tl.host&0xFF)
		}
		tl.host++
	case in.class == clientCls:
		if in.ndata != 2 || in.data[0] >= nClients {
			tl.fail("forwarded event with data %v (%d bytes)", in.data, in.ndata)
			return
		}
		from, seq := in.data[0], in.data[1]
		switch {
		case from == self:
			tl.fail("received its own event %d (receive-sent-events is false)", seq)
		case seq != tl.perSender[from]:
			tl.fail("event %d of client %d arrived when %d was next (lost, duplicated or out of order)", seq, from, tl.perSender[from])
		case in.obid == 0 || (tl.obid[from] != 0 && tl.obid[from] != in.obid):
			tl.fail("event of client %d with obid %d (before %d)", from, in.obid, tl.obid[from])
		}
		tl.obid[from] = in.obid
		tl.perSender[from] = seq + 1
		tl.forwarded++
	default:
		tl.fail("event of class %d", in.class)
	}
}

// TestTwoHundredConcurrentClients: 200 clients (100 ws1, 100 ws2) log in and
// open at once, then each sends 50 events while the host writes 500 and reads
// everything. With forward-client-events every client also receives the other
// 199 clients' events.
func TestTwoHundredConcurrentClients(t *testing.T) {
	manyClients(t, true)
}

// TestTwoHundredConcurrentClientsNoForwarding is the same load with
// forward-client-events false: no client event reaches another client.
func TestTwoHundredConcurrentClientsNoForwarding(t *testing.T) {
	manyClients(t, false)
}

func manyClients(t *testing.T, forward bool) {
	base := runtime.NumGoroutine()
	started := time.Now()
	d, err := tryOpen(with(baseConf(),
		"max-clients", 1000,
		"max-client-queue-size", 100000,
		"max-in-queue", 100000,
		"forward-client-events", forward,
		"receive-sent-events", false,
	), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = d.Close()
		}
	})
	addr := d.Addr().String()
	wantForwarded := 0
	if forward {
		wantForwarded = (nClients - 1) * perClient
	}

	// Phase 1: every client connects, logs in and opens, concurrently.
	clients := make([]*client, nClients)
	tallies := make([]*tally, nClients)
	var wg sync.WaitGroup
	var setupErr firstError
	for i := range nClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/ws1"
			if i >= nClients/2 {
				path = "/ws2"
			}
			cl, err := dial("ws://"+addr+path, nil)
			if err == nil {
				if err = cl.login(); err != nil {
					cl.close()
				}
			}
			if err != nil {
				setupErr.set(fmt.Errorf("client %d (%s): %w", i, path, err))
				return
			}
			clients[i] = cl
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, cl := range clients {
			if cl != nil {
				_ = cl.c.Close()
			}
		}
	})
	if err := setupErr.get(); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats().Sessions; st.Current != nClients || st.WS1 != nClients/2 || st.WS2 != nClients/2 || st.Open != nClients {
		t.Fatalf("after login: sessions %+v, want %d current, %d ws1, %d ws2, %d open", st, nClients, nClients/2, nClients/2, nClients)
	}
	t.Logf("%d clients logged in and open after %v", nClients, time.Since(started).Round(time.Millisecond))

	// Phase 2: clients send, the host writes and reads, all at once.
	var hostErr firstError
	hostRead := make(chan int, 1)
	go func() { // the host reader
		next := make([]int, nClients)
		obid := make([]uint32, nClients)
		n := 0
		defer func() { hostRead <- n }()
		for n < nClients*perClient {
			ev, err := d.Read(frameTimeout)
			if err != nil {
				hostErr.set(fmt.Errorf("host Read after %d events: %w", n, err))
				return
			}
			n++
			if ev.Class != clientCls || ev.Type != 3 || len(ev.Data) != 2 || int(ev.Data[0]) >= nClients || ev.GUID != ifGUID || ev.OBID == 0 {
				hostErr.set(fmt.Errorf("host read unexpected event %s", ev))
				continue
			}
			from, seq := int(ev.Data[0]), int(ev.Data[1])
			if seq != next[from] || (obid[from] != 0 && obid[from] != ev.OBID) {
				hostErr.set(fmt.Errorf("host read event %d of client %d (obid %d) when %d (obid %d) was next", seq, from, ev.OBID, next[from], obid[from]))
			}
			next[from], obid[from] = seq+1, ev.OBID
		}
	}()
	writeDone := make(chan error, 1)
	go func() { // the host writer
		for i := range hostEvents {
			ev := &driver.Event{Class: hostClass, Type: 6, Data: []byte{byte(i >> 8), byte(i)}}
			if err := d.Write(ev, frameTimeout); err != nil {
				writeDone <- fmt.Errorf("host Write %d: %w", i, err)
				return
			}
		}
		writeDone <- nil
	}()
	for i, cl := range clients {
		tl := &tally{}
		tallies[i] = tl
		wg.Add(2)
		go func() { // sender
			defer wg.Done()
			for seq := range perClient {
				if err := cl.send(clientEvent(cl.ws2, i, seq)); err != nil {
					setupErr.set(fmt.Errorf("client %d send %d: %w", i, seq, err))
					return
				}
			}
		}()
		go func() { // receiver
			defer wg.Done()
			parse := parseWS1
			if cl.ws2 {
				parse = parseWS2
			}
			_ = cl.c.SetReadDeadline(time.Now().Add(runLimit))
			var msg []byte
			for tl.err == nil && (tl.replies < perClient || tl.host < hostEvents || tl.forwarded < wantForwarded) {
				var err error
				msg, err = cl.nextText(msg)
				if err != nil {
					tl.fail("read after %d replies, %d host and %d forwarded events: %v", tl.replies, tl.host, tl.forwarded, err)
					break
				}
				in, err := parse(msg)
				if err != nil {
					tl.fail("%v", err)
					break
				}
				tl.take(i, in)
			}
		}()
	}
	if !waitGroupWithin(&wg, runLimit) {
		t.Fatalf("clients did not finish within %v:\n%s", runLimit, allStacks())
	}
	if err := <-writeDone; err != nil {
		t.Error(err)
	}
	select {
	case n := <-hostRead:
		if n != nClients*perClient {
			t.Errorf("host read %d client events, want %d", n, nClients*perClient)
		}
	case <-time.After(runLimit):
		t.Fatalf("host reader did not finish")
	}
	if err := hostErr.get(); err != nil {
		t.Error(err)
	}
	if err := setupErr.get(); err != nil {
		t.Error(err)
	}
	if ev, err := d.Read(300 * time.Millisecond); !errors.Is(err, driver.ErrTimeout) {
		t.Errorf("host Read after all %d client events: %v %v, want ErrTimeout (extra events)", nClients*perClient, ev, err)
	}
	bad := 0
	for i, tl := range tallies {
		if tl.err == nil && (tl.replies != perClient || tl.host != hostEvents || tl.forwarded != wantForwarded) {
			tl.fail("got %d replies, %d host and %d forwarded events, want %d, %d, %d", tl.replies, tl.host, tl.forwarded, perClient, hostEvents, wantForwarded)
		}
		if tl.err != nil {
			bad++
			if bad <= 10 {
				t.Errorf("client %d: %v", i, tl.err)
			}
		}
	}
	if bad > 10 {
		t.Errorf("… and %d more clients failed", bad-10)
	}
	stats := d.Stats().CounterByName
	for name, want := range map[string]uint64{
		"session_dropped_overflow": 0,
		"client_events_accepted":   nClients * perClient,
		"host_events_read":         nClients * perClient,
		"host_events_written":      hostEvents,
		"events_forwarded":         uint64(nClients * wantForwarded),
	} {
		if got := stats[name]; got != want {
			t.Errorf("counter %s = %d, want %d", name, got, want)
		}
	}
	t.Logf("traffic done after %v", time.Since(started).Round(time.Millisecond))

	// Phase 3: nothing more arrives, then everybody leaves.
	quietClients(t, clients)
	for _, cl := range clients {
		cl.close()
	}
	if !waitFor(func() bool { return d.Stats().Sessions.Current == 0 }) {
		t.Errorf("sessions after every client closed: %+v, want 0", d.Stats().Sessions)
	}
	t0 := time.Now()
	closeErr := d.Close()
	closed = true
	if dt := time.Since(t0); closeErr != nil || dt > 4*time.Second {
		t.Errorf("Close: %v after %v, want nil within the 2 s budget (plus slack)", closeErr, dt)
	}
	if err := goroutinesBack(base); err != nil {
		t.Error(err)
	}
	t.Logf("total %v", time.Since(started).Round(time.Millisecond))
}

// quietClients checks that no client receives anything more (no echo of
// its own events, no duplicates) within a short window.
func quietClients(t *testing.T, clients []*client) {
	t.Helper()
	var wg sync.WaitGroup
	var extra atomic.Int64
	var first atomic.Value
	for i, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = cl.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, msg, err := cl.c.ReadMessage()
			var ne net.Error
			if err == nil {
				extra.Add(1)
				first.CompareAndSwap(nil, fmt.Sprintf("client %d: %q", i, msg))
			} else if !errors.As(err, &ne) || !ne.Timeout() {
				first.CompareAndSwap(nil, fmt.Sprintf("client %d: %v", i, err))
				extra.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := extra.Load(); n > 0 {
		t.Errorf("%d clients received something after the expected traffic, e.g. %v", n, first.Load())
	}
}

// firstError keeps the first error reported by any goroutine.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func waitGroupWithin(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func allStacks() string {
	buf := make([]byte, 4<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// TestClientsComeAndGoWhileHostWrites: 20 goroutines connect, log in,
// open and leave (cleanly or by cutting the TCP connection) for 3 s while
// the host writes continuously and reads what the clients send. Nothing
// may panic or hang, the sessions must all go away and Close must join
// every goroutine.
func TestClientsComeAndGoWhileHostWrites(t *testing.T) {
	const (
		workers  = 20
		duration = 3 * time.Second
	)
	base := runtime.NumGoroutine()
	d, err := tryOpen(baseConf(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = d.Close()
		}
	})
	addr := d.Addr().String()
	stop := make(chan struct{})
	var hostWG sync.WaitGroup
	var written, read atomic.Int64
	var hostErr firstError
	hostWG.Add(2)
	go func() { // writer
		defer hostWG.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := d.Write(&driver.Event{Class: hostClass, Type: 6, Data: []byte{byte(i >> 8), byte(i)}}, frameTimeout); err != nil {
				hostErr.set(fmt.Errorf("Write: %w", err))
				return
			}
			written.Add(1)
			if i%50 == 49 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	go func() { // reader
		defer hostWG.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, err := d.Read(50 * time.Millisecond)
			switch {
			case err == nil:
				read.Add(1)
			case errors.Is(err, driver.ErrTimeout):
			default:
				hostErr.set(fmt.Errorf("Read: %w", err))
				return
			}
		}
	}()

	var wg sync.WaitGroup
	var cycles atomic.Int64
	errs := make(chan error, workers)
	deadline := time.Now().Add(duration)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(deadline); n++ {
				if err := churnOnce(addr, w, n); err != nil {
					errs <- fmt.Errorf("worker %d cycle %d: %w", w, n, err)
					return
				}
				cycles.Add(1)
			}
		}()
	}
	if !waitGroupWithin(&wg, duration+runLimit) {
		t.Fatalf("workers hang:\n%s", allStacks())
	}
	close(stop)
	if !waitGroupWithin(&hostWG, runLimit) {
		t.Fatalf("host goroutines hang:\n%s", allStacks())
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := hostErr.get(); err != nil {
		t.Error(err)
	}
	t.Logf("%d connect/login/leave cycles, host wrote %d and read %d events", cycles.Load(), written.Load(), read.Load())
	if cycles.Load() < workers {
		t.Errorf("only %d cycles completed", cycles.Load())
	}
	if !waitFor(func() bool { return d.Stats().Sessions.Current == 0 }) {
		t.Errorf("sessions after every client left: %+v, want 0 current", d.Stats().Sessions)
	}
	// The instance still serves after the churn.
	cl, err := dial("ws://"+addr+"/ws1", nil)
	if err != nil {
		t.Fatalf("dial after the churn: %v", err)
	}
	if err := cl.login(); err != nil {
		t.Error(err)
	}
	cl.close()
	if !waitFor(func() bool { return d.Stats().Sessions.Current == 0 }) {
		t.Errorf("sessions: %+v, want 0 current", d.Stats().Sessions)
	}
	t0 := time.Now()
	closeErr := d.Close()
	closed = true
	if dt := time.Since(t0); closeErr != nil || dt > 4*time.Second {
		t.Errorf("Close: %v after %v, want nil within the 2 s budget (plus slack)", closeErr, dt)
	}
	if err := goroutinesBack(base); err != nil {
		t.Error(err)
	}
}

// churnOnce is one client life: connect, log in, open, take a few events,
// maybe send one, and leave in one of several ways.
func churnOnce(addr string, w, n int) error {
	path := "/ws1"
	if (w+n)%2 == 1 {
		path = "/ws2"
	}
	cl, err := dial("ws://"+addr+path, nil)
	if err != nil {
		return err
	}
	defer func() { _ = cl.c.Close() }()
	switch n % 5 {
	case 0: // leave right after the greeting, cutting the connection
		return nil
	case 1: // log in but never open, then close cleanly
		if err := cl.login(); err != nil {
			return err
		}
		cl.close()
		return nil
	}
	if err := cl.login(); err != nil {
		return err
	}
	if n%5 == 2 { // send an event and wait for its reply among host events
		if err := cl.send(clientEvent(cl.ws2, w, n%256)); err != nil {
			return err
		}
		parse := parseWS1
		if cl.ws2 {
			parse = parseWS2
		}
		for {
			msg, err := cl.read()
			if err != nil {
				return fmt.Errorf("waiting for +EVENT: %w", err)
			}
			in, err := parse([]byte(msg))
			if err != nil {
				return err
			}
			if in.kind == kindEventReply {
				break
			}
		}
	}
	// Take a few host events.
	for range 3 {
		if _, err := cl.read(); err != nil {
			return fmt.Errorf("host event: %w", err)
		}
	}
	switch n % 5 {
	case 3: // close handshake
		cl.close()
	case 4: // cut the TCP connection without a close frame, frames unread
		_ = cl.c.NetConn().Close()
	default: // a close frame, then cut at once without waiting for the echo
		_ = cl.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		_ = cl.c.NetConn().Close()
	}
	return nil
}
