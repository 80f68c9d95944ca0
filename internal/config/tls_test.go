package config

import (
	"crypto/tls"
	"fmt"
	"testing"

	"go.uber.org/zap/zapcore"
)

// TestTLSPlainSchemeOnlyTypeChecked: upstream configs carry a tls object
// next to ws://; it is checked for types and otherwise ignored.
func TestTLSPlainSchemeOnlyTypeChecked(t *testing.T) {
	c := parse(t, `{"tls": {"ca": "ca.pem", "cert": "cert.pem", "key": "/k/key.pem", "verify-peer": true, "cipher-list": "HIGH"}}`)
	if !hasNote(c, zapcore.InfoLevel, "TLS inactive") {
		t.Errorf("no TLS-inactive info: %+v", c.Notes)
	}
	if hasNote(c, zapcore.WarnLevel, "cipher-list") {
		t.Error("cipher-list warning with a plain scheme")
	}
	if c.TLS.CA != "/etc/vscp/ca.pem" || c.TLS.Certificate != "/etc/vscp/cert.pem" || c.TLS.Key != "/k/key.pem" {
		t.Errorf("paths %+v", c.TLS)
	}
	parse(t, `{"tls": {}}`)
	parseFail(t, `{"tls": {"cert": 1}}`, "tls.cert: expected string, got number")
	parseFail(t, `{"tls": {"protocol-version": 6}}`, "tls.protocol-version: value 6 out of range 2..5")
}

func TestTLSSchemeRequiresCertificateAndKey(t *testing.T) {
	parseFail(t, `{"interface": "wss://0.0.0.0:8443"}`, "tls.certificate: required", "tls.key: required")
	parseFail(t, `{"interface": "wss://0.0.0.0:8443", "tls": {"key": "k.pem"}}`, "tls.certificate: required")
	parseFail(t, `{"interface": "https://[::1]:8443", "tls": {"cert": "c.pem"}}`, "tls.key: required")
	parseFail(t, `{"interface": "tls://h:1", "tls": {"certificate": "  ", "key": "k.pem"}}`, "tls.certificate: required")

	c := parse(t, `{"interface": "wss://0.0.0.0:8443", "tls": {"certificate": "c.pem", "key": "k.pem"}}`)
	if c.TLS.Certificate != "/etc/vscp/c.pem" || c.TLS.Key != "/etc/vscp/k.pem" {
		t.Errorf("paths %+v", c.TLS)
	}
	if c.TLS.MinVersion != tls.VersionTLS12 || c.TLS.VerifyPeer || c.TLS.ShortTrust || c.TLS.VerifyDepth != 9 {
		t.Errorf("defaults %+v", c.TLS)
	}
	if hasNote(c, zapcore.InfoLevel, "TLS inactive") {
		t.Error("TLS-inactive note with a TLS scheme")
	}
}

func TestTLSVerifyPeerNeedsCA(t *testing.T) {
	base := `"interface": "wss://h:1", "tls": {"cert": "c.pem", "key": "k.pem", "verify-peer": true%s}`
	parseFail(t, "{"+fmt.Sprintf(base, "")+"}", "tls.verify-peer: true needs tls.ca or tls.ca-path")
	for _, extra := range []string{`, "ca": "ca.pem"`, `, "ca-file": "ca.pem"`, `, "ca-path": "cas"`} {
		c := parse(t, "{"+fmt.Sprintf(base, extra)+"}")
		if !c.TLS.VerifyPeer {
			t.Errorf("%s: verify-peer lost", extra)
		}
	}
	c := parse(t, `{"interface": "wss://h:1", "tls": {"cert": "c.pem", "key": "k.pem", "ca-path": "cas"}}`)
	if c.TLS.CAPath != "/etc/vscp/cas" {
		t.Errorf("ca-path %q", c.TLS.CAPath)
	}
}

func TestTLSProtocolVersion(t *testing.T) {
	for v, want := range map[int]uint16{2: tls.VersionTLS10, 3: tls.VersionTLS11, 4: tls.VersionTLS12, 5: tls.VersionTLS13} {
		c := parse(t, fmt.Sprintf(`{"interface": "wss://h:1", "tls": {"cert": "c", "key": "k", "protocol-version": %d}}`, v))
		if c.TLS.MinVersion != want {
			t.Errorf("protocol-version %d → %x, want %x", v, c.TLS.MinVersion, want)
		}
	}
	for _, bad := range []string{"1", "6", "4.5", `"4"`} {
		parseFail(t, `{"interface": "wss://h:1", "tls": {"cert": "c", "key": "k", "protocol-version": `+bad+`}}`, "tls.protocol-version: ")
	}
}

func TestTLSCipherListWarning(t *testing.T) {
	c := parse(t, `{"interface": "wss://h:1", "tls": {"cert": "c", "key": "k", "cipher-list": "ECDHE"}}`)
	if !hasNote(c, zapcore.WarnLevel, "tls.cipher-list") || c.TLS.CipherList != "ECDHE" {
		t.Errorf("notes %+v", c.Notes)
	}
	c = parse(t, `{"interface": "wss://h:1", "tls": {"cert": "c", "key": "k", "cipher-list": "", "short-trust": true, "verify-depth": 3}}`)
	if hasNote(c, zapcore.WarnLevel, "tls.cipher-list") || !c.TLS.ShortTrust || c.TLS.VerifyDepth != 3 {
		t.Errorf("got %+v %+v", c.TLS, c.Notes)
	}
}
