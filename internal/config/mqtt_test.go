package config

import (
	"crypto/tls"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

func mqttOf(t *testing.T, block string) MQTT {
	t.Helper()
	return parse(t, `{"mqtt": `+block+`}`).MQTT
}

// TestMQTTEnableRule: enabled iff "enable" is true, or absent with a
// non-empty host.
func TestMQTTEnableRule(t *testing.T) {
	tests := []struct {
		block            string
		present, enabled bool
	}{
		{`{}`, true, false},
		{`{"host": "broker"}`, true, true},
		{`{"host": ""}`, true, false},
		{`{"host": "   "}`, true, false},
		{`{"enable": false, "host": "broker"}`, true, false},
		{`{"enable": true}`, true, true},
		{`{"enable": true, "host": ""}`, true, true},
	}
	for _, tt := range tests {
		m := mqttOf(t, tt.block)
		if m.Present != tt.present || m.Enabled != tt.enabled {
			t.Errorf("%s: present %v enabled %v, want %v %v", tt.block, m.Present, m.Enabled, tt.present, tt.enabled)
		}
	}
	if m := parse(t, `{}`).MQTT; m.Present || m.Enabled {
		t.Error("absent block enabled")
	}
	// With enable true and no host the broker is localhost.
	if m := mqttOf(t, `{"enable": true}`); m.Host != "localhost" || m.Port != 1883 {
		t.Errorf("got %s:%d", m.Host, m.Port)
	}
}

func TestMQTTHostForms(t *testing.T) {
	tests := []struct {
		block            string
		scheme, host     string
		port             int
		path             string
		webSocket, tlsOn bool
	}{
		{`{"host": "broker"}`, "tcp", "broker", 1883, "", false, false},
		{`{"host": "broker:1884"}`, "tcp", "broker", 1884, "", false, false},
		{`{"host": "tcp://127.0.0.1:1883"}`, "tcp", "127.0.0.1", 1883, "", false, false},
		{`{"host": "MQTT://broker"}`, "mqtt", "broker", 1883, "", false, false},
		{`{"host": "stcp://broker"}`, "stcp", "broker", 1883, "", false, true},
		{`{"host": "mqtts://broker:8883"}`, "mqtts", "broker", 8883, "", false, true},
		{`{"host": "ssl://broker"}`, "ssl", "broker", 1883, "", false, true},
		{`{"host": "ws://broker:9001"}`, "ws", "broker", 9001, "/mqtt", true, false},
		{`{"host": "wss://broker/custom"}`, "wss", "broker", 1883, "/custom", true, true},
		{`{"host": "[::1]:1884"}`, "tcp", "::1", 1884, "", false, false},
		{`{"host": "tcp://[2001:db8::1]"}`, "tcp", "2001:db8::1", 1883, "", false, false},
		{`{"host": "tcp://broker:1884", "port": 2000}`, "tcp", "broker", 2000, "", false, false},
		{`{"host": "broker", "port": 1999}`, "tcp", "broker", 1999, "", false, false},
		{`{"host": "tcp://broker/x"}`, "tcp", "broker", 1883, "", false, false},
	}
	for _, tt := range tests {
		m := mqttOf(t, tt.block)
		got := []any{m.Scheme, m.Host, m.Port, m.Path, m.WebSocket, m.UseTLS}
		want := []any{tt.scheme, tt.host, tt.port, tt.path, tt.webSocket, tt.tlsOn}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", tt.block, got, want)
		}
	}
	c := parse(t, `{"mqtt": {"host": "tcp://broker/x"}}`)
	if !hasNote(c, zapcore.WarnLevel, "mqtt.host: path") {
		t.Errorf("no path warning: %+v", c.Notes)
	}
}

func TestMQTTHostErrors(t *testing.T) {
	for _, bad := range []string{
		"http://broker", "::1", "broker:0", "broker:70000", "tcp://:1883", "[::1", "broker:x", "tcp://",
		"[10.0.0.1]:1", "bro ker",
	} {
		parseFail(t, fmt.Sprintf(`{"mqtt": {"host": %q}}`, bad), "mqtt.host: ")
	}
	// A disabled block is still validated.
	parseFail(t, `{"mqtt": {"enable": false, "host": "http://broker"}}`, "mqtt.host: ")
}

func TestMQTTTLSRule(t *testing.T) {
	// The vscpd sample's all-empty tls object means plain TCP.
	m := mqttOf(t, `{"host": "broker", "tls": {"cafile": "", "capath": "", "certfile": "", "keyfile": "",
		"pwkeyfile": "", "no-hostname-checking": true, "cert-reqs": 0, "version": "", "ciphers": "", "psk": "",
		"psk-identity": ""}}`)
	if m.UseTLS {
		t.Error("empty tls object turned TLS on")
	}
	m = mqttOf(t, `{"host": "broker", "tls": {"cafile": "ca.pem"}}`)
	if !m.UseTLS || m.TLS.CAFile != "/etc/vscp/ca.pem" {
		t.Errorf("cafile: %+v", m)
	}
	m = mqttOf(t, `{"host": "broker", "tls": {"capath": "certs"}}`)
	if !m.UseTLS || m.TLS.CAPath != "/etc/vscp/certs" {
		t.Errorf("capath: %+v", m)
	}
	m = mqttOf(t, `{"host": "mqtts://broker", "tls": {"certfile": "c.pem", "keyfile": "/k.pem", "pwkeyfile": " secret ",
		"no-hostname-checking": true, "cert-reqs": 0, "version": "TLSv1.3", "psk-identity": "id"}}`)
	want := MQTTTLS{
		CertFile: "/etc/vscp/c.pem", KeyFile: "/k.pem", PwKeyFile: "secret", NoHostnameChecking: true,
		VerifyServer: false, MinVersion: tls.VersionTLS13, PSKIdentity: "id",
	}
	if !m.UseTLS || m.TLS != want {
		t.Errorf("tls = %+v, want %+v", m.TLS, want)
	}
	if m := mqttOf(t, `{"tls": {"version": "tlsv1.2", "cert-reqs": 1}}`); m.TLS.MinVersion != tls.VersionTLS12 || !m.TLS.VerifyServer {
		t.Errorf("got %+v", m.TLS)
	}
}

func TestMQTTTLSErrors(t *testing.T) {
	tests := []struct{ tlsObj, want string }{
		{`{"psk": "0011"}`, "mqtt.tls.psk: TLS-PSK is not supported"},
		{`{"version": "tlsv1.1"}`, "mqtt.tls.version: "},
		{`{"version": "1.2"}`, "mqtt.tls.version: "},
		{`{"certfile": "c.pem"}`, "mqtt.tls: certfile and keyfile must be given together"},
		{`{"keyfile": "k.pem"}`, "mqtt.tls: certfile and keyfile must be given together"},
		{`{"cert-reqs": 2}`, "mqtt.tls.cert-reqs: "},
	}
	for _, tt := range tests {
		parseFail(t, `{"mqtt": {"tls": `+tt.tlsObj+`}}`, tt.want)
	}
	c := parse(t, `{"mqtt": {"tls": {"ciphers": "HIGH"}}}`)
	if !hasNote(c, zapcore.WarnLevel, "mqtt.tls.ciphers") {
		t.Errorf("no ciphers warning: %+v", c.Notes)
	}
}

func TestMQTTClientIDAndSession(t *testing.T) {
	m := mqttOf(t, `{"host": "b", "clientid": "", "bcleansession": false}`)
	if m.ClientID != DefaultMQTTClientID || !m.CleanSession {
		t.Errorf("empty clientid: %q clean %v", m.ClientID, m.CleanSession)
	}
	m = mqttOf(t, `{"host": "b", "clientid": "dev-{{rnd}}", "bcleansession": false}`)
	if m.ClientID != "dev-{{rnd}}" || m.CleanSession {
		t.Errorf("clientid: %q clean %v", m.ClientID, m.CleanSession)
	}
	m = mqttOf(t, `{"host": "b", "clientid": "x", "bcleansession": true, "user": " u ", "password": "p",
		"keepalive": 60, "connection-timeout": 250}`)
	if !m.CleanSession || m.User != "u" || m.Password != "p" || m.KeepAlive != time.Minute || m.ConnectTimeout != 250*time.Millisecond {
		t.Errorf("got %+v", m)
	}
}

func TestMQTTReconnect(t *testing.T) {
	m := mqttOf(t, `{"reconnect": {"delay": 2, "delay-max": 10, "exponential-backoff": true}}`)
	if m.Reconnect != (MQTTReconnect{Delay: 2 * time.Second, DelayMax: 10 * time.Second, ExponentialBackoff: true}) {
		t.Errorf("got %+v", m.Reconnect)
	}
	// The waits docs/mqtt.md lists for the defaults.
	linear := MQTTReconnect{Delay: 2 * time.Second, DelayMax: 10 * time.Second}
	backoff := linear
	backoff.ExponentialBackoff = true
	for name, tt := range map[string]struct {
		r    MQTTReconnect
		want []int
	}{
		"linear":  {linear, []int{2, 4, 6, 8, 10, 10}},
		"backoff": {backoff, []int{2, 4, 8, 10, 10}},
	} {
		for i, w := range tt.want {
			if got := tt.r.Wait(i + 1); got != time.Duration(w)*time.Second {
				t.Errorf("%s: attempt %d waits %v, want %ds", name, i+1, got, w)
			}
		}
	}
	if (MQTTReconnect{}).Wait(1000) != 0 {
		t.Error("zero schedule")
	}
}

func TestMQTTWill(t *testing.T) {
	m := mqttOf(t, `{"will": {"topic": "vscp/{{ifguid}}/will", "qos": 1, "retain": true, "payload": "down"}}`)
	if m.Will != (MQTTWill{Topic: "vscp/{{ifguid}}/will", QoS: 1, Retain: true, Payload: "down"}) || !m.Will.Enabled() {
		t.Errorf("got %+v", m.Will)
	}
	if m := mqttOf(t, `{"will": {"topic": "t"}}`); m.Will.Enabled() {
		t.Error("will without payload enabled")
	}
}

func TestMQTTFormats(t *testing.T) {
	m := mqttOf(t, `{"subscribe": [
		{"topic": "a"}, {"topic": "b", "format": "JSON"}, {"topic": "c", "format": 1},
		{"topic": "d", "format": " string "}, {"topic": "e", "format": 3}, {"topic": "f", "format": 4},
		{"topic": "g", "format": "auto", "qos": 2, "v5-options": {"nl": true}}
	]}`)
	want := []MQTTSubscription{
		{"a", 0, MQTTFormatAuto}, {"b", 0, MQTTFormatJSON}, {"c", 0, MQTTFormatXML},
		{"d", 0, MQTTFormatString}, {"e", 0, MQTTFormatBinary}, {"f", 0, MQTTFormatAuto},
		{"g", 2, MQTTFormatAuto},
	}
	if !reflect.DeepEqual(m.Subscribe, want) {
		t.Errorf("subscribe = %+v", m.Subscribe)
	}

	// subscribe-format and publish-format are defaults only.
	m = mqttOf(t, `{"subscribe-format": "binary", "publish-format": 2,
		"subscribe": [{"topic": "a"}, {"topic": "b", "format": "xml"}],
		"publish": [{"topic": "p"}, {"topic": "q", "format": "Binary", "qos": 1, "bretain": true}]}`)
	if m.Subscribe[0].Format != MQTTFormatBinary || m.Subscribe[1].Format != MQTTFormatXML {
		t.Errorf("subscribe = %+v", m.Subscribe)
	}
	wantPub := []MQTTPublication{{"p", 0, false, MQTTFormatString}, {"q", 1, true, MQTTFormatBinary}}
	if !reflect.DeepEqual(m.Publish, wantPub) {
		t.Errorf("publish = %+v", m.Publish)
	}
	if m := mqttOf(t, `{"publish": [{"topic": "p"}]}`); m.Publish[0].Format != MQTTFormatJSON {
		t.Errorf("default publish format %v", m.Publish[0].Format)
	}

	for _, tt := range []struct{ block, want string }{
		{`{"publish": [{"topic": "p", "format": "auto"}]}`, "mqtt.publish[0].format: unknown format"},
		{`{"publish": [{"topic": "p", "format": 4}]}`, "mqtt.publish[0].format: value 4 out of range 0..3"},
		{`{"publish-format": "auto"}`, "mqtt.publish-format: unknown format"},
		{`{"subscribe-format": 5}`, "mqtt.subscribe-format: value 5 out of range 0..4"},
		{`{"subscribe": [{"topic": "s", "format": "yaml"}]}`, "mqtt.subscribe[0].format: unknown format"},
		{`{"subscribe": [{"topic": "s", "format": 1.5}]}`, "mqtt.subscribe[0].format: expected integer, got 1.5"},
		{`{"subscribe": [{"topic": "s", "format": "0"}]}`, "mqtt.subscribe[0].format: unknown format"},
		{`{"subscribe": [{"topic": "s", "format": "jsonx"}]}`, "mqtt.subscribe[0].format: unknown format"},
	} {
		parseFail(t, `{"mqtt": `+tt.block+`}`, tt.want)
	}
}

func TestMQTTEntryTopicRequired(t *testing.T) {
	for _, tt := range []struct{ block, want string }{
		{`{"publish": [{"qos": 0}]}`, "mqtt.publish[0].topic: required"},
		{`{"publish": [{"topic": ""}]}`, "mqtt.publish[0].topic: required"},
		{`{"publish": [{"topic": "ok"}, {"topic": "  "}]}`, "mqtt.publish[1].topic: required"},
		{`{"subscribe": [{"qos": 1}]}`, "mqtt.subscribe[0].topic: required"},
		{`{"subscribe": [{"topic": ""}]}`, "mqtt.subscribe[0].topic: required"},
	} {
		parseFail(t, `{"mqtt": `+tt.block+`}`, tt.want)
	}
}

func TestMQTTIgnoredKeys(t *testing.T) {
	c := parse(t, `{"mqtt": {"mqtt-options": {}, "v5": {}, "bind": "", "bfull-l2": false,
		"bjsonmeasurementblock": false, "bUseTopicForEventDefaults": false, "filter": {},
		"qos": 0, "bretain": false, "topic-daemon-base": "vscp-daemon/", "topic-drivers": "x"}}`)
	for _, k := range mqttIgnoredKeys {
		if n := noteCount(c, "mqtt."+k+":"); n != 1 || !hasNote(c, zapcore.WarnLevel, "mqtt."+k+": accepted and ignored") {
			t.Errorf("%s: %d notes, want one warning: %+v", k, n, c.Notes)
		}
	}
	for _, k := range []string{"qos", "bretain", "topic-daemon-base", "topic-drivers"} {
		if n := noteCount(c, `mqtt.`+k); n != 1 || !hasNote(c, zapcore.DebugLevel, "mqtt."+k+": vscpd main-block key ignored") {
			t.Errorf("%s: %d notes, want one debug line: %+v", k, n, c.Notes)
		}
	}
}

func TestMQTTUserEscapes(t *testing.T) {
	m := mqttOf(t, `{"user-escapes": {"driver-name": "ws-1", "site": " north "}}`)
	if !reflect.DeepEqual(m.UserEscapes, map[string]string{"driver-name": "ws-1", "site": "north"}) {
		t.Errorf("got %v", m.UserEscapes)
	}
	parseFail(t, `{"mqtt": {"user-escapes": {"a": "x", "b": 1}}}`, "mqtt.user-escapes.b: expected string, got number")
}

// TestMQTTVscpdSampleBlock parses a block in the shape of vscpd's
// per-driver mqtt entry.
func TestMQTTVscpdSampleBlock(t *testing.T) {
	c := parse(t, `{"mqtt": {
		"bind": "", "host": "192.168.1.7", "port": 1883, "mqtt-options": {"tcp-nodelay": true},
		"user": "vscp", "password": "secret", "clientid": "{{srvguid}}-websocksrv",
		"publish-format": "json", "subscribe-format": "auto", "qos": 1, "bcleansession": false,
		"bretain": false, "keepalive": 60, "bjsonmeasurementblock": true,
		"reconnect": {"delay": 2, "delay-max": 10, "exponential-backoff": false},
		"tls": {"cafile": "", "capath": "", "certfile": "", "keyfile": "", "pwkeyfile": "",
			"no-hostname-checking": true, "cert-reqs": 0, "version": "", "ciphers": "", "psk": "", "psk-identity": ""},
		"will": {"topic": "vscp-daemon/{{srvguid}}/will", "qos": 1, "retain": true, "payload": "VSCP Daemon is down"},
		"subscribe": [{"topic": "vscp/{{guid}}/#", "qos": 0, "v5-options": 0, "format": "auto"}],
		"publish": [{"format": "json", "topic": "vscp/{{guid}}/{{class}}/{{type}}/{{nodeid}}", "qos": 1, "bretain": false}]
	}}`)
	m := c.MQTT
	if !m.Enabled || m.Host != "192.168.1.7" || m.UseTLS || m.KeepAlive != time.Minute || m.CleanSession ||
		len(m.Subscribe) != 1 || len(m.Publish) != 1 || m.Publish[0].QoS != 1 || !m.Will.Enabled() {
		t.Errorf("got %+v", m)
	}
	if hasNote(c, zapcore.DebugLevel, "unknown key") {
		t.Errorf("unexpected unknown-key notes: %+v", c.Notes)
	}
}

func TestMQTTFormatString(t *testing.T) {
	for f, w := range map[MQTTFormat]string{MQTTFormatJSON: "json", MQTTFormatXML: "xml", MQTTFormatString: "string",
		MQTTFormatBinary: "binary", MQTTFormatAuto: "auto", 9: "MQTTFormat(9)"} {
		if f.String() != w {
			t.Errorf("%d: %q", f, f.String())
		}
	}
}
