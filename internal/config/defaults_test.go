package config

import (
	"crypto/tls"
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// TestEmptyObjectDefaults checks every default of the top-level keys,
// filters, tls, logging and mqtt (docs/configuration.md) as produced by "{}".
func TestEmptyObjectDefaults(t *testing.T) {
	c := parse(t, `{}`)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Source", c.Source, "test.json"},
		{"Dir", c.Dir, testDir},
		{"debug", c.Debug, false},
		{"write", c.Write, false},
		{"mongoose-debug", c.MongooseDebug, false},
		{"abi", c.ABI, ABIv150},
		{"interface", c.Listen, Listen{Raw: "ws://localhost:8884", Scheme: "ws", Host: "localhost", Port: 8884}},
		{"key-file", c.KeyFile, ""},
		{"encryption", c.Encryption, auth.EncAES128},
		{"path-users", c.PathUsers, ""},
		{"users", c.Users == nil, true},
		{"enable-ws1", c.EnableWS1, true},
		{"url-ws1", c.URLWS1, "/ws1"},
		{"enable-ws2", c.EnableWS2, true},
		{"url-ws2", c.URLWS2, "/ws2"},
		{"enable-rest", c.EnableREST, true},
		{"url-rest", c.URLREST, "/rest"},
		{"enable-static", c.EnableStatic, true},
		{"web-root", c.WebRoot, ""},
		{"max-clients", c.MaxClients, 100},
		{"max-in-queue", c.MaxInQueue, 32000},
		{"max-out-queue", c.MaxOutQueue, 32000},
		{"max-client-queue-size", c.MaxClientQueue, 1000},
		{"receive-sent-events", c.ReceiveSentEvents, false},
		{"forward-client-events", c.ForwardClientEvents, true},
		{"in-filter", c.InFilter, vscp.Filter{}},
		{"out-filter", c.OutFilter, vscp.Filter{}},
		{"tls", c.TLS, TLS{MinVersion: tls.VersionTLS12, VerifyDepth: 9}},
		{"ws-ping-interval", c.WSPingInterval, 30 * time.Second},
		{"auth-timeout", c.AuthTimeout, 30 * time.Second},
		{"max-auth-failures", c.MaxAuthFailures, 3},
		{"auth-throttle", c.AuthThrottle, true},
		{"max-message-size", c.MaxMessageSize, int64(65536)},
		{"allow-remotes", c.AllowRemotes.Empty(), true},
		{"auth-bind-sid", c.AuthBindSID, true},
		{"ws2-event-format", c.WS2EventFormat, vscp.JSONBoth},
		{"logging", c.Logging, Logging{
			ConsoleEnable: true, ConsoleLevel: zapcore.InfoLevel,
			FileEnable: false, FileLevel: zapcore.InfoLevel,
			FileMaxSize: 5242880, FileMaxFiles: 7,
		}},
		{"mqtt.Present", c.MQTT.Present, false},
		{"mqtt.Enabled", c.MQTT.Enabled, false},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %+v, want %+v", ch.name, ch.got, ch.want)
		}
	}
	// The only config-level warning of "{}" is the public default key; the
	// listen host is given by the default interface.
	if len(c.Notes) != 1 || !hasNote(c, zapcore.WarnLevel, "default key") {
		t.Errorf("notes = %+v, want exactly the default-key warning", c.Notes)
	}
}

// TestMQTTDefaults checks the mqtt defaults for an mqtt object that only
// names a host.
func TestMQTTDefaults(t *testing.T) {
	m := parse(t, `{"mqtt": {"host": "broker"}}`).MQTT
	want := MQTT{
		Present: true, Enabled: true,
		HostRaw: "broker", Scheme: "tcp", Host: "broker", Port: 1883,
		ClientID: "vscpl2drv-websocksrv-{{rnd}}", KeepAlive: 30 * time.Second,
		CleanSession: true, ConnectTimeout: 5 * time.Second,
		Reconnect:       MQTTReconnect{Delay: 2 * time.Second, DelayMax: 10 * time.Second},
		TLS:             MQTTTLS{VerifyServer: true, MinVersion: tls.VersionTLS12},
		SubscribeFormat: MQTTFormatAuto, PublishFormat: MQTTFormatJSON,
		EscapePubTopics: true, UserEscapes: map[string]string{},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("mqtt = %+v\nwant   %+v", m, want)
	}
}

func TestABIString(t *testing.T) {
	if ABIv150.String() != "v15.0" || ABIv151.String() != "v15.1" || ABI(7).String() != "ABI(7)" {
		t.Error("ABI.String mismatch")
	}
}
