package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// allCounters is every counter the status document must carry.
var allCounters = []string{
	"sessions_accepted", "sessions_rejected_max_clients", "sessions_rejected_remote", "sessions_closed",
	"auth_ok", "auth_failed", "auth_closed", "auth_timeouts", "auth_throttled", "binary_ignored",
	"client_events_received", "client_events_accepted", "client_events_rejected_auth",
	"client_events_rejected_rights", "client_events_rejected_syntax", "client_events_rejected_full",
	"priority_clamped", "in_filtered", "host_events_read", "host_events_written", "host_write_full",
	"out_filtered", "out_unrouted", "events_forwarded", "events_delivered", "session_dropped_overflow",
	"session_filtered", "session_cleared", "session_discarded", "mqtt_connects", "mqtt_disconnects",
	"mqtt_published", "mqtt_publish_dropped", "mqtt_publish_errors", "mqtt_received", "mqtt_decode_errors",
	"mqtt_loop_suppressed", "mqtt_out_queue_full",
}

type statusDoc struct {
	Driver    string            `json:"driver"`
	Version   string            `json:"version"`
	Vendor    string            `json:"vendor"`
	Protocols map[string]string `json:"protocols"`
	ABI       string            `json:"abi"`
	GUID      string            `json:"guid"`
	Started   string            `json:"started"`
	Uptime    *int64            `json:"uptime"`
	Sessions  struct {
		Current, Max, WS1, WS2, Authenticated, Open int
	} `json:"sessions"`
	Queues struct {
		In      struct{ Depth, Capacity int } `json:"in"`
		Out     struct{ Depth, Capacity int } `json:"out"`
		Session struct {
			Capacity   int `json:"capacity"`
			MaxDepth   int `json:"max_depth"`
			TotalDepth int `json:"total_depth"`
		} `json:"session"`
	} `json:"queues"`
	Counters map[string]uint64 `json:"counters"`
	MQTT     map[string]any    `json:"mqtt"`
}

// objectKeys returns the keys of the JSON object raw in order.
func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// checkKeyOrder checks that want is a prefix of the keys of raw (later keys
// may be added at the end).
func checkKeyOrder(t *testing.T, what string, raw json.RawMessage, want ...string) {
	t.Helper()
	got := objectKeys(t, raw)
	if len(got) < len(want) || strings.Join(got[:len(want)], ",") != strings.Join(want, ",") {
		t.Fatalf("%s keys %v, want %v first", what, got, want)
	}
}

func (f *fixture) status(t *testing.T) (statusDoc, []byte) {
	t.Helper()
	resp, body := httpGet(t, "http://"+f.addr+"/rest")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/rest: HTTP %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("/rest Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("/rest Cache-Control %q", cc)
	}
	var doc statusDoc
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("/rest: %v: %s", err, body)
	}
	return doc, []byte(body)
}

// TestCounters runs scripted sessions and checks the status document and
// its counters.
func TestCounters(t *testing.T) {
	cases := []namedCase{
		{"status_document_after_script", func(t *testing.T) {
			f := newFixture(t, nil)
			c1, c2, c3 := f.ws1(), f.ws2(), f.ws1()
			c1.loginOpen("admin")
			c2.login("user")
			c3.roundTrip("E;0,10,6,0,,0,-", ws1Neg("EVENT", 5))
			c3.roundTrip(c3.authLine("admin:wrong"), ws1Neg("AUTH", 5))
			c1.roundTrip("E;0,10,6,0,,0,-,1", "+;EVENT")
			f.read()
			f.write(event70())
			c1.expect(line70)
			c1.sendBinary([]byte{1})
			c1.noop()
			f.settle()

			doc, body := f.status(t)
			var compact bytes.Buffer
			if err := json.Compact(&compact, body); err != nil || !bytes.Equal(compact.Bytes(), body) {
				t.Fatalf("/rest body is not compact JSON: %s", body)
			}
			var top map[string]json.RawMessage
			_ = json.Unmarshal(body, &top)
			checkKeyOrder(t, "top level", body, "driver", "version", "vendor", "protocols", "abi", "guid", "started", "uptime", "sessions", "queues", "counters", "mqtt")
			checkKeyOrder(t, "sessions", top["sessions"], "current", "max", "ws1", "ws2", "authenticated", "open")
			checkKeyOrder(t, "queues", top["queues"], "in", "out", "session")
			checkKeyOrder(t, "counters", top["counters"], allCounters...)
			checkKeyOrder(t, "mqtt", top["mqtt"], "enabled", "connected", "broker", "subscriptions", "publish_topics")

			if doc.Driver != "vscpl2drv-websocksrv" || doc.Version != drvVersion || doc.Vendor == "" || doc.ABI != "v15.0" || doc.GUID != ifgText {
				t.Fatalf("identity fields: %s", body)
			}
			if doc.Protocols["ws1"] != "1.0.0.0" || doc.Protocols["ws2"] != "1.0.0-0" {
				t.Fatalf("protocols %v", doc.Protocols)
			}
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(doc.Started) || doc.Uptime == nil || *doc.Uptime < 0 {
				t.Fatalf("started %q uptime %v", doc.Started, doc.Uptime)
			}
			s := doc.Sessions
			if s.Current != 3 || s.Max != 100 || s.WS1 != 2 || s.WS2 != 1 || s.Authenticated != 2 || s.Open != 1 {
				t.Fatalf("sessions %+v, want current 3 max 100 ws1 2 ws2 1 authenticated 2 open 1", s)
			}
			q := doc.Queues
			if q.In.Depth != 0 || q.In.Capacity != 32000 || q.Out.Depth != 0 || q.Out.Capacity != 32000 ||
				q.Session.Capacity != 1000 || q.Session.MaxDepth != 1 || q.Session.TotalDepth != 1 {
				t.Fatalf("queues %+v, want in/out 0 of 32000, session capacity 1000 max_depth 1 total_depth 1", q)
			}
			want := map[string]uint64{
				"sessions_accepted": 3, "auth_ok": 2, "auth_failed": 1, "client_events_received": 2,
				"client_events_accepted": 1, "client_events_rejected_auth": 1, "host_events_read": 1,
				"host_events_written": 1, "events_delivered": 1, "events_forwarded": 0, "binary_ignored": 1,
				"out_unrouted": 0, "out_filtered": 0, "sessions_closed": 0, "session_cleared": 0,
				"in_filtered": 0, "auth_closed": 0, "auth_timeouts": 0, "sessions_rejected_max_clients": 0,
				"sessions_rejected_remote": 0, "client_events_rejected_rights": 0,
				"client_events_rejected_syntax": 0, "client_events_rejected_full": 0, "host_write_full": 0,
				"session_dropped_overflow": 0, "session_filtered": 0, "priority_clamped": 0,
			}
			for _, name := range allCounters {
				v, ok := doc.Counters[name]
				if !ok {
					t.Errorf("counter %s missing from /rest", name)
					continue
				}
				if w, ok := want[name]; ok && v != w {
					t.Errorf("counter %s = %d, want %d", name, v, w)
				}
				if strings.HasPrefix(name, "mqtt_") && v != 0 {
					t.Errorf("counter %s = %d without a bridge", name, v)
				}
				if g := f.d.Stats().CounterByName[name]; g != v {
					t.Errorf("counter %s: /rest %d, Stats %d", name, v, g)
				}
			}
			if doc.MQTT["enabled"] != false || doc.MQTT["connected"] != false {
				t.Errorf("mqtt %v", doc.MQTT)
			}

			for _, c := range []*client{c1, c2, c3} {
				c.close()
			}
			deadline := time.Now().Add(frameTimeout)
			for {
				doc, _ = f.status(t)
				if doc.Sessions.Current == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("sessions %+v after every client left", doc.Sessions)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if doc.Sessions.WS1 != 0 || doc.Sessions.WS2 != 0 || doc.Sessions.Authenticated != 0 || doc.Sessions.Open != 0 || doc.Queues.Session.TotalDepth != 0 {
				t.Fatalf("sessions %+v queues %+v after every client left", doc.Sessions, doc.Queues.Session)
			}
			f.waitCounter("sessions_closed", "3", func(v uint64) bool { return v == 3 })
			f.expectCounterAtLeast("session_discarded", 1)
		}},
		{"client_event_rejections", func(t *testing.T) {
			f := newFixture(t, cfg{"max-in-queue": 1})
			u, r, a, w := f.ws1(), f.ws1(), f.ws1(), f.ws2()
			r.login("rcv")
			a.login("admin")
			w.login("admin")
			u.roundTrip("E;0,10,6,0,,0,-", ws1Neg("EVENT", 5))
			r.roundTrip("E;0,10,6,0,,0,-", ws1Neg("EVENT", 6))
			a.roundTrip("E;0,10,6", ws1Neg("EVENT", 1))
			w.rt2(`{"type":"EVENT","event":"x"}`, minus("EVENT", 8))
			w.rt2(`{"type":"EVENT","event":{"class":-1}}`, minus("EVENT", 1))
			a.roundTrip("E;0,10,6,0,,0,-", "+;EVENT")
			w.rt2(ws2Event(map[string]any{"class": 10, "type": 6}), minus("EVENT", 3))
			for name, v := range map[string]uint64{
				"client_events_received": 7, "client_events_accepted": 1, "client_events_rejected_auth": 1,
				"client_events_rejected_rights": 1, "client_events_rejected_syntax": 3, "client_events_rejected_full": 1,
			} {
				f.expectCounter(name, v)
			}
		}},
		{"rest_methods", func(t *testing.T) {
			f := newFixture(t, nil)
			_, resp, body := httpRaw(t, f.addr, "HEAD /rest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			if resp.StatusCode != http.StatusOK || body != "" || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("HEAD /rest: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
			}
			_, resp, _ = httpRaw(t, f.addr, "POST /rest HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Fatalf("POST /rest: %d Allow %q, want 405 with GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
			}
			_, _ = io.Copy(io.Discard, resp.Body)
		}},
	}
	runNamed(t, cases)
}
