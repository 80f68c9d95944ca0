package ws

import (
	"context"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// sweepInterval is how often the hub looks for sessions to ping, to drop
// for silence, or to close for not authenticating. It bounds the precision
// of those timeouts, not any hot path.
const sweepInterval = 250 * time.Millisecond

// Hub owns the websocket sessions of one instance: it registers them,
// fans host events out to them and closes them.
type Hub struct {
	opts     *Options
	log      *zap.Logger
	counters *stats.Counters
	verifier *auth.Verifier
	throttle *auth.Throttle
	upgrader websocket.Upgrader

	regMu    sync.Mutex
	sessions atomic.Pointer[[]*session] // copy-on-write: the fan-out reads it without a lock
	nextID   atomic.Uint32
	live     atomic.Int64 // sessions counted against max-clients, including upgrades in progress
	wg       sync.WaitGroup

	stop     chan struct{}
	stopped  atomic.Bool
	sweepers sync.WaitGroup
}

func newHub(opts *Options) *Hub {
	h := &Hub{
		opts:     opts,
		log:      opts.Log,
		counters: opts.Counters,
		verifier: auth.NewVerifier(opts.Users, opts.Key, opts.Encryption, opts.AuthBindSID),
		stop:     make(chan struct{}),
	}
	if opts.AuthThrottle {
		h.throttle = auth.NewThrottle(nil)
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// A small read buffer keeps idle connections lean; frames larger
		// than it are read straight through.
		ReadBufferSize: 1024,
		// The server writes frames itself (coalesced, shared between
		// recipients); gorilla only writes control frames it answers on its
		// own, so its write buffer is taken from a pool when needed.
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true }, // no Origin check: file:// pages work
		Error: func(w http.ResponseWriter, _ *http.Request, _ int, _ error) {
			plain(w, http.StatusBadRequest, "Bad Request\n")
		},
	}
	empty := []*session{}
	h.sessions.Store(&empty)
	h.sweepers.Add(1)
	go h.sweep()
	return h
}

func (h *Hub) now() int64 { return time.Now().UnixNano() }

// add registers s; it fails once shutdown has begun. The WaitGroup is
// raised under the same lock that shutdown takes to set stopped, so no Add
// can follow shutdown's Wait.
func (h *Hub) add(s *session) bool {
	h.regMu.Lock()
	defer h.regMu.Unlock()
	if h.stopped.Load() {
		return false
	}
	h.wg.Add(1)
	old := *h.sessions.Load()
	next := make([]*session, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	h.sessions.Store(&next)
	return true
}

func (h *Hub) remove(s *session) {
	h.regMu.Lock()
	old := *h.sessions.Load()
	next := make([]*session, 0, len(old))
	for _, o := range old {
		if o != s {
			next = append(next, o)
		}
	}
	h.sessions.Store(&next)
	h.regMu.Unlock()
}

func (h *Hub) list() []*session { return *h.sessions.Load() }

// receives reports whether st may be sent ev now: authenticated, with the
// receive-events right, and its filter passes.
func receives(st *authState, ev *vscp.Event) bool {
	return st != nil && st.user.Rights.Has(auth.RightReceiveEvents) && st.filter.Match(ev)
}

// Dispatch fans a host or bridge event out to the sessions after the
// out-filter. It runs on the instance's dispatcher goroutine; the event must
// not change afterwards.
func (h *Hub) Dispatch(ev *vscp.Event) {
	if !h.opts.OutFilter.Match(ev) {
		h.counters.Inc(stats.OutFiltered)
		return
	}
	o := &outEvent{ev: ev}
	n := 0
	for _, s := range h.list() {
		if !receives(s.state.Load(), ev) {
			continue
		}
		h.enqueue(s, o)
		n++
	}
	if n == 0 {
		h.counters.Inc(stats.OutUnrouted)
	}
}

// forward delivers an accepted client event to other sessions (and to the
// sender with receive-sent-events). The event must not change afterwards: the
// recipients share it.
func (h *Hub) forward(from *session, ev *vscp.Event) {
	if !h.opts.ForwardClientEvents && !h.opts.ReceiveSentEvents {
		return
	}
	if !h.opts.OutFilter.Match(ev) {
		return
	}
	var o *outEvent
	for _, s := range h.list() {
		if (s == from && !h.opts.ReceiveSentEvents) || (s != from && !h.opts.ForwardClientEvents) {
			continue
		}
		if !s.open.Load() || !receives(s.state.Load(), ev) {
			continue
		}
		if o == nil {
			o = &outEvent{ev: ev}
		}
		h.enqueue(s, o)
		h.counters.Inc(stats.EventsForwarded)
	}
}

// enqueue puts o on s's session queue, encoding it for s's protocol first
// if no earlier recipient needed that encoding.
func (h *Hub) enqueue(s *session, o *outEvent) {
	o.encode(s.proto, h.opts.WS2EventFormat)
	if _, dropped := s.events.Push(o); dropped {
		h.counters.Inc(stats.SessionDroppedOverflow)
		s.noteDrop()
	}
}

// sweep runs the per-session timers of the whole instance in one goroutine:
// server pings, silence detection and the auth timeout.
func (h *Hub) sweep() {
	defer h.sweepers.Done()
	defer func() {
		if r := recover(); r != nil {
			h.log.Error("session sweeper panicked; pings and timeouts stop", zap.Any("panic", r), zap.Stack("stack"))
		}
	}()
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	ping := int64(h.opts.PingInterval)
	authTimeout := int64(h.opts.AuthTimeout)
	for {
		select {
		case <-h.stop:
			return
		case tick := <-t.C:
			now := tick.UnixNano()
			for _, s := range h.list() {
				if s.closing.Load() {
					continue
				}
				if since := s.unauthSince.Load(); authTimeout > 0 && since != 0 && now-since >= authTimeout {
					h.counters.Inc(stats.AuthTimeouts)
					s.closeWith(closePolicyViolated, "authentication timeout")
					continue
				}
				if ping > 0 {
					if now-s.lastRead.Load() > 2*ping {
						h.log.Info("dropping silent session", zap.Uint32("session", s.id), zap.Stringer("peer", s.peer))
						s.drop()
						continue
					}
					if now-s.lastPing >= ping {
						s.lastPing = now
						s.control(controlFrame(opPing, nil))
					}
				}
			}
		}
	}
}

// SessionCounts describes the live sessions for the status document.
type SessionCounts struct {
	Current, WS1, WS2, Authenticated, Open int
	QueueMaxDepth, QueueTotalDepth         int
}

// Counts counts the live sessions.
func (h *Hub) Counts() SessionCounts {
	var c SessionCounts
	for _, s := range h.list() {
		c.Current++
		if s.proto == protoWS1 {
			c.WS1++
		} else {
			c.WS2++
		}
		if s.state.Load() != nil {
			c.Authenticated++
		}
		if s.open.Load() {
			c.Open++
		}
		d := s.events.Len()
		c.QueueTotalDepth += d
		if md := s.events.Stats().MaxDepth; md > c.QueueMaxDepth {
			c.QueueMaxDepth = md
		}
	}
	return c
}

// shutdown closes every session with 1001 "server shutdown", waits up to
// grace for the close handshakes, then cuts the remaining connections and
// waits (until ctx ends) for every session goroutine.
func (h *Hub) shutdown(ctx context.Context, grace time.Duration) error {
	h.regMu.Lock()
	already := h.stopped.Swap(true)
	h.regMu.Unlock()
	if already {
		return nil
	}
	close(h.stop)
	h.sweepers.Wait()
	for _, s := range h.list() {
		s.closeWith(closeGoingAway, "server shutdown")
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-timer.C:
	case <-ctx.Done():
	}
	for _, s := range h.list() {
		s.drop()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// peerKey is what the logs show for a peer.
func peerString(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	return a.String()
}
