package config

import (
	"encoding/json"
	"fmt"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// ABI selects the host's vscpEvent layout (docs/c-api.md, "The two event
// layouts").
type ABI int

// ABI values.
const (
	// ABIv150 is the 56-byte layout of vscpd ≤ 15.0.x, the default.
	ABIv150 ABI = iota
	// ABIv151 is the 64-byte layout of vscpd ≥ 15.1.0.
	ABIv151
)

// String returns the configuration word, "v15.0" or "v15.1".
func (a ABI) String() string {
	switch a {
	case ABIv150:
		return "v15.0"
	case ABIv151:
		return "v15.1"
	}
	return fmt.Sprintf("ABI(%d)", int(a))
}

// Note is a line produced while loading. Loading happens before the
// instance's logger exists, so the driver logs the notes afterwards.
type Note struct {
	Level zapcore.Level
	Msg   string
}

// Config is a validated driver configuration (docs/configuration.md).
type Config struct {
	// Source is the config file path, or "inline".
	Source string
	// Dir is the base directory of relative paths: the config file's
	// directory, or the process working directory for inline JSON.
	Dir string

	Debug         bool
	Write         bool // accepted, no effect
	MongooseDebug bool // accepted, no effect
	ABI           ABI

	Listen Listen

	// KeyFile is the resolved key-file path, "" for the public default key.
	// The file is read by the auth package, not here.
	KeyFile    string
	Encryption auth.Encryption

	// PathUsers is the resolved users file path, "" when absent.
	PathUsers string
	// Users is the inline users array, nil when absent; its entries are
	// validated by the auth package.
	Users json.RawMessage

	EnableWS1, EnableWS2, EnableREST, EnableStatic bool
	// URLWS1, URLWS2 and URLREST are normalised request paths.
	URLWS1, URLWS2, URLREST string
	// WebRoot is the resolved static directory, "" for the built-in page.
	WebRoot string

	MaxClients     int // 0 = unlimited
	MaxInQueue     int
	MaxOutQueue    int
	MaxClientQueue int // max-client-queue-size

	ReceiveSentEvents   bool
	ForwardClientEvents bool

	// InFilter applies to client events going to the host and to MQTT;
	// OutFilter to everything going to clients.
	InFilter, OutFilter vscp.Filter

	TLS TLS

	WSPingInterval  time.Duration // 0 = no pings
	AuthTimeout     time.Duration // 0 = never
	MaxAuthFailures int           // 0 = unlimited
	AuthThrottle    bool
	AuthBindSID     bool
	MaxMessageSize  int64

	// AllowRemotes holds the connection-level peer rules; empty allows all.
	AllowRemotes auth.Remotes

	WS2EventFormat vscp.JSONFormat

	Logging Logging

	// MQTT is the optional bridge; MQTT.Enabled is false when the block is
	// absent or disabled.
	MQTT MQTT

	// Notes are the warnings, info and debug lines produced while loading,
	// in the order they arose.
	Notes []Note
}

// Logging is the logging object (docs/configuration.md, section 7).
type Logging struct {
	ConsoleEnable bool
	ConsoleLevel  zapcore.Level
	FileEnable    bool
	FileLevel     zapcore.Level
	// FilePath is the resolved log file path ("" only when the file sink is
	// disabled).
	FilePath string
	// FileMaxSize is the rotation size in bytes.
	FileMaxSize int64
	// FileMaxFiles is the number of rotated files kept.
	FileMaxFiles int
}

// TLS is the tls object (docs/configuration.md, section 6). File paths are
// resolved but the files are read by the driver, and only when Listen.TLS is
// set.
type TLS struct {
	Certificate string
	Key         string
	CA          string
	CAPath      string
	VerifyPeer  bool
	// MinVersion is a crypto/tls version constant (tls.VersionTLS12, …).
	MinVersion  uint16
	CipherList  string // accepted, not applied
	ShortTrust  bool
	VerifyDepth int // accepted, no effect
}
