// Package webui tests the built-in web page (internal/ws/page/index.html)
// in a real browser: headless Chromium driven over the DevTools protocol.
package webui

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

const (
	chromiumPath = "/usr/bin/chromium"
	testBudget   = 60 * time.Second
	demoKey      = "2DBB079A38985AF00EBEEFE22F9FFA0E"
)

// TestWebUI logs in through the page, receives a host event in the table,
// sends an event from the form and checks the AES implementations against
// the known-answer vectors in testdata/.
func TestWebUI(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not found (install the Debian package chromium): browser test skipped", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()

	d := openDriver(t)
	base := "http://" + d.Addr().String()
	b := startBrowser(ctx, t)

	b.navigate(t, base+"/")
	b.waitTrue(t, `document.readyState === "complete" && !!window.vscpAes && !!document.getElementById("connect")`, "page loaded")

	t.Run("aes-vectors", func(t *testing.T) { checkAESVectors(t, b) })

	// Log in (empty key field: the page uses the demo key).
	b.eval(t, `(function(){
		document.getElementById("user").value = "admin";
		document.getElementById("password").value = "secret";
		document.getElementById("key").value = "";
		document.getElementById("connect").click();
		return true;
	})()`)
	b.waitTrue(t, `document.body.getAttribute("data-state") === "open"`, "channel open")
	status := b.evalString(t, `document.getElementById("status").textContent`)
	t.Logf("status after login: %q", status)

	// Host -> browser.
	guid, err := driver.ParseGUID("FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(&driver.Event{Class: 20, Type: 9, GUID: guid, Data: []byte{0x01, 0x7F, 0xA5}}, 5*time.Second); err != nil {
		t.Fatalf("d.Write: %v", err)
	}
	b.waitTrue(t, `document.querySelectorAll("#rows tr").length >= 1`, "event row")
	row := b.evalString(t, `Array.from(document.querySelector("#rows tr").children).map(td => td.textContent).join("|")`)
	t.Logf("event row: %s", row)
	cells := strings.Split(row, "|")
	if len(cells) != 5 || cells[1] != "20" || cells[2] != "9" ||
		!strings.EqualFold(cells[3], "FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00") ||
		cells[4] != "0x01,0x7F,0xA5" || cells[0] == "" {
		t.Errorf("event row %q, want time|20|9|FF:EE:…:00|0x01,0x7F,0xA5", row)
	}

	// Filter box.
	b.eval(t, `(function(){ const f = document.getElementById("filter"); f.value = "no-such-text"; f.dispatchEvent(new Event("input")); return true; })()`)
	if n := b.evalString(t, `String(document.querySelectorAll("#rows tr:not([hidden])").length)`); n != "0" {
		t.Errorf("filter no-such-text: %s visible rows, want 0", n)
	}
	b.eval(t, `(function(){ const f = document.getElementById("filter"); f.value = "0x7f"; f.dispatchEvent(new Event("input")); return true; })()`)
	if n := b.evalString(t, `String(document.querySelectorAll("#rows tr:not([hidden])").length)`); n != "1" {
		t.Errorf("filter 0x7f: %s visible rows, want 1", n)
	}

	// Browser -> host.
	b.eval(t, `(function(){
		document.getElementById("evclass").value = "30";
		document.getElementById("evtype").value = "5";
		document.getElementById("evguid").value = "-";
		document.getElementById("evdata").value = "1, 2,0x10,255";
		document.getElementById("sendbtn").click();
		return true;
	})()`)
	ev, err := d.Read(10 * time.Second)
	if err != nil {
		t.Fatalf("d.Read: %v", err)
	}
	if ev.Class != 30 || ev.Type != 5 || !bytes.Equal(ev.Data, []byte{1, 2, 0x10, 255}) {
		t.Errorf("d.Read: class %d type %d data %v, want 30 5 [1 2 16 255]", ev.Class, ev.Type, ev.Data)
	}
	b.waitTrue(t, `document.getElementById("status").textContent.indexOf("event sent") >= 0`, "+EVENT status")

	// An error reply shows in the status line.
	// A form error is caught by the page; a bad GUID is refused by the
	// server with a "-" reply, whose errstr shows in the status line.
	b.eval(t, `(function(){ document.getElementById("evclass").value = "70000"; document.getElementById("sendbtn").click(); return true; })()`)
	b.waitTrue(t, `document.getElementById("status").className === "err"`, "form error status")
	t.Logf("status after bad class: %q", b.evalString(t, `document.getElementById("status").textContent`))
	b.eval(t, `(function(){
		document.getElementById("evclass").value = "30";
		document.getElementById("evguid").value = "not-a-guid";
		document.getElementById("sendbtn").click();
		return true;
	})()`)
	b.waitTrue(t, `document.getElementById("status").textContent.indexOf("error on EVENT") >= 0`, "server error status")
	t.Logf("status after bad GUID: %q", b.evalString(t, `document.getElementById("status").textContent`))
	b.eval(t, `(function(){ document.getElementById("evguid").value = "-"; return true; })()`)
	b.eval(t, `(function(){ const f = document.getElementById("filter"); f.value = ""; f.dispatchEvent(new Event("input")); return true; })()`)

	// Log in again with the built-in JS AES, then with a wrong password.
	b.eval(t, `(function(){ document.getElementById("disconnect").click(); return true; })()`)
	b.waitTrue(t, `document.body.getAttribute("data-state") === "closed"`, "disconnect")
	b.eval(t, `(function(){ document.getElementById("aesimpl").value = "js"; document.getElementById("key").value = "`+demoKey+`"; document.getElementById("connect").click(); return true; })()`)
	b.waitTrue(t, `document.body.getAttribute("data-state") === "open"`, "channel open (JS AES)")
	b.eval(t, `(function(){ document.getElementById("disconnect").click(); return true; })()`)
	b.waitTrue(t, `document.body.getAttribute("data-state") === "closed"`, "disconnect")
	b.eval(t, `(function(){ document.getElementById("aesimpl").value = "auto"; document.getElementById("password").value = "wrong"; document.getElementById("connect").click(); return true; })()`)
	b.waitTrue(t, `document.body.getAttribute("data-state") === "authfailed" && document.getElementById("status").textContent.indexOf("error on AUTH") >= 0`, "AUTH refused")
	t.Logf("status after wrong password: %q", b.evalString(t, `document.getElementById("status").textContent`))

	png := b.screenshot(t)
	shot := filepath.Join(t.TempDir(), "webui.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	if keep := os.Getenv("WEBUI_SCREENSHOT"); keep != "" { // e.g. for a CI artifact
		if err := os.WriteFile(keep, png, 0o644); err != nil {
			t.Errorf("WEBUI_SCREENSHOT: %v", err)
		}
	}
}

// checkAESVectors runs both AES implementations of the page over the aes128
// zero-padding known answers in testdata/vectors.json.
func checkAESVectors(t *testing.T, b *browser) {
	raw, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatalf("known-answer vectors: %v", err)
	}
	type vector struct {
		What, Encryption, Key, IV, Plaintext, Padding, Crypto string
	}
	var doc struct {
		AuthAES []vector `json:"auth_aes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("testdata/vectors.json: %v", err)
	}
	var vectors []vector
	for _, v := range doc.AuthAES {
		if v.Encryption == "aes128" && v.Padding == "zero" {
			vectors = append(vectors, v)
		}
	}
	if len(vectors) == 0 {
		t.Fatal("testdata/vectors.json holds no aes128 zero-padding vectors")
	}
	if !b.evalBool(t, `window.isSecureContext && !!(window.crypto && crypto.subtle)`) {
		t.Errorf("page on 127.0.0.1 is not a secure context: WebCrypto path cannot be tested")
	}
	for _, v := range vectors {
		args, _ := json.Marshal([]string{v.Key, v.IV, v.Plaintext})
		js := b.evalString(t, fmt.Sprintf(`window.vscpAes.encryptJS(...%s)`, args))
		wc := b.evalString(t, fmt.Sprintf(`window.vscpAes.encryptWebCrypto(...%s)`, args))
		want := strings.ToUpper(v.Crypto)
		if js != want {
			t.Errorf("%s: JS AES %s, want %s", v.What, js, want)
		}
		if wc != want {
			t.Errorf("%s: WebCrypto AES %s, want %s", v.What, wc, want)
		}
	}
	t.Logf("%d aes128 zero-padding vectors checked with both implementations", len(vectors))
}

func openDriver(t *testing.T) *driver.Driver {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vscp.key"), []byte(demoKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := `{
		"interface": "ws://127.0.0.1:0",
		"key-file": "vscp.key",
		"users": [{"name":"admin","password":"2d1e4f91dae49cd08eaba2293e422273","rights":"admin"}],
		"logging": {"console-log-level": "error"}
	}`
	cfg, err := driver.ParseConfig([]byte(conf), dir)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	d, err := driver.Open(cfg, driver.GUID{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// ---------------------------------------------------------------- DevTools

// browser is a minimal DevTools protocol client attached to one page.
type browser struct {
	ctx     context.Context
	conn    *websocket.Conn
	session string

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	wmu     sync.Mutex
	logf    func(string, ...any)
}

type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func startBrowser(ctx context.Context, t *testing.T) *browser {
	t.Helper()
	cmd := exec.Command(chromiumPath,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-proxy-server", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-port=0", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the browser's helpers die with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whole process group
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Logf("chromium did not exit after kill")
		}
	})

	urlc := make(chan string, 1)
	var lastLines []string
	var llmu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent {
				if i := strings.Index(line, "DevTools listening on "); i >= 0 {
					urlc <- strings.TrimSpace(line[i+len("DevTools listening on "):])
					sent = true
					continue
				}
				llmu.Lock()
				lastLines = append(lastLines, line)
				llmu.Unlock()
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	var wsURL string
	select {
	case wsURL = <-urlc:
	case <-done:
		llmu.Lock()
		defer llmu.Unlock()
		t.Fatalf("chromium exited before DevTools came up:\n%s", strings.Join(lastLines, "\n"))
	case <-time.After(20 * time.Second):
		t.Fatal("chromium: no DevTools endpoint within 20 s")
	}

	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: nil}
	conn, _, err := dialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		t.Fatalf("devtools dial %s: %v", wsURL, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	b := &browser{ctx: ctx, conn: conn, pending: map[int64]chan cdpMessage{}, logf: t.Logf}
	go b.readLoop()

	var created struct {
		TargetID string `json:"targetId"`
	}
	b.call(t, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &created)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.call(t, "", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call(t, b.session, "Page.enable", nil, nil)
	b.call(t, b.session, "Runtime.enable", nil, nil)
	b.call(t, b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	return b
}

func (b *browser) readLoop() {
	for {
		var m cdpMessage
		if err := b.conn.ReadJSON(&m); err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.pending[m.ID]
			delete(b.pending, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		switch m.Method {
		case "Runtime.consoleAPICalled", "Runtime.exceptionThrown":
			b.logf("browser %s: %s", m.Method, truncate(string(m.Params), 400))
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (b *browser) call(t *testing.T, session, method string, params any, result any) {
	t.Helper()
	if err := b.callErr(session, method, params, result); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

func (b *browser) callErr(session, method string, params any, result any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()

	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b.wmu.Lock()
	_ = b.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err := b.conn.WriteJSON(msg)
	b.wmu.Unlock()
	if err != nil {
		return err
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return errors.New("devtools connection closed")
		}
		if m.Error != nil {
			return fmt.Errorf("devtools error %d: %s", m.Error.Code, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-b.ctx.Done():
		return fmt.Errorf("%s: %w", method, b.ctx.Err())
	}
}

func (b *browser) navigate(t *testing.T, url string) {
	t.Helper()
	var r struct {
		ErrorText string `json:"errorText"`
	}
	b.call(t, b.session, "Page.navigate", map[string]any{"url": url}, &r)
	if r.ErrorText != "" {
		t.Fatalf("navigate %s: %s", url, r.ErrorText)
	}
}

// evalErr evaluates expr in the page (awaiting promises) and returns its
// JSON value.
func (b *browser) evalErr(expr string) (json.RawMessage, error) {
	var r struct {
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := b.callErr(b.session, "Runtime.evaluate", map[string]any{
		"expression": expr, "awaitPromise": true, "returnByValue": true,
	}, &r)
	if err != nil {
		return nil, err
	}
	if r.ExceptionDetails != nil {
		return nil, fmt.Errorf("%s %s", r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	return r.Result.Value, nil
}

func (b *browser) eval(t *testing.T, expr string) json.RawMessage {
	t.Helper()
	v, err := b.evalErr(expr)
	if err != nil {
		t.Fatalf("evaluate %s: %v", truncate(expr, 80), err)
	}
	return v
}

func (b *browser) evalString(t *testing.T, expr string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(b.eval(t, expr), &s); err != nil {
		t.Fatalf("evaluate %s: not a string: %v", truncate(expr, 80), err)
	}
	return s
}

func (b *browser) evalBool(t *testing.T, expr string) bool {
	t.Helper()
	var v bool
	if err := json.Unmarshal(b.eval(t, expr), &v); err != nil {
		t.Fatalf("evaluate %s: not a boolean: %v", truncate(expr, 80), err)
	}
	return v
}

// waitTrue polls expr until it is true, for at most 15 s.
func (b *browser) waitTrue(t *testing.T, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v, err := b.evalErr(expr)
		if err == nil && string(v) == "true" {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			st, _ := b.evalErr(`document.getElementById("status") ? document.getElementById("status").textContent : ""`)
			t.Fatalf("waiting for %s: timed out (last error %v; status line %s)", what, err, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) screenshot(t *testing.T) []byte {
	t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	b.call(t, b.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}
