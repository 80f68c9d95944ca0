package config

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
)

// mqttIgnoredKeys are vscpd per-driver keys that the bridge accepts without
// effect (MQTT 3.1.1 only, no measurement block); each logs one warning.
var mqttIgnoredKeys = []string{
	"mqtt-options", "v5", "bind", "bfull-l2", "bjsonmeasurementblock",
	"bUseTopicForEventDefaults", "filter",
}

// mqttSection reads the optional "mqtt" object.
func (o *object) mqttSection(c *Config) {
	c.MQTT = defaultMQTT()
	mo := o.child("mqtt")
	if mo == nil {
		return
	}
	m := &c.MQTT
	m.Present = true

	host, hostOK := mo.str("", "host")
	m.HostRaw = host
	m.Enabled = mo.boolean(hostOK && host != "", "enable")
	mo.brokerAddress(m, host)

	m.User, _ = mo.str("", "user")
	m.Password, _ = mo.str("", "password")
	m.ClientID, _ = mo.str("", "clientid")
	m.KeepAlive = time.Duration(mo.integer(30, 0, 65535, "keepalive")) * time.Second
	m.CleanSession = mo.boolean(false, "bcleansession")
	m.ConnectTimeout = time.Duration(mo.integer(5000, 0, 86400000, "connection-timeout")) * time.Millisecond
	if m.ClientID == "" {
		// A generated id is new on every start, so a persistent session
		// could never be resumed.
		m.ClientID = DefaultMQTTClientID
		m.CleanSession = true
	}

	mo.reconnect(m)
	mo.mqttTLS(m)
	m.UseTLS = brokerSchemes[m.Scheme] || m.TLS.CAFile != "" || m.TLS.CAPath != ""
	mo.will(m)

	m.SubscribeFormat = mo.format(MQTTFormatAuto, true, "subscribe-format")
	m.PublishFormat = mo.format(MQTTFormatJSON, false, "publish-format")
	mo.subscriptions(m)
	mo.publications(m)

	m.EscapePubTopics = mo.boolean(true, "bescape-pub-topics")
	mo.userEscapes(m)

	for _, k := range mqttIgnoredKeys {
		if _, _, ok := mo.lookup(k); ok {
			o.ld.note(zapcore.WarnLevel, "mqtt.%s: accepted and ignored", k)
		}
	}
	for _, mem := range mo.members {
		if mem.name == "qos" || mem.name == "bretain" || strings.HasPrefix(mem.name, "topic-") {
			mo.used[mem.name] = true
			o.ld.note(zapcore.DebugLevel, "mqtt.%s: vscpd main-block key ignored", mem.name)
		}
	}
	mo.finish()
}

// brokerAddress fills scheme, host, port and path from "host" and "port".
func (o *object) brokerAddress(m *MQTT, host string) {
	if host != "" {
		b, err := parseBrokerHost(host)
		if err != nil {
			o.ld.fail("mqtt.host", "%v", err)
		} else {
			m.Scheme, m.Host = b.scheme, b.host
			if b.port != 0 {
				m.Port = b.port
			}
			m.Path = b.path
		}
	}
	m.Port = int(o.integer(int64(m.Port), 1, 65535, "port"))
	m.WebSocket = m.Scheme == "ws" || m.Scheme == "wss"
	switch {
	case m.WebSocket && m.Path == "":
		m.Path = DefaultMQTTWSPath
	case !m.WebSocket && m.Path != "":
		o.ld.note(zapcore.WarnLevel, "mqtt.host: path %q ignored: only ws and wss use a path", m.Path)
		m.Path = ""
	}
}

// reconnect reads mqtt.reconnect. A zero delay would retry in a busy loop,
// so delays start at one second.
func (o *object) reconnect(m *MQTT) {
	ro := o.child("reconnect")
	if ro == nil {
		return
	}
	m.Reconnect.Delay = time.Duration(ro.integer(2, 1, 86400, "delay")) * time.Second
	m.Reconnect.DelayMax = time.Duration(ro.integer(10, 1, 86400, "delay-max")) * time.Second
	m.Reconnect.ExponentialBackoff = ro.boolean(false, "exponential-backoff")
	ro.finish()
}

// mqttTLS reads mqtt.tls.
func (o *object) mqttTLS(m *MQTT) {
	to := o.child("tls")
	if to == nil {
		return
	}
	t := &m.TLS
	t.CAFile = to.pathKey("cafile")
	t.CAPath = to.pathKey("capath")
	t.CertFile = to.pathKey("certfile")
	t.KeyFile = to.pathKey("keyfile")
	t.PwKeyFile, _ = to.str("", "pwkeyfile")
	t.NoHostnameChecking = to.boolean(false, "no-hostname-checking")
	t.VerifyServer = to.integer(1, 0, 1, "cert-reqs") == 1
	if v, name, ok := to.word("", "version"); ok {
		switch v {
		case "":
		case "tlsv1.2":
			t.MinVersion = tls.VersionTLS12
		case "tlsv1.3":
			t.MinVersion = tls.VersionTLS13
		default:
			o.ld.fail(to.keyPath(name), "unknown TLS version %q (want tlsv1.2 or tlsv1.3)", v)
		}
	}
	t.Ciphers, _ = to.str("", "ciphers")
	if t.Ciphers != "" {
		o.ld.note(zapcore.WarnLevel, "mqtt.tls.ciphers: ignored; Go selects the cipher suites")
	}
	if psk, _ := to.str("", "psk"); psk != "" {
		o.ld.fail("mqtt.tls.psk", "TLS-PSK is not supported")
	}
	t.PSKIdentity, _ = to.str("", "psk-identity")
	to.finish()

	if (t.CertFile == "") != (t.KeyFile == "") {
		o.ld.fail("mqtt.tls", "certfile and keyfile must be given together")
	}
}

// will reads mqtt.will.
func (o *object) will(m *MQTT) {
	wo := o.child("will")
	if wo == nil {
		return
	}
	m.Will.Topic, _ = wo.str("", "topic")
	m.Will.QoS = byte(wo.integer(0, 0, 2, "qos"))
	m.Will.Retain = wo.boolean(false, "retain")
	m.Will.Payload, _ = wo.str("", "payload")
	wo.finish()
}

// subscriptions reads mqtt.subscribe.
func (o *object) subscriptions(m *MQTT) {
	name, elems, ok := o.array("subscribe")
	if !ok {
		return
	}
	for i, raw := range elems {
		eo := o.ld.newObject(fmt.Sprintf("%s[%d]", o.keyPath(name), i), raw)
		if eo == nil {
			continue
		}
		s := MQTTSubscription{
			Topic:  eo.topic(),
			QoS:    byte(eo.integer(0, 0, 2, "qos")),
			Format: eo.format(m.SubscribeFormat, true, "format"),
		}
		eo.lookup("v5-options") // accepted, MQTT 5 is not used
		eo.finish()
		m.Subscribe = append(m.Subscribe, s)
	}
}

// publications reads mqtt.publish.
func (o *object) publications(m *MQTT) {
	name, elems, ok := o.array("publish")
	if !ok {
		return
	}
	for i, raw := range elems {
		eo := o.ld.newObject(fmt.Sprintf("%s[%d]", o.keyPath(name), i), raw)
		if eo == nil {
			continue
		}
		p := MQTTPublication{
			Topic:  eo.topic(),
			QoS:    byte(eo.integer(0, 0, 2, "qos")),
			Retain: eo.boolean(false, "bretain", "retain"),
			Format: eo.format(m.PublishFormat, false, "format"),
		}
		eo.finish()
		m.Publish = append(m.Publish, p)
	}
}

// topic reads the required, non-empty topic of an entry.
func (o *object) topic() string {
	t, ok := o.str("", "topic")
	if !ok && o.has("topic") {
		return "" // wrong type, reported
	}
	if t == "" {
		o.ld.fail(o.keyPath("topic"), "required, must not be empty")
	}
	return t
}

// format reads a payload format: a case-insensitive word or vscpd's number.
// auto is valid for subscriptions only.
func (o *object) format(def MQTTFormat, allowAuto bool, key string) MQTTFormat {
	_, raw, ok := o.lookup(key)
	if !ok {
		return def
	}
	path := o.keyPath(key)
	last := MQTTFormatBinary
	if allowAuto {
		last = MQTTFormatAuto
	}
	switch kindOf(raw) {
	case kindNumber:
		v, ok := o.ld.integerValue(path, raw, 0, int64(last))
		if !ok {
			return def
		}
		return MQTTFormat(v)
	case kindString:
		w, ok := o.ld.stringValue(path, raw)
		if !ok {
			return def
		}
		w = lowerASCII(w)
		for f := MQTTFormatJSON; f <= last; f++ {
			if w == mqttFormatWords[f] {
				return f
			}
		}
		o.ld.fail(path, "unknown format %q (want %s)", w, strings.Join(mqttFormatWords[:last+1], ", "))
	default:
		o.ld.fail(path, "expected string or integer, got %s", kindOf(raw))
	}
	return def
}

// userEscapes reads mqtt.user-escapes, an object of string values.
func (o *object) userEscapes(m *MQTT) {
	uo := o.child("user-escapes")
	if uo == nil {
		return
	}
	for _, mem := range uo.members {
		uo.used[mem.name] = true
		if v, ok := o.ld.stringValue(uo.keyPath(mem.name), json.RawMessage(mem.value)); ok {
			m.UserEscapes[mem.name] = v
		}
	}
}
