package config

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

// fakeResolver answers from a fixed table, so tests need no DNS.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := f[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

var testResolver = fakeResolver{
	"broker.example":  {netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")},
	"v6only.example":  {netip.MustParseAddr("2001:db8::8")},
	"mapped.example":  {netip.MustParseAddr("::ffff:192.0.2.9")},
	"empty.example":   {},
	"unspec6.example": {netip.MustParseAddr("::")},
}

// tlsFiles makes a TLS-scheme interface valid in Parse.
const tlsFiles = `"tls": {"certificate": "cert.pem", "key": "key.pem"}`

// TestInterfaceTable checks every row of the interface table of
// docs/configuration.md, through Parse and Resolve.
func TestInterfaceTable(t *testing.T) {
	tests := []struct {
		value            string
		network, address string
		tls              bool
		warning          string // fragment of a warning note, "" for none
	}{
		{"ws://localhost:8884", "tcp4", "127.0.0.1:8884", false, ""},
		{"ws://:8884", "tcp", ":8884", false, "all interfaces"},
		{"8884", "tcp", ":8884", false, "all interfaces"},
		{"ws://", "tcp", ":8884", false, "all interfaces"},
		{"ws://0.0.0.0:8884", "tcp4", "0.0.0.0:8884", false, ""},
		{"ws://[::]:9000", "tcp", "[::]:9000", false, ""},
		{"tcp://192.168.1.10", "tcp4", "192.168.1.10:8884", false, ""},
		{"localhost:9000", "tcp4", "127.0.0.1:9000", false, ""},
		{"wss://0.0.0.0:8443", "tcp4", "0.0.0.0:8443", true, ""},
		{"https://[::1]:8443", "tcp6", "[::1]:8443", true, ""},
		{"ws://127.0.0.1:8884/ws1", "tcp4", "127.0.0.1:8884", false, "ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			doc := fmt.Sprintf(`{"interface": %q}`, tt.value)
			if tt.tls {
				doc = fmt.Sprintf(`{"interface": %q, %s}`, tt.value, tlsFiles)
			}
			c := parse(t, doc)
			if c.Listen.TLS != tt.tls {
				t.Errorf("TLS = %v, want %v", c.Listen.TLS, tt.tls)
			}
			network, address, err := c.Listen.ResolveWith(context.Background(), testResolver)
			if err != nil || network != tt.network || address != tt.address {
				t.Errorf("Resolve = %q, %q, %v; want %q, %q", network, address, err, tt.network, tt.address)
			}
			warned := hasNote(c, zapcore.WarnLevel, "interface: ")
			if tt.warning == "" && warned {
				t.Errorf("unexpected interface warning: %+v", c.Notes)
			}
			if tt.warning != "" && !hasNote(c, zapcore.WarnLevel, tt.warning) {
				t.Errorf("want a warning containing %q, notes %+v", tt.warning, c.Notes)
			}
		})
	}
}

// TestInterfaceErrors checks the error row of the table and the other
// interface errors docs/configuration.md lists.
func TestInterfaceErrors(t *testing.T) {
	tests := []struct{ value, want string }{
		{"mqtt://x:1", "unknown scheme"},
		{"ws://h:70000", "out of range"},
		{"ws://::1:80", "brackets"},
		{"", "empty"},
		{"   ", "empty"},
		{"ws://h:abc", "not a decimal number"},
		{"ws://h:-1", "not a decimal number"},
		{"ws://h:", "not a decimal number"},
		{"99999", "out of range"},
		{"ws://h:0000070000", "out of range"},
		{"ws://[::1", "missing ']'"},
		{"ws://[1.2.3.4]:80", "invalid IPv6"},
		{"ws://[::1]x", "unexpected"},
		{"::1", "brackets"},
		{"ftp://h", "unknown scheme"},
		{"ws://8884", "invalid host"},
		{"ws://1.2.3", "invalid host"},
		{"ws://ho st", "invalid character"},
		{"ws://*:80", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			parseFail(t, fmt.Sprintf(`{"interface": %q}`, tt.value), "interface: ", tt.want)
		})
	}
}

func TestInterfaceSchemes(t *testing.T) {
	for scheme, tlsOn := range map[string]bool{
		"ws": false, "tcp": false, "http": false, "WS": false,
		"wss": true, "stcp": true, "tls": true, "ssl": true, "https": true, "HTTPS": true,
	} {
		l, _, err := ParseListen(scheme + "://localhost:1")
		if err != nil || l.TLS != tlsOn || l.Scheme != strings.ToLower(scheme) {
			t.Errorf("%s: %+v, %v; want TLS %v", scheme, l, err, tlsOn)
		}
	}
}

func TestInterfaceParts(t *testing.T) {
	tests := []struct {
		value string
		want  Listen
	}{
		{"  ws://localhost:8884  ", Listen{Raw: "ws://localhost:8884", Scheme: "ws", Host: "localhost", Port: 8884}},
		{"ws://h:0", Listen{Raw: "ws://h:0", Scheme: "ws", Host: "h", Port: 0}},
		{"0", Listen{Raw: "0", Port: 0}},
		{"ws://h:08884", Listen{Raw: "ws://h:08884", Scheme: "ws", Host: "h", Port: 8884}},
		{"ws://h/", Listen{Raw: "ws://h/", Scheme: "ws", Host: "h", Port: 8884, Path: "/"}},
		{"ws://[fe80::1%eth0]:1", Listen{Raw: "ws://[fe80::1%eth0]:1", Scheme: "ws", Host: "fe80::1%eth0", Port: 1}},
		{"broker.example", Listen{Raw: "broker.example", Host: "broker.example", Port: 8884}},
		{"my_host-1.local:65535", Listen{Raw: "my_host-1.local:65535", Host: "my_host-1.local", Port: 65535}},
	}
	for _, tt := range tests {
		got, _, err := ParseListen(tt.value)
		if err != nil || got != tt.want {
			t.Errorf("ParseListen(%q) = %+v, %v; want %+v", tt.value, got, err, tt.want)
		}
	}
}

func TestInterfaceTrailingSlashNoWarning(t *testing.T) {
	_, warnings, err := ParseListen("ws://localhost:1/")
	if err != nil || len(warnings) != 0 {
		t.Errorf("got %v, %v; want no warning for a bare '/'", warnings, err)
	}
}

func TestResolveNames(t *testing.T) {
	tests := []struct {
		host             string
		network, address string
		err              string
	}{
		{"broker.example", "tcp4", "192.0.2.7:1", ""},
		{"v6only.example", "tcp6", "[2001:db8::8]:1", ""},
		{"mapped.example", "tcp4", "192.0.2.9:1", ""},
		{"unspec6.example", "tcp", "[::]:1", ""},
		{"LOCALHOST", "tcp4", "127.0.0.1:1", ""},
		{"::1", "tcp6", "[::1]:1", ""},
		{"::ffff:10.0.0.1", "tcp4", "10.0.0.1:1", ""},
		{"nowhere.invalid", "", "", "resolve listen host"},
		{"empty.example", "", "", "no addresses"},
	}
	for _, tt := range tests {
		l := Listen{Host: tt.host, Port: 1}
		network, address, err := l.ResolveWith(context.Background(), testResolver)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.host, err, tt.err)
			}
			continue
		}
		if err != nil || network != tt.network || address != tt.address {
			t.Errorf("%s: %q %q %v; want %q %q", tt.host, network, address, err, tt.network, tt.address)
		}
	}
}

// TestResolveWithoutDNS checks that Resolve handles literals and localhost
// without a lookup.
func TestResolveWithoutDNS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // any lookup would fail
	for value, want := range map[string]string{
		"ws://localhost:1": "tcp4 127.0.0.1:1",
		"ws://10.1.2.3:2":  "tcp4 10.1.2.3:2",
		"ws://[::1]:3":     "tcp6 [::1]:3",
		"4":                "tcp :4",
	} {
		l, _, err := ParseListen(value)
		if err != nil {
			t.Fatal(err)
		}
		network, address, err := l.Resolve(ctx)
		if got := network + " " + address; err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", value, got, err, want)
		}
	}
}

func TestListenHostPort(t *testing.T) {
	for value, want := range map[string]string{
		"ws://localhost:8884": "localhost:8884",
		"https://[::1]:8443":  "[::1]:8443",
		"8884":                ":8884",
	} {
		l, _, _ := ParseListen(value)
		if got := l.HostPort(); got != want {
			t.Errorf("%s: HostPort %q, want %q", value, got, want)
		}
	}
}
