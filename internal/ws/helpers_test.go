package ws

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// testKey is the upstream test key K1 (configs/demo.key).
var testKey, _ = hex.DecodeString("2DBB079A38985AF00EBEEFE22F9FFA0E")

var testIFG = vscp.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testUsers are the fixture users of the conformance tests (MD5 passwords).
func testUsers(t testing.TB) *auth.Users {
	t.Helper()
	users := []map[string]any{
		{"name": "admin", "password": md5Of("admin:secret"), "fullname": "Sample administrator", "rights": "admin",
			"remotes": []string{"+127.0.0.0/8", "+::1", "+192.168.0.0/16"}, "note": "username 'admin' password 'secret'"},
		{"name": "user", "password": md5Of("user:secret"), "fullname": "Sample user", "rights": "user",
			"note": "username 'user' password 'secret'"},
		{"name": "ev", "password": md5Of("ev:secret"), "rights": "user", "events": []string{"10:*", "*:6"}, "max-priority": 3},
		{"name": "nows", "password": md5Of("nows:secret"), "rights": "send-events/receive-events"},
		{"name": "rcv", "password": md5Of("rcv:secret"), "rights": "ws/receive-events"},
	}
	raw, _ := json.Marshal(users)
	us, _, err := auth.LoadUsers("", raw)
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// fixture is a hub without a listener: sessions are driven by calling
// their handlers, and replies are taken from their outboxes.
type fixture struct {
	t        testing.TB
	h        *Hub
	counters *stats.Counters
	mu       sync.Mutex
	host     []*vscp.Event // what Submit received
	full     bool          // Submit refuses (in-queue full)
}

func newFixture(t testing.TB, mutate func(*Options)) *fixture {
	f := &fixture{t: t, counters: &stats.Counters{}}
	o := &Options{
		Log:                 zap.NewNop(),
		Counters:            f.counters,
		Users:               testUsers(t),
		Key:                 testKey,
		Encryption:          auth.EncAES128,
		AuthBindSID:         true,
		MaxClientQueue:      1000,
		MaxMessageSize:      65536,
		MaxAuthFailures:     3,
		ForwardClientEvents: true,
		WS2EventFormat:      vscp.JSONBoth,
		InterfaceGUID:       testIFG,
		Started:             time.Now(),
	}
	o.Submit = func(ev *vscp.Event) (bool, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.full {
			return false, fmt.Errorf("in-queue full")
		}
		f.host = append(f.host, ev)
		return true, nil
	}
	if mutate != nil {
		mutate(o)
	}
	f.h = newHub(o)
	t.Cleanup(func() { _ = f.h.shutdown(context.Background(), 0) })
	return f
}

// session makes a registered session without a connection, released when
// the fixture's test ends.
func (f *fixture) session(p protocol) *session { return f.sessionFor(f.t, p) }

// sessionFor is session for a subtest or fuzz iteration t.
func (f *fixture) sessionFor(t testing.TB, p protocol) *session {
	s := newSessionState(f.h, p, netip.MustParseAddr("127.0.0.1"))
	if !f.h.add(s) {
		t.Fatal("hub refused the session")
	}
	t.Cleanup(func() { f.h.remove(s); f.h.wg.Done() })
	return s
}

func (f *fixture) hostEvents() []*vscp.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*vscp.Event(nil), f.host...)
}

// payload strips the header of a server frame.
func payload(frame []byte) string {
	switch n := frame[1] & 0x7F; {
	case n < 126:
		return string(frame[2:])
	case n == 126:
		return string(frame[4:])
	default:
		return string(frame[10:])
	}
}

// send handles one message and returns the payloads of the frames it
// queued, applying their writer actions as the writer would.
func send(s *session, msg string) []string {
	s.handle([]byte(msg))
	return take(s)
}

func take(s *session) []string {
	w := writer{s: s}
	var out []string
	for _, r := range w.take() {
		s.apply(r.action)
		out = append(out, payload(r.data))
	}
	return out
}

// queued returns the payloads of the events waiting in s's queue.
func queued(s *session) []string {
	var out []string
	for _, o := range s.events.PopBatch(nil, 0) {
		out = append(out, payload(o.frame(s.proto)))
	}
	return out
}

// crypto is the AUTH crypto field for plain: AES-128-CBC, IV = SID, zero
// padding.
func crypto(t testing.TB, sid, plain string) string {
	t.Helper()
	iv, err := hex.DecodeString(sid)
	if err != nil {
		t.Fatal(err)
	}
	p := []byte(plain)
	for len(p)%16 != 0 {
		p = append(p, 0)
	}
	b, _ := aes.NewCipher(testKey)
	out := make([]byte, len(p))
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, p)
	return strings.ToUpper(hex.EncodeToString(out))
}

// login authenticates s as name (password "secret") and returns the reply.
func login(t testing.TB, s *session, name string) string {
	t.Helper()
	var r []string
	if s.proto == protoWS1 {
		r = send(s, "C;AUTH;"+s.sid+";"+crypto(t, s.sid, name+":secret"))
	} else {
		r = send(s, `{"type":"CMD","command":"AUTH","args":{"iv":"`+s.sid+`","crypto":"`+crypto(t, s.sid, name+":secret")+`"}}`)
	}
	if len(r) != 1 {
		t.Fatalf("AUTH %s: replies %q", name, r)
	}
	return r[0]
}
