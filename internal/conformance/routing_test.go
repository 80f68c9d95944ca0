package conformance

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// seqEvent is host event number i (obid = i, data = i as two bytes).
func seqEvent(i int) *vscp.Event {
	return &vscp.Event{Class: 10, Type: 6, OBID: uint32(i), Data: []byte{byte(i >> 8), byte(i)}}
}

func seqLine(i int) string { return "E;" + fmtEvent(seqEvent(i)) }

// lineOBID is the obid field of a ws1 event line.
func lineOBID(t *testing.T, line string) int {
	t.Helper()
	f := strings.Split(strings.TrimPrefix(line, "E;"), ",")
	if !strings.HasPrefix(line, "E;") || len(f) < 7 {
		t.Fatalf("not an event line: %q", trunc(line))
	}
	n, err := strconv.Atoi(f[3])
	if err != nil {
		t.Fatalf("obid of %q: %v", trunc(line), err)
	}
	return n
}

// TestRouting covers event routing as seen by clients and host: reply and
// event order, the session queue with OPEN, CLOSE, CLRQ and SF, the
// encodings, and forwarding between sessions.
func TestRouting(t *testing.T) {
	cases := []namedCase{
		{"W1_replies_in_order_among_events", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			const n = 200
			msgs := make([]string, n)
			for i := range msgs {
				msgs[i] = "C;NOOP"
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 0; i < n; i++ {
					if err := f.d.Write(seqEvent(i), time.Second); err != nil {
						t.Errorf("Write: %v", err)
						return
					}
				}
			}()
			c.burst(msgs...)
			replies, events := 0, 0
			for replies < n || events < n {
				got := c.next()
				switch {
				case got == "+;NOOP":
					replies++
				case got == seqLine(events):
					events++
				default:
					t.Fatalf("frame %q after %d replies and %d events, want +;NOOP or %q", got, replies, events, seqLine(events))
				}
			}
			<-done
			c.expectNothing(quiet)
		}},
		{"W2_W3_open_releases_queue_after_reply", func(t *testing.T) {
			f := newFixture(t, nil)
			c1, c2 := f.ws1(), f.ws2()
			c1.login("admin")
			c2.login("admin")
			for i := 0; i < 5; i++ {
				f.write(seqEvent(i))
			}
			f.settle()
			c1.expectNothing(quiet)
			c2.expectNothing(0)
			c1.send("C;OPEN")
			c1.expect("+;OPEN")
			c2.send(cmd("OPEN", nil))
			c2.expectJSON(plus("OPEN"))
			for i := 0; i < 5; i++ {
				c1.expect(seqLine(i))
				c2.expectEvent2(seqEvent(i), "both")
			}
		}},
		{"W2_queue_overflow_drops_oldest", func(t *testing.T) {
			f := newFixture(t, cfg{"max-client-queue-size": 3})
			c := f.ws1()
			c.login("admin")
			for i := 1; i <= 5; i++ {
				f.write(seqEvent(i))
			}
			f.settle()
			c.roundTrip("C;OPEN", "+;OPEN")
			for i := 3; i <= 5; i++ {
				c.expect(seqLine(i))
			}
			c.expectNothing(quiet)
			f.expectCounter("session_dropped_overflow", 2)
		}},
		{"W4_close_stops_delivery", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.loginOpen("admin")
			f.write(seqEvent(1))
			c.expect(seqLine(1))
			c.roundTrip("C;CLOSE", "+;CLOSE")
			f.write(seqEvent(2))
			f.settle()
			c.expectNothing(quiet)
			c.roundTrip("C;CLOSE", "+;CLOSE") // CLOSE while closed: no effect
			c.send("C;OPEN")
			c.expect("+;OPEN")
			c.expect(seqLine(2))
			c.roundTrip("C;OPEN", "+;OPEN") // OPEN while open: no other effect
			c.expectNothing(quiet)
		}},
		{"W3_W4_open_close_under_load", func(t *testing.T) {
			const total = 30000
			f := newFixture(t, cfg{"max-client-queue-size": 100000})
			c := f.ws1()
			c.login("admin")
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				// Fewer events than the session queue holds: no overflow, so
				// every event must arrive, in order.
				for i := 0; i < total; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := f.d.Write(seqEvent(i), time.Second); err != nil {
						return
					}
					if i%200 == 199 {
						time.Sleep(time.Millisecond)
					}
				}
			}()
			defer func() { close(stop); <-done }()
			next := 0
			for round := 0; round < 5; round++ {
				time.Sleep(20 * time.Millisecond)
				c.send("C;OPEN")
				if got := c.next(); got != "+;OPEN" {
					t.Fatalf("round %d: %q before +;OPEN (W3)", round, trunc(got))
				}
				for k := 0; k < 50 && next < total; k++ {
					if got := c.next(); got != seqLine(next) {
						t.Fatalf("round %d: %q, want %q (W7)", round, trunc(got), seqLine(next))
					}
					next++
				}
				c.send("C;CLOSE")
				for {
					got := c.next()
					if got == "+;CLOSE" {
						break
					}
					if got != seqLine(next) {
						t.Fatalf("round %d: %q, want %q or +;CLOSE", round, trunc(got), seqLine(next))
					}
					next++
				}
				c.expectNothing(100 * time.Millisecond) // W4
			}
		}},
		{"W5_clrq_discards_queued", func(t *testing.T) {
			f := newFixture(t, nil)
			c1, c2 := f.ws1(), f.ws2()
			c1.login("admin")
			c2.login("admin")
			for i := 0; i < 3; i++ {
				f.write(seqEvent(i))
			}
			f.settle()
			c1.roundTrip("C;CLRQUEUE", "+;CLRQUEUE")
			c2.rt2(cmd("clrq", nil), plus("CLRQ"))
			c1.roundTrip("C;OPEN", "+;OPEN")
			c2.rt2(cmd("OPEN", nil), plus("OPEN"))
			c1.expectNothing(quiet)
			c2.expectNothing(0)
			f.expectCounterAtLeast("session_cleared", 2)
			f.write(seqEvent(9))
			c1.expect(seqLine(9))
			c2.expectEvent2(seqEvent(9), "both")
		}},
		{"W6_sf_applies_to_queued", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.login("admin")
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 1))
			f.write(hostEvent(10, 7))
			f.settle()
			c.roundTrip("C;SF;0,20,0,-;0,0xFFFF,0,-", "+;SF")
			c.roundTrip("C;OPEN", "+;OPEN")
			c.expect("E;0,20,1,0,,0," + z16)
			c.expectNothing(quiet)
			f.expectCounterAtLeast("session_filtered", 2)
		}},
		{"W6_ws2_sf_applies_to_queued", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			c.login("admin")
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 1))
			f.settle()
			c.rt2(cmd("SF", map[string]any{"filter_class": 20, "mask_class": "0xFFFF"}), plus("SF"))
			c.rt2(cmd("OPEN", nil), plus("OPEN"))
			c.expectEvent2(hostEvent(20, 1), "both")
			c.expectNothing(quiet)
		}},
		{"W7_order_of_1000_events", func(t *testing.T) {
			f := newFixture(t, cfg{"max-client-queue-size": 2000})
			c1, c2 := f.ws1(), f.ws2()
			c1.loginOpen("admin")
			c2.loginOpen("user")
			const n = 1000
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 0; i < n; i++ {
					if err := f.d.Write(seqEvent(i), time.Second); err != nil {
						t.Errorf("Write %d: %v", i, err)
						return
					}
				}
			}()
			for i := 0; i < n; i++ {
				c1.expect(seqLine(i))
				c2.expectEvent2(seqEvent(i), "both")
			}
			<-done
			f.expectCounter("session_dropped_overflow", 0)
			f.waitCounter("events_delivered", "2000", func(v uint64) bool { return v == 2*n })
		}},
		{"W8_each_protocol_own_encoding", func(t *testing.T) {
			for _, format := range []string{"both", "vscp", "short"} {
				f := newFixture(t, cfg{"ws2-event-format": format})
				c1, c2 := f.ws1(), f.ws2()
				c1.loginOpen("admin")
				c2.loginOpen("admin")
				ev := &vscp.Event{Head: 0x60, Class: 10, Type: 6, OBID: 5, DateTime: dt(2024, 3, 4, 5, 6, 7), Timestamp: 1234,
					GUID: mustGUID("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F"), Data: []byte{0x11, 0x22, 0x33}, Note: "n<&>\"ü"}
				f.write(ev)
				c1.expect("E;96,10,6,5,2024-03-04T05:06:07Z,1234,00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F,0x11,0x22,0x33")
				c2.expectEvent2(ev, format)
			}
		}},
		{"W8_known_answers_K23_K24", func(t *testing.T) {
			e1 := &vscp.Event{Head: 96, Class: 10, Type: 6, OBID: 5, DateTime: dt(2024, 3, 4, 5, 6, 7), Timestamp: 1234,
				GUID: mustGUID("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F"), Data: []byte{0x11, 0x22, 0x33}}
			for format, want := range map[string]string{
				"vscp":  `{"vscpHead":96,"vscpObId":5,"vscpDateTime":"2024-03-04T05:06:07Z","vscpTimeStamp":1234,"vscpClass":10,"vscpType":6,"vscpGuid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","vscpData":[17,34,51],"vscpNote":""}`,
				"short": `{"head":96,"obid":5,"datetime":"2024-03-04T05:06:07Z","timestamp":1234,"class":10,"type":6,"guid":"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F","data":[17,34,51],"note":""}`,
			} {
				f := newFixture(t, cfg{"ws2-event-format": format})
				c := f.ws2()
				c.loginOpen("admin")
				f.write(e1)
				c.expectJSON(`{"type":"EVENT","event":` + want + `}`)
			}
		}},
		{"receive_right_required", func(t *testing.T) {
			f := newFixture(t, withUsers(mkUser("norcv", "secret", "rights", "ws/send-events")))
			n, a := f.ws1(), f.ws1()
			n.loginOpen("norcv")
			a.loginOpen("admin")
			f.write(event70())
			a.expect(line70)
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			a.noop()
			n.expectNothing(quiet)
			n.roundTrip("C;CLOSE", "+;CLOSE")
			n.roundTrip("C;OPEN", "+;OPEN")
			n.expectNothing(quiet)
		}},
		{"unauth_never_queues_and_unrouted", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws2()
			f.write(event70())
			f.settle()
			f.expectCounter("out_unrouted", 1)
			c.login("admin")
			c.rt2(cmd("OPEN", nil), plus("OPEN"))
			c.expectNothing(quiet)
		}},
		{"P3_forward_false", func(t *testing.T) {
			f := newFixture(t, cfg{"forward-client-events": false})
			a, b, c := f.ws1(), f.ws1(), f.ws2()
			a.loginOpen("admin")
			b.loginOpen("admin")
			c.loginOpen("admin")
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			checkEvent(t, f.read(), 10, 6, ifgText, nil)
			a.noop()
			a.expectNothing(quiet)
			b.expectNothing(0)
			c.expectNothing(0)
			f.expectCounter("events_forwarded", 0)
		}},
		{"P3_receive_sent_only", func(t *testing.T) {
			f := newFixture(t, cfg{"forward-client-events": false, "receive-sent-events": true})
			a, b := f.ws2(), f.ws1()
			a.loginOpen("admin")
			b.loginOpen("admin")
			a.rt2(ws2Event(map[string]any{"class": 10, "type": 6, "data": []int{5}}), plus("EVENT"))
			ev := f.read()
			a.expectEvent2(ev, "both")
			b.expectNothing(quiet)
			f.expectCounter("events_forwarded", 1)
		}},
		{"P3_forward_and_echo", func(t *testing.T) {
			f := newFixture(t, cfg{"receive-sent-events": true})
			a, b := f.ws1(), f.ws2()
			a.loginOpen("admin")
			b.loginOpen("admin")
			a.roundTrip("E;0,10,6,0,,0,-,9", "+;EVENT")
			ev := f.read()
			a.expect("E;" + fmtEvent(ev))
			b.expectEvent2(ev, "both")
			f.expectCounter("events_forwarded", 2)
		}},
		{"P3_recipients_checked", func(t *testing.T) {
			f := newFixture(t, withUsers(mkUser("norcv", "secret", "rights", "ws/send-events")))
			a := f.ws2()
			flt, norcv, rcv, ev := f.ws1(), f.ws1(), f.ws1(), f.ws2()
			a.loginOpen("admin")
			flt.loginOpen("admin")
			flt.roundTrip("C;SF;0,20,0,-;0,0xFFFF,0,-", "+;SF")
			norcv.loginOpen("norcv")
			rcv.loginOpen("rcv")
			ev.loginOpen("ev")
			a.rt2(ws2Event(map[string]any{"class": 10, "type": 6, "note": "hi"}), plus("EVENT"))
			got := f.read()
			rcv.expect("E;" + fmtEvent(got))
			got.Note = "hi" // ws2 carries the note
			ev.expectEvent2(got, "both")
			a.noop()
			flt.expectNothing(quiet)
			norcv.expectNothing(0)
			a.expectNothing(0)
			f.expectCounter("events_forwarded", 2)
		}},
		{"P3_out_filter_applies_to_forwarded", func(t *testing.T) {
			f := newFixture(t, cfg{"filter": map[string]any{"out-filter": "0,20,0,-", "out-mask": "0,0xFFFF,0,-"}})
			a, b := f.ws1(), f.ws1()
			a.loginOpen("admin")
			b.loginOpen("admin")
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			checkEvent(t, f.read(), 10, 6, ifgText, nil)
			a.noop()
			b.expectNothing(quiet)
			a.roundTrip("E;0,20,6,0,,0,-", "+;EVENT")
			b.expect("E;" + fmtEvent(f.read()))
		}},
		{"out_filter_host_events", func(t *testing.T) {
			f := newFixture(t, cfg{"filter": map[string]any{"out-filter": "0,20,0,-", "out-mask": "0,0xFFFF,0,-"}})
			c := f.ws1()
			c.loginOpen("admin")
			f.write(hostEvent(10, 6))
			f.write(hostEvent(20, 6))
			c.expect("E;0,20,6,0,,0," + z16)
			c.expectNothing(quiet)
			f.expectCounter("out_filtered", 1)
		}},
		{"in_filter", func(t *testing.T) {
			for _, over := range []cfg{
				{"filter": map[string]any{"in-filter": "0,20,0,-", "in-mask": "0,0xFFFF,0,-"}},
				{"rx-filter": "0,20,0,-;0,0xFFFF,0,-"},
			} {
				f := newFixture(t, over)
				a, b := f.ws1(), f.ws2()
				a.loginOpen("admin")
				b.loginOpen("admin")
				a.roundTrip("E;0,10,6,0,,0,-,1", "+;EVENT")
				_, m := b.nextObject() // still forwarded locally
				if m["type"] != "EVENT" {
					t.Fatalf("%v: forwarded frame %v", over, m)
				}
				f.expectNoRead(quiet)
				f.expectCounter("in_filtered", 1)
				f.expectCounter("client_events_accepted", 1)
				a.roundTrip("E;0,20,6,0,,0,-,2", "+;EVENT")
				checkEvent(t, f.read(), 20, 6, ifgText, []byte{2})
			}
		}},
		{"in_queue_full_not_forwarded", func(t *testing.T) {
			f := newFixture(t, cfg{"max-in-queue": 1})
			a, b := f.ws2(), f.ws1()
			a.login("admin")
			b.loginOpen("admin")
			a.rt2(ws2Event(map[string]any{"class": 10, "type": 6, "data": []int{1}}), plus("EVENT"))
			a.rt2(ws2Event(map[string]any{"class": 10, "type": 6, "data": []int{2}}), minus("EVENT", 3))
			first := f.read()
			checkEvent(t, first, 10, 6, ifgText, []byte{1})
			b.expect("E;" + fmtEvent(first))
			b.expectNothing(quiet)
			f.expectNoRead(0)
			f.expectCounter("client_events_rejected_full", 1)
		}},
		{"slow_client_does_not_block_others", func(t *testing.T) {
			f := newFixture(t, cfg{"max-client-queue-size": 100})
			slow := f.ws1()
			slow.loginOpen("admin")
			fast := f.ws1()
			fast.loginOpen("admin")
			// slow never reads again. The host paces itself by fast's
			// progress, so fast's own queue never overflows.
			data := make([]byte, 512)
			const total, batch = 20000, 50
			start := time.Now()
			for i := 0; i < total; i += batch {
				for j := i; j < i+batch; j++ {
					f.write(&vscp.Event{Class: 10, Type: 6, OBID: uint32(j), Data: data})
				}
				for j := i; j < i+batch; j++ {
					if got := lineOBID(t, fast.next()); got != j {
						t.Fatalf("fast client got event %d, want %d", got, j)
					}
				}
				if time.Since(start) > 90*time.Second {
					t.Fatalf("only %d of %d events reached the fast client in 90 s", i, total)
				}
			}
			t.Logf("%d events of %d bytes in %v", total, len(data), time.Since(start))
			f.expectCounterAtLeast("session_dropped_overflow", 1)
		}},
	}
	runNamed(t, cases)
}
