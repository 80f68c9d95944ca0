package config

import (
	"fmt"
	"strings"
	"testing"
)

// nest builds a document with value at a dotted key path; "[0]" after a
// segment wraps the rest in a one-element array whose object also holds
// extra (to satisfy required keys such as topic).
func nest(path, value, extra string) string {
	seg, rest, more := strings.Cut(path, ".")
	inner := value
	if more {
		inner = nest(rest, value, extra)
	}
	if name, ok := strings.CutSuffix(seg, "[0]"); ok {
		if extra != "" {
			inner = strings.Replace(inner, "{", "{"+extra+", ", 1)
		}
		return fmt.Sprintf(`{%q: [%s]}`, name, inner)
	}
	return fmt.Sprintf(`{%q: %s}`, seg, inner)
}

const (
	boolKey   = "boolean"
	intKey    = "integer"
	stringKey = "string"
	objectKey = "object"
	arrayKey  = "array"
)

// allKeys lists every configuration key with its type.
var allKeys = []struct{ path, typ string }{
	{"debug", boolKey}, {"write", boolKey}, {"abi", stringKey}, {"interface", stringKey},
	{"key-file", stringKey}, {"encryption", stringKey}, {"path-users", stringKey},
	{"users", arrayKey}, {"enable-ws1", boolKey}, {"url-ws1", stringKey},
	{"enable-ws2", boolKey}, {"url-ws2", stringKey}, {"enable-rest", boolKey},
	{"url-rest", stringKey}, {"enable-static", boolKey}, {"web-root", stringKey},
	{"max-clients", intKey}, {"max-in-queue", intKey}, {"max-out-queue", intKey},
	{"max-client-queue-size", intKey}, {"receive-sent-events", boolKey},
	{"forward-client-events", boolKey}, {"filter", objectKey}, {"rx-filter", stringKey},
	{"tls", objectKey}, {"ws-ping-interval", intKey}, {"auth-timeout", intKey},
	{"max-auth-failures", intKey}, {"auth-throttle", boolKey}, {"max-message-size", intKey},
	{"auth-bind-sid", boolKey}, {"ws2-event-format", stringKey}, {"mongoose-debug", boolKey},
	{"logging", objectKey}, {"mqtt", objectKey},

	{"filter.in-filter", stringKey}, {"filter.in-mask", stringKey},
	{"filter.out-filter", stringKey}, {"filter.out-mask", stringKey},

	{"tls.certificate", stringKey}, {"tls.cert", stringKey}, {"tls.key", stringKey},
	{"tls.ca", stringKey}, {"tls.ca-file", stringKey}, {"tls.ca-path", stringKey},
	{"tls.verify-peer", boolKey}, {"tls.verify-depth", intKey},
	{"tls.protocol-version", intKey}, {"tls.cipher-list", stringKey}, {"tls.short-trust", boolKey},

	{"logging.console-enable-log", boolKey}, {"logging.console-log-level", stringKey},
	{"logging.console-pattern", stringKey}, {"logging.file-enable-log", boolKey},
	{"logging.file-enable", boolKey}, {"logging.file-log-level", stringKey},
	{"logging.file-path", stringKey}, {"logging.file-max-size", intKey},
	{"logging.file-max-files", intKey}, {"logging.file-pattern", stringKey},
	{"logging.log-level", stringKey},

	{"mqtt.enable", boolKey}, {"mqtt.host", stringKey}, {"mqtt.port", intKey},
	{"mqtt.user", stringKey}, {"mqtt.password", stringKey}, {"mqtt.clientid", stringKey},
	{"mqtt.keepalive", intKey}, {"mqtt.bcleansession", boolKey},
	{"mqtt.connection-timeout", intKey}, {"mqtt.reconnect", objectKey}, {"mqtt.tls", objectKey},
	{"mqtt.will", objectKey}, {"mqtt.subscribe", arrayKey}, {"mqtt.publish", arrayKey},
	{"mqtt.bescape-pub-topics", boolKey}, {"mqtt.user-escapes", objectKey},
	{"mqtt.reconnect.delay", intKey}, {"mqtt.reconnect.delay-max", intKey},
	{"mqtt.reconnect.exponential-backoff", boolKey},
	{"mqtt.tls.cafile", stringKey}, {"mqtt.tls.capath", stringKey},
	{"mqtt.tls.certfile", stringKey}, {"mqtt.tls.keyfile", stringKey},
	{"mqtt.tls.pwkeyfile", stringKey}, {"mqtt.tls.no-hostname-checking", boolKey},
	{"mqtt.tls.cert-reqs", intKey}, {"mqtt.tls.version", stringKey},
	{"mqtt.tls.ciphers", stringKey}, {"mqtt.tls.psk", stringKey},
	{"mqtt.tls.psk-identity", stringKey},
	{"mqtt.will.topic", stringKey}, {"mqtt.will.qos", intKey},
	{"mqtt.will.retain", boolKey}, {"mqtt.will.payload", stringKey},
	{"mqtt.subscribe[0].topic", stringKey}, {"mqtt.subscribe[0].qos", intKey},
	{"mqtt.publish[0].topic", stringKey}, {"mqtt.publish[0].qos", intKey},
	{"mqtt.publish[0].bretain", boolKey}, {"mqtt.publish[0].retain", boolKey},
	{"mqtt.user-escapes.name", stringKey},
}

// wrongValues gives, per expected type, values of every other JSON type.
var wrongValues = map[string][]struct{ value, got string }{
	boolKey:   {{`"true"`, "string"}, {`1`, "number"}, {`null`, "null"}, {`[]`, "array"}, {`{}`, "object"}},
	intKey:    {{`"5"`, "string"}, {`true`, "boolean"}, {`null`, "null"}, {`[1]`, "array"}, {`{}`, "object"}},
	stringKey: {{`5`, "number"}, {`false`, "boolean"}, {`null`, "null"}, {`["x"]`, "array"}, {`{}`, "object"}},
	objectKey: {{`"x"`, "string"}, {`1`, "number"}, {`true`, "boolean"}, {`null`, "null"}, {`[]`, "array"}},
	arrayKey:  {{`"x"`, "string"}, {`1`, "number"}, {`true`, "boolean"}, {`null`, "null"}, {`{}`, "object"}},
}

// TestWrongTypeNamesKeyPath checks every key with every wrong JSON type:
// Parse fails and the error line names the key path.
func TestWrongTypeNamesKeyPath(t *testing.T) {
	for _, k := range allKeys {
		for _, w := range wrongValues[k.typ] {
			doc := nest(k.path, w.value, `"topic": "t"`)
			t.Run(k.path+"="+w.value, func(t *testing.T) {
				parseFail(t, doc, fmt.Sprintf("%s: expected %s, got %s", k.path, k.typ, w.got))
			})
		}
	}
}

// TestWrongTypeOfMixedKeys covers the keys that take two JSON types.
func TestWrongTypeOfMixedKeys(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"allow-remotes": 1}`, "allow-remotes: expected string or array, got number"},
		{`{"allow-remotes": null}`, "allow-remotes: expected string or array, got null"},
		{`{"allow-remotes": [1]}`, "allow-remotes: "},
		{`{"mqtt": {"subscribe-format": true}}`, "mqtt.subscribe-format: expected string or integer, got boolean"},
		{`{"mqtt": {"publish-format": null}}`, "mqtt.publish-format: expected string or integer, got null"},
		{`{"mqtt": {"subscribe": [{"topic": "t", "format": []}]}}`, "mqtt.subscribe[0].format: expected string or integer, got array"},
		{`{"mqtt": {"publish": [{"topic": "t", "format": {}}]}}`, "mqtt.publish[0].format: expected string or integer, got object"},
		{`{"mqtt": {"subscribe": ["t"]}}`, "mqtt.subscribe[0]: expected object, got string"},
		{`{"mqtt": {"publish": [1]}}`, "mqtt.publish[0]: expected object, got number"},
	}
	for _, tt := range tests {
		parseFail(t, tt.doc, tt.want)
	}
}

// intRanges lists every int key with its range.
var intRanges = []struct {
	path     string
	min, max int64
}{
	{"max-clients", 0, 100000},
	{"max-in-queue", 1, 10000000},
	{"max-out-queue", 1, 10000000},
	{"max-client-queue-size", 1, 1000000},
	{"ws-ping-interval", 0, 86400},
	{"auth-timeout", 0, 86400},
	{"max-auth-failures", 0, 1000},
	{"max-message-size", 4096, 16777216},
	{"tls.verify-depth", 0, 100},
	{"tls.protocol-version", 2, 5},
	{"logging.file-max-size", 1, 1 << 40},
	{"logging.file-max-files", 0, 10000},
	{"mqtt.port", 1, 65535},
	{"mqtt.keepalive", 0, 65535},
	{"mqtt.connection-timeout", 0, 86400000},
	{"mqtt.reconnect.delay", 1, 86400},
	{"mqtt.reconnect.delay-max", 1, 86400},
	{"mqtt.tls.cert-reqs", 0, 1},
	{"mqtt.will.qos", 0, 2},
	{"mqtt.subscribe[0].qos", 0, 2},
	{"mqtt.publish[0].qos", 0, 2},
}

// TestIntRanges checks both bounds of every int key and one step beyond.
func TestIntRanges(t *testing.T) {
	for _, r := range intRanges {
		for _, v := range []int64{r.min, r.max} {
			parse(t, nest(r.path, fmt.Sprint(v), `"topic": "t"`))
		}
		for _, v := range []int64{r.min - 1, r.max + 1} {
			parseFail(t, nest(r.path, fmt.Sprint(v), `"topic": "t"`),
				fmt.Sprintf("%s: value %d out of range %d..%d", r.path, v, r.min, r.max))
		}
	}
}

// TestIntEdgeCases checks the int type: an integral value in any JSON
// number spelling is fine, a fraction is not.
func TestIntEdgeCases(t *testing.T) {
	good := map[string]int64{
		`5242880`: 5242880, `5.24288e6`: 5242880, `5242880.0`: 5242880,
		`52428.8e2`: 5242880, `5.24288E+6`: 5242880,
	}
	for text, want := range good {
		c := parse(t, `{"logging": {"file-max-size": `+text+`}}`)
		if c.Logging.FileMaxSize != want {
			t.Errorf("%s: %d, want %d", text, c.Logging.FileMaxSize, want)
		}
	}
	if c := parse(t, `{"max-clients": -0}`); c.MaxClients != 0 {
		t.Errorf("-0: %d", c.MaxClients)
	}
	if c := parse(t, `{"max-clients": 1e2}`); c.MaxClients != 100 {
		t.Errorf("1e2: %d", c.MaxClients)
	}
	bad := map[string]string{
		`1.5`:            "logging.file-max-size: expected integer, got 1.5",
		`5.5e-1`:         "logging.file-max-size: expected integer, got 5.5e-1",
		`1e-400`:         "logging.file-max-size: expected integer, got 1e-400",
		`1e400`:          "logging.file-max-size: value 1e400 out of range",
		`-1`:             "logging.file-max-size: value -1 out of range",
		`"big"`:          "logging.file-max-size: expected integer, got string",
		`1e13`:           "logging.file-max-size: value 1e13 out of range",
		`"5e6"`:          "logging.file-max-size: expected integer, got string",
		`5242880.000001`: "logging.file-max-size: expected integer",
	}
	for text, want := range bad {
		parseFail(t, `{"logging": {"file-max-size": `+text+`}}`, want)
	}
}

// TestAliases checks each alias alone, and that both spellings are an
// ambiguity error.
func TestAliases(t *testing.T) {
	tests := []struct {
		alone  string
		check  func(*Config) bool
		both   string
		errKey string
	}{
		{
			`{"tls": {"cert": "c.pem"}}`, func(c *Config) bool { return c.TLS.Certificate == "/etc/vscp/c.pem" },
			`{"tls": {"certificate": "a.pem", "cert": "c.pem"}}`, "tls.certificate",
		},
		{
			`{"tls": {"ca-file": "ca.pem"}}`, func(c *Config) bool { return c.TLS.CA == "/etc/vscp/ca.pem" },
			`{"tls": {"ca": "a.pem", "ca-file": "ca.pem"}}`, "tls.ca",
		},
		{
			`{"logging": {"file-enable": true, "file-path": "x.log"}}`, func(c *Config) bool { return c.Logging.FileEnable },
			`{"logging": {"file-enable-log": true, "file-enable": true, "file-path": "x.log"}}`, "logging.file-enable-log",
		},
		{
			`{"mqtt": {"publish": [{"topic": "t", "retain": true}]}}`, func(c *Config) bool { return c.MQTT.Publish[0].Retain },
			`{"mqtt": {"publish": [{"topic": "t", "bretain": false, "retain": true}]}}`, "mqtt.publish[0].bretain",
		},
	}
	for _, tt := range tests {
		if c := parse(t, tt.alone); !tt.check(c) {
			t.Errorf("%s: alias not applied", tt.alone)
		}
		parseFail(t, tt.both, tt.errKey+": ambiguous")
	}
}

// TestEnumeratedWords checks case-insensitive matching after trimming and
// rejection of other words.
func TestEnumeratedWords(t *testing.T) {
	c := parse(t, `{"abi": " V15.1 ", "encryption": "AES256", "ws2-event-format": "Short"}`)
	if c.ABI != ABIv151 || c.Encryption.String() != "aes256" || c.WS2EventFormat.String() != "short" {
		t.Errorf("got %v %v %v", c.ABI, c.Encryption, c.WS2EventFormat)
	}
	for _, tt := range []struct{ doc, want string }{
		{`{"abi": "v15.2"}`, "abi: "},
		{`{"abi": ""}`, "abi: "},
		{`{"abi": "v15"}`, "abi: "},
		{`{"encryption": "aes512"}`, "encryption: "},
		{`{"encryption": ""}`, "encryption: "},
		{`{"ws2-event-format": "long"}`, "ws2-event-format: "},
		{`{"abi": "v15.\u212a"}`, "abi: "},
	} {
		parseFail(t, tt.doc, tt.want)
	}
}
