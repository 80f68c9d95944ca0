package conformance

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

type namedCase struct {
	name string
	run  func(t *testing.T)
}

func runNamed(t *testing.T, cases []namedCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t)
		})
	}
}

// expectStatus sends a raw request and checks status and (unless "\x00")
// the body.
func expectStatus(t *testing.T, addr, req string, status int, body string) *http.Response {
	t.Helper()
	_, resp, got := httpRaw(t, addr, req)
	if resp.StatusCode != status {
		t.Fatalf("request %q: HTTP %d, want %d", strings.SplitN(req, "\r\n", 2)[0], resp.StatusCode, status)
	}
	if body != "\x00" && got != body {
		t.Fatalf("request %q: body %q, want %q", strings.SplitN(req, "\r\n", 2)[0], got, body)
	}
	return resp
}

func plainGet(addr, path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
}

// TestTransport covers the transport rules shared by ws1 and ws2, rows
// T01–T15: open and bind, HTTP routing and allow-remotes, the handshake,
// max-clients, frames, ping and close, message size, auth timeout,
// shutdown and garbage input.
func TestTransport(t *testing.T) {
	cases := []namedCase{
		{"T01_bind_failure_fails_open", func(t *testing.T) {
			f := newFixture(t, nil)
			raw := fmt.Sprintf(`{"interface":"ws://%s","logging":{"console-log-level":"off"}}`, f.addr)
			c, err := config.Parse([]byte(raw), "inline", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			d, err := driver.Open(c, ifg)
			if err == nil {
				_ = d.Close()
				t.Fatalf("second Open on %s succeeded, want a bind failure", f.addr)
			}
		}},
		{"T02_forbidden_before_everything", func(t *testing.T) {
			f := newFixture(t, cfg{"allow-remotes": "-127.0.0.1"})
			for _, p := range []string{"/ws1", "/ws2", "/rest", "/", "/nothing"} {
				expectStatus(t, f.addr, plainGet(f.addr, p), http.StatusForbidden, "Forbidden\n")
			}
			expectStatus(t, f.addr, upgradeRequest(f.addr, "/ws1"), http.StatusForbidden, "Forbidden\n")
			expectStatus(t, f.addr, upgradeRequest(f.addr, "/ws2"), http.StatusForbidden, "Forbidden\n")
			f.expectCounter("sessions_rejected_remote", 7)
			f.expectCounter("sessions_accepted", 0)
		}},
		{"T02_allow_remotes_plus_rule_without_match", func(t *testing.T) {
			f := newFixture(t, cfg{"allow-remotes": []string{"+10.0.0.0/8"}})
			f.expectHandshakeStatus("/ws1", http.StatusForbidden)
		}},
		{"T02_allow_remotes_allows_loopback", func(t *testing.T) {
			f := newFixture(t, cfg{"allow-remotes": []string{"+10.0.0.0/8", "+127.0.0.0/8"}})
			f.ws1().noop()
		}},
		{"T02_exact_path", func(t *testing.T) {
			f := newFixture(t, nil)
			for _, p := range []string{"/ws1/", "/WS1", "/ws1x", "/ws", "/ws2/", "/Ws2", "//ws1"} {
				f.expectHandshakeStatus(p, http.StatusNotFound)
			}
		}},
		{"T02_query_ignored", func(t *testing.T) {
			f := newFixture(t, nil)
			c1 := f.dialPath("/ws1?x=1&y", "ws1", dialOpts{})
			c1.noop()
			c2 := f.dialPath("/ws2?foo=bar", "ws2", dialOpts{})
			c2.noop()
		}},
		{"T02_url_ws1_without_slash", func(t *testing.T) {
			f := newFixture(t, cfg{"url-ws1": "ws1"})
			f.ws1().noop()
		}},
		{"T02_custom_paths", func(t *testing.T) {
			f := newFixture(t, cfg{"url-ws1": "/a/one", "url-ws2": "/two/"})
			f.dialPath("/a/one", "ws1", dialOpts{}).noop()
			f.dialPath("/two", "ws2", dialOpts{}).noop()
			f.expectHandshakeStatus("/ws1", http.StatusNotFound)
			f.expectHandshakeStatus("/ws2", http.StatusNotFound)
		}},
		{"T02_disabled_endpoint_404", func(t *testing.T) {
			f := newFixture(t, cfg{"enable-ws2": false})
			f.expectHandshakeStatus("/ws2", http.StatusNotFound)
			expectStatus(t, f.addr, plainGet(f.addr, "/ws2"), http.StatusNotFound, "\x00")
			f.ws1().noop()
		}},
		{"T02_rest_and_static", func(t *testing.T) {
			f := newFixture(t, nil)
			resp, body := httpGet(t, "http://"+f.addr+"/rest")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(body, `{"driver":"vscpl2drv-websocksrv"`) {
				t.Fatalf("/rest: %d %q %.40q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			resp, _ = httpGet(t, "http://"+f.addr+"/")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("/: %d %q, want the built-in page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			expectStatus(t, f.addr, plainGet(f.addr, "/index.html.x"), http.StatusNotFound, "\x00")
			g := newFixture(t, cfg{"enable-static": false, "enable-rest": false})
			expectStatus(t, g.addr, plainGet(g.addr, "/"), http.StatusNotFound, "\x00")
			expectStatus(t, g.addr, plainGet(g.addr, "/rest"), http.StatusNotFound, "\x00")
			g.ws2().noop()
		}},
		{"T03_426_without_upgrade", func(t *testing.T) {
			f := newFixture(t, nil)
			for _, p := range []string{"/ws1", "/ws2"} {
				resp := expectStatus(t, f.addr, plainGet(f.addr, p), http.StatusUpgradeRequired, "WS upgrade expected\n")
				if v := resp.Header.Get("Sec-WebSocket-Version"); v != "13" {
					t.Fatalf("%s: Sec-WebSocket-Version %q, want 13", p, v)
				}
			}
			// An Upgrade header without the websocket token is no upgrade.
			req := "GET /ws1 HTTP/1.1\r\nHost: " + f.addr + "\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
			expectStatus(t, f.addr, req, http.StatusUpgradeRequired, "WS upgrade expected\n")
		}},
		{"T03_400_other_handshake_defects", func(t *testing.T) {
			f := newFixture(t, nil)
			base := func(method, conn, key, ver string) string {
				s := method + " /ws1 HTTP/1.1\r\nHost: " + f.addr + "\r\nUpgrade: websocket\r\n"
				if conn != "" {
					s += "Connection: " + conn + "\r\n"
				}
				if key != "" {
					s += "Sec-WebSocket-Key: " + key + "\r\n"
				}
				if ver != "" {
					s += "Sec-WebSocket-Version: " + ver + "\r\n"
				}
				if method == "POST" {
					s += "Content-Length: 0\r\n"
				}
				return s + "\r\n"
			}
			for name, req := range map[string]string{
				"version_8":      base("GET", "Upgrade", wsKey, "8"),
				"no_version":     base("GET", "Upgrade", wsKey, ""),
				"no_key":         base("GET", "Upgrade", "", "13"),
				"bad_key":        base("GET", "Upgrade", "abc", "13"),
				"no_connection":  base("GET", "", wsKey, "13"),
				"post":           base("POST", "Upgrade", wsKey, "13"),
				"connection_foo": base("GET", "keep-alive", wsKey, "13"),
			} {
				_, resp, _ := httpRaw(t, f.addr, req)
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: HTTP %d, want 400", name, resp.StatusCode)
				}
			}
		}},
		{"T04_max_clients_exact_503", func(t *testing.T) {
			f := newFixture(t, cfg{"max-clients": 2})
			c1 := f.ws1()
			f.ws2()
			for _, p := range []string{"/ws1", "/ws2"} {
				_, resp, body := httpRaw(t, f.addr, upgradeRequest(f.addr, p))
				if resp.StatusCode != http.StatusServiceUnavailable || body != "Too many clients\n" {
					t.Fatalf("%s: HTTP %d %q, want 503 %q", p, resp.StatusCode, body, "Too many clients\n")
				}
			}
			f.expectCounter("sessions_rejected_max_clients", 2)
			// Checked after T3, and only for upgrades.
			expectStatus(t, f.addr, plainGet(f.addr, "/ws1"), http.StatusUpgradeRequired, "WS upgrade expected\n")
			expectStatus(t, f.addr, plainGet(f.addr, "/rest"), http.StatusOK, "\x00")
			// The slot frees when a client leaves.
			c1.close()
			deadline := time.Now().Add(3 * time.Second)
			for {
				conn, resp, err := dialErr(f.addr, "/ws1", dialOpts{})
				if err == nil {
					_ = conn.Close()
					break
				}
				if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
					t.Fatalf("after a client left: %v %v, want a free slot within 3 s", err, resp)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}},
		{"T05_origin_not_checked", func(t *testing.T) {
			f := newFixture(t, nil)
			for _, o := range []string{"null", "http://example.invalid"} {
				c := f.dialPath("/ws1", "ws1", dialOpts{header: http.Header{"Origin": {o}}})
				c.noop()
			}
		}},
		{"T06_first_subprotocol_echoed", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.dialPath("/ws2", "ws2", dialOpts{subprotocols: []string{"vscp2", "other"}})
			if got := c.resp.Header.Get("Sec-WebSocket-Protocol"); got != "vscp2" {
				t.Fatalf("Sec-WebSocket-Protocol %q, want vscp2", got)
			}
			c.noop()
			c = f.ws1()
			if got := c.resp.Header.Values("Sec-WebSocket-Protocol"); len(got) != 0 {
				t.Fatalf("Sec-WebSocket-Protocol %q without an offer, want none", got)
			}
		}},
		{"T07_no_extension_negotiated", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.dialPath("/ws1", "ws1", dialOpts{compression: true})
			if got := c.resp.Header.Values("Sec-WebSocket-Extensions"); len(got) != 0 {
				t.Fatalf("Sec-WebSocket-Extensions %q, want none", got)
			}
			c.noop()
			rc, resp, _ := httpRaw(t, f.addr, upgradeRequest(f.addr, "/ws2", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"))
			if resp.StatusCode != http.StatusSwitchingProtocols || len(resp.Header.Values("Sec-WebSocket-Extensions")) != 0 {
				t.Fatalf("HTTP %d extensions %q, want 101 without extensions", resp.StatusCode, resp.Header.Values("Sec-WebSocket-Extensions"))
			}
			fr, err := readRawFrame(rc.br)
			if err != nil || fr.rsv != 0 {
				t.Fatalf("greeting frame rsv %#x err %v, want uncompressed", fr.rsv, err)
			}
		}},
		{"T08_T09_greeting_first_unfragmented_text", func(t *testing.T) {
			f := newFixture(t, nil)
			for _, p := range []string{"/ws1", "/ws2"} {
				rc, resp, _ := httpRaw(t, f.addr, upgradeRequest(f.addr, p))
				if resp.StatusCode != http.StatusSwitchingProtocols {
					t.Fatalf("%s: HTTP %d, want 101", p, resp.StatusCode)
				}
				fr, err := readRawFrame(rc.br)
				if err != nil {
					t.Fatal(err)
				}
				if !fr.fin || fr.opcode != 1 || fr.masked || fr.rsv != 0 {
					t.Fatalf("%s greeting frame fin=%v opcode=%d masked=%v rsv=%#x, want one unmasked final text frame", p, fr.fin, fr.opcode, fr.masked, fr.rsv)
				}
				g := string(fr.payload)
				if p == "/ws1" && !ws1Greeting.MatchString(g) || p == "/ws2" && !ws2GreetingRE.MatchString(g) {
					t.Fatalf("%s: first frame %q is not the greeting", p, g)
				}
				noop := "C;NOOP"
				want := "+;NOOP"
				if p == "/ws2" {
					noop, want = cmd("NOOP", nil), plus("NOOP")
				}
				if _, err := rc.Write(wsFrame(true, websocket.TextMessage, []byte(noop))); err != nil {
					t.Fatal(err)
				}
				fr, err = readRawFrame(rc.br)
				if err != nil || !fr.fin || fr.opcode != 1 || string(fr.payload) != want {
					t.Fatalf("%s reply frame fin=%v opcode=%d %q err %v, want one text frame %q", p, fr.fin, fr.opcode, fr.payload, err, want)
				}
			}
		}},
		{"T09_binary_ignored_and_counted", func(t *testing.T) {
			f := newFixture(t, nil)
			c1, c2 := f.ws1(), f.ws2()
			c1.login("admin")
			c1.sendBinary([]byte("C;OPEN"))
			c1.sendBinary([]byte{0, 1, 2, 0xff})
			c2.sendBinary([]byte(cmd("NOOP", nil)))
			c1.roundTrip("C;NOOP", "+;NOOP")
			c2.rt2(cmd("NOOP", nil), plus("NOOP"))
			c1.expectNothing(quiet)
			c2.expectNothing(0)
			f.expectCounter("binary_ignored", 3)
			// No state change: the binary OPEN did not open the channel.
			f.write(event70())
			f.settle()
			c1.expectNothing(quiet)
		}},
		{"T09_non_utf8_text_is_bytes", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			c.roundTrip("C;NOOP\xff", ws1Neg("", 2))
			c.roundTrip("\xffC;NOOP", ws1Neg("", 9))
			c.roundTrip("C;\xc3\xa9", ws1Neg("", 2))
			c.noop()
			c2 := f.ws2()
			c2.rt2("{\"type\":\"CMD\",\"command\":\"NOOP\",\"args\":\"\xff\xfe\"}", plus("NOOP"))
		}},
		{"T10_ping_payload_echoed", func(t *testing.T) {
			f := newFixture(t, nil)
			for _, c := range []*client{f.ws1(), f.ws2()} {
				payload := strings.Repeat("p", 125)
				if err := c.conn.WriteControl(websocket.PingMessage, []byte(payload), time.Now().Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				select {
				case p := <-c.pongs:
					if p != payload {
						t.Fatalf("pong %q, want %q", p, payload)
					}
				case <-time.After(frameTimeout):
					t.Fatal("no pong")
				}
				c.noop()
			}
		}},
		{"T10_client_close_echoed", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			if err := c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4000, "bye"), time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			c.expectClose(4000, anyReason, frameTimeout)
			c2 := f.ws2()
			if err := c2.conn.WriteControl(websocket.CloseMessage, nil, time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			c2.expectClose(websocket.CloseNormalClosure, anyReason, frameTimeout)
			f.waitCounter("sessions_closed", "2", func(v uint64) bool { return v == 2 })
		}},
		{"T11_replies_in_order", func(t *testing.T) {
			f := newFixture(t, nil)
			c := f.ws1()
			var msgs, want []string
			for i := 0; i < 100; i++ {
				switch i % 4 {
				case 0:
					msgs, want = append(msgs, "C;NOOP"), append(want, "+;NOOP")
				case 1:
					msgs, want = append(msgs, "C;VER"), append(want, "+;VER;"+drvVersion+";1.0.0.0")
				case 2:
					msgs, want = append(msgs, "C;X"+fmt.Sprint(i)), append(want, ws1Neg("X"+fmt.Sprint(i), 2))
				case 3:
					msgs, want = append(msgs, "C;CLOSE"), append(want, "+;CLOSE")
				}
			}
			c.burst(msgs...)
			for _, w := range want {
				c.expect(w)
			}
			c.expectNothing(quiet)
		}},
		{"T12_exact_limit_accepted", func(t *testing.T) {
			f := newFixture(t, cfg{"max-message-size": 65536})
			c := f.ws1()
			c.roundTrip("C;"+strings.Repeat("A", 65536-2), ws1Neg("", 2))
			c2 := f.ws2()
			pre := `{"type":"CMD","command":"NOOP","args":"`
			msg := pre + strings.Repeat("x", 65536-len(pre)-2) + `"}`
			c2.rt2(msg, plus("NOOP"))
		}},
		{"T12_over_limit_1009", func(t *testing.T) {
			f := newFixture(t, cfg{"max-message-size": 4096})
			c := f.ws2()
			c.send(strings.Repeat(" ", 4097))
			c.expectClose(websocket.CloseMessageTooBig, anyReason, frameTimeout)
			// Fragments are counted after reassembly.
			c1 := f.ws1()
			c1.sendRaw(wsFrame(false, websocket.TextMessage, []byte("C;"+strings.Repeat("A", 3000))))
			c1.sendRaw(wsFrame(true, 0, []byte(strings.Repeat("A", 1100))))
			c1.expectClose(websocket.CloseMessageTooBig, anyReason, frameTimeout)
			c3 := f.ws1()
			c3.roundTrip("C;"+strings.Repeat("A", 4094), ws1Neg("", 2))
		}},
		{"T13_auth_timeout_ws2_and_counted", func(t *testing.T) {
			f := newFixture(t, cfg{"auth-timeout": 1})
			c := f.ws2()
			start := time.Now()
			at := c.expectClose(websocket.ClosePolicyViolation, "authentication timeout", 3*time.Second)
			if d := at.Sub(start); d < authTimeoutMin {
				t.Fatalf("closed after %v, want at least %v (auth-timeout 1 s, minus 50 ms for measuring)", d, authTimeoutMin)
			}
			f.waitCounter("auth_timeouts", "1", func(v uint64) bool { return v == 1 })
		}},
		{"T13_auth_timeout_measured_from_greeting", func(t *testing.T) {
			// Several sessions connect at staggered moments after Open, so
			// that a coarse clock cannot hide behind a lucky phase.
			f := newFixture(t, cfg{"auth-timeout": 1})
			time.Sleep(300 * time.Millisecond)
			var cs []*client
			var starts []time.Time
			for i := 0; i < 4; i++ {
				cs = append(cs, f.ws1())
				starts = append(starts, time.Now())
				time.Sleep(60 * time.Millisecond)
			}
			for i, c := range cs {
				at := c.expectClose(websocket.ClosePolicyViolation, "authentication timeout", 3*time.Second)
				if d := at.Sub(starts[i]); d < authTimeoutMin {
					t.Errorf("session %d closed %v after the greeting, want at least %v (auth-timeout 1 s, minus 50 ms for measuring)", i, d, authTimeoutMin)
				}
			}
		}},
		{"T13_blocked_write_drops_connection", func(t *testing.T) {
			f := newFixture(t, cfg{"max-client-queue-size": 100})
			c := f.ws1()
			c.loginOpen("admin")
			// c stops reading; 50 MB of events fill every buffer.
			start := time.Now()
			data := make([]byte, 512)
			for i := 0; i < 20000; i++ {
				f.write(&vscp.Event{Class: 10, Type: 6, Data: data})
			}
			time.Sleep(5*time.Second - time.Since(start))
			if v := f.counter("sessions_closed"); v != 0 {
				t.Fatalf("session dropped within 5 s of blocking, want after 10 s")
			}
			for f.counter("sessions_closed") == 0 {
				if time.Since(start) > 16*time.Second {
					t.Fatalf("session with a write blocked since about %v not dropped", time.Since(start))
				}
				time.Sleep(50 * time.Millisecond)
			}
			if d := time.Since(start); d < 9*time.Second {
				t.Fatalf("dropped after %v, want a write blocked > 10 s", d)
			}
		}},
		{"T13_auth_timeout_spares_authenticated", func(t *testing.T) {
			f := newFixture(t, cfg{"auth-timeout": 1})
			c := f.ws1()
			c.login("user")
			time.Sleep(1600 * time.Millisecond)
			c.noop()
		}},
		{"T13_auth_timeout_restarts_when_unauth_again", func(t *testing.T) {
			f := newFixture(t, cfg{"auth-timeout": 1})
			var cs []*client
			for i := 0; i < 4; i++ {
				c := f.ws1()
				c.login("admin")
				cs = append(cs, c)
			}
			time.Sleep(1200 * time.Millisecond)
			var starts []time.Time
			for _, c := range cs {
				c.roundTrip(c.authLine("admin:wrong"), ws1Neg("AUTH", 5))
				starts = append(starts, time.Now())
				time.Sleep(60 * time.Millisecond)
			}
			for i, c := range cs {
				at := c.expectClose(websocket.ClosePolicyViolation, "authentication timeout", 3*time.Second)
				if d := at.Sub(starts[i]); d < authTimeoutMin {
					t.Errorf("session %d closed %v after becoming UNAUTH, want at least %v (auth-timeout 1 s, minus 50 ms for measuring)", i, d, authTimeoutMin)
				}
			}
		}},
		{"T13_server_pings", func(t *testing.T) {
			f := newFixture(t, cfg{"ws-ping-interval": 1})
			c := f.ws1()
			for i := 0; i < 2; i++ {
				select {
				case p := <-c.pings:
					if p != "" {
						t.Fatalf("ping payload %q, want empty", p)
					}
				case <-time.After(2500 * time.Millisecond):
					t.Fatalf("ping %d not received", i+1)
				}
			}
			// A client that answers stays connected past 2 × interval.
			time.Sleep(1500 * time.Millisecond)
			c.noop()
		}},
		{"T13_silent_client_dropped", func(t *testing.T) {
			f := newFixture(t, cfg{"ws-ping-interval": 1})
			c := f.dialPath("/ws1", "ws1", dialOpts{noPong: true})
			start := time.Now()
			at := c.expectDropped(6 * time.Second)
			if d := at.Sub(start); d < 1900*time.Millisecond || d > 4500*time.Millisecond {
				t.Fatalf("dropped after %v, want after about 2 × interval (2 s)", d)
			}
		}},
		{"T14_shutdown_closes_every_session_1001", func(t *testing.T) {
			f := newFixture(t, nil)
			c1, c2, c3 := f.ws1(), f.ws2(), f.ws2()
			c2.loginOpen("admin")
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- f.d.Close() }()
			for _, c := range []*client{c1, c2, c3} {
				c.expectClose(websocket.CloseGoingAway, "server shutdown", 2*time.Second)
			}
			if err := <-done; err != nil {
				t.Fatalf("Close: %v", err)
			}
			if d := time.Since(start); d > 2500*time.Millisecond {
				t.Fatalf("Close took %v, want within the 2 s budget", d)
			}
		}},
		{"T15_garbage_ws1", func(t *testing.T) {
			f := newFixture(t, cfg{"max-auth-failures": 0})
			c := f.ws1()
			other := f.ws1()
			other.loginOpen("admin")
			for i, msg := range garbageWS1(300) {
				c.send(msg)
				got := c.next()
				if err := checkWS1Reply(got); err != nil {
					t.Fatalf("message %d %q: reply %q: %v", i, trunc(msg), trunc(got), err)
				}
			}
			c.noop()
			c.expectNothing(quiet)
			other.noop()
		}},
		{"T15_garbage_ws2", func(t *testing.T) {
			f := newFixture(t, cfg{"max-auth-failures": 0})
			c := f.ws2()
			other := f.ws2()
			other.loginOpen("admin")
			for i, msg := range garbageWS2(300) {
				c.send(msg)
				got := c.next()
				if err := checkWS2Reply(got); err != nil {
					t.Fatalf("message %d %q: reply %q: %v", i, trunc(msg), trunc(got), err)
				}
			}
			c.noop()
			c.expectNothing(quiet)
			other.noop()
		}},
		{"T15_garbage_authenticated", func(t *testing.T) {
			// The same input from logged-in sessions (more code paths).
			f := newFixture(t, cfg{"max-auth-failures": 0})
			c1, c2 := f.ws1(), f.ws2()
			c1.loginOpen("admin")
			c2.loginOpen("admin")
			for i, msg := range garbageWS1(150) {
				if strings.Contains(strings.ToUpper(msg), "AUTH") {
					continue // a failed AUTH would log the session out
				}
				c1.send(msg)
				got := c1.next()
				for strings.HasPrefix(got, "E;") {
					got = c1.next() // events accepted and forwarded from c2
				}
				if err := checkWS1Reply(got); err != nil {
					t.Fatalf("ws1 message %d %q: reply %q: %v", i, trunc(msg), trunc(got), err)
				}
			}
			for i, msg := range garbageWS2(150) {
				if strings.Contains(strings.ToUpper(msg), "AUTH") {
					continue
				}
				c2.send(msg)
				got := c2.next()
				for strings.HasPrefix(got, `{"type":"EVENT"`) {
					got = c2.next()
				}
				if err := checkWS2Reply(got); err != nil {
					t.Fatalf("ws2 message %d %q: reply %q: %v", i, trunc(msg), trunc(got), err)
				}
			}
		}},
	}
	runNamed(t, cases)
}
