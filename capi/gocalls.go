package main

/*
#include <stdlib.h>
*/
import "C"

import "unsafe"

// These wrappers let the package's Go tests and benchmarks drive the
// exported functions with Go values, so that the C API's contract runs
// under the race detector (a race-instrumented c-shared library cannot be
// dlopened; the C host test covers the dlopen path). They are not exported
// to C.

func goOpen(cfg string, guid []byte) int64 {
	cs := C.CString(cfg)
	defer C.free(unsafe.Pointer(cs))
	var g *C.uchar
	if guid != nil {
		g = (*C.uchar)(C.CBytes(guid))
		defer C.free(unsafe.Pointer(g))
	}
	return int64(VSCPOpen(cs, g))
}

func goOpenNull() int64 { return int64(VSCPOpen(nil, nil)) }

func goClose(h int64) int { return int(VSCPClose(C.long(h))) }

func goWrite(h int64, ev unsafe.Pointer, ms uint64) int {
	return int(VSCPWrite(C.long(h), ev, C.ulong(ms)))
}

func goRead(h int64, ev unsafe.Pointer, ms uint64) int {
	return int(VSCPRead(C.long(h), ev, C.ulong(ms)))
}

func goBlockingSend(h int64, ev unsafe.Pointer, ms uint64) int {
	return int(VSCPBlockingSend(C.long(h), ev, C.ulong(ms)))
}

func goBlockingReceive(h int64, ev unsafe.Pointer, ms uint64) int {
	return int(VSCPBlockingReceive(C.long(h), ev, C.ulong(ms)))
}

func goVersion() uint64 { return uint64(VSCPGetVersion()) }

func goVendor() (string, uintptr) {
	p := VSCPGetVendorString()
	return C.GoString(p), uintptr(unsafe.Pointer(p))
}

// cBytes copies b into C memory (caller frees with cFree).
func cBytes(b []byte) unsafe.Pointer { return C.CBytes(b) }

// cGoBytes copies n bytes of C memory.
func cGoBytes(p unsafe.Pointer, n int) []byte { return C.GoBytes(p, C.int(n)) }

func cFree(p unsafe.Pointer) { C.free(p) }

func cULong(v uint64) C.ulong { return C.ulong(v) }
