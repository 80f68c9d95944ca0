package config

import (
	"fmt"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/logging/level"
)

func TestLoggingLevelWords(t *testing.T) {
	tests := map[string]zapcore.Level{
		"trace": level.Trace, "debug": zapcore.DebugLevel, "info": zapcore.InfoLevel,
		"warn": zapcore.WarnLevel, "warning": zapcore.WarnLevel,
		"err": zapcore.ErrorLevel, "error": zapcore.ErrorLevel,
		"critical": level.Critical, "off": level.Off,
		" INFO ": zapcore.InfoLevel, "Warning": zapcore.WarnLevel, "TRACE\t": level.Trace,
	}
	for word, want := range tests {
		c := parse(t, fmt.Sprintf(`{"logging": {"console-log-level": %q, "file-log-level": %q}}`, word, word))
		if c.Logging.ConsoleLevel != want || c.Logging.FileLevel != want {
			t.Errorf("%q → %v/%v, want %v", word, c.Logging.ConsoleLevel, c.Logging.FileLevel, want)
		}
	}
	for _, bad := range []string{"verbose", "inf", "information", "", "warn ing", "fatal", "panic"} {
		parseFail(t, fmt.Sprintf(`{"logging": {"console-log-level": %q}}`, bad), "logging.console-log-level: ")
		parseFail(t, fmt.Sprintf(`{"logging": {"file-log-level": %q}}`, bad), "logging.file-log-level: ")
		parseFail(t, fmt.Sprintf(`{"logging": {"log-level": %q}}`, bad), "logging.log-level: ")
	}
}

func TestLoggingLogLevelIsDefaultForBoth(t *testing.T) {
	c := parse(t, `{"logging": {"log-level": "debug"}}`)
	if c.Logging.ConsoleLevel != zapcore.DebugLevel || c.Logging.FileLevel != zapcore.DebugLevel {
		t.Errorf("got %v %v", c.Logging.ConsoleLevel, c.Logging.FileLevel)
	}
	c = parse(t, `{"logging": {"log-level": "error", "console-log-level": "trace"}}`)
	if c.Logging.ConsoleLevel != level.Trace || c.Logging.FileLevel != zapcore.ErrorLevel {
		t.Errorf("got %v %v", c.Logging.ConsoleLevel, c.Logging.FileLevel)
	}
	c = parse(t, `{"logging": {"log-level": "error", "file-log-level": "warn"}}`)
	if c.Logging.ConsoleLevel != zapcore.ErrorLevel || c.Logging.FileLevel != zapcore.WarnLevel {
		t.Errorf("got %v %v", c.Logging.ConsoleLevel, c.Logging.FileLevel)
	}
}

func TestLoggingFileSink(t *testing.T) {
	c := parse(t, `{"logging": {"file-enable-log": true, "file-path": "logs/d.log", "file-max-size": 1, "file-max-files": 0,
		"console-enable-log": false, "console-pattern": "%v", "file-pattern": "[%l] %v"}}`)
	want := Logging{
		ConsoleEnable: false, ConsoleLevel: zapcore.InfoLevel,
		FileEnable: true, FileLevel: zapcore.InfoLevel, FilePath: "/etc/vscp/logs/d.log",
		FileMaxSize: 1, FileMaxFiles: 0,
	}
	if c.Logging != want {
		t.Errorf("got %+v, want %+v", c.Logging, want)
	}
	parseFail(t, `{"logging": {"file-enable-log": true}}`, "logging.file-path: required")
	parseFail(t, `{"logging": {"file-enable": true, "file-path": " "}}`, "logging.file-path: required")
	// A disabled file sink needs no path.
	parse(t, `{"logging": {"file-enable-log": false}}`)
	if c := parse(t, `{"logging": {}}`); c.Logging != defaultLogging() {
		t.Errorf("empty logging object: %+v", c.Logging)
	}
}
