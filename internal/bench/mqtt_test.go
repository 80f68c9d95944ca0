package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// BenchmarkMQTTPublish: one ws1 client sends b.N events, pipelined, the
// MQTT bridge publishes each one (json, one publish entry with the given
// QoS) to a local mosquitto, and a paho subscriber with the same QoS
// counts the arrivals. Reports events/s arriving at the subscriber; ns/op
// is per event. At most mqttWindow events are in flight between the client
// and the subscriber, below the bridge's queue of 1000, so that a drop can
// only be a fault.
//
// It needs the mosquitto binary (Debian package mosquitto) and skips
// without it, or when VSCP_TEST_NO_MOSQUITTO is set.
//
//	go test -run '^$' -bench 'MQTTPublish' -benchtime 20000x ./internal/bench/
func BenchmarkMQTTPublish(b *testing.B) {
	bin := mosquittoBinary()
	if bin == "" {
		b.Skip("no mosquitto binary (not in PATH, no /usr/sbin/mosquitto, or VSCP_TEST_NO_MOSQUITTO set): the MQTT benchmark needs a real broker")
	}
	for _, qos := range []byte{0, 1} {
		var f *mqttPublish
		b.Run("qos="+strconv.Itoa(int(qos)), func(b *testing.B) {
			if f == nil {
				f = newMQTTPublish(b, bin, qos)
			}
			elapsed := f.run(b, b.N, b.ResetTimer)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
		})
		if f != nil {
			f.close()
		}
	}
}

// mqttWindow bounds the events between the client and the subscriber.
const mqttWindow = 512

// mosquittoBinary is the mosquitto executable, or "".
func mosquittoBinary() string {
	if os.Getenv("VSCP_TEST_NO_MOSQUITTO") != "" {
		return ""
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	if st, err := os.Stat("/usr/sbin/mosquitto"); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
		return "/usr/sbin/mosquitto"
	}
	return ""
}

// mosquitto is a broker process on an ephemeral loopback port.
type mosquitto struct {
	cmd    *exec.Cmd
	exited chan struct{}
	addr   string
	dir    string
}

func startMosquitto(bin string) (*mosquitto, error) {
	dir, err := os.MkdirTemp("", "bench-mosquitto-")
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := ln.Addr().String()
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		conf := filepath.Join(dir, "mosquitto.conf")
		// "user root" keeps a root mosquitto from switching to a user that
		// cannot read the directory; it does nothing for other users.
		text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nuser root\n", port)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, "-c", conf)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		m := &mosquitto{cmd: cmd, exited: make(chan struct{}), addr: addr, dir: dir}
		go func() { _ = cmd.Wait(); close(m.exited) }()
		if lastErr = m.waitAccepting(); lastErr == nil {
			return m, nil
		}
		m.kill()
	}
	_ = os.RemoveAll(dir)
	return nil, lastErr
}

func (m *mosquitto) waitAccepting() error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", m.addr, 200*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		select {
		case <-m.exited:
			return fmt.Errorf("mosquitto exited (port %s taken?)", m.addr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mosquitto not accepting on %s", m.addr)
		}
	}
}

func (m *mosquitto) kill() {
	_ = m.cmd.Process.Kill()
	<-m.exited
}

func (m *mosquitto) close() {
	m.kill()
	_ = os.RemoveAll(m.dir)
}

// mqttPublish is an instance bridged to a local mosquitto, with one ws1
// client sending events, a goroutine draining the client's replies, one
// taking the events on the host side, and a subscriber counting the
// published messages.
type mqttPublish struct {
	broker  *mosquitto
	d       *driver.Driver
	client  *Client
	sub     paho.Client
	batch   []byte
	frameLn int

	sent    uint64        // events sent so far (benchmark goroutine only)
	arrived atomic.Uint64 // messages the subscriber received
	replies atomic.Uint64
	errs    firstError
	closing atomic.Bool
	wg      sync.WaitGroup
}

func newMQTTPublish(tb testing.TB, bin string, qos byte) *mqttPublish {
	tb.Helper()
	br, err := startMosquitto(bin)
	if err != nil {
		tb.Fatalf("mosquitto: %v", err)
	}
	f := &mqttPublish{broker: br}
	ok := false
	defer func() {
		if !ok {
			f.close()
		}
	}()
	var c map[string]any
	if err := json.Unmarshal([]byte(ServerConfigJSON), &c); err != nil {
		tb.Fatal(err)
	}
	c["mqtt"] = map[string]any{
		"enable": true, "host": "tcp://" + br.addr, "clientid": "bench-{{rnd}}", "keepalive": 30,
		"publish": []any{map[string]any{"topic": "bench/{{class}}/{{type}}", "qos": qos, "format": "json"}},
	}
	data, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := driver.ParseConfig(data, os.TempDir())
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	if f.d, err = driver.Open(cfg, driver.GUID{}); err != nil {
		tb.Fatalf("open: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for counter(f.d, "mqtt_connects") == 0 {
		if time.Now().After(deadline) {
			tb.Fatalf("the bridge did not connect to %s", br.addr)
		}
		time.Sleep(5 * time.Millisecond)
	}

	o := paho.NewClientOptions().AddBroker("tcp://" + br.addr).SetClientID(fmt.Sprintf("bench-sub-%d", time.Now().UnixNano())).
		SetCleanSession(true).SetAutoReconnect(false).SetProtocolVersion(4)
	f.sub = paho.NewClient(o)
	if tok := f.sub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		tb.Fatalf("subscriber connect: %v", tok.Error())
	}
	tok := f.sub.Subscribe("bench/#", qos, func(paho.Client, paho.Message) { f.arrived.Add(1) })
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		tb.Fatalf("subscribe: %v", tok.Error())
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if f.client, err = Dial(ctx, f.d.Addr().String(), WS1, false, readBufSize); err != nil {
		tb.Fatalf("dial: %v", err)
	}
	f.batch = RepeatMaskedText(wires[WS1].event, batchFrames)
	f.frameLn = len(f.batch) / batchFrames
	f.wg.Add(2)
	go f.drainReplies()
	go f.drainHost()
	ok = true
	return f
}

// drainReplies counts the +;EVENT replies; any other frame is an error.
func (f *mqttPublish) drainReplies() {
	defer f.wg.Done()
	fr := f.client.Frames()
	for {
		p, err := fr.ReadText()
		if err != nil {
			if !f.closing.Load() || !closedConn(err) {
				f.errs.set(fmt.Errorf("client: %w", err))
			}
			return
		}
		if string(p) != string(wires[WS1].eventOK) {
			f.errs.set(fmt.Errorf("client: reply %q", p))
			return
		}
		f.replies.Add(1)
	}
}

// drainHost takes the client events on the host side, so that the
// in-queue never fills.
func (f *mqttPublish) drainHost() {
	defer f.wg.Done()
	for {
		if _, err := f.d.Read(0); err != nil {
			if !errors.Is(err, driver.ErrClosed) {
				f.errs.set(fmt.Errorf("Read: %w", err))
			}
			return
		}
	}
}

// run sends n events and returns the time from the first send to the last
// arrival at the subscriber.
func (f *mqttPublish) run(tb testing.TB, n int, start func()) time.Duration {
	tb.Helper()
	target := f.sent + uint64(n)
	done := make(chan struct{})
	if start != nil {
		start()
	}
	t0 := time.Now()
	go func() {
		defer close(done)
		for f.arrived.Load() < target && f.errs.get() == nil && !f.closing.Load() {
			time.Sleep(50 * time.Microsecond)
		}
	}()
	for left := n; left > 0; {
		k := min(left, batchFrames)
		for f.sent+uint64(k)-f.arrived.Load() > mqttWindow {
			if err := f.errs.get(); err != nil {
				tb.Fatalf("load generator: %v", err)
			}
			select {
			case <-done:
				tb.Fatalf("stopped with %d of %d events arrived", f.arrived.Load(), target)
			default:
			}
			time.Sleep(20 * time.Microsecond)
		}
		if err := f.client.Write(f.batch[:k*f.frameLn]); err != nil {
			tb.Fatalf("client write: %v", err)
		}
		f.sent += uint64(k)
		left -= k
	}
	waitProgress(tb, done, &f.errs, f.arrived.Load, func() string {
		return fmt.Sprintf("%d of %d events arrived; published %d, dropped %d, errors %d", f.arrived.Load(), target,
			counter(f.d, "mqtt_published"), counter(f.d, "mqtt_publish_dropped"), counter(f.d, "mqtt_publish_errors"))
	}, nil)
	elapsed := time.Since(t0)
	if err := f.errs.get(); err != nil {
		tb.Fatalf("load generator: %v", err)
	}
	if got := f.arrived.Load(); got != target {
		tb.Fatalf("%d events arrived, want %d", got, target)
	}
	if v := counter(f.d, "mqtt_publish_dropped") + counter(f.d, "mqtt_publish_errors"); v != 0 {
		tb.Fatalf("mqtt_publish_dropped + mqtt_publish_errors = %d, want 0", v)
	}
	return elapsed
}

func (f *mqttPublish) close() {
	f.closing.Store(true)
	if f.client != nil {
		_ = f.client.Close()
	}
	if f.sub != nil {
		f.sub.Disconnect(50)
	}
	if f.d != nil {
		_ = f.d.Close()
	}
	f.wg.Wait()
	f.broker.close()
}
