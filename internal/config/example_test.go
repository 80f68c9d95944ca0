package config

import (
	"context"
	"crypto/tls"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// specExample is a complete configuration that sets almost every key;
// TestSpecExample checks that each value arrives in the Config.
const specExample = `{
  "debug": false,
  "write": false,
  "abi": "v15.1",
  "interface": "wss://0.0.0.0:8884",
  "key-file": "/etc/vscp/vscp.key",
  "encryption": "aes128",
  "path-users": "/etc/vscp/users.json",
  "enable-ws1": true,  "url-ws1": "/ws1",
  "enable-ws2": true,  "url-ws2": "/ws2",
  "enable-rest": true, "url-rest": "/rest",
  "enable-static": true, "web-root": "",
  "max-clients": 100,
  "max-in-queue": 32000, "max-out-queue": 32000, "max-client-queue-size": 1000,
  "receive-sent-events": false, "forward-client-events": true,
  "filter": { "in-filter": "0,0,0,-", "in-mask": "0,0,0,-",
              "out-filter": "0,10,0,-", "out-mask": "0,0xFFFF,0,-" },
  "tls": { "certificate": "/etc/vscp/certs/cert.pem", "key": "/etc/vscp/certs/key.pem",
           "ca": "/etc/vscp/certs/ca.pem", "verify-peer": false, "protocol-version": 4,
           "short-trust": true },
  "ws-ping-interval": 30, "auth-timeout": 30, "max-auth-failures": 3, "auth-throttle": true,
  "max-message-size": 65536,
  "allow-remotes": ["+127.0.0.0/8", "+::1", "+192.168.0.0/16"],
  "auth-bind-sid": true,
  "ws2-event-format": "both",
  "logging": {
    "console-enable-log": true, "console-log-level": "info",
    "file-enable-log": true, "file-log-level": "debug",
    "file-path": "/var/log/vscp/vscpl2drv-websocksrv.log",
    "file-max-size": 5242880, "file-max-files": 7
  },
  "mqtt": {
    "enable": false,
    "host": "tcp://127.0.0.1:1883", "user": "", "password": "", "clientid": "",
    "keepalive": 30, "bcleansession": false,
    "reconnect": { "delay": 2, "delay-max": 10, "exponential-backoff": true },
    "will": { "topic": "vscp/websocksrv/{{ifguid}}/will", "qos": 1, "retain": true, "payload": "down" },
    "subscribe": [ { "topic": "vscp/websocksrv/in/#", "qos": 0, "format": "auto" } ],
    "publish": [ { "topic": "vscp/{{guid}}/{{class}}/{{type}}", "qos": 0, "bretain": false,
                   "format": "json" } ]
  }
}`

func TestSpecExample(t *testing.T) {
	c := parse(t, specExample)
	network, address, err := c.Listen.ResolveWith(context.Background(), fakeResolver{})
	checks := []struct {
		name      string
		got, want any
	}{
		{"abi", c.ABI, ABIv151},
		{"listen", network + " " + address, "tcp4 0.0.0.0:8884"},
		{"listen err", err, nil},
		{"tls scheme", c.Listen.TLS, true},
		{"key-file", c.KeyFile, "/etc/vscp/vscp.key"},
		{"encryption", c.Encryption.String(), "aes128"},
		{"path-users", c.PathUsers, "/etc/vscp/users.json"},
		{"urls", c.URLWS1 + c.URLWS2 + c.URLREST, "/ws1/ws2/rest"},
		{"web-root", c.WebRoot, ""},
		{"in-filter", c.InFilter, vscp.Filter{}},
		{"out-filter", c.OutFilter, vscp.Filter{FilterClass: 10, MaskClass: 0xFFFF}},
		{"tls", c.TLS, TLS{
			Certificate: "/etc/vscp/certs/cert.pem", Key: "/etc/vscp/certs/key.pem", CA: "/etc/vscp/certs/ca.pem",
			MinVersion: tls.VersionTLS12, ShortTrust: true, VerifyDepth: 9,
		}},
		{"ping", c.WSPingInterval, 30 * time.Second},
		{"remotes", c.AllowRemotes.Len(), 3},
		{"remote allowed", c.AllowRemotes.Allow(netip.MustParseAddr("192.168.4.5")), true},
		{"remote denied", c.AllowRemotes.Allow(netip.MustParseAddr("8.8.8.8")), false},
		{"logging", c.Logging, Logging{
			ConsoleEnable: true, ConsoleLevel: zapcore.InfoLevel, FileEnable: true, FileLevel: zapcore.DebugLevel,
			FilePath: "/var/log/vscp/vscpl2drv-websocksrv.log", FileMaxSize: 5242880, FileMaxFiles: 7,
		}},
		{"mqtt enabled", c.MQTT.Enabled, false},
		{"mqtt host", c.MQTT.Host + " " + c.MQTT.Scheme, "127.0.0.1 tcp"},
		{"mqtt reconnect", c.MQTT.Reconnect, MQTTReconnect{2 * time.Second, 10 * time.Second, true}},
		{"mqtt will", c.MQTT.Will, MQTTWill{"vscp/websocksrv/{{ifguid}}/will", 1, true, "down"}},
		{"mqtt subscribe", c.MQTT.Subscribe[0], MQTTSubscription{"vscp/websocksrv/in/#", 0, MQTTFormatAuto}},
		{"mqtt publish", c.MQTT.Publish[0], MQTTPublication{"vscp/{{guid}}/{{class}}/{{type}}", 0, false, MQTTFormatJSON}},
		{"mqtt clientid", c.MQTT.ClientID, DefaultMQTTClientID},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %+v, want %+v", ch.name, ch.got, ch.want)
		}
	}
	for _, n := range c.Notes {
		if n.Level >= zapcore.InfoLevel {
			t.Errorf("unexpected note %+v", n)
		}
	}
}
