package driver_test

import (
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// BenchmarkWriteRead measures one client → host round trip through the
// in-queue: Submit, then Read.
func BenchmarkWriteRead(b *testing.B) {
	d := open(b, baseConfig())
	e := ev(10, 6, 1, 1, 2, 3, 4, 5, 6, 7, 8)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := d.Submit(e); !ok || err != nil {
			b.Fatalf("Submit = %v, %v", ok, err)
		}
		if _, err := d.Read(time.Second); err != nil {
			b.Fatalf("Read: %v", err)
		}
	}
}

// BenchmarkWrite measures host → clients writes into the out-queue that the
// dispatcher drains concurrently. WriteOwned keeps the event, so each
// iteration hands over a fresh one.
func BenchmarkWrite(b *testing.B) {
	d := open(b, baseConfig())
	data := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	b.ReportAllocs()
	for b.Loop() {
		e := &vscp.Event{Class: 10, Type: 6, GUID: testGUID, Data: data}
		if err := d.WriteOwned(e, 5*time.Second); err != nil {
			b.Fatalf("WriteOwned: %v", err)
		}
	}
}

// BenchmarkWriteCopy is Write, which deep-copies the caller's event.
func BenchmarkWriteCopy(b *testing.B) {
	d := open(b, baseConfig())
	e := ev(10, 6, 1, 1, 2, 3, 4, 5, 6, 7, 8)
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Write(e, 5*time.Second); err != nil {
			b.Fatalf("Write: %v", err)
		}
	}
}
