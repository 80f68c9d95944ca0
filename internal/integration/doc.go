// Package integration holds end-to-end tests of the driver over real sockets:
// websockets over TLS (the tls object), static content (web-root,
// enable-static) and many concurrent clients talking to one instance while
// the host writes and reads. The tests use only the public Go API (package
// driver) and ordinary websocket and HTTP clients, listen on ephemeral
// 127.0.0.1 ports and clean up after themselves.
package integration
