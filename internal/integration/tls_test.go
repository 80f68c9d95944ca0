package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// pki is a throw-away public key infrastructure for one test: a CA, server
// pairs for 127.0.0.1 and client pairs, as PEM files in a directory.
type pki struct {
	t      *testing.T
	dir    string
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caFile string
	pool   *x509.CertPool // trusts the CA
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// selfSignedCA makes a CA certificate.
func selfSignedCA(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{t: t, dir: t.TempDir()}
	p.caCert, p.caKey = selfSignedCA(t, "integration test CA")
	p.caFile = p.writePEM("ca.pem", "CERTIFICATE", p.caCert.Raw)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(p.caCert)
	return p
}

func (p *pki) writePEM(name, typ string, der []byte) string {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		p.t.Fatal(err)
	}
	return path
}

func keyDER(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// issue signs a leaf certificate for key with the given CA.
func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64, cn string, server bool, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// serverPair writes a CA-signed server certificate for 127.0.0.1 and its
// key as <name>.crt.pem / <name>.key.pem.
func (p *pki) serverPair(name string, serial int64) (certFile, keyFile string) {
	key := newKey(p.t)
	cert := issue(p.t, p.caCert, p.caKey, serial, "127.0.0.1", true, key)
	return p.writePEM(name+".crt.pem", "CERTIFICATE", cert.Raw), p.writePEM(name+".key.pem", "PRIVATE KEY", keyDER(p.t, key))
}

// clientCert is a CA-signed client certificate.
func (p *pki) clientCert(serial int64) tls.Certificate {
	key := newKey(p.t)
	cert := issue(p.t, p.caCert, p.caKey, serial, "client", false, key)
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
}

// untrustedClientCert is a client certificate signed by a CA the server
// does not know.
func untrustedClientCert(t *testing.T) tls.Certificate {
	t.Helper()
	ca, caKey := selfSignedCA(t, "rogue CA")
	key := newKey(t)
	cert := issue(t, ca, caKey, 77, "rogue client", false, key)
	return tls.Certificate{Certificate: [][]byte{cert.Raw, ca.Raw}, PrivateKey: key, Leaf: cert}
}

// tlsConf is a configuration with a wss interface and the given tls object.
func tlsConf(tlsObj conf) conf {
	return with(baseConf(), "interface", "wss://127.0.0.1:0", "tls", tlsObj)
}

// clientTLS trusts p's CA and presents cert when given. The certificate is
// presented whenever the server asks for one: crypto/tls would otherwise
// leave out a certificate whose issuer is not among the server's acceptable
// CAs, and the untrusted certificate would never reach the server.
func (p *pki) clientTLS(cert ...tls.Certificate) *tls.Config {
	tc := &tls.Config{RootCAs: p.pool, ServerName: "127.0.0.1"}
	if len(cert) > 0 {
		c := cert[0]
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
	}
	return tc
}

// wssSession dials wss://addr/ws1 with tc, logs in and checks that events
// flow both ways: the host's event reaches the client and the client's
// event reaches the host.
func wssSession(d *driver.Driver, tc *tls.Config) error {
	dialer := &websocket.Dialer{HandshakeTimeout: dialTimeout, TLSClientConfig: tc}
	cl, err := dial("wss://"+d.Addr().String()+"/ws1", dialer)
	if err != nil {
		return err
	}
	defer cl.close()
	if err := cl.login(); err != nil {
		return err
	}
	if err := d.Write(&driver.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}, time.Second); err != nil {
		return err
	}
	got, err := cl.read()
	if err != nil {
		return err
	}
	if want := "E;0,10,6,0,,0,00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00,0x01,0x02,0x03"; got != want {
		return &mismatch{"host event", got, want}
	}
	if err := cl.send("E;0,20,3,0,,0,-,9"); err != nil {
		return err
	}
	if got, err := cl.read(); err != nil || got != "+;EVENT" {
		return &mismatch{"event reply", got, "+;EVENT"}
	}
	ev, err := d.Read(frameTimeout)
	if err != nil {
		return err
	}
	if ev.Class != 20 || ev.Type != 3 || len(ev.Data) != 1 || ev.Data[0] != 9 || ev.GUID != ifGUID {
		return &mismatch{"event read by the host", ev.String(), "class 20, type 3, data 09, interface GUID"}
	}
	return nil
}

type mismatch struct{ what, got, want string }

func (m *mismatch) Error() string { return m.what + ": got " + m.got + ", want " + m.want }

// mustConnect and mustRefuse run a wss session with tc.
func mustConnect(t *testing.T, d *driver.Driver, tc *tls.Config, what string) {
	t.Helper()
	if err := wssSession(d, tc); err != nil {
		t.Errorf("%s: session failed: %v", what, err)
	}
}

func mustRefuse(t *testing.T, d *driver.Driver, tc *tls.Config, what string) {
	t.Helper()
	if err := wssSession(d, tc); err == nil {
		t.Errorf("%s: the session succeeded, want the TLS handshake refused", what)
	} else {
		t.Logf("%s: refused as expected: %v", what, err)
	}
}

// TestTLSServerCertificate: wss with certificate and key.
func TestTLSServerCertificate(t *testing.T) {
	p := newPKI(t)
	cert, key := p.serverPair("server", 100)
	d := open(t, tlsConf(conf{"certificate": cert, "key": key}), p.dir)

	mustConnect(t, d, p.clientTLS(), "client trusting the CA")
	mustRefuse(t, d, &tls.Config{ServerName: "127.0.0.1"}, "client with the system roots only")
	other, _ := selfSignedCA(t, "unrelated CA")
	pool := x509.NewCertPool()
	pool.AddCert(other)
	mustRefuse(t, d, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, "client trusting another CA")

	// A plain websocket client cannot talk to the TLS listener.
	if cl, err := dial("ws://"+d.Addr().String()+"/ws1", nil); err == nil {
		cl.close()
		t.Error("a plain ws:// client got a session on the wss listener")
	}

	// The server presents the configured certificate (serial 100) and
	// does not ask for a client certificate when no CA is configured.
	asked := false
	tc := p.clientTLS()
	tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		asked = true
		return &tls.Certificate{}, nil
	}
	if serial, err := peerSerial(d, tc); err != nil || serial != 100 {
		t.Errorf("server certificate serial %d (%v), want 100", serial, err)
	}
	if asked {
		t.Error("the server requested a client certificate without a CA configured")
	}
}

// TestTLSVerifyPeer: verify-peer true with ca requires a client
// certificate signed by that CA.
func TestTLSVerifyPeer(t *testing.T) {
	p := newPKI(t)
	cert, key := p.serverPair("server", 100)
	d := open(t, tlsConf(conf{"certificate": cert, "key": key, "ca": p.caFile, "verify-peer": true}), p.dir)

	mustRefuse(t, d, p.clientTLS(), "no client certificate")
	mustConnect(t, d, p.clientTLS(p.clientCert(200)), "CA-signed client certificate")
	mustRefuse(t, d, p.clientTLS(untrustedClientCert(t)), "untrusted client certificate")
}

// TestTLSCAWithoutVerifyPeer: with a CA but verify-peer false a client
// certificate is optional, but verified when presented.
func TestTLSCAWithoutVerifyPeer(t *testing.T) {
	p := newPKI(t)
	cert, key := p.serverPair("server", 100)
	d := open(t, tlsConf(conf{"certificate": cert, "key": key, "ca-file": p.caFile}), p.dir)

	mustConnect(t, d, p.clientTLS(), "no client certificate")
	mustConnect(t, d, p.clientTLS(p.clientCert(200)), "CA-signed client certificate")
	mustRefuse(t, d, p.clientTLS(untrustedClientCert(t)), "untrusted client certificate")

	// The server asks for a certificate, naming the configured CA.
	var asked []byte
	tc := p.clientTLS()
	tc.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		if len(cri.AcceptableCAs) > 0 {
			asked = cri.AcceptableCAs[0]
		}
		return &tls.Certificate{}, nil
	}
	if _, err := peerSerial(d, tc); err != nil {
		t.Errorf("handshake without a client certificate: %v", err)
	}
	if string(asked) != string(p.caCert.RawSubject) {
		t.Errorf("certificate request names acceptable CA %x, want the configured CA's subject", asked)
	}
}

// TestTLSCAPath: a ca-path directory holding the CA as .pem works like ca;
// files with other extensions are not read.
func TestTLSCAPath(t *testing.T) {
	p := newPKI(t)
	cert, key := p.serverPair("server", 100)
	caDir := filepath.Join(p.dir, "cas")
	if err := os.Mkdir(caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(caDir, "test-ca.pem"), caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(caDir, "README.txt"), []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Relative: resolved against the configuration's directory.
	d := open(t, tlsConf(conf{"certificate": cert, "key": key, "ca-path": "cas", "verify-peer": true}), p.dir)

	mustRefuse(t, d, p.clientTLS(), "no client certificate")
	mustConnect(t, d, p.clientTLS(p.clientCert(200)), "CA-signed client certificate")
	mustRefuse(t, d, p.clientTLS(untrustedClientCert(t)), "untrusted client certificate")
}

// TestTLSProtocolVersion: protocol-version 5 makes TLS 1.3 the minimum.
func TestTLSProtocolVersion(t *testing.T) {
	p := newPKI(t)
	cert, key := p.serverPair("server", 100)

	d := open(t, tlsConf(conf{"certificate": cert, "key": key, "protocol-version": 5}), p.dir)
	tc12 := p.clientTLS()
	tc12.MaxVersion = tls.VersionTLS12
	mustRefuse(t, d, tc12, "TLS 1.2 client, minimum 1.3")
	tc13 := p.clientTLS()
	tc13.MinVersion = tls.VersionTLS13
	mustConnect(t, d, tc13, "TLS 1.3 client")

	// The default (4) accepts a TLS 1.2 client.
	d4 := open(t, tlsConf(conf{"certificate": cert, "key": key}), p.dir)
	tc12 = p.clientTLS()
	tc12.MaxVersion = tls.VersionTLS12
	mustConnect(t, d4, tc12, "TLS 1.2 client, default minimum 1.2")
	tc11 := p.clientTLS()
	tc11.MinVersion, tc11.MaxVersion = tls.VersionTLS11, tls.VersionTLS11
	mustRefuse(t, d4, tc11, "TLS 1.1 client, default minimum 1.2")
}

// peerSerial makes a TLS handshake with the instance and returns the serial
// number of the server certificate.
func peerSerial(d *driver.Driver, tc *tls.Config) (int64, error) {
	dialer := &net.Dialer{Timeout: dialTimeout}
	c, err := tls.DialWithDialer(dialer, "tcp", d.Addr().String(), tc)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.Int64(), nil
}

// replaceFile writes data to path atomically (rename) and moves its
// modification time forward, so that the change is visible even on file
// systems with coarse timestamps.
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	mt := st.ModTime().Add(2 * time.Second)
	if err := os.Chtimes(tmp, mt, mt); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// shortTrustCheck is the interval at which short-trust looks at the files
// (at most every 5 s, docs/configuration.md), plus a margin.
const shortTrustCheck = 5*time.Second + 300*time.Millisecond

// TestTLSShortTrust: with short-trust the pair is reloaded when the files
// change (a later handshake presents the new certificate), and a broken
// replacement keeps the old pair. Both cases wait for the 5 s check
// interval, so they run in parallel.
func TestTLSShortTrust(t *testing.T) {
	t.Run("reload", func(t *testing.T) {
		t.Parallel()
		p := newPKI(t)
		cert, key := p.serverPair("server", 100)
		d := open(t, tlsConf(conf{"certificate": cert, "key": key, "short-trust": true}), p.dir)
		opened := time.Now()
		if serial, err := peerSerial(d, p.clientTLS()); err != nil || serial != 100 {
			t.Fatalf("first handshake: serial %d (%v), want 100", serial, err)
		}
		newCert, newKey := p.serverPair("replacement", 101)
		for src, dst := range map[string]string{newCert: cert, newKey: key} {
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			replaceFile(t, dst, data)
		}
		time.Sleep(time.Until(opened.Add(shortTrustCheck)))
		if serial, err := peerSerial(d, p.clientTLS()); err != nil || serial != 101 {
			t.Errorf("handshake %v after open, files replaced: serial %d (%v), want the new certificate 101",
				time.Since(opened).Round(time.Millisecond), serial, err)
		}
		mustConnect(t, d, p.clientTLS(), "session with the reloaded certificate")
	})
	t.Run("broken-replacement", func(t *testing.T) {
		t.Parallel()
		p := newPKI(t)
		cert, key := p.serverPair("server", 100)
		// The failed reload is logged at error level; keep the output clean.
		c := tlsConf(conf{"certificate": cert, "key": key, "short-trust": true})
		c["logging"] = conf{"console-log-level": "off"}
		d := open(t, c, p.dir)
		opened := time.Now()
		if serial, err := peerSerial(d, p.clientTLS()); err != nil || serial != 100 {
			t.Fatalf("first handshake: serial %d (%v), want 100", serial, err)
		}
		// A new certificate whose key is not the one in the key file.
		otherCert, _ := p.serverPair("other", 102)
		data, err := os.ReadFile(otherCert)
		if err != nil {
			t.Fatal(err)
		}
		replaceFile(t, cert, data)
		time.Sleep(time.Until(opened.Add(shortTrustCheck)))
		if serial, err := peerSerial(d, p.clientTLS()); err != nil || serial != 100 {
			t.Errorf("handshake after a broken replacement: serial %d (%v), want the old certificate 100", serial, err)
		}
		mustConnect(t, d, p.clientTLS(), "session after a broken replacement")
	})
}

// TestTLSOpenFailures: bad TLS material makes the open fail.
func TestTLSOpenFailures(t *testing.T) {
	p := newPKI(t)
	cert, key := p.serverPair("server", 100)
	_, otherKey := p.serverPair("other", 101)
	garbage := filepath.Join(p.dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("this is no PEM\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tls  conf
	}{
		{"missing certificate file", conf{"certificate": filepath.Join(p.dir, "missing.pem"), "key": key}},
		{"missing key file", conf{"certificate": cert, "key": filepath.Join(p.dir, "missing.pem")}},
		{"key not matching the certificate", conf{"certificate": cert, "key": otherKey}},
		{"certificate file without PEM", conf{"certificate": garbage, "key": key}},
		{"verify-peer without a CA", conf{"certificate": cert, "key": key, "verify-peer": true}},
		{"missing ca file", conf{"certificate": cert, "key": key, "ca": filepath.Join(p.dir, "missing-ca.pem")}},
		{"ca file without PEM", conf{"certificate": cert, "key": key, "ca": garbage}},
		{"missing ca-path directory", conf{"certificate": cert, "key": key, "ca-path": filepath.Join(p.dir, "no-such-dir")}},
		{"no tls object", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tlsConf(tc.tls)
			if tc.tls == nil {
				delete(c, "tls")
			}
			c["logging"] = conf{"console-log-level": "off"}
			d, err := tryOpen(c, p.dir)
			if err == nil {
				_ = d.Close()
				t.Fatalf("open succeeded, want an error")
			}
			t.Logf("open failed as expected: %v", err)
		})
	}
	// The port of a failed open is not kept: a good open still works.
	d := open(t, tlsConf(conf{"certificate": cert, "key": key}), p.dir)
	mustConnect(t, d, p.clientTLS(), "after the failed opens")
}

// TestPlainInterfaceIgnoresTLSObject: with ws:// the tls object is only
// type-checked; its files are not read.
func TestPlainInterfaceIgnoresTLSObject(t *testing.T) {
	dir := t.TempDir()
	c := with(baseConf(), "tls", conf{
		"certificate": filepath.Join(dir, "no-cert.pem"), "key": filepath.Join(dir, "no-key.pem"),
		"ca": filepath.Join(dir, "no-ca.pem"), "verify-peer": true,
	})
	d := open(t, c, dir)
	cl, err := dial("ws://"+d.Addr().String()+"/ws1", nil)
	if err != nil {
		t.Fatalf("plain websocket: %v", err)
	}
	defer cl.close()
	if err := cl.login(); err != nil {
		t.Fatal(err)
	}
	// Type checking still applies to the object.
	bad := with(baseConf(), "tls", conf{"certificate": 5}, "logging", conf{"console-log-level": "off"})
	if d, err := tryOpen(bad, dir); err == nil {
		_ = d.Close()
		t.Error("a tls object with a wrongly typed key opened with ws://")
	}
	if !strings.HasPrefix(d.Addr().String(), "127.0.0.1:") {
		t.Errorf("listening on %s", d.Addr())
	}
}
