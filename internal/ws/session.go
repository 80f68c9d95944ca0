package ws

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/queue"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

type protocol uint8

const (
	protoWS1 protocol = iota
	protoWS2
)

func (p protocol) String() string {
	if p == protoWS1 {
		return "ws1"
	}
	return "ws2"
}

const (
	// writeTimeout drops a connection whose socket write blocks this long.
	writeTimeout = 10 * time.Second
	// closeLinger is how long a server-initiated close waits for the
	// client's close frame before the TCP connection is cut.
	closeLinger = time.Second
	// maxBatch bounds the events one write takes from the session queue.
	maxBatch = 256
	// maxPendingReplies makes a client that sends commands without reading
	// the replies wait, instead of growing the reply list without bound.
	maxPendingReplies = 256
	// dropLogEvery limits the slow-client log line per session.
	dropLogEvery = 10 * time.Second
)

// authState is who a session is logged in as and its current filter. It is
// replaced whole (never changed in place), so the fan-out and the writer
// read it without a lock.
type authState struct {
	user   *auth.User
	filter vscp.Filter
}

// writerAction is a session state change that takes effect when the writer
// emits the reply carrying it, which gives replies and events their order:
// events released by OPEN follow +OPEN, none follow +CLOSE, and none queued
// before CLRQ follow its reply.
type writerAction uint8

const (
	actNone writerAction = iota
	actOpen
	actClose
	actClear
	actDeauth // a failed AUTH: closed and queue discarded
)

// outFrame is one reply or control frame waiting for the writer.
type outFrame struct {
	data   []byte
	action writerAction
	close  bool // a close frame: nothing is written after it
}

// outEvent is one event on its way to sessions, with its frames encoded
// at most once per protocol and shared by every recipient.
type outEvent struct {
	ev       *vscp.Event
	ws1, ws2 []byte
}

// encode prepares the frame for p. Only the producer that fans the event
// out calls it, before the event is queued anywhere, so there is no race
// with the writers that read the frames.
func (o *outEvent) encode(p protocol, f vscp.JSONFormat) {
	if p == protoWS1 {
		if o.ws1 == nil {
			o.ws1 = encodeWS1Event(o.ev)
		}
	} else if o.ws2 == nil {
		o.ws2 = encodeWS2Event(o.ev, f)
	}
}

func (o *outEvent) frame(p protocol) []byte {
	if p == protoWS1 {
		return o.ws1
	}
	return o.ws2
}

// session is one websocket connection. Its reader goroutine (the HTTP
// handler's) parses and handles messages one at a time; its writer
// goroutine writes replies and events in one ordered stream.
type session struct {
	hub   *Hub
	id    uint32
	proto protocol
	peer  netip.Addr
	conn  net.Conn
	ws    *websocket.Conn
	plain bool // conn is a plain TCP connection (writev possible)

	state  atomic.Pointer[authState] // nil while UNAUTH
	open   atomic.Bool               // as the writer last applied it
	events *queue.DropOldest[*outEvent]

	mu      sync.Mutex
	replies []outFrame
	wake    chan struct{}
	space   chan struct{}

	readerDone chan struct{}
	writerDone chan struct{}

	lastRead    atomic.Int64 // hub clock of the last frame received
	unauthSince atomic.Int64 // hub clock since UNAUTH; 0 when authenticated
	lastPing    int64        // sweeper-owned
	closing     atomic.Bool  // a close frame is queued or the conn is cut
	lastDropLog atomic.Int64
	dropsLogged atomic.Uint64
	dropped     atomic.Uint64

	// Reader-owned protocol state.
	sid          string
	authFailures int
}

func newSession(h *Hub, p protocol, c *websocket.Conn, peer netip.Addr) *session {
	s := newSessionState(h, p, peer)
	s.conn = c.NetConn()
	_, s.plain = s.conn.(*net.TCPConn)
	s.ws = c
	c.SetReadLimit(h.opts.MaxMessageSize)
	c.SetPingHandler(func(data string) error {
		s.lastRead.Store(s.hub.now())
		s.control(controlFrame(opPong, []byte(data)))
		return nil
	})
	c.SetPongHandler(func(string) error {
		s.lastRead.Store(s.hub.now())
		return nil
	})
	c.SetCloseHandler(func(code int, _ string) error {
		// Answer a client's close with the same code (1000 if it
		// sent none); a close answering ours needs no reply.
		if !s.closing.Swap(true) {
			if code == websocket.CloseNoStatusReceived {
				code = closeNormal
			}
			s.push(outFrame{data: closeFrame(code, ""), close: true}, false)
		}
		return nil
	})
	return s
}

// newSessionState is a session without a connection: everything the
// protocol handlers use, which is how they are tested without sockets.
func newSessionState(h *Hub, p protocol, peer netip.Addr) *session {
	s := &session{
		hub:        h,
		id:         h.nextID.Add(1),
		proto:      p,
		peer:       peer,
		events:     queue.NewDropOldest[*outEvent](h.opts.MaxClientQueue),
		wake:       make(chan struct{}, 1),
		space:      make(chan struct{}, 1),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
		sid:        auth.NewSID(),
	}
	now := h.now()
	s.lastRead.Store(now)
	s.unauthSince.Store(now)
	s.lastPing = now
	return s
}

// push queues a frame for the writer. With wait, a reader that is too far
// ahead of the writer blocks until there is room (or the session ends).
func (s *session) push(f outFrame, wait bool) {
	for {
		s.mu.Lock()
		if !wait || len(s.replies) < maxPendingReplies {
			s.replies = append(s.replies, f)
			s.mu.Unlock()
			hint(s.wake)
			return
		}
		s.mu.Unlock()
		select {
		case <-s.space:
		case <-s.writerDone:
			return
		}
	}
}

// reply queues a protocol reply, in request order.
func (s *session) reply(data []byte, act writerAction) {
	s.push(outFrame{data: data, action: act}, true)
}

// control queues a control frame without waiting (pings from the sweeper,
// pongs from the reader's ping handler).
func (s *session) control(frame []byte) {
	s.push(outFrame{data: frame}, false)
}

// closeWith starts a server-initiated close: the close frame goes
// out after what is already queued, and the TCP connection is cut if the
// client has not completed the handshake within closeLinger.
func (s *session) closeWith(code int, reason string) {
	if s.closing.Swap(true) {
		return
	}
	s.push(outFrame{data: closeFrame(code, reason), close: true}, false)
	time.AfterFunc(closeLinger, s.drop)
}

// drop cuts the TCP connection; the reader and writer then end.
func (s *session) drop() {
	s.closing.Store(true)
	if s.conn != nil {
		_ = s.conn.Close()
	}
}

// noteDrop logs a slow client at most once per dropLogEvery.
func (s *session) noteDrop() {
	s.dropped.Add(1)
	now := s.hub.now()
	last := s.lastDropLog.Load()
	if now-last < int64(dropLogEvery) || !s.lastDropLog.CompareAndSwap(last, now) {
		return
	}
	total := s.dropped.Load()
	n := total - s.dropsLogged.Swap(total)
	s.hub.log.Warn("slow client: session queue full, oldest events dropped",
		zap.Uint32("session", s.id), zap.String("peer", peerString(s.peer)), zap.Uint64("dropped", n))
}

// start registers the session and runs it on goroutines of its own: the
// reader and the writer. The HTTP handler that upgraded the connection
// returns, so net/http's buffers and request state for the connection are
// freed for the life of the session (an idle session stays small).
func (s *session) start(greeting []byte) bool {
	if !s.hub.add(s) {
		_ = s.conn.Close()
		s.hub.live.Add(-1)
		return false
	}
	s.hub.counters.Inc(stats.SessionsAccepted)
	s.reply(greeting, actNone) // the greeting is the first frame
	go s.writeLoop()
	go func() {
		defer s.hub.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.hub.log.Error("session reader panicked; closing the session", zap.Uint32("session", s.id), zap.Any("panic", r), zap.Stack("stack"))
			}
			s.teardown()
		}()
		s.readLoop()
	}()
	return true
}

func (s *session) readLoop() {
	for {
		mt, r, err := s.ws.NextReader()
		if err != nil {
			return
		}
		s.lastRead.Store(s.hub.now())
		if mt != websocket.TextMessage {
			s.hub.counters.Inc(stats.BinaryIgnored)
			continue
		}
		msg, err := io.ReadAll(r)
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				// gorilla has sent the 1009 close. Reading on until the
				// client closes (briefly) keeps the unread rest of the
				// message from turning our close into a reset, which
				// could destroy the close frame before the client reads it.
				s.closing.Store(true)
				_ = s.conn.SetReadDeadline(time.Now().Add(closeLinger))
				_, _ = io.Copy(io.Discard, s.conn)
			}
			return
		}
		s.handle(msg)
	}
}

// handle processes one message; a panic is answered with code 10 and the
// session goes on.
func (s *session) handle(msg []byte) {
	defer func() {
		if r := recover(); r != nil {
			s.hub.log.Error("recovered panic while handling a message", zap.Uint32("session", s.id), zap.Any("panic", r), zap.Stack("stack"))
			if s.proto == protoWS1 {
				s.reply(ws1Error("", codeGeneral), actNone)
			} else {
				s.reply(ws2Error("", codeGeneral), actNone)
			}
		}
	}()
	if s.proto == protoWS1 {
		s.handleWS1(msg)
	} else {
		s.handleWS2(msg)
	}
}

// teardown runs when the reader has ended: the writer flushes what is
// pending (a close frame), then everything of the session is released.
func (s *session) teardown() {
	close(s.readerDone)
	<-s.writerDone
	_ = s.conn.Close()
	if n := s.events.Clear(); n > 0 {
		s.hub.counters.Add(stats.SessionDiscarded, uint64(n))
	}
	s.hub.remove(s)
	s.hub.live.Add(-1)
	s.hub.counters.Inc(stats.SessionsClosed)
}

// writeLoop writes replies and, while OPEN, queued events. Everything that
// is ready when it wakes goes out in one write.
func (s *session) writeLoop() {
	defer close(s.writerDone)
	defer func() {
		if r := recover(); r != nil {
			s.hub.log.Error("session writer panicked; closing the session", zap.Uint32("session", s.id), zap.Any("panic", r), zap.Stack("stack"))
			s.drop()
		}
	}()
	w := writer{s: s}
	for {
		var evReady <-chan struct{}
		if s.open.Load() {
			evReady = s.events.Ready()
		}
		select {
		case <-s.wake:
		case <-evReady:
		case <-s.readerDone:
			w.final()
			return
		}
		if !w.drain() {
			return
		}
	}
}

// writer is the writer goroutine's reusable scratch space.
type writer struct {
	s       *session
	reps    []outFrame
	frames  [][]byte
	batch   []*outEvent
	scratch []byte
}

// take swaps the pending replies out.
func (w *writer) take() []outFrame {
	s := w.s
	s.mu.Lock()
	reps := s.replies
	s.replies = w.reps[:0]
	s.mu.Unlock()
	w.reps = reps
	hint(s.space)
	return reps
}

// drain writes until nothing is pending. It returns false when the writer
// must stop (a close frame went out, or the connection failed).
func (w *writer) drain() bool {
	s := w.s
	for {
		reps := w.take()
		frames := w.frames[:0]
		stop := false
		for i := range reps {
			frames = append(frames, reps[i].data)
			s.apply(reps[i].action)
			if reps[i].close {
				stop = true
				break
			}
		}
		clear(reps)
		delivered := 0
		if !stop && s.open.Load() {
			w.batch = s.events.PopBatch(w.batch[:0], maxBatch)
			st := s.state.Load()
			for _, o := range w.batch {
				if receives(st, o.ev) {
					frames = append(frames, o.frame(s.proto))
					delivered++
				} else {
					s.hub.counters.Inc(stats.SessionFiltered)
				}
			}
			clear(w.batch)
		}
		w.frames = frames
		if len(frames) == 0 {
			return true
		}
		err := w.write(frames, writeTimeout)
		clear(frames)
		if err != nil {
			s.drop()
			return false
		}
		if delivered > 0 {
			s.hub.counters.Add(stats.EventsDelivered, uint64(delivered))
		}
		if stop {
			return false
		}
	}
}

// final writes the replies still pending when the reader has ended (the
// echo of a client's close frame), briefly, and no events.
func (w *writer) final() {
	reps := w.take()
	frames := w.frames[:0]
	for i := range reps {
		frames = append(frames, reps[i].data)
		if reps[i].close {
			break
		}
	}
	if len(frames) > 0 {
		_ = w.write(frames, closeLinger)
	}
}

// apply performs a reply's state change as the reply is written.
func (s *session) apply(a writerAction) {
	switch a {
	case actOpen:
		s.open.Store(true)
	case actClose:
		s.open.Store(false)
	case actClear:
		if n := s.events.Clear(); n > 0 {
			s.hub.counters.Add(stats.SessionCleared, uint64(n))
		}
	case actDeauth:
		s.open.Store(false)
		if n := s.events.Clear(); n > 0 {
			s.hub.counters.Add(stats.SessionDiscarded, uint64(n))
		}
	}
}

// write sends frames in one system call where it can: a gathered write on
// plain TCP, one buffer (one TLS record run) otherwise.
func (w *writer) write(frames [][]byte, timeout time.Duration) error {
	c := w.s.conn
	if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if len(frames) == 1 {
		_, err := c.Write(frames[0])
		return err
	}
	if w.s.plain {
		bufs := net.Buffers(frames)
		_, err := bufs.WriteTo(c)
		return err
	}
	buf := w.scratch[:0]
	for _, f := range frames {
		buf = append(buf, f...)
	}
	_, err := c.Write(buf)
	if cap(buf) <= 64<<10 {
		w.scratch = buf[:0]
	} else {
		w.scratch = nil
	}
	return err
}
