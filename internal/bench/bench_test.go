package bench

import (
	"strconv"
	"testing"
	"time"
)

// The benchmarks keep one instance with its clients for all the b.N rounds
// of a sub-benchmark (connecting 1000 clients costs far more than a
// round), and close it when the sub-benchmark is finished. Each round
// checks that nothing was lost; a round that stalls fails after
// stallLimit.
//
// Suggested runs (2-core machine, each a few seconds):
//
//	go test -run '^$' -bench 'Fanout' -benchtime 20000x ./internal/bench/
//	go test -run '^$' -bench 'ClientToHost' -benchtime 300000x ./internal/bench/
//	go test -run '^$' -bench 'NOOPRoundTrip' -benchtime 50000x ./internal/bench/
//	go test -run '^$' -bench 'IdleConnectionMemory' -benchtime 1x ./internal/bench/

// BenchmarkFanout: N authenticated OPEN clients; the host writes b.N
// events with Write and every client must receive every one. Reports
// deliveries/s = N·b.N / elapsed and ns/delivery; ns/op is per host event.
func BenchmarkFanout(b *testing.B) {
	cases := []struct {
		proto Proto
		ns    []int
	}{
		{WS1, []int{1, 100, 1000}},
		{WS2, []int{100}},
	}
	for _, c := range cases {
		b.Run(c.proto.String(), func(b *testing.B) {
			for _, n := range c.ns {
				var f *fanout
				b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
					if f == nil {
						f = newFanout(b, c.proto, n)
					}
					elapsed := f.run(b, b.N, b.ResetTimer)
					b.StopTimer()
					deliveries := float64(n) * float64(b.N)
					b.ReportMetric(deliveries/elapsed.Seconds(), "deliveries/s")
					b.ReportMetric(float64(elapsed.Nanoseconds())/deliveries, "ns/delivery")
				})
				if f != nil {
					f.close()
				}
			}
		})
	}
}

// BenchmarkClientToHost: clients send b.N events in all, pipelined, while
// the host takes them with Read. Reports events/s into Read; ns/op is per
// event.
func BenchmarkClientToHost(b *testing.B) {
	cases := []struct {
		proto   Proto
		clients []int
	}{
		{WS1, []int{1, 10}},
		{WS2, []int{10}},
	}
	for _, c := range cases {
		b.Run(c.proto.String(), func(b *testing.B) {
			for _, n := range c.clients {
				var u *uplink
				b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
					if u == nil {
						u = newUplink(b, c.proto, n)
					}
					elapsed := u.run(b, b.N, b.ResetTimer)
					b.StopTimer()
					b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
				})
				if u != nil {
					u.close()
				}
			}
		})
	}
}

// BenchmarkNOOPRoundTrip: one client sends a NOOP and waits for its reply,
// b.N times. Reports the median and 99th percentile in µs; ns/op is the
// mean round trip.
func BenchmarkNOOPRoundTrip(b *testing.B) {
	for _, p := range []Proto{WS1, WS2} {
		var pg *pinger
		b.Run(p.String(), func(b *testing.B) {
			if pg == nil {
				pg = newPinger(b, p)
			}
			lat := pg.run(b, b.N, b.ResetTimer)
			b.StopTimer()
			p50, p99 := latencyQuantiles(lat)
			b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
		})
		if pg != nil {
			pg.close()
		}
	}
}

// BenchmarkIdleConnectionMemory: the server's memory per idle,
// authenticated, OPEN ws1 connection, with the clients in a child process.
// bytes/conn is Δ(HeapInuse+StackInuse)/K after garbage collection; the
// heap and stack parts, ΔSys/K and the goroutines per connection are
// reported too. ns/op is the time to connect and log in K clients and
// measure; each op is a full measurement, so -benchtime 1x is enough.
func BenchmarkIdleConnectionMemory(b *testing.B) {
	for _, k := range []int{1000, 2000} {
		b.Run("K="+strconv.Itoa(k), func(b *testing.B) {
			var total idleMemory
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				m := measureIdle(b, k, b.StartTimer)
				b.StopTimer()
				total.heapStack += m.heapStack
				total.heap += m.heap
				total.stack += m.stack
				total.sys += m.sys
				total.goroutines += m.goroutines
			}
			n := float64(b.N)
			b.ReportMetric(total.heapStack/n, "bytes/conn")
			b.ReportMetric(total.heap/n, "heap-bytes/conn")
			b.ReportMetric(total.stack/n, "stack-bytes/conn")
			b.ReportMetric(total.sys/n, "sys-bytes/conn")
			b.ReportMetric(total.goroutines/n, "goroutines/conn")
		})
	}
}

// TestBenchHarness runs every benchmark body once at a tiny size, so that a
// plain go test checks that the load generator works and that nothing is
// lost.
func TestBenchHarness(t *testing.T) {
	const events = 100
	for _, p := range []Proto{WS1, WS2} {
		t.Run("fanout/"+p.String(), func(t *testing.T) {
			f := newFanout(t, p, 2)
			defer f.close()
			for range 2 { // two rounds: the cumulative counts carry over
				if d := f.run(t, events, nil); d <= 0 {
					t.Fatalf("elapsed %v", d)
				}
			}
		})
		t.Run("client-to-host/"+p.String(), func(t *testing.T) {
			u := newUplink(t, p, 2)
			defer u.close()
			for range 2 {
				// Not a multiple of the clients nor of batchFrames.
				u.run(t, 2*batchFrames+events+1, nil)
			}
		})
		t.Run("noop/"+p.String(), func(t *testing.T) {
			pg := newPinger(t, p)
			defer pg.close()
			lat := pg.run(t, events, nil)
			p50, p99 := latencyQuantiles(lat)
			if p50 <= 0 || p99 < p50 || p99 > 5*time.Second {
				t.Fatalf("p50 %v, p99 %v", p50, p99)
			}
		})
	}
	t.Run("idle-memory", func(t *testing.T) {
		m := measureIdle(t, 20, nil)
		t.Logf("20 idle connections: %.0f bytes/conn (heap %.0f, stack %.0f), %.1f goroutines/conn",
			m.heapStack, m.heap, m.stack, m.goroutines)
		if m.goroutines < 1 {
			t.Fatalf("%.2f server goroutines per connection: the helper's connections did not reach the server", m.goroutines)
		}
	})
}
