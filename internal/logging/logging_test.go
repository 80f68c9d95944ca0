package logging

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
)

func TestParseLevel(t *testing.T) {
	tests := []struct {
		word string
		want zapcore.Level
		ok   bool
	}{
		{"trace", TraceLevel, true},
		{"debug", zapcore.DebugLevel, true},
		{"info", zapcore.InfoLevel, true},
		{"warn", zapcore.WarnLevel, true},
		{"warning", zapcore.WarnLevel, true},
		{"err", zapcore.ErrorLevel, true},
		{"error", zapcore.ErrorLevel, true},
		{"critical", CriticalLevel, true},
		{"off", OffLevel, true},
		{"  Info\t", zapcore.InfoLevel, true},
		{"CRITICAL", CriticalLevel, true},
		{"WaRnInG", zapcore.WarnLevel, true},
		{"", 0, false},
		{"inf", 0, false},
		{"information", 0, false},
		{"fatal", 0, false},
		{"dpanic", 0, false},
		{"warn ing", 0, false},
		{"debug2", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.word)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v ok=%v", tt.word, got, err, tt.want, tt.ok)
		}
	}
}

// TestLevelOrder checks trace < debug < info < warn < error < critical < off.
func TestLevelOrder(t *testing.T) {
	order := []zapcore.Level{TraceLevel, zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel,
		zapcore.ErrorLevel, CriticalLevel, OffLevel}
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Errorf("%v not below %v", order[i-1], order[i])
		}
	}
	for _, l := range []zapcore.Level{zapcore.PanicLevel, zapcore.FatalLevel} {
		if OffLevel.Enabled(l) {
			t.Errorf("off enables %v", l)
		}
	}
}

// fileConfig is a file-only logging configuration.
func fileConfig(path string, lvl zapcore.Level) config.Logging {
	return config.Logging{FileEnable: true, FilePath: path, FileLevel: lvl,
		FileMaxSize: config.DefaultFileMaxSize, FileMaxFiles: config.DefaultFileMaxFiles}
}

func newLogger(t *testing.T, cfg config.Logging, tag string) (*zap.Logger, func() error) {
	t.Helper()
	l, closeFn, err := New(cfg, tag)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = closeFn() })
	return l, closeFn
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// linePattern is time (ISO-8601 UTC, milliseconds), level, tag, message
// and fields, tab-separated.
var linePattern = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([A-Z]+)\t(\S+)\t([^\t]*)(\t.*)?$`)

func TestOutputFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.log")
	l, closeFn := newLogger(t, fileConfig(path, zapcore.InfoLevel), "websocksrv@127.0.0.1:8884")
	before := time.Now().UTC().Truncate(time.Millisecond)
	l.Info("listening", zap.String("url", "/ws1"), zap.Int("users", 2))
	after := time.Now().UTC()
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if len(lines) != 1 {
		t.Fatalf("lines %q", lines)
	}
	m := linePattern.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("line %q does not match %s", lines[0], linePattern)
	}
	if m[2] != "INFO" || m[3] != "websocksrv@127.0.0.1:8884" || m[4] != "listening" || m[5] != "\t"+`{"url": "/ws1", "users": 2}` {
		t.Errorf("parts %q", m[1:])
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", m[1])
	if err != nil || ts.Before(before) || ts.After(after) {
		t.Errorf("time %s (%v) not in [%v, %v]", m[1], err, before, after)
	}
}

// TestCustomLevelWords: TRACE and CRITICAL are printed by name, and
// logging at CRITICAL (zap's DPanic value) never panics.
func TestCustomLevelWords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.log")
	l, closeFn := newLogger(t, fileConfig(path, TraceLevel), "tag")
	l.Log(TraceLevel, "t")
	l.Debug("d")
	l.Info("i")
	l.Warn("w")
	l.Error("e")
	l.Log(CriticalLevel, "c")
	l.DPanic("dp")
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, line := range readLines(t, path) {
		words = append(words, linePattern.FindStringSubmatch(line)[2])
	}
	want := []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "CRITICAL"}
	if fmt.Sprint(words) != fmt.Sprint(want) {
		t.Errorf("levels %v, want %v", words, want)
	}
}

// TestSinkLevels: each sink filters with its own level; off writes nothing.
func TestSinkLevels(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		lvl  zapcore.Level
		want int
	}{
		{TraceLevel, 6}, {zapcore.InfoLevel, 4}, {zapcore.ErrorLevel, 2}, {CriticalLevel, 1}, {OffLevel, 0},
	} {
		path := filepath.Join(dir, fmt.Sprintf("l%d.log", tt.lvl))
		l, closeFn := newLogger(t, fileConfig(path, tt.lvl), "tag")
		l.Log(TraceLevel, "t")
		l.Debug("d")
		l.Info("i")
		l.Warn("w")
		l.Error("e")
		l.Log(CriticalLevel, "c")
		if err := closeFn(); err != nil {
			t.Fatal(err)
		}
		if got := len(readLines(t, path)); got != tt.want {
			t.Errorf("level %v: %d lines, want %d", tt.lvl, got, tt.want)
		}
	}
}

// TestTwoInstancesDoNotMix: two loggers writing concurrently to their own
// files keep their lines apart.
func TestTwoInstancesDoNotMix(t *testing.T) {
	dir := t.TempDir()
	const n = 500
	paths := []string{filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")}
	tags := []string{"websocksrv@127.0.0.1:1", "websocksrv@127.0.0.1:2"}
	var wg sync.WaitGroup
	closers := make([]func() error, 2)
	for i := range paths {
		l, closeFn := newLogger(t, fileConfig(paths[i], zapcore.InfoLevel), tags[i])
		closers[i] = closeFn
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < n; j++ {
				l.Info("event", zap.Int("i", j))
			}
		}()
	}
	wg.Wait()
	for i, path := range paths {
		if err := closers[i](); err != nil {
			t.Fatal(err)
		}
		lines := readLines(t, path)
		if len(lines) != n {
			t.Errorf("%s: %d lines, want %d", path, len(lines), n)
		}
		for _, line := range lines {
			if m := linePattern.FindStringSubmatch(line); m == nil || m[3] != tags[i] {
				t.Fatalf("%s: foreign or broken line %q", path, line)
			}
		}
	}
}

func TestFileSinkOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "plain")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"missing parent":    filepath.Join(dir, "no", "such", "d.log"),
		"parent is a file":  filepath.Join(notDir, "d.log"),
		"path is directory": dir,
		"empty path":        "",
	}
	for name, path := range tests {
		t.Run(name, func(t *testing.T) {
			l, closeFn, err := New(fileConfig(path, zapcore.InfoLevel), "tag")
			if err == nil {
				_ = closeFn()
				t.Fatalf("New(%q) = %v, want an error", path, l)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !os.IsNotExist(err) {
		t.Error("New created the missing parent directory")
	}

	t.Run("read-only file", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores file permissions")
		}
		ro := filepath.Join(dir, "ro.log")
		if err := os.WriteFile(ro, []byte("old\n"), 0o400); err != nil {
			t.Fatal(err)
		}
		if _, closeFn, err := New(fileConfig(ro, zapcore.InfoLevel), "tag"); err == nil {
			_ = closeFn()
			t.Fatal("read-only file accepted")
		}
		if lines := readLines(t, ro); len(lines) != 1 || lines[0] != "old" {
			t.Errorf("read-only file changed: %q", lines)
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores file permissions")
		}
		rodir := filepath.Join(dir, "rodir")
		if err := os.Mkdir(rodir, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, closeFn, err := New(fileConfig(filepath.Join(rodir, "d.log"), zapcore.InfoLevel), "tag"); err == nil {
			_ = closeFn()
			t.Fatal("unwritable directory accepted")
		}
	})
}

// TestFileOpenedAtNew: the file exists right after New and existing
// content is appended to.
func TestFileOpenedAtNew(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.log")
	newLogger(t, fileConfig(fresh, zapcore.InfoLevel), "tag")
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("file not created by New: %v", err)
	}

	old := filepath.Join(dir, "old.log")
	if err := os.WriteFile(old, []byte("previous line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, closeFn := newLogger(t, fileConfig(old, zapcore.InfoLevel), "tag")
	l.Info("new line")
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, old)
	if len(lines) != 2 || lines[0] != "previous line" || !strings.HasSuffix(lines[1], "\tnew line") {
		t.Errorf("lines %q", lines)
	}
}

// TestCloseIsFinal: close may be called twice, and later lines neither
// fail nor recreate the file.
func TestCloseIsFinal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.log")
	l, closeFn := newLogger(t, fileConfig(path, zapcore.InfoLevel), "tag")
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	if err := closeFn(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	l.Error("late")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a write after close reopened the file")
	}
}

func TestRotationSize(t *testing.T) {
	dir := t.TempDir()
	for bytes, wantMB := range map[int64]int{1: 1, 1 << 20: 1, 1<<20 + 1: 2, 5242880: 5, 5242881: 6, 1 << 40: 1 << 20} {
		s, err := openFileSink(filepath.Join(dir, fmt.Sprintf("r%d.log", bytes)), bytes, 3)
		if err != nil {
			t.Fatal(err)
		}
		if s.lj.MaxSize != wantMB || s.lj.MaxBackups != 3 {
			t.Errorf("%d bytes: MaxSize %d MaxBackups %d, want %d, 3", bytes, s.lj.MaxSize, s.lj.MaxBackups, wantMB)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNoGoroutineLeak: open/close cycles with a file sink leave no goroutines
// behind.
func TestNoGoroutineLeak(t *testing.T) {
	dir := t.TempDir()
	cycle := func(i int) {
		l, closeFn, err := New(fileConfig(filepath.Join(dir, fmt.Sprintf("c%d.log", i%3)), zapcore.InfoLevel), "tag")
		if err != nil {
			t.Fatal(err)
		}
		l.Info("cycle")
		if err := closeFn(); err != nil {
			t.Fatal(err)
		}
	}
	cycle(0)
	before := runtime.NumGoroutine()
	for i := 0; i < 100; i++ {
		cycle(i)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines %d → %d after 100 cycles", before, after)
	}
}

// TestConsoleOnStderrNeverStdout redirects both standard streams: the
// console sink writes to stderr only.
func TestConsoleOnStderrNeverStdout(t *testing.T) {
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	restore := func() { os.Stdout, os.Stderr = oldOut, oldErr }
	defer restore()

	path := filepath.Join(t.TempDir(), "d.log")
	cfg := fileConfig(path, TraceLevel)
	cfg.ConsoleEnable, cfg.ConsoleLevel = true, zapcore.WarnLevel
	l, closeFn, err := New(cfg, "websocksrv@[::1]:9")
	if err != nil {
		restore()
		t.Fatal(err)
	}
	l.Info("file only")
	l.Warn("both sinks")
	l.Log(CriticalLevel, "critical line")
	if err := closeFn(); err != nil {
		t.Error(err)
	}
	restore()
	outW.Close()
	errW.Close()
	stdout, _ := io.ReadAll(outR)
	stderr, _ := io.ReadAll(errR)

	if len(stdout) != 0 {
		t.Errorf("stdout got %q", stdout)
	}
	lines := strings.Split(strings.TrimSuffix(string(stderr), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "\tWARN\twebsocksrv@[::1]:9\tboth sinks") ||
		!strings.Contains(lines[1], "\tCRITICAL\twebsocksrv@[::1]:9\tcritical line") {
		t.Errorf("stderr %q", stderr)
	}
	if n := len(readLines(t, path)); n != 3 {
		t.Errorf("file has %d lines, want 3", n)
	}
}

// TestNoSinks: with both sinks disabled the logger discards everything.
func TestNoSinks(t *testing.T) {
	l, closeFn, err := New(config.Logging{}, "tag")
	if err != nil {
		t.Fatal(err)
	}
	l.Log(CriticalLevel, "nowhere")
	if err := closeFn(); err != nil {
		t.Error(err)
	}
}
