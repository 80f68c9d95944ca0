// Package ws is the driver's HTTP side: the listener's request routing,
// the status document endpoint and (with the protocol handlers) the ws1 and
// ws2 websocket endpoints.
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
)

// Options configure a Server.
type Options struct {
	Log          *zap.Logger
	Counters     *stats.Counters
	AllowRemotes auth.Remotes

	EnableREST bool
	RESTPath   string
	// Status renders the status document; it is called once per request.
	Status func() []byte
}

// Server serves HTTP on one listener until Close.
type Server struct {
	opts  Options
	http  *http.Server
	ln    net.Listener
	wg    sync.WaitGroup // the Serve loop
	conns sync.WaitGroup // one per connection until it is closed or hijacked
}

// Start serves on ln in a goroutine of its own. The server owns ln from now
// on.
func Start(ln net.Listener, opts Options) *Server {
	s := &Server{opts: opts, ln: ln}
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
		// Add can race the Wait.
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

// Close stops accepting, closes every connection and waits for the serving
// goroutines, at most until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	err := s.http.Close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); s.conns.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// peerAddr is the TCP peer of r, unmapped and without zone; proxy headers
// are never consulted (users-and-auth.md §5.2).
func peerAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap().WithZone("")
}

// route applies ws1.md T2 in order.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if !s.opts.AllowRemotes.Empty() && !s.opts.AllowRemotes.Allow(peerAddr(r)) {
		s.opts.Counters.Inc(stats.SessionsRejectedRemote)
		plain(w, http.StatusForbidden, "Forbidden\n")
		return
	}
	if s.opts.EnableREST && r.URL.Path == s.opts.RESTPath {
		s.serveStatus(w, r)
		return
	}
	plain(w, http.StatusNotFound, "Not Found\n")
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
