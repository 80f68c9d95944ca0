package ws

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/stats"
)

// headerHasToken reports whether a comma-separated header contains token
// (case-insensitive).
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// handshakeOK checks what RFC 6455 §4.2.1 requires besides the Upgrade
// token, so that a defective request is a 400 even when the server is full.
func handshakeOK(r *http.Request) bool {
	if r.Method != http.MethodGet || !headerHasToken(r.Header, "Connection", "upgrade") {
		return false
	}
	if r.Header.Get("Sec-Websocket-Version") != "13" {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(r.Header.Get("Sec-Websocket-Key"))
	return err == nil && len(key) == 16
}

// serveWS upgrades a request to a ws1 or ws2 session (docs/protocols.md,
// connecting) and runs the session on this goroutine.
func (h *Hub) serveWS(w http.ResponseWriter, r *http.Request, p protocol) {
	if !headerHasToken(r.Header, "Upgrade", "websocket") {
		w.Header().Set("Sec-WebSocket-Version", "13")
		plain(w, http.StatusUpgradeRequired, "WS upgrade expected\n")
		return
	}
	if !handshakeOK(r) {
		plain(w, http.StatusBadRequest, "Bad Request\n")
		return
	}
	n := h.live.Add(1)
	if max := h.opts.MaxClients; h.stopped.Load() || (max > 0 && n > int64(max)) {
		h.live.Add(-1)
		h.counters.Inc(stats.SessionsRejectedMaxClients)
		plain(w, http.StatusServiceUnavailable, "Too many clients\n")
		return
	}
	var hdr http.Header
	if offered := websocket.Subprotocols(r); len(offered) > 0 {
		hdr = http.Header{"Sec-Websocket-Protocol": {offered[0]}} // echo the first one offered
	}
	c, err := h.upgrader.Upgrade(w, r, hdr)
	if err != nil {
		h.live.Add(-1)
		return
	}
	s := newSession(h, p, c, peerAddr(r))
	var greeting []byte
	if p == protoWS1 {
		greeting = ws1Greeting(s.sid)
	} else {
		greeting = ws2Greeting(s.sid)
	}
	s.start(greeting)
}
