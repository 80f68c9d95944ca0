// Package ws is the driver's HTTP side: request routing on the instance's
// listener, the ws1 and ws2 websocket sessions, the status document and
// static content.
package ws

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Options configure a Server. The values come from the instance's
// configuration; Submit, Status and the counters from the driver.
type Options struct {
	Log      *zap.Logger
	Counters *stats.Counters

	AllowRemotes auth.Remotes

	EnableWS1, EnableWS2 bool
	URLWS1, URLWS2       string
	EnableREST           bool
	RESTPath             string
	EnableStatic         bool
	WebRoot              string

	// Status renders the status document; it is called once per request.
	Status func() []byte
	// Submit hands an accepted, normalised client event to the host side
	// (in-filter and in-queue).
	Submit func(*vscp.Event) (bool, error)
	// Publish, when set, hands an event that passed the in-filter to the
	// MQTT bridge. It must not wait.
	Publish func(*vscp.Event)

	Users        *auth.Users
	Key          []byte
	Encryption   auth.Encryption
	AuthBindSID  bool
	AuthThrottle bool

	MaxClients      int
	MaxClientQueue  int
	MaxMessageSize  int64
	MaxAuthFailures int
	PingInterval    time.Duration
	AuthTimeout     time.Duration

	ForwardClientEvents, ReceiveSentEvents bool
	OutFilter                              vscp.Filter
	WS2EventFormat                         vscp.JSONFormat
	InterfaceGUID                          vscp.GUID
	Started                                time.Time // driver timestamps count from here
}

// closeGrace is how long Close waits for the websocket close handshakes.
const closeGrace = time.Second

// Server serves HTTP and websockets on one listener until Close.
type Server struct {
	opts   Options
	hub    *Hub
	static http.Handler
	http   *http.Server
	ln     net.Listener
	wg     sync.WaitGroup // the Serve loop
	conns  sync.WaitGroup // plain HTTP connections until closed or hijacked
}

// Start serves on ln in a goroutine of its own. The server owns ln from now
// on.
func Start(ln net.Listener, opts Options) *Server {
	s := &Server{opts: opts, ln: ln}
	if opts.MaxClientQueue < 1 {
		s.opts.MaxClientQueue = 1
	}
	s.hub = newHub(&s.opts)
	s.static = newStatic(&s.opts)
	s.http = &http.Server{
		Handler:           http.HandlerFunc(s.route),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// The standard logger is process-wide state that a library loaded
		// into vscpd must not use.
		ErrorLog: zap.NewStdLog(opts.Log.Named("http")),
		// http.Server.Close does not wait for connection goroutines; this
		// lets Close join them. StateNew is reported by the Serve loop
		// before it starts the connection, so once Serve has returned no
		// Add can race the Wait. Websocket sessions are hijacked and
		// joined by the hub instead.
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				s.conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				s.conns.Done()
			}
		},
	}
	s.wg.Add(1)
	go s.serve()
	return s
}

func (s *Server) serve() {
	defer s.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			s.opts.Log.Error("HTTP accept loop panicked; the instance no longer serves clients", zap.Any("panic", r), zap.Stack("stack"))
		}
	}()
	err := s.http.Serve(s.ln)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.opts.Log.Error("HTTP server stopped", zap.Error(err))
	}
}

// Addr is the address the listener is bound to.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Dispatch fans a host event out to the websocket sessions.
func (s *Server) Dispatch(ev *vscp.Event) { s.hub.Dispatch(ev) }

// Sessions counts the live sessions.
func (s *Server) Sessions() SessionCounts { return s.hub.Counts() }

// Close stops accepting, closes every websocket session with 1001 (waiting
// up to a second for the close handshakes), closes the other connections
// and waits for every goroutine, at most until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	// http.Server.Close closes the listener and the plain HTTP
	// connections; hijacked websocket connections are the hub's.
	err := s.http.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	herr := s.hub.shutdown(ctx, closeGrace)
	done := make(chan struct{})
	go func() { s.wg.Wait(); s.conns.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if herr != nil {
		return herr
	}
	return err
}

// peerAddr is the TCP peer of r, unmapped and without zone; proxy headers
// are never consulted, so a client cannot choose its address.
func peerAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap().WithZone("")
}

// route checks allow-remotes first, on every request, then dispatches on
// the exact path: ws1, ws2, the status document, static content, else 404.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	o := &s.opts
	if !o.AllowRemotes.Empty() && !o.AllowRemotes.Allow(peerAddr(r)) {
		o.Counters.Inc(stats.SessionsRejectedRemote)
		plain(w, http.StatusForbidden, "Forbidden\n")
		return
	}
	path := r.URL.Path
	switch {
	case o.EnableWS1 && path == o.URLWS1:
		s.hub.serveWS(w, r, protoWS1)
	case o.EnableWS2 && path == o.URLWS2:
		s.hub.serveWS(w, r, protoWS2)
	case o.EnableREST && path == o.RESTPath:
		s.serveStatus(w, r)
	case o.EnableStatic:
		s.static.ServeHTTP(w, r)
	default:
		plain(w, http.StatusNotFound, "Not Found\n")
	}
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed\n")
		return
	}
	body := s.opts.Status()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

func plain(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}
