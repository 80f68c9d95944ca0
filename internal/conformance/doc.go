// Package conformance holds the black-box protocol conformance tests of the
// driver: every test opens a driver instance through the Go API, talks ws1
// and ws2 over real loopback websocket connections with an independent
// client, and plays the host with Write and Read. The expectations come from
// the documented protocol (docs/protocols.md, docs/security.md,
// docs/configuration.md, docs/c-api.md), not from the implementation; the
// package has no non-test code besides this comment.
package conformance
