package config

import (
	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/logging/level"
)

// Logging defaults.
const (
	DefaultFileMaxSize  = 5242880
	DefaultFileMaxFiles = 7
	maxFileMaxSize      = 1 << 40
)

// defaultLogging is the console at info on stderr, no file.
func defaultLogging() Logging {
	return Logging{
		ConsoleEnable: true,
		ConsoleLevel:  zapcore.InfoLevel,
		FileLevel:     zapcore.InfoLevel,
		FileMaxSize:   DefaultFileMaxSize,
		FileMaxFiles:  DefaultFileMaxFiles,
	}
}

// loggingSection reads the "logging" object.
func (o *object) loggingSection(c *Config) {
	c.Logging = defaultLogging()
	lo := o.child("logging")
	if lo == nil {
		return
	}
	lg := &c.Logging
	lg.ConsoleEnable = lo.boolean(true, "console-enable-log")
	lg.FileEnable = lo.boolean(false, "file-enable-log", "file-enable")

	// log-level is the default of both sink levels, not an alias: each
	// specific key overrides it.
	base := lo.level(zapcore.InfoLevel, "log-level")
	lg.ConsoleLevel = lo.level(base, "console-log-level")
	lg.FileLevel = lo.level(base, "file-log-level")

	// Patterns are spdlog syntax: accepted for compatibility, not applied.
	lo.str("", "console-pattern")
	lo.str("", "file-pattern")

	path, pathOK := lo.str("", "file-path")
	lg.FilePath = o.ld.resolve(path)
	lg.FileMaxSize = lo.integer(DefaultFileMaxSize, 1, maxFileMaxSize, "file-max-size")
	lg.FileMaxFiles = int(lo.integer(DefaultFileMaxFiles, 0, 10000, "file-max-files"))
	lo.finish()

	if lg.FileEnable && lg.FilePath == "" && (pathOK || !lo.has("file-path")) {
		o.ld.fail("logging.file-path", "required when the file sink is enabled")
	}
}

// level reads a level word key.
func (o *object) level(def zapcore.Level, names ...string) zapcore.Level {
	w, name, ok := o.word("", names...)
	if !ok {
		return def
	}
	l, err := level.Parse(w)
	if err != nil {
		o.ld.fail(o.keyPath(name), "%v", err)
		return def
	}
	return l
}
