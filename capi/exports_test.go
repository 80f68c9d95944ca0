package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// These tests drive the exported functions from Go so that the C API's
// contract (docs/c-api.md: return codes, behaviour, layouts) runs under the
// race detector.

func quietConfig(abi string, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Sprintf(`{"interface":"ws://127.0.0.1:0","abi":%q,"logging":{"console-log-level":"error"}%s}`, abi, extra)
}

func openT(t testing.TB, cfg string) int64 {
	t.Helper()
	h := goOpen(cfg, testGUID[:])
	if h < firstHandle {
		t.Fatalf("VSCPOpen(%s) = %d", cfg, h)
	}
	t.Cleanup(func() { goClose(h) })
	return h
}

func driverOf(t testing.TB, h int64) *instance {
	t.Helper()
	inst := lookup(h)
	if inst == nil {
		t.Fatalf("handle %d not registered", h)
	}
	return inst
}

func TestOpenFailuresReturnZero(t *testing.T) {
	tests := []struct{ name, cfg string }{
		{"empty", ""},
		{"blank", " \t\r\n"},
		{"missing file", filepath.Join(t.TempDir(), "nope.json")},
		{"invalid inline JSON", "{ nope"},
		{"top level not an object", "[1,2]"},
		{"unknown abi", `{"abi":"v16"}`},
		{"wrong type", `{"max-clients":"lots"}`},
		{"bind failure", ""}, // filled below
	}
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests[len(tests)-1].cfg = fmt.Sprintf(`{"interface":"ws://%s","logging":{"console-log-level":"off"}}`, busy.Addr())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if h := goOpen(tc.cfg, nil); h != 0 {
				goClose(h)
				t.Fatalf("VSCPOpen = %d, want 0", h)
			}
		})
	}
	if h := goOpenNull(); h != 0 {
		t.Fatalf("VSCPOpen(NULL, NULL) = %d, want 0", h)
	}
}

func TestHandlesCountUpAndAreNeverReused(t *testing.T) {
	h1 := openT(t, quietConfig("v15.0", ""))
	h2 := openT(t, quietConfig("v15.1", ""))
	if h2 != h1+1 {
		t.Fatalf("handles %d then %d, want consecutive", h1, h2)
	}
	if goClose(h1) != 0 {
		t.Fatal("close failed")
	}
	h3 := openT(t, quietConfig("v15.0", ""))
	if h3 != h2+1 {
		t.Fatalf("after closing %d the next handle is %d, want %d", h1, h3, h2+1)
	}
}

func TestInvalidHandlesAndParameters(t *testing.T) {
	h := openT(t, quietConfig("v15.0", ""))
	var b cbuf
	data := cBytes(make([]byte, 513))
	defer cFree(data)
	setV150 := func(size uint16, p unsafe.Pointer) {
		b.fill(0)
		m := b.bytes()
		le.PutUint16(m[layoutV150.class:], 10)
		le.PutUint16(m[layoutV150.sizeData:], size)
		*(*unsafe.Pointer)(unsafe.Pointer(&m[layoutV150.pdata])) = p
	}
	tests := []struct {
		name string
		call func() int
		want int
	}{
		{"close of a never-issued handle", func() int { return goClose(999999) }, rcInvalidHandle},
		{"write on a never-issued handle", func() int { return goWrite(999999, b.ptr(), 10) }, rcInvalidHandle},
		{"read on a never-issued handle", func() int { return goRead(999999, b.ptr(), 10) }, rcInvalidHandle},
		{"write NULL event", func() int { return goWrite(h, nil, 10) }, rcParameter},
		{"read NULL event", func() int { return goRead(h, nil, 10) }, rcParameter},
		{"write sizeData 513", func() int { setV150(513, data); return goWrite(h, b.ptr(), 10) }, rcParameter},
		{"write sizeData > 0 with NULL pdata", func() int { setV150(3, nil); return goWrite(h, b.ptr(), 10) }, rcParameter},
		{"write sizeData 512", func() int { setV150(512, data); return goWrite(h, b.ptr(), 10) }, rcOK},
		{"write without data", func() int { setV150(0, nil); return goWrite(h, b.ptr(), 10) }, rcOK},
		{"blocking send alias", func() int { setV150(0, nil); return goBlockingSend(h, b.ptr(), 10) }, rcOK},
		{"read times out", func() int { return goRead(h, b.ptr(), 20) }, rcTimeout},
		{"blocking receive alias times out", func() int { return goBlockingReceive(h, b.ptr(), 20) }, rcTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.call(); got != tc.want {
				t.Fatalf("rc = %d, want %d", got, tc.want)
			}
		})
	}
	if goClose(h) != rcOK || goClose(h) != rcInvalidHandle {
		t.Fatal("close then double close must return 0 then 41")
	}
}

func TestReadTimeoutIsHonoured(t *testing.T) {
	h := openT(t, quietConfig("v15.0", ""))
	var b cbuf
	for _, ms := range []uint64{1, 50, 120} {
		start := time.Now()
		if rc := goRead(h, b.ptr(), ms); rc != rcTimeout {
			t.Fatalf("rc = %d, want 32", rc)
		}
		if d := time.Since(start); d < time.Duration(ms)*time.Millisecond {
			t.Fatalf("timeout %d ms returned after %v", ms, d)
		}
	}
}

func TestTimeoutMapping(t *testing.T) {
	tests := []struct {
		ms   uint64
		want time.Duration
	}{
		{0, 0}, {1, time.Millisecond}, {500, 500 * time.Millisecond},
		{2147483647, 2147483647 * time.Millisecond}, {2147483648, 0}, {^uint64(0), 0},
	}
	for _, tc := range tests {
		if got := waitFor(cULong(tc.ms)); got != tc.want {
			t.Errorf("waitFor(%d) = %v, want %v (0 = forever)", tc.ms, got, tc.want)
		}
	}
}

// A client event queued for the host comes out of VSCPRead in the
// instance's layout, with a malloc'd pdata the host frees.
func TestReadDeliversClientEventsInBothLayouts(t *testing.T) {
	dt := vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7}
	for _, tc := range []struct {
		name string
		abi  string
		lay  offsets
	}{{"v15.0", "v15.0", layoutV150}, {"v15.1", "v15.1", layoutV151}} {
		t.Run(tc.name, func(t *testing.T) {
			h := openT(t, quietConfig(tc.abi, ""))
			ev := &vscp.Event{Head: 0x60, OBID: 5, DateTime: dt, Timestamp: 1234, Class: 10, Type: 6, GUID: testGUID, Data: []byte{0x11, 0x22, 0x33}}
			if ok, err := driverOf(t, h).drv.Submit(ev); !ok || err != nil {
				t.Fatalf("Submit = %v, %v", ok, err)
			}
			var b cbuf
			b.fill(0xAA)
			if rc := goRead(h, b.ptr(), 1000); rc != rcOK {
				t.Fatalf("rc = %d", rc)
			}
			m := b.bytes()
			l := tc.lay
			pdata := *(*unsafe.Pointer)(unsafe.Pointer(&m[l.pdata]))
			defer cFree(pdata)
			if got := cGoBytes(pdata, 3); string(got) != "\x11\x22\x33" || le.Uint16(m[l.sizeData:]) != 3 {
				t.Fatalf("data % X size %d", got, le.Uint16(m[l.sizeData:]))
			}
			if le.Uint32(m[l.obid:]) != 5 || le.Uint16(m[l.class:]) != 10 || le.Uint16(m[l.typ:]) != 6 || m[l.guid+15] != 15 {
				t.Fatalf("fields wrong: % X", m[:l.size])
			}
			if tc.abi == "v15.0" {
				if le.Uint16(m[l.head:]) != 0x60 || le.Uint16(m[l.year:]) != 2024 || m[l.second] != 7 || le.Uint32(m[l.timestamp:]) != 1234 {
					t.Fatalf("v15.0 fields wrong: % X", m[:l.size])
				}
			} else {
				if le.Uint16(m[l.head:]) != 0x160 || le.Uint16(m[l.year:]) != 0xFFFF || m[l.month] != 0xFF ||
					le.Uint64(m[l.timestampNS:]) != 1709528767000000000 {
					t.Fatalf("v15.1 fields wrong: % X", m[:l.size])
				}
			}
		})
	}
}

func TestV150InstanceWarnsOnceAboutV151Events(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "drv.log")
	h := openT(t, quietConfig("v15.0", fmt.Sprintf(`"logging":{"console-log-level":"off","file-enable-log":true,"file-path":%q}`, logPath)))
	var b cbuf
	for i := 0; i < 3; i++ {
		b.fill(0)
		le.PutUint16(b.bytes()[layoutV150.year:], 0xFFFF)
		b.bytes()[layoutV150.month] = 0xFF
		if rc := goWrite(h, b.ptr(), 100); rc != rcOK {
			t.Fatalf("rc = %d", rc)
		}
	}
	goClose(h)
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), `"abi": "v15.1"`); n != 1 {
		t.Fatalf("warning appears %d times, want once:\n%s", n, log)
	}
}

func TestTwoInstancesMayNotShareALogFile(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "shared.log")
	cfg := quietConfig("v15.0", fmt.Sprintf(`"logging":{"console-log-level":"off","file-enable-log":true,"file-path":%q}`, logPath))
	h1 := openT(t, cfg)
	if h2 := goOpen(cfg, nil); h2 != 0 {
		goClose(h2)
		t.Fatal("second instance with the same log file opened")
	}
	goClose(h1)
	h3 := openT(t, cfg)
	goClose(h3)
}

func TestCloseWakesBlockedReadWith47(t *testing.T) {
	for _, abi := range []string{"v15.0", "v15.1"} {
		t.Run(abi, func(t *testing.T) {
			h := openT(t, quietConfig(abi, ""))
			rc := make(chan int)
			go func() {
				var b cbuf
				rc <- goRead(h, b.ptr(), 0)
			}()
			time.Sleep(50 * time.Millisecond)
			start := time.Now()
			if goClose(h) != rcOK {
				t.Fatal("close failed")
			}
			select {
			case got := <-rc:
				if got != rcStopped {
					t.Fatalf("blocked read returned %d, want 47", got)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("blocked read not woken by close")
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("close + wake took %v", d)
			}
		})
	}
}

func TestWriteRacingCloseNeverFails(t *testing.T) {
	for round := 0; round < 5; round++ {
		h := goOpen(quietConfig("v15.1", `"max-out-queue":2`), nil)
		var wg sync.WaitGroup
		bad := make(chan int, 8)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b cbuf
				for {
					b.fill(0)
					rc := goWrite(h, b.ptr(), 5)
					switch rc {
					case rcOK, rcFIFOFull, rcStopped:
					case rcInvalidHandle:
						return
					default:
						bad <- rc
						return
					}
				}
			}()
		}
		time.Sleep(10 * time.Millisecond)
		if goClose(h) != rcOK {
			t.Fatal("close failed")
		}
		wg.Wait()
		close(bad)
		for rc := range bad {
			t.Fatalf("racing write returned %d", rc)
		}
	}
}

func TestOpenCloseCyclesLeakNothing(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := fmt.Sprintf(`{"interface":"ws://%s","logging":{"console-log-level":"error"}}`, addr)
	goClose(goOpen(cfg, nil)) // warm-up
	before, fdsBefore := settledGoroutines(0), countFDs(t)
	for i := 0; i < 200; i++ {
		h := goOpen(cfg, nil)
		if h == 0 {
			t.Fatalf("cycle %d: open failed (port not re-bindable?)", i)
		}
		if rc := goClose(h); rc != rcOK {
			t.Fatalf("cycle %d: close = %d", i, rc)
		}
	}
	after, fdsAfter := settledGoroutines(before), countFDs(t)
	t.Logf("200 cycles: goroutines before %d after %d, fds before %d after %d", before, after, fdsBefore, fdsAfter)
	if after > before+2 || fdsAfter > fdsBefore+2 {
		t.Fatalf("leak: goroutines %d → %d, fds %d → %d", before, after, fdsBefore, fdsAfter)
	}
}

// settledGoroutines waits up to 2 s for the goroutine count to drop to
// target (or stop changing) and returns it.
func settledGoroutines(target int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); n > target && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func countFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	return len(entries)
}

func BenchmarkVSCPWrite(b *testing.B) {
	for _, abi := range []string{"v15.0", "v15.1"} {
		b.Run(abi, func(b *testing.B) {
			h := openT(b, quietConfig(abi, ""))
			var ev cbuf
			data := cBytes([]byte{1, 2, 3})
			defer cFree(data)
			lay := layoutV150
			if abi == "v15.1" {
				lay = layoutV151
			}
			m := ev.bytes()
			le.PutUint16(m[lay.class:], 10)
			le.PutUint16(m[lay.sizeData:], 3)
			*(*unsafe.Pointer)(unsafe.Pointer(&m[lay.pdata])) = data
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if rc := goWrite(h, ev.ptr(), 1000); rc != rcOK {
					b.Fatalf("rc = %d", rc)
				}
			}
		})
	}
}

func BenchmarkVSCPRead(b *testing.B) {
	for _, abi := range []string{"v15.0", "v15.1"} {
		b.Run(abi, func(b *testing.B) {
			h := openT(b, quietConfig(abi, `"max-in-queue":1000000`))
			drv := driverOf(b, h).drv
			ev := &vscp.Event{Head: 0x60, Class: 10, Type: 6, DateTime: vscp.DateTime{Year: 2024, Month: 3, Day: 4}, Data: []byte{1, 2, 3}}
			var out cbuf
			lay := layoutV150
			if abi == "v15.1" {
				lay = layoutV151
			}
			b.ReportAllocs()
			for done := 0; done < b.N; {
				n := min(b.N-done, 100000)
				b.StopTimer()
				for i := 0; i < n; i++ {
					if _, err := drv.Submit(ev); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				for i := 0; i < n; i++ {
					if rc := goRead(h, out.ptr(), 1000); rc != rcOK {
						b.Fatalf("rc = %d", rc)
					}
					cFree(*(*unsafe.Pointer)(unsafe.Pointer(&out.bytes()[lay.pdata])))
				}
				done += n
			}
		})
	}
}
