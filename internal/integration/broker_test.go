package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// The MQTT bridge tests run against a real broker: the Debian mosquitto
// when it is installed, otherwise an in-process mochi-mqtt broker (the test
// log says which). VSCP_TEST_NO_MOSQUITTO=1 forces the fallback, so that
// both paths can be exercised on a machine that has mosquitto.

// noMosquittoEnv forces the in-process broker when set to a non-empty value.
const noMosquittoEnv = "VSCP_TEST_NO_MOSQUITTO"

// brokerStartTimeout bounds the wait for a started broker to accept.
const brokerStartTimeout = 10 * time.Second

// mosquittoPath is the mosquitto binary, or "" when there is none (or the
// fallback is forced).
func mosquittoPath() string {
	if os.Getenv(noMosquittoEnv) != "" {
		return ""
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	const debian = "/usr/sbin/mosquitto"
	if st, err := os.Stat(debian); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
		return debian
	}
	return ""
}

// brokerTLS is the server side of a TLS listener.
type brokerTLS struct {
	caFile, certFile, keyFile string
}

// broker is one MQTT broker on 127.0.0.1 with a fixed port: it can be
// killed and started again on the same port.
type broker struct {
	tb       testing.TB
	bin      string // "" = in-process fallback
	dir      string
	tls      *brokerTLS
	port     int
	launches int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	out    *lockedBuffer
	srv    *mochi.Server
}

// lockedBuffer collects a child's output from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startBroker starts a broker on an ephemeral loopback port (TLS when tc is
// given); it is killed when the test ends.
func startBroker(tb testing.TB, tc *brokerTLS) *broker {
	tb.Helper()
	b := &broker{tb: tb, bin: mosquittoPath(), dir: tb.TempDir(), tls: tc}
	switch {
	case b.bin != "":
		tb.Logf("broker: %s", b.bin)
	case os.Getenv(noMosquittoEnv) != "":
		tb.Logf("%s is set: using the in-process mochi-mqtt broker instead of mosquitto (fallback)", noMosquittoEnv)
	default:
		tb.Log("mosquitto is not installed (not in PATH, no /usr/sbin/mosquitto): using the in-process mochi-mqtt broker instead (fallback)")
	}
	tb.Cleanup(b.kill)
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = b.launch(0); err == nil {
			return b
		}
	}
	tb.Fatalf("starting the broker: %v", err)
	return nil
}

// addr is host:port of the broker.
func (b *broker) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// url is the broker address for paho and for the bridge's host key.
func (b *broker) url() string {
	if b.tls != nil {
		return "ssl://" + b.addr()
	}
	return "tcp://" + b.addr()
}

// launch starts the broker on port (0: pick a free one).
func (b *broker) launch(port int) error {
	if b.bin == "" {
		return b.launchMochi(port)
	}
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		port = p
	}
	b.launches++
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
	if b.tls != nil {
		conf += fmt.Sprintf("cafile %s\ncertfile %s\nkeyfile %s\n", b.tls.caFile, b.tls.certFile, b.tls.keyFile)
	}
	// As root, mosquitto would switch to the user "mosquitto", who cannot
	// read the test's private directory; the line has no effect otherwise.
	conf += "user root\n"
	path := filepath.Join(b.dir, fmt.Sprintf("mosquitto-%d.conf", b.launches))
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return err
	}
	out := &lockedBuffer{}
	cmd := exec.Command(b.bin, "-c", path)
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(brokerStartTimeout)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-exited:
			return fmt.Errorf("mosquitto exited on port %d: %s", port, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("mosquitto did not accept on port %d within %v: %s", port, brokerStartTimeout, out.String())
		}
	}
	b.mu.Lock()
	b.cmd, b.exited, b.out, b.port = cmd, exited, out, port
	b.mu.Unlock()
	return nil
}

// dieWithParent asks the kernel to kill the child when the test binary
// dies (a test timeout must not leave a broker behind). Only Linux has the
// field; elsewhere nothing is set.
func dieWithParent(cmd *exec.Cmd) {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.SetInt(int64(syscall.SIGKILL))
		cmd.SysProcAttr = attr
	}
}

func (b *broker) launchMochi(port int) error {
	srv := mochi.New(&mochi.Options{
		Logger:                 slog.New(slog.NewTextHandler(io.Discard, nil)),
		SysTopicResendInterval: 3600,
	})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return err
	}
	lc := listeners.Config{ID: "t", Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	if b.tls != nil {
		cert, err := tls.LoadX509KeyPair(b.tls.certFile, b.tls.keyFile)
		if err != nil {
			return err
		}
		lc.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	l := listeners.NewTCP(lc)
	var err error
	// A port given back a moment ago may need a short while.
	for deadline := time.Now().Add(brokerStartTimeout); ; {
		if err = srv.AddListener(l); err == nil || port == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return err
	}
	_, ps, _ := net.SplitHostPort(l.Address())
	p, err := strconv.Atoi(ps)
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("mochi listener address %q", l.Address())
	}
	b.mu.Lock()
	b.srv, b.port = srv, p
	b.mu.Unlock()
	return nil
}

// kill stops the broker at once: mosquitto gets SIGKILL, the in-process
// broker drops its listener and every connection.
func (b *broker) kill() {
	b.mu.Lock()
	cmd, exited, srv := b.cmd, b.exited, b.srv
	b.cmd, b.srv = nil, nil
	b.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		<-exited
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// restart starts the broker again on the same port.
func (b *broker) restart() {
	b.tb.Helper()
	if err := b.launch(b.port); err != nil {
		b.tb.Fatalf("restarting the broker on port %d: %v", b.port, err)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ---------------------------------------------------------------------------
// A paho client on the test side.

// mqttMsg is one message a test client received.
type mqttMsg struct {
	topic    string
	payload  []byte
	qos      byte
	retained bool
}

// mqttClient is a test-side MQTT client: whatever it subscribes to is
// collected, in arrival order, in msgs.
type mqttClient struct {
	c    paho.Client
	msgs chan mqttMsg
}

// randomID is a short random client id suffix.
func randomID() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// newMQTTClient connects to b (with tc for TLS) and subscribes to each
// topic with QoS 2, so that messages arrive with the QoS they were
// published with. It is disconnected when the test ends.
func newMQTTClient(tb testing.TB, b *broker, tc *tls.Config, topics ...string) *mqttClient {
	tb.Helper()
	mc := &mqttClient{msgs: make(chan mqttMsg, 1<<16)}
	o := paho.NewClientOptions().
		AddBroker(b.url()).
		SetClientID("test-" + randomID()).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetConnectTimeout(frameTimeout).
		SetProtocolVersion(4).
		SetOrderMatters(true)
	if tc != nil {
		o.SetTLSConfig(tc)
	}
	mc.c = paho.NewClient(o)
	if tok := mc.c.Connect(); !tok.WaitTimeout(frameTimeout) || tok.Error() != nil {
		tb.Fatalf("test MQTT client: connect to %s: %v", b.url(), tok.Error())
	}
	tb.Cleanup(func() { mc.c.Disconnect(50) })
	for _, t := range topics {
		mc.subscribe(tb, t)
	}
	return mc
}

func (mc *mqttClient) subscribe(tb testing.TB, topic string) {
	tb.Helper()
	tok := mc.c.Subscribe(topic, 2, func(_ paho.Client, m paho.Message) {
		mc.msgs <- mqttMsg{topic: m.Topic(), payload: bytes.Clone(m.Payload()), qos: m.Qos(), retained: m.Retained()}
	})
	if !tok.WaitTimeout(frameTimeout) || tok.Error() != nil {
		tb.Fatalf("test MQTT client: subscribe %q: %v", topic, tok.Error())
	}
}

// publish sends one message and waits for the broker's acknowledgement
// (QoS > 0) or the write (QoS 0).
func (mc *mqttClient) publish(tb testing.TB, topic string, qos byte, retain bool, payload []byte) {
	tb.Helper()
	tok := mc.c.Publish(topic, qos, retain, payload)
	if !tok.WaitTimeout(frameTimeout) || tok.Error() != nil {
		tb.Fatalf("test MQTT client: publish to %q: %v", topic, tok.Error())
	}
}

// next returns the next message, failing the test after frameTimeout.
func (mc *mqttClient) next(tb testing.TB, what string) mqttMsg {
	tb.Helper()
	select {
	case m := <-mc.msgs:
		return m
	case <-time.After(frameTimeout):
		tb.Fatalf("%s: no MQTT message within %v", what, frameTimeout)
		return mqttMsg{}
	}
}

// quiet fails the test if a message arrives within d.
func (mc *mqttClient) quiet(tb testing.TB, d time.Duration, what string) {
	tb.Helper()
	select {
	case m := <-mc.msgs:
		tb.Fatalf("%s: unexpected MQTT message on %q: %q (retained %v)", what, m.topic, m.payload, m.retained)
	case <-time.After(d):
	}
}

// ---------------------------------------------------------------------------
// A TCP proxy between the bridge and the broker, to cut the connection
// without the bridge or the broker closing it.

type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	pairs int // connections proxied so far
	wg    sync.WaitGroup
}

func startProxy(tb testing.TB, target string) *tcpProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.close)
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.DialTimeout("tcp", p.target, dialTimeout)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = struct{}{}, struct{}{}
		p.pairs++
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(out, in)
		go p.pipe(in, out)
	}
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// cut resets every proxied connection, both sides, and returns how many
// sockets it closed.
func (p *tcpProxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, not a FIN after pending data
		}
		_ = c.Close()
		delete(p.conns, c)
		n++
	}
	return n
}

// proxied is the number of connections proxied so far.
func (p *tcpProxy) proxied() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pairs
}

func (p *tcpProxy) close() {
	_ = p.ln.Close()
	p.cut()
	p.wg.Wait()
}
