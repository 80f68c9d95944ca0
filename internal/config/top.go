package config

import (
	"encoding/json"
	"os"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Defaults of the top-level keys (docs/configuration.md, section 2).
const (
	DefaultURLWS1         = "/ws1"
	DefaultURLWS2         = "/ws2"
	DefaultURLREST        = "/rest"
	DefaultMaxClients     = 100
	DefaultMaxInQueue     = 32000
	DefaultMaxOutQueue    = 32000
	DefaultMaxClientQueue = 1000
	DefaultMaxMessageSize = 65536
)

// topLevel reads every top-level key into c. The interface is read before
// tls, whose rules depend on the scheme.
func (o *object) topLevel(c *Config) {
	c.Debug = o.boolean(false, "debug")
	c.Write = o.boolean(false, "write")
	c.MongooseDebug = o.boolean(false, "mongoose-debug")
	o.abi(c)

	iface, _ := o.str(DefaultInterface, "interface")
	if l, ok := o.ld.parseListen("interface", iface); ok {
		c.Listen = l
	} else {
		c.Listen, _, _ = ParseListen(DefaultInterface)
	}

	o.keys(c)

	c.PathUsers = o.pathKey("path-users")
	if _, raw, ok := o.typed(kindArray, "users"); ok {
		c.Users = raw
	}

	c.EnableWS1 = o.boolean(true, "enable-ws1")
	c.EnableWS2 = o.boolean(true, "enable-ws2")
	c.EnableREST = o.boolean(true, "enable-rest")
	c.EnableStatic = o.boolean(true, "enable-static")
	c.URLWS1, c.URLWS2, c.URLREST = DefaultURLWS1, DefaultURLWS2, DefaultURLREST
	o.urlPaths([]endpoint{
		{"url-ws1", c.EnableWS1, &c.URLWS1},
		{"url-ws2", c.EnableWS2, &c.URLWS2},
		{"url-rest", c.EnableREST, &c.URLREST},
	})
	o.webRoot(c)

	c.MaxClients = int(o.integer(DefaultMaxClients, 0, 100000, "max-clients"))
	c.MaxInQueue = int(o.integer(DefaultMaxInQueue, 1, 10000000, "max-in-queue"))
	c.MaxOutQueue = int(o.integer(DefaultMaxOutQueue, 1, 10000000, "max-out-queue"))
	c.MaxClientQueue = int(o.integer(DefaultMaxClientQueue, 1, 1000000, "max-client-queue-size"))
	c.ReceiveSentEvents = o.boolean(false, "receive-sent-events")
	c.ForwardClientEvents = o.boolean(true, "forward-client-events")

	o.filters(c)
	o.tlsSection(c)

	c.WSPingInterval = time.Duration(o.integer(30, 0, 86400, "ws-ping-interval")) * time.Second
	c.AuthTimeout = time.Duration(o.integer(30, 0, 86400, "auth-timeout")) * time.Second
	c.MaxAuthFailures = int(o.integer(3, 0, 1000, "max-auth-failures"))
	c.AuthThrottle = o.boolean(true, "auth-throttle")
	c.AuthBindSID = o.boolean(true, "auth-bind-sid")
	c.MaxMessageSize = o.integer(DefaultMaxMessageSize, 4096, 16777216, "max-message-size")
	o.allowRemotes(c)
	o.eventFormat(c)

	o.loggingSection(c)
	o.mqttSection(c)
	o.finish()
}

// abi reads "abi".
func (o *object) abi(c *Config) {
	w, name, ok := o.word("", "abi")
	if !ok {
		return
	}
	switch w {
	case "v15.0":
		c.ABI = ABIv150
	case "v15.1":
		c.ABI = ABIv151
	default:
		o.ld.fail(name, "unknown ABI %q (want v15.0 or v15.1)", w)
	}
}

// keys reads "key-file" and "encryption". The key file itself is read by
// the auth package when the instance opens; here it is only located.
func (o *object) keys(c *Config) {
	c.KeyFile = o.pathKey("key-file")
	if w, name, ok := o.word("", "encryption"); ok {
		enc, err := auth.ParseEncryption(w)
		if err != nil {
			o.ld.fail(name, "%v", err)
		}
		c.Encryption = enc
	}
	// The "credentials travel in clear" warning of encryption none is the
	// driver's, which logs it where the key would be loaded.
	if c.Encryption != auth.EncNone && c.KeyFile == "" {
		o.ld.note(zapcore.WarnLevel, "no key-file: using the public VSCP default key, so anyone can forge logins")
	}
}

// webRoot reads "web-root". A missing directory is not an error: requests
// for static content then get 404.
func (o *object) webRoot(c *Config) {
	c.WebRoot = o.pathKey("web-root")
	if c.WebRoot == "" {
		return
	}
	if fi, err := os.Stat(c.WebRoot); err != nil || !fi.IsDir() {
		o.ld.note(zapcore.WarnLevel, "web-root %q is not a directory: static requests get 404", c.WebRoot)
	}
}

// allowRemotes reads "allow-remotes".
func (o *object) allowRemotes(c *Config) {
	name, raw, ok := o.lookup("allow-remotes")
	if !ok {
		return
	}
	if k := kindOf(raw); k != kindString && k != kindArray {
		o.ld.fail(name, "expected string or array, got %s", k)
		return
	}
	r, err := auth.ParseRemotesJSON(json.RawMessage(raw))
	if err != nil {
		o.ld.fail(name, "%v", err)
		return
	}
	c.AllowRemotes = r
}

// eventFormat reads "ws2-event-format".
func (o *object) eventFormat(c *Config) {
	c.WS2EventFormat = vscp.JSONBoth
	w, name, ok := o.word("", "ws2-event-format")
	if !ok {
		return
	}
	f, err := vscp.ParseJSONFormat(w)
	if err != nil {
		o.ld.fail(name, "%v", err)
		return
	}
	c.WS2EventFormat = f
}
