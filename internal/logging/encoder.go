package logging

import (
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/logging/level"
)

// timeLayout is ISO-8601 in UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// newEncoder returns the console encoder shared by both sinks: time, level
// word, tag (the logger name), message, then the structured fields.
func newEncoder() zapcore.Encoder {
	return zapcore.NewConsoleEncoder(zapcore.EncoderConfig{
		TimeKey:        "time",
		LevelKey:       "level",
		NameKey:        "logger",
		MessageKey:     "msg",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeTime:     encodeTime,
		EncodeLevel:    encodeLevel,
		EncodeDuration: zapcore.StringDurationEncoder,
		EncodeName:     zapcore.FullNameEncoder,
	})
}

func encodeTime(t time.Time, enc zapcore.PrimitiveArrayEncoder) {
	enc.AppendString(t.UTC().Format(timeLayout))
}

// encodeLevel prints the custom levels by their own words; zap's capital
// encoder would print Level(-2) and DPANIC.
func encodeLevel(l zapcore.Level, enc zapcore.PrimitiveArrayEncoder) {
	enc.AppendString(level.Word(l))
}
