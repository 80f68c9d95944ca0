package main

import (
	"encoding/binary"
	"os"
	"regexp"
	"strconv"
	"testing"
	"unsafe"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
)

// cbuf is a host-side event buffer, 8-byte aligned like the C structs.
type cbuf [8]uint64

func (b *cbuf) ptr() unsafe.Pointer { return unsafe.Pointer(b) }
func (b *cbuf) bytes() []byte       { return (*[64]byte)(unsafe.Pointer(b))[:] }
func (b *cbuf) fill(v byte) {
	for i := range b.bytes() {
		b.bytes()[i] = v
	}
}

// Offsets of vscpd's two vscpEvent layouts, written down independently of
// the header, so a header that drifted from vscpd's struct fails here. Only
// pdata's size differs between the targets: 8 bytes on 64-bit ones, 4 on
// 32-bit ARM (armhf), which moves pdata, crc and the struct's end.
type offsets struct {
	size, crc, obid, year, month, day, hour, minute, second, timestamp, timestampNS,
	head, class, typ, guid, sizeData, pdata int
	padding []int
}

var layoutV150, layoutV151 = layoutsFor(unsafe.Sizeof(uintptr(0)))

func layoutsFor(ptrSize uintptr) (v150, v151 offsets) {
	v150 = offsets{size: 56, crc: 0, obid: 4, year: 8, month: 10, day: 11, hour: 12, minute: 13, second: 14,
		timestamp: 16, timestampNS: -1, head: 20, class: 22, typ: 24, guid: 26, sizeData: 42, pdata: 48,
		padding: []int{2, 3, 15, 44, 45, 46, 47}}
	v151 = offsets{size: 64, crc: 56, obid: 4, year: 8, month: 10, day: 16, hour: 17, minute: 18, second: 19,
		timestamp: 20, timestampNS: 16, head: 0, class: 24, typ: 26, guid: 28, sizeData: 44, pdata: 48,
		padding: []int{2, 3, 11, 12, 13, 14, 15, 46, 47, 58, 59, 60, 61, 62, 63}}
	if ptrSize == 4 {
		v150.size, v150.pdata, v150.padding = 48, 44, []int{2, 3, 15}
		v151.size, v151.crc, v151.padding = 56, 52, []int{2, 3, 11, 12, 13, 14, 15, 46, 47, 54, 55}
	}
	return v150, v151
}

var le = binary.LittleEndian

func TestEventSizesMatchSpec(t *testing.T) {
	if n := eventSize(config.ABIv150); n != layoutV150.size {
		t.Fatalf("v15.0 size %d, want %d", n, layoutV150.size)
	}
	if n := eventSize(config.ABIv151); n != layoutV151.size {
		t.Fatalf("v15.1 size %d, want %d", n, layoutV151.size)
	}
}

func TestToCWritesEveryFieldAtItsSpecOffsetAndZeroesPadding(t *testing.T) {
	tests := []struct {
		name   string
		abi    config.ABI
		lay    offsets
		unixNS bool
	}{
		{"v15.0", config.ABIv150, layoutV150, false},
		{"v15.1 original frame", config.ABIv151, layoutV151, false},
		{"v15.1 UNIX_NS frame", config.ABIv151, layoutV151, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b cbuf
			b.fill(0xAA)
			r := rawEvent{Head: 0x1234, OBID: 0xA1B2C3D4, Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7,
				Timestamp: 0x01020304, TimestampNS: 0x1122334455667788, Class: 0x0A0B, Type: 0x0C0D,
				GUID: testGUID, Data: []byte{9, 8, 7}, UnixNS: tc.unixNS}
			if !toC(&r, b.ptr(), tc.abi) {
				t.Fatal("toC failed")
			}
			m := b.bytes()
			l := tc.lay
			pdata := *(*unsafe.Pointer)(unsafe.Pointer(&m[l.pdata]))
			defer cFree(pdata)
			check := func(field string, got, want uint64) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %#x, want %#x", field, got, want)
				}
			}
			check("head", uint64(le.Uint16(m[l.head:])), 0x1234)
			check("obid", uint64(le.Uint32(m[l.obid:])), 0xA1B2C3D4)
			check("year", uint64(le.Uint16(m[l.year:])), 2024)
			check("month", uint64(m[l.month]), 3)
			if tc.unixNS {
				check("timestamp_ns", le.Uint64(m[l.timestampNS:]), 0x1122334455667788)
			} else {
				check("day", uint64(m[l.day]), 4)
				check("hour", uint64(m[l.hour]), 5)
				check("minute", uint64(m[l.minute]), 6)
				check("second", uint64(m[l.second]), 7)
				check("timestamp", uint64(le.Uint32(m[l.timestamp:])), 0x01020304)
			}
			check("class", uint64(le.Uint16(m[l.class:])), 0x0A0B)
			check("type", uint64(le.Uint16(m[l.typ:])), 0x0C0D)
			for i := 0; i < 16; i++ {
				check("GUID["+strconv.Itoa(i)+"]", uint64(m[l.guid+i]), uint64(i))
			}
			check("sizeData", uint64(le.Uint16(m[l.sizeData:])), 3)
			check("crc", uint64(le.Uint16(m[l.crc:])), 0)
			if got := cGoBytes(pdata, 3); string(got) != "\x09\x08\x07" {
				t.Errorf("pdata holds % X, want 09 08 07", got)
			}
			for _, off := range l.padding {
				if m[off] != 0 {
					t.Errorf("padding byte %d = %#x, want 0", off, m[off])
				}
			}
			for off := l.size; off < 64; off++ {
				if m[off] != 0xAA {
					t.Errorf("byte %d beyond the %d-byte struct was written", off, l.size)
				}
			}
		})
	}
}

func TestToCWithoutDataLeavesPdataNull(t *testing.T) {
	var b cbuf
	b.fill(0xAA)
	if !toC(&rawEvent{Class: 1}, b.ptr(), config.ABIv150) {
		t.Fatal("toC failed")
	}
	if p := *(*unsafe.Pointer)(unsafe.Pointer(&b.bytes()[layoutV150.pdata])); p != nil {
		t.Fatalf("pdata = %p, want NULL", p)
	}
}

func TestFromCReadsEveryFieldAtItsSpecOffset(t *testing.T) {
	for _, tc := range []struct {
		name string
		abi  config.ABI
		lay  offsets
	}{{"v15.0", config.ABIv150, layoutV150}, {"v15.1", config.ABIv151, layoutV151}} {
		t.Run(tc.name, func(t *testing.T) {
			var b cbuf
			m := b.bytes()
			l := tc.lay
			data := cBytes([]byte{1, 2, 3, 4})
			defer cFree(data)
			le.PutUint16(m[l.head:], 0x0060)
			le.PutUint32(m[l.obid:], 77)
			le.PutUint16(m[l.year:], 2025)
			m[l.month] = 11
			m[l.day], m[l.hour], m[l.minute], m[l.second] = 22, 1, 2, 3
			le.PutUint32(m[l.timestamp:], 4242)
			le.PutUint16(m[l.class:], 10)
			le.PutUint16(m[l.typ:], 6)
			copy(m[l.guid:], testGUID[:])
			le.PutUint16(m[l.sizeData:], 4)
			*(*unsafe.Pointer)(unsafe.Pointer(&m[l.pdata])) = data
			r := fromC(b.ptr(), tc.abi)
			if r.Head != 0x60 || r.OBID != 77 || r.Year != 2025 || r.Month != 11 || r.Day != 22 || r.Hour != 1 ||
				r.Minute != 2 || r.Second != 3 || r.Timestamp != 4242 || r.Class != 10 || r.Type != 6 ||
				r.GUID != testGUID || r.SizeData != 4 || string(r.Data) != "\x01\x02\x03\x04" || !r.hasData {
				t.Fatalf("fromC = %+v", r)
			}
		})
	}
}

// The shipped header's version block is generated from internal/version;
// this is the check that they still agree.
func TestHeaderVersionMacrosMatchTheVersionConstant(t *testing.T) {
	h, err := os.ReadFile("vscpl2drv-websocksrv.h")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"VSCPL2DRV_WS_VERSION_MAJOR":   strconv.Itoa(version.Major),
		"VSCPL2DRV_WS_VERSION_MINOR":   strconv.Itoa(version.Minor),
		"VSCPL2DRV_WS_VERSION_RELEASE": strconv.Itoa(version.Release),
		"VSCPL2DRV_WS_VERSION_BUILD":   strconv.Itoa(version.Build),
		"VSCPL2DRV_WS_VERSION_STR":     strconv.Quote(version.String()),
	}
	for name, val := range want {
		re := regexp.MustCompile(`(?m)^#define ` + name + ` (.+)$`)
		m := re.FindSubmatch(h)
		if m == nil || string(m[1]) != val {
			t.Errorf("header %s = %q, want %s (run `go generate ./internal/version`)", name, m, val)
		}
	}
}

func TestVendorStringIsStaticAndExact(t *testing.T) {
	s1, p1 := goVendor()
	s2, p2 := goVendor()
	if s1 != version.Vendor || s2 != s1 {
		t.Fatalf("vendor %q, want %q", s1, version.Vendor)
	}
	if p1 != p2 {
		t.Fatal("VSCPGetVendorString must return the same pointer every call")
	}
	if goVersion() != uint64(version.Packed) || goVersion() != 0x0F030000 {
		t.Fatalf("VSCPGetVersion = %#x", goVersion())
	}
}
