package main

/*
#cgo CFLAGS: -DVSCPL2DRV_NO_PROTOTYPES -DVSCPL2DRV_BUILDING
#include <stdlib.h>
#include <string.h>
#include "vscpl2drv-websocksrv.h"

// raw carries every field either layout can hold, so that the Go side
// reads and writes plain struct fields and the C compiler, compiling against
// the shipped header, decides every offset.
typedef struct {
	uint16_t head;
	uint32_t obid;
	uint16_t year;
	uint8_t month, day, hour, minute, second;
	uint32_t timestamp;
	uint64_t timestamp_ns;
	uint16_t vscp_class, vscp_type;
	uint8_t GUID[16];
	uint16_t sizeData;
	uint8_t *pdata;
} vscpl2drv_raw_t;

static void raw_from_v15_0(const void *p, vscpl2drv_raw_t *r) {
	const vscpl2drv_event_v15_0_t *e = (const vscpl2drv_event_v15_0_t *)p;
	memset(r, 0, sizeof *r);
	r->head = e->head; r->obid = e->obid;
	r->year = e->year; r->month = e->month; r->day = e->day;
	r->hour = e->hour; r->minute = e->minute; r->second = e->second;
	r->timestamp = e->timestamp;
	r->vscp_class = e->vscp_class; r->vscp_type = e->vscp_type;
	memcpy(r->GUID, e->GUID, 16);
	r->sizeData = e->sizeData; r->pdata = e->pdata;
}

// Both views of the v15.1 union are copied; Go decides which one counts.
static void raw_from_v15_1(const void *p, vscpl2drv_raw_t *r) {
	const vscpl2drv_event_v15_1_t *e = (const vscpl2drv_event_v15_1_t *)p;
	memset(r, 0, sizeof *r);
	r->head = e->head; r->obid = e->obid;
	r->year = e->year; r->month = e->month;
	r->timestamp_ns = e->timestamp_ns;
	r->day = e->day; r->hour = e->hour; r->minute = e->minute; r->second = e->second;
	r->timestamp = e->timestamp;
	r->vscp_class = e->vscp_class; r->vscp_type = e->vscp_type;
	memcpy(r->GUID, e->GUID, 16);
	r->sizeData = e->sizeData; r->pdata = e->pdata;
}

static void raw_to_v15_0(const vscpl2drv_raw_t *r, void *p) {
	vscpl2drv_event_v15_0_t *e = (vscpl2drv_event_v15_0_t *)p;
	memset(e, 0, sizeof *e);
	e->head = r->head; e->obid = r->obid;
	e->year = r->year; e->month = r->month; e->day = r->day;
	e->hour = r->hour; e->minute = r->minute; e->second = r->second;
	e->timestamp = r->timestamp;
	e->vscp_class = r->vscp_class; e->vscp_type = r->vscp_type;
	memcpy(e->GUID, r->GUID, 16);
	e->sizeData = r->sizeData; e->pdata = r->pdata;
}

static void raw_to_v15_1(const vscpl2drv_raw_t *r, void *p, int unix_ns) {
	vscpl2drv_event_v15_1_t *e = (vscpl2drv_event_v15_1_t *)p;
	memset(e, 0, sizeof *e);
	e->head = r->head; e->obid = r->obid;
	e->year = r->year; e->month = r->month;
	if (unix_ns) {
		e->timestamp_ns = r->timestamp_ns;
	} else {
		e->day = r->day; e->hour = r->hour; e->minute = r->minute; e->second = r->second;
		e->timestamp = r->timestamp;
	}
	e->vscp_class = r->vscp_class; e->vscp_type = r->vscp_type;
	memcpy(e->GUID, r->GUID, 16);
	e->sizeData = r->sizeData; e->pdata = r->pdata;
}

static const char vscpl2drv_vendor[] =
	"vscpl2drv-websocksrv (Go), VSCP Level II websocket server driver, https://www.vscp.org";

static const char *vscpl2drv_vendor_string(void) { return vscpl2drv_vendor; }

static size_t vscpl2drv_event_size(int v15_1) {
	return v15_1 ? sizeof(vscpl2drv_event_v15_1_t) : sizeof(vscpl2drv_event_v15_0_t);
}
*/
import "C"

import (
	"unsafe"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
)

// fromC reads the host's struct at p in the given layout.
func fromC(p unsafe.Pointer, abi config.ABI) rawEvent {
	var r C.vscpl2drv_raw_t
	if abi == config.ABIv151 {
		C.raw_from_v15_1(p, &r)
	} else {
		C.raw_from_v15_0(p, &r)
	}
	out := rawEvent{
		Head: uint16(r.head), OBID: uint32(r.obid),
		Year: uint16(r.year), Month: uint8(r.month), Day: uint8(r.day),
		Hour: uint8(r.hour), Minute: uint8(r.minute), Second: uint8(r.second),
		Timestamp: uint32(r.timestamp), TimestampNS: uint64(r.timestamp_ns),
		Class: uint16(r.vscp_class), Type: uint16(r.vscp_type),
		SizeData: uint16(r.sizeData), hasData: r.pdata != nil,
	}
	for i := range out.GUID {
		out.GUID[i] = byte(r.GUID[i])
	}
	if out.SizeData > 0 && r.pdata != nil && int(out.SizeData) <= maxData {
		out.Data = C.GoBytes(unsafe.Pointer(r.pdata), C.int(out.SizeData))
	}
	return out
}

// toC writes r over the host's struct at p (all bytes, padding zeroed),
// with a malloc'd copy of the data. It returns false when malloc fails, in
// which case *p is left untouched.
func toC(r *rawEvent, p unsafe.Pointer, abi config.ABI) bool {
	var c C.vscpl2drv_raw_t
	if len(r.Data) > 0 {
		buf := C.malloc(C.size_t(len(r.Data)))
		if buf == nil {
			return false
		}
		C.memcpy(buf, unsafe.Pointer(&r.Data[0]), C.size_t(len(r.Data)))
		c.pdata = (*C.uint8_t)(buf)
	}
	c.head = C.uint16_t(r.Head)
	c.obid = C.uint32_t(r.OBID)
	c.year = C.uint16_t(r.Year)
	c.month = C.uint8_t(r.Month)
	c.day = C.uint8_t(r.Day)
	c.hour = C.uint8_t(r.Hour)
	c.minute = C.uint8_t(r.Minute)
	c.second = C.uint8_t(r.Second)
	c.timestamp = C.uint32_t(r.Timestamp)
	c.timestamp_ns = C.uint64_t(r.TimestampNS)
	c.vscp_class = C.uint16_t(r.Class)
	c.vscp_type = C.uint16_t(r.Type)
	for i, b := range r.GUID {
		c.GUID[i] = C.uint8_t(b)
	}
	c.sizeData = C.uint16_t(len(r.Data))
	if abi == config.ABIv151 {
		ns := C.int(0)
		if r.UnixNS {
			ns = 1
		}
		C.raw_to_v15_1(&c, p, ns)
	} else {
		C.raw_to_v15_0(&c, p)
	}
	return true
}

func vendorString() *C.char { return C.vscpl2drv_vendor_string() }

func eventSize(abi config.ABI) int {
	v := C.int(0)
	if abi == config.ABIv151 {
		v = 1
	}
	return int(C.vscpl2drv_event_size(v))
}
