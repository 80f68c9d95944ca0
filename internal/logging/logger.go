package logging

import (
	"fmt"
	"os"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
)

// New builds an instance logger named tag (websocksrv@<listen address>)
// from the logging section. The console sink writes to stderr, never
// stdout; the file sink is opened now, so an unwritable path is an error
// here rather than a lost log later. The returned close function syncs and
// closes the file sink; it may be called more than once.
func New(cfg config.Logging, tag string) (*zap.Logger, func() error, error) {
	var cores []zapcore.Core
	if cfg.ConsoleEnable {
		stderr := zapcore.Lock(zapcore.AddSync(os.Stderr))
		cores = append(cores, zapcore.NewCore(newEncoder(), stderr, cfg.ConsoleLevel))
	}
	var file *fileSink
	if cfg.FileEnable {
		f, err := openFileSink(cfg.FilePath, cfg.FileMaxSize, cfg.FileMaxFiles)
		if err != nil {
			return nil, nil, fmt.Errorf("logging.file-path %s: %w", cfg.FilePath, err)
		}
		file = f
		cores = append(cores, zapcore.NewCore(newEncoder(), file, cfg.FileLevel))
	}

	// zap's own write failures go to stderr too, never stdout.
	logger := zap.New(zapcore.NewTee(cores...), zap.ErrorOutput(zapcore.Lock(os.Stderr))).Named(tag)

	var once sync.Once
	var closeErr error
	closeFn := func() error {
		once.Do(func() {
			_ = logger.Sync() // stderr cannot always be synced (pipes, terminals)
			if file != nil {
				closeErr = file.Close()
			}
		})
		return closeErr
	}
	return logger, closeFn, nil
}
