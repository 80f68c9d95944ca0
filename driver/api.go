package driver

import (
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// The driver's types live in internal packages; these aliases are how
// programs outside this module name them.
type (
	// Config is a validated instance configuration (docs/configuration.md).
	Config = config.Config
	// Event is a VSCP event.
	Event = vscp.Event
	// DateTime is an event's UTC date and time; all zero means unset.
	DateTime = vscp.DateTime
	// GUID is a 16-byte VSCP GUID, most significant byte first.
	GUID = vscp.GUID
)

// LoadConfig reads a configuration the way VSCPOpen does: a path to a JSON
// file, or inline JSON when the first non-blank character is '{'.
func LoadConfig(arg string) (*Config, error) { return config.Load(arg) }

// ParseConfig validates a JSON configuration; relative paths in it are
// resolved against dir.
func ParseConfig(data []byte, dir string) (*Config, error) {
	return config.Parse(data, config.SourceInline, dir)
}

// ParseGUID parses a GUID in any of the accepted text forms
// ("FF:FF:…", "-", UUID form, …).
func ParseGUID(s string) (GUID, error) { return vscp.ParseGUID(s) }
