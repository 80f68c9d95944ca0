// Package bench holds the performance benchmarks of the websocket server
// (go test -bench) and the load generator they share: websocket clients
// that log in with gorilla's Dialer and then read and write raw frames on
// the TCP connection, so that the generator costs as little CPU as
// possible next to the server it measures.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// Proto selects the websocket protocol of a client.
type Proto int

// The two protocols of the server.
const (
	WS1 Proto = iota
	WS2
)

func (p Proto) String() string {
	if p == WS1 {
		return "ws1"
	}
	return "ws2"
}

// Opcodes of the frames the generator reads and writes (RFC 6455 §5.2).
const (
	OpText  = 0x1
	OpClose = 0x8
	OpPing  = 0x9
	OpPong  = 0xA
)

// ServerConfigJSON is the instance the benchmarks run: loopback, an
// ephemeral port, encryption none, one admin user admin/secret, queues
// large enough that nothing is dropped, and no timers.
const ServerConfigJSON = `{"interface":"ws://127.0.0.1:0","encryption":"none",` +
	`"users":[{"name":"admin","password":"2d1e4f91dae49cd08eaba2293e422273","rights":"admin"}],` +
	`"max-client-queue-size":100000,"max-out-queue":1000000,"max-in-queue":1000000,` +
	`"max-clients":0,"ws-ping-interval":0,"auth-timeout":0,"auth-throttle":false,` +
	`"logging":{"console-log-level":"error"}}`

// MaxClientQueue is max-client-queue-size of ServerConfigJSON.
const MaxClientQueue = 100000

// MaxInQueue is max-in-queue of ServerConfigJSON.
const MaxInQueue = 1000000

// credential is the AUTH crypto field with encryption none: the
// upper-case hex of "user:password".
var credential = strings.ToUpper(hex.EncodeToString([]byte("admin:secret")))

// OpenServer starts a driver instance with ServerConfigJSON.
func OpenServer() (*driver.Driver, error) {
	cfg, err := driver.ParseConfig([]byte(ServerConfigJSON), os.TempDir())
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return driver.Open(cfg, driver.GUID{})
}

// RaiseFileLimit lifts the soft RLIMIT_NOFILE to the hard limit, so that a
// process can hold thousands of connections.
func RaiseFileLimit() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= lim.Max {
		return nil
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// Client is one websocket connection of the load generator. After Dial it
// is used through its raw TCP connection only: Frames reads server frames
// (unmasked) and the Write methods send pre-built masked frames.
type Client struct {
	Proto Proto
	SID   string
	ws    *websocket.Conn
	conn  net.Conn
	fr    *FrameReader
}

var dialer = websocket.Dialer{
	Proxy:            nil, // loopback only; never a proxy from the environment
	HandshakeTimeout: 10 * time.Second,
	ReadBufferSize:   1024,
	WriteBufferSize:  1024,
}

// loginTimeout bounds each login step.
const loginTimeout = 10 * time.Second

// Dial connects to addr (host:port) with protocol p, logs in as admin
// and, with open, sends OPEN. Everything up to the last reply is read
// through gorilla; the replies are awaited one by one, so when Dial
// returns nothing unread is left in gorilla's buffer and the raw
// connection can take over. readBuf is the size of the client's frame
// buffer (0: no buffer, for a client that never reads).
func Dial(ctx context.Context, addr string, p Proto, open bool, readBuf int) (*Client, error) {
	path := "/ws1"
	if p == WS2 {
		path = "/ws2"
	}
	ws, resp, err := dialer.DialContext(ctx, "ws://"+addr+path, http.Header{})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	c := &Client{Proto: p, ws: ws, conn: ws.NetConn()}
	if err := c.login(open); err != nil {
		_ = ws.Close()
		return nil, err
	}
	_ = c.conn.SetDeadline(time.Time{})
	if readBuf > 0 {
		c.fr = NewFrameReader(c.conn, readBuf)
	}
	return c, nil
}

func (c *Client) exchange(msg string) ([]byte, error) {
	if msg != "" {
		_ = c.ws.SetWriteDeadline(time.Now().Add(loginTimeout))
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			return nil, err
		}
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(loginTimeout))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	if mt != websocket.TextMessage {
		return nil, fmt.Errorf("message type %d, want text", mt)
	}
	return data, nil
}

func (c *Client) login(open bool) error {
	greeting, err := c.exchange("")
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	var auth, openCmd string
	var okPrefix []byte
	if c.Proto == WS1 {
		sid, found := strings.CutPrefix(string(greeting), "+;AUTH0;")
		if !found {
			return fmt.Errorf("greeting %q", greeting)
		}
		c.SID = sid
		auth = "C;AUTH;" + sid + ";" + credential
		openCmd = "C;OPEN"
		okPrefix = []byte("+;")
	} else {
		var g struct {
			Type string   `json:"type"`
			Args []string `json:"args"`
		}
		if err := json.Unmarshal(greeting, &g); err != nil || g.Type != "+" || len(g.Args) != 2 || g.Args[0] != "AUTH0" {
			return fmt.Errorf("greeting %q", greeting)
		}
		c.SID = g.Args[1]
		auth = `{"type":"CMD","command":"AUTH","args":{"iv":"` + c.SID + `","crypto":"` + credential + `"}}`
		openCmd = `{"type":"CMD","command":"OPEN"}`
		okPrefix = []byte(`{"type":"+"`)
	}
	reply, err := c.exchange(auth)
	if err != nil {
		return fmt.Errorf("AUTH: %w", err)
	}
	if !bytes.HasPrefix(reply, okPrefix) {
		return fmt.Errorf("AUTH reply %q", reply)
	}
	if !open {
		return nil
	}
	if reply, err = c.exchange(openCmd); err != nil {
		return fmt.Errorf("OPEN: %w", err)
	}
	if !bytes.HasPrefix(reply, okPrefix) {
		return fmt.Errorf("OPEN reply %q", reply)
	}
	return nil
}

// Frames is the client's reader of server frames.
func (c *Client) Frames() *FrameReader { return c.fr }

// Write sends bytes (whole masked frames) on the raw connection.
func (c *Client) Write(p []byte) error {
	_, err := c.conn.Write(p)
	return err
}

// SetReadDeadline sets the raw connection's read deadline.
func (c *Client) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// Close cuts the TCP connection (no close handshake: the benchmarks only
// need the server to see the connection end).
func (c *Client) Close() error { return c.conn.Close() }

// DialMany opens n clients with up to parallel dials at a time. On error
// the clients opened so far are closed.
func DialMany(ctx context.Context, addr string, p Proto, open bool, n, parallel, readBuf int) ([]*Client, error) {
	clients := make([]*Client, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < parallel && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				clients[i], errs[i] = Dial(ctx, addr, p, open, readBuf)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		CloseAll(clients)
		return nil, err
	}
	return clients, nil
}

// CloseAll closes every non-nil client.
func CloseAll(clients []*Client) {
	for _, c := range clients {
		if c != nil {
			_ = c.Close()
		}
	}
}

// FrameReader parses server frames (unmasked, unfragmented) from a
// buffered stream without copying them.
type FrameReader struct {
	br *bufio.Reader
}

// NewFrameReader reads frames from r through a buffer of size bytes.
func NewFrameReader(r net.Conn, size int) *FrameReader {
	return &FrameReader{br: bufio.NewReaderSize(r, size)}
}

// ErrProtocol is a server frame the generator does not expect.
var ErrProtocol = errors.New("unexpected server frame")

// Next consumes the header of the next frame and returns its opcode and
// payload length; the caller must then Skip or Payload exactly n bytes.
func (f *FrameReader) Next() (op byte, n int, err error) {
	h, err := f.br.Peek(2)
	if err != nil {
		return 0, 0, err
	}
	b0, b1 := h[0], h[1]
	if b0&0x80 == 0 || b0&0x70 != 0 || b1&0x80 != 0 {
		return 0, 0, fmt.Errorf("%w: header %02X %02X (fragmented, RSV or masked)", ErrProtocol, b0, b1)
	}
	n = int(b1 & 0x7F)
	hl := 2
	switch n {
	case 126:
		hl = 4
	case 127:
		hl = 10
	}
	if hl > 2 {
		if h, err = f.br.Peek(hl); err != nil {
			return 0, 0, err
		}
		if hl == 4 {
			n = int(binary.BigEndian.Uint16(h[2:]))
		} else {
			v := binary.BigEndian.Uint64(h[2:])
			if v > 1<<31 {
				return 0, 0, fmt.Errorf("%w: payload length %d", ErrProtocol, v)
			}
			n = int(v)
		}
	}
	_, err = f.br.Discard(hl)
	return b0 & 0x0F, n, err
}

// HasPrefix reports whether the next n payload bytes start with prefix,
// without consuming them.
func (f *FrameReader) HasPrefix(n int, prefix []byte) (bool, error) {
	if n < len(prefix) {
		return false, nil
	}
	p, err := f.br.Peek(len(prefix))
	if err != nil {
		return false, err
	}
	return bytes.Equal(p, prefix), nil
}

// Skip consumes n payload bytes.
func (f *FrameReader) Skip(n int) error {
	_, err := f.br.Discard(n)
	return err
}

// Payload consumes and returns n payload bytes (n at most the buffer
// size); the slice is valid until the next call.
func (f *FrameReader) Payload(n int) ([]byte, error) {
	p, err := f.br.Peek(n)
	if err != nil {
		return nil, err
	}
	_, err = f.br.Discard(n)
	return p, err
}

// ReadText reads the next frame, which must be a text frame, and returns
// its payload (valid until the next call).
func (f *FrameReader) ReadText() ([]byte, error) {
	op, n, err := f.Next()
	if err != nil {
		return nil, err
	}
	p, err := f.Payload(n)
	if err != nil {
		return nil, err
	}
	if op != OpText {
		return nil, fmt.Errorf("%w: opcode %d, payload %q", ErrProtocol, op, p)
	}
	return p, nil
}

// maskKey is the masking key of every client frame. RFC 6455 wants it
// unpredictable against proxy cache poisoning; the server only has to
// unmask, and a fixed key lets frames be built once and sent many times.
var maskKey = [4]byte{0x37, 0xFA, 0x21, 0x3D}

// AppendMaskedText appends a masked client text frame carrying payload.
func AppendMaskedText(dst, payload []byte) []byte {
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, 0x80|OpText, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x80|OpText, 0x80|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x80|OpText, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	dst = append(dst, maskKey[:]...)
	for i, b := range payload {
		dst = append(dst, b^maskKey[i&3])
	}
	return dst
}

// RepeatMaskedText returns count copies of the masked text frame of
// payload, back to back, for pipelined writes; the frame length is
// len(result)/count.
func RepeatMaskedText(payload []byte, count int) []byte {
	frame := AppendMaskedText(nil, payload)
	return bytes.Repeat(frame, count)
}

// Wire texts of the benchmarks, per protocol.
type wire struct {
	event     []byte // a client event the admin may send
	eventOK   []byte // the reply accepting it
	noop      []byte // the NOOP command
	noopOK    []byte // its exact reply
	hostEvent []byte // how every host event frame starts
}

var wires = [2]wire{
	WS1: {
		event:     []byte("E;0,10,6,0,,0,-,1,2,3"),
		eventOK:   []byte("+;EVENT"),
		noop:      []byte("C;NOOP"),
		noopOK:    []byte("+;NOOP"),
		hostEvent: []byte("E;0,10,6,"),
	},
	WS2: {
		event:     []byte(`{"type":"EVENT","event":{"vscpClass":10,"vscpType":6,"vscpData":[1,2,3]}}`),
		eventOK:   []byte(`{"type":"+","command":"EVENT","args":null}`),
		noop:      []byte(`{"type":"CMD","command":"NOOP"}`),
		noopOK:    []byte(`{"type":"+","command":"NOOP","args":null}`),
		hostEvent: []byte(`{"type":"EVENT","event":{`),
	},
}
