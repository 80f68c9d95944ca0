// Package conformance holds the black-box protocol conformance tests of the
// driver: every test opens a driver instance through the Go API, talks ws1
// and ws2 over real loopback websocket connections with an independent
// client, and plays the host with Write and Read. The expectations come from
// the specification (ws1.md, ws2.md, users-and-auth.md, routing-and-mqtt.md,
// compat.md, events-and-filters.md), not from the implementation; the
// package has no non-test code besides this comment.
package conformance
