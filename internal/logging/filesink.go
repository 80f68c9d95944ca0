package logging

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"unsafe"

	"gopkg.in/natefinch/lumberjack.v2"
)

// fileSink wraps lumberjack so that the file is opened at construction and
// nothing is written (or reopened) after Close.
type fileSink struct {
	mu     sync.Mutex
	lj     *lumberjack.Logger
	closed bool
}

// openFileSink opens path for appending, creating it if needed, with
// rotation at maxBytes (rounded up to whole MiB, at least 1) keeping
// maxFiles rotated files (lumberjack MaxBackups, where 0 keeps all).
// Lumberjack opens lazily and creates missing directories; the driver must
// fail at open instead, so both are checked here.
func openFileSink(path string, maxBytes int64, maxFiles int) (*fileSink, error) {
	if path == "" {
		return nil, errors.New("file sink enabled without a file path")
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("log file directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("log file directory %s: not a directory", dir)
	}
	// Lumberjack would rename an existing file it cannot open and start a
	// new one; an unwritable log file is a configuration error instead.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0); err == nil {
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("log file: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("log file: %w", err)
	}

	const mib = 1 << 20
	maxMB := max(int((maxBytes+mib-1)/mib), 1)
	s := &fileSink{lj: &lumberjack.Logger{Filename: path, MaxSize: maxMB, MaxBackups: maxFiles}}
	// A zero-length write makes lumberjack open (or create) the file now.
	if _, err := s.lj.Write(nil); err != nil {
		s.Close()
		return nil, fmt.Errorf("log file: %w", err)
	}
	return s, nil
}

// Write appends p; after Close it drops p, because lumberjack would reopen
// the file and the late line has nowhere proper to go.
func (s *fileSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return len(p), nil
	}
	return s.lj.Write(p)
}

// Sync is a no-op: every line is handed to the kernel by Write, and the
// driver does not pay for an fsync per error line.
func (s *fileSink) Sync() error { return nil }

// Close closes the file and stops lumberjack's helper goroutine. Later
// calls do nothing.
func (s *fileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.lj.Close()
	stopMill(s.lj)
	return err
}

// stopMill ends the goroutine lumberjack v2.2.1 starts on the first open of
// each Logger: it ranges over the unexported channel millCh, which lumberjack
// never closes, so every open/close cycle of a driver instance would leak one
// goroutine (an instance must leave nothing running). Closing the channel is
// safe once Close has run: lumberjack only sends on it from Write and Rotate,
// and fileSink makes no further calls after Close. If a future version
// renames the field, the goroutine is left alone.
func stopMill(l *lumberjack.Logger) {
	f := reflect.ValueOf(l).Elem().FieldByName("millCh")
	if !f.IsValid() || f.Kind() != reflect.Chan || f.Type().ChanDir() != reflect.BothDir {
		return
	}
	ch := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	if !ch.IsNil() {
		ch.Close()
	}
}
