// Package driver is the public Go API of the websocket server driver: Open
// an instance from a configuration, Write host events to the websocket
// clients, Read the events the clients send, Close. The C API (capi) and the
// standalone binary are thin layers over it.
package driver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/logging"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/mqtt"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/queue"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/ws"
)

// Errors of Write and Read. They map one to one onto the C API codes.
var (
	ErrClosed    = errors.New("driver closed")           // 47 (41 once the handle is gone)
	ErrTimeout   = errors.New("no event within timeout") // 32
	ErrFull      = errors.New("out-queue full")          // 9
	ErrParameter = errors.New("invalid event")           // 34
	ErrNotTaken  = errors.New("event not taken")         // ReadInto: deliver refused it (35 in the C API)
)

// ErrReported marks an Open error that has already been written to the
// instance's log, so callers need not print it again.
var ErrReported = errors.New("reported in the instance log")

const (
	resolveTimeout = 5 * time.Second
	closeBudget    = 2 * time.Second
)

// Driver is one open instance: a listener with its sessions, the bounded
// in- and out-queues and the goroutines that serve them.
type Driver struct {
	cfg     *config.Config
	ifGUID  vscp.GUID
	log     *zap.Logger
	closeLg func() error

	in  *queue.Blocking[*vscp.Event] // clients → host (Read)
	out *queue.Blocking[*vscp.Event] // host → clients (Write)

	counters stats.Counters
	users    *auth.Users
	key      []byte
	srv      *ws.Server
	bridge   *mqtt.Bridge // nil when the mqtt block is off
	addr     net.Addr

	started   time.Time
	stop      chan struct{} // closed by Close; ends the periodic goroutines
	wg        sync.WaitGroup
	closeOnce sync.Once
	closed    atomic.Bool
}

// Open starts an instance as VSCPOpen does (docs/c-api.md), synchronously:
// it sets up the logger, loads the key file, the users and the TLS material,
// binds the listener and starts the instance's goroutines. ifGUID is the
// interface GUID that fills the empty GUIDs of client events. On failure
// everything already started is torn down.
func Open(cfg *config.Config, ifGUID vscp.GUID) (d *Driver, err error) {
	if cfg == nil {
		return nil, errors.New("no configuration")
	}
	d = &Driver{cfg: cfg, ifGUID: ifGUID, started: time.Now(), stop: make(chan struct{})}
	d.log, d.closeLg, err = logging.New(cfg.Logging, "websocksrv@"+cfg.Listen.HostPort())
	if err != nil {
		return nil, fmt.Errorf("logging: %w", err)
	}
	defer func() {
		if err != nil {
			d.log.Error("open failed", zap.Error(err))
			_ = d.closeLg()
			err = fmt.Errorf("%w (%w)", err, ErrReported)
			d = nil
		}
	}()
	for _, n := range cfg.Notes {
		if ce := d.log.Check(n.Level, n.Msg); ce != nil {
			ce.Write()
		}
	}
	if err := d.loadSecrets(); err != nil {
		return d, err
	}
	var tlsConf *tls.Config
	if cfg.Listen.TLS {
		if tlsConf, err = ws.TLSConfig(cfg.TLS, d.log); err != nil {
			return d, err
		}
	}
	ln, err := d.listen(tlsConf)
	if err != nil {
		return d, err
	}
	d.addr = ln.Addr()
	d.in = queue.NewBlocking[*vscp.Event](cfg.MaxInQueue)
	d.out = queue.NewBlocking[*vscp.Event](cfg.MaxOutQueue)
	var publish func(*vscp.Event)
	if cfg.MQTT.Enabled {
		d.bridge, err = mqtt.Start(mqtt.Options{
			Config:            cfg.MQTT,
			IfGUID:            ifGUID,
			JSONFormat:        cfg.WS2EventFormat,
			ReceiveSentEvents: cfg.ReceiveSentEvents,
			Started:           d.started,
			Log:               d.log,
			Counters:          &d.counters,
			Deliver:           func(ev *vscp.Event) bool { return d.out.TryPush(ev) == nil },
		})
		if err != nil {
			_ = ln.Close()
			return d, err
		}
		publish = d.bridge.Publish
	}
	d.srv = ws.Start(ln, ws.Options{
		Log:                 d.log,
		Counters:            &d.counters,
		AllowRemotes:        cfg.AllowRemotes,
		EnableWS1:           cfg.EnableWS1,
		URLWS1:              cfg.URLWS1,
		EnableWS2:           cfg.EnableWS2,
		URLWS2:              cfg.URLWS2,
		EnableREST:          cfg.EnableREST,
		RESTPath:            cfg.URLREST,
		EnableStatic:        cfg.EnableStatic,
		WebRoot:             cfg.WebRoot,
		Status:              d.statusDocument,
		Submit:              d.Submit,
		Publish:             publish,
		Users:               d.users,
		Key:                 d.key,
		Encryption:          cfg.Encryption,
		AuthBindSID:         cfg.AuthBindSID,
		AuthThrottle:        cfg.AuthThrottle,
		MaxClients:          cfg.MaxClients,
		MaxClientQueue:      cfg.MaxClientQueue,
		MaxMessageSize:      cfg.MaxMessageSize,
		MaxAuthFailures:     cfg.MaxAuthFailures,
		PingInterval:        cfg.WSPingInterval,
		AuthTimeout:         cfg.AuthTimeout,
		ForwardClientEvents: cfg.ForwardClientEvents,
		ReceiveSentEvents:   cfg.ReceiveSentEvents,
		OutFilter:           cfg.OutFilter,
		WS2EventFormat:      cfg.WS2EventFormat,
		InterfaceGUID:       d.ifGUID,
		Started:             d.started,
	})
	d.wg.Add(2)
	go d.dispatch()
	go d.logCountersPeriodically()
	d.log.Info("opened",
		zap.String("listen", d.addr.String()),
		zap.Bool("tls", cfg.Listen.TLS),
		zap.String("abi", cfg.ABI.String()),
		zap.String("ws1", endpoint(cfg.EnableWS1, cfg.URLWS1)),
		zap.String("ws2", endpoint(cfg.EnableWS2, cfg.URLWS2)),
		zap.Int("users", d.users.Len()))
	return d, nil
}

func endpoint(on bool, path string) string {
	if !on {
		return "off"
	}
	return path
}

// loadSecrets reads the AES key and the users (docs/configuration.md,
// key-file and path-users).
func (d *Driver) loadSecrets() error {
	cfg := d.cfg
	switch {
	case cfg.Encryption == auth.EncNone:
		d.log.Warn("encryption is none: AUTH credentials travel in clear; use TLS")
	case cfg.KeyFile == "":
		// The config notes already warned that logins can be forged.
		d.key = auth.DefaultKey(cfg.Encryption)
	default:
		key, warns, err := auth.LoadKeyFile(cfg.KeyFile, cfg.Encryption)
		if err != nil {
			return fmt.Errorf("key-file: %w", err)
		}
		for _, w := range warns {
			d.log.Warn(w)
		}
		d.key = key
	}
	users, warns, err := auth.LoadUsers(cfg.PathUsers, cfg.Users)
	if err != nil {
		return err
	}
	for _, w := range warns {
		d.log.Warn(w)
	}
	d.users = users
	return nil
}

// listen resolves and binds the interface (docs/configuration.md, interface).
func (d *Driver) listen(tlsConf *tls.Config) (net.Listener, error) {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	network, address, err := d.cfg.Listen.Resolve(ctx)
	if err != nil {
		return nil, fmt.Errorf("interface %q: %w", d.cfg.Listen.Raw, err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("interface %q: %w", d.cfg.Listen.Raw, err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	return ln, nil
}

// Addr is the bound listen address (with the real port when the configured
// port was 0).
func (d *Driver) Addr() net.Addr { return d.addr }

// Logger is the instance's logger.
func (d *Driver) Logger() *zap.Logger { return d.log }

// Config is the configuration the instance was opened with.
func (d *Driver) Config() *config.Config { return d.cfg }

// Write queues a copy of ev for the websocket clients. It waits up to
// timeout for space in the out-queue; timeout 0 waits forever (the C API's
// rule). It returns ErrParameter for an event with more than 512 data
// bytes, ErrFull when the timeout expires and ErrClosed once Close has begun.
func (d *Driver) Write(ev *vscp.Event, timeout time.Duration) error {
	if ev == nil || len(ev.Data) > vscp.MaxData {
		return ErrParameter
	}
	return d.WriteOwned(ev.Clone(), timeout)
}

// WriteOwned is Write without the copy: the driver keeps ev, and the caller
// must not touch it afterwards.
func (d *Driver) WriteOwned(ev *vscp.Event, timeout time.Duration) error {
	if ev == nil || len(ev.Data) > vscp.MaxData {
		return ErrParameter
	}
	wait := timeout
	if wait <= 0 {
		wait = queue.Forever
	}
	switch err := d.out.Push(ev, wait); {
	case err == nil:
		d.counters.Inc(stats.HostEventsWritten)
		return nil
	case errors.Is(err, queue.ErrFull):
		d.counters.Inc(stats.HostWriteFull)
		return ErrFull
	default:
		return ErrClosed
	}
}

// Read takes the next event sent by a client, waiting up to timeout;
// timeout 0 waits forever. It returns ErrTimeout only after the timeout has
// elapsed and ErrClosed once Close has begun. Each event goes to exactly one
// caller.
func (d *Driver) Read(timeout time.Duration) (*vscp.Event, error) {
	var got *vscp.Event
	err := d.ReadInto(timeout, func(ev *vscp.Event) bool { got = ev; return true })
	return got, err
}

// ReadInto is Read for a caller that may fail to take the event (the C API
// when malloc fails): deliver is called with the event, and when it returns
// false the event goes back to the head of the in-queue and is not counted
// as read.
func (d *Driver) ReadInto(timeout time.Duration, deliver func(*vscp.Event) bool) error {
	wait := timeout
	if wait <= 0 {
		wait = queue.Forever
	}
	ev, err := d.in.Pop(wait)
	switch {
	case errors.Is(err, queue.ErrTimeout):
		return ErrTimeout
	case err != nil:
		return ErrClosed
	}
	if !deliver(ev) {
		if d.in.Unread(ev) != nil {
			d.log.Error("an event could not be handed to the host and the instance closed meanwhile: one client event lost")
		}
		return ErrNotTaken
	}
	d.counters.Inc(stats.HostEventsRead)
	return nil
}

// Submit queues a client event for Read, as a websocket session does once the
// event has passed the rights checks and normalisation: the in-filter
// decides, then the event goes to the in-queue without waiting. It reports
// whether the event was queued (false: the in-filter rejected it, which is
// counted, not an error) and returns ErrFull when the in-queue is full and
// ErrClosed after Close.
func (d *Driver) Submit(ev *vscp.Event) (bool, error) {
	if ev == nil || len(ev.Data) > vscp.MaxData {
		return false, ErrParameter
	}
	if d.closed.Load() {
		return false, ErrClosed
	}
	if !d.cfg.InFilter.Match(ev) {
		d.counters.Inc(stats.InFiltered)
		return false, nil
	}
	switch err := d.in.TryPush(ev); {
	case err == nil:
		return true, nil
	case errors.Is(err, queue.ErrFull):
		d.counters.Inc(stats.ClientEventsRejectedFull)
		return false, ErrFull
	default:
		return false, ErrClosed
	}
}

// Unread returns an event taken by Read to the head of the in-queue, for a
// caller that could not pass it on (the C API when malloc fails).
func (d *Driver) Unread(ev *vscp.Event) error {
	// host_events_read stays as it is: counters never go down, and the
	// event was handed out once.
	if err := d.in.Unread(ev); err != nil {
		return ErrClosed
	}
	return nil
}

// dispatch drains the out-queue in FIFO order, so host events reach the
// sessions in the order they were written.
func (d *Driver) dispatch() {
	defer d.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("dispatcher panicked; host events are no longer delivered until close", zap.Any("panic", r), zap.Stack("stack"))
		}
	}()
	for {
		ev, err := d.out.Pop(queue.Forever)
		if err != nil {
			return
		}
		d.srv.Dispatch(ev)
	}
}

// counterLogInterval is how often the counters go to the debug log.
const counterLogInterval = 60 * time.Second

func (d *Driver) logCountersPeriodically() {
	defer d.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("counter logger panicked", zap.Any("panic", r))
		}
	}()
	t := time.NewTicker(counterLogInterval)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.log.Debug("counters", zap.Object("counters", counterFields(d.counters.Snapshot())))
		}
	}
}

// Close stops the instance like VSCPClose (docs/c-api.md): blocked Read and
// Write calls return ErrClosed, the listener and every connection close,
// and every goroutine is joined within 2 s. Later calls do nothing.
func (d *Driver) Close() error {
	var err error
	d.closeOnce.Do(func() { err = d.close() })
	return err
}

func (d *Driver) close() error {
	deadline := time.Now().Add(closeBudget)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	d.closed.Store(true)
	close(d.stop)
	discardedIn := d.in.Close()
	discardedOut := d.out.Close()
	var errs []error
	if d.bridge != nil {
		d.bridge.Close()
	}
	if err := d.srv.Close(ctx); err != nil {
		errs = append(errs, fmt.Errorf("listener: %w", err))
	}
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, errors.New("goroutines still running at the 2 s close deadline"))
	}
	d.log.Info("closed",
		zap.Int("discarded_in", discardedIn),
		zap.Int("discarded_out", discardedOut),
		zap.Object("counters", counterFields(d.counters.Snapshot())))
	err := errors.Join(errs...)
	if err != nil {
		d.log.Error("close", zap.Error(err))
	}
	if lerr := d.closeLg(); lerr != nil && err == nil {
		err = lerr
	}
	return err
}
