package config

import (
	"crypto/tls"

	"go.uber.org/zap/zapcore"
)

// tlsVersions maps "protocol-version" 2..5 to crypto/tls constants.
var tlsVersions = [...]uint16{2: tls.VersionTLS10, 3: tls.VersionTLS11, 4: tls.VersionTLS12, 5: tls.VersionTLS13}

// defaultTLS holds the defaults of the tls object.
func defaultTLS() TLS {
	return TLS{MinVersion: tls.VersionTLS12, VerifyDepth: 9}
}

// tlsSection reads the "tls" object. With a plain scheme the object is only
// checked for types and values, since upstream samples carry one next to
// ws://; the cross-key requirements apply with a TLS scheme.
func (o *object) tlsSection(c *Config) {
	c.TLS = defaultTLS()
	to := o.child("tls")
	if to == nil {
		if c.Listen.TLS && !o.has("tls") {
			o.ld.fail("tls.certificate", "required with the TLS scheme of interface %q", c.Listen.Raw)
			o.ld.fail("tls.key", "required with the TLS scheme of interface %q", c.Listen.Raw)
		}
		return
	}
	t := &c.TLS
	cert, certOK := to.str("", "certificate", "cert")
	key, keyOK := to.str("", "key")
	t.Certificate, t.Key = o.ld.resolve(cert), o.ld.resolve(key)
	t.CA = to.pathKey("ca", "ca-file")
	t.CAPath = to.pathKey("ca-path")
	t.VerifyPeer = to.boolean(false, "verify-peer")
	t.VerifyDepth = int(to.integer(9, 0, 100, "verify-depth"))
	t.MinVersion = tlsVersions[to.integer(4, 2, 5, "protocol-version")]
	t.CipherList, _ = to.str("", "cipher-list")
	t.ShortTrust = to.boolean(false, "short-trust")
	to.finish()

	if !c.Listen.TLS {
		o.ld.note(zapcore.InfoLevel, "tls: TLS inactive: interface %q has a plain scheme, the tls object is ignored", c.Listen.Raw)
		return
	}
	// An invalid value (present but not ok) has been reported already.
	if t.Certificate == "" && (certOK || !to.has("certificate", "cert")) {
		o.ld.fail("tls.certificate", "required with the TLS scheme of interface %q", c.Listen.Raw)
	}
	if t.Key == "" && (keyOK || !to.has("key")) {
		o.ld.fail("tls.key", "required with the TLS scheme of interface %q", c.Listen.Raw)
	}
	if t.VerifyPeer && t.CA == "" && t.CAPath == "" {
		o.ld.fail("tls.verify-peer", "true needs tls.ca or tls.ca-path")
	}
	if t.CipherList != "" {
		o.ld.note(zapcore.WarnLevel, "tls.cipher-list: accepted but not applied; Go selects the cipher suites")
	}
}
