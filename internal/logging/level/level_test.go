package level

import (
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestWord(t *testing.T) {
	tests := map[zapcore.Level]string{
		Trace: "TRACE", zapcore.DebugLevel: "DEBUG", zapcore.InfoLevel: "INFO", zapcore.WarnLevel: "WARN",
		zapcore.ErrorLevel: "ERROR", Critical: "CRITICAL", Off: "OFF",
		zapcore.PanicLevel: "PANIC", zapcore.FatalLevel: "FATAL",
	}
	for l, want := range tests {
		if got := Word(l); got != want {
			t.Errorf("Word(%d) = %q, want %q", l, got, want)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, w := range []string{"trace", "debug", "info", "warn", "error", "critical", "off"} {
		l, err := Parse(w)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(Word(l))
		if err != nil || back != l {
			t.Errorf("%s → %v → %q → %v, %v", w, l, Word(l), back, err)
		}
	}
	// Unicode case folding must not make other words match.
	if _, err := Parse("\u212a"); err == nil {
		t.Error("Kelvin sign accepted")
	}
}
