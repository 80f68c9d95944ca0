package integration

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// response is what a request returned.
type response struct {
	status      int
	contentType string
	allow       string
	body        string
}

// request makes a request with the standard client (which cleans the path).
func request(t *testing.T, hc *http.Client, method, url string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, url, err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"), string(body)}
}

// rawGet sends the request target exactly as given, on a connection of its
// own, so that no client-side path cleaning can hide a traversal.
func rawGet(t *testing.T, addr, target string) response {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(frameTimeout))
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", target, err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"), string(body)}
}

const (
	rootIndex = "<!doctype html><title>root index</title>\n"
	alphaText = "alpha text\n"
	subIndex  = "<!doctype html><title>sub index</title>\n"
	sub2File  = "a file in sub2\n"
	secret    = "TOP SECRET: outside the web root\n"
)

// webTree builds <tmp>/www, the web root, and <tmp>/outside with a secret
// file, plus symbolic links from the root to the outside. It returns the
// configuration directory (<tmp>) in which "www" is the relative web-root.
func webTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"www/index.html":      rootIndex,
		"www/a.txt":           alphaText,
		"www/sub/index.html":  subIndex,
		"www/sub2/x.txt":      sub2File,
		"outside/secret.txt":  secret,
		"outside/index.html":  secret,
		"www/sub/nested.html": "<p>nested</p>\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"www/escape":     "../outside/secret.txt",
		"www/escape-abs": filepath.Join(dir, "outside", "secret.txt"),
		"www/escdir":     "../outside",
		"www/sub/up":     "../../outside/secret.txt",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func checkResp(t *testing.T, what string, got response, status int, body string) {
	t.Helper()
	if got.status != status {
		t.Errorf("%s: status %d, want %d (body %q)", what, got.status, status, got.body)
		return
	}
	if body != "" && got.body != body {
		t.Errorf("%s: body %q, want %q", what, got.body, body)
	}
}

// checkNotFound asserts a 404 that carries neither the secret nor a
// directory listing.
func checkNotFound(t *testing.T, what string, got response) {
	t.Helper()
	if strings.Contains(got.body, "TOP SECRET") {
		t.Errorf("%s: the response carries the file outside the web root (status %d)", what, got.status)
	}
	if strings.Contains(got.body, "x.txt") || strings.Contains(got.body, "<a href") {
		t.Errorf("%s: the response looks like a directory listing: %q", what, got.body)
	}
	if got.status != http.StatusNotFound {
		t.Errorf("%s: status %d, want 404 (body %q)", what, got.status, got.body)
	}
}

// TestStaticBuiltinPage: web-root "" serves the built-in page at / only.
func TestStaticBuiltinPage(t *testing.T) {
	d := open(t, with(baseConf(), "web-root", ""), t.TempDir())
	base := "http://" + d.Addr().String()
	hc := httpClient(t)

	for _, u := range []string{"/", "/?x=1"} {
		r := request(t, hc, http.MethodGet, base+u)
		if r.status != http.StatusOK || r.contentType != "text/html; charset=utf-8" {
			t.Errorf("GET %s: %d %q, want 200 text/html; charset=utf-8", u, r.status, r.contentType)
		}
		if !strings.Contains(r.body, "/ws1") || !strings.Contains(r.body, "/ws2") {
			t.Errorf("GET %s: the built-in page does not mention /ws1 and /ws2: %q", u, r.body)
		}
	}
	if r := request(t, hc, http.MethodHead, base+"/"); r.status != http.StatusOK || r.body != "" {
		t.Errorf("HEAD /: %d with %d body bytes, want 200 and no body", r.status, len(r.body))
	}
	for _, u := range []string{"/index.html", "/favicon.ico", "/ws1/", "/a/b/c", "/rest/x"} {
		checkNotFound(t, "GET "+u, request(t, hc, http.MethodGet, base+u))
	}
	r := request(t, hc, http.MethodPost, base+"/")
	checkResp(t, "POST /", r, http.StatusMethodNotAllowed, "")
}

// TestStaticWebRoot: a web-root directory is served without listings and
// without escapes from it.
func TestStaticWebRoot(t *testing.T) {
	dir := webTree(t)
	d := open(t, with(baseConf(), "web-root", "www"), dir) // relative to the config directory
	addr := d.Addr().String()
	base := "http://" + addr
	hc := httpClient(t)

	served := []struct{ path, body, ctype string }{
		{"/", rootIndex, "text/html; charset=utf-8"},
		{"/index.html", rootIndex, "text/html; charset=utf-8"},
		{"/a.txt", alphaText, "text/plain; charset=utf-8"},
		{"/a.txt?v=2", alphaText, "text/plain; charset=utf-8"},
		{"/sub/", subIndex, "text/html; charset=utf-8"},
		{"/sub", subIndex, "text/html; charset=utf-8"},
		{"/sub/index.html", subIndex, "text/html; charset=utf-8"},
		{"/sub/nested.html", "<p>nested</p>\n", "text/html; charset=utf-8"},
		{"/sub2/x.txt", sub2File, "text/plain; charset=utf-8"},
	}
	for _, s := range served {
		r := request(t, hc, http.MethodGet, base+s.path)
		checkResp(t, "GET "+s.path, r, http.StatusOK, s.body)
		if r.status == http.StatusOK && r.contentType != s.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", s.path, r.contentType, s.ctype)
		}
	}
	if r := request(t, hc, http.MethodHead, base+"/a.txt"); r.status != http.StatusOK || r.body != "" {
		t.Errorf("HEAD /a.txt: %d with %d body bytes, want 200 and no body", r.status, len(r.body))
	}

	// No index → 404, never a listing; missing files → 404.
	for _, p := range []string{"/sub2/", "/sub2", "/missing.txt", "/sub/missing/"} {
		checkNotFound(t, "GET "+p, request(t, hc, http.MethodGet, base+p))
	}

	// Symbolic links that lead out of the root.
	for _, p := range []string{"/escape", "/escape-abs", "/escdir", "/escdir/", "/escdir/secret.txt", "/escdir/index.html", "/sub/up"} {
		checkNotFound(t, "GET "+p, request(t, hc, http.MethodGet, base+p))
	}

	// Traversal in the raw request target, plain and percent-encoded.
	for _, target := range []string{
		"/../outside/secret.txt",
		"/../../outside/secret.txt",
		"/sub/../../outside/secret.txt",
		"/sub2/../../outside/index.html",
		"/%2e%2e/outside/secret.txt",
		"/%2E%2E/outside/secret.txt",
		"/sub/%2e%2e/%2e%2e/outside/secret.txt",
		"/..%2foutside%2fsecret.txt",
		"/%2e%2e%2foutside%2fsecret.txt",
		"/.%2e/outside/secret.txt",
		"/..%5coutside%5csecret.txt",
		"/escdir/../../outside/secret.txt",
	} {
		checkNotFound(t, "raw GET "+target, rawGet(t, addr, target))
	}
	// A traversal that stays inside the root is just a path.
	checkResp(t, "raw GET /sub/../a.txt", rawGet(t, addr, "/sub/../a.txt"), http.StatusOK, alphaText)
	checkResp(t, "raw GET /%2e%2e/a.txt", rawGet(t, addr, "/%2e%2e/a.txt"), http.StatusOK, alphaText)

	for _, p := range []string{"/", "/a.txt", "/sub/"} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			r := request(t, hc, m, base+p)
			checkResp(t, m+" "+p, r, http.StatusMethodNotAllowed, "")
			if strings.Contains(r.body, "alpha") || strings.Contains(r.body, "index") {
				t.Errorf("%s %s: the 405 carries file content %q", m, p, r.body)
			}
		}
	}
}

// TestStaticDisabled: enable-static false → 404 everywhere except the
// websocket and REST endpoints.
func TestStaticDisabled(t *testing.T) {
	dir := webTree(t)
	for _, root := range []string{"www", ""} {
		t.Run("web-root="+root, func(t *testing.T) {
			d := open(t, with(baseConf(), "web-root", root, "enable-static", false), dir)
			base := "http://" + d.Addr().String()
			hc := httpClient(t)
			for _, p := range []string{"/", "/index.html", "/a.txt", "/sub/", "/sub2/x.txt"} {
				checkNotFound(t, "GET "+p, request(t, hc, http.MethodGet, base+p))
			}
			r := request(t, hc, http.MethodGet, base+"/ws1")
			checkResp(t, "GET /ws1 without upgrade", r, http.StatusUpgradeRequired, "WS upgrade expected\n")
			r = request(t, hc, http.MethodGet, base+"/ws2")
			checkResp(t, "GET /ws2 without upgrade", r, http.StatusUpgradeRequired, "WS upgrade expected\n")
			r = request(t, hc, http.MethodGet, base+"/rest")
			if r.status != http.StatusOK || !strings.HasPrefix(r.body, `{"driver":"vscpl2drv-websocksrv"`) {
				t.Errorf("GET /rest: %d %q, want 200 and the status document", r.status, r.body)
			}
			cl, err := dial("ws://"+d.Addr().String()+"/ws1", nil)
			if err != nil {
				t.Fatalf("ws1 with static disabled: %v", err)
			}
			defer cl.close()
			if err := cl.login(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestStaticMissingWebRoot: a web-root that does not exist is no open
// error; requests get 404.
func TestStaticMissingWebRoot(t *testing.T) {
	dir := t.TempDir()
	d := open(t, with(baseConf(), "web-root", "no-such-dir"), dir)
	base := "http://" + d.Addr().String()
	hc := httpClient(t)
	for _, p := range []string{"/", "/index.html", "/a.txt", "/sub/"} {
		checkNotFound(t, "GET "+p, request(t, hc, http.MethodGet, base+p))
	}
	r := request(t, hc, http.MethodGet, base+"/rest")
	checkResp(t, "GET /rest", r, http.StatusOK, "")
}

// TestStaticAllowRemotes: a peer denied by allow-remotes gets 403 for
// static content too, before routing.
func TestStaticAllowRemotes(t *testing.T) {
	dir := webTree(t)
	for _, root := range []string{"www", ""} {
		t.Run("web-root="+root, func(t *testing.T) {
			d := open(t, with(baseConf(), "web-root", root, "allow-remotes", "-127.0.0.1"), dir)
			base := "http://" + d.Addr().String()
			hc := httpClient(t)
			for _, p := range []string{"/", "/a.txt", "/sub/", "/missing", "/rest"} {
				checkResp(t, "GET "+p, request(t, hc, http.MethodGet, base+p), http.StatusForbidden, "Forbidden\n")
			}
			checkResp(t, "POST /", request(t, hc, http.MethodPost, base+"/"), http.StatusForbidden, "Forbidden\n")
			checkResp(t, "raw GET /../outside/secret.txt", rawGet(t, d.Addr().String(), "/../outside/secret.txt"), http.StatusForbidden, "Forbidden\n")

			allowed := open(t, with(baseConf(), "web-root", root, "allow-remotes", []any{"+127.0.0.0/8"}), dir)
			r := request(t, hc, http.MethodGet, "http://"+allowed.Addr().String()+"/")
			if r.status != http.StatusOK {
				t.Errorf("GET / from an allowed peer: %d, want 200", r.status)
			}
		})
	}
}
