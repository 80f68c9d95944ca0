package logging

import (
	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/logging/level"
)

// Custom levels: zap has no trace or critical level.
const (
	// TraceLevel is below zapcore.DebugLevel and printed as TRACE.
	TraceLevel zapcore.Level = level.Trace
	// CriticalLevel equals zapcore.DPanicLevel but is printed as CRITICAL
	// and never panics: loggers from New are not in development mode.
	CriticalLevel zapcore.Level = level.Critical
	// OffLevel is above every level; a sink at OffLevel writes nothing.
	OffLevel zapcore.Level = level.Off
)

// ParseLevel maps a configuration level word (trace, debug, info,
// warn|warning, err|error, critical, off), case-insensitive after trimming,
// to its level.
func ParseLevel(word string) (zapcore.Level, error) {
	return level.Parse(word)
}
