package main

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
)

// firstHandle is the first handle a process hands out; handles are never
// reused.
const firstHandle = 1681

// instance is one entry of the handle table.
type instance struct {
	drv        *driver.Driver
	abi        config.ABI
	logPath    string
	warnedV151 atomic.Bool
}

// table is the process's only mutable global state: the open instances by
// handle, the next handle, and the file log paths in use (two instances may
// not share one).
var table = struct {
	sync.Mutex
	byHandle map[int64]*instance
	next     int64
	logPaths map[string]bool
}{byHandle: map[int64]*instance{}, next: firstHandle, logPaths: map[string]bool{}}

// reserveLogPath claims path for an instance being opened.
func reserveLogPath(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	table.Lock()
	defer table.Unlock()
	if table.logPaths[abs] {
		return "", fmt.Errorf("logging.file-path: %s is already used by another open instance", abs)
	}
	table.logPaths[abs] = true
	return abs, nil
}

func releaseLogPath(abs string) {
	if abs == "" {
		return
	}
	table.Lock()
	delete(table.logPaths, abs)
	table.Unlock()
}

// register adds inst and returns its new handle; handles are never reused.
func register(inst *instance) int64 {
	table.Lock()
	defer table.Unlock()
	h := table.next
	table.next++
	table.byHandle[h] = inst
	return h
}

func lookup(h int64) *instance {
	table.Lock()
	defer table.Unlock()
	return table.byHandle[h]
}

// unregister removes h and returns its instance, or nil when h is unknown
// (so a second, concurrent close sees nil at once).
func unregister(h int64) *instance {
	table.Lock()
	defer table.Unlock()
	inst := table.byHandle[h]
	delete(table.byHandle, h)
	return inst
}
