package config

import (
	"crypto/tls"
	"fmt"
	"time"
)

// MQTTFormat is the payload format of a publish or subscribe entry
// (docs/mqtt.md, payload formats). The numeric values are vscpd's.
type MQTTFormat int

// MQTTFormat values.
const (
	MQTTFormatJSON MQTTFormat = iota
	MQTTFormatXML
	MQTTFormatString
	MQTTFormatBinary
	// MQTTFormatAuto detects the format of received payloads (subscribe
	// only).
	MQTTFormatAuto
)

var mqttFormatWords = [...]string{"json", "xml", "string", "binary", "auto"}

// String returns the configuration word.
func (f MQTTFormat) String() string {
	if f >= 0 && int(f) < len(mqttFormatWords) {
		return mqttFormatWords[f]
	}
	return fmt.Sprintf("MQTTFormat(%d)", int(f))
}

// MQTT defaults.
const (
	DefaultMQTTHost     = "localhost"
	DefaultMQTTPort     = 1883
	DefaultMQTTWSPath   = "/mqtt"
	DefaultMQTTClientID = "vscpl2drv-websocksrv-{{rnd}}"
)

// MQTT is the optional MQTT bridge block (docs/mqtt.md). The block is
// validated even when disabled.
type MQTT struct {
	// Present is set when the configuration has an mqtt object.
	Present bool
	// Enabled: "enable" if given, else whether "host" is a non-empty string.
	Enabled bool

	// HostRaw is the "host" value as configured (trimmed), "" when absent.
	HostRaw string
	// Scheme is the lower-case scheme of host: tcp, mqtt, stcp, mqtts, ssl,
	// ws or wss ("tcp" when host has none).
	Scheme string
	// Host is the broker name or address, without IPv6 brackets.
	Host string
	// Port is the "port" key if given, else the port in host, else 1883.
	Port int
	// Path is the websocket path for ws/wss ("/mqtt" by default), "" for
	// the TCP schemes.
	Path string
	// WebSocket is set for the ws and wss schemes.
	WebSocket bool
	// UseTLS: the scheme is stcp, mqtts, ssl or wss, or tls has a non-empty
	// cafile or capath.
	UseTLS bool

	User     string
	Password string
	// ClientID may contain {{rnd}}; an empty clientid becomes
	// DefaultMQTTClientID and forces CleanSession.
	ClientID       string
	KeepAlive      time.Duration
	CleanSession   bool
	ConnectTimeout time.Duration

	Reconnect MQTTReconnect
	TLS       MQTTTLS
	Will      MQTTWill

	Subscribe       []MQTTSubscription
	SubscribeFormat MQTTFormat
	Publish         []MQTTPublication
	PublishFormat   MQTTFormat

	// EscapePubTopics renders {{…}} escapes in publish and will topics
	// (bescape-pub-topics).
	EscapePubTopics bool
	// UserEscapes are extra template values; they override built-ins.
	UserEscapes map[string]string
}

// MQTTReconnect is the reconnect schedule of the MQTT bridge.
type MQTTReconnect struct {
	Delay              time.Duration
	DelayMax           time.Duration
	ExponentialBackoff bool
}

// Wait returns the pause before reconnect attempt n (1, 2, …):
// min(delay×n, delay-max), or min(delay×2^(n−1), delay-max) with
// exponential backoff.
func (r MQTTReconnect) Wait(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := r.Delay
	for i := 1; i < n && d > 0 && d < r.DelayMax; i++ {
		if r.ExponentialBackoff {
			d *= 2
		} else {
			d += r.Delay
		}
	}
	return min(d, r.DelayMax)
}

// MQTTTLS is the mqtt.tls object. Paths are resolved; pwkeyfile is the
// passphrase of an encrypted key (vscpd passes it to its password callback),
// so it is kept verbatim.
type MQTTTLS struct {
	CAFile   string
	CAPath   string
	CertFile string
	KeyFile  string
	// PwKeyFile decrypts KeyFile when it is encrypted.
	PwKeyFile          string
	NoHostnameChecking bool
	// VerifyServer is cert-reqs 1 (the default); cert-reqs 0 clears it.
	VerifyServer bool
	// MinVersion is tls.VersionTLS12 (default) or tls.VersionTLS13.
	MinVersion  uint16
	Ciphers     string // ignored, with a warning when non-empty
	PSKIdentity string // accepted; a non-empty psk is an error
}

// MQTTWill is the last-will message.
type MQTTWill struct {
	Topic   string
	QoS     byte
	Retain  bool
	Payload string
}

// Enabled reports whether the will is set: topic and payload non-empty.
func (w MQTTWill) Enabled() bool { return w.Topic != "" && w.Payload != "" }

// MQTTSubscription is one subscribe entry.
type MQTTSubscription struct {
	Topic  string
	QoS    byte
	Format MQTTFormat
}

// MQTTPublication is one publish entry.
type MQTTPublication struct {
	Topic  string
	QoS    byte
	Retain bool
	Format MQTTFormat
}

// defaultMQTT is the bridge configuration when no mqtt object is given.
func defaultMQTT() MQTT {
	return MQTT{
		Scheme:          "tcp",
		Host:            DefaultMQTTHost,
		Port:            DefaultMQTTPort,
		ClientID:        DefaultMQTTClientID,
		KeepAlive:       30 * time.Second,
		CleanSession:    true,
		ConnectTimeout:  5000 * time.Millisecond,
		Reconnect:       MQTTReconnect{Delay: 2 * time.Second, DelayMax: 10 * time.Second},
		TLS:             MQTTTLS{VerifyServer: true, MinVersion: tls.VersionTLS12},
		SubscribeFormat: MQTTFormatAuto,
		PublishFormat:   MQTTFormatJSON,
		EscapePubTopics: true,
		UserEscapes:     map[string]string{},
	}
}
