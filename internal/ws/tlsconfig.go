package ws

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
)

// shortTrustInterval is how often, at most, a handshake looks at the
// certificate files' modification times (short-trust).
const shortTrustInterval = 5 * time.Second

// TLSConfig builds the listener's TLS configuration from the tls object
// (docs/configuration.md, section 6). Every file is read now, so a bad file
// fails VSCPOpen.
func TLSConfig(c config.TLS, log *zap.Logger) (*tls.Config, error) {
	kp, err := newKeyPair(c.Certificate, c.Key, log)
	if err != nil {
		return nil, err
	}
	tc := &tls.Config{MinVersion: c.MinVersion}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	if c.ShortTrust {
		tc.GetCertificate = kp.get
	} else {
		cert := kp.current()
		tc.Certificates = []tls.Certificate{*cert}
	}
	pool, err := clientCAs(c.CA, c.CAPath)
	if err != nil {
		return nil, err
	}
	switch {
	case c.VerifyPeer && pool == nil:
		return nil, fmt.Errorf("tls.verify-peer: needs tls.ca or tls.ca-path")
	case c.VerifyPeer:
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	case pool != nil:
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	}
	tc.ClientCAs = pool
	// A non-empty cipher-list was already reported by the config loader.
	return tc, nil
}

func clientCAs(caFile, caPath string) (*x509.CertPool, error) {
	if caFile == "" && caPath == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	add := func(key, file string) error {
		pem, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: %s: no PEM certificate found", key, file)
		}
		return nil
	}
	if caFile != "" {
		if err := add("tls.ca", caFile); err != nil {
			return nil, err
		}
	}
	if caPath != "" {
		entries, err := os.ReadDir(caPath)
		if err != nil {
			return nil, fmt.Errorf("tls.ca-path: %w", err)
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.IsDir() || (ext != ".pem" && ext != ".crt") {
				continue
			}
			if err := add("tls.ca-path", filepath.Join(caPath, e.Name())); err != nil {
				return nil, err
			}
		}
	}
	return pool, nil
}

// keyPair holds the server certificate and, for short-trust, reloads it
// when the files change.
type keyPair struct {
	certFile, keyFile string
	log               *zap.Logger

	mu              sync.Mutex
	cert            *tls.Certificate
	certMod, keyMod time.Time
	lastCheck       time.Time
}

func newKeyPair(certFile, keyFile string, log *zap.Logger) (*keyPair, error) {
	kp := &keyPair{certFile: certFile, keyFile: keyFile, log: log}
	cert, cm, km, err := kp.load()
	if err != nil {
		return nil, err
	}
	kp.cert, kp.certMod, kp.keyMod, kp.lastCheck = cert, cm, km, time.Now()
	return kp, nil
}

func (kp *keyPair) load() (*tls.Certificate, time.Time, time.Time, error) {
	cs, err := os.Stat(kp.certFile)
	if err != nil {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("tls.certificate: %w", err)
	}
	ks, err := os.Stat(kp.keyFile)
	if err != nil {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("tls.key: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(kp.certFile, kp.keyFile)
	if err != nil {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("tls.certificate/tls.key: %w", err)
	}
	return &cert, cs.ModTime(), ks.ModTime(), nil
}

func (kp *keyPair) current() *tls.Certificate {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.cert
}

// get is tls.Config.GetCertificate for short-trust: a handshake at most
// every shortTrustInterval compares the files' modification times and
// reloads; a failed reload keeps serving the old pair.
func (kp *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	now := time.Now()
	if now.Sub(kp.lastCheck) < shortTrustInterval {
		return kp.cert, nil
	}
	kp.lastCheck = now
	cs, err1 := os.Stat(kp.certFile)
	ks, err2 := os.Stat(kp.keyFile)
	if err1 != nil || err2 != nil {
		kp.log.Error("short-trust: cannot stat the certificate files; keeping the loaded pair", zap.NamedError("certificate", err1), zap.NamedError("key", err2))
		return kp.cert, nil
	}
	if cs.ModTime().Equal(kp.certMod) && ks.ModTime().Equal(kp.keyMod) {
		return kp.cert, nil
	}
	cert, cm, km, err := kp.load()
	if err != nil {
		kp.log.Error("short-trust: reload failed; keeping the loaded pair", zap.Error(err))
		return kp.cert, nil
	}
	kp.cert, kp.certMod, kp.keyMod = cert, cm, km
	kp.log.Info("short-trust: certificate reloaded", zap.String("certificate", kp.certFile))
	return kp.cert, nil
}
