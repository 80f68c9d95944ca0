package main

/*
#cgo CFLAGS: -DVSCPL2DRV_NO_PROTOTYPES -DVSCPL2DRV_BUILDING
#include "vscpl2drv-websocksrv.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"
	"unsafe"

	"go.uber.org/zap"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Return codes (docs/c-api.md, "Return codes").
const (
	rcOK            = 0
	rcFIFOFull      = 9
	rcTimeout       = 32
	rcParameter     = 34
	rcMemory        = 35
	rcInternal      = 36
	rcInvalidHandle = 41
	rcStopped       = 47
)

// stderrf writes a line with the library prefix; it is the only output
// before an instance has a logger.
func stderrf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vscpl2drv-websocksrv: "+format+"\n", args...)
}

// stderrErr writes every line of err.
func stderrErr(err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		if line != "" {
			stderrf("%s", line)
		}
	}
}

// recovered turns a panic into a log line (the instance log when there is
// one, else stderr); a panic escaping an export would kill the host.
func recovered(r any, where string, inst *instance) {
	if inst != nil && inst.drv != nil {
		inst.drv.Logger().Error("recovered panic", zap.String("in", where), zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
		return
	}
	stderrf("recovered panic in %s: %v\n%s", where, r, debug.Stack())
}

// waitFor maps a C timeout to the driver's: 0 and values above
// 2147483647 mean forever (driver timeout 0).
func waitFor(ms C.ulong) time.Duration {
	if ms == 0 || uint64(ms) > 2147483647 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

//export VSCPOpen
func VSCPOpen(cfgArg *C.char, guid *C.uchar) (handle C.long) {
	var logPath string
	defer func() {
		if r := recover(); r != nil {
			recovered(r, "VSCPOpen", nil)
			releaseLogPath(logPath)
			handle = 0
		}
	}()
	if cfgArg == nil {
		stderrf("VSCPOpen: config is NULL")
		return 0
	}
	arg := C.GoString(cfgArg)
	var ifGUID vscp.GUID
	if guid != nil {
		copy(ifGUID[:], C.GoBytes(unsafe.Pointer(guid), 16))
	}
	cfg, err := config.Load(arg)
	if err != nil {
		stderrErr(err)
		return 0
	}
	if cfg.Logging.FileEnable {
		if logPath, err = reserveLogPath(cfg.Logging.FilePath); err != nil {
			stderrErr(err)
			return 0
		}
	}
	d, err := driver.Open(cfg, ifGUID)
	if err != nil {
		if !errors.Is(err, driver.ErrReported) {
			stderrErr(err)
		}
		releaseLogPath(logPath)
		return 0
	}
	inst := &instance{drv: d, abi: cfg.ABI, logPath: logPath}
	h := register(inst)
	d.Logger().Info("handle registered", zap.Int64("handle", h))
	return C.long(h)
}

//export VSCPClose
func VSCPClose(handle C.long) (rc C.int) {
	var inst *instance
	defer func() {
		if r := recover(); r != nil {
			recovered(r, "VSCPClose", inst)
			rc = rcInternal
		}
	}()
	inst = unregister(int64(handle))
	if inst == nil {
		return rcInvalidHandle
	}
	defer releaseLogPath(inst.logPath)
	// A close that overran its 2 s budget has logged why; the handle is
	// gone and every socket is closed either way, so it still succeeded.
	_ = inst.drv.Close()
	return rcOK
}

//export VSCPWrite
func VSCPWrite(handle C.long, pEvent unsafe.Pointer, timeout C.ulong) (rc C.int) {
	var inst *instance
	defer func() {
		if r := recover(); r != nil {
			recovered(r, "VSCPWrite", inst)
			rc = rcInternal
		}
	}()
	inst = lookup(int64(handle))
	if inst == nil {
		return rcInvalidHandle
	}
	if pEvent == nil {
		return rcParameter
	}
	raw := fromC(pEvent, inst.abi)
	if int(raw.SizeData) > maxData || (raw.SizeData > 0 && !raw.hasData) {
		return rcParameter
	}
	if inst.abi == config.ABIv150 && raw.looksLikeV151() && inst.warnedV151.CompareAndSwap(false, true) {
		inst.drv.Logger().Warn(`VSCPWrite got an event with year 0xFFFF and month 0xFF: the host looks like vscpd 15.1 or later; set "abi": "v15.1" in the driver configuration`)
	}
	switch err := inst.drv.WriteOwned(raw.toEvent(inst.abi), waitFor(timeout)); {
	case err == nil:
		return rcOK
	case errors.Is(err, driver.ErrFull):
		return rcFIFOFull
	case errors.Is(err, driver.ErrParameter):
		return rcParameter
	default:
		return rcStopped
	}
}

//export VSCPRead
func VSCPRead(handle C.long, pEvent unsafe.Pointer, timeout C.ulong) (rc C.int) {
	var inst *instance
	defer func() {
		if r := recover(); r != nil {
			recovered(r, "VSCPRead", inst)
			rc = rcInternal
		}
	}()
	inst = lookup(int64(handle))
	if inst == nil {
		return rcInvalidHandle
	}
	if pEvent == nil {
		return rcParameter
	}
	err := inst.drv.ReadInto(waitFor(timeout), func(ev *vscp.Event) bool {
		raw := fromEvent(ev, inst.abi, time.Now())
		return toC(&raw, pEvent, inst.abi)
	})
	switch {
	case err == nil:
		return rcOK
	case errors.Is(err, driver.ErrTimeout):
		return rcTimeout
	case errors.Is(err, driver.ErrNotTaken):
		return rcMemory
	default:
		return rcStopped
	}
}

//export VSCPBlockingSend
func VSCPBlockingSend(handle C.long, pEvent unsafe.Pointer, timeout C.ulong) C.int {
	return VSCPWrite(handle, pEvent, timeout)
}

//export VSCPBlockingReceive
func VSCPBlockingReceive(handle C.long, pEvent unsafe.Pointer, timeout C.ulong) C.int {
	return VSCPRead(handle, pEvent, timeout)
}

//export VSCPGetVersion
func VSCPGetVersion() C.ulong {
	return C.ulong(version.Packed)
}

//export VSCPGetVendorString
func VSCPGetVendorString() *C.char {
	return vendorString()
}
