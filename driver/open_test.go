package driver_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// Open binds synchronously, so a client can connect as soon as it returns;
// Close releases the port, and Go's SO_REUSEADDR lets an immediate re-open on
// the same port succeed.
func TestOpenBindsSynchronouslyAndCloseReleasesPort(t *testing.T) {
	tests := []struct {
		name  string
		iface func(port int) string
	}{
		{"ws scheme", func(p int) string { return "ws://127.0.0.1:" + strconv.Itoa(p) }},
		{"no scheme", func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }},
		{"localhost means 127.0.0.1", func(p int) string { return "ws://localhost:" + strconv.Itoa(p) }},
		{"tcp scheme", func(p int) string { return "tcp://127.0.0.1:" + strconv.Itoa(p) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t)
			addr := loopback(port)
			doc := with(baseConfig(), "interface", tc.iface(port))
			for round := range 2 { // the second round is the immediate re-open
				d, err := driver.Open(parse(t, doc), testGUID)
				if err != nil {
					t.Fatalf("round %d: Open: %v", round, err)
				}
				if got := d.Addr().String(); got != addr {
					d.Close()
					t.Fatalf("round %d: Addr() = %s, want %s", round, got, addr)
				}
				if !dialable(addr) {
					d.Close()
					t.Fatalf("round %d: no TCP connect to %s right after Open", round, addr)
				}
				if err := d.Close(); err != nil {
					t.Fatalf("round %d: Close: %v", round, err)
				}
				if dialable(addr) {
					t.Fatalf("round %d: %s still accepts connections after Close", round, addr)
				}
			}
		})
	}
}

// Port 0 binds an ephemeral port, and Addr reports the real one.
func TestOpenPortZeroReportsRealPort(t *testing.T) {
	d := open(t, baseConfig())
	a, ok := d.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("Addr() is %T, want *net.TCPAddr", d.Addr())
	}
	if a.Port == 0 || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Fatalf("Addr() = %v, want 127.0.0.1 with a non-zero port", a)
	}
	if !dialable(a.String()) {
		t.Fatalf("cannot connect to %v", a)
	}
}

// A failed open returns an error and tears everything down (no goroutine, fd
// or port survives). Errors raised once the instance logger exists are marked
// driver.ErrReported; a logger that cannot be built is not.
func TestOpenFailureLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	validHash := "0123456789abcdef0123456789abcdef" // MD5 form
	badJSON := writeFile(t, dir, "bad.json", `{"users": [`)
	notObject := writeFile(t, dir, "array.json", `[]`)
	badRights := writeFile(t, dir, "rights.json",
		`{"users":[{"name":"bob","password":"`+validHash+`","rights":"bogus"}]}`)
	plainPassword := writeFile(t, dir, "plain.json",
		`{"users":[{"name":"bob","password":"secret"}]}`)
	shortKey := writeFile(t, dir, "short.key", strings.Repeat("ab", 15)) // 15 bytes < 16 for aes128
	shortKey256 := writeFile(t, dir, "short256.key", strings.Repeat("ab", 16))
	nonHexKey := writeFile(t, dir, "nonhex.key", strings.Repeat("zz", 16))
	oddKey := writeFile(t, dir, "odd.key", strings.Repeat("a", 33))
	prefixedKey := writeFile(t, dir, "0x.key", "0x"+strings.Repeat("ab", 16))
	garbagePEM := writeFile(t, dir, "garbage.pem", "not a certificate")
	missing := filepath.Join(dir, "does-not-exist")

	blocker, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Close()
	busy := blocker.Addr().String()

	tests := []struct {
		name   string
		scheme string // "" = ws; the port is a free fixed one, or busy
		doc    obj
		busy   bool // listen on the port the blocker holds
		// reported: errors.Is(err, driver.ErrReported).
		reported bool
		mention  string
	}{
		{name: "port already in use", busy: true, reported: true, mention: busy},
		{name: "users file with invalid JSON", doc: obj{"path-users": badJSON}, reported: true, mention: "bad.json"},
		{name: "users file not an object", doc: obj{"path-users": notObject}, reported: true, mention: "array.json"},
		{name: "users file missing", doc: obj{"path-users": missing}, reported: true, mention: "does-not-exist"},
		{name: "users file with unknown rights word", doc: obj{"path-users": badRights}, reported: true, mention: "bogus"},
		{name: "users file with plain-text password", doc: obj{"path-users": plainPassword}, reported: true, mention: "bob"},
		{name: "inline user with unknown rights word",
			doc: obj{"users": []any{obj{"name": "amy", "password": validHash, "rights": "bogus"}}}, reported: true, mention: "bogus"},
		{name: "key-file too short for aes128", doc: obj{"key-file": shortKey}, reported: true, mention: "short.key"},
		{name: "key-file too short for aes256", doc: obj{"key-file": shortKey256, "encryption": "aes256"}, reported: true, mention: "short256.key"},
		{name: "key-file not hex", doc: obj{"key-file": nonHexKey}, reported: true, mention: "nonhex.key"},
		{name: "key-file odd number of digits", doc: obj{"key-file": oddKey}, reported: true, mention: "odd.key"},
		{name: "key-file with 0x prefix", doc: obj{"key-file": prefixedKey}, reported: true, mention: "0x.key"},
		{name: "key-file missing", doc: obj{"key-file": missing}, reported: true, mention: "does-not-exist"},
		{name: "wss without certificate files", scheme: "wss",
			doc:      obj{"tls": obj{"certificate": missing + ".pem", "key": missing + ".key"}},
			reported: true, mention: "does-not-exist.pem"},
		{name: "wss with an invalid certificate", scheme: "wss",
			doc:      obj{"tls": obj{"certificate": garbagePEM, "key": garbagePEM}},
			reported: true, mention: "tls"},
		{name: "log file in a missing directory",
			doc: obj{"logging": obj{"console-log-level": "off", "file-enable-log": true,
				"file-path": filepath.Join(missing, "driver.log")}},
			reported: false, mention: "does-not-exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A fixed free port, so that "no port survives" can be checked.
			port := freePort(t)
			addr := loopback(port)
			if tc.busy {
				addr = busy
			}
			scheme := tc.scheme
			if scheme == "" {
				scheme = "ws"
			}
			doc := with(quietConfig(), "interface", scheme+"://"+addr)
			for k, v := range tc.doc {
				doc[k] = v
			}
			cfg := parse(t, doc)

			g0, f0 := baseline(t)
			d, err := driver.Open(cfg, testGUID)
			if err == nil {
				d.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if d != nil {
				t.Errorf("Open returned a non-nil *Driver with error %v", err)
			}
			if got := errors.Is(err, driver.ErrReported); got != tc.reported {
				t.Errorf("errors.Is(err, ErrReported) = %v, want %v; err = %v", got, tc.reported, err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
			checkNoLeak(t, "failed Open", g0, f0, 0)
			if !tc.busy {
				if err := bindable(addr); err != nil {
					t.Errorf("%s not free after the failed Open: %v", addr, err)
				}
			}
		})
	}
	if !dialable(busy) {
		t.Error("the listener that held the port was disturbed")
	}
}

// Once the logger exists, the failure is written to the instance's log (hence
// ErrReported), and the log file is closed again.
func TestOpenFailureIsWrittenToTheInstanceLog(t *testing.T) {
	blocker, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Close()
	logPath := filepath.Join(t.TempDir(), "driver.log")
	doc := obj{
		"interface": "ws://" + blocker.Addr().String(),
		"logging": obj{"console-enable-log": false, "file-enable-log": true,
			"file-log-level": "error", "file-path": logPath},
	}
	g0, f0 := baseline(t)
	d, err := driver.Open(parse(t, doc), testGUID)
	if err == nil {
		d.Close()
		t.Fatal("Open on a bound port succeeded")
	}
	if !errors.Is(err, driver.ErrReported) {
		t.Errorf("err = %v, want it to wrap ErrReported", err)
	}
	checkNoLeak(t, "failed Open with a log file", g0, f0, 0)
	data, rerr := os.ReadFile(logPath)
	if rerr != nil {
		t.Fatalf("log file: %v", rerr)
	}
	log := string(data)
	if !strings.Contains(log, "open failed") || !strings.Contains(log, blocker.Addr().String()) {
		t.Errorf("log file does not report the failure with the address:\n%s", log)
	}
}

// Valid key file and users load, and the instance opens.
func TestOpenLoadsValidSecrets(t *testing.T) {
	dir := t.TempDir()
	hash := "0123456789ABCDEF0123456789ABCDEF"
	tests := []struct {
		name string
		doc  obj
	}{
		{"no key-file, no users", obj{}},
		{"aes128 key-file with whitespace and a longer key", obj{
			"key-file": writeFile(t, dir, "k128", "2DBB079A38985AF0\n0EBEEFE22F9FFA0E  \n"+strings.Repeat("00", 100)+"\n")}},
		{"aes256 key-file", obj{"encryption": "aes256",
			"key-file": writeFile(t, dir, "k256", strings.Repeat("A4", 32))}},
		{"encryption none does not read the key-file", obj{"encryption": "none",
			"key-file": filepath.Join(dir, "absent.key")}},
		{"users file and inline users", obj{
			"path-users": writeFile(t, dir, "users.json",
				`{"users":[{"name":"admin","password":"`+hash+`","rights":["user",""]}]}`),
			"users": []any{obj{"name": "bob", "password": hash, "rights": "user"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := baseConfig()
			for k, v := range tc.doc {
				doc[k] = v
			}
			d := open(t, doc)
			if !dialable(d.Addr().String()) {
				t.Fatal("instance not reachable")
			}
		})
	}
}

// A TLS scheme in interface serves HTTPS with the configured certificate on
// the same routes.
func TestOpenTLSSchemeServesHTTPS(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t)
	d := open(t, with(baseConfig(), "interface", "wss://127.0.0.1:0",
		"tls", obj{"certificate": certFile, "key": keyFile}))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: httpTimeout}
	resp, err := c.Get("https://" + d.Addr().String() + "/rest")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("status %d, TLS %v; want 200 over TLS", resp.StatusCode, resp.TLS != nil)
	}
	if resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("TLS version %x below the 1.2 default minimum", resp.TLS.Version)
	}
}

// No goroutine, fd or port survives an instance. 200 cycles on one fixed
// port, each serving a keep-alive HTTP request, must all succeed and leave
// the counts where they were.
func TestOpenCloseCyclesLeakNothing(t *testing.T) {
	const cycles = 200
	port := freePort(t)
	// A file sink too: its fd and lumberjack's helper goroutine must go
	// with each instance.
	logPath := filepath.Join(t.TempDir(), "cycles.log")
	doc := with(baseConfig(), "interface", "ws://"+loopback(port), "logging", obj{
		"console-log-level": "error", "file-enable-log": true, "file-log-level": "info", "file-path": logPath})
	tr := &http.Transport{}
	c := &http.Client{Transport: tr, Timeout: httpTimeout}
	cycle := func(i int) {
		t.Helper()
		d, err := driver.Open(parse(t, doc), testGUID)
		if err != nil {
			t.Fatalf("cycle %d: Open: %v", i, err)
		}
		if i%2 == 0 {
			r := do(t, c, http.MethodGet, d, "/rest")
			if r.code != http.StatusOK {
				d.Close()
				t.Fatalf("cycle %d: GET /rest: %d", i, r.code)
			}
		}
		if err := d.Write(ev(10, 6, uint32(i)), time.Second); err != nil {
			d.Close()
			t.Fatalf("cycle %d: Write: %v", i, err)
		}
		if err := d.Close(); err != nil {
			t.Fatalf("cycle %d: Close: %v", i, err)
		}
		tr.CloseIdleConnections()
	}
	cycle(-1) // warm-up: first use of the network poller, the HTTP transport, …
	g0, f0 := baseline(t)
	for i := range cycles {
		cycle(i)
	}
	g1, f1 := checkNoLeak(t, "after 200 cycles", g0, f0, 2)
	t.Logf("%d open/close cycles on port %d: goroutines before %d after %d, fds before %d after %d",
		cycles, port, g0, g1, f0, f1)
	if err := bindable(loopback(port)); err != nil {
		t.Errorf("port %d not free after the cycles: %v", port, err)
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\tclosed\t"); n != cycles+1 {
		t.Errorf("log file has %d closed lines, want %d", n, cycles+1)
	}
}

// Many instances may be open at once, each with its own listener and
// statistics; a second open on a live instance's port fails.
func TestInstancesAreIndependent(t *testing.T) {
	a := open(t, baseConfig())
	b := open(t, with(baseConfig(), "max-in-queue", 7))
	if a.Addr().String() == b.Addr().String() {
		t.Fatalf("both instances on %s", a.Addr())
	}
	for i := range 3 {
		if err := a.Write(ev(10, 6, uint32(i)), time.Second); err != nil {
			t.Fatalf("a.Write: %v", err)
		}
	}
	for i := range 2 {
		if ok, err := b.Submit(ev(10, 6, uint32(i))); !ok || err != nil {
			t.Fatalf("b.Submit = %v, %v", ok, err)
		}
	}
	waitCounters(t, a, map[string]uint64{"host_events_written": 3, "out_unrouted": 3})
	if got := counter(t, b, "host_events_written"); got != 0 {
		t.Errorf("b host_events_written = %d, want 0", got)
	}
	if got := a.Stats().InDepth; got != 0 {
		t.Errorf("a in-queue depth = %d, want 0", got)
	}
	if st := b.Stats(); st.InDepth != 2 || st.InCapacity != 7 {
		t.Errorf("b in-queue depth/capacity = %d/%d, want 2/7", st.InDepth, st.InCapacity)
	}

	t.Run("second Open on a live port fails", func(t *testing.T) {
		d, err := driver.Open(parse(t, with(quietConfig(), "interface", "ws://"+a.Addr().String())), testGUID)
		if err == nil {
			d.Close()
			t.Fatal("second Open on the same port succeeded")
		}
		if !errors.Is(err, driver.ErrReported) {
			t.Errorf("err = %v, want ErrReported", err)
		}
	})

	c := newClient(t)
	if r := do(t, c, http.MethodGet, a, "/rest"); r.code != http.StatusOK {
		t.Fatalf("a GET /rest after the failed Open: %d", r.code)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("a.Close: %v", err)
	}
	if r := do(t, c, http.MethodGet, b, "/rest"); r.code != http.StatusOK {
		t.Fatalf("b GET /rest after a.Close: %d", r.code)
	}
	if ev, err := b.Read(time.Second); err != nil || ev.OBID != 0 {
		t.Fatalf("b.Read after a.Close = %v, %v; want obid 0", ev, err)
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key and returns
// the paths and a pool trusting it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile = writeFile(t, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// logLine finds the first line of the log whose message is msg and decodes
// its structured fields (zap console encoding: time, level, tag, message,
// then the fields as one JSON object, separated by tabs).
func logLine(t *testing.T, log, msg string) (level, tag string, fields map[string]any) {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		parts := strings.SplitN(line, "\t", 5)
		if len(parts) < 4 || parts[3] != msg {
			continue
		}
		fields = map[string]any{}
		if len(parts) == 5 {
			if err := json.Unmarshal([]byte(parts[4]), &fields); err != nil {
				t.Fatalf("fields of %q: %v", line, err)
			}
		}
		return parts[1], parts[2], fields
	}
	t.Fatalf("no %q line in the log:\n%s", msg, log)
	return "", "", nil
}

// Open logs one info line with the listen address, abi, ws1/ws2 URLs and
// users count; Close logs the discarded queue entries and the counters at
// info level, then flushes and closes the log file.
func TestInstanceLogRecordsOpenAndClose(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "driver.log")
	hash := "0123456789abcdef0123456789abcdef"
	doc := with(baseConfig(), "abi", "v15.1", "url-ws2", "second",
		"users", []any{obj{"name": "a", "password": hash}, obj{"name": "b", "password": hash}},
		"logging", obj{"console-enable-log": false, "file-enable-log": true, "file-log-level": "info", "file-path": logPath})
	d, err := driver.Open(parse(t, doc), testGUID)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for i := range 3 {
		if ok, err := d.Submit(ev(10, 1, uint32(i))); !ok || err != nil {
			d.Close()
			t.Fatalf("Submit = %v, %v", ok, err)
		}
		if err := d.Write(ev(10, 1, uint32(i)), time.Second); err != nil {
			d.Close()
			t.Fatalf("Write: %v", err)
		}
	}
	if _, err := d.Read(time.Second); err != nil {
		d.Close()
		t.Fatalf("Read: %v", err)
	}
	waitCounters(t, d, map[string]uint64{"out_unrouted": 3})
	addr := d.Addr().String()
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)

	level, tag, f := logLine(t, log, "opened")
	if !strings.EqualFold(level, "info") || !strings.HasPrefix(tag, "websocksrv@") {
		t.Errorf("opened line: level %q tag %q", level, tag)
	}
	for k, want := range map[string]any{"listen": addr, "abi": "v15.1", "ws1": "/ws1", "ws2": "/second", "users": 2.0} {
		if f[k] != want {
			t.Errorf("opened %s = %v, want %v", k, f[k], want)
		}
	}

	level, _, f = logLine(t, log, "closed")
	if !strings.EqualFold(level, "info") {
		t.Errorf("closed line at level %q, want info", level)
	}
	if f["discarded_in"] != 2.0 {
		t.Errorf("closed discarded_in = %v, want 2", f["discarded_in"])
	}
	counters, _ := f["counters"].(map[string]any)
	for k, want := range map[string]float64{"host_events_written": 3, "host_events_read": 1, "out_unrouted": 3} {
		if counters[k] != want {
			t.Errorf("closed counters.%s = %v, want %v", k, counters[k], want)
		}
	}
	for _, name := range specCounters {
		if _, ok := counters[name]; !ok {
			t.Errorf("closed line does not log counter %s", name)
		}
	}
}
