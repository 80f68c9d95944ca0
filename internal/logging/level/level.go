// Package level defines the log level words of the driver configuration
// (docs/configuration.md, the logging object) on top of zapcore.Level.
//
// It lives apart from package logging so that package config can parse level
// words without importing logging, which itself imports config.
package level

import (
	"fmt"
	"math"
	"strings"

	"go.uber.org/zap/zapcore"
)

// zap has no trace or critical level, so the driver adds its own. Critical
// shares the value of zapcore.DPanicLevel; zap only panics at that level in
// development mode, which the driver never enables.
const (
	// Trace is below zapcore.DebugLevel.
	Trace zapcore.Level = -2
	// Critical sits between zapcore.ErrorLevel and zapcore.PanicLevel.
	Critical zapcore.Level = 3
	// Off is above every level, so a sink set to it writes nothing.
	Off zapcore.Level = math.MaxInt8
)

// Parse maps a level word (trace, debug, info, warn|warning, err|error,
// critical, off) to its level. The word is matched case-insensitively and
// exactly after trimming ASCII whitespace; anything else is an error.
func Parse(word string) (zapcore.Level, error) {
	switch strings.ToLower(strings.Trim(word, " \t\n\r\f\v")) {
	case "trace":
		return Trace, nil
	case "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "warn", "warning":
		return zapcore.WarnLevel, nil
	case "err", "error":
		return zapcore.ErrorLevel, nil
	case "critical":
		return Critical, nil
	case "off":
		return Off, nil
	}
	return 0, fmt.Errorf("unknown level %q (expected trace, debug, info, warn, warning, err, error, critical or off)", word)
}

// Word returns the upper-case word printed for l: TRACE and CRITICAL for the
// custom levels, OFF for Off, zap's capital names otherwise.
func Word(l zapcore.Level) string {
	switch l {
	case Trace:
		return "TRACE"
	case Critical:
		return "CRITICAL"
	case Off:
		return "OFF"
	}
	return l.CapitalString()
}
