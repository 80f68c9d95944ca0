package mqtt

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/queue"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

const (
	// publishQueueSize decouples clients from the broker: events wait here
	// while it is down, the oldest dropped when full.
	publishQueueSize = 1000
	// loopWindow is how long a published (topic, payload) suppresses an
	// identical received message (loop suppression).
	loopWindow = 10 * time.Second
	// quiesce bounds the graceful disconnect, so that Close stays within
	// its 2 s.
	quiesce = 250 * time.Millisecond
	// publishBatch bounds the QoS > 0 messages in flight before the
	// publisher waits for their acknowledgements.
	publishBatch = 256
	// ackTimeout bounds the wait for one acknowledgement.
	ackTimeout = 5 * time.Second
)

// Options configure a Bridge.
type Options struct {
	Config            config.MQTT
	IfGUID            vscp.GUID
	JSONFormat        vscp.JSONFormat
	ReceiveSentEvents bool // turns loop suppression off
	Started           time.Time
	Log               *zap.Logger
	Counters          *stats.Counters
	// Deliver hands a received event to the out-queue without waiting; it
	// reports false when the queue is full.
	Deliver func(*vscp.Event) bool
}

// Status is the bridge's state for the status document.
type Status struct {
	Enabled, Connected           bool
	Broker                       string
	Subscriptions, PublishTopics int
}

type publication struct {
	topic    Template
	verbatim string // bescape-pub-topics false: the topic as written
	qos      byte
	retain   bool
	format   config.MQTTFormat
}

// render is the topic of one message.
func (p *publication) render(inst *Instance, ev *vscp.Event) string {
	if p.verbatim != "" {
		return p.verbatim
	}
	return p.topic.Render(inst, ev, p.format)
}

// Bridge is the MQTT client of one instance: it publishes accepted client
// events and delivers subscribed messages to the sessions. It connects in
// the background and never makes the instance wait for the broker.
type Bridge struct {
	opts   Options
	log    *zap.Logger
	client paho.Client
	inst   Instance
	broker string

	pubs      []publication
	willTopic string
	pending   *queue.DropOldest[*vscp.Event]

	connected atomic.Bool
	lost      chan struct{} // one slot: the connection was lost
	online    chan struct{} // one slot: wakes the publisher after a connect
	stop      chan struct{}
	wg        sync.WaitGroup

	loopMu  sync.Mutex
	seed    maphash.Seed
	recent  map[uint64]time.Time
	recentQ []recentEntry
}

type recentEntry struct {
	key uint64
	at  time.Time
}

// Start validates what the configuration leaves to the bridge (templates,
// TLS files), then connects and publishes in the background.
func Start(o Options) (*Bridge, error) {
	c := o.Config
	b := &Bridge{
		opts:    o,
		log:     o.Log.Named("mqtt"),
		pending: queue.NewDropOldest[*vscp.Event](publishQueueSize),
		lost:    make(chan struct{}, 1),
		online:  make(chan struct{}, 1),
		stop:    make(chan struct{}),
		seed:    maphash.MakeSeed(),
		recent:  map[uint64]time.Time{},
	}
	clientID := renderRnd(c.ClientID)
	b.inst = Instance{IfGUID: o.IfGUID, ClientID: clientID, User: c.User, Host: c.Host, DriverName: "websocksrv"}
	if n, ok := c.UserEscapes["driver-name"]; ok {
		b.inst.DriverName = n
	}
	for i, p := range c.Publish {
		pub := publication{qos: p.QoS, retain: p.Retain, format: p.Format}
		if c.EscapePubTopics {
			var warns []string
			pub.topic, warns = ParseTemplate(p.Topic, PublishTopic, c.UserEscapes)
			for _, w := range warns {
				b.log.Warn("publish topic", zap.Int("entry", i), zap.String("topic", p.Topic), zap.String("warning", w))
			}
		} else {
			pub.verbatim = p.Topic
		}
		b.pubs = append(b.pubs, pub)
	}
	tlsConf, err := tlsConfig(c)
	if err != nil {
		return nil, err
	}
	b.broker = brokerURL(c)
	po := paho.NewClientOptions().
		AddBroker(b.broker).
		SetClientID(clientID).
		SetUsername(c.User).
		SetPassword(c.Password).
		SetKeepAlive(c.KeepAlive).
		SetCleanSession(c.CleanSession || c.ClientID == config.DefaultMQTTClientID).
		SetConnectTimeout(c.ConnectTimeout).
		// The bridge runs its own reconnect schedule (reconnect delay,
		// delay-max, exponential-backoff).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetProtocolVersion(4).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			b.log.Warn("broker connection lost", zap.String("broker", b.broker), zap.Error(err))
			signal(b.lost)
		})
	if tlsConf != nil {
		po.SetTLSConfig(tlsConf)
	}
	if c.Will.Enabled() {
		b.willTopic = c.Will.Topic
		if c.EscapePubTopics {
			wt, warns := ParseTemplate(c.Will.Topic, InstanceTopic, c.UserEscapes)
			for _, w := range warns {
				b.log.Warn("will topic", zap.String("topic", c.Will.Topic), zap.String("warning", w))
			}
			b.willTopic = wt.Render(&b.inst, nil, config.MQTTFormatJSON)
		}
		po.SetWill(b.willTopic, c.Will.Payload, c.Will.QoS, c.Will.Retain)
	}
	for i, s := range c.Subscribe {
		_, warns := ParseTemplate(s.Topic, InstanceTopic, c.UserEscapes)
		for _, w := range warns {
			b.log.Warn("subscribe topic", zap.Int("entry", i), zap.String("topic", s.Topic), zap.String("warning", w))
		}
	}
	b.client = paho.NewClient(po)
	b.wg.Add(2)
	go b.connectLoop()
	go b.publishLoop()
	return b, nil
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// renderRnd replaces {{rnd}} by 16 random lower-case hex digits.
func renderRnd(id string) string {
	for strings.Contains(id, "{{rnd}}") {
		var r [8]byte
		_, _ = rand.Read(r[:])
		id = strings.Replace(id, "{{rnd}}", hex.EncodeToString(r[:]), 1)
	}
	return id
}

// brokerURL is the paho broker address for the configured scheme.
func brokerURL(c config.MQTT) string {
	host := c.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	hp := host + ":" + strconv.Itoa(c.Port)
	switch {
	case c.WebSocket && c.UseTLS:
		return "wss://" + hp + c.Path
	case c.WebSocket:
		return "ws://" + hp + c.Path
	case c.UseTLS:
		return "ssl://" + hp
	default:
		return "tcp://" + hp
	}
}

// tlsConfig builds the broker TLS configuration (mqtt.tls), or nil for plain
// connections.
func tlsConfig(c config.MQTT) (*tls.Config, error) {
	if !c.UseTLS {
		return nil, nil
	}
	t := c.TLS
	tc := &tls.Config{MinVersion: t.MinVersion, ServerName: c.Host}
	if t.CAFile != "" || t.CAPath != "" {
		pool := x509.NewCertPool()
		add := func(key, file string) error {
			pemData, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("mqtt.tls.%s: %w", key, err)
			}
			if !pool.AppendCertsFromPEM(pemData) {
				return fmt.Errorf("mqtt.tls.%s: %s: no PEM certificate", key, file)
			}
			return nil
		}
		if t.CAFile != "" {
			if err := add("cafile", t.CAFile); err != nil {
				return nil, err
			}
		}
		if t.CAPath != "" {
			entries, err := os.ReadDir(t.CAPath)
			if err != nil {
				return nil, fmt.Errorf("mqtt.tls.capath: %w", err)
			}
			for _, e := range entries {
				ext := strings.ToLower(filepath.Ext(e.Name()))
				if !e.IsDir() && (ext == ".pem" || ext == ".crt") {
					if err := add("capath", filepath.Join(t.CAPath, e.Name())); err != nil {
						return nil, err
					}
				}
			}
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := loadClientCert(t.CertFile, t.KeyFile, t.PwKeyFile)
		if err != nil {
			return nil, err
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	switch {
	case !t.VerifyServer:
		tc.InsecureSkipVerify = true
	case t.NoHostnameChecking:
		// Verify the chain but not the name: Go has no switch for that,
		// so the standard check is replaced by one without a DNS name.
		roots := tc.RootCAs
		tc.InsecureSkipVerify = true
		tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("broker sent no certificate")
			}
			certs := make([]*x509.Certificate, len(raw))
			for i, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return err
				}
				certs[i] = c
			}
			inter := x509.NewCertPool()
			for _, c := range certs[1:] {
				inter.AddCert(c)
			}
			_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return tc, nil
}

// loadClientCert loads the client certificate; pw decrypts a legacy
// encrypted PEM key (vscpd's pwkeyfile).
func loadClientCert(certFile, keyFile, pw string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mqtt.tls.certfile: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mqtt.tls.keyfile: %w", err)
	}
	// Legacy (RFC 1423) encrypted keys are what vscpd's pwkeyfile decrypts;
	// Go keeps the functions for exactly such keys.
	block, _ := pem.Decode(keyPEM)
	//lint:ignore SA1019 the legacy key format is the point of pwkeyfile
	if block != nil && pw != "" && x509.IsEncryptedPEMBlock(block) {
		//lint:ignore SA1019 see above
		der, err := x509.DecryptPEMBlock(block, []byte(pw))
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("mqtt.tls.pwkeyfile: %w", err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("mqtt.tls.certfile/keyfile: %w", err)
	}
	return cert, nil
}

// connectLoop connects, subscribes, and reconnects on the configured
// schedule until Close.
func (b *Bridge) connectLoop() {
	defer b.wg.Done()
	defer b.recoverLog("connect loop")
	c := b.opts.Config
	attempt := 0
	for {
		tok := b.client.Connect()
		ok := waitToken(tok, c.ConnectTimeout+time.Second, b.stop)
		select {
		case <-b.stop:
			return
		default:
		}
		if !ok {
			attempt++
			b.log.Warn("broker unreachable; retrying", zap.String("broker", b.broker), zap.Error(tok.Error()),
				zap.Duration("in", c.Reconnect.Wait(attempt)))
			if !b.sleep(c.Reconnect.Wait(attempt)) {
				return
			}
			continue
		}
		attempt = 0
		select {
		case <-b.lost: // a stale loss from the previous connection
		default:
		}
		b.subscribe()
		b.connected.Store(true)
		b.opts.Counters.Inc(stats.MQTTConnects)
		b.log.Info("connected to broker", zap.String("broker", b.broker))
		signal(b.online)
		select {
		case <-b.stop:
			return
		case <-b.lost:
		}
		b.connected.Store(false)
		b.opts.Counters.Inc(stats.MQTTDisconnects)
		attempt = 1
		if !b.sleep(c.Reconnect.Wait(attempt)) {
			return
		}
	}
}

// waitToken waits for tok until timeout or stop.
func waitToken(tok paho.Token, timeout time.Duration, stop <-chan struct{}) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-tok.Done():
		return tok.Error() == nil
	case <-t.C:
		return false
	case <-stop:
		return false
	}
}

func (b *Bridge) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.stop:
		return false
	}
}

// subscribe (re)subscribes every entry; subscribe topics are rendered with
// instance escapes only.
func (b *Bridge) subscribe() {
	for _, s := range b.opts.Config.Subscribe {
		t, _ := ParseTemplate(s.Topic, InstanceTopic, b.opts.Config.UserEscapes)
		topic := t.Render(&b.inst, nil, s.Format)
		format := s.Format
		tok := b.client.Subscribe(topic, s.QoS, func(_ paho.Client, m paho.Message) {
			b.received(m.Topic(), m.Payload(), format)
		})
		if !waitToken(tok, ackTimeout, b.stop) {
			b.log.Error("subscribe failed", zap.String("topic", topic), zap.Error(tok.Error()))
		}
	}
}

// received handles one subscribed message: decode, loop suppression,
// delivery to the sessions.
func (b *Bridge) received(topic string, payload []byte, format config.MQTTFormat) {
	defer b.recoverLog("message handler")
	b.opts.Counters.Inc(stats.MQTTReceived)
	if !b.opts.ReceiveSentEvents && b.seen(topic, payload) {
		b.opts.Counters.Inc(stats.MQTTLoopSuppressed)
		return
	}
	ev, err := Decode(payload, format, time.Now())
	if err != nil {
		b.opts.Counters.Inc(stats.MQTTDecodeErrors)
		b.log.Debug("undecodable message ignored", zap.String("topic", topic), zap.Error(err))
		return
	}
	if ev.DateTime.IsUnset() {
		ev.DateTime = vscp.DateTimeOf(time.Now())
	}
	if ev.Timestamp == 0 {
		ev.Timestamp = uint32(time.Since(b.opts.Started).Microseconds())
		if ev.Timestamp == 0 {
			ev.Timestamp = 1
		}
	}
	if !b.opts.Deliver(&ev) {
		b.opts.Counters.Inc(stats.MQTTOutQueueFull)
	}
}

// Publish queues an accepted client event for every publish entry; ev
// must not change afterwards. It never waits: when the queue is full the
// oldest waiting event is dropped.
func (b *Bridge) Publish(ev *vscp.Event) {
	if len(b.pubs) == 0 {
		return
	}
	if _, dropped := b.pending.Push(ev); dropped {
		b.opts.Counters.Inc(stats.MQTTPublishDropped)
	}
}

// publishLoop sends queued events while connected; while the broker is
// away they wait in the bounded queue.
func (b *Bridge) publishLoop() {
	defer b.wg.Done()
	defer b.recoverLog("publisher")
	var batch []*vscp.Event
	var retry, sent []sentMsg
	var payload []byte
	publish := func(ev *vscp.Event, pub int) {
		p := &b.pubs[pub]
		topic := p.render(&b.inst, ev)
		if !ValidPublishTopic(topic) {
			b.opts.Counters.Inc(stats.MQTTPublishErrors)
			return
		}
		payload = Encode(payload[:0], ev, p.format, b.opts.JSONFormat)
		if !b.opts.ReceiveSentEvents {
			b.remember(topic, payload)
		}
		sent = append(sent, sentMsg{ev: ev, pub: pub, tok: b.client.Publish(topic, p.qos, p.retain, string(payload))})
	}
	for {
		select {
		case <-b.stop:
			return
		case <-b.pending.Ready():
		case <-b.online:
		}
		for b.connected.Load() {
			sent = sent[:0]
			// Publications that failed when the connection broke go
			// first, so that order holds across a reconnect; only the
			// entries that failed are sent again.
			for _, m := range retry {
				publish(m.ev, m.pub)
			}
			clear(retry)
			retry = retry[:0]
			batch = b.pending.PopBatch(batch[:0], publishBatch)
			for _, ev := range batch {
				for i := range b.pubs {
					publish(ev, i)
				}
			}
			clear(batch)
			if len(sent) == 0 {
				break
			}
			for _, m := range sent {
				if waitToken(m.tok, ackTimeout, b.stop) {
					b.opts.Counters.Inc(stats.MQTTPublished)
					continue
				}
				if !b.client.IsConnectionOpen() {
					retry = append(retry, sentMsg{ev: m.ev, pub: m.pub})
					continue
				}
				b.opts.Counters.Inc(stats.MQTTPublishErrors)
			}
			clear(sent)
		}
	}
}

// sentMsg is one publication waiting for its acknowledgement.
type sentMsg struct {
	ev  *vscp.Event
	pub int // index in pubs
	tok paho.Token
}

func (b *Bridge) hash(topic string, payload []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	h.WriteString(topic)
	h.WriteByte(0)
	h.Write(payload)
	return h.Sum64()
}

// remember records a published message for loop suppression.
func (b *Bridge) remember(topic string, payload []byte) {
	k := b.hash(topic, payload)
	now := time.Now()
	b.loopMu.Lock()
	b.expire(now)
	b.recent[k] = now.Add(loopWindow)
	b.recentQ = append(b.recentQ, recentEntry{key: k, at: now.Add(loopWindow)})
	b.loopMu.Unlock()
}

// seen reports whether an identical message was published in the window.
func (b *Bridge) seen(topic string, payload []byte) bool {
	k := b.hash(topic, payload)
	now := time.Now()
	b.loopMu.Lock()
	defer b.loopMu.Unlock()
	b.expire(now)
	until, ok := b.recent[k]
	return ok && now.Before(until)
}

func (b *Bridge) expire(now time.Time) {
	i := 0
	for ; i < len(b.recentQ) && !now.Before(b.recentQ[i].at); i++ {
		e := b.recentQ[i]
		if until, ok := b.recent[e.key]; ok && !now.Before(until) {
			delete(b.recent, e.key)
		}
	}
	if i > 0 {
		b.recentQ = append(b.recentQ[:0], b.recentQ[i:]...)
	}
}

func (b *Bridge) recoverLog(where string) {
	if r := recover(); r != nil {
		b.log.Error("recovered panic", zap.String("in", where), zap.Any("panic", r), zap.Stack("stack"))
	}
}

// Status reports the bridge state.
func (b *Bridge) Status() Status {
	return Status{
		Enabled:       true,
		Connected:     b.connected.Load(),
		Broker:        net.JoinHostPort(b.opts.Config.Host, strconv.Itoa(b.opts.Config.Port)),
		Subscriptions: len(b.opts.Config.Subscribe),
		PublishTopics: len(b.pubs),
	}
}

// Close stops retrying and disconnects within the quiesce time; with a
// retained will, the will topic is cleared first so that the stale will
// does not stay on the broker.
func (b *Bridge) Close() {
	select {
	case <-b.stop:
		return
	default:
	}
	close(b.stop)
	b.wg.Wait()
	if w := b.opts.Config.Will; w.Enabled() && w.Retain && b.client.IsConnected() {
		tok := b.client.Publish(b.willTopic, w.QoS, true, "")
		tok.WaitTimeout(quiesce)
	}
	// Also when not (yet) connected: paho then abandons a connect attempt
	// that the stopped connect loop left in flight.
	b.client.Disconnect(uint(quiesce / time.Millisecond))
	if n := b.pending.Clear(); n > 0 {
		b.opts.Counters.Add(stats.MQTTPublishDropped, uint64(n))
	}
}
